import SibylCore

/// Reads a model saved by LightGBM 2.x–4.x with `save_model("model.txt")` and compiles it.
///
/// The file is treated as hostile: every declared count must agree with the arrays it describes, every
/// index must be in range, the nodes of each tree must form one tree, and nothing is allocated from a
/// declared number alone, so a bad file ends in `SibylError(.invalidModel, "<where>: <reason>")` and never
/// in a trap. The feature importances and parameters after `end of trees` do not affect predictions and
/// are not read; the last line, `pandas_categorical`, names the categories (`LightGBMFeatureTypes`).
enum LightGBMTextLoader {
    /// Bounds on declared sizes: far above real models, low enough that generated names stay small.
    static let maxFeatures = 1 << 20
    static let maxClasses = 1 << 16

    /// Reads `bytes`, refusing more than `maxFeatures` features.
    static func load(_ bytes: [UInt8], maxFeatures featureLimit: Int = .max) throws(SibylError) -> CompiledModel {
        var reader = LightGBMTextReader(bytes)
        guard let first = reader.nextLine(), reader.line(first, is: "tree") else {
            throw SibylError(.invalidModel, "not a LightGBM text model: the first line is not \"tree\"")
        }
        let header = try reader.header()
        let version = try header.text("version")
        guard ["v2", "v3", "v4"].contains(version) else {
            throw header.invalid("version \"\(version.prefix(32))\" is not one Sibyl reads (v2 to v4)")
        }
        if header.contains("average_output") {
            throw header.invalid("average_output (random forest) models are not supported")
        }
        let objective = try LightGBMObjective(line: header.text("objective"), header: header)
        let classCount = try header.integer("num_class", in: 1...maxClasses)
        guard classCount == objective.outputCount else {
            throw header.invalid("num_class is \(classCount), but objective \"\(objective.line)\" has \(objective.outputCount) outputs")
        }
        // LightGBM writes it since 2.x and defaults it to num_class; one tree per class and iteration.
        if header.contains("num_tree_per_iteration") {
            let perIteration = try header.integer("num_tree_per_iteration", in: 1...maxClasses)
            guard perIteration == classCount else {
                throw header.invalid("num_tree_per_iteration is \(perIteration), but num_class is \(classCount)")
            }
        }
        _ = try header.integer("label_index", in: 0...Int(Int32.max))
        let featureCount = try header.integer("max_feature_idx", in: 0...maxFeatures - 1) + 1
        try CompiledModel.checkFeatureCount(featureCount, limit: featureLimit, field: "max_feature_idx + 1")
        let featureNames = try featureNames(header, count: featureCount)
        let infoCount = try header.elements("feature_infos").count
        guard infoCount == featureCount else {
            throw header.invalid("feature_infos has \(infoCount) elements, but max_feature_idx is \(featureCount - 1)")
        }

        var builder = LightGBMForest.Builder(featureCount: featureCount, groupCount: classCount)
        var treeCount = 0
        while true {
            guard let line = reader.nextNonBlankLine() else {
                throw SibylError(.invalidModel, "the file ends before \"end of trees\": it is truncated")
            }
            if reader.line(line, is: "end of trees") { break }
            let name = "Tree=\(treeCount)"
            guard reader.line(line, is: name) else {
                throw reader.invalid("expected \"\(name)\" or \"end of trees\", found \(reader.quoted(line))")
            }
            let section = try reader.treeBlock(named: name)
            // Trees take turns by class: tree t adds to class t % num_tree_per_iteration.
            try builder.add(LightGBMTree(section, featureCount: featureCount), group: treeCount % classCount, place: section.name)
            treeCount += 1
        }
        guard treeCount % classCount == 0 else {
            throw SibylError(.invalidModel, "\(treeCount) trees are not a whole number of iterations of \(classCount) trees")
        }
        if header.contains("tree_sizes") {
            let declared = try header.elements("tree_sizes").count
            guard declared == treeCount else { throw header.invalid("tree_sizes has \(declared) elements for \(treeCount) trees") }
        }

        let classes: [String] = switch objective.task {
        case .binary: ["0", "1"]
        case .multiclass: (0..<classCount).map(String.init)
        case .regression: []
        }
        let schema = ModelSchema(
            format: .lightgbmText, task: objective.task, objective: objective.line,
            featureNames: featureNames, classes: classes, treeCount: treeCount,
            featureTypes: try LightGBMFeatureTypes.read(header, reader: &reader))
        return CompiledModel(
            schema: schema, evaluator: LightGBMModel(schema: schema, objective: objective, forest: builder.build()))
    }

    /// The space-separated names of `feature_names`: one per feature, non-empty and distinct.
    private static func featureNames(_ header: LightGBMSection, count: Int) throws(SibylError) -> [String] {
        let names = try header.text("feature_names").split(separator: " ").map(String.init)
        guard names.count == count else {
            throw header.invalid("feature_names has \(names.count) names, but max_feature_idx is \(count - 1)")
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw header.invalid("duplicate feature name \"\(name.prefix(64))\"")
        }
        return names
    }
}
