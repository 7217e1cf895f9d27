import AsyncHTTPClient
import Foundation
import SibylContainers
import Testing

/// Against a real engine (see TestEngine): every container carries `sibyl.test=<run>` and is removed.
@Suite(.enabled(if: TestEngine.enabled, "podman is not installed"), .containerEngine)
struct ContainerEngineTests {
    var t: TestEngine { get throws { try #require(TestEngine.current) } }

    @Test func pingAndVersion() async throws {
        try await t.engine.ping()
        let version = try await t.engine.version()
        #expect(version.hasPrefix("1."))
    }

    @Test func imageExists() async throws {
        #expect(try await t.engine.imageExists(TestEngine.image))
        #expect(try await !t.engine.imageExists("localhost/sibyl-no-such-image:latest"))
    }

    @Test func servesAndReportsItself() async throws {
        let t = try t
        let spec = t.spec("serve", environment: ["REPLICA": "r7", "MODEL_NAME": "tiny model"])
        try await t.withContainer(spec) { id in
            let state = try #require(try await t.engine.inspect(id))
            #expect(state.id == id)
            #expect(state.name == spec.name)
            #expect(state.image == TestEngine.image)
            #expect(state.running && state.status == "running")
            #expect(state.environment["MODEL_NAME"] == "tiny model")
            #expect(state.labels["sibyl.test"] == t.runID && state.labels["sibyl.test.purpose"] == "serve")
            #expect(state.startedAt != nil && state.finishedAt == nil)
            let port = try #require(state.hostPort)

            let health = try await t.eventually("GET /healthz") { await t.get(port: port, "/healthz") }
            #expect(health.status == 200 && health.body == "ok")
            let echo = try #require(await t.get(port: port, "/hello?x=1"))
            #expect(echo.status == 200 && echo.body.contains(#""replica":"r7""#) && echo.body.contains(#""query":"x=1""#))

            let labels = ["sibyl.test": t.runID, "sibyl.test.purpose": "serve"]
            let listed = try await t.engine.list(labels: labels, all: false)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.names == [spec.name] && listed.first?.state == "running")

            let lines = try await t.eventually("the request in the logs") {
                let lines = try await t.engine.logs(id, tail: nil, since: nil)
                return lines.contains { $0.message == "GET /hello 200" } ? lines : nil
            }
            let request = try #require(lines.first { $0.message == "GET /hello 200" })
            #expect(request.stream == .stdout)
            #expect(abs(request.time.timeIntervalSinceNow) < 60)
            let last = try await t.engine.logs(id, tail: 1, since: nil)
            #expect(last.map(\.message) == [lines.last?.message])
            let future = try await t.engine.logs(id, tail: nil, since: Date().addingTimeInterval(3600))
            #expect(future.isEmpty)
        }
    }

    @Test func execAndStats() async throws {
        let t = try t
        let memory = 64 << 20
        try await t.withContainer(t.spec("exec", memoryBytes: memory, nanoCPUs: 500_000_000)) { id in
            #expect(try await t.engine.exec(id, command: ["/echo-server", "exit", "0"], timeoutSeconds: 10) == 0)
            #expect(try await t.engine.exec(id, command: ["/echo-server", "exit", "3"], timeoutSeconds: 10) == 3)

            let port = try #require(try await t.engine.inspect(id)?.hostPort)
            _ = try await t.eventually("GET /ready") { await t.get(port: port, "/ready") }
            let touch = ["/echo-server", "touch", "/tmp/not-ready"]
            #expect(try await t.engine.exec(id, command: touch, timeoutSeconds: 10) == 0)
            #expect(await t.get(port: port, "/ready")?.status == 503)

            let stats = try await t.engine.stats(id)
            #expect(stats.memoryLimitBytes == memory)
            #expect(stats.memoryBytes > 0 && stats.memoryBytes <= memory)
            #expect((0...1).contains(stats.cpuFraction))

            let started = ContinuousClock.now
            await #expect {
                _ = try await t.engine.exec(id, command: ["/echo-server", "sleep", "5000"], timeoutSeconds: 1)
            } throws: { ($0 as? EngineError)?.status == 504 }
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test func stopThenRemove() async throws {
        let t = try t
        let id = try await t.engine.create(t.spec("stop"))
        try await t.engine.start(id)
        try await t.engine.start(id)  // already running: fine
        // Once it answers, the app has its SIGTERM handler; a stop before that is an ordinary kill.
        let port = try #require(try await t.engine.inspect(id)?.hostPort)
        _ = try await t.eventually("GET /healthz") { await t.get(port: port, "/healthz") }
        try await t.engine.stop(id, timeoutSeconds: 5)
        let stopped = try #require(try await t.engine.inspect(id))
        #expect(!stopped.running && stopped.status == "exited")
        #expect(stopped.exitCode == 0)  // the init process passed SIGTERM on to the app
        #expect(stopped.hostPort == nil && stopped.finishedAt != nil)
        try await t.engine.stop(id, timeoutSeconds: 5)  // already stopped: fine
        await #expect { _ = try await t.engine.stats(id) } throws: { ($0 as? EngineError)?.status == 409 }
        await #expect { _ = try await t.engine.create(t.spec("stop")) } throws: { ($0 as? EngineError)?.status == 409 }
        let labels = ["sibyl.test.purpose": "stop", "sibyl.test": t.runID]
        #expect(try await t.engine.list(labels: labels, all: false).isEmpty)
        #expect(try await t.engine.list(labels: labels, all: true).count == 1)

        try await t.engine.remove(id, force: false)
        #expect(try await t.engine.inspect(id) == nil)
        try await t.engine.remove(id, force: true)  // already gone: fine
    }

    @Test func crashingContainerReportsItsExit() async throws {
        let t = try t
        try await t.withContainer(t.spec("crash", environment: ["CRASH": "1"])) { id in
            let state = try await t.eventually("the crash") {
                let state = try await t.engine.inspect(id)
                return state?.running == false ? state : nil
            }
            #expect(state.exitCode == 3 && state.status == "exited" && state.hostPort == nil, "\(state)")
            let lines = try await t.engine.logs(id, tail: nil, since: nil)
            #expect(lines.contains { $0.stream == .stderr && $0.message == "crashing on purpose" })
        }
    }

    @Test func missingImageIsNotFound() async throws {
        let t = try t
        var spec = t.spec("missing")
        spec.image = "localhost/sibyl-no-such-image:latest"
        let error = try await #require(throws: EngineError.self) { try await t.engine.create(spec) }
        #expect(error.status == 404 && error.message.contains("no such image"))
        #expect(try await t.engine.inspect("sibyl-no-such-container") == nil)
        let stopError = try await #require(throws: EngineError.self) {
            try await t.engine.stop("sibyl-no-such-container", timeoutSeconds: 1)
        }
        #expect(stopError.status == 404)
    }

    @Test func pullFailureCarriesTheRegistryError() async throws {
        // Nothing listens on localhost:443, so the registry fails fast and offline.
        let t = try t
        let error = try await #require(throws: EngineError.self) {
            let auth = RegistryAuth(username: "u", password: "p", serverAddress: "localhost")
            try await t.engine.pull("localhost/sibyl-no-such-image:v1", auth: auth)
        }
        #expect(error.status == 500 && error.message.contains("localhost"))
    }
}

@Suite struct UnreachableEngineTests {
    @Test func missingSocketIsUnreachable() async throws {
        let engine = ContainerEngine(endpoint: .unixSocket("/nonexistent/sibyl/podman.sock"), client: TestEngine.client)
        let started = ContinuousClock.now
        let error = try await #require(throws: EngineError.self) { try await engine.ping() }
        #expect(error.status == 0 && error.isUnreachable)
        #expect(error.description.contains("unreachable") && error.description.contains("/nonexistent/sibyl/podman.sock"))
        // AsyncHTTPClient's defaults retry the connection for 30 s; the engine's configuration gives up at
        // once. The bound leaves room for a loaded machine (a CI run beside a build took 21 s).
        #expect(ContinuousClock.now - started < .seconds(28))
    }

    @Test func closedPortIsUnreachable() async throws {
        let engine = ContainerEngine(endpoint: .tcp(host: "127.0.0.1", port: 1), client: TestEngine.client)
        let error = try await #require(throws: EngineError.self) { try await engine.list(labels: [:], all: true) }
        #expect(error.isUnreachable)
    }
}
