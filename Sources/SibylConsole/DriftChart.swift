import SibylApp
import SibylCore

/// Input drift as SVG, drawn on the server like the usage chart: a horizontal bar per input, its length the
/// population stability index (capped at the scale's end), drifted inputs in the warning colour, and the
/// threshold as a dashed line. Feature names are the model's (a user's), escaped here as the templates
/// escape (by Unicode scalar).
struct DriftChart: SVGChart {
    let report: APIOperations.DriftReport

    private let width = 1080.0
    private let rowHeight = 20.0
    private let left = 180.0
    private let right = 60.0
    private let top = 12.0
    private let bottom = 30.0

    var svg: String {
        let features = report.features
        let height = top + rowHeight * Double(max(features.count, 1)) + bottom
        let plotWidth = width - left - right
        // The scale reaches past the threshold and the largest index, to a round half.
        let largest = max(report.threshold * 1.5, features.compactMap(\.psi).max() ?? 0)
        let end = min(5, (largest * 2).rounded(.up) / 2)
        func x(_ value: Double) -> Double { left + min(value, end) / end * plotWidth }
        let drifted = report.drifted.count
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"drift-chart-title\""
            + " id=\"drift-chart\"><title id=\"drift-chart-title\">Population stability index of \(features.count) inputs; "
            + "\(drifted) drifted past \(report.threshold)</title>"
        for step in stride(from: 0.0, through: end, by: end / 5) {
            out += "<line class=\"grid-line\" x1=\"\(n(x(step)))\" x2=\"\(n(x(step)))\" y1=\"\(n(top))\" y2=\"\(n(height - bottom))\"/>"
            out += text(Self.number(step), x: x(step), y: height - 10, anchor: "middle")
        }
        for (index, feature) in features.enumerated() {
            let y = top + Double(index) * rowHeight
            let name = ConsoleRenderer.ScalarHTML().escapeText(feature.name)
            out += text(name, x: left - 8, y: y + rowHeight * 0.7, anchor: "end")
            guard let psi = feature.psi else {
                out += text("no values", x: left + 6, y: y + rowHeight * 0.7, anchor: "start")
                continue
            }
            let length = max(1, x(psi) - left)
            let state = feature.drifted ? "drifted" : "steady"
            out += "<rect class=\"\(feature.drifted ? "bar-error" : "bar-ok")\" x=\"\(n(left))\" y=\"\(n(y + 3))\" width=\"\(n(length))\""
                + " height=\"\(n(rowHeight - 6))\" rx=\"2\"><title>\(name): \(Self.number(psi)), \(state)</title></rect>"
            out += text(Self.number(psi), x: left + length + 6, y: y + rowHeight * 0.7, anchor: "start")
        }
        out += "<line class=\"threshold\" x1=\"\(n(x(report.threshold)))\" x2=\"\(n(x(report.threshold)))\" y1=\"\(n(top))\""
            + " y2=\"\(n(height - bottom))\"/>"
        return out + "</svg>"
    }

    /// An index to three decimals.
    static func number(_ value: Double) -> String {
        let thousandths = Int((value * 1_000).rounded())
        let fraction = String(abs(thousandths) % 1_000)
        return "\(thousandths / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
