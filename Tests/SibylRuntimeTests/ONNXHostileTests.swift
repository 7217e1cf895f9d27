import Foundation
import SibylCore
import SwiftProtobuf
import Testing
@testable import SibylRuntime

/// Broken and hostile ONNX files, each an edit of a real conversion (`onnx_gbc_binary`, skl2onnx's
/// gradient boosting classifier, or `onnx_mlp_regression`, its perceptron) made with the ONNX schema's own types: refused with `.invalidModel` and a
/// reason naming the problem, never a crash.
@Suite struct ONNXHostileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Words the reason must contain.
        var reason: String
        var bytes: [UInt8]
        var testDescription: String { name }

        /// An edit of `base` (a fixture folder).
        init(_ name: String, _ reason: String, base: String = "onnx_gbc_binary", edit: (inout Onnx_ModelProto) -> Void) {
            var model = try! Onnx_ModelProto(serializedBytes: Fixtures.bytes("\(base)/model.onnx"))
            edit(&model)
            (self.name, self.reason, self.bytes) = (name, reason, try! model.serializedBytes())
        }

        init(_ name: String, _ reason: String, bytes: [UInt8]) {
            (self.name, self.reason, self.bytes) = (name, reason, bytes)
        }
    }

    /// The graph's tree ensemble (or its first node whose operator begins with `prefix`).
    static func ensemble(_ model: inout Onnx_ModelProto, prefix: String = "TreeEnsemble", _ change: (inout Onnx_NodeProto) -> Void) {
        let index = model.graph.node.firstIndex { $0.opType.hasPrefix(prefix) }!
        change(&model.graph.node[index])
    }

    /// The ensemble's (or that node's) attribute `name`.
    static func attribute(
        _ model: inout Onnx_ModelProto, _ name: String, of prefix: String = "TreeEnsemble", _ change: (inout Onnx_AttributeProto) -> Void
    ) {
        ensemble(&model, prefix: prefix) { node in
            let index = node.attribute.firstIndex { $0.name == name }!
            change(&node.attribute[index])
        }
    }

    /// The initializer `name` of the perceptron.
    static func initializer(_ model: inout Onnx_ModelProto, _ name: String, _ change: (inout Onnx_TensorProto) -> Void) {
        let index = model.graph.initializer.firstIndex { $0.name == name }!
        change(&model.graph.initializer[index])
    }

    /// The first one-hot encoder's categories, `count` of them.
    static func encoderCategories(_ model: inout Onnx_ModelProto, count: Int) {
        let node = model.graph.node.firstIndex { $0.opType == "OneHotEncoder" }!
        let attribute = model.graph.node[node].attribute.firstIndex { $0.name == "cats_strings" }!
        model.graph.node[node].attribute[attribute].strings = (0..<count).map { Data("c\($0)".utf8) }
    }

    /// The ConstantOfShape whose tensor a Where reads (the other one is on no prediction's way).
    static func usedFill(_ model: Onnx_ModelProto) -> Int {
        let read = Set(model.graph.node.filter { $0.opType == "Where" }.flatMap(\.input))
        return model.graph.node.firstIndex { $0.opType == "ConstantOfShape" && read.contains($0.output[0]) }!
    }

    static func attributeInt(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        (attribute.name, attribute.type, attribute.i) = (name, .int, value)
        return attribute
    }

    static func node(_ opType: String, domain: String = "") -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        (node.opType, node.domain, node.input, node.output) = (opType, domain, ["X"], [opType.lowercased()])
        return node
    }

    /// `onnx_frame_forest` with `step` (a node and its constant inputs) between its numbers' Concat and
    /// their Imputer.
    static func frameNumbers(_ model: inout Onnx_ModelProto, through step: (node: Onnx_NodeProto, constants: [Onnx_TensorProto])) {
        let imputer = model.graph.node.firstIndex { $0.opType == "Imputer" }!
        var node = step.node
        node.input = [model.graph.node[imputer].input[0]] + step.constants.map(\.name)
        node.output = ["sibyl_step"]
        model.graph.node[imputer].input[0] = "sibyl_step"
        model.graph.node.insert(node, at: imputer)
        model.graph.initializer += step.constants
    }

    static func int64s(_ name: String, _ values: [Int64]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        (tensor.name, tensor.dataType, tensor.dims, tensor.int64Data) = (name, Int32(Onnx_TensorProto.DataType.int64.rawValue), [Int64(values.count)], values)
        return tensor
    }

    /// A Gather of columns `indices` (axis 1), its indices the initializer `sibyl_indices`.
    static func gather(_ indices: [Int64]) -> (Onnx_NodeProto, [Onnx_TensorProto]) {
        var gather = node("Gather")
        gather.attribute = [attributeInt("axis", 1)]
        return (gather, [int64s("sibyl_indices", indices)])
    }

    /// A Slice of opset 10 and later: starts, ends, axes and steps as constant inputs.
    static func slice(starts: [Int64], ends: [Int64], axes: [Int64], steps: [Int64]? = nil) -> (Onnx_NodeProto, [Onnx_TensorProto]) {
        var constants = [int64s("sibyl_starts", starts), int64s("sibyl_ends", ends), int64s("sibyl_axes", axes)]
        if let steps { constants.append(int64s("sibyl_steps", steps)) }
        return (node("Slice"), constants)
    }

    static let cases: [Case] = [
        Case("not protobuf", "not an ONNX model", bytes: [0x08, 0x07, 0xFF, 0xFF, 0xFF]),
        Case("truncated", "not an ONNX model", bytes: Array(try! Fixtures.bytes("onnx_gbc_binary/model.onnx").prefix(5000))),
        Case("no graph", "no graph") { $0.clearGraph() },
        Case("foreign opset", "com.example") { model in
            var opset = Onnx_OperatorSetIdProto()
            (opset.domain, opset.version) = ("com.example", 1)
            model.opsetImport.append(opset)
        },
        Case("unknown operators, all named", "does not run: Mod, Foo (com.example)") { model in
            model.graph.node += [node("Mod"), node("Foo", domain: "com.example"), node("Mod")]
        },
        Case("two ensembles", "label is produced twice") { model in
            model.graph.node.append(model.graph.node.first { $0.opType == "TreeEnsembleClassifier" }!)
        },
        Case("a text input", "one column per input") { $0.graph.input[0].type.tensorType.elemType = 8 },
        Case("rows of unknown width", "known width") { $0.graph.input[0].type.tensorType.shape.dim[1].dimParam = "F" },
        Case("huge rows", "more than the limit") { $0.graph.input[0].type.tensorType.shape.dim[1].dimValue = 1 << 40 },
        Case("an unknown attribute", "nodes_values_as_tensor is not one Sibyl reads") { model in
            ensemble(&model) { node in
                var attribute = Onnx_AttributeProto()
                (attribute.name, attribute.type) = ("nodes_values_as_tensor", .tensor)
                node.attribute.append(attribute)
            }
        },
        Case("an attribute of the wrong type", "nodes_values must be of type") { model in
            attribute(&model, "nodes_values") { $0.type = .ints }
        },
        Case("an attribute of the wrong length", "nodes_values has") { model in
            attribute(&model, "nodes_values") { $0.floats.removeLast() }
        },
        Case("a weight list of the wrong length", "class_weights has") { model in
            attribute(&model, "class_weights") { $0.floats.append(1) }
        },
        Case("a cycle", "reached twice") { model in
            attribute(&model, "nodes_truenodeids") { $0.ints[1] = 0 }
        },
        Case("a child outside its tree", "not a node of the tree") { model in
            attribute(&model, "nodes_falsenodeids") { $0.ints[0] = 9999 }
        },
        Case("a tree listed in two runs", "not listed together") { model in
            attribute(&model, "nodes_treeids") { $0.ints.append($0.ints[0]) }
            for name in ["nodes_nodeids", "nodes_featureids", "nodes_truenodeids", "nodes_falsenodeids"] {
                attribute(&model, name) { $0.ints.append(1000) }
            }
            attribute(&model, "nodes_values") { $0.floats.append(0) }
            attribute(&model, "nodes_hitrates") { $0.floats.append(1) }
            attribute(&model, "nodes_missing_value_tracks_true") { $0.ints.append(0) }
            attribute(&model, "nodes_modes") { $0.strings.append(Data("LEAF".utf8)) }
        },
        Case("an equality split", "BRANCH_EQ") { model in
            attribute(&model, "nodes_modes") { $0.strings[0] = Data("BRANCH_EQ".utf8) }
        },
        Case("a feature past the input", "reads feature 30") { model in
            attribute(&model, "nodes_featureids") { $0.ints[0] = 30 }
        },
        Case("a NaN threshold", "threshold nan") { model in
            attribute(&model, "nodes_values") { $0.floats[0] = .nan }
        },
        Case("a weight on a split", "not a leaf") { model in
            attribute(&model, "class_nodeids") { $0.ints[0] = 0 }
        },
        Case("a weight on a missing node", "does not have") { model in
            attribute(&model, "class_nodeids") { $0.ints[0] = 9999 }
        },
        Case("one class", "1 classes") { model in
            attribute(&model, "classlabels_int64s") { $0.ints = [0] }
        },
        Case("a binary classifier scoring class 1", "class 0 alone") { model in
            attribute(&model, "class_ids") { $0.ints[0] = 1 }
        },
        Case("a probit", "PROBIT") { model in
            attribute(&model, "post_transform") { $0.s = Data("PROBIT".utf8) }
        },
        Case("a tree laid out for more classes than the bound", "nodes once laid out per output") { model in
            // The multiclass forest's first tree gets weights for 65,000 classes on one leaf.
            model = try! Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_et_multiclass/model.onnx"))
            let classes = 65_000
            attribute(&model, "classlabels_int64s") { $0.ints = (0..<Int64(classes)).map { $0 } }
            var (tree, node): (Int64, Int64) = (0, 0)
            attribute(&model, "class_treeids") { tree = $0.ints[0]; $0.ints += Array(repeating: tree, count: classes) }
            attribute(&model, "class_nodeids") { node = $0.ints[0]; $0.ints += Array(repeating: node, count: classes) }
            attribute(&model, "class_ids") { $0.ints += (0..<Int64(classes)).map { $0 } }
            attribute(&model, "class_weights") { $0.floats += Array(repeating: 1, count: classes) }
        },
        // Graphs of arithmetic, edits of skl2onnx's perceptron regressor (Scaler, MatMul, Add, Relu, Reshape).
        Case("a matrix of the wrong shape", "multiplies rows of 30", base: "onnx_mlp_regression") { model in
            initializer(&model, "coefficient") { $0.dims = [16, 30] }
        },
        Case("an initializer holding fewer values than its shape", "holds 480 floats for 496", base: "onnx_mlp_regression") { model in
            initializer(&model, "coefficient") { $0.dims = [31, 16] }
        },
        Case("an initializer declaring 2^40 values", "more than 2^31 values", base: "onnx_mlp_regression") { model in
            initializer(&model, "coefficient") { $0.dims = [1 << 20, 1 << 20] }
        },
        Case("a negative dimension", "has the dimension -1", base: "onnx_mlp_regression") { model in
            initializer(&model, "coefficient") { $0.dims = [-1, 16] }
        },
        Case("a reshape to another width", "reshapes rows only to themselves", base: "onnx_mlp_regression") { model in
            initializer(&model, "shape_tensor") { $0.int64Data = [-1, 2] }
        },
        Case("a node reading what a later node computes", "before it is computed", base: "onnx_mlp_regression") { model in
            model.graph.node.swapAt(2, 3)
        },
        Case("a tensor computed twice", "produced twice", base: "onnx_mlp_regression") { model in
            model.graph.node[3].output = model.graph.node[2].output
        },
        Case("a tensor nothing computes", "neither computed", base: "onnx_mlp_regression") { model in
            model.graph.node[2].input[0] = "nowhere"
        },
        Case("an elementwise constant of the wrong width", "has 3 values for 16 columns", base: "onnx_mlp_regression") { model in
            initializer(&model, "intercepts") { $0.floatData = [1, 2, 3]; $0.dims = [1, 3] }
        },
        Case("a non-float prediction", "0 float outputs", base: "onnx_mlp_regression") { model in
            model.graph.output[0].type.tensorType.elemType = 7
        },
        Case("rows wider than the bound", "makes rows 66000 wide", base: "onnx_mlp_regression") { model in
            var concat = node("Concat")
            (concat.input, concat.output) = (Array(repeating: "X", count: 2200), ["variable"])
            concat.attribute = [attributeInt("axis", 1)]
            model.graph.node = [concat]
        },
        Case("more arithmetic a row than the bound", "more than 4194304 operations a row", base: "onnx_mlp_regression") { model in
            // A chain of concatenations, each 60,000 wide: 70 of them cost 4.2 million operations a row.
            var nodes: [Onnx_NodeProto] = []
            for step in 0..<70 {
                var concat = node("Concat")
                concat.input = step == 0 ? Array(repeating: "X", count: 2000) : ["c\(step - 1)"]
                concat.output = [step == 69 ? "variable" : "c\(step)"]
                concat.attribute = [attributeInt("axis", 1)]
                nodes.append(concat)
            }
            model.graph.node = nodes
        },
        // ColumnTransformer graphs, edits of `onnx_columns_forest` (one-hot encoders of its text inputs).
        Case("an encoder of more categories than the bound", "has 65537 categories; Sibyl's limit is 65536", base: "onnx_columns_forest") { model in
            encoderCategories(&model, count: 65537)
        },
        // At the bound the encoder is planned, and the concatenation after it is what goes past.
        Case("an encoder at the bound", "Concat makes rows 65538 wide", base: "onnx_columns_forest") { model in
            encoderCategories(&model, count: 65536)
        },
        Case("a text input read by arithmetic", "reads the text input city", base: "onnx_columns_forest") { model in
            model.graph.node[0].input[1] = "city"
        },
        Case("a text input read by two encoders", "read by two encoders", base: "onnx_columns_forest") { model in
            model.graph.node[2].input[0] = "city"
        },
        // Support vector machines, edits of `onnx_svc_binary` (an RBF SVC with probabilities) and `onnx_svr_rbf`.
        Case("support vectors of the wrong length", "support_vectors has 11129 values for 371 vectors of 30 columns", base: "onnx_svc_binary") { model in
            attribute(&model, "support_vectors", of: "SVM") { $0.floats.removeLast() }
        },
        Case("more vectors declared than given", "support_vectors has 11130 values for 100371 vectors", base: "onnx_svc_binary") { model in
            attribute(&model, "vectors_per_class", of: "SVM") { $0.ints[0] += 100_000 }
        },
        Case("Platt's A without its B", "has 1 prob_a and 0 prob_b for 1 pairs", base: "onnx_svc_binary") { model in
            ensemble(&model, prefix: "SVM") { $0.attribute.removeAll { $0.name == "prob_b" } }
        },
        Case("an unknown kernel", "kernel_type CUBIC", base: "onnx_svc_binary") { model in
            attribute(&model, "kernel_type", of: "SVM") { $0.s = Data("CUBIC".utf8) }
        },
        Case("a rho per missing pair", "1 coefficients and 1 rho", base: "onnx_svr_rbf") { model in
            attribute(&model, "coefficients", of: "SVM") { $0.floats = [1] }
        },
        Case("a label encoder of an empty key", "has an empty key", base: "onnx_columns_ordinal_hgb") { model in
            let encoder = model.graph.node.firstIndex { $0.opType == "LabelEncoder" }!
            let keys = model.graph.node[encoder].attribute.firstIndex { $0.name == "keys_strings" }!
            model.graph.node[encoder].attribute[keys].strings[0] = Data()
        },
        Case("a label encoder of more keys than values", "as one number each", base: "onnx_columns_ordinal_hgb") { model in
            let encoder = model.graph.node.firstIndex { $0.opType == "LabelEncoder" }!
            let keys = model.graph.node[encoder].attribute.firstIndex { $0.name == "keys_strings" }!
            model.graph.node[encoder].attribute[keys].strings.append(Data("extra".utf8))
        },
        // Standard operators, edits of the perceptron and of `onnx_kbins_onehot_logreg` (Less, ArgMax, a
        // one-hot encoder of numbers).
        Case("two tensors of different widths combined", "combines tensors 16 and 30 wide", base: "onnx_mlp_regression") { model in
            let add = model.graph.node.firstIndex { $0.opType == "Add" }!
            model.graph.node[add].input[1] = "X"
        },
        Case("an ArgMax down the rows", "first largest column of each row", base: "onnx_kbins_onehot_logreg") { model in
            let argMax = model.graph.node.firstIndex { $0.opType == "ArgMax" }!
            model.graph.node[argMax].attribute = [attributeInt("axis", 0)]
        },
        Case("numbers one-hot encoded with zeros=0", "zeros=1 only", base: "onnx_kbins_onehot_logreg") { model in
            let encoder = model.graph.node.firstIndex { $0.opType == "OneHotEncoder" }!
            model.graph.node[encoder].attribute.append(attributeInt("zeros", 0))
        },
        // Shapes, edits of `onnx_adaboost_binary` (a ConstantOfShape of a Shape).
        Case("a shape read by arithmetic", "reads a tensor's shape", base: "onnx_adaboost_binary") { model in
            let fill = usedFill(model)
            model.graph.node[fill].opType = "Relu"
            model.graph.node[fill].attribute = []
        },
        Case("a tensor filled to the shape of no Shape", "fills a tensor of another's shape (Shape) only", base: "onnx_adaboost_binary") { model in
            let fill = usedFill(model)
            let shape = model.graph.node.firstIndex { $0.opType == "Shape" }!
            model.graph.node[fill].input = model.graph.node[shape].input
        },
        // Opset 5's TreeEnsemble, edits of `onnx_treeensemble_v5`.
        Case("a set membership split", "mode 6 is not one Sibyl runs", base: "onnx_treeensemble_v5") { model in
            attribute(&model, "nodes_modes", of: "TreeEnsemble") { $0.t.rawData = Data([6]) + $0.t.rawData.dropFirst() }
        },
        Case("a split whose child is its tree's root", "reaches node 0 twice", base: "onnx_treeensemble_v5") { model in
            attribute(&model, "nodes_truenodeids", of: "TreeEnsemble") { $0.ints[1] = 0 }
            attribute(&model, "nodes_trueleafs", of: "TreeEnsemble") { $0.ints[1] = 0 }
        },
        Case("a leaf past the weights", "which is not one", base: "onnx_treeensemble_v5") { model in
            attribute(&model, "leaf_targetids", of: "TreeEnsemble") { $0.ints.removeLast() }
            attribute(&model, "leaf_weights", of: "TreeEnsemble") { $0.t.rawData.removeLast(4); $0.t.dims = [$0.t.dims[0] - 1] }
        },
        Case("a Gather of a text input's rows", "reads the text input city", base: "onnx_frame_forest") { model in
            ensemble(&model, prefix: "Gather") { $0.attribute = [attributeInt("axis", 0)] }
        },
        Case("a Gather of a column that is not there", "gathers a column outside 0..<2", base: "onnx_frame_forest") { model in
            frameNumbers(&model, through: gather([5]))
        },
        Case("a Gather by a scalar", "by a constant list of indices", base: "onnx_frame_forest") { model in
            frameNumbers(&model, through: gather([0]))
            initializer(&model, "sibyl_indices") { $0.dims = [] }
        },
        Case("a Slice of rows", "rows are kept whole", base: "onnx_frame_forest") { model in
            frameNumbers(&model, through: slice(starts: [1], ends: [2], axes: [0]))
        },
        Case("a Slice of the last row", "rows are kept whole", base: "onnx_frame_forest") { model in
            frameNumbers(&model, through: slice(starts: [-1], ends: [Int64.max], axes: [0]))
        },
        Case("a Slice stepping back", "a step of 1 or more", base: "onnx_frame_forest") { model in
            frameNumbers(&model, through: slice(starts: [1], ends: [0], axes: [1], steps: [-1]))
        },
        Case("a Squeeze of numbers", "only on the way from a text input", base: "onnx_frame_forest") { model in
            var squeeze = node("Squeeze")
            squeeze.attribute = [Onnx_AttributeProto()]
            (squeeze.attribute[0].name, squeeze.attribute[0].type, squeeze.attribute[0].ints) = ("axes", .ints, [1])
            frameNumbers(&model, through: (squeeze, []))
        },
        Case("a map of int64 keys read by a DictVectorizer", "a map of int64 keys is read by one CastMap alone", base: "onnx_dict_logreg") { model in
            model.graph.input[0].type.mapType.keyType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        },
        Case("a map of text keys read by a CastMap", "a map of texts is read by one DictVectorizer alone", base: "onnx_castmap_logreg") { model in
            model.graph.input[0].type.mapType.keyType = Int32(Onnx_TensorProto.DataType.string.rawValue)
        },
        Case("a map of doubles", "a map of texts or int64 keys to floats", base: "onnx_castmap_logreg") { model in
            model.graph.input[0].type.mapType.valueType.tensorType.elemType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        },
        Case("a DENSE CastMap", "Sibyl serves map_form SPARSE", base: "onnx_castmap_logreg") { model in
            attribute(&model, "map_form", of: "CastMap") { $0.s = Data("DENSE".utf8) }
        },
        Case("a CastMap with no map_form (DENSE)", "Sibyl serves map_form SPARSE", base: "onnx_castmap_logreg") { model in
            ensemble(&model, prefix: "CastMap") { node in node.attribute.removeAll { $0.name == "map_form" } }
        },
        Case("a CastMap to texts", "Sibyl casts to floats", base: "onnx_castmap_logreg") { model in
            attribute(&model, "cast_to", of: "CastMap") { $0.s = Data("TO_STRING".utf8) }
        },
        Case("a CastMap of no keys", "max_map must be positive", base: "onnx_castmap_logreg") { model in
            attribute(&model, "max_map", of: "CastMap") { $0.i = 0 }
        },
        Case("a CastMap past the feature limit", "features (CastMap max_map), more than the limit", base: "onnx_castmap_logreg") { model in
            attribute(&model, "max_map", of: "CastMap") { $0.i = 1 << 40 }
        },
        Case("a CastMap of a tensor", "Sibyl reads the graph's map input only", base: "onnx_xgb_binary") { model in
            var cast = node("CastMap", domain: "ai.onnx.ml")
            cast.input = [model.graph.input[0].name]
            cast.output = ["cast"]
            ensemble(&model) { $0.input[0] = "cast" }
            model.graph.node.insert(cast, at: 0)
        },
        Case("a map read by another operator", "read by one DictVectorizer alone", base: "onnx_dict_logreg") { model in
            model.graph.node[0].opType = "Scaler"
        },
        Case("a vocabulary of numbers", "Sibyl reads a string_vocabulary", base: "onnx_dict_logreg") { model in
            attribute(&model, "string_vocabulary", of: "DictVectorizer") { attribute in
                (attribute.name, attribute.type, attribute.strings, attribute.ints) = ("int64_vocabulary", .ints, [], [1, 2, 3])
            }
        },
        Case("a vocabulary listing a key twice", "lists a key twice", base: "onnx_dict_logreg") { model in
            attribute(&model, "string_vocabulary", of: "DictVectorizer") { $0.strings[1] = $0.strings[0] }
        },
        Case("arithmetic on integers that integers do not do", "reads integers, which Sibyl holds as floats", base: "onnx_frame_integers_forest") { model in
            let scaler = model.graph.node.firstIndex { $0.opType == "Scaler" && $0.input == ["visits"] }!
            (model.graph.node[scaler].opType, model.graph.node[scaler].domain) = ("Sqrt", "")
        },
        Case("rows of integers", "takes one column per input", base: "onnx_frame_integers_forest") { model in
            let visits = model.graph.input.firstIndex { $0.name == "visits" }!
            model.graph.input[visits].type.tensorType.shape.dim[1].dimValue = 2
        },
        Case("a member of a mean read alone", "reads rows reshaped to [1, N, w]", base: "onnx_bagging_regression") { model in
            model.graph.node[9].input[0] = "reshaped_proba"
        },
        Case("rows and a member stacked together", "reads rows and a stack of them together", base: "onnx_bagging_regression") { model in
            model.graph.node[8].input[3] = "variable_3"
        },
        Case("rows concatenated on axis 0", "concatenates columns (axis 1)", base: "onnx_bagging_regression") { model in
            model.graph.node[8].input = ["variable_0", "variable_1"]
        },
        Case("a mean of rows", "averages the members of a stack", base: "onnx_bagging_regression") { model in
            model.graph.node[9].input[0] = "variable_0"
        },
        Case("a mean that keeps its axis", "averages the members of a stack", base: "onnx_bagging_regression") { model in
            model.graph.node[9].attribute = [attributeInt("keepdims", 1)]
        },
        Case("a stack read by another operator", "reads a stack of rows", base: "onnx_bagging_regression") { model in
            model.graph.node[9].opType = "ReduceSum"
        },
        Case("graphs nested past the decoder's depth", "not an ONNX model") { model in
            var graph = model.graph
            for _ in 0..<200 {
                var attribute = Onnx_AttributeProto()
                (attribute.name, attribute.type, attribute.g) = ("body", .graph, graph)
                var node = Onnx_NodeProto()
                (node.opType, node.attribute) = ("If", [attribute])
                graph = Onnx_GraphProto()
                graph.node = [node]
            }
            model.graph.node[0].attribute.append(graph.node[0].attribute[0])
        },
    ]

    @Test(arguments: cases) func isRefusedWithItsReason(_ test: Case) {
        do {
            _ = try CompiledModel.load(test.bytes, format: .onnx)
            Issue.record("\(test.name) was accepted")
        } catch {
            #expect(error.code == .invalidModel)
            #expect(error.message.contains(test.reason), "\(error.message)")
        }
    }

    /// Gathers and slices that select the numbers' two columns, in order or reversed twice (negative
    /// indices, ends past the last column and steps included), leave onnxruntime's predictions unchanged;
    /// one that keeps a column alone is planned one column wide.
    @Test func gathersAndSlicesSelectColumns() throws {
        let reference = try ONNXReferenceTests.load("onnx_frame_forest")
        let input = try PredictionInput.decode(
            Fixtures.bytes("onnx_frame_forest/X_test.csv"), mediaType: "text/csv", features: reference.features,
            limits: ONNXReferenceTests.limits)
        let expected = reference.predict(input).probabilities
        let ways: [[(Onnx_NodeProto, [Onnx_TensorProto])]] = [
            [Self.gather([0, 1])],
            [Self.gather([-1, -2]), Self.gather([1, 0])],
            [Self.slice(starts: [0], ends: [Int64.max], axes: [1])],
            [Self.slice(starts: [-2, 0], ends: [100, Int64.max], axes: [1, 0], steps: [1, 1])],
        ]
        for way in ways {
            var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_frame_forest/model.onnx"))
            for (k, step) in way.enumerated() {
                var (node, constants) = step
                for c in constants.indices { constants[c].name += "\(k)" }
                node.name = "step\(k)"
                Self.frameNumbers(&model, through: (node, constants))
                // Each inserted step writes sibyl_step; the one after it reads that name under its own.
                let inserted = model.graph.node.firstIndex { $0.name == "step\(k)" }!
                model.graph.node[inserted].output = ["sibyl_step\(k)"]
                model.graph.node[inserted + 1].input[0] = "sibyl_step\(k)"
            }
            let rewritten = try CompiledModel.load(try model.serializedBytes(), format: .onnx)
            #expect(rewritten.predict(input).probabilities == expected, "\(way.map(\.0.opType))")
        }
        var one = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_frame_forest/model.onnx"))
        Self.frameNumbers(&one, through: Self.slice(starts: [1], ends: [2], axes: [1]))
        // The imputer and scaler after it have two columns' constants: the width reaches them.
        #expect(throws: SibylError.self) { try CompiledModel.load(try one.serializedBytes(), format: .onnx) }
    }

    /// A text column reaches its encoder through Squeeze and Unsqueeze of axis 1 (opset 13's constant
    /// axes) as through the Gather skl2onnx writes: the same predictions.
    @Test func aTextColumnPassesSqueezeAndUnsqueeze() throws {
        let reference = try ONNXReferenceTests.load("onnx_frame_forest")
        let input = try PredictionInput.decode(
            Fixtures.bytes("onnx_frame_forest/X_test.csv"), mediaType: "text/csv", features: reference.features,
            limits: ONNXReferenceTests.limits)
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_frame_forest/model.onnx"))
        let gather = model.graph.node.firstIndex { $0.opType == "Gather" && $0.input[0] == "city" }!
        var squeeze = Self.node("Squeeze"), unsqueeze = Self.node("Unsqueeze")
        (squeeze.input, squeeze.output) = (["city", "sibyl_axes"], ["sibyl_squeezed"])
        (unsqueeze.input, unsqueeze.output) = (["sibyl_squeezed", "sibyl_axes"], model.graph.node[gather].output)
        model.graph.node.replaceSubrange(gather...gather, with: [squeeze, unsqueeze])
        model.graph.initializer.append(Self.int64s("sibyl_axes", [1]))
        let rewritten = try CompiledModel.load(try model.serializedBytes(), format: .onnx)
        #expect(rewritten.schema.featureTypes == reference.schema.featureTypes)
        #expect(rewritten.predict(input).probabilities == reference.predict(input).probabilities)
    }

    /// Integer constants are held as floats, exact to 2^24: a constant of 2^24 is read, one of 2^24 + 1 refused
    /// (AdaBoost's class indices, which an `Equal` compares).
    @Test(arguments: [Int64(1) << 24, (Int64(1) << 24) + 1])
    func integerConstantsAreBoundedAt2To24(value: Int64) throws {
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_adaboost_binary/model.onnx"))
        Self.initializer(&model, "classes_ind3") { $0.int64Data = [0, value] }
        let bytes: [UInt8] = try model.serializedBytes()
        guard value > 1 << 24 else {
            #expect(try CompiledModel.load(bytes, format: .onnx).schema.task == .binary)
            return
        }
        let error = #expect(throws: SibylError.self) { try CompiledModel.load(bytes, format: .onnx) }
        #expect(error?.message.contains("holds integers past 2^24") == true, "\(error?.message ?? "")")
    }

    /// A label encoder of 65,536 keys (`ONNXGraph.maxWidth`) is read; one more is refused.
    @Test(arguments: [ONNXGraph.maxWidth, ONNXGraph.maxWidth + 1])
    func labelEncodersAreBoundedInKeys(count: Int) throws {
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_columns_ordinal_hgb/model.onnx"))
        let encoder = model.graph.node.firstIndex { $0.opType == "LabelEncoder" }!
        for (k, attribute) in model.graph.node[encoder].attribute.enumerated() {
            if attribute.name == "keys_strings" { model.graph.node[encoder].attribute[k].strings = (0..<count).map { Data("k\($0)".utf8) } }
            if attribute.name == "values_int64s" { model.graph.node[encoder].attribute[k].ints = (0..<count).map(Int64.init) }
        }
        let bytes: [UInt8] = try model.serializedBytes()
        guard count > ONNXGraph.maxWidth else {
            #expect(try CompiledModel.load(bytes, format: .onnx).schema.featureTypes?[2].categories.count == count)
            return
        }
        let error = #expect(throws: SibylError.self) { try CompiledModel.load(bytes, format: .onnx) }
        #expect(error?.message.contains("has 65537 keys; Sibyl's limit is 65536") == true, "\(error?.message ?? "")")
    }

    /// A CastMap's `max_map` counts as the model's features: its own 7 keys load under a feature limit of 7,
    /// and 8 are refused naming the limit.
    @Test(arguments: [7, 8])
    func castMapsAreBoundedByTheFeatureLimit(keys: Int64) throws {
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_castmap_logreg/model.onnx"))
        Self.attribute(&model, "max_map", of: "CastMap") { $0.i = keys }
        let bytes: [UInt8] = try model.serializedBytes()
        guard keys > 7 else {
            #expect(try CompiledModel.load(bytes, format: .onnx, maxFeatures: 7).schema.featureNames.count == 7)
            return
        }
        let error = #expect(throws: SibylError.self) { try CompiledModel.load(bytes, format: .onnx, maxFeatures: 7) }
        #expect(error?.message.contains("the model has 8 features (CastMap max_map), more than the limit of 7") == true, "\(error?.message ?? "")")
    }

    /// Recognised from its first byte when no format is given.
    @Test func isRecognisedWithoutItsFormat() throws {
        #expect(try CompiledModel.load(Fixtures.bytes("onnx_gbc_binary/model.onnx"), format: nil).schema.format == .onnx)
    }

    /// An AVERAGE regressor is its SUM over the tree count.
    @Test func averageDividesByTheTreeCount() throws {
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_gbr_regression/model.onnx"))
        var aggregate = Onnx_AttributeProto()
        (aggregate.name, aggregate.type, aggregate.s) = ("aggregate_function", .string, Data("AVERAGE".utf8))
        Self.ensemble(&model) { node in
            node.attribute.removeAll { $0.name == "base_values" || $0.name == "aggregate_function" }
            node.attribute.append(aggregate)
        }
        let average = try CompiledModel.load(try model.serializedBytes(), format: .onnx)
        Self.ensemble(&model) { $0.attribute.removeAll { $0.name == "aggregate_function" } }
        let sum = try CompiledModel.load(try model.serializedBytes(), format: .onnx)
        let input = try PredictionInput.decode(
            Fixtures.bytes("data/X_test.csv"), mediaType: "text/csv", features: sum.features, limits: ONNXReferenceTests.limits)
        let (averaged, summed) = (average.predict(input).values, sum.predict(input).values)
        #expect(averaged.count == 1000)
        for (a, s) in zip(averaged, summed) { #expect(abs(a - s / 60) <= 1e-6 * max(abs(s / 60), 1)) }
    }
}
