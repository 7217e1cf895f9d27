/// A failed engine call. `status` is the engine's HTTP status and `message` the `message` of its JSON
/// error body (404: no such container or image; 409: name taken, or conflicting state).
/// Statuses this client reports for the engine:
/// - 0: no answer at all (engine unreachable, or silent past the call's deadline);
/// - 500: a pull that the registry failed after the engine accepted it;
/// - 502: an answer that could not be read (malformed, or over the size limit);
/// - 504: an exec'd command or a pull still running at its timeout.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var isNotFound: Bool { status == 404 }
    public var isUnreachable: Bool { status == 0 }

    public var description: String {
        status == 0 ? "container engine unreachable: \(message)" : "container engine error \(status): \(message)"
    }
}
