import SibylCore

/// Reads Universal Binary JSON (draft 12), the encoding of XGBoost's `save_model("….ubj")`, into the
/// same document the JSON reader builds from JSON, so one model reader serves both.
///
/// XGBoost writes objects as `{`, keys as a length and bytes, and `}`; arrays of numbers as optimized
/// containers (`[$d#L<count>` then the big-endian values, for float32, int32, int8, uint8 and int64);
/// other arrays as `[#L<count>` and their elements; strings as `S`, a length and UTF-8 bytes. The reader
/// accepts the whole draft (all integer widths for lengths, `$`/`#` on objects too, unbounded containers,
/// `N` no-ops between their elements, `C` and `H`) except typed containers of Z, N, T or F, whose
/// elements occupy no bytes. A `ModelValue` document gets typed containers of float32 and of integers of
/// at most 32 bits straight into one numeric buffer each, without a value per number. Input is hostile:
/// nesting is bounded at 64 containers, strings must be valid UTF-8, keys unique, and a declared count is
/// refused unless the bytes left could hold that many elements, so no allocation is sized by a number
/// alone. Errors are `SibylError(.malformedBody, "… at byte N")`.
struct UBJSONReader {
    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses exactly one value filling `bytes` as a `JSONValue`, a value per number.
    static func parse(_ bytes: [UInt8]) throws(SibylError) -> JSONValue {
        try parse(bytes, as: JSONValue.self)
    }

    /// Parses exactly one value filling `bytes`.
    static func parse<Value: DocumentValue>(_ bytes: [UInt8], as: Value.Type) throws(SibylError) -> Value {
        try bytes.span.withUnsafeBufferPointer { (buffer) throws(SibylError) -> Value in
            var reader = UBJSONReader(buffer)
            let value: Value = try reader.readValue(reader.readByte())
            guard reader.position == buffer.count else { throw reader.error("unexpected data after the value") }
            return value
        }
    }

    // MARK: Values

    /// Recursion is bounded by `maxDepth`, so it cannot exhaust the stack.
    private mutating func readValue<Value: DocumentValue>(_ marker: UInt8) throws(SibylError) -> Value {
        if let number = try readNumber(marker) { return .number(number) }
        switch marker {
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "C"):
            let byte = try readByte()
            guard byte < 0x80 else { throw error("char 0x\(String(byte, radix: 16)) is not ASCII") }
            return .string(String(UnicodeScalar(byte)))
        case UInt8(ascii: "S"): return .string(try readString())
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "{"): return try readObject()
        default:
            position -= 1
            throw error(unexpected: marker, expecting: "a value marker")
        }
    }

    /// The number a number marker starts; nil for any other marker.
    private mutating func readNumber(_ marker: UInt8) throws(SibylError) -> Double? {
        switch marker {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            Double(try readInteger(marker))
        case UInt8(ascii: "d"): Double(Float(bitPattern: UInt32(truncatingIfNeeded: try readBigEndian(4))))
        case UInt8(ascii: "D"): Double(bitPattern: try readBigEndian(8))
        case UInt8(ascii: "H"): try readHighPrecision()
        default: nil
        }
    }

    private mutating func readArray<Value: DocumentValue>() throws(SibylError) -> Value {
        try enterContainer()
        let (type, count) = try readContainerHeader(overhead: 0)
        if Value.packsNumbers, let type, let count, count > 0, let numbers = readPackedNumbers(type, count: count) {
            depth -= 1
            return .packed(numbers)
        }
        var elements = ArrayElements<Value>(reservingCapacity: count ?? 0)
        if let count {
            for _ in 0..<count { try readElement(readMarker(type), into: &elements) }
        } else {
            while true {
                let marker = try readByte()
                if marker == UInt8(ascii: "]") { break }
                if marker == UInt8(ascii: "N") { continue }
                try readElement(marker, into: &elements)
            }
        }
        depth -= 1
        return elements.value()
    }

    private mutating func readElement<Value: DocumentValue>(
        _ marker: UInt8, into elements: inout ArrayElements<Value>
    ) throws(SibylError) {
        if let number = try readNumber(marker) {
            elements.append(number: number)
        } else {
            elements.append(try readValue(marker))
        }
    }

    /// The `count` elements of a typed container of float32s or of integers of at most 32 bits, straight
    /// into one buffer; nil for other types, which are read element by element. The header has checked
    /// that the bytes left hold `count` elements.
    private mutating func readPackedNumbers(_ type: UInt8, count: Int) -> NumberArray? {
        let start = UnsafeRawPointer(bytes.baseAddress! + position)
        let numbers: NumberArray
        switch type {
        case UInt8(ascii: "d"):
            numbers = NumberArray(float32s: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for k in 0..<count {
                    buffer[k] = Float(bitPattern: UInt32(bigEndian: start.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
                }
                initialized = count
            })
        case UInt8(ascii: "l"):
            numbers = NumberArray(int32s: [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for k in 0..<count { buffer[k] = Int32(bigEndian: start.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)) }
                initialized = count
            })
        case UInt8(ascii: "I"):
            numbers = NumberArray(int32s: [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for k in 0..<count { buffer[k] = Int32(Int16(bigEndian: start.loadUnaligned(fromByteOffset: 2 * k, as: Int16.self))) }
                initialized = count
            })
        case UInt8(ascii: "i"), UInt8(ascii: "U"):
            let signed = type == UInt8(ascii: "i")
            numbers = NumberArray(int32s: [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for k in 0..<count {
                    let byte = start.load(fromByteOffset: k, as: UInt8.self)
                    buffer[k] = signed ? Int32(Int8(bitPattern: byte)) : Int32(byte)
                }
                initialized = count
            })
        default:
            return nil
        }
        position += count * Self.smallestSize(type)!
        return numbers
    }

    private mutating func readObject<Value: DocumentValue>() throws(SibylError) -> Value {
        try enterContainer()
        // A member is at least a key's length marker and length before its value.
        let (type, count) = try readContainerHeader(overhead: 2)
        var members: [String: Value] = [:]
        if let count {
            for _ in 0..<count { try readMember(into: &members, type: type, lengthMarker: readByte()) }
        } else {
            while true {
                let marker = try readByte()
                if marker == UInt8(ascii: "}") { break }
                if marker == UInt8(ascii: "N") { continue }
                try readMember(into: &members, type: type, lengthMarker: marker)
            }
        }
        depth -= 1
        return .object(members)
    }

    /// A key (its length marker already read) and its value; a repeated key is an error, as in JSON.
    private mutating func readMember<Value: DocumentValue>(
        into members: inout [String: Value], type: UInt8?, lengthMarker: UInt8
    ) throws(SibylError) {
        let keyPosition = position - 1
        let key = try readText(length: readLength(lengthMarker))
        let value: Value = try readValue(readMarker(type))
        if members.updateValue(value, forKey: key) != nil {
            throw SibylError(.malformedBody, "duplicate key \"\(key)\" at byte \(keyPosition)")
        }
    }

    private mutating func enterContainer() throws(SibylError) {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        depth += 1
    }

    /// Reads an optimized container's `$type` and `#count`, if present, and checks that the bytes left can
    /// hold `count` elements of at least `overhead` bytes plus the smallest encoding of their type.
    private mutating func readContainerHeader(overhead: Int) throws(SibylError) -> (type: UInt8?, count: Int?) {
        var type: UInt8?
        if peek() == UInt8(ascii: "$") {
            position += 1
            let marker = try readByte()
            guard Self.smallestSize(marker) != nil else {
                position -= 1
                throw error(unexpected: marker, expecting: "a container type")
            }
            type = marker
            guard peek() == UInt8(ascii: "#") else { throw error("a typed container without a count") }
        }
        guard peek() == UInt8(ascii: "#") else { return (nil, nil) }
        position += 1
        let countPosition = position
        let count = try readLength(readByte())
        // Untyped elements each carry at least a one-byte marker.
        let smallest = overhead + (type.flatMap(Self.smallestSize) ?? 1)
        guard count <= (bytes.count - position) / smallest else {
            throw SibylError(
                .malformedBody,
                "a container declares \(count) elements but only \(bytes.count - position) bytes remain at byte \(countPosition)")
        }
        return (type, count)
    }

    /// The fewest bytes a value of type `marker` takes inside a typed container; nil for the types whose
    /// values take none (and so could not be bounded by the input's size) and for non-types.
    private static func smallestSize(_ marker: UInt8) -> Int? {
        switch marker {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "C"), UInt8(ascii: "["), UInt8(ascii: "{"): 1
        case UInt8(ascii: "I"), UInt8(ascii: "S"), UInt8(ascii: "H"): 2
        case UInt8(ascii: "l"), UInt8(ascii: "d"): 4
        case UInt8(ascii: "L"), UInt8(ascii: "D"): 8
        default: nil
        }
    }

    // MARK: Scalars

    /// The marker of the next value: a typed container's type, or the next byte.
    private mutating func readMarker(_ type: UInt8?) throws(SibylError) -> UInt8 {
        if let type { return type }
        return try readByte()
    }

    private mutating func readByte() throws(SibylError) -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of input") }
        position += 1
        return bytes[position - 1]
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    /// The next `count` bytes as a big-endian unsigned number.
    private mutating func readBigEndian(_ count: Int) throws(SibylError) -> UInt64 {
        guard count <= bytes.count - position else { throw error("unexpected end of input") }
        var value: UInt64 = 0
        for byte in bytes[position..<position + count] { value = value << 8 | UInt64(byte) }
        position += count
        return value
    }

    private mutating func readInteger(_ marker: UInt8) throws(SibylError) -> Int64 {
        switch marker {
        case UInt8(ascii: "i"): Int64(Int8(truncatingIfNeeded: try readBigEndian(1)))
        case UInt8(ascii: "U"): Int64(try readBigEndian(1))
        case UInt8(ascii: "I"): Int64(Int16(truncatingIfNeeded: try readBigEndian(2)))
        case UInt8(ascii: "l"): Int64(Int32(truncatingIfNeeded: try readBigEndian(4)))
        default: Int64(bitPattern: try readBigEndian(8))
        }
    }

    /// A length or count: an integer of any width, which must not be negative.
    private mutating func readLength(_ marker: UInt8) throws(SibylError) -> Int {
        switch marker {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            let start = position - 1
            let length = try readInteger(marker)
            guard length >= 0 else { throw SibylError(.malformedBody, "negative length \(length) at byte \(start)") }
            return Int(length)
        default:
            position -= 1
            throw error(unexpected: marker, expecting: "an integer length")
        }
    }

    private mutating func readString() throws(SibylError) -> String {
        try readText(length: readLength(readByte()))
    }

    /// `length` bytes of UTF-8 text, validated.
    private mutating func readText(length: Int) throws(SibylError) -> String {
        guard length <= bytes.count - position else {
            throw error("a string of \(length) bytes runs past the end of the input")
        }
        guard let text = String(validating: bytes[position..<position + length], as: UTF8.self) else {
            throw error("invalid UTF-8 in a string")
        }
        position += length
        return text
    }

    /// A high-precision number: its decimal text in JSON's number grammar.
    private mutating func readHighPrecision() throws(SibylError) -> Double {
        let length = try readLength(readByte())
        guard length <= bytes.count - position else { throw error("a number of \(length) bytes runs past the end of the input") }
        guard let (value, end) = DecimalNumber.parse(bytes, from: position, limit: position + length, grammar: .json),
              end == position + length else { throw error("invalid high-precision number") }
        position = end
        return value
    }

    // MARK: Errors

    private func error(_ what: String) -> SibylError {
        SibylError(.malformedBody, "\(what) at byte \(position)")
    }

    private func error(unexpected byte: UInt8, expecting wanted: String) -> SibylError {
        let found = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return error("unexpected \(found), expected \(wanted),")
    }
}
