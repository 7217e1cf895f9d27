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
        guard let tensor = tensors[name], tensor.dataType == Onnx_TensorProto.DataType.float.rawValue else { return nil }
        let count = try Self.count(tensor)
        if tensor.rawData.isEmpty {
            guard tensor.floatData.count == count else { throw Self.invalid(tensor, "holds \(tensor.floatData.count) floats for \(count)") }
            return tensor.floatData
        }
        guard tensor.rawData.count == count * 4 else { throw Self.invalid(tensor, "holds \(tensor.rawData.count) bytes for \(count) floats") }
        return tensor.rawData.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// An int64 constant's values, or nil where `name` is no int64 constant.
    func integers(_ name: String) throws(SibylError) -> [Int64]? {
        guard let tensor = tensors[name], tensor.dataType == Onnx_TensorProto.DataType.int64.rawValue else { return nil }
        let count = try Self.count(tensor)
        if tensor.rawData.isEmpty {
            guard tensor.int64Data.count == count else { throw Self.invalid(tensor, "holds \(tensor.int64Data.count) integers for \(count)") }
            return tensor.int64Data
        }
        guard tensor.rawData.count == count * 8 else { throw Self.invalid(tensor, "holds \(tensor.rawData.count) bytes for \(count) integers") }
        return tensor.rawData.withUnsafeBytes { raw in
            (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
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
