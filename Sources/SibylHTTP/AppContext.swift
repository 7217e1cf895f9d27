import Hummingbird
import NIOCore
import SibylApp
import SibylCore

/// Per-request state: Hummingbird's core context, the socket peer (for whitelists), and who is calling once
/// `Authentication` has read their credential (management routes only).
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: IPAddress?
    /// A reference, so that the context every request copies through the middleware stays small.
    var identified: Identified?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress.flatMap { $0.ipAddress }.flatMap { IPAddress($0) }
    }
}

/// The caller `Authentication` found, and the path's project for project routes.
final class Identified: Sendable {
    let caller: Caller
    let project: Project?

    init(caller: Caller, project: Project?) {
        self.caller = caller
        self.project = project
    }
}

/// The context of a management route: the caller is known. Routes get it from a group made by
/// `callerGroup`, whose `Authentication` has refused the request (401) when there was no valid token.
public struct CallerContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: IPAddress?
    public let caller: Caller
    public var user: User { caller.user }

    public init(context: AppContext) throws {
        guard let caller = context.identified?.caller else {
            throw SibylError(.internalError, "a management route without authentication")
        }
        coreContext = context.coreContext
        peer = context.peer
        self.caller = caller
    }
}

/// The context of a route under `…/projects/{project_id}` (or the deployment API's `…/{project_id}`): the caller,
/// and the project, which they may see (`Authentication` answered 404 otherwise, as for one that does not exist).
public struct ProjectContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: IPAddress?
    public let caller: Caller
    public let project: Project
    public var user: User { caller.user }

    public init(context: AppContext) throws {
        guard let caller = context.identified?.caller, let project = context.identified?.project else {
            throw SibylError(.internalError, "a project route without authentication")
        }
        coreContext = context.coreContext
        peer = context.peer
        self.caller = caller
        self.project = project
    }
}

/// Finds the caller from their access token, and for project routes the project of the path, before the
/// route's handler runs: identity is the route group's, never a call in a handler.
public struct Authentication: RouterMiddleware {
    public let auth: Authenticator
    public let findsProject: Bool

    public func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let caller = try await auth.caller(request)
        let project = findsProject ? try await auth.identity.project(context.parameters.get("project_id"), visibleTo: caller.user) : nil
        context.identified = Identified(caller: caller, project: project)
        return try await next(request, context)
    }
}

extension RouterMethods where Context == AppContext {
    /// Routes under `path` for a caller with a valid access token.
    public func callerGroup(_ path: RouterPath, _ auth: Authenticator) -> RouterGroup<CallerContext> {
        group(path).add(middleware: Authentication(auth: auth, findsProject: false)).group(context: CallerContext.self)
    }

    /// Routes under `path`, which names `:project_id`, for a caller who may see that project.
    public func projectGroup(_ path: RouterPath, _ auth: Authenticator) -> RouterGroup<ProjectContext> {
        group(path).add(middleware: Authentication(auth: auth, findsProject: true)).group(context: ProjectContext.self)
    }
}
