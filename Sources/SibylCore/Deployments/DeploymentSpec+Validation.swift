extension DeploymentSpec {
    /// Most replicas one region may be asked for.
    public static let maxReplicas = 16

    /// Checks every field against what this node can run: flavors and regions from its configuration.
    /// The first problem is reported by its field path, e.g. `containers[0].scale.max: …`.
    public func validate(flavors: [Flavor], regions: Set<Int>) throws(SibylError) {
        func invalid(_ field: String, _ reason: String) -> SibylError { SibylError(.invalidInput, "\(field): \(reason)") }
        _ = try ImageReference(image)
        guard (1...65535).contains(listeningPort) else { throw invalid("listening_port", "must be 1 to 65535") }
        guard flavors.contains(where: { $0.name == flavorName }) else {
            throw invalid("flavor_name", "no flavor \(flavorName); this node offers \(flavors.map(\.name).joined(separator: ", "))")
        }
        guard !containers.isEmpty else { throw invalid("containers", "at least one region is required") }
        var seen: Set<Int> = []
        for (index, placement) in containers.enumerated() {
            let field = "containers[\(index)]"
            guard regions.contains(placement.regionID) else {
                throw invalid("\(field).region_id", "no region \(placement.regionID); this node has \(regions.sorted().map(String.init).joined(separator: ", "))")
            }
            guard seen.insert(placement.regionID).inserted else { throw invalid("\(field).region_id", "region given twice") }
            try placement.scale.validate("\(field).scale")
        }
        if let timeout, timeout < 0 { throw invalid("timeout", "must be 0 or more seconds") }
        for (name, _) in envs ?? [:] where name.isEmpty || name.contains("=") || name.contains("\0") {
            throw invalid("envs", "\(name.isEmpty ? "an empty name" : "name \(name)") is not a variable name")
        }
        if let command, command.isEmpty { throw invalid("command", "give at least one word, or leave it out") }
        if let keys = apiKeys, Set(keys).count != keys.count { throw invalid("api_keys", "a key is named twice") }
        for (field, config) in [
            ("startup_probe", probes?.startupProbe), ("readiness_probe", probes?.readinessProbe),
            ("liveness_probe", probes?.livenessProbe),
        ] {
            guard let config else { continue }
            if config.enabled && config.probe == nil { throw invalid("probes.\(field).probe", "required when enabled") }
            try config.probe?.validate("probes.\(field).probe")
            // Replicas publish their listening port only (on loopback), so that is the port a probe can reach.
            if let port = config.probe?.httpGet?.port ?? config.probe?.tcpSocket?.port, port != listeningPort {
                throw invalid("probes.\(field).probe", "port \(port) is not the listening port \(listeningPort), the one Sibyl can reach")
            }
        }
    }
}

extension Scale {
    func validate(_ field: String) throws(SibylError) {
        func invalid(_ name: String, _ reason: String) -> SibylError { SibylError(.invalidInput, "\(field).\(name): \(reason)") }
        guard min >= 0 else { throw invalid("min", "must be 0 or more") }
        guard max >= 1, max >= min, max <= DeploymentSpec.maxReplicas else {
            throw invalid("max", "must be at least 1 and min, and at most \(DeploymentSpec.maxReplicas)")
        }
        if let cooldownPeriod, cooldownPeriod < 0 { throw invalid("cooldown_period", "must be 0 or more seconds") }
        if let pollingInterval, pollingInterval < 1 { throw invalid("polling_interval", "must be 1 or more seconds") }
        guard let triggers else { return }
        for (name, threshold) in [("cpu", triggers.cpu), ("memory", triggers.memory)] {
            if let threshold, !(1...100).contains(threshold.threshold) {
                throw invalid("triggers.\(name).threshold", "a percentage, 1 to 100")
            }
        }
        if triggers.gpuUtilization != nil || triggers.gpuMemory != nil {
            throw invalid("triggers", "GPU triggers need a GPU flavor, and this node's flavors have none")
        }
        if triggers.sqs != nil { throw invalid("triggers.sqs", "queue triggers are not supported: Sibyl runs no queue service") }
        if let http = triggers.http, http.rate < 1 || http.window < 1 {
            throw invalid("triggers.http", "rate and window must be 1 or more")
        }
    }
}

extension Probe {
    func validate(_ field: String) throws(SibylError) {
        func invalid(_ name: String, _ reason: String) -> SibylError { SibylError(.invalidInput, "\(field)\(name): \(reason)") }
        let actions = [exec != nil, httpGet != nil, tcpSocket != nil].filter { $0 }.count
        guard actions == 1 else { throw invalid("", "give exactly one of exec, http_get and tcp_socket") }
        if let exec, exec.command.isEmpty { throw invalid(".exec.command", "give at least one word") }
        for port in [httpGet?.port, tcpSocket?.port].compactMap({ $0 }) where !(1...65535).contains(port) {
            throw invalid(httpGet != nil ? ".http_get.port" : ".tcp_socket.port", "must be 1 to 65535")
        }
        if let schema = httpGet?.schema, schema.uppercased() != "HTTP" && schema.uppercased() != "HTTPS" {
            throw invalid(".http_get.schema", "HTTP or HTTPS")
        }
        if let path = httpGet?.path, !path.hasPrefix("/") { throw invalid(".http_get.path", "must start with /") }
        for (name, value, least) in [
            ("initial_delay_seconds", initialDelaySeconds, 0), ("period_seconds", periodSeconds, 1),
            ("timeout_seconds", timeoutSeconds, 1), ("success_threshold", successThreshold, 1),
            ("failure_threshold", failureThreshold, 1),
        ] {
            if let value, value < least { throw invalid(".\(name)", "must be \(least) or more") }
        }
    }
}
