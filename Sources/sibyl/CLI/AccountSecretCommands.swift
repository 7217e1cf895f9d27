import ArgumentParser
import NIOHTTP1

/// `sibyl account-secrets`: the secrets from which Prediction One's developer API issues its keys.
struct AccountSecretCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account-secrets",
        abstract: "Account secrets for Prediction One's developer API: create (shown this once), list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self])

    static func path(_ project: ProjectOptions) -> String { "/api/v1/projects/\(project.project)/account_secrets" }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A new account secret of yours for the project; send it in x-api-key to GET /v1/external/api-key.")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let secret = try await ServerClient(try Credentials.current()).call(.POST, AccountSecretCommands.path(project)).object
            if output.json { return Output.json(secret) }
            Output.fields([("id", Output.text(secret["secret_id"])), ("secret", Output.text(secret["secret"]))])
            Output.note("The secret is shown this once: keep it now.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's account secrets (never their text).")
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, AccountSecretCommands.path(project))
            if output.json { return Output.json(answer.json) }
            Output.table(["id", "user", "created"], (answer.object["results"] as? [[String: Any]] ?? []).map {
                [Output.text($0["secret_id"]), Output.text($0["user"]), Output.text($0["created_at"])]
            })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an account secret and every key issued from it.")
        @Argument(help: "The secret's id.") var id: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ServerClient(try Credentials.current()).call(.DELETE, AccountSecretCommands.path(project) + "/\(Query.escape(id))")
            Output.done(output, "Revoked account secret \(id).", json: ["revoked": id])
        }
    }
}
