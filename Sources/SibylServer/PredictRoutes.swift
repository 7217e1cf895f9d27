import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// The data plane: `POST /apis/{api_id}/predict`.
///
/// Checks run in the documented order (PRODUCT.md §3): unknown API 404, key 401, whitelist 403, not
/// operating 503, trial limit 429, body size 413, media type 415, syntax 400, content 422. Every answer to
/// an existing API is counted in its usage by final status. Configuration comes from the routing table, so
/// only a trial request touches the database (its one conditional update).
struct PredictRoutes {
    let platform: Platform
    let evaluator: Evaluator
    let resolver: ClientAddressResolver

    func add(to router: Router<AppContext>) {
        router.post("apis/:api_id/predict") { request, context in
            guard let apiID = context.parameters.get("api_id"), let route = platform.routes.route(apiID) else {
                throw SibylError(.notFound, "no such API")
            }
            do {
                let response = try await predict(request, context, route)
                platform.usage.record(apiID: apiID, status: Int(response.status.code))
                return response
            } catch let error as SibylError {
                platform.usage.record(apiID: apiID, status: Int(error.status.code))
                throw error
            } catch {
                platform.usage.record(apiID: apiID, status: 500)
                throw error
            }
        }
    }

    private func predict(_ request: Request, _ context: AppContext, _ route: Route) async throws -> Response {
        try checkKey(request, route)
        let client = resolver.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        guard route.whitelist.admits(client) else {
            throw SibylError(.ipNotAllowed, "this address may not call the API: add it to the API's IP whitelist")
        }
        guard route.api.isServing, let model = route.model else {
            throw SibylError(.apiUnavailable, "the API is \(route.api.status.rawValue): it answers predictions only when operating")
        }
        if route.api.kind == .trial {
            guard try await platform.store.consumeTrialRequest(apiID: route.api.id) else {
                throw SibylError(
                    .trialLimitReached, "the trial API has served its \(route.api.requestLimit ?? 0) requests: create an official API")
            }
        }
        let body = try await JSONBody.collect(request, limit: platform.configuration.maxPredictBodyBytes)
        let mediaType = request.headers[.contentType] ?? "application/json"
        let input = try PredictionInput.decode(
            Array(buffer: body), mediaType: mediaType, features: model.features,
            maxRows: platform.configuration.maxRowsPerRequest)
        let predictions = try await evaluator.predict(model, input)
        let wantsCSV = request.headers[.accept].map { $0.lowercased().contains("text/csv") } ?? false
        let bytes = wantsCSV ? PredictionOutput.csv(predictions) : PredictionOutput.json(predictions)
        return Response(
            status: .ok, headers: [.contentType: wantsCSV ? "text/csv" : "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// One answer for a missing, malformed, unknown or wrong key. The secret's hash is compared in constant
    /// time, and computed even for an unknown key id so that timing does not tell ids apart.
    private func checkKey(_ request: Request, _ route: Route) throws(SibylError) {
        let presented = request.headers[.xAPIKey].map { Substring($0) } ?? Authenticator.credential(request.headers[.authorization])
        let key = presented.flatMap(PresentedKey.init)
        let stored = key.flatMap { route.keys[$0.id] }
        let matches = Secrets.constantTimeEqual(stored ?? Self.unknownKeyHash, Secrets.sha256Hex(key?.secret ?? ""))
        guard stored != nil, matches else { throw SibylError(.invalidAPIKey, "a valid API key is required") }
    }

    private static let unknownKeyHash = String(repeating: "0", count: 64)
}

extension HTTPField.Name {
    static let xAPIKey = Self("X-Api-Key")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Runs model evaluation: small predictions inline (a thread hop would cost more than the work), larger ones
/// on a thread pool off the event loops, at most `concurrency` at once and `queueLength` waiting; beyond
/// that the node answers 503 at once instead of queueing without bound.
final class Evaluator: Sendable {
    private let pool: NIOThreadPool
    private let inlineBudget: Int
    private let capacity: Int
    private let admitted = Atomic<Int>(0)

    init(configuration: ServerConfiguration) {
        pool = NIOThreadPool(numberOfThreads: configuration.evaluationConcurrency)
        pool.start()
        inlineBudget = configuration.inlineEvaluationBudget
        capacity = configuration.evaluationConcurrency + configuration.evaluationQueueLength
    }

    func predict(_ model: CompiledModel, _ input: FeatureMatrix) async throws -> Predictions {
        if input.rows * model.schema.treeCount <= inlineBudget { return model.predict(input) }
        guard admitted.add(1, ordering: .relaxed).newValue <= capacity else {
            admitted.subtract(1, ordering: .relaxed)
            throw SibylError(.overloaded, "the node is busy: retry shortly")
        }
        defer { admitted.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive { model.predict(input) }
    }

    func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
