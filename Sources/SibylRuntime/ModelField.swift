import SibylCore

/// A value inside a parsed model file, with its path from the root, so that every check a loader
/// makes can fail with `SibylError(.invalidModel, "<path>: <reason>")` naming the exact field.
struct ModelField {
    let value: ModelValue
    let path: String

    init(root: ModelValue) {
        value = root
        path = "(root)"
    }

    init(root: JSONValue) {
        self.init(root: ModelValue(root))
    }

    private init(_ value: ModelValue, path: String) {
        self.value = value
        self.path = path
    }

    func invalid(_ reason: String) -> SibylError {
        SibylError(.invalidModel, "\(path): \(reason)")
    }

    // MARK: Structure

    /// The member `key` of this object; it must exist.
    func member(_ key: String) throws(SibylError) -> ModelField {
        guard let field = try optionalMember(key) else { throw invalid("missing \"\(key)\"") }
        return field
    }

    /// The member `key` of this object, or nil when it is absent.
    func optionalMember(_ key: String) throws(SibylError) -> ModelField? {
        guard case .object(let members) = value else { throw invalid("expected an object") }
        return members[key].map { ModelField($0, path: path == "(root)" ? key : "\(path).\(key)") }
    }

    /// The elements of this array, each with its indexed path.
    func elements() throws(SibylError) -> Elements {
        switch value {
        case .array, .numbers: Elements(array: self)
        default: throw invalid("expected an array")
        }
    }

    /// The elements of the array member `key`, none where it is absent.
    func optionalElements(_ key: String) throws(SibylError) -> [ModelField] {
        guard let member = try optionalMember(key) else { return [] }
        return Array(try member.elements())
    }

    /// An array's elements, each made when it is read: a hostile file's million-element array is not
    /// turned into a million fields and paths at once.
    struct Elements: RandomAccessCollection {
        let array: ModelField

        var startIndex: Int { 0 }

        var endIndex: Int {
            switch array.value {
            case .array(let items): items.count
            case .numbers(let numbers): numbers.count
            default: 0
            }
        }

        subscript(index: Int) -> ModelField {
            ModelField(value(at: index), path: "\(array.path)[\(index)]")
        }

        /// An element's value alone, without making its path.
        func value(at index: Int) -> ModelValue {
            switch array.value {
            case .array(let items): items[index]
            case .numbers(let numbers): .number(numbers[index])
            default: preconditionFailure("not an array")
            }
        }
    }

    // MARK: Scalars

    func string() throws(SibylError) -> String {
        guard case .string(let text) = value else { throw invalid("expected a string") }
        return text
    }

    /// An integer written as a JSON number or, as XGBoost writes its parameters, as a decimal string.
    func integer(in range: ClosedRange<Int>) throws(SibylError) -> Int {
        let parsed: Int?
        switch value {
        case .number(let number):
            parsed = Int(exactly: number)
        case .string(let text) where !text.isEmpty && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            // Only overflow makes this nil: report it as out of range below.
            parsed = Int(text) ?? Int.max
        default:
            parsed = nil
        }
        guard let parsed else { throw invalid("expected an integer") }
        guard range.contains(parsed) else {
            throw invalid("\(value.shortDescription) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }

    /// A finite JSON number.
    func double() throws(SibylError) -> Double {
        guard case .number(let number) = value, number.isFinite else { throw invalid("expected a finite number") }
        return number
    }

    // MARK: Arrays of scalars

    /// An array of integral JSON numbers.
    func integers() throws(SibylError) -> [Int] {
        try mapArray("an integer") { value in
            guard case .number(let number) = value else { return nil }
            return Int(exactly: number)
        }
    }

    /// An array of JSON numbers, each of which must be finite in float32.
    func floats() throws(SibylError) -> [Float] {
        try mapArray("a finite float32 number") { value in
            guard case .number(let number) = value else { return nil }
            let single = Float(number)
            return single.isFinite ? single : nil
        }
    }

    /// An array of finite JSON numbers.
    func doubles() throws(SibylError) -> [Double] {
        try mapArray("a finite number") { value in
            guard case .number(let number) = value, number.isFinite else { return nil }
            return number
        }
    }

    /// An array of flags: booleans, or the 0/1 integers newer XGBoost versions write instead.
    func flags() throws(SibylError) -> [Bool] {
        try mapArray("a boolean or 0/1") { value in
            switch value {
            case .bool(let flag): return flag
            case .number(0): return false
            case .number(1): return true
            default: return nil
            }
        }
    }

    private func mapArray<T>(_ expected: String, _ transform: (ModelValue) -> T?) throws(SibylError) -> [T] {
        let elements = try elements()
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for index in elements.indices {
            guard let converted = transform(elements.value(at: index)) else { throw invalid("element \(index) is not \(expected)") }
            result.append(converted)
        }
        return result
    }
}
