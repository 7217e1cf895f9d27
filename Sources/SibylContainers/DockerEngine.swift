import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The `ContainerEngine` of a real engine: a client of the Docker Engine API v1.41, as served by Docker and
/// by `podman system service`.
/// Every failure is an `EngineError`.
public struct DockerEngine: ContainerEngine {
    public let endpoint: EngineEndpoint
    private let transport: EngineTransport

    /// Big images over slow links take minutes.
    static let pullTimeout = TimeAmount.minutes(30)
    /// Podman hands out one reading per stats call, so the CPU rate needs a second one this much later.
    static let statsInterval = Duration.milliseconds(500)
    /// Logs are read whole; `tail` keeps them small, this keeps a runaway container from exhausting memory.
    static let maxLogBytes = 64 << 20

    /// The setup for the HTTPClient given to `init` (any client works): a connection that cannot be made
    /// fails the call at once as unreachable, instead of being retried until the call's deadline.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return configuration
    }

    public init(endpoint: EngineEndpoint, client: HTTPClient) {
        self.endpoint = endpoint
        transport = EngineTransport(endpoint: endpoint, client: client)
    }

    public func ping() async throws {
        try transport.check(try await transport.send(.GET, "/_ping"), [200], "ping")
    }

    /// The API version the engine speaks, e.g. "1.41".
    public func version() async throws -> String {
        struct Wire: Decodable {
            let apiVersion: String
            enum CodingKeys: String, CodingKey { case apiVersion = "ApiVersion" }
        }
        let response = try await transport.send(.GET, "/version")
        try transport.check(response, [200], "version")
        return try transport.decode(Wire.self, response, "version").apiVersion
    }

    /// The engine's id of the image `reference` names now, or nil when it has none.
    public func imageID(_ reference: String) async throws -> String? {
        struct Wire: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let response = try await transport.send(.GET, "/images/\(EngineTransport.escape(reference, keeping: "/:@"))/json")
        if response.status == 404 { return nil }
        try transport.check(response, [200], "image \(reference)")
        return try transport.decode(Wire.self, response, "image \(reference)").id
    }

    /// Pulls `reference` ("registry/name:tag", tag "latest" when left out, or "name@sha256:...").
    /// A registry failure during the transfer is an `EngineError` with status 500.
    public func pull(_ reference: String, auth: RegistryAuth?) async throws {
        let (name, tag) = Self.split(reference)
        let response = try await transport.open(
            .POST, "/images/create", query: [("fromImage", name), ("tag", tag)],
            headers: auth.map { [("X-Registry-Auth", $0.header)] } ?? [], timeout: Self.pullTimeout)
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            try transport.check(.init(status: Int(response.status.code), body: body), [200], "pull \(reference)")
            return
        }
        // The answer is 200 as soon as the pull starts; failures come later as {"error": ...} progress lines.
        let outcome = try await EngineTransport.within(.nanoseconds(Self.pullTimeout.nanoseconds)) { [transport] in
            var pending: [UInt8] = []
            var failure: String?
            do {
                for try await chunk in response.body {
                    pending += chunk.readableBytesView
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        failure = Self.pullError(pending[..<newline]) ?? failure
                        pending.removeSubrange(...newline)
                    }
                }
            } catch {
                throw transport.unreachable(error, timeout: Self.pullTimeout)
            }
            return Self.pullError(pending[...]) ?? failure
        }
        guard let outcome else {
            let minutes = Self.pullTimeout.nanoseconds / 60_000_000_000
            throw EngineError(status: 504, message: "pull \(reference): still running after \(minutes) min")
        }
        if let failure = outcome {
            throw EngineError(status: 500, message: "pull \(reference): \(failure)")
        }
    }

    /// Makes the bridge network `name` unless it exists, isolated from the engine's other isolated networks:
    /// containers on different ones cannot reach each other. Podman isolates only when asked, through its
    /// own API (the Docker-compatible call ignores the option); Docker, which lacks that API, isolates
    /// user-defined bridges by default.
    public func ensureNetwork(_ name: String, labels: [String: String]) async throws {
        struct Podman: Encodable {
            let name: String
            let labels: [String: String]
            let options = ["isolate": "true"]
        }
        struct Docker: Encodable {
            let name: String
            let labels: [String: String]
            let checkDuplicate = true
            enum CodingKeys: String, CodingKey { case name = "Name", labels = "Labels", checkDuplicate = "CheckDuplicate" }
        }
        let podman = try await transport.send(
            .POST, "/networks/create", json: Podman(name: name, labels: labels), prefix: Self.podmanPrefix)
        if podman.status != 404 {
            try transport.check(podman, [200, 201, 409], "create network \(name)")
            return
        }
        let docker = try await transport.send(.POST, "/networks/create", json: Docker(name: name, labels: labels))
        try transport.check(docker, [201, 409], "create network \(name)")
    }

    /// Removes a network; one that is gone counts as removed, one still in use is an error.
    public func removeNetwork(_ name: String) async throws {
        let response = try await transport.send(.DELETE, "/networks/\(Self.path(name))")
        try transport.check(response, [200, 204, 404], "remove network \(name)")
    }

    /// Podman's own API, which Docker does not serve (404).
    static let podmanPrefix = "/v4.0.0/libpod"

    /// Creates (does not start) the container; returns its ID. A missing image is a 404, a taken name a 409.
    public func create(_ spec: ContainerSpec) async throws -> String {
        struct Wire: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let response = try await transport.send(
            .POST, "/containers/create", query: [("name", spec.name)], json: CreateContainerBody(spec))
        // Podman 4.3 answers a taken name with 500 where Docker says 409.
        if response.status == 500, let message = EngineTransport.message(response.body),
            message.contains("already in use")
        {
            throw EngineError(status: 409, message: message)
        }
        try transport.check(response, [201], "create \(spec.name)")
        return try transport.decode(Wire.self, response, "create \(spec.name)").id
    }

    /// Starting a running container is fine (304).
    public func start(_ id: String) async throws {
        let response = try await transport.send(.POST, "/containers/\(Self.path(id))/start")
        try transport.check(response, [204, 304], "start \(id)")
    }

    /// SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped container is fine (304).
    public func stop(_ id: String, timeoutSeconds: Int) async throws {
        let response = try await transport.send(
            .POST, "/containers/\(Self.path(id))/stop", query: [("t", String(timeoutSeconds))],
            timeout: .seconds(Int64(timeoutSeconds) + 30))
        try transport.check(response, [204, 304], "stop \(id)")
    }

    /// Removes the container and its anonymous volumes; a container that is already gone counts as removed.
    public func remove(_ id: String, force: Bool) async throws {
        let response = try await transport.send(
            .DELETE, "/containers/\(Self.path(id))", query: [("force", force ? "1" : "0"), ("v", "1")])
        try transport.check(response, [204, 404], "remove \(id)")
    }

    /// Nil when there is no such container.
    public func inspect(_ id: String) async throws -> ContainerState? {
        try await inspectWire(id)?.containerState
    }

    /// Containers carrying every one of `labels`; stopped ones too when `all`.
    public func list(labels: [String: String], all: Bool) async throws -> [ContainerSummary] {
        var query = [("all", all ? "1" : "0")]
        if !labels.isEmpty {
            let filters = ["label": labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }]
            query.append(("filters", String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)))
        }
        let response = try await transport.send(.GET, "/containers/json", query: query)
        try transport.check(response, [200], "list containers")
        return try transport.decode([SummaryWire].self, response, "list containers").map(\.summary)
    }

    /// Stdout and stderr, oldest first: the last `tail` lines, from `since` on.
    public func logs(_ id: String, tail: Int?, since: Date?) async throws -> [LogLine] {
        var query = [("stdout", "1"), ("stderr", "1"), ("timestamps", "1")]
        if let tail { query.append(("tail", String(tail))) }
        if let since {
            let nanoseconds = Int64((since.timeIntervalSince1970 * 1e9).rounded())
            let fraction = String(nanoseconds % 1_000_000_000)
            let padding = String(repeating: "0", count: 9 - fraction.count)
            query.append(("since", "\(nanoseconds / 1_000_000_000).\(padding)\(fraction)"))
        }
        let response = try await transport.send(
            .GET, "/containers/\(Self.path(id))/logs", query: query, maxBytes: Self.maxLogBytes)
        try transport.check(response, [200], "logs of \(id)")
        return LogStream.lines(Array(response.body.readableBytesView))
    }

    /// CPU over about half a second (podman has no earlier reading to compare with) and memory now.
    /// A container that is not running is a 409.
    public func stats(_ id: String) async throws -> ContainerStats {
        guard let container = try await inspectWire(id) else {
            throw EngineError(status: 404, message: "no such container: \(id)")
        }
        // Docker would answer zeros and podman an empty body; neither is a reading.
        guard container.state.running else {
            throw EngineError(status: 409, message: "stats of \(id): container is not running")
        }
        let cpuLimit = container.cpuLimit
        let first = try await statsReading(id)
        if let previous = first.previousSample { return first.stats(since: previous, cpuLimit: cpuLimit) }
        guard let previous = first.sample else {
            throw EngineError(status: 502, message: "stats of \(id): no reading time in the engine's answer")
        }
        try await Task.sleep(for: Self.statsInterval)
        return try await statsReading(id).stats(since: previous, cpuLimit: cpuLimit)
    }

    /// Runs `command` in the running container and returns its exit status. Output is discarded.
    /// A command still running after `timeoutSeconds` is an `EngineError` with status 504 (it is left running:
    /// the API cannot kill an exec).
    public func exec(_ id: String, command: [String], timeoutSeconds: Int) async throws -> Int32 {
        struct Create: Encodable {
            let command: [String]
            let attachStdout = true
            let attachStderr = true
            enum CodingKeys: String, CodingKey {
                case command = "Cmd", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
            }
        }
        struct Start: Encodable {
            let detach = false
            let tty = false
            enum CodingKeys: String, CodingKey { case detach = "Detach", tty = "Tty" }
        }
        struct Created: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        struct Inspect: Decodable {
            let running: Bool
            let exitCode: Int?
            enum CodingKeys: String, CodingKey { case running = "Running", exitCode = "ExitCode" }
        }
        let created = try await transport.send(.POST, "/containers/\(Self.path(id))/exec", json: Create(command: command))
        try transport.check(created, [201], "exec in \(id)")
        let execID = Self.path(try transport.decode(Created.self, created, "exec in \(id)").id)

        // Not detached, the answer streams the command's output and ends when the command exits.
        let limit = TimeAmount.seconds(Int64(timeoutSeconds))
        let finished: Void? = try await EngineTransport.within(.seconds(timeoutSeconds)) { [transport] in
            let response = try await transport.open(.POST, "/exec/\(execID)/start", json: Start(), timeout: limit)
            guard response.status == .ok else {
                let body = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
                try transport.check(.init(status: Int(response.status.code), body: body), [200], "exec in \(id)")
                return
            }
            do {
                for try await _ in response.body {}
            } catch {
                throw transport.unreachable(error, timeout: limit)
            }
        }
        guard finished != nil else {
            throw EngineError(status: 504, message: "exec in \(id): \(command) still running after \(timeoutSeconds) s")
        }
        // The exit status can trail the end of the stream by a moment.
        for _ in 0..<100 {
            let answer = try await transport.send(.GET, "/exec/\(execID)/json")
            try transport.check(answer, [200], "exec in \(id)")
            let state = try transport.decode(Inspect.self, answer, "exec in \(id)")
            if !state.running, let code = state.exitCode { return Int32(clamping: code) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw EngineError(status: 502, message: "exec in \(id): the engine reports no exit status for \(command)")
    }

    private func inspectWire(_ id: String) async throws -> InspectWire? {
        let response = try await transport.send(.GET, "/containers/\(Self.path(id))/json")
        if response.status == 404 { return nil }
        try transport.check(response, [200], "inspect \(id)")
        return try transport.decode(InspectWire.self, response, "inspect \(id)")
    }

    private func statsReading(_ id: String) async throws -> StatsWire {
        let response = try await transport.send(.GET, "/containers/\(Self.path(id))/stats", query: [("stream", "false")])
        try transport.check(response, [200], "stats of \(id)")
        return try transport.decode(StatsWire.self, response, "stats of \(id)")
    }

    private static func path(_ id: String) -> String { EngineTransport.escape(id) }

    /// "host:5000/team/app:v2" → ("host:5000/team/app", "v2"); a ":" before the last "/" is a registry port.
    static func split(_ reference: String) -> (name: String, tag: String) {
        if let at = reference.firstIndex(of: "@") {
            return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
        }
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "latest")
    }

    private static func pullError(_ line: ArraySlice<UInt8>) -> String? {
        struct Wire: Decodable { let error: String? }
        return (try? JSONDecoder().decode(Wire.self, from: Data(line)))?.error
    }
}
