import SibylCore

/// One `Tree=` block of a LightGBM text model, read and checked (LightGBM's `Tree(const char*, …)`).
///
/// LightGBM numbers splits 0..<num_leaves-1 and leaves 0..<num_leaves; a child is a split's index, or
/// `~leaf` (negative) for a leaf. Every array must have the length `num_leaves` implies, every index must
/// be in range, and a walk from split 0 must reach every split and leaf exactly once, so the arrays form
/// one true tree whatever order they are in.
struct LightGBMTree {
    /// LightGBM's own ceiling on `num_leaves`.
    static let maxLeaves = 131_072

    static let categoricalMask: Int32 = 1
    static let defaultLeftMask: Int32 = 2

    /// How a numerical split treats a missing value (decision_type bits 2–3).
    enum MissingType: Int32 {
        /// NaN is read as 0.
        case none = 0
        /// 0 (|x| ≤ 1e-35) and NaN take the default direction.
        case zero = 1
        /// NaN takes the default direction.
        case nan = 2
    }

    let leafValue: [Double]
    /// The training data that reached each leaf (LightGBM's `leaf_count`), TreeSHAP's covers.
    let leafCover: [Double]
    let splitFeature: [Int32]
    let threshold: [Double]
    let decisionType: [Int32]
    let leftChild: [Int32]
    let rightChild: [Int32]
    let internalCover: [Double]
    /// Where each categorical split's bitset lies in `categoryThreshold` (num_cat + 1 offsets).
    let categoryBoundaries: [Int32]
    let categoryThreshold: [UInt32]
    /// Splits on the longest path from the root.
    let depth: Int

    init(_ tree: LightGBMSection, featureCount: Int) throws(SibylError) {
        if tree.contains("is_linear"), try tree.integer("is_linear", in: 0...1) == 1 {
            throw tree.invalid("linear trees (linear_tree=true) are not supported")
        }
        let leaves = try tree.integer("num_leaves", in: 1...Self.maxLeaves)
        let splits = leaves - 1
        let categorical = try tree.integer("num_cat", in: 0...splits)
        leafValue = try tree.doubles("leaf_value", count: leaves)
        leafCover = try tree.integers("leaf_count", count: leaves, in: 0...Int(Int32.max)).map(Double.init)
        try tree.checkCount("leaf_weight", count: leaves)
        guard splits > 0 else {
            // LightGBM reads nothing else of a one-leaf tree: it is a constant.
            (splitFeature, threshold, decisionType, leftChild, rightChild, internalCover) = ([], [], [], [], [], [])
            (categoryBoundaries, categoryThreshold, depth) = ([], [], 0)
            return
        }
        splitFeature = try tree.integers("split_feature", count: splits, in: 0...featureCount - 1)
        threshold = try tree.doubles("threshold", count: splits, infinite: true)
        decisionType = try tree.integers("decision_type", count: splits, in: 0...15)
        leftChild = try tree.integers("left_child", count: splits, in: -leaves...splits - 1)
        rightChild = try tree.integers("right_child", count: splits, in: -leaves...splits - 1)
        internalCover = try tree.integers("internal_count", count: splits, in: 0...Int(Int32.max)).map(Double.init)
        for key in ["split_gain", "internal_value", "internal_weight"] { try tree.checkCount(key, count: splits) }

        if categorical > 0 {
            categoryBoundaries = try tree.integers("cat_boundaries", count: categorical + 1, in: 0...Int(Int32.max))
            guard categoryBoundaries[0] == 0, zip(categoryBoundaries, categoryBoundaries.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw tree.invalid("cat_boundaries must start at 0 and never decrease")
            }
            categoryThreshold = try tree.unsignedIntegers("cat_threshold", count: Int(categoryBoundaries[categorical]))
        } else {
            (categoryBoundaries, categoryThreshold) = ([], [])
        }
        for split in 0..<splits {
            let type = decisionType[split]
            guard MissingType(rawValue: type >> 2) != nil else {
                throw tree.invalid("decision_type \(type) of split \(split) has the unknown missing type \(type >> 2)")
            }
            guard type & Self.categoricalMask != 0 else { continue }
            // The threshold of a categorical split is the index of its bitset.
            let index = threshold[split]
            guard index >= 0, index < Double(categorical), index == index.rounded(.towardZero) else {
                throw tree.invalid("categorical split \(split) names bitset \(index), but num_cat is \(categorical)")
            }
        }
        depth = try Self.checkShape(tree, leftChild, rightChild, leaves: leaves)
    }

    /// A tree laid out by another loader (CatBoost's), in LightGBM's numbering and already checked.
    init(
        leafValue: [Double], leafCover: [Double], splitFeature: [Int32], threshold: [Double], decisionType: [Int32],
        leftChild: [Int32], rightChild: [Int32], internalCover: [Double], categoryBoundaries: [Int32],
        categoryThreshold: [UInt32], depth: Int
    ) {
        (self.leafValue, self.leafCover, self.splitFeature, self.threshold) = (leafValue, leafCover, splitFeature, threshold)
        (self.decisionType, self.leftChild, self.rightChild) = (decisionType, leftChild, rightChild)
        (self.internalCover, self.categoryBoundaries, self.categoryThreshold) = (internalCover, categoryBoundaries, categoryThreshold)
        self.depth = depth
    }

    /// Whether split `split` is categorical.
    func isCategorical(_ split: Int) -> Bool {
        decisionType[split] & Self.categoricalMask != 0
    }

    /// The bitset of categorical split `split`: category `c` goes left iff bit `c % 32` of word `c / 32` is set.
    func categorySet(_ split: Int) -> ArraySlice<UInt32> {
        let index = Int(threshold[split])
        return categoryThreshold[Int(categoryBoundaries[index])..<Int(categoryBoundaries[index + 1])]
    }

    /// Walks from split 0 with an explicit stack, refusing any node reached twice (which rules out
    /// cycles and shared children) and any node never reached; returns the depth.
    private static func checkShape(
        _ tree: LightGBMSection, _ left: [Int32], _ right: [Int32], leaves: Int
    ) throws(SibylError) -> Int {
        var splitSeen = [Bool](repeating: false, count: leaves - 1)
        var leafSeen = [Bool](repeating: false, count: leaves)
        var pending: [(node: Int32, level: Int)] = [(0, 0)]
        var depth = 0
        while let (node, level) = pending.popLast() {
            if node < 0 {
                guard !leafSeen[Int(~node)] else { throw tree.invalid("leaf \(~node) is reached twice; the nodes do not form a tree") }
                leafSeen[Int(~node)] = true
                depth = max(depth, level)
                continue
            }
            guard !splitSeen[Int(node)] else { throw tree.invalid("split \(node) is reached twice; the nodes do not form a tree") }
            splitSeen[Int(node)] = true
            guard level < TreeSHAP.depthLimit else {
                throw tree.invalid("the tree is deeper than \(TreeSHAP.depthLimit) splits, which Sibyl does not explain")
            }
            pending.append((right[Int(node)], level + 1))
            pending.append((left[Int(node)], level + 1))
        }
        if let split = splitSeen.firstIndex(of: false) { throw tree.invalid("split \(split) is not reachable from the root") }
        if let leaf = leafSeen.firstIndex(of: false) { throw tree.invalid("leaf \(leaf) is not reachable from the root") }
        return depth
    }
}
