import ArgumentParser
import Foundation
import NIOHTTP1

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign in to a Sibyl server and keep its URL and an access token for the next commands.",
        discussion: """
            With --user, the password is asked for on a terminal ("Password: ", not shown as it is typed), else read \
            from standard input (one line); with --token, the token is checked and kept.
            The token is stored in the user's config folder (mode 0600); SIBYL_URL and SIBYL_TOKEN override it.
            """)

    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var url: String
    @Option(help: "A user name; the password is asked for (hidden) on a terminal, else read from standard input.") var user: String?
    @Option(help: "An access token to keep instead of signing in with a password.") var token: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (user == nil) != (token == nil) else { throw ValidationError("give either --user or --token") }
    }

    func run() async throws {
        let server = ServerClient(url: url, token: token)
        let text: String
        let me: [String: Any]
        if let user {
            let answer = try await server.call(
                .POST, "/api/v1/tokens", json: ["name": user, "password": try Input.secret("password")], authorized: false)
            text = answer.object["token"] as? String ?? ""
            me = answer.object["user"] as? [String: Any] ?? [:]
        } else {
            text = token ?? ""
            me = try await server.call(.GET, "/api/v1/me").object
        }
        try Credentials(url: server.base, token: text).save()
        if output.json { return Output.json(me) }
        Output.line("Logged in to \(server.base) as \(Output.text(me["name"])) (\(Output.text(me["role"]))).")
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Forget the stored server URL and token.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try Credentials.forget()
        Output.done(output, "Logged out.", json: ["logged_out": true])
    }
}

struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The user the stored token signs in as, and the server.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let credentials = try Credentials.current()
        let me = try await ServerClient(credentials).call(.GET, "/api/v1/me").object
        if output.json { return Output.json(me) }
        Output.fields([("user", Output.text(me["name"])), ("role", Output.text(me["role"])), ("server", credentials.url)])
    }
}
