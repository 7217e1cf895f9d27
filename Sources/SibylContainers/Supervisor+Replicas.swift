import Foundation
import Logging
import Synchronization
import SibylCore

extension Supervisor {
    /// Replicas restart after crashes no faster than this allows: 1 s, doubling up to 30 s.
    static func backOff(crashes: Int) -> Duration { .seconds(min(30, 1 << min(max(crashes - 1, 0), 5))) }

    /// How often a replica not yet ready is checked, so that a request held on a cold start waits little.
    static let startingCheck = Duration.milliseconds(50)

    /// Brings each replica of a region up to date: whether its container still runs, and its probes.
    func refresh(_ entry: inout Managed, region: Int, engine: any ContainerEngine, now: ContinuousClock.Instant) async {
        for name in entry.fleet.replicas.keys.sorted() {
            guard var replica = entry.fleet.replicas[name], replica.region == region else { continue }
            let kept = await refresh(&replica, &entry, engine: engine, now: now)
            entry.fleet.replicas[name] = kept ? replica : nil
        }
        await sample(&entry, region: region, engine: engine, now: now)
    }

    /// One replica's turn; false when it was removed (failed, and due for replacement).
    private func refresh(_ replica: inout Replica, _ entry: inout Managed, engine: any ContainerEngine, now: ContinuousClock.Instant) async -> Bool {
        if replica.phase == .failed {
            // A follower leaves the container to the leader, which replaces it.
            guard isLeading, let at = replica.restartAt, now >= at else { return true }
            await remove([replica], everythingOf: nil)
            return false
        }
        if now >= replica.nextInspect {
            replica.nextInspect = now + (replica.phase == .ready ? .seconds(1) : Self.startingCheck)
            guard let state = try? await engine.inspect(replica.containerID) else {
                fail(&replica, &entry, "the container is gone", now: now)
                return true
            }
            let known = replica.port
            replica.port = state.hostPort ?? replica.port
            // An adopted replica's port is held again once known; an engine that holds it itself refuses.
            if known == nil, isLeading, replica.reservation == nil, let port = replica.port {
                replica.reservation = try? HostPortReservation(port: port)
            }
            guard state.running else {
                let last = (try? await engine.logs(replica.containerID, tail: 5, since: nil))?.last?.message
                fail(&replica, &entry, "exited with code \(state.exitCode)" + (last.map { ": \($0)" } ?? ""), now: now)
                return true
            }
        }
        guard let port = replica.port else { return true }
        let probes = entry.deployment.spec.probes
        if !replica.startupPassed {
            guard let startup = probes?.startupProbe?.active else {
                replica.startupPassed = true
                return true
            }
            guard due(replica, .startup, startup, now: now) else { return true }
            let passed = await self.probes.passes(startup, port: port, containerID: replica.containerID, engine: engine)
            record(&replica, .startup, startup, passed, now: now)
            if (replica.successes[.startup] ?? 0) >= startup.successes { replica.startupPassed = true }
            if (replica.failures[.startup] ?? 0) >= startup.failures { fail(&replica, &entry, "startup probe failed", now: now) }
            return true
        }
        let readiness = probes?.readinessProbe?.active
        if due(replica, .readiness, readiness, now: now) {
            let passed = await self.probes.passes(readiness, port: port, containerID: replica.containerID, engine: engine)
            record(&replica, .readiness, readiness, passed, now: now)
            if passed && (replica.successes[.readiness] ?? 0) >= (readiness?.successes ?? 1) {
                if replica.phase != .ready { entry.fleet.crashes[replica.region] = 0 }
                replica.phase = .ready
                replica.error = nil
            } else if !passed && replica.phase == .ready && (replica.failures[.readiness] ?? 0) >= (readiness?.failures ?? 3) {
                replica.phase = .unready
                replica.error = "readiness probe failed"
            }
        }
        if replica.phase != .starting, let liveness = probes?.livenessProbe?.active, due(replica, .liveness, liveness, now: now) {
            let passed = await self.probes.passes(liveness, port: port, containerID: replica.containerID, engine: engine)
            record(&replica, .liveness, liveness, passed, now: now)
            if (replica.failures[.liveness] ?? 0) >= liveness.failures {
                fail(&replica, &entry, "liveness probe failed", now: now)
                replica.restartAt = now
            }
        }
        return true
    }

    /// Whether a probe is due. A readiness check of a replica not yet ready runs every `startingCheck`
    /// (after the probe's initial delay), not every period: a held request should not wait a period.
    private func due(_ replica: Replica, _ kind: Replica.ProbeKind, _ probe: Probe?, now: ContinuousClock.Instant) -> Bool {
        let delay = Duration.seconds(probe?.initialDelay ?? 0)
        guard now - replica.createdAt >= delay else { return false }
        return replica.nextProbe[kind].map { now >= $0 } ?? true
    }

    private func record(_ replica: inout Replica, _ kind: Replica.ProbeKind, _ probe: Probe?, _ passed: Bool, now: ContinuousClock.Instant) {
        if passed {
            replica.successes[kind, default: 0] += 1
            replica.failures[kind] = 0
        } else {
            replica.failures[kind, default: 0] += 1
            replica.successes[kind] = 0
        }
        let fast = kind == .readiness && replica.phase == .starting
        replica.nextProbe[kind] = now + (fast ? Self.startingCheck : .seconds(probe?.period ?? 10))
    }

    private func fail(_ replica: inout Replica, _ entry: inout Managed, _ reason: String, now: ContinuousClock.Instant) {
        replica.phase = .failed
        replica.error = reason
        let crashes = entry.fleet.crashes[replica.region, default: 0] + 1
        entry.fleet.crashes[replica.region] = crashes
        replica.restartAt = now + Self.backOff(crashes: crashes)
        logger.warning("replica failed", metadata: ["replica": "\(replica.name)", "reason": "\(reason)"])
    }

    /// Every polling interval, the mean CPU and memory use of a region's ready replicas (for triggers).
    private func sample(_ entry: inout Managed, region: Int, engine: any ContainerEngine, now: ContinuousClock.Instant) async {
        guard let placement = entry.deployment.spec.containers.first(where: { $0.regionID == region }),
            let triggers = placement.scale.triggers, triggers.cpu != nil || triggers.memory != nil, now >= entry.fleet.nextStats
        else { return }
        entry.fleet.nextStats = now + .seconds(placement.scale.pollingInterval ?? Scale.defaultPollingInterval)
        var cpu: [Double] = [], memory: [Double] = []
        for replica in entry.fleet.replicas.values where replica.region == region && replica.isServing {
            guard let stats = try? await engine.stats(replica.containerID) else { continue }
            cpu.append(stats.cpuFraction * 100)
            if stats.memoryLimitBytes > 0 { memory.append(Double(stats.memoryBytes) / Double(stats.memoryLimitBytes) * 100) }
        }
        guard !cpu.isEmpty else { return }
        entry.fleet.stats[region] = (cpu.reduce(0, +) / Double(cpu.count), memory.isEmpty ? 0 : memory.reduce(0, +) / Double(memory.count))
    }

    /// Creates or removes containers until the region has `target` of the current revision; containers of
    /// an older revision leave once the new ones serve. Returns why containers could not be made, if so.
    func converge(_ entry: inout Managed, region: Int, target: Int, engine: any ContainerEngine, now: ContinuousClock.Instant) async -> String? {
        var current = entry.fleet.replicas.values.filter { $0.region == region && $0.revision == entry.revision }
        if current.count < target {
            for _ in current.count..<target {
                do {
                    let image = try await image(&entry, region: region, engine: engine)
                    let replica = try await create(
                        entry.deployment, image: image, revision: entry.revision, region: region, engine: engine, now: now)
                    entry.fleet.replicas[replica.name] = replica
                    current.append(replica)
                    entry.fleet.regionErrors[region] = nil
                } catch {
                    let message = "region \(region): \(error)"
                    entry.fleet.regionErrors[region] = message
                    return message
                }
            }
        } else if current.count > target {
            // Failed ones go first, then those not serving, then the newest.
            let order: (Replica) -> Int = { $0.phase == .failed ? 0 : $0.isServing ? 2 : 1 }
            let extra = current.sorted { (order($0), $1.createdAt) < (order($1), $0.createdAt) }.prefix(current.count - target)
            for replica in extra { entry.fleet.replicas[replica.name] = nil }
            await remove(Array(extra), everythingOf: nil)
            current.removeAll { replica in extra.contains { $0.name == replica.name } }
        }
        let old = entry.fleet.replicas.values.filter { $0.region == region && $0.revision != entry.revision }
        if !old.isEmpty && (target == 0 || current.filter(\.isServing).count >= target) {
            for replica in old { entry.fleet.replicas[replica.name] = nil }
            await remove(old, everythingOf: nil)
        }
        return nil
    }

    /// The image a new replica runs, as the engine's id: pulled once per revision and region with the
    /// deployment's own credentials (anonymously without any), even when the engine has it already, so an
    /// image that reached the engine through another project's credentials never runs for a project that
    /// cannot pull it itself. Credentials go to their own registry only. An operator's image on the engine
    /// (`localhost/…`) is run as it is.
    private func image(_ entry: inout Managed, region: Int, engine: any ContainerEngine) async throws -> String {
        if let pinned = entry.fleet.images[region] { return pinned }
        let spec = entry.deployment.spec
        let reference = try ImageReference(spec.image)
        if !reference.isLocal {
            let auth = await callbacks.registryAuth(entry.deployment)
            if let auth, ImageReference.registryHost(auth.serverAddress) != reference.host {
                throw SupervisorError(
                    "the registry credentials \(spec.credentialsName ?? "") are for \(ImageReference.registryHost(auth.serverAddress)), not for \(reference.host)")
            }
            do {
                try await engine.pull(reference.description, auth: auth)
            } catch {
                throw SupervisorError("image \(spec.image) could not be pulled: \(error)")
            }
        }
        guard let id = try await engine.imageID(reference.description) else {
            throw SupervisorError("image \(spec.image) is not on the engine")
        }
        entry.fleet.images[region] = id
        return id
    }

    private func create(
        _ deployment: Deployment, image: String, revision: String, region: Int, engine: any ContainerEngine, now: ContinuousClock.Instant
    ) async throws -> Replica {
        let spec = deployment.spec
        let flavor = flavors[spec.flavorName]
        var labels = labels(deployment)
        labels["sibyl.region"] = "\(region)"
        labels["sibyl.revision"] = revision
        let name = "sibyl-\(deployment.projectID)-\(deployment.name)-\(Self.suffix())"
        let network = network(deployment)
        try await engine.ensureNetwork(network, labels: ["sibyl.installation": installation, "sibyl.project": "\(deployment.projectID)"])
        let reservation = try HostPortReservation()
        let id = try await engine.create(ContainerSpec(
            name: name, image: image, command: spec.command, environment: spec.envs ?? [:],
            containerPort: spec.listeningPort, hostPort: reservation.port, labels: labels, memoryBytes: flavor?.memoryBytes,
            nanoCPUs: flavor?.nanoCPUs, network: network))
        do {
            try await engine.start(id)
        } catch {
            try? await engine.remove(id, force: true)
            throw error
        }
        let port = try await engine.inspect(id)?.hostPort
        return Replica(name: name, region: region, revision: revision, containerID: id, port: port, reservation: reservation, now: now)
    }

    /// Stops (gracefully, up to 5 s) and removes containers; with `everythingOf`, also any container
    /// labelled as that deployment's, tracked or not.
    func remove(_ replicas: some Collection<Replica>, everythingOf deployment: Deployment?) async {
        // Out of rotation first: a graceful stop takes a while, and no request may be sent there meanwhile.
        let names = Set(replicas.map(\.name))
        managed.withLock { all in
            for key in Array(all.keys) {
                for name in names { all[key]?.fleet.replicas[name] = nil }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas {
                guard let engine = engines[replica.region] else { continue }
                group.addTask {
                    try? await engine.stop(replica.containerID, timeoutSeconds: 5)
                    try? await engine.remove(replica.containerID, force: true)
                }
            }
        }
        guard let deployment else { return }
        for engine in engines.values {
            for container in (try? await engine.list(labels: labels(deployment), all: true)) ?? [] {
                try? await engine.remove(container.id, force: true)
            }
            // The project's network goes with its last container; the engine refuses while others use it.
            try? await engine.removeNetwork(network(deployment))
        }
    }

    /// The network of every replica of a project: replicas of one project reach each other, those of
    /// another project (or installation) cannot reach them.
    func network(_ deployment: Deployment) -> String {
        "sibyl-\(installation.prefix(8))-p\(deployment.projectID)"
    }

    /// On a follower: the containers of the deployment's current revision that the leader runs, found on the
    /// engine (every second, or every pass while a request waits): new ones join, vanished ones leave.
    func discover(_ entry: inout Managed, region: Int, engine: any ContainerEngine, now: ContinuousClock.Instant) async {
        guard now >= entry.fleet.nextDiscovery || entry.readyCount == 0 && entry.demand else { return }
        entry.fleet.nextDiscovery = now + .seconds(1)
        var labels = labels(entry.deployment)
        labels["sibyl.region"] = "\(region)"
        labels["sibyl.revision"] = entry.revision
        guard let containers = try? await engine.list(labels: labels, all: false) else { return }
        let names = Set(containers.map(Self.name))
        for (name, replica) in entry.fleet.replicas where replica.region == region && !names.contains(name) {
            entry.fleet.replicas[name] = nil
        }
        for container in containers where entry.fleet.replicas[Self.name(container)] == nil {
            let name = Self.name(container)
            entry.fleet.replicas[name] = Replica(
                name: name, region: region, revision: entry.revision, containerID: container.id, port: nil, now: now)
        }
    }

    /// On taking the lead (at start, alone): replicas that still match their deployment's revision are adopted
    /// (their probes decide when they serve again); every other container of this installation is removed.
    func adopt() async {
        let now = clock.now
        for (region, engine) in engines {
            let containers: [ContainerSummary]
            do {
                containers = try await engine.list(labels: ["sibyl.installation": installation], all: true)
            } catch {
                logger.error("container engine unreachable", metadata: ["region": "\(region)", "error": "\(error)"])
                continue
            }
            for container in containers {
                let labels = container.labels
                let key = "\(labels["sibyl.project"] ?? "")/\(labels["sibyl.deployment"] ?? "")"
                let name = Self.name(container)
                let adopted = managed.withLock { all -> Bool in
                    guard var entry = all[key], labels["sibyl.revision"] == entry.revision, labels["sibyl.region"] == "\(region)",
                        !entry.deployment.stopped, !entry.deployment.deleting, container.state == "running"
                    else { return false }
                    entry.fleet.replicas[name] = Replica(
                        name: name, region: region, revision: entry.revision, containerID: container.id, port: nil, now: now)
                    entry.fleet.targets[region, default: 0] += 1
                    all[key] = entry
                    return true
                }
                if !adopted { try? await engine.remove(container.id, force: true) }
            }
        }
    }

    func labels(_ deployment: Deployment) -> [String: String] {
        ["sibyl.installation": installation, "sibyl.project": "\(deployment.projectID)", "sibyl.deployment": deployment.name]
    }

    /// What a container is made from: a change here needs new containers; any other change (scale,
    /// probes, keys, timeout) applies to the running ones. FNV-1a of the fields, in hex.
    static func revision(_ spec: DeploymentSpec) -> String {
        let parts = [
            spec.image, (spec.command ?? []).joined(separator: "\u{1F}"),
            (spec.envs ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1F}"),
            "\(spec.listeningPort)", spec.flavorName,
        ]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{1E}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private static func suffix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<6).map { _ in alphabet.randomElement()! })
    }
}

/// A failure the supervisor explains in its own words (shown as a region's `error_message`).
struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
