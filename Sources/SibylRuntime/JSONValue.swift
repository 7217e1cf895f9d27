import SibylCore

/// A parsed JSON document, for inputs read whole such as model files.
///
/// Objects are dictionaries: a duplicate key is a syntax error here rather than a silent overwrite,
/// because a model file with two different values for one field cannot be trusted.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses exactly one JSON value filling `bytes`, with at most 64 nested containers.
    public static func parse(_ bytes: [UInt8]) throws(SibylError) -> JSONValue {
        try bytes.span.withUnsafeBufferPointer { (buffer) throws(SibylError) -> JSONValue in
            var reader = JSONReader(buffer)
            let value = try parseValue(&reader)
            try reader.expectEnd()
            return value
        }
    }

    /// Recursion is bounded by the reader's depth limit, so it cannot exhaust the stack.
    private static func parseValue(_ reader: inout JSONReader) throws(SibylError) -> JSONValue {
        switch reader.peek() {
        case UInt8(ascii: "{"):
            try reader.enterContainer()
            var members: [String: JSONValue] = [:]
            if reader.closeIfEmpty() { return .object(members) }
            repeat {
                let keyPosition = reader.position
                let key = try reader.readString()
                try reader.expect(UInt8(ascii: ":"))
                let value = try parseValue(&reader)
                if members.updateValue(value, forKey: key) != nil {
                    throw SibylError(.malformedBody, "duplicate key \"\(key)\" at byte \(keyPosition)")
                }
            } while try reader.nextElement()
            return .object(members)
        case UInt8(ascii: "["):
            try reader.enterContainer()
            var elements: [JSONValue] = []
            if reader.closeIfEmpty() { return .array(elements) }
            repeat {
                elements.append(try parseValue(&reader))
            } while try reader.nextElement()
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try reader.readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try reader.readNumber())
        default:
            return try reader.readLiteral()
        }
    }
}
