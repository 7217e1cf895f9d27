/// A tree as TreeSHAP reads it: parallel arrays, one element per node; children are -1 at a leaf.
///
/// Node 0 is the root. The arrays must describe a true tree (no node reached twice) no deeper than
/// `maxDepth` splits, and `maxDepth` must not exceed `TreeSHAP.depthLimit`; loaders check both.
struct SHAPTree: Sendable {
    var left: [Int32]
    var right: [Int32]
    var feature: [Int32]
    /// The training weight that reached each node (XGBoost: sum_hessian; LightGBM: its counts/weights).
    var cover: [Double]
    /// A leaf's output, already scaled (0 at a split).
    var value: [Double]
    var maxDepth: Int
}

/// Exact SHAP values of one tree for one row: Lundberg, Erion & Lee's polynomial-time Tree SHAP
/// ("Consistent individualized feature attribution for tree ensembles", Algorithm 2), the algorithm
/// behind XGBoost's `pred_contribs` and LightGBM's `pred_contrib`.
///
/// The walk keeps, for the path from the root to the current node, one element per distinct feature
/// split on: the fraction of training weight that flows along the path when the feature is unknown
/// (`zero`), whether the row itself follows it (`one`), and the permutation weights of subsets of the
/// path's features. It runs in double precision, without recursion, and allocates nothing on the heap
/// for trees of ordinary depth: its buffers are temporary (stack) allocations sized from `maxDepth`.
enum TreeSHAP {
    /// The deepest tree accepted. The path buffers grow with the square of the depth
    /// ((d + 2)(d + 3) / 2 elements of 32 bytes: about 1 MB at 256), so loaders refuse deeper trees.
    static let depthLimit = 256

    /// Adds the exact SHAP values of `tree` for one row to `phi` (featureCount + 1 entries): one per feature,
    /// and the tree's expected value (cover-weighted mean leaf) added to the last entry, the bias.
    /// `goesLeft(node)` says which child the row takes at split `node`, by the format's own rule (missing values included).
    static func accumulate(_ tree: SHAPTree, into phi: UnsafeMutableBufferPointer<Double>, goesLeft: (Int) -> Bool) {
        let depth = tree.maxDepth
        let count = tree.left.count
        precondition(depth >= 0 && depth <= depthLimit, "tree depth \(depth) is outside 0...\(depthLimit)")
        precondition(
            count > 0 && tree.right.count == count && tree.feature.count == count && tree.cover.count == count
                && tree.value.count == count, "the tree's arrays differ in length")
        precondition(!phi.isEmpty, "phi needs the bias entry")
        // Each node's path is stored after its parent's, so the deepest chain of paths fits here
        // (the bound XGBoost's TreeShap uses).
        let pathCapacity = (depth + 2) * (depth + 3) / 2
        withUnsafeTemporaryAllocation(of: PathElement.self, capacity: pathCapacity) { paths in
            withUnsafeTemporaryAllocation(of: Visit.self, capacity: depth + 2) { pending in
                tree.left.withUnsafeBufferPointer { left in
                    tree.right.withUnsafeBufferPointer { right in
                        tree.feature.withUnsafeBufferPointer { feature in
                            tree.cover.withUnsafeBufferPointer { cover in
                                tree.value.withUnsafeBufferPointer { value in
                                    reciprocals.withUnsafeBufferPointer { inverse in
                                        var walk = Walk(
                                            left: left.baseAddress!, right: right.baseAddress!, feature: feature.baseAddress!,
                                            cover: cover.baseAddress!, value: value.baseAddress!, nodeCount: count,
                                            maxDepth: depth, inverse: inverse.baseAddress!,
                                            paths: paths.baseAddress!, pending: pending.baseAddress!)
                                        walk.run(phi, goesLeft)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One distinct feature on the path from the root.
    private struct PathElement {
        var feature: Int32
        /// The fraction of the path's training weight that follows it when the feature is unknown.
        var zero: Double
        /// 1 when the row follows this path at the feature's splits, 0 when it does not.
        var one: Double
        /// The permutation weight of subsets of size (index of this element) among the path's features.
        var weight: Double
    }

    /// A node waiting to be visited, with what its parent passes down.
    private struct Visit {
        var node: Int32
        var level: Int32
        /// Elements of the parent's path the node inherits; its own is added at this index.
        var uniqueDepth: Int32
        /// Where the parent's path starts in the path buffer.
        var parentPath: Int32
        var feature: Int32
        var zero: Double
        var one: Double
        /// The fraction of all training weight that reaches the node: the weight of its leaves in the mean.
        var reach: Double
    }

    /// The depth-first walk over one tree, on raw pointers: the arrays' lengths were checked once, and
    /// each child index is checked as it is followed.
    private struct Walk {
        let left: UnsafePointer<Int32>
        let right: UnsafePointer<Int32>
        let feature: UnsafePointer<Int32>
        let cover: UnsafePointer<Double>
        let value: UnsafePointer<Double>
        let nodeCount: Int
        let maxDepth: Int
        let inverse: UnsafePointer<Double>
        let paths: UnsafeMutablePointer<PathElement>
        let pending: UnsafeMutablePointer<Visit>
        var count = 0

        mutating func run(_ phi: UnsafeMutableBufferPointer<Double>, _ goesLeft: (Int) -> Bool) {
            let bias = phi.count - 1
            pending[0] = Visit(node: 0, level: 0, uniqueDepth: 0, parentPath: 0, feature: -1, zero: 1, one: 1, reach: 1)
            count = 1
            while count > 0 {
                count -= 1
                let visit = pending[count]
                var uniqueDepth = Int(visit.uniqueDepth)
                let path = paths + Int(visit.parentPath) + uniqueDepth + 1
                // The parent's path stays intact for the sibling visited later: children only write further on.
                path.update(from: paths + Int(visit.parentPath), count: uniqueDepth)
                TreeSHAP.extend(path, uniqueDepth, zero: visit.zero, one: visit.one, feature: visit.feature, inverse)

                let node = Int(visit.node)
                if left[node] < 0 {
                    let leafValue = value[node]
                    phi[bias] += leafValue * visit.reach
                    var index = 1
                    while index <= uniqueDepth {
                        let element = path[index]
                        let weight = TreeSHAP.unwoundPathSum(path, uniqueDepth, index, inverse)
                        phi[Int(element.feature)] += weight * (element.one - element.zero) * leafValue
                        index += 1
                    }
                    continue
                }

                precondition(Int(visit.level) < maxDepth, "the tree is deeper than its maxDepth \(maxDepth)")
                let splitFeature = feature[node]
                precondition(splitFeature >= 0 && Int(splitFeature) < bias, "split feature \(splitFeature) is outside phi")
                let leftChild = Int(left[node]), rightChild = Int(right[node])
                precondition(leftChild < nodeCount && rightChild >= 0 && rightChild < nodeCount, "node \(node): child out of range")
                let goLeft = goesLeft(node)
                let hot = goLeft ? leftChild : rightChild, cold = goLeft ? rightChild : leftChild
                let nodeCover = cover[node]
                let hotZero = nodeCover > 0 ? cover[hot] / nodeCover : 0
                let coldZero = nodeCover > 0 ? cover[cold] / nodeCover : 0

                // A feature already on the path is taken off and put back with this split's fractions folded in,
                // so each feature appears once.
                var incomingZero = 1.0, incomingOne = 1.0
                var index = 0
                while index <= uniqueDepth && path[index].feature != splitFeature { index += 1 }
                if index <= uniqueDepth {
                    incomingZero = path[index].zero
                    incomingOne = path[index].one
                    TreeSHAP.unwind(path, uniqueDepth, index, inverse)
                    uniqueDepth -= 1
                }
                // The hot child goes on top, so it is visited first, as XGBoost recurses.
                let start = Int32(path - paths)
                push(Visit(
                    node: Int32(cold), level: visit.level + 1, uniqueDepth: Int32(uniqueDepth + 1), parentPath: start,
                    feature: splitFeature, zero: coldZero * incomingZero, one: 0, reach: visit.reach * coldZero))
                push(Visit(
                    node: Int32(hot), level: visit.level + 1, uniqueDepth: Int32(uniqueDepth + 1), parentPath: start,
                    feature: splitFeature, zero: hotZero * incomingZero, one: incomingOne, reach: visit.reach * hotZero))
            }
        }

        /// Queues a child, unless neither the row nor any training weight reaches it: such a child contributes
        /// exactly nothing, and skipping it keeps a zero fraction from ever being divided by when unwinding.
        @inline(__always)
        private mutating func push(_ visit: Visit) {
            guard visit.zero != 0 || visit.one != 0 else { return }
            pending[count] = visit
            count += 1
        }
    }

    /// `1 / k` for every `k` the path updates divide by (up to the longest path plus one), so that the
    /// inner loops multiply instead of dividing: the divisions, not the walk, dominate the running time.
    private static let reciprocals: [Double] = (0...depthLimit + 2).map { $0 == 0 ? 0 : 1 / Double($0) }

    /// EXTEND: adds a feature to the path, updating the permutation weights of every subset size.
    @inline(__always)
    private static func extend(
        _ path: UnsafeMutablePointer<PathElement>, _ uniqueDepth: Int, zero: Double, one: Double, feature: Int32,
        _ inverse: UnsafePointer<Double>
    ) {
        path[uniqueDepth] = PathElement(feature: feature, zero: zero, one: one, weight: uniqueDepth == 0 ? 1 : 0)
        let inverseSize = inverse[uniqueDepth + 1]
        var i = uniqueDepth - 1
        while i >= 0 {
            let weight = path[i].weight * inverseSize
            path[i + 1].weight += one * weight * Double(i + 1)
            path[i].weight = zero * weight * Double(uniqueDepth - i)
            i -= 1
        }
    }

    /// UNWIND: removes the feature at `index` from the path, the inverse of `extend`.
    private static func unwind(
        _ path: UnsafeMutablePointer<PathElement>, _ uniqueDepth: Int, _ index: Int, _ inverse: UnsafePointer<Double>
    ) {
        let one = path[index].one, zero = path[index].zero
        let size = Double(uniqueDepth + 1)
        var i = uniqueDepth - 1
        if one != 0 {
            let scale = size / one, zeroShare = zero * inverse[uniqueDepth + 1]
            var next = path[uniqueDepth].weight
            while i >= 0 {
                let previous = path[i].weight
                path[i].weight = next * scale * inverse[i + 1]
                next = previous - path[i].weight * zeroShare * Double(uniqueDepth - i)
                i -= 1
            }
        } else {
            let scale = size / zero
            while i >= 0 {
                path[i].weight *= scale * inverse[uniqueDepth - i]
                i -= 1
            }
        }
        for k in index..<uniqueDepth {
            path[k].feature = path[k + 1].feature
            path[k].zero = path[k + 1].zero
            path[k].one = path[k + 1].one
        }
    }

    /// The total permutation weight the path would have with the feature at `index` unwound, without
    /// changing the path.
    private static func unwoundPathSum(
        _ path: UnsafeMutablePointer<PathElement>, _ uniqueDepth: Int, _ index: Int, _ inverse: UnsafePointer<Double>
    ) -> Double {
        let one = path[index].one, zero = path[index].zero
        let size = Double(uniqueDepth + 1)
        var total = 0.0
        var i = uniqueDepth - 1
        if one != 0 {
            let scale = size / one, zeroShare = zero * inverse[uniqueDepth + 1]
            var next = path[uniqueDepth].weight
            while i >= 0 {
                let share = next * scale * inverse[i + 1]
                total += share
                next = path[i].weight - share * zeroShare * Double(uniqueDepth - i)
                i -= 1
            }
            return total
        }
        while i >= 0 {
            total += path[i].weight * inverse[uniqueDepth - i]
            i -= 1
        }
        return total * size / zero
    }
}
