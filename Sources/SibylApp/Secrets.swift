import Crypto
import SibylCore

/// Secrets are stored as SHA-256 and compared in constant time. Nothing here ever logs or returns a secret.
public enum Secrets {
    public static func sha256Hex(_ text: some StringProtocol) -> String {
        sha256Hex(Array(text.utf8))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hex
    }

    /// Compares two equal-length hex digests without an early exit, so timing tells nothing of the match.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Whether `secret` hashes to `storedHex` (a SHA-256 digest in hex), compared in constant time digit by
    /// digit without writing the digest out as text: the data plane checks a key on every request.
    public static func secret(_ secret: some StringProtocol, matches storedHex: String) -> Bool {
        let digest = SHA256.hash(data: Array(secret.utf8))
        var stored = storedHex.utf8.makeIterator()
        var difference = UInt8(storedHex.utf8.count == 2 * SHA256.byteCount ? 0 : 1)
        for byte in digest {
            difference |= (stored.next() ?? 0) ^ hexDigits[Int(byte >> 4)]
            difference |= (stored.next() ?? 0) ^ hexDigits[Int(byte & 0xf)]
        }
        return difference == 0
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A fresh secret of 32 base-32 characters (160 bits).
    public static func make() -> String { Identifier.randomCharacters(32) }
}

extension Sequence where Element == UInt8 {
    public var hex: String {
        let digits = Secrets.hexDigits
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A data-plane key as handed to a user: `<key id>.<secret>`. The id is public and indexes the key; only
/// the secret's hash is kept.
public struct PresentedKey {
    public let id: String
    public let secret: Substring

    public init?(_ text: some StringProtocol) {
        guard let dot = text.firstIndex(of: "."), Identifier.isWellFormed(text[..<dot], prefix: Identifier.key) else {
            return nil
        }
        id = String(text[..<dot])
        secret = Substring(text[text.index(after: dot)...])
        guard !secret.isEmpty, secret.utf8.count <= 128 else { return nil }
    }

    /// A new key for `apiID`, made at `createdAt`: the text to show once, and the record to store.
    public static func issue(apiID: String, createdAt: Int64) -> (text: String, record: APIKey) {
        let id = Identifier.make(Identifier.key)
        let secret = Secrets.make()
        return (id + "." + secret, APIKey(id: id, apiID: apiID, secretHash: Secrets.sha256Hex(secret), createdAt: createdAt))
    }
}
