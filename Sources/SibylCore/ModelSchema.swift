/// The file formats Sibyl reads a model from.
public enum ModelFormat: String, Sendable, Codable, CaseIterable {
    /// XGBoost's `save_model("….json")`.
    case xgboostJSON = "xgboost-json"
    /// XGBoost's `save_model("….ubj")`: the same document in Universal Binary JSON.
    case xgboostUBJ = "xgboost-ubj"
    /// LightGBM's `save_model("….txt")`.
    case lightgbmText = "lightgbm-text"
    /// CatBoost's `save_model("….json", format="json")`.
    case catboostJSON = "catboost-json"
    /// An ONNX model (`….onnx`), as skl2onnx and onnxmltools write tree ensembles.
    case onnx
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
    /// What each feature takes, in column order; nil when every feature is a number (and in the schemas
    /// stored before categories were described).
    public var featureTypes: [FeatureType]?

    public init(
        format: ModelFormat, task: ModelTask, objective: String,
        featureNames: [String], classes: [String], treeCount: Int, featureTypes: [FeatureType]? = nil
    ) {
        self.format = format
        self.task = task
        self.objective = objective
        self.featureNames = featureNames
        self.classes = classes
        self.treeCount = treeCount
        self.featureTypes = featureTypes.flatMap { $0.allSatisfy { $0 == .number } ? nil : $0 }
    }

    /// What the feature in `column` takes.
    public func type(ofFeature column: Int) -> FeatureType {
        featureTypes?[column] ?? .number
    }
}

/// What a model's feature takes: a number, or a category, sent as its code or, where the model names its
/// categories, as its name.
public struct FeatureType: Sendable, Equatable, Codable {
    public var isCategory: Bool
    /// A categorical feature's category names in code order (code k names `categories[k]`); empty where
    /// the model knows its categories by code only.
    public var categories: [String]
    /// A CatBoost category: the model keeps a hash of each text it saw and no names, so it takes any
    /// text (nil in the schemas of other formats and of those stored before CatBoost).
    public var takesAnyText: Bool?
    /// A number that must be whole: an ONNX graph's integer input (a frame's int64 column), which has no
    /// fraction and no missing value (nil in the schemas of other formats and of those stored before it).
    public var wholeNumber: Bool?

    public static let number = FeatureType(isCategory: false, categories: [])
    public static let anyText = FeatureType(isCategory: true, categories: [], takesAnyText: true)
    public static let wholeNumbers = FeatureType(isCategory: false, categories: [], wholeNumber: true)

    /// The type as the API and the console name it: `number` or `category`.
    public var name: String { isCategory ? "category" : "number" }

    public static func category(_ names: [String]) -> FeatureType {
        FeatureType(isCategory: true, categories: names)
    }

    init(isCategory: Bool, categories: [String], takesAnyText: Bool? = nil, wholeNumber: Bool? = nil) {
        self.isCategory = isCategory
        self.categories = categories
        self.takesAnyText = takesAnyText
        self.wholeNumber = wholeNumber
    }
}
