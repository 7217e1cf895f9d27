import Synchronization

/// Random public identifiers: a type prefix and 16 lower-case base-32 characters (80 bits).
///
/// They appear in URLs, so they are unguessable and carry nothing about creation order or counts.
public enum Identifier {
    public static let model = "mdl"
    public static let api = "api"
    public static let key = "key"
    public static let token = "tok"
    public static let usageBatch = "ub"
    public static let capture = "cap"
    public static let replay = "rpl"

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func make(_ prefix: String) -> String {
        prefix + "_" + randomCharacters(16)
    }

    /// An identifier for records made many times a second (captures), unique without a system call each:
    /// this process's random 8 characters and a counter's 8. Not unguessable, so never one that opens anything.
    public static func sequential(_ prefix: String) -> String {
        var number = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var tail = [UInt8](repeating: 0, count: 8)
        for index in (0..<8).reversed() {
            tail[index] = alphabet[Int(number & 31)]
            number >>= 5
        }
        return prefix + "_" + processPart + String(decoding: tail, as: UTF8.self)
    }

    private static let processPart = randomCharacters(8)
    private static let counter = Atomic<UInt64>(0)

    /// Random characters from the URL-safe base-32 alphabet, from the system's secure generator.
    public static func randomCharacters(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(32)))] }, as: UTF8.self)
    }

    /// Whether `text` could be an identifier of this kind; cheap to check before any lookup (the data plane
    /// checks a key's on every request), so it compares bytes and builds no string.
    public static func isWellFormed(_ text: some StringProtocol, prefix: String) -> Bool {
        let utf8 = text.utf8, head = prefix.utf8
        guard utf8.count == head.count + 17, utf8.starts(with: head) else { return false }
        let rest = utf8.dropFirst(head.count)
        guard rest.first == UInt8(ascii: "_") else { return false }
        // The alphabet: a–z and 2–7.
        return rest.dropFirst().allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains($0) }
    }
}
