import ArgumentParser
import Foundation
import NIOHTTP1

extension APIs {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay an API's captured requests of a period against a version, inside Sibyl, and report every row whose "
                + "answers differ from those the answering version gave; waits for it unless --no-wait.")
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "The version to replay against (2 or v2).") var version: VersionNumber
        @Option(help: "From a day (YYYY-MM-DD) or an RFC 3339 time (default: 24 hours ago).") var from: String?
        @Option(help: "To a day (YYYY-MM-DD, the whole day) or an RFC 3339 time (default: now).") var to: String?
        @Option(help: "A regressor's rows differ when their values are more than this apart (default 0).") var tolerance: Double?
        @Flag(help: "Start it and print its id; follow it with `sibyl apis replays API ID`.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/replays"
            var body: [String: Any] = ["version": version.number]
            if let from { body["from"] = from }
            if let to { body["to"] = to }
            if let tolerance { body["tolerance"] = tolerance }
            var replay = try await server.call(.POST, path, json: body).object
            let id = Output.text(replay["id"])
            if !noWait {
                let bar = ProgressBar("Replaying against v\(version.number)", total: replay["total"] as? Int ?? 0, unit: .captures)
                while replay["state"] as? String == "running" {
                    try await Task.sleep(for: .milliseconds(200))
                    replay = try await server.call(.GET, path + "/" + Query.escape(id)).object
                    bar.update(replay["processed"] as? Int ?? 0)
                }
            }
            if output.json { return Output.json(replay) }
            Replays.describe(replay)
        }
    }

    struct Replays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An API's replays, newest first; with an id, that replay with its differing rows.")
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "A replay's id.") var id: String?
        @Option(help: "Most differing rows printed (all of them with --json).") var rows = 20
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/replays"
            if let id {
                let replay = try await server.call(.GET, path + "/" + Query.escape(id)).object
                if output.json { return Output.json(replay) }
                return Self.describe(replay, rows: rows)
            }
            let answer = try await server.call(.GET, path)
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "version", "from", "to", "state", "replayed", "labels agree", "differing rows"],
                (answer.object["results"] as? [[String: Any]] ?? []).map {
                    [Output.text($0["id"]), "v" + Output.text($0["version"]), Output.text($0["from"]), Output.text($0["to"]),
                     Output.text($0["state"]), "\(Output.text($0["processed"]))/\(Output.text($0["total"]))", Self.percent($0["label_agreement"]),
                     Output.text($0["differing_rows"])]
                })
        }

        static func describe(_ replay: [String: Any], rows: Int = 20) {
            Output.fields([
                ("replay", Output.text(replay["id"])), ("version", "v" + Output.text(replay["version"])),
                ("period", "\(Output.text(replay["from"])) – \(Output.text(replay["to"]))"), ("state", Output.text(replay["state"])),
                ("replayed", "\(Output.text(replay["processed"])) of \(Output.text(replay["total"])) captures"),
                ("compared", "\(Output.text(replay["requests"])) requests, \(Output.text(replay["rows"])) rows; \(Output.text(replay["failed"])) failed"),
                ("labels agree", percent(replay["label_agreement"])),
                ("mean |Δ|", (replay["mean_abs_difference"] as? Double).map { String(format: "%.6f", $0) } ?? "-"),
                ("max |Δ|", (replay["max_abs_difference"] as? Double).map { String(format: "%.6f", $0) } ?? "-"),
                ("differing rows", Output.text(replay["differing_rows"])),
            ] + (replay["error"].map { [("error", Output.text($0))] } ?? []))
            let differences = replay["differences"] as? [[String: Any]] ?? []
            guard !differences.isEmpty else { return }
            Output.line()
            Output.table(["capture", "row", "answered", "replayed"], differences.prefix(rows).map {
                [Output.text($0["capture_id"]), Output.text($0["row"]), Output.text($0["answered"]), Output.text($0["replayed"])]
            })
            if differences.count > rows { Output.line("… \(differences.count - rows) more (--rows N, or --json for all)") }
        }

        static func percent(_ value: Any?) -> String {
            (value as? Double).map { String(format: "%.2f%%", $0 * 100) } ?? "-"
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Input drift: each input's captured values of a period against the model's profile (`sibyl models profile`) "
                + "or an earlier period, as a population stability index, a missing-rate change and new categories.")
        @Argument(help: "The API's id or name.") var api: String
        @Option(help: "From a day (YYYY-MM-DD) or an RFC 3339 time (default: 24 hours ago).") var from: String?
        @Option(help: "To a day or an RFC 3339 time (default: now).") var to: String?
        @Option(help: "The reference period's start, instead of the model's profile.") var referenceFrom: String?
        @Option(help: "The reference period's end.") var referenceTo: String?
        @Option(help: "The index from which an input drifted (default 0.2).") var threshold: Double?
        @Option(help: "The change of missing rate from which an input drifted (default 0.1).") var missingThreshold: Double?
        @Option(help: "The version whose model reads the inputs (default: the current one).") var version: VersionNumber?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            var query: [String] = []
            for (name, value) in [("from", from), ("to", to), ("reference_from", referenceFrom), ("reference_to", referenceTo),
                ("threshold", threshold.map { "\($0)" }), ("missing_threshold", missingThreshold.map { "\($0)" }),
                ("version", version.map { "\($0.number)" })]
            {
                if let value { query.append(name + "=" + Query.escape(value)) }
            }
            let answer = try await server.call(
                .GET, try await APIs.path(project, named: api, server) + "/drift" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if output.json { return Output.json(answer.json) }
            let report = answer.object
            let drifted = report["drifted"] as? [String] ?? []
            Output.fields([
                ("period", "\(Output.text(report["from"])) – \(Output.text(report["to"]))"),
                ("reference", report["reference"] as? String == "period"
                    ? "\(Output.text(report["reference_from"])) – \(Output.text(report["reference_to"]))" : "the model's profile"),
                ("read", "\(Output.text(report["captures"])) captures, \(Output.text(report["rows"])) rows"
                    + (report["truncated"] as? Bool == true ? " (the period holds more)" : "")),
                ("drifted", drifted.isEmpty ? "none" : drifted.joined(separator: ", ")),
            ])
            Output.line()
            Output.table(["input", "psi", "missing", "new categories", "drifted"], (report["features"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), ($0["psi"] as? Double).map { String(format: "%.4f", $0) } ?? "-",
                 "\(Replays.percent($0["reference_missing_rate"])) → \(Replays.percent($0["missing_rate"]))",
                 ($0["new_categories"] as? [String] ?? []).joined(separator: " "), $0["drifted"] as? Bool == true ? "DRIFTED" : ""]
            })
        }
    }
}

extension Models {
    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a model's training rows (CSV with a header of feature names) as its input profile, drift's reference: "
                + "summarised on the server, not kept. Without a file, show the profile; --delete forgets it.")
        @Argument(help: "The model's id or name.") var model: String
        @Argument(help: "The CSV file of training rows.") var file: String?
        @Flag(help: "Forget the profile.") var delete = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard !(delete && file != nil) else { throw ValidationError("give a FILE or --delete, not both") }
        }

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let id = try await Names(server: server).model(model, project)
            let path = "/api/v1/projects/\(project.project)/models/\(Query.escape(id))/profile"
            if delete {
                _ = try await server.call(.DELETE, path)
                return Output.done(output, "Forgot the profile of \(id).", json: ["deleted": id])
            }
            let answer =
                if let file {
                    try await server.call(.PUT, path, body: try Files.read(file), contentType: "text/csv")
                } else {
                    try await server.call(.GET, path)
                }
            if output.json { return Output.json(answer.json) }
            Output.line("Profile of \(id): \(Output.text(answer.object["rows"])) rows.")
            Output.table(["input", "type", "values", "missing", "bins or categories"], (answer.object["features"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), Output.text($0["type"]), Output.text($0["count"]), APIs.Replays.percent($0["missing_rate"]),
                 $0["type"] as? String == "category"
                    ? "\(($0["categories"] as? [String: Any])?.count ?? 0) categories" : "\(($0["bins"] as? [Any])?.count ?? 0) bins"]
            })
        }
    }
}
