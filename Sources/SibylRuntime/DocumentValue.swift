import SibylCore

/// What the JSON and UBJSON readers build: `JSONValue`, a value per number, for request bodies; or
/// `ModelValue`, whose arrays of numbers are packed into one buffer each, for model files.
protocol DocumentValue {
    static var null: Self { get }
    static func bool(_ flag: Bool) -> Self
    static func number(_ number: Double) -> Self
    static func string(_ text: String) -> Self
    static func array(_ elements: [Self]) -> Self
    static func object(_ members: [String: Self]) -> Self
    /// Whether arrays whose elements are all numbers are read into `numbers` (`packed`) instead of `array`.
    static var packsNumbers: Bool { get }
    static func packed(_ numbers: NumberArray) -> Self
}

/// The elements of one array as a reader finds them: packed into a `NumberArray` while every one so far is
/// a number and the document packs numbers, else one value each.
struct ArrayElements<Value: DocumentValue> {
    private var numbers = NumberArray()
    private var values: [Value] = []
    private var packing = Value.packsNumbers

    init(reservingCapacity capacity: Int = 0) {
        if !packing { values.reserveCapacity(capacity) }
    }

    mutating func append(number: Double) {
        if packing {
            numbers.append(number)
        } else {
            values.append(.number(number))
        }
    }

    mutating func append(_ value: Value) {
        if packing {
            // Not all numbers after all: the numbers so far become values.
            values = (0..<numbers.count).map { .number(numbers[$0]) }
            numbers = NumberArray()
            packing = false
        }
        values.append(value)
    }

    /// An empty array is an `array`, whatever the document.
    consuming func value() -> Value {
        packing && !numbers.isEmpty ? .packed(numbers) : .array(values)
    }
}

extension JSONReader {
    /// Parses exactly one JSON value filling `bytes`, with at most 64 nested containers.
    static func parse<Value: DocumentValue>(_ bytes: [UInt8], as: Value.Type) throws(SibylError) -> Value {
        try bytes.span.withUnsafeBufferPointer { (buffer) throws(SibylError) -> Value in
            var reader = JSONReader(buffer)
            let value: Value = try reader.readDocumentValue()
            try reader.expectEnd()
            return value
        }
    }

    /// Objects are dictionaries: a duplicate key is a syntax error here rather than a silent overwrite,
    /// because a document with two different values for one field cannot be trusted. Recursion is bounded
    /// by the depth limit, so it cannot exhaust the stack.
    private mutating func readDocumentValue<Value: DocumentValue>() throws(SibylError) -> Value {
        switch peek() {
        case UInt8(ascii: "{"):
            try enterContainer()
            var members: [String: Value] = [:]
            if closeIfEmpty() { return .object(members) }
            repeat {
                let keyPosition = position
                let key = try readString()
                try expect(UInt8(ascii: ":"))
                let value: Value = try readDocumentValue()
                if members.updateValue(value, forKey: key) != nil {
                    throw SibylError(.malformedBody, "duplicate key \"\(key)\" at byte \(keyPosition)")
                }
            } while try nextElement()
            return .object(members)
        case UInt8(ascii: "["):
            try enterContainer()
            var elements = ArrayElements<Value>()
            if closeIfEmpty() { return elements.value() }
            repeat {
                if Self.startsNumber(peek()) {
                    elements.append(number: try readNumber())
                } else {
                    elements.append(try readDocumentValue())
                }
            } while try nextElement()
            return elements.value()
        case UInt8(ascii: "\""):
            return .string(try readString())
        case let byte where Self.startsNumber(byte):
            return .number(try readNumber())
        default:
            switch try readLiteral() {
            case .bool(let flag): return .bool(flag)
            default: return .null
            }
        }
    }

    private static func startsNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
