import SibylCore

/// Decodes a JSON prediction body straight from its bytes into the float buffer of a `FeatureMatrix`.
///
/// Keys are matched as raw bytes against the `FeatureIndex`, numbers are converted in place, and nothing
/// is allocated per value; a `String` is made only to word an error.
struct JSONInputDecoder {
    private var reader: JSONReader
    private let features: FeatureIndex
    private let limits: InputLimits
    /// `limits`' rows for this model's width, checked before each row's cells are made.
    private let rowLimit: Int
    private var values: [Float] = []
    private var rows = 0
    /// Columns some record had no key for, as they are found.
    private var absent: [Bool] = []
    private var absentCount = 0

    private var width: Int { features.names.count }

    static func decode(
        _ body: UnsafeBufferPointer<UInt8>, features: FeatureIndex, limits: InputLimits
    ) throws(SibylError) -> FeatureMatrix {
        var decoder = JSONInputDecoder(
            reader: JSONReader(body), features: features, limits: limits, rowLimit: limits.rowLimit(features: features.names.count))
        do {
            return try decoder.decodeDocument()
        } catch {
            // A syntax error anywhere outranks a shape error found before it: a client with broken
            // JSON should hear that first. Checking costs a second pass on the error path only.
            if error.code != .malformedBody { try JSONReader.validate(body) }
            throw error
        }
    }

    private enum Key {
        case records, rows
        case unknown(String)
    }

    private mutating func decodeDocument() throws(SibylError) -> FeatureMatrix {
        guard reader.peek() == UInt8(ascii: "{") else {
            throw Self.invalid("the body must be a JSON object with \"records\" or \"rows\"")
        }
        try reader.enterContainer()
        if reader.closeIfEmpty() { throw Self.invalid("the body must have \"records\" or \"rows\"") }
        var seenForm = false
        repeat {
            let token = try reader.readStringToken()
            let key = reader.withText(of: token) { name -> Key in
                if name.elementsEqual("records".utf8) { return .records }
                if name.elementsEqual("rows".utf8) { return .rows }
                return .unknown(PredictionInput.quoted(name))
            }
            if case .unknown(let name) = key {
                throw Self.invalid("unknown key \(name); expected \"records\" or \"rows\"")
            }
            guard !seenForm else { throw Self.invalid("the body must have exactly one of \"records\" or \"rows\"") }
            seenForm = true
            try reader.expect(UInt8(ascii: ":"))
            if case .records = key { try decodeRecords() } else { try decodeRows() }
        } while try reader.nextElement()
        try reader.expectEnd()
        let absentColumns = absentCount == 0 ? [] : absent.indices.filter { absent[$0] }
        return FeatureMatrix(rows: rows, columns: width, values: values, absentColumns: absentColumns)
    }

    private mutating func decodeRecords() throws(SibylError) {
        guard reader.peek() == UInt8(ascii: "[") else { throw Self.invalid("\"records\" must be an array of objects") }
        try reader.enterContainer()
        if reader.closeIfEmpty() { throw Self.invalid("\"records\" is empty") }
        let features = self.features, names = features.names
        // The record that last set each column, to catch a key repeated within one record.
        var setBy = [Int](repeating: -1, count: width)
        absent = [Bool](repeating: false, count: width)
        repeat {
            let record = try startRow()
            guard reader.peek() == UInt8(ascii: "{") else { throw Self.invalid("records[\(record)]: expected an object") }
            try reader.enterContainer()
            let base = values.count - width
            var keys = 0
            defer { if keys < width { noteAbsent(setBy, record: record) } }
            if reader.closeIfEmpty() { continue }
            repeat {
                let key = try reader.readStringToken()
                let found = key.decoded
                    ? reader.withText(of: key) { features.column(of: $0) }
                    : features.column(of: UnsafeBufferPointer(rebasing: reader.bytes[key.start..<key.end]))
                guard let column = found else {
                    let name = reader.withText(of: key) { PredictionInput.quoted($0) }
                    throw Self.invalid("records[\(record)]: unknown feature \(name)")
                }
                guard setBy[column] != record else {
                    throw Self.invalid("records[\(record)]: duplicate feature \"\(features.names[column])\"")
                }
                setBy[column] = record
                keys += 1
                try reader.expect(UInt8(ascii: ":"))
                let cell = try Self.readCell(&reader, features, column: column)
                guard case .value(let value) = cell else {
                    throw problem(cell, "records[\(record)]: feature \"\(names[column])\"")
                }
                values[base + column] = value
            } while try reader.nextElement()
        } while try reader.nextElement()
    }

    /// Marks the columns `record` gave no key for; run only for a record with fewer keys than features, so
    /// a complete record costs nothing more.
    private mutating func noteAbsent(_ setBy: [Int], record: Int) {
        guard absentCount < width else { return }
        for column in 0..<width where setBy[column] != record && !absent[column] {
            absent[column] = true
            absentCount += 1
        }
    }

    private mutating func decodeRows() throws(SibylError) {
        guard reader.peek() == UInt8(ascii: "[") else { throw Self.invalid("\"rows\" must be an array of arrays") }
        try reader.enterContainer()
        if reader.closeIfEmpty() { throw Self.invalid("\"rows\" is empty") }
        let features = self.features, names = features.names
        repeat {
            let row = try startRow()
            guard reader.peek() == UInt8(ascii: "[") else { throw Self.invalid("rows[\(row)]: expected an array") }
            try reader.enterContainer()
            let base = values.count - width
            var count = 0
            if !reader.closeIfEmpty() {
                repeat {
                    if count < width {
                        let cell = try Self.readCell(&reader, features, column: count)
                        guard case .value(let value) = cell else {
                            throw problem(cell, "rows[\(row)][\(count)] (feature \"\(names[count])\")")
                        }
                        values[base + count] = value
                    } else {
                        try reader.skipValue()
                    }
                    count += 1
                } while try reader.nextElement()
            }
            guard count == width else { throw Self.invalid("rows[\(row)]: expected \(width) values, got \(count)") }
        } while try reader.nextElement()
    }

    /// Appends a row of absent values (`FeatureIndex.absentValue`) and returns its index, refusing one past
    /// the limit before making it.
    private mutating func startRow() throws(SibylError) -> Int {
        guard rows < rowLimit else { throw limits.exceeded(features: width) }
        values.append(contentsOf: repeatElement(features.absentValue, count: width))
        rows += 1
        return rows - 1
    }

    /// A value read where a feature value belongs. Problems come back as data, not as thrown errors, so
    /// the caller words the message and the hot path captures nothing to build it.
    private enum Cell {
        case value(Float)
        case outsideFloat32(token: Range<Int>)
        case wrongType(String)
        /// Text for a number feature (the text, quoted and cut short).
        case text(String)
        /// A category name for a feature the model knows by code only.
        case name(String)
        /// A number that is not whole for a feature that takes any text.
        case notWhole(token: Range<Int>)
        /// A number that is not whole for a feature of whole numbers.
        case notWholeNumber(token: Range<Int>)
    }

    /// One value: a number that fits float32, `null` for missing, or for a categorical feature whose
    /// categories the model names, a category's name (one it never saw is missing, as in training).
    private static func readCell(_ reader: inout JSONReader, _ features: FeatureIndex, column: Int) throws(SibylError) -> Cell {
        switch reader.peek() {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = reader.position
            let number = try reader.readNumber()
            if features.takesAnyText(column: column) {
                return features.code(ofWholeNumber: number, column: column).map(Cell.value) ?? .notWhole(token: start..<reader.position)
            }
            let value = Float(number)
            guard value.isFinite else { return .outsideFloat32(token: start..<reader.position) }
            if features.takesWholeNumbers(column: column), number != number.rounded() { return .notWholeNumber(token: start..<reader.position) }
            return .value(value)
        case UInt8(ascii: "n"):
            _ = try reader.readLiteral()
            return .value(.nan)
        case UInt8(ascii: "\""):
            let token = try reader.readStringToken()
            return reader.withText(of: token) { text in
                switch features.meaning(of: text, column: column) {
                case .code(let code): .value(code)
                case .notACategory: .text(PredictionInput.quoted(text))
                case .codesOnly: .name(PredictionInput.quoted(text))
                }
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .wrongType("a boolean")
        case UInt8(ascii: "{"): return .wrongType("an object")
        case UInt8(ascii: "["): return .wrongType("an array")
        default: throw reader.unexpected(expecting: "a value")
        }
    }

    /// The error for a `cell` that holds no value, naming `field` (e.g. `records[2]: feature "f3"`).
    private func problem(_ cell: Cell, _ field: String) -> SibylError {
        switch cell {
        case .value:
            preconditionFailure("a value is no problem")
        case .outsideFloat32(let token):
            let text = PredictionInput.excerpt(UnsafeBufferPointer(rebasing: reader.bytes[token]))
            return Self.invalid("\(field): \(text) is outside the float32 range")
        case .wrongType(let kind):
            return Self.invalid("\(field) must be a number or null, not \(kind)")
        case .text(let text):
            return Self.invalid("\(field) is a number, not the text \(text)")
        case .name(let text):
            return PredictionInput.codesOnly(field, quotedText: text)
        case .notWhole(let token):
            return PredictionInput.notWhole(field, UnsafeBufferPointer(rebasing: reader.bytes[token]))
        case .notWholeNumber(let token):
            return FeatureIndex.notWholeNumber(field, UnsafeBufferPointer(rebasing: reader.bytes[token]))
        }
    }

    private static func invalid(_ message: String) -> SibylError {
        SibylError(.invalidInput, message)
    }
}
