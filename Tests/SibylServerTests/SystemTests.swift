import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylCore
import SibylServer
import Testing

@Suite(.serialized) struct SystemTests {
    /// The OpenAPI document is the API's inventory: every API route served is described, and nothing else.
    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let document = try await node.call(.GET, "/openapi.json", token: nil)
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described: Set<String> = []
        for (path, operations) in paths {
            // A path's shared `parameters` are not an operation.
            for method in operations.keys where method != "parameters" { described.insert("\(method.uppercased()) \(path)") }
        }
        // The console's HTML pages and form posts are not part of the JSON API the document describes.
        // A catch-all segment (`**`) is the path parameter `{path}` in the document.
        let served = Set(node.routes.map { $0.replacingOccurrences(of: "/**", with: "/{path}") })
            .subtracting(node.consoleRoutes)
        #expect(served == described, "served but not described: \(served.subtracting(described)); described but not served: \(described.subtracting(served))")
        await node.stop()
    }

    @Test func metricsCountRequestsByRouteTemplate() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await node.call(.GET, "/api/v1/me")
        _ = try await node.call(.GET, "/api/v1/projects/1/apis/api_aaaaaaaaaaaaaaaa")
        let metrics = try await node.call(.GET, "/metrics", token: nil).text
        #expect(metrics.contains("sibyl_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 1"), "\(metrics)")
        #expect(metrics.contains("route=\"/api/v1/projects/{project_id}/apis/{api_id}\",status=\"404\""), "\(metrics)")
        #expect(!metrics.contains("api_aaaaaaaaaaaaaaaa"))
        await node.stop()
    }

    /// Metric series are labelled by method, route template and status, so a client could add series only
    /// with methods: HTTP's grammar allows any token, but the server's parser knows a fixed list and refuses
    /// any other with 400 before routing, and the refusal is counted nowhere.
    @Test func clientsCannotMakeMetricSeries() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        #expect(try await node.call(.GET, "/healthz", token: nil).status == 200)
        for index in 0..<20 {
            let answer = try await node.call(HTTPMethod(rawValue: "BREW\(index)"), "/healthz", token: nil)
            #expect(answer.status == 400, "\(answer.status)")
        }
        let metrics = try await node.call(.GET, "/metrics", token: nil).text
        #expect(!metrics.contains("BREW") && metrics.contains("{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), "\(metrics)")
        await node.stop()
    }
}
