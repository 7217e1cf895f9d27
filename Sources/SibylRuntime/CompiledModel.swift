import SibylCore

/// A model ready to serve: checked, flattened for fast evaluation, and immutable, so one instance can
/// be shared by every request thread at once.
public final class CompiledModel: Sendable {
    public let schema: ModelSchema
    /// The lookup request decoders use to place named features in columns.
    public let features: FeatureIndex
    let objective: Objective
    let forest: Forest

    init(schema: ModelSchema, objective: Objective, forest: Forest) {
        self.schema = schema
        self.features = FeatureIndex(names: schema.featureNames)
        self.objective = objective
        self.forest = forest
    }

    /// Reads and compiles a model file; `format` nil means recognise it from its content.
    ///
    /// Every problem with the file is a `SibylError(.invalidModel, reason)`; a file cannot crash the loader.
    public static func load(_ bytes: [UInt8], format: ModelFormat?) throws(SibylError) -> CompiledModel {
        let resolved: ModelFormat
        if let format { resolved = format } else { resolved = try recognise(bytes) }
        switch resolved {
        case .xgboostJSON: return try XGBoostJSONLoader.load(bytes)
        }
    }

    /// Recognises a format from the first bytes. XGBoost's binary UBJSON files also start with `{`, but
    /// a type marker follows it where JSON has a quote or whitespace; they get a reason of their own.
    private static func recognise(_ bytes: [UInt8]) throws(SibylError) -> ModelFormat {
        let content = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard content.first == UInt8(ascii: "{") else {
            throw SibylError(.invalidModel, "the file is not a model format Sibyl reads (expected XGBoost JSON)")
        }
        if let marker = content.dropFirst().first, Array("LlIiU$#".utf8).contains(marker) {
            throw SibylError(.invalidModel, "XGBoost UBJSON models are not supported; save the model as .json")
        }
        return .xgboostJSON
    }

    /// Evaluates every row of `input`, whose columns must be the model's features in schema order.
    ///
    /// The margins match XGBoost's own predictor bit for bit (same float32 operations in the same order),
    /// and the transforms are XGBoost's float32 formulas; labels follow xgboost's scikit-learn wrapper.
    public func predict(_ input: FeatureMatrix) -> Predictions {
        let margins = forest.margins(input)
        let rows = input.rows
        let groups = forest.groupCount
        var probabilities: [Float] = []
        var labels: [Int] = []
        var values: [Float] = []
        switch objective {
        case .binaryLogistic:
            probabilities.reserveCapacity(rows * 2)
            labels.reserveCapacity(rows)
            for margin in margins {
                let positive = Objective.sigmoid(margin)
                // The wrapper's predict_proba computes the other column as 1 - p in float32.
                probabilities.append(1 - positive)
                probabilities.append(positive)
                labels.append(positive > 0.5 ? 1 : 0)
            }
        case .binaryLogitRaw:
            labels = margins.map { $0 > 0 ? 1 : 0 }
        case .regSquaredError:
            values = margins
        case .regLogistic:
            values = margins.map(Objective.sigmoid)
        case .multiSoftprob:
            probabilities = margins
            labels.reserveCapacity(rows)
            probabilities.withUnsafeMutableBufferPointer { all in
                for row in 0..<rows {
                    let slice = UnsafeMutableBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])
                    Objective.softmax(slice)
                    labels.append(Objective.firstMaxIndex(UnsafeBufferPointer(slice)))
                }
            }
        case .multiSoftmax:
            labels.reserveCapacity(rows)
            margins.withUnsafeBufferPointer { all in
                for row in 0..<rows {
                    labels.append(Objective.firstMaxIndex(UnsafeBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])))
                }
            }
        }
        return Predictions(
            task: schema.task, classes: schema.classes, rowCount: rows, marginsPerRow: groups, margins: margins,
            hasProbabilities: objective == .binaryLogistic || objective == .multiSoftprob,
            probabilities: probabilities, labels: labels, values: values)
    }
}
