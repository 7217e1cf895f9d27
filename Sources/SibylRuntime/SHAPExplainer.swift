import Synchronization

/// A forest's trees as TreeSHAP reads them, with each tree's `SHAPTable` built on the first explanation.
///
/// Tables cost memory (two `2^d` tables per leaf, about 10 MB for 300 trees of depth 6), so a model that
/// is only ever asked for predictions never builds them, and a forest stops tabling once `entryBudget`
/// entries are spent: the trees left, like any tree with a path too long to table, are explained by the
/// original algorithm, which gives the same values.
final class SHAPExplainer: Sendable {
    static let entryBudget = 1 << 22

    let trees: [SHAPTree]
    private let explainers = Mutex<[Prepared]?>(nil)

    init(trees: [SHAPTree]) {
        self.trees = trees
    }

    /// The explainer of each tree, built once.
    func prepared() -> [Prepared] {
        explainers.withLock { explainers in
            if let explainers { return explainers }
            var budget = Self.entryBudget
            let built = trees.map { tree -> Prepared in
                guard let entries = SHAPTable.entries(tree), entries <= budget else { return .walk(tree) }
                budget -= entries
                return .table(SHAPTable(tree))
            }
            explainers = built
            return built
        }
    }

    enum Prepared: Sendable {
        case table(SHAPTable)
        case walk(SHAPTree)

        /// Adds the tree's SHAP values for each of `rows` to `phi(row)` (features, then the bias);
        /// `goesLeft(row, node)` says which child the row takes at a split.
        @inline(__always)
        func accumulate(
            _ rows: Range<Int>, phi: (Int) -> UnsafeMutableBufferPointer<Double>, goesLeft: (Int, Int) -> Bool
        ) {
            switch self {
            case .table(let table):
                table.accumulate(rows, phi: phi, goesLeft: goesLeft)
            case .walk(let tree):
                for row in rows { TreeSHAP.accumulate(tree, into: phi(row)) { goesLeft(row, $0) } }
            }
        }
    }

    /// Rows explained together: each tree's tables stay in cache while every row of the block uses them.
    static let blockRows = 64
}
