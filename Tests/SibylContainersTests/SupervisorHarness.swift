import Logging
import SibylCore
import Synchronization
import Testing
@testable import SibylContainers

/// Supervisors over one in-memory engine and one manual clock, driven pass by pass: a test makes the
/// engine's apps crash or fail their probes and moves time, instead of waiting on Podman.
final class SupervisorHarness: Sendable {
    static let installation = "3f1c0a9e-test"
    let engine = InMemoryEngine()
    let time = ManualMonotonicClock()
    /// The tasks each supervisor finished, with the error they ended with.
    let finished = Mutex<[(kinds: Set<DeploymentTask.Kind>, error: String?)]>([])
    let deleted = Mutex<[String]>([])
    /// What followers told the leader: requests, and whether one waits.
    let reports = Mutex<[(requests: Int, waiting: Bool)]>([])

    init() {
        engine.add(image: "localhost/app:v1")
        engine.add(image: "localhost/app:v2")
    }

    func supervisor(leading: Bool = true) -> Supervisor {
        Supervisor(
            engines: [1: engine], installation: Self.installation, flavors: Flavor.defaults, probes: engine.probes,
            clock: time.clock, interval: .seconds(3600), heldRequestLimit: 8, leading: leading,
            callbacks: .init(
                finishTasks: { [self] _, kinds, error in finished.withLock { $0.append((Set(kinds), error)) } },
                deleted: { [self] deployment in deleted.withLock { $0.append(deployment.name) } },
                registryAuth: { _ in nil },
                report: { [self] _, requests, waiting in reports.withLock { $0.append((requests, waiting)) } }),
            logger: Logger(label: "supervisor-tests"))
    }

    static func deployment(
        image: String = "localhost/app:v1", scale: Scale = Scale(min: 1, max: 1), probes: Probes? = nil, timeout: Int? = nil
    ) -> Deployment {
        Deployment(
            projectID: 7, name: "scorer",
            spec: DeploymentSpec(
                image: image, listeningPort: 8080, flavorName: Flavor.defaults[0].name,
                containers: [ContainerPlacement(regionID: 1, scale: scale)], probes: probes, timeout: timeout),
            createdAt: 0)
    }

    /// Passes `step` apart on the clock until `condition` holds; a failure after `limit` passes.
    func settle(
        _ supervisor: Supervisor, step: Duration = .milliseconds(50), limit: Int = 100,
        sourceLocation: SourceLocation = #_sourceLocation, until condition: () async throws -> Bool
    ) async throws {
        for _ in 0..<limit {
            await supervisor.pass()
            if try await condition() { return }
            time.advance(by: step)
        }
        Issue.record("not settled after \(limit) passes", sourceLocation: sourceLocation)
    }

    /// Moves the clock, then makes one pass.
    func pass(_ supervisor: Supervisor, after interval: Duration = .zero) async {
        time.advance(by: interval)
        await supervisor.pass()
    }

    /// The deployment's containers on the engine, running or not.
    func containers(all: Bool = true) async throws -> [ContainerSummary] {
        try await engine.list(labels: ["sibyl.installation": Self.installation, "sibyl.deployment": "scorer"], all: all)
    }

    /// The only running container of the deployment, and its published port.
    func running() async throws -> (id: String, port: Int) {
        let containers = try await containers(all: false)
        try #require(containers.count == 1, "\(containers)")
        let port = try #require(try await engine.inspect(containers[0].id)?.hostPort)
        return (containers[0].id, port)
    }
}
