import HTTPTypes
import NIOHTTP1
import SibylCore
import SibylHTTP

/// What the gateway lets through between a client and a replica, in both directions.
///
/// A replica runs code of a project member or of an image's author: it is untrusted. It gets no ambient
/// credential of the caller (cookies, Sibyl's keys and tokens) and no header a client could use to lie about
/// who it is; its answer cannot set cookies, clear site data or widen a service worker's scope, and when it
/// is served on the console's origin it is sandboxed, so a page of a container never runs as Sibyl.
enum ForwardedHeaders {
    /// Headers about one connection, which a proxy must not pass on (RFC 9110 §7.6.1), and the host, which
    /// the client to the replica sets.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "host",
    ]

    /// Request headers never forwarded: the caller's cookies (the console's session among them), and what
    /// describes the client, which the gateway states itself.
    static let droppedFromRequests: Set<String> = [
        "cookie", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
    ]

    /// Answer headers never returned: state a replica could plant in, or wipe from, the browser of whoever
    /// calls it.
    static let droppedFromAnswers: Set<String> = ["set-cookie", "set-cookie2", "clear-site-data", "service-worker-allowed"]

    /// The prefixes of every secret Sibyl issues (access tokens, API keys, deployment keys, account secrets,
    /// deploy keys): a header carrying one is Sibyl's credential, not the replica's, and is not forwarded.
    static let credentialPrefixes = ["sibyl_", "key_", "sbk_", "as_", "dk_"]

    /// Sandboxes a document a replica serves on the console's origin: no script, no same-origin access, no
    /// forms, so it can read nothing of the console and act as no one.
    static let sandbox = "sandbox"

    /// The request's headers as the replica gets them, with `X-Forwarded-For`, `-Proto` and `-Host` set by
    /// the gateway from what it knows (the client address it resolved, honouring only trusted proxies).
    static func request(
        _ fields: HTTPFields, keyHeader: HTTPField.Name?, client: IPAddress?, proto: String, host: String?
    ) -> HTTPHeaders {
        let named = connectionNamed(fields[values: .connection])
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            guard !hopByHop.contains(name), !named.contains(name), !droppedFromRequests.contains(name), field.name != keyHeader,
                !carriesCredential(field)
            else { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        if let client { headers.add(name: "X-Forwarded-For", value: "\(client)") }
        headers.add(name: "X-Forwarded-Proto", value: proto)
        if let host { headers.add(name: "X-Forwarded-Host", value: host) }
        return headers
    }

    /// The replica's answer headers as the client gets them; `Content-Security-Policy: sandbox` is added
    /// when the answer is served on the console's origin.
    static func answer(_ headers: HTTPHeaders, onConsoleOrigin: Bool) -> HTTPFields {
        let named = connectionNamed(headers["connection"])
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !hopByHop.contains(lowered), !named.contains(lowered), !droppedFromAnswers.contains(lowered),
                let field = HTTPField.Name(name)
            else { continue }
            fields.append(HTTPField(name: field, value: value))
        }
        if onConsoleOrigin { fields.append(HTTPField(name: .contentSecurityPolicy, value: sandbox)) }
        return fields
    }

    /// The header names listed in `Connection` values, which are hop-by-hop too (RFC 9110 §7.6.1).
    static func connectionNamed(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty })
    }

    /// Whether an `Authorization` or `X-Api-Key` value holds a secret Sibyl issued.
    private static func carriesCredential(_ field: HTTPField) -> Bool {
        let credential: Substring? = switch field.name {
        case .authorization: Authenticator.credential(field.value)
        case .xAPIKey: Substring(field.value)
        default: nil
        }
        guard let credential else { return false }
        return credentialPrefixes.contains { credential.hasPrefix($0) }
    }
}
