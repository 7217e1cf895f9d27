import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylCore
import SibylServer
import Testing

/// What survives a restart, and what never appears anywhere but the answer that created it.
@Suite(.serialized) struct DurabilityTests {
    @Test func aRestartKeepsEverything() async throws {
        let first = try await TestNode()
        defer { first.removeData() }
        _ = try await first.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        let model = try await first.uploadModel("xgb_binary")
        let api = try await first.createAPI(model: model, whitelist: ["127.0.0.1/32", "::1/128"])
        let official = try await first.createAPI(model: model, type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        _ = try await first.call(.POST, "\(path)/lock")
        _ = try await first.call(.POST, "/api/v1/projects/1/apis/\(official.id)/stop")
        let body: [String: Any] = ["records": [["f0": 0.25, "f7": -1]]]
        for _ in 0..<7 { #expect(try await first.predict(api.id, key: api.key, json: body).status == 200) }
        for _ in 0..<3 { #expect(try await first.predict(api.id, key: nil, json: body).status == 401) }
        let before = try await first.predict(api.id, key: api.key, json: body)
        let infoBefore = try await first.call(.GET, path)
        // Stop at once: the counts of the last requests are still in memory and must be written on the way out.
        await first.stop()

        let second = try await TestNode(folder: first.folder)
        let mia = try await second.login("mia", "mia-password")
        #expect(try await second.call(.GET, "/api/v1/me", token: mia)["name"] as? String == "mia")
        let infoAfter = try await second.call(.GET, path)
        // Everything but the URL, whose port is the new node's.
        var stored = infoBefore.json, reloaded = infoAfter.json
        #expect(stored.removeValue(forKey: "url") != nil && reloaded.removeValue(forKey: "url") != nil)
        // And the key's last use, which is written with the usage batches: read before the stop it may lag the
        // last request; after the restart it is that request's (the stop writes what is in memory).
        let usedBefore = Self.lastUse(&stored), usedAfter = try #require(Self.lastUse(&reloaded))
        #expect(usedBefore.map { $0 <= usedAfter } ?? true)
        #expect(NSDictionary(dictionary: stored) == NSDictionary(dictionary: reloaded))
        #expect(infoAfter["locked"] as? Bool == true)
        // Seven answered 200, three refused for the key (they use no trial request), then one more.
        #expect(infoAfter["requests_used"] as? Int == 8)
        #expect(try await second.call(.GET, "/api/v1/projects/1/apis/\(official.id)")["status"] as? String == "stopped")
        #expect(try await second.predict(official.id, key: official.key, json: body).status == 503)
        #expect(try await second.predict(api.id, key: api.key, json: body).text == before.text)
        let usage = try await second.call(.GET, "\(path)/usage")
        let today = try #require((usage["days"] as? [[String: Any]])?.last)
        #expect(today["by_status"] as? [String: Int] == ["200": 9, "401": 3])
        #expect(try await second.call(.GET, "/api/v1/license")["api_options_in_use"] as? Int == 1)
        await second.stop()
    }

    @Test func secretsAppearOnlyInTheAnswerThatCreatesThem() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let login = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "admin-password"])
        let token = try #require(login["token"] as? String)
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"))
        let extra = try #require(try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/keys")["secret"] as? String)
        for key in [api.key, extra] {
            _ = try await node.predict(api.id, key: key, json: ["records": [["f0": 1]]])
            _ = try await node.predict(api.id, key: nil, json: ["records": [["f0": 1]]], headers: [("Authorization", "Bearer \(key)")])
        }
        _ = try await node.predict(api.id, key: api.key + "x", json: ["records": [["f0": 1]]])
        _ = try await node.call(.GET, "/api/v1/me", token: token)
        _ = try await node.call(.GET, "/api/v1/me", token: token + "x")
        var seen = [try await node.call(.GET, "/metrics", token: nil).text, try await node.call(.GET, "/openapi.json", token: nil).text]
        for get in ["/api/v1/projects/1/apis", "/api/v1/projects/1/apis/\(api.id)", "/api/v1/projects/1/apis/\(api.id)/keys",
                    "/api/v1/users", "/api/v1/me", "/api/v1/projects/1/apis/\(api.id)/usage"] {
            seen.append(try await node.call(.GET, get).text)
        }
        await node.stop()
        let logs = node.logs.text
        #expect(logs.contains("request"), "the node logged its requests")
        let database = String(decoding: try node.storedData(), as: UTF8.self)
        #expect(database.contains("api_keys"), "the database was read")
        for secret in [api.key, extra, token, TestNode.adminToken, "admin-password"] {
            let part = String(secret.split(separator: ".").last!)
            #expect(!logs.contains(part), "a secret reached the logs")
            #expect(!database.contains(part), "a secret is stored in clear")
            for text in seen { #expect(!text.contains(part), "a secret reached an answer") }
        }
    }

    /// Takes the one key's `last_used_at` out of an API's answer, nil when not written yet (ISO-8601 UTC
    /// strings order as times).
    static func lastUse(_ info: inout [String: Any]) -> String? {
        guard var keys = info["keys"] as? [[String: Any]], keys.count == 1 else { return nil }
        let used = keys[0].removeValue(forKey: "last_used_at") as? String
        info["keys"] = keys
        return used
    }
}
