import Foundation
import NIOHTTP1
import Testing

/// Issue 16: a rule gives the same answer through the management API and through the console, because both
/// ask the same operation. Each rule is tried on both, as the same user, against the same state, and the state
/// is read back afterwards: a refusal changes nothing.
@Suite struct RuleParityTests {
    struct Rule: CustomStringConvertible {
        let description: String
        let api: (method: HTTPMethod, path: String, json: [String: Any]?)
        let console: (path: String, fields: [(String, String)])
        let status: Int
        let code: String
    }

    @Test func everyRuleAnswersAlikeOnTheAPIAndTheConsole() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let mia = try #require(try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])["user_id"] as? Int)
        _ = try await node.call(.POST, "/api/v1/users", json: ["name": "ola", "password": "ola-password"])
        #expect(try await node.call(.PUT, "/api/v1/projects/1/members", json: ["user_ids": [1, mia]]).status == 200)
        let elsewhere = try #require(try await node.call(.POST, "/api/v1/projects", json: ["name": "elsewhere"])["project_id"] as? Int)
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model)
        let foreignModel = try await node.uploadModel("xgb_binary", project: elsewhere)
        _ = try await node.createAPI(model: model, type: "official")  // the license's one API option, in use
        let locked = try await node.createAPI(model: try await node.uploadModel("xgb_binary"))
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(locked.id)/lock").status == 200)
        let token = try await node.login("mia", "mia-password")
        let browser = ConsoleClient(node)
        try await browser.signIn("mia", "mia-password")
        let apiPath = "/projects/1/apis/\(api.id)"
        let lockedPath = "/projects/1/apis/\(locked.id)"

        let rules = [
            Rule(
                description: "only an admin replaces a project's members",
                api: (.PUT, "/api/v1/projects/1/members", ["user_ids": [1, mia, 3]]),
                console: ("/admin/projects/1/members", [("user", "1"), ("user", "\(mia)"), ("user", "3")]),
                status: 403, code: "forbidden"),
            Rule(
                description: "only an admin sets the license",
                api: (.PUT, "/api/v1/license", ["api_options": 50]), console: ("/admin/license", [("api_options", "50")]),
                status: 403, code: "forbidden"),
            Rule(
                description: "only an admin creates users",
                api: (.POST, "/api/v1/users", ["name": "eve", "password": "eve-password"]),
                console: ("/admin/users", [("name", "eve"), ("password", "eve-password")]), status: 403, code: "forbidden"),
            Rule(
                description: "only an admin unlocks an API",
                api: (.POST, "/api/v1" + lockedPath + "/unlock", nil), console: (lockedPath + "/unlock", []),
                status: 403, code: "forbidden"),
            Rule(
                description: "a locked API is not stopped",
                api: (.POST, "/api/v1" + lockedPath + "/stop", nil), console: (lockedPath + "/stop", []),
                status: 409, code: "conflict"),
            Rule(
                description: "an operating API is not deleted",
                api: (.DELETE, "/api/v1" + apiPath, nil), console: (apiPath + "/delete", []), status: 409, code: "conflict"),
            Rule(
                description: "a locked API takes no whitelist rule",
                api: (.POST, "/api/v1" + lockedPath + "/ip_whitelist", ["cidr": "10.0.0.0/8"]),
                console: (lockedPath + "/whitelist", [("cidr", "10.0.0.0/8")]), status: 409, code: "conflict"),
            Rule(
                description: "a locked API takes no new key",
                api: (.POST, "/api/v1" + lockedPath + "/keys", ["name": "more"]), console: (lockedPath + "/keys", [("name", "more")]),
                status: 409, code: "conflict"),
            Rule(
                description: "a locked API keeps its name",
                api: (.PATCH, "/api/v1" + lockedPath, ["name": "renamed"]),
                console: (lockedPath + "/settings", [("name", "renamed"), ("missing_features", "allow")]), status: 409, code: "conflict"),
            Rule(
                description: "a name is at most 100 characters",
                api: (.PATCH, "/api/v1" + apiPath, ["name": String(repeating: "n", count: 101)]),
                console: (apiPath + "/settings", [("name", String(repeating: "n", count: 101)), ("missing_features", "allow")]),
                status: 422, code: "invalid_input"),
            Rule(
                description: "an API serves only a model of its own project",
                api: (.PATCH, "/api/v1" + apiPath, ["model_id": foreignModel]), console: (apiPath + "/model", [("model_id", foreignModel)]),
                status: 422, code: "invalid_input"),
            Rule(
                description: "an official API needs a free API option",
                api: (.PATCH, "/api/v1" + apiPath, ["type": "official"]), console: (apiPath + "/promote", []), status: 409, code: "conflict"),
            Rule(
                description: "another project's APIs are not found",
                api: (.POST, "/api/v1/projects/\(elsewhere)/apis/\(api.id)/stop", nil),
                console: ("/projects/\(elsewhere)/apis/\(api.id)/stop", []), status: 404, code: "not_found"),
        ]
        for rule in rules {
            let answer = try await node.call(rule.api.method, rule.api.path, token: token, json: rule.api.json)
            #expect(answer.status == rule.status && answer.errorCode == rule.code, "API: \(rule): \(answer.status) \(answer.text)")
            let page = try await browser.follow(try await browser.post(rule.console.path, rule.console.fields))
            #expect(page.status == rule.status, "console: \(rule): \(page.status)")
        }

        let project = try await node.call(.GET, "/api/v1/projects/1")
        #expect((project["members"] as? [Int]).map(Set.init) == [1, mia])
        let license = try await node.call(.GET, "/api/v1/license")
        #expect(license["api_options"] as? Int == 1)
        let users = try #require(try await node.call(.GET, "/api/v1/users")["results"] as? [[String: Any]])
        #expect(users.compactMap { $0["name"] as? String }.sorted() == ["admin", "mia", "ola"])
        let lockedNow = try await node.call(.GET, "/api/v1" + lockedPath)
        #expect(lockedNow["locked"] as? Bool == true && lockedNow["name"] is NSNull)
        let whitelist = try await node.call(.GET, "/api/v1" + lockedPath + "/ip_whitelist")
        #expect((whitelist["cidrs"] as? [String]) == ["127.0.0.0/8"], "\(whitelist.text)")
        #expect((try await node.call(.GET, "/api/v1" + lockedPath + "/keys")["results"] as? [Any])?.count == 1)
        let apiNow = try await node.call(.GET, "/api/v1" + apiPath)
        #expect(apiNow["type"] as? String == "trial" && apiNow["model_id"] as? String == model && apiNow["name"] is NSNull)
        #expect(try await node.call(.GET, "/api/v1" + lockedPath)["status"] as? String == "operating")
        #expect(try await node.call(.GET, "/api/v1" + apiPath)["status"] as? String == "operating")
        await node.stop()
    }
}
