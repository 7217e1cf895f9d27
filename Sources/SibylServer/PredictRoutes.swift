import HTTPTypes
import Hummingbird
import NIOCore
import SibylCore
import SibylRuntime

/// The native data plane: `POST /apis/{api_id}/predict`.
///
/// After the gateway's checks: body size 413, media type 415, syntax 400, content 422. `?explain=true`
/// adds each row's TreeSHAP contributions (see `ExplainedAnswer`). Every answer after the key and
/// whitelist checks tells the most rows a request to this API may hold (`Sibyl-Max-Rows`), so that a client
/// with more rows can send them in batches.
struct PredictRoutes {
    let gateway: Gateway
    let evaluator: Evaluator
    var configuration: ServerConfiguration { gateway.platform.configuration }

    func add(to router: Router<AppContext>) {
        router.post("apis/:api_id/predict") { request, context in
            try await gateway.counted(context) { route in
                let model = try await gateway.admit(request, context, route)
                var response: Response
                do {
                    response = try await predict(request, model)
                } catch let error as SibylError {
                    response = try error.response(from: request, context: context)
                }
                response.headers[.sibylMaxRows] = String(configuration.inputLimits.rowLimit(features: model.features.names.count))
                return response
            }
        }
    }

    private func predict(_ request: Request, _ model: CompiledModel) async throws -> Response {
        let body = try await JSONBody.collect(request, limit: configuration.maxPredictBodyBytes)
        let mediaType = request.headers[.contentType] ?? "application/json"
        let input = try PredictionInput.decode(
            Array(buffer: body), mediaType: mediaType, features: model.features, limits: configuration.inputLimits)
        let wantsCSV = request.headers[.accept].map { $0.lowercased().contains("text/csv") } ?? false
        let explain = request.uri.queryParameters.get("explain") == "true"
        try AnswerBudget(limit: configuration.maxAnswerBytes).check(AnswerBudget.predict(rows: input.rows, schema: model.schema, explain: explain))
        let bytes: [UInt8]
        switch request.uri.queryParameters.get("explain") {
        case nil, "false":
            let predictions = try await evaluator.predict(model, input)
            bytes = wantsCSV ? PredictionOutput.csv(predictions) : PredictionOutput.json(predictions)
        case "true":
            let (predictions, contributions) = try await evaluator.explain(model, input)
            bytes =
                wantsCSV
                ? ExplainedAnswer.csv(PredictionOutput.csv(predictions), contributions, schema: model.schema)
                : ExplainedAnswer.json(PredictionOutput.json(predictions), contributions, schema: model.schema)
        default:
            throw SibylError(.invalidInput, "explain: expected true or false")
        }
        return Response(
            status: .ok, headers: [.contentType: wantsCSV ? "text/csv" : "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension HTTPField.Name {
    /// The most rows one prediction request to this API may hold: the row limit, or fewer for a wide model.
    static let sibylMaxRows = Self("Sibyl-Max-Rows")!
}
