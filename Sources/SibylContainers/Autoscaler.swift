import SibylCore

/// How many replicas a deployment wants in one region: a pure function of its spec, its traffic and its
/// replicas' load, so that the rules can be tested without containers.
///
/// - stopped or deleting: none;
/// - idle for `timeout` seconds: `scale.min` (zero when min is 0: the deployment goes PENDING);
/// - otherwise (requested, or started, within the timeout) at least one, and the current count, one more when a trigger fires (requests per replica over the http
///   trigger's window, or CPU or memory above their thresholds) and one fewer when none is near its
///   threshold (under half of it), at most one change per `cooldown_period`, within min…max.
struct Autoscaler {
    struct Load {
        /// Requests in the http trigger's window.
        var requestsInWindow: Int
        /// Mean CPU and memory use of the ready replicas, in percent of the flavor's limits.
        var cpuPercent: Double? = nil
        var memoryPercent: Double? = nil
    }

    static func target(
        scale: Scale, current: Int, stopped: Bool, idleSeconds: Double, idleTimeout: Int, demand: Bool, load: Load,
        secondsSinceLastChange: Double
    ) -> Int {
        guard !stopped else { return 0 }
        if idleSeconds >= Double(idleTimeout) && !demand { return scale.min }
        // In use (requested, or just started, within the timeout): at least one replica.
        var target = max(current, scale.min, 1)
        let cooled = secondsSinceLastChange >= Double(scale.cooldownPeriod ?? Scale.defaultCooldownPeriod)
        if cooled, current > 0, let triggers = scale.triggers {
            var pressure: [Double] = []
            if let http = triggers.http {
                pressure.append(Double(load.requestsInWindow) / Double(current) / Double(http.rate))
            }
            if let cpu = triggers.cpu, let used = load.cpuPercent { pressure.append(used / Double(cpu.threshold)) }
            if let memory = triggers.memory, let used = load.memoryPercent { pressure.append(used / Double(memory.threshold)) }
            if pressure.contains(where: { $0 > 1 }) {
                target = current + 1
            } else if !pressure.isEmpty, pressure.allSatisfy({ $0 < 0.5 }) {
                target = current - 1
            }
        }
        return min(max(target, scale.min, 1), scale.max)
    }
}
