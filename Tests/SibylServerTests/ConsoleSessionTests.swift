import Crypto
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// Console sign-in: session cookies and their flags, sessions stored hashed, sign-out and CSRF refusals (the
/// sign-in throttle: `SignInThrottleTests`).
@Suite(.serialized) struct ConsoleSessionTests {
    @Test func signingInGivesAStrictHttpOnlyCookieWhoseIdIsStoredOnlyHashed() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        #expect(try await browser.get("/").location == "/login")
        let login = try await browser.get("/login")
        #expect(login.status == 200)
        #expect(login.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(login.headers.first(name: "Cache-Control") == "no-store")
        let signedIn = try await browser.signIn("admin", "admin-password")
        #expect(signedIn.status == 303 && signedIn.location == "/")
        let cookie = try #require(signedIn.cookie("sibyl_session"))
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(cookie.contains(flag), "\(cookie)") }
        #expect(!cookie.contains("Secure"), "plain HTTP from a client that is no proxy: not Secure")
        let id = try #require(browser.cookies["sibyl_session"])
        #expect(try await browser.follow(signedIn).status == 200)

        // The database holds the id's SHA-256, never the id.
        await node.stop()
        let stored = try node.storedData()
        #expect(stored.range(of: Data(id.utf8)) == nil)
        #expect(stored.range(of: Data(Self.sha256Hex(id).utf8)) != nil)
    }

    @Test func signingOutEndsTheSession() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let id = try #require(browser.cookies["sibyl_session"])
        #expect(try await browser.get("/projects/1/models").status == 200)
        let out = try await browser.post("/logout")
        #expect(out.status == 303 && out.location == "/login?signed_out=1")
        #expect(out.cookie("sibyl_session")?.contains("Max-Age=0") == true)
        // The old cookie, sent again, opens nothing.
        let replay = ConsoleClient(node, headers: [("Cookie", "sibyl_session=\(id)")])
        let page = try await replay.get("/projects/1/models")
        #expect(page.status == 303 && page.location?.hasPrefix("/login") == true)
        await node.stop()
    }

    @Test func cookiesAreSecureWhenATrustedProxySaysTheBrowserCameOverTLS() async throws {
        let node = try await TestNode { $0.trustedProxies = [try! CIDR("127.0.0.0/8")] }
        defer { node.removeData() }
        let proxied = ConsoleClient(node, headers: [("X-Forwarded-Proto", "https")])
        #expect(try await proxied.get("/login").cookie("sibyl_login")?.contains("Secure") == true)
        #expect(try await proxied.signIn("admin", "admin-password").cookie("sibyl_session")?.contains("Secure") == true)
        #expect(try await ConsoleClient(node).get("/login").cookie("sibyl_login")?.contains("Secure") == false)
        await node.stop()

        // A client that is no trusted proxy cannot ask for it.
        let direct = try await TestNode()
        defer { direct.removeData() }
        let claiming = ConsoleClient(direct, headers: [("X-Forwarded-Proto", "https")])
        #expect(try await claiming.get("/login").cookie("sibyl_login")?.contains("Secure") == false)
        await direct.stop()
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"))
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        try await browser.get("/projects/1/apis/\(api.id)")
        let lock = "/projects/1/apis/\(api.id)/lock"
        let missing = try await browser.post(lock, csrf: false)
        #expect(missing.status == 403 && missing.text.contains("came from another site"))
        let wrong = try await browser.post(lock, [("csrf", String(repeating: "a", count: 32))], csrf: false)
        #expect(wrong.status == 403)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["locked"] as? Bool == false)
        #expect(try await browser.post(lock).status == 303)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["locked"] as? Bool == true)

        // Another session's token is no good either.
        let other = ConsoleClient(node)
        try await other.signIn("admin", "admin-password")
        try await other.get("/projects/1/models")
        #expect(other.csrf != browser.csrf)
        #expect(try await browser.post("/projects/1/apis/\(api.id)/unlock", [("csrf", other.csrf ?? "")], csrf: false).status == 403)

        // The sign-in form has its own token, bound to a cookie: a post from elsewhere has neither.
        let forged = ConsoleClient(node)
        let refused = try await forged.post("/login", [("name", "admin"), ("password", "admin-password")], csrf: false)
        #expect(refused.status == 403 && refused.cookie("sibyl_session") == nil)
        await node.stop()
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
