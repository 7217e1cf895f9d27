/// All trees of a model flattened into one array of 16-byte nodes, evaluated without allocation.
///
/// The layout is Sibyl's own, built by `Forest.Builder` from a checked source tree. The two children of a
/// split are adjacent (`left`, then `left + 1`), so a step is `next = left + (goes right ? 1 : 0)`, with no
/// branch. A leaf is made a fixed point of that step: its threshold is NaN (nothing is below NaN, and its
/// missing direction is right) and its `left` is its own index minus one. Every tree is then walked for
/// exactly its depth, without testing for leaves: the walk has no data-dependent branches, so the CPU
/// does not mispredict on every split and overlaps the walks of independent trees and rows.
struct Forest: Sendable {
    /// One node, 16 bytes so that no node straddles a cache line.
    struct Node: Sendable {
        /// The feature index in the low 31 bits; the top bit set when a missing value goes left.
        var featureAndDefault: UInt32
        /// The split threshold; NaN at a leaf.
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

    let nodes: [Node]
    let trees: [Tree]
    /// The margin every row starts from, one per output group.
    let baseMargins: [Float]
    let featureCount: Int
    /// The depth of each full group of `lane` consecutive trees: the most steps any of them needs.
    let chunkDepths: [UInt32]

    init(nodes: [Node], trees: [Tree], baseMargins: [Float], featureCount: Int) {
        self.nodes = nodes
        self.trees = trees
        self.baseMargins = baseMargins
        self.featureCount = featureCount
        chunkDepths = (0..<trees.count / Self.lane).map { chunk in
            trees[chunk * Self.lane..<(chunk + 1) * Self.lane].map(\.depth).max()!
        }
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
    func margins(_ input: FeatureMatrix) -> [Float] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        let groups = groupCount
        var result = [Float](unsafeUninitializedCapacity: input.rows * groups) { buffer, count in
            for row in 0..<input.rows {
                for group in 0..<groups { buffer[row * groups + group] = baseMargins[group] }
            }
            count = input.rows * groups
        }
        guard input.rows > 0 else { return result }
        nodes.withUnsafeBufferPointer { nodes in
            trees.withUnsafeBufferPointer { trees in
                chunkDepths.withUnsafeBufferPointer { chunkDepths in
                    input.values.withUnsafeBufferPointer { values in
                        result.withUnsafeMutableBufferPointer { out in
                            var first = 0
                            while first < input.rows {
                                let last = min(first + Self.blockRows, input.rows)
                                for chunk in chunkDepths.indices {
                                    let chunkTrees = UnsafeBufferPointer(rebasing: trees[chunk * Self.lane..<(chunk + 1) * Self.lane])
                                    for row in first..<last {
                                        Self.addLeaves(
                                            nodes, chunkTrees, depth: chunkDepths[chunk],
                                            values.baseAddress! + row * featureCount, out.baseAddress! + row * groups)
                                    }
                                }
                                for tree in trees[(chunkDepths.count * Self.lane)...] {
                                    for row in first..<last {
                                        let features = values.baseAddress! + row * featureCount
                                        var index = Int(tree.root)
                                        for _ in 0..<tree.depth { Self.step(nodes, &index, features) }
                                        out[row * groups + Int(tree.group)] += nodes[index].value
                                    }
                                }
                                first = last
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Walks eight trees for one row in lockstep and adds their leaves to `out` in tree order.
    @inline(__always)
    private static func addLeaves(
        _ nodes: UnsafeBufferPointer<Node>, _ trees: UnsafeBufferPointer<Tree>, depth: UInt32,
        _ features: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) {
        var i0 = Int(trees[0].root), i1 = Int(trees[1].root), i2 = Int(trees[2].root), i3 = Int(trees[3].root)
        var i4 = Int(trees[4].root), i5 = Int(trees[5].root), i6 = Int(trees[6].root), i7 = Int(trees[7].root)
        for _ in 0..<depth {
            step(nodes, &i0, features)
            step(nodes, &i1, features)
            step(nodes, &i2, features)
            step(nodes, &i3, features)
            step(nodes, &i4, features)
            step(nodes, &i5, features)
            step(nodes, &i6, features)
            step(nodes, &i7, features)
        }
        out[Int(trees[0].group)] += nodes[i0].value
        out[Int(trees[1].group)] += nodes[i1].value
        out[Int(trees[2].group)] += nodes[i2].value
        out[Int(trees[3].group)] += nodes[i3].value
        out[Int(trees[4].group)] += nodes[i4].value
        out[Int(trees[5].group)] += nodes[i5].value
        out[Int(trees[6].group)] += nodes[i6].value
        out[Int(trees[7].group)] += nodes[i7].value
    }

    /// One step down a tree: NaN takes the default branch, anything else goes left iff
    /// `value < threshold` in float32, as XGBoost's `GetNextNode` does. At a leaf it stays put.
    @inline(__always)
    private static func step(_ nodes: UnsafeBufferPointer<Node>, _ index: inout Int, _ features: UnsafePointer<Float>) {
        let node = nodes[index]
        let value = features[Int(node.featureAndDefault & ~defaultLeftBit)]
        let below: UInt32 = value < node.threshold ? 1 : 0
        let missingLeft: UInt32 = value.isNaN ? node.featureAndDefault >> 31 : 0
        index = Int(node.left &+ 1 &- (below | missingLeft))
    }
}
