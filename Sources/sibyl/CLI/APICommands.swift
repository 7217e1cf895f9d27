import ArgumentParser
import Foundation
import NIOHTTP1
import SibylApp

struct APIs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apis", abstract: "Create and run prediction APIs: lifecycle, whitelist, keys, versions, traffic and usage.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Act.Stop.self, Act.Start.self, Act.Lock.self, Act.Unlock.self, Remove.self,
            Allow.self, Deny.self, Disallow.self, Keys.self, Versions.self, Split.self, Shadow.self, Capture.self, Captures.self, Replay.self, Replays.self, Drift.self, Usage.self,
        ])

    static func path(_ project: ProjectOptions, _ api: String? = nil) -> String {
        "/api/v1/projects/\(project.project)/apis" + (api.map { "/" + Query.escape($0) } ?? "")
    }

    /// The path of the API `api` names, by id or name.
    static func path(_ project: ProjectOptions, named api: String, _ server: ServerClient) async throws -> String {
        path(project, try await Names(server: server).api(api, project))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API serving a model; waits until it operates, then prints its URL and key (shown this once).")

        @Argument(help: "The model's id or name.") var model: String
        @Option(help: "trial (the default: 100 requests in all, no API option used) or official (uses one of the license's API options).")
        var type = "trial"
        @Option(help: "A name for the API (1-100 characters; need not be unique).") var name: String?
        @Option(help: "allow (the default: absent features are missing values, counted in the Sibyl-Missing-Features header) or refuse (422).")
        var missingFeatures: MissingFeatures?
        @Option(name: .customLong("allow"), help: "A CIDR block that may call the API; repeat for several. Without any, nobody may call it until one is allowed.")
        var allow: [String] = []
        @Flag(help: "Return at once, without waiting for the API to operate.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            var body: [String: Any] = ["model_id": try await Names(server: server).model(model, project), "type": type, "ip_whitelist": allow]
            if let name { body["name"] = name }
            if let missingFeatures { body["missing_features"] = missingFeatures.rawValue }
            var api = try await server.call(.POST, APIs.path(project), json: body).object
            let key = api["api_key"] as? [String: Any] ?? [:]
            let id = Output.text(api["api_id"])
            if !noWait {
                api = try await APIs.built(api, "Building \(id)", project: project, server: server)
                api["api_key"] = key
            }
            if allow.isEmpty {
                Output.note(
                    "warning: the IP whitelist is empty, so nobody can call this API until an address is allowed: "
                        + "sibyl apis allow \(id) CIDR (e.g. 203.0.113.0/24, or 127.0.0.1/32 for this machine)")
            }
            if output.json { return Output.json(api) }
            Output.fields([
                ("api", id), ("name", Output.text(api["name"])), ("status", Output.text(api["status"])),
                ("url", Output.text(api["url"])), ("key", Output.text(key["secret"])),
            ])
            Output.note("The key is shown this once: keep it now.")
            if api["status"] as? String == "failed" { throw CLIError("the API failed to build: \(Output.text(api["failure_reason"]))") }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an API: its model (the old one answers until the new one is built; waits for it), name, "
                + "missing-features rule, or promote a trial to official.")

        @Argument(help: "The API's id or name.") var api: String
        @Option(help: "The new model's id or name.") var model: String?
        @Option(help: "A new name for the API.") var name: String?
        @Option(help: "allow or refuse requests that leave features out.") var missingFeatures: MissingFeatures?
        @Option(help: "official: promote a trial API (uses one of the license's API options). An official API stays official.")
        var type: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard model != nil || name != nil || missingFeatures != nil || type != nil else {
                throw ValidationError("give --model, --name, --missing-features or --type")
            }
        }

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = try await APIs.path(project, named: api, server)
            var body: [String: Any] = [:]
            if let model { body["model_id"] = try await Names(server: server).model(model, project) }
            if let name { body["name"] = name }
            if let missingFeatures { body["missing_features"] = missingFeatures.rawValue }
            if let type { body["type"] = type }
            let changed = try await server.call(.PATCH, path, json: body).object
            let answer = try await APIs.built(changed, "Updating \(api)", project: project, server: server)
            if output.json { return Output.json(answer) }
            APIs.describe(answer)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's APIs.")

        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        /// Newest first, as the console lists them (the server answers oldest first).
        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, APIs.path(project))
            let apis = Array((answer.object["results"] as? [[String: Any]] ?? []).reversed())
            if output.json { return Output.json(["count": apis.count, "results": apis]) }
            Output.table(["id", "name", "type", "status", "locked", "model", "requests left", "url"], apis.map {
                [Output.text($0["api_id"]), Output.text($0["name"]), Output.text($0["type"]), Output.text($0["status"]),
                 Output.text($0["locked"]), Output.text($0["model_id"]), Output.text($0["requests_left"]), Output.text($0["url"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One API: status, model, whitelist and keys (never their secrets).")

        @Argument(help: "The API's id or name.") var api: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let answer = try await server.call(.GET, try await APIs.path(project, named: api, server))
            if output.json { return Output.json(answer.json) }
            APIs.describe(answer.object)
        }
    }

    /// stop, start, lock, unlock: one POST each, answered with the API as it is afterwards.
    enum Act {
        struct Stop: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Stop an API (it refuses predictions until started).")
            static let action = "stop"
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Start: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Start a stopped API.")
            static let action = "start"
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Lock: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Lock an API: it may not be stopped or deleted until an admin unlocks it.")
            static let action = "lock"
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Unlock: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Unlock an API (admins only).")
            static let action = "unlock"
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a stopped, unlocked API with its keys and usage.")

        @Argument(help: "The API's id or name.") var api: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            try await server.call(.DELETE, try await APIs.path(project, named: api, server))
            Output.done(output, "Deleted API \(api).", json: ["deleted": api])
        }
    }

    struct Allow: APIRuleCommand {
        static let configuration = CommandConfiguration(abstract: "Allow a CIDR block on the API's IP whitelist.")
        static let action = "allow"
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "A CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Deny: APIRuleCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deny a CIDR block on the API's IP whitelist, e.g. one part of an allowed network.")
        static let action = "deny"
        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "A CIDR block, e.g. 10.1.0.0/16.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Disallow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a CIDR block's rule (allow or deny) from the API's IP whitelist.")

        @Argument(help: "The API's id or name.") var api: String
        @Argument(help: "A CIDR block on the whitelist.") var cidr: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let answer = try await server.call(
                .DELETE, try await APIs.path(project, named: api, server) + "/ip_whitelist?cidr=\(Query.escape(cidr))")
            APIs.printWhitelist(answer, output)
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Daily requests answered 200 and 4xx/5xx, as a bar chart of the days with requests, and the total (default: the last 30 days).")

        @Argument(help: "The API's id or name.") var api: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var to: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let answer = try await server.call(
                .GET, try await APIs.path(project, named: api, server) + "/usage" + UsageBars.query(from: from, to: to))
            UsageBars.print(answer, output)
        }
    }

    /// The API once its build has ended (operating or failed), polled with a spinner.
    static func built(_ api: [String: Any], _ label: String, project: ProjectOptions, server: ServerClient) async throws
        -> [String: Any]
    {
        var api = api
        let spinner = Spinner(label)
        defer { spinner.done() }
        while ["building", "updating"].contains(api["status"] as? String ?? "") {
            spinner.tick()
            try await Task.sleep(for: .milliseconds(100))
            api = try await server.call(.GET, path(project, Output.text(api["api_id"]))).object
        }
        return api
    }

    static func describe(_ api: [String: Any]) {
        let keys = (api["keys"] as? [[String: Any]] ?? []).map { Output.text($0["key_id"]) }
        var fields = [
            ("api", Output.text(api["api_id"])), ("name", Output.text(api["name"])), ("type", Output.text(api["type"])),
            ("status", Output.text(api["status"]) + (api["exhausted"] as? Bool == true ? " (exhausted: every trial request is used)" : "")),
            ("locked", Output.text(api["locked"])), ("model", Output.text(api["model_id"])),
            ("version", "v" + Output.text(api["version"]) + APIs.splitText(api["traffic"])
                + ((api["shadow"] as? Int).map { ", shadow v\($0)" } ?? "")), ("url", Output.text(api["url"])),
            ("whitelist", WhitelistRules.lines(api["ip_rules"]).joined(separator: ", ")), ("keys", keys.isEmpty ? "-" : keys.joined(separator: ", ")),
        ]
        if let rule = api["missing_features"] as? String { fields.append(("missing features", rule)) }
        if api["request_limit"] as? Int != nil {
            fields.append(("requests", "\(Output.text(api["requests_used"])) of \(Output.text(api["request_limit"])) used"))
        }
        if let reason = api["failure_reason"] as? String { fields.append(("failure", reason)) }
        Output.fields(fields)
    }

    /// ", split v1 90% v2 10%" when the predictions are shared among versions.
    static func splitText(_ traffic: Any?) -> String {
        guard let split = (traffic as? [String: Any])?["split"] as? [[String: Any]], !split.isEmpty else { return "" }
        return ", split " + split.map { "v\(Output.text($0["version"])) \(Output.text($0["weight"]))%" }.joined(separator: " ")
            + ((traffic as? [String: Any])?["sticky"] as? Bool == true ? " (sticky)" : "")
    }

    static func printWhitelist(_ answer: ServerAnswer, _ output: OutputOptions) {
        if output.json { return Output.json(answer.json) }
        let rules = WhitelistRules.lines(answer.object["rules"])
        Output.line(rules.isEmpty ? "The whitelist is empty: no address may call the API." : rules.joined(separator: "\n"))
    }
}

/// `apis allow` and `apis deny`: set the block's rule, which keeps its priority unless one is given (a new
/// block goes after every rule); print the whitelist in the order it is checked.
protocol APIRuleCommand: AsyncParsableCommand {
    static var action: String { get }
    var api: String { get }
    var cidr: String { get }
    var rule: RuleOptions { get }
    var project: ProjectOptions { get }
    var output: OutputOptions { get }
}

extension APIRuleCommand {
    func run() async throws {
        var body: [String: Any] = ["cidr": cidr, "action": Self.action]
        if let priority = rule.priority { body["priority"] = priority }
        let server = ServerClient(try Credentials.current())
        let answer = try await server.call(.POST, try await APIs.path(project, named: api, server) + "/ip_whitelist", json: body)
        APIs.printWhitelist(answer, output)
    }
}

/// The lifecycle commands' shared run: POST the action, print the API as it is afterwards.
protocol Action: AsyncParsableCommand {
    static var action: String { get }
    var api: String { get }
    var project: ProjectOptions { get }
    var output: OutputOptions { get }
}

extension Action {
    func run() async throws {
        let server = ServerClient(try Credentials.current())
        let answer = try await server.call(.POST, try await APIs.path(project, named: api, server) + "/" + Self.action)
        if output.json { return Output.json(answer.json) }
        APIs.describe(answer.object)
    }
}
