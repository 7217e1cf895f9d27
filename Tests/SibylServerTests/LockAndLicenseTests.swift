import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// A lock freezes every edit of an API but revoking a key and unlocking, on every front end; a license below
/// what is in use is refused on every front end.
@Suite(.serialized) struct LockAndLicenseTests {
    @Test func aLockedAPIRefusesEveryEditButKeyRevocation() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let mia = try await node.login("mia", "mia-password")
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let path = "/api/v1/projects/1/apis/\(api.id)"
        let second = try await node.call(.POST, "\(path)/keys", token: mia)
        let secondID = try #require(second["key_id"] as? String)
        #expect(try await node.call(.POST, "\(path)/lock", token: mia).status == 200)

        func expectLocked(_ answer: TestNode.Answer, _ verb: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == 409 && answer.errorCode == "conflict", "\(answer.text)", sourceLocation: sourceLocation)
            #expect(
                answer.errorMessage == "the API is locked: an admin must unlock it before \(verb)", "\(answer.text)",
                sourceLocation: sourceLocation)
        }
        let whitelist = "its whitelist can be changed"
        expectLocked(try await node.call(.POST, "\(path)/ip_whitelist", token: mia, json: ["cidr": "10.0.0.0/8"]), whitelist)
        expectLocked(try await node.call(.PUT, "\(path)/ip_whitelist", token: mia, json: ["cidrs": ["0.0.0.0/0"]]), whitelist)
        expectLocked(try await node.call(.DELETE, "\(path)/ip_whitelist?cidr=127.0.0.0/8", token: mia), whitelist)
        expectLocked(try await node.call(.POST, "\(path)/keys", token: mia), "keys can be created")
        expectLocked(try await node.call(.PATCH, path, token: mia, json: ["model_id": model]), "its model can be changed")
        expectLocked(try await node.call(.PATCH, path, token: mia, json: ["name": "renamed"]), "it can be changed")
        expectLocked(try await node.call(.PATCH, path, token: mia, json: ["missing_features": "refuse"]), "it can be changed")
        // An admin is held to the lock too, until they lift it.
        expectLocked(try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "10.0.0.0/8"]), whitelist)
        let unchanged = try await node.call(.GET, path)
        #expect(unchanged["ip_whitelist"] as? [String] == ["127.0.0.0/8"] && (unchanged["keys"] as? [Any])?.count == 2)
        #expect(unchanged["name"] is NSNull && unchanged["missing_features"] as? String == "allow")

        // A leaked key stays revocable: the revocation works at once, lock or not.
        #expect(try await node.call(.DELETE, "\(path)/keys/\(secondID)", token: mia).status == 204)
        #expect(try await node.predict(api.id, key: try #require(second["secret"] as? String), json: ["records": [["f0": 1]]]).status == 401)
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]).status == 200)

        #expect(try await node.call(.POST, "\(path)/unlock").status == 200)
        #expect(try await node.call(.POST, "\(path)/ip_whitelist", token: mia, json: ["cidr": "10.0.0.0/8"]).status == 200)
        #expect(try await node.call(.POST, "\(path)/keys", token: mia).status == 201)
        await node.stop()
    }

    @Test func theConsoleAndPredictionOneAreHeldToTheLockToo() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"))
        let path = "/projects/1/apis/\(api.id)"
        let browser = ConsoleClient(node)
        try await browser.signIn("mia", "mia-password")
        try await browser.get(path)
        #expect(try await browser.post(path + "/keys").status == 303)
        #expect(try await browser.post(path + "/lock").status == 303)
        try await browser.get(path)
        let message = "The API is locked: an admin must unlock it before"
        let added = try await browser.follow(try await browser.post(path + "/whitelist", [("cidr", "10.0.0.0/8")]))
        #expect(added.status == 409 && added.text.contains("\(message) its whitelist can be changed."), "\(added.text)")
        let removed = try await browser.follow(try await browser.post(path + "/whitelist/delete", [("cidr", "127.0.0.0/8")]))
        #expect(removed.status == 409 && removed.text.contains("\(message) its whitelist can be changed."))
        let key = try await browser.follow(try await browser.post(path + "/keys"))
        #expect(key.status == 409 && key.text.contains("\(message) keys can be created."))
        let info = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")
        #expect(info["ip_whitelist"] as? [String] == ["127.0.0.0/8"])
        let keys = try #require(info["keys"] as? [[String: Any]])
        #expect(keys.count == 2)
        let revoked = try await browser.post(path + "/keys/\(try #require(keys.last?["key_id"] as? String))/revoke")
        #expect(revoked.status == 303)
        #expect((try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["keys"] as? [Any])?.count == 1)

        // Prediction One: the lock is `is_editable: false`, and an edit is its 400 with code 4001000204.
        let secret = try #require(try await node.call(.POST, "/api/v1/projects/1/account_secrets")["secret"] as? String)
        let deploy = try await DeveloperAPITests.deployKey(node, secret: secret)
        let shown = try #require(try await DeveloperAPITests.classifier(node, key: deploy, id: api.id))
        #expect(shown["is_editable"] as? Bool == false)
        let rules: [[String: Any]] = [["source": "0.0.0.0/0", "order": "allow", "priority": 1]]
        let patched = try await DeveloperAPITests.external(node, .PATCH, "/classifiers/\(api.id)", key: deploy, json: ["rules": rules])
        #expect(
            DeveloperAPITests.refusal(patched) == "the API is locked: an admin must unlock it before its whitelist can be changed",
            "\(patched.text)")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["ip_whitelist"] as? [String] == ["127.0.0.0/8"])
        await node.stop()
    }

    @Test func theConsoleShowsALicenseBelowWhatIsInUseAsRefused() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        try await admin.get("/admin/license")
        let refused = try await admin.follow(try await admin.post("/admin/license", [("edition", "licensed"), ("api_options", "0")]))
        #expect(refused.status == 409, "\(refused.text)")
        #expect(refused.text.contains("1 official API exists; the license would allow 0"), "\(refused.text)")
        #expect(!refused.text.contains("License saved"))
        let trial = try await admin.follow(try await admin.post("/admin/license", [("edition", "trial"), ("api_options", "1")]))
        #expect(trial.status == 409 && trial.text.contains("the trial edition allows none"))
        let license = try await node.call(.GET, "/api/v1/license")
        #expect(license["edition"] as? String == "licensed" && license["api_options"] as? Int == 1)
        let saved = try await admin.follow(try await admin.post("/admin/license", [("edition", "licensed"), ("api_options", "2")]))
        #expect(saved.text.contains("License saved"))
        await node.stop()
    }
}
