// Times Sibyl's runtime on one model, single thread: µs per row for one row at a time, for batches of
// 1,000 rows, and for TreeSHAP contributions. Prints one JSON object; bench/runtime.sh puts it next to
// the training library's own figures measured in the same run.
//
//   RuntimeBenchmark MODEL_FILE ROWS_CSV
import Foundation
import SibylCore
import SibylRuntime

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Seconds per call of `body`, the median of `rounds` timed runs of `calls` calls each.
func time(rounds: Int, calls: Int, _ body: () -> Void) -> Double {
    median((0..<rounds).map { _ in
        let start = ContinuousClock.now
        for _ in 0..<calls { body() }
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(calls)
    })
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: RuntimeBenchmark MODEL_FILE ROWS_CSV\n".utf8))
    exit(2)
}
let model = try CompiledModel.load([UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[1]))), format: nil)
// The rows as the data plane reads a CSV body: raw text categories and blanks included.
let all = try PredictionInput.decode(
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[2]))), mediaType: "text/csv", features: model.features,
    limits: InputLimits(maxRows: 100_000, maxCells: 1 << 24))
let columns = all.columns
let singles = (0..<all.rows).map { FeatureMatrix(rows: 1, columns: columns, values: Array(all.values[$0 * columns..<($0 + 1) * columns])) }

var sink: Float = 0
var next = 0
let oneRow = time(rounds: 7, calls: singles.count) {
    sink += model.predict(singles[next % singles.count]).margins[0]
    next += 1
}
let batch = time(rounds: 7, calls: 3) { sink += model.predict(all).margins[0] } / Double(all.rows)
let explainRows = FeatureMatrix(rows: 100, columns: columns, values: Array(all.values.prefix(100 * columns)))
// A model without contributions (ONNX) reports null.
let explain = model.explains ? "\(time(rounds: 5, calls: 1) { sink += Float(model.explain(explainRows).values[0]) } / 100 * 1e6)" : "null"
print(
    "{\"predict_1_row_us\": \(oneRow * 1e6), \"predict_batch_us_per_row\": \(batch * 1e6), "
        + "\"explain_us_per_row\": \(explain), \"checksum\": \(sink.isFinite ? 1 : 0)}")
