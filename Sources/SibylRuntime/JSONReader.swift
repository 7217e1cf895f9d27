import SibylCore

/// A forward-only reader of JSON (RFC 8259) over raw bytes, for callers that walk a known shape.
///
/// It never builds a tree and never recurses: containers are tracked with a depth counter and a
/// 64-bit stack of container kinds, so hostile nesting fails at `maxDepth` in constant stack space.
/// Errors are `SibylError(.malformedBody, "… at byte N")` with N the zero-based offset.
struct JSONReader {
    /// The most nesting any reader allows; the container-kind stack is one 64-bit word.
    static let depthCeiling = 64

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0
    let maxDepth: Int
    private(set) var depth = 0
    /// Bit `d` is set when the container at depth `d + 1` is an object.
    private var objectBits: UInt64 = 0
    /// Decoded text of the last string that held escapes.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONReader.depthCeiling) {
        precondition(maxDepth >= 1 && maxDepth <= Self.depthCeiling, "maxDepth must be 1...64")
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    // MARK: Tokens

    /// The next byte after whitespace, without consuming it; 0 at the end (NUL is never valid JSON there).
    mutating func peek() -> UInt8 {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return bytes[position]
            }
        }
        return 0
    }

    /// Consumes `byte` after whitespace or fails naming what was there.
    mutating func expect(_ byte: UInt8) throws(SibylError) {
        guard peek() == byte else { throw unexpected(expecting: "'\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    /// Fails unless only whitespace is left.
    mutating func expectEnd() throws(SibylError) {
        guard peek() == 0, position == bytes.count else { throw unexpected(expecting: "end of input") }
    }

    /// Consumes `{` or `[`, which `peek()` must have returned, entering a container.
    mutating func enterContainer() throws(SibylError) {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        if bytes[position] == UInt8(ascii: "{") {
            objectBits |= 1 << UInt64(depth)
        } else {
            objectBits &= ~(1 << UInt64(depth))
        }
        depth += 1
        position += 1
    }

    /// Whether the innermost open container is an object.
    var inObject: Bool { depth > 0 && objectBits & (1 << UInt64(depth - 1)) != 0 }

    /// Right after entering a container: consumes its closing byte when it is empty.
    mutating func closeIfEmpty() -> Bool {
        let close = inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        guard peek() == close else { return false }
        position += 1
        depth -= 1
        return true
    }

    /// After a member or element: true when a `,` announces another, false after consuming the close.
    mutating func nextElement() throws(SibylError) -> Bool {
        let close = inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        switch peek() {
        case UInt8(ascii: ","):
            position += 1
            return true
        case close:
            position += 1
            depth -= 1
            return false
        default:
            throw unexpected(expecting: "',' or '\(Character(Unicode.Scalar(close)))'")
        }
    }

    /// Reads a number token and converts it to the nearest double.
    mutating func readNumber() throws(SibylError) -> Double {
        let start = position
        guard let (value, end) = DecimalNumber.parse(bytes, from: start, limit: bytes.count, grammar: .json) else {
            throw error("invalid number")
        }
        position = end
        return value
    }

    /// Reads `true`, `false` or `null`, which `peek()` must have started.
    mutating func readLiteral() throws(SibylError) -> JSONValue {
        if consume("true") { return .bool(true) }
        if consume("false") { return .bool(false) }
        if consume("null") { return .null }
        throw unexpected(expecting: "a value")
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for k in 0..<count where bytes[position + k] != literal.utf8Start[k] { return false }
        position += count
        return true
    }

    /// Where the text of a string just read lies: a slice of the input when it held no escapes, so keys
    /// cost no copy, or the reader's scratch buffer, valid until the next string is read.
    struct StringToken {
        var start: Int
        var end: Int
        var decoded: Bool
    }

    /// Reads a string, validating it, and says where its UTF-8 text is, escapes decoded.
    mutating func readStringToken() throws(SibylError) -> StringToken {
        guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string") }
        position += 1
        let start = position
        if try scanPlainString() {
            position += 1
            return StringToken(start: start, end: position - 1, decoded: false)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<position])
        try decodeEscapedRest()
        return StringToken(start: start, end: position - 1, decoded: true)
    }

    /// Passes the text of `token`, the last string read, to `body`.
    func withText<R>(of token: StringToken, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        token.decoded ? scratch.withUnsafeBufferPointer(body) : body(UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]))
    }

    /// Reads a string as a Swift `String`.
    mutating func readString() throws(SibylError) -> String {
        // The token first: `withText` must see the scratch buffer as reading the string left it.
        let token = try readStringToken()
        return withText(of: token) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Skipping and validation

    /// Skips one complete value of any kind, checking its syntax, without recursion.
    mutating func skipValue() throws(SibylError) {
        let floor = depth
        while true {
            // At a value.
            switch peek() {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                try enterContainer()
                if closeIfEmpty() { break }
                if inObject { try skipKey() }
                continue
            case UInt8(ascii: "\""):
                _ = try readStringToken()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try readNumber()
            default:
                _ = try readLiteral()
            }
            // After a value: close containers until one has another element, or the value is done.
            var another = false
            while depth > floor && !another {
                another = try nextElement()
            }
            if !another { return }
            if inObject { try skipKey() }
        }
    }

    /// Checks that the whole input is one well-formed JSON value, from the start.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) throws(SibylError) {
        var reader = JSONReader(bytes)
        try reader.skipValue()
        try reader.expectEnd()
    }

    private mutating func skipKey() throws(SibylError) {
        _ = try readStringToken()
        try expect(UInt8(ascii: ":"))
    }

    // MARK: Strings

    /// Advances to the closing quote (true) or to the first backslash (false), validating UTF-8.
    private mutating func scanPlainString() throws(SibylError) -> Bool {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { return true }
            if byte == UInt8(ascii: "\\") { return false }
            if byte < 0x20 { throw error("control character in string") }
            position += byte < 0x80 ? 1 : try utf8SequenceLength()
        }
        throw error("unterminated string")
    }

    /// Decodes the rest of a string that has escapes into `scratch`, consuming the closing quote.
    private mutating func decodeEscapedRest() throws(SibylError) {
        while true {
            let start = position
            let closed = try scanPlainString()
            scratch.append(contentsOf: bytes[start..<position])
            position += 1
            if closed { return }
            guard position < bytes.count else { throw error("unterminated string") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): try decodeUnicodeEscape()
            default:
                position -= 1
                throw error("invalid escape")
            }
        }
    }

    /// Decodes the hex digits after `\u`, pairing surrogates, and appends the scalar's UTF-8.
    private mutating func decodeUnicodeEscape() throws(SibylError) {
        var scalar = try readHex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
            position += 2
            let low = try readHex4()
            guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
            throw error("unpaired surrogate")
        }
        // Every value left is a valid scalar: surrogates were handled above.
        scratch.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
    }

    private mutating func readHex4() throws(SibylError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `position` (Unicode Table 3-7).
    private func utf8SequenceLength() throws(SibylError) -> Int {
        let lead = bytes[position]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8")
        }
        guard position + length <= bytes.count else { throw error("invalid UTF-8") }
        let second = bytes[position + 1]
        guard second >= low && second <= high else { throw error("invalid UTF-8") }
        for k in 2..<length where bytes[position + k] & 0xC0 != 0x80 {
            throw error("invalid UTF-8")
        }
        return length
    }

    // MARK: Errors

    func error(_ what: String) -> SibylError {
        SibylError(.malformedBody, "\(what) at byte \(position)")
    }

    /// An error naming the byte found at `position` (after whitespace) and what was wanted there.
    func unexpected(expecting wanted: String) -> SibylError {
        guard position < bytes.count else { return error("unexpected end of input, expected \(wanted),") }
        let byte = bytes[position]
        let found = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return error("unexpected \(found), expected \(wanted),")
    }
}
