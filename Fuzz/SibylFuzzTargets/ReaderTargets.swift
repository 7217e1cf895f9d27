import SibylCore
import SibylRuntime

/// The readers of prediction bodies (`/predict`, and the CSV inside Prediction One's) and the JSON reader that
/// every JSON body and model goes through.
enum ReaderTargets {
    /// The feature names of the committed fixtures' models, and two that need quoting or are not ASCII: a
    /// category known by code and one known by name, with LightGBM's rule for spaces in names.
    static let features = FeatureIndex(
        names: (0..<30).map { "f\($0)" } + ["a,b", "名前"],
        types: Array(repeating: .number, count: 30) + [.category([]), .category(["x", "y z", "名", "\"q\""])],
        spacesAsUnderscores: true)
    static let maxRows = 1_000
    static let limits = InputLimits(maxRows: maxRows, maxCells: 1 << 22)

    static func json(_ bytes: [UInt8]) {
        do {
            let value = try JSONValue.parse(bytes)
            require(depth(value) <= 64, "a document nested deeper than 64 levels was accepted")
        } catch {
            requireCode(error, in: [.malformedBody])
        }
    }

    static func csv(_ bytes: [UInt8]) {
        decode(bytes, mediaType: "text/csv")
        do {
            let records = try CSVRecords.read(bytes)
            require(records.reduce(0) { $0 + $1.count } <= bytes.count + records.count, "more cells than the text can hold")
        } catch {
            requireCode(error, in: [.malformedBody])
        }
    }

    static func predictJSON(_ bytes: [UInt8]) {
        decode(bytes, mediaType: "application/json")
    }

    /// Decodes for the fixtures' features; what is accepted is a whole matrix of at most `maxRows` rows.
    private static func decode(_ bytes: [UInt8], mediaType: String) {
        do {
            let matrix = try PredictionInput.decode(bytes, mediaType: mediaType, features: features, limits: limits)
            require(matrix.columns == features.names.count, "\(matrix.columns) columns for \(features.names.count) features")
            require((1...maxRows).contains(matrix.rows), "\(matrix.rows) rows accepted")
            require(matrix.values.count == matrix.rows * matrix.columns, "\(matrix.values.count) values for \(matrix.rows) rows")
        } catch {
            requireCode(error, in: [.malformedBody, .invalidInput, .tooManyRows])
        }
    }

    static func depth(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.lazy.map(depth).max() ?? 0)
        case .object(let members): 1 + (members.values.lazy.map(depth).max() ?? 0)
        default: 0
        }
    }
}
