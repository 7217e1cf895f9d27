import Foundation
import Hummingbird
import Logging
import SibylApp
import SibylCore
import SibylHTTP

/// The web console: pages rendered on the server over the same operations as the JSON API, for a Sibyl user
/// signed in with a session cookie. Every form carries the session's CSRF token; everything works without
/// script.
public struct Console: Sendable {
    let platform: Platform
    let auth: Authenticator
    let apis: APIOperations
    let models: ModelOperations
    let accounts: AccountOperations
    let deployments: DeploymentOperations
    let secrets: AccountSecrets
    let sessions: ConsoleSessions
    let resolver: ClientAddressResolver
    let cookies: ConsoleCookies
    let renderer = ConsoleRenderer()

    public init(
        platform: Platform, auth: Authenticator, apis: APIOperations, models: ModelOperations, accounts: AccountOperations,
        deployments: DeploymentOperations, secrets: AccountSecrets, sessions: ConsoleSessions
    ) {
        self.platform = platform
        self.deployments = deployments
        self.auth = auth
        self.apis = apis
        self.models = models
        self.accounts = accounts
        self.secrets = secrets
        self.sessions = sessions
        let configuration = platform.configuration
        resolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        cookies = ConsoleCookies(trustedProxies: configuration.trustedProxies)
    }

    /// Adds the console's routes; answers them as `METHOD /path`, apart from the JSON API's inventory.
    public func add(to router: Router<AppContext>) -> [String] {
        let before = Set(router.routes.map(\.description))
        ConsoleAccessRoutes(console: self).add(to: router)
        ConsoleModelPages(console: self).add(to: router)
        ConsoleAPIPages(console: self).add(to: router)
        ConsoleDeploymentPages(console: self, operations: deployments).add(to: router)
        ConsoleAdminPages(console: self).add(to: router)
        ConsoleAccountPages(console: self).add(to: router)
        return router.routes.map(\.description).filter { !before.contains($0) }
    }

    /// A page for a signed-in user. Without a session the browser is sent to sign in and brought back.
    func page(
        _ request: Request, _ context: AppContext, _ handler: @escaping @Sendable (ConsoleVisit) async throws -> Response
    ) async throws -> Response {
        guard let session = try await sessions.find(request) else {
            let here = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return ConsoleVisit.redirect(to: request.uri.path == "/" ? "/login" : "/login?next=" + here)
        }
        let visit = ConsoleVisit(console: self, session: session, request: request, context: context, form: ConsoleForm())
        return try await answering(try await visit.takingFlash()) { visit in
            let response = try await handler(visit)
            // A page that only sends the browser on (`/`) leaves the flash for the page it leads to.
            if (300..<400).contains(response.status.code) { try await visit.keepFlash() }
            return response
        }
    }

    /// A form post of a signed-in user, refused (403) unless it carries the session's CSRF token.
    func action(
        _ request: Request, _ context: AppContext, bodyLimit: Int? = nil,
        _ handler: @escaping @Sendable (ConsoleVisit) async throws -> Response
    ) async throws -> Response {
        guard let session = try await sessions.find(request) else { return ConsoleVisit.redirect(to: "/login") }
        let visit = ConsoleVisit(console: self, session: session, request: request, context: context, form: ConsoleForm())
        return try await answering(visit) { visit in
            let form = try await ConsoleForm.read(request, limit: bodyLimit ?? platform.configuration.maxManagementBodyBytes)
            guard let token = form["csrf"], Secrets.constantTimeEqual(token, session.csrfToken) else {
                throw SibylError(.forbidden, "the form has expired or came from another site: reload the page and try again")
            }
            return try await handler(visit.with(form))
        }
    }

    /// Runs a handler; an error it does not turn into a page itself becomes a page saying what went wrong,
    /// with the status the JSON API gives the same error.
    private func answering(
        _ visit: ConsoleVisit, _ handler: @Sendable (ConsoleVisit) async throws -> Response
    ) async throws -> Response {
        do {
            return try await handler(visit)
        } catch let error as SibylError {
            return try await visit.message(for: error)
        } catch {
            platform.logger.error("console page failed", metadata: ["error": "\(String(reflecting: error))"])
            return try await visit.message(
                for: SibylError(.internalError, "something went wrong; the details are in the server's log"))
        }
    }
}
