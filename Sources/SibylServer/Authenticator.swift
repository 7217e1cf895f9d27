import Hummingbird
import SibylApp
import SibylCore
import SibylStore

/// Management credentials: an access token in `Authorization: apikey TOKEN` or `Authorization: Bearer TOKEN`
/// (scheme case-insensitive). Tokens are looked up by their SHA-256 and compared in constant time, and work
/// until they expire or are revoked.
struct Authenticator: Sendable {
    let store: Store
    /// A token's last use is written when the one stored is older than this: at most one write a minute per
    /// token, not one per request.
    static let lastUsedResolutionSeconds: Int64 = 60

    func caller(_ request: Request) async throws(SibylError) -> Caller {
        guard let token = Self.credential(request.headers[.authorization]) else {
            throw SibylError(.unauthenticated, "an access token is required: Authorization: apikey TOKEN")
        }
        let hash = Secrets.sha256Hex(token)
        guard let holder = try await store.tokenHolder(tokenHash: hash), Secrets.constantTimeEqual(holder.storedHash, hash) else {
            throw SibylError(.unauthenticated, "the access token is not valid")
        }
        let now = WallClock.now()
        if let expiresAt = holder.expiresAt, expiresAt <= now {
            let when = UTCDay.dateTime(fromEpochSeconds: expiresAt)
            throw SibylError(.unauthenticated, "the access token expired at \(when): sign in again for a new one")
        }
        if now - (holder.lastUsedAt ?? 0) >= Self.lastUsedResolutionSeconds {
            // Best effort: a request is not refused because its token's last use could not be noted.
            try? await store.touchToken(id: holder.tokenID, at: now)
        }
        return Caller(user: holder.user, credential: .token(id: holder.tokenID), expiresAt: holder.expiresAt)
    }

    func user(_ request: Request) async throws(SibylError) -> User {
        try await caller(request).user
    }

    func admin(_ request: Request) async throws(SibylError) -> User {
        try AccountOperations.requireAdmin(try await user(request))
    }

    /// The project when the caller may see it; 404 otherwise, the same answer as for one that does not exist.
    func project(_ request: Request, _ context: AppContext) async throws -> (User, Project) {
        let user = try await user(request)
        return (user, try await project(context.parameters.get("project_id"), visibleTo: user))
    }

    /// The project named by a path parameter when `user` may see it; 404 otherwise (the console's rule too).
    func project(_ parameter: String?, visibleTo user: User) async throws(SibylError) -> Project {
        guard let id = parameter.flatMap(Int.init), let project = try await store.project(id: id, visibleTo: user) else {
            throw SibylError(.notFound, "no such project")
        }
        return project
    }

    /// The credential of an `Authorization` value with scheme `apikey` or `Bearer`, any case.
    static func credential(_ header: String?) -> Substring? {
        guard let header, let space = header.firstIndex(of: " ") else { return nil }
        let scheme = header[..<space].lowercased()
        guard scheme == "apikey" || scheme == "bearer" else { return nil }
        let value = header[header.index(after: space)...].drop { $0 == " " }
        return value.isEmpty ? nil : value
    }
}
