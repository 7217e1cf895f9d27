import HTTPTypes
import Hummingbird
import NIOCore
import SibylCore

/// An error of the Prediction One compatible prediction call, in its shape: a 10-digit code that starts with
/// the HTTP status, an error name and a message (`{"code": 4031030201, "error": "ACCESS_DENIED", "message": …}`).
/// Sibyl's explanation, when it has one beyond the documented message, is in `detail`.
public struct PredictionOneError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: Int
    public let error: String
    public let message: String
    public var detail: String?

    public static let notFoundClassifier = Self(
        status: .badRequest, code: 4_001_030_101, error: "NOT_FOUND_CLASSIFIER", message: "Not found classifier in classifiers table")
    public static func badRequest(_ detail: String) -> Self {
        Self(status: .badRequest, code: 4_001_030_104, error: "BAD_REQUEST", message: "Invalid request", detail: detail)
    }
    public static let invalidKey = Self(status: .forbidden, code: 4_031_030_201, error: "ACCESS_DENIED", message: "Invalid API key")
    public static let sourceNotAllowed = Self(status: .forbidden, code: 4_031_030_201, error: "ACCESS_DENIED", message: "Not allowed source ip")
    public static func notRunning(_ status: PredictionAPI.Status) -> Self {
        Self(
            status: .serviceUnavailable, code: 5_031_030_101, error: "SERVICE_UNAVAILABLE_ERROR",
            message: "status is not running (status: \(status.rawValue))")
    }
    // Not in the reference (it documents no code for these): Sibyl's own, in the same scheme.
    public static func trialLimit(_ limit: Int) -> Self {
        Self(
            status: .tooManyRequests, code: 4_291_030_301, error: "TOO_MANY_REQUESTS",
            message: "The trial API has served its \(limit) requests")
    }
    public static let storageUnavailable = Self(
        status: .serviceUnavailable, code: 5_031_030_102, error: "SERVICE_UNAVAILABLE_ERROR", message: "storage is unavailable")
    public static let overloaded = Self(
        status: .serviceUnavailable, code: 5_031_030_103, error: "SERVICE_UNAVAILABLE_ERROR", message: "too many requests in progress")
    public static let internalError = Self(
        status: .internalServerError, code: 5_001_030_101, error: "INTERNAL_SERVER_ERROR", message: "Internal server error")

    /// Every refusal of the developer API (`/v1/external/…`): one code, the reason in `message`.
    public static func external(_ message: String) -> Self {
        Self(status: .badRequest, code: 4_001_000_204, error: "PREDA_EXTERNAL_BAD_REQUEST", message: message)
    }

    /// Sibyl's error from the management rules, in the developer API's terms: a refusal keeps Sibyl's reason;
    /// an outage or a fault keeps its status, with Sibyl's own codes in the same scheme.
    public init(external error: SibylError) {
        switch error.code {
        case .storageUnavailable:
            self.init(status: .serviceUnavailable, code: 5_031_000_201, error: "SERVICE_UNAVAILABLE_ERROR", message: "storage is unavailable")
        case .internalError:
            self.init(status: .internalServerError, code: 5_001_000_201, error: "INTERNAL_SERVER_ERROR", message: "Internal server error")
        default:
            self = .external(error.message)
        }
    }

    /// Sibyl's error from the shared checks and the evaluator, in this API's terms.
    public init(_ error: SibylError, api: PredictionAPI) {
        switch error.code {
        case .invalidAPIKey: self = .invalidKey
        case .ipNotAllowed:
            // The reference's words, and Sibyl's naming the caller's address.
            self = .sourceNotAllowed
            detail = error.message
        case .apiUnavailable: self = .notRunning(api.status)
        case .trialLimitReached: self = .trialLimit(api.requestLimit ?? 0)
        case .storageUnavailable: self = .storageUnavailable
        case .overloaded: self = .overloaded
        case .invalidInput, .missingFeatures, .malformedBody, .tooManyRows, .payloadTooLarge, .answerTooLarge, .unsupportedMediaType:
            self = .badRequest(error.message)
        default: self = .internalError
        }
    }

    public init(status: HTTPResponse.Status, code: Int, error: String, message: String, detail: String? = nil) {
        self.status = status
        self.code = code
        self.error = error
        self.message = message
        self.detail = detail
    }

    /// The answer's body: `{"code", "error", "message", "detail"?}`.
    public var body: String {
        var text = "{\"code\":\(code),\"error\":\(JSONText.quoted(error)),\"message\":\(JSONText.quoted(message))"
        if let detail { text += ",\"detail\":" + JSONText.quoted(detail) }
        return text + "}"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let text = body
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
