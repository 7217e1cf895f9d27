import ArgumentParser
import Foundation
import NIOHTTP1
import SibylApp

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Users (admins only, but `password` for oneself).", subcommands: [List.self, Create.self, Password.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every user.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, "/api/v1/users")
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "name", "role"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["user_id"]), Output.text($0["name"]), Output.text($0["role"])]
            })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new user; the password is read from standard input.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "member or admin.") var role = "member"
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let user = try await ServerClient(try Credentials.current()).call(
                .POST, "/api/v1/users", json: ["name": name, "password": try Input.secret("password"), "role": role]
            ).object
            if output.json { return Output.json(user) }
            Output.line("Created \(Output.text(user["role"])) \(Output.text(user["name"])) (id \(Output.text(user["user_id"]))).")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password, read from standard input.")
        @Argument(help: "The user's id or name.") var user: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let id = try await Names(server: server).user(user)
            try await server.call(.PATCH, "/api/v1/users/\(id)", json: ["password": try Input.secret("password")])
            Output.done(output, "Password changed.", json: ["password_changed": id])
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a user (never the last admin).")
        @Argument(help: "The user's id or name.") var user: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let id = try await Names(server: server).user(user)
            try await server.call(.DELETE, "/api/v1/users/\(id)")
            Output.done(output, "Deleted user \(id).", json: ["deleted": id])
        }
    }
}

struct LicenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license", abstract: "The license: edition and API options.", subcommands: [Show.self, Set.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The license in force and the official APIs in use.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let license = try await ServerClient(try Credentials.current()).call(.GET, "/api/v1/license").object
            if output.json { return Output.json(license) }
            Output.fields(license.keys.sorted().map { ($0.replacingOccurrences(of: "_", with: " "), Output.text(license[$0])) })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change the edition or the number of API options (admins only).")
        @Option(help: "trial or licensed.") var edition: String?
        @Option(help: "How many official APIs may exist at once.") var apiOptions: Int?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard edition != nil || apiOptions != nil else { throw ValidationError("give --edition or --api-options") }
        }

        func run() async throws {
            var body: [String: Any] = [:]
            if let edition { body["edition"] = edition }
            if let apiOptions { body["api_options"] = apiOptions }
            let license = try await ServerClient(try Credentials.current()).call(.PUT, "/api/v1/license", json: body).object
            if output.json { return Output.json(license) }
            Output.fields(license.keys.sorted().map { ($0.replacingOccurrences(of: "_", with: " "), Output.text(license[$0])) })
        }
    }
}
