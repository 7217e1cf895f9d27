import AsyncHTTPClient
import Foundation
import SibylContainers
import Testing

/// Against a real engine (see TestEngine): every container carries `sibyl.test=<run>` and is removed. Beside
/// the engine contract, what only a real app shows: it serves, a command changes it, SIGTERM reaches it.
@Suite(.enabled(if: TestEngine.enabled, "podman is not installed"), .containerEngine)
struct ContainerEngineTests {
    var t: TestEngine { get throws { try #require(TestEngine.current) } }

    @Test func pingAndVersion() async throws {
        try await t.engine.ping()
        let version = try await t.engine.version()
        #expect(version.hasPrefix("1."))
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

            let health = try await eventually("GET /healthz") { await t.get(port: port, "/healthz") }
            #expect(health.status == 200 && health.body == "ok")
            let echo = try #require(await t.get(port: port, "/hello?x=1"))
            #expect(echo.status == 200 && echo.body.contains(#""replica":"r7""#) && echo.body.contains(#""query":"x=1""#))

            let labels = ["sibyl.test": t.runID, "sibyl.test.purpose": "serve"]
            let listed = try await t.engine.list(labels: labels, all: false)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.names == [spec.name] && listed.first?.state == "running")

            let lines = try await eventually("the request in the logs") {
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

    @Test func execChangesTheAppAndAStuckCommandTimesOut() async throws {
        let t = try t
        try await t.withContainer(t.spec("exec")) { id in
            let port = try #require(try await t.engine.inspect(id)?.hostPort)
            _ = try await eventually("GET /ready") { await t.get(port: port, "/ready") }
            let touch = ["/echo-server", "touch", "/tmp/not-ready"]
            #expect(try await t.engine.exec(id, command: touch, timeoutSeconds: 10) == 0)
            #expect(await t.get(port: port, "/ready")?.status == 503)

            let started = ContinuousClock.now
            await #expect {
                _ = try await t.engine.exec(id, command: ["/echo-server", "sleep", "5000"], timeoutSeconds: 1)
            } throws: { ($0 as? EngineError)?.status == 504 }
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test func aGracefulStopEndsTheAppWithItsOwnStatus() async throws {
        let t = try t
        try await t.withContainer(t.spec("stop")) { id in
            // Once it answers, the app has its SIGTERM handler; a stop before that is an ordinary kill.
            let port = try #require(try await t.engine.inspect(id)?.hostPort)
            _ = try await eventually("GET /healthz") { await t.get(port: port, "/healthz") }
            try await t.engine.stop(id, timeoutSeconds: 5)
            let stopped = try #require(try await t.engine.inspect(id))
            #expect(!stopped.running && stopped.exitCode == 0)  // the init process passed SIGTERM on to the app
        }
    }

    @Test(arguments: EngineContract.all) func contract(_ clause: EngineContract) async throws {
        let t = try t
        try await clause.check(EngineContract.Subject(engine: t.engine, runID: t.runID))
    }
}

@Suite struct UnreachableEngineTests {
    @Test func missingSocketIsUnreachable() async throws {
        let engine = DockerEngine(endpoint: .unixSocket("/nonexistent/sibyl/podman.sock"), client: TestEngine.client)
        let started = ContinuousClock.now
        let error = try await #require(throws: EngineError.self) { try await engine.ping() }
        #expect(error.status == 0 && error.isUnreachable)
        #expect(error.description.contains("unreachable") && error.description.contains("/nonexistent/sibyl/podman.sock"))
        // AsyncHTTPClient's defaults retry the connection for 30 s; the engine's configuration gives up at
        // once. The bound leaves room for a loaded machine (a CI run beside a build took 21 s).
        #expect(ContinuousClock.now - started < .seconds(28))
    }

    @Test func closedPortIsUnreachable() async throws {
        let engine = DockerEngine(endpoint: .tcp(host: "127.0.0.1", port: 1), client: TestEngine.client)
        let error = try await #require(throws: EngineError.self) { try await engine.list(labels: [:], all: true) }
        #expect(error.isUnreachable)
    }
}
