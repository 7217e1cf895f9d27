import Foundation
import SibylCore

/// A model ready to serve: checked, flattened for fast evaluation, and immutable, so one instance can
/// be shared by every request thread at once.
public final class CompiledModel: Sendable {
    public let schema: ModelSchema
    /// The lookup request decoders use to place named features in columns.
    public let features: FeatureIndex
    let evaluator: any ModelEvaluator

    /// `knownHashes`: for each column that takes any text, the hashes of the categories the model knows;
    /// `absentValue`: what a feature a request leaves out is (`FeatureIndex.absentValue`).
    init(schema: ModelSchema, evaluator: any ModelEvaluator, knownHashes: [Int: [Int32]] = [:], absentValue: Float = .nan) {
        self.schema = schema
        self.features = FeatureIndex(schema: schema, knownHashes: knownHashes, absentValue: absentValue)
        self.evaluator = evaluator
    }

    /// Reads and compiles a model file; `format` nil means recognise it from its content.
    ///
    /// Every problem with the file is a `SibylError(.invalidModel, reason)`; a file cannot crash the loader.
    /// A model with more than `maxFeatures` features is refused as soon as the count is read: every request
    /// to a model builds rows as wide as its features, so an upload's width is a cost it puts on the node.
    /// The loaders' own bounds (2^20 features) hold whatever `maxFeatures` says.
    public static func load(_ bytes: [UInt8], format: ModelFormat?, maxFeatures: Int = .max) throws(SibylError) -> CompiledModel {
        let resolved: ModelFormat
        if let format { resolved = format } else { resolved = try recognise(bytes) }
        switch resolved {
        case .xgboostJSON, .xgboostUBJ: return try XGBoostJSONLoader.load(bytes, format: resolved, maxFeatures: maxFeatures)
        case .lightgbmText: return try LightGBMTextLoader.load(bytes, maxFeatures: maxFeatures)
        case .catboostJSON: return try CatBoostJSONLoader.load(bytes, maxFeatures: maxFeatures)
        case .onnx: return try ONNXLoader.load(bytes, maxFeatures: maxFeatures)
        }
    }

    /// Refuses a model of `count` features over `limit`, naming both and the `field` that declares the count.
    static func checkFeatureCount(_ count: Int, limit: Int, field: String) throws(SibylError) {
        guard count > limit else { return }
        throw SibylError(.invalidModel, "the model has \(count) features (\(field)), more than the limit of \(limit)")
    }

    /// Recognises a format from the first bytes. XGBoost's UBJSON files also start with `{`, but a length
    /// or container marker follows it where JSON has a quote, whitespace or `}`. CatBoost writes its JSON
    /// keys in alphabetical order, so its files open with `"ctr_data"` or `"features_info"`, where
    /// XGBoost's open with `"learner"` or `"version"`.
    /// An ONNX file is a protobuf `ModelProto`, whose writers all start with field 1, `ir_version`, a
    /// varint: the byte 0x08, which no text format starts with.
    private static func recognise(_ bytes: [UInt8]) throws(SibylError) -> ModelFormat {
        if bytes.first == 0x08 { return .onnx }
        // Every LightGBM 2.x–4.x text model's first line is exactly "tree".
        if bytes.starts(with: Array("tree\n".utf8)) || bytes.starts(with: Array("tree\r\n".utf8)) { return .lightgbmText }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        let content = bytes.drop(while: isSpace)
        guard content.first == UInt8(ascii: "{") else {
            throw SibylError(.invalidModel, "the file is not a model format Sibyl reads (XGBoost JSON or UBJSON, LightGBM text, CatBoost JSON, ONNX)")
        }
        if let marker = content.dropFirst().first, Array("LlIiU$#".utf8).contains(marker) {
            return .xgboostUBJ
        }
        let firstKey = content.dropFirst().drop(while: isSpace)
        if firstKey.starts(with: Array("\"ctr_data\"".utf8)) || firstKey.starts(with: Array("\"features_info\"".utf8)) {
            return .catboostJSON
        }
        return .xgboostJSON
    }

    /// Evaluates every row of `input`, whose columns must be the model's features in schema order.
    public func predict(_ input: FeatureMatrix) -> Predictions {
        evaluator.predict(input)
    }

    /// The columns a row must have a value in (see `ModelEvaluator.columnsNeedingValues`).
    public var columnsNeedingValues: IndexSet { evaluator.columnsNeedingValues }

    /// Operations a row costs beyond its trees and cells, for the evaluator's inline-or-pool decision.
    public var workPerRow: Int { evaluator.workPerRow }

    /// Whether `explain` is offered: a format without training covers (ONNX) cannot be explained exactly.
    public var explains: Bool { evaluator.explains }

    /// The exact contributions (TreeSHAP) of every feature to every row's margins; only where `explains`.
    public func explain(_ input: FeatureMatrix) -> Contributions {
        precondition(explains, "\(schema.format.rawValue) models are not explained")
        return evaluator.explain(input)
    }
}
