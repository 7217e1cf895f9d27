import Foundation

/// What Sibyl asks of a container engine: images, networks, containers, their logs, stats and commands.
/// `DockerEngine` speaks to Docker or Podman; `InMemoryEngine` keeps containers as values, for tests that
/// drive the supervisor without a real engine. Both pass the same contract tests. Every failure is an
/// `EngineError`.
public protocol ContainerEngine: Sendable {
    func ping() async throws
    /// The API version the engine speaks, e.g. "1.41".
    func version() async throws -> String
    /// The engine's id of the image `reference` names now, or nil when it has none.
    func imageID(_ reference: String) async throws -> String?
    /// Pulls `reference` ("registry/name:tag", tag "latest" when left out, or "name@sha256:..."). A registry
    /// failure is an `EngineError` with status 500.
    func pull(_ reference: String, auth: RegistryAuth?) async throws
    /// Makes the network `name` unless it exists; containers on different networks cannot reach each other.
    func ensureNetwork(_ name: String, labels: [String: String]) async throws
    /// Removes a network; one that is gone counts as removed, one still in use is an error.
    func removeNetwork(_ name: String) async throws
    /// Creates (does not start) the container; returns its ID. A missing image is a 404, a taken name a 409.
    func create(_ spec: ContainerSpec) async throws -> String
    /// Starting a running container is fine.
    func start(_ id: String) async throws
    /// SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped container is fine.
    func stop(_ id: String, timeoutSeconds: Int) async throws
    /// Removes the container; one that is already gone counts as removed.
    func remove(_ id: String, force: Bool) async throws
    /// Nil when there is no such container.
    func inspect(_ id: String) async throws -> ContainerState?
    /// Containers carrying every one of `labels`; stopped ones too when `all`.
    func list(labels: [String: String], all: Bool) async throws -> [ContainerSummary]
    /// Stdout and stderr, oldest first: the last `tail` lines, from `since` on.
    func logs(_ id: String, tail: Int?, since: Date?) async throws -> [LogLine]
    /// CPU and memory use now. A container that is not running is a 409, one that does not exist a 404.
    func stats(_ id: String) async throws -> ContainerStats
    /// Runs `command` in the running container and returns its exit status; 504 when still running after
    /// `timeoutSeconds`.
    func exec(_ id: String, command: [String], timeoutSeconds: Int) async throws -> Int32
}

extension ContainerEngine {
    public func imageExists(_ reference: String) async throws -> Bool {
        try await imageID(reference) != nil
    }
}
