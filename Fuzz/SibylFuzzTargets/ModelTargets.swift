import SibylCore
import SibylRuntime

/// The model loaders, each through `CompiledModel.load` (which reads XGBoost's UBJSON with the UBJSON reader),
/// and what a model they accept must then do: predict and explain any row without trapping, with answers of
/// the documented shapes.
enum ModelTargets {
    static func xgboostJSON(_ bytes: [UInt8]) { load(bytes, .xgboostJSON) }
    static func xgboostUBJ(_ bytes: [UInt8]) { load(bytes, .xgboostUBJ) }
    static func lightGBM(_ bytes: [UInt8]) { load(bytes, .lightgbmText) }
    static func catBoost(_ bytes: [UInt8]) { load(bytes, .catboostJSON) }
    static func onnx(_ bytes: [UInt8]) { load(bytes, .onnx) }

    /// Values to try a model on: zeros, missing values, and extremes either side of any threshold.
    static let rowValues: [Float] = [0, .nan, -3e38, 3e38, 1, -1, 0.5]
    /// Explanations are tried up to this many values (rows × groups × features), as a node bounds them.
    static let maxExplainedValues = 1 << 20

    private static func load(_ bytes: [UInt8], _ format: ModelFormat) {
        let model: CompiledModel
        do {
            model = try CompiledModel.load(bytes, format: format)
        } catch {
            requireCode(error, in: [.invalidModel])
            return
        }
        let schema = model.schema
        let columns = schema.featureNames.count
        require(model.features.names == schema.featureNames, "the feature index is not the schema's")
        require((schema.task == .regression) == schema.classes.isEmpty, "a \(schema.task) model with \(schema.classes.count) classes")
        let rows = rowValues.count
        var values: [Float] = []
        for row in 0..<rows { values += (0..<columns).map { rowValues[(row + $0) % rowValues.count] } }
        let input = FeatureMatrix(rows: rows, columns: columns, values: values)

        let predictions = model.predict(input)
        require(predictions.rowCount == rows, "\(predictions.rowCount) predictions for \(rows) rows")
        require(predictions.margins.count == rows * predictions.marginsPerRow, "\(predictions.margins.count) margins")
        if schema.task == .regression {
            require(predictions.values.count == rows, "\(predictions.values.count) values for \(rows) rows")
        } else {
            require(predictions.labels.count == rows, "\(predictions.labels.count) labels for \(rows) rows")
            require(predictions.labels.allSatisfy { schema.classes.indices.contains($0) }, "a label outside the classes")
            if predictions.hasProbabilities {
                require(predictions.probabilities.count == rows * schema.classes.count, "\(predictions.probabilities.count) probabilities")
            }
        }

        let groups = predictions.marginsPerRow
        // A model without training covers (ONNX) is never explained: the node refuses before it asks.
        guard model.explains, rows * groups * (columns + 1) <= maxExplainedValues else { return }
        let contributions = model.explain(input)
        require(
            contributions.rowCount == rows && contributions.groupCount == groups && contributions.featureCount == columns
                && contributions.values.count == rows * groups * (columns + 1),
            "contributions of shape \(contributions.rowCount)×\(contributions.groupCount)×\(contributions.featureCount) "
                + "(\(contributions.values.count) values) for \(rows)×\(groups)×\(columns)")
    }
}
