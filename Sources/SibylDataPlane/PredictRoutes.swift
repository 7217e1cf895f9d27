import HTTPTypes
import Hummingbird
import NIOCore
import SibylApp
import SibylCore
import SibylHTTP
import SibylRuntime

/// The native data plane: `POST /apis/{api_id}/predict`.
///
/// After the gateway's checks: body size 413, media type 415, syntax 400, content 422 (absent features
/// included, when the API refuses them); only then is a trial request used. `?explain=true`
/// adds each row's TreeSHAP contributions (see `ExplainedAnswer`). Every answer after the key and
/// whitelist checks tells the most rows a request to this API may hold (`Sibyl-Max-Rows`), so that a client
/// with more rows can send them in batches.
struct PredictRoutes: Sendable {
    let gateway: Gateway
    let evaluator: Evaluator
    var configuration: ServerConfiguration { gateway.platform.configuration }

    func add(to router: Router<AppContext>) {
        router.post("apis/:api_id/predict") { request, context in
            try await gateway.counted(context) { route in
                let admission = try await gateway.admit(request, context, route)
                let version = admission.version
                var response: Response
                do {
                    let body = try await JSONBody.collect(request, limit: configuration.maxPredictBodyBytes)
                    let answer: (status: Int, bytes: [UInt8])
                    do {
                        let (headers, bytes) = try await predict(request, body, route, version)
                        response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
                        response.headers.noteVersion(version)
                        answer = (200, bytes)
                    } catch let error as SibylError {
                        response = try error.response(from: request, context: context)
                        answer = (Int(response.status.code), try error.body())
                    }
                    gateway.capture(
                        route, admission, .predict, mediaType: request.headers[.contentType] ?? "application/json", request: body,
                        status: answer.status, answer: answer.bytes)
                } catch let error as SibylError {
                    // A body too large or too slow: nothing was read to keep.
                    response = try error.response(from: request, context: context)
                }
                response.headers[.sibylMaxRows] = String(configuration.inputLimits.rowLimit(features: version.model.features.names.count))
                return response
            }
        }
    }

    /// Checks the whole request (media type, body, `explain`, features, answer size) before the trial
    /// request is used, so that a bad one costs none; answers the headers and body of its answer.
    private func predict(_ request: Request, _ body: ByteBuffer, _ route: Route, _ version: ServedVersion) async throws
        -> (HTTPFields, [UInt8])
    {
        let model = version.model
        let mediaType = request.headers[.contentType] ?? "application/json"
        let input = try PredictionInput.decode(
            Array(buffer: body), mediaType: mediaType, features: model.features, limits: configuration.inputLimits)
        let wantsCSV = request.headers[.accept].map { $0.lowercased().contains("text/csv") } ?? false
        let explain: Bool
        switch request.uri.queryParameters.get("explain") {
        case nil, "false": explain = false
        case "true": explain = true
        default: throw SibylError(.invalidInput, "explain: expected true or false")
        }
        let absent = try AbsentFeatures.check(input, model, rule: route.api.missingFeatures)
        try AnswerBudget(limit: configuration.maxAnswerBytes).check(AnswerBudget.predict(rows: input.rows, schema: model.schema, explain: explain))
        try await gateway.useTrialRequest(route)
        let bytes: [UInt8]
        let predictions: Predictions
        if explain {
            let contributions: Contributions
            (predictions, contributions) = try await evaluator.explain(model, input)
            bytes =
                wantsCSV
                ? ExplainedAnswer.csv(PredictionOutput.csv(predictions), contributions, schema: model.schema)
                : ExplainedAnswer.json(PredictionOutput.json(predictions), contributions, schema: model.schema)
        } else {
            predictions = try await evaluator.predict(model, input)
            bytes = wantsCSV ? PredictionOutput.csv(predictions) : PredictionOutput.json(predictions)
        }
        gateway.shadow(route, version, input, predictions)
        var headers: HTTPFields = [.contentType: wantsCSV ? "text/csv" : "application/json"]
        headers.noteAbsent(absent)
        return (headers, bytes)
    }
}

extension HTTPField.Name {
    /// The most rows one prediction request to this API may hold: the row limit, or fewer for a wide model.
    static let sibylMaxRows = Self("Sibyl-Max-Rows")!
    /// The number of the API's version that made the answer.
    static let sibylModelVersion = Self("X-Sibyl-Model-Version")!
}

extension HTTPFields {
    /// Names the version that answered (`X-Sibyl-Model-Version`).
    mutating func noteVersion(_ version: ServedVersion) {
        self[.sibylModelVersion] = String(version.number)
    }
}
