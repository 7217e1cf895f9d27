import Foundation

/// Credentials for pulling from a private registry.
public struct RegistryAuth: Sendable, Equatable {
    public var username: String
    public var password: String
    /// The registry host, e.g. "registry.example.com" or "ghcr.io".
    public var serverAddress: String

    public init(username: String, password: String, serverAddress: String) {
        self.username = username
        self.password = password
        self.serverAddress = serverAddress
    }

    /// The `X-Registry-Auth` header: the JSON auth config in base64url, the alphabet Docker decodes it with.
    var header: String {
        struct Wire: Encodable {
            let username: String
            let password: String
            let serveraddress: String
        }
        let wire = Wire(username: username, password: password, serveraddress: serverAddress)
        let json = (try? JSONEncoder().encode(wire)) ?? Data()
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }
}
