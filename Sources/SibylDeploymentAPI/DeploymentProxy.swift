import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import SibylApp
import SibylContainers
import SibylCore
import SibylHTTP

/// The data plane of deployments: every request to a deployment's address (`/inference/{project_id}/{name}/…`)
/// passes its key check, is counted in its usage, and is forwarded to a ready replica (the path below the
/// address, the query and the body as they came), waiting for one to start when the deployment is at zero.
/// Headers cross as `ForwardedHeaders` allows: the key that opened the deployment, the caller's cookies and
/// Sibyl's credentials never reach a container, and a container's answer sets no cookie.
public struct DeploymentProxy: Sendable {
    let platform: Platform
    /// Nil on a node without a container engine: every deployment request is then a 503.
    let supervisor: Supervisor?
    let client: HTTPClient
    let resolver: ClientAddressResolver
    /// Whether this router also serves the console: answers are then sandboxed (`ForwardedHeaders.sandbox`).
    let onConsoleOrigin: Bool

    public init(platform: Platform, supervisor: Supervisor?, client: HTTPClient, resolver: ClientAddressResolver, onConsoleOrigin: Bool) {
        self.platform = platform
        self.supervisor = supervisor
        self.client = client
        self.resolver = resolver
        self.onConsoleOrigin = onConsoleOrigin
    }

    public func add(to router: Router<AppContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("inference/:project_id/:deployment_name", method: method) { request, context in
                try await forward(request, context, path: "/")
            }
            router.on("inference/:project_id/:deployment_name/**", method: method) { request, context in
                try await forward(request, context, path: "/" + context.parameters.getCatchAll().joined(separator: "/"))
            }
        }
    }

    /// The usage key of a deployment: deployments are counted in the same table as prediction APIs.
    static func usageKey(_ deployment: Deployment) -> String { "deployment/\(deployment.projectID)/\(deployment.name)" }

    private func forward(_ request: Request, _ context: AppContext, path: String) async throws -> Response {
        guard let projectID = context.parameters.get("project_id").flatMap(Int.init),
            let name = context.parameters.get("deployment_name"),
            let entry = platform.deployments.entry(projectID: projectID, name: name), !entry.deployment.deleting
        else { throw SibylError(.notFound, "no such deployment") }
        return try await platform.usage.counting(Self.usageKey(entry.deployment)) {
            try await admitted(request, context, entry, path: path)
        }
    }

    private func admitted(
        _ request: Request, _ context: AppContext, _ entry: DeploymentDirectory.Entry, path: String
    ) async throws -> Response {
        let deployment = entry.deployment
        let keyHeader = try checkKey(request, entry)
        let caller = resolver.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        if let whitelist = deployment.whitelist {
            guard whitelist.admits(caller) else {
                throw SibylError(.ipNotAllowed, "this address may not call the deployment: add it to its IP whitelist")
            }
        }
        guard !deployment.stopped else {
            throw SibylError(.apiUnavailable, "the deployment is stopped (DISABLED): start it to serve requests")
        }
        guard let supervisor else {
            throw SibylError(.engineUnavailable, "this node runs no container engine")
        }
        let replica = try await supervisor.endpoint(
            deployment, timeout: .seconds(platform.configuration.coldStartTimeoutSeconds))
        var outbound = HTTPClientRequest(url: "http://\(replica.host):\(replica.port)\(path)\(request.uri.query.map { "?" + $0 } ?? "")")
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        outbound.headers = ForwardedHeaders.request(
            request.headers, keyHeader: keyHeader, client: caller, proto: resolver.cameOverTLS(request, context) ? "https" : "http",
            host: request.head.authority)
        let length = request.headers[.contentLength].flatMap(Int64.init)
        if length != 0 && (length != nil || request.headers[.transferEncoding] != nil) {
            outbound.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        }
        let answer: HTTPClientResponse
        do {
            answer = try await client.execute(outbound, timeout: .seconds(platform.configuration.proxyTimeoutSeconds))
        } catch {
            throw SibylError(.upstreamUnavailable, "the deployment's replica did not answer")
        }
        var headers = ForwardedHeaders.answer(answer.headers, onConsoleOrigin: onConsoleOrigin)
        let status = HTTPResponse.Status(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase)
        if deployment.spec.ingressOpts?.disableResponseBuffering == true {
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: answer.body))
        }
        let body: ByteBuffer
        do {
            body = try await answer.body.collect(upTo: platform.configuration.maxProxiedAnswerBytes)
        } catch {
            throw SibylError(.upstreamUnavailable, "the replica's answer is larger than \(platform.configuration.maxProxiedAnswerBytes) bytes")
        }
        headers[.contentLength] = "\(body.readableBytes)"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// With keys on, one of the deployment's keys in `Authorization: Bearer KEY` or `X-Api-Key: KEY`,
    /// not expired. Returns the header that carried it, which is not forwarded.
    private func checkKey(_ request: Request, _ entry: DeploymentDirectory.Entry) throws(SibylError) -> HTTPField.Name? {
        guard entry.deployment.spec.requiresKey else { return nil }
        let (header, presented): (HTTPField.Name, Substring?) = if let value = request.headers[.xAPIKey] {
            (.xAPIKey, Substring(value))
        } else {
            (.authorization, Authenticator.credential(request.headers[.authorization]))
        }
        guard let presented, let key = entry.keys[Secrets.sha256Hex(presented)] else {
            throw SibylError(.invalidAPIKey, "a valid API key of the deployment is required")
        }
        guard key.isValid(at: platform.clock.now()) else { throw SibylError(.invalidAPIKey, "the API key has expired") }
        return header
    }

}
