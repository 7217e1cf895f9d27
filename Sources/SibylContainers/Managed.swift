import SibylCore

/// Everything the supervisor holds about one deployment. Each part has one writer: `apply` the desired state,
/// the data plane the requests, and passes the fleet, which a pass works on as a copy across its engine
/// calls and puts back whole (`Supervisor.settle`) — no field of another writer is overwritten by it. The one
/// exception: `apply` resets the fleet's warm start and targets when a deployment (re)starts, which a pass in
/// flight at that moment overwrites (the next pass decides again).
struct Managed: Sendable {
    /// The deployment's replicas and what passes decided about them.
    struct Fleet: Sendable {
        var replicas: [String: Replica] = [:]
        /// Replicas wanted per region; empty until the first pass has looked at the deployment.
        var targets: [Int: Int] = [:]
        var lastChange: ContinuousClock.Instant
        /// Set while a deployment that started has had no ready replica: until then its idle time does not run.
        var warmUntilReady: ContinuousClock.Instant?
        /// When the first replica of a start became ready: idle time counts from then at the earliest.
        var readySince: ContinuousClock.Instant?
        /// On a follower: when to look for the leader's containers next.
        var nextDiscovery: ContinuousClock.Instant
        /// The engine's id of the image the current revision's replicas run, per region, once pulled for it.
        var images: [Int: String] = [:]
        /// Why containers could not be made in a region (the engine refused, the image is missing).
        var regionErrors: [Int: String] = [:]
        /// Consecutive crashes per region, for the restart back-off.
        var crashes: [Int: Int] = [:]
        /// Mean CPU and memory use of the ready replicas per region, in percent of the flavor's limits.
        var stats: [Int: (cpu: Double, memory: Double)] = [:]
        var nextStats: ContinuousClock.Instant
    }

    // Written by `apply`.
    var deployment: Deployment
    /// The revision its containers must be made from (see `Supervisor.revision`).
    var revision: String
    var unfinished: Set<DeploymentTask.Kind> = []

    // Written by the data plane.
    var lastRequest: ContinuousClock.Instant
    /// Recent requests, for the http trigger.
    var requests = RequestCounter()
    /// A request waits for a replica.
    var demand = false
    /// The requests held until a replica is ready, by waiter number (see `Supervisor.endpoint`).
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// On a follower: requests received since the leader was last told.
    var unreported = 0

    // Written by passes.
    var fleet: Fleet
    private var cursor = 0

    init(deployment: Deployment, now: ContinuousClock.Instant) {
        self.deployment = deployment
        revision = Supervisor.revision(deployment.spec)
        lastRequest = now
        // No cooldown holds the first scaling decision.
        fleet = Fleet(lastChange: now - .seconds(86_400), nextDiscovery: now, nextStats: now)
    }

    /// Idle seconds at `now`: since the last request, or since the start's first ready replica if later;
    /// none while a start is still warming up.
    func idleSeconds(at now: ContinuousClock.Instant) -> Double {
        if fleet.warmUntilReady != nil { return 0 }
        let since = max(lastRequest, fleet.readySince ?? lastRequest)
        return Supervisor.seconds(now - since)
    }

    /// The next ready replica in turn.
    mutating func nextReady() -> ReplicaEndpoint? {
        let ready = fleet.replicas.values.filter(Self.takesRequests).sorted { $0.name < $1.name }
        guard !ready.isEmpty else { return nil }
        cursor = (cursor + 1) % ready.count
        return ReplicaEndpoint(host: "127.0.0.1", port: ready[cursor].port!)
    }

    var readyCount: Int { fleet.replicas.values.filter(\.isServing).count }

    /// Whether `nextReady` has a replica to give.
    var hasReady: Bool { fleet.replicas.values.contains(where: Self.takesRequests) }

    private static func takesRequests(_ replica: Replica) -> Bool { replica.isServing && replica.port != nil }

    /// Whether every region has as many containers of the current revision as it wants.
    var isScheduled: Bool {
        deployment.spec.containers.allSatisfy { placement in
            fleet.replicas.values.filter { $0.region == placement.regionID && $0.revision == revision }.count
                >= (fleet.targets[placement.regionID] ?? 0)
        }
    }

    func load(region: Int, window: Int?, now: ContinuousClock.Instant) -> Autoscaler.Load {
        let second = now.secondsSinceStart
        let count = window.map { requests.count(window: $0, upTo: second) } ?? 0
        return Autoscaler.Load(
            requestsInWindow: count, cpuPercent: fleet.stats[region]?.cpu, memoryPercent: fleet.stats[region]?.memory)
    }

    var view: DeploymentView {
        var regions: [Int: DeploymentView.Region] = [:]
        for placement in deployment.spec.containers {
            let mine = fleet.replicas.values.filter { $0.region == placement.regionID }
            let wanted = fleet.targets[placement.regionID] ?? 0
            let failing = mine.compactMap { $0.phase == .failed || $0.phase == .unready ? $0.error : nil }.sorted().first
            regions[placement.regionID] = DeploymentView.Region(
                ready: mine.filter(\.isServing).count, total: max(wanted, mine.filter { $0.revision == revision }.count),
                error: fleet.regionErrors[placement.regionID] ?? failing)
        }
        return DeploymentView(status: status(regions), regions: regions)
    }

    private func status(_ regions: [Int: DeploymentView.Region]) -> DeploymentStatus {
        if deployment.deleting { return .deleting }
        if deployment.stopped { return .disabled }
        guard !fleet.targets.isEmpty else { return .deploying }
        let wanted = fleet.targets.values.reduce(0, +)
        let ready = readyCount
        let failing = regions.values.contains { $0.error != nil }
        if wanted == 0 { return fleet.replicas.isEmpty ? .pending : (ready > 0 && !failing ? .active : .partiallyDeployed) }
        if fleet.replicas.isEmpty && !failing { return .deploying }
        return ready >= wanted && !failing ? .active : .partiallyDeployed
    }
}

/// The continuous clock's reading when the process first counted a request, for whole seconds.
let clockOrigin = ContinuousClock.now

extension ContinuousClock.Instant {
    /// Whole seconds since `clockOrigin` (negative before it), for per-second request counts.
    var secondsSinceStart: Int64 { (self - clockOrigin).components.seconds }
}
