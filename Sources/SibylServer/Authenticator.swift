import Hummingbird
import SibylApp
import SibylCore

/// Management credentials as requests carry them: an access token in `Authorization: apikey TOKEN` or
/// `Authorization: Bearer TOKEN` (scheme case-insensitive), checked by `Identity`.
struct Authenticator: Sendable {
    let identity: Identity

    func caller(_ request: Request) async throws(SibylError) -> Caller {
        try await identity.caller(token: Self.credential(request.headers[.authorization]))
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
        try await identity.project(parameter, visibleTo: user)
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
