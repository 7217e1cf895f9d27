import Foundation
import SibylContainers
import Testing

/// What every `ContainerEngine` must do, checked against Podman (`ContainerEngineTests.contract`) and against
/// `InMemoryEngine` (`InMemoryEngineContractTests`) with the same code: the in-memory engine stands in for
/// Podman in the supervisor's tests only as far as these clauses hold for both.
struct EngineContract: Sendable, CustomTestStringConvertible {
    /// An engine with the test image (`TestEngine.image`, or its in-memory double), and a run id that
    /// labels and names what a clause makes.
    struct Subject: Sendable {
        let engine: any ContainerEngine
        let runID: String

        func spec(_ purpose: String, environment: [String: String] = [:], memoryBytes: Int? = nil) -> ContainerSpec {
            ContainerSpec(
                name: "sibyl-test-\(runID)-contract-\(purpose)", image: TestEngine.image, environment: environment, containerPort: 8080,
                labels: ["sibyl.test": runID, "sibyl.test.purpose": purpose], memoryBytes: memoryBytes)
        }
    }

    /// Containers left behind are removed with the run (by the `sibyl.test` label), not by each clause.
    let testDescription: String
    let check: @Sendable (Subject) async throws -> Void

    static let all: [EngineContract] = [
        EngineContract(testDescription: "a container's life: created, started, stopped, removed") { s in
            let spec = s.spec("life", environment: ["MODEL_NAME": "tiny model"])
            let id = try await s.engine.create(spec)
            let created = try #require(try await s.engine.inspect(id))
            #expect(!created.running && created.status == "created" && created.hostPort == nil)
            try await s.engine.start(id)
            try await s.engine.start(id)  // already running: fine
            let running = try #require(try await s.engine.inspect(id))
            #expect(running.id == id && running.name == spec.name && running.image == TestEngine.image)
            #expect(running.running && running.status == "running" && running.hostPort != nil)
            #expect(running.environment["MODEL_NAME"] == "tiny model" && running.labels["sibyl.test.purpose"] == "life")
            #expect(running.startedAt != nil && running.finishedAt == nil)
            let labels = ["sibyl.test": s.runID, "sibyl.test.purpose": "life"]
            let listed = try await s.engine.list(labels: labels, all: false)
            #expect(listed.map(\.id) == [id] && listed.first?.names == [spec.name] && listed.first?.state == "running")
            #expect(try await s.engine.list(labels: labels.merging(["sibyl.test.purpose": "other"]) { $1 }, all: true).isEmpty)

            try await s.engine.stop(id, timeoutSeconds: 5)
            let stopped = try #require(try await s.engine.inspect(id))
            #expect(!stopped.running && stopped.status == "exited" && stopped.hostPort == nil && stopped.finishedAt != nil)
            try await s.engine.stop(id, timeoutSeconds: 5)  // already stopped: fine
            await #expect { _ = try await s.engine.stats(id) } throws: { ($0 as? EngineError)?.status == 409 }
            await #expect { _ = try await s.engine.create(spec) } throws: { ($0 as? EngineError)?.status == 409 }
            #expect(try await s.engine.list(labels: labels, all: false).isEmpty)
            #expect(try await s.engine.list(labels: labels, all: true).count == 1)

            try await s.engine.remove(id, force: false)
            #expect(try await s.engine.inspect(id) == nil)
            try await s.engine.remove(id, force: true)  // already gone: fine
        },
        EngineContract(testDescription: "a container is published on the host port its spec asks for") { s in
            let reservation = try HostPortReservation()
            defer { withExtendedLifetime(reservation) {} }
            var spec = s.spec("port")
            spec.hostPort = reservation.port
            let id = try await s.engine.create(spec)
            try await s.engine.start(id)
            #expect(try await s.engine.inspect(id)?.hostPort == reservation.port)
        },
        EngineContract(testDescription: "a missing image, container or registry image is an error with its status") { s in
            #expect(try await s.engine.imageExists(TestEngine.image))
            #expect(try await !s.engine.imageExists("localhost/sibyl-no-such-image:latest"))
            var spec = s.spec("missing")
            spec.image = "localhost/sibyl-no-such-image:latest"
            let error = try await #require(throws: EngineError.self) { try await s.engine.create(spec) }
            #expect(error.status == 404 && error.message.contains("no such image"))
            #expect(try await s.engine.inspect("sibyl-no-such-container") == nil)
            let stop = try await #require(throws: EngineError.self) {
                try await s.engine.stop("sibyl-no-such-container", timeoutSeconds: 1)
            }
            #expect(stop.status == 404)
            // Nothing listens on localhost:443, so the registry fails fast and offline.
            let pull = try await #require(throws: EngineError.self) {
                let auth = RegistryAuth(username: "u", password: "p", serverAddress: "localhost")
                try await s.engine.pull("localhost/sibyl-no-such-image:v1", auth: auth)
            }
            #expect(pull.status == 500 && pull.message.contains("localhost"))
        },
        EngineContract(testDescription: "a crash leaves its exit code and its last words") { s in
            let id = try await s.engine.create(s.spec("crash", environment: ["CRASH": "1"]))
            try await s.engine.start(id)
            let state = try await eventually("the crash") {
                let state = try await s.engine.inspect(id)
                return state?.running == false ? state : nil
            }
            #expect(state.exitCode == 3 && state.status == "exited" && state.hostPort == nil, "\(state)")
            let lines = try await s.engine.logs(id, tail: nil, since: nil)
            #expect(lines.contains { $0.stream == .stderr && $0.message == "crashing on purpose" })
            #expect(try await s.engine.logs(id, tail: 1, since: nil).map(\.message) == [lines.last?.message])
            #expect(try await s.engine.logs(id, tail: nil, since: Date().addingTimeInterval(3600)).isEmpty)
        },
        EngineContract(testDescription: "commands run inside, and stats show the memory limit") { s in
            let memory = 64 << 20
            let id = try await s.engine.create(s.spec("exec", memoryBytes: memory))
            try await s.engine.start(id)
            #expect(try await s.engine.exec(id, command: ["/echo-server", "exit", "0"], timeoutSeconds: 10) == 0)
            #expect(try await s.engine.exec(id, command: ["/echo-server", "exit", "3"], timeoutSeconds: 10) == 3)
            let stats = try await s.engine.stats(id)
            #expect(stats.memoryLimitBytes == memory && stats.memoryBytes > 0 && stats.memoryBytes <= memory)
            #expect((0...1).contains(stats.cpuFraction))
        },
        EngineContract(testDescription: "a network is made once and removed once empty") { s in
            let network = "sibyl-test-\(s.runID)-net"
            try await s.engine.ensureNetwork(network, labels: ["sibyl.test": s.runID])
            try await s.engine.ensureNetwork(network, labels: ["sibyl.test": s.runID])  // already there: fine
            var spec = s.spec("networked")
            spec.network = network
            let id = try await s.engine.create(spec)
            try await s.engine.start(id)
            #expect(try await s.engine.inspect(id)?.networkAddresses[network] != nil)
            await #expect(throws: EngineError.self) { try await s.engine.removeNetwork(network) }
            try await s.engine.remove(id, force: true)
            try await s.engine.removeNetwork(network)
            try await s.engine.removeNetwork(network)  // already gone: fine
        },
    ]
}

/// The in-memory double of the test image (Tests/ContainerImage/echo-server.c): `CRASH=1` exits with 3
/// after "crashing on purpose", and `/echo-server exit N` exits with N.
extension InMemoryEngine {
    static func withTestImage() -> InMemoryEngine {
        let engine = InMemoryEngine()
        engine.add(
            image: TestEngine.image,
            InMemoryEngine.Image(
                crash: { $0["CRASH"] == "1" ? (3, "crashing on purpose") : nil },
                exec: { command in command.dropFirst().first == "exit" ? Int32(command.last ?? "") ?? 1 : 0 }))
        return engine
    }
}

@Suite struct InMemoryEngineContractTests {
    @Test(arguments: EngineContract.all) func holds(_ clause: EngineContract) async throws {
        try await clause.check(EngineContract.Subject(engine: InMemoryEngine.withTestImage(), runID: "memory"))
    }
}
