import SibylCore

extension Forest {
    /// Checks trees given in XGBoost's parallel-array form and lays them out as a `Forest`.
    ///
    /// Only nodes reachable from a root are copied, by an explicit-stack walk that refuses any node
    /// reached twice: that rules out cycles, self-loops and shared children whatever their indices, so
    /// the result is a true tree even for files that do not follow XGBoost's own index order.
    struct Builder {
        /// Node 0 is a never-visited sentinel, so that a leaf's `left` (its own index minus one) is never negative.
        private var nodes = [Node(featureAndDefault: 0, threshold: .nan, left: 0, value: 0)]
        private var trees: [Tree] = []
        let featureCount: Int

        init(featureCount: Int) {
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
        }

        /// Adds a tree whose leaves add to output `group`, each leaf scaled by `weight` (DART's tree
        /// weight, 1 otherwise) in float32 as XGBoost multiplies the tree's output.
        mutating func add(
            _ source: Source, group: Int, weight: Float, field: ModelField
        ) throws(SibylError) {
            let count = source.left.count
            guard nodes.count + count <= Int(Int32.max) else { throw field.invalid("the model has too many nodes") }
            let placeholder = Node(featureAndDefault: 0, threshold: .nan, left: 0, value: 0)
            var visited = [Bool](repeating: false, count: count)
            let root = nodes.count
            nodes.append(placeholder)
            var depth = 0
            var pending = [(source: 0, target: root, depth: 0)]
            while let (index, target, level) = pending.popLast() {
                guard !visited[index] else {
                    throw field.invalid("node \(index) is reached twice; the nodes do not form a tree")
                }
                visited[index] = true
                let left = source.left[index], right = source.right[index]
                if left == -1 {
                    guard right == -1 else { throw field.invalid("node \(index) has a right child but no left child") }
                    // A fixed point of the step: NaN threshold and right missing direction always go to left + 1.
                    nodes[target] = Node(
                        featureAndDefault: 0, threshold: .nan, left: UInt32(target - 1),
                        value: source.condition[index] * weight)
                    depth = max(depth, level)
                    continue
                }
                guard left >= 0, left < count, right >= 0, right < count else {
                    throw field.invalid("node \(index): child index \(left < 0 || left >= count ? left : right) is out of range 0..<\(count)")
                }
                let feature = source.feature[index]
                guard feature >= 0, feature < featureCount else {
                    throw field.invalid("node \(index): split feature \(feature) is not below num_feature \(featureCount)")
                }
                let children = nodes.count
                nodes.append(placeholder)
                nodes.append(placeholder)
                nodes[target] = Node(
                    featureAndDefault: UInt32(feature) | (source.defaultLeft[index] ? Forest.defaultLeftBit : 0),
                    threshold: source.condition[index], left: UInt32(children), value: 0)
                pending.append((right, children + 1, level + 1))
                pending.append((left, children, level + 1))
            }
            trees.append(Tree(root: UInt32(root), group: UInt32(group), depth: UInt32(depth)))
        }

        func build(baseMargins: [Float]) -> Forest {
            Forest(nodes: nodes, trees: trees, baseMargins: baseMargins, featureCount: featureCount)
        }
    }
}
