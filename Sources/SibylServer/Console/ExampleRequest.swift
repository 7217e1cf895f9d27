import Foundation
import SibylCore

/// A ready-to-run request for an API, in curl and in Python, filled with its URL and a record of the model's
/// first features. The key is read from `SIBYL_API_KEY`, never written into the page.
struct ExampleRequest: Sendable {
    let curl: String
    let python: String

    init(url: String, features: [String]) {
        let shown = features.prefix(4).map { "\(Self.jsonString($0)): 0.5" }.joined(separator: ", ")
        let body = "{\"records\": [{\(shown)}]}"
        curl = """
            curl -X POST '\(Self.shellQuoted(url))' \\
              -H "X-Api-Key: $SIBYL_API_KEY" \\
              -H 'Content-Type: application/json' \\
              -d '\(Self.shellQuoted(body))'
            """
        python = """
            import os
            import requests  # pip install requests

            answer = requests.post(
                \(Self.jsonString(url)),
                headers={"X-Api-Key": os.environ["SIBYL_API_KEY"]},
                json=\(body),
            )
            answer.raise_for_status()
            print(answer.json()["predictions"])
            """
    }

    /// A JSON string literal, which is also a valid Python string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Text to put between single quotes in a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        text.replacingOccurrences(of: "'", with: "'\\''")
    }
}
