import ArgumentParser
import Foundation
import NIOHTTP1

struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send rows to an API and print its predictions.",
        discussion: """
            The rows: a CSV file (a header of feature names, one row per line), a JSON file ({"rows": [[…]]} or \
            {"records": [{…}]}), or - for standard input. The API key comes from --key or SIBYL_API_KEY. Any \
            number of rows: they are sent in batches within the server's limits (rows and bytes per request), \
            and the answers printed as one, in input order, each batch as it comes. A progress bar shows on \
            standard error when it is a terminal. An API given by name needs `sibyl login`; by id, only the URL.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The API's id or name.") var api: String
    @Argument(help: "The rows: FILE.csv, FILE.json or - (standard input).") var input = "-"
    @Option(help: "The API key (default: SIBYL_API_KEY).") var key: String?
    @Option(help: "table, csv or json.") var format = Format.table
    @Flag(help: "Same as --format json.") var json = false
    @OptionGroup var project: ProjectOptions

    func run() async throws {
        guard let key = key ?? ProcessInfo.processInfo.environment["SIBYL_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("an API key is required: --key KEY or SIBYL_API_KEY")
        }
        let body: [UInt8]
        if input == "-" {
            guard let read = Files.read(STDIN_FILENO) else {
                throw CLIError("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            body = read
        } else {
            body = try Files.read(input)
        }
        let isJSON = input.lowercased().hasSuffix(".json") || body.first { !" \n\r\t".utf8.contains($0) } == UInt8(ascii: "{")
        let format = json ? .json : format
        let apiID: String
        if Names.Kind.api.isID(api) {
            apiID = api
        } else {
            apiID = try await Names(server: ServerClient(try Credentials.current())).api(api, project)
        }
        guard let server = Credentials.server() else { throw CLIError("no server: run `sibyl login --url URL` or set SIBYL_URL") }
        let client = ServerClient(url: server, token: nil)
        let rows = PredictionRows(body, isJSON: isJSON)
        var printer = PredictionPrinter(format: format)
        let bar = ProgressBar("Predicting", total: rows.count, unit: .rows)
        var batches = PredictionBatches()
        var absent = 0
        bar.update(0)
        try await batches.send(rows) { batch in
            try await client.send(
                .POST, "/apis/\(Query.escape(apiID))/predict", body: batch, contentType: isJSON ? "application/json" : "text/csv",
                headers: [("X-Api-Key", key), ("Accept", format == .csv ? "text/csv" : "application/json")], authorized: false)
        } answered: { answer, done in
            bar.clear()
            printer.add(answer, totalRows: rows.count)
            bar.update(done)
            absent = max(absent, answer.headers.first(name: "Sibyl-Missing-Features").flatMap(Int.init) ?? 0)
        }
        printer.finish()
        if absent > 0 {
            // The API allows absent features (its default): the answers stand, but may not be what was meant.
            Output.note(
                "warning: \(absent) of the model's features were absent from some rows and taken as missing values "
                    + "(`sibyl apis update API --missing-features refuse` refuses such rows instead)")
        }
    }
}
