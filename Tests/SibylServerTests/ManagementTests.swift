import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylCore
import SibylServer
import Testing

/// The management API: users and tokens, projects, license, models and the whole API lifecycle.
@Suite(.serialized) struct ManagementTests {
    @Test func theAdminExistsAfterBootstrapAndTokensWorkInEveryScheme() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        #expect(try await node.call(.GET, "/api/v1/me")["name"] as? String == "admin")
        for header in ["apikey", "APIKEY", "Bearer", "bearer"] {
            let answer = try await node.call(.GET, "/api/v1/me", token: nil, headers: [("Authorization", "\(header) \(TestNode.adminToken)")])
            #expect(answer.status == 200)
        }
        let none = try await node.call(.GET, "/api/v1/me", token: nil)
        #expect(none.status == 401 && none.errorCode == "unauthenticated")
        #expect(try await node.call(.GET, "/api/v1/me", token: "wrong").status == 401)
        let projects = try await node.call(.GET, "/api/v1/projects")
        #expect((projects["results"] as? [[String: Any]])?.first?["project_id"] as? Int == 1)
        // A password login gives a fresh token that works.
        let login = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "admin-password"])
        #expect(login.status == 201)
        let token = try #require(login["token"] as? String)
        #expect(try await node.call(.GET, "/api/v1/me", token: token).status == 200)
        let bad = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "nope-nope"])
        #expect(bad.status == 401)
        #expect(try await node.call(.GET, "/healthz", token: nil).status == 200)
        #expect(try await node.call(.GET, "/readyz", token: nil).status == 200)
        await node.stop()
    }

    /// Password sign-ins for tokens share the console's throttle: five failures close the name (429),
    /// even to the right password, until the window passes.
    @Test func tokenSignInsAreThrottled() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        for _ in 0..<5 {
            let wrong = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "not-the-password"])
            #expect(wrong.status == 401)
        }
        let closed = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "admin-password"])
        #expect(closed.status == 429 && closed.errorCode == "too_many_attempts", "\(closed.text)")
        #expect(Int(closed.headers.first { $0.0.lowercased() == "retry-after" }?.1 ?? "") ?? 0 > 0)
        // A token still works: only password sign-ins are throttled.
        #expect(try await node.call(.POST, "/api/v1/tokens", json: [String: Any]()).status == 201)
        await node.stop()
    }

    @Test func usersRolesAndBadInput() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let created = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password", "role": "member"])
        #expect(created.status == 201 && created["role"] as? String == "member")
        let mia = try await node.login("mia", "mia-password")
        #expect(try await node.call(.GET, "/api/v1/users", token: mia).status == 403)
        #expect(try await node.call(.POST, "/api/v1/users", token: mia, json: ["name": "x", "password": "xxxxxxxx"]).status == 403)
        #expect(try await node.call(.PUT, "/api/v1/license", token: mia, json: ["api_options": 5]).status == 403)
        let duplicate = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        #expect(duplicate.status == 409 && duplicate.errorCode == "conflict")
        let short = try await node.call(.POST, "/api/v1/users", json: ["name": "zed", "password": "short"])
        #expect(short.status == 422 && short.errorMessage?.contains("password") == true)
        let extra = try await node.call(.POST, "/api/v1/users", json: ["name": "zed", "password": "long-enough", "admin": true])
        #expect(extra.status == 422 && extra.errorMessage == "admin: unknown field")
        let badRole = try await node.call(.POST, "/api/v1/users", json: ["name": "zed", "password": "long-enough", "role": "god"])
        #expect(badRole.status == 422)
        let malformed = try await node.call(.POST, "/api/v1/users", body: Array("{\"name\":".utf8), headers: [("Content-Type", "application/json")])
        #expect(malformed.status == 400 && malformed.errorCode == "malformed_body")
        let lastAdmin = try await node.call(.PATCH, "/api/v1/users/1", json: ["role": "member"])
        #expect(lastAdmin.status == 409)
        await node.stop()
    }

    @Test func licenseAndAPIOptions() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let license = try await node.call(.GET, "/api/v1/license")
        #expect(license["edition"] as? String == "licensed" && license["api_options"] as? Int == 1)
        let model = try await node.uploadModel("xgb_binary")
        let first = try await node.createAPI(model: model, type: "official")
        let refused = try await node.call(.POST, "/api/v1/projects/1/apis", json: ["model_id": model, "type": "official"])
        #expect(refused.status == 409 && refused.errorMessage?.contains("API option") == true)
        #expect(try await node.call(.GET, "/api/v1/license")["api_options_in_use"] as? Int == 1)
        // A stopped official API still holds its option; deleting it frees the option.
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(first.id)/stop").status == 200)
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis", json: ["model_id": model, "type": "official"]).status == 409)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/apis/\(first.id)").status == 204)
        #expect(try await node.call(.GET, "/api/v1/license")["api_options_in_use"] as? Int == 0)
        let second = try await node.createAPI(model: model, type: "official")
        // A license below what is in use is refused, in words that say what is in use; nothing changes.
        let below = try await node.call(.PUT, "/api/v1/license", json: ["api_options": 0])
        #expect(below.status == 409 && below.errorCode == "conflict", "\(below.text)")
        #expect(below.errorMessage?.hasPrefix("1 official API exists; the license would allow 0") == true, "\(below.text)")
        let trialBelow = try await node.call(.PUT, "/api/v1/license", json: ["edition": "trial", "api_options": 3])
        #expect(trialBelow.status == 409 && trialBelow.errorMessage?.contains("the trial edition allows none") == true)
        let unchanged = try await node.call(.GET, "/api/v1/license")
        #expect(unchanged["edition"] as? String == "licensed" && unchanged["api_options"] as? Int == 1)
        #expect(try await node.predict(second.id, key: second.key, json: ["records": [["f0": 1]]]).status == 200)
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(second.id)/stop").status == 200)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/apis/\(second.id)").status == 204)
        // The trial edition creates trial APIs only.
        #expect(try await node.call(.PUT, "/api/v1/license", json: ["edition": "trial", "api_options": 3]).status == 200)
        let trialEdition = try await node.call(.POST, "/api/v1/projects/1/apis", json: ["model_id": model, "type": "official"])
        #expect(trialEdition.status == 409 && trialEdition.errorMessage?.contains("trial edition") == true)
        _ = try await node.createAPI(model: model, type: "trial")
        #expect(try await node.call(.PUT, "/api/v1/license", json: ["api_options": -1]).status == 422)
        #expect(try await node.call(.PUT, "/api/v1/license", json: ["edition": "gold"]).status == 422)
        await node.stop()
    }

    @Test func modelsAreValidatedListedAndKeptWhileInUse() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_multiclass")
        let shown = try await node.call(.GET, "/api/v1/projects/1/models/\(model)")
        #expect(shown["task"] as? String == "multiclass")
        #expect(shown["classes"] as? [String] == ["0", "1", "2"])
        #expect((shown["features"] as? [[String: Any]])?.count == 30)
        #expect((try await node.call(.GET, "/api/v1/projects/1/models")["results"] as? [Any])?.count == 1)
        let junk = try await node.call(.POST, "/api/v1/projects/1/models?name=junk", body: Array("{\"learner\": 1}".utf8))
        #expect(junk.status == 422 && junk.errorCode == "invalid_model")
        let unnamed = try await node.call(.POST, "/api/v1/projects/1/models", body: try Fixtures.bytes("xgb_binary/model.json"))
        #expect(unnamed.status == 422 && unnamed.errorMessage == "name: required")
        let badFormat = try await node.call(.POST, "/api/v1/projects/1/models?name=m&format=onnx", body: try Fixtures.bytes("xgb_binary/model.json"))
        #expect(badFormat.status == 422)
        // Multipart upload, as a browser form or curl -F sends it.
        let boundary = "sibyl-boundary-42"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbinary model\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.json\"\r\nContent-Type: application/json\r\n\r\n".utf8)
        body += try Fixtures.bytes("xgb_binary/model.json") + Array("\r\n--\(boundary)--\r\n".utf8)
        let multipart = try await node.call(
            .POST, "/api/v1/projects/1/models", body: body, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
        #expect(multipart.status == 201 && multipart["name"] as? String == "binary model" && multipart["task"] as? String == "binary")

        let api = try await node.createAPI(model: model)
        let inUse = try await node.call(.DELETE, "/api/v1/projects/1/models/\(model)")
        #expect(inUse.status == 409 && inUse.errorMessage?.contains(api.id) == true)
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/stop").status == 200)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/apis/\(api.id)").status == 204)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/models/\(model)").status == 204)
        #expect(try await node.call(.GET, "/api/v1/projects/1/models/\(model)").status == 404)
        await node.stop()
    }

    @Test func theWholeLifecycleOfAnAPI() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let mia = try await node.login("mia", "mia-password")
        let model = try await node.uploadModel("xgb_binary")
        let created = try await node.call(.POST, "/api/v1/projects/1/apis", token: mia, json: ["model_id": model, "type": "trial"])
        #expect(created.status == 202 && created["status"] as? String == "building")
        #expect((created["url"] as? String)?.hasSuffix("/apis/\(created["api_id"]!)/predict") == true)
        let id = try #require(created["api_id"] as? String)
        try await node.waitFor(api: id, status: "operating")
        let path = "/api/v1/projects/1/apis/\(id)"

        func status(_ action: String, token: String = TestNode.adminToken) async throws -> (Int, String?) {
            let answer = try await node.call(.POST, "\(path)/\(action)", token: token)
            return (answer.status, answer["status"] as? String ?? answer.errorCode)
        }
        #expect(try await node.call(.DELETE, path).status == 409)  // operating: stop first
        #expect(try await status("lock", token: mia) == (200, "operating"))
        #expect(try await status("stop", token: mia) == (409, "conflict"))  // locked
        #expect(try await status("stop") == (409, "conflict"))  // locked, even for an admin
        #expect(try await status("unlock", token: mia) == (403, "forbidden"))
        #expect(try await node.call(.GET, path)["locked"] as? Bool == true)
        #expect(try await status("unlock") == (200, "operating"))
        #expect(try await status("stop", token: mia) == (200, "stopped"))
        #expect(try await status("stop", token: mia) == (200, "stopped"))  // repeating is harmless
        #expect(try await status("start", token: mia) == (200, "operating"))
        #expect(try await status("stop", token: mia) == (200, "stopped"))
        #expect(try await status("lock", token: mia) == (200, "stopped"))
        #expect(try await node.call(.DELETE, path, token: mia).status == 409)  // locked
        #expect(try await status("unlock") == (200, "stopped"))

        // Changing the model of a stopped API keeps it stopped; of an operating one rolls out as updating.
        let second = try await node.uploadModel("xgb_binary")
        #expect(try await node.call(.PATCH, path, json: ["model_id": second])["model_id"] as? String == second)
        #expect(try await status("start") == (200, "operating"))
        let patched = try await node.call(.PATCH, path, json: ["model_id": model])
        #expect(patched["status"] as? String == "updating" || patched["status"] as? String == "operating")
        try await node.waitFor(api: id, status: "operating")
        #expect(try await node.call(.PATCH, path, json: ["model_id": "mdl_aaaaaaaaaaaaaaaa"]).status == 422)
        #expect(try await status("stop") == (200, "stopped"))
        #expect(try await node.call(.DELETE, path, token: mia).status == 204)
        #expect(try await node.call(.GET, path).status == 404)
        #expect(try await node.call(.POST, "/apis/\(id)/predict", token: nil, json: ["records": [["f0": 1]]]).status == 404)
        await node.stop()
    }

    @Test func keysAndWhitelistEdits() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), whitelist: [])
        let path = "/api/v1/projects/1/apis/\(api.id)"
        let good: [String: Any] = ["records": [["f0": 1]]]
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 403)
        #expect(try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "127.0.0.1/32"])["cidrs"] as? [String] == ["127.0.0.1/32"])
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 200)
        let hostBits = try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "127.0.0.1/8"])
        #expect(hostBits.status == 422 && hostBits.errorMessage?.contains("127.0.0.0/8") == true)
        #expect(try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "10.0.0.0/33"]).status == 422)
        let replaced = try await node.call(.PUT, "\(path)/ip_whitelist", json: ["cidrs": ["::/0", "0.0.0.0/0", "::ffff:10.0.0.0/104"]])
        #expect(replaced["cidrs"] as? [String] == ["::/0", "0.0.0.0/0", "10.0.0.0/8"])
        #expect(try await node.call(.PUT, "\(path)/ip_whitelist", json: ["cidrs": ["1.2.3.4/40"]]).status == 422)
        #expect(try await node.call(.GET, "\(path)/ip_whitelist")["cidrs"] as? [String] == ["::/0", "0.0.0.0/0", "10.0.0.0/8"])
        #expect(try await node.call(.DELETE, "\(path)/ip_whitelist?cidr=0.0.0.0/0").status == 200)
        #expect(try await node.call(.DELETE, "\(path)/ip_whitelist?cidr=0.0.0.0/0").status == 404)
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 403)
        _ = try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "0.0.0.0/0"])

        // Deny rules: the lowest priority that holds the caller decides; plain entries allow after the others.
        let denied = try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "127.0.0.0/8", "action": "deny", "priority": 1])
        #expect(denied["cidrs"] as? [String] == ["::/0", "10.0.0.0/8", "0.0.0.0/0"], "\(denied.text)")
        #expect((denied["rules"] as? [[String: Any]])?.first?["action"] as? String == "deny")
        let refused = try await node.predict(api.id, key: api.key, json: good)
        #expect(refused.status == 403 && refused.errorCode == "ip_not_allowed")
        let allowedFirst = try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "127.0.0.1/32", "priority": 0])
        #expect((allowedFirst["rules"] as? [[String: Any]])?.first?["cidr"] as? String == "127.0.0.1/32")
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 200)
        #expect(try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "10.0.0.0/8", "action": "block"]).status == 422)
        #expect(try await node.call(.POST, "\(path)/ip_whitelist", json: ["cidr": "10.0.0.0/8", "priority": 70_000]).status == 422)
        let rules: [[String: Any]] = [["cidr": "127.0.0.0/8", "action": "deny"], ["cidr": "0.0.0.0/0"]]
        let replacedByRules = try await node.call(.PUT, "\(path)/ip_whitelist", json: ["rules": rules])
        #expect((replacedByRules["rules"] as? [[String: Any]])?.map { $0["priority"] as? Int } == [1, 2], "\(replacedByRules.text)")
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 403)
        let twice = try await node.call(.PUT, "\(path)/ip_whitelist", json: ["rules": [["cidr": "0.0.0.0/0"], ["cidr": "0.0.0.0/0", "action": "deny"]]])
        #expect(twice.status == 422 && twice.errorMessage?.contains("more than one rule") == true)
        #expect((try await node.call(.GET, path))["ip_rules"] as? [[String: Any]] != nil)
        _ = try await node.call(.PUT, "\(path)/ip_whitelist", json: ["cidrs": ["0.0.0.0/0"]])

        // Several keys at once; a revoked key is refused at once; secrets never come back.
        let second = try await node.call(.POST, "\(path)/keys")
        #expect(second.status == 201)
        let secondKey = try #require(second["secret"] as? String)
        #expect(try await node.predict(api.id, key: secondKey, json: good).status == 200)
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 200)
        // A key's id with another secret, one character short or long, or two X-Api-Key fields is no key;
        // every header form of a good key is one.
        let (id, secret) = (api.key.split(separator: ".")[0], api.key.split(separator: ".")[1])
        for wrong in ["\(id).\(secret.dropLast())", "\(id).\(secret)a", "\(id).\(secret.reversed())", "\(id)."] {
            #expect(try await node.predict(api.id, key: wrong, json: good).status == 401, "\(wrong)")
        }
        let both = try await node.predict(api.id, key: nil, json: good, headers: [("X-Api-Key", api.key), ("X-Api-Key", secondKey)])
        #expect(both.status == 401 && both.errorCode == "invalid_api_key")
        for header in [("Authorization", "Bearer \(api.key)"), ("Authorization", "apikey \(api.key)"), ("X-Api-Key", api.key)] {
            #expect(try await node.predict(api.id, key: nil, json: good, headers: [header]).status == 200, "\(header.0)")
        }
        let keys = try await node.call(.GET, "\(path)/keys")
        #expect((keys["results"] as? [[String: Any]])?.count == 2)
        #expect(!keys.text.contains(secondKey.split(separator: ".")[1]))
        #expect(try await node.call(.DELETE, "\(path)/keys/\(second["key_id"] as! String)").status == 204)
        #expect(try await node.predict(api.id, key: secondKey, json: good).status == 401)
        #expect(try await node.predict(api.id, key: api.key, json: good).status == 200)
        #expect(try await node.call(.DELETE, "\(path)/keys/key_aaaaaaaaaaaaaaaa").status == 404)
        await node.stop()
    }

    @Test func otherProjectsAnswerNotFound() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        let mia = try await node.login("mia", "mia-password")
        let own = try await node.call(.POST, "/api/v1/projects", token: mia, json: ["name": "mine"])
        let project = try #require(own["project_id"] as? Int)
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let ownModel = try await node.uploadModel("xgb_binary", project: project, token: mia)
        // Mia is not a member of project 1: every object there is "not found", the same as a missing one.
        let paths = [
            "/api/v1/projects/1", "/api/v1/projects/1/models", "/api/v1/projects/1/models/\(model)", "/api/v1/projects/1/apis",
            "/api/v1/projects/1/apis/\(api.id)", "/api/v1/projects/1/apis/\(api.id)/keys", "/api/v1/projects/1/apis/\(api.id)/usage",
            "/api/v1/projects/1/apis/\(api.id)/ip_whitelist", "/api/v1/projects/1/apis/\(api.id)/versions",
            "/api/v1/projects/1/apis/\(api.id)/traffic", "/api/v1/projects/999/apis",
            // Ids of project 1 under Mia's own project.
            "/api/v1/projects/\(project)/models/\(model)", "/api/v1/projects/\(project)/apis/\(api.id)",
        ]
        for path in paths {
            let answer = try await node.call(.GET, path, token: mia)
            #expect(answer.status == 404 && answer.errorCode == "not_found", "\(path)")
        }
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/stop", token: mia).status == 404)
        #expect(try await node.call(.PATCH, "/api/v1/projects/1/apis/\(api.id)", token: mia, json: ["version": 1]).status == 404)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/apis/\(api.id)/versions/1", token: mia).status == 404)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/apis/\(api.id)/traffic", token: mia).status == 404)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/models/\(model)", token: mia).status == 404)
        let crossModel = try await node.call(.POST, "/api/v1/projects/\(project)/apis", token: mia, json: ["model_id": model, "type": "trial"])
        #expect(crossModel.status == 422)
        #expect(try await node.call(.GET, "/api/v1/projects/\(project)/models/\(ownModel)", token: mia).status == 200)
        await node.stop()
    }
}

extension TestNode {
    func login(_ name: String, _ password: String) async throws -> String {
        let answer = try await call(.POST, "/api/v1/tokens", token: nil, json: ["name": name, "password": password])
        return try #require(answer["token"] as? String)
    }
}
