/// The file formats Sibyl reads a model from.
public enum ModelFormat: String, Sendable, Codable, CaseIterable {
    /// XGBoost's `save_model("….json")`.
    case xgboostJSON = "xgboost-json"
    /// XGBoost's `save_model("….ubj")`: the same document in Universal Binary JSON.
    case xgboostUBJ = "xgboost-ubj"
    /// LightGBM's `save_model("….txt")`.
    case lightgbmText = "lightgbm-text"
}

/// What a model predicts.
public enum ModelTask: String, Sendable, Codable, CaseIterable {
    case binary, multiclass, regression
}

/// What Sibyl knows of a model once it has read the file: enough to validate inputs and shape outputs.
public struct ModelSchema: Sendable, Equatable, Codable {
    public var format: ModelFormat
    public var task: ModelTask
    /// The training library's objective, as written in the file (`binary:logistic`, …).
    public var objective: String
    /// Feature names in the model's column order; generated as `f0…` when the file has none.
    public var featureNames: [String]
    /// Class labels of a classifier in output order; empty for a regressor.
    public var classes: [String]
    public var treeCount: Int

    public init(
        format: ModelFormat, task: ModelTask, objective: String,
        featureNames: [String], classes: [String], treeCount: Int
    ) {
        self.format = format
        self.task = task
        self.objective = objective
        self.featureNames = featureNames
        self.classes = classes
        self.treeCount = treeCount
    }
}
