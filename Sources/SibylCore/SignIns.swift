/// What the sign-in throttle counts of one attempt: the name from this address, the address over every name,
/// and the name over every address. Each is an opaque key; the throttle decides how they are made.
public struct SignInSubjects: Sendable, Equatable {
    public let pair: String
    public let address: String
    public let name: String

    public init(pair: String, address: String, name: String) {
        self.pair = pair
        self.address = address
        self.name = name
    }
}

/// The failures (and reserved attempts, which count as failures until they succeed) of an attempt's subjects
/// within the window, read in the transaction that reserves the attempt.
public struct SignInHistory: Sendable, Equatable {
    public var pairFailures = 0
    public var pairLatest: Int64?
    public var addressFailures = 0
    public var addressOldest: Int64?
    public var nameFailures = 0
    public var nameOldest: Int64?
    /// Whether the pair's address signed this name in successfully lately.
    public var trusted = false

    public init() {}
}
