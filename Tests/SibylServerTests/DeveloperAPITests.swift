import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// Prediction One's developer API, written from the reference (seed-apis-reference.md, B2 and B3): a deploy key
/// from an account secret, then classifiers and models with it, every refusal answering 400 4001000204.
@Suite(.serialized) struct DeveloperAPITests {
    static func external(
        _ node: TestNode, _ method: HTTPMethod, _ path: String, key: String?, json: Any? = nil
    ) async throws -> TestNode.Answer {
        try await node.call(method, "/v1/external" + path, token: nil, json: json, headers: key.map { [("x-api-key", $0)] } ?? [])
    }

    static func deployKey(_ node: TestNode, secret: String) async throws -> String {
        let answer = try await external(node, .GET, "/api-key?credential_type=deploy", key: secret)
        #expect(answer.status == 200, "\(answer.text)")
        return try #require(answer["api_key"] as? String)
    }

    /// The refusal's code and message, when it is one in the developer API's shape.
    static func refusal(_ answer: TestNode.Answer) -> String? {
        guard answer.status == 400, answer["code"] as? Int == 4_001_000_204, answer["error"] as? String == "PREDA_EXTERNAL_BAD_REQUEST"
        else { return nil }
        return answer["message"] as? String
    }

    static func classifier(_ node: TestNode, key: String, id: String) async throws -> [String: Any]? {
        let list = try await external(node, .GET, "/classifiers", key: key)
        return (list["classifiers"] as? [[String: Any]])?.first { $0["classifier_id"] as? String == id }
    }

    @Test func fromKeyIssueToDeleteWithALockOnlyAnAdminLifts() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let modelID = try await node.uploadModel("xgb_binary")
        let mia = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password", "role": "member"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, try #require(mia["user_id"] as? Int)]])
        let miaToken = try await node.login("mia", "mia-password")

        // The account secret: shown once; listed without its text.
        let issued = try await node.call(.POST, "/api/v1/projects/1/account_secrets", token: miaToken)
        #expect(issued.status == 201, "\(issued.text)")
        let secret = try #require(issued["secret"] as? String)
        let listed = try await node.call(.GET, "/api/v1/projects/1/account_secrets", token: miaToken)
        #expect(listed["count"] as? Int == 1 && !listed.text.contains(secret))
        #expect((listed["results"] as? [[String: Any]])?.first?["user"] as? String == "mia")

        // The deploy key, and the refusals of its call.
        let keyAnswer = try await Self.external(node, .GET, "/api-key?credential_type=deploy", key: secret)
        #expect(keyAnswer.status == 200, "\(keyAnswer.text)")
        let key = try #require(keyAnswer["api_key"] as? String)
        let endText = try #require(keyAnswer["end_date"] as? String)
        let endDate = try #require(ISO8601DateFormatter().date(from: endText))
        #expect(abs(endDate.timeIntervalSinceNow - 86_400) < 120)
        #expect(Self.refusal(try await Self.external(node, .GET, "/api-key", key: secret)) == "credential_type is required.")
        #expect(Self.refusal(try await Self.external(node, .GET, "/api-key?credential_type=train", key: secret))?.contains("deploy") == true)
        #expect(Self.refusal(try await Self.external(node, .GET, "/api-key?credential_type=deploy", key: "as_wrong")) == "Not_found_credential.")
        #expect(Self.refusal(try await Self.external(node, .GET, "/api-key?credential_type=deploy", key: nil)) == "Not_found_credential.")
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: secret)) == "invalid_api_key.")
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: nil)) == "invalid_api_key.")

        // Models, by Prediction One's integer ids, with offset and limit.
        let models = try await Self.external(node, .GET, "/models", key: key)
        let model = try #require((models["models"] as? [[String: Any]])?.first)
        let number = try #require(model["model_id"] as? Int)
        #expect(model["sibyl_model_id"] as? String == modelID)
        #expect(models["metadata"] as? [String: Int] == ["offset": 0, "limit": 30, "total": 1])
        let after = try await Self.external(node, .GET, "/models?offset=1&limit=5", key: key)
        #expect((after["models"] as? [Any])?.isEmpty == true && after["metadata"] as? [String: Int] == ["offset": 1, "limit": 5, "total": 1])
        #expect(Self.refusal(try await Self.external(node, .GET, "/models?limit=0", key: key))?.hasPrefix("limit") == true)
        #expect(Self.refusal(try await Self.external(node, .GET, "/models?offset=-1", key: key))?.hasPrefix("offset") == true)

        // Creating: the documented refusals, then a classifier with ordered rules.
        #expect(Self.refusal(try await Self.external(node, .POST, "/classifiers", key: key, json: [:])) == "Model id is required.")
        #expect(
            Self.refusal(try await Self.external(node, .POST, "/classifiers", key: key, json: ["model_id": number + 99]))
                == "This model may be deleted.")
        let badRule = try await Self.external(
            node, .POST, "/classifiers", key: key, json: ["model_id": number, "rules": [["source": "10.0.0.1/8", "order": "allow", "priority": 1]]])
        #expect(Self.refusal(badRule)?.hasPrefix("rules[0]:") == true, "\(badRule.text)")
        #expect((try await node.call(.GET, "/api/v1/projects/1/apis"))["count"] as? Int == 0)
        let rules: [[String: Any]] = [
            ["source": "0.0.0.0/0", "order": "deny", "priority": 20], ["source": "127.0.0.0/8", "order": "allow", "priority": 10],
        ]
        let created = try await Self.external(node, .POST, "/classifiers", key: key, json: ["model_id": number, "rules": rules])
        #expect(created.status == 200, "\(created.text)")
        let id = try #require(created["classifier_id"] as? String)
        let apiKey = try #require(created["api_key"] as? String)
        #expect(created["version"] as? String == modelID)
        try await node.waitFor(api: id, status: "operating")

        var shown = try #require(try await Self.classifier(node, key: key, id: id))
        #expect(shown["model_id"] as? Int == number && shown["status"] as? String == "running")
        #expect(shown["active"] as? Bool == true && shown["is_editable"] as? Bool == true)
        #expect(shown["api_key"] is NSNull && shown["type"] as? String == "official")
        #expect((shown["url"] as? String)?.hasSuffix("/v1/groups/1/classifiers/\(id)/inference") == true)
        let shownRules = (shown["rules"] as? [[String: Any]])?.map { "\($0["order"] ?? "") \($0["source"] ?? "") \($0["priority"] ?? "")" }
        #expect(shownRules == ["allow 127.0.0.0/8 10", "deny 0.0.0.0/0 20"])
        let csv = try PredictionOneTests.csv(rows: 1)
        #expect(try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv)).status == 200)

        // Rules edited: the caller's address is denied on both routes, Sibyl's whitelist shows the same rules.
        let denied: [[String: Any]] = [
            ["source": "127.0.0.1/32", "order": "deny", "priority": 1], ["source": "0.0.0.0/0", "order": "allow", "priority": 2],
        ]
        let patched = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["rules": denied])
        #expect(((patched["classifier"] as? [String: Any])?["rules"] as? [Any])?.count == 2, "\(patched.text)")
        let refused = try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv))
        #expect(PredictionOneTests.error(refused) == (4_031_030_201, "ACCESS_DENIED", "Not allowed source ip"))
        #expect(try await node.predict(id, key: apiKey, body: Array(csv.utf8), headers: [("Content-Type", "text/csv")]).status == 403)
        let whitelist = try await node.call(.GET, "/api/v1/projects/1/apis/\(id)/ip_whitelist")
        #expect(whitelist["cidrs"] as? [String] == ["0.0.0.0/0"])
        #expect((whitelist["rules"] as? [[String: Any]])?.first?["action"] as? String == "deny")
        _ = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["rules": rules])
        #expect(try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv)).status == 200)

        // Locked by a member: no stop, no delete, no unlock; nothing changes.
        let locked = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["is_editable": false])
        #expect((locked["classifier"] as? [String: Any])?["is_editable"] as? Bool == false, "\(locked.text)")
        let stop = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["active": false])
        #expect(Self.refusal(stop)?.contains("locked") == true, "\(stop.text)")
        #expect(Self.refusal(try await Self.external(node, .DELETE, "/classifiers/\(id)", key: key))?.contains("locked") == true)
        let unlock = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["is_editable": true, "active": false])
        #expect(Self.refusal(unlock)?.contains("admin") == true, "\(unlock.text)")
        shown = try #require(try await Self.classifier(node, key: key, id: id))
        #expect(shown["status"] as? String == "running" && shown["is_editable"] as? Bool == false)
        #expect(try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv)).status == 200)

        // An admin's key lifts the lock and stops it in one call; then the member deletes it.
        let adminSecret = try #require(try await node.call(.POST, "/api/v1/projects/1/account_secrets")["secret"] as? String)
        let adminKey = try await Self.deployKey(node, secret: adminSecret)
        let stopped = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: adminKey, json: ["is_editable": true, "active": false])
        let stoppedClassifier = try #require(stopped["classifier"] as? [String: Any], "\(stopped.text)")
        #expect(stoppedClassifier["status"] as? String == "terminated" && stoppedClassifier["active"] as? Bool == false)
        #expect(stoppedClassifier["is_editable"] as? Bool == true)
        let unavailable = try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv))
        #expect(PredictionOneTests.error(unavailable).0 == 5_031_030_101)
        let started = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["active": true])
        #expect((started["classifier"] as? [String: Any])?["status"] as? String == "running", "\(started.text)")
        _ = try await Self.external(node, .PATCH, "/classifiers/\(id)", key: key, json: ["active": false])
        let deleted = try await Self.external(node, .DELETE, "/classifiers/\(id)", key: key)
        #expect(deleted.status == 200, "\(deleted.text)")
        #expect(try await Self.classifier(node, key: key, id: id) == nil)
        #expect(Self.refusal(try await Self.external(node, .DELETE, "/classifiers/\(id)", key: key)) == "Not found classifier.")
        let gone = try await PredictionOneTests.infer(node, id, key: apiKey, json: PredictionOneTests.body(csv))
        #expect(PredictionOneTests.error(gone).0 == 4_001_030_101)

        // A member who leaves the project loses its keys; a revoked secret ends its keys.
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1]])
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: key)) == "This user may be deleted.")
        let adminSecretID = try #require(
            (try await node.call(.GET, "/api/v1/projects/1/account_secrets")["results"] as? [[String: Any]])?
                .first { $0["user"] as? String == "admin" }?["secret_id"] as? String)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/account_secrets/\(adminSecretID)").status == 204)
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: adminKey)) == "invalid_api_key.")
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/account_secrets/\(adminSecretID)").status == 404)

        await node.stop()
        for text in [secret, key, adminSecret, adminKey, apiKey] { #expect(!node.logs.text.contains(text)) }
    }

    @Test func aDeployKeyStopsWorkingAtItsEndDate() async throws {
        let time = ManualWallClock()
        let node = try await TestNode { $0.deployKeyLifetimeSeconds = 86_400; $0.clock = time.clock }
        defer { node.removeData() }
        let secret = try #require(try await node.call(.POST, "/api/v1/projects/1/account_secrets")["secret"] as? String)
        let key = try await Self.deployKey(node, secret: secret)
        time.advance(by: 86_399)
        #expect(try await Self.external(node, .GET, "/classifiers", key: key).status == 200)
        time.advance(by: 1)
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: key)) == "Inactive_credential.")
        // The secret still issues a fresh key.
        #expect(try await Self.external(node, .GET, "/classifiers", key: try await Self.deployKey(node, secret: secret)).status == 200)
    }

    /// Revoking names the project in the path: another project's secret id there is not found and its keys
    /// keep working (the keys were deleted before the project was checked).
    @Test func anotherProjectsSecretCannotBeRevokedThroughThisProject() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let project = try #require(try await node.call(.POST, "/api/v1/projects", json: ["name": "other"])["project_id"] as? Int)
        let issued = try await node.call(.POST, "/api/v1/projects/\(project)/account_secrets")
        let secret = try #require(issued["secret"] as? String)
        let id = try #require(issued["secret_id"] as? String)
        let key = try await Self.deployKey(node, secret: secret)
        let revoke = try await node.call(.DELETE, "/api/v1/projects/1/account_secrets/\(id)")
        #expect(revoke.status == 404 && revoke.errorCode == "not_found", "\(revoke.text)")
        #expect(try await Self.external(node, .GET, "/classifiers", key: key).status == 200)
        #expect(try await node.call(.DELETE, "/api/v1/projects/\(project)/account_secrets/\(id)").status == 204)
        #expect(Self.refusal(try await Self.external(node, .GET, "/classifiers", key: key)) == "invalid_api_key.")
    }

    @Test func classifiersOfAnotherProjectAreNotFound() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let project = try #require(try await node.call(.POST, "/api/v1/projects", json: ["name": "other"])["project_id"] as? Int)
        let other = try await node.createAPI(model: try await node.uploadModel("xgb_binary", project: project), project: project)
        let secret = try #require(try await node.call(.POST, "/api/v1/projects/1/account_secrets")["secret"] as? String)
        let key = try await Self.deployKey(node, secret: secret)
        let list = try await Self.external(node, .GET, "/classifiers", key: key)
        #expect((list["classifiers"] as? [Any])?.isEmpty == true, "\(list.text)")
        let patch = try await Self.external(node, .PATCH, "/classifiers/\(other.id)", key: key, json: ["active": false])
        #expect(Self.refusal(patch) == "Not found classifier.")
        #expect(Self.refusal(try await Self.external(node, .DELETE, "/classifiers/\(other.id)", key: key)) == "Not found classifier.")
        #expect(Self.refusal(try await Self.external(node, .GET, "/models", key: key)) == nil)
        #expect(((try await Self.external(node, .GET, "/models", key: key))["models"] as? [Any])?.isEmpty == true)
        // A trial edition creates trial classifiers when no type is named.
        _ = try await node.call(.PUT, "/api/v1/license", json: ["edition": "trial"])
        let model = try await node.uploadModel("xgb_binary")
        let number = try #require(
            ((try await Self.external(node, .GET, "/models", key: key))["models"] as? [[String: Any]])?.first?["model_id"] as? Int)
        let created = try await Self.external(node, .POST, "/classifiers", key: key, json: ["model_id": number])
        let id = try #require(created["classifier_id"] as? String, "\(created.text)")
        #expect((try await Self.classifier(node, key: key, id: id))?["type"] as? String == "trial")
        #expect((try await node.call(.GET, "/api/v1/projects/1/apis/\(id)"))["model_id"] as? String == model)
    }
}
