/// What a user asks of a container deployment (seed 002): the image and how to run, scale, probe and
/// reach it. Field names on the wire are the compatible API's own (`listening_port`, `flavor_name`, …),
/// and the stored form is the same JSON, so nothing is lost between the API, the store and the supervisor.
public struct DeploymentSpec: Codable, Sendable, Equatable {
    public var image: String
    public var listeningPort: Int
    public var flavorName: String
    public var containers: [ContainerPlacement]
    /// Overrides the image's command.
    public var command: [String]?
    public var envs: [String: String]?
    public var probes: Probes?
    /// Names of the project's inference keys that may call the deployment; keys are checked when any is
    /// attached, or when `authEnabled` is set.
    public var apiKeys: [String]?
    public var authEnabled: Bool?
    /// Seconds without requests after which replicas scale down to `scale.min` (to zero when min is 0).
    public var timeout: Int?
    public var ingressOpts: IngressOptions?
    public var logging: LoggingOptions?
    public var credentialsName: String?
    public var description: String?

    public init(
        image: String, listeningPort: Int, flavorName: String, containers: [ContainerPlacement], command: [String]? = nil,
        envs: [String: String]? = nil, probes: Probes? = nil, apiKeys: [String]? = nil, authEnabled: Bool? = nil,
        timeout: Int? = nil, ingressOpts: IngressOptions? = nil, logging: LoggingOptions? = nil,
        credentialsName: String? = nil, description: String? = nil
    ) {
        self.image = image
        self.listeningPort = listeningPort
        self.flavorName = flavorName
        self.containers = containers
        self.command = command
        self.envs = envs
        self.probes = probes
        self.apiKeys = apiKeys
        self.authEnabled = authEnabled
        self.timeout = timeout
        self.ingressOpts = ingressOpts
        self.logging = logging
        self.credentialsName = credentialsName
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case image, containers, command, envs, probes, timeout, logging, description
        case listeningPort = "listening_port", flavorName = "flavor_name", apiKeys = "api_keys"
        case authEnabled = "auth_enabled", ingressOpts = "ingress_opts", credentialsName = "credentials_name"
    }

    /// The idle timeout when none is given (the vendor's default).
    public static let defaultTimeout = 120

    /// Whether requests must carry one of the deployment's keys.
    public var requiresKey: Bool { !(apiKeys ?? []).isEmpty || authEnabled == true }

    /// Idle seconds before scaling down to `scale.min`.
    public var idleTimeout: Int { timeout ?? Self.defaultTimeout }
}

/// A deployment's containers in one region: how many replicas and when to add or remove them.
public struct ContainerPlacement: Codable, Sendable, Equatable {
    public var regionID: Int
    public var scale: Scale

    public init(regionID: Int, scale: Scale) {
        self.regionID = regionID
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey {
        case scale
        case regionID = "region_id"
    }
}

public struct Scale: Codable, Sendable, Equatable {
    public var min: Int
    public var max: Int
    /// Seconds to wait after a scaling action before the next one.
    public var cooldownPeriod: Int?
    /// Seconds between evaluations of the triggers.
    public var pollingInterval: Int?
    public var triggers: Triggers?

    public init(min: Int, max: Int, cooldownPeriod: Int? = nil, pollingInterval: Int? = nil, triggers: Triggers? = nil) {
        self.min = min
        self.max = max
        self.cooldownPeriod = cooldownPeriod
        self.pollingInterval = pollingInterval
        self.triggers = triggers
    }

    enum CodingKeys: String, CodingKey {
        case min, max, triggers
        case cooldownPeriod = "cooldown_period", pollingInterval = "polling_interval"
    }

    public static let defaultCooldownPeriod = 60
    public static let defaultPollingInterval = 30
}

/// When to add replicas: a usage threshold (percent of the flavor's limit) or a request rate.
public struct Triggers: Codable, Sendable, Equatable {
    public var cpu: Threshold?
    public var memory: Threshold?
    public var gpuUtilization: Threshold?
    public var gpuMemory: Threshold?
    public var http: HTTPTrigger?
    /// Queue-driven scaling needs a queue service Sibyl does not run; a spec that names one is refused.
    public var sqs: SQSTrigger?

    public init(cpu: Threshold? = nil, memory: Threshold? = nil, http: HTTPTrigger? = nil) {
        self.cpu = cpu
        self.memory = memory
        self.http = http
    }

    enum CodingKeys: String, CodingKey {
        case cpu, memory, http, sqs
        case gpuUtilization = "gpu_utilization", gpuMemory = "gpu_memory"
    }
}

public struct Threshold: Codable, Sendable, Equatable {
    public var threshold: Int
    public init(threshold: Int) { self.threshold = threshold }
}

/// More than `rate` requests per replica in `window` seconds adds a replica.
public struct HTTPTrigger: Codable, Sendable, Equatable {
    public var rate: Int
    public var window: Int
    public init(rate: Int, window: Int) {
        self.rate = rate
        self.window = window
    }
}

/// Kept only so that a spec naming a queue trigger is recognised, and refused by name.
public struct SQSTrigger: Codable, Sendable, Equatable {
    public var queueURL: String?
    enum CodingKeys: String, CodingKey { case queueURL = "queue_url" }
}

public struct IngressOptions: Codable, Sendable, Equatable {
    /// Stream the container's answer as it comes instead of collecting it first.
    public var disableResponseBuffering: Bool
    public init(disableResponseBuffering: Bool) { self.disableResponseBuffering = disableResponseBuffering }
    enum CodingKeys: String, CodingKey { case disableResponseBuffering = "disable_response_buffering" }
}

/// Accepted and returned as given; Sibyl keeps a deployment's logs in its engine, not in a log service.
public struct LoggingOptions: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var destinationRegionID: Int?
    public var topicName: String?
    public var retentionPolicy: RetentionPolicy?

    public struct RetentionPolicy: Codable, Sendable, Equatable {
        public var period: Int?
    }

    enum CodingKeys: String, CodingKey {
        case enabled
        case destinationRegionID = "destination_region_id", topicName = "topic_name", retentionPolicy = "retention_policy"
    }
}
