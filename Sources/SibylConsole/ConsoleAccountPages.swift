import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// The signed-in user's own account: their password, the browsers signed in as them and their access tokens,
/// each of which they can end here.
struct ConsoleAccountPages {
    let console: Console

    struct TokenRow: Sendable {
        let id: String
        let description: String
        let created: String
        let expires: String
        let lastUsed: String
        let expired: Bool
    }

    struct SessionRow: Sendable {
        let handle: String
        let created: String
        let expires: String
        let isThis: Bool
    }

    struct AccountView: Sendable {
        let tokens: [TokenRow]
        let hasTokens: Bool
        let sessions: [SessionRow]
        let passwordError: String?
    }

    func add(to router: Router<AppContext>) {
        router.get("account") { request, context in
            try await console.page(request, context) { visit in try await account(visit) }
        }
        router.post("account/password") { request, context in
            try await console.action(request, context) { visit in
                try await visit.refusing(to: "/account", form: "password") { try await changePassword(visit) }
            }
        }
        router.post("account/tokens/:token_id/revoke") { request, context in
            try await console.action(request, context) { visit in
                try await visit.refusing(to: "/account") {
                    try await console.accounts.revokeToken(context.parameters.get("token_id"), of: visit.user)
                    return try await visit.redirect(to: "/account", notice: "Access token revoked.")
                }
            }
        }
        router.post("account/sessions/:handle/revoke") { request, context in
            try await console.action(request, context) { visit in
                try await visit.refusing(to: "/account") {
                    try await console.accounts.endConsoleSession(handle: context.parameters.get("handle"), of: visit.user)
                    return try await visit.redirect(to: "/account", notice: "That browser is signed out.")
                }
            }
        }
    }

    /// Changing one's own password asks for the current one (under the sign-in throttle), so that a browser
    /// left signed in does not hand the account over, and for the new one twice, so that a typing slip does
    /// not lock its owner out; every other session and every token then ends.
    private func changePassword(_ visit: ConsoleVisit) async throws -> Response {
        let password = visit.form["password"] ?? ""
        try User.validate(password: password)
        guard visit.form["password_again"] == password else {
            throw SibylError(.invalidInput, "the two new passwords differ: type the same new password twice")
        }
        let address = console.resolver.resolve(peer: visit.context.peer, forwardedFor: visit.request.headers[values: .xForwardedFor])
        do {
            _ = try await console.accounts.signIn(name: visit.user.name, password: visit.form["current_password"] ?? "", address: address)
        } catch let refusal as LoginThrottle.Refusal {
            throw refusal.error
        } catch let error as SibylError where error.code == .unauthenticated {
            throw SibylError(.unauthenticated, "the current password is wrong")
        }
        _ = try await console.accounts.updateUser(
            by: Caller(user: visit.user, credential: .consoleSession(idHash: visit.session.idHash)), id: visit.user.id, role: nil,
            password: password)
        return try await visit.redirect(
            to: "/account", notice: "Password changed. Your other browsers are signed out and your access tokens revoked.")
    }

    private func account(_ visit: ConsoleVisit) async throws -> Response {
        let now = console.platform.clock.now()
        let tokens = try await console.accounts.tokens(of: visit.user).map { token in
            TokenRow(
                id: token.id, description: token.description, created: ConsoleFormat.dateTime(token.createdAt),
                expires: token.expiresAt.map(ConsoleFormat.dateTime) ?? "", lastUsed: token.lastUsedAt.map(ConsoleFormat.dateTime) ?? "never",
                expired: token.expiresAt.map { $0 <= now } ?? false)
        }
        let sessions = try await console.accounts.consoleSessions(of: visit.user).map { session in
            SessionRow(
                handle: session.handle, created: ConsoleFormat.dateTime(session.createdAt), expires: ConsoleFormat.dateTime(session.expiresAt),
                isThis: session.idHash == visit.session.idHash)
        }
        let view = AccountView(
            tokens: tokens, hasTokens: !tokens.isEmpty, sessions: sessions, passwordError: visit.flash.refused("password")?.message)
        return try await visit.page("account", title: "Your account", section: .account, body: view)
    }
}
