/// All trees of a LightGBM model flattened into one array of 16-byte nodes, evaluated without allocation
/// per row and in LightGBM's own arithmetic: leaf values are doubles, summed in double in tree order.
///
/// The layout follows `Forest`: the two children of a split are adjacent (`left`, then `left + 1`), and a
/// leaf is a fixed point of a step (NaN threshold, `left` its own index minus one), so eight trees can be
/// walked side by side without branching on leaves. LightGBM grows trees leaf-wise, deep on one side and
/// shallow on the other, so instead of walking each group for its depth, as `Forest` does with XGBoost's
/// balanced trees, the walk stops at the first round in which all eight are at leaves.
///
/// Inputs are float32 and LightGBM compares doubles; a split's threshold is stored as the largest float32
/// not above LightGBM's double, which gives the same answer for every float32 input (see
/// `LightGBMNumericSplits`). LightGBM's predictor reads an input within ±1e-35 of zero as 0, so each
/// block of rows is copied with those values set to 0 before it is walked.
struct LightGBMForest: Sendable {
    /// One node, 16 bytes so that no node straddles a cache line.
    struct Node: Sendable {
        /// The split threshold; NaN at a leaf; at a categorical split, the bit pattern is the offset of its
        /// set in `categories`.
        var threshold: Float
        var feature: UInt32
        var left: UInt32
        /// `defaultLeftBit`, `zeroMissingBit`, `categoricalBit`, `leafBit`.
        var flags: UInt32
    }

    /// One tree: its root and the output group its leaf adds to.
    struct Tree: Sendable {
        var root: UInt32
        var group: UInt32
    }

    /// A missing value (or, for missing type None, a NaN read as 0) goes left.
    static let defaultLeftBit: UInt32 = 1
    /// Missing type Zero: a 0 input is missing.
    static let zeroMissingBit: UInt32 = 2
    static let categoricalBit: UInt32 = 4
    /// Set at a leaf, where a walk may stop.
    static let leafBit: UInt32 = 8
    /// LightGBM's `kZeroThreshold` (the float literal `1e-35f`).
    static let zeroThreshold: Float = 1e-35

    let nodes: [Node]
    /// The value of each node that is a leaf, 0 at a split; parallel to `nodes`.
    let leafValues: [Double]
    let trees: [Tree]
    /// The bitsets of categorical splits, each stored as its word count followed by its words.
    let categories: [UInt32]
    let hasCategoricalSplits: Bool
    /// Whether a numeric split reads 0 as missing (missing type Zero).
    let hasZeroMissingSplits: Bool
    /// Every tree again in the form TreeSHAP reads, node `k` of tree `t` being `nodes[trees[t].root + k]`.
    let explainer: SHAPExplainer
    let featureCount: Int
    /// The features TreeSHAP tells apart: `featureCount`, unless columns count as other features (a CatBoost
    /// combination's column as its categories'), numbered below this.
    let shapFeatureCount: Int
    let groupCount: Int
    /// Whether inputs within ±1e-35 of zero are read as 0 (LightGBM's predictor does; CatBoost's does not).
    let readsTinyAsZero: Bool

    /// The largest float32 not above a double threshold: for a float32 x, x <= it iff x <= threshold
    /// (and x > it iff x > threshold), so float comparisons give the double ones.
    static func threshold(_ threshold: Double) -> Float {
        var rounded = Float(threshold)
        if Double(rounded) > threshold { rounded = rounded.nextDown }
        return rounded
    }

    /// Trees walked side by side for one row, so the CPU overlaps eight chains of loads.
    static let lane = 8
    /// Rows evaluated together: a chunk of trees stays in L1 while every row of the block walks it.
    static let blockRows = 16

    init(
        nodes: [Node], leafValues: [Double], trees: [Tree], categories: [UInt32], shapTrees: [SHAPTree],
        featureCount: Int, groupCount: Int, readsTinyAsZero: Bool, shapFeatureCount: Int? = nil
    ) {
        self.nodes = nodes
        self.leafValues = leafValues
        self.trees = trees
        self.categories = categories
        hasCategoricalSplits = !categories.isEmpty
        hasZeroMissingSplits = nodes.contains { $0.flags & (Self.zeroMissingBit | Self.categoricalBit) == Self.zeroMissingBit }
        explainer = SHAPExplainer(trees: shapTrees)
        self.featureCount = featureCount
        self.shapFeatureCount = shapFeatureCount ?? featureCount
        self.groupCount = groupCount
        self.readsTinyAsZero = readsTinyAsZero
    }

    // MARK: Margins

    /// LightGBM's raw scores (`raw_score=True`) of every row, `groupCount` per row: from 0, each tree's
    /// leaf added in tree order in double, as `GBDT::PredictRaw` does.
    func margins(_ input: FeatureMatrix) -> [Double] {
        hasCategoricalSplits ? margins(input, LightGBMMixedSplits.self) : margins(input, LightGBMNumericSplits.self)
    }

    private func margins<Rule: LightGBMSplitRule>(_ input: FeatureMatrix, _ rule: Rule.Type) -> [Double] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        var result = [Double](repeating: 0, count: input.rows * groupCount)
        guard input.rows > 0 else { return result }
        var block = [Float](repeating: 0, count: min(input.rows, Self.blockRows) * featureCount)
        nodes.withUnsafeBufferPointer { nodes in
            leafValues.withUnsafeBufferPointer { leafValues in
                categories.withUnsafeBufferPointer { categories in
                    trees.withUnsafeBufferPointer { trees in
                        block.withUnsafeMutableBufferPointer { block in
                            result.withUnsafeMutableBufferPointer { out in
                                var first = 0
                                while first < input.rows {
                                    let rows = min(Self.blockRows, input.rows - first)
                                    copyRows(input, from: first, count: rows, into: block)
                                    let copied = UnsafeBufferPointer(rebasing: block[..<(rows * featureCount)])
                                    if Rule.self == LightGBMNumericSplits.self
                                        && !copied.contains(where: { $0.isNaN || (hasZeroMissingSplits && $0 == 0) })
                                    {
                                        addLeaves(
                                            LightGBMCompleteRowSplits.self, nodes, leafValues, categories, trees,
                                            rows: rows, block.baseAddress!, out.baseAddress! + first * groupCount)
                                    } else {
                                        addLeaves(
                                            rule, nodes, leafValues, categories, trees, rows: rows,
                                            block.baseAddress!, out.baseAddress! + first * groupCount)
                                    }
                                    first += rows
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Copies rows of the input into `block`, reading values within ±1e-35 of zero as 0 as LightGBM's
    /// predictor does (it keeps only inputs with |x| > kZeroThreshold or NaN, and the rest are 0).
    private func copyRows(_ input: FeatureMatrix, from first: Int, count: Int, into block: UnsafeMutableBufferPointer<Float>) {
        input.values.withUnsafeBufferPointer { values in
            guard readsTinyAsZero else {
                for k in 0..<count * featureCount { block[k] = values[first * featureCount + k] }
                return
            }
            for k in 0..<count * featureCount {
                let value = values[first * featureCount + k]
                block[k] = abs(value) <= Self.zeroThreshold ? 0 : value
            }
        }
    }

    /// Adds every tree's leaf to the margins of one block of rows, chunk by chunk, then the trees left over.
    private func addLeaves<Rule: LightGBMSplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ leafValues: UnsafeBufferPointer<Double>,
        _ categories: UnsafeBufferPointer<UInt32>, _ trees: UnsafeBufferPointer<Tree>, rows: Int,
        _ values: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Double>
    ) {
        let groups = groupCount
        if groups == 1 && rows == 1 {
            out[0] = Self.sumLeaves(rule, nodes, leafValues, categories, trees, values, from: out[0])
            return
        }
        let chunks = trees.count / Self.lane
        for chunk in 0..<chunks {
            let chunkTrees = UnsafeBufferPointer(rebasing: trees[chunk * Self.lane..<(chunk + 1) * Self.lane])
            for row in 0..<rows {
                let leaf = Self.leaves(rule, nodes, categories, chunkTrees, values + row * featureCount)
                let sums = out + row * groups
                sums[Int(chunkTrees[0].group)] += leafValues[leaf.0]
                sums[Int(chunkTrees[1].group)] += leafValues[leaf.1]
                sums[Int(chunkTrees[2].group)] += leafValues[leaf.2]
                sums[Int(chunkTrees[3].group)] += leafValues[leaf.3]
                sums[Int(chunkTrees[4].group)] += leafValues[leaf.4]
                sums[Int(chunkTrees[5].group)] += leafValues[leaf.5]
                sums[Int(chunkTrees[6].group)] += leafValues[leaf.6]
                sums[Int(chunkTrees[7].group)] += leafValues[leaf.7]
            }
        }
        for tree in trees[(chunks * Self.lane)...] {
            for row in 0..<rows {
                out[row * groups + Int(tree.group)] += leafValues[Self.leaf(rule, nodes, categories, tree, values + row * featureCount)]
            }
        }
    }

    /// `total` plus every tree's leaf for one row of a one-group forest, in tree order, the sum carried in a
    /// register: added through memory, as margins are, each addition would wait on the last one's store,
    /// a chain as long as the forest that one row cannot hide behind other rows' walks.
    private static func sumLeaves<Rule: LightGBMSplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ leafValues: UnsafeBufferPointer<Double>,
        _ categories: UnsafeBufferPointer<UInt32>, _ trees: UnsafeBufferPointer<Tree>, _ features: UnsafePointer<Float>,
        from total: Double
    ) -> Double {
        var total = total
        let chunks = trees.count / lane
        for chunk in 0..<chunks {
            let leaf = leaves(rule, nodes, categories, UnsafeBufferPointer(rebasing: trees[chunk * lane..<(chunk + 1) * lane]), features)
            total += leafValues[leaf.0]
            total += leafValues[leaf.1]
            total += leafValues[leaf.2]
            total += leafValues[leaf.3]
            total += leafValues[leaf.4]
            total += leafValues[leaf.5]
            total += leafValues[leaf.6]
            total += leafValues[leaf.7]
        }
        for tree in trees[(chunks * lane)...] { total += leafValues[leaf(rule, nodes, categories, tree, features)] }
        return total
    }

    /// The leaf node one tree takes one row to.
    @inline(__always)
    private static func leaf<Rule: LightGBMSplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>, _ tree: Tree,
        _ features: UnsafePointer<Float>
    ) -> Int {
        var index = Int(tree.root)
        var leaves: UInt32 = 0
        while leaves == 0 {
            leaves = leafBit
            step(rule, nodes, categories, &index, &leaves, features)
        }
        return index
    }

    /// The leaf nodes eight trees take one row to, walked in lockstep.
    @inline(__always)
    private static func leaves<Rule: LightGBMSplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ trees: UnsafeBufferPointer<Tree>, _ features: UnsafePointer<Float>
    ) -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        var i0 = Int(trees[0].root), i1 = Int(trees[1].root), i2 = Int(trees[2].root), i3 = Int(trees[3].root)
        var i4 = Int(trees[4].root), i5 = Int(trees[5].root), i6 = Int(trees[6].root), i7 = Int(trees[7].root)
        // Steps until a round finds all eight at leaves (that round moves nothing, leaves being fixed points).
        var leaves: UInt32 = 0
        while leaves == 0 {
            leaves = leafBit
            step(rule, nodes, categories, &i0, &leaves, features)
            step(rule, nodes, categories, &i1, &leaves, features)
            step(rule, nodes, categories, &i2, &leaves, features)
            step(rule, nodes, categories, &i3, &leaves, features)
            step(rule, nodes, categories, &i4, &leaves, features)
            step(rule, nodes, categories, &i5, &leaves, features)
            step(rule, nodes, categories, &i6, &leaves, features)
            step(rule, nodes, categories, &i7, &leaves, features)
        }
        return (i0, i1, i2, i3, i4, i5, i6, i7)
    }

    /// One step down a tree by `Rule`; at a leaf it stays put. Clears `leafBit` in `leaves` unless the
    /// step started at a leaf.
    @inline(__always)
    private static func step<Rule: LightGBMSplitRule>(
        _ rule: Rule.Type, _ nodes: UnsafeBufferPointer<Node>, _ categories: UnsafeBufferPointer<UInt32>,
        _ index: inout Int, _ leaves: inout UInt32, _ features: UnsafePointer<Float>
    ) {
        let node = nodes[index]
        leaves &= node.flags
        let left = Rule.goesLeft(node, features[Int(node.feature)], categories)
        index = Int(node.left) + (left ? 0 : 1)
    }

    // MARK: Contributions

    /// LightGBM's `pred_contrib` for every row: per row and group, `shapFeatureCount + 1` values (the
    /// features', then the bias), each tree's exact TreeSHAP values added in tree order.
    func contributions(_ input: FeatureMatrix) -> [Double] {
        hasCategoricalSplits
            ? contributions(input, LightGBMMixedSplits.self) : contributions(input, LightGBMNumericSplits.self)
    }

    private func contributions<Rule: LightGBMSplitRule>(_ input: FeatureMatrix, _ rule: Rule.Type) -> [Double] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        let width = shapFeatureCount + 1
        var result = [Double](repeating: 0, count: input.rows * groupCount * width)
        let explainers = explainer.prepared()
        var block = [Float](repeating: 0, count: SHAPExplainer.blockRows * featureCount)
        nodes.withUnsafeBufferPointer { nodes in
            categories.withUnsafeBufferPointer { categories in
                block.withUnsafeMutableBufferPointer { block in
                    result.withUnsafeMutableBufferPointer { out in
                        var first = 0
                        while first < input.rows {
                            let count = min(SHAPExplainer.blockRows, input.rows - first)
                            copyRows(input, from: first, count: count, into: block)
                            for (tree, explainer) in zip(trees, explainers) {
                                let root = Int(tree.root)
                                explainer.accumulate(
                                    0..<count,
                                    phi: { offset in
                                        let start = ((first + offset) * groupCount + Int(tree.group)) * width
                                        return UnsafeMutableBufferPointer(rebasing: out[start..<start + width])
                                    },
                                    goesLeft: { offset, node in
                                        let split = nodes[root + node]
                                        return Rule.goesLeft(split, block[offset * featureCount + Int(split.feature)], categories)
                                    })
                            }
                            first += count
                        }
                    }
                }
            }
        }
        return result
    }
}
