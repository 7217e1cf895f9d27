import SibylCore

/// Encodes `Predictions` as a response body.
///
/// Numbers are written as the shortest decimal that reads back as the same float32 (Swift's
/// `Float.description`, e.g. `0.9943435`, `1e-05`), which is valid JSON and loses nothing.
public enum PredictionOutput {
    /// `{"predictions":[…]}` with one object per row:
    /// - classifier: `{"label":"1","probabilities":{"0":0.00565651,"1":0.9943435}}`, with the
    ///   `probabilities` member left out when the objective gives none (`multi:softmax`, `binary:logitraw`);
    /// - regressor: `{"value":12.5}`.
    ///
    /// A non-finite number is written `null`.
    public static func json(_ predictions: Predictions) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + predictions.rowCount * (predictions.task == .regression ? 24 : 24 + 20 * predictions.classes.count))
        // Class names are constants of the model: encode them once, not once per row.
        let labels = predictions.classes.map { jsonString($0) }
        out.append(contentsOf: #"{"predictions":["#.utf8)
        for row in 0..<predictions.rowCount {
            if row > 0 { out.append(UInt8(ascii: ",")) }
            if predictions.task == .regression {
                out.append(contentsOf: #"{"value":"#.utf8)
                appendJSONNumber(predictions.values[row], to: &out)
            } else {
                out.append(contentsOf: #"{"label":"#.utf8)
                out.append(contentsOf: labels[predictions.labels[row]])
                if predictions.hasProbabilities {
                    out.append(contentsOf: #","probabilities":{"#.utf8)
                    for (index, probability) in predictions.probabilities(ofRow: row).enumerated() {
                        if index > 0 { out.append(UInt8(ascii: ",")) }
                        out.append(contentsOf: labels[index])
                        out.append(UInt8(ascii: ":"))
                        appendJSONNumber(probability, to: &out)
                    }
                    out.append(UInt8(ascii: "}"))
                }
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// CSV with a header and one line per row, LF line ends:
    /// - classifier: `label,p_0,p_1,…` (one `p_<class>` column per class, in class order), or just
    ///   `label` when the objective gives no probabilities;
    /// - regressor: `value`.
    ///
    /// A non-finite number is an empty cell; a cell holding `,`, `"` or a line break is quoted.
    public static func csv(_ predictions: Predictions) -> [UInt8] {
        var out: [UInt8] = []
        let isRegression = predictions.task == .regression
        out.reserveCapacity(16 + predictions.rowCount * (isRegression ? 12 : 4 + 12 * predictions.classes.count))
        let labels = predictions.classes.map { csvCell($0) }
        if isRegression {
            out.append(contentsOf: "value".utf8)
        } else {
            out.append(contentsOf: "label".utf8)
            if predictions.hasProbabilities {
                for name in predictions.classes {
                    out.append(UInt8(ascii: ","))
                    out.append(contentsOf: csvCell("p_" + name))
                }
            }
        }
        out.append(0x0A)
        for row in 0..<predictions.rowCount {
            if isRegression {
                appendCSVNumber(predictions.values[row], to: &out)
            } else {
                out.append(contentsOf: labels[predictions.labels[row]])
                if predictions.hasProbabilities {
                    for probability in predictions.probabilities(ofRow: row) {
                        out.append(UInt8(ascii: ","))
                        appendCSVNumber(probability, to: &out)
                    }
                }
            }
            out.append(0x0A)
        }
        return out
    }

    private static func appendJSONNumber(_ value: Float, to out: inout [UInt8]) {
        if value.isFinite {
            out.append(contentsOf: value.description.utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    private static func appendCSVNumber(_ value: Float, to out: inout [UInt8]) {
        if value.isFinite { out.append(contentsOf: value.description.utf8) }
    }

    /// A JSON string literal, escaping what RFC 8259 requires.
    static func jsonString(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// A CSV cell, quoted only when RFC 4180 needs it.
    static func csvCell(_ text: String) -> [UInt8] {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return Array(text.utf8) }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
