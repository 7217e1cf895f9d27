import ArgumentParser
import Foundation
import NIOHTTP1

struct Projects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Projects and their members.", subcommands: [List.self, Create.self, Members.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The projects you can see.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, "/api/v1/projects")
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "name", "members"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["project_id"]), Output.text($0["name"]), Output.text($0["members"])]
            })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new project, with you as its member.")
        @Argument(help: "The project's name.") var name: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let project = try await ServerClient(try Credentials.current()).call(.POST, "/api/v1/projects", json: ["name": name]).object
            if output.json { return Output.json(project) }
            Output.line("Created project \(Output.text(project["project_id"])) (\(Output.text(project["name"]))).")
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a project's members (user ids or names), replacing the list (admins).")
        @Argument(help: "The project's id or name.") var project: String
        @Argument(help: "The members' user ids or names.") var users: [String] = []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let names = Names(server: server)
            let id = try await names.project(project)
            var userIDs: [Int] = []
            for user in users { userIDs.append(try await names.user(user)) }
            let answer = try await server.call(.PUT, "/api/v1/projects/\(id)/members", json: ["user_ids": userIDs]).object
            if output.json { return Output.json(answer) }
            Output.line("Members of project \(id): \(Output.text(answer["members"])).")
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The project's inference keys, which open deployments (attach them with `deployments create --key NAME`).",
        subcommands: [Create.self, List.self, Show.self, Remove.self])

    static func path(_ project: ProjectOptions, _ name: String? = nil) -> String {
        "/cloud/v3/inference/\(project.project)/api_keys" + (name.map { "/" + Query.escape($0) } ?? "")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new key; its secret is shown this once.")
        @Argument(help: "The key's name.") var name: String
        @Option(help: "What the key is for.") var description: String?
        @Option(help: "When the key stops working (ISO 8601, e.g. 2027-01-01T00:00:00Z).") var expiresAt: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var body: [String: Any] = ["name": name]
            if let description { body["description"] = description }
            if let expiresAt { body["expires_at"] = expiresAt }
            let key = try await ServerClient(try Credentials.current()).call(.POST, Keys.path(project), json: body).object
            if output.json { return Output.json(key) }
            Output.fields([("key", Output.text(key["name"])), ("secret", Output.text(key["secret"]))])
            Output.note("The secret is shown this once: keep it now.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's keys (never their secrets).")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, Keys.path(project) + "?limit=1000")
            if output.json { return Output.json(answer.json) }
            Output.table(["name", "expires", "deployments", "description"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), Output.text($0["expires_at"]), Output.text($0["deployment_names"]), Output.text($0["description"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One key and the deployments it opens.")
        @Argument(help: "The key's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let key = try await ServerClient(try Credentials.current()).call(.GET, Keys.path(project, name)).object
            if output.json { return Output.json(key) }
            Output.fields(["name", "description", "expires_at", "created_at", "deployment_names"].map {
                ($0.replacingOccurrences(of: "_", with: " "), Output.text(key[$0]))
            })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a key no deployment uses.")
        @Argument(help: "The key's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ServerClient(try Credentials.current()).call(.DELETE, Keys.path(project, name))
            Output.done(output, "Deleted key \(name).", json: ["deleted": name])
        }
    }
}
