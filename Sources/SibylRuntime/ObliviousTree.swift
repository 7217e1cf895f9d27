import SibylCore

/// A CatBoost oblivious tree laid out as binary `LightGBMTree`s, one per output.
///
/// Leaf index bit i is the answer to question i. The layout asks the last question at the root and the
/// first at the leaves, as CatBoost's TreeSHAP walks an oblivious tree: path-dependent TreeSHAP weighs a
/// feature by the covers of the splits above it, so the order of the questions changes the
/// contributions (not the predictions), and this order gives CatBoost's. Split (l, p) is level l's on
/// path p, the answers so far read as a binary number (first answer highest), so a leaf's path is its
/// index; its number is 2^l − 1 + p. A border question sends answer 0 (`value ≤ border`) left, a
/// category question sends the codes whose answer differs from an unseen category's left, so that an
/// unseen or missing category takes the right child, as `LightGBMMixedSplits` sends NaN. A split's
/// cover is the training weight of the leaves below it (`leaf_weights`).
struct ObliviousTree {
    let questions: [CatBoostCategories.Question]
    /// `outputs` values per leaf, leaf-major, as CatBoost writes them (times the model's scale).
    let values: [Double]
    let weights: [Double]
    let outputs: Int

    init(
        questions: [CatBoostCategories.Question], values: [Double], weights: [Double], outputs: Int, field: ModelField
    ) throws(SibylError) {
        let leaves = 1 << questions.count
        guard values.count == leaves * outputs else {
            throw field.invalid("has \(values.count) values for \(leaves) leaves of \(outputs) outputs")
        }
        guard weights.count == leaves, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw field.invalid("leaf_weights must be \(leaves) non-negative numbers")
        }
        (self.questions, self.values, self.weights, self.outputs) = (questions, values, weights, outputs)
    }

    /// A tree of one leaf: a constant added to an output.
    static func constant(_ value: Double) -> LightGBMTree {
        LightGBMTree(
            leafValue: [value], leafCover: [1], splitFeature: [], threshold: [], decisionType: [], leftChild: [],
            rightChild: [], internalCover: [], categoryBoundaries: [], categoryThreshold: [], depth: 0)
    }

    /// The tree of each output, in output order: one layout of splits, with each output's leaf values.
    func trees() -> [LightGBMTree] {
        let depth = questions.count
        let leaves = 1 << depth
        let leafValues = (0..<outputs).map { output in (0..<leaves).map { leaf in values[leaf * outputs + output] } }
        guard depth > 0 else { return leafValues.map { Self.constant($0[0]) } }
        var splitFeature: [Int32] = [], threshold: [Double] = [], decisionType: [Int32] = []
        var leftChild: [Int32] = [], rightChild: [Int32] = [], internalCover: [Double] = []
        var categoryBoundaries: [Int32] = [0], categoryThreshold: [UInt32] = []
        // The leaves below split (l, p) are those whose top l bits are p: a run of 2^(depth − l).
        var running = [0.0]
        for weight in weights { running.append(running.last! + weight) }
        for level in 0..<depth {
            let question = questions[depth - 1 - level]
            let split: (threshold: Double, type: Int32, leftAnswer: Int)
            switch question.kind {
            case .border(let border, let missingIsTrue):
                // Missing type NaN, and NaN goes left where it answers 0.
                split = (border, 2 << 2 | (missingIsTrue ? 0 : LightGBMTree.defaultLeftMask), 0)
            case .categories(let answers, let unseen):
                var words = [UInt32](repeating: 0, count: (answers.count + 31) / 32)
                for (code, answer) in answers.enumerated() where answer != unseen { words[code >> 5] |= 1 << UInt32(code & 31) }
                split = (Double(categoryBoundaries.count - 1), LightGBMTree.categoricalMask, unseen ? 0 : 1)
                categoryThreshold.append(contentsOf: words)
                categoryBoundaries.append(Int32(categoryThreshold.count))
            }
            let run = 1 << (depth - level)
            for path in 0..<(1 << level) {
                splitFeature.append(question.column)
                threshold.append(split.threshold)
                decisionType.append(split.type)
                internalCover.append(running[(path + 1) * run] - running[path * run])
                let left = 2 * path + split.leftAnswer, right = 2 * path + 1 - split.leftAnswer
                if level == depth - 1 {
                    leftChild.append(Int32(~left))
                    rightChild.append(Int32(~right))
                } else {
                    leftChild.append(Int32((1 << (level + 1)) - 1 + left))
                    rightChild.append(Int32((1 << (level + 1)) - 1 + right))
                }
            }
        }
        return leafValues.map { leafValue in
            LightGBMTree(
                leafValue: leafValue, leafCover: weights, splitFeature: splitFeature, threshold: threshold,
                decisionType: decisionType, leftChild: leftChild, rightChild: rightChild, internalCover: internalCover,
                categoryBoundaries: categoryBoundaries, categoryThreshold: categoryThreshold, depth: depth)
        }
    }
}
