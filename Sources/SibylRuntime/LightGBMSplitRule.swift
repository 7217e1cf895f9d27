/// How a `LightGBMForest` step decides between the two children of a split, as a type so that the walk
/// is specialised for each rule: forests without categorical splits never look at the flag.
protocol LightGBMSplitRule {
    /// Whether a row whose split feature is `value` (already rounded to 0 when |value| ≤ 1e-35, as
    /// LightGBM's predictor does) takes the left child of `node`. At a leaf it must be false.
    static func goesLeft(_ node: LightGBMForest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> Bool
}

/// LightGBM's `NumericalDecision`, with the missing-value rule folded into the node when it is built:
/// NaN, and 0 at a split whose missing type is Zero, take the node's default direction (for missing type
/// None that is where 0 goes, as LightGBM reads NaN as 0); anything else goes left iff `value <= threshold`.
/// The node's float32 threshold is the largest float not above LightGBM's double one, so the float
/// comparison gives the double comparison's answer for every float32 input.
enum LightGBMNumericSplits: LightGBMSplitRule {
    @inline(__always)
    static func goesLeft(_ node: LightGBMForest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> Bool {
        // Bit arithmetic rather than `||` and `?:`, so that the step has no branch for NaNs to mispredict;
        // it reads `defaultLeftBit` as bit 0 of the flags and `zeroMissingBit` as bit 1.
        let nan: UInt32 = value.isNaN ? 1 : 0
        let zero: UInt32 = value == 0 ? 1 : 0
        let below: UInt32 = value <= node.threshold ? 1 : 0
        let missing = nan | (zero & node.flags >> 1)
        return (missing & node.flags | ~missing & below) & 1 != 0
    }
}

/// `LightGBMNumericSplits` for rows its missing-value rule never fires on: no NaN, and no 0 where the
/// forest has splits of missing type Zero. The same answers in a fraction of the instructions of a step,
/// which is most of a walk's cost.
enum LightGBMCompleteRowSplits: LightGBMSplitRule {
    @inline(__always)
    static func goesLeft(_ node: LightGBMForest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> Bool {
        value <= node.threshold
    }
}

/// Numerical splits and LightGBM's `CategoricalDecision` (LightGBM 4.x).
///
/// At a categorical split NaN goes right, and so does a value whose C++ `static_cast<int>` is negative;
/// otherwise the value is truncated toward zero and goes left iff its bit is set in the split's bitset
/// (a category past the bitset's end is not in it). Values from 2^31 up, where the C++ cast overflows and
/// x86 gives INT_MIN, go right as they do there.
enum LightGBMMixedSplits: LightGBMSplitRule {
    @inline(__always)
    static func goesLeft(_ node: LightGBMForest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> Bool {
        guard node.flags & LightGBMForest.categoricalBit != 0 else {
            return LightGBMNumericSplits.goesLeft(node, value, categories)
        }
        guard let category = code(of: value) else { return false }
        // The threshold's bit pattern is the offset of the set: its word count, then its words.
        let offset = Int(node.threshold.bitPattern)
        let word = category >> 5
        guard word < Int(categories[offset]) else { return false }
        return categories[offset + 1 + word] >> UInt32(category & 31) & 1 != 0
    }

    /// The category a value names: truncated toward zero, as C++'s `static_cast<int>`; nil for NaN, for a
    /// value whose cast is negative, and from 2^31 up (where x86 gives INT_MIN), which all go right.
    @inline(__always)
    static func code(of value: Float) -> Int? {
        value > -1 && value < 2_147_483_648 ? Int(value) : nil
    }
}
