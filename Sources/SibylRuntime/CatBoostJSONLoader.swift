import SibylCore

/// Reads a model saved by CatBoost 1.x with `save_model(…, format="json")` and compiles its oblivious trees
/// twice: into the double-precision forest LightGBM models use (`LightGBMForest`), whose TreeSHAP gives
/// catboost's contributions, and as oblivious trees (`ObliviousForest`), which give the margins faster.
///
/// An oblivious tree of depth d asks the same d questions on every path; leaf index bit i is the answer
/// to question i. Laid out as a binary tree it has 2^d leaves, and each question becomes one split:
/// - a float border `x > border` (bit 1 goes right), a missing value going where the feature's
///   `nan_value_treatment` sends it (AsTrue: bit 1; AsFalse and AsIs: bit 0);
/// - a one-hot value or a CTR border: both depend on the category alone, so each becomes a categorical
///   split on the category's code (`CatBoostCategories`), the codes whose answer differs from that of a
///   category never seen in training going left; an unseen or missing category goes right.
/// A CTR over a combination of features (`max_ctr_complexity` > 1) depends on several columns at once: each
/// combination is computed into a column of its own before the trees run (`CatBoostCombinations`). Text
/// and embedding features are refused.
///
/// Every field is treated as hostile, as in the other loaders: a bad file ends in
/// `SibylError(.invalidModel, "<field>: <reason>")`, never in a trap.
enum CatBoostJSONLoader {
    static let maxFeatures = 1 << 20
    static let maxClasses = 1 << 16
    /// CatBoost's own ceiling on an oblivious tree's depth.
    static let maxDepth = 16
    /// Leaves of all trees and outputs together once laid out (2^depth per tree and output): a model's
    /// memory grows with them, about 100 bytes each with their splits and TreeSHAP's copy, and a file
    /// of a few bytes per leaf value could otherwise ask for gigabytes. CatBoost's default model (1,000
    /// trees of depth 6) has 64,000.
    static let maxLeaves = 1 << 21

    /// Loss functions by the transform CatBoost's `predict` applies to the raw values.
    static let sigmoidLosses: Set = ["Logloss", "CrossEntropy"]
    static let identityLosses: Set = ["RMSE", "MAE", "Quantile", "MAPE", "Huber", "Expectile", "Lq", "LogCosh"]
    static let supported = "Logloss, CrossEntropy, MultiClass, " + identityLosses.sorted().joined(separator: ", ")

    static func load(_ bytes: [UInt8], maxFeatures featureLimit: Int = .max) throws(SibylError) -> CompiledModel {
        let document: ModelValue
        do {
            document = try JSONReader.parse(bytes, as: ModelValue.self)
        } catch {
            throw SibylError(.invalidModel, "the model file is not valid JSON: \(error.message)")
        }
        let root = ModelField(root: document)
        let info = try root.member("features_info")
        for (key, kind) in [("text_features", "text"), ("embedding_features", "embedding")] {
            if let field = try info.optionalMember(key), try field.elements().count > 0 {
                throw field.invalid("\(kind) features are not supported")
            }
        }
        let columns = try CatBoostColumns(info, featureLimit: min(featureLimit, maxFeatures))
        var categories = try CatBoostCategories(info, root: root, columns: columns)
        let scaleAndBias = try root.member("scale_and_bias")
        let scaleBias = try scaleAndBias.elements()
        guard scaleBias.count == 2 else { throw scaleAndBias.invalid("expected [scale, [bias, …]]") }
        let scale = try scaleBias[0].double()
        let objective = try objective(root, outputs: scaleBias[1].elements().count)
        let bias = try scaleBias[1].doubles()

        // Each combination of features is a column after the model's own (`CatBoostCombinations`).
        let combinations = categories.combinations
        var builder = LightGBMForest.Builder(
            featureCount: columns.names.count + combinations.combinations.count, groupCount: objective.outputCount,
            readsTinyAsZero: false, shapFeatures: combinations.shapFeatures)
        let trees = try root.member("oblivious_trees").elements()
        var leaves = 0
        for tree in trees {
            let depth = try tree.member("splits").elements().count
            guard depth <= maxDepth else { throw tree.invalid("is \(depth) splits deep, more than CatBoost's \(maxDepth)") }
            leaves += objective.outputCount << depth
            guard leaves <= maxLeaves else {
                throw tree.invalid("the model has more than \(maxLeaves) leaves once its trees are laid out")
            }
        }
        var obliviousTrees: [(questions: [CatBoostCategories.Question], values: [Double])] = []
        for tree in trees {
            let splits = try tree.member("splits").elements()
            var questions: [CatBoostCategories.Question] = []
            for split in splits { questions.append(try categories.question(split, columns: columns)) }
            let values = try tree.member("leaf_values")
            let weights = try tree.member("leaf_weights")
            // Leaf values times the scale, once for both layouts (catboost scales the sum; the products differ
            // from it by rounding only).
            let scaled = try values.doubles().map { scale == 1 ? $0 : scale * $0 }
            let layout = try ObliviousTree(
                questions: questions, values: scaled, weights: weights.doubles(), outputs: objective.outputCount, field: values)
            obliviousTrees.append((questions, scaled))
            for (group, binaryTree) in layout.trees().enumerated() {
                try builder.add(binaryTree, group: group, place: tree.path)
            }
        }
        // CatBoost adds the bias after the scaled sum; a one-leaf tree per output does so last, and
        // TreeSHAP counts it in the bias as CatBoost does.
        for (group, value) in bias.enumerated() where value != 0 {
            try builder.add(ObliviousTree.constant(value), group: group, place: scaleAndBias.path)
        }
        let schema = ModelSchema(
            format: .catboostJSON, task: objective.task, objective: objective.line, featureNames: columns.names,
            classes: try classes(root, task: objective.task, count: objective.outputCount), treeCount: trees.count,
            featureTypes: columns.types)
        let oblivious = ObliviousForest(
            trees: obliviousTrees, bias: bias, outputs: objective.outputCount, featureCount: builder.featureCount)
        let model = LightGBMModel(
            schema: schema, objective: objective, forest: builder.build(), oblivious: oblivious,
            combinations: combinations.combinations.isEmpty ? nil : combinations)
        return CompiledModel(schema: schema, evaluator: model, knownHashes: categories.knownHashes)
    }

    /// The loss function named in `model_info.params.loss_function.type`, as the transform of the
    /// `outputs` raw values (one per bias in `scale_and_bias`).
    private static func objective(_ root: ModelField, outputs: Int) throws(SibylError) -> LightGBMObjective {
        let field = try root.member("model_info").member("params").member("loss_function").member("type")
        let name = try field.string()
        switch name {
        case _ where sigmoidLosses.contains(name):
            guard outputs == 1 else { throw field.invalid("\(name) has one output, but scale_and_bias has \(outputs)") }
            return LightGBMObjective(line: name, task: .binary, outputCount: 1, transform: .sigmoid(1))
        case "MultiClass":
            guard (2...maxClasses).contains(outputs) else {
                throw field.invalid("MultiClass needs 2...\(maxClasses) outputs, but scale_and_bias has \(outputs)")
            }
            return LightGBMObjective(line: name, task: .multiclass, outputCount: outputs, transform: .softmax)
        case _ where identityLosses.contains(name):
            guard outputs == 1 else { throw field.invalid("\(name) has one output, but scale_and_bias has \(outputs)") }
            return LightGBMObjective(line: name, task: .regression, outputCount: 1, transform: .identity)
        default:
            throw field.invalid("unsupported loss function \"\(name.prefix(64))\" (supported: \(supported))")
        }
    }

    /// A classifier's labels from `model_info.class_params.class_names` (numbers or texts), else 0, 1, ….
    private static func classes(_ root: ModelField, task: ModelTask, count: Int) throws(SibylError) -> [String] {
        let classCount = task == .binary ? 2 : count
        guard task != .regression else { return [] }
        guard let names = try root.member("model_info").optionalMember("class_params")?.optionalMember("class_names") else {
            return (0..<classCount).map(String.init)
        }
        let elements = try names.elements()
        guard elements.count == classCount else {
            throw names.invalid("names \(elements.count) classes for a model of \(classCount)")
        }
        return try elements.map { name throws(SibylError) in
            switch name.value {
            case .string(let text): return text
            case .number(let number) where number == number.rounded() && abs(number) < 0x1p53: return String(Int64(number))
            case .number(let number): return "\(number)"
            default: throw name.invalid("expected a class name (a text or a number)")
            }
        }
    }
}

/// The model's input columns: CatBoost numbers float and categorical features together by their
/// `flat_feature_index`, the column order of the frame the model was trained on.
struct CatBoostColumns {
    var names: [String]
    var types: [FeatureType]
    /// The column of each float feature, by `feature_index`, and how it reads a missing value.
    var floats: [(column: Int32, missingIsTrue: Bool)] = []
    /// The column of each categorical feature, by `feature_index`.
    var categorical: [Int32] = []

    init(_ info: ModelField, featureLimit: Int) throws(SibylError) {
        var named: [Int: (name: String, type: FeatureType)] = [:]
        func place(_ feature: ModelField, type: FeatureType, position: Int) throws(SibylError) -> Int32 {
            guard try feature.member("feature_index").integer(in: 0...Int(Int32.max)) == position else {
                throw feature.invalid("feature_index must be \(position), its position in the list")
            }
            let flat = try feature.member("flat_feature_index").integer(in: 0...CatBoostJSONLoader.maxFeatures - 1)
            guard named[flat] == nil else { throw feature.invalid("flat_feature_index \(flat) is given twice") }
            let id = try feature.optionalMember("feature_id")?.string() ?? ""
            named[flat] = (id.isEmpty ? "f\(flat)" : id, type)
            return Int32(flat)
        }
        for (position, feature) in try info.optionalElements("float_features").enumerated() {
            let column = try place(feature, type: .number, position: position)
            let treatment = try feature.optionalMember("nan_value_treatment")?.string() ?? "AsIs"
            guard ["AsIs", "AsFalse", "AsTrue"].contains(treatment) else {
                throw feature.invalid("unknown nan_value_treatment \"\(treatment.prefix(64))\"")
            }
            floats.append((column, treatment == "AsTrue"))
        }
        for (position, feature) in try info.optionalElements("categorical_features").enumerated() {
            categorical.append(try place(feature, type: .anyText, position: position))
        }
        let count = (named.keys.max() ?? -1) + 1
        guard count > 0 else { throw info.invalid("the model has no features") }
        try CompiledModel.checkFeatureCount(count, limit: featureLimit, field: "flat_feature_index")
        // A column no feature claims (CatBoost leaves out ignored features' entries) is a number no split reads.
        names = (0..<count).map { named[$0]?.name ?? "f\($0)" }
        types = (0..<count).map { named[$0]?.type ?? .number }
    }
}
