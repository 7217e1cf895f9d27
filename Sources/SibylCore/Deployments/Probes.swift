/// The checks Sibyl runs against each replica (engines here cannot schedule health checks themselves):
/// startup gates the others, readiness decides whether a replica takes requests, liveness restarts it.
public struct Probes: Codable, Sendable, Equatable {
    public var startupProbe: ProbeConfig?
    public var readinessProbe: ProbeConfig?
    public var livenessProbe: ProbeConfig?

    public init(startupProbe: ProbeConfig? = nil, readinessProbe: ProbeConfig? = nil, livenessProbe: ProbeConfig? = nil) {
        self.startupProbe = startupProbe
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
    }

    enum CodingKeys: String, CodingKey {
        case startupProbe = "startup_probe", readinessProbe = "readiness_probe", livenessProbe = "liveness_probe"
    }
}

public struct ProbeConfig: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var probe: Probe?

    public init(enabled: Bool, probe: Probe?) {
        self.enabled = enabled
        self.probe = probe
    }

    /// The probe to run, when enabled and given.
    public var active: Probe? { enabled ? probe : nil }
}

/// One check, with Kubernetes' timing fields and defaults (0 s delay, every 10 s, 1 s timeout, 1 success,
/// 3 failures), which answers always spell out in full.
public struct Probe: Codable, Sendable, Equatable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var initialDelaySeconds: Int?
    public var periodSeconds: Int?
    public var timeoutSeconds: Int?
    public var successThreshold: Int?
    public var failureThreshold: Int?

    public init(
        exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
        initialDelaySeconds: Int? = nil, periodSeconds: Int? = nil, timeoutSeconds: Int? = nil,
        successThreshold: Int? = nil, failureThreshold: Int? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }

    enum CodingKeys: String, CodingKey {
        case exec
        case httpGet = "http_get", tcpSocket = "tcp_socket", initialDelaySeconds = "initial_delay_seconds"
        case periodSeconds = "period_seconds", timeoutSeconds = "timeout_seconds"
        case successThreshold = "success_threshold", failureThreshold = "failure_threshold"
    }

    public var initialDelay: Int { initialDelaySeconds ?? 0 }
    public var period: Int { periodSeconds ?? 10 }
    public var timeout: Int { timeoutSeconds ?? 1 }
    public var successes: Int { successThreshold ?? 1 }
    public var failures: Int { failureThreshold ?? 3 }

    /// The same probe with every default written out, as answers give it.
    public var filled: Probe {
        var probe = self
        probe.initialDelaySeconds = initialDelay
        probe.periodSeconds = period
        probe.timeoutSeconds = timeout
        probe.successThreshold = successes
        probe.failureThreshold = failures
        probe.httpGet = httpGet.map { action in
            var action = action
            action.path = action.path ?? "/"
            action.schema = action.schema ?? "HTTP"
            action.headers = action.headers ?? [:]
            return action
        }
        return probe
    }
}

public struct ExecAction: Codable, Sendable, Equatable {
    public var command: [String]
    public init(command: [String]) { self.command = command }
}

public struct HTTPGetAction: Codable, Sendable, Equatable {
    public var port: Int
    public var path: String?
    public var schema: String?
    public var host: String?
    public var headers: [String: String]?

    public init(port: Int, path: String? = nil, schema: String? = nil, host: String? = nil, headers: [String: String]? = nil) {
        self.port = port
        self.path = path
        self.schema = schema
        self.host = host
        self.headers = headers
    }
}

public struct TCPSocketAction: Codable, Sendable, Equatable {
    public var port: Int
    public init(port: Int) { self.port = port }
}
