import SibylCore
import SibylHTTP
import SibylRuntime
import SibylWire

/// The answer to a v2 `infer` call: the requested outputs as JSON data or, with the binary tensor
/// extension, as raw little-endian bytes after the JSON header.
///
/// Outputs: `label` (BYTES, `[rows]`, the class names) and `probabilities` (FP32, `[rows, classes]`) for
/// classifiers, `value` (FP32, `[rows]`) for regressors, `margin` (FP32, `[rows, groups]`) for every model,
/// and `contributions` (FP32, `[rows, groups, features + 1]`, the bias last) when explained. With no outputs
/// named, a classifier answers `label` and `probabilities`, a regressor `value`, plus `contributions` when
/// `parameters.explain` is true.
struct InferenceResponse {
    let json: [UInt8]
    let binary: [UInt8]

    /// The outputs the answer holds: those the request names, else the defaults.
    static func outputs(of request: InferenceRequest, task: ModelTask, hasProbabilities: Bool, explained: Bool)
        -> [InferenceRequest.Output]
    {
        guard request.outputs.isEmpty else { return request.outputs }
        let defaults = task == .regression ? ["value"] : hasProbabilities ? ["label", "probabilities"] : ["label"]
        return (defaults + (explained ? ["contributions"] : [])).map { InferenceRequest.Output(name: $0, binary: request.binaryByDefault) }
    }

    init(
        modelName: String, modelVersion: String, request: InferenceRequest, predictions: Predictions,
        contributions: Contributions?
    ) throws(SibylError) {
        let wanted = Self.outputs(
            of: request, task: predictions.task, hasProbabilities: predictions.hasProbabilities, explained: contributions != nil)
        // Written by hand rather than through JSONSerialization so that every number is the shortest decimal
        // that round-trips its float32, as on /predict.
        var text = "{\"model_name\":" + JSONText.quoted(modelName) + ",\"model_version\":" + JSONText.quoted(modelVersion)
        if let id = request.id { text += ",\"id\":" + JSONText.quoted(id) }
        text += ",\"outputs\":["
        var binary: [UInt8] = []
        for (index, output) in wanted.enumerated() {
            let tensor = try Self.tensor(output.name, predictions, contributions)
            text += index == 0 ? "{" : ",{"
            text += "\"name\":" + JSONText.quoted(output.name) + ",\"datatype\":\"" + tensor.datatype + "\",\"shape\":["
            text += tensor.shape.map(String.init).joined(separator: ",") + "]"
            if output.binary {
                let bytes = tensor.bytes()
                text += ",\"parameters\":{\"binary_data_size\":\(bytes.count)}}"
                binary += bytes
            } else {
                text += ",\"data\":[" + tensor.jsonValues.joined(separator: ",") + "]}"
            }
        }
        text += "]}"
        json = Array(text.utf8)
        self.binary = binary
    }

    private struct OutputTensor {
        let datatype: String
        let shape: [Int]
        let floats: [Float]
        let strings: [String]

        var jsonValues: [String] {
            datatype == "BYTES" ? strings.map(JSONText.quoted) : floats.map(JSONText.number)
        }

        /// FP32 little-endian, or BYTES as a 4-byte little-endian length before each string.
        func bytes() -> [UInt8] {
            var out: [UInt8] = []
            if datatype == "BYTES" {
                for string in strings {
                    let utf8 = Array(string.utf8)
                    withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { out += $0 }
                    out += utf8
                }
            } else {
                out.reserveCapacity(floats.count * 4)
                for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { out += $0 } }
            }
            return out
        }
    }

    private static func tensor(_ name: String, _ p: Predictions, _ c: Contributions?) throws(SibylError) -> OutputTensor {
        let rows = p.rowCount
        switch name {
        case "label" where p.task != .regression:
            return OutputTensor(datatype: "BYTES", shape: [rows], floats: [], strings: (0..<rows).map(p.label(ofRow:)))
        case "probabilities" where p.hasProbabilities:
            return OutputTensor(datatype: "FP32", shape: [rows, p.classes.count], floats: p.probabilities, strings: [])
        case "value" where p.task == .regression:
            return OutputTensor(datatype: "FP32", shape: [rows], floats: p.values, strings: [])
        case "margin":
            return OutputTensor(datatype: "FP32", shape: [rows, p.marginsPerRow], floats: p.margins, strings: [])
        case "contributions":
            guard let c else {
                throw SibylError(.internalError, "contributions were not computed")
            }
            return OutputTensor(
                datatype: "FP32", shape: [rows, c.groupCount, c.featureCount + 1], floats: c.values.map(Float.init), strings: [])
        default:
            throw SibylError(.invalidInput, "output \"\(name)\" is not one this model gives")
        }
    }
}
