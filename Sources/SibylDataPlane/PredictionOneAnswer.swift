import Foundation
import SibylCore
import SibylHTTP
import SibylRuntime
import SibylWire

/// The answer of the compatible prediction call: `prediction_valid.csv` (and `prediction_analysis.csv` with
/// `ar`), each base64 in `{"version", "outputs": [{"name", "data"}]}`.
///
/// `prediction_valid.csv`: the `pc` column first when asked; `row` (1, 2, …) unless `nr`; `prediction` (the class,
/// or a regressor's value) unless `nc` on a model with probabilities; `probability_<class>` per class; the other
/// input columns when `ad`. `prediction_analysis.csv`: the same key columns, then the `reasonCount` features that
/// pushed the row's prediction most (by the size of their exact TreeSHAP contribution, towards the predicted
/// class for a multiclass model): `reason_k` (the feature), `value_k` (its value in the row) and
/// `contribution_k`.
enum PredictionOneAnswer {
    static let reasonCount = 3

    static func json(
        version: String, request: PredictionOneRequest, table: (header: [String], rows: [[String]]), predictions: Predictions,
        contributions: Contributions?, schema: ModelSchema
    ) throws(PredictionOneError) -> [UInt8] {
        let keyIndex = try request.keyColumn.map { column throws(PredictionOneError) -> Int in
            guard let index = table.header.firstIndex(of: column) else { throw .badRequest("pc: no column \(column) in pr") }
            return index
        }
        func keys(_ row: Int) -> [String] {
            (keyIndex.map { [table.rows[row][$0]] } ?? []) + (request.noRowNumbers ? [] : ["\(row + 1)"])
        }
        let keyHeader = (request.keyColumn.map { [$0] } ?? []) + (request.noRowNumbers ? [] : ["row"])

        let isRegression = predictions.task == .regression
        let showsClass = isRegression || !(request.probabilitiesOnly && predictions.hasProbabilities)
        let appended = table.header.indices.filter { request.appendInputs && $0 != keyIndex }
        var valid = [keyHeader + (showsClass ? ["prediction"] : []) + predictions.classes.filter { _ in predictions.hasProbabilities }
            .map { "probability_\($0)" } + appended.map { table.header[$0] }]
        for row in 0..<predictions.rowCount {
            var cells = keys(row)
            if showsClass { cells.append(isRegression ? number(predictions.values[row]) : predictions.label(ofRow: row)) }
            cells += predictions.probabilities(ofRow: row).map(number)
            cells += appended.map { table.rows[row][$0] }
            valid.append(cells)
        }
        var outputs = [("prediction_valid.csv", CSVText.file(valid))]

        if let contributions {
            let count = min(reasonCount, schema.featureNames.count)
            var analysis = [keyHeader + (1..<count + 1).flatMap { ["reason_\($0)", "value_\($0)", "contribution_\($0)"] }]
            for row in 0..<contributions.rowCount {
                let group = contributions.groupCount == 1 ? 0 : predictions.labels[row]
                let values = Array(contributions.values(row: row, group: group).dropLast())  // the last is the bias
                let top = values.indices.sorted { (abs(values[$0]), $1) > (abs(values[$1]), $0) }.prefix(count)
                analysis.append(keys(row) + top.flatMap { feature in
                    let name = schema.featureNames[feature]
                    let value = table.header.firstIndex(of: name).map { table.rows[row][$0] } ?? ""
                    return [name, value, Float(values[feature]).isFinite ? Float(values[feature]).description : ""]
                })
            }
            outputs.append(("prediction_analysis.csv", CSVText.file(analysis)))
        }
        let items = outputs.map { name, text in
            "{\"name\":\(JSONText.quoted(name)),\"data\":\"\(Data(text.utf8).base64EncodedString())\"}"
        }
        return Array("{\"version\":\(JSONText.quoted(version)),\"outputs\":[\(items.joined(separator: ","))]}".utf8)
    }

    /// The shortest decimal that reads back as the same float32; empty when not finite.
    private static func number(_ value: Float) -> String {
        value.isFinite ? value.description : ""
    }
}
