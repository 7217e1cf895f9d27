import ArgumentParser
import Foundation
import NIOHTTP1

struct APIs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apis", abstract: "Create and run prediction APIs: lifecycle, whitelist, keys and usage.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Act.Stop.self, Act.Start.self, Act.Lock.self, Act.Unlock.self, Remove.self,
            Allow.self, Deny.self, Disallow.self, Keys.self, Usage.self,
        ])

    static func path(_ project: ProjectOptions, _ api: String? = nil) -> String {
        "/api/v1/projects/\(project.project)/apis" + (api.map { "/" + Query.escape($0) } ?? "")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API serving a model; waits until it operates, then prints its URL and key (shown this once).")

        @Argument(help: "The model's id.") var model: String
        @Option(help: "official or trial.") var type = "trial"
        @Option(name: .customLong("allow"), help: "A CIDR block that may call the API; repeat for several.") var allow: [String] = []
        @Flag(help: "Return at once, without waiting for the API to operate.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            var api = try await server.call(
                .POST, APIs.path(project), json: ["model_id": model, "type": type, "ip_whitelist": allow]
            ).object
            let key = api["api_key"] as? [String: Any] ?? [:]
            let id = Output.text(api["api_id"])
            if !noWait {
                api = try await APIs.built(api, "Building \(id)", project: project, server: server)
                api["api_key"] = key
            }
            if output.json { return Output.json(api) }
            Output.fields([
                ("api", id), ("status", Output.text(api["status"])), ("url", Output.text(api["url"])),
                ("key", Output.text(key["secret"])),
            ])
            Output.note("The key is shown this once: keep it now.")
            if api["status"] as? String == "failed" { throw CLIError("the API failed to build: \(Output.text(api["failure_reason"]))") }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve another model of the project; the old one answers until the new one is built (waits for it).")

        @Argument(help: "The API's id.") var api: String
        @Option(help: "The new model's id.") var model: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let changed = try await server.call(.PATCH, APIs.path(project, api), json: ["model_id": model]).object
            let answer = try await APIs.built(changed, "Updating \(api)", project: project, server: server)
            if output.json { return Output.json(answer) }
            APIs.describe(answer)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's APIs.")

        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, APIs.path(project))
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "type", "status", "locked", "model", "requests left", "url"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["api_id"]), Output.text($0["type"]), Output.text($0["status"]), Output.text($0["locked"]),
                 Output.text($0["model_id"]), Output.text($0["requests_left"]), Output.text($0["url"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One API: status, model, whitelist and keys (never their secrets).")

        @Argument(help: "The API's id.") var api: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, APIs.path(project, api))
            if output.json { return Output.json(answer.json) }
            APIs.describe(answer.object)
        }
    }

    /// stop, start, lock, unlock: one POST each, answered with the API as it is afterwards.
    enum Act {
        struct Stop: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Stop an API (it refuses predictions until started).")
            static let action = "stop"
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Start: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Start a stopped API.")
            static let action = "start"
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Lock: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Lock an API: it may not be stopped or deleted until an admin unlocks it.")
            static let action = "lock"
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }

        struct Unlock: AsyncParsableCommand, Action {
            static let configuration = CommandConfiguration(abstract: "Unlock an API (admins only).")
            static let action = "unlock"
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a stopped, unlocked API with its keys and usage.")

        @Argument(help: "The API's id.") var api: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ServerClient(try Credentials.current()).call(.DELETE, APIs.path(project, api))
            Output.done(output, "Deleted API \(api).", json: ["deleted": api])
        }
    }

    struct Allow: APIRuleCommand {
        static let configuration = CommandConfiguration(abstract: "Allow a CIDR block on the API's IP whitelist.")
        static let action = "allow"
        @Argument(help: "The API's id.") var api: String
        @Argument(help: "A CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Deny: APIRuleCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deny a CIDR block on the API's IP whitelist, e.g. one part of an allowed network.")
        static let action = "deny"
        @Argument(help: "The API's id.") var api: String
        @Argument(help: "A CIDR block, e.g. 10.1.0.0/16.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Disallow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a CIDR block's rule (allow or deny) from the API's IP whitelist.")

        @Argument(help: "The API's id.") var api: String
        @Argument(help: "A CIDR block on the whitelist.") var cidr: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(
                .DELETE, APIs.path(project, api) + "/ip_whitelist?cidr=\(Query.escape(cidr))")
            APIs.printWhitelist(answer, output)
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An API's keys: create (the secret is shown this once), list, revoke.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A new key for the API, working at once.")
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let key = try await ServerClient(try Credentials.current()).call(.POST, APIs.path(project, api) + "/keys").object
                if output.json { return Output.json(key) }
                Output.fields([("key", Output.text(key["key_id"])), ("secret", Output.text(key["secret"]))])
                Output.note("The secret is shown this once: keep it now.")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "The API's keys (ids only).")
            @Argument(help: "The API's id.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let answer = try await ServerClient(try Credentials.current()).call(.GET, APIs.path(project, api) + "/keys")
                if output.json { return Output.json(answer.json) }
                Output.table(["key", "created"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                    [Output.text($0["key_id"]), Output.text($0["created_at"])]
                })
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key; the next request with it is refused.")
            @Argument(help: "The API's id.") var api: String
            @Argument(help: "The key's id.") var key: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await ServerClient(try Credentials.current()).call(.DELETE, APIs.path(project, api) + "/keys/\(Query.escape(key))")
                Output.done(output, "Revoked key \(key).", json: ["revoked": key])
            }
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Daily requests answered 200 and 4xx/5xx, as a bar chart (default: the last 30 days).")

        @Argument(help: "The API's id.") var api: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var to: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(
                .GET, APIs.path(project, api) + "/usage" + UsageBars.query(from: from, to: to))
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
            ("api", Output.text(api["api_id"])), ("type", Output.text(api["type"])), ("status", Output.text(api["status"])),
            ("locked", Output.text(api["locked"])), ("model", Output.text(api["model_id"])), ("url", Output.text(api["url"])),
            ("whitelist", WhitelistRules.lines(api["ip_rules"]).joined(separator: ", ")), ("keys", keys.isEmpty ? "-" : keys.joined(separator: ", ")),
        ]
        if api["request_limit"] as? Int != nil {
            fields.append(("requests", "\(Output.text(api["requests_used"])) of \(Output.text(api["request_limit"])) used"))
        }
        if let reason = api["failure_reason"] as? String { fields.append(("failure", reason)) }
        Output.fields(fields)
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
        let answer = try await ServerClient(try Credentials.current()).call(.POST, APIs.path(project, api) + "/ip_whitelist", json: body)
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
        let answer = try await ServerClient(try Credentials.current()).call(.POST, APIs.path(project, api) + "/" + Self.action)
        if output.json { return Output.json(answer.json) }
        APIs.describe(answer.object)
    }
}
