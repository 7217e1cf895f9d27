import HTTPTypes
import Hummingbird
import NIOCore
import SibylApp
import SibylCore
import SibylHTTP
import SibylRuntime

/// The checks every data-plane call of a prediction API passes, in the documented order (PRODUCT.md §3):
/// unknown API 404, key 401, whitelist 403, not operating 503, trial limit 429. The native `/predict`
/// route and the Open Inference Protocol routes both go through here, so their rules cannot drift apart.
///
/// Configuration comes from the routing table: only a trial request touches the database. A trial API is
/// asked whether it has a request left before the body is read (an exhausted one refuses at once), and
/// uses it only once the body has been found valid (`useTrialRequest`): bad input costs no request.
struct Gateway: Sendable {
    let platform: Platform
    let resolver: ClientAddressResolver

    /// Runs `body` for the API named in the path and counts its answer in the API's usage by final status.
    /// An unknown API is a 404 that is counted nowhere.
    func counted(_ context: AppContext, _ body: (Route) async throws -> Response) async throws -> Response {
        let route = try route(context)
        return try await platform.usage.counting(route.api.id) { try await body(route) }
    }

    func route(_ context: AppContext) throws(SibylError) -> Route {
        guard let apiID = context.parameters.get("api_id"), let route = platform.routes.route(apiID) else {
            throw SibylError(.notFound, "no such API")
        }
        return route
    }

    /// Key and whitelist: enough to read what an API is (its metadata and readiness). Returns the key's id.
    @discardableResult
    func identify(_ request: Request, _ context: AppContext, _ route: Route) throws(SibylError) -> String {
        let keyID = try checkKey(request, route)
        try checkAddress(request, context, route)
        return keyID
    }

    func checkAddress(_ request: Request, _ context: AppContext, _ route: Route) throws(SibylError) {
        let client = resolver.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        guard route.whitelist.admits(client) else {
            // The caller's own address, as this node sees it (after trusted proxies): what to add to the whitelist.
            let address = client.map { "your address \($0)" } ?? "your address (unknown: the forwarding header is not readable)"
            throw SibylError(.ipNotAllowed, "\(address) is not allowed by this API's whitelist")
        }
    }

    /// A request that passed every check before its body: the key it came with, and the version that answers
    /// it (the traffic's choice for the key).
    struct Admission {
        let keyID: String
        let version: ServedVersion
    }

    /// Every check before a prediction's body is read; the caller reads and checks the body, then calls
    /// `useTrialRequest`.
    func admit(_ request: Request, _ context: AppContext, _ route: Route) async throws -> Admission {
        let keyID = try identify(request, context, route)
        return Admission(keyID: keyID, version: try await serving(route, keyID: keyID))
    }

    /// The checks after identification: the API operates with the version the key's request goes to, and a
    /// trial API has a request left (not used yet).
    func serving(_ route: Route, keyID: String) async throws -> ServedVersion {
        guard route.api.isServing, let version = route.answering(keyID: keyID) else {
            throw SibylError(.apiUnavailable, "the API is \(route.api.status.rawValue): it answers predictions only when operating")
        }
        if route.api.kind == .trial {
            guard try await platform.hasTrialRequestLeft(apiID: route.api.id) else { throw trialLimitReached(route) }
        }
        return version
    }

    /// Uses one request of a trial API, once its body has been read and found valid; nothing for an official
    /// one. One conditional update: requests racing for the last one get one each, at most the limit.
    func useTrialRequest(_ route: Route) async throws {
        guard route.api.kind == .trial else { return }
        guard try await platform.useTrialRequest(apiID: route.api.id) else { throw trialLimitReached(route) }
    }

    /// Hands an answered request to the API's shadow version, if it has one (never waits).
    func shadow(_ route: Route, _ version: ServedVersion, _ input: FeatureMatrix, _ predictions: Predictions) {
        platform.shadows.offer(apiID: route.api.id, shadow: route.shadow, answering: version, input: input, predictions: predictions)
    }

    /// Keeps an admitted request with its answer when the API captures and the draw says so (never waits).
    func capture(
        _ route: Route, _ admission: Admission, _ endpoint: Capture.Endpoint, mediaType: String, request body: ByteBuffer, status: Int,
        answer: [UInt8]
    ) {
        guard route.api.capture.rate > 0, route.api.capture.keeps(draw: Draw.percent()) else { return }
        body.withUnsafeReadableBytes { request in
            platform.captures.keep(
                apiID: route.api.id, endpoint: endpoint, time: platform.clock.nowMilliseconds(), version: admission.version.number,
                keyID: admission.keyID, status: status, mediaType: mediaType, request: request, answer: answer)
        }
    }

    private func trialLimitReached(_ route: Route) -> SibylError {
        SibylError(
            .trialLimitReached,
            "the trial API has served its \(route.api.requestLimit ?? 0) requests: promote it to an official API")
    }

    /// One answer for a missing, malformed, unknown or wrong key. The secret's hash is compared in constant
    /// time, and computed even for an unknown key id so that timing does not tell ids apart.
    @discardableResult
    func checkKey(_ request: Request, _ route: Route) throws(SibylError) -> String {
        // One X-Api-Key field, read without joining the fields (two of them are no key).
        let fields = request.headers[fields: .xAPIKey]
        let presented = fields.isEmpty
            ? Authenticator.credential(request.headers[.authorization]) : fields.count == 1 ? Substring(fields[0].value) : nil
        let key = presented.flatMap(PresentedKey.init)
        let stored = key.flatMap { route.keys[$0.id] }
        let matches = Secrets.secret(key?.secret ?? "", matches: stored ?? Self.unknownKeyHash)
        guard let key, stored != nil, matches else { throw SibylError(.invalidAPIKey, "a valid API key is required") }
        platform.usage.noteKeyUse(key.id)
        return key.id
    }

    private static let unknownKeyHash = String(repeating: "0", count: 64)
}
