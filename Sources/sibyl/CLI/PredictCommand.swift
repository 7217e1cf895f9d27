import ArgumentParser
import Foundation
import NIOHTTP1

struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send rows to an API and print its predictions.",
        discussion: """
            The rows: a CSV file (a header of feature names, one row per line), a JSON file ({"rows": [[…]]} or \
            {"records": [{…}]}), or - for standard input. The API key comes from --key or SIBYL_API_KEY. Any \
            number of rows: they are sent in batches the server accepts, and the answers printed as one, in order.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    /// Rows per batch until the server tells its limit (`Sibyl-Max-Rows`): its default row limit.
    static let defaultBatch = 1_000

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
        let client = ServerClient(url: server, token: nil)
        let rows = PredictionRows([UInt8](body), isJSON: isJSON)
        var printer = PredictionPrinter(format: format)
        try await Self.send(rows) { batch in
            try await client.send(
                .POST, "/apis/\(Query.escape(api))/predict", body: batch, contentType: isJSON ? "application/json" : "text/csv",
                headers: [("X-Api-Key", key), ("Accept", format == .csv ? "text/csv" : "application/json")], authorized: false)
        } answered: { answer in
            printer.add(answer)
        }
        printer.finish()
    }

    /// Sends every row in order, in batches of at most the server's row limit: `defaultBatch` until an
    /// answer tells it (`Sibyl-Max-Rows`, fewer for a wide model). A batch refused as too many rows is sent
    /// again at the limit the refusal tells, one refused as too large is halved; any other refusal ends it.
    static func send(
        _ rows: PredictionRows, _ post: ([UInt8]) async throws -> ServerAnswer, answered: (ServerAnswer) -> Void
    ) async throws {
        var size = defaultBatch
        var start = 0
        while start < rows.count {
            let end = min(start + size, rows.count)
            let answer = try await post(rows.body(start..<end))
            let limit = answer.headers.first(name: "Sibyl-Max-Rows").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
            if let limit { size = limit }
            if answer.status == 413, end - start > 1 {
                let code = (answer.object["error"] as? [String: Any])?["code"] as? String
                if code == "too_many_rows", let limit, limit < end - start { continue }
                if code == "payload_too_large" {
                    size = (end - start) / 2
                    continue
                }
            }
            guard (200..<300).contains(answer.status) else { throw CLIError(answer) }
            answered(answer)
            start = end
        }
    }
}

/// Prints the answers of a prediction's batches as one: CSV as each batch arrives (its header once), a
/// table or JSON once every batch has answered, rows numbered across batches.
struct PredictionPrinter {
    let format: Predict.Format
    private var predictions: [[String: Any]] = []
    private var first: [String: Any]?
    private var wroteHeader = false

    init(format: Predict.Format) {
        self.format = format
    }

    mutating func add(_ answer: ServerAnswer) {
        switch format {
        case .csv:
            if wroteHeader {
                // Every batch's answer starts with the same header line.
                let start = CSVLines.records(answer.body).first.map { Self.lineEnd(answer.body, after: $0) } ?? 0
                Output.standardOutput(Array(answer.body[start...]))
            } else {
                Output.standardOutput(answer.body)
                wroteHeader = true
            }
        case .json, .table:
            let object = answer.object
            if first == nil { first = object }
            predictions += object["predictions"] as? [[String: Any]] ?? []
        }
    }

    mutating func finish() {
        switch format {
        case .csv:
            break
        case .json:
            var answer = first ?? [:]
            answer["predictions"] = predictions
            Output.json(answer)
        case .table:
            Predict.table(predictions)
        }
    }

    /// Where the line of `record` ends, past its LF, CRLF or CR.
    private static func lineEnd(_ bytes: [UInt8], after record: Range<Int>) -> Int {
        var end = record.upperBound
        if end < bytes.count, bytes[end] == 0x0D { end += 1 }
        if end < bytes.count, bytes[end] == 0x0A { end += 1 }
        return end
    }
}

extension Predict {
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
