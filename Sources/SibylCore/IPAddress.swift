/// An IPv4 or IPv6 address, parsed strictly (no leading zeros in IPv4 octets, no zone ids).
///
/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is stored as the IPv4 address it carries, so that a
/// dual-stack listener's peers and a whitelist's IPv4 entries compare as one family.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses a textual address; nil when it is not one.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if let v4 = Self.parseV4(bytes[...]) {
            self = .v4(v4)
        } else if let v6 = Self.parseV6(bytes[...]) {
            self = Self.unmapped(v6)
        } else {
            return nil
        }
    }

    /// The IPv4 address inside `::ffff:0:0/96`, or the IPv6 address itself.
    static func unmapped(_ v6: UInt128) -> IPAddress {
        v6 >> 32 == 0xffff ? .v4(UInt32(truncatingIfNeeded: v6)) : .v6(v6)
    }

    public var description: String {
        switch self {
        case .v4(let a):
            return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6(let a):
            return Self.formatV6(a)
        }
    }

    static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            if part.count > 1 && part.first == 0x30 { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - 0x30) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseV6(_ bytes: ArraySlice<UInt8>) -> UInt128? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var groups = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)[...]
        // "::" at either end yields two empty groups; reduce them to the single marker of compression.
        if groups.count >= 2, groups[groups.startIndex].isEmpty {
            guard groups[groups.startIndex + 1].isEmpty else { return nil }
            groups = groups.dropFirst()
        }
        if groups.count >= 2, groups[groups.endIndex - 1].isEmpty {
            guard groups[groups.endIndex - 2].isEmpty else { return nil }
            groups = groups.dropLast()
        }
        for (index, group) in zip(groups.indices, groups) {
            if group.isEmpty {
                guard !compressed else { return nil }
                compressed = true
                continue
            }
            if index == groups.endIndex - 1, group.contains(UInt8(ascii: ".")) {
                guard let v4 = parseV4(group) else { return nil }
                let pair = [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                if compressed { tail += pair } else { head += pair }
                continue
            }
            guard group.count <= 4, let word = UInt16(String(decoding: group, as: UTF8.self), radix: 16) else {
                return nil
            }
            if compressed { tail.append(word) } else { head.append(word) }
        }
        let count = head.count + tail.count
        guard compressed ? count <= 7 : count == 8 else { return nil }
        let words = head + Array(repeating: 0, count: 8 - count) + tail
        return words.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// RFC 5952 text: lower case, the longest run of two or more zero groups compressed.
    static func formatV6(_ value: UInt128) -> String {
        let words = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
        var best = (start: -1, length: 0)
        var run = (start: -1, length: 0)
        for (i, word) in words.enumerated() {
            if word == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        if best.length < 2 { return words.map { String($0, radix: 16) }.joined(separator: ":") }
        let left = words[..<best.start].map { String($0, radix: 16) }.joined(separator: ":")
        let right = words[(best.start + best.length)...].map { String($0, radix: 16) }.joined(separator: ":")
        return left + "::" + right
    }
}
