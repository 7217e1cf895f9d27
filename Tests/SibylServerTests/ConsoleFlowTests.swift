import Foundation
import NIOHTTP1
import SibylCore
import Testing

/// How console actions answer: post/redirect/get with a one-shot message and the refused form filled in
/// again, confirmation before anything is destroyed, and the forms added for issue 15 (change the model,
/// the password typed twice, "Add my address", create from the APIs list).
@Suite(.serialized) struct ConsoleFlowTests {
    /// A refused action goes back to its page (303), which says why once, with the form as it was sent; a
    /// reload shows the page plain. A done edit opens the whitelist dialog once, not on every reload.
    @Test func aRefusedActionRedirectsAndTheReasonShowsOnce() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, whitelist: [])
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        let path = "/projects/1/apis/\(api.id)"
        try await admin.get(path)

        let bad = try await admin.post(path + "/whitelist", [("cidr", "10.0.0.1/8"), ("action", "deny"), ("priority", "7")])
        #expect(bad.status == 303 && bad.location == path)
        let shown = try await admin.get(path)
        #expect(shown.status == 422)
        #expect(shown.text.contains("did you mean 10.0.0.0/8?</p>") && !shown.text.contains("10.0.0.0/8?."), "no stray stop")
        #expect(shown.text.contains("aria-labelledby=\"whitelist-title\" open"))
        #expect(shown.text.contains("value=\"10.0.0.1/8\"") && shown.text.contains("value=\"7\"") && shown.text.contains("value=\"deny\" selected"))
        let reloaded = try await admin.get(path)
        #expect(reloaded.status == 200 && !reloaded.text.contains("cidr-error") && !reloaded.text.contains("whitelist-title\" open"))

        let added = try await admin.post(path + "/whitelist", [("cidr", "10.0.0.0/8")])
        #expect(added.status == 303 && added.location == path, "no ?dialog= to reopen on reload")
        let afterAdd = try await admin.get(path)
        #expect(afterAdd.text.contains("10.0.0.0/8 added to the IP whitelist.") && afterAdd.text.contains("whitelist-title\" open"))
        #expect(!(try await admin.get(path)).text.contains("whitelist-title\" open"))
        let again = try await admin.follow(try await admin.post(path + "/whitelist", [("cidr", "10.0.0.0/8")]))
        #expect(again.text.contains("10.0.0.0/8 is already on the IP whitelist") && !again.text.contains("added to the IP whitelist"))

        // "Add my address": the caller's address as the server sees it, a /32 for IPv4.
        let page = try await admin.get(path)
        #expect(page.text.contains("<code id=\"my-address\">127.0.0.1</code>"))
        #expect(page.text.contains("<input type=\"hidden\" name=\"cidr\" value=\"127.0.0.1/32\">"))
        _ = try await admin.post(path + "/whitelist", [("cidr", "127.0.0.1/32")])
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)/ip_whitelist")["cidrs"] as? [String] == ["10.0.0.0/8", "127.0.0.1/32"])

        // A lifecycle refusal is shown atop the page with the JSON API's status, once.
        let early = try await admin.post(path + "/delete")
        #expect(early.status == 303 && early.location == path)
        let refused = try await admin.get(path)
        #expect(refused.status == 409 && refused.text.contains("id=\"error\">Only a stopped API can be deleted: stop it first."))
        #expect(!(try await admin.get(path)).text.contains("id=\"error\""))
        await node.stop()
    }

    /// Every form that revokes, deletes or removes sits inside a disclosure or dialog whose button names
    /// what it destroys; Create key is a form of its own, apart from the keys.
    @Test func everyDestructiveActionAsksFirst() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "admin-password", "description": "cli"])
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        try await admin.get("/account")
        _ = try await admin.post("/projects/1/account-secrets")
        _ = try await admin.post("/projects/1/deployment-keys", [("name", "k1")])
        let keyID = try #require(api.key.split(separator: ".").first.map(String.init))
        var checked = 0
        for path in ["/projects/1/apis/\(api.id)", "/projects/1/apis", "/account", "/admin/users", "/projects/1/deployments"] {
            let html = try await admin.get(path).text
            for match in html.matches(of: /<form method="post" action="[^"]*\/(revoke|delete)"/) {
                let before = html[..<match.range.lowerBound]
                func last(_ tags: String...) -> String.Index? { tags.compactMap { before.ranges(of: $0).last?.lowerBound }.max() }
                let opened = last("<details", "<dialog"), closed = last("</details>", "</dialog>")
                #expect(opened != nil && (closed == nil || opened! > closed!), "\(path): \(match.output.0) acts on one click")
                checked += 1
            }
        }
        #expect(checked >= 6)
        let page = try await admin.get("/projects/1/apis/\(api.id)").text
        #expect(page.contains("<button type=\"submit\" class=\"button small danger solid\">Revoke key \(keyID)</button>"))
        let keys = try #require(page.range(of: "<table id=\"keys\">"))
        let create = try #require(page.range(of: "id=\"create-key\""))
        let tableEnd = try #require(page.range(of: "</table>", range: keys.upperBound..<page.endIndex))
        #expect(create.lowerBound > tableEnd.upperBound, "Create key is not in the keys' list")
        await node.stop()
    }

    /// The model an API serves is changed from its page; a bad choice is refused next to the form.
    @Test func theAPIPageChangesTheModel() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let first = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: first)
        let second = try await node.uploadModel("xgb_binary")
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        let path = "/projects/1/apis/\(api.id)"
        let page = try await admin.get(path)
        #expect(page.text.contains("action=\"\(path)/model\"") && page.text.contains("<option value=\"\(second)\""))
        let changed = try await admin.post(path + "/model", [("model_id", second)])
        #expect(changed.status == 303 && changed.location == path)
        #expect(try await admin.get(path).text.contains("The API now serves model xgb_binary"))
        try await node.waitFor(api: api.id, status: "operating")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["model_id"] as? String == second)
        _ = try await admin.post(path + "/model", [("model_id", "mdl_nothing")])
        let refused = try await admin.get(path)
        #expect(refused.status == 422 && refused.text.contains("id=\"model-error\">Model_id: no such model in this project."))
        await node.stop()
    }

    /// A new password is typed twice; a mismatch changes nothing and says so on the account page.
    @Test func aPasswordChangeAsksForTheNewPasswordTwice() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        let browser = ConsoleClient(node)
        try await browser.signIn("mia", "mia-password")
        let page = try await browser.get("/account")
        #expect(page.text.contains("name=\"password_again\""))
        let mismatch = try await browser.post(
            "/account/password", [("current_password", "mia-password"), ("password", "mia-password-2"), ("password_again", "mia-password-3")])
        #expect(mismatch.status == 303 && mismatch.location == "/account")
        let shown = try await browser.get("/account")
        #expect(shown.status == 422 && shown.text.contains("id=\"password-error\">The two new passwords differ"))
        #expect(try await node.login("mia", "mia-password").hasPrefix("sibyl_"))
        await node.stop()
    }

    /// "Create from a model" on the APIs page makes a trial API (the default) and lands on it; a refusal
    /// comes back to the list with the form open and as it was.
    @Test func createFromAModelLandsOnTheNewAPIAsATrial() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        let list = try await admin.get("/projects/1/apis")
        #expect(list.text.contains("id=\"create-from-model\"") && list.text.contains("value=\"trial\" id=\"create-trial\" checked"))
        let created = try await admin.post("/projects/1/apis", [("from", "apis"), ("model_id", model)])
        let path = try #require(created.location)
        #expect(created.status == 303 && path.hasPrefix("/projects/1/apis/api_"))
        let id = String(path.split(separator: "/").last!)
        try await node.waitFor(api: id, status: "operating")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(id)")["type"] as? String == "trial")
        // The model page's Launch dialog offers trial first and chosen.
        let tab = try await admin.get("/projects/1/models/\(model)/create-api?dialog=launch")
        #expect(tab.text.contains("value=\"trial\" id=\"type-trial\" checked") && !tab.text.contains("id=\"type-official\" checked"))

        _ = try await node.call(.PUT, "/api/v1/license", json: ["edition": "trial"])
        let refused = try await admin.post("/projects/1/apis", [("from", "apis"), ("model_id", model), ("type", "official")])
        #expect(refused.location == "/projects/1/apis")
        let back = try await admin.get("/projects/1/apis")
        #expect(back.status == 409 && back.text.contains("id=\"create-from-model\" open"))
        #expect(back.text.contains("id=\"create-official\" disabled aria-describedby=\"create-official-reason\">"))
        #expect(back.text.contains("value=\"trial\" id=\"create-trial\" checked"))
        #expect(back.text.contains("Not available: the trial edition can create trial APIs only."))
        #expect(back.text.contains("id=\"create-error\">The trial edition can create trial APIs only."))
        await node.stop()
    }

    /// An operating trial that has used all its requests is badged "trial used up" (amber), not "operating".
    @Test func anExhaustedTrialIsBadgedUsedUp() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        #expect(try await admin.get("/projects/1/apis").text.contains("badge-operating\">operating"))
        for _ in 0..<PredictionAPI.trialRequestLimit {
            _ = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 0.5]]])
        }
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 0.5]]]).status == 429)
        var list = try await admin.get("/projects/1/apis").text
        for _ in 0..<100 where !list.contains("badge-exhausted") {
            try await Task.sleep(for: .milliseconds(50))
            list = try await admin.get("/projects/1/apis").text
        }
        #expect(list.contains("<span class=\"badge badge-exhausted\">trial used up</span>") && !list.contains("badge-operating"))
        #expect(try await admin.get("/projects/1/apis/\(api.id)").text.contains("badge-exhausted"))
        await node.stop()
    }

    /// Without a container engine a member reads a plain notice and gets no deploy form; an admin also reads
    /// what an operator does about it.
    @Test func withoutAnEngineMembersSeeAPlainNoticeAndNoDeployForm() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])
        _ = try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, 2]])
        let mia = ConsoleClient(node)
        try await mia.signIn("mia", "mia-password")
        let page = try await mia.get("/projects/1/deployments")
        #expect(page.text.contains("Deploying container images is not available on this server."))
        #expect(!page.text.contains("--container-engine") && !page.text.contains("id=\"deploy\""))
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        #expect(try await admin.get("/projects/1/deployments").text.contains("--container-engine"))
        // A post all the same (a page from before) is refused, and the reason shows though the form does not.
        _ = try await admin.post("/projects/1/deployments", [("name", "no-engine"), ("image", "x"), ("listening_port", "8080"), ("min", "1"), ("max", "1"), ("timeout", "60"), ("access", "open")])
        let refused = try await admin.get("/projects/1/deployments")
        #expect(refused.status == 503 && refused.text.contains("id=\"error\">"), "\(refused.status)")
        await node.stop()
    }

    /// The users form keeps "Member of" and the role when it is refused; the sign-in error sits in the form.
    @Test func refusedFormsKeepWhatWasChosen() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        try await admin.get("/admin/users")
        let refused = try await admin.post("/admin/users", [("name", "mia"), ("password", "short"), ("role", "admin"), ("project", "1")])
        #expect(refused.location == "/admin/users")
        let page = try await admin.get("/admin/users")
        #expect(page.status == 422 && page.text.contains("id=\"user-error\">"))
        #expect(page.text.contains("name=\"project\" value=\"1\" checked") && page.text.contains("value=\"admin\" selected"))
        #expect(page.text.contains("id=\"new-name\" name=\"name\" required maxlength=\"64\" autocomplete=\"off\" value=\"mia\""))

        let browser = ConsoleClient(node)
        let wrong = try await browser.signIn("admin", "wrong-password")
        let form = try #require(wrong.text.range(of: "<form method=\"post\" action=\"/login\""))
        let error = try #require(wrong.text.range(of: "id=\"login-error\""))
        #expect(wrong.status == 401 && error.lowerBound > form.lowerBound && !wrong.text.contains("id=\"error\""))
        // Where to go after signing in survives a wrong password.
        let token = try #require(ConsoleClient.field("login_token", in: try await browser.get("/login?next=/account").text))
        let again = try await browser.post(
            "/login", [("login_token", token), ("name", "admin"), ("password", "wrong-password"), ("next", "/account")], csrf: false)
        #expect(again.text.contains("<input type=\"hidden\" name=\"next\" value=\"/account\">"))
        await node.stop()
    }

    /// The graph's preset for the range shown is marked; a skip link leads to the content.
    @Test func theActivePresetIsMarkedAndASkipLinkLeads() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let admin = ConsoleClient(node)
        try await admin.signIn("admin", "admin-password")
        let page = try await admin.get("/projects/1/apis/\(api.id)").text
        #expect(page.matches(of: /aria-current="true">\d+ days/).map { String($0.output.suffix(7)) } == ["30 days"])
        #expect(page.contains("<a class=\"skip-link\" href=\"#main\">") && page.contains("<main id=\"main\""))
        #expect(page.contains("<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"curl example\">"))
        await node.stop()
    }
}
