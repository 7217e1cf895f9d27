import SibylCore

/// Decodes a prediction request body into a `FeatureMatrix` in the model's column order.
///
/// Accepted bodies (UTF-8):
/// - `application/json` with `{"records": [{"f0": 1.5, "f3": null, …}, …]}` (a missing key or `null`
///   is a missing value) or `{"rows": [[1.5, null, …], …]}` with every value in schema order;
///   a categorical feature whose categories the model names also takes a category's name (`"Porto"`),
///   and one the model never saw is a missing value, as the training libraries read it;
/// - `text/csv` with a header row of feature names in any order (absent columns and empty cells are
///   missing values) and one row per line; see `CSVInputDecoder` for the details.
///
/// Errors: `.unsupportedMediaType` for any other type or a non-UTF-8 charset; `.malformedBody` for broken
/// syntax, which outranks every other error in a JSON body; `.invalidInput` naming the record or row and
/// the feature for wrong names, types, counts or values outside float32; `.tooManyRows` past `limits`, before
/// the row past them is made.
public enum PredictionInput {
    /// The body syntaxes Sibyl reads.
    enum Syntax {
        case json, csv
    }

    /// Decodes `body` for the features in `features`, usually a `CompiledModel.features`.
    public static func decode(
        _ body: [UInt8], mediaType: String, features: FeatureIndex, limits: InputLimits
    ) throws(SibylError) -> FeatureMatrix {
        let syntax = try syntax(of: mediaType)
        return try body.span.withUnsafeBufferPointer { (bytes) throws(SibylError) -> FeatureMatrix in
            switch syntax {
            case .json: try JSONInputDecoder.decode(bytes, features: features, limits: limits)
            case .csv: try CSVInputDecoder.decode(bytes, features: features, limits: limits)
            }
        }
    }

    /// Decodes `body` for a schema; builds the name lookup on each call, so prefer the `features:` form
    /// with a compiled model's `FeatureIndex` on a hot path.
    public static func decode(
        _ body: [UInt8], mediaType: String, schema: ModelSchema, limits: InputLimits
    ) throws(SibylError) -> FeatureMatrix {
        try decode(body, mediaType: mediaType, features: FeatureIndex(schema: schema), limits: limits)
    }

    /// The syntax for a `Content-Type` value: type and subtype case-insensitive, parameters allowed, but a
    /// charset must be UTF-8 (or its ASCII subset). Parsed on bytes, as it runs for every request.
    static func syntax(of mediaType: String) throws(SibylError) -> Syntax {
        let utf8 = mediaType.utf8
        var end = utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
        let essence = trimmed(utf8[utf8.startIndex..<end])
        while end != utf8.endIndex {
            let start = utf8.index(after: end)
            end = utf8[start...].firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
            let parameter = utf8[start..<end]
            guard let equals = parameter.firstIndex(of: UInt8(ascii: "=")),
                  equalsIgnoringCase(trimmed(parameter[..<equals]), "charset") else { continue }
            var charset = trimmed(parameter[parameter.index(after: equals)...])
            if charset.count >= 2 && charset.first == UInt8(ascii: "\"") && charset.last == UInt8(ascii: "\"") {
                charset = charset.dropFirst().dropLast()
            }
            guard equalsIgnoringCase(charset, "utf-8") || equalsIgnoringCase(charset, "utf8")
                    || equalsIgnoringCase(charset, "us-ascii") else {
                throw SibylError(.unsupportedMediaType, "charset \"\(String(decoding: charset, as: UTF8.self))\" is not supported; send UTF-8")
            }
        }
        if equalsIgnoringCase(essence, "application/json") { return .json }
        if equalsIgnoringCase(essence, "text/csv") { return .csv }
        guard !essence.isEmpty else {
            throw SibylError(.unsupportedMediaType, "the request has no media type; send application/json or text/csv")
        }
        let name = String(decoding: essence, as: UTF8.self).lowercased()
        throw SibylError(.unsupportedMediaType, "media type \"\(name)\" is not supported; send application/json or text/csv")
    }

    private static func trimmed(_ text: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return text[text.startIndex..<text.startIndex]
        }
        return text[first...last]
    }

    /// ASCII case-insensitive equality with a lowercase constant.
    private static func equalsIgnoringCase(_ text: Substring.UTF8View.SubSequence, _ lowercase: StaticString) -> Bool {
        guard text.count == lowercase.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in text {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lowercase.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }

    /// Client text for an error message, cut at 64 bytes so that hostile input cannot bloat the message.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix(64), as: UTF8.self) + (bytes.count > 64 ? "…" : "")
    }

    /// The refusal of a category name sent for `field`, a category the model knows by code only.
    static func codesOnly(_ field: String, quotedText: String) -> SibylError {
        SibylError(.invalidInput, "\(field) is a category the model knows by code only: send its code (a number), not \(quotedText)")
    }

    /// The refusal of a number that is not whole sent for `field`, a category that takes any text.
    static func notWhole(_ field: String, _ number: UnsafeBufferPointer<UInt8>) -> SibylError {
        SibylError(.invalidInput, "\(field) is a category: send its text or a whole number, not \(excerpt(number))")
    }

    /// `excerpt` in double quotes, for names and cells.
    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        "\"\(excerpt(bytes))\""
    }
}
