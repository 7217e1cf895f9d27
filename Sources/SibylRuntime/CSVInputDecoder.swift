import SibylCore

/// Decodes a CSV prediction body (RFC 4180, UTF-8) straight into the float buffer of a `FeatureMatrix`.
///
/// - The first line is a header of feature names in any order; a column the model lacks, or a repeated
///   one, is `.invalidInput`. Features without a column are missing in every row.
/// - Cells may be quoted (`"…"`, with `""` for a quote). Unquoted cells are trimmed of spaces and tabs.
/// - An empty cell is a missing value; any other cell must be a decimal number (`+`, `.5` and `5.` are
///   allowed) that fits float32, else `.invalidInput` naming the line and column.
/// - Lines end with LF, CRLF or CR. Empty lines are skipped, so in a one-column file a missing value
///   must be written `""`. A leading UTF-8 byte-order mark, which spreadsheets write, is skipped.
/// - A row with the wrong number of cells, or a broken quote, is `.malformedBody` naming the line.
/// Errors are reported in reading order, and line numbers count from 1 at the header.
struct CSVInputDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let features: FeatureIndex
    private let maxRows: Int
    private var position = 0
    private var line = 1
    /// The unescaped text of the last quoted cell that held `""`.
    private var scratch: [UInt8] = []

    /// Where a cell's text lies: in the body, or in `scratch` when a quoted cell held `""`.
    private struct Cell {
        var start: Int
        var end: Int
        var unescaped: Bool
    }

    static func decode(
        _ body: UnsafeBufferPointer<UInt8>, features: FeatureIndex, maxRows: Int
    ) throws(SibylError) -> FeatureMatrix {
        var decoder = CSVInputDecoder(bytes: body, features: features, maxRows: maxRows)
        return try decoder.decode()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, features: FeatureIndex, maxRows: Int) {
        self.bytes = bytes
        self.features = features
        self.maxRows = maxRows
    }

    private mutating func decode() throws(SibylError) -> FeatureMatrix {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        skipEmptyLines()
        guard position < bytes.count else {
            throw SibylError(.malformedBody, "the CSV body is empty; expected a header row of feature names")
        }
        let columns = try readHeader()
        let width = features.names.count
        var values: [Float] = []
        var rows = 0
        while true {
            skipEmptyLines()
            if position == bytes.count { break }
            guard rows < maxRows else { throw SibylError(.tooManyRows, "the body has more than \(maxRows) rows") }
            let rowLine = line
            let base = values.count
            values.append(contentsOf: repeatElement(Float.nan, count: width))
            var count = 0
            repeat {
                let cell = try readCell()
                if count < columns.count {
                    let column = columns[count]
                    values[base + column] = try number(in: cell, line: rowLine, column: column)
                }
                count += 1
            } while consumeComma()
            endLine()
            guard count == columns.count else {
                throw SibylError(.malformedBody, "line \(rowLine): expected \(columns.count) cells, got \(count)")
            }
            rows += 1
        }
        guard rows > 0 else { throw SibylError(.invalidInput, "the CSV body has a header but no rows") }
        return FeatureMatrix(rows: rows, columns: width, values: values)
    }

    /// The feature column of each header cell.
    private mutating func readHeader() throws(SibylError) -> [Int] {
        let headerLine = line
        var columns: [Int] = []
        var taken = [Bool](repeating: false, count: features.names.count)
        repeat {
            let cell = try readCell()
            let column = withText(of: cell) { name in
                features.column(of: name).map(Result.success)
                    ?? .failure(SibylError(.invalidInput, "line \(headerLine): unknown feature \(PredictionInput.quoted(name))"))
            }
            let found = try column.get()
            guard !taken[found] else {
                throw SibylError(.invalidInput, "line \(headerLine): duplicate column \"\(features.names[found])\"")
            }
            taken[found] = true
            columns.append(found)
        } while consumeComma()
        endLine()
        return columns
    }

    private func number(in cell: Cell, line: Int, column: Int) throws(SibylError) -> Float {
        let outcome: Result<Float, SibylError> = withText(of: cell) { text in
            guard !text.isEmpty else { return .success(.nan) }
            guard let (value, end) = DecimalNumber.parse(text, from: 0, limit: text.count, grammar: .lenient),
                  end == text.count else {
                return .failure(SibylError(.invalidInput, "line \(line), column \"\(features.names[column])\": \(PredictionInput.quoted(text)) is not a number"))
            }
            let single = Float(value)
            guard single.isFinite else {
                return .failure(SibylError(.invalidInput, "line \(line), column \"\(features.names[column])\": \(PredictionInput.excerpt(text)) is outside the float32 range"))
            }
            return .success(single)
        }
        return try outcome.get()
    }

    /// Passes a cell's text to `body`, trimmed of spaces and tabs unless the cell was quoted.
    private func withText<R>(of cell: Cell, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if cell.unescaped { return scratch.withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(rebasing: bytes[cell.start..<cell.end]))
    }

    /// Reads one cell, leaving `position` at the `,`, line end or end of input after it.
    private mutating func readCell() throws(SibylError) -> Cell {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            var start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: ",") || byte == 0x0A || byte == 0x0D { break }
                if byte == UInt8(ascii: "\"") {
                    throw SibylError(.malformedBody, "line \(line): a quote inside an unquoted cell")
                }
                position += 1
            }
            var end = position
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return Cell(start: start, end: end, unescaped: false)
        }
        let openLine = line
        position += 1
        let start = position
        var escaped = false
        while true {
            guard position < bytes.count else {
                throw SibylError(.malformedBody, "line \(openLine): a quoted cell is not closed")
            }
            let byte = bytes[position]
            if byte == 0x0A || (byte == 0x0D && (position + 1 == bytes.count || bytes[position + 1] != 0x0A)) {
                line += 1
            }
            if byte == UInt8(ascii: "\"") {
                if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\"") {
                    escaped = true
                    position += 2
                    continue
                }
                break
            }
            position += 1
        }
        let end = position
        position += 1
        if position < bytes.count, bytes[position] != UInt8(ascii: ","), bytes[position] != 0x0A, bytes[position] != 0x0D {
            throw SibylError(.malformedBody, "line \(line): unexpected text after a quoted cell")
        }
        guard escaped else { return Cell(start: start, end: end, unescaped: false) }
        scratch.removeAll(keepingCapacity: true)
        var index = start
        while index < end {
            scratch.append(bytes[index])
            index += bytes[index] == UInt8(ascii: "\"") ? 2 : 1
        }
        return Cell(start: start, end: end, unescaped: true)
    }

    private mutating func consumeComma() -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: ",") else { return false }
        position += 1
        return true
    }

    /// Consumes one LF, CRLF or CR, if there.
    private mutating func endLine() {
        guard position < bytes.count else { return }
        if bytes[position] == 0x0D { position += 1 }
        if position < bytes.count && bytes[position] == 0x0A { position += 1 }
        line += 1
    }

    private mutating func skipEmptyLines() {
        while position < bytes.count && (bytes[position] == 0x0A || bytes[position] == 0x0D) { endLine() }
    }
}
