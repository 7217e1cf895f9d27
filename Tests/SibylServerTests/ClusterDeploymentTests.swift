import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylContainers
import SibylServer
import SibylTestDatabases
import Testing

/// Two nodes on one PostgreSQL database and one container engine: a deployment made through either is run
/// by the leader and served by both, and the lead passes to the other node when the leader stops.
@Suite(.enabled(if: (EngineSettings.engineURL != nil || EngineSettings.required) && TestDatabase.kinds.contains(.postgres)))
struct ClusterDeploymentTests {
    static let projects = DeploymentFlowTests.projects

    static func node(_ url: String?) async throws -> TestNode {
        let engine = try #require(EngineSettings.engineURL, "SIBYL_REQUIRE_ENGINE=1 but SIBYL_TEST_ENGINE is not set")
        return try await TestNode { configuration in
            configuration.databaseURL = url
            configuration.containerEngines = [1: engine]
            configuration.supervisorIntervalMilliseconds = 100
            configuration.refreshIntervalMilliseconds = 1_000
            configuration.coldStartTimeoutSeconds = 30
        }
    }

    static func waitUntil(_ what: String, seconds: Double = 30, _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test func theLeaderRunsContainersEveryNodeServesThemAndTheLeadPassesOn() async throws {
        let database = try await TestDatabase.make(.postgres)
        let first = try await Self.node(database.url)
        try await Self.waitUntil("the first node to lead") { first.logs.text.contains("leading:") }
        let second = try await Self.node(database.url)
        defer {
            first.removeData()
            second.removeData()
        }
        #expect(!second.logs.text.contains("leading:"))

        // Made through the follower; run by the leader.
        let key = try await second.call(.POST, "\(Self.projects)/api_keys", json: ["name": "cluster-key"])
        let secret = try #require(key["secret"] as? String)
        let created = try await second.call(
            .POST, "\(Self.projects)/deployments",
            json: DeploymentFlowTests.spec("cluster-echo", ["api_keys": ["cluster-key"], "envs": ["REPLICA": "shared"]]))
        #expect(created.status == 201, "\(created.text)")
        let task = try await DeploymentFlowTests.task(second, try #require((created["tasks"] as? [String])?.first))
        #expect(task["state"] as? String == "FINISHED", "\(task.text)")
        try await DeploymentFlowTests.waitFor(first, "cluster-echo", "ACTIVE on the leader") {
            DeploymentFlowTests.status($0) == "ACTIVE" && DeploymentFlowTests.ready($0) == 1
        }
        let engine = DockerEngine(endpoint: try EngineEndpoint(parsing: try #require(EngineSettings.engineURL)), client: .shared)
        let containers = try await engine.list(labels: ["sibyl.deployment": "cluster-echo"], all: true)
        #expect(containers.count == 1)

        // Both gateways reach the leader's replica.
        for node in [first, second] {
            try await Self.waitUntil("a call through node \(node.port)") {
                let answer = try await node.call(.GET, "/inference/1/cluster-echo/x", token: nil, headers: [("X-Api-Key", secret)])
                return answer.status == 200 && answer["replica"] as? String == "shared"
            }
        }

        // The leader stops: the other node takes the lead and the container, and runs the next change.
        await first.stop()
        try await Self.waitUntil("the second node to lead") { second.logs.text.contains("leading:") }
        #expect(try await engine.list(labels: ["sibyl.deployment": "cluster-echo"], all: true).map(\.id) == containers.map(\.id))
        let scaled = try await second.call(
            .PATCH, "\(Self.projects)/deployments/cluster-echo",
            json: ["containers": [["region_id": 1, "scale": ["min": 2, "max": 2]]]])
        #expect(scaled.status == 200, "\(scaled.text)")
        try await DeploymentFlowTests.waitFor(second, "cluster-echo", "two replicas on the new leader") {
            DeploymentFlowTests.status($0) == "ACTIVE" && DeploymentFlowTests.ready($0) == 2
        }
        #expect(try await engine.list(labels: ["sibyl.deployment": "cluster-echo"], all: true).count == 2)

        let deleted = try await second.call(.DELETE, "\(Self.projects)/deployments/cluster-echo")
        let deleteTask = try await DeploymentFlowTests.task(second, try #require((deleted["tasks"] as? [String])?.first))
        #expect(deleteTask["state"] as? String == "FINISHED")
        #expect(try await engine.list(labels: ["sibyl.deployment": "cluster-echo"], all: true).isEmpty)
        await second.stop()
        try await database.drop()
    }
}
