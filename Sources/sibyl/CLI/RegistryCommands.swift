import ArgumentParser
import Foundation
import NIOHTTP1
import SibylApp

struct Registries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Registry logins that deployments pull private images with (`credentials_name` in a spec).",
        subcommands: [Save.self, List.self, Show.self, Remove.self])

    static func path(_ project: ProjectOptions, _ name: String? = nil) -> String {
        "/cloud/v3/inference/\(project.project)/registry_credentials" + (name.map { "/" + Query.escape($0) } ?? "")
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Create or replace a registry login; the password is read from standard input.")
        @Argument(help: "The login's name.") var name: String
        @Option(help: "The registry, e.g. registry.example.com.") var url: String
        @Option(help: "The user name at the registry.") var username: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let body: [String: Any] = ["registry_url": url, "username": username, "password": try Input.secret("password")]
            let exists = (try? await server.call(.GET, Registries.path(project, name))) != nil
            let saved = try await (exists
                ? server.call(.PUT, Registries.path(project, name), json: body)
                : server.call(.POST, Registries.path(project), json: body.merging(["name": name]) { first, _ in first })).object
            if output.json { return Output.json(saved) }
            Output.line("\(exists ? "Replaced" : "Created") registry login \(name) (the password is stored sealed).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's registry logins (never passwords).")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, Registries.path(project) + "?limit=1000")
            if output.json { return Output.json(answer.json) }
            Output.table(["name", "registry", "username"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), Output.text($0["registry_url"]), Output.text($0["username"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One registry login (never its password).")
        @Argument(help: "The login's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let login = try await ServerClient(try Credentials.current()).call(.GET, Registries.path(project, name)).object
            if output.json { return Output.json(login) }
            Output.fields([("name", Output.text(login["name"])), ("registry", Output.text(login["registry_url"])),
                           ("username", Output.text(login["username"]))])
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a registry login no deployment uses.")
        @Argument(help: "The login's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ServerClient(try Credentials.current()).call(.DELETE, Registries.path(project, name))
            Output.done(output, "Deleted registry login \(name).", json: ["deleted": name])
        }
    }
}

struct Secrets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Secrets (aws-iam) for deployments; their values are stored sealed and answered masked.",
        subcommands: [Save.self, List.self, Remove.self])

    static func path(_ project: ProjectOptions, _ name: String? = nil) -> String {
        "/cloud/v3/inference/\(project.project)/secrets" + (name.map { "/" + Query.escape($0) } ?? "")
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Create or replace an aws-iam secret; the secret access key is read from standard input.")
        @Argument(help: "The secret's name.") var name: String
        @Option(help: "The AWS access key id.") var accessKeyId: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let data = ["aws_access_key_id": accessKeyId, "aws_secret_access_key": try Input.secret("secret access key")]
            let exists = (try? await server.call(.GET, Secrets.path(project, name))) != nil
            let saved = try await (exists
                ? server.call(.PUT, Secrets.path(project, name), json: ["type": "aws-iam", "data": data])
                : server.call(.POST, Secrets.path(project), json: ["name": name, "type": "aws-iam", "data": data])).object
            if output.json { return Output.json(saved) }
            Output.line("\(exists ? "Replaced" : "Created") secret \(name) (stored sealed).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's secrets, masked.")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, Secrets.path(project) + "?limit=1000")
            if output.json { return Output.json(answer.json) }
            Output.table(["name", "type", "access key id"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["name"]), Output.text($0["type"]), Output.text(($0["data"] as? [String: Any])?["aws_access_key_id"])]
            })
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a secret.")
        @Argument(help: "The secret's name.") var name: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ServerClient(try Credentials.current()).call(.DELETE, Secrets.path(project, name))
            Output.done(output, "Deleted secret \(name).", json: ["deleted": name])
        }
    }
}

struct Flavors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The sizes deployments may ask for, and the regions they run in.")
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let server = ServerClient(try Credentials.current())
        let flavors = try await server.call(.GET, "/cloud/v3/inference/flavors")
        let regions = try await server.call(.GET, "/cloud/v1/regions")
        if output.json { return Output.json(["flavors": flavors.json ?? NSNull(), "regions": regions.json ?? NSNull()]) }
        Output.table(["flavor", "cpu", "memory (GiB)"], (flavors.object["results"] as? [[String: Any]] ?? []).map {
            [Output.text($0["name"]), Output.text($0["cpu"]), Output.text($0["memory"])]
        })
        Output.line()
        Output.table(["region", "name"], (regions.object["results"] as? [[String: Any]] ?? []).map {
            [Output.text($0["id"]), Output.text($0["display_name"])]
        })
    }
}
