import SibylCore
import SibylHTTP

/// The daily request graph as SVG, drawn on the server: per day a bar for requests answered 200 and one for
/// those answered 4xx or 5xx, a value axis with round steps, date labels, and a tooltip per bar. Colours come
/// from the stylesheet (classes), so the page needs no inline style. Every text drawn is a date or a number,
/// so nothing needs escaping.
struct UsageChart: SVGChart {
    let days: [UsageDay]

    private let width = 1080.0
    private let height = 250.0
    private let left = 48.0
    private let right = 12.0
    private let top = 14.0
    private let bottom = 34.0
    private var plotWidth: Double { width - left - right }
    private var plotHeight: Double { height - top - bottom }

    var svg: String {
        let largest = days.map { max($0.status200, $0.status4xx5xx) }.max() ?? 0
        let step = Self.step(for: largest)
        let ceiling = max(step * 4, (largest + step - 1) / step * step)
        func y(_ value: Int) -> Double { top + plotHeight - Double(value) / Double(ceiling) * plotHeight }
        let total200 = days.map(\.status200).reduce(0, +)
        let totalErrors = days.map(\.status4xx5xx).reduce(0, +)

        var out = "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"usage-chart-title\""
            + " id=\"usage-chart\"><title id=\"usage-chart-title\">Requests per day from \(days.first?.date ?? "") to "
            + "\(days.last?.date ?? ""): \(total200) answered 200, \(totalErrors) answered 4xx or 5xx</title>"
        for value in stride(from: 0, through: ceiling, by: step) {
            out += line("grid-line", at: y(value)) + text(String(value), x: left - 8, y: y(value) + 4, anchor: "end")
        }
        let slot = plotWidth / Double(max(days.count, 1))
        let barWidth = min(16, slot * 0.38)
        let gap = min(2, slot * 0.06)
        let labelEvery = max(1, (days.count + 7) / 8)
        for (index, day) in days.enumerated() {
            let start = left + Double(index) * slot + (slot - 2 * barWidth - gap) / 2
            if day.status200 > 0 {
                out += bar("bar-ok", x: start, width: barWidth, top: y(day.status200), bottom: y(0),
                           title: "\(day.date): \(day.status200) answered 200")
            }
            if day.status4xx5xx > 0 {
                out += bar("bar-error", x: start + barWidth + gap, width: barWidth, top: y(day.status4xx5xx), bottom: y(0),
                           title: "\(day.date): \(day.status4xx5xx) answered 4xx or 5xx")
            }
            if index % labelEvery == 0 {
                out += text(Self.label(day.date), x: left + (Double(index) + 0.5) * slot, y: height - 12, anchor: "middle")
            }
        }
        out += line("axis", at: y(0))
        if largest == 0 {
            out += text("No requests in this range", x: left + plotWidth / 2, y: top + plotHeight / 2, anchor: "middle", class: "nothing")
        }
        return out + "</svg>"
    }

    /// A bar with its tooltip, at least one unit tall, so that a single request next to thousands still shows.
    private func bar(_ kind: String, x: Double, width: Double, top: Double, bottom: Double, title: String) -> String {
        let barTop = min(top, bottom - 1)
        return "<rect class=\"\(kind)\" x=\"\(n(x))\" y=\"\(n(barTop))\" width=\"\(n(width))\" height=\"\(n(bottom - barTop))\" rx=\"2\">"
            + "<title>\(title)</title></rect>"
    }

    private func line(_ kind: String, at y: Double) -> String {
        "<line class=\"\(kind)\" x1=\"\(n(left))\" x2=\"\(n(width - right))\" y1=\"\(n(y))\" y2=\"\(n(y))\"/>"
    }

    /// A round step (1, 2 or 5 times a power of ten) that divides the largest value into about four parts.
    static func step(for largest: Int) -> Int {
        var magnitude = 1
        while true {
            for factor in [1, 2, 5] where factor * magnitude * 4 >= largest { return factor * magnitude }
            magnitude *= 10
        }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `2026-11-23` → `Nov 23`
    static func label(_ date: String) -> String {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month), let day = Int(parts[2]) else { return date }
        return "\(months[month - 1]) \(day)"
    }
}
