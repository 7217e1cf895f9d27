/// How a shadow version's answers compared with the answering versions' over one UTC day: the shadow gets
/// a copy of each answered request, off the answer's path, and never answers itself. The comparison's
/// fields read as the day's own (`day.requests`).
@dynamicMemberLookup
public struct ShadowDay: Sendable, Equatable {
    public var date: String
    public var comparison = Comparison()
    /// Requests left uncompared because the node's shadow queue was full: a shadow never slows answers.
    public var skipped = 0

    public init(date: String) {
        self.date = date
    }

    public subscript<Value>(dynamicMember path: WritableKeyPath<Comparison, Value>) -> Value {
        get { comparison[keyPath: path] }
        set { comparison[keyPath: path] = newValue }
    }

    public subscript<Value>(dynamicMember path: KeyPath<Comparison, Value>) -> Value { comparison[keyPath: path] }

    public func labelAgreement(classifier: Bool) -> Double? { comparison.labelAgreement(classifier: classifier) }

    public mutating func add(_ other: ShadowDay) {
        comparison.add(other.comparison)
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
