import Foundation
import SibylHTTP

/// CSV written by the server's answers.
enum CSVText {
    /// A cell, quoted when it holds a comma, a quote or a line break.
    static func cell(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Lines of cells, LF-terminated.
    static func file(_ lines: [[String]]) -> String {
        lines.map { $0.map(cell).joined(separator: ",") + "\n" }.joined()
    }
}
