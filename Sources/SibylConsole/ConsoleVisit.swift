import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// One request of a signed-in user: the session, the submitted form (for posts), and the ways a console
/// handler answers: a page, a redirect with a notice, or a page saying what went wrong.
struct ConsoleVisit: Sendable {
    let console: Console
    let session: ConsoleSession
    let request: Request
    let context: AppContext
    private(set) var form: ConsoleForm
    private(set) var flash = ConsoleFlash()
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
        try await console.auth.identity.project(context.parameters.get("project_id"), visibleTo: user)
    }

    func requireAdmin() throws(SibylError) {
        try AccountOperations.requireAdmin(user)
    }

    /// The flash waiting for this session, taken (and so deleted) as a page starts, so that its content can
    /// show a refused form again; `keepFlash()` puts it back for a page that does not show it.
    func takingFlash() async throws -> ConsoleVisit {
        var copy = self
        copy.flash = try await console.sessions.takeFlash(ConsoleFlash.self, in: session) ?? ConsoleFlash()
        return copy
    }

    /// Puts back a flash this page did not show (the building screen, an error page).
    func keepFlash() async throws {
        guard flash.notice != nil || !flash.newKeys.isEmpty || flash.refusal != nil || flash.dialog != nil else { return }
        try await console.sessions.setFlash(flash, in: session)
    }

    /// Renders a page with the flash taken when the visit began: its notice, new keys, and a refusal of the
    /// page as a whole (a refused form shows its own, next to it). The page answers the refusal's status.
    func page<Body: Sendable>(
        _ template: String, title: String, project: Project? = nil, section: Chrome.Section, body: Body,
        status: HTTPResponse.Status? = nil, error: String? = nil, refresh: Int? = nil, showFlash: Bool = true
    ) async throws -> Response {
        var chrome = Chrome(
            title: title, session: session, projects: try await console.auth.identity.projects(visibleTo: user), current: project,
            section: section)
        let shown = showFlash ? flash : ConsoleFlash()
        chrome.notice = shown.notice
        chrome.newKeys = shown.newKeys
        chrome.error = error.map(Self.sentence) ?? shown.refusal.flatMap { $0.form == nil ? $0.message : nil }
        chrome.refresh = refresh
        let refusalStatus = shown.refusal.map { HTTPResponse.Status(code: $0.status) }
        return console.renderer.render(template, Page(chrome: chrome, body: body), status: status ?? refusalStatus ?? .ok)
    }

    /// Post/redirect/get: the notice (and new key) is shown once, on the next page. A key not shown yet (its
    /// API still building, say) stays in the flash beside the new one. `dialog` opens on that page only.
    func redirect(
        to path: String, notice: String? = nil, newKey: ConsoleFlash.NewKey? = nil, dialog: String? = nil
    ) async throws -> Response {
        if notice != nil || newKey != nil || dialog != nil {
            var flash = try await console.sessions.takeFlash(ConsoleFlash.self, in: session) ?? ConsoleFlash()
            flash.notice = notice ?? flash.notice
            flash.newKeys += newKey.map { [$0] } ?? []
            flash.dialog = dialog
            try await console.sessions.setFlash(flash, in: session)
        }
        return Self.redirect(to: path)
    }

    /// Post/redirect/get for a refused action: back to `path`, which shows the reason once, next to the form
    /// named `form` (atop the page for nil) and filled in again with the fields named `keeping`, so that a
    /// reload neither resubmits nor repeats the error.
    func refuse(_ error: SibylError, to path: String, form: String? = nil, keeping names: [String] = []) async throws -> Response {
        var flash = try await console.sessions.takeFlash(ConsoleFlash.self, in: session) ?? ConsoleFlash()
        var fields: [String: [String]] = [:]
        for name in names { fields[name] = self.form.all(name) }
        flash.refusal = ConsoleFlash.Refusal(
            form: form, message: Self.sentence(error.message), status: Int(error.status.code), fields: fields)
        try await console.sessions.setFlash(flash, in: session)
        return Self.redirect(to: path)
    }

    /// Runs an action; a refusal it meets (bad input, a conflict, not allowed) is sent back to `path` by
    /// `refuse`. What the action is about is looked up before, so that a missing one is a page of its own
    /// rather than a redirect to a page that does not exist.
    func refusing(
        to path: String, form: String? = nil, keeping names: [String] = [], _ body: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await body()
        } catch let error as SibylError where error.code != .storageUnavailable && error.code != .internalError {
            return try await refuse(error, to: path, form: form, keeping: names)
        }
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
        try await keepFlash()
        return try await page(
            "message", title: heading, section: .none,
            body: Message(heading: heading, text: Self.sentence(error.message), link: "/", linkText: "Back to the console"),
            status: error.status, showFlash: false)
    }

    /// Error messages are written for the JSON API in lower case; on a page they start a sentence, and end
    /// with a stop unless they already end a sentence ("did you mean 10.0.0.0/8?").
    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        let text = first.uppercased() + message.dropFirst()
        return [".", "?", "!"].contains(where: text.hasSuffix) ? text : text + "."
    }
}
