import ArgumentParser
import NIOHTTP1

/// `sibyl tokens`: the signed-in user's access tokens (an admin's `--user` for another user's).
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Your access tokens: list, create (shown this once), revoke. Admins: --user for another user's.",
        subcommands: [List.self, Create.self, Revoke.self])

    struct UserOption: ParsableArguments {
        @Option(help: "Another user's id or name (admins only).") var user: String?

        func path(_ server: ServerClient) async throws -> String {
            guard let user else { return "/api/v1/tokens" }
            return "/api/v1/users/\(try await Names(server: server).user(user))/tokens"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The tokens (never their text), newest first; * marks the one in use.")
        @OptionGroup var owner: UserOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let answer = try await server.call(.GET, try await owner.path(server))
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "description", "created", "expires", "last used"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [
                    Output.text($0["token_id"]) + ($0["current"] as? Bool == true ? " *" : ""), Output.text($0["description"]),
                    Output.text($0["created_at"]), Output.text($0["expires_at"]), Output.text($0["last_used_at"] ?? "never"),
                ]
            })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new token of yours, for a script or another machine.")
        @Option(help: "What the token is for, shown in the list.") var description = ""
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let token = try await ServerClient(try Credentials.current()).call(.POST, "/api/v1/tokens", json: ["description": description])
                .object
            if output.json { return Output.json(token) }
            Output.fields([
                ("id", Output.text(token["token_id"])), ("token", Output.text(token["token"])), ("expires", Output.text(token["expires_at"])),
            ])
            Output.note("The token is shown this once: keep it now.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: it stops working at once.")
        @Argument(help: "The token's id.") var id: String
        @OptionGroup var owner: UserOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            try await server.call(.DELETE, try await owner.path(server) + "/\(Query.escape(id))")
            Output.done(output, "Revoked token \(id).", json: ["revoked": id])
        }
    }
}
