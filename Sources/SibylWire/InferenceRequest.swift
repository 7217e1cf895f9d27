import SibylCore
import SibylRuntime

/// An Open Inference Protocol v2 `infer` request (KServe, Triton, MLServer), read into a feature matrix.
///
/// Two layouts are accepted: one input of shape `[rows, features]` (or `[features]` for one row) in schema
/// order, whatever its name; or one input per feature, named as the feature, of shape `[rows]` or
/// `[rows, 1]` (an absent feature is missing). Data come as JSON (flat or nested, `null` = missing) or,
/// with the binary tensor extension, as raw little-endian bytes after the JSON header.
public struct InferenceRequest {
    /// What the client asked back.
    public struct Output: Equatable, Sendable {
        public let name: String
        public let binary: Bool

        public init(name: String, binary: Bool) {
            self.name = name
            self.binary = binary
        }
    }

    public let id: String?
    public let matrix: FeatureMatrix
    /// The requested outputs; empty means the defaults.
    public let outputs: [Output]
    /// Whether outputs are binary unless an output says otherwise (`binary_data_output`).
    public let binaryByDefault: Bool
    /// Whether TreeSHAP contributions are asked for (`parameters.explain`).
    public let explain: Bool

    /// Reads a request whose JSON header is the first `headerLength` bytes of `body` (all of it when nil), for
    /// a model's schema and its feature lookup (`CompiledModel.features`).
    public init(
        body: [UInt8], headerLength: Int?, schema: ModelSchema, features: FeatureIndex, limits: InputLimits
    ) throws(SibylError) {
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw SibylError(.malformedBody, "Inference-Header-Content-Length is larger than the body")
        }
        guard case .object(let object) = try JSONValue.parse(Array(body[..<jsonEnd])) else {
            throw SibylError(.invalidInput, "the request must be a JSON object")
        }
        try Self.allow(object, ["id", "parameters", "inputs", "outputs"], in: "request")
        if let id = object["id"] {
            guard case .string(let text) = id else { throw SibylError(.invalidInput, "id: expected a string") }
            self.id = text
        } else {
            id = nil
        }
        let parameters = try Self.parameters(object["parameters"], in: "parameters")
        binaryByDefault = try Self.bool(parameters["binary_data_output"], in: "parameters.binary_data_output") ?? false
        explain = try Self.bool(parameters["explain"], in: "parameters.explain") ?? false

        guard case .array(let inputs)? = object["inputs"], !inputs.isEmpty else {
            throw SibylError(.invalidInput, "inputs: expected a non-empty array")
        }
        var binary = BinaryCursor(bytes: body, offset: jsonEnd)
        var tensors: [Tensor] = []
        for (index, input) in inputs.enumerated() {
            tensors.append(try Tensor(input, at: "inputs[\(index)]", binary: &binary))
        }
        guard binary.offset == body.count else {
            throw SibylError(.invalidInput, "\(body.count - binary.offset) bytes of binary data belong to no input")
        }
        matrix = try features.readingNumbers(of: Self.matrix(tensors, features: features, limits: limits))

        // Each output at most once, and only those of the model's task: an output asked many times would
        // multiply the answer (and its work) by the length of the list.
        var outputs: [Output] = []
        if let requested = object["outputs"] {
            guard case .array(let list) = requested else { throw SibylError(.invalidInput, "outputs: expected an array") }
            let offered = Self.outputNames(for: schema.task)
            guard list.count <= offered.count else {
                throw SibylError(
                    .invalidInput,
                    "outputs: \(list.count) asked, but this model gives \(offered.count) (\(offered.joined(separator: ", ")))")
            }
            for (index, item) in list.enumerated() {
                let place = "outputs[\(index)]"
                guard case .object(let output) = item else { throw SibylError(.invalidInput, "\(place): expected an object") }
                try Self.allow(output, ["name", "parameters"], in: place)
                guard case .string(let name)? = output["name"] else { throw SibylError(.invalidInput, "\(place).name: required") }
                guard offered.contains(name) else { throw SibylError(.invalidInput, "output \"\(name)\" is not one this model gives") }
                guard !outputs.contains(where: { $0.name == name }) else {
                    throw SibylError(.invalidInput, "\(place): output \"\(name)\" is asked twice")
                }
                let binary = try Self.bool(
                    try Self.parameters(output["parameters"], in: "\(place).parameters")["binary_data"], in: "\(place).parameters.binary_data")
                outputs.append(Output(name: name, binary: binary ?? binaryByDefault))
            }
        }
        self.outputs = outputs
    }

    /// The outputs a model of `task` can give, in the order of the protocol's documentation. A classifier
    /// without probabilities (`binary:logitraw`, `multi:softmax`) refuses `probabilities` once evaluated.
    public static func outputNames(for task: ModelTask) -> [String] {
        task == .regression ? ["value", "margin", "contributions"] : ["label", "probabilities", "margin", "contributions"]
    }

    /// Lays the tensors out as rows in schema order. Names are looked up in the model's hash table: a body may
    /// hold thousands of inputs and a model a million features.
    /// Rows are checked against `limits` for the model's width before a matrix is made for them.
    private static func matrix(_ tensors: [Tensor], features: FeatureIndex, limits: InputLimits) throws(SibylError) -> FeatureMatrix {
        let columns = features.names.count
        func column(_ name: String) -> Int? {
            var name = name
            return name.withUTF8 { features.column(of: $0) }
        }
        if tensors.count == 1, tensors[0].shape.last == columns, (1...2).contains(tensors[0].shape.count),
            !(tensors[0].shape.count == 1 && column(tensors[0].name) != nil && columns != 1)
        {
            let tensor = tensors[0]
            let rows = tensor.shape.count == 2 ? tensor.shape[0] : 1
            try check(rows: rows, columns: columns, limits: limits)
            return FeatureMatrix(rows: rows, columns: columns, values: tensor.values)
        }
        // One tensor per feature.
        var rows: Int?
        var values: [Float] = []
        var seen: Set<String> = []
        for tensor in tensors {
            guard let column = column(tensor.name) else {
                throw SibylError(
                    .invalidInput,
                    "input \"\(tensor.name)\": send one input of shape [rows, \(columns)], or one input per feature named as the feature")
            }
            guard seen.insert(tensor.name).inserted else { throw SibylError(.invalidInput, "input \"\(tensor.name)\" is given twice") }
            guard tensor.shape.count == 1 || (tensor.shape.count == 2 && tensor.shape[1] == 1) else {
                throw SibylError(.invalidInput, "input \"\(tensor.name)\": expected shape [rows] or [rows, 1], got \(tensor.shape)")
            }
            if rows == nil {
                rows = tensor.shape[0]
                try check(rows: tensor.shape[0], columns: columns, limits: limits)
                values = Array(repeating: features.absentValue, count: tensor.shape[0] * columns)
            }
            guard tensor.shape[0] == rows else {
                throw SibylError(.invalidInput, "input \"\(tensor.name)\": \(tensor.shape[0]) rows where the others have \(rows ?? 0)")
            }
            for (row, value) in tensor.values.enumerated() { values[row * columns + column] = value }
        }
        let absent = features.names.indices.filter { !seen.contains(features.names[$0]) }
        return FeatureMatrix(rows: rows ?? 0, columns: columns, values: values, absentColumns: absent)
    }

    private static func check(rows: Int, columns: Int, limits: InputLimits) throws(SibylError) {
        guard rows > 0 else { throw SibylError(.invalidInput, "the request holds no rows") }
        try limits.check(rows: rows, features: columns)
    }

    static func allow(_ object: [String: JSONValue], _ keys: Set<String>, in place: String) throws(SibylError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw SibylError(.invalidInput, "\(place): unknown field \"\(unknown)\"")
        }
    }

    static func parameters(_ value: JSONValue?, in place: String) throws(SibylError) -> [String: JSONValue] {
        switch value {
        case nil, .null?: return [:]
        case .object(let object)?: return object
        default: throw SibylError(.invalidInput, "\(place): expected an object")
        }
    }

    static func bool(_ value: JSONValue?, in place: String) throws(SibylError) -> Bool? {
        switch value {
        case nil: return nil
        case .bool(let flag)?: return flag
        default: throw SibylError(.invalidInput, "\(place): expected true or false")
        }
    }
}

/// The binary tensor data after the JSON header, consumed input by input in order.
public struct BinaryCursor {
    public let bytes: [UInt8]
    public var offset: Int

    public init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    public mutating func take(_ count: Int, for place: String) throws(SibylError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else {
            throw SibylError(.invalidInput, "\(place): binary_data_size \(count) is more than the binary data left")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}
