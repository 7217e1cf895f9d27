import Foundation
import NIOHTTP1
import SibylApp
import SibylServer
import Testing

/// The compatible deployment API's rules, on a node whose engine cannot be reached: validation, keys,
/// tasks, flavors, pagination and project isolation need no container. (The real engine's flow is in
/// DeploymentFlowTests.)
@Suite struct CloudAPITests {
    static let unreachable: @Sendable (inout ServerConfiguration) -> Void = { $0.containerEngines = [1: "unix:///nonexistent/podman.sock"] }

    static func body(_ name: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "name": name, "image": "localhost/sibyl-test-echo:latest", "listening_port": 8080,
            "flavor_name": "inference-0.5vcpu-512mib", "containers": [["region_id": 1, "scale": ["min": 1, "max": 2]]],
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    @Test func refusesBadSpecsByField() async throws {
        let node = try await TestNode(configure: Self.unreachable)
        defer { node.removeData() }
        let path = "/cloud/v3/inference/1/deployments"
        let cases: [([String: Any], String)] = [
            (Self.body("ok-name", ["listening_port": 0]), "listening_port: must be 1 to 65535"),
            (Self.body("ok-name", ["flavor_name": "huge"]), "flavor_name: no flavor huge"),
            (Self.body("No_Caps"), "name: 4 to 30 lower-case letters"),
            (Self.body("ok-name", ["containers": [["region_id": 7, "scale": ["min": 1, "max": 1]]]]), "containers[0].region_id: no region 7"),
            (Self.body("ok-name", ["containers": [["region_id": 1, "scale": ["min": 3, "max": 2]]]]), "containers[0].scale.max"),
            (Self.body("ok-name", ["containers": [["region_id": 1, "scale": ["min": "one", "max": 2]]]]), "containers[0].scale.min: expected an integer"),
            (Self.body("ok-name", ["containers": [["region_id": 1]]]), "containers[0].scale: required"),
            (Self.body("ok-name", ["listening_prot": 80]), "listening_prot: unknown field"),
            (Self.body("ok-name", ["api_keys": ["k"], "auth_enabled": true]), "api_keys and auth_enabled"),
            (Self.body("ok-name", ["api_keys": ["missing"]]), "api_keys: no key named missing"),
            (Self.body("ok-name", ["timeout": -1]), "timeout: must be 0 or more"),
            (Self.body("ok-name", ["probes": ["readiness_probe": ["enabled": true, "probe": ["tcp_socket": ["port": 8080], "http_get": ["port": 8080]]]]]),
             "probes.readiness_probe.probe: give exactly one"),
            (Self.body("ok-name", ["containers": [["region_id": 1, "scale": ["min": 0, "max": 1, "triggers": ["sqs": ["queue_url": "q"]]]]]]),
             "triggers.sqs: queue triggers are not supported"),
        ]
        for (body, message) in cases {
            let answer = try await node.call(.POST, path, json: body)
            #expect(answer.status == 422, "\(message): \(answer.text)")
            #expect(answer.errorMessage?.contains(message) == true, "expected “\(message)”, got \(answer.text)")
        }
        let notJSON = try await node.call(.POST, path, body: Array("{".utf8), headers: [("Content-Type", "application/json")])
        #expect(notJSON.status == 400 && notJSON.errorCode == "malformed_body")
        let list = try await node.call(.GET, path)
        #expect(list["count"] as? Int == 0)
        await node.stop()
    }

    @Test func answersInTheVendorsShapeAndPages() async throws {
        let node = try await TestNode(configure: Self.unreachable)
        defer { node.removeData() }
        let path = "/cloud/v3/inference/1/deployments"
        let created = try await node.call(
            .POST, path,
            json: Self.body("first-one", ["command": ["/echo-server", "--flag", "two words"], "envs": ["DEBUG_MODE": "False"]]))
        #expect(created.status == 201)
        let tasks = try #require(created["tasks"] as? [String])
        #expect(tasks.count == 1)
        let taken = try await node.call(.POST, path, json: Self.body("first-one"))
        #expect(taken.status == 409)
        #expect(taken.headers.contains { $0.0.lowercased() == "x-should-retry" && $0.1 == "false" })

        let deployment = try await node.call(.GET, "\(path)/first-one")
        #expect(deployment.status == 200)
        #expect(deployment["command"] as? String == "/echo-server --flag 'two words'")
        #expect((deployment["envs"] as? [String: String]) == ["DEBUG_MODE": "False"])
        #expect(deployment["credentials_name"] as? String == "" && deployment["description"] as? String == "")
        #expect(deployment["object_references"] as? [Any] != nil && deployment["auth_enabled"] as? Bool == false)
        #expect(deployment["timeout"] as? Int == 120 && deployment["project_id"] as? Int == 1)
        #expect((deployment["address"] as? String)?.hasSuffix("/inference/1/first-one") == true)
        let container = try #require((deployment["containers"] as? [[String: Any]])?.first)
        let scale = try #require(container["scale"] as? [String: Any])
        #expect(scale["triggers"] as? [String: Any] != nil && scale["cooldown_period"] as? Int == 60)
        #expect(container["deploy_status"] as? [String: Int] != nil)

        // The engine cannot be reached: the task ends in ERROR with the reason, and the deployment says why.
        var task: TestNode.Answer?
        for _ in 0..<100 {
            task = try await node.call(.GET, "/cloud/v1/tasks/\(tasks[0])")
            if task?["state"] as? String != "RUNNING" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(task?["state"] as? String == "ERROR" && task?["task_type"] as? String == "create_inference_instance")
        #expect((task?["error"] as? String)?.contains("region 1") == true, "\(task?.text ?? "")")
        let failing = try await node.call(.GET, "\(path)/first-one")
        #expect(failing["status"] as? String == "PARTIALLYDEPLOYED")
        let region = try #require((failing["containers"] as? [[String: Any]])?.first)
        #expect((region["error_message"] as? String)?.isEmpty == false)

        for name in ["second-one", "third-one"] { #expect(try await node.call(.POST, path, json: Self.body(name)).status == 201) }
        let page = try await node.call(.GET, "\(path)?limit=2&offset=1")
        #expect(page["count"] as? Int == 3)
        #expect((page["results"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["second-one", "third-one"])
        #expect(try await node.call(.GET, "\(path)?limit=0").status == 422)

        let flavors = try await node.call(.GET, "/cloud/v3/inference/flavors")
        #expect(flavors["count"] as? Int == 3)
        let flavor = try await node.call(.GET, "/cloud/v3/inference/flavors/inference-1vcpu-1gib")
        #expect(flavor["cpu"] as? Double == 1 && flavor["gpu"] as? Int == 0 && flavor["is_gpu_shared"] as? Bool == false)
        #expect(try await node.call(.GET, "/cloud/v3/inference/flavors/nope").status == 404)
        #expect(try await node.call(.GET, "/cloud/v1/regions")["count"] as? Int == 1)
        await node.stop()
    }

    @Test func keysAttachDetachAndAreShownOnce() async throws {
        let node = try await TestNode(configure: Self.unreachable)
        defer { node.removeData() }
        let keys = "/cloud/v3/inference/1/api_keys"
        let created = try await node.call(.POST, keys, json: ["name": "ci-key", "description": "for CI", "expires_at": "2099-01-01T00:00:00Z"])
        #expect(created.status == 201)
        let secret = try #require(created["secret"] as? String)
        #expect(secret.hasPrefix("sbk_") && created["expires_at"] as? String == "2099-01-01T00:00:00Z")
        let listed = try await node.call(.GET, keys)
        #expect(!listed.text.contains(secret) && listed["count"] as? Int == 1)
        #expect(try await node.call(.POST, keys, json: ["name": "ci-key"]).status == 409)
        #expect(try await node.call(.POST, keys, json: ["name": "bad key"]).status == 422)
        #expect(try await node.call(.POST, keys, json: ["name": "k2", "expires_at": "tomorrow"]).status == 422)

        let path = "/cloud/v3/inference/1/deployments"
        #expect(try await node.call(.POST, path, json: Self.body("keyed-one", ["api_keys": ["ci-key"]])).status == 201)
        let keyed = try await node.call(.GET, "\(path)/keyed-one")
        #expect(keyed["auth_enabled"] as? Bool == true && keyed["api_keys"] as? [String] == ["ci-key"])
        #expect(try await node.call(.GET, "\(keys)/ci-key")["deployment_names"] as? [String] == ["keyed-one"])
        let attached = try await node.call(.DELETE, "\(keys)/ci-key")
        #expect(attached.status == 409 && attached.errorMessage?.contains("keyed-one") == true)

        let update = try await node.call(.PATCH, "\(path)/keyed-one", json: ["api_keys": [String](), "description": "now open"])
        #expect(update.status == 200 && (update["tasks"] as? [String])?.count == 1)
        let open = try await node.call(.GET, "\(path)/keyed-one")
        #expect(open["auth_enabled"] as? Bool == false && open["description"] as? String == "now open")
        let renamed = try await node.call(.PATCH, "\(path)/keyed-one", json: ["name": "other"])
        #expect(renamed.status == 422)
        let patched = try await node.call(.PATCH, "\(keys)/ci-key", json: ["description": "rotated"])
        #expect(patched["description"] as? String == "rotated" && patched["secret"] == nil)
        #expect(try await node.call(.DELETE, "\(keys)/ci-key").status == 204)
        #expect(try await node.call(.GET, "\(keys)/ci-key").status == 404)
        await node.stop()
    }

    @Test func otherProjectsSeeNothing() async throws {
        let node = try await TestNode(configure: Self.unreachable)
        defer { node.removeData() }
        let created = try await node.call(.POST, "/cloud/v3/inference/1/deployments", json: Self.body("private-one"))
        let task = try #require((created["tasks"] as? [String])?.first)
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password", "role": "member"])
        let mia = try await node.login("mia", "mia-password")
        #expect(try await node.call(.GET, "/cloud/v3/inference/1/deployments/private-one", token: mia).status == 404)
        #expect(try await node.call(.GET, "/cloud/v3/inference/1/deployments", token: mia).status == 404)
        #expect(try await node.call(.GET, "/cloud/v1/tasks/\(task)", token: mia).status == 404)
        #expect(try await node.call(.GET, "/cloud/v1/tasks", token: mia)["count"] as? Int == 0)
        #expect(try await node.call(.GET, "/cloud/v3/inference/1/deployments", token: nil).status == 401)
        // The vendor's clients spell the scheme "APIKey".
        let vendorSpelling = try await node.call(
            .GET, "/cloud/v3/inference/1/deployments", token: nil, headers: [("Authorization", "APIKey \(TestNode.adminToken)")])
        #expect(vendorSpelling.status == 200)
        await node.stop()
    }

    /// Sibyl's additions: a locked deployment cannot be stopped or deleted until an admin unlocks it; its
    /// whitelist is validated as a prediction API's.
    @Test func lockAndWhitelist() async throws {
        let node = try await TestNode(configure: Self.unreachable)
        defer { node.removeData() }
        let cloud = "/cloud/v3/inference/1/deployments"
        let sibyl = "/api/v1/projects/1/deployments/locked-one"
        #expect(try await node.call(.POST, cloud, json: Self.body("locked-one")).status == 201)
        let open = try await node.call(.GET, "\(sibyl)/ip_whitelist")
        #expect(open["locked"] as? Bool == false && open.json.keys.contains("ip_whitelist") && open["ip_whitelist"] is NSNull)
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password", "role": "member"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let mia = try await node.login("mia", "mia-password")
        #expect(try await node.call(.POST, "\(sibyl)/lock", token: mia)["locked"] as? Bool == true)
        let stop = try await node.call(.POST, "\(cloud)/locked-one/stop")
        #expect(stop.status == 409 && stop.errorMessage?.contains("locked") == true)
        #expect(try await node.call(.DELETE, "\(cloud)/locked-one").status == 409)
        #expect(try await node.call(.POST, "\(sibyl)/unlock", token: mia).status == 403)
        #expect(try await node.call(.POST, "\(sibyl)/unlock")["locked"] as? Bool == false)
        #expect(try await node.call(.POST, "\(cloud)/locked-one/stop").status == 204)

        let bad = try await node.call(.PUT, "\(sibyl)/ip_whitelist", json: ["cidrs": ["10.0.0.5/8"]])
        #expect(bad.status == 422)
        let set = try await node.call(.PUT, "\(sibyl)/ip_whitelist", json: ["cidrs": ["10.0.0.0/8", "::1/128"]])
        #expect(set["ip_whitelist"] as? [String] == ["10.0.0.0/8", "::1/128"])
        // Rules with actions and priorities, kept as given across a restart.
        let rules: [[String: Any]] = [["cidr": "10.0.0.0/8", "action": "allow", "priority": 5], ["cidr": "10.9.0.0/16", "action": "deny", "priority": 1]]
        let ruled = try await node.call(.PUT, "\(sibyl)/ip_whitelist", json: ["rules": rules])
        #expect(ruled["ip_whitelist"] as? [String] == ["10.0.0.0/8"], "\(ruled.text)")
        #expect((ruled["ip_rules"] as? [[String: Any]])?.map { "\($0["action"]!) \($0["cidr"]!) \($0["priority"]!)" } == ["deny 10.9.0.0/16 1", "allow 10.0.0.0/8 5"])
        #expect(try await node.call(.PUT, "\(sibyl)/ip_whitelist", json: ["cidrs": ["10.0.0.0/8"], "rules": rules]).status == 422)
        // One block's rule at a time: set (keeping its priority), removed; a lock leaves the rules as they are.
        let denied = try await node.call(.POST, "\(sibyl)/ip_whitelist", json: ["cidr": "10.0.0.0/8", "action": "deny"])
        #expect((denied["ip_rules"] as? [[String: Any]])?.map { "\($0["action"]!) \($0["cidr"]!) \($0["priority"]!)" } == ["deny 10.9.0.0/16 1", "deny 10.0.0.0/8 5"])
        #expect(try await node.call(.POST, "\(sibyl)/ip_whitelist", json: ["cidr": "10.0.0.0/8", "action": "allow"])["ip_whitelist"] as? [String] == ["10.0.0.0/8"])
        #expect(try await node.call(.POST, "\(sibyl)/lock")["ip_whitelist"] as? [String] == ["10.0.0.0/8"])
        #expect(try await node.call(.POST, "\(sibyl)/unlock")["ip_whitelist"] as? [String] == ["10.0.0.0/8"])
        #expect(try await node.call(.DELETE, "\(sibyl)/ip_whitelist?cidr=172.16.0.0/12").status == 404)
        #expect(try await node.call(.DELETE, "\(sibyl)/ip_whitelist?cidr=10.0.0.0/8")["ip_whitelist"] as? [String] == [])
        _ = try await node.call(.PUT, "\(sibyl)/ip_whitelist", json: ["rules": rules])
        await node.stop()
        let restarted = try await TestNode(folder: node.folder, configure: Self.unreachable)
        let kept = try await restarted.call(.GET, "\(sibyl)/ip_whitelist")
        #expect((kept["ip_rules"] as? [[String: Any]])?.map { "\($0["action"]!) \($0["cidr"]!) \($0["priority"]!)" } == ["deny 10.9.0.0/16 1", "allow 10.0.0.0/8 5"])
        #expect(try await restarted.call(.DELETE, "\(sibyl)/ip_whitelist")["ip_whitelist"] is NSNull)
        await restarted.stop()
    }

    @Test func aNodeWithoutAnEngineRefusesDeployments() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let answer = try await node.call(.POST, "/cloud/v3/inference/1/deployments", json: Self.body("no-engine"))
        #expect(answer.status == 503 && answer.errorCode == "engine_unavailable")
        await node.stop()
    }
}

/// Registry credentials and secrets: sealed at rest, never answered in clear.
@Suite struct CloudSecretTests {
    @Test func credentialsAndSecretsAreSealedAndMasked() async throws {
        let node = try await TestNode(configure: CloudAPITests.unreachable)
        defer { node.removeData() }
        let base = "/cloud/v3/inference/1"
        let password = "registry-password-0123456789"
        let created = try await node.call(
            .POST, "\(base)/registry_credentials",
            json: ["name": "hub", "username": "ci", "password": password, "registry_url": "registry.example.com"])
        #expect(created.status == 201 && created["username"] as? String == "ci" && created["password"] == nil)
        #expect(try await node.call(.POST, "\(base)/registry_credentials", json: ["name": "hub", "username": "x", "password": "y", "registry_url": "z"]).status == 409)
        let replaced = try await node.call(
            .PUT, "\(base)/registry_credentials/hub", json: ["username": "ci2", "password": password, "registry_url": "registry.example.com"])
        #expect(replaced.status == 200 && replaced["username"] as? String == "ci2")
        let listed = try await node.call(.GET, "\(base)/registry_credentials")
        #expect(listed["count"] as? Int == 1 && !listed.text.contains(password))

        let secretKey = "aws-secret-key-9876543210"
        let secret = try await node.call(
            .POST, "\(base)/secrets",
            json: ["name": "aws", "type": "aws-iam", "data": ["aws_access_key_id": "AKIAEXAMPLEKEY1234", "aws_secret_access_key": secretKey]])
        #expect(secret.status == 201)
        #expect((secret["data"] as? [String: String]) == ["aws_access_key_id": "****1234", "aws_secret_access_key": "****"])
        #expect(try await node.call(.POST, "\(base)/secrets", json: ["name": "bad", "type": "gcp", "data": [String: String]()]).status == 422)
        let fetched = try await node.call(.GET, "\(base)/secrets/aws")
        #expect(!fetched.text.contains(secretKey) && !fetched.text.contains("AKIAEXAMPLEKEY1234"))

        // Deployments pull with named credentials only; credentials in use stay.
        let unknown = try await node.call(.POST, "\(base)/deployments", json: CloudAPITests.body("pull-one", ["credentials_name": "nope"]))
        #expect(unknown.status == 422 && unknown.errorMessage?.contains("credentials_name") == true)
        let pulling = CloudAPITests.body("pull-one", ["credentials_name": "hub", "image": "registry.example.com/team/app:1"])
        #expect(try await node.call(.POST, "\(base)/deployments", json: pulling).status == 201)
        #expect(try await node.call(.DELETE, "\(base)/registry_credentials/hub").status == 409)

        // Nothing sensitive is in the database in clear.
        let database = try node.storedData()
        #expect(database.range(of: Data("registry_credentials".utf8)) != nil, "the database was read")
        for clear in [password, secretKey, "AKIAEXAMPLEKEY1234"] {
            #expect(database.range(of: Data(clear.utf8)) == nil, "\(clear) is stored in clear")
        }
        #expect(try await node.call(.DELETE, "\(base)/secrets/aws").status == 204)
        #expect(try await node.call(.GET, "\(base)/secrets/aws").status == 404)
        await node.stop()
    }
}
