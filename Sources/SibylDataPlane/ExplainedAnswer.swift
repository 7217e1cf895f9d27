import Foundation
import SibylCore
import SibylHTTP
import SibylRuntime

/// Contributions added to a `/predict` answer when `?explain=true`.
///
/// JSON: `"contributions": [{"f0": c, …, "bias": b}]`, one object per row, beside `predictions`; for a
/// multiclass model each row holds one such object per class, keyed by class. CSV: one column per feature
/// and the bias, `contribution_<feature>` (`contribution_<class>_<feature>` for a multiclass model), after
/// the prediction columns. The values of a row (and class) sum to its raw margin.
enum ExplainedAnswer {
    static func json(_ predictions: [UInt8], _ contributions: Contributions, schema: ModelSchema) -> [UInt8] {
        let names = (schema.featureNames + ["bias"]).map(JSONText.quoted)
        var text = ",\"contributions\":["
        for row in 0..<contributions.rowCount {
            if row > 0 { text += "," }
            if contributions.groupCount == 1 {
                text += object(contributions.values(row: row, group: 0), names)
            } else {
                text += "{"
                for group in 0..<contributions.groupCount {
                    if group > 0 { text += "," }
                    text += JSONText.quoted(schema.classes[group]) + ":" + object(contributions.values(row: row, group: group), names)
                }
                text += "}"
            }
        }
        text += "]}"
        // The predictions answer is one JSON object: the contributions go in before its closing brace.
        return predictions.dropLast() + Array(text.utf8)
    }

    static func csv(_ predictions: [UInt8], _ contributions: Contributions, schema: ModelSchema) -> [UInt8] {
        let features = schema.featureNames + ["bias"]
        let header =
            contributions.groupCount == 1
            ? features.map { "contribution_" + $0 }
            : schema.classes.flatMap { label in features.map { "contribution_\(label)_\($0)" } }
        var lines = String(decoding: predictions, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        var out = lines[0] + "," + header.map(CSVText.cell).joined(separator: ",") + "\n"
        for row in 0..<contributions.rowCount {
            let values = (0..<contributions.groupCount).flatMap { contributions.values(row: row, group: $0) }
            let cells: [String] = values.map { Float($0).isFinite ? Float($0).description : "" }
            out += lines[row + 1] + "," + cells.joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }

    private static func object(_ values: ArraySlice<Double>, _ names: [String]) -> String {
        "{" + zip(names, values).map { $0 + ":" + JSONText.number(Float($1)) }.joined(separator: ",") + "}"
    }
}
