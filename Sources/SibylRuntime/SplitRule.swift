/// How a `Forest` step decides between the two children of a node, as a type so that the walk is
/// specialised for each rule: numeric-only forests get a step with no trace of categorical handling.
protocol SplitRule {
    /// 1 when a row whose split feature is `value` takes the right child of `node`, 0 for the left.
    /// At a leaf (NaN threshold, missing goes right) it must give 1, which keeps the walk in place.
    static func goesRight(_ node: Forest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> UInt32
}

/// XGBoost's numerical split (`GetNextNode`): NaN takes the default branch, anything else goes left iff
/// `value < threshold` in float32. Computed without branches.
enum NumericSplits: SplitRule {
    @inline(__always)
    static func goesRight(_ node: Forest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> UInt32 {
        let below: UInt32 = value < node.threshold ? 1 : 0
        let missingLeft: UInt32 = value.isNaN ? node.featureAndDefault >> 31 : 0
        return 1 &- (below | missingLeft)
    }
}

/// `NumericSplits` for rows with no missing value, where its missing-value test never fires: the same
/// answers in about half the instructions of a step, which is most of a walk's cost.
enum CompleteRowSplits: SplitRule {
    @inline(__always)
    static func goesRight(_ node: Forest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> UInt32 {
        value < node.threshold ? 0 : 1
    }
}

/// Numerical splits and XGBoost's categorical ones (`common::Decision` in `categorical.h`).
///
/// At a categorical split a missing value takes the default branch; otherwise the value goes right iff it
/// is a category in the node's set. A value XGBoost treats as an invalid category (negative, or at least
/// 2^24, where float32 stops holding every integer) goes left, and a fractional value is truncated to its
/// integer part first, as XGBoost's cast to `bst_cat_t` does.
enum MixedSplits: SplitRule {
    /// XGBoost's `OutOfRangeCat()`: categories must be below this.
    static let categoryLimit: Float = 16_777_216

    @inline(__always)
    static func goesRight(_ node: Forest.Node, _ value: Float, _ categories: UnsafeBufferPointer<UInt32>) -> UInt32 {
        guard node.featureAndDefault & Forest.categoricalBit != 0, !value.isNaN else {
            return NumericSplits.goesRight(node, value, categories)
        }
        guard value >= 0 && value < categoryLimit else { return 0 }
        return contains(categories, set: Int(node.threshold.bitPattern), UInt32(value)) ? 1 : 0
    }

    /// Binary search of the set stored at `offset` (its size, then its members in increasing order).
    @inline(__always)
    static func contains(_ categories: UnsafeBufferPointer<UInt32>, set offset: Int, _ category: UInt32) -> Bool {
        var low = offset + 1, high = offset + 1 + Int(categories[offset])
        while low < high {
            let middle = (low + high) / 2
            if categories[middle] < category { low = middle + 1 } else { high = middle }
        }
        return low < offset + 1 + Int(categories[offset]) && categories[low] == category
    }
}
