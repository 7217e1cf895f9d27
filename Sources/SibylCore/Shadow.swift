/// How a shadow version's answers compared with the answering versions' over one UTC day: the shadow gets
/// a copy of each answered request, off the answer's path, and never answers itself.
public struct ShadowDay: Sendable, Equatable {
    public var date: String
    /// Requests the shadow answered and whose answers were compared.
    public var requests = 0
    public var rows = 0
    /// Rows whose label the shadow gave as the answering version did (classifiers only).
    public var agreedRows = 0
    /// Probabilities (classifiers) or values (regressors) compared, and their absolute differences.
    public var values = 0
    public var sumAbsoluteDifference = 0.0
    public var maxAbsoluteDifference = 0.0
    /// Requests the shadow could not answer or compare (it failed, or reads other features or classes).
    public var failed = 0
    /// Requests left uncompared because the node's shadow queue was full: a shadow never slows answers.
    public var skipped = 0

    public init(date: String) {
        self.date = date
    }

    /// The share of compared rows whose labels agreed; nil for a regressor or a day without rows.
    public func labelAgreement(classifier: Bool) -> Double? {
        classifier && rows > 0 ? Double(agreedRows) / Double(rows) : nil
    }

    public var meanAbsoluteDifference: Double? { values > 0 ? sumAbsoluteDifference / Double(values) : nil }

    public mutating func add(_ other: ShadowDay) {
        requests += other.requests
        rows += other.rows
        agreedRows += other.agreedRows
        values += other.values
        sumAbsoluteDifference += other.sumAbsoluteDifference
        maxAbsoluteDifference = max(maxAbsoluteDifference, other.maxAbsoluteDifference)
        failed += other.failed
        skipped += other.skipped
    }
}

/// One API's shadow tallies of one day: what a node counts and writes in batches.
public struct ShadowKey: Sendable, Hashable {
    public let apiID: String
    public let version: Int
    public let day: String

    public init(apiID: String, version: Int, day: String) {
        self.apiID = apiID
        self.version = version
        self.day = day
    }
}

extension ModelSchema {
    /// Whether a request decoded for this model means the same to `other`, and their answers can be
    /// compared: the same features of the same types (none taking any text: a CatBoost model's hashed
    /// categories are codes of its own), the same task and classes.
    public func comparable(with other: ModelSchema) -> Bool {
        let types = featureTypes ?? Array(repeating: .number, count: featureNames.count)
        let otherTypes = other.featureTypes ?? Array(repeating: .number, count: other.featureNames.count)
        return featureNames == other.featureNames && types == otherTypes && !types.contains { $0.takesAnyText == true }
            && task == other.task && classes == other.classes
    }
}
