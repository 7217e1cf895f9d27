import Hummingbird
import SibylCore
import SibylHTTP
import SibylWire

/// The fields of a submitted console form: `application/x-www-form-urlencoded`, or `multipart/form-data`
/// for the model upload. A field may repeat (checkboxes); `subscript` answers its first value.
struct ConsoleForm: Sendable {
    private var fields: [String: [String]] = [:]
    /// The bytes of each multipart part, for file fields.
    private(set) var files: [String: [UInt8]] = [:]

    /// Reads the body, at most `limit` bytes (413 beyond).
    static func read(_ request: Request, limit: Int) async throws -> ConsoleForm {
        let body = Array(buffer: try await JSONBody.collect(request, limit: limit))
        var form = ConsoleForm()
        if let contentType = request.headers[.contentType], let boundary = Multipart.boundary(ofContentType: contentType) {
            form.files = try Multipart.parts(body, boundary: boundary)
            for (name, bytes) in form.files { form.fields[name] = [String(decoding: bytes, as: UTF8.self)] }
            return form
        }
        for pair in body.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = try decode(parts[0]) else { continue }
            form.fields[name, default: []].append(try decode(parts.count > 1 ? parts[1] : []) ?? "")
        }
        return form
    }

    subscript(_ name: String) -> String? { fields[name]?.first }

    func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// A field that must be present and not blank.
    func required(_ name: String) throws(SibylError) -> String {
        guard let value = self[name], !value.isEmpty else { throw SibylError(.invalidInput, "\(name): required") }
        return value
    }

    /// A field left empty means "not given".
    func optional(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    /// Percent-decoding with `+` as a space, as browsers encode forms; a bad escape is a malformed body.
    /// Nothing decodes to nil.
    private static func decode(_ bytes: ArraySlice<UInt8>) throws(SibylError) -> String? {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2])
                else { throw SibylError(.malformedBody, "the form is not well-formed") }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return bytes.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
