import SibylCore
import SibylRuntime

/// One input tensor of a v2 request, its values converted to float32 (NaN for a JSON `null`).
public struct Tensor {
    public let name: String
    public let shape: [Int]
    public let values: [Float]

    /// The numeric datatypes of the protocol, with their sizes in the binary extension.
    public enum Datatype: String, Sendable {
        case bool = "BOOL", uint8 = "UINT8", uint16 = "UINT16", uint32 = "UINT32", uint64 = "UINT64"
        case int8 = "INT8", int16 = "INT16", int32 = "INT32", int64 = "INT64", fp32 = "FP32", fp64 = "FP64"

        public var size: Int {
            switch self {
            case .bool, .uint8, .int8: 1
            case .uint16, .int16: 2
            case .uint32, .int32, .fp32: 4
            case .uint64, .int64, .fp64: 8
            }
        }
    }

    /// Most elements one tensor may declare; a shape beyond it is refused before anything is allocated.
    public static let maxElements = 1 << 26

    public init(_ value: JSONValue, at place: String, binary: inout BinaryCursor) throws(SibylError) {
        guard case .object(let object) = value else { throw SibylError(.invalidInput, "\(place): expected an object") }
        try InferenceRequest.allow(object, ["name", "shape", "datatype", "parameters", "data"], in: place)
        guard case .string(let name)? = object["name"] else { throw SibylError(.invalidInput, "\(place).name: required") }
        guard case .array(let dimensions)? = object["shape"] else { throw SibylError(.invalidInput, "\(place).shape: required") }
        var shape: [Int] = []
        var count = 1
        for dimension in dimensions {
            guard case .number(let number) = dimension, number >= 0, number.rounded() == number, number <= Double(Self.maxElements)
            else { throw SibylError(.invalidInput, "\(place).shape: expected non-negative integers") }
            shape.append(Int(number))
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(number))
            guard !overflow, product <= Self.maxElements else {
                throw SibylError(.invalidInput, "\(place).shape: more than \(Self.maxElements) elements")
            }
            count = product
        }
        guard case .string(let typeName)? = object["datatype"] else { throw SibylError(.invalidInput, "\(place).datatype: required") }
        guard let datatype = Datatype(rawValue: typeName) else {
            throw SibylError(.invalidInput, "\(place).datatype: \(typeName) is not a numeric datatype Sibyl reads")
        }
        let parameters = try InferenceRequest.parameters(object["parameters"], in: "\(place).parameters")
        // Nothing is reserved from the shape alone: a shape may declare 2^26 values in a few bytes of JSON.
        var values: [Float] = []
        if let size = parameters["binary_data_size"] {
            guard object["data"] == nil else { throw SibylError(.invalidInput, "\(place): both data and binary_data_size") }
            guard case .number(let declared) = size, declared.rounded() == declared, declared >= 0, declared < 1e15 else {
                throw SibylError(.invalidInput, "\(place).parameters.binary_data_size: expected a byte count")
            }
            guard Int(declared) == count * datatype.size else {
                throw SibylError(
                    .invalidInput, "\(place): binary_data_size \(Int(declared)) does not hold \(count) \(typeName) values")
            }
            let bytes = try binary.take(Int(declared), for: place)
            values.reserveCapacity(count)
            Self.decode(bytes, as: datatype, into: &values)
        } else {
            guard let data = object["data"] else { throw SibylError(.invalidInput, "\(place).data: required") }
            try Self.flatten(data, datatype: datatype, place: "\(place).data", into: &values, limit: count)
            guard values.count == count else {
                throw SibylError(.invalidInput, "\(place): shape \(shape) holds \(count) values but data has \(values.count)")
            }
        }
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// Appends the numbers of nested arrays in row-major order; JSON already bounds the nesting depth.
    private static func flatten(
        _ value: JSONValue, datatype: Datatype, place: String, into values: inout [Float], limit: Int
    ) throws(SibylError) {
        if case .array(let elements) = value {
            for element in elements {
                try flatten(element, datatype: datatype, place: place, into: &values, limit: limit)
            }
            return
        }
        guard values.count < limit else { throw SibylError(.invalidInput, "\(place): more values than the shape holds") }
        switch value {
        case .number(let number) where datatype != .bool:
            let float = Float(number)
            guard float.isFinite || !number.isFinite else {
                throw SibylError(.invalidInput, "\(place): \(number) is outside the float32 range")
            }
            values.append(float)
        case .bool(let flag) where datatype == .bool:
            values.append(flag ? 1 : 0)
        case .null:
            values.append(.nan)
        default:
            throw SibylError(.invalidInput, "\(place): expected \(datatype.rawValue) values")
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, as datatype: Datatype, into values: inout [Float]) {
        bytes.withUnsafeBytes { raw in
            let count = raw.count / datatype.size
            for index in 0..<count {
                let offset = index * datatype.size
                let value: Float
                switch datatype {
                case .bool, .uint8: value = Float(raw[offset])
                case .int8: value = Float(Int8(bitPattern: raw[offset]))
                case .uint16: value = Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                case .int16: value = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
                case .uint32: value = Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                case .int32: value = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                case .uint64: value = Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case .int64: value = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                case .fp32:
                    value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                case .fp64:
                    value = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
                }
                values.append(value)
            }
        }
    }
}
