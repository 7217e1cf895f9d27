import Foundation
import SibylCore

/// Reads a deployment spec from a compatible-API body: every type error is refused by its field path
/// (`containers[0].scale.min: expected an integer`), and an unknown top-level field by name. Nested
/// objects take unknown fields silently, as the vendor's own API does for forward compatibility.
public enum SpecBody {
    public static let fields: Set<String> = [
        "name", "image", "listening_port", "flavor_name", "containers", "command", "envs", "probes", "api_keys",
        "auth_enabled", "timeout", "ingress_opts", "logging", "credentials_name", "description",
    ]

    /// The body's top-level object.
    public static func object(_ bytes: [UInt8]) throws(SibylError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw SibylError(.malformedBody, "the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw SibylError(.invalidInput, "the body must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw SibylError(.invalidInput, "\(unknown): unknown field")
        }
        if object["api_keys"] != nil && object["auth_enabled"] != nil {
            throw SibylError(.invalidInput, "api_keys and auth_enabled: give one or the other, not both")
        }
        return object
    }

    /// The create body: the name and the whole spec.
    public static func create(_ bytes: [UInt8]) throws(SibylError) -> (name: String, spec: DeploymentSpec) {
        var object = try object(bytes)
        guard let name = object.removeValue(forKey: "name") as? String else { throw SibylError(.invalidInput, "name: required") }
        return (name, try decode(object))
    }

    /// `current` with a partial update applied: a field given replaces the stored one and `null` clears
    /// it (JSON merge patch, one level deep). `api_keys: []` detaches every key, which turns checking off.
    public static func update(_ current: DeploymentSpec, with bytes: [UInt8]) throws(SibylError) -> DeploymentSpec {
        let patch = try object(bytes)
        if patch["name"] != nil { throw SibylError(.invalidInput, "name: a deployment cannot be renamed") }
        let encoded = (try? JSONEncoder().encode(current)) ?? Data()
        var merged = ((try? JSONSerialization.jsonObject(with: encoded)) as? [String: Any]) ?? [:]
        for (key, value) in patch {
            if value is NSNull { merged.removeValue(forKey: key) } else { merged[key] = value }
        }
        // One switch decides whether keys are checked: setting either clears the other.
        if patch["api_keys"] != nil { merged.removeValue(forKey: "auth_enabled") }
        if patch["auth_enabled"] != nil { merged.removeValue(forKey: "api_keys") }
        return try decode(merged)
    }

    private static func decode(_ object: [String: Any]) throws(SibylError) -> DeploymentSpec {
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: object) } catch {
            throw SibylError(.invalidInput, "the body could not be read")
        }
        do {
            return try JSONDecoder().decode(DeploymentSpec.self, from: data)
        } catch let error as DecodingError {
            throw SibylError(.invalidInput, describe(error))
        } catch {
            throw SibylError(.invalidInput, "the body could not be read")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the body" : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(expected(type))"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): not a valid value"
        @unknown default: return "the body could not be read"
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Double.Type: "a number"
        case is [String].Type, is [Any].Type: "an array"
        default: "an object"
        }
    }
}
