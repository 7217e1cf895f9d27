import SibylCore

/// The `key=value` lines of one part of a LightGBM text model (the header, or one `Tree=` block), with
/// typed access that fails as `SibylError(.invalidModel, "<section>: <key> <reason>")`, as `ModelField`
/// does for JSON models.
///
/// Arrays are space-separated values. They are read element by element from the text itself, so their size
/// is bounded by the file's and never taken from a count the file declares; callers compare the two.
struct LightGBMSection {
    /// How error messages name the section: `header` or `Tree=<index>`.
    let name: String
    let bytes: [UInt8]
    let fields: [String: Range<Int>]

    func contains(_ key: String) -> Bool {
        fields[key] != nil
    }

    func invalid(_ reason: String) -> SibylError {
        SibylError(.invalidModel, "\(name): \(reason)")
    }

    // MARK: Scalars

    /// The value of `key`, which must be present and valid UTF-8.
    func text(_ key: String) throws(SibylError) -> String {
        guard let value = String(validating: bytes[try range(of: key)], as: UTF8.self) else {
            throw invalid("\(key) is not valid UTF-8")
        }
        return value
    }

    func integer(_ key: String, in bounds: ClosedRange<Int>) throws(SibylError) -> Int {
        let value = try range(of: key)
        guard let number = Self.parseInteger(bytes[value]) else { throw invalid("\(key) is not an integer: \(quoted(value))") }
        guard bounds.contains(number) else {
            throw invalid("\(key) is \(number), out of range \(bounds.lowerBound)...\(bounds.upperBound)")
        }
        return number
    }

    // MARK: Arrays

    /// Where the space-separated elements of `key`, which must be present, lie in the file.
    func elements(_ key: String) throws(SibylError) -> [Range<Int>] {
        let value = try range(of: key)
        var elements: [Range<Int>] = []
        var start = value.lowerBound
        for index in value where bytes[index] == UInt8(ascii: " ") {
            if index > start { elements.append(start..<index) }
            start = index + 1
        }
        if value.upperBound > start { elements.append(start..<value.upperBound) }
        return elements
    }

    /// `count` integers in `bounds`.
    func integers(_ key: String, count: Int, in bounds: ClosedRange<Int>) throws(SibylError) -> [Int32] {
        precondition(bounds.lowerBound >= Int(Int32.min) && bounds.upperBound <= Int(Int32.max))
        let elements = try elements(key, count: count)
        var result: [Int32] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let number = Self.parseInteger(bytes[element]), bounds.contains(number) else {
                throw invalid("\(key) element \(index) is \(quoted(element)), not an integer in \(bounds.lowerBound)...\(bounds.upperBound)")
            }
            result.append(Int32(number))
        }
        return result
    }

    /// `count` unsigned 32-bit integers (LightGBM's category bitset words).
    func unsignedIntegers(_ key: String, count: Int) throws(SibylError) -> [UInt32] {
        let elements = try elements(key, count: count)
        var result: [UInt32] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let number = Self.parseInteger(bytes[element]), let value = UInt32(exactly: number) else {
                throw invalid("\(key) element \(index) is \(quoted(element)), not an integer in 0...\(UInt32.max)")
            }
            result.append(value)
        }
        return result
    }

    /// `count` numbers, each converted to the nearest double as LightGBM's parser does. They must be
    /// finite, unless `infinite` allows the `inf` and `-inf` LightGBM writes for a split that only
    /// separates missing values.
    func doubles(_ key: String, count: Int, infinite: Bool = false) throws(SibylError) -> [Double] {
        let elements = try elements(key, count: count)
        var result: [Double] = []
        result.reserveCapacity(elements.count)
        try bytes.withUnsafeBufferPointer { buffer throws(SibylError) in
            for (index, element) in elements.enumerated() {
                if infinite, let sign = Self.infinitySign(bytes[element]) {
                    result.append(sign * .infinity)
                    continue
                }
                guard let (value, end) = DecimalNumber.parse(buffer, from: element.lowerBound, limit: element.upperBound, grammar: .lenient),
                      end == element.upperBound, value.isFinite else {
                    throw invalid("\(key) element \(index) is \(quoted(element)), not a \(infinite ? "" : "finite ")number")
                }
                result.append(value)
            }
        }
        return result
    }

    /// Checks the length of an array Sibyl does not evaluate, when the file has it.
    func checkCount(_ key: String, count: Int) throws(SibylError) {
        if contains(key) { _ = try elements(key, count: count) }
    }

    // MARK: Helpers

    private func range(of key: String) throws(SibylError) -> Range<Int> {
        guard let value = fields[key] else { throw invalid("missing \(key)") }
        return value
    }

    private func elements(_ key: String, count: Int) throws(SibylError) -> [Range<Int>] {
        let elements = try elements(key)
        guard elements.count == count else { throw invalid("\(key) has \(elements.count) elements, expected \(count)") }
        return elements
    }

    private func quoted(_ range: Range<Int>) -> String {
        let text = String(decoding: bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + 32)], as: UTF8.self)
        return "\"\(text)\(range.count > 32 ? "…" : "")\""
    }

    /// 1 for `inf` (or `+inf`), -1 for `-inf`, nil for anything else.
    private static func infinitySign(_ text: ArraySlice<UInt8>) -> Double? {
        if text.elementsEqual("inf".utf8) || text.elementsEqual("+inf".utf8) { return 1 }
        return text.elementsEqual("-inf".utf8) ? -1 : nil
    }

    /// A decimal integer with an optional minus sign; nil when malformed or beyond 18 digits.
    private static func parseInteger(_ text: ArraySlice<UInt8>) -> Int? {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
