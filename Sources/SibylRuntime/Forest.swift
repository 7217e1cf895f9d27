/// All trees of a model flattened into one array of 16-byte nodes, evaluated without allocation.
///
/// The layout is Sibyl's own, built by `Forest.Builder` from a checked source tree. The two children of a
/// split are adjacent (`left`, then `left + 1`), so a step is `next = left + (goes right ? 1 : 0)`, with no
/// branch. A leaf is made a fixed point of that step: its threshold is NaN (nothing is below NaN, and its
/// missing direction is right) and its `left` is its own index minus one. Every tree is then walked for
/// exactly its depth, without testing for leaves: the walk has no data-dependent branches, so the CPU
/// does not mispredict on every split and overlaps the walks of independent trees and rows.
///
/// Categorical splits (XGBoost's `split_type` 1) keep the same node size: a flag bit marks them, and their
/// threshold field holds the offset of their category set in `categories`. A forest without them is
/// walked by a separately specialised step that never looks at the flag, so numeric models pay nothing.
struct Forest: Sendable {
    /// One node, 16 bytes so that no node straddles a cache line.
    struct Node: Sendable {
        /// The feature index in the low 30 bits; bit 30 set at a categorical split; the top bit set when a
        /// missing value goes left.
        var featureAndDefault: UInt32
        /// The split threshold; NaN at a leaf; at a categorical split, the bit pattern is the offset of its
        /// set in `categories`.
        var threshold: Float
        var left: UInt32
        /// A leaf's output; 0 at a split.
        var value: Float
    }

    /// One tree: its root, the output group its leaves add to, and its depth (splits on the longest path).
    struct Tree: Sendable {
        var root: UInt32
        var group: UInt32
        var depth: UInt32
    }

    static let defaultLeftBit: UInt32 = 1 << 31
    static let categoricalBit: UInt32 = 1 << 30
    static let featureMask: UInt32 = categoricalBit - 1

    let nodes: [Node]
    let trees: [Tree]
    /// The category sets of categorical splits, each stored as its size followed by its categories in
    /// increasing order; a category in the set goes right.
    let categories: [UInt32]
    let hasCategoricalSplits: Bool
    /// Every tree again in the form TreeSHAP reads, node `k` of tree `t` being `nodes[trees[t].root + k]`.
    let explainer: SHAPExplainer
    /// The margin every row starts from, one per output group.
    let baseMargins: [Float]
    let featureCount: Int
    /// The depth of each full group of `lane` consecutive trees: the most steps any of them needs.
    let chunkDepths: [UInt32]
    /// The same trees for the vector kernel, where the forest suits it (see `PerfectForest`).
    let perfect: PerfectForest?

    init(nodes: [Node], trees: [Tree], categories: [UInt32], shapTrees: [SHAPTree], baseMargins: [Float], featureCount: Int) {
        self.nodes = nodes
        self.trees = trees
        self.categories = categories
        hasCategoricalSplits = !categories.isEmpty
        explainer = SHAPExplainer(trees: shapTrees)
        self.baseMargins = baseMargins
        self.featureCount = featureCount
        chunkDepths = (0..<trees.count / Self.lane).map { chunk in
            trees[chunk * Self.lane..<(chunk + 1) * Self.lane].map(\.depth).max()!
        }
        perfect = PerfectForest(
            nodes: nodes, trees: trees, shapes: shapTrees, hasCategoricalSplits: hasCategoricalSplits,
            groupCount: baseMargins.count, featureCount: featureCount)
    }

    var groupCount: Int { baseMargins.count }

    /// Trees walked side by side for one row. Their walks are independent, so interleaving them step by
    /// step lets the CPU overlap the memory latency of eight chains instead of waiting on one. Leaves are
    /// fixed points, so a shorter tree simply idles at its leaf until the deepest of the eight is done.
    static let lane = 8

    /// Rows evaluated together: a chunk of trees stays in L1 while every row of the block walks it.
    static let blockRows = 16

    /// The raw margins of every row, `groupCount` per row.
    ///
    /// Each row starts from the base margins and adds the trees' leaves in tree order in float32, exactly
    /// XGBoost's CPU predictor order, so results match it bit for bit.
    /// Batches of at least `vectorRows` rows go to the vector kernel where the forest and CPU allow it.
    func margins(_ input: FeatureMatrix) -> [Float] {
        margins(input, kernel: input.rows >= Self.vectorRows ? ForestKernel.chosen : nil)
    }

    /// Rows from which a kernel's lanes beat the scalar walk.
    static let vectorRows = 8

    /// The margins by `kernel` where the forest suits it, else by the scalar walk: they agree bit for bit.
    func margins(_ input: FeatureMatrix, kernel: ForestKernel?) -> [Float] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        let groups = groupCount
        var result = [Float](unsafeUninitializedCapacity: input.rows * groups) { buffer, count in
            for row in 0..<input.rows {
                for group in 0..<groups { buffer[row * groups + group] = baseMargins[group] }
            }
            count = input.rows * groups
        }
        guard input.rows > 0 else { return result }
        if let kernel, let perfect {
            result.withUnsafeMutableBufferPointer { perfect.addLeaves(input, to: $0, by: kernel) }
        } else if hasCategoricalSplits {
            addLeaves(input, MixedSplits.self, to: &result)
        } else {
            addLeaves(input, NumericSplits.self, to: &result)
        }
        return result
    }

    /// The scalar walk, block by block; a block of numeric splits with no missing value skips their test for one.
    private func addLeaves<Rule: SplitRule>(_ input: FeatureMatrix, _: Rule.Type, to result: inout [Float]) {
        nodes.withUnsafeBufferPointer { nodes in
            categories.withUnsafeBufferPointer { categories in
                input.values.withUnsafeBufferPointer { values in
                    result.withUnsafeMutableBufferPointer { out in
                        var first = 0
                        while first < input.rows {
                            let rows = first..<min(first + Self.blockRows, input.rows)
                            let block = UnsafeBufferPointer(
                                rebasing: values[rows.lowerBound * featureCount..<rows.upperBound * featureCount])
                            if Rule.self == NumericSplits.self && !block.contains(where: \.isNaN) {
                                addLeaves(CompleteRowSplits.self, nodes, categories, rows, values.baseAddress!, out.baseAddress!)
                            } else {
                                addLeaves(Rule.self, nodes, categories, rows, values.baseAddress!, out.baseAddress!)
                            }
                            first = rows.upperBound
                        }
                    }
                }
            }
        }
    }

    /// Adds every tree's leaf to the margins of one block of rows, chunk by chunk, then the trees left over.
    private func addLeaves<Rule: SplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ rows: Range<Int>, _ values: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) {
        let groups = groupCount
        if groups == 1 && rows.count == 1 {
            let row = rows.lowerBound
            out[row] = sumLeaves(rule, nodes, categories, values + row * featureCount, from: out[row])
            return
        }
        trees.withUnsafeBufferPointer { trees in
            for chunk in chunkDepths.indices {
                let chunkTrees = UnsafeBufferPointer(rebasing: trees[chunk * Self.lane..<(chunk + 1) * Self.lane])
                for row in rows {
                    let leaf = Self.leaves(
                        rule, nodes, categories, chunkTrees, depth: chunkDepths[chunk], values + row * featureCount)
                    let sums = out + row * groups
                    sums[Int(chunkTrees[0].group)] += leaf.0
                    sums[Int(chunkTrees[1].group)] += leaf.1
                    sums[Int(chunkTrees[2].group)] += leaf.2
                    sums[Int(chunkTrees[3].group)] += leaf.3
                    sums[Int(chunkTrees[4].group)] += leaf.4
                    sums[Int(chunkTrees[5].group)] += leaf.5
                    sums[Int(chunkTrees[6].group)] += leaf.6
                    sums[Int(chunkTrees[7].group)] += leaf.7
                }
            }
            for tree in trees[(chunkDepths.count * Self.lane)...] {
                for row in rows {
                    out[row * groups + Int(tree.group)] += Self.leaf(rule, nodes, categories, tree, values + row * featureCount)
                }
            }
        }
    }

    /// `total` plus every tree's leaf for one row of a one-group forest, in tree order. The sum is carried
    /// in a register: added through memory, as `margins` are, each addition would wait on the last one's
    /// store, a chain as long as the forest that one row cannot hide behind other rows' walks.
    private func sumLeaves<Rule: SplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ features: UnsafePointer<Float>, from total: Float
    ) -> Float {
        var total = total
        trees.withUnsafeBufferPointer { trees in
            for chunk in chunkDepths.indices {
                let chunkTrees = UnsafeBufferPointer(rebasing: trees[chunk * Self.lane..<(chunk + 1) * Self.lane])
                let leaf = Self.leaves(rule, nodes, categories, chunkTrees, depth: chunkDepths[chunk], features)
                total += leaf.0
                total += leaf.1
                total += leaf.2
                total += leaf.3
                total += leaf.4
                total += leaf.5
                total += leaf.6
                total += leaf.7
            }
            for tree in trees[(chunkDepths.count * Self.lane)...] {
                total += Self.leaf(rule, nodes, categories, tree, features)
            }
        }
        return total
    }

    /// The leaf one tree gives one row.
    @inline(__always)
    private static func leaf<Rule: SplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>, _ tree: Tree,
        _ features: UnsafePointer<Float>
    ) -> Float {
        var index = Int(tree.root)
        for _ in 0..<tree.depth { step(rule, nodes, categories, &index, features) }
        return nodes[index].value
    }

    /// The leaves eight trees give one row, walked in lockstep.
    @inline(__always)
    private static func leaves<Rule: SplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ trees: UnsafeBufferPointer<Tree>, depth: UInt32, _ features: UnsafePointer<Float>
    ) -> (Float, Float, Float, Float, Float, Float, Float, Float) {
        var i0 = Int(trees[0].root), i1 = Int(trees[1].root), i2 = Int(trees[2].root), i3 = Int(trees[3].root)
        var i4 = Int(trees[4].root), i5 = Int(trees[5].root), i6 = Int(trees[6].root), i7 = Int(trees[7].root)
        for _ in 0..<depth {
            step(rule, nodes, categories, &i0, features)
            step(rule, nodes, categories, &i1, features)
            step(rule, nodes, categories, &i2, features)
            step(rule, nodes, categories, &i3, features)
            step(rule, nodes, categories, &i4, features)
            step(rule, nodes, categories, &i5, features)
            step(rule, nodes, categories, &i6, features)
            step(rule, nodes, categories, &i7, features)
        }
        return (
            nodes[i0].value, nodes[i1].value, nodes[i2].value, nodes[i3].value, nodes[i4].value, nodes[i5].value,
            nodes[i6].value, nodes[i7].value
        )
    }

    /// One step down a tree; at a leaf it stays put.
    @inline(__always)
    private static func step<Rule: SplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ index: inout Int, _ features: UnsafePointer<Float>
    ) {
        let node = nodes[index]
        let value = features[Int(node.featureAndDefault & featureMask)]
        index = Int(node.left &+ Rule.goesRight(node, value, categories))
    }

    /// Whether a row with these features takes the left child at split `index`, by the rule prediction
    /// follows: TreeSHAP must walk exactly the path the prediction took.
    @inline(__always)
    static func goesLeft(
        _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>, _ index: Int,
        _ features: UnsafePointer<Float>
    ) -> Bool {
        let node = nodes[index]
        return MixedSplits.goesRight(node, features[Int(node.featureAndDefault & featureMask)], categories) == 0
    }
}
