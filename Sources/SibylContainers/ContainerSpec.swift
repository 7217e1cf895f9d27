/// What to run: one replica of a deployment.
public struct ContainerSpec: Sendable, Equatable {
    public var name: String
    public var image: String
    /// Replaces the image's CMD; nil keeps it.
    public var command: [String]?
    public var environment: [String: String]
    /// The port the app listens on inside the container; it is published on 127.0.0.1.
    public var containerPort: Int
    /// The 127.0.0.1 port it is published on; nil lets the engine pick a free one.
    public var hostPort: Int?
    public var labels: [String: String]
    public var memoryBytes: Int?
    /// CPU limit in billionths of a CPU (1_000_000_000 = one core).
    public var nanoCPUs: Int?
    /// The network the container joins; nil leaves it on the engine's default one.
    public var network: String?

    public init(
        name: String, image: String, command: [String]? = nil, environment: [String: String] = [:],
        containerPort: Int, hostPort: Int? = nil, labels: [String: String] = [:], memoryBytes: Int? = nil, nanoCPUs: Int? = nil,
        network: String? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.environment = environment
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.labels = labels
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.network = network
    }
}

/// The body of `POST /containers/create`.
struct CreateContainerBody: Encodable {
    struct PortBinding: Encodable {
        let hostIP: String
        let hostPort: String
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }
    struct RestartPolicy: Encodable {
        let name: String
        enum CodingKeys: String, CodingKey { case name = "Name" }
    }
    struct HostConfig: Encodable {
        /// An init as PID 1 forwards SIGTERM (apps rarely handle it as PID 1) and reaps zombies;
        /// podman ignores `init = true` in containers.conf for API-created containers, so ask here.
        let initProcess = true
        let portBindings: [String: [PortBinding]]
        /// Sibyl restarts replicas itself, so the engine must not race it.
        let restartPolicy = RestartPolicy(name: "no")
        let memory: Int?
        let nanoCPUs: Int?
        let networkMode: String?
        enum CodingKeys: String, CodingKey {
            case initProcess = "Init", portBindings = "PortBindings", restartPolicy = "RestartPolicy"
            case memory = "Memory", nanoCPUs = "NanoCpus", networkMode = "NetworkMode"
        }
    }
    struct Empty: Encodable {}

    let image: String
    let command: [String]?
    let environment: [String]
    let labels: [String: String]
    let exposedPorts: [String: Empty]
    let hostConfig: HostConfig

    enum CodingKeys: String, CodingKey {
        case image = "Image", command = "Cmd", environment = "Env", labels = "Labels"
        case exposedPorts = "ExposedPorts", hostConfig = "HostConfig"
    }

    init(_ spec: ContainerSpec) {
        let port = "\(spec.containerPort)/tcp"
        image = spec.image
        command = spec.command
        environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        labels = spec.labels
        exposedPorts = [port: Empty()]
        // Loopback only: replicas are reached through Sibyl's proxy, never directly. An empty HostPort
        // lets the engine pick a free port.
        hostConfig = HostConfig(
            portBindings: [port: [PortBinding(hostIP: "127.0.0.1", hostPort: spec.hostPort.map(String.init) ?? "")]],
            memory: spec.memoryBytes, nanoCPUs: spec.nanoCPUs, networkMode: spec.network)
    }
}
