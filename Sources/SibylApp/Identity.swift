import SibylCore
import SibylStore

/// Who is calling the management API: an access token, looked up by its SHA-256 and compared in constant
/// time, working until it expires or is revoked; and which projects that caller may see.
public struct Identity: Sendable {
    let store: Store
    /// A token's last use is written when the one stored is older than this: at most one write a minute per
    /// token, not one per request.
    public static let lastUsedResolutionSeconds: Int64 = 60

    public init(store: Store) {
        self.store = store
    }

    /// The caller a presented access token names; `unauthenticated` when there is none, or it is unknown or
    /// expired.
    public func caller(token: Substring?) async throws(SibylError) -> Caller {
        guard let token else { throw SibylError(.unauthenticated, "an access token is required: Authorization: apikey TOKEN") }
        let hash = Secrets.sha256Hex(token)
        guard let holder = try await store.tokenHolder(tokenHash: hash), Secrets.constantTimeEqual(holder.storedHash, hash) else {
            throw SibylError(.unauthenticated, "the access token is not valid")
        }
        let now = store.clock.now()
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

    /// The project `id` names when `user` may see it; 404 otherwise, the same answer as for one that does not
    /// exist (the console's rule too).
    public func project(_ id: String?, visibleTo user: User) async throws(SibylError) -> Project {
        guard let id = id.flatMap(Int.init), let project = try await store.project(id: id, visibleTo: user) else {
            throw SibylError(.notFound, "no such project")
        }
        return project
    }

    /// The projects `user` may see, all of them for an admin.
    public func projects(visibleTo user: User) async throws(SibylError) -> [Project] {
        try await store.projects(visibleTo: user)
    }
}
