import CSibylKernels

#if canImport(Glibc)
import Glibc
#endif

/// A numeric forest again, each tree padded to a perfect binary tree of its depth and stored level by
/// level, for the vector kernels (`sibyl_forest_add_leaves_avx512` and `_avx2`): sixteen rows (eight with
/// AVX2) walk a tree at once, a node's children being found by arithmetic rather than loaded, and the top
/// five levels of a tree by permuting registers rather than gathering from memory.
///
/// A leaf above the bottom level becomes a subtree whose leaves all hold its value, so whatever way its
/// padding splits send a row, the row ends on that value. Trees deeper than `depthLimit` would pad to
/// too much memory; such forests, and forests with categorical splits, are left to the scalar walk.
struct PerfectForest: Sendable {
    static let depthLimit = 10
    /// Entries the kernel may read past the end of each array.
    static let padding = 64

    let feature: [UInt32]
    let threshold: [Float]
    let leaf: [Float]
    let nodeStart: [UInt32]
    let leafStart: [UInt32]
    let depth: [UInt32]
    let group: [UInt32]
    let groupCount: Int
    let featureCount: Int

    /// Nodes a forest may pad to, in all (12 bytes each).
    static let nodeLimit = 1 << 21

    /// The perfect form of a forest's trees (`Forest`'s nodes and trees, with their TreeSHAP shapes for
    /// the structure), or nil when it has categorical splits or would pad beyond the limits.
    init?(
        nodes: [Forest.Node], trees: [Forest.Tree], shapes: [SHAPTree], hasCategoricalSplits: Bool, groupCount: Int,
        featureCount: Int
    ) {
        guard !hasCategoricalSplits, featureCount <= 1 << 26, trees.allSatisfy({ $0.depth <= Self.depthLimit }),
            trees.reduce(0, { $0 + (1 << Int($1.depth)) }) <= Self.nodeLimit
        else { return nil }
        var feature: [UInt32] = [], threshold: [Float] = [], leaf: [Float] = []
        var nodeStart: [UInt32] = [], leafStart: [UInt32] = []
        for (tree, shape) in zip(trees, shapes) {
            let depth = Int(tree.depth)
            nodeStart.append(UInt32(feature.count))
            leafStart.append(UInt32(leaf.count))
            let firstNode = feature.count, firstLeaf = leaf.count
            feature.append(contentsOf: repeatElement(0, count: (1 << depth) - 1))
            threshold.append(contentsOf: repeatElement(0, count: (1 << depth) - 1))
            leaf.append(contentsOf: repeatElement(0, count: 1 << depth))
            // (node of the source tree, its position in its level, its level)
            var pending = [(node: 0, position: 0, level: 0)]
            while let (node, position, level) = pending.popLast() {
                let source = nodes[Int(tree.root) + node]
                if shape.left[node] < 0 {
                    // Every bottom-level leaf under this position holds the value.
                    let span = 1 << (depth - level)
                    for k in position * span..<(position + 1) * span { leaf[firstLeaf + k] = source.value }
                    continue
                }
                let index = firstNode + (1 << level) - 1 + position
                feature[index] = source.featureAndDefault
                threshold[index] = source.threshold
                pending.append((Int(shape.left[node]), 2 * position, level + 1))
                pending.append((Int(shape.right[node]), 2 * position + 1, level + 1))
            }
            // Padding splits under a shallow leaf keep feature 0 and threshold 0: any way is the same leaf.
        }
        feature.append(contentsOf: repeatElement(0, count: Self.padding))
        threshold.append(contentsOf: repeatElement(0, count: Self.padding))
        leaf.append(contentsOf: repeatElement(0, count: Self.padding))
        self.feature = feature
        self.threshold = threshold
        self.leaf = leaf
        self.nodeStart = nodeStart
        self.leafStart = leafStart
        depth = trees.map(\.depth)
        group = trees.map(\.group)
        self.groupCount = groupCount
        self.featureCount = featureCount
    }

    /// Adds every tree's leaf to `margins` (`groupCount` per row, holding the base margins) in tree order,
    /// in float32, by `kernel`: the same sums as `Forest`'s scalar walk, bit for bit. The CPU must run it.
    func addLeaves(_ input: FeatureMatrix, to margins: UnsafeMutableBufferPointer<Float>, by kernel: ForestKernel) {
        precondition(ForestKernel.available.contains(kernel))
        precondition(input.columns == featureCount && margins.count == input.rows * groupCount)
        var scratch = [Float](repeating: 0, count: 16 * (2 * featureCount + groupCount))
        feature.withUnsafeBufferPointer { feature in
            threshold.withUnsafeBufferPointer { threshold in
                leaf.withUnsafeBufferPointer { leaf in
                    nodeStart.withUnsafeBufferPointer { nodeStart in
                        leafStart.withUnsafeBufferPointer { leafStart in
                            depth.withUnsafeBufferPointer { depth in
                                group.withUnsafeBufferPointer { group in
                                    var forest = sibyl_perfect_forest(
                                        feature: feature.baseAddress, threshold: threshold.baseAddress,
                                        leaf: leaf.baseAddress, node_start: nodeStart.baseAddress,
                                        leaf_start: leafStart.baseAddress, depth: depth.baseAddress,
                                        group: group.baseAddress, tree_count: Int64(depth.count),
                                        group_count: Int64(groupCount), feature_count: Int64(featureCount))
                                    input.values.withUnsafeBufferPointer { rows in
                                        scratch.withUnsafeMutableBufferPointer { scratch in
                                            let add =
                                                switch kernel {
                                                case .avx512: sibyl_forest_add_leaves_avx512
                                                case .avx2: sibyl_forest_add_leaves_avx2
                                                }
                                            add(
                                                &forest, rows.baseAddress, Int64(input.rows), margins.baseAddress,
                                                scratch.baseAddress)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A vector kernel of `PerfectForest`'s, by the instruction set it needs.
public enum ForestKernel: String, Sendable, CaseIterable {
    case avx512, avx2

    /// The kernels this CPU runs, best first.
    static let available: [ForestKernel] = {
        let bits = sibyl_forest_kernels()
        return allCases.filter { bits & $0.bit != 0 }
    }()

    /// The kernel batches use: the best this CPU runs, or, where `SIBYL_FOREST_KERNEL` names one
    /// (`avx512`, `avx2`, or `portable` for none), the best of those no better than it, so that a lesser
    /// CPU's path can be measured on a better one. Nil: the portable scalar walk.
    public static let chosen: ForestKernel? = choose(named: requested)

    /// `SIBYL_FOREST_KERNEL` when it names neither a kernel nor `portable` (a typo such as `avx-512`): it
    /// caps the choice at the portable walk, which the node says at start rather than running slowly unasked.
    public static let misnamed: String? = misnamed(requested)

    private static let requested = getenv("SIBYL_FOREST_KERNEL").map { String(cString: $0) }

    static func misnamed(_ name: String?) -> String? {
        guard let name, !name.isEmpty, name != "portable", ForestKernel(rawValue: name) == nil else { return nil }
        return name
    }

    static func choose(named name: String?, from available: [ForestKernel] = available) -> ForestKernel? {
        guard let name, !name.isEmpty else { return available.first }
        let ceiling = allCases.firstIndex { $0.rawValue == name } ?? allCases.count
        return available.first { allCases.firstIndex(of: $0)! >= ceiling }
    }

    private var bit: Int32 {
        switch self {
        case .avx512: SIBYL_KERNEL_AVX512
        case .avx2: SIBYL_KERNEL_AVX2
        }
    }
}
