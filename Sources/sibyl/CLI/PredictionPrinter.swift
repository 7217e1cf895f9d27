import Foundation

/// Prints the answers of a prediction's batches as one answer, each batch as it arrives, so that a reader
/// sees the first rows at once and one that stops early (`| head`) ends the command before the rest is sent.
/// CSV: the first batch's header once. A table: the header and column widths of the first batch, rows
/// numbered across batches. JSON: `{"predictions": [` with one prediction a line, closed by `finish`.
struct PredictionPrinter {
    let format: Predict.Format
    private var printed = 0
    private var widths: [Int] = []
    private var classes: [String] = []
    private var hasLabel = false

    init(format: Predict.Format) {
        self.format = format
    }

    mutating func add(_ answer: ServerAnswer, totalRows: Int) {
        switch format {
        case .csv:
            if printed == 0 {
                Output.standardOutput(answer.body)
            } else {
                // Every batch's answer starts with the same header line.
                let start = CSVLines.records(answer.body).first.map { Self.lineEnd(answer.body, after: $0) } ?? 0
                Output.standardOutput(Array(answer.body[start...]))
            }
            printed += 1
        case .json:
            var object = answer.object
            let predictions = object.removeValue(forKey: "predictions") as? [Any] ?? []
            if printed == 0 {
                // Any other member of the answer comes before the predictions, as the first batch tells it.
                let others = object.keys.sorted().map { "\(Self.compact($0)): \(Self.compact(object[$0]!))" }
                Output.line("{" + (others + ["\"predictions\": ["]).joined(separator: ", "))
            }
            var text = ""
            for prediction in predictions {
                text += (printed == 0 ? "  " : ", ") + Self.compact(prediction) + "\n"
                printed += 1
            }
            Output.standardOutput(Array(text.utf8))
        case .table:
            let predictions = answer.object["predictions"] as? [[String: Any]] ?? []
            if printed == 0 { header(predictions, totalRows: totalRows) }
            for prediction in predictions {
                printed += 1
                let probabilities = prediction["probabilities"] as? [String: Any] ?? [:]
                row(["\(printed)", Output.text(prediction[hasLabel ? "label" : "value"])] + classes.map { Output.text(probabilities[$0]) })
            }
        }
    }

    /// Ends the output: closes JSON's array (an input of no rows is an empty one).
    func finish() {
        guard format == .json else { return }
        if printed == 0 { Output.line("{\"predictions\": [") }
        Output.line("]}")
    }

    private mutating func header(_ predictions: [[String: Any]], totalRows: Int) {
        classes = (predictions.first?["probabilities"] as? [String: Any])?.keys.sorted() ?? []
        hasLabel = predictions.first?["label"] != nil
        let header = ["ROW", hasLabel ? "LABEL" : "VALUE"] + classes.map { "P(\($0))" }
        widths = header.map(\.count)
        widths[0] = max(widths[0], String(totalRows).count)
        for prediction in predictions {
            let probabilities = prediction["probabilities"] as? [String: Any] ?? [:]
            let cells = [Output.text(prediction[hasLabel ? "label" : "value"])] + classes.map { Output.text(probabilities[$0]) }
            for (index, cell) in cells.enumerated() { widths[index + 1] = max(widths[index + 1], cell.count) }
        }
        row(header)
    }

    /// Cells left-aligned two spaces apart; a cell wider than its column (a later batch's) pushes the rest.
    private func row(_ cells: [String]) {
        Output.line(cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0)
        }.joined(separator: "  "))
    }

    private static func compact(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Where the line of `record` ends, past its LF, CRLF or CR.
    private static func lineEnd(_ bytes: [UInt8], after record: Range<Int>) -> Int {
        var end = record.upperBound
        if end < bytes.count, bytes[end] == 0x0D { end += 1 }
        if end < bytes.count, bytes[end] == 0x0A { end += 1 }
        return end
    }
}
