import HTTPTypes
import Hummingbird
import SibylApp
import Mustache
import SibylCore
import SibylHTTP

/// What surrounds every page's content: who is signed in, the navigation, the project switcher and what to
/// show once (a notice, an error, a new key). Stored properties only: templates read them by reflection.
struct Chrome: Sendable {
    struct ProjectLink: Sendable {
        let id: Int
        let name: String
        let current: Bool
    }

    enum Section: Sendable { case models, apis, deployments, users, license, account, none }

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
    var onAccount = false
    var notice: String?
    var error: String?
    var newKeys: [ConsoleFlash.NewKey] = []
    /// Seconds after which the page reloads itself (the building screen, a deployment changing): by the
    /// script, which waits while someone types or has a dialog or confirmation open, or by a `<noscript>`
    /// meta refresh without script.
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
        onAccount = section == .account
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
        MustacheContentTypes.register(ScalarHTML(), named: ScalarHTML.name)
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            // The templates are constants of this binary: one that does not parse is a programming error.
            do {
                try library.register(ScalarHTML.pragma + text, named: name)
            } catch {
                preconditionFailure("console template \(name): \(error)")
            }
        }
        self.library = library
    }

    /// HTML escaping by Unicode scalar, for every value a template writes with `{{…}}`.
    ///
    /// swift-mustache's own HTML type escapes by `Character`, so a quote followed by a combining mark
    /// (`"` U+0338) is one character that is not `"`, is left as it is, and ends the attribute it was written
    /// in. Every template is registered headed by `pragma`: a partial or parent starts from swift-mustache's
    /// HTML type whatever its caller used, so the pragma must head each one, not only the page's.
    struct ScalarHTML: MustacheContentType {
        static let name = "SIBYL_HTML"
        static let pragma = "{{% CONTENT_TYPE: \(name)}}"

        func escapeText(_ text: String) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            // Every byte of a multi-byte UTF-8 sequence is 0x80 or above: only the ASCII scalars are matched.
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The brand mark in the top bar, hidden from screen readers (the name follows it).
    static let logo = "<svg viewBox=\"0 0 32 32\" aria-hidden=\"true\">" + ConsoleAssets.mark + "</svg>"

    /// Pages run no inline script or style, load nothing from elsewhere and cannot be framed.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func render(_ template: String, _ page: Page<some Sendable>, status: HTTPResponse.Status = .ok) -> Response {
        let html = html(template, page)
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        // Pages are per user and one may hold a new key: never kept by a cache.
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page's HTML alone.
    func html(_ template: String, _ page: Page<some Sendable>) -> String {
        library.render(page, withTemplate: template) ?? ""
    }

    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin", HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }
}
