import SibylCore

/// A `multipart/form-data` reader (RFC 7578 on RFC 2046's syntax): the named parts of a body, each with its
/// bytes. Enough for a browser form or `curl -F` upload.
///
/// The body is hostile and is read before any other check on some routes (the console's sign-in form), so
/// its cost is linear in its size whatever the sender chooses: the boundary must follow RFC 2046's grammar
/// (1 to 70 characters of its set), every delimiter is found in one left-to-right pass (Knuth–Morris–Pratt,
/// never going back, at most two comparisons a byte), and each part's headers are looked for only inside that
/// part.
/// Anything else is `SibylError(.malformedBody, …)`, a 400.
public enum Multipart {
    /// RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
    public static let maxBoundaryLength = 70

    /// The boundary parameter of a `multipart/form-data` media type, as given (`parts` checks it): "" when the
    /// type names none, so that such a body is refused as malformed rather than read as something else; nil for
    /// any other media type.
    public static func boundary(ofContentType contentType: String) -> String? {
        let parameters = contentType.split(separator: ";").map(trimmed)
        guard parameters.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parameters.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            var value = parameter.dropFirst("boundary=".count)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            return String(value)
        }
        return ""
    }

    /// The parts by field name (the last part of a name wins); parts without a name are skipped.
    public static func parts(_ body: [UInt8], boundary: String) throws(SibylError) -> [String: [UInt8]] {
        let boundary = Array(boundary.utf8)
        guard isValid(boundary) else {
            throw SibylError(
                .malformedBody,
                "the multipart boundary must be 1 to \(maxBoundaryLength) characters: letters, digits, '()+_,-./:=? and inner spaces")
        }
        return try body.span.withUnsafeBufferPointer { (body) throws(SibylError) -> [String: [UInt8]] in
            let delimiters = Self.delimiters(in: body, boundary: boundary)
            guard !delimiters.isEmpty else { throw malformed("no boundary") }
            var result: [String: [UInt8]] = [:]
            for (index, dashes) in delimiters.enumerated() {
                var cursor = dashes + 2 + boundary.count
                if has(body, UInt8(ascii: "-"), UInt8(ascii: "-"), at: cursor) { return result }  // the close delimiter
                // Transport padding, then the line break that ends the delimiter line.
                while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") { cursor += 1 }
                guard has(body, 13, 10, at: cursor) else { throw malformed("a boundary line does not end in CRLF") }
                guard index + 1 < delimiters.count else { throw malformed("no closing boundary") }
                // The CRLF before the next delimiter belongs to it, not to this delimiter's line.
                let end = delimiters[index + 1] - 2
                guard end >= cursor + 2 else { throw malformed("a part is missing between two boundaries") }
                let part = body.extracting((cursor + 2)..<end)
                let (headers, content) = try split(part)
                if let name = fieldName(headers) { result[name] = Array(content) }
            }
            throw malformed("no closing boundary")
        }
    }

    /// RFC 2046's `boundary := 0*69<bchars> bcharsnospace`.
    private static func isValid(_ boundary: [UInt8]) -> Bool {
        guard (1...maxBoundaryLength).contains(boundary.count), boundary.last != UInt8(ascii: " ") else { return false }
        return boundary.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
            default: Array("'()+_,-./:=? ".utf8).contains(byte)
            }
        }
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func malformed(_ reason: String) -> SibylError {
        SibylError(.malformedBody, "the multipart body is not well-formed: \(reason)")
    }

    /// Where each delimiter's `--` starts. A delimiter is CRLF, `--` and the boundary; the body's first line
    /// may be one without the CRLF, so the search runs over a CRLF put before the body.
    private static func delimiters(in body: UnsafeBufferPointer<UInt8>, boundary: [UInt8]) -> [Int] {
        let pattern = crlf + [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        // failure[i]: the length of the longest proper prefix of pattern[...i] that is also its suffix.
        var failure = [Int](repeating: 0, count: pattern.count)
        var length = 0
        for i in 1..<pattern.count {
            while length > 0, pattern[i] != pattern[length] { length = failure[length - 1] }
            if pattern[i] == pattern[length] { length += 1 }
            failure[i] = length
        }
        var found: [Int] = []
        var matched = 0
        for position in -2..<body.count {
            let byte = position < 0 ? crlf[position + 2] : body[position]
            while matched > 0, byte != pattern[matched] { matched = failure[matched - 1] }
            if byte == pattern[matched] { matched += 1 }
            if matched == pattern.count {
                found.append(position + 1 - pattern.count + 2)
                matched = failure[matched - 1]
            }
        }
        return found
    }

    /// A part's header block and content: the headers end at the first empty line (at once when there are none;
    /// RFC 2046 allows an empty part, without even that line).
    private static func split(
        _ part: UnsafeBufferPointer<UInt8>
    ) throws(SibylError) -> (headers: UnsafeBufferPointer<UInt8>, content: UnsafeBufferPointer<UInt8>) {
        if part.isEmpty { return (part, part) }
        if has(part, 13, 10, at: 0) { return (part.extracting(0..<0), part.extracting(2...)) }
        var index = 0
        while index + 4 <= part.count {
            if part[index] == 13, part[index + 1] == 10, part[index + 2] == 13, part[index + 3] == 10 {
                return (part.extracting(0..<index), part.extracting((index + 4)...))
            }
            index += 1
        }
        throw malformed("a part's headers do not end in an empty line")
    }

    /// The `name` parameter of the part's `Content-Disposition`, its quoted form unescaped. Read on bytes, as
    /// a body may hold thousands of parts.
    private static func fieldName(_ headers: UnsafeBufferPointer<UInt8>) -> String? {
        var start = 0
        while start < headers.count {
            var end = start
            while end < headers.count, !has(headers, 13, 10, at: end) { end += 1 }
            var colon = start
            while colon < end, headers[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < end, equalsIgnoringCase(trimmed(headers.extracting(start..<colon)), "content-disposition") {
                return parameter("name", in: headers.extracting((colon + 1)..<end))
            }
            start = end + 2
        }
        return nil
    }

    /// A parameter of a header value `type; key=value; key="quoted \"value\""`, its key case-insensitive.
    /// Read byte by byte so that a `;` or `name=` inside another parameter's quotes is not taken for a
    /// parameter of its own.
    private static func parameter(_ wanted: StaticString, in value: UnsafeBufferPointer<UInt8>) -> String? {
        let (semicolon, equals, quote, backslash) = (UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "\\"))
        var index = 0
        while index < value.count, value[index] != semicolon { index += 1 }  // past the disposition type
        while index < value.count {
            index += 1  // past the `;`
            let keyStart = index
            while index < value.count, value[index] != equals, value[index] != semicolon { index += 1 }
            let key = trimmed(value.extracting(keyStart..<index))
            guard index < value.count, value[index] == equals else { continue }
            index += 1
            var parsed: [UInt8] = []
            if index < value.count, value[index] == quote {
                index += 1
                while index < value.count, value[index] != quote {
                    if value[index] == backslash, index + 1 < value.count { index += 1 }
                    parsed.append(value[index])
                    index += 1
                }
            } else {
                let valueStart = index
                while index < value.count, value[index] != semicolon { index += 1 }
                parsed = Array(trimmed(value.extracting(valueStart..<index)))
            }
            while index < value.count, value[index] != semicolon { index += 1 }  // the closing quote, and anything after
            if equalsIgnoringCase(key, wanted) { return String(decoding: parsed, as: UTF8.self) }
        }
        return nil
    }

    // Plain loops below: the reader runs once per part, and unspecialised generic helpers cost much more.

    /// ASCII case-insensitive equality with a lowercase constant.
    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == lowercase.utf8Start[index] else {
                return false
            }
        }
        return true
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var (start, end) = (0, bytes.count)
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return bytes.extracting(start..<end)
    }

    /// Whether `bytes` holds `first` and `second` at `index`.
    private static func has(_ bytes: UnsafeBufferPointer<UInt8>, _ first: UInt8, _ second: UInt8, at index: Int) -> Bool {
        index >= 0 && index + 1 < bytes.count && bytes[index] == first && bytes[index + 1] == second
    }

    private static func trimmed(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
