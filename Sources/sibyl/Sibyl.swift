import ArgumentParser
import Foundation
import Logging
import SibylApp
import SibylCore
import SibylServer

struct Sibyl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sibyl", abstract: "Self-hosted prediction APIs from trained models.",
        discussion: "`sibyl serve` runs a node; every other command talks to a running node over HTTP (log in first).",
        version: SibylVersion.string,
        subcommands: [
            Serve.self, Login.self, Logout.self, Whoami.self, Models.self, APIs.self, Predict.self, Deployments.self, Keys.self,
            Registries.self, Secrets.self, AccountSecretCommands.self, Flavors.self, Projects.self, Users.self, LicenseCommand.self,
            Tokens.self, VersionCommand.self,
        ])
}

/// Exit codes: 0 success, 1 an error (the server's code and message on standard error), 2 a usage error.
@main
enum Entry {
    static func main() async {
        // A closed pipe is an EPIPE that `Output` handles, never a signal that kills the command mid-answer.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try Sibyl.parseAsRoot()
            try await ProjectOptions.resolveName(of: command)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            Output.note("error: \(error)")
            exit(1)
        } catch {
            guard Sibyl.exitCode(for: error) == .validationFailure else { Sibyl.exit(withError: error) }
            Output.note(Sibyl.fullMessage(for: error))
            exit(2)
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print this executable's version (as --version).")

    func run() {
        Output.line(SibylVersion.string)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a Sibyl node.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Folder for the database and model files.") var data = "./sibyl-data"
    @Option(help: "A PostgreSQL database that several nodes share, as postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: SQLite in --data). Env SIBYL_DATABASE.")
    var database: String?
    @Option(help: "License edition to apply at start: trial or licensed.") var edition: String?
    @Option(help: "Number of API options (official APIs that may exist at once) to apply at start.") var apiOptions: Int?
    @Option(help: "A proxy whose X-Forwarded-For is believed (CIDR); repeat for several.") var trustedProxy: [String] = []
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "Container engine of region 1 for deployments (Docker Engine API): unix:///path.sock or tcp://host:port. Env SIBYL_CONTAINER_ENGINE.")
    var containerEngine: String?
    @Option(help: "Another region's container engine, as ID=URL (e.g. 2=tcp://10.0.0.2:2375); repeat for several.")
    var region: [String] = []
    @Option(help: "A deployment flavor, as NAME:CPUS:MEMORY_GIB; repeat for several (replaces the defaults).")
    var flavor: [String] = []
    @Option(help: "Serve deployments on this port of --host instead of the console's, so that no container shares the console's origin.")
    var inferencePort: Int?
    @Option(help: "A registry host deployment images may come from (docker.io for Docker Hub); repeat for several. Default: any.")
    var allowRegistry: [String] = []
    @Option(help: "The public URL of deployments, for the addresses shown (e.g. https://{name}.{project}.inference.example.com behind a wildcard DNS name).")
    var inferenceURL: String?
    @Option(help: "How many days an access token works after it is issued (the first admin's too).")
    var tokenLifetimeDays = Int(ServerConfiguration().accessTokenLifetimeSeconds / 86_400)
    @Option(help: "Most rows one prediction request may hold.")
    var maxRows = ServerConfiguration().maxRowsPerRequest
    @Option(help: "Most values (rows × the model's features) one prediction request may hold.")
    var maxCells = ServerConfiguration().maxCellsPerRequest
    @Option(help: "Most features an uploaded model may have (1 to 1048576).")
    var maxModelFeatures = ServerConfiguration().maxModelFeatures
    @Option(help: "Seconds a request body may keep the node waiting, before --min-body-rate adds more.")
    var bodyReadTimeout = ServerConfiguration().bodyReadTimeoutSeconds
    @Option(help: "Bytes of request body that earn one more second of --body-read-timeout.")
    var minBodyRate = ServerConfiguration().minBodyBytesPerSecond
    @Option(help: "Most connections open at once; more wait until one closes.")
    var maxConnections = ServerConfiguration().maxConnections

    func run() async throws {
        var logger = Logger(label: "sibyl")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = data
        if let edition {
            guard let value = License.Edition(rawValue: edition) else { throw ValidationError("--edition: trial or licensed") }
            configuration.edition = value
        }
        configuration.apiOptions = apiOptions
        configuration.trustedProxies = try trustedProxy.map { text in
            do throws(SibylError) { return try CIDR(text) } catch { throw ValidationError("--trusted-proxy: \(error.message)") }
        }
        let environment = ProcessInfo.processInfo.environment
        configuration.databaseURL = database ?? environment["SIBYL_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
        if let engine = containerEngine ?? environment["SIBYL_CONTAINER_ENGINE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.containerEngines[1] = engine
        }
        for entry in region {
            guard let equals = entry.firstIndex(of: "="), let id = Int(entry[..<equals]), id > 1 else {
                throw ValidationError("--region: expected ID=URL with an ID above 1 (region 1 is --container-engine)")
            }
            configuration.containerEngines[id] = String(entry[entry.index(after: equals)...])
        }
        if !flavor.isEmpty {
            configuration.flavors = try flavor.map { text in
                do throws(SibylError) { return try Flavor(parsing: text) } catch { throw ValidationError("--flavor: \(error.message)") }
            }
        }
        configuration.inferencePort = inferencePort
        configuration.allowedRegistries = allowRegistry.map(ImageReference.registryHost)
        if let inferenceURL {
            guard inferenceURL.hasPrefix("http://") || inferenceURL.hasPrefix("https://"), !inferenceURL.hasSuffix("/") else {
                throw ValidationError("--inference-url: an http:// or https:// URL without a trailing slash")
            }
            configuration.inferenceURL = inferenceURL
        }
        guard (1...3650).contains(tokenLifetimeDays) else { throw ValidationError("--token-lifetime-days: 1 to 3650") }
        configuration.accessTokenLifetimeSeconds = Int64(tokenLifetimeDays) * 86_400
        guard (1...(1 << 20)).contains(maxModelFeatures) else { throw ValidationError("--max-model-features: 1 to 1048576") }
        guard maxCells >= maxModelFeatures else {
            throw ValidationError("--max-cells must hold at least one row of the widest model (--max-model-features)")
        }
        guard maxRows > 0, bodyReadTimeout > 0, minBodyRate > 0, maxConnections > 0 else {
            throw ValidationError("--max-rows, --body-read-timeout, --min-body-rate and --max-connections must be positive")
        }
        configuration.maxRowsPerRequest = maxRows
        configuration.maxCellsPerRequest = maxCells
        configuration.maxModelFeatures = maxModelFeatures
        configuration.bodyReadTimeoutSeconds = bodyReadTimeout
        configuration.minBodyBytesPerSecond = minBodyRate
        configuration.maxConnections = maxConnections
        configuration.secretsKey = environment["SIBYL_SECRETS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.adminToken = environment["SIBYL_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.adminPassword = environment["SIBYL_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["SIBYL_BCRYPT_COST"], !text.isEmpty {
            // Lower costs are for test runs that sign in thousands of times (scripts/schemathesis.sh).
            guard let cost = UInt8(text), (4...31).contains(cost) else { throw ValidationError("SIBYL_BCRYPT_COST: 4 to 31") }
            configuration.bcryptCost = cost
        }

        let node = try await buildNode(configuration: configuration, logger: logger)
        if let secrets = node.bootstrap {
            // Shown once, on standard output (written at once, not buffered), never logged: the only place
            // these generated secrets appear.
            var text = "Sibyl created the admin user \"\(secrets.adminName)\".\n"
            if let token = secrets.token { text += "  access token: \(token)\n" }
            if let password = secrets.password { text += "  password:     \(password)\n" }
            text += "Keep them now: they are stored hashed and will not be shown again.\n"
            if Output.writeAll(Array(text.utf8), to: STDOUT_FILENO) != nil {
                logger.error("standard output is closed: the generated admin token and password could not be shown")
            }
        }
        try await node.run()
    }
}

