import ArgumentParser
import Foundation
import NIOHTTP1
import Yams
import SibylApp

struct Deployments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Container deployments: create, update and delete (waiting on their tasks), start, stop, logs.",
        subcommands: [
            Create.self, List.self, Show.self, Update.self, Stop.self, Start.self, Remove.self, Logs.self, Lock.self, Unlock.self,
            Allow.self, Deny.self, Disallow.self, Open.self, Usage.self,
        ])

    /// Sibyl's own additions for a deployment: usage, lock, IP whitelist.
    static func extras(_ project: ProjectOptions, _ name: String) -> String {
        "/api/v1/projects/\(project.project)/deployments/\(Query.escape(name))"
    }

    static func path(_ project: ProjectOptions, _ name: String? = nil) -> String {
        "/cloud/v3/inference/\(project.project)/deployments" + (name.map { "/" + Query.escape($0) } ?? "")
    }

    /// The spec fields as flags; each given one overrides the spec file's.
    struct SpecOptions: ParsableArguments {
        @Option(name: .shortAndLong, help: "A spec file, YAML or JSON, with the deployment API's fields.") var file: String?
        @Option(help: "The image to run.") var image: String?
        @Option(help: "The port the container listens on.") var port: Int?
        @Option(help: "The flavor (see the server's flavors).") var flavor: String?
        @Option(help: "The region to run in.") var region: Int?
        @Option(help: "Fewest replicas (0: scale to zero when idle).") var min: Int?
        @Option(help: "Most replicas.") var max: Int?
        @Option(help: "Seconds idle before scaling to zero.") var timeout: Int?
        @Option(help: "An environment variable, NAME=VALUE; repeat for several.") var env: [String] = []
        @Option(help: "An inference key (by name) that opens the deployment; repeat for several.") var key: [String] = []

        /// The file's fields with the flags over them.
        func spec() throws -> [String: Any] {
            var spec: [String: Any] = [:]
            if let file {
                guard let text = String(validating: try Files.read(file), as: UTF8.self) else { throw CLIError("\(file): not UTF-8 text") }
                guard let loaded = try Yams.load(yaml: text) as? [String: Any] else {
                    throw CLIError("\(file): expected a mapping of the deployment's fields")
                }
                spec = loaded
            }
            if let image { spec["image"] = image }
            if let port { spec["listening_port"] = port }
            if let flavor { spec["flavor_name"] = flavor }
            if region != nil || min != nil || max != nil {
                var container = (spec["containers"] as? [[String: Any]])?.first ?? ["region_id": 1]
                var scale = container["scale"] as? [String: Any] ?? ["min": 1, "max": 1]
                if let region { container["region_id"] = region }
                if let min { scale["min"] = min }
                if let max { scale["max"] = max }
                container["scale"] = scale
                spec["containers"] = [container]
            }
            if let timeout { spec["timeout"] = timeout }
            if !env.isEmpty {
                var envs = spec["envs"] as? [String: Any] ?? [:]
                for entry in env {
                    guard let equals = entry.firstIndex(of: "=") else { throw ValidationError("--env: expected NAME=VALUE") }
                    envs[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
                }
                spec["envs"] = envs
            }
            if !key.isEmpty { spec["api_keys"] = key }
            return spec
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy an image; waits until its containers exist and prints its address.",
            discussion: "Defaults for what neither the file nor a flag gives: port 80, region 1, one replica.")

        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var spec: SpecOptions
        @Flag(help: "Return at once, without waiting for the task.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body = try spec.spec()
            body["name"] = name
            if body["listening_port"] == nil { body["listening_port"] = 80 }
            if body["containers"] == nil { body["containers"] = [["region_id": 1, "scale": ["min": 1, "max": 1]]] }
            let server = ServerClient(try Credentials.current())
            let tasks = try await server.call(.POST, Deployments.path(project), json: body).object["tasks"] as? [String] ?? []
            try await Deployments.finish(tasks, "Deploying \(name)", server: server, wait: !noWait)
            try await Deployments.show(name, project: project, output: output, server: server)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a deployment: the given fields only; waits for the task.")

        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var spec: SpecOptions
        @Flag(help: "Return at once, without waiting for the task.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = try spec.spec()
            guard !body.isEmpty else { throw ValidationError("nothing to change: give -f FILE or a field's flag") }
            let server = ServerClient(try Credentials.current())
            let tasks = try await server.call(.PATCH, Deployments.path(project, name), json: body).object["tasks"] as? [String] ?? []
            try await Deployments.finish(tasks, "Updating \(name)", server: server, wait: !noWait)
            try await Deployments.show(name, project: project, output: output, server: server)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's deployments.")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, Deployments.path(project) + "?limit=1000")
            if output.json { return Output.json(answer.json) }
            Output.table(["name", "status", "image", "ready", "address"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), Output.text($0["status"]), Output.text($0["image"]), Deployments.ready($0), Output.text($0["address"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One deployment: status, replicas per region, address.")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Deployments.show(name, project: project, output: output, server: ServerClient(try Credentials.current()))
        }
    }

    struct Stop: LifecycleAction {
        static let configuration = CommandConfiguration(abstract: "Stop a deployment: no replicas, requests refused.")
        static let action = (name: "stop", done: "Stopped")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Start: LifecycleAction {
        static let configuration = CommandConfiguration(abstract: "Start a stopped deployment.")
        static let action = (name: "start", done: "Started")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a deployment and its containers; waits for the task.")
        @Argument(help: "The deployment's name.") var name: String
        @Flag(help: "Return at once, without waiting for the task.") var noWait = false
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let tasks = try await server.call(.DELETE, Deployments.path(project, name)).object["tasks"] as? [String] ?? []
            try await Deployments.finish(tasks, "Deleting \(name)", server: server, wait: !noWait)
            Output.done(output, "Deleted \(name).", json: ["deleted": name, "tasks": tasks])
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What the deployment's replicas wrote, oldest first.")
        @Argument(help: "The deployment's name.") var name: String
        @Flag(name: .shortAndLong, help: "Keep printing new lines until interrupted.") var follow = false
        @Option(help: "Only this region's replicas.") var region: Int?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let path = Deployments.path(project, name) + "/logs?order_by=time.desc&limit=1000" + (region.map { "&region_id=\($0)" } ?? "")
            // Lines are told apart by time, replica and text; the same line twice in one second counts twice.
            var printed: [String: Int] = [:]
            repeat {
                let lines = (try await server.call(.GET, path).object["results"] as? [[String: Any]] ?? []).reversed()
                var seen: [String: Int] = [:]
                for line in lines {
                    let key = "\(Output.text(line["time"]))\u{1F}\(Output.text(line["pod"]))\u{1F}\(Output.text(line["message"]))"
                    seen[key, default: 0] += 1
                    guard seen[key]! > printed[key, default: 0] else { continue }
                    printed[key] = seen[key]
                    if output.json {
                        Output.line(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
                    } else {
                        Output.line("\(Output.text(line["time"]))  \(Output.text(line["pod"]))  \(Output.text(line["message"]))")
                    }
                }
                if follow { try await Task.sleep(for: .seconds(1)) }
            } while follow
        }
    }

    struct Lock: GuardAction {
        static let configuration = CommandConfiguration(abstract: "Lock a deployment: it may not be stopped or deleted until an admin unlocks it.")
        static let request = (method: HTTPMethod.POST, suffix: "/lock")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Unlock: GuardAction {
        static let configuration = CommandConfiguration(abstract: "Unlock a deployment (admins only).")
        static let request = (method: HTTPMethod.POST, suffix: "/unlock")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Allow: DeploymentRuleCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow a CIDR block on the deployment's IP whitelist (a deployment without one admits every address).")
        static let action = "allow"
        @Argument(help: "The deployment's name.") var name: String
        @Argument(help: "A CIDR block.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Deny: DeploymentRuleCommand {
        static let configuration = CommandConfiguration(abstract: "Deny a CIDR block on the deployment's IP whitelist.")
        static let action = "deny"
        @Argument(help: "The deployment's name.") var name: String
        @Argument(help: "A CIDR block.") var cidr: String
        @OptionGroup var rule: RuleOptions
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Disallow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a CIDR block's rule from the deployment's IP whitelist.")
        @Argument(help: "The deployment's name.") var name: String
        @Argument(help: "A CIDR block on the whitelist.") var cidr: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            Deployments.printGuard(
                try await ServerClient(try Credentials.current()).call(
                    .DELETE, Deployments.extras(project, name) + "/ip_whitelist?cidr=\(Query.escape(cidr))"),
                output)
        }
    }

    struct Open: GuardAction {
        static let configuration = CommandConfiguration(abstract: "Remove the deployment's IP whitelist: every address may call it (with a key).")
        static let request = (method: HTTPMethod.DELETE, suffix: "/ip_whitelist")
        @Argument(help: "The deployment's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Daily requests answered 200 and 4xx/5xx, as a bar chart (default: the last 30 days).")
        @Argument(help: "The deployment's name.") var name: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var to: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            UsageBars.print(
                try await ServerClient(try Credentials.current()).call(
                    .GET, Deployments.extras(project, name) + "/usage" + UsageBars.query(from: from, to: to)),
                output)
        }
    }

    /// A deployment's lock and whitelist.
    static func printGuard(_ answer: ServerAnswer, _ output: OutputOptions) {
        if output.json { return Output.json(answer.json) }
        let whitelist = (answer.object["ip_rules"] as? [Any]).map { WhitelistRules.lines($0) }
        Output.fields([
            ("name", Output.text(answer.object["name"])), ("locked", Output.text(answer.object["locked"])),
            ("whitelist", whitelist.map { $0.isEmpty ? "empty: no address may call it" : $0.joined(separator: ", ") } ?? "none: every address may call it"),
        ])
    }

    /// Waits for the tasks a change opened (unless told not to): an ERROR task is this command's error.
    static func finish(_ tasks: [String], _ label: String, server: ServerClient, wait: Bool) async throws {
        guard wait else { return }
        let spinner = Spinner(label)
        defer { spinner.done() }
        for id in tasks {
            while true {
                let task = try await server.call(.GET, "/cloud/v1/tasks/\(Query.escape(id))").object
                switch task["state"] as? String {
                case "FINISHED": break
                case "ERROR": throw CLIError("task \(id) failed: \(Output.text(task["error"]))")
                default:
                    spinner.tick()
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                break
            }
        }
    }

    static func show(_ name: String, project: ProjectOptions, output: OutputOptions, server: ServerClient) async throws {
        let deployment = try await server.call(.GET, path(project, name)).object
        if output.json { return Output.json(deployment) }
        var fields = [
            ("name", Output.text(deployment["name"])), ("status", Output.text(deployment["status"])),
            ("image", Output.text(deployment["image"])), ("flavor", Output.text(deployment["flavor_name"])),
            ("ready", ready(deployment)), ("address", Output.text(deployment["address"])),
            ("keys", Output.text(deployment["api_keys"])),
        ]
        for region in deployment["containers"] as? [[String: Any]] ?? [] {
            if let error = region["error_message"] as? String { fields.append(("region \(Output.text(region["region_id"]))", error)) }
        }
        Output.fields(fields)
    }

    /// Ready replicas over wanted ones, all regions together.
    static func ready(_ deployment: [String: Any]) -> String {
        let counts = (deployment["containers"] as? [[String: Any]] ?? []).compactMap { $0["deploy_status"] as? [String: Int] }
        return "\(counts.map { $0["ready"] ?? 0 }.reduce(0, +))/\(counts.map { $0["total"] ?? 0 }.reduce(0, +))"
    }
}

/// `deployments allow` and `deny`: set the block's rule, which keeps its priority unless one is given (a new
/// block goes after every rule; a deployment without a whitelist gets one).
protocol DeploymentRuleCommand: AsyncParsableCommand {
    static var action: String { get }
    var name: String { get }
    var cidr: String { get }
    var rule: RuleOptions { get }
    var project: ProjectOptions { get }
    var output: OutputOptions { get }
}

extension DeploymentRuleCommand {
    func run() async throws {
        var body: [String: Any] = ["cidr": cidr, "action": Self.action]
        if let priority = rule.priority { body["priority"] = priority }
        Deployments.printGuard(
            try await ServerClient(try Credentials.current()).call(.POST, Deployments.extras(project, name) + "/ip_whitelist", json: body),
            output)
    }
}

/// lock, unlock, open: one call to Sibyl's additions for a deployment, answered with its lock and whitelist.
/// stop, start: one POST to the compatible API, answered with what was done.
protocol LifecycleAction: AsyncParsableCommand {
    static var action: (name: String, done: String) { get }
    var name: String { get }
    var project: ProjectOptions { get }
    var output: OutputOptions { get }
}

extension LifecycleAction {
    func run() async throws {
        try await ServerClient(try Credentials.current()).call(.POST, Deployments.path(project, name) + "/" + Self.action.name)
        Output.done(output, "\(Self.action.done) \(name).", json: [Self.action.done.lowercased(): name])
    }
}

protocol GuardAction: AsyncParsableCommand {
    static var request: (method: HTTPMethod, suffix: String) { get }
    var name: String { get }
    var project: ProjectOptions { get }
    var output: OutputOptions { get }
}

extension GuardAction {
    func run() async throws {
        let path = Deployments.extras(project, name) + Self.request.suffix
        Deployments.printGuard(try await ServerClient(try Credentials.current()).call(Self.request.method, path), output)
    }
}
