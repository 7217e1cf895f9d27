import ArgumentParser
import Foundation
import NIOHTTP1

struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send rows to an API and print its predictions.",
        discussion: """
            The rows: a CSV file (a header of feature names, one row per line), a JSON file ({"rows": [[…]]} or \
            {"records": [{…}]}), or - for standard input. The API key comes from --key or SIBYL_API_KEY.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The API's id.") var api: String
    @Argument(help: "The rows: FILE.csv, FILE.json or - (standard input).") var input = "-"
    @Option(help: "The API key (default: SIBYL_API_KEY).") var key: String?
    @Option(help: "table, csv or json.") var format = Format.table
    @Flag(help: "Same as --format json.") var json = false

    func run() async throws {
        guard let key = key ?? ProcessInfo.processInfo.environment["SIBYL_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("an API key is required: --key KEY or SIBYL_API_KEY")
        }
        let body: Data
        if input == "-" {
            body = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: input) else { throw CLIError("cannot read \(input)") }
            body = data
        }
        let isJSON = input.lowercased().hasSuffix(".json") || body.first { !" \n\r\t".utf8.contains($0) } == UInt8(ascii: "{")
        let format = json ? .json : format
        guard let server = Credentials.server() else { throw CLIError("no server: run `sibyl login --url URL` or set SIBYL_URL") }
        let answer = try await ServerClient(url: server, token: nil).call(
            .POST, "/apis/\(Query.escape(api))/predict", body: [UInt8](body), contentType: isJSON ? "application/json" : "text/csv",
            headers: [("X-Api-Key", key), ("Accept", format == .csv ? "text/csv" : "application/json")], authorized: false)
        switch format {
        case .csv: FileHandle.standardOutput.write(Data(answer.body))
        case .json: Output.json(answer.json)
        case .table: Self.table(answer.object["predictions"] as? [[String: Any]] ?? [])
        }
    }

    /// One line per row: its label or value, then each class's probability.
    static func table(_ predictions: [[String: Any]]) {
        let classes = (predictions.first?["probabilities"] as? [String: Any])?.keys.sorted() ?? []
        let hasLabel = predictions.first?["label"] != nil
        let header = ["row", hasLabel ? "label" : "value"] + classes.map { "p(\($0))" }
        Output.table(header, predictions.enumerated().map { index, prediction in
            let probabilities = prediction["probabilities"] as? [String: Any] ?? [:]
            return ["\(index + 1)", Output.text(prediction[hasLabel ? "label" : "value"])]
                + classes.map { Output.text(probabilities[$0]) }
        })
    }
}
