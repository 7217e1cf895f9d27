import Foundation
import SibylCore
import SibylHTTP

/// A ready-to-run request for an API, in curl and in Python, filled with its URL and a record that names every
/// feature of the model (a request that leaves features out is answered with them missing, or refused by an
/// API set to refuse them). A model wider than `maxRecordFeatures` gets an example that sends a CSV file
/// instead: a record of thousands of keys helps nobody on a page, and a file with a header row is how such
/// inputs are kept anyway. The key is read from `SIBYL_API_KEY`, never written into the page.
struct ExampleRequest: Sendable {
    let curl: String
    let python: String

    /// The widest model whose example spells out a record.
    static let maxRecordFeatures = 200

    /// `types` (empty: every feature a number) choose each feature's example value: 0.5 for a number, 1 for
    /// a whole number, the first category's name for a category the model names, code 0 for one it knows
    /// by code only.
    init(url: String, features: [String], types: [FeatureType] = []) {
        (curl, python) = features.count <= Self.maxRecordFeatures
            ? Self.record(url, features, types) : Self.csvFile(url, features)
    }

    /// The example that sends one record naming every feature.
    private static func record(_ url: String, _ features: [String], _ types: [FeatureType]) -> (curl: String, python: String) {
        let shown = features.indices.map { column in
            let type = types.isEmpty ? .number : types[column]
            let value = type.wholeNumber == true ? "1" : !type.isCategory ? "0.5"
                : type.takesAnyText == true ? JSONText.quoted("text") : type.categories.first.map(JSONText.quoted) ?? "0"
            return "\(JSONText.quoted(features[column])): \(value)"
        }.joined(separator: ", ")
        let body = "{\"records\": [{\(shown)}]}"
        let curl = """
            curl -X POST '\(Self.shellQuoted(url))' \\
              -H "X-Api-Key: $SIBYL_API_KEY" \\
              -H 'Content-Type: application/json' \\
              -d '\(Self.shellQuoted(body))'
            """
        let python = """
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
        return (curl, python)
    }

    /// The example for a wide model: `rows.csv`, whose header row names the features, sent as `text/csv`.
    private static func csvFile(_ url: String, _ features: [String]) -> (curl: String, python: String) {
        // Names come from the model file: control characters (a line break would end the comment) are dropped.
        let first = features.prefix(3).map { String($0.unicodeScalars.filter { $0.properties.generalCategory != .control }) }
            .joined(separator: ",")
        let note = "rows.csv: a header row naming the model's \(features.count) features (\(first),…), then one row per prediction"
        let curl = """
            # \(note)
            curl -X POST '\(Self.shellQuoted(url))' \\
              -H "X-Api-Key: $SIBYL_API_KEY" \\
              -H 'Content-Type: text/csv' \\
              --data-binary @rows.csv
            """
        let python = """
            # \(note)
            import os
            import requests  # pip install requests

            with open("rows.csv", "rb") as rows:
                answer = requests.post(
                    \(JSONText.quoted(url)),
                    headers={"X-Api-Key": os.environ["SIBYL_API_KEY"], "Content-Type": "text/csv"},
                    data=rows,
                )
            answer.raise_for_status()
            print(answer.json()["predictions"])
            """
        return (curl, python)
    }

    /// Text to put between single quotes in a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        text.replacingOccurrences(of: "'", with: "'\\''")
    }
}
