import Foundation

/// A spinner on standard error while the CLI waits, only when standard error is a terminal: scripts and
/// logs get no control characters.
final class Spinner {
    private let label: String
    private let shown = isatty(STDERR_FILENO) == 1
    private var frame = 0

    init(_ label: String) {
        self.label = label
    }

    func tick() {
        guard shown else { return }
        let frames = ["|", "/", "-", "\\"]
        Output.standardError("\r\(frames[frame % frames.count]) \(label)…")
        frame += 1
    }

    func done() {
        guard shown, frame > 0 else { return }
        Output.standardError("\r\u{1B}[K")
    }
}

/// Progress on standard error, redrawn in place, only when standard error is a terminal: an upload's bytes or
/// a prediction's rows.
final class ProgressBar: Sendable {
    enum Unit {
        case megabytes, rows, captures
    }

    private let label: String
    private let total: Int
    private let unit: Unit
    private let shown = isatty(STDERR_FILENO) == 1

    init(_ label: String, total: Int, unit: Unit = .megabytes) {
        self.label = label
        self.total = max(1, total)
        self.unit = unit
    }

    func update(_ done: Int) {
        guard shown else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let amount = switch unit {
        case .megabytes: "\(megabytes(done))/\(megabytes(total)) MB"
        case .rows: "\(done)/\(total) rows"
        case .captures: "\(done)/\(total) captures"
        }
        Output.standardError("\r\(label) [\(bar)] \(done * 100 / total)% \(amount)")
        if done >= total { Output.standardError("\n") }
    }

    /// Wipes the bar's line, so that output to the same terminal starts at the line's beginning; the next
    /// `update` draws the bar again below it.
    func clear() {
        guard shown else { return }
        Output.standardError("\r\u{1B}[K")
    }

    private func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1_048_576)
    }
}

/// Daily usage as text bars: requests answered 200 (`#`) and 4xx/5xx (`x`), scaled to the busiest day. Only
/// days with requests are drawn (a month of zeros hides the few that count), then the total.
enum UsageBars {
    struct Day {
        let date: String
        let ok: Int
        let failed: Int
    }

    /// A usage answer (`days` of `status_200` and `status_4xx_5xx`) as bars, or as JSON with `--json`.
    static func print(_ answer: ServerAnswer, _ output: OutputOptions) {
        if output.json { return Output.json(answer.json) }
        let days = (answer.object["days"] as? [[String: Any]] ?? []).map {
            Day(date: Output.text($0["date"]), ok: $0["status_200"] as? Int ?? 0, failed: $0["status_4xx_5xx"] as? Int ?? 0)
        }
        let busy = days.filter { $0.ok + $0.failed > 0 }
        guard !busy.isEmpty else {
            let from = answer.object["from"] as? String ?? days.first?.date ?? "-"
            let to = answer.object["to"] as? String ?? days.last?.date ?? "-"
            return Output.line("no requests from \(from) to \(to)")
        }
        for line in lines(busy, width: 40) { Output.line(line) }
    }

    /// `?from=…&to=…` for the dates given, or nothing.
    static func query(from: String?, to: String?) -> String {
        let parts = [from.map { "from=\(Query.escape($0))" }, to.map { "to=\(Query.escape($0))" }].compactMap { $0 }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    static func lines(_ days: [Day], width: Int) -> [String] {
        let most = max(1, days.map { $0.ok + $0.failed }.max() ?? 0)
        let countWidth = max(3, String(most).count)
        var lines = days.map { day -> String in
            let ok = bar(day.ok, of: most, width: width)
            let failed = bar(day.failed, of: most, width: width)
            let counts = "\(pad(day.ok, countWidth)) \(pad(day.failed, countWidth))"
            return "\(day.date)  \(counts)  " + String(repeating: "#", count: ok) + String(repeating: "x", count: failed)
        }
        lines.insert("\("DATE".padding(toLength: 10, withPad: " ", startingAt: 0))  \(pad("200", countWidth)) \(pad("ERR", countWidth))", at: 0)
        let total = days.reduce((0, 0)) { ($0.0 + $1.ok, $0.1 + $1.failed) }
        lines.append("total: \(total.0) answered 200, \(total.1) answered 4xx/5xx   (# = 200, x = 4xx/5xx)")
        return lines
    }

    /// A count's bar length: at least one character for any request at all.
    private static func bar(_ count: Int, of most: Int, width: Int) -> Int {
        count == 0 ? 0 : max(1, count * width / most)
    }

    private static func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
