@testable import SibylRuntime

/// A small XGBoost model written in code as JSON (or UBJSON), with every field overridable as raw JSON,
/// so that tests can build valid models and break them one field at a time.
struct TinyModel {
    var objective = "binary:logistic"
    var baseScore = #""5E-1""#
    var numClass = #""0""#
    var numFeature = #""2""#
    var numTarget = #""1""#
    var featureNames: String? = #"["a","b"]"#
    var booster = "gbtree"
    var weightDrop: String?
    /// The `weights` of a gblinear booster: per feature one per group, then the group biases.
    var linearWeights = "[0.5,-2,0.25]"
    var trees = [TinyModel.stump()]
    var treeInfo: String?
    var numTrees: String?

    /// One tree; arrays are raw JSON so they can be made wrong.
    struct Tree {
        var numNodes: String?
        var left = "[1,-1,-1]"
        var right = "[2,-1,-1]"
        var indices = "[0,0,0]"
        var conditions = "[0.5,-1.0,1.0]"
        var defaultLeft = "[1,0,0]"
        /// Nil gives every node a cover of 1.
        var sumHessian: String?
        var splitType: String? = "[0,0,0]"
        var sizeLeafVector = #""1""#
        var extra = ""

        var json: String {
            let nodes = left.split(separator: ",").count
            let count = numNodes ?? "\"\(nodes)\""
            let hessians = sumHessian ?? "[" + Array(repeating: "1", count: nodes).joined(separator: ",") + "]"
            return """
            {"tree_param":{"num_nodes":\(count),"size_leaf_vector":\(sizeLeafVector),"num_feature":"2"},\
            "left_children":\(left),"right_children":\(right),"split_indices":\(indices),\
            "split_conditions":\(conditions),"default_left":\(defaultLeft),"sum_hessian":\(hessians)\
            \(splitType.map { #","split_type":"# + $0 } ?? "")\(extra),"id":0}
            """
        }
    }

    /// A categorical split on `feature`: the categories in `set` go right to `high`, the others left to
    /// `low`, and missing values go left when `defaultLeft`.
    static func categorical(
        feature: Int = 0, set: [Int], low: Double = -1, high: Double = 1, defaultLeft: Bool = true
    ) -> Tree {
        let categories = "[" + set.map(String.init).joined(separator: ",") + "]"
        return Tree(
            indices: "[\(feature),0,0]", conditions: "[1e-45,\(low),\(high)]", defaultLeft: "[\(defaultLeft ? 1 : 0),0,0]",
            splitType: "[1,0,0]",
            extra: #","categories":\#(categories),"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[\#(set.count)]"#)
    }

    /// feature < threshold ? low : high, missing values going left when `defaultLeft`.
    static func stump(feature: Int = 0, threshold: Double = 0.5, low: Double = -1, high: Double = 1, defaultLeft: Bool = true) -> Tree {
        Tree(indices: "[\(feature),0,0]", conditions: "[\(threshold),\(low),\(high)]", defaultLeft: "[\(defaultLeft ? 1 : 0),0,0]")
    }

    var json: String {
        let treeList = "[" + trees.map(\.json).joined(separator: ",") + "]"
        let info = treeInfo ?? "[" + trees.map { _ in "0" }.joined(separator: ",") + "]"
        let model = """
        {"gbtree_model_param":{"num_parallel_tree":"1","num_trees":\(numTrees ?? "\"\(trees.count)\"")},\
        "iteration_indptr":[],"tree_info":\(info),"trees":\(treeList)}
        """
        let gbtree = #"{"name":"gbtree","model":"# + model + "}"
        let boosterJSON = switch booster {
        case "dart": #"{"name":"dart","gbtree":"# + gbtree + #","weight_drop":"# + (weightDrop ?? "[]") + "}"
        case "gbtree": gbtree
        case "gblinear": #"{"name":"gblinear","model":{"boosted_rounds":1,"weights":\#(linearWeights)}}"#
        default: #"{"name":"\#(booster)","model":{}}"#
        }
        return """
        {"learner":{"attributes":{},\(featureNames.map { #""feature_names":"# + $0 + "," } ?? "")\
        "gradient_booster":\(boosterJSON),\
        "learner_model_param":{"base_score":\(baseScore),"num_class":\(numClass),"num_feature":\(numFeature),\
        "num_target":\(numTarget)},"objective":{"name":"\(objective)"}},"version":[3,2,0]}
        """
    }

    var bytes: [UInt8] { Array(json.utf8) }

    /// The same model as XGBoost writes it to a `.ubj` file.
    var ubj: [UInt8] { UBJSONWriter.encode(try! JSONValue.parse(bytes)) }
}
