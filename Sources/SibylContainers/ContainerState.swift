import Foundation

/// A container as `inspect` sees it.
public struct ContainerState: Sendable, Equatable {
    public let id: String
    public let name: String
    /// The reference the container was created from, as given (not the image ID).
    public let image: String
    /// The container's labels, including those inherited from the image.
    public let labels: [String: String]
    /// The container's environment, including what the image and the engine add (PATH, HOSTNAME, ...).
    public let environment: [String: String]
    public let running: Bool
    /// Docker's word: created, running, paused, restarting, removing, exited or dead.
    public let status: String
    /// Exit status of the last run; 137 with a memory limit usually means the kernel's OOM killer
    /// (podman 4.3 never reports OOMKilled, so it is not offered here).
    public let exitCode: Int
    /// Why the engine failed to start the container, if it did.
    public let error: String
    /// The 127.0.0.1 port the container's port is published on; nil unless running, because the
    /// engine releases the port on exit (podman keeps reporting the stale one).
    public let hostPort: Int?
    /// The container's address on each network it joined, by network name.
    public let networkAddresses: [String: String]
    public let startedAt: Date?
    public let finishedAt: Date?

    public init(
        id: String, name: String, image: String, labels: [String: String], environment: [String: String],
        running: Bool, status: String, exitCode: Int, error: String, hostPort: Int?, networkAddresses: [String: String] = [:],
        startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.image = image
        self.labels = labels
        self.environment = environment
        self.running = running
        self.status = status
        self.exitCode = exitCode
        self.error = error
        self.hostPort = hostPort
        self.networkAddresses = networkAddresses
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A container as `list` sees it.
public struct ContainerSummary: Sendable, Equatable {
    public let id: String
    /// Without Docker's leading "/".
    public let names: [String]
    public let labels: [String: String]
    /// Docker's word, as `ContainerState.status`.
    public let state: String

    public init(id: String, names: [String], labels: [String: String], state: String) {
        self.id = id
        self.names = names
        self.labels = labels
        self.state = state
    }
}

/// Podman says "stopped" for a container whose process exited before its cleanup finished (the first
/// few hundred ms); Docker has no such state.
func dockerStatus(_ status: String) -> String {
    status == "stopped" ? "exited" : status
}

/// `GET /containers/{id}/json`, the parts Sibyl reads.
struct InspectWire: Decodable {
    struct State: Decodable {
        let status: String
        let running: Bool
        let exitCode: Int
        let error: String?
        let startedAt: String?
        let finishedAt: String?
        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", exitCode = "ExitCode", error = "Error"
            case startedAt = "StartedAt", finishedAt = "FinishedAt"
        }
    }
    struct Config: Decodable {
        let image: String?
        let environment: [String]?
        let labels: [String: String]?
        enum CodingKeys: String, CodingKey { case image = "Image", environment = "Env", labels = "Labels" }
    }
    struct HostConfig: Decodable {
        let nanoCPUs: Int?
        let cpuQuota: Int?
        let cpuPeriod: Int?
        enum CodingKeys: String, CodingKey { case nanoCPUs = "NanoCpus", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod" }
    }
    struct PortBinding: Decodable {
        let hostIP: String?
        let hostPort: String?
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }
    struct NetworkSettings: Decodable {
        /// Docker answers null for a port that is exposed but not published.
        struct Network: Decodable {
            let ipAddress: String?
            enum CodingKeys: String, CodingKey { case ipAddress = "IPAddress" }
        }
        let ports: [String: [PortBinding]?]?
        let networks: [String: Network]?
        enum CodingKeys: String, CodingKey { case ports = "Ports", networks = "Networks" }
    }

    let id: String
    let name: String
    let state: State
    let config: Config?
    let hostConfig: HostConfig?
    let networkSettings: NetworkSettings?

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", state = "State", config = "Config", hostConfig = "HostConfig"
        case networkSettings = "NetworkSettings"
    }

    /// CPUs the container may use, when limited.
    var cpuLimit: Double? {
        if let nano = hostConfig?.nanoCPUs, nano > 0 { return Double(nano) / 1e9 }
        if let quota = hostConfig?.cpuQuota, let period = hostConfig?.cpuPeriod, quota > 0, period > 0 {
            return Double(quota) / Double(period)
        }
        return nil
    }

    var containerState: ContainerState {
        let bindings = (networkSettings?.ports ?? [:]).filter { $0.key.hasSuffix("/tcp") }.sorted { $0.key < $1.key }
            .flatMap { $0.value ?? [] }
        let published = bindings.first { $0.hostIP == "127.0.0.1" } ?? bindings.first
        return ContainerState(
            id: id,
            name: name.hasPrefix("/") ? String(name.dropFirst()) : name,
            image: config?.image ?? "",
            labels: config?.labels ?? [:],
            environment: Dictionary(
                (config?.environment ?? []).map { entry in
                    let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                },
                uniquingKeysWith: { _, last in last }),
            running: state.running,
            status: dockerStatus(state.status),
            exitCode: state.exitCode,
            error: state.error ?? "",
            hostPort: state.running ? published?.hostPort.flatMap { Int($0) } : nil,
            networkAddresses: (networkSettings?.networks ?? [:]).compactMapValues { $0.ipAddress.flatMap { $0.isEmpty ? nil : $0 } },
            startedAt: Self.time(state.startedAt),
            finishedAt: Self.time(state.finishedAt))
    }

    /// The engine writes Go's zero time (year 1) for "never".
    private static func time(_ text: String?) -> Date? {
        guard let text, let date = EngineTime.parse(text), date.timeIntervalSince1970 > 0 else { return nil }
        return date
    }
}

/// One entry of `GET /containers/json`.
struct SummaryWire: Decodable {
    let id: String
    let names: [String]?
    let labels: [String: String]?
    let state: String
    enum CodingKeys: String, CodingKey { case id = "Id", names = "Names", labels = "Labels", state = "State" }

    var summary: ContainerSummary {
        ContainerSummary(
            id: id, names: (names ?? []).map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 },
            labels: labels ?? [:], state: dockerStatus(state))
    }
}
