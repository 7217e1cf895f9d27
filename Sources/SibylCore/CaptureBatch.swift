/// Captures of one API kept as one value: what a node writes as one database row. A node appends each capture
/// to its API's open batch as the request is answered (a copy of the bodies, no allocation per capture), so
/// that keeping thousands of captures a second costs one insert per batch rather than one per capture, and
/// capturing every request costs its answers little (docs/ROLLOUT.md, "How captures are kept").
///
/// A batch spans at most `span` milliseconds and about `byteLimit` bytes, and is named after its first
/// capture. Its bytes: a format byte, then per capture its id, endpoint, time, version, key id, status, media
/// type, request and answer, each string or body with its length first (big-endian 64-bit integers).
public struct CaptureBatch: Sendable, Equatable {
    static let format: UInt8 = 1
    /// Bytes a batch holds, at most (a capture larger than this is a batch alone).
    public static let byteLimit = 256 << 10
    /// Milliseconds from a batch's first capture to its last, at most: a read finds every batch that may hold
    /// a capture after a time T among those that begin after T minus this.
    public static let span: Int64 = 60_000

    public let apiID: String
    /// Its first capture's id.
    public private(set) var id = ""
    /// Its earliest and latest captures' times (milliseconds).
    public private(set) var firstAt = Int64.max
    public private(set) var lastAt = Int64.min
    /// Captures answered 200: a replay's total, counted without reading them.
    public private(set) var answered = 0
    public private(set) var bytes: [UInt8] = [format]

    public init(apiID: String) {
        self.apiID = apiID
    }

    /// A batch as stored.
    public init(id: String, apiID: String, firstAt: Int64, lastAt: Int64, answered: Int, bytes: [UInt8]) {
        self.apiID = apiID
        self.id = id
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.answered = answered
        self.bytes = bytes
    }

    /// Whether a capture made at `time` with `size` bytes of bodies belongs in this batch, or starts the next.
    public func admits(time: Int64, size: Int) -> Bool {
        id.isEmpty || (bytes.count + size <= Self.byteLimit && max(lastAt, time) - min(firstAt, time) <= Self.span)
    }

    public mutating func append(
        id: String, endpoint: Capture.Endpoint, time: Int64, version: Int, keyID: String, status: Int, mediaType: String,
        request: UnsafeRawBufferPointer, answer: [UInt8]
    ) {
        if self.id.isEmpty { self.id = id }
        firstAt = min(firstAt, time)
        lastAt = max(lastAt, time)
        if status == 200 { answered += 1 }
        write(id)
        write(endpoint.rawValue)
        write(UInt64(bitPattern: time))
        write(UInt64(bitPattern: Int64(version)))
        write(keyID)
        write(UInt64(bitPattern: Int64(status)))
        write(mediaType)
        write(request)
        answer.withUnsafeBytes { write($0) }
    }

    public mutating func append(_ capture: Capture) {
        capture.request.withUnsafeBytes { request in
            append(
                id: capture.id, endpoint: capture.endpoint, time: capture.time, version: capture.version, keyID: capture.keyID,
                status: capture.status, mediaType: capture.mediaType, request: request, answer: capture.answer)
        }
    }

    /// Some captures as batches, per API, each in time and id order.
    public static func batches(_ captures: [Capture]) -> [CaptureBatch] {
        var batches: [CaptureBatch] = []
        for (apiID, ofAPI) in Dictionary(grouping: captures, by: \.apiID).sorted(by: { $0.key < $1.key }) {
            var batch = CaptureBatch(apiID: apiID)
            for capture in ofAPI.sorted(by: { ($0.time, $0.id) < ($1.time, $1.id) }) {
                if !batch.admits(time: capture.time, size: capture.bytes) {
                    batches.append(batch)
                    batch = CaptureBatch(apiID: apiID)
                }
                batch.append(capture)
            }
            if !batch.id.isEmpty { batches.append(batch) }
        }
        return batches
    }

    /// The captures it holds, in the order they were added; a batch that does not read whole is an internal
    /// error, never captures made up.
    public func captures() throws(SibylError) -> [Capture] {
        var reader = Reader(data: bytes)
        guard reader.byte() == Self.format else { throw SibylError(.internalError, "a capture batch of api \(apiID) is of an unknown format") }
        var captures: [Capture] = []
        while !reader.atEnd {
            guard let id = reader.string(), let endpoint = reader.string().flatMap(Capture.Endpoint.init(rawValue:)),
                let time = reader.integer(), let version = reader.integer(), let keyID = reader.string(),
                let status = reader.integer(), let mediaType = reader.string(), let request = reader.bytes(),
                let answer = reader.bytes()
            else { throw SibylError(.internalError, "a capture batch of api \(apiID) is cut short") }
            captures.append(Capture(
                id: id, apiID: apiID, endpoint: endpoint, time: time, version: Int(version), keyID: keyID, status: Int(status),
                mediaType: mediaType, request: request, answer: answer))
        }
        return captures
    }

    private mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }

    private mutating func write(_ body: UnsafeRawBufferPointer) {
        write(UInt64(body.count))
        bytes.append(contentsOf: body)
    }

    private mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Reads a batch front to back; every read answers nil past the end.
    private struct Reader {
        let data: [UInt8]
        var position = 0

        var atEnd: Bool { position == data.count }

        mutating func byte() -> UInt8? {
            guard position < data.count else { return nil }
            defer { position += 1 }
            return data[position]
        }

        mutating func integer() -> Int64? {
            guard data.count - position >= 8 else { return nil }
            defer { position += 8 }
            return data[position..<position + 8].reduce(0) { $0 << 8 | Int64($1) }
        }

        mutating func bytes() -> [UInt8]? {
            guard let count = integer(), count >= 0, count <= data.count - position else { return nil }
            defer { position += Int(count) }
            return Array(data[position..<position + Int(count)])
        }

        mutating func string() -> String? {
            bytes().map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
