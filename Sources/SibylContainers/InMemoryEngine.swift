import Foundation
import SibylCore
import Synchronization

/// A container engine that keeps its images, networks and containers as values: nothing runs, and a
/// container's app is a few switches a test sets (whether it accepts connections, what each path answers,
/// that it crashed). It passes the engine contract tests that Podman passes, so the supervisor can be
/// driven through every state — crash back-off, probes, scale to zero, rolling revisions, adoption — in
/// milliseconds, with a manual clock.
public final class InMemoryEngine: ContainerEngine {
    /// What an image's app does when it starts and when a command is run in it.
    public struct Image: Sendable {
        /// Nil when the app starts and serves; else the exit code and the stderr line it dies with, from
        /// the container's environment.
        public var crash: @Sendable (_ environment: [String: String]) -> (exitCode: Int, message: String)?
        /// The exit status of a command run in the container.
        public var exec: @Sendable (_ command: [String]) -> Int32

        public init(
            crash: @escaping @Sendable ([String: String]) -> (exitCode: Int, message: String)? = { _ in nil },
            exec: @escaping @Sendable ([String]) -> Int32 = { _ in 0 }
        ) {
            self.crash = crash
            self.exec = exec
        }
    }

    /// The app in a running container, as its probes see it.
    public struct App: Sendable, Equatable {
        /// Accepts connections on its port.
        public var listening = true
        /// The status of a GET to each path; 200 for any path not named.
        public var statuses: [String: Int] = [:]

        public init(listening: Bool = true, statuses: [String: Int] = [:]) {
            self.listening = listening
            self.statuses = statuses
        }
    }

    private struct Container {
        let id: String
        let spec: ContainerSpec
        var running = false
        var status = "created"
        var exitCode = 0
        var hostPort: Int?
        var startedAt: Date?
        var finishedAt: Date?
        var logs: [LogLine] = []
        var app = App()
    }

    private struct State {
        /// Images on the engine, by reference: their id and behaviour.
        var images: [String: (id: String, image: Image)] = [:]
        /// Images a pull can fetch, by reference.
        var registry: [String: Image] = [:]
        var networks: [String: [String: String]] = [:]
        var containers: [String: Container] = [:]
        var serial = 0
        var creations = 0
        var pulls = 0
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: What a test sets

    /// Puts an image on the engine, as a build would.
    public func add(image reference: String, _ image: Image = Image()) {
        state.withLock { state in
            state.serial += 1
            state.images[reference] = ("sha256:\(String(state.serial, radix: 16))", image)
        }
    }

    /// Offers an image to pulls, as a registry would.
    public func publish(image reference: String, _ image: Image = Image()) {
        state.withLock { $0.registry[reference] = image }
    }

    /// Changes the app in a running container.
    public func update(app id: String, _ change: (inout App) -> Void) {
        state.withLock { state in
            guard let key = Self.key(id, in: state) else { return }
            change(&state.containers[key]!.app)
        }
    }

    /// The container's process exits with `exitCode`, having written `message` to stderr.
    public func crash(_ id: String, exitCode: Int, message: String) {
        state.withLock { state in
            guard let key = Self.key(id, in: state), state.containers[key]!.running else { return }
            state.containers[key]!.logs.append(LogLine(time: Date(), stream: .stderr, message: message))
            Self.exit(&state.containers[key]!, code: exitCode)
        }
    }

    /// The app a probe of the container reaches, nil unless it runs.
    public func app(_ id: String) -> App? {
        state.withLock { state in
            Self.key(id, in: state).flatMap { state.containers[$0]!.running ? state.containers[$0]!.app : nil }
        }
    }

    /// How many containers were ever created.
    public var creations: Int { state.withLock { $0.creations } }

    /// How many pulls were asked for, fetched or not.
    public var pulls: Int { state.withLock { $0.pulls } }

    // MARK: ContainerEngine

    public func ping() async throws {}

    public func version() async throws -> String { "1.41" }

    public func imageID(_ reference: String) async throws -> String? {
        state.withLock { $0.images[Self.normalized(reference)]?.id }
    }

    public func pull(_ reference: String, auth: RegistryAuth?) async throws {
        let reference = Self.normalized(reference)
        try state.withLock { state in
            state.pulls += 1
            guard let image = state.registry[reference] else {
                throw EngineError(status: 500, message: "\(reference): manifest unknown")
            }
            state.serial += 1
            state.images[reference] = ("sha256:\(String(state.serial, radix: 16))", image)
        }
    }

    public func ensureNetwork(_ name: String, labels: [String: String]) async throws {
        state.withLock { state in
            if state.networks[name] == nil { state.networks[name] = labels }
        }
    }

    public func removeNetwork(_ name: String) async throws {
        try state.withLock { state in
            if state.containers.values.contains(where: { $0.spec.network == name }) {
                throw EngineError(status: 409, message: "network \(name) has containers")
            }
            state.networks[name] = nil
        }
    }

    public func create(_ spec: ContainerSpec) async throws -> String {
        try state.withLock { state in
            guard Self.image(spec.image, in: state) != nil else {
                throw EngineError(status: 404, message: "\(spec.image): no such image")
            }
            if state.containers.values.contains(where: { $0.spec.name == spec.name }) {
                throw EngineError(status: 409, message: "the container name \(spec.name) is already in use")
            }
            if let network = spec.network, state.networks[network] == nil {
                throw EngineError(status: 404, message: "network \(network) not found")
            }
            state.serial += 1
            state.creations += 1
            let id = String(repeating: "0", count: 8) + String(state.serial, radix: 16)
            state.containers[id] = Container(id: id, spec: spec)
            return id
        }
    }

    public func start(_ id: String) async throws {
        try state.withLock { state in
            let key = try Self.existing(id, in: state)
            guard !state.containers[key]!.running else { return }
            state.serial += 1
            var container = state.containers[key]!
            let port = container.spec.hostPort ?? 20_000 + state.serial
            container.running = true
            container.status = "running"
            container.exitCode = 0
            container.hostPort = port
            container.startedAt = Date()
            container.finishedAt = nil
            container.app = App()
            if let crash = Self.image(container.spec.image, in: state)?.crash(container.spec.environment) {
                container.logs.append(LogLine(time: Date(), stream: .stderr, message: crash.message))
                Self.exit(&container, code: crash.exitCode)
            }
            state.containers[key] = container
        }
    }

    public func stop(_ id: String, timeoutSeconds: Int) async throws {
        try state.withLock { state in
            let key = try Self.existing(id, in: state)
            if state.containers[key]!.running { Self.exit(&state.containers[key]!, code: 0) }
        }
    }

    public func remove(_ id: String, force: Bool) async throws {
        try state.withLock { state in
            guard let key = Self.key(id, in: state) else { return }
            if state.containers[key]!.running && !force {
                throw EngineError(status: 409, message: "container \(id) is running: stop it or force the removal")
            }
            state.containers[key] = nil
        }
    }

    public func inspect(_ id: String) async throws -> ContainerState? {
        state.withLock { state in
            guard let key = Self.key(id, in: state) else { return nil }
            let container = state.containers[key]!
            return ContainerState(
                id: container.id, name: container.spec.name, image: container.spec.image, labels: container.spec.labels,
                environment: container.spec.environment, running: container.running, status: container.status,
                exitCode: container.exitCode, error: "", hostPort: container.running ? container.hostPort : nil,
                networkAddresses: container.spec.network.map { [$0: "10.88.0.\(container.id.suffix(2))"] } ?? [:],
                startedAt: container.startedAt, finishedAt: container.finishedAt)
        }
    }

    public func list(labels: [String: String], all: Bool) async throws -> [ContainerSummary] {
        state.withLock { state in
            state.containers.values
                .filter { container in
                    (all || container.running) && labels.allSatisfy { container.spec.labels[$0.key] == $0.value }
                }
                .sorted { $0.id < $1.id }
                .map { ContainerSummary(id: $0.id, names: [$0.spec.name], labels: $0.spec.labels, state: $0.status) }
        }
    }

    public func logs(_ id: String, tail: Int?, since: Date?) async throws -> [LogLine] {
        try state.withLock { state in
            let lines = state.containers[try Self.existing(id, in: state)]!.logs.filter { since == nil || $0.time >= since! }
            return tail.map { Array(lines.suffix($0)) } ?? lines
        }
    }

    public func stats(_ id: String) async throws -> ContainerStats {
        try state.withLock { state in
            let container = state.containers[try Self.existing(id, in: state)]!
            guard container.running else {
                throw EngineError(status: 409, message: "stats of \(id): container is not running")
            }
            let limit = container.spec.memoryBytes ?? (8 << 30)
            return ContainerStats(cpuFraction: 0.01, memoryBytes: min(limit, 4 << 20), memoryLimitBytes: limit)
        }
    }

    public func exec(_ id: String, command: [String], timeoutSeconds: Int) async throws -> Int32 {
        let image = try state.withLock { state in
            let container = state.containers[try Self.existing(id, in: state)]!
            guard container.running else { throw EngineError(status: 409, message: "container \(id) is not running") }
            return Self.image(container.spec.image, in: state) ?? Image()
        }
        return image.exec(command)
    }

    // MARK: Helpers

    /// A container's key by id or name.
    private static func key(_ id: String, in state: State) -> String? {
        state.containers[id] != nil ? id : state.containers.values.first { $0.spec.name == id }?.id
    }

    /// An image on the engine, by reference or id.
    private static func image(_ reference: String, in state: State) -> Image? {
        state.images[normalized(reference)]?.image ?? state.images.values.first { $0.id == reference }?.image
    }

    private static func existing(_ id: String, in state: State) throws -> String {
        guard let key = key(id, in: state) else { throw EngineError(status: 404, message: "no such container: \(id)") }
        return key
    }

    private static func exit(_ container: inout Container, code: Int) {
        container.running = false
        container.status = "exited"
        container.exitCode = code
        container.hostPort = nil
        container.finishedAt = Date()
    }

    /// "name" and "name:latest" are one image, as engines see them.
    private static func normalized(_ reference: String) -> String {
        let (name, tag) = DockerEngine.split(reference)
        return reference.contains("@") ? reference : "\(name):\(tag)"
    }
}

extension InMemoryEngine {
    /// Probes of this engine's containers, answered by their apps' switches: what `NetworkProbes` would
    /// find at the published port.
    public var probes: some ProbeRunner { Probes(engine: self) }

    private struct Probes: ProbeRunner {
        let engine: InMemoryEngine

        func passes(_ probe: Probe?, port: Int, containerID: String, engine _: any ContainerEngine) async -> Bool {
            let app = engine.app(containerID)
            guard let probe else { return app?.listening == true }
            if let http = probe.httpGet {
                guard let app, app.listening else { return false }
                return (200..<400).contains(app.statuses[http.path ?? "/"] ?? 200)
            }
            if probe.tcpSocket != nil { return app?.listening == true }
            if let exec = probe.exec {
                return (try? await engine.exec(containerID, command: exec.command, timeoutSeconds: probe.timeout)) == 0
            }
            return false
        }
    }
}
