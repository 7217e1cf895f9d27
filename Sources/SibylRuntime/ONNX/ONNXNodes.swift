import Foundation
import SibylCore

/// Each ONNX operator Sibyl runs, compiled to an `ONNXGraph` step with its attributes and widths checked.
extension ONNXPlanner {
    /// What one node compiles to: its step, its output width and cost, and what it tells the plan.
    struct Compiled {
        let operation: ONNXGraph.Operation
        let width: Int
        /// Multiply-adds (or other operations) a row costs.
        let work: Int
        var classes: [String]? = nil
        var scoresSecond = false
        /// Whether no missing value comes out of it, whatever comes in.
        var endsMissing = false
        /// Whether a missing value coming in has no answer (onnxruntime fails on it), whatever follows.
        var refusesMissing = false
        /// A one-hot encoder's categories, which become its text input's.
        var categories: [String]? = nil
        /// How its rows lie, where they are not plain rows: see `Layout`.
        var layout = Layout.rows
    }

    /// How a tensor's rows lie, where each layout but rows is read by one operator alone (the planner sees
    /// to it). A tensor's shape (`Shape`) is read only by `ConstantOfShape`, which fills one as wide. And
    /// skl2onnx averages a bagging ensemble's members by reshaping each one's `[N, w]` to `[1, N, w]`
    /// (`stacked`), concatenating them on axis 0 to `[k, N, w]` (`stack(k)`, held here as rows of the k
    /// members' columns side by side) and taking the mean over axis 0.
    enum Layout: Equatable {
        case rows
        case shape
        case stacked
        case stack(Int)
    }

    /// Compiles `node` reading `inputs` (slots and widths; `text` where one is a text column), refusing with
    /// the node and the reason anything Sibyl cannot compute exactly.
    func compile(
        _ node: Onnx_NodeProto, inputs: [(slot: Int, width: Int)], text: Bool, layout: Layout
    ) throws(SibylError) -> Compiled {
        let name = node.name.isEmpty ? node.opType : "\(node.opType) \(node.name.prefix(64))"
        func invalid(_ message: String) -> SibylError { SibylError(.invalidModel, "\(name): \(message)") }
        // Concat and Sum read any number of computed tensors; Where up to three; a binary operator one or
        // two; the rest one.
        let arity = switch node.opType {
        case "Concat", "Sum": max(inputs.count, 1)
        case "Where": min(max(inputs.count, 1), 3)
        default: ONNXGraph.Elementwise(node.opType) != nil ? min(max(inputs.count, 1), 2) : 1
        }
        guard inputs.count == arity, !inputs.isEmpty else {
            throw invalid("reads \(inputs.count) computed tensors; Sibyl runs it on \(arity)")
        }
        let width = inputs[0].width
        /// A float constant of one value or one per column, from one of the node's inputs.
        func perColumn(_ values: [Float], _ what: String) throws(SibylError) -> [Float] {
            guard values.count == 1 || values.count == width else { throw invalid("\(what) has \(values.count) values for \(width) columns") }
            return values
        }
        func constant(_ position: Int) throws(SibylError) -> [Float] {
            guard node.input.count > position, let values = try constants.floats(node.input[position]) else {
                throw invalid("input \(position) must be a float initializer")
            }
            return values
        }
        /// A float constant, or an integer one (class indices, say) each of whose values a float holds exactly.
        func number(_ position: Int) throws(SibylError) -> [Float] {
            guard node.input.count > position else { return try constant(position) }
            guard let integers = try indexList(node.input[position]) else { return try constant(position) }
            guard integers.allSatisfy({ abs($0) <= 1 << 24 }) else { throw invalid("input \(position) holds integers past 2^24") }
            return integers.map { Float($0) }
        }
        /// Each of the node's inputs in order: a computed tensor (its slot and width), or a constant row.
        func sources() throws(SibylError) -> [ONNXGraph.Source] {
            var computed = inputs.makeIterator()
            var sources: [ONNXGraph.Source] = []
            for (position, name) in node.input.enumerated() {
                if constants.contains(name) {
                    sources.append(.constant(try number(position)))
                } else if let input = computed.next() {
                    sources.append(.slot(input.slot, width: input.width))
                }
            }
            return sources
        }
        /// The width of the sources' combination: each is as wide as the widest or one wide, broadcast.
        func broadcast(_ sources: [ONNXGraph.Source]) -> Int? {
            let out = sources.map(\.width).max() ?? 0
            return sources.allSatisfy({ $0.width == out || $0.width == 1 }) ? out : nil
        }
        switch node.opType {
        case "Identity", "Flatten":
            let attributes = try ONNXAttributes(node, known: ["axis"])
            guard try (attributes.int("axis") ?? 1) == 1 else { throw invalid("Sibyl runs Flatten on axis 1") }
            return Compiled(operation: .copy, width: width, work: 0)
        case "Cast":
            let attributes = try ONNXAttributes(node, known: ["to", "saturate"])
            switch try attributes.int("to") {
            case Int64(Onnx_TensorProto.DataType.float.rawValue)?:
                return Compiled(operation: .copy, width: width, work: 0)
            case Int64(Onnx_TensorProto.DataType.bool.rawValue)?:
                // A boolean is 1 or 0 here: true wherever the value is not 0 (a missing value included).
                return Compiled(operation: .unary(.nonzero), width: width, work: width)
            case Int64(Onnx_TensorProto.DataType.int32.rawValue)?, Int64(Onnx_TensorProto.DataType.int64.rawValue)?:
                // An integer is held as a float: the value truncated, as C++'s conversion does.
                return Compiled(operation: .unary(.truncate), width: width, work: width)
            default:
                throw invalid("casts the prediction's values to another type than float or bool")
            }
        case "Reshape":
            _ = try ONNXAttributes(node, known: ["allowzero"])
            guard node.input.count == 2, let shape = try constants.integers(node.input[1]), layout == .rows else {
                throw invalid("Sibyl reshapes rows by a constant shape")
            }
            // Rows as one of the members a bagging ensemble averages: [1, N, w].
            if shape == [1, -1, Int64(width)] { return Compiled(operation: .copy, width: width, work: 0, layout: .stacked) }
            guard shape == [-1, Int64(width)] || (width == 1 && (shape == [-1] || shape == [-1, 1])) else {
                throw invalid("Sibyl reshapes rows only to themselves ([-1, \(width)]), or to one member of a mean ([1, -1, \(width)])")
            }
            return Compiled(operation: .copy, width: width, work: 0)
        case "Scaler":
            let attributes = try ONNXAttributes(node, known: ["offset", "scale"])
            return Compiled(
                operation: .scaler(offset: try perColumn(attributes.floats("offset"), "offset"), scale: try perColumn(attributes.floats("scale"), "scale")),
                width: width, work: width)
        case "Imputer":
            let attributes = try ONNXAttributes(
                node, known: ["imputed_value_floats", "imputed_value_int64s", "replaced_value_float", "replaced_value_int64"])
            guard try attributes.ints("imputed_value_int64s").isEmpty, try attributes.int("replaced_value_int64") == nil else {
                throw invalid("Sibyl imputes float values only")
            }
            let replaced = try attributes.float("replaced_value_float") ?? .nan
            let values = try perColumn(attributes.floats("imputed_value_floats"), "imputed_value_floats")
            return Compiled(
                operation: .imputer(values: values, replaced: replaced), width: width, work: width,
                endsMissing: replaced.isNaN && !values.contains { $0.isNaN })
        case "Normalizer":
            let norm = try ONNXAttributes(node, known: ["norm"]).string("norm") ?? "MAX"
            guard ["MAX", "L1", "L2"].contains(norm) else { throw invalid("norm \(norm.prefix(64)) is not MAX, L1 or L2") }
            return Compiled(operation: .normalizer(norm), width: width, work: width)
        case "Add", "Sub", "Mul", "Div", "Pow", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal":
            _ = try ONNXAttributes(node, known: [])
            guard node.input.count == 2, let kind = ONNXGraph.Elementwise(node.opType) else { throw invalid("needs two inputs") }
            // Two computed tensors as wide as each other, or a tensor and a constant of one value or one per
            // column; either side one wide is broadcast (a column against k bin edges makes k columns).
            let operands = try sources()
            guard let out = broadcast(operands), out > 0 else {
                if inputs.count == 2 { throw invalid("combines tensors \(inputs[0].width) and \(inputs[1].width) wide") }
                throw invalid("the constant has \(operands.map(\.width).filter { $0 != width }.first ?? 0) values for \(width) columns")
            }
            return Compiled(operation: .combine(kind, operands), width: out, work: out)
        case "Shape":
            // A tensor's shape, read only by ConstantOfShape: rows as wide as it.
            _ = try ONNXAttributes(node, known: [])
            return Compiled(operation: .copy, width: width, work: 0, layout: .shape)
        case "ConstantOfShape":
            guard layout == .shape else { throw invalid("Sibyl fills a tensor of another's shape (Shape) only") }
            let value = try ONNXAttributes(node, known: ["value"]).tensor("value")
            let filler = try value.map { (tensor) throws(SibylError) -> [Float] in
                guard let values = try ONNXConstants.floats(tensor) else { throw invalid("Sibyl fills with a float value") }
                return values
            } ?? [0]
            guard filler.count == 1 else { throw invalid("its value has \(filler.count) elements, not 1") }
            return Compiled(operation: .fill(filler[0]), width: width, work: width)
        case "Where":
            _ = try ONNXAttributes(node, known: [])
            guard node.input.count == 3 else { throw invalid("needs three inputs") }
            let operands = try sources()
            guard let out = broadcast(operands), out > 0 else { throw invalid("selects among tensors of widths \(operands.map(\.width))") }
            return Compiled(operation: .where(operands), width: out, work: out)
        case "Sum":
            _ = try ONNXAttributes(node, known: [])
            guard node.input.count == inputs.count else { throw invalid("Sibyl sums computed tensors only") }
            guard inputs.count > 1 else { return Compiled(operation: .copy, width: width, work: 0) }
            let operands = try sources()
            guard let out = broadcast(operands) else { throw invalid("sums tensors of widths \(inputs.map(\.width))") }
            return Compiled(operation: .combine(.add, operands), width: out, work: out * inputs.count)
        case "Neg", "Abs", "Log", "Exp", "Sqrt", "Not":
            _ = try ONNXAttributes(node, known: [])
            return Compiled(operation: .unary(ONNXGraph.Unary(node.opType)!), width: width, work: width)
        case "ArgMax":
            let attributes = try ONNXAttributes(node, known: ["axis", "keepdims", "select_last_index"])
            guard [1, -1].contains(try attributes.int("axis")), try (attributes.int("keepdims") ?? 1) == 1, try (attributes.int("select_last_index") ?? 0) == 0 else {
                throw invalid("Sibyl takes the first largest column of each row (axis 1, keepdims 1)")
            }
            return Compiled(operation: .argMax, width: 1, work: width)
        case "ReduceSum", "ReduceProd":
            let attributes = try ONNXAttributes(node, known: ["axes", "keepdims", "noop_with_empty_axes"])
            // The axes are an attribute before opset 13 (ReduceProd: 18) and a constant input from it.
            let axes = node.input.count > 1 ? try constants.integers(node.input[1]) : try attributes.ints("axes")
            guard axes == [1] || axes == [-1], try (attributes.int("keepdims") ?? 1) == 1 else {
                throw invalid("Sibyl reduces each row (axes [1], keepdims 1)")
            }
            return Compiled(operation: node.opType == "ReduceSum" ? .rowSum : .rowProduct, width: 1, work: width)
        case "MatMul":
            _ = try ONNXAttributes(node, known: [])
            let weights = try constant(1)
            guard let dims = constants.dims(node.input[1]), dims.count == 2, dims[0] == width, dims[1] > 0 else {
                throw invalid("Sibyl multiplies rows of \(width) by a constant [\(width), M] matrix")
            }
            return Compiled(operation: .affine(weights: weights, bias: []), width: Int(dims[1]), work: weights.count)
        case "Gemm":
            let attributes = try ONNXAttributes(node, known: ["alpha", "beta", "transA", "transB"])
            guard try (attributes.int("transA") ?? 0) == 0 else { throw invalid("Sibyl runs Gemm without transA") }
            let transposed = try (attributes.int("transB") ?? 0) == 1
            let (alpha, beta) = (try attributes.float("alpha") ?? 1, try attributes.float("beta") ?? 1)
            let b = try constant(1)
            guard let dims = constants.dims(node.input[1]), dims.count == 2, dims[transposed ? 1 : 0] == width else {
                throw invalid("Sibyl multiplies rows of \(width) by a constant matrix of \(width) \(transposed ? "columns" : "rows")")
            }
            let outer = Int(dims[transposed ? 0 : 1])
            var weights = [Float](repeating: 0, count: width * outer)
            for k in 0..<width {
                for j in 0..<outer { weights[k * outer + j] = alpha * b[transposed ? j * width + k : k * outer + j] }
            }
            let c = node.input.count > 2 && !node.input[2].isEmpty ? try constant(2) : []
            guard c.count <= 1 || c.count == outer else { throw invalid("C has \(c.count) values for \(outer) columns") }
            return Compiled(operation: .affine(weights: weights, bias: c.map { beta * $0 }), width: outer, work: weights.count)
        case "Relu", "Sigmoid", "Tanh":
            _ = try ONNXAttributes(node, known: [])
            let operation: ONNXGraph.Operation = node.opType == "Relu" ? .relu : node.opType == "Sigmoid" ? .sigmoid : .tanh
            return Compiled(operation: operation, width: width, work: width)
        case "Softmax":
            let axis = try ONNXAttributes(node, known: ["axis"]).int("axis") ?? -1
            guard axis == -1 || axis == 1 else { throw invalid("Sibyl runs Softmax over a row (axis 1)") }
            return Compiled(operation: .softmax, width: width, work: width)
        case "Concat":
            let axis = try ONNXAttributes(node, known: ["axis"]).int("axis")
            let total = inputs.reduce(0) { $0 + $1.width }
            if layout == .stacked {
                // Members stacked on a new first axis: side by side in each row, each as wide as the first.
                guard axis == 0, inputs.allSatisfy({ $0.width == width }) else {
                    throw invalid("Sibyl stacks members of one width on axis 0")
                }
                return Compiled(operation: .concat, width: total, work: total, layout: .stack(inputs.count))
            }
            guard axis == 1 || axis == -1 else { throw invalid("Sibyl concatenates columns (axis 1)") }
            return Compiled(operation: .concat, width: total, work: total)
        case "ReduceMean":
            let attributes = try ONNXAttributes(node, known: ["axes", "keepdims", "noop_with_empty_axes"])
            // The axes are an attribute before opset 18 and a constant input from it.
            let axes = node.input.count > 1 ? try indexList(node.input[1]) : try attributes.ints("axes")
            guard case .stack(let members) = layout, axes == [0], try attributes.int("keepdims") == 0 else {
                throw invalid("Sibyl averages the members of a stack (axes [0], keepdims 0)")
            }
            return Compiled(operation: .mean(members), width: width / members, work: width)
        case "ArrayFeatureExtractor":
            _ = try ONNXAttributes(node, known: [])
            guard node.input.count == 2, let indices = try constants.integers(node.input[1]) else {
                throw invalid("Sibyl selects columns by a constant list of int64 indices")
            }
            guard indices.allSatisfy({ $0 >= 0 && $0 < width }) else { throw invalid("selects a column outside 0..<\(width)") }
            return Compiled(operation: .select(indices.map { Int($0) }), width: indices.count, work: indices.count)
        case "DictVectorizer", "CastMap":
            // The graph's map input, already laid out as its keys' row (`ONNXLoader.mapInput`).
            guard case .map = self.inputs, inputs[0].slot == 0 else { throw invalid("Sibyl reads the graph's map input only") }
            return Compiled(operation: .copy, width: width, work: 0)
        case "Gather":
            // Columns by a constant list of indices (negative ones from the end), as skl2onnx picks a frame's
            // columns; rows (axis 0) and a scalar index, which drops the column axis, are not gathered.
            let axis = try ONNXAttributes(node, known: ["axis"]).int("axis") ?? 0
            guard axis == 1 || axis == -1 else { throw invalid("Sibyl gathers columns (axis 1)") }
            guard node.input.count == 2, constants.dims(node.input[1])?.count == 1, let indices = try indexList(node.input[1]) else {
                throw invalid("Sibyl gathers columns by a constant list of indices")
            }
            let columns = indices.map { $0 < 0 ? $0 + Int64(width) : $0 }
            guard columns.allSatisfy({ $0 >= 0 && $0 < width }) else { throw invalid("gathers a column outside 0..<\(width)") }
            return Compiled(operation: .select(columns.map { Int($0) }), width: columns.count, work: columns.count)
        case "Slice":
            let columns = try sliceColumns(node, width: width, invalid: invalid)
            return Compiled(operation: .select(columns), width: columns.count, work: columns.count)
        case "OneHotEncoder":
            let attributes = try ONNXAttributes(node, known: ["cats_strings", "cats_int64s", "zeros"])
            let names = try attributes.strings("cats_strings")
            let numbers = try attributes.ints("cats_int64s")
            // Numbers (a bin's index, say), each column encoded by the integer it truncates to.
            if !text, names.isEmpty, !numbers.isEmpty {
                guard numbers.count <= ONNXGraph.maxWidth, Set(numbers).count == numbers.count else {
                    throw invalid("has \(numbers.count) categories, or one twice; Sibyl's limit is \(ONNXGraph.maxWidth)")
                }
                // zeros=0 makes onnxruntime fail on a number it does not list, which no check before the
                // request can foresee.
                guard try (attributes.int("zeros") ?? 1) == 1 else { throw invalid("Sibyl encodes numbers with zeros=1 only") }
                let codes = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })
                return Compiled(operation: .oneHotNumbers(codes, count: numbers.count), width: width * numbers.count, work: width * numbers.count)
            }
            guard text, width == 1, try attributes.ints("cats_int64s").isEmpty, !names.isEmpty else {
                throw invalid("Sibyl encodes one text column by its cats_strings")
            }
            guard names.count <= ONNXGraph.maxWidth else { throw invalid("has \(names.count) categories; Sibyl's limit is \(ONNXGraph.maxWidth)") }
            guard Set(names).count == names.count else { throw invalid("lists a category twice") }
            // zeros=1 encodes an unknown category (or none) as all zeros; zeros=0 makes onnxruntime fail,
            // so such a value has no prediction and the request is refused.
            let zeros = try attributes.int("zeros") ?? 1
            return Compiled(
                operation: .oneHot(names.count), width: names.count, work: names.count, endsMissing: zeros == 1, refusesMissing: zeros != 1,
                categories: names)
        case "LabelEncoder":
            let attributes = try ONNXAttributes(
                node,
                known: ["keys_strings", "keys_int64s", "keys_floats", "values_strings", "values_int64s", "values_floats", "default_string",
                        "default_int64", "default_float"])
            let names = try attributes.strings("keys_strings")
            let (integers, floats) = (try attributes.ints("values_int64s"), try attributes.floats("values_floats"))
            guard text, width == 1, !names.isEmpty, try attributes.ints("keys_int64s").isEmpty, try attributes.floats("keys_floats").isEmpty,
                integers.count == names.count || floats.count == names.count, integers.isEmpty || floats.isEmpty
            else { throw invalid("Sibyl encodes one text column by its keys_strings, as one number each (values_int64s or values_floats)") }
            guard names.count <= ONNXGraph.maxWidth else { throw invalid("has \(names.count) keys; Sibyl's limit is \(ONNXGraph.maxWidth)") }
            guard Set(names).count == names.count else { throw invalid("lists a key twice") }
            // An empty cell is a missing value to Sibyl, and gets the default; onnxruntime would find "".
            guard !names.contains("") else { throw invalid("has an empty key; Sibyl reads an empty cell as a missing value") }
            // A missing or unknown category gets the default, as onnxruntime gives it to any other text.
            let values = integers.isEmpty ? floats : integers.map { Float($0) }
            let fallback = integers.isEmpty ? try attributes.float("default_float") ?? -0.0 : Float(try attributes.int("default_int64") ?? -1)
            return Compiled(
                operation: .labelEncoder(values: values, default: fallback), width: 1, work: 1, endsMissing: true, categories: names)
        case "Binarizer":
            // onnxruntime fails on a missing value, so a row missing one here has no prediction.
            let threshold = try ONNXAttributes(node, known: ["threshold"]).float("threshold") ?? 1
            return Compiled(operation: .binarizer(threshold), width: width, work: width, refusesMissing: true)
        case "LinearRegressor":
            let attributes = try ONNXAttributes(node, known: ["coefficients", "intercepts", "targets", "post_transform"])
            guard try (attributes.int("targets") ?? 1) == 1 else { throw invalid("Sibyl serves linear regressors of one target") }
            guard try (attributes.string("post_transform") ?? "NONE") == "NONE" else { throw invalid("post_transform must be NONE") }
            let coefficients = try attributes.floats("coefficients"), intercepts = try attributes.floats("intercepts")
            guard coefficients.count == width, intercepts.count <= 1 else {
                throw invalid("has \(coefficients.count) coefficients and \(intercepts.count) intercepts for \(width) columns and 1 target")
            }
            return Compiled(operation: .affine(weights: coefficients, bias: intercepts), width: 1, work: width)
        case "LinearClassifier":
            let attributes = try ONNXAttributes(
                node, known: ["coefficients", "intercepts", "classlabels_ints", "classlabels_strings", "multi_class", "post_transform"])
            let numbers = try attributes.ints("classlabels_ints"), names = try attributes.strings("classlabels_strings")
            let classes = numbers.isEmpty ? names : numbers.map(String.init)
            let coefficients = try attributes.floats("coefficients"), intercepts = try attributes.floats("intercepts")
            guard classes.count >= 2, coefficients.count == classes.count * width, intercepts.isEmpty || intercepts.count == classes.count else {
                throw invalid("has \(coefficients.count) coefficients and \(intercepts.count) intercepts for \(classes.count) classes of \(width) columns; Sibyl serves one row of coefficients per class")
            }
            // multi_class changes nothing onnxruntime computes: each class's score is its own row's.
            let transform: ONNXTreeModel.Transform
            switch try attributes.string("post_transform") ?? "NONE" {
            case "NONE": transform = .none
            case "LOGISTIC": transform = .logistic
            case "SOFTMAX": transform = .softmax
            case let other: throw invalid("post_transform \(other.prefix(64)) is not one Sibyl runs (NONE, LOGISTIC, SOFTMAX)")
            }
            // Coefficients are one row per class; the affine step reads them column by column.
            var weights = [Float](repeating: 0, count: coefficients.count)
            for c in 0..<classes.count { for k in 0..<width { weights[k * classes.count + c] = coefficients[c * width + k] } }
            return Compiled(
                operation: .linearClassifier(weights: weights, bias: intercepts, transform: transform), width: classes.count,
                work: coefficients.count, classes: classes, scoresSecond: true)
        case "TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble":
            let ensemble = try ONNXTreeEnsemble(node.opType == "TreeEnsemble" ? ONNXTreeEnsembleV5.earlierForm(node) : node, featureCount: width)
            let schema = ModelSchema(
                format: .onnx, task: ensemble.model.task, objective: ensemble.model.objective,
                featureNames: (0..<width).map { "f\($0)" }, classes: ensemble.classes, treeCount: ensemble.treeCount)
            let classifier = node.opType == "TreeEnsembleClassifier"
            return Compiled(
                operation: .trees(ONNXTreeModel(schema: schema, finish: ensemble.model, forest: ensemble.forest)),
                width: classifier ? ensemble.classes.count : 1, work: ensemble.forest.nodes.count,
                classes: classifier ? ensemble.classes : nil, scoresSecond: classifier, endsMissing: true)
        case "SVMRegressor", "SVMClassifier":
            let machine = try ONNXSVM(node, width: width)
            let classifier = !machine.classes.isEmpty
            return Compiled(
                operation: .svm(machine), width: machine.outputWidth, work: machine.work,
                classes: classifier ? machine.classes : nil, scoresSecond: classifier)
        case "Squeeze", "Unsqueeze":
            // A rows × 1 tensor without its column axis lines up with other tensors on another axis when
            // broadcast: only a text column, which an encoder alone reads, goes through (`keepsOneColumn`).
            throw invalid("Sibyl removes or adds an axis only on the way from a text input to its encoder")
        default:
            // ZipMap builds the map of probabilities, never the prediction itself.
            throw invalid("is on the prediction's way, where Sibyl does not run it")
        }
    }
}

extension ONNXPlanner {
    /// A constant int64 or int32 list (Gather's indices, integer operands).
    func indexList(_ name: String) throws(SibylError) -> [Int64]? {
        if let integers = try constants.integers(name) { return integers }
        return try constants.int32s(name)?.map(Int64.init)
    }

    /// Whether `node` hands a one-column tensor on unchanged, one value a row: what skl2onnx puts between a
    /// frame's text column and its encoder (Gather of column 0, Reshape to one column, Squeeze and
    /// Unsqueeze of axis 1, Identity, Flatten).
    func keepsOneColumn(_ node: Onnx_NodeProto) throws(SibylError) -> Bool {
        guard ["Identity", "Flatten", "Reshape", "Gather", "Squeeze", "Unsqueeze"].contains(node.opType) else { return false }
        let attributes = try ONNXAttributes(node, known: ["axis", "axes", "allowzero"])
        func second(_ name: String?) throws(SibylError) -> [Int64]? {
            guard let name, !name.isEmpty else { return nil }
            return try indexList(name)
        }
        switch node.opType {
        case "Identity":
            return true
        case "Flatten":
            return try (attributes.int("axis") ?? 1) == 1
        case "Reshape":
            return try [[-1], [-1, 1]].contains(second(node.input.dropFirst().first))
        case "Gather":
            let axis = try attributes.int("axis") ?? 0, indices = try second(node.input.dropFirst().first)
            return [1, -1].contains(axis) && [[0], [-1]].contains(indices)
        case "Squeeze", "Unsqueeze":
            // The axes are an attribute before opset 13 and a constant input from it.
            let axes = node.input.count > 1 ? try second(node.input[1]) : try attributes.ints("axes")
            return axes == [1] || (node.opType == "Squeeze" && axes == [-1])
        default:
            return false
        }
    }

    /// The columns a Slice keeps: constant starts, ends and steps (inputs from opset 10, attributes
    /// before), on axis 1, steps of 1 or more; rows (axis 0) only whole.
    func sliceColumns(
        _ node: Onnx_NodeProto, width: Int, invalid: (String) -> SibylError
    ) throws(SibylError) -> [Int] {
        let attributes = try ONNXAttributes(node, known: ["starts", "ends", "axes"])
        func list(_ position: Int, attribute: String) throws(SibylError) -> [Int64]? {
            guard node.input.count > 1 else {
                let values = try attributes.ints(attribute)
                return values.isEmpty ? nil : values
            }
            guard node.input.count > position, !node.input[position].isEmpty else { return nil }
            guard let values = try indexList(node.input[position]) else { throw invalid("input \(position) must be a constant") }
            return values
        }
        guard let starts = try list(1, attribute: "starts"), let ends = try list(2, attribute: "ends"), starts.count == ends.count else {
            throw invalid("needs as many constant starts as ends")
        }
        let axes = try list(3, attribute: "axes") ?? starts.indices.map(Int64.init)
        let steps = try list(4, attribute: "steps") ?? starts.map { _ in 1 }
        guard axes.count == starts.count, steps.count == starts.count else { throw invalid("needs a start, end and step for each axis") }
        var columns = stride(from: 0, to: width, by: 1)
        for k in axes.indices {
            switch axes[k] {
            case 0, -2:
                // All rows, one by one: from 0, or from so far back that ONNX clamps it to 0 for any request
                // (a negative start counts from the end: -1 is the last row alone), to the end.
                guard starts[k] == 0 || starts[k] <= -Int64(Int32.max), ends[k] >= Int64(Int32.max), steps[k] == 1 else {
                    throw invalid("Sibyl slices columns (axis 1); rows are kept whole")
                }
            case 1, -1:
                guard steps[k] >= 1 else { throw invalid("Sibyl slices columns with a step of 1 or more") }
                // ONNX's rule: a negative start or end counts from the end; both are clamped to 0...width.
                func clamp(_ value: Int64) -> Int {
                    let from = value < 0 ? value + Int64(width) : value
                    return Int(min(max(from, 0), Int64(width)))
                }
                columns = stride(from: clamp(starts[k]), to: clamp(ends[k]), by: Int(min(steps[k], Int64(width))))
            default:
                throw invalid("Sibyl slices two-dimensional tensors (axis 0 or 1)")
            }
        }
        return Array(columns)
    }
}
