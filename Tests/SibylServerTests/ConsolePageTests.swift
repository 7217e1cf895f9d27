import Foundation
import NIOHTTP1
import SibylCore
import SibylServer
import Testing

/// Console pages: who sees what, the same rules and errors as the JSON API, and no secret on any page but
/// the one-time key display.
@Suite(.serialized) struct ConsolePageTests {
    @Test func aMemberSeesOnlyTheirProjectsAndNoAdminPage() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        let mia = try await node.login("mia", "mia-password")
        let own = try #require(try await node.call(.POST, "/api/v1/projects", token: mia, json: ["name": "mine"])["project_id"] as? Int)
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)

        let browser = ConsoleClient(node)
        let landing = try await browser.follow(try await browser.signIn("mia", "mia-password"))
        #expect(landing.text.contains("<h1>Models</h1>") && landing.text.contains("mine"))
        #expect(!landing.text.contains("/admin/users"))
        for path in [
            "/projects/1/models", "/projects/1/models/\(model)", "/projects/1/models/\(model)/create-api", "/projects/1/apis",
            "/projects/1/apis/\(api.id)", "/projects/\(own)/apis/\(api.id)", "/projects/\(own)/models/\(model)", "/projects/999/apis",
        ] {
            let page = try await browser.get(path)
            #expect(page.status == 404 && page.text.contains("No such"), "\(path): \(page.status)")
        }
        #expect(try await browser.get("/projects/\(own)/models").status == 200)
        #expect(try await browser.post("/projects/1/apis/\(api.id)/stop").status == 404)
        #expect(try await browser.post("/projects/1/apis", [("model_id", model), ("type", "trial")]).status == 404)
        #expect(try await browser.post("/projects/\(own)/apis", [("model_id", model), ("type", "trial")]).status == 404)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["status"] as? String == "operating")
        for path in ["/admin/users", "/admin/license"] { #expect(try await browser.get(path).status == 403) }
        #expect(try await browser.post("/admin/license", [("api_options", "50")]).status == 403)
        #expect(try await browser.post("/admin/users", [("name", "eve"), ("password", "eve-password")]).status == 403)
        #expect(try await node.call(.GET, "/api/v1/license")["api_options"] as? Int == 1)
        await node.stop()
    }

    @Test func actionsFollowTheRulesAndAnswersOfTheJSONAPI() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let model = try await node.uploadModel("xgb_binary")
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        try await admin.get("/projects/1/models/\(model)/create-api")

        // Create: the trial edition refuses official APIs, and the dialog says why before anyone tries.
        _ = try await node.call(.PUT, "/api/v1/license", json: ["edition": "trial"])
        let tab = try await admin.get("/projects/1/models/\(model)/create-api?dialog=launch")
        #expect(tab.text.contains("id=\"launch-dialog\" aria-labelledby=\"start-title\" open"))
        #expect(tab.text.contains("Not available: the trial edition can create trial APIs only."))
        let official = try await admin.post("/projects/1/apis", [("model_id", model), ("type", "official")])
        #expect(official.location == "/projects/1/models/\(model)/create-api")
        let refusedLaunch = try await admin.get("/projects/1/models/\(model)/create-api")
        #expect(refusedLaunch.status == 409 && refusedLaunch.text.contains("id=\"launch-error\">The trial edition can create trial APIs only."))
        let created = try await admin.post("/projects/1/apis", [("model_id", model), ("type", "trial")])
        #expect(created.status == 303)
        let path = try #require(created.location)
        let id = String(path.split(separator: "/").last!)
        try await node.waitFor(api: id, status: "operating")
        // The page gives Sibyl's address and Prediction One's compatible one.
        let info = try await admin.get(path)
        #expect(info.text.contains("/apis/\(id)/predict\"") && info.text.contains("/v1/groups/1/classifiers/\(id)/inference\""))

        // Whitelist edits are checked as in the JSON API.
        let bad = try await admin.follow(try await admin.post(path + "/whitelist", [("cidr", "10.0.0.1/8")]))
        #expect(bad.status == 422 && bad.text.contains("10.0.0.0/8") && bad.text.contains("dialog id=\"whitelist-dialog\""))
        #expect(try await admin.post(path + "/whitelist", [("cidr", "::1/128")]).location == path)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(id)/ip_whitelist")["cidrs"] as? [String] == ["::1/128"])
        #expect(try await admin.follow(try await admin.post(path + "/whitelist/delete", [("cidr", "10.9.9.9/32")])).status == 404)
        #expect(try await admin.post(path + "/whitelist/delete", [("cidr", "::1/128")]).status == 303)
        // Deny rules with priorities, shown in the order they are checked.
        #expect(try await admin.post(path + "/whitelist", [("cidr", "0.0.0.0/0"), ("action", "allow"), ("priority", "")]).status == 303)
        #expect(try await admin.post(path + "/whitelist", [("cidr", "10.0.0.0/8"), ("action", "deny"), ("priority", "0")]).status == 303)
        let badPriority = try await admin.follow(
            try await admin.post(path + "/whitelist", [("cidr", "10.1.0.0/16"), ("action", "deny"), ("priority", "first")]))
        #expect(badPriority.status == 422 && badPriority.text.contains("Priority: expected a whole number."), "\(badPriority.text)")
        let rules = try await admin.get(path)
        let deny = try #require(rules.text.range(of: "badge-deny\">deny</span> <code>10.0.0.0/8</code> <span class=\"muted\">priority 0"))
        let allow = try #require(rules.text.range(of: "badge-allow\">allow</span> <code>0.0.0.0/0</code> <span class=\"muted\">priority 1"))
        #expect(deny.lowerBound < allow.lowerBound)
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(id)/ip_whitelist", json: ["cidrs": [String]()])

        // Account secrets for the developer API: shown once, listed, working, revoked.
        let made = try await admin.post("/projects/1/account-secrets")
        #expect(made.location == "/projects/1/apis")
        let listing = try await admin.get("/projects/1/apis")
        let secret = try #require(ConsoleClient.newKey(in: listing.text))
        #expect(listing.text.contains("New account secret") && listing.text.contains("/v1/external</code>"))
        let secretID = try #require(try await node.call(.GET, "/api/v1/projects/1/account_secrets")["results"] as? [[String: Any]]).first?["secret_id"] as? String
        #expect(!(try await admin.get("/projects/1/apis").text.contains(secret)), "shown once")
        let issued = try await node.call(.GET, "/v1/external/api-key?credential_type=deploy", token: nil, headers: [("x-api-key", secret)])
        #expect(issued.status == 200 && issued["api_key"] is String)
        #expect(try await admin.post("/projects/1/account-secrets/\(try #require(secretID))/revoke").status == 303)
        #expect(try await node.call(.GET, "/v1/external/api-key?credential_type=deploy", token: nil, headers: [("x-api-key", secret)]).status == 400)

        // Delete is only offered, and only done, when stopped; lock stops stop; only an admin unlocks.
        #expect(!(try await admin.get(path).text.contains("id=\"delete\"")))
        let early = try await admin.follow(try await admin.post(path + "/delete"))
        #expect(early.status == 409 && early.text.contains("Only a stopped API can be deleted: stop it first."))
        #expect(try await admin.post(path + "/lock").status == 303)
        let stop = try await admin.follow(try await admin.post(path + "/stop"))
        #expect(stop.status == 409 && stop.text.contains("The API is locked: an admin must unlock it before it can be stopped."))
        let mia = ConsoleClient(node)
        try await mia.signIn("mia", "mia-password")
        let page = try await mia.get(path)
        #expect(page.text.contains("id=\"unlock\" disabled") && page.text.contains("Only an admin can unlock an API."))
        let unlock = try await mia.follow(try await mia.post(path + "/unlock"))
        #expect(unlock.status == 403 && unlock.text.contains("Only an admin can unlock an API."))
        #expect(try await admin.post(path + "/unlock").status == 303)
        #expect(try await mia.post(path + "/stop").location == path)
        #expect(try await mia.get(path).text.contains("href=\"\(path)?dialog=delete\""))
        let dialog = try await mia.get(path + "?dialog=delete")
        #expect(dialog.text.contains("id=\"delete-dialog\" aria-labelledby=\"delete-title\" open"))
        let deleted = try await mia.post(path + "/delete")
        #expect(deleted.status == 303 && deleted.location == "/projects/1/apis")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(id)").status == 404)
        await node.stop()
    }

    @Test func noPageShowsASecretButTheNewKeyOnce() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let sessionID = try #require(browser.cookies["sibyl_session"])
        try await browser.get("/projects/1/models")
        // Upload through the form, as a browser sends it.
        let boundary = "console-test-boundary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(browser.csrf ?? "")\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nchurn\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.json\"\r\n\r\n".utf8)
        body += try Fixtures.bytes("xgb_binary/model.json") + Array("\r\n--\(boundary)--\r\n".utf8)
        let uploaded = try await browser.send(
            .POST, "/projects/1/models", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(uploaded.status == 303)
        let modelPath = try #require(uploaded.location)
        let model = String(modelPath.split(separator: "/").last!)
        try await browser.get(modelPath + "/create-api")
        let created = try await browser.post("/projects/1/apis", [("model_id", model), ("type", "trial")])
        let apiPath = try #require(created.location)
        var shown = try await browser.get(apiPath)
        for _ in 0..<100 where !shown.text.contains("class=\"new-key\"") {
            #expect(shown.text.contains("http-equiv=\"refresh\""), "only the building screen comes before the key")
            try await Task.sleep(for: .milliseconds(20))
            shown = try await browser.get(apiPath)
        }
        let key = try #require(ConsoleClient.newKey(in: shown.text))
        #expect(key.hasPrefix("key_") && key.count == 53)
        #expect(!(try await browser.get(apiPath).text.contains(key)), "shown once")
        // A second key is shown once too.
        let second = try await browser.follow(try await browser.post(apiPath + "/keys"))
        let secondKey = try #require(ConsoleClient.newKey(in: second.text))
        for path in ["/", "/projects/1/models", modelPath, modelPath + "/create-api", "/projects/1/apis", apiPath,
                     apiPath + "?dialog=whitelist", "/admin/users", "/admin/license"] {
            _ = try await browser.follow(try await browser.get(path))
        }
        _ = try await browser.post("/logout")
        try await browser.get("/login")

        let secrets = [key, secondKey].map { String($0.split(separator: ".")[1]) }
        for secret in secrets {
            #expect(browser.pages.filter { $0.contains(secret) }.count == 1, "the secret is shown on one page only")
        }
        let hashes = secrets.map(ConsoleSessionTests.sha256Hex)
        for page in browser.pages {
            for forbidden in [TestNode.adminToken, "admin-password", sessionID, "$2b$", "$2a$"] + hashes {
                #expect(!page.contains(forbidden))
            }
        }
        await node.stop()
    }

    @Test func theConsoleRoutesAreApartFromTheAPIInventory() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        #expect(!node.consoleRoutes.isEmpty)
        #expect(Set(node.consoleRoutes).isSubset(of: Set(node.routes)))
        #expect(node.consoleRoutes.allSatisfy { !$0.contains(" /api/") && !$0.contains(" /v2") && !$0.contains(" /apis/") })
        for asset in ["console.css", "console.js", "icon.svg"] {
            let answer = try await node.call(.GET, "/console/assets/\(asset)", token: nil)
            #expect(answer.status == 200 && !answer.body.isEmpty)
            let tag = try #require(answer.headers.first { $0.0.lowercased() == "etag" }?.1)
            #expect(try await node.call(.GET, "/console/assets/\(asset)", token: nil, headers: [("If-None-Match", tag)]).status == 304)
        }
        #expect(try await node.call(.GET, "/console/assets/nothing.js", token: nil).status == 404)
        await node.stop()
    }
}

extension ConsoleClient {
    /// The secret of the new key a page shows, if it shows one.
    static func newKey(in html: String) -> String? {
        guard let start = html.range(of: "class=\"new-key\" readonly value=\"") else { return nil }
        let rest = html[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
