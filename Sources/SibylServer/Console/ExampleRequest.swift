import Foundation
import SibylCore

/// A ready-to-run request for an API, in curl and in Python, filled with its URL and a record of the model's
/// first features. The key is read from `SIBYL_API_KEY`, never written into the page.
struct ExampleRequest: Sendable {
    let curl: String
    let python: String

    init(url: String, features: [String]) {
        let shown = features.prefix(4).map { "\(JSONText.quoted($0)): 0.5" }.joined(separator: ", ")
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
                \(JSONText.quoted(url)),
                headers={"X-Api-Key": os.environ["SIBYL_API_KEY"]},
                json=\(body),
            )
            answer.raise_for_status()
            print(answer.json()["predictions"])
            """
    }

    /// Text to put between single quotes in a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        text.replacingOccurrences(of: "'", with: "'\\''")
    }
}
