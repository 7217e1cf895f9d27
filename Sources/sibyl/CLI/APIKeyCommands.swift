import ArgumentParser
import NIOHTTP1

/// `--missing-features` of `apis create` and `apis update`.
enum MissingFeatures: String, ExpressibleByArgument, CaseIterable {
    case allow, refuse
}

extension APIs {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An API's keys: create (the secret is shown this once), list, revoke.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A new key for the API, working at once.")
            @Argument(help: "The API's id or name.") var api: String
            @Option(help: "A name for the key, e.g. who holds it (1-100 characters; need not be unique).") var name: String?
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let path = try await APIs.path(project, named: api, server) + "/keys"
                let key = try await server.call(.POST, path, json: name.map { ["name": $0] }).object
                if output.json { return Output.json(key) }
                Output.fields([("key", Output.text(key["key_id"])), ("name", Output.text(key["name"])), ("secret", Output.text(key["secret"]))])
                Output.note("The secret is shown this once: keep it now.")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "The API's keys (never their secrets), oldest first, as the console lists them.")
            @Argument(help: "The API's id or name.") var api: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let answer = try await server.call(.GET, try await APIs.path(project, named: api, server) + "/keys")
                if output.json { return Output.json(answer.json) }
                let keys = answer.object["results"] as? [[String: Any]] ?? []
                Output.table(["key", "name", "created", "last used"], keys.map {
                    [Output.text($0["key_id"]), Output.text($0["name"]), Output.text($0["created_at"]), $0["last_used_at"] as? String ?? "never"]
                })
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key; the next request with it is refused.")
            @Argument(help: "The API's id or name.") var api: String
            @Argument(help: "The key's id or name.") var key: String
            @OptionGroup var project: ProjectOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let server = ServerClient(try Credentials.current())
                let names = Names(server: server)
                let apiID = try await names.api(api, project)
                let keyID = try await names.key(key, ofAPI: apiID, project)
                try await server.call(.DELETE, APIs.path(project, apiID) + "/keys/\(Query.escape(keyID))")
                Output.done(output, "Revoked key \(keyID).", json: ["revoked": keyID])
            }
        }
    }
}
