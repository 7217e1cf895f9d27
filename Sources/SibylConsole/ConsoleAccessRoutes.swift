import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Signing in and out, the console's front door (`/`), and its stylesheet, script and icon.
struct ConsoleAccessRoutes {
    let console: Console
    /// The login form's CSRF defence before there is a session: the same random value in a SameSite=Strict
    /// cookie and in the form (double submit), so another site cannot sign a browser in to its own account.
    static let loginCookieName = "sibyl_login"

    struct LoginView: Sendable {
        let loginToken: String
        let next: String
        let name: String
        /// Why the last try failed, shown inside the form's card, beside what to change.
        let error: String?
    }

    func add(to router: Router<AppContext>) {
        router.get("/") { request, context in
            try await console.page(request, context) { visit in
                guard let first = try await console.auth.identity.projects(visibleTo: visit.user).first else {
                    return try await visit.page(
                        "message", title: "No project", section: .none,
                        body: ConsoleVisit.Message(
                            heading: "No project yet", text: "You are not a member of any project. Ask an admin to add you to one.",
                            link: "/", linkText: "Reload"))
                }
                return ConsoleVisit.redirect(to: "/projects/\(first.id)/models")
            }
        }
        router.get("login") { request, context in
            if try await console.sessions.find(request) != nil {
                return ConsoleVisit.redirect(to: Self.next(request.uri.queryParameters.get("next")))
            }
            let notice = request.uri.queryParameters.get("signed_out") != nil ? "You have signed out." : nil
            return loginPage(request, context, name: "", notice: notice)
        }
        router.post("login") { request, context in try await signIn(request, context) }
        router.post("logout") { request, context in
            try await console.action(request, context) { visit in
                try await console.sessions.end(visit.session)
                var response = ConsoleVisit.redirect(to: "/login?signed_out=1")
                response.setCookie(console.cookies.expired(ConsoleSessions.cookieName, request, context))
                return response
            }
        }
        router.get("console/assets/:name") { request, context in
            guard let name = context.parameters.get("name"), let asset = ConsoleAssets.all[name] else {
                return Response(status: .notFound)
            }
            var headers: HTTPFields = [
                .contentType: asset.contentType, .eTag: asset.tag, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff",
            ]
            if request.headers[.ifNoneMatch] == asset.tag { return Response(status: .notModified, headers: headers) }
            headers[.contentLength] = String(asset.bytes.count)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
    }

    /// Checks the form token, the throttle, then the password; a session cookie and a redirect on success.
    private func signIn(_ request: Request, _ context: AppContext) async throws -> Response {
        let form: ConsoleForm
        do {
            form = try await ConsoleForm.read(request, limit: console.platform.configuration.maxManagementBodyBytes)
        } catch let error as SibylError {
            return loginPage(request, context, name: "", error: error.message, status: error.status)
        }
        let name = form["name"] ?? ""
        guard let token = form["login_token"], let cookie = request.cookies[Self.loginCookieName]?.value,
            Secrets.constantTimeEqual(token, cookie)
        else {
            return loginPage(
                request, context, name: name, next: form["next"], error: "the sign-in form expired: please sign in again",
                status: .forbidden)
        }
        let address = console.resolver.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        let user: User
        do {
            user = try await console.accounts.signIn(name: name, password: form["password"] ?? "", address: address)
        } catch let refusal as LoginThrottle.Refusal {
            var response = loginPage(
                request, context, name: name, next: form["next"], error: refusal.error.message, status: refusal.status)
            response.headers[.retryAfter] = String(refusal.seconds)
            return response
        } catch let error as SibylError where error.code == .unauthenticated {
            return loginPage(request, context, name: name, next: form["next"], error: error.message, status: error.status)
        }
        let session = try await console.sessions.start(for: user)
        var response = ConsoleVisit.redirect(to: Self.next(form["next"]))
        let lifetime = Int(console.sessions.lifetimeSeconds)
        response.setCookie(console.cookies.make(ConsoleSessions.cookieName, session.id, request, context, maxAge: lifetime))
        response.setCookie(console.cookies.expired(Self.loginCookieName, request, context))
        return response
    }

    private func loginPage(
        _ request: Request, _ context: AppContext, name: String, next: String? = nil, notice: String? = nil,
        error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        // The token is kept while its cookie lasts, so two open sign-in tabs both work.
        let existing = request.cookies[Self.loginCookieName]?.value
        let token = existing.flatMap { Identifier.isWellFormedSecret($0) ? $0 : nil } ?? Secrets.make()
        var chrome = Chrome(title: "Sign in")
        chrome.notice = notice
        let view = LoginView(
            loginToken: token, next: Self.next(next ?? request.uri.queryParameters.get("next")), name: name,
            error: error.map(ConsoleVisit.sentence))
        var response = console.renderer.render("login", Page(chrome: chrome, body: view), status: status)
        response.setCookie(console.cookies.make(Self.loginCookieName, token, request, context, maxAge: 3600))
        return response
    }

    /// Where to go after signing in: a path of this site only, never another origin; anything else is `/`.
    ///
    /// Only printable ASCII is allowed, without backslashes or colons, and the path must start with one `/`.
    /// Browsers drop tabs and newlines from a URL and read `\` as `/`, so `/\t/evil.example` or `/\evil.example`
    /// would become `//evil.example`, another site; the console's own paths are plain ASCII (`next` is
    /// percent-encoded when the console makes it).
    static func next(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"),
            path.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: ":") })
        else { return "/" }
        return path
    }

}
