import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A browser for the console in tests: keeps cookies, does not follow redirects (so each answer can be
/// inspected), posts forms with the CSRF token of the last page, and remembers every page it was shown.
final class ConsoleClient: @unchecked Sendable {
    // One task drives a client at a time; nothing here is shared across tasks.
    static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    let node: TestNode
    /// Sent with every request: an `X-Forwarded-For` or `X-Forwarded-Proto`, say.
    var headers: [(String, String)]
    private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the last page that carried one.
    private(set) var csrf: String?
    /// Every HTML page received, in order.
    private(set) var pages: [String] = []

    init(_ node: TestNode, headers: [(String, String)] = []) {
        self.node = node
        self.headers = headers
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        var location: String? { headers.first(name: "Location") }
        var setCookies: [String] { headers["Set-Cookie"] }
        func cookie(_ name: String) -> String? { setCookies.first { $0.hasPrefix(name + "=") } }
    }

    @discardableResult
    func get(_ path: String) async throws -> Answer {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    /// Posts a form; the session's CSRF token is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: Bool = true) async throws -> Answer {
        var all = fields
        if csrf, let token = self.csrf { all.append(("csrf", token)) }
        let body = all.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        return try await send(.POST, path, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// Signs in through the login form; answers the answer to the form's post.
    @discardableResult
    func signIn(_ name: String, _ password: String) async throws -> Answer {
        let page = try await get("/login")
        let token = try #require(Self.field("login_token", in: page.text))
        return try await post("/login", [("login_token", token), ("name", name), ("password", password)], csrf: false)
    }

    /// Follows redirects from `answer` to the page they lead to.
    func follow(_ answer: Answer) async throws -> Answer {
        var current = answer
        for _ in 0..<10 {
            guard (300..<400).contains(current.status), let location = current.location else { return current }
            current = try await get(location)
        }
        Issue.record("too many redirects")
        return current
    }

    func forgetCookies() {
        cookies = [:]
    }

    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://\(node.clientHost):\(node.port)\(path)")
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await Self.http.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        for header in response.headers["Set-Cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        if response.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true {
            pages.append(text)
            if let token = Self.field("csrf", in: text) { csrf = token }
        }
        return Answer(status: Int(response.status.code), headers: response.headers, text: text)
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
