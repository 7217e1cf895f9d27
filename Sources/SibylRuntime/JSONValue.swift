import SibylCore

/// A parsed JSON document, for inputs read whole such as request bodies.
///
/// Objects are dictionaries: a duplicate key is a syntax error here rather than a silent overwrite,
/// because a document with two different values for one field cannot be trusted.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses exactly one JSON value filling `bytes`, with at most 64 nested containers.
    public static func parse(_ bytes: [UInt8]) throws(SibylError) -> JSONValue {
        try JSONReader.parse(bytes, as: JSONValue.self)
    }
}

/// A value per number: bodies are small, and their readers look at each element.
extension JSONValue: DocumentValue {
    static var packsNumbers: Bool { false }

    static func packed(_ numbers: NumberArray) -> JSONValue {
        .array((0..<numbers.count).map { .number(numbers[$0]) })
    }
}
