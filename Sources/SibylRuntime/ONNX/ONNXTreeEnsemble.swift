import SibylCore

/// An `ai.onnx.ml` TreeEnsembleClassifier or TreeEnsembleRegressor (the list attributes of opsets 1–3),
/// checked and laid out as a float32 `Forest`, so that it runs on XGBoost's walk and vector kernels and
/// answers as onnxruntime's CPU kernel does, operation for operation.
///
/// onnxruntime compares the float input with the float threshold: `x mode t`, or NaN where
/// `nodes_missing_value_tracks_true` is set, takes the true child; anything else, NaN included, the false
/// one. The forest sends `x < c` left and NaN to a chosen side, so each mode becomes a `c` and a side:
/// BRANCH_LT keeps t with the true child on the left, BRANCH_LEQ uses the float above t (x <= t iff
/// x < t.nextUp), and BRANCH_GTE and BRANCH_GT are their negations, with the false child on the left.
/// BRANCH_EQ and BRANCH_NEQ are refused. Each output's leaf weights are added in float32 in tree order
/// from 0, as onnxruntime adds them; `ONNXTreeModel` then applies its `FinalizeScores`.
struct ONNXTreeEnsemble {
    /// Nodes of all trees once laid out per output (a tree scoring k classes is laid out k times), as
    /// CatBoost's bound of 2^21 leaves: a few bytes of weights in the file can make a tree's copy for one
    /// more class, 16 bytes a node and TreeSHAP's 28 more.
    static let maxNodes = 1 << 22

    let model: ONNXTreeModel.Finish
    let classes: [String]
    let treeCount: Int
    let forest: Forest

    private static let nodeAttributes: Set = [
        "nodes_falsenodeids", "nodes_featureids", "nodes_hitrates", "nodes_missing_value_tracks_true", "nodes_modes",
        "nodes_nodeids", "nodes_treeids", "nodes_truenodeids", "nodes_values", "post_transform", "base_values",
    ]
    private static let classifierAttributes = nodeAttributes.union([
        "class_ids", "class_nodeids", "class_treeids", "class_weights", "classlabels_int64s", "classlabels_strings",
    ])
    private static let regressorAttributes = nodeAttributes.union([
        "aggregate_function", "n_targets", "target_ids", "target_nodeids", "target_treeids", "target_weights",
    ])

    init(_ node: Onnx_NodeProto, featureCount: Int) throws(SibylError) {
        let classifier = node.opType == "TreeEnsembleClassifier"
        let attributes = try ONNXAttributes(node, known: classifier ? Self.classifierAttributes : Self.regressorAttributes)
        let trees = try ONNXTrees(attributes, featureCount: featureCount)
        let weights = try ONNXLeafWeights(attributes, prefix: classifier ? "class" : "target", trees: trees)
        let postTransform = try attributes.string("post_transform") ?? "NONE"
        let base = try attributes.floats("base_values")
        if classifier {
            let numbers = try attributes.ints("classlabels_int64s"), names = try attributes.strings("classlabels_strings")
            guard numbers.isEmpty != names.isEmpty else {
                throw attributes.invalid("needs exactly one of classlabels_int64s and classlabels_strings")
            }
            classes = numbers.isEmpty ? names : numbers.map(String.init)
            guard (2...LightGBMTextLoader.maxClasses).contains(classes.count) else {
                throw attributes.invalid("has \(classes.count) classes; Sibyl serves 2 to \(LightGBMTextLoader.maxClasses)")
            }
            let line = "\(node.opType) post_transform=\(postTransform)"
            if classes.count == 2 {
                // onnxruntime's binary case: every leaf scores class 0, the score of class 1.
                if let other = weights.entries.first(where: { $0.output != 0 }) {
                    throw attributes.invalid("a binary classifier's leaves must score class 0 alone (onnxruntime's binary case); one scores class \(other.output)")
                }
                guard base.count <= 2 else { throw attributes.invalid("a binary classifier has at most 2 base_values, not \(base.count)") }
                let transform: ONNXTreeModel.Transform
                switch (weights.entries.allSatisfy { $0.weight >= 0 }, postTransform) {
                case (_, "PROBIT"): throw attributes.invalid("post_transform PROBIT is not one Sibyl runs")
                case (true, _): transform = .none
                case (false, "LOGISTIC"): transform = .logistic
                case (false, _):
                    throw attributes.invalid("a binary classifier with negative weights gives margins, not probabilities, unless its post_transform is LOGISTIC (it is \(postTransform.prefix(64)))")
                }
                model = .init(task: .binary, objective: line, transform: transform, base: Array(base.prefix(1)), averageOver: nil)
            } else {
                guard base.isEmpty || base.count == classes.count else {
                    throw attributes.invalid("has \(base.count) base_values for \(classes.count) classes")
                }
                let transform: ONNXTreeModel.Transform
                switch postTransform {
                case "NONE": transform = .none
                case "LOGISTIC": transform = .logistic
                case "SOFTMAX": transform = .softmax
                default:
                    throw attributes.invalid("post_transform \(postTransform.prefix(64)) is not one Sibyl runs for a multiclass classifier (NONE, LOGISTIC, SOFTMAX)")
                }
                model = .init(task: .multiclass, objective: line, transform: transform, base: base, averageOver: nil)
            }
        } else {
            classes = []
            let targets = try attributes.int("n_targets") ?? 1
            guard targets == 1 else { throw attributes.invalid("has \(targets) targets; Sibyl serves regressors of one") }
            guard base.count <= 1 else { throw attributes.invalid("has \(base.count) base_values for 1 target") }
            guard postTransform == "NONE" else {
                throw attributes.invalid("post_transform \(postTransform.prefix(64)) is not one Sibyl runs for a regressor (NONE)")
            }
            let aggregate = try attributes.string("aggregate_function") ?? "SUM"
            guard aggregate == "SUM" || aggregate == "AVERAGE" else {
                throw attributes.invalid("aggregate_function \(aggregate.prefix(64)) is not one Sibyl runs (SUM, AVERAGE)")
            }
            model = .init(
                task: .regression, objective: "\(node.opType) aggregate_function=\(aggregate)", transform: .none, base: base,
                averageOver: aggregate == "AVERAGE" ? Float(trees.count) : nil)
        }
        let groups = model.task == .multiclass ? classes.count : 1
        if let entry = weights.entries.first(where: { $0.output < 0 || $0.output >= groups }) {
            throw attributes.invalid("a leaf weight is for output \(entry.output), outside 0..<\(groups)")
        }

        var builder = Forest.Builder(featureCount: featureCount)
        var laidOut = 0
        for (index, tree) in trees.layouts.enumerated() {
            let values = weights.values(tree: index, nodes: tree.source.left.count)
            laidOut += tree.source.left.count * values.count
            guard laidOut <= Self.maxNodes else {
                throw attributes.invalid("the model has more than \(Self.maxNodes) nodes once laid out per output")
            }
            for (group, condition) in values.sorted(by: { $0.key < $1.key }) {
                var source = tree.source
                source.condition = zip(source.condition, condition).map { split, leaf in split.isNaN ? leaf : split }
                try builder.add(source, group: group, weight: 1, place: "\(attributes.node): tree \(tree.id)")
            }
        }
        treeCount = trees.count
        forest = builder.build(baseMargins: Array(repeating: 0, count: groups))
    }
}

/// The trees of an ensemble's `nodes_*` attributes, checked, each as a `Forest.Builder.Source` whose leaves
/// are still to be given their values.
///
/// A tree is a run of nodes with one `nodes_treeids` value, its root the run's first node (onnxruntime's
/// rule); a tree id may not come back after another. Children are node ids of the same tree. The builder
/// walks each tree from its root, refusing a node reached twice; nodes the walk never reaches are ignored,
/// as onnxruntime ignores them.
struct ONNXTrees {
    struct Layout {
        let id: Int64
        /// The position in `nodes_*` of the tree's first node, its root.
        let start: Int
        /// The position in `nodes_*` of each node, by node id.
        let positions: [Int64: Int]
        /// The tree by position in its run; `condition` is NaN at a leaf, where its value goes.
        let source: Forest.Builder.Source
    }

    let layouts: [Layout]
    /// Tree id → index in `layouts`.
    let byID: [Int64: Int]
    var count: Int { layouts.count }

    init(_ attributes: ONNXAttributes, featureCount: Int) throws(SibylError) {
        let ids = try attributes.ints("nodes_nodeids"), treeIDs = try attributes.ints("nodes_treeids")
        let features = try attributes.ints("nodes_featureids"), values = try attributes.floats("nodes_values")
        let trueIDs = try attributes.ints("nodes_truenodeids"), falseIDs = try attributes.ints("nodes_falsenodeids")
        let modes = try attributes.strings("nodes_modes"), tracks = try attributes.ints("nodes_missing_value_tracks_true")
        let count = ids.count
        guard count > 0 else { throw attributes.invalid("has no nodes") }
        for (name, length) in [
            ("nodes_treeids", treeIDs.count), ("nodes_featureids", features.count), ("nodes_values", values.count),
            ("nodes_truenodeids", trueIDs.count), ("nodes_falsenodeids", falseIDs.count), ("nodes_modes", modes.count),
        ] where length != count {
            throw attributes.invalid("\(name) has \(length) values for \(count) nodes")
        }
        for (name, length) in [("nodes_missing_value_tracks_true", tracks.count), ("nodes_hitrates", try attributes.floats("nodes_hitrates").count)]
        where length != 0 && length != count {
            throw attributes.invalid("\(name) has \(length) values for \(count) nodes")
        }

        var layouts: [Layout] = []
        var byID: [Int64: Int] = [:]
        var start = 0
        while start < count {
            let tree = treeIDs[start]
            var end = start
            while end < count && treeIDs[end] == tree { end += 1 }
            guard byID.updateValue(layouts.count, forKey: tree) == nil else {
                throw attributes.invalid("the nodes of tree \(tree) are not listed together")
            }
            var positions: [Int64: Int] = [:]
            for position in start..<end where positions.updateValue(position, forKey: ids[position]) != nil {
                throw attributes.invalid("tree \(tree) has two nodes \(ids[position])")
            }
            let size = end - start
            var source = Forest.Builder.Source(
                left: Array(repeating: -1, count: size), right: Array(repeating: -1, count: size),
                feature: Array(repeating: 0, count: size), condition: Array(repeating: .nan, count: size),
                defaultLeft: Array(repeating: false, count: size), cover: Array(repeating: 1, count: size))
            for position in start..<end {
                let node = "node \(ids[position]) of tree \(tree)"
                let trueGoesLeft: Bool
                let cut: Float
                let threshold = values[position]
                switch modes[position] {
                case "LEAF": continue
                // x <= +inf holds for every number: nothing is below -inf, so all go right, to the true child.
                case "BRANCH_LEQ": (cut, trueGoesLeft) = threshold == .infinity ? (-.infinity, false) : (threshold.nextUp, true)
                case "BRANCH_LT": (cut, trueGoesLeft) = (threshold, true)
                case "BRANCH_GTE": (cut, trueGoesLeft) = (threshold, false)
                case "BRANCH_GT": (cut, trueGoesLeft) = threshold == .infinity ? (-.infinity, true) : (threshold.nextUp, false)
                default:
                    throw attributes.invalid("\(node) has mode \(modes[position].prefix(64)), not one Sibyl runs (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, LEAF)")
                }
                guard !threshold.isNaN else { throw attributes.invalid("\(node) has the threshold nan") }
                let feature = features[position]
                guard feature >= 0 && feature < featureCount else {
                    throw attributes.invalid("\(node) reads feature \(feature), outside 0..<\(featureCount)")
                }
                let track = tracks.isEmpty ? 0 : tracks[position]
                guard track == 0 || track == 1 else {
                    throw attributes.invalid("nodes_missing_value_tracks_true of \(node) is \(track), not 0 or 1")
                }
                guard let trueChild = positions[trueIDs[position]], let falseChild = positions[falseIDs[position]] else {
                    let child = positions[trueIDs[position]] == nil ? trueIDs[position] : falseIDs[position]
                    throw attributes.invalid("\(node) names child \(child), not a node of the tree")
                }
                let local = position - start
                (source.left[local], source.right[local]) = trueGoesLeft ? (trueChild - start, falseChild - start) : (falseChild - start, trueChild - start)
                source.feature[local] = Int(feature)
                source.condition[local] = cut
                // NaN takes the true child iff the node tracks missing values as true.
                source.defaultLeft[local] = (track == 1) == trueGoesLeft
            }
            layouts.append(Layout(id: tree, start: start, positions: positions, source: source))
            start = end
        }
        self.layouts = layouts
        self.byID = byID
    }
}

/// The leaf weights of an ensemble (`class_*` or `target_*`): per entry, a leaf, the output it adds to and
/// the weight.
struct ONNXLeafWeights {
    struct Entry {
        let tree: Int
        /// The leaf's position in its tree's run.
        let node: Int
        let output: Int64
        let weight: Float
    }

    let entries: [Entry]
    /// Indices into `entries` by tree.
    private let byTree: [[Int]]

    init(_ attributes: ONNXAttributes, prefix: String, trees: ONNXTrees) throws(SibylError) {
        let treeIDs = try attributes.ints("\(prefix)_treeids"), nodeIDs = try attributes.ints("\(prefix)_nodeids")
        let outputs = try attributes.ints("\(prefix)_ids"), weights = try attributes.floats("\(prefix)_weights")
        for (name, length) in [("\(prefix)_nodeids", nodeIDs.count), ("\(prefix)_ids", outputs.count), ("\(prefix)_weights", weights.count)]
        where length != treeIDs.count {
            throw attributes.invalid("\(name) has \(length) values for \(treeIDs.count) in \(prefix)_treeids")
        }
        var entries: [Entry] = []
        var byTree = [[Int]](repeating: [], count: trees.count)
        for k in treeIDs.indices {
            guard let tree = trees.byID[treeIDs[k]], let position = trees.layouts[tree].positions[nodeIDs[k]] else {
                throw attributes.invalid("weight \(k) is for node \(nodeIDs[k]) of tree \(treeIDs[k]), which the ensemble does not have")
            }
            let layout = trees.layouts[tree]
            guard layout.source.left[position - layout.start] == -1 else {
                throw attributes.invalid("weight \(k) is for node \(nodeIDs[k]) of tree \(treeIDs[k]), which is not a leaf")
            }
            guard weights[k].isFinite else { throw attributes.invalid("weight \(k) is \(weights[k])") }
            byTree[tree].append(entries.count)
            entries.append(Entry(tree: tree, node: position - layout.start, output: outputs[k], weight: weights[k]))
        }
        self.entries = entries
        self.byTree = byTree
    }

    /// The value of each node of tree `tree` (0 where no weight is given) for each output it scores; an
    /// entry's weights for one leaf and output add up in float32.
    func values(tree: Int, nodes: Int) -> [Int: [Float]] {
        var values: [Int: [Float]] = [:]
        for index in byTree[tree] {
            let entry = entries[index]
            values[Int(entry.output), default: Array(repeating: 0, count: nodes)][entry.node] += entry.weight
        }
        return values
    }
}
