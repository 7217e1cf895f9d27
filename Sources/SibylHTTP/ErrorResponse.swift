import Foundation
import Hummingbird
import SibylCore

/// The one place a SibylError becomes an HTTP answer: status by code, body `{"error":{"code","message"}}`.
extension SibylError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .unauthenticated, .invalidAPIKey: .unauthorized
        case .forbidden, .ipNotAllowed: .forbidden
        case .apiUnavailable, .overloaded, .storageUnavailable, .engineUnavailable: .serviceUnavailable
        case .upstreamUnavailable: .badGateway
        case .trialLimitReached, .tooManyAttempts: .tooManyRequests
        case .payloadTooLarge, .tooManyRows, .answerTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .malformedBody: .badRequest
        case .invalidInput, .invalidModel, .missingFeatures: .unprocessableContent
        case .conflict: .conflict
        case .requestTimeout: .requestTimeout
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        switch code {
        case .invalidAPIKey: headers[.wwwAuthenticate] = "apikey"
        case .unauthenticated: headers[.wwwAuthenticate] = "Bearer"
        case .overloaded, .storageUnavailable: headers[.retryAfter] = "1"
        // The vendor's client retries 409 unless told not to; a conflict here is never cured by retrying.
        case .conflict: headers[.xShouldRetry] = "false"
        default: break
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try body())))
    }

    /// The answer's body: `{"error":{"code","message"}}`.
    public func body() throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: ["error": ["code": code.rawValue, "message": message]], options: [.sortedKeys]))
    }
}
