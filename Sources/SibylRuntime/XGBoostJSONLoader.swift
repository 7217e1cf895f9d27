import SibylCore

/// Reads a model saved by XGBoost 1.x–3.x with `save_model("….json")` or `save_model("….ubj")` and
/// compiles it: both encodings are read into the same `ModelValue` document, which one reader checks.
///
/// Everything in the file is treated as hostile: each field is type-checked, every declared size must
/// agree with the arrays it describes, and no allocation is sized from a declared number alone, so a bad
/// file ends in `SibylError(.invalidModel, "<field>: <reason>")` and never in a trap.
enum XGBoostJSONLoader {
    /// Bounds on declared sizes: far above real models, low enough that generated names stay small.
    static let maxFeatures = 1 << 20
    static let maxClasses = 1 << 16

    /// Reads `bytes` as `format`, `.xgboostJSON` or `.xgboostUBJ`, refusing more than `maxFeatures` features.
    static func load(_ bytes: [UInt8], format: ModelFormat, maxFeatures featureLimit: Int = .max) throws(SibylError) -> CompiledModel {
        let document: ModelValue
        do {
            document = format == .xgboostUBJ
                ? try UBJSONReader.parse(bytes, as: ModelValue.self) : try JSONReader.parse(bytes, as: ModelValue.self)
        } catch {
            throw SibylError(.invalidModel, "the model file is not valid \(format == .xgboostUBJ ? "UBJSON" : "JSON"): \(error.message)")
        }
        return try compile(document, format: format, featureLimit: featureLimit)
    }

    private static func compile(_ document: ModelValue, format: ModelFormat, featureLimit: Int) throws(SibylError) -> CompiledModel {
        let learner = try ModelField(root: document).member("learner")

        let objectiveName = try learner.member("objective").member("name").string()
        guard let objective = Objective(rawValue: objectiveName) else {
            let supported = Objective.allCases.map(\.rawValue).joined(separator: ", ")
            throw SibylError(.invalidModel, "unsupported objective \"\(objectiveName)\" (supported: \(supported))")
        }

        let parameters = try learner.member("learner_model_param")
        let featureCount = try parameters.member("num_feature").integer(in: 1...maxFeatures)
        try CompiledModel.checkFeatureCount(featureCount, limit: featureLimit, field: "num_feature")
        let classCount = try parameters.optionalMember("num_class")?.integer(in: 0...maxClasses) ?? 0
        let targetCount = try parameters.optionalMember("num_target")?.integer(in: 0...maxClasses) ?? 1
        guard targetCount <= 1 else {
            throw parameters.invalid("num_target is \(targetCount); multi-output models are not supported")
        }
        let groupCount: Int
        if objective.task == .multiclass {
            guard classCount >= 2 else { throw parameters.invalid("num_class must be at least 2 for \(objectiveName)") }
            groupCount = classCount
        } else {
            guard classCount <= 1 else { throw parameters.invalid("num_class must be 0 for \(objectiveName)") }
            groupCount = 1
        }
        let baseMargins = try baseMargins(parameters.member("base_score"), groupCount: groupCount, objective: objective)
        let featureNames = try featureNames(learner.optionalMember("feature_names"), count: featureCount)
        let featureTypes = try featureTypes(learner.optionalMember("feature_types"), count: featureCount)
        let classes: [String] = switch objective.task {
        case .binary: ["0", "1"]
        case .multiclass: (0..<groupCount).map(String.init)
        case .regression: []
        }
        func schema(treeCount: Int) -> ModelSchema {
            ModelSchema(
                format: format, task: objective.task, objective: objectiveName,
                featureNames: featureNames, classes: classes, treeCount: treeCount, featureTypes: featureTypes)
        }

        let booster = try learner.member("gradient_booster")
        let boosterName = try booster.member("name").string()
        switch boosterName {
        case "gbtree", "dart":
            let forest = try forest(
                booster, dart: boosterName == "dart", featureCount: featureCount, baseMargins: baseMargins)
            let model = XGBoostModel(schema: schema(treeCount: forest.trees.count), objective: objective, forest: forest)
            return CompiledModel(schema: model.schema, evaluator: model)
        case "gblinear":
            let linear = try XGBoostLinearModel(
                schema: schema(treeCount: 0), objective: objective, model: booster.member("model"), baseMargins: baseMargins)
            return CompiledModel(schema: linear.schema, evaluator: linear)
        default:
            throw booster.invalid("unsupported booster \"\(boosterName)\"")
        }
    }

    /// The types `feature_types` declares: `c` is a category, which XGBoost (to 3.2) knows by code only,
    /// its model file keeping no category names; every other type (`float`, `int`, `q`, `i`) is a number.
    /// Absent or of the wrong length, every feature is a number, as XGBoost reads such a model.
    private static func featureTypes(_ field: ModelField?, count: Int) throws(SibylError) -> [FeatureType]? {
        guard let field, case .array(let items) = field.value, items.count == count else { return nil }
        return items.map { $0 == .string("c") ? FeatureType.category([]) : .number }
    }

    /// The trees of a gbtree booster, or of the gbtree inside a DART one, whose `weight_drop` scales them.
    private static func forest(
        _ booster: ModelField, dart: Bool, featureCount: Int, baseMargins: [Float]
    ) throws(SibylError) -> Forest {
        var gbtree = booster
        var treeWeights: [Float]?
        if dart {
            gbtree = try booster.member("gbtree")
            guard try gbtree.member("name").string() == "gbtree" else { throw gbtree.invalid("expected a gbtree booster") }
            treeWeights = try booster.member("weight_drop").floats()
        }
        let model = try gbtree.member("model")
        let trees = try model.member("trees").elements()
        let declaredTrees = try model.member("gbtree_model_param").member("num_trees").integer(in: 0...Int(Int32.max))
        guard declaredTrees == trees.count else {
            throw model.invalid("num_trees is \(declaredTrees) but there are \(trees.count) trees")
        }
        let treeInfoField = try model.member("tree_info")
        let treeGroups = try treeInfoField.integers()
        guard treeGroups.count == trees.count else {
            throw treeInfoField.invalid("has \(treeGroups.count) elements for \(trees.count) trees")
        }
        if let treeWeights, treeWeights.count != trees.count {
            throw SibylError(.invalidModel, "weight_drop has \(treeWeights.count) elements for \(trees.count) trees")
        }

        var builder = Forest.Builder(featureCount: featureCount)
        for (index, tree) in trees.enumerated() {
            guard treeGroups[index] >= 0 && treeGroups[index] < baseMargins.count else {
                throw treeInfoField.invalid("tree \(index) has output group \(treeGroups[index]), not below \(baseMargins.count)")
            }
            try builder.add(XGBoostTreeSource.read(tree), group: treeGroups[index], weight: treeWeights?[index] ?? 1, place: tree.path)
        }
        return builder.build(baseMargins: baseMargins)
    }

    /// The base margin per output group from `base_score`.
    ///
    /// XGBoost writes it as "0.5" (1.x), "5E-1" (2.x), "[4.977E-1]" or one value per class (3.x), always
    /// as the user-facing score; the objective's `ProbToMargin` turns it into a margin in float32.
    private static func baseMargins(
        _ field: ModelField, groupCount: Int, objective: Objective
    ) throws(SibylError) -> [Float] {
        var scores: [Float]
        switch field.value {
        case .number(let number):
            scores = [Float(number)]
        case .string(let text):
            var body = Substring(text)
            if body.first == "[" && body.last == "]" { body = body.dropFirst().dropLast() }
            scores = []
            for part in body.split(separator: ",", omittingEmptySubsequences: false) {
                guard let score = parseFloat(part) else { throw field.invalid("cannot read \(field.value.shortDescription)") }
                scores.append(score)
            }
        default:
            throw field.invalid("expected a number or a string")
        }
        guard scores.allSatisfy(\.isFinite) else { throw field.invalid("\(field.value.shortDescription) is not finite in float32") }
        if scores.count == 1 { scores = Array(repeating: scores[0], count: groupCount) }
        guard scores.count == groupCount else {
            throw field.invalid("has \(scores.count) values, expected 1 or \(groupCount)")
        }
        switch objective.baseScoreLink {
        case .identity:
            return scores
        case .logit:
            // XGBoost accepts the bounds themselves for the degenerate all-one-label case; they give ±inf.
            guard scores.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw field.invalid("must be a probability in [0, 1] for \(objective.rawValue)")
            }
            return scores.map(Objective.logit)
        case .log:
            guard scores.allSatisfy({ $0 > 0 }) else {
                throw field.invalid("must be positive for \(objective.rawValue), whose margin is its logarithm")
            }
            return scores.map(Objective.log)
        }
    }

    /// One number of `base_score`, surrounding spaces allowed.
    private static func parseFloat(_ text: Substring) -> Float? {
        let bytes = Array(text.utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 }), let last = bytes.lastIndex(where: { $0 != 0x20 }) else {
            return nil
        }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let (value, end) = DecimalNumber.parse(buffer, from: first, limit: last + 1, grammar: .lenient),
                  end == last + 1 else { return nil }
            return Float(value)
        }
    }

    /// The file's feature names, or `f0…` as XGBoost names unnamed features, when it has none.
    private static func featureNames(_ field: ModelField?, count: Int) throws(SibylError) -> [String] {
        let elements = try field?.elements()
        guard let field, let elements, !elements.isEmpty else { return (0..<count).map { "f\($0)" } }
        guard elements.count == count else {
            throw field.invalid("has \(elements.count) names, but num_feature is \(count)")
        }
        var seen = Set<String>()
        var names: [String] = []
        for element in elements {
            let name = try element.string()
            guard !name.isEmpty else { throw element.invalid("a feature name is empty") }
            guard seen.insert(name).inserted else { throw element.invalid("duplicate feature name \"\(name)\"") }
            names.append(name)
        }
        return names
    }
}
