/// The CIDR blocks allowed to call an API.
///
/// An empty whitelist admits nobody: an API is closed until someone opens it. `0.0.0.0/0` admits every
/// IPv4 client and `::/0` every IPv6 client; an IPv4 client reaching a dual-stack listener as
/// `::ffff:a.b.c.d` is an IPv4 client, so `::/0` alone does not admit it.
public struct IPWhitelist: Hashable, Sendable {
    public private(set) var entries: [CIDR]

    public init(_ entries: [CIDR] = []) {
        self.entries = []
        for entry in entries { add(entry) }
    }

    /// Parses every entry, refusing the whole list when one is invalid.
    public init(parsing texts: [String]) throws(SibylError) {
        var entries: [CIDR] = []
        for text in texts { entries.append(try CIDR(text)) }
        self.init(entries)
    }

    /// Adds an entry; returns false when it was already there.
    @discardableResult
    public mutating func add(_ entry: CIDR) -> Bool {
        guard !entries.contains(entry) else { return false }
        entries.append(entry)
        return true
    }

    /// Removes an entry; returns false when it was not there.
    @discardableResult
    public mutating func remove(_ entry: CIDR) -> Bool {
        guard let index = entries.firstIndex(of: entry) else { return false }
        entries.remove(at: index)
        return true
    }

    /// Whether a client at `address` may call; nil (an address that could not be determined) never may.
    public func admits(_ address: IPAddress?) -> Bool {
        guard let address else { return false }
        return entries.contains { $0.contains(address) }
    }
}
