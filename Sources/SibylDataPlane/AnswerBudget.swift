import SibylApp
import SibylCore
import SibylHTTP
import SibylWire

/// The size of the answer a prediction request asks for, estimated from the request and the model's schema
/// before anything is evaluated, so that a small request cannot make the node compute and build a huge
/// answer: rows × the outputs it names × the width of each (classes, groups × features).
///
/// Estimates are upper bounds of the JSON (the larger of Sibyl's encodings): a float32 takes at most
/// `numberBytes`, a class or feature name the length of the longest one as written. Beyond `ServerConfiguration.maxAnswerBytes` the request is refused with 413 `answer_too_large`.
struct AnswerBudget {
    let limit: Int

    /// A float32 as JSON text and its separator: `-1.1754944e-38,`.
    static let numberBytes = 16.0
    /// Room for a row's fixed text (braces, member names, a row number).
    static let rowBytes = 32.0
    /// Room for the fixed text around an answer and each of its outputs.
    static let fixedBytes = 256.0

    func check(_ bytes: Int) throws(SibylError) {
        guard bytes > limit else { return }
        throw SibylError(
            .answerTooLarge, "the answer would take up to \(bytes) bytes, more than the limit of \(limit); ask for fewer rows or outputs")
    }

    /// `/predict`: per row a label and a probability per class, or a value; with `explain`, a named
    /// contribution per feature and the bias, per class for a multiclass model.
    static func predict(rows: Int, schema: ModelSchema, explain: Bool) -> Int {
        let row =
            schema.task == .regression
            ? rowBytes + numberBytes
            : rowBytes + quoted(schema.classes) * Double(1 + schema.classes.count) + numberBytes * Double(schema.classes.count)
        var contributions = 0.0
        if explain {
            let named = Double(schema.featureNames.count + 1) * (max(quoted(schema.featureNames), quoted(["bias"])) + numberBytes)
            contributions = Double(groups(schema)) * (quoted(schema.classes) + named)
        }
        return bytes(fixedBytes + Double(rows) * (row + contributions))
    }

    /// v2 `infer`: each output named (or the defaults) at its shape, as JSON or, with `binary_data`, four
    /// bytes a value (a label: four bytes and its text); contributions at least the eight bytes a value they
    /// take while computed.
    static func inference(outputs: [InferenceRequest.Output], rows: Int, schema: ModelSchema, id: String?) -> Int {
        var total = fixedBytes + 6 * Double(id?.utf8.count ?? 0)
        for output in outputs {
            let width = output.binary ? 4 : numberBytes
            let values: Double =
                switch output.name {
                case "label": output.binary ? 4 + longest(schema.classes) : quoted(schema.classes)
                case "probabilities": Double(schema.classes.count) * width
                case "margin": Double(groups(schema)) * width
                case "contributions": Double(groups(schema)) * Double(schema.featureNames.count + 1) * max(width, 8)
                default: width  // value
                }
            total += fixedBytes + Double(rows) * values
        }
        return bytes(total)
    }

    /// Prediction One: base64 of CSV files, per row the keys, the prediction and a probability per class, and
    /// with `ar` three reasons and the explanation they are chosen from (eight bytes a contribution); the cells
    /// of the input it repeats (the `pc` column in both files, every cell with `ad`, three values per row with
    /// `ar`) at most three times their size in the input once quoted again.
    static func predictionOne(_ request: PredictionOneRequest, rows: Int, schema: ModelSchema) -> Int {
        let csvName = { (names: [String]) in Double(names.lazy.map { CSVText.cell($0).utf8.count + 1 }.max() ?? 0) }
        var perRow = rowBytes + max(numberBytes, csvName(schema.classes)) + Double(schema.classes.count) * numberBytes
        if request.reasons { perRow += rowBytes + 3 * (csvName(schema.featureNames) + 2 * numberBytes) }
        let copies = (request.keyColumn == nil ? 0 : 2) + (request.appendInputs ? 1 : 0) + (request.reasons ? 3 : 0)
        let header = Double(schema.classes.count) * (csvName(schema.classes) + 13)
        let csv = header + Double(rows) * perRow + Double(copies) * 3 * Double(request.csv.count)
        let explanation = request.reasons ? 8 * Double(rows) * Double(groups(schema)) * Double(schema.featureNames.count + 1) : 0
        return bytes(fixedBytes + csv * 4 / 3 + explanation)
    }

    /// Sizes are reckoned in floating point, which cannot overflow whatever the widths; the estimate is the
    /// whole number of bytes above it.
    private static func bytes(_ estimate: Double) -> Int {
        Int(min(estimate.rounded(.up), 1e18))
    }

    /// Rows of margins (and of contributions): one per class for a multiclass model, else one.
    private static func groups(_ schema: ModelSchema) -> Int {
        schema.task == .multiclass ? schema.classes.count : 1
    }

    private static func longest(_ names: [String]) -> Double {
        Double(names.lazy.map(\.utf8.count).max() ?? 0)
    }

    /// The longest name as a JSON string (as `JSONText.quoted` writes it), with its separator. Counted on the
    /// bytes without building the strings, as `/predict` asks it of every request.
    private static func quoted(_ names: [String]) -> Double {
        var longest = 0
        for name in names {
            var length = 3  // the quotes and a separator
            for byte in name.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09: length += 2
                case ..<0x20: length += 6
                default: length += 1
                }
            }
            longest = max(longest, length)
        }
        return Double(longest)
    }
}
