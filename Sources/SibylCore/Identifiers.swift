/// Random public identifiers: a type prefix and 16 lower-case base-32 characters (80 bits).
///
/// They appear in URLs, so they are unguessable and carry nothing about creation order or counts.
public enum Identifier {
    public static let model = "mdl"
    public static let api = "api"
    public static let key = "key"
    public static let token = "tok"
    public static let usageBatch = "ub"

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func make(_ prefix: String) -> String {
        prefix + "_" + randomCharacters(16)
    }

    /// Random characters from the URL-safe base-32 alphabet, from the system's secure generator.
    public static func randomCharacters(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(32)))] }, as: UTF8.self)
    }

    /// Whether `text` could be an identifier of this kind; cheap to check before any lookup.
    public static func isWellFormed(_ text: some StringProtocol, prefix: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == prefix.utf8.count + 17, text.hasPrefix(prefix + "_") else { return false }
        return utf8.dropFirst(prefix.utf8.count + 1).allSatisfy { alphabet.contains($0) }
    }
}
