/// Finds the address of the client behind a request, honouring forwarded headers only from trusted proxies.
///
/// The rules are nginx's `real_ip_recursive on`: when the socket peer is a trusted proxy, walk the
/// `X-Forwarded-For` chain from the right, skipping trusted hops; the first untrusted hop is the client.
/// A client-supplied left part of the chain is never believed on its own. Garbage in the chain makes the
/// client unknown (nil), and an unknown client is admitted by no whitelist.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    public func resolve(peer: IPAddress?, forwardedFor headers: [String]) -> IPAddress? {
        guard var client = peer else { return nil }
        guard isTrusted(client), !headers.isEmpty else { return client }
        let hops = headers.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard hops.count <= 64 else { return nil }
        for hop in hops.reversed() {
            guard let address = IPAddress(hop.trimmingSpaces) else { return nil }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension Substring {
    /// Without the spaces and tabs that HTTP allows around list elements (RFC 9110 §5.6.1).
    public var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
