import Foundation
import NIOCore
import SibylRuntime
import Hummingbird
import SibylCore

/// A management request body: a JSON object whose fields are read one by one, so that every wrong field is
/// refused by name (422) and unknown fields are refused too, never silently ignored.
public struct JSONBody {
    private let object: [String: JSONValue]

    /// Reads the body's object; `optional` lets an empty body stand for `{}` (for calls whose every field
    /// is optional, sent by scripts with no body at all).
    public static func read(_ request: Request, limit: Int, allowed: Set<String>, optional: Bool = false) async throws -> JSONBody {
        let bytes = Array(buffer: try await collect(request, limit: limit))
        if optional && bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return JSONBody(object: [:]) }
        guard case .object(let object) = try JSONValue.parse(bytes) else {
            throw SibylError(.invalidInput, "the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw SibylError(.invalidInput, "\(unknown): unknown field")
        }
        return JSONBody(object: object)
    }

    /// Reads a body of at most `limit` bytes; larger is a 413.
    public static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw SibylError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw SibylError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public func string(_ key: String) throws(SibylError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw SibylError(.invalidInput, "\(key): expected a string") }
        return text
    }

    /// A field given explicitly as `null`: for fields where null clears a value and absence leaves it.
    public func isNull(_ key: String) -> Bool {
        object[key] == .null
    }

    public func requiredString(_ key: String) throws(SibylError) -> String {
        guard let text = try string(key) else { throw SibylError(.invalidInput, "\(key): required") }
        return text
    }

    public func int(_ key: String) throws(SibylError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = Self.integer(value) else { throw SibylError(.invalidInput, "\(key): expected an integer") }
        return int
    }

    public func number(_ key: String) throws(SibylError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value else { throw SibylError(.invalidInput, "\(key): expected a number") }
        return number
    }

    public func strings(_ key: String) throws(SibylError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let list) = value else { throw SibylError(.invalidInput, "\(key): expected an array of strings") }
        return try list.map { element throws(SibylError) in
            guard case .string(let text) = element else { throw SibylError(.invalidInput, "\(key): expected an array of strings") }
            return text
        }
    }

    public func ints(_ key: String) throws(SibylError) -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case .array(let list) = value else { throw SibylError(.invalidInput, "\(key): expected an array of integers") }
        return try list.map { element throws(SibylError) in
            guard let int = Self.integer(element) else { throw SibylError(.invalidInput, "\(key): expected an array of integers") }
            return int
        }
    }

    public func bool(_ key: String) throws(SibylError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw SibylError(.invalidInput, "\(key): expected true or false") }
        return flag
    }

    /// An array of objects, each read by the same rules as a nested object.
    public func objects(_ key: String, allowed: Set<String>) throws(SibylError) -> [JSONBody]? {
        guard let value = value(key) else { return nil }
        guard case .array(let list) = value else { throw SibylError(.invalidInput, "\(key): expected an array of objects") }
        return try list.enumerated().map { (index, element) throws(SibylError) in
            guard case .object(let object) = element else { throw SibylError(.invalidInput, "\(key): expected an array of objects") }
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw SibylError(.invalidInput, "\(key)[\(index)].\(unknown): unknown field")
            }
            return JSONBody(object: object)
        }
    }

    /// A nested object, read by the same rules: unknown fields refused, named by their path.
    public func requiredObject(_ key: String, allowed: Set<String>) throws(SibylError) -> JSONBody {
        guard let value = value(key) else { throw SibylError(.invalidInput, "\(key): required") }
        guard case .object(let object) = value else { throw SibylError(.invalidInput, "\(key): expected an object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw SibylError(.invalidInput, "\(key).\(unknown): unknown field")
        }
        return JSONBody(object: object)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }
}

/// Management answers: Codable values as JSON, their property names converted to snake_case.
public struct JSONAnswer<Value: Encodable>: ResponseGenerator {
    public var status: HTTPResponse.Status = .ok
    public let value: Value
    public var convertingKeys = true

    public init(_ status: HTTPResponse.Status = .ok, _ value: Value) {
        self.status = status
        self.value = value
    }

    /// An answer of the compatible deployment API, whose types spell out every key: a deployment's `envs`
    /// and probe headers are user data whose keys must come back as given.
    public init(_ status: HTTPResponse.Status, verbatim value: Value) {
        self.status = status
        self.value = value
        convertingKeys = false
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        if convertingKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
