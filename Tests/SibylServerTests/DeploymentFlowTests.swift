import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SibylApp
import SibylContainers
import SibylServer
import Testing

enum EngineSettings {
    static let engineURL = ProcessInfo.processInfo.environment["SIBYL_TEST_ENGINE"]
    static let required = ProcessInfo.processInfo.environment["SIBYL_REQUIRE_ENGINE"] == "1"
}

/// Deployments end to end on a real container engine (Podman's Docker-compatible API): the engine named
/// by `SIBYL_TEST_ENGINE` (CI starts one; see scripts/container-engine.sh), with the test image
/// `localhost/sibyl-test-echo:latest` built. Skipped when no engine is named, unless
/// `SIBYL_REQUIRE_ENGINE=1`, which CI sets, makes that a failure.
@Suite(.enabled(if: EngineSettings.engineURL != nil || EngineSettings.required, "SIBYL_TEST_ENGINE is not set"))
struct DeploymentFlowTests {
    static var engineURL: String? { EngineSettings.engineURL }
    static let image = "localhost/sibyl-test-echo:latest"
    static let projects = "/cloud/v3/inference/1"

    static func node() async throws -> TestNode {
        let url = try #require(engineURL, "SIBYL_REQUIRE_ENGINE=1 but SIBYL_TEST_ENGINE is not set")
        return try await TestNode { configuration in
            configuration.containerEngines = [1: url]
            configuration.supervisorIntervalMilliseconds = 100
            configuration.coldStartTimeoutSeconds = 30
        }
    }

    static func spec(_ name: String, min: Int = 1, max: Int = 1, _ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "name": name, "image": image, "listening_port": 8080, "flavor_name": "inference-0.5vcpu-512mib",
            "containers": [["region_id": 1, "scale": ["min": min, "max": max]]],
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    /// Polls the deployment until `check` holds, for at most `seconds`: a deadline, not a timing, generous
    /// because the node suite runs on PostgreSQL with every other suite at once on two cores, where a first
    /// replica (its image pulled first) has been seen to take over 30 s.
    @discardableResult
    static func waitFor(
        _ node: TestNode, _ name: String, project: Int = 1, seconds: Double = 90, _ what: String,
        _ check: (TestNode.Answer) -> Bool
    ) async throws -> TestNode.Answer {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var last: TestNode.Answer?
        while ContinuousClock.now < deadline {
            let answer = try await node.call(.GET, "/cloud/v3/inference/\(project)/deployments/\(name)")
            if check(answer) { return answer }
            last = answer
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what): \(last?.text ?? "")")
        return try #require(last)
    }

    static func task(_ node: TestNode, _ id: String) async throws -> TestNode.Answer {
        for _ in 0..<300 {
            let task = try await node.call(.GET, "/cloud/v1/tasks/\(id)")
            if task["state"] as? String != "RUNNING" { return task }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("task \(id) did not finish")
        return try await node.call(.GET, "/cloud/v1/tasks/\(id)")
    }

    static func region(_ answer: TestNode.Answer) -> [String: Any] {
        (answer["containers"] as? [[String: Any]])?.first ?? [:]
    }

    static func ready(_ answer: TestNode.Answer) -> Int {
        (region(answer)["deploy_status"] as? [String: Int])?["ready"] ?? -1
    }

    static func status(_ answer: TestNode.Answer) -> String { answer["status"] as? String ?? "" }

    /// The acceptance flow: create → ACTIVE → a proxied call with a key → usage counted → scale to zero after
    /// the idle timeout → PENDING → a held first request succeeds → stop → DISABLED → start → delete.
    @Test func lifecycleThroughTheGateway() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let key = try await node.call(.POST, "\(Self.projects)/api_keys", json: ["name": "flow-key"])
        let secret = try #require(key["secret"] as? String)
        let created = try await node.call(
            .POST, "\(Self.projects)/deployments",
            json: Self.spec("flow-echo", min: 0, max: 1, ["timeout": 5, "api_keys": ["flow-key"], "envs": ["REPLICA": "one"]]))
        #expect(created.status == 201)
        let task = try await Self.task(node, try #require((created["tasks"] as? [String])?.first))
        #expect(task["state"] as? String == "FINISHED", "\(task.text)")
        #expect((task["created_resources"] as? [String: [String]])?["inference_instances"] == ["flow-echo"])
        try await Self.waitFor(node, "flow-echo", "ACTIVE") { Self.status($0) == "ACTIVE" && Self.ready($0) == 1 }

        let address = "/inference/1/flow-echo"
        let echoed = try await node.call(
            .POST, "\(address)/v1/predict?x=1", token: nil, body: Array("{\"rows\":[[1]]}".utf8),
            headers: [("X-Api-Key", secret), ("Content-Type", "application/json")])
        #expect(echoed.status == 200, "\(echoed.text)")
        #expect(echoed["path"] as? String == "/v1/predict" && echoed["query"] as? String == "x=1")
        #expect(echoed["body"] as? String == "{\"rows\":[[1]]}" && echoed["replica"] as? String == "one")
        // The key opened the deployment and stopped there.
        #expect(!echoed.text.contains(secret) && (echoed["headers"] as? [String: String])?["x-api-key"] == nil)
        let bearer = try await node.call(.GET, "\(address)/", token: nil, headers: [("Authorization", "Bearer \(secret)")])
        #expect(bearer.status == 200 && !bearer.text.contains(secret))
        #expect(try await node.call(.GET, "\(address)/", token: nil).status == 401)
        #expect(try await node.call(.GET, "\(address)/", token: nil, headers: [("X-Api-Key", "sbk_wrong")]).status == 401)
        #expect(try await node.call(.GET, "/inference/1/nothing-here/", token: nil).status == 404)
        // A whitelist that leaves this address out refuses it (after the key check), and counts the refusal.
        let whitelist = "/api/v1/projects/1/deployments/flow-echo/ip_whitelist"
        _ = try await node.call(.PUT, whitelist, json: ["cidrs": ["10.0.0.0/8"]])
        let refused = try await node.call(.GET, "\(address)/", token: nil, headers: [("X-Api-Key", secret)])
        #expect(refused.status == 403 && refused.errorCode == "ip_not_allowed")
        _ = try await node.call(.PUT, whitelist, json: ["cidrs": ["127.0.0.0/8", "::1/128"]])
        #expect(try await node.call(.GET, "\(address)/", token: nil, headers: [("X-Api-Key", secret)]).status == 200)

        // Idle for the timeout with min 0: scaled to zero.
        try await Self.waitFor(node, "flow-echo", seconds: 20, "PENDING") { Self.status($0) == "PENDING" && Self.ready($0) == 0 }
        let start = ContinuousClock.now
        let cold = try await node.call(.GET, "\(address)/cold", token: nil, headers: [("X-Api-Key", secret)])
        let coldStart = ContinuousClock.now - start
        #expect(cold.status == 200 && cold["path"] as? String == "/cold", "\(cold.text)")
        print("cold start through the gateway: \(coldStart)")
        #expect(Self.status(try await node.call(.GET, "\(Self.projects)/deployments/flow-echo")) == "ACTIVE")

        // Usage: every answer above that reached a known deployment, by status.
        func today(_ usage: TestNode.Answer) -> [String: Any]? { (usage["days"] as? [[String: Any]])?.last }
        func counted(_ usage: TestNode.Answer) -> Bool {
            today(usage)?["status_200"] as? Int == 4 && today(usage)?["status_4xx_5xx"] as? Int == 3
        }
        let usage = try await node.poll("/api/v1/projects/1/deployments/flow-echo/usage", until: counted)
        #expect(counted(usage), "\(usage.text)")

        #expect(try await node.call(.POST, "\(Self.projects)/deployments/flow-echo/stop").status == 204)
        try await Self.waitFor(node, "flow-echo", "DISABLED") { Self.status($0) == "DISABLED" && Self.ready($0) == 0 }
        let stopped = try await node.call(.GET, "\(address)/", token: nil, headers: [("X-Api-Key", secret)])
        #expect(stopped.status == 503)
        #expect(try await node.call(.POST, "\(Self.projects)/deployments/flow-echo/start").status == 204)
        try await Self.waitFor(node, "flow-echo", "ACTIVE after start") { Self.status($0) == "ACTIVE" }

        let logs = try await node.call(.GET, "\(Self.projects)/deployments/flow-echo/logs?order_by=time.asc")
        #expect((logs["count"] as? Int ?? 0) > 0)

        let deleted = try await node.call(.DELETE, "\(Self.projects)/deployments/flow-echo")
        let deleteTask = try await Self.task(node, try #require((deleted["tasks"] as? [String])?.first))
        #expect(deleteTask["state"] as? String == "FINISHED")
        #expect(try await node.call(.GET, "\(Self.projects)/deployments/flow-echo").status == 404)
        let engine = DockerEngine(endpoint: try EngineEndpoint(parsing: try #require(Self.engineURL)), client: .shared)
        #expect(try await engine.list(labels: ["sibyl.deployment": "flow-echo"], all: true).isEmpty)
        await node.stop()
    }

    @Test func aCrashingImageSaysWhy() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        _ = try await node.call(.POST, "\(Self.projects)/deployments", json: Self.spec("crash-echo", ["envs": ["CRASH": "1"]]))
        let failing = try await Self.waitFor(node, "crash-echo", "PARTIALLYDEPLOYED with an error") {
            Self.status($0) == "PARTIALLYDEPLOYED" && Self.region($0)["error_message"] is String
        }
        let message = Self.region(failing)["error_message"] as? String ?? ""
        #expect(message.contains("exited with code 3") && message.contains("crashing on purpose"), "\(message)")
        _ = try await node.call(.DELETE, "\(Self.projects)/deployments/crash-echo")
        try await Self.waitFor(node, "crash-echo", "gone") { $0.status == 404 }
        await node.stop()
    }

    @Test func aFailingReadinessProbeTakesAReplicaOutOfRotation() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let probe: [String: Any] = [
            "enabled": true,
            "probe": ["http_get": ["port": 8080, "path": "/ready"], "period_seconds": 1, "failure_threshold": 1],
        ]
        _ = try await node.call(
            .POST, "\(Self.projects)/deployments", json: Self.spec("probe-echo", min: 2, max: 2, ["probes": ["readiness_probe": probe]]))
        try await Self.waitFor(node, "probe-echo", "two ready replicas") { Self.status($0) == "ACTIVE" && Self.ready($0) == 2 }
        var seen: Set<String> = []
        for _ in 0..<6 {
            seen.insert(try await node.call(.GET, "/inference/1/probe-echo/", token: nil)["replica"] as? String ?? "")
        }
        #expect(seen.count == 2, "requests should be spread over both replicas: \(seen)")

        // One replica stops being ready: it leaves the rotation, and is not restarted.
        let engine = DockerEngine(endpoint: try EngineEndpoint(parsing: try #require(Self.engineURL)), client: .shared)
        let replicas = try await engine.list(labels: ["sibyl.deployment": "probe-echo"], all: false)
        let sick = try #require(replicas.first)
        #expect(try await engine.exec(sick.id, command: ["/echo-server", "touch", "/tmp/not-ready"], timeoutSeconds: 5) == 0)
        let degraded = try await Self.waitFor(node, "probe-echo", "one ready replica") { Self.ready($0) == 1 }
        #expect(Self.status(degraded) == "PARTIALLYDEPLOYED")
        #expect(Self.region(degraded)["error_message"] as? String == "readiness probe failed")
        var answered: Set<String> = []
        for _ in 0..<6 {
            answered.insert(try await node.call(.GET, "/inference/1/probe-echo/", token: nil)["replica"] as? String ?? "")
        }
        #expect(answered.count == 1 && !answered.contains(String(sick.id.prefix(12))), "\(answered)")
        #expect(try await engine.inspect(sick.id)?.running == true)
        _ = try await node.call(.DELETE, "\(Self.projects)/deployments/probe-echo")
        try await Self.waitFor(node, "probe-echo", "gone") { $0.status == 404 }
        await node.stop()
    }

    /// With `disable_response_buffering` the replica's answer streams through as it is written; without,
    /// it arrives whole, with its length.
    @Test func streamsWhenAsked() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        _ = try await node.call(
            .POST, "\(Self.projects)/deployments",
            json: Self.spec("stream-echo", ["ingress_opts": ["disable_response_buffering": true]]))
        _ = try await node.call(.POST, "\(Self.projects)/deployments", json: Self.spec("buffer-echo"))
        for name in ["stream-echo", "buffer-echo"] {
            try await Self.waitFor(node, name, "ACTIVE") { Self.status($0) == "ACTIVE" }
        }
        func parts(_ name: String) async throws -> (parts: Int, text: String, length: String?) {
            let request = HTTPClientRequest(url: "http://\(node.clientHost):\(node.port)/inference/1/\(name)/stream")
            let response = try await TestNode.client.execute(request, timeout: .seconds(30))
            var count = 0, text = ""
            for try await buffer in response.body {
                count += 1
                text += String(buffer: buffer)
            }
            return (count, text, response.headers.first(name: "content-length"))
        }
        let streamed = try await parts("stream-echo")
        let buffered = try await parts("buffer-echo")
        let expected = (1...5).map { "chunk \($0)\n" }.joined()
        #expect(streamed.text == expected && buffered.text == expected, "\(streamed.text) | \(buffered.text)")
        #expect(streamed.parts >= 3 && streamed.length == nil, "\(streamed)")
        #expect(buffered.parts == 1 && buffered.length == "\(expected.utf8.count)", "\(buffered)")
        for name in ["stream-echo", "buffer-echo"] { _ = try await node.call(.DELETE, "\(Self.projects)/deployments/\(name)") }
        for name in ["stream-echo", "buffer-echo"] { try await Self.waitFor(node, name, "gone") { $0.status == 404 } }
        await node.stop()
    }

    /// A restarted node adopts the replicas that still match their deployment and removes the others.
    @Test func aRestartedNodeAdoptsItsReplicas() async throws {
        let first = try await Self.node()
        _ = try await first.call(.POST, "\(Self.projects)/deployments", json: Self.spec("adopt-echo"))
        try await Self.waitFor(first, "adopt-echo", "ACTIVE") { Self.status($0) == "ACTIVE" }
        let engine = DockerEngine(endpoint: try EngineEndpoint(parsing: try #require(Self.engineURL)), client: .shared)
        let before = try await engine.list(labels: ["sibyl.deployment": "adopt-echo"], all: true).map(\.id)
        #expect(before.count == 1)
        await first.stop()
        // A container of this installation that matches no deployment.
        let adopted = try #require(before.first)
        let installation = try #require(try await engine.inspect(adopted)?.labels["sibyl.installation"])
        let stray = try await engine.create(ContainerSpec(
            name: "sibyl-stray-\(UInt32.random(in: 0...UInt32.max))", image: Self.image, containerPort: 8080,
            labels: ["sibyl.installation": installation, "sibyl.project": "1", "sibyl.deployment": "no-such-one", "sibyl.region": "1"]))
        try await engine.start(stray)

        let second = try await TestNode(folder: first.folder) { configuration in
            configuration.containerEngines = [1: Self.engineURL ?? ""]
            configuration.supervisorIntervalMilliseconds = 100
        }
        defer { second.removeData() }
        try await Self.waitFor(second, "adopt-echo", "ACTIVE again") { Self.status($0) == "ACTIVE" }
        #expect(try await engine.list(labels: ["sibyl.deployment": "adopt-echo"], all: true).map(\.id) == before)
        #expect(try await engine.inspect(stray) == nil)
        #expect(try await second.call(.GET, "/inference/1/adopt-echo/", token: nil).status == 200)
        _ = try await second.call(.DELETE, "\(Self.projects)/deployments/adopt-echo")
        try await Self.waitFor(second, "adopt-echo", "gone") { $0.status == 404 }
        await second.stop()
    }

    /// The console: deploy from the form with a new key, watch it become ACTIVE, stop, start and delete it.
    @Test func theConsoleDeploysAndManages() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        _ = try await browser.follow(try await browser.signIn("admin", "admin-password"))
        let empty = try await browser.get("/projects/1/deployments")
        #expect(empty.status == 200 && empty.text.contains("No deployments yet"))

        let keyPage = try await browser.follow(try await browser.post("/projects/1/deployment-keys", [("name", "console-key")]))
        let keySecret = try #require(ConsoleClient.newKey(in: keyPage.text))
        #expect(keySecret.hasPrefix("sbk_"))
        #expect(!(try await browser.get("/projects/1/deployments")).text.contains(keySecret))

        let refused = try await browser.follow(try await browser.post(
            "/projects/1/deployments",
            [("name", "Bad Name"), ("image", Self.image), ("listening_port", "8080"), ("flavor_name", "inference-0.5vcpu-512mib"),
             ("min", "1"), ("max", "1"), ("timeout", "120"), ("envs", "")]))
        #expect(refused.status == 422 && refused.text.contains("deploy-error") && refused.text.contains("value=\"Bad Name\""))
        #expect(refused.text.contains("value=\"120\"") && refused.text.contains("value=\"key\" id=\"d-access-key\" checked"))
        #expect(!refused.text.contains("<td>Bad Name</td>"), "no key is left for a refused deployment")

        let created = try await browser.follow(try await browser.post(
            "/projects/1/deployments",
            [("name", "console-echo"), ("image", Self.image), ("listening_port", "8080"), ("flavor_name", "inference-0.5vcpu-512mib"),
             ("min", "1"), ("max", "1"), ("timeout", "600"), ("envs", "REPLICA=from-console")]))
        #expect(created.status == 200 && created.text.contains("<h1>console-echo</h1>"))
        // No key ticked: a key is required all the same, one made for it and shown once.
        let secret = try #require(ConsoleClient.newKey(in: created.text))
        #expect(secret.hasPrefix("sbk_") && created.text.contains("New API key for deployment console-echo"))
        try await Self.waitFor(node, "console-echo", "ACTIVE") { Self.status($0) == "ACTIVE" }
        let page = try await browser.get("/projects/1/deployments/console-echo")
        #expect(page.text.contains("badge-ACTIVE") && page.text.contains("/inference/1/console-echo") && page.text.contains("<dt>Keys</dt><dd>console-echo</dd>"))
        #expect(try await node.call(.GET, "/inference/1/console-echo/hi", token: nil).status == 401)
        let answer = try await node.call(.GET, "/inference/1/console-echo/hi", token: nil, headers: [("X-Api-Key", secret)])
        #expect(answer["replica"] as? String == "from-console")

        // Locked: no stop until unlocked. The whitelist is validated as in the API and kept when refused.
        let locked = try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/lock"))
        #expect(locked.text.contains("badge-locked") && locked.text.contains("id=\"unlock\""))
        #expect(try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/stop")).status == 409)
        _ = try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/unlock"))
        let badWhitelist = try await browser.follow(
            try await browser.post("/projects/1/deployments/console-echo/ip_whitelist", [("cidrs", "10.0.0.5/8")]))
        #expect(badWhitelist.status == 422 && badWhitelist.text.contains("whitelist-error") && badWhitelist.text.contains(">10.0.0.5/8</textarea>"))
        let saved = try await browser.follow(
            try await browser.post("/projects/1/deployments/console-echo/ip_whitelist", [("cidrs", "127.0.0.0/8\n::1/128")]))
        #expect(saved.text.contains("allow 127.0.0.0/8 priority 1, allow ::1/128 priority 2"))
        #expect(try await node.call(.GET, "/inference/1/console-echo/hi", token: nil, headers: [("X-Api-Key", secret)]).status == 200)
        // A deny rule line, checked first, refuses loopback; the form shows the rules as it reads them.
        let denied = try await browser.follow(
            try await browser.post("/projects/1/deployments/console-echo/ip_whitelist", [("cidrs", "127.0.0.0/8\ndeny 127.0.0.1/32 priority 0")]))
        #expect(denied.text.contains("deny 127.0.0.1/32 priority 0\nallow 127.0.0.0/8 priority 1</textarea>"), "\(denied.text)")
        #expect(try await node.call(.GET, "/inference/1/console-echo/hi", token: nil, headers: [("X-Api-Key", secret)]).status == 403)
        _ = try await browser.post("/projects/1/deployments/console-echo/ip_whitelist", [("cidrs", "127.0.0.0/8\n::1/128")])

        _ = try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/stop"))
        try await Self.waitFor(node, "console-echo", "DISABLED") { Self.status($0) == "DISABLED" }
        #expect(try await browser.get("/projects/1/deployments/console-echo").text.contains("id=\"start\""))
        _ = try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/start"))
        try await Self.waitFor(node, "console-echo", "ACTIVE again") { Self.status($0) == "ACTIVE" }
        let inUse = try await browser.follow(try await browser.post("/projects/1/deployment-keys/console-echo/delete"))
        #expect(inUse.status == 409)
        let listed = try await browser.follow(try await browser.post("/projects/1/deployments/console-echo/delete"))
        #expect(listed.status == 200)
        try await Self.waitFor(node, "console-echo", "gone") { $0.status == 404 }
        await node.stop()
    }

    /// Two regions (two engines in the configuration; here the same engine twice): a deployment placed in
    /// both runs replicas in each, counted per region.
    @Test func placesReplicasInEveryRegionAsked() async throws {
        let url = try #require(Self.engineURL)
        let node = try await TestNode { configuration in
            configuration.containerEngines = [1: url, 2: url]
            configuration.supervisorIntervalMilliseconds = 100
        }
        defer { node.removeData() }
        #expect(try await node.call(.GET, "/cloud/v1/regions")["count"] as? Int == 2)
        var body = Self.spec("regions-echo")
        body["containers"] = [["region_id": 1, "scale": ["min": 1, "max": 1]], ["region_id": 2, "scale": ["min": 2, "max": 2]]]
        #expect(try await node.call(.POST, "\(Self.projects)/deployments", json: body).status == 201)
        let active = try await Self.waitFor(node, "regions-echo", "ACTIVE in both regions") { Self.status($0) == "ACTIVE" }
        let counts = (active["containers"] as? [[String: Any]] ?? []).map {
            ($0["region_id"] as? Int ?? 0, ($0["deploy_status"] as? [String: Int])?["ready"] ?? 0)
        }
        #expect(counts.map(\.0) == [1, 2] && counts.map(\.1) == [1, 2])
        let engine = DockerEngine(endpoint: try EngineEndpoint(parsing: url), client: .shared)
        let regions = try await engine.list(labels: ["sibyl.deployment": "regions-echo"], all: true).map { $0.labels["sibyl.region"] ?? "" }
        #expect(regions.sorted() == ["1", "2", "2"])
        _ = try await node.call(.DELETE, "\(Self.projects)/deployments/regions-echo")
        try await Self.waitFor(node, "regions-echo", "gone") { $0.status == 404 }
        #expect(try await engine.list(labels: ["sibyl.deployment": "regions-echo"], all: true).isEmpty)
        await node.stop()
    }
}
