import SibylCore

/// A model ready to serve: checked, flattened for fast evaluation, and immutable, so one instance can
/// be shared by every request thread at once.
public final class CompiledModel: Sendable {
    public let schema: ModelSchema
    /// The lookup request decoders use to place named features in columns.
    public let features: FeatureIndex
    let evaluator: any ModelEvaluator

    init(schema: ModelSchema, evaluator: any ModelEvaluator) {
        self.schema = schema
        self.features = FeatureIndex(names: schema.featureNames)
        self.evaluator = evaluator
    }

    /// Reads and compiles a model file; `format` nil means recognise it from its content.
    ///
    /// Every problem with the file is a `SibylError(.invalidModel, reason)`; a file cannot crash the loader.
    public static func load(_ bytes: [UInt8], format: ModelFormat?) throws(SibylError) -> CompiledModel {
        let resolved: ModelFormat
        if let format { resolved = format } else { resolved = try recognise(bytes) }
        switch resolved {
        case .xgboostJSON, .xgboostUBJ: return try XGBoostJSONLoader.load(bytes, format: resolved)
        case .lightgbmText: return try LightGBMTextLoader.load(bytes)
        }
    }

    /// Recognises a format from the first bytes. XGBoost's UBJSON files also start with `{`, but a length
    /// or container marker follows it where JSON has a quote, whitespace or `}`.
    private static func recognise(_ bytes: [UInt8]) throws(SibylError) -> ModelFormat {
        // Every LightGBM 2.x–4.x text model's first line is exactly "tree".
        if bytes.starts(with: Array("tree\n".utf8)) || bytes.starts(with: Array("tree\r\n".utf8)) { return .lightgbmText }
        let content = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard content.first == UInt8(ascii: "{") else {
            throw SibylError(.invalidModel, "the file is not a model format Sibyl reads (XGBoost JSON or UBJSON, LightGBM text)")
        }
        if let marker = content.dropFirst().first, Array("LlIiU$#".utf8).contains(marker) {
            return .xgboostUBJ
        }
        return .xgboostJSON
    }

    /// Evaluates every row of `input`, whose columns must be the model's features in schema order.
    public func predict(_ input: FeatureMatrix) -> Predictions {
        evaluator.predict(input)
    }

    /// The exact contributions (TreeSHAP) of every feature to every row's margins.
    public func explain(_ input: FeatureMatrix) -> Contributions {
        evaluator.explain(input)
    }
}
