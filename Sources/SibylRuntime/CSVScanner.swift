import SibylCore

/// The cells of a CSV text (RFC 4180, UTF-8), one at a time, by the rules `CSVInputDecoder` documents:
/// quoted cells with `""` for a quote, unquoted cells trimmed of spaces and tabs, lines ending in LF, CRLF or
/// CR, empty lines skipped, a leading byte-order mark skipped; a broken quote is `.malformedBody` naming its
/// line. Cells are positions in the text, so reading one copies nothing.
struct CSVScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// The line being read, from 1.
    private(set) var line = 1
    /// The unescaped text of the last quoted cell that held `""`.
    private var scratch: [UInt8] = []

    /// Where a cell's text lies: in the text, or in `scratch` when a quoted cell held `""`.
    struct Cell {
        var start: Int
        var end: Int
        var unescaped: Bool
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    var isAtEnd: Bool { position == bytes.count }

    /// Passes a cell's text to `body`, trimmed of spaces and tabs unless the cell was quoted.
    func withText<R>(of cell: Cell, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if cell.unescaped { return scratch.withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(rebasing: bytes[cell.start..<cell.end]))
    }

    /// Reads one cell, leaving `position` at the `,`, line end or end of input after it.
    mutating func readCell() throws(SibylError) -> Cell {
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

    mutating func consumeComma() -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: ",") else { return false }
        position += 1
        return true
    }

    /// Consumes one LF, CRLF or CR, if there.
    mutating func endLine() {
        guard position < bytes.count else { return }
        if bytes[position] == 0x0D { position += 1 }
        if position < bytes.count && bytes[position] == 0x0A { position += 1 }
        line += 1
    }

    mutating func skipEmptyLines() {
        while position < bytes.count && (bytes[position] == 0x0A || bytes[position] == 0x0D) { endLine() }
    }
}

/// A CSV text's cells as strings, header first, read by `CSVScanner`'s rules: for answers that repeat a
/// request's own cells (Prediction One's `ad` and `pc`), so that they see exactly the cells the decoder saw.
public enum CSVRecords {
    public static func read(_ text: [UInt8]) throws(SibylError) -> [[String]] {
        try text.withUnsafeBufferPointer { bytes throws(SibylError) in
            var scanner = CSVScanner(bytes)
            var records: [[String]] = []
            while true {
                scanner.skipEmptyLines()
                if scanner.isAtEnd { return records }
                var record: [String] = []
                repeat {
                    let cell = try scanner.readCell()
                    record.append(scanner.withText(of: cell) { String(decoding: $0, as: UTF8.self) })
                } while scanner.consumeComma()
                scanner.endLine()
                records.append(record)
            }
        }
    }
}
