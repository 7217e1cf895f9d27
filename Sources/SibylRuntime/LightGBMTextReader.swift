import SibylCore

/// Reads a LightGBM text model line by line and gathers its `key=value` lines into sections.
///
/// The format is LightGBM's `SaveModelToString`: a header of `key=value` lines (and bare keys such as
/// `tree`), one block per tree starting with a `Tree=<index>` line and ending at a blank line, then
/// `end of trees` and sections Sibyl ignores. Lines end in `\n` or `\r\n`. Lines are ranges of the
/// file's bytes, so reading costs no copies; errors name the 1-based line number.
struct LightGBMTextReader {
    let bytes: [UInt8]
    private var position = 0
    /// The number of the last line read.
    private(set) var lineNumber = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next line without its line ending, or nil at the end of the file.
    mutating func nextLine() -> Range<Int>? {
        guard position < bytes.count else { return nil }
        let start = position
        let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
        var end = newline ?? bytes.count
        position = newline.map { $0 + 1 } ?? bytes.count
        lineNumber += 1
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<end
    }

    /// The next line that is not empty, or nil at the end of the file.
    mutating func nextNonBlankLine() -> Range<Int>? {
        while let line = nextLine() {
            if !line.isEmpty { return line }
        }
        return nil
    }

    func line(_ line: Range<Int>, is text: String) -> Bool {
        bytes[line].elementsEqual(text.utf8)
    }

    func line(_ line: Range<Int>, startsWith prefix: String) -> Bool {
        bytes[line].starts(with: prefix.utf8)
    }

    /// A line as an error message may quote it: at most 64 characters, invalid UTF-8 repaired.
    func quoted(_ line: Range<Int>) -> String {
        let text = String(decoding: bytes[line.lowerBound..<min(line.upperBound, line.lowerBound + 64)], as: UTF8.self)
        return "\"\(text)\(line.count > 64 ? "…" : "")\""
    }

    func invalid(_ reason: String) -> SibylError {
        SibylError(.invalidModel, "line \(lineNumber): \(reason)")
    }

    /// Reads the header: every line up to the first `Tree=` line or `end of trees`, which is left unread.
    /// Bare keys (`tree`, `average_output`) are kept with an empty value.
    mutating func header() throws(SibylError) -> LightGBMSection {
        var fields: [String: Range<Int>] = [:]
        while true {
            let (before, lineBefore) = (position, lineNumber)
            guard let line = nextLine() else { break }
            if line.isEmpty { continue }
            if self.line(line, startsWith: "Tree=") || self.line(line, is: "end of trees") {
                (position, lineNumber) = (before, lineBefore)
                break
            }
            try add(line, to: &fields, bareKeys: true)
        }
        return LightGBMSection(name: "header", bytes: bytes, fields: fields)
    }

    /// Reads the `key=value` lines of one tree, up to a blank line or the end of the file.
    mutating func treeBlock(named name: String) throws(SibylError) -> LightGBMSection {
        var fields: [String: Range<Int>] = [:]
        while let line = nextLine(), !line.isEmpty {
            try add(line, to: &fields, bareKeys: false)
        }
        return LightGBMSection(name: name, bytes: bytes, fields: fields)
    }

    private func add(_ line: Range<Int>, to fields: inout [String: Range<Int>], bareKeys: Bool) throws(SibylError) {
        let equals = bytes[line].firstIndex(of: UInt8(ascii: "="))
        guard equals != nil || bareKeys else { throw invalid("expected key=value, found \(quoted(line))") }
        let keyEnd = equals ?? line.upperBound
        let key = String(decoding: bytes[line.lowerBound..<keyEnd], as: UTF8.self)
        // LightGBM would keep the last of two lines with one key; a file that holds both is not its own.
        guard fields[key] == nil else { throw invalid("duplicate key \(quoted(line.lowerBound..<keyEnd))") }
        fields[key] = equals.map { $0 + 1..<line.upperBound } ?? line.upperBound..<line.upperBound
    }
}
