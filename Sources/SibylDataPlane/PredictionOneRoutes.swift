import Hummingbird
import NIOCore
import SibylApp
import SibylCore
import SibylHTTP
import SibylRuntime
import SibylWire

/// Prediction One's prediction call, unchanged for its clients: `POST /v1/groups/{group_id}/classifiers/
/// {classifier_id}/inference`, where the group is Sibyl's project and the classifier its prediction API.
///
/// The same rules as `/apis/{api_id}/predict` (the gateway's checks, usage, trial limit), in the reference's
/// order and words: unknown classifier 400, address 403, key 403, not operating 503, trial limit 429, then the
/// body (400), which must be valid before a trial request is used. See `PredictionOneError` for the codes.
struct PredictionOneRoutes: Sendable {
    let gateway: Gateway
    let evaluator: Evaluator
    var configuration: ServerConfiguration { gateway.platform.configuration }

    func add(to router: Router<AppContext>) {
        router.post("v1/groups/:group_id/classifiers/:classifier_id/inference") { request, context in
            guard let apiID = context.parameters.get("classifier_id"), let route = gateway.platform.routes.route(apiID),
                context.parameters.get("group_id") == String(route.api.projectID)
            else { throw PredictionOneError.notFoundClassifier }
            return try await gateway.platform.usage.counting(route.api.id) {
                do {
                    try gateway.checkAddress(request, context, route)
                    let keyID = try gateway.checkKey(request, route)
                    let admission = Gateway.Admission(keyID: keyID, version: try await gateway.serving(route, keyID: keyID))
                    // The base64 of a body's worth of CSV, and the JSON around it.
                    let body = try await JSONBody.collect(request, limit: configuration.maxPredictBodyBytes * 4 / 3 + 4_096)
                    let capture = { (status: Int, answer: [UInt8]) in
                        gateway.capture(route, admission, .predictionOne, mediaType: "application/json", request: body, status: status, answer: answer)
                    }
                    do {
                        let (headers, bytes) = try await infer(body, route, admission.version)
                        capture(200, bytes)
                        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
                    } catch let error as SibylError {
                        let refusal = PredictionOneError(error, api: route.api)
                        capture(Int(refusal.status.code), Array(refusal.body.utf8))
                        throw refusal
                    } catch let refusal as PredictionOneError {
                        capture(Int(refusal.status.code), Array(refusal.body.utf8))
                        throw refusal
                    }
                } catch let error as SibylError {
                    throw PredictionOneError(error, api: route.api)
                }
            }
        }
    }

    /// Checks the whole call before the trial request is used; answers the headers and body of its answer.
    private func infer(_ body: ByteBuffer, _ route: Route, _ version: ServedVersion) async throws -> (HTTPFields, [UInt8]) {
        let model = version.model
        let call = try PredictionOneRequest(Array(buffer: body))
        let input = try PredictionInput.decode(call.csv, mediaType: "text/csv", features: model.features, limits: configuration.inputLimits)
        let absent = try AbsentFeatures.check(input, model, rule: route.api.missingFeatures)
        try AnswerBudget(limit: configuration.maxAnswerBytes).check(AnswerBudget.predictionOne(call, rows: input.rows, schema: model.schema))
        // The same cells the decoder read (it has accepted them), as text, when the answer repeats some:
        // `pc`'s column, `ad`'s inputs, the values beside `ar`'s reasons.
        let repeatsCells = call.keyColumn != nil || call.appendInputs || call.reasons
        let records = repeatsCells ? try CSVRecords.read(call.csv) : []
        let table = (header: records.first ?? [], rows: Array(records.dropFirst()))
        // Checked again where the answer is built, but here too: a bad request must not use a trial request.
        if let column = call.keyColumn, !table.header.contains(column) { throw PredictionOneError.badRequest("pc: no column \(column) in pr") }
        try await gateway.useTrialRequest(route)
        let predictions: Predictions
        var contributions: Contributions?
        if call.reasons {
            (predictions, contributions) = try await evaluator.explain(model, input)
        } else {
            predictions = try await evaluator.predict(model, input)
        }
        gateway.shadow(route, version, input, predictions)
        let answer = try PredictionOneAnswer.json(
            version: version.modelID, request: call, table: table, predictions: predictions, contributions: contributions,
            schema: model.schema)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.noteAbsent(absent)
        headers.noteVersion(version)
        return (headers, answer)
    }
}
