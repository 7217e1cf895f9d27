import Foundation
import SibylCore

/// `TreeEnsemble` (`ai.onnx.ml` opset 5), read as the `TreeEnsembleRegressor` of opsets 1–3 that computes the
/// same: opset 5 lists the split nodes alone, each child a split or a leaf (`nodes_trueleafs`), thresholds
/// and leaf weights as tensors, and trees by their roots; the earlier form lists every node of a tree
/// together, root first, leaves among them. Each tree is walked from its root, and its splits and leaves
/// written in the earlier form (a leaf reached from two splits written twice), so one checked reading
/// (`ONNXTreeEnsemble`) serves both. Served: one target, `SUM` or `AVERAGE`, no post transform, the
/// comparison modes the earlier form has (`BRANCH_EQ`, `BRANCH_NEQ` and `BRANCH_MEMBER` refused).
enum ONNXTreeEnsembleV5 {
    static let known: Set = [
        "aggregate_function", "leaf_targetids", "leaf_weights", "membership_values", "n_targets", "nodes_falseleafs",
        "nodes_falsenodeids", "nodes_featureids", "nodes_hitrates", "nodes_missing_value_tracks_true", "nodes_modes",
        "nodes_splits", "nodes_trueleafs", "nodes_truenodeids", "post_transform", "tree_roots",
    ]

    /// The node in the earlier form, its operator still `TreeEnsemble`, for `ONNXTreeEnsemble` to read.
    static func earlierForm(_ node: Onnx_NodeProto) throws(SibylError) -> Onnx_NodeProto {
        let attributes = try ONNXAttributes(node, known: known)
        guard try attributes.tensor("membership_values") == nil else { throw attributes.invalid("BRANCH_MEMBER splits are not ones Sibyl runs") }
        guard try (attributes.int("n_targets") ?? 1) == 1 else { throw attributes.invalid("Sibyl serves tree ensembles of one target") }
        guard try (attributes.int("post_transform") ?? 0) == 0 else { throw attributes.invalid("post_transform must be NONE (0)") }
        let aggregate: String
        switch try attributes.int("aggregate_function") ?? 1 {
        case 0: aggregate = "AVERAGE"
        case 1: aggregate = "SUM"
        case let other: throw attributes.invalid("aggregate_function \(other) is not one Sibyl runs (AVERAGE 0, SUM 1)")
        }
        let features = try attributes.ints("nodes_featureids")
        let trueIDs = try attributes.ints("nodes_truenodeids"), falseIDs = try attributes.ints("nodes_falsenodeids")
        let trueLeaves = try attributes.ints("nodes_trueleafs"), falseLeaves = try attributes.ints("nodes_falseleafs")
        let tracks = try attributes.ints("nodes_missing_value_tracks_true")
        func tensor<Value>(_ name: String, _ decode: (Onnx_TensorProto) throws(SibylError) -> [Value]?) throws(SibylError) -> [Value] {
            guard let tensor = try attributes.tensor(name) else { throw attributes.invalid("has no \(name)") }
            guard let values = try decode(tensor) else { throw attributes.invalid("\(name) is not a tensor of the type Sibyl reads") }
            return values
        }
        let splits = try tensor("nodes_splits", ONNXConstants.floats), modes = try tensor("nodes_modes", ONNXConstants.bytes)
        let weights = try tensor("leaf_weights", ONNXConstants.floats), targets = try attributes.ints("leaf_targetids")
        let count = features.count
        for (name, length) in [
            ("nodes_splits", splits.count), ("nodes_modes", modes.count), ("nodes_truenodeids", trueIDs.count),
            ("nodes_falsenodeids", falseIDs.count), ("nodes_trueleafs", trueLeaves.count), ("nodes_falseleafs", falseLeaves.count),
        ] where length != count {
            throw attributes.invalid("\(name) has \(length) values for \(count) nodes")
        }
        guard tracks.isEmpty || tracks.count == count else { throw attributes.invalid("nodes_missing_value_tracks_true has \(tracks.count) values for \(count) nodes") }
        guard targets.count == weights.count, targets.allSatisfy({ $0 == 0 }) else {
            throw attributes.invalid("has \(targets.count) leaf_targetids for \(weights.count) leaf_weights, each for target 0")
        }
        let names = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT"]

        // The earlier form's lists, tree by tree, each walked from its root, splits and leaves numbered as met.
        var treeIDs: [Int64] = [], nodeIDs: [Int64] = [], featureIDs: [Int64] = [], values: [Float] = [], modeNames: [String] = []
        var trueNodes: [Int64] = [], falseNodes: [Int64] = [], missing: [Int64] = []
        var leafTrees: [Int64] = [], leafNodes: [Int64] = [], leafWeights: [Float] = []
        for (tree, root) in try attributes.ints("tree_roots").enumerated() {
            guard root >= 0, root < count else { throw attributes.invalid("tree \(tree)'s root \(root) is not a node") }
            var reached = Set<Int64>()
            // Each pending child: a split (or leaf) index and the id it is given.
            var pending: [(index: Int64, leaf: Bool, id: Int64)] = [(root, false, 0)]
            var next: Int64 = 1
            while let (index, leaf, id) = pending.popLast() {
                guard treeIDs.count < ONNXTreeEnsemble.maxNodes else {
                    throw attributes.invalid("the model has more than \(ONNXTreeEnsemble.maxNodes) nodes once written per tree")
                }
                treeIDs.append(Int64(tree))
                nodeIDs.append(id)
                if leaf {
                    guard index >= 0, index < weights.count else { throw attributes.invalid("tree \(tree) reaches leaf \(index), which is not one") }
                    featureIDs.append(0)
                    values.append(0)
                    modeNames.append("LEAF")
                    trueNodes.append(0)
                    falseNodes.append(0)
                    missing.append(0)
                    leafTrees.append(Int64(tree))
                    leafNodes.append(id)
                    leafWeights.append(weights[Int(index)])
                    continue
                }
                let split = Int(index)
                guard reached.insert(index).inserted else { throw attributes.invalid("tree \(tree) reaches node \(index) twice") }
                guard (0..<names.count).contains(Int(modes[split])) else {
                    throw attributes.invalid("node \(index)'s mode \(modes[split]) is not one Sibyl runs (BRANCH_LEQ, LT, GTE, GT: 0 to 3)")
                }
                featureIDs.append(features[split])
                values.append(splits[split])
                modeNames.append(names[Int(modes[split])])
                missing.append(tracks.isEmpty ? 0 : tracks[split])
                let (onTrue, onFalse) = (next, next + 1)
                next += 2
                trueNodes.append(onTrue)
                falseNodes.append(onFalse)
                pending.append((falseIDs[split], falseLeaves[split] != 0, onFalse))
                pending.append((trueIDs[split], trueLeaves[split] != 0, onTrue))
                guard (trueLeaves[split] != 0 || (0..<Int64(count)).contains(trueIDs[split])),
                    (falseLeaves[split] != 0 || (0..<Int64(count)).contains(falseIDs[split]))
                else { throw attributes.invalid("node \(index) has a child that is not a node") }
            }
        }
        var earlier = Onnx_NodeProto()
        // Read as a regressor (`ONNXTreeEnsemble` takes any operator but the classifier as one), named as itself.
        (earlier.opType, earlier.domain, earlier.name, earlier.input, earlier.output) = (
            node.opType, "ai.onnx.ml", node.name, node.input, node.output
        )
        func list(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
            var attribute = Onnx_AttributeProto()
            (attribute.name, attribute.type, attribute.ints) = (name, .ints, ints)
            return attribute
        }
        func list(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
            var attribute = Onnx_AttributeProto()
            (attribute.name, attribute.type, attribute.floats) = (name, .floats, floats)
            return attribute
        }
        func list(_ name: String, strings: [String]) -> Onnx_AttributeProto {
            var attribute = Onnx_AttributeProto()
            (attribute.name, attribute.type, attribute.strings) = (name, .strings, strings.map { Data($0.utf8) })
            return attribute
        }
        var function = Onnx_AttributeProto()
        (function.name, function.type, function.s) = ("aggregate_function", .string, Data(aggregate.utf8))
        earlier.attribute = [
            list("nodes_treeids", ints: treeIDs), list("nodes_nodeids", ints: nodeIDs), list("nodes_featureids", ints: featureIDs),
            list("nodes_values", floats: values), list("nodes_modes", strings: modeNames), list("nodes_truenodeids", ints: trueNodes),
            list("nodes_falsenodeids", ints: falseNodes), list("nodes_missing_value_tracks_true", ints: missing),
            list("target_treeids", ints: leafTrees), list("target_nodeids", ints: leafNodes),
            list("target_ids", ints: Array(repeating: 0, count: leafTrees.count)), list("target_weights", floats: leafWeights), function,
        ]
        return earlier
    }
}
