/// The one error type of Sibyl: a stable machine code and a message that is safe to show a client.
///
/// The message never holds a secret, a path of the server or an internal detail; those go to the log.
/// The HTTP status of each code is decided in one place, in SibylServer.
public struct SibylError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, documented error code, sent as `error.code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The object does not exist, or belongs to a project the caller cannot see.
        public static let notFound = Code("not_found")
        /// No management credential, or a wrong one.
        public static let unauthenticated = Code("unauthenticated")
        /// The caller is known but its role does not allow the action.
        public static let forbidden = Code("forbidden")
        /// The data-plane key is missing or wrong (one answer for both).
        public static let invalidAPIKey = Code("invalid_api_key")
        /// The client address is not on the API's IP whitelist.
        public static let ipNotAllowed = Code("ip_not_allowed")
        /// The API is not operating (stopped, building, updating, failed).
        public static let apiUnavailable = Code("api_unavailable")
        /// The trial API has served all of its requests.
        public static let trialLimitReached = Code("trial_limit_reached")
        /// Too many failed sign-ins for a name or from an address; wait until the window passes.
        public static let tooManyAttempts = Code("too_many_attempts")
        /// The request body is larger than the limit.
        public static let payloadTooLarge = Code("payload_too_large")
        /// The request holds more rows than the limit.
        public static let tooManyRows = Code("too_many_rows")
        /// The answer the request asks for (rows × outputs × their widths) would be larger than the limit.
        public static let answerTooLarge = Code("answer_too_large")
        /// The body's media type is not one Sibyl reads.
        public static let unsupportedMediaType = Code("unsupported_media_type")
        /// The body is not well-formed (JSON or CSV syntax).
        public static let malformedBody = Code("malformed_body")
        /// The body is well-formed but its fields, types or shapes are wrong.
        public static let invalidInput = Code("invalid_input")
        /// The request leaves out features of the model, and the API refuses that (`missing_features: refuse`).
        public static let missingFeatures = Code("missing_features")
        /// An uploaded model file is not a model Sibyl can serve.
        public static let invalidModel = Code("invalid_model")
        /// The action conflicts with the object's state (locked, in use, not stopped, no API option free).
        public static let conflict = Code("conflict")
        /// The node is at its evaluation capacity; retry later.
        public static let overloaded = Code("overloaded")
        /// The node has no container engine, or cannot reach it.
        public static let engineUnavailable = Code("engine_unavailable")
        /// A deployment's replica did not become ready in time, or did not answer.
        public static let upstreamUnavailable = Code("upstream_unavailable")
        /// The database cannot be reached; nothing was changed.
        public static let storageUnavailable = Code("storage_unavailable")
        /// The request body did not arrive in time: the client sent it too slowly (see `bodyReadTimeoutSeconds`).
        public static let requestTimeout = Code("request_timeout")
        /// Anything else; the details are in the log only.
        public static let internalError = Code("internal_error")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
