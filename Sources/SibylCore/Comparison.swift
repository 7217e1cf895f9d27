/// How one version's answers compared with another's on the same requests: a shadow's per day, a replay's
/// over its captures.
public struct Comparison: Sendable, Equatable, Codable {
    /// Requests both versions answered and whose answers were compared.
    public var requests = 0
    public var rows = 0
    /// Rows whose label both versions gave alike (classifiers only).
    public var agreedRows = 0
    /// Probabilities (classifiers) or values (regressors) compared, and their absolute differences.
    public var values = 0
    public var sumAbsoluteDifference = 0.0
    public var maxAbsoluteDifference = 0.0
    /// Requests that could not be answered or compared (a version failed, or reads other features or classes).
    public var failed = 0

    public init() {}

    /// The share of compared rows whose labels agreed; nil for a regressor or without rows.
    public func labelAgreement(classifier: Bool) -> Double? {
        classifier && rows > 0 ? Double(agreedRows) / Double(rows) : nil
    }

    public var meanAbsoluteDifference: Double? { values > 0 ? sumAbsoluteDifference / Double(values) : nil }

    /// The largest absolute difference; nil when nothing was compared.
    public var maximumAbsoluteDifference: Double? { values > 0 ? maxAbsoluteDifference : nil }

    public mutating func add(_ other: Comparison) {
        requests += other.requests
        rows += other.rows
        agreedRows += other.agreedRows
        values += other.values
        sumAbsoluteDifference += other.sumAbsoluteDifference
        maxAbsoluteDifference = max(maxAbsoluteDifference, other.maxAbsoluteDifference)
        failed += other.failed
    }
}
