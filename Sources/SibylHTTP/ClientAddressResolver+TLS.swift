import Foundation
import HTTPTypes
import Hummingbird
import SibylCore

extension ClientAddressResolver {
    /// Whether the client reached Sibyl over TLS. Sibyl serves plain HTTP itself, so TLS means a
    /// TLS-terminating proxy: a trusted one that says `X-Forwarded-Proto: https`.
    public func cameOverTLS(_ request: Request, _ context: AppContext) -> Bool {
        if request.uri.scheme == .https { return true }
        guard let peer = context.peer, trustedProxies.contains(where: { $0.contains(peer) }) else { return false }
        let proto = request.headers[.xForwardedProto]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces)
        return proto?.lowercased() == "https"
    }
}
