import ArgumentParser
import Foundation
import NIOHTTP1

extension APIs {
    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The models an API has served, numbered: list, add one without serving it, make one current (rollback), forget one.",
            subcommands: [List.self, Add.self, Use.self, Remove.self], defaultSubcommand: List.self)

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a model as the API's next version without serving it; then split the traffic or make it current.")
            @Argument(help: "The API's id or name.") var api: String
            @Argument(help: "The model's id or name.") var model: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let names = Names(server: server)
                let path = APIs.path(project, try await names.api(api, project)) + "/versions"
                let answer = try await server.call(.POST, path, json: ["model_id": try await names.model(model, project)])
                if output.json { return Output.json(answer.json) }
                let added = (answer.object["results"] as? [[String: Any]] ?? []).last
                Output.line("Added v\(Output.text(added?["version"])) (not serving yet).")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Every version with its model, whether it is current, and its share of the predictions.")
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let answer = try await server.call(.GET, try await APIs.path(project, named: api, server) + "/versions")
                if output.json { return Output.json(answer.json) }
                let versions = answer.object["results"] as? [[String: Any]] ?? []
                Output.table(["version", "model", "created", "current", "share"], versions.map {
                    ["v" + Output.text($0["version"]), Output.text($0["model_id"]), Output.text($0["created_at"]),
                     $0["current"] as? Bool == true ? "yes" : "", Output.text($0["weight"]) + "%"]
                })
            }
        }

        struct Use: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a version current again, with all the predictions (a rollback; a split ends); waits until it serves.")
            @Argument(help: "The API's id or name.") var api: String
            @Argument(help: "The version's number (2 or v2).") var version: VersionNumber
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let changed = try await server.call(
                    .PATCH, try await APIs.path(project, named: api, server), json: ["version": version.number]).object
                let answer = try await APIs.built(changed, "Serving v\(version.number) of \(api)", project: project, server: server)
                if output.json { return Output.json(answer) }
                APIs.describe(answer)
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rm", abstract: "Forget a version that answers no predictions, so that its model can be deleted.")
            @Argument(help: "The API's id or name.") var api: String
            @Argument(help: "The version's number (2 or v2).") var version: VersionNumber
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                _ = try await server.call(.DELETE, try await APIs.path(project, named: api, server) + "/versions/\(version.number)")
                Output.done(output, "Forgot v\(version.number).", json: ["deleted": "v\(version.number)"])
            }
        }
    }

    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Share an API's predictions among versions by percentages (e.g. 1=90 2=10), on every node at once; "
                + "--off gives them all back to the current version.")
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "VERSION=PERCENT for each version, adding up to 100 (e.g. 1=90 2=10).") var shares: [Share] = []
        @Flag(help: "Each key always gets the same version (by a hash of its id), so that one client sees one model.")
        var sticky = false
        @Flag(help: "End the split: the current version answers every prediction.") var off = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard off == shares.isEmpty else { throw ValidationError("give VERSION=PERCENT shares, or --off") }
            guard !(off && sticky) else { throw ValidationError("--sticky goes with shares, not --off") }
        }

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/traffic"
            let answer =
                off
                ? try await server.call(.DELETE, path)
                : try await server.call(
                    .PUT, path, json: ["split": shares.map { ["version": $0.version, "weight": $0.weight] }, "sticky": sticky])
            if output.json { return Output.json(answer.json) }
            let split = answer.object["split"] as? [[String: Any]] ?? []
            Output.line(
                split.isEmpty
                    ? "v\(Output.text(answer.object["version"])) answers every prediction."
                    : split.map { "v\(Output.text($0["version"])) \(Output.text($0["weight"]))%" }.joined(separator: ", ")
                        + (answer.object["sticky"] as? Bool == true ? " (sticky per key)" : ""))
        }

        struct Share: ExpressibleByArgument {
            let version: Int
            let weight: Int

            init?(argument: String) {
                let parts = argument.split(separator: "=")
                guard parts.count == 2, let version = VersionNumber(argument: String(parts[0]))?.number, let weight = Int(parts[1])
                else { return nil }
                self.version = version
                self.weight = weight
            }
        }
    }
}

/// A version as people write it: `2` or `v2`.
struct VersionNumber: ExpressibleByArgument {
    let number: Int

    init?(argument: String) {
        guard let number = Int(argument.hasPrefix("v") ? String(argument.dropFirst()) : argument), number > 0 else { return nil }
        self.number = number
    }
}

extension APIs {
    struct Shadow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a version a copy of every answered prediction (it never answers), end that with --off, "
                + "or, with neither, show how the shadow's answers compared per day.")
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "The version to shadow with (2 or v2).") var version: VersionNumber?
        @Flag(help: "End the shadow; its comparisons so far stay.") var off = false
        @Option(help: "First day shown, YYYY-MM-DD (default: 29 days ago).") var from: String?
        @Option(help: "Last day shown, YYYY-MM-DD (default: today).") var to: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard !(off && version != nil) else { throw ValidationError("give a VERSION or --off, not both") }
        }

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/shadow"
            let answer =
                if let version {
                    try await server.call(.PUT, path, json: ["version": version.number])
                } else if off {
                    try await server.call(.DELETE, path)
                } else {
                    try await server.call(.GET, path + UsageBars.query(from: from, to: to))
                }
            if output.json { return Output.json(answer.json) }
            let shadow = answer.object["version"] as? Int
            Output.line(shadow.map { "v\($0) shadows every answered prediction." } ?? "No shadow.")
            let days = answer.object["days"] as? [[String: Any]] ?? []
            guard !days.isEmpty else { return }
            Output.table(["date", "version", "requests", "rows", "labels agree", "mean |Δ|", "max |Δ|", "failed", "skipped"], days.map {
                [Output.text($0["date"]), "v" + Output.text($0["version"]), Output.text($0["requests"]), Output.text($0["rows"]),
                 ($0["label_agreement"] as? Double).map { String(format: "%.2f%%", $0 * 100) } ?? "-",
                 ($0["mean_abs_difference"] as? Double).map { String(format: "%.6f", $0) } ?? "-",
                 ($0["max_abs_difference"] as? Double).map { String(format: "%.6f", $0) } ?? "-",
                 Output.text($0["failed"]), Output.text($0["skipped"])]
            })
        }
    }
}

extension APIs {
    struct Capture: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set which answered requests an API keeps with their answers (a percentage) and for how many days.")
        @Argument(help: "The API's id or name.") var api: String
        @Option(help: "The share of answered requests kept, 0 (none) to 100 (all).") var rate: Double?
        @Option(help: "Days a capture is kept, 1 to 366.") var retentionDays: Int?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/capture"
            var body: [String: Any] = [:]
            if let rate { body["rate"] = rate }
            if let retentionDays { body["retention_days"] = retentionDays }
            let answer = body.isEmpty ? try await server.call(.GET, path) : try await server.call(.PUT, path, json: body)
            if output.json { return Output.json(answer.json) }
            Output.fields([
                ("rate", ((answer.object["rate"] as? Double).map { $0.rounded() == $0 ? String(Int($0)) : String($0) } ?? "-") + " %"), ("retention", Output.text(answer.object["retention_days"]) + " days"),
            ])
        }
    }

    struct Captures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export an API's captured requests and answers to standard output, oldest first, every page of them: "
                + "NDJSON (one object a line) or CSV.")
        @Argument(help: "The API's id or name.") var api: String
        @Option(help: "From a day (YYYY-MM-DD) or an RFC 3339 time (default: 24 hours ago).") var from: String?
        @Option(help: "To a day (YYYY-MM-DD, the whole day) or an RFC 3339 time (default: now).") var to: String?
        @Option(help: "ndjson (the default) or csv.") var format = "ndjson"
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server) + "/captures"
            var query = "?format=" + Query.escape(format)
            if let from { query += "&from=" + Query.escape(from) }
            if let to { query += "&to=" + Query.escape(to) }
            var after: String?
            var first = true
            repeat {
                let answer = try await server.call(.GET, path + query + (after.map { "&after=" + Query.escape($0) } ?? ""))
                // Every page of CSV repeats the header: only the first one's is printed.
                var text = answer.text
                if !first, format == "csv", let end = text.range(of: "\r\n") { text = String(text[end.upperBound...]) }
                Output.standardOutput(Array(text.utf8))
                first = false
                after = answer.headers.first(name: "Sibyl-Next")
            } while after != nil
        }
    }
}
