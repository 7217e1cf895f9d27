import AsyncHTTPClient
import Foundation
import Logging
import SibylCore
import Synchronization
import Testing
@testable import SibylContainers

/// Requests to a deployment with no ready replica, held by `Supervisor.endpoint` until one is ready: a
/// bounded number per deployment, each woken by the pass that finds a replica ready, none polling.
///
/// The supervisor has no engine and never runs a pass, so no replica becomes ready by itself; a test makes
/// one ready as a pass does, by settling the deployment with a ready replica.
///
/// They measure waits of milliseconds and the process's CPU time, so they run alone (CI: a step of its own
/// with `SIBYL_TEST_ALONE=1`): beside the other suites on two cores a task may not even start for seconds.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SIBYL_TEST_ALONE"] == "1", "run alone: SIBYL_TEST_ALONE=1"))
struct HeldRequestTests {
    static let deployment = Deployment(
        projectID: 1, name: "cold",
        spec: DeploymentSpec(
            image: "localhost/sibyl-test-echo:latest", listeningPort: 8080, flavorName: "small",
            containers: [ContainerPlacement(regionID: 1, scale: Scale(min: 0, max: 1))]),
        createdAt: 0)
    static let key = Supervisor.key(deployment)
    static let port = 4242

    func supervisor(limit: Int) -> Supervisor {
        let supervisor = Supervisor(
            engines: [:], installation: "test", flavors: Flavor.defaults, probes: NetworkProbes(client: .shared), interval: .seconds(3600),
            heldRequestLimit: limit,
            callbacks: .init(finishTasks: { _, _, _ in }, deleted: { _ in }, registryAuth: { _ in nil }),
            logger: Logger(label: "held-request-tests"))
        supervisor.apply(Self.deployment)
        return supervisor
    }

    typealias Request = Task<Result<ReplicaEndpoint, SibylError>, Never>

    /// A request that waits up to `timeout`.
    func request(_ supervisor: Supervisor, timeout: Duration = .seconds(60)) -> Request {
        Task {
            do throws(SibylError) {
                return .success(try await supervisor.endpoint(Self.deployment, timeout: timeout))
            } catch {
                return .failure(error)
            }
        }
    }

    /// A request that waits up to `timeout`, once it is held.
    func hold(_ supervisor: Supervisor, timeout: Duration = .seconds(60)) async throws -> Request {
        let before = held(supervisor)
        let task = request(supervisor, timeout: timeout)
        try await waitUntil("the request is held") { held(supervisor) == before + 1 }
        return task
    }

    func held(_ supervisor: Supervisor) -> Int {
        supervisor.managed.withLock { $0[Self.key]?.waiters.count ?? 0 }
    }

    /// What a pass does when a replica passes its readiness check.
    func makeReady(_ supervisor: Supervisor) {
        var entry = supervisor.managed.withLock { $0[Self.key]! }
        var replica = Replica(
            name: "cold-1", region: 1, revision: entry.revision, containerID: "c1", port: Self.port, now: .now)
        replica.phase = .ready
        entry.fleet.replicas[replica.name] = replica
        supervisor.settle(Self.key, entry, finished: [])
    }

    func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestEngineError("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func requestsOverTheLimitAreRefusedAtOnceAndTheHeldOnesServed() async throws {
        let supervisor = supervisor(limit: 3)
        var tasks: [Request] = []
        for _ in 0..<3 { tasks.append(try await hold(supervisor)) }

        let start = ContinuousClock.now
        await #expect(throws: SibylError(.overloaded, "3 requests already wait for the deployment to start: retry shortly")) {
            try await supervisor.endpoint(Self.deployment, timeout: .seconds(60))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(held(supervisor) == 3)

        makeReady(supervisor)
        for task in tasks {
            #expect(try await task.value.get() == ReplicaEndpoint(host: "127.0.0.1", port: Self.port))
        }
        #expect(held(supervisor) == 0)
    }

    @Test func aHeldRequestIsAnsweredAsSoonAsAReplicaIsReady() async throws {
        let supervisor = supervisor(limit: 256)
        let task = try await hold(supervisor)
        // Long enough that a poll, had there been one, would have run many times: the request still waits.
        try await Task.sleep(for: .milliseconds(200))
        #expect(held(supervisor) == 1)
        let ready = ContinuousClock.now
        makeReady(supervisor)
        #expect(try await task.value.get().port == Self.port)
        let latency = ContinuousClock.now - ready
        #expect(latency < .milliseconds(500), "answered \(latency) after the replica was ready")
    }

    @Test func theDeadlineCancellationAndAGoneDeploymentEachEndTheWait() async throws {
        let supervisor = supervisor(limit: 256)
        let start = ContinuousClock.now
        let timedOut = await request(supervisor, timeout: .milliseconds(300)).value
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        #expect(throws: SibylError(.upstreamUnavailable, "no replica of the deployment became ready in time")) {
            try timedOut.get()
        }

        let cancelled = try await hold(supervisor)
        cancelled.cancel()
        await #expect(throws: SibylError(.upstreamUnavailable, "no replica of the deployment became ready in time")) {
            try await cancelled.value.get()
        }
        #expect(held(supervisor) == 0)

        let orphaned = try await hold(supervisor)
        supervisor.sync([])
        await #expect(throws: SibylError(.upstreamUnavailable, "no replica of the deployment became ready in time")) {
            try await orphaned.value.get()
        }
    }

    /// A thousand held requests cost no CPU while they wait (the old 10 ms poll cost about a core).
    @Test func heldRequestsSpendNoTime() async throws {
        let supervisor = supervisor(limit: 1_000)
        let tasks = (0..<1_000).map { _ in request(supervisor) }
        try await waitUntil("all 1,000 requests are held") { held(supervisor) == 1_000 }
        let cpuBefore = Self.processCPUSeconds()
        try await Task.sleep(for: .milliseconds(200))
        let spent = Self.processCPUSeconds() - cpuBefore
        #expect(spent < 0.05, "1,000 held requests spent \(spent) s of CPU in 0.2 s")
        makeReady(supervisor)
        for task in tasks { #expect(try await task.value.get().port == Self.port) }
    }

    /// User and system CPU time of the whole test process.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
