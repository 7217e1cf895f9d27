import SibylCore

extension LightGBMForest {
    /// Lays checked `LightGBMTree`s out as a `LightGBMForest`, and each again as the `SHAPTree` that
    /// `contributions` walks, with the trees' covers (LightGBM's `TreeSHAP` uses its `data_count`).
    struct Builder {
        /// Node 0 is a never-visited sentinel, so that a leaf's `left` (its own index minus one) is never negative.
        private var nodes = [Node(threshold: .nan, feature: 0, left: 0, flags: 0)]
        private var leafValues = [0.0]
        private var trees: [Tree] = []
        private var categories: [UInt32] = []
        /// Where each distinct set already lies in `categories`: a CatBoost tree asks one question at every
        /// node of a level, and trees ask the same ones, so a set of a large category is stored once.
        private var setOffsets: [[UInt32]: UInt32] = [:]
        private var shapTrees: [SHAPTree] = []
        let featureCount: Int
        let groupCount: Int
        let readsTinyAsZero: Bool
        /// The feature TreeSHAP counts each column as; empty: the column itself.
        let shapFeatures: [Int32]

        /// `readsTinyAsZero`: inputs within ±1e-35 of zero are 0, as LightGBM's predictor reads them.
        /// `shapFeatures`: see `LightGBMForest.shapFeatureCount`.
        init(featureCount: Int, groupCount: Int, readsTinyAsZero: Bool = true, shapFeatures: [Int32] = []) {
            precondition(shapFeatures.isEmpty || shapFeatures.count == featureCount)
            self.featureCount = featureCount
            self.groupCount = groupCount
            self.readsTinyAsZero = readsTinyAsZero
            self.shapFeatures = shapFeatures
        }

        /// Adds a tree whose leaves add to output `group`, copying its nodes in walk order so that the two
        /// children of a split are adjacent; `place` names the tree in an error.
        mutating func add(_ tree: LightGBMTree, group: Int, place: String) throws(SibylError) {
            let count = 2 * tree.leafValue.count - 1
            guard nodes.count + count <= Int(Int32.max), categories.count + tree.categoryThreshold.count <= Int(Int32.max) / 2 else {
                throw SibylError(.invalidModel, "\(place): the model has too many nodes")
            }
            let root = nodes.count
            let placeholder = Node(threshold: .nan, feature: 0, left: 0, flags: 0)
            nodes.append(placeholder)
            leafValues.append(0)
            var shap = SHAPTree(
                left: .init(repeating: -1, count: count), right: .init(repeating: -1, count: count),
                feature: .init(repeating: -1, count: count), cover: .init(repeating: 0, count: count),
                value: .init(repeating: 0, count: count), maxDepth: tree.depth)
            // LightGBM's node numbering: a split's index, or ~leaf; a one-leaf tree is just leaf 0.
            var pending: [(source: Int32, target: Int)] = [(tree.leafValue.count == 1 ? ~0 : 0, root)]
            while let (source, target) = pending.popLast() {
                let local = target - root
                if source < 0 {
                    let leaf = Int(~source)
                    nodes[target] = Node(threshold: .nan, feature: 0, left: UInt32(target - 1), flags: leafBit)
                    leafValues[target] = tree.leafValue[leaf]
                    shap.cover[local] = tree.leafCover[leaf]
                    shap.value[local] = tree.leafValue[leaf]
                    continue
                }
                let split = Int(source)
                let children = nodes.count
                nodes.append(contentsOf: [placeholder, placeholder])
                leafValues.append(contentsOf: [0, 0])
                nodes[target] = node(tree, split, left: children)
                shap.left[local] = Int32(children - root)
                shap.right[local] = Int32(children + 1 - root)
                shap.feature[local] = shapFeatures.isEmpty ? tree.splitFeature[split] : shapFeatures[Int(tree.splitFeature[split])]
                shap.cover[local] = tree.internalCover[split]
                pending.append((tree.rightChild[split], children + 1))
                pending.append((tree.leftChild[split], children))
            }
            trees.append(Tree(root: UInt32(root), group: UInt32(group)))
            shapTrees.append(shap)
        }

        /// The node of split `split`, with LightGBM's missing-value rule folded into its flags.
        private mutating func node(_ tree: LightGBMTree, _ split: Int, left: Int) -> Node {
            let feature = UInt32(tree.splitFeature[split])
            if tree.isCategorical(split) {
                let set = Array(tree.categorySet(split))
                let offset = setOffsets[set] ?? UInt32(categories.count)
                if offset == categories.count {
                    categories.append(UInt32(set.count))
                    categories.append(contentsOf: set)
                    setOffsets[set] = offset
                }
                return Node(threshold: Float(bitPattern: offset), feature: feature, left: UInt32(left), flags: categoricalBit)
            }
            let threshold = tree.threshold[split]
            let rounded = LightGBMForest.threshold(threshold)
            let type = tree.decisionType[split]
            var defaultLeft = type & LightGBMTree.defaultLeftMask != 0
            var flags: UInt32 = 0
            switch LightGBMTree.MissingType(rawValue: type >> 2)! {
            case .none: defaultLeft = 0 <= threshold
            case .zero: flags |= zeroMissingBit
            case .nan: break
            }
            if defaultLeft { flags |= defaultLeftBit }
            return Node(threshold: rounded, feature: feature, left: UInt32(left), flags: flags)
        }

        func build() -> LightGBMForest {
            LightGBMForest(
                nodes: nodes, leafValues: leafValues, trees: trees, categories: categories, shapTrees: shapTrees,
                featureCount: featureCount, groupCount: groupCount, readsTinyAsZero: readsTinyAsZero,
                shapFeatureCount: Int(shapFeatures.max().map { $0 + 1 } ?? Int32(featureCount)))
        }
    }
}
