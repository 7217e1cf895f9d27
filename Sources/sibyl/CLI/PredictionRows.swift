/// A prediction input cut into its rows, so that `sibyl predict` can send more rows than one request may
/// hold, in batches, each a body of the same syntax as the input.
///
/// Rows are found by syntax alone (CSV records, the elements of JSON's `rows` or `records`), never read as
/// values: the server reads them, with its own errors. An input of another shape is sent whole, and the
/// server says what is wrong with it.
enum PredictionRows {
    /// A CSV header, its rows, and the bytes they lie in.
    case csv(header: Range<Int>, rows: [Range<Int>], bytes: [UInt8])
    /// The elements of `{"rows": […]}` or `{"records": […]}`, whose key is `key`.
    case json(key: String, rows: [Range<Int>], bytes: [UInt8])
    case whole([UInt8])

    init(_ bytes: [UInt8], isJSON: Bool) {
        if isJSON {
            var scanner = JSONRowScanner(bytes: bytes)
            if let (key, rows) = scanner.document(), !rows.isEmpty {
                self = .json(key: key, rows: rows, bytes: bytes)
                return
            }
        } else {
            let records = CSVLines.records(bytes)
            if let header = records.first, records.count > 1 {
                self = .csv(header: header, rows: Array(records.dropFirst()), bytes: bytes)
                return
            }
        }
        self = .whole(bytes)
    }

    /// Rows to send; an input sent whole counts as one.
    var count: Int {
        switch self {
        case .csv(_, let rows, _), .json(_, let rows, _): rows.count
        case .whole: 1
        }
    }

    /// The size of `body(range)`, without building it.
    func bodySize(_ range: Range<Int>) -> Int {
        switch self {
        case .csv(let header, let rows, _): header.count + rows[range].reduce(0) { $0 + 1 + $1.count } + 1
        case .json(let key, let rows, _): key.utf8.count + 7 + rows[range].reduce(0) { $0 + $1.count } + max(0, range.count - 1)
        case .whole(let bytes): bytes.count
        }
    }

    /// How much a body grows when row `index` is added to it: the row and one separator (a line end, a comma).
    func growth(_ index: Int) -> Int {
        switch self {
        case .csv(_, let rows, _), .json(_, let rows, _): rows[index].count + 1
        case .whole(let bytes): bytes.count
        }
    }

    /// The body of the rows in `range`.
    func body(_ range: Range<Int>) -> [UInt8] {
        switch self {
        case .csv(let header, let rows, let bytes):
            var body = Array(bytes[header])
            for row in rows[range] {
                body.append(0x0A)
                body.append(contentsOf: bytes[row])
            }
            body.append(0x0A)
            return body
        case .json(let key, let rows, let bytes):
            var body = Array("{\"\(key)\":[".utf8)
            for (index, row) in rows[range].enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: bytes[row])
            }
            body.append(contentsOf: "]}".utf8)
            return body
        case .whole(let bytes):
            return bytes
        }
    }
}

/// The records of a CSV text (RFC 4180): lines end with LF, CRLF or CR outside quotes; empty lines are
/// skipped, as the server skips them.
enum CSVLines {
    static func records(_ bytes: [UInt8]) -> [Range<Int>] {
        var records: [Range<Int>] = []
        var start = 0, index = 0, quoted = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && (byte == 0x0A || byte == 0x0D) {
                if index > start { records.append(start..<index) }
                if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if index > start { records.append(start..<index) }
        return records
    }
}

/// Finds the elements of the one `rows` or `records` array of a prediction body by JSON syntax, without
/// reading them; any other shape is nil.
struct JSONRowScanner {
    let bytes: [UInt8]
    private var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func document() -> (key: String, rows: [Range<Int>])? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        guard let keyRange = string() else { return nil }
        let key = String(decoding: bytes[keyRange], as: UTF8.self)
        guard key == "rows" || key == "records" else { return nil }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        guard let rows = elements() else { return nil }
        skipSpace()
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return position == bytes.count ? (key, rows) : nil
    }

    private mutating func elements() -> [Range<Int>]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var elements: [Range<Int>] = []
        skipSpace()
        if take(UInt8(ascii: "]")) { return elements }
        while true {
            skipSpace()
            let start = position
            guard skipValue() else { return nil }
            elements.append(start..<position)
            skipSpace()
            if take(UInt8(ascii: "]")) { return elements }
            guard take(UInt8(ascii: ",")) else { return nil }
        }
    }

    /// Skips one value: a string, an object or array (to its matching close, strings inside skipped
    /// whole), or a number or literal (to the next delimiter).
    private mutating func skipValue() -> Bool {
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return true
                    }
                default:
                    break
                }
                position += 1
            }
            return false
        default:
            let start = position
            while position < bytes.count, !Self.delimiters.contains(bytes[position]) { position += 1 }
            return position > start
        }
    }

    private static let delimiters: Set<UInt8> = [
        UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D,
    ]

    /// A string's contents, escapes left as they are; the position moves past its closing quote.
    private mutating func string() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"):
                position += 2
            case UInt8(ascii: "\""):
                position += 1
                return start..<(position - 1)
            default:
                position += 1
            }
        }
        return nil
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }
}
