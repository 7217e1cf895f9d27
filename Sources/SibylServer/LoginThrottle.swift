import Hummingbird
import SibylCore
import SibylStore

/// Refuses password sign-ins (the console's, and access tokens by password) after too many failures for one
/// user name or from one client address.
///
/// Failures are kept in the database, so the limit holds across nodes and restarts. A success clears the
/// failures of its name, not of its address: an attacker cannot reset the count of the address they guess
/// from by signing in to an account of their own.
struct LoginThrottle: Sendable {
    let store: Store
    let limit: Int
    let windowSeconds: Int64

    /// How many seconds the name or address must wait before it may try again, or nil when it may now:
    /// `limit` failures within the window close it until the oldest of them leaves the window.
    private func wait(name: String, address: IPAddress?) async throws(SibylError) -> Int64? {
        let now = WallClock.now()
        var longest: Int64?
        for subject in Self.subjects(name: name, address: address) {
            let failures = try await store.loginFailures(subject: subject, since: now - windowSeconds)
            guard failures.count >= limit, let oldest = failures.oldest else { continue }
            longest = max(longest ?? 0, max(1, oldest + windowSeconds - now))
        }
        return longest
    }

    /// A sign-in refused because its name or address must wait: 429 `too_many_attempts`, with the wait in
    /// `Retry-After`, wherever it is answered.
    struct Refusal: HTTPResponseError {
        let seconds: Int64

        var error: SibylError {
            let minutes = (seconds + 59) / 60
            return SibylError(
                .tooManyAttempts,
                "too many failed sign-ins for this name or from this address: try again in \(minutes) minute\(minutes == 1 ? "" : "s")")
        }

        var status: HTTPResponse.Status { error.status }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var response = try error.response(from: request, context: context)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    private func failed(name: String, address: IPAddress?) async throws(SibylError) {
        let subjects = Self.subjects(name: name, address: address)
        try await store.recordLoginFailure(subjects: subjects, since: WallClock.now() - windowSeconds)
    }

    private func succeeded(name: String) async throws(SibylError) {
        try await store.clearLoginFailures(subject: "name:" + name)
    }

    /// Runs a password check under the throttle: a `Refusal` while the name or address must wait; a failed
    /// check counts against both, a successful one clears the name's failures.
    func attempt(name: String, address: IPAddress?, _ check: () async throws -> User) async throws -> User {
        if let seconds = try await wait(name: name, address: address) { throw Refusal(seconds: seconds) }
        do {
            let user = try await check()
            try await succeeded(name: name)
            return user
        } catch let error as SibylError where error.code == .unauthenticated {
            try await failed(name: name, address: address)
            throw error
        }
    }

    private static func subjects(name: String, address: IPAddress?) -> [String] {
        ["name:" + name] + (address.map { ["address:\($0)"] } ?? [])
    }
}
