import SibylCore

/// Decodes a CSV prediction body (RFC 4180, UTF-8) straight into the float buffer of a `FeatureMatrix`.
///
/// - The first line is a header of feature names in any order; a column the model lacks, or a repeated
///   one, is `.invalidInput`. Features without a column are missing in every row (and absent:
///   `FeatureMatrix.absentColumns`).
/// - Cells may be quoted (`"…"`, with `""` for a quote). Unquoted cells are trimmed of spaces and tabs.
/// - An empty cell is a missing value; any other cell must be a decimal number (`+`, `.5` and `5.` are
///   allowed) that fits float32, or, in a categorical column whose categories the model names, a
///   category's name (one the model never saw is missing), else `.invalidInput` naming the line and column.
///   A number there is the category's code, as in JSON.
/// - Lines end with LF, CRLF or CR. Empty lines are skipped, so in a one-column file a missing value
///   must be written `""`. A leading UTF-8 byte-order mark, which spreadsheets write, is skipped.
/// - A row with the wrong number of cells, or a broken quote, is `.malformedBody` naming the line.
/// Errors are reported in reading order, and line numbers count from 1 at the header.
struct CSVInputDecoder {
    private var scanner: CSVScanner
    private let features: FeatureIndex
    private let limits: InputLimits

    static func decode(
        _ body: UnsafeBufferPointer<UInt8>, features: FeatureIndex, limits: InputLimits
    ) throws(SibylError) -> FeatureMatrix {
        var decoder = CSVInputDecoder(bytes: body, features: features, limits: limits)
        return try decoder.decode()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, features: FeatureIndex, limits: InputLimits) {
        scanner = CSVScanner(bytes)
        self.features = features
        self.limits = limits
    }

    private mutating func decode() throws(SibylError) -> FeatureMatrix {
        scanner.skipEmptyLines()
        guard !scanner.isAtEnd else {
            throw SibylError(.malformedBody, "the CSV body is empty; expected a header row of feature names")
        }
        let columns = try readHeader()
        let width = features.names.count
        let rowLimit = limits.rowLimit(features: width)
        var values: [Float] = []
        var rows = 0
        while true {
            scanner.skipEmptyLines()
            if scanner.isAtEnd { break }
            guard rows < rowLimit else { throw limits.exceeded(features: width) }
            let rowLine = scanner.line
            let base = values.count
            values.append(contentsOf: repeatElement(features.absentValue, count: width))
            var count = 0
            repeat {
                let cell = try scanner.readCell()
                if count < columns.count {
                    let column = columns[count]
                    values[base + column] = try number(in: cell, line: rowLine, column: column)
                }
                count += 1
            } while scanner.consumeComma()
            scanner.endLine()
            guard count == columns.count else {
                throw SibylError(.malformedBody, "line \(rowLine): expected \(columns.count) cells, got \(count)")
            }
            rows += 1
        }
        guard rows > 0 else { throw SibylError(.invalidInput, "the CSV body has a header but no rows") }
        var present = [Bool](repeating: false, count: width)
        for column in columns { present[column] = true }
        return FeatureMatrix(rows: rows, columns: width, values: values, absentColumns: present.indices.filter { !present[$0] })
    }

    /// The feature column of each header cell.
    private mutating func readHeader() throws(SibylError) -> [Int] {
        let headerLine = scanner.line
        var columns: [Int] = []
        var taken = [Bool](repeating: false, count: features.names.count)
        repeat {
            let cell = try scanner.readCell()
            let column = scanner.withText(of: cell) { name in
                features.column(of: name).map(Result.success)
                    ?? .failure(SibylError(.invalidInput, "line \(headerLine): unknown feature \(PredictionInput.quoted(name))"))
            }
            let found = try column.get()
            guard !taken[found] else {
                throw SibylError(.invalidInput, "line \(headerLine): duplicate column \"\(features.names[found])\"")
            }
            taken[found] = true
            columns.append(found)
        } while scanner.consumeComma()
        scanner.endLine()
        return columns
    }

    private func number(in cell: CSVScanner.Cell, line: Int, column: Int) throws(SibylError) -> Float {
        let outcome: Result<Float, SibylError> = scanner.withText(of: cell) { text in
            guard !text.isEmpty else { return .success(.nan) }
            if features.takesAnyText(column: column), case .code(let code) = features.meaning(of: text, column: column) {
                return .success(code)
            }
            guard let (value, end) = DecimalNumber.parse(text, from: 0, limit: text.count, grammar: .lenient),
                  end == text.count else {
                let field = "line \(line), column \"\(features.names[column])\""
                switch features.meaning(of: text, column: column) {
                case .code(let code): return .success(code)
                case .notACategory:
                    return .failure(SibylError(.invalidInput, "\(field): \(PredictionInput.quoted(text)) is not a number"))
                case .codesOnly:
                    return .failure(PredictionInput.codesOnly(field, quotedText: PredictionInput.quoted(text)))
                }
            }
            let single = Float(value)
            let field = "line \(line), column \"\(features.names[column])\""
            guard single.isFinite else {
                return .failure(SibylError(.invalidInput, "\(field): \(PredictionInput.excerpt(text)) is outside the float32 range"))
            }
            guard !features.takesWholeNumbers(column: column) || value == value.rounded() else {
                return .failure(FeatureIndex.notWholeNumber(field, text))
            }
            return .success(single)
        }
        return try outcome.get()
    }
}
