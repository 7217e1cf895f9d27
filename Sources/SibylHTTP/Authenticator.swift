import Hummingbird
import SibylApp
import SibylCore

/// Management credentials as requests carry them: an access token in `Authorization: apikey TOKEN` or
/// `Authorization: Bearer TOKEN` (scheme case-insensitive), checked by `Identity`.
public struct Authenticator: Sendable {
    public let identity: Identity

    public init(identity: Identity) {
        self.identity = identity
    }

    public func caller(_ request: Request) async throws(SibylError) -> Caller {
        try await identity.caller(token: Self.credential(request.headers[.authorization]))
    }

    /// The credential of an `Authorization` value with scheme `apikey` or `Bearer`, any case.
    public static func credential(_ header: String?) -> Substring? {
        guard let header, let space = header.firstIndex(of: " ") else { return nil }
        let scheme = header[..<space].lowercased()
        guard scheme == "apikey" || scheme == "bearer" else { return nil }
        let value = header[header.index(after: space)...].drop { $0 == " " }
        return value.isEmpty ? nil : value
    }
}
