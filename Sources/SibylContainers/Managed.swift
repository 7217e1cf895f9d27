import SibylCore

/// Everything the supervisor holds about one deployment.
struct Managed: Sendable {
    var deployment: Deployment
    /// The revision its containers must be made from (see `Supervisor.revision`).
    var revision: String
    var replicas: [String: Replica] = [:]
    /// Replicas wanted per region; empty until the first pass has looked at the deployment.
    var targets: [Int: Int] = [:]
    var lastRequest: ContinuousClock.Instant
    /// Set while a deployment that started has had no ready replica: until then its idle time does not run.
    var warmUntilReady: ContinuousClock.Instant?
    var lastChange: ContinuousClock.Instant
    /// Recent requests, for the http trigger.
    var requests = RequestCounter()
    /// A request waits for a replica.
    var demand = false
    /// The requests held until a replica is ready, by waiter number (see `Supervisor.endpoint`).
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// On a follower: requests received since the leader was last told, and when to look for the leader's
    /// containers next.
    var unreported = 0
    var nextDiscovery: ContinuousClock.Instant
    var unfinished: Set<DeploymentTask.Kind> = []
    /// The engine's id of the image the current revision's replicas run, per region, once pulled for it.
    var images: [Int: String] = [:]
    /// Why containers could not be made in a region (the engine refused, the image is missing).
    var regionErrors: [Int: String] = [:]
    /// Consecutive crashes per region, for the restart back-off.
    var crashes: [Int: Int] = [:]
    /// Mean CPU and memory use of the ready replicas per region, in percent of the flavor's limits.
    var stats: [Int: (cpu: Double, memory: Double)] = [:]
    var nextStats: ContinuousClock.Instant
    private var cursor = 0

    init(deployment: Deployment, now: ContinuousClock.Instant) {
        self.deployment = deployment
        revision = Supervisor.revision(deployment.spec)
        lastRequest = now
        // No cooldown holds the first scaling decision.
        lastChange = now - .seconds(86_400)
        nextStats = now
        nextDiscovery = now
    }

    /// The next ready replica in turn.
    mutating func nextReady() -> ReplicaEndpoint? {
        let ready = replicas.values.filter(Self.takesRequests).sorted { $0.name < $1.name }
        guard !ready.isEmpty else { return nil }
        cursor = (cursor + 1) % ready.count
        return ReplicaEndpoint(host: "127.0.0.1", port: ready[cursor].port!)
    }

    var readyCount: Int { replicas.values.filter(\.isServing).count }

    /// Whether `nextReady` has a replica to give.
    var hasReady: Bool { replicas.values.contains(where: Self.takesRequests) }

    private static func takesRequests(_ replica: Replica) -> Bool { replica.isServing && replica.port != nil }

    /// Whether every region has as many containers of the current revision as it wants.
    var isScheduled: Bool {
        deployment.spec.containers.allSatisfy { placement in
            replicas.values.filter { $0.region == placement.regionID && $0.revision == revision }.count
                >= (targets[placement.regionID] ?? 0)
        }
    }

    func load(region: Int, window: Int?, now: ContinuousClock.Instant) -> Autoscaler.Load {
        let second = now.secondsSinceStart
        let count = window.map { requests.count(window: $0, upTo: second) } ?? 0
        return Autoscaler.Load(requestsInWindow: count, cpuPercent: stats[region]?.cpu, memoryPercent: stats[region]?.memory)
    }

    var view: DeploymentView {
        var regions: [Int: DeploymentView.Region] = [:]
        for placement in deployment.spec.containers {
            let mine = replicas.values.filter { $0.region == placement.regionID }
            let wanted = targets[placement.regionID] ?? 0
            let failing = mine.compactMap { $0.phase == .failed || $0.phase == .unready ? $0.error : nil }.sorted().first
            regions[placement.regionID] = DeploymentView.Region(
                ready: mine.filter(\.isServing).count, total: max(wanted, mine.filter { $0.revision == revision }.count),
                error: regionErrors[placement.regionID] ?? failing)
        }
        return DeploymentView(status: status(regions), regions: regions)
    }

    private func status(_ regions: [Int: DeploymentView.Region]) -> DeploymentStatus {
        if deployment.deleting { return .deleting }
        if deployment.stopped { return .disabled }
        guard !targets.isEmpty else { return .deploying }
        let wanted = targets.values.reduce(0, +)
        let ready = readyCount
        let failing = regions.values.contains { $0.error != nil }
        if wanted == 0 { return replicas.isEmpty ? .pending : (ready > 0 && !failing ? .active : .partiallyDeployed) }
        if replicas.isEmpty && !failing { return .deploying }
        return ready >= wanted && !failing ? .active : .partiallyDeployed
    }
}

/// The continuous clock's reading when the process first counted a request, for whole seconds.
let clockOrigin = ContinuousClock.now

extension ContinuousClock.Instant {
    /// Whole seconds since `clockOrigin` (negative before it), for per-second request counts.
    var secondsSinceStart: Int64 { (self - clockOrigin).components.seconds }
}
