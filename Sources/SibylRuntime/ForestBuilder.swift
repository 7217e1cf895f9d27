import SibylCore

extension Forest {
    /// Checks trees given in XGBoost's parallel-array form and lays them out as a `Forest`.
    ///
    /// Only nodes reachable from a root are copied, by an explicit-stack walk that refuses any node
    /// reached twice: that rules out cycles, self-loops and shared children whatever their indices, so
    /// the result is a true tree even for files that do not follow XGBoost's own index order. Trees deeper
    /// than `TreeSHAP.depthLimit` are refused, which bounds both the walk and TreeSHAP's buffers.
    struct Builder {
        /// Node 0 is a never-visited sentinel, so that a leaf's `left` (its own index minus one) is never negative.
        private var nodes = [Node(featureAndDefault: 0, threshold: .nan, left: 0, value: 0)]
        private var trees: [Tree] = []
        private var categories: [UInt32] = []
        private var shapTrees: [SHAPTree] = []
        let featureCount: Int

        init(featureCount: Int) {
            precondition(featureCount <= Int(Forest.featureMask) + 1, "feature indices must fit the node's 30 bits")
            self.featureCount = featureCount
        }

        /// One source tree. The arrays have one element per node and equal lengths (the loader checks);
        /// `condition` holds a leaf's output at a leaf, as XGBoost writes it.
        struct Source {
            var left: [Int]
            var right: [Int]
            var feature: [Int]
            var condition: [Float]
            var defaultLeft: [Bool]
            /// The training weight (sum of hessians) that reached each node, for TreeSHAP.
            var cover: [Float]
            /// The categories that go right at each categorical split, sorted and distinct, by node.
            var categories: [Int: [UInt32]] = [:]
        }

        /// Adds a tree whose leaves add to output `group`, each leaf scaled by `weight` (DART's tree
        /// weight, 1 otherwise) in float32 as XGBoost multiplies the tree's output; `place` names the tree in
        /// an error.
        mutating func add(
            _ source: Source, group: Int, weight: Float, place: String
        ) throws(SibylError) {
            func invalid(_ reason: String) -> SibylError { SibylError(.invalidModel, "\(place): \(reason)") }
            let count = source.left.count
            guard nodes.count + count <= Int(Int32.max) else { throw invalid("the model has too many nodes") }
            let placeholder = Node(featureAndDefault: 0, threshold: .nan, left: 0, value: 0)
            var visited = [Bool](repeating: false, count: count)
            let root = nodes.count
            nodes.append(placeholder)
            var shap = SHAPTree(left: [-1], right: [-1], feature: [-1], cover: [0], value: [0], maxDepth: 0)
            var pending = [(source: 0, target: root, depth: 0)]
            while let (index, target, level) = pending.popLast() {
                guard !visited[index] else {
                    throw invalid("node \(index) is reached twice; the nodes do not form a tree")
                }
                visited[index] = true
                let local = target - root
                guard source.cover[index] >= 0 else {
                    throw invalid("node \(index): sum_hessian \(source.cover[index]) is negative")
                }
                shap.cover[local] = Double(source.cover[index])
                let left = source.left[index], right = source.right[index]
                if left == -1 {
                    guard right == -1 else { throw invalid("node \(index) has a right child but no left child") }
                    guard source.categories[index] == nil else {
                        throw invalid("node \(index) is a leaf but has categories")
                    }
                    // A fixed point of the step: NaN threshold and right missing direction always go to left + 1.
                    let value = source.condition[index] * weight
                    nodes[target] = Node(featureAndDefault: 0, threshold: .nan, left: UInt32(target - 1), value: value)
                    shap.value[local] = Double(value)
                    shap.maxDepth = max(shap.maxDepth, level)
                    continue
                }
                guard left >= 0, left < count, right >= 0, right < count else {
                    throw invalid("node \(index): child index \(left < 0 || left >= count ? left : right) is out of range 0..<\(count)")
                }
                let feature = source.feature[index]
                guard feature >= 0, feature < featureCount else {
                    throw invalid("node \(index): split feature \(feature) is not below num_feature \(featureCount)")
                }
                guard level < TreeSHAP.depthLimit else {
                    throw invalid("the tree is deeper than \(TreeSHAP.depthLimit) levels")
                }
                let children = nodes.count
                nodes.append(placeholder)
                nodes.append(placeholder)
                var flags = UInt32(feature) | (source.defaultLeft[index] ? Forest.defaultLeftBit : 0)
                var threshold = source.condition[index]
                if let set = source.categories[index] {
                    guard categories.count + set.count < Int(UInt32.max) else { throw invalid("too many categories") }
                    flags |= Forest.categoricalBit
                    threshold = Float(bitPattern: UInt32(categories.count))
                    categories.append(UInt32(set.count))
                    categories.append(contentsOf: set)
                }
                nodes[target] = Node(featureAndDefault: flags, threshold: threshold, left: UInt32(children), value: 0)
                shap.left[local] = Int32(children - root)
                shap.right[local] = Int32(children + 1 - root)
                shap.feature[local] = Int32(feature)
                for _ in 0..<2 {
                    shap.left.append(-1)
                    shap.right.append(-1)
                    shap.feature.append(-1)
                    shap.cover.append(0)
                    shap.value.append(0)
                }
                pending.append((right, children + 1, level + 1))
                pending.append((left, children, level + 1))
            }
            trees.append(Tree(root: UInt32(root), group: UInt32(group), depth: UInt32(shap.maxDepth)))
            shapTrees.append(shap)
        }

        func build(baseMargins: [Float]) -> Forest {
            Forest(
                nodes: nodes, trees: trees, categories: categories, shapTrees: shapTrees,
                baseMargins: baseMargins, featureCount: featureCount)
        }
    }
}
