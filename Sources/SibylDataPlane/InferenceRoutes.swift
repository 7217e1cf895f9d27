import HTTPTypes
import Hummingbird
import NIOCore
import SibylApp
import SibylCore
import SibylHTTP
import SibylRuntime
import SibylWire

/// The Open Inference Protocol v2 (KServe, Triton, MLServer) on every prediction API, so that stock
/// clients such as tritonclient work unchanged; `{api_id}` is the model name.
///
/// `infer` passes the same gateway as `/predict` (key, whitelist, status, trial limit, usage). Model
/// metadata and readiness need the key and an allowed address but are not predictions: they use no
/// trial request and are not counted. Server health needs nothing.
struct InferenceRoutes: Sendable {
    let gateway: Gateway
    let evaluator: Evaluator
    var configuration: ServerConfiguration { gateway.platform.configuration }

    func add(to router: Router<AppContext>) {
        let router = router.group().add(middleware: ProtocolErrors())
        router.get("v2") { _, _ in
            JSONAnswer(.ok, ServerMetadata(name: "sibyl", version: "1", extensions: ["binary_tensor_data"]))
        }
        router.get("v2/health/live") { _, _ in JSONAnswer(.ok, ["live": true]) }
        router.get("v2/health/ready") { _, _ in
            try await gateway.platform.checkDatabase()
            return JSONAnswer(.ok, ["ready": true])
        }
        router.get("v2/models/:api_id") { request, context in
            let route = try gateway.route(context)
            try gateway.identify(request, context, route)
            guard let model = route.model else { throw SibylError(.apiUnavailable, "the API has no model loaded") }
            return JSONAnswer(.ok, ModelMetadata(route.api.id, model.schema, versions: route.versions.keys.sorted()))
        }
        router.get("v2/models/:api_id/ready") { request, context in
            let route = try gateway.route(context)
            try gateway.identify(request, context, route)
            guard route.api.isServing, route.model != nil else {
                throw SibylError(.apiUnavailable, "the API is \(route.api.status.rawValue)")
            }
            return JSONAnswer(.ok, ModelReadiness(name: route.api.id, ready: true))
        }
        router.post("v2/models/:api_id/infer") { request, context in
            try await gateway.counted(context) { route in
                let admission = try await gateway.admit(request, context, route)
                let body = try await JSONBody.collect(request, limit: configuration.maxPredictBodyBytes)
                // What a replay needs to read the body again: the binary extension's header length with it.
                let mediaType = request.headers[.inferenceHeaderContentLength].map {
                    "application/octet-stream; inference-header-content-length=\($0)"
                } ?? request.headers[.contentType] ?? "application/json"
                do {
                    let (headers, bytes) = try await infer(request, body, route, admission.version)
                    gateway.capture(route, admission, .v2, mediaType: mediaType, request: body, status: 200, answer: bytes)
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
                } catch let error as SibylError {
                    gateway.capture(
                        route, admission, .v2, mediaType: mediaType, request: body, status: Int(error.status.code),
                        answer: Array(ProtocolErrors.body(error).utf8))
                    throw error
                }
            }
        }
    }

    /// Checks the whole request before the trial request is used, so that a bad one costs none; answers the
    /// headers and body of its answer.
    private func infer(_ request: Request, _ body: ByteBuffer, _ route: Route, _ version: ServedVersion) async throws
        -> (HTTPFields, [UInt8])
    {
        let model = version.model
        let modelName = route.api.id
        var headerLength: Int?
        if let text = request.headers[.inferenceHeaderContentLength] {
            guard let length = Int(text) else {
                throw SibylError(.malformedBody, "Inference-Header-Content-Length must be a byte count")
            }
            headerLength = length
        } else if let type = request.headers[.contentType]?.lowercased(), !type.hasPrefix("application/json") {
            throw SibylError(.unsupportedMediaType, "send application/json, or the binary extension with Inference-Header-Content-Length")
        }
        let parsed = try InferenceRequest(
            body: Array(buffer: body), headerLength: headerLength, schema: model.schema, features: model.features,
            limits: configuration.inputLimits)
        let explain = parsed.explain || parsed.outputs.contains { $0.name == "contributions" }
        let outputs = InferenceResponse.outputs(of: parsed, task: model.schema.task, hasProbabilities: true, explained: explain)
        let absent = try AbsentFeatures.check(parsed.matrix, model, rule: route.api.missingFeatures)
        try AnswerBudget(limit: configuration.maxAnswerBytes).check(
            AnswerBudget.inference(outputs: outputs, rows: parsed.matrix.rows, schema: model.schema, id: parsed.id))
        try await gateway.useTrialRequest(route)
        let predictions: Predictions
        var contributions: Contributions?
        if explain {
            (predictions, contributions) = try await evaluator.explain(model, parsed.matrix)
        } else {
            predictions = try await evaluator.predict(model, parsed.matrix)
        }
        gateway.shadow(route, version, parsed.matrix, predictions)
        let answer = try InferenceResponse(
            modelName: modelName, modelVersion: String(version.number), request: parsed, predictions: predictions,
            contributions: contributions)
        var headers: HTTPFields =
            answer.binary.isEmpty
            ? [.contentType: "application/json"]
            : [.contentType: "application/octet-stream", .inferenceHeaderContentLength: String(answer.json.count)]
        headers.noteAbsent(absent)
        headers.noteVersion(version)
        return (headers, answer.json + answer.binary)
    }

    struct ServerMetadata: Encodable {
        let name: String
        let version: String
        let extensions: [String]
    }

    struct ModelReadiness: Encodable {
        let name: String
        let ready: Bool
    }

    /// The model's tensors: one FP32 input `[rows, features]`, and its default outputs.
    struct ModelMetadata: Encodable {
        struct TensorMetadata: Encodable {
            let name: String
            let datatype: String
            let shape: [Int]
        }

        let name: String
        let versions: [String]
        let platform: String
        let inputs: [TensorMetadata]
        let outputs: [TensorMetadata]

        /// `versions`: those answering predictions (the current one, or the split's).
        init(_ name: String, _ schema: ModelSchema, versions: [Int]) {
            self.name = name
            self.versions = versions.map(String.init)
            platform = schema.format.rawValue
            inputs = [TensorMetadata(name: "input", datatype: "FP32", shape: [-1, schema.featureNames.count])]
            let classes = schema.classes.count
            outputs =
                schema.task == .regression
                ? [TensorMetadata(name: "value", datatype: "FP32", shape: [-1])]
                : [TensorMetadata(name: "label", datatype: "BYTES", shape: [-1]),
                   TensorMetadata(name: "probabilities", datatype: "FP32", shape: [-1, classes])]
        }
    }
}

/// Errors in the shape the v2 protocol gives them, `{"error": "<message>"}`, which clients such as
/// tritonclient print; Sibyl's stable code rides along as `code`. Statuses are Sibyl's, as on `/predict`.
struct ProtocolErrors: RouterMiddleware {
    typealias Context = AppContext

    struct Failure: HTTPResponseError {
        let error: SibylError
        var status: HTTPResponse.Status { error.status }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var response = try error.response(from: request, context: context)
            response.body = .init(byteBuffer: ByteBuffer(string: ProtocolErrors.body(error)))
            return response
        }
    }

    /// `{"error": "<message>", "code": "<code>"}`.
    static func body(_ error: SibylError) -> String {
        "{\"error\":" + JSONText.quoted(error.message) + ",\"code\":\"" + error.code.rawValue + "\"}"
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as SibylError {
            throw Failure(error: error)
        }
    }
}

extension HTTPField.Name {
    static let inferenceHeaderContentLength = Self("Inference-Header-Content-Length")!
}
