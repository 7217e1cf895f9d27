/// What the console's server-drawn charts share: coordinates written to a tenth of a unit, and text placed at one.
protocol SVGChart {}

extension SVGChart {
    /// A coordinate to a tenth of a unit, without a trailing `.0`.
    func n(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : String(Double(tenths) / 10)
    }

    /// A `<text>` element; `content` is HTML already (escaped by the caller).
    func text(_ content: String, x: Double, y: Double, anchor: String, class kind: String? = nil) -> String {
        let attribute = kind.map { " class=\"\($0)\"" } ?? ""
        return "<text\(attribute) x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(content)</text>"
    }
}
