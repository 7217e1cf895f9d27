import Foundation
import NIOHTTP1
import SibylCore
@testable import SibylConsole
import SibylServer
import Testing

/// Values written into console pages are escaped by Unicode scalar, in every template, partials and the
/// layout included; `next` after sign-in is a path of this site or `/`.
@Suite(.serialized) struct ConsoleEscapingTests {
    /// `"` then U+0338 (combining long solidus overlay) is one `Character`: escaping by character left the
    /// quote as it was, ending the attribute.
    static let quoteAndMark = "\"\u{338}"

    @Test func aQuoteFollowedByACombiningMarkIsEscapedOnTheSignInPage() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        let page = try await browser.get("/login")
        let token = try #require(ConsoleClient.field("login_token", in: page.text))
        let name = Self.quoteAndMark + " autofocus onfocus=alert(1) x=" + Self.quoteAndMark
        let refused = try await browser.post("/login", [("login_token", token), ("name", name), ("password", "wrong-password")], csrf: false)
        #expect(refused.status == 401)
        #expect(refused.text.contains("value=\"&quot;\u{338} autofocus onfocus=alert(1) x=&quot;\u{338}\""), "\(refused.text)")
        #expect(!refused.text.contains(Self.quoteAndMark))
        // In `next` it is no path of this site at all: the form carries `/`.
        let next = try await browser.get("/login?next=/%22%CC%B8%20autofocus%20onfocus=alert(1)")
        #expect(next.text.contains("<input type=\"hidden\" name=\"next\" value=\"/\">"), "\(next.text)")
        #expect(!next.text.contains(Self.quoteAndMark))
        await node.stop()
    }

    /// A project's name is written by the layout (a parent template) and by the page's own partials: each
    /// starts from swift-mustache's own HTML type unless it carries Sibyl's pragma.
    @Test func aProjectNameIsEscapedInTheLayoutAndThePage() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let name = "x" + Self.quoteAndMark + "<b>"
        #expect(try await node.call(.POST, "/api/v1/projects", json: ["name": name]).status == 201)
        let browser = ConsoleClient(node)
        #expect(try await browser.signIn("admin", "admin-password").status == 303)
        let page = try await browser.get("/admin/users").text
        let escaped = "x&quot;\u{338}&lt;b&gt;"
        #expect(page.contains("<a href=\"/projects/2/models\">\(escaped)</a>"), "the layout's project menu: \(page)")
        #expect(page.contains("<legend>\(escaped) <span"), "the page's own list")
        #expect(!page.contains(Self.quoteAndMark))
        await node.stop()
    }

    /// Every template is registered headed by the pragma, and a partial (`newkey`, inside the layout) escapes
    /// by scalar.
    @Test func everyTemplateAndPartialEscapesByScalar() throws {
        let escape = ConsoleRenderer.ScalarHTML()
        #expect(escape.escapeText("a\"\u{338}'<&>é") == "a&quot;\u{338}&#39;&lt;&amp;&gt;é")
        var chrome = Chrome(title: Self.quoteAndMark)
        chrome.user = "u"
        chrome.newKeys = [ConsoleFlash.NewKey(heading: Self.quoteAndMark, keyID: "k" + Self.quoteAndMark, secret: Self.quoteAndMark)]
        let message = ConsoleVisit.Message(heading: Self.quoteAndMark, text: Self.quoteAndMark, link: Self.quoteAndMark, linkText: "l")
        let html = ConsoleRenderer().html("message", Page(chrome: chrome, body: message))
        #expect(html.contains("<title>&quot;\u{338} · Sibyl</title>"))
        #expect(html.contains("<input id=\"secret-k&quot;\u{338}\" class=\"new-key\" readonly value=\"&quot;\u{338}\">"), "\(html)")
        #expect(html.contains("<a href=\"&quot;\u{338}\">l</a>"))
        #expect(!html.contains(Self.quoteAndMark))
    }

    /// After signing in, a `next` that a browser could read as another site (tabs and newlines are dropped
    /// from URLs, `\` is read as `/`) goes to `/`; a path of this site is kept.
    @Test func aNextThatCouldLeaveTheSiteGoesHome() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        for next in [
            "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example", "//evil.example", "/\\/evil.example",
            "https://evil.example", "javascript:alert(1)", "evil.example", "/ /evil.example", "/\u{0}/evil.example", "/\u{7F}x",
            "/caf\u{E9}", "/\u{2028}/evil.example", "",
        ] {
            #expect(try await Self.signIn(node, next: next).location == "/", "next: \(next.debugDescription)")
        }
        #expect(try await Self.signIn(node, next: "/projects/1/apis?dialog=delete").location == "/projects/1/apis?dialog=delete")
        await node.stop()
    }

    static func signIn(_ node: TestNode, next: String) async throws -> ConsoleClient.Answer {
        let browser = ConsoleClient(node)
        let page = try await browser.get("/login")
        let token = try #require(ConsoleClient.field("login_token", in: page.text))
        let answer = try await browser.post(
            "/login", [("login_token", token), ("name", "admin"), ("password", "admin-password"), ("next", next)], csrf: false)
        #expect(answer.status == 303)
        return answer
    }
}
