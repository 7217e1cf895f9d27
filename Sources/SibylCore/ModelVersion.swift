/// A model an API has served, numbered from 1 in the order the API was given it: changing the model adds a
/// version, and any version can be made current again (a rollback).
public struct ModelVersion: Sendable, Equatable {
    public var number: Int
    public var modelID: String
    /// Seconds since 1970, UTC.
    public var createdAt: Int64

    public init(number: Int, modelID: String, createdAt: Int64) {
        self.number = number
        self.modelID = modelID
        self.createdAt = createdAt
    }
}

/// How an API's predictions are shared among its versions: percentages that add up to 100, each request
/// answered by one version. Sticky: a key always lands on the same version (by a hash of its id), so one
/// client sees one model; otherwise each request draws.
public struct TrafficSplit: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        public var version: Int
        public var weight: Int

        public init(version: Int, weight: Int) {
            self.version = version
            self.weight = weight
        }
    }

    /// By version number, each weight 1 to 99.
    public private(set) var shares: [Share]
    public var sticky: Bool

    /// At most this many versions share an API's traffic: every node keeps each of them compiled.
    public static let maxVersions = 10

    /// Checks the shares: two or more distinct versions, weights 1 to 99 adding up to 100 (a version with
    /// all the traffic is the current version, not a split).
    public init(shares: [Share], sticky: Bool) throws(SibylError) {
        guard (2...Self.maxVersions).contains(shares.count) else {
            throw SibylError(.invalidInput, "split: give 2 to \(Self.maxVersions) versions with their weights")
        }
        guard Set(shares.map(\.version)).count == shares.count else {
            throw SibylError(.invalidInput, "split: each version may appear once")
        }
        guard shares.allSatisfy({ (1...99).contains($0.weight) }), shares.map(\.weight).reduce(0, +) == 100 else {
            throw SibylError(.invalidInput, "split: weights are whole percentages from 1 to 99 that add up to 100")
        }
        self.shares = shares.sorted { $0.version < $1.version }
        self.sticky = sticky
    }

    public var versions: [Int] { shares.map(\.version) }

    /// The version that answers a request: `bucket` (0 to 99) falls in one version's share, in version order.
    public func version(bucket: Int) -> Int {
        var below = 0
        for share in shares {
            below += share.weight
            if bucket < below { return share.version }
        }
        return shares[shares.count - 1].version
    }

    /// The bucket of a request: the key's own when sticky (FNV-1a of its id, the same on every node and
    /// every start), else a random one.
    public func bucket(keyID: String?) -> Int {
        guard sticky, let keyID else { return Draw.bucket() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in keyID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int(hash % 100)
    }

    /// As stored: `1:90,2:10`.
    public var text: String { shares.map { "\($0.version):\($0.weight)" }.joined(separator: ",") }

    /// Reads `text` back; nil for text this code did not write.
    public init?(text: String, sticky: Bool) {
        var shares: [Share] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: ":")
            guard pair.count == 2, let version = Int(pair[0]), let weight = Int(pair[1]) else { return nil }
            shares.append(Share(version: version, weight: weight))
        }
        guard let split = try? TrafficSplit(shares: shares, sticky: sticky) else { return nil }
        self = split
    }
}
