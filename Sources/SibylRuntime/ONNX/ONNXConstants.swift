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
        guard let tensor = tensors[name] else { return nil }
        return try Self.floats(tensor)
    }

    /// An int64 constant's values, or nil where `name` is no int64 constant.
    func integers(_ name: String) throws(SibylError) -> [Int64]? {
        guard let tensor = tensors[name] else { return nil }
        return try Self.integers(tensor)
    }

    /// A float tensor's values (an initializer's, or a tensor attribute's), or nil where it is of another type.
    static func floats(_ tensor: Onnx_TensorProto) throws(SibylError) -> [Float]? {
        try values(tensor, type: .float, listed: \.floatData, what: "floats") { Float(bitPattern: UInt32(littleEndian: $0)) }
    }

    /// An int64 tensor's values, or nil where it is of another type.
    static func integers(_ tensor: Onnx_TensorProto) throws(SibylError) -> [Int64]? {
        try values(tensor, type: .int64, listed: \.int64Data, what: "integers") { Int64(littleEndian: $0) }
    }

    /// An int32 constant's values, or nil where `name` is no int32 constant.
    func int32s(_ name: String) throws(SibylError) -> [Int32]? {
        guard let tensor = tensors[name] else { return nil }
        return try Self.values(tensor, type: .int32, listed: \.int32Data, what: "integers") { Int32(littleEndian: $0) }
    }

    /// A uint8 tensor's values (listed one to an int32, or raw bytes), or nil where it is of another type.
    static func bytes(_ tensor: Onnx_TensorProto) throws(SibylError) -> [Int32]? {
        try values(tensor, type: .uint8, listed: \.int32Data, what: "bytes") { (byte: UInt8) in Int32(byte) }
    }

    /// `tensor`'s values where it is of `type`: those listed in its typed field, or else its raw
    /// little-endian bytes, each read as a `Word` and decoded; either way exactly the count its dimensions
    /// declare.
    private static func values<Value, Word: FixedWidthInteger>(
        _ tensor: Onnx_TensorProto, type: Onnx_TensorProto.DataType, listed: KeyPath<Onnx_TensorProto, [Value]>, what: String,
        decode: (Word) -> Value
    ) throws(SibylError) -> [Value]? {
        guard tensor.dataType == type.rawValue else { return nil }
        let count = try count(tensor)
        if tensor.rawData.isEmpty {
            let values = tensor[keyPath: listed]
            guard values.count == count else { throw invalid(tensor, "holds \(values.count) \(what) for \(count)") }
            return values
        }
        let size = MemoryLayout<Word>.size
        guard tensor.rawData.count == count * size else {
            throw invalid(tensor, "holds \(tensor.rawData.count) bytes for \(count) \(what)")
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
