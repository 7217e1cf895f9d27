import NIOHTTP1
import Testing

/// Issue 16: identity comes from the route groups (`Authentication` into a typed context), so no management
/// route can be added without it. Every route of the management and deployment APIs is called without a
/// token, with a wrong one, and as a user who cannot see the project in its path.
@Suite struct AuthenticationTests {
    /// The routes open without an access token: signing in for one, and what is not management (health,
    /// metrics, the document, the data plane, the deployments' proxy, Prediction One's own credentials).
    static func isOpen(_ route: String) -> Bool {
        route == "POST /api/v1/tokens" || !(route.contains(" /api/v1/") || route.contains(" /cloud/"))
    }

    /// A path for a route template: every parameter filled with a value of its form.
    static func path(_ template: String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            guard segment.hasPrefix("{") || segment.hasPrefix(":") || segment == "**" else { return String(segment) }
            // Numeric ids (project, user, region) are 1; names and string ids anything.
            return ["project_id", "user_id", "region_id"].contains(where: segment.contains) ? "1" : "x"
        }.joined(separator: "/")
    }

    @Test func everyManagementRouteAsksForAToken() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        #expect(try await node.call(.POST, "/api/v1/users", json: ["name": "nell", "password": "nell-password"]).status == 201)
        let nell = try await node.login("nell", "nell-password")
        let guarded = node.routes.filter { !Self.isOpen($0) }
        #expect(guarded.count > 60, "\(guarded.count) routes")
        for route in guarded {
            let parts = route.split(separator: " ", maxSplits: 1)
            let method = HTTPMethod(rawValue: String(parts[0]))
            let path = Self.path(String(parts[1]))
            for token in [nil, "sibyl_not-a-token"] {
                let answer = try await node.call(method, path, token: token, json: [String: Any]())
                #expect(answer.status == 401 && answer.errorCode == "unauthenticated", "\(route) with \(token ?? "no token"): \(answer.status) \(answer.text)")
            }
            // Nell is in no project: project 1's routes do not exist for her.
            if parts[1].contains("{project_id}") {
                let answer = try await node.call(method, path, token: nell, json: [String: Any]())
                #expect(answer.status == 404 && answer.errorCode == "not_found", "\(route) as a stranger: \(answer.status) \(answer.text)")
            }
        }
        await node.stop()
    }
}
