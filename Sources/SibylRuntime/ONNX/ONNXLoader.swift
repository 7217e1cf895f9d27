import SibylCore
import SwiftProtobuf

/// ONNX models (`format=onnx`): the graph is read with the ONNX schema's own types (onnx-ml.pb.swift,
/// `scripts/onnx-protobuf.sh`), checked, and planned as Sibyl's own evaluators.
///
/// Served today: a graph whose one input is a float tensor of rows (`[N, F]`, F known), or whose inputs are
/// one column each of floats or strings, and whose operators are all in `supported`: what skl2onnx and onnxmltools write for numeric pipelines and tree models. A
/// graph that is one tree ensemble reading the input runs as `ONNXTreeModel`; any other runs as an
/// `ONNXGraph`. Anything else is refused at upload, every operator Sibyl does not run named at once.
enum ONNXLoader {
    /// The operators Sibyl runs, by domain ("" is the standard one).
    static let supported: Set<String> = [
        "TreeEnsembleClassifier@ai.onnx.ml", "TreeEnsembleRegressor@ai.onnx.ml", "LinearClassifier@ai.onnx.ml",
        "LinearRegressor@ai.onnx.ml", "Scaler@ai.onnx.ml", "Imputer@ai.onnx.ml", "Normalizer@ai.onnx.ml",
        "ArrayFeatureExtractor@ai.onnx.ml", "ZipMap@ai.onnx.ml", "Identity@", "Cast@", "Reshape@", "Flatten@", "Add@",
        "Sub@", "Mul@", "Div@", "MatMul@", "Gemm@", "Relu@", "Sigmoid@", "Tanh@", "Softmax@", "Concat@", "ArgMax@",
        "OneHotEncoder@ai.onnx.ml", "SVMRegressor@ai.onnx.ml", "SVMClassifier@ai.onnx.ml",
        "LabelEncoder@ai.onnx.ml", "Binarizer@ai.onnx.ml", "Pow@", "Less@", "LessOrEqual@", "Greater@", "GreaterOrEqual@", "Equal@",
        "Neg@", "Abs@", "Log@", "Exp@", "Sqrt@", "Not@", "ReduceSum@", "Sum@", "TreeEnsemble@ai.onnx.ml", "Shape@", "ConstantOfShape@",
        "Where@", "Gather@", "Slice@", "Squeeze@", "Unsqueeze@", "DictVectorizer@ai.onnx.ml", "CastMap@ai.onnx.ml", "ReduceMean@", "ReduceProd@",
    ]

    static func load(_ bytes: [UInt8], maxFeatures: Int) throws(SibylError) -> CompiledModel {
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.discardUnknownFields = true
            model = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw SibylError(.invalidModel, "the file is not an ONNX model: \(error)")
        }
        guard model.hasGraph else { throw SibylError(.invalidModel, "the ONNX model has no graph") }
        for opset in model.opsetImport where !["", "ai.onnx", "ai.onnx.ml"].contains(opset.domain) {
            throw SibylError(.invalidModel, "opset_import: the domain \(opset.domain.prefix(64)) is not one Sibyl runs (ai.onnx, ai.onnx.ml)")
        }
        let graph = model.graph
        var unsupported: [String] = []
        for node in graph.node where !supported.contains("\(node.opType)@\(domain(node))") {
            let name = domain(node).isEmpty ? node.opType : "\(node.opType) (\(domain(node)))"
            if !unsupported.contains(name) { unsupported.append(String(name.prefix(128))) }
        }
        if !unsupported.isEmpty {
            throw SibylError(.invalidModel, "the graph uses operators Sibyl does not run: \(unsupported.joined(separator: ", "))")
        }
        let constants = ONNXConstants(graph)
        let inputs = try rowInputs(graph, constants, maxFeatures: maxFeatures)
        let plan = try ONNXPlanner(graph, constants, inputs: inputs).plan()
        let schema = ModelSchema(
            format: .onnx, task: plan.task, objective: plan.objective, featureNames: plan.featureNames,
            classes: plan.classes, treeCount: plan.treeCount, featureTypes: plan.featureTypes)
        // One tree ensemble reading the input: its forest alone, with its raw scores as margins.
        if plan.graph.steps.count == 1, plan.graph.steps[0].inputs == [0], case .trees(let trees) = plan.graph.steps[0].operation {
            return CompiledModel(schema: schema, evaluator: ONNXTreeModel(schema: schema, finish: trees.finish, forest: trees.forest))
        }
        // A DictVectorizer or a CastMap reads a key a row leaves out as 0.
        let absentValue: Float = if case .map = inputs { 0 } else { .nan }
        return CompiledModel(schema: schema, evaluator: ONNXGraphModel(schema: schema, graph: plan.graph), absentValue: absentValue)
    }

    static func domain(_ node: Onnx_NodeProto) -> String {
        node.domain == "ai.onnx" ? "" : node.domain
    }

    /// The graph's inputs (the initializers, constants, aside) as Sibyl's features: one float tensor of rows
    /// `[N, F]` is the features `f0…f{F−1}`; several inputs (what a `ColumnTransformer` pipeline takes), or
    /// one of text, must each be one column, `[N, 1]`, of floats or strings, and are features named as the inputs.
    private static func rowInputs(_ graph: Onnx_GraphProto, _ constants: ONNXConstants, maxFeatures: Int) throws(SibylError)
        -> ONNXPlanner.Inputs
    {
        let inputs = graph.input.filter { !constants.contains($0.name) }
        guard !inputs.isEmpty else { throw SibylError(.invalidModel, "the graph has no input") }
        if inputs.count == 1, case .mapType(let map)? = inputs[0].type.value {
            return try mapInput(graph, inputs[0].name, map, maxFeatures: maxFeatures)
        }
        try CompiledModel.checkFeatureCount(inputs.count, limit: min(maxFeatures, 1 << 16), field: "the graph's inputs")
        var columns: [ONNXPlanner.Column] = []
        for input in inputs {
            let name = input.name.prefix(64)
            let text: Bool, integer: Bool
            switch input.type.tensorType.elemType {
            case Int32(Onnx_TensorProto.DataType.float.rawValue): (text, integer) = (false, false)
            case Int32(Onnx_TensorProto.DataType.string.rawValue): (text, integer) = (true, false)
            case Int32(Onnx_TensorProto.DataType.int64.rawValue): (text, integer) = (false, true)
            default: throw SibylError(.invalidModel, "input \(name): Sibyl serves float, int64 and string tensors, and a map of texts to floats")
            }
            let dims = input.type.tensorType.shape.dim
            guard dims.count == 2, case .dimValue(let width)? = dims[1].value, width > 0 else {
                throw SibylError(.invalidModel, "input \(name): Sibyl serves rows of a known width, shape [N, F]")
            }
            if inputs.count == 1 && !text && !integer {
                try CompiledModel.checkFeatureCount(Int(clamping: width), limit: min(maxFeatures, 1 << 20), field: "input \(name)")
                return .rows(name: input.name, width: Int(width))
            }
            guard width == 1 else {
                throw SibylError(.invalidModel, "input \(name) is \(width) wide: a graph of several inputs (or of text or integers) takes one column per input, [N, 1]")
            }
            columns.append(ONNXPlanner.Column(name: input.name, text: text, integer: integer))
        }
        return .columns(columns)
    }

    /// One map to floats per row: of texts, read by one `DictVectorizer`, whose `string_vocabulary` is the
    /// features, in its order; or of int64 keys, read by one `CastMap` to a `SPARSE` row of `max_map`
    /// floats, the features `0`, `1`, …. A key a row leaves out is 0, as either operator reads it.
    private static func mapInput(
        _ graph: Onnx_GraphProto, _ name: String, _ map: Onnx_TypeProto.Map, maxFeatures: Int
    ) throws(SibylError) -> ONNXPlanner.Inputs {
        let quoted = name.prefix(64)
        let textKeys = map.keyType == Int32(Onnx_TensorProto.DataType.string.rawValue)
        guard textKeys || map.keyType == Int32(Onnx_TensorProto.DataType.int64.rawValue),
            case .tensorType(let value)? = map.valueType.value, value.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue)
        else { throw SibylError(.invalidModel, "input \(quoted): Sibyl serves a map of texts or int64 keys to floats") }
        let reader = textKeys ? "DictVectorizer" : "CastMap"
        let readers = graph.node.filter { $0.input.contains(name) }
        guard readers.count == 1, readers[0].opType == reader, readers[0].input.count == 1 else {
            throw SibylError(.invalidModel, "input \(quoted): a map of \(textKeys ? "texts" : "int64 keys") is read by one \(reader) alone")
        }
        let keys = textKeys ? try vocabulary(readers[0], maxFeatures: maxFeatures) : try castKeys(readers[0], maxFeatures: maxFeatures)
        return .map(name: name, keys: keys)
    }

    /// A `DictVectorizer`'s keys: its `string_vocabulary`.
    private static func vocabulary(_ node: Onnx_NodeProto, maxFeatures: Int) throws(SibylError) -> [String] {
        let attributes = try ONNXAttributes(node, known: ["string_vocabulary", "int64_vocabulary"])
        let keys = try attributes.strings("string_vocabulary")
        guard try attributes.ints("int64_vocabulary").isEmpty, !keys.isEmpty else {
            throw SibylError(.invalidModel, "DictVectorizer: Sibyl reads a string_vocabulary, each key a feature")
        }
        try CompiledModel.checkFeatureCount(keys.count, limit: min(maxFeatures, 1 << 20), field: "DictVectorizer string_vocabulary")
        guard Set(keys).count == keys.count else { throw SibylError(.invalidModel, "DictVectorizer: string_vocabulary lists a key twice") }
        return keys
    }

    /// A `CastMap`'s keys: `0 ..< max_map`, to floats. Its `DENSE` form, the map's values in key order, is as
    /// wide as each map is long, so a row's features would change with the row: it is refused.
    private static func castKeys(_ node: Onnx_NodeProto, maxFeatures: Int) throws(SibylError) -> [String] {
        let attributes = try ONNXAttributes(node, known: ["cast_to", "map_form", "max_map"])
        guard try attributes.string("cast_to") ?? "TO_FLOAT" == "TO_FLOAT" else {
            throw SibylError(.invalidModel, "CastMap: Sibyl casts to floats (cast_to TO_FLOAT)")
        }
        guard try attributes.string("map_form") == "SPARSE" else {
            throw SibylError(.invalidModel, "CastMap: Sibyl serves map_form SPARSE, a row of max_map keys (DENSE rows are as wide as each map)")
        }
        guard let width = try attributes.int("max_map"), width > 0 else {
            throw SibylError(.invalidModel, "CastMap: max_map must be positive")
        }
        try CompiledModel.checkFeatureCount(Int(clamping: width), limit: min(maxFeatures, 1 << 20), field: "CastMap max_map")
        return (0..<Int(width)).map(String.init)
    }
}
