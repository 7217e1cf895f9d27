/// A prediction request kept with its answer: the body as sent, the answer as given, the call it came
/// through, the version that made it, the key's id (never its secret), the status and the time.
public struct Capture: Sendable, Equatable {
    /// The call a request came through, which says how its body reads.
    public enum Endpoint: String, Sendable {
        /// `POST /apis/{id}/predict`: JSON records or rows, or CSV (`mediaType` says which).
        case predict
        /// The Open Inference Protocol's `infer`: JSON, or the binary extension, whose JSON header's length is
        /// the media type's `inference-header-content-length` parameter.
        case v2
        /// Prediction One's call: JSON around base64 CSV.
        case predictionOne = "prediction_one"
    }

    public var id: String
    public var apiID: String
    public var endpoint: Endpoint
    /// Milliseconds since 1970, UTC.
    public var time: Int64
    public var version: Int
    public var keyID: String
    public var status: Int
    /// The request body's media type (`application/json`, `text/csv`).
    public var mediaType: String
    public var request: [UInt8]
    public var answer: [UInt8]

    public init(
        id: String, apiID: String, endpoint: Endpoint = .predict, time: Int64, version: Int, keyID: String, status: Int, mediaType: String, request: [UInt8],
        answer: [UInt8]
    ) {
        self.id = id
        self.apiID = apiID
        self.endpoint = endpoint
        self.time = time
        self.version = version
        self.keyID = keyID
        self.status = status
        self.mediaType = mediaType
        self.request = request
        self.answer = answer
    }

    /// What a capture counts for in a node's queue until it is written: its two bodies and a little more.
    public var bytes: Int { Self.bytes(request: request.count, answer: answer.count) }

    public static func bytes(request: Int, answer: Int) -> Int { request + answer + 256 }
}

/// Which requests of an API are captured, and for how long they are kept.
public struct CaptureSettings: Sendable, Equatable {
    /// The share of answered requests kept, in percent: 0 keeps none, 100 every one.
    public var rate: Double
    /// Captures older than this many days are deleted.
    public var retentionDays: Int

    public static let off = CaptureSettings(unchecked: 0, retentionDays: 30)
    public static let maxRetentionDays = 366

    public init(rate: Double, retentionDays: Int) throws(SibylError) {
        guard rate.isFinite, (0...100).contains(rate) else { throw SibylError(.invalidInput, "rate: a percentage from 0 to 100") }
        guard (1...Self.maxRetentionDays).contains(retentionDays) else {
            throw SibylError(.invalidInput, "retention_days: from 1 to \(Self.maxRetentionDays)")
        }
        self.rate = rate
        self.retentionDays = retentionDays
    }

    private init(unchecked rate: Double, retentionDays: Int) {
        self.rate = rate
        self.retentionDays = retentionDays
    }

    /// Whether a request is kept, given a draw from 0 ..< 100.
    public func keeps(draw: Double) -> Bool { draw < rate }
}

/// Where a page of captures ended: the last one's time and id (captures are ordered by both). Written
/// `TIME.ID` in a `Sibyl-Next` header and read back from `after`.
public struct CaptureCursor: Sendable, Equatable {
    public let time: Int64
    public let id: String

    public init(time: Int64, id: String) {
        self.time = time
        self.id = id
    }

    public init(_ capture: Capture) {
        self.init(time: capture.time, id: capture.id)
    }

    public init?(text: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let time = Int64(parts[0]), !parts[1].isEmpty else { return nil }
        self.init(time: time, id: String(parts[1]))
    }

    public var text: String { "\(time).\(id)" }

    /// Whether `capture` comes after this cursor.
    public func precedes(_ capture: Capture) -> Bool { (time, id) < (capture.time, capture.id) }
}
