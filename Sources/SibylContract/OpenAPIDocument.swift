import Foundation
import SibylCore
import Yams

/// The OpenAPI 3.1 document served at `/openapi.json`: `openapi.yaml`, the contract written first (its copy
/// compiled in, `OpenAPIText`), as JSON, with the running version. Every route served is in it and nothing
/// else (`SystemTests`); schemathesis checks every answer against its schema (scripts/schemathesis.sh).
public enum OpenAPIDocument {
    public static let json: [UInt8] = {
        // The file is part of the build and checked by the tests: a parse failure is a build defect.
        guard var document = try? json(Yams.load(yaml: OpenAPIText.yaml)) as? [String: Any],
            var info = document["info"] as? [String: Any]
        else { preconditionFailure("openapi.yaml does not parse") }
        info["version"] = SibylVersion.string
        document["info"] = info
        return Array(try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }()

    /// YAML's values as JSON's: mapping keys become strings (YAML reads `200:` as a number).
    private static func json(_ value: Any?) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            Dictionary(uniqueKeysWithValues: mapping.map { ("\($0.key.base)", json($0.value)) })
        case let sequence as [Any]: sequence.map(json)
        case let value?: value
        case nil: NSNull()
        }
    }
}
