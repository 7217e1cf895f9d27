import SibylCore
import SwiftProtobuf

/// ONNX models (`format=onnx`): the graph is read with the ONNX schema's own types (onnx-ml.pb.swift,
/// `scripts/onnx-protobuf.sh`), checked, and compiled to Sibyl's own evaluators.
///
/// Served today: a graph whose one input is a float tensor of rows (`[N, F]`, F known) feeding one
/// `TreeEnsembleClassifier` or `TreeEnsembleRegressor`, with only `Identity`, `Cast` and `ZipMap` around it
/// (what skl2onnx and onnxmltools write for a tree model). Anything else is refused at upload, every
/// operator Sibyl does not run named at once.
enum ONNXLoader {
    /// The operators Sibyl runs, by domain ("" is the standard one).
    static let supported: Set<String> = ["TreeEnsembleClassifier@ai.onnx.ml", "TreeEnsembleRegressor@ai.onnx.ml", "ZipMap@ai.onnx.ml", "Identity@", "Cast@"]

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
            throw SibylError(.invalidModel, "opset_import: the domain \(opset.domain) is not one Sibyl runs (ai.onnx, ai.onnx.ml)")
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
        let ensembles = graph.node.filter { $0.opType.hasPrefix("TreeEnsemble") }
        guard ensembles.count == 1, let ensemble = ensembles.first else {
            throw SibylError(.invalidModel, "the graph has \(ensembles.count) tree ensembles; Sibyl serves graphs of exactly one")
        }
        let input = try rowsInput(graph, feeding: ensemble, maxFeatures: maxFeatures)
        let compiled = try ONNXTreeEnsemble(ensemble, featureCount: input.width)
        let schema = ModelSchema(
            format: .onnx, task: compiled.model.task, objective: compiled.model.objective,
            featureNames: (0..<input.width).map { "f\($0)" }, classes: compiled.classes, treeCount: compiled.treeCount)
        return CompiledModel(schema: schema, evaluator: ONNXTreeModel(schema: schema, finish: compiled.model, forest: compiled.forest))
    }

    static func domain(_ node: Onnx_NodeProto) -> String {
        node.domain == "ai.onnx" ? "" : node.domain
    }

    /// The graph's one input of rows (the initializers, constants, aside), and its width; the ensemble must
    /// read it, directly or through `Identity`.
    private static func rowsInput(_ graph: Onnx_GraphProto, feeding ensemble: Onnx_NodeProto, maxFeatures: Int) throws(SibylError)
        -> (name: String, width: Int)
    {
        let constants = Set(graph.initializer.map(\.name))
        let inputs = graph.input.filter { !constants.contains($0.name) }
        guard inputs.count == 1, let input = inputs.first else {
            throw SibylError(.invalidModel, "the graph has \(inputs.count) inputs; Sibyl serves tree ensembles of one input of rows")
        }
        guard input.type.tensorType.elemType == Onnx_TensorProto.DataType.float.rawValue else {
            throw SibylError(.invalidModel, "input \(input.name): Sibyl serves float tensors of rows")
        }
        let dims = input.type.tensorType.shape.dim
        guard dims.count == 2, case .dimValue(let width)? = dims[1].value, width > 0 else {
            throw SibylError(.invalidModel, "input \(input.name): Sibyl serves rows of a known width, shape [N, F]")
        }
        try CompiledModel.checkFeatureCount(Int(clamping: width), limit: min(maxFeatures, 1 << 20), field: "input \(input.name)")
        var name = ensemble.input.first ?? ""
        var steps = 0
        while name != input.name, steps <= graph.node.count,
            let identity = graph.node.first(where: { $0.opType == "Identity" && $0.output.first == name })
        {
            name = identity.input.first ?? ""
            steps += 1
        }
        guard name == input.name else {
            throw SibylError(.invalidModel, "\(ensemble.opType) must read the graph's input \(input.name)")
        }
        return (input.name, Int(width))
    }
}
