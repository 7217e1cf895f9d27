import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SibylCore

/// Runs every deployment's replicas on the container engines and keeps them as their specs ask: creates
/// and removes containers, probes them, scales them (to zero and back), replaces those that die, and
/// finishes the deployments' tasks. The gateway asks it for a ready replica per request.
///
/// One loop does all the work, a pass every `interval` or as soon as something changes; engine calls for
/// different deployments run concurrently within a pass. Replicas are labelled, so a restarted node
/// adopts the ones still matching their spec and removes the rest.
///
/// Nodes sharing a database share the engines: one of them leads (creates, scales, replaces and removes
/// containers, finishes tasks); the others follow: they find the leader's containers on the engines, probe
/// them for their own gateway, and tell the leader of the requests they receive (for idle time, the http
/// trigger and cold starts). A follower that becomes leader adopts the containers it finds.
public final class Supervisor: Service, Sendable {
    /// What the supervisor tells the store.
    public struct Callbacks: Sendable {
        /// Ends the deployment's unfinished tasks of these kinds: FINISHED, or ERROR with the message.
        public var finishTasks: @Sendable (Deployment, [DeploymentTask.Kind], String?) async -> Void
        /// Removes the record of a deployment whose containers are gone.
        public var deleted: @Sendable (Deployment) async -> Void
        /// The registry login to pull a deployment's image with, when it names credentials.
        public var registryAuth: @Sendable (Deployment) async -> RegistryAuth?
        /// On a follower: tells the leader how many requests the deployment received here, and whether one
        /// waits for a replica (`received(…)` on the leader).
        public var report: @Sendable (Deployment, _ requests: Int, _ waiting: Bool) async -> Void

        public init(
            finishTasks: @escaping @Sendable (Deployment, [DeploymentTask.Kind], String?) async -> Void,
            deleted: @escaping @Sendable (Deployment) async -> Void,
            registryAuth: @escaping @Sendable (Deployment) async -> RegistryAuth?,
            report: @escaping @Sendable (Deployment, Int, Bool) async -> Void = { _, _, _ in }
        ) {
            self.finishTasks = finishTasks
            self.deleted = deleted
            self.registryAuth = registryAuth
            self.report = report
        }
    }

    let engines: [Int: any ContainerEngine]
    /// The installation's identifier, a label of every container it runs.
    let installation: String
    let flavors: [String: Flavor]
    let interval: Duration
    let probes: any ProbeRunner
    /// What idle times, back-offs, probe periods and request counts are measured with.
    let clock: MonotonicClock
    let callbacks: Callbacks
    let logger: Logger
    /// The most requests held at once per deployment while none of its replicas is ready.
    let heldRequestLimit: Int
    let managed = Mutex<[String: Managed]>([:])
    /// Numbers the held requests (`Managed.waiters`).
    private let waiterNumbers = Atomic(0)
    /// Whether this node runs the containers (always, alone on its database) or follows another's.
    private let leading: Mutex<Bool>
    /// Set when this node has just become the leader (or starts as one): the next pass adopts what it finds.
    private let takingOver: Mutex<Bool>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    public init(
        engines: [Int: any ContainerEngine], installation: String, flavors: [Flavor], probes: any ProbeRunner,
        clock: MonotonicClock = .continuous, interval: Duration, heldRequestLimit: Int, leading: Bool = true,
        callbacks: Callbacks, logger: Logger
    ) {
        self.heldRequestLimit = heldRequestLimit
        self.leading = Mutex(leading)
        takingOver = Mutex(leading)
        self.engines = engines
        self.installation = installation
        _ = clockOrigin
        self.flavors = Dictionary(flavors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.interval = interval
        self.probes = probes
        self.clock = clock
        self.callbacks = callbacks
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Desired state

    /// Takes a deployment's stored state: new, changed, stopped, started or being deleted. `task` is the
    /// kind of task this change opened, which the supervisor finishes once the change is carried out.
    public func apply(_ deployment: Deployment, task: DeploymentTask.Kind? = nil) {
        apply(deployment, tasks: task.map { [$0] } ?? [])
    }

    /// How long a starting deployment stays warm while none of its replicas is ready yet: a replica that
    /// cannot start at all is not retried for ever once nobody asks for it.
    static let longestWarmStart = Duration.seconds(300)

    /// `apply` with several open tasks (at start, for the tasks a stop interrupted).
    public func apply(_ deployment: Deployment, tasks: Set<DeploymentTask.Kind>) {
        let now = clock.now
        managed.withLock { all in
            let key = Self.key(deployment)
            var entry = all[key] ?? Managed(deployment: deployment, now: now)
            // A deployment that starts (created, or started after a stop) is warm: it runs until idle, counted
            // from its first ready replica (a slow pull or start must not count as idle time).
            if all[key] == nil || (entry.deployment.stopped && !deployment.stopped) {
                entry.lastRequest = now
                entry.fleet.warmUntilReady = now + Self.longestWarmStart
                entry.fleet.readySince = nil
                // Until the next pass decides, the deployment is DEPLOYING, not at its stopped targets.
                entry.fleet.targets = [:]
            }
            entry.deployment = deployment
            let revision = Self.revision(deployment.spec)
            if revision != entry.revision { entry.fleet.images = [:] }
            entry.revision = revision
            entry.unfinished.formUnion(tasks)
            all[key] = entry
        }
        wakeUp.yield()
    }

    /// Every stored deployment, as a node that did not make the changes learns them: each is applied (its
    /// open tasks finished once carried out), and those gone from the store are forgotten.
    public func sync(_ deployments: [Deployment]) {
        for deployment in deployments {
            apply(deployment, tasks: deployment.deleting ? [.delete] : [.create, .update])
        }
        let keys = Set(deployments.map(Self.key))
        let gone = managed.withLock { all in
            defer { all = all.filter { keys.contains($0.key) } }
            return all.filter { !keys.contains($0.key) }.values.flatMap(\.waiters.values)
        }
        Self.resume(gone)
    }

    public var isLeading: Bool { leading.withLock { $0 } }

    /// Leads or follows from now on. A new leader takes over the containers it finds on the engines.
    public func setLeading(_ value: Bool) {
        let changed = leading.withLock { leading in
            defer { leading = value }
            return leading != value
        }
        guard changed else { return }
        logger.notice(value ? "leading: this node now runs the deployments' containers" : "following another node's containers")
        if value {
            takingOver.withLock { $0 = true }
        } else {
            // Requests counted while leading are the leader's own already: a new follower reports only newer ones.
            managed.withLock { all in
                for key in Array(all.keys) { all[key]!.unreported = 0 }
            }
        }
        wakeUp.yield()
    }

    /// On the leader: requests another node received for a deployment, and whether one waits for a replica.
    public func received(projectID: Int, name: String, requests: Int, waiting: Bool) {
        guard isLeading else { return }
        let now = clock.now
        managed.withLock { all in
            let key = "\(projectID)/\(name)"
            guard all[key] != nil else { return }
            if requests > 0 {
                all[key]!.lastRequest = now
                all[key]!.requests.record(at: now.secondsSinceStart, count: requests)
            }
            if waiting { all[key]!.demand = true }
        }
        if waiting { wakeUp.yield() }
    }

    public func view(_ deployment: Deployment) -> DeploymentView {
        guard let entry = managed.withLock({ $0[Self.key(deployment)] }) else {
            return DeploymentView(status: deployment.deleting ? .deleting : deployment.stopped ? .disabled : .deploying, regions: [:])
        }
        return entry.view
    }

    // MARK: Data plane

    /// A ready replica for one request, in turn; when none is ready (scaled to zero, or starting), the
    /// request is held until one is, up to `timeout`: woken by the pass that finds a replica ready (or the
    /// deployment gone), not polling. At most `heldRequestLimit` requests are held per deployment; more are
    /// refused at once with `overloaded`. Every call counts as a request for idle time and the http trigger.
    public func endpoint(_ deployment: Deployment, timeout: Duration) async throws(SibylError) -> ReplicaEndpoint {
        let key = Self.key(deployment)
        let deadline = ContinuousClock.now + timeout
        var held = false
        while true {
            let now = clock.now
            // Mutated in place: a copy of the entry would copy its request counts on every request.
            let found: Lookup = managed.withLock { all in
                guard all[key] != nil else { return .gone }
                all[key]!.lastRequest = now
                if !held {
                    all[key]!.requests.record(at: now.secondsSinceStart)
                    all[key]!.unreported += 1
                }
                if let endpoint = all[key]!.nextReady() { return .ready(endpoint) }
                all[key]!.demand = true
                return held || all[key]!.waiters.count < heldRequestLimit ? .none : .full
            }
            switch found {
            case .ready(let endpoint): return endpoint
            case .gone: throw SibylError(.upstreamUnavailable, "no replica of the deployment became ready in time")
            case .full:
                throw SibylError(
                    .overloaded, "\(heldRequestLimit) requests already wait for the deployment to start: retry shortly")
            case .none: break
            }
            if !held {
                wakeUp.yield()
                held = true
            }
            guard ContinuousClock.now < deadline else { break }
            await hold(key, until: deadline)
            // A client gone: nobody waits for the answer.
            if Task.isCancelled { break }
        }
        throw SibylError(.upstreamUnavailable, "no replica of the deployment became ready in time")
    }

    private enum Lookup {
        case ready(ReplicaEndpoint)
        /// No replica is ready; the request may wait.
        case none
        /// No replica is ready and the deployment holds as many requests as it may.
        case full
        case gone
    }

    /// Waits until a pass settles the deployment with a replica ready, the deployment goes, `deadline`
    /// passes or the task is cancelled, whichever is first. The request waits as a continuation in
    /// `Managed.waiters`, and a sleeping task keeps the deadline: no time is spent while it waits.
    private func hold(_ key: String, until deadline: ContinuousClock.Instant) async {
        let number = waiterNumbers.add(1, ordering: .relaxed).newValue
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        // Checked under the lock that `settle` resumes under, so no readiness is missed.
                        let waiting = self.managed.withLock { all in
                            guard all[key] != nil, !all[key]!.hasReady, !Task.isCancelled else { return false }
                            all[key]!.waiters[number] = continuation
                            return true
                        }
                        if !waiting { continuation.resume() }
                    }
                } onCancel: {
                    self.managed.withLock { all in all[key]?.waiters.removeValue(forKey: number) }?.resume()
                }
            }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Resumes held requests (taken out of their entry), to look again: a replica is ready, or the
    /// deployment is gone.
    private static func resume(_ waiters: some Sequence<CheckedContinuation<Void, Never>>) {
        for waiter in waiters { waiter.resume() }
    }

    /// Drops a deployment that is gone; the requests it held are answered at once.
    private func forget(_ key: String) {
        if let entry = managed.withLock({ $0.removeValue(forKey: key) }) { Self.resume(entry.waiters.values) }
    }

    // MARK: Logs

    /// The lines every replica of the deployment wrote (the engine keeps them), oldest or newest first.
    public func logs(_ deployment: Deployment, regionID: Int?, newestFirst: Bool) async throws(SibylError) -> [DeploymentLogLine] {
        var lines: [(Date, DeploymentLogLine)] = []
        for placement in deployment.spec.containers where regionID == nil || placement.regionID == regionID {
            guard let engine = engines[placement.regionID] else { continue }
            do {
                // By region too: two regions may share an engine.
                var labels = labels(deployment)
                labels["sibyl.region"] = "\(placement.regionID)"
                for container in try await engine.list(labels: labels, all: true) {
                    let name = Self.name(container)
                    for line in try await engine.logs(container.id, tail: 1_000, since: nil) {
                        // The engine's times are whole seconds.
                        let time = UTCDay.dateTime(fromEpochSeconds: Int64(line.time.timeIntervalSince1970))
                        lines.append((line.time, DeploymentLogLine(
                            time: time, message: line.message, replica: name, regionID: placement.regionID)))
                    }
                }
            } catch {
                throw SibylError(.engineUnavailable, "the container engine of region \(placement.regionID) did not answer: \(error)")
            }
        }
        lines.sort { newestFirst ? $0.0 > $1.0 : $0.0 < $1.0 }
        return lines.map(\.1)
    }

    // MARK: The loop

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // The interval's tick, beside the wake-ups that changes send.
            group.addTask { [wakeUp, interval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    wakeUp.yield()
                }
            }
            for await _ in wakeUps.cancelOnGracefulShutdown() {
                await pass()
            }
            group.cancelAll()
        }
    }

    /// One look at every deployment: as the leader, or as a follower.
    func pass() async {
        let leads = isLeading
        if leads && takingOver.withLock({ taking in defer { taking = false }; return taking }) {
            // What a follower saw is probed again from scratch once adopted.
            managed.withLock { all in
                for key in Array(all.keys) {
                    all[key]!.fleet.replicas = [:]
                    all[key]!.fleet.targets = [:]
                }
            }
            await adopt()
        }
        let snapshot = managed.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for (key, entry) in snapshot {
                group.addTask { leads ? await self.reconcile(key, entry) : await self.follow(key, entry) }
            }
        }
    }

    /// A follower's turn: the leader's containers of the current revision, probed here; the requests
    /// received here, told to the leader.
    private func follow(_ key: String, _ snapshot: Managed) async {
        var entry = snapshot
        if entry.deployment.deleting {
            forget(key)
            return
        }
        let now = clock.now
        for placement in entry.deployment.spec.containers {
            guard let engine = engines[placement.regionID] else { continue }
            await discover(&entry, region: placement.regionID, engine: engine, now: now)
            await refresh(&entry, region: placement.regionID, engine: engine, now: now)
            entry.fleet.targets[placement.regionID] = entry.fleet.replicas.values.filter { $0.region == placement.regionID }.count
        }
        let (requests, waiting) = managed.withLock { all -> (Int, Bool) in
            guard all[key] != nil else { return (0, false) }
            defer { all[key]!.unreported = 0 }
            return (all[key]!.unreported, all[key]!.demand && entry.readyCount == 0)
        }
        if requests > 0 || waiting { await callbacks.report(entry.deployment, requests, waiting) }
        settle(key, entry, finished: [])
    }

    private func reconcile(_ key: String, _ snapshot: Managed) async {
        let deployment = snapshot.deployment
        if deployment.deleting {
            await remove(snapshot.fleet.replicas.values, everythingOf: deployment)
            await callbacks.deleted(deployment)
            await callbacks.finishTasks(deployment, [.delete], nil)
            await callbacks.finishTasks(deployment, [.create, .update], "the deployment was deleted")
            forget(key)
            return
        }
        var entry = snapshot
        let now = clock.now
        var failures: [String] = []
        for placement in deployment.spec.containers {
            guard let engine = engines[placement.regionID] else { continue }
            await refresh(&entry, region: placement.regionID, engine: engine, now: now)
            if let warm = entry.fleet.warmUntilReady, entry.readyCount > 0 || now >= warm {
                entry.fleet.warmUntilReady = nil
                entry.fleet.readySince = now
            }
            let current = entry.fleet.targets[placement.regionID] ?? 0
            let target = Autoscaler.target(
                scale: placement.scale, current: current, stopped: deployment.stopped,
                idleSeconds: entry.idleSeconds(at: now), idleTimeout: deployment.spec.idleTimeout,
                demand: entry.demand, load: entry.load(region: placement.regionID, window: placement.scale.triggers?.http?.window, now: now),
                secondsSinceLastChange: Self.seconds(now - entry.fleet.lastChange))
            if target != current {
                entry.fleet.targets[placement.regionID] = target
                entry.fleet.lastChange = now
            }
            if let error = await converge(&entry, region: placement.regionID, target: target, engine: engine, now: now) {
                failures.append(error)
            }
        }
        // Regions no longer in the spec lose their replicas.
        let regions = Set(deployment.spec.containers.map(\.regionID))
        let orphans = entry.fleet.replicas.values.filter { !regions.contains($0.region) }
        await remove(orphans, everythingOf: nil)
        for replica in orphans { entry.fleet.replicas[replica.name] = nil }
        let finished = entry.unfinished
        if !finished.isEmpty && (entry.isScheduled || !failures.isEmpty) {
            entry.unfinished = []
            await callbacks.finishTasks(deployment, Array(finished), failures.first)
        }
        settle(key, entry, finished: finished)
    }

    /// Writes a pass's outcome back into the shared state, and resumes the requests held for the
    /// deployment when a replica is ready. The pass's fleet replaces the entry's whole; what `apply` and the
    /// data plane wrote meanwhile stays.
    func settle(_ key: String, _ settled: Managed, finished: Set<DeploymentTask.Kind>) {
        let ready = managed.withLock { all -> [CheckedContinuation<Void, Never>] in
            // Taken out of the dictionary, not copied, so that its request counts are not copied either.
            guard var latest = all.removeValue(forKey: key) else { return [] }
            latest.fleet = settled.fleet
            // A new revision applied meanwhile needs its own image.
            if latest.revision != settled.revision { latest.fleet.images = [:] }
            latest.unfinished.subtract(finished)
            latest.demand = latest.demand && settled.readyCount == 0
            var ready: [CheckedContinuation<Void, Never>] = []
            if latest.hasReady {
                ready = Array(latest.waiters.values)
                latest.waiters = [:]
            }
            all[key] = latest
            return ready
        }
        Self.resume(ready)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func key(_ deployment: Deployment) -> String { "\(deployment.projectID)/\(deployment.name)" }

    /// A container's name as created (the engine lists names with a leading slash).
    static func name(_ container: ContainerSummary) -> String {
        container.names.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? container.id
    }
}
