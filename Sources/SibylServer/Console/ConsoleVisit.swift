import Hummingbird
import SibylCore
import SibylStore

/// One request of a signed-in user: the session, the submitted form (for posts), and the ways a console
/// handler answers: a page, a redirect with a notice, or a page saying what went wrong.
struct ConsoleVisit: Sendable {
    let console: Console
    let session: ConsoleSession
    let request: Request
    let context: AppContext
    private(set) var form: ConsoleForm
    var user: User { session.user }

    init(console: Console, session: ConsoleSession, request: Request, context: AppContext, form: ConsoleForm) {
        self.console = console
        self.session = session
        self.request = request
        self.context = context
        self.form = form
    }

    func with(_ form: ConsoleForm) -> ConsoleVisit {
        var copy = self
        copy.form = form
        return copy
    }

    /// The project of the path when this user may see it; 404 otherwise, as in the JSON API.
    func project() async throws(SibylError) -> Project {
        try await console.auth.project(context.parameters.get("project_id"), visibleTo: user)
    }

    func requireAdmin() throws(SibylError) {
        try AccountOperations.requireAdmin(user)
    }

    /// Renders a page; `takeFlash` shows (and so deletes) the notice or new key waiting for this session.
    func page<Body: Sendable>(
        _ template: String, title: String, project: Project? = nil, section: Chrome.Section, body: Body,
        status: HTTPResponse.Status = .ok, error: String? = nil, refresh: Int? = nil, takeFlash: Bool = true
    ) async throws -> Response {
        var chrome = Chrome(
            title: title, session: session, projects: try await console.store.projects(visibleTo: user), current: project,
            section: section)
        if takeFlash, let flash = try await console.sessions.takeFlash(in: session) {
            chrome.notice = flash.notice
            chrome.newKeys = flash.newKeys
        }
        chrome.error = error.map(Self.sentence)
        chrome.refresh = refresh
        return console.renderer.render(template, Page(chrome: chrome, body: body), status: status)
    }

    /// Post/redirect/get: the notice (and new key) is shown once, on the next page. A key not shown yet (its
    /// API still building, say) stays in the flash beside the new one.
    func redirect(to path: String, notice: String? = nil, newKey: ConsoleFlash.NewKey? = nil) async throws -> Response {
        if notice != nil || newKey != nil {
            var flash = try await console.sessions.takeFlash(in: session) ?? ConsoleFlash()
            flash.notice = notice ?? flash.notice
            flash.newKeys += newKey.map { [$0] } ?? []
            try await console.sessions.setFlash(flash, in: session)
        }
        return Self.redirect(to: path)
    }

    static func redirect(to path: String) -> Response {
        var headers = ConsoleRenderer.securityHeaders
        headers[.location] = path
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    struct Message: Sendable {
        let heading: String
        let text: String
        let link: String
        let linkText: String
    }

    /// A page for an error that no page of its own shows: its message and the JSON API's status for it.
    func message(for error: SibylError) async throws -> Response {
        let heading =
            switch error.code {
            case .notFound: "Not found"
            case .forbidden: "Not allowed"
            case .storageUnavailable: "Try again"
            default: "That did not work"
            }
        return try await page(
            "message", title: heading, section: .none,
            body: Message(heading: heading, text: Self.sentence(error.message), link: "/", linkText: "Back to the console"),
            status: error.status, takeFlash: false)
    }

    /// Error messages are written for the JSON API in lower case; on a page they start a sentence.
    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        let text = first.uppercased() + message.dropFirst()
        return text.hasSuffix(".") ? text : text + "."
    }
}
