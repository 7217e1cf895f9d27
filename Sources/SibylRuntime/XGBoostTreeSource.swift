import SibylCore

/// Reads one tree of an XGBoost model document into `Forest.Builder.Source`, checking every array
/// against `num_nodes` and every categorical split against its category lists.
enum XGBoostTreeSource {
    /// One tree's arrays, with every length checked against `num_nodes`.
    static func read(_ tree: ModelField) throws(SibylError) -> Forest.Builder.Source {
        let treeParameters = try tree.member("tree_param")
        let nodeCount = try treeParameters.member("num_nodes").integer(in: 1...Int(Int32.max))
        if let leafSize = try treeParameters.optionalMember("size_leaf_vector"),
           try leafSize.integer(in: 0...Int(Int32.max)) > 1 {
            throw leafSize.invalid("vector leaves (multi-target trees) are not supported")
        }
        let left = try tree.member("left_children").integers()
        let right = try tree.member("right_children").integers()
        let feature = try tree.member("split_indices").integers()
        let condition = try tree.member("split_conditions").floats()
        let defaultLeft = try tree.member("default_left").flags()
        let cover = try tree.member("sum_hessian").floats()
        // Files older than XGBoost 1.4 have no split types: every split is numerical.
        let splitTypesField = try tree.optionalMember("split_type")
        let splitTypes = try splitTypesField?.integers()
        let lengths = [
            ("left_children", left.count), ("right_children", right.count), ("split_indices", feature.count),
            ("split_conditions", condition.count), ("default_left", defaultLeft.count), ("sum_hessian", cover.count),
            ("split_type", splitTypes?.count ?? nodeCount),
        ]
        for (key, length) in lengths where length != nodeCount {
            throw tree.invalid("\(key) has \(length) elements, but num_nodes is \(nodeCount)")
        }
        var source = Forest.Builder.Source(
            left: left, right: right, feature: feature, condition: condition, defaultLeft: defaultLeft, cover: cover)
        if let splitTypes, let splitTypesField {
            source.categories = try categories(of: tree, splitTypes: splitTypes, field: splitTypesField, left: left)
        }
        return source
    }

    /// The set of categories that go right at each categorical split (`split_type` 1).
    ///
    /// XGBoost lists them as one flat `categories` array, cut into one segment per categorical node:
    /// `categories_nodes[k]`'s set is `categories[categories_segments[k] ..< + categories_sizes[k]]`.
    private static func categories(
        of tree: ModelField, splitTypes: [Int], field: ModelField, left: [Int]
    ) throws(SibylError) -> [Int: [UInt32]] {
        if let node = splitTypes.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw field.invalid("node \(node) has split type \(splitTypes[node]); expected 0 (numerical) or 1 (categorical)")
        }
        guard splitTypes.contains(1) else { return [:] }
        let categoriesField = try tree.member("categories")
        let values = try categoriesField.integers()
        let nodes = try tree.member("categories_nodes").integers()
        let segments = try tree.member("categories_segments").integers()
        let sizes = try tree.member("categories_sizes").integers()
        guard segments.count == nodes.count, sizes.count == nodes.count else {
            throw tree.invalid(
                "categories_nodes, categories_segments and categories_sizes have \(nodes.count), \(segments.count) and \(sizes.count) elements")
        }
        if let index = values.firstIndex(where: { $0 < 0 || $0 >= Int(MixedSplits.categoryLimit) }) {
            throw categoriesField.invalid("category \(values[index]) is outside 0..<\(Int(MixedSplits.categoryLimit))")
        }
        var sets: [Int: [UInt32]] = [:]
        for k in nodes.indices {
            let node = nodes[k], start = segments[k], size = sizes[k]
            guard node >= 0 && node < splitTypes.count && splitTypes[node] == 1 else {
                throw tree.invalid("categories_nodes[\(k)] is \(node), which is not a categorical split")
            }
            guard start >= 0, size >= 0, start <= values.count - size else {
                throw tree.invalid("the categories of node \(node) (\(start), \(size) long) lie outside categories' \(values.count) elements")
            }
            guard sets[node] == nil else { throw tree.invalid("node \(node) is listed twice in categories_nodes") }
            sets[node] = Set(values[start..<start + size].map(UInt32.init)).sorted()
        }
        for node in splitTypes.indices where splitTypes[node] == 1 && left[node] != -1 && sets[node] == nil {
            throw tree.invalid("node \(node) is a categorical split without categories")
        }
        return sets
    }
}
