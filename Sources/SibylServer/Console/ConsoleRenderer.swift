import HTTPTypes
import Hummingbird
import Mustache
import SibylCore

/// What surrounds every page's content: who is signed in, the navigation, the project switcher and what to
/// show once (a notice, an error, a new key). Stored properties only: templates read them by reflection.
struct Chrome: Sendable {
    struct ProjectLink: Sendable {
        let id: Int
        let name: String
        let current: Bool
    }

    enum Section: Sendable { case models, apis, deployments, users, license, none }

    let title: String
    let logo = ConsoleRenderer.logo
    var user: String?
    var role: String?
    var isAdmin = false
    var csrf = ""
    var projectID: Int?
    var projectName: String?
    var projects: [ProjectLink] = []
    var hasManyProjects = false
    var onModels = false
    var onAPIs = false
    var onDeployments = false
    var onUsers = false
    var onLicense = false
    var notice: String?
    var error: String?
    var newKeys: [ConsoleFlash.NewKey] = []
    /// Seconds after which the page reloads itself (the building screen).
    var refresh: Int?

    init(title: String) {
        self.title = title
    }

    init(title: String, session: ConsoleSession, projects: [Project], current: Project?, section: Section) {
        self.title = title
        user = session.user.name
        role = session.user.role.rawValue
        isAdmin = session.user.role == .admin
        csrf = session.csrfToken
        let shown = current ?? projects.first
        projectID = shown?.id
        projectName = shown?.name
        self.projects = projects.map { ProjectLink(id: $0.id, name: $0.name, current: $0.id == shown?.id) }
        hasManyProjects = projects.count > 1
        onModels = section == .models
        onAPIs = section == .apis
        onDeployments = section == .deployments
        onUsers = section == .users
        onLicense = section == .license
    }
}

/// A page to render: the chrome and the content's own values, which its template reads under `body`.
struct Page<Body: Sendable>: Sendable {
    let chrome: Chrome
    let body: Body
}

/// Renders the console's templates into responses with the headers every console page carries.
struct ConsoleRenderer: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            // The templates are constants of this binary: one that does not parse is a programming error.
            do { try library.register(text, named: name) } catch { preconditionFailure("console template \(name): \(error)") }
        }
        self.library = library
    }

    /// The brand mark in the top bar, hidden from screen readers (the name follows it).
    static let logo = "<svg viewBox=\"0 0 32 32\" aria-hidden=\"true\">" + ConsoleAssets.mark + "</svg>"

    /// Pages run no inline script or style, load nothing from elsewhere and cannot be framed.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func render(_ template: String, _ page: Page<some Sendable>, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(page, withTemplate: template) ?? ""
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        // Pages are per user and one may hold a new key: never kept by a cache.
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin", HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }
}
