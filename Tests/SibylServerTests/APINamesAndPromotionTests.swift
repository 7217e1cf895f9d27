import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// Names of APIs and keys, the last use of keys, the default type and promoting a trial API to official.
@Suite(.serialized) struct APINamesAndPromotionTests {
    @Test func apisAndKeysHaveNamesAndKeysTheirLastUse() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        // Without a type, an API is a trial one.
        let created = try await node.call(
            .POST, "/api/v1/projects/1/apis", json: ["model_id": model, "name": "  churn scoring ", "ip_whitelist": ["127.0.0.0/8"]])
        #expect(created.status == 202 && created["type"] as? String == "trial" && created["name"] as? String == "churn scoring")
        #expect(created["missing_features"] as? String == "allow" && created["exhausted"] as? Bool == false)
        let id = try #require(created["api_id"] as? String)
        let firstKey = try #require(created["api_key"] as? [String: Any])
        #expect(firstKey["name"] is NSNull)
        try await node.waitFor(api: id, status: "operating")
        let path = "/api/v1/projects/1/apis/\(id)"
        for name in [String(repeating: "x", count: 101), "tab\there"] {
            let bad = try await node.call(.POST, "/api/v1/projects/1/apis", json: ["model_id": model, "name": name])
            #expect(bad.status == 422 && bad.errorMessage == "name: must be 1 to 100 printable characters", "\(bad.text)")
        }

        // PATCH renames and clears; a name need not be unique.
        #expect(try await node.call(.PATCH, path, json: ["name": "churn v2"])["name"] as? String == "churn v2")
        #expect(try await node.call(.PATCH, path, json: ["name": NSNull()])["name"] is NSNull)
        #expect(try await node.call(.PATCH, path, json: [String: Any]()).status == 422)
        #expect(try await node.call(.PATCH, path, json: ["name": 7]).status == 422)

        // Keys: named on creation (a body is optional), listed with their last use once it is written.
        let named = try await node.call(.POST, "\(path)/keys", json: ["name": "batch job"])
        #expect(named.status == 201 && named["name"] as? String == "batch job", "\(named.text)")
        #expect(try await node.call(.POST, "\(path)/keys").status == 201)
        #expect(try await node.call(.POST, "\(path)/keys", json: ["label": "x"]).status == 422)
        let namedID = try #require(named["key_id"] as? String)
        func keys(_ node: TestNode) async throws -> (named: [String: Any], others: [[String: Any]]) {
            let all = try #require(try await node.call(.GET, "\(path)/keys")["results"] as? [[String: Any]])
            return (try #require(all.first { $0["key_id"] as? String == namedID }), all.filter { $0["key_id"] as? String != namedID })
        }
        let listed = try await keys(node)
        #expect(listed.named["name"] as? String == "batch job" && listed.others.count == 2)
        #expect(listed.others.allSatisfy { $0["name"] is NSNull })
        #expect(([listed.named] + listed.others).allSatisfy { $0["last_used_at"] is NSNull })
        #expect(try await node.predict(id, key: try #require(named["secret"] as? String), json: ["records": [["f0": 1]]]).status == 200)
        var used = listed
        for _ in 0..<100 where !(used.named["last_used_at"] is String) {
            try await Task.sleep(for: .milliseconds(50))
            used = try await keys(node)
        }
        let lastUsed = try #require(used.named["last_used_at"] as? String)
        #expect(lastUsed.count == 20 && lastUsed.hasSuffix("Z") && lastUsed.prefix(10) == (used.named["created_at"] as? String)?.prefix(10))
        #expect(used.others.allSatisfy { $0["last_used_at"] is NSNull })
        await node.stop()

        // Written to the store: a restarted node still knows it.
        let restarted = try await TestNode(folder: node.folder)
        let again = try await keys(restarted)
        #expect(again.named["last_used_at"] as? String == lastUsed && again.named["name"] as? String == "batch job")
        await restarted.stop()
    }

    @Test func aTrialAPIIsPromotedToOfficialWithinTheLicense() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let trial = try await node.createAPI(model: model, type: "trial")
        let other = try await node.createAPI(model: model, type: "trial")
        let path = "/api/v1/projects/1/apis/\(trial.id)"
        let before = try await node.call(.GET, path)
        #expect(before["requests_left"] as? Int == 100 && before["exhausted"] as? Bool == false)

        let promoted = try await node.call(.PATCH, path, json: ["type": "official"])
        #expect(promoted.status == 200 && promoted["type"] as? String == "official", "\(promoted.text)")
        #expect(promoted["requests_left"] == nil && promoted["request_limit"] == nil && promoted["exhausted"] as? Bool == false)
        #expect(try await node.call(.GET, "/api/v1/license")["api_options_in_use"] as? Int == 1)
        #expect(try await node.predict(trial.id, key: trial.key, json: ["records": [["f0": 1]]]).status == 200)
        // Promoting again changes nothing; the license's one option is taken, so the other cannot follow.
        #expect(try await node.call(.PATCH, path, json: ["type": "official"]).status == 200)
        let full = try await node.call(.PATCH, "/api/v1/projects/1/apis/\(other.id)", json: ["type": "official"])
        #expect(full.status == 409 && full.errorMessage?.contains("no API option is free") == true, "\(full.text)")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(other.id)")["type"] as? String == "trial")
        let back = try await node.call(.PATCH, path, json: ["type": "trial"])
        #expect(back.status == 422 && back.errorCode == "invalid_input" && back.errorMessage?.contains("cannot become a trial") == true)
        #expect(try await node.call(.PATCH, path, json: ["type": "gold"]).status == 422)
        await node.stop()
    }
}
