/// A network in CIDR notation, IPv4 or IPv6.
///
/// Parsing is strict and never silently changes meaning: host bits set, a prefix out of range, a zone id or
/// a malformed address are refused with a reason. A bare address is a single-host network (/32 or /128).
/// An IPv4-mapped IPv6 network (`::ffff:10.0.0.0/104`) is stored as the IPv4 network it denotes.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init(_ text: String) throws(SibylError) {
        let trimmed = text.utf8
        guard !text.isEmpty, trimmed.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw SibylError(.invalidInput, "\"\(Self.quoted(text))\" is not a CIDR block")
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = parts[0]
        guard let parsed = IPAddress(addressText) else {
            throw SibylError(.invalidInput, "\"\(Self.quoted(text))\" is not a CIDR block: bad address")
        }
        let isMapped = addressText.contains(":") && { if case .v4 = parsed { true } else { false } }()
        let width = isMapped ? 128 : parsed.width
        var prefix = width
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                digits.count == 1 || digits.first != "0", let value = Int(digits), value <= width
            else {
                throw SibylError(
                    .invalidInput, "\"\(Self.quoted(text))\" is not a CIDR block: prefix must be 0 to \(width)")
            }
            prefix = value
        }
        if isMapped {
            guard prefix >= 96 else {
                throw SibylError(
                    .invalidInput,
                    "\"\(Self.quoted(text))\" mixes IPv4-mapped and IPv6 addresses: use a prefix of 96 or more")
            }
            prefix -= 96
        }
        guard parsed.masked(prefix) == parsed else {
            throw SibylError(
                .invalidInput,
                "\"\(Self.quoted(text))\" has host bits set: did you mean \(parsed.masked(prefix))/\(prefix)?")
        }
        self.address = parsed
        self.prefixLength = prefix
    }

    /// Whether `ip` lies in this network. IPv4 networks hold only IPv4 addresses and IPv6 only IPv6.
    public func contains(_ ip: IPAddress) -> Bool {
        switch (address, ip) {
        case (.v4, .v4), (.v6, .v6): return ip.masked(prefixLength) == address
        default: return false
        }
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
    }
}

extension IPAddress {
    var width: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    func masked(_ prefix: Int) -> IPAddress {
        switch self {
        case .v4(let a): .v4(prefix == 0 ? 0 : a & ~UInt32(0) << (32 - prefix))
        case .v6(let a): .v6(prefix == 0 ? 0 : a & ~UInt128(0) << (128 - prefix))
        }
    }
}
