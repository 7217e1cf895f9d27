/// Exact TreeSHAP of one tree from tables computed once per leaf, after Yang's "Fast TreeSHAP" (v2, 2021):
/// the same values as `TreeSHAP.accumulate`, for a fraction of its cost per row.
///
/// For a leaf of value `v` whose path splits on `d` distinct features, feature `k` of the path having the
/// cover fraction `z_k` (the product over its splits on the path) and `o_k` = 1 when the row follows the
/// path at all of them, the leaf adds to feature `k`
///
///     v · (o_k − z_k) · Σ_{S ⊆ P∖{k}} w(|S|, d) · Π_{j ∈ D∖S∖{k}} z_j,     w(s, d) = s! (d − s − 1)! / d!
///
/// where `P` is the set of path features the row follows. The sum depends on the row only through `P`,
/// and it factors into `Zc(P ∪ {k}) · H(P ∖ {k})` with `Zc(Q) = Π_{j ∉ Q} z_j` and
/// `H(Q) = Σ_{S ⊆ Q} w(|S|, d) Π_{j ∈ Q∖S} z_j`. Both are tabled over every subset of the path's features
/// (`2^d` entries each, `H` already multiplied by `v`), so a row costs one walk to find `P` at each leaf and
/// `d` products per leaf, instead of the original algorithm's `O(d²)` path updates and divisions per
/// node. Nothing is divided, so zero covers need no special case.
struct SHAPTable: Sendable {
    /// Paths with more distinct features than this are not tabled (a leaf's tables grow as `2^d`).
    static let depthLimit = 12

    /// Per node: the path slot of a split's feature (its first position among the path's distinct
    /// features), or -1 at a leaf.
    private let slot: [Int8]
    /// Per node: the leaf's index in `leaves`, or -1 at a split.
    private let leafIndex: [Int32]
    private let left: [Int32]
    private let right: [Int32]
    private let leaves: [Leaf]
    /// The path features of every leaf, in slot order, and their cover fractions.
    private let pathFeature: [Int32]
    private let pathZero: [Double]
    /// Each leaf's `Zc` table then its `v · H` table, `2^d` entries each.
    private let tables: [Double]
    /// The tree's expected value: every leaf's value weighted by the fraction of training weight reaching it.
    let expectation: Double
    let maxDepth: Int

    private struct Leaf {
        var depth: Int32
        /// Where its features are in `pathFeature` and `pathZero`.
        var path: Int32
        /// Where its tables start in `tables`.
        var table: Int
    }

    /// The number of table entries `tree` needs, or nil when one of its paths is too long to table.
    static func entries(_ tree: SHAPTree) -> Int? {
        var total = 0
        var tooDeep = false
        forEachLeaf(tree) { _, path in
            if path.count > depthLimit { tooDeep = true } else { total += 2 << path.count }
        }
        return tooDeep ? nil : total
    }

    /// Tables `tree`, whose every path has at most `depthLimit` distinct features (see `entries`).
    init(_ tree: SHAPTree) {
        let count = tree.left.count
        var slot = [Int8](repeating: -1, count: count)
        var leafIndex = [Int32](repeating: -1, count: count)
        var leaves: [Leaf] = []
        var pathFeature: [Int32] = []
        var pathZero: [Double] = []
        var tables: [Double] = []
        var expectation = 0.0
        Self.forEachLeaf(tree) { node, path in
            // Record the slot of every split on the path: the leaf's path names them all.
            leafIndex[node] = Int32(leaves.count)
            leaves.append(Leaf(depth: Int32(path.count), path: Int32(pathFeature.count), table: tables.count))
            for element in path {
                pathFeature.append(element.feature)
                pathZero.append(element.zero)
                for split in element.splits { slot[split] = Int8(element.slot) }
            }
            let value = tree.value[node]
            expectation += value * path.reduce(1) { $0 * $1.zero }
            Self.appendTables(zero: path.map(\.zero), value: value, to: &tables)
        }
        self.slot = slot
        self.leafIndex = leafIndex
        left = tree.left
        right = tree.right
        self.leaves = leaves
        self.pathFeature = pathFeature
        self.pathZero = pathZero
        self.tables = tables
        self.expectation = expectation
        maxDepth = tree.maxDepth
    }

    /// Adds the tree's SHAP values for one row to `phi`, as `TreeSHAP.accumulate` does.
    func accumulate(into phi: UnsafeMutableBufferPointer<Double>, goesLeft: (Int) -> Bool) {
        accumulate(0..<1, phi: { _ in phi }, goesLeft: { _, node in goesLeft(node) })
    }

    /// Adds the tree's SHAP values for each of `rows` to `phi(row)`; `goesLeft(row, node)` says which
    /// child the row takes at a split.
    ///
    /// Each row's walk first notes what it follows at every leaf; then the leaves are added leaf by leaf,
    /// every row of the block in turn, so that a leaf's tables are read from the nearest cache by all of
    /// them. Row by row, each leaf's would be fetched again for each row, the tree's tables being larger
    /// than that cache, and those reads are what a row's explanation waits on.
    func accumulate(
        _ rows: Range<Int>, phi: (Int) -> UnsafeMutableBufferPointer<Double>, goesLeft: (Int, Int) -> Bool
    ) {
        // The notes take a tree's leaves times its rows: a tree of very many leaves takes fewer rows at once.
        let step = max(1, Self.noteLimit / leaves.count)
        var first = rows.lowerBound
        while first < rows.upperBound {
            let part = first..<min(first + step, rows.upperBound)
            accumulateTogether(part, phi: phi, goesLeft: goesLeft)
            first = part.upperBound
        }
    }

    /// The most notes (one per leaf and row, 4 bytes each) `accumulate` keeps at once.
    static let noteLimit = 1 << 16

    private func accumulateTogether(
        _ rows: Range<Int>, phi: (Int) -> UnsafeMutableBufferPointer<Double>, goesLeft: (Int, Int) -> Bool
    ) {
        let leafCount = leaves.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: rows.count * leafCount) { followedAt in
            withUnsafeTemporaryAllocation(of: UnsafeMutableBufferPointer<Double>.self, capacity: rows.count) { phis in
                for (offset, row) in rows.enumerated() {
                    phis[offset] = phi(row)
                    phis[offset][phis[offset].count - 1] += expectation
                    walk(row, goesLeft, into: followedAt.baseAddress! + offset * leafCount)
                }
                leaves.withUnsafeBufferPointer { leaves in
                    tables.withUnsafeBufferPointer { tables in
                        pathFeature.withUnsafeBufferPointer { feature in
                            pathZero.withUnsafeBufferPointer { zero in
                                for (index, leaf) in leaves.enumerated() {
                                    for offset in 0..<rows.count {
                                        Self.addLeaf(leaf, followedAt[offset * leafCount + index], tables, feature, zero, phis[offset])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Walks every path of the tree for one row and writes, for each leaf, the slots the row follows to it
    /// (bit `k` set when the row follows the path at every split on slot `k`'s feature).
    private func walk(_ row: Int, _ goesLeft: (Int, Int) -> Bool, into followedAt: UnsafeMutablePointer<UInt32>) {
        withUnsafeTemporaryAllocation(of: (node: Int32, followed: UInt32).self, capacity: maxDepth + 2) { pending in
            slot.withUnsafeBufferPointer { slot in
                leafIndex.withUnsafeBufferPointer { leafIndex in
                    left.withUnsafeBufferPointer { left in
                        right.withUnsafeBufferPointer { right in
                            var count = 1
                            pending[0] = (0, UInt32.max)
                            while count > 0 {
                                count -= 1
                                let (node, followed) = pending[count]
                                let leaf = Int(leafIndex[Int(node)])
                                if leaf >= 0 {
                                    followedAt[leaf] = followed
                                    continue
                                }
                                let notFollowed = followed & ~(1 &<< UInt32(slot[Int(node)]))
                                let goLeft = goesLeft(row, Int(node))
                                pending[count] = (right[Int(node)], goLeft ? notFollowed : followed)
                                pending[count + 1] = (left[Int(node)], goLeft ? followed : notFollowed)
                                count += 2
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds one leaf's share to each of its path's features, `followed` holding bit `k` when the row
    /// follows the path at every split on the feature of slot `k`.
    @inline(__always)
    private static func addLeaf(
        _ leaf: Leaf, _ followed: UInt32, _ tables: UnsafeBufferPointer<Double>, _ feature: UnsafeBufferPointer<Int32>,
        _ zero: UnsafeBufferPointer<Double>, _ phi: UnsafeMutableBufferPointer<Double>
    ) {
        let depth = Int(leaf.depth)
        let all = UInt32(1) &<< UInt32(depth)
        let followed = followed & (all - 1)
        let complement = tables.baseAddress! + leaf.table
        let scaledH = complement + Int(all)
        let path = Int(leaf.path)
        for k in 0..<depth {
            let bit = UInt32(1) &<< UInt32(k)
            // Converted, not chosen: whether the row follows is as good as random, so a branch would mispredict.
            let one = Double(Int32(bitPattern: (followed &>> UInt32(k)) & 1))
            phi[Int(feature[path + k])] +=
                (one - zero[path + k]) * complement[Int(followed | bit)] * scaledH[Int(followed & ~bit)]
        }
    }

    /// One distinct feature on a path from the root.
    private struct PathElement {
        var feature: Int32
        var slot: Int
        /// The product of the cover fractions of the path's splits on this feature.
        var zero: Double
        /// The nodes on the path that split on it.
        var splits: [Int]
    }

    /// Calls `body` with every leaf and the distinct features on its path, depth first.
    private static func forEachLeaf(_ tree: SHAPTree, _ body: (Int, [PathElement]) -> Void) {
        var pending: [(node: Int, path: [PathElement])] = [(0, [])]
        while let (node, path) = pending.popLast() {
            let left = Int(tree.left[node]), right = Int(tree.right[node])
            guard left >= 0 else {
                body(node, path)
                continue
            }
            let feature = tree.feature[node]
            let cover = tree.cover[node]
            for child in [right, left] {
                var childPath = path
                let fraction = cover > 0 ? tree.cover[child] / cover : 0
                if let k = childPath.firstIndex(where: { $0.feature == feature }) {
                    childPath[k].zero *= fraction
                    childPath[k].splits.append(node)
                } else {
                    childPath.append(PathElement(feature: feature, slot: path.count, zero: fraction, splits: [node]))
                }
                pending.append((child, childPath))
            }
        }
    }

    /// `1 / C(d - 1, s) / d` = `s! (d - s - 1)! / d!` for every `d` up to the depth limit.
    private static let weights: [[Double]] = (0...depthLimit).map { d in
        (0..<max(d, 1)).map { s in
            var binomial = 1.0
            for i in 0..<s { binomial = binomial * Double(d - 1 - i) / Double(i + 1) }
            return 1 / (binomial * Double(max(d, 1)))
        }
    }

    /// Appends the `Zc` and `v · H` tables of a leaf with these cover fractions.
    private static func appendTables(zero: [Double], value: Double, to tables: inout [Double]) {
        let d = zero.count
        let size = 1 << d
        var complement = [Double](repeating: 1, count: size)
        // Zc(Q) = Zc(Q ∪ {j}) · z_j for the lowest j not in Q; larger sets come first.
        for set in stride(from: size - 2, through: 0, by: -1) {
            let j = (~set).trailingZeroBitCount
            complement[set] = complement[set | 1 << j] * zero[j]
        }
        // Elementary symmetric polynomials of the fractions of each set, e_m(Q) at [Q * (d + 1) + m].
        var symmetric = [Double](repeating: 0, count: size * (d + 1))
        symmetric[0] = 1
        var scaledH = [Double](repeating: 0, count: size)
        for set in 0..<size {
            let members = set.nonzeroBitCount
            if set > 0 {
                let j = set.trailingZeroBitCount, rest = set & (set - 1)
                for m in 0...members {
                    symmetric[set * (d + 1) + m] =
                        (m < members ? symmetric[rest * (d + 1) + m] : 0)
                        + (m > 0 ? zero[j] * symmetric[rest * (d + 1) + m - 1] : 0)
                }
            }
            // H(Q) = Σ_m w(|Q| − m, d) e_m(Q); never read for the whole path (k is always left out).
            guard members < d else { continue }
            var h = 0.0
            for m in 0...members { h += weights[d][members - m] * symmetric[set * (d + 1) + m] }
            scaledH[set] = value * h
        }
        tables.append(contentsOf: complement)
        tables.append(contentsOf: scaledH)
    }
}
