import HTTPTypes
import Foundation
import Hummingbird
import SibylCore
import SibylHTTP

/// The console's cookies: HttpOnly, SameSite=Strict, Path=/, and Secure when the browser reached Sibyl over
/// TLS. Sibyl serves plain HTTP itself, so TLS means a TLS-terminating proxy: a trusted proxy (the same
/// `--trusted-proxy` list as for `X-Forwarded-For`) that says `X-Forwarded-Proto: https`.
struct ConsoleCookies: Sendable {
    let trustedProxies: [CIDR]

    func make(_ name: String, _ value: String, _ request: Request, _ context: AppContext, maxAge: Int) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: "/", secure: cameOverTLS(request, context), httpOnly: true,
            sameSite: .strict)
    }

    /// A cookie that tells the browser to forget `name` at once.
    func expired(_ name: String, _ request: Request, _ context: AppContext) -> Cookie {
        Cookie(
            name: name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            secure: cameOverTLS(request, context), httpOnly: true, sameSite: .strict)
    }

    func cameOverTLS(_ request: Request, _ context: AppContext) -> Bool {
        ClientAddressResolver(trustedProxies: trustedProxies).cameOverTLS(request, context)
    }
}
