/// Captured requests of a period run again, inside Sibyl, by another version of their API, and its answers
/// compared with those of the version that answered each (run again too, on the same input): a task with
/// progress, kept in the database so that every node shows it.
public struct Replay: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case running, done, failed
        /// Its node stopped before it ended (a graceful stop), or has not written progress for
        /// `Replay.staleAfterMilliseconds` (a crash).
        case interrupted
    }

    public var id: String
    public var apiID: String
    /// The version the captures are replayed against.
    public var version: Int
    /// The period's captures, milliseconds since 1970, both ends included.
    public var from: Int64
    public var to: Int64
    /// A regressor's row differs when its values are more than this apart; a classifier's when its labels differ.
    public var tolerance: Double
    /// Whether the versions are classifiers (labels compared) rather than regressors (values).
    public var classifier: Bool
    public var state: State
    /// Captures in the period (answered ones: refusals have nothing to compare), and those replayed so far.
    public var total: Int
    public var processed = 0
    public var comparison = Comparison()
    /// Every row that differs, counted; the first `differenceLimit` of them listed.
    public var differingRows = 0
    public var differences: [ReplayDifference] = []
    /// Why a failed replay stopped.
    public var error: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    /// The most differing rows a replay lists (each is counted).
    public static let differenceLimit = 10_000
    /// A running replay whose node wrote no progress for this long is shown as interrupted.
    public static let staleAfterMilliseconds: Int64 = 60_000

    public init(
        id: String, apiID: String, version: Int, from: Int64, to: Int64, tolerance: Double, classifier: Bool, total: Int,
        now: Int64
    ) {
        self.id = id
        self.apiID = apiID
        self.version = version
        self.from = from
        self.to = to
        self.tolerance = tolerance
        self.classifier = classifier
        state = .running
        self.total = total
        createdAt = now
        updatedAt = now
    }

    /// The state as seen at `now`: a running replay whose progress stopped long ago was interrupted.
    public func state(at now: Int64) -> State {
        state == .running && now - updatedAt > Self.staleAfterMilliseconds ? .interrupted : state
    }

    /// Notes a capture's differing rows: all counted, listed up to the limit.
    public mutating func note(captureID: String, differing rows: [Int], answered: (Int) -> String, replayed: (Int) -> String) {
        differingRows += rows.count
        for row in rows.prefix(max(0, Self.differenceLimit - differences.count)) {
            differences.append(ReplayDifference(captureID: captureID, row: row, answered: answered(row), replayed: replayed(row)))
        }
    }
}

/// A row of a captured request whose answers differ: the label (or value) of the version that answered it
/// and that of the replayed version.
public struct ReplayDifference: Sendable, Equatable, Codable {
    public var captureID: String
    public var row: Int
    public var answered: String
    public var replayed: String

    public init(captureID: String, row: Int, answered: String, replayed: String) {
        self.captureID = captureID
        self.row = row
        self.answered = answered
        self.replayed = replayed
    }
}
