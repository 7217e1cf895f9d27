import Foundation
import SibylCore

/// The graph's initializers (its constant tensors), decoded on demand with their element count checked
/// against the bytes that hold them, so that a declared shape alone never sizes an allocation.
struct ONNXConstants {
    private let tensors: [String: Onnx_TensorProto]

    init(_ graph: Onnx_GraphProto) {
        var tensors: [String: Onnx_TensorProto] = [:]
        for tensor in graph.initializer { tensors[tensor.name] = tensor }
        self.tensors = tensors
    }

    func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The dimensions of constant `name`.
    func dims(_ name: String) -> [Int64]? { tensors[name]?.dims }

    /// A float constant's values, or nil where `name` is no float constant.
    func floats(_ name: String) throws(SibylError) -> [Float]? {
        try values(name, type: .float, listed: \.floatData, what: "floats") { Float(bitPattern: UInt32(littleEndian: $0)) }
    }

    /// An int64 constant's values, or nil where `name` is no int64 constant.
    func integers(_ name: String) throws(SibylError) -> [Int64]? {
        try values(name, type: .int64, listed: \.int64Data, what: "integers") { Int64(littleEndian: $0) }
    }

    /// Constant `name`'s values where it is of `type`: those listed in the tensor's typed field, or else its
    /// raw little-endian bytes, each read as a `Word` and decoded; either way exactly the count its
    /// dimensions declare.
    private func values<Value, Word: FixedWidthInteger>(
        _ name: String, type: Onnx_TensorProto.DataType, listed: KeyPath<Onnx_TensorProto, [Value]>, what: String,
        decode: (Word) -> Value
    ) throws(SibylError) -> [Value]? {
        guard let tensor = tensors[name], tensor.dataType == type.rawValue else { return nil }
        let count = try Self.count(tensor)
        if tensor.rawData.isEmpty {
            let values = tensor[keyPath: listed]
            guard values.count == count else { throw Self.invalid(tensor, "holds \(values.count) \(what) for \(count)") }
            return values
        }
        let size = MemoryLayout<Word>.size
        guard tensor.rawData.count == count * size else {
            throw Self.invalid(tensor, "holds \(tensor.rawData.count) bytes for \(count) \(what)")
        }
        return tensor.rawData.withUnsafeBytes { raw in
            (0..<count).map { decode(raw.loadUnaligned(fromByteOffset: $0 * size, as: Word.self)) }
        }
    }

    /// The element count the dimensions declare, refused where it overflows or a dimension is negative.
    private static func count(_ tensor: Onnx_TensorProto) throws(SibylError) -> Int {
        var count = 1
        for dim in tensor.dims {
            guard dim >= 0, dim <= Int(Int32.max) else { throw invalid(tensor, "has the dimension \(dim)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= Int(Int32.max) else { throw invalid(tensor, "declares more than 2^31 values") }
            count = product
        }
        return count
    }

    private static func invalid(_ tensor: Onnx_TensorProto, _ message: String) -> SibylError {
        SibylError(.invalidModel, "initializer \(tensor.name.prefix(64)) \(message)")
    }
}
