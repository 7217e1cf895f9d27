import Foundation
import SibylCore

/// The attributes of one ONNX node by name, each read only as the type the operator declares for it.
///
/// An attribute the operator does not define is refused rather than skipped: it might change what the
/// node computes (the `*_as_tensor` forms of newer opsets, for one), and Sibyl answers for every output.
struct ONNXAttributes {
    let node: String
    private let byName: [String: Onnx_AttributeProto]

    init(_ node: Onnx_NodeProto, known: Set<String>) throws(SibylError) {
        self.node = node.name.isEmpty ? node.opType : "\(node.opType) \(node.name.prefix(64))"
        var byName: [String: Onnx_AttributeProto] = [:]
        for attribute in node.attribute {
            guard known.contains(attribute.name) else {
                throw SibylError(.invalidModel, "\(self.node): attribute \(attribute.name.prefix(64)) is not one Sibyl reads")
            }
            guard byName.updateValue(attribute, forKey: attribute.name) == nil else {
                throw SibylError(.invalidModel, "\(self.node): attribute \(attribute.name) appears twice")
            }
        }
        self.byName = byName
    }

    private func attribute(_ name: String, _ type: Onnx_AttributeProto.AttributeType) throws(SibylError) -> Onnx_AttributeProto? {
        guard let attribute = byName[name] else { return nil }
        // Writers before ONNX 1.1 left `type` unset (UNDEFINED); the field that holds values tells then.
        guard attribute.type == type || attribute.type == .undefined else {
            throw SibylError(.invalidModel, "\(node): attribute \(name) must be of type \(type), not \(attribute.type)")
        }
        return attribute
    }

    func ints(_ name: String) throws(SibylError) -> [Int64] { try attribute(name, .ints)?.ints ?? [] }
    func floats(_ name: String) throws(SibylError) -> [Float] { try attribute(name, .floats)?.floats ?? [] }
    func strings(_ name: String) throws(SibylError) -> [String] {
        try attribute(name, .strings)?.strings.map { String(decoding: $0, as: UTF8.self) } ?? []
    }
    func int(_ name: String) throws(SibylError) -> Int64? { try attribute(name, .int)?.i }
    func tensor(_ name: String) throws(SibylError) -> Onnx_TensorProto? { try attribute(name, .tensor)?.t }
    func float(_ name: String) throws(SibylError) -> Float? { try attribute(name, .float)?.f }
    func string(_ name: String) throws(SibylError) -> String? {
        try attribute(name, .string).map { String(decoding: $0.s, as: UTF8.self) }
    }

    func invalid(_ message: String) -> SibylError {
        SibylError(.invalidModel, "\(node): \(message)")
    }
}
