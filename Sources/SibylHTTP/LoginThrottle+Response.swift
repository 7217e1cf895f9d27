import Hummingbird
import SibylApp
import SibylCore

/// A throttled sign-in answers its error's status with `Retry-After`.
extension LoginThrottle.Refusal: HTTPResponseError {
    public var status: HTTPResponse.Status { error.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try error.response(from: request, context: context)
        response.headers[.retryAfter] = String(seconds)
        return response
    }
}
