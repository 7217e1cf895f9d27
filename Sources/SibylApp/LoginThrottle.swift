import SibylCore
import SibylStore

/// Limits password sign-ins (the console's, and access tokens by password) so that guessing is slow, without
/// letting anyone lock a user out from everywhere.
///
/// Each attempt is reserved in the database before its password is checked, and counts as a failure until it
/// succeeds: parallel attempts see one another, and the limits hold across nodes and restarts. Three counts
/// within the window decide whether an attempt may run:
/// - the name from this address: `loginFailureLimit` failures are free, then each further attempt waits
///   for a doubling time after the latest failure (`loginBackoffBaseSeconds`, up to `loginBackoffCapSeconds`);
/// - the address over every name (guessing one password at many names): at most `loginAddressFailureLimit`;
/// - the name over every address (many addresses guessing at one user): at most `loginNameFailureCeiling`,
///   except from addresses that signed this user in successfully within `loginTrustedAddressSeconds`, so that
///   a flood of guesses from elsewhere leaves the user able to sign in from where they usually do.
///
/// Names are counted by their SHA-256 (a password typed into the name field is not stored); IPv6 addresses by
/// their /64, which one client usually holds whole.
public struct LoginThrottle: Sendable {
    public let store: Store
    public let configuration: ServerConfiguration

    /// A sign-in refused because it must wait: 429 `too_many_attempts`, with the wait in `Retry-After`,
    /// wherever it is answered.
    public struct Refusal: Error {
        public let seconds: Int64

        public var error: SibylError {
            let wait = seconds < 60 ? "\(seconds) second\(seconds == 1 ? "" : "s")" : "\((seconds + 59) / 60) minutes"
            return SibylError(.tooManyAttempts, "too many failed sign-ins for this name or from this address: try again in \(wait)")
        }
    }

    /// Runs a password check under the throttle: a `Refusal` while the attempt must wait; otherwise the attempt
    /// is reserved first, stays counted when the check answers `unauthenticated`, and is cleared when it passes.
    public func attempt(name: String, address: IPAddress?, _ check: () async throws -> User) async throws -> User {
        let subjects = Self.subjects(name: name, address: address)
        let attempt = Secrets.make()
        let now = store.clock.now()
        let trustedSince = now - configuration.loginTrustedAddressSeconds
        let limits = configuration
        if let seconds = try await store.reserveSignIn(
            attempt: attempt, subjects: subjects, since: now - configuration.loginFailureWindowSeconds, trustedSince: trustedSince,
            wait: { history, now in Self.wait(history, now: now, limits) })
        {
            throw Refusal(seconds: seconds)
        }
        do {
            let user = try await check()
            try await store.signInSucceeded(attempt: attempt, subjects: subjects, trustedSince: trustedSince)
            return user
        } catch let error as SibylError where error.code == .unauthenticated {
            throw error
        } catch {
            try? await store.releaseSignIn(attempt: attempt)
            throw error
        }
    }

    /// How many seconds an attempt with this history must wait, or nil when it may run now.
    public static func wait(_ history: SignInHistory, now: Int64, _ limits: ServerConfiguration) -> Int64? {
        var waits: [Int64] = []
        let extra = history.pairFailures - limits.loginFailureLimit
        if extra >= 0, let latest = history.pairLatest {
            // Doubling from the base for each failure past the free ones; the shift is bounded so it cannot overflow.
            let backoff = min(limits.loginBackoffCapSeconds, limits.loginBackoffBaseSeconds << min(extra, 32))
            waits.append(latest + backoff - now)
        }
        if history.addressFailures >= limits.loginAddressFailureLimit, let oldest = history.addressOldest {
            waits.append(oldest + limits.loginFailureWindowSeconds - now)
        }
        if !history.trusted, history.nameFailures >= limits.loginNameFailureCeiling, let oldest = history.nameOldest {
            waits.append(oldest + limits.loginFailureWindowSeconds - now)
        }
        guard let longest = waits.max(), longest > 0 else { return nil }
        return longest
    }

    public static func subjects(name: String, address: IPAddress?) -> SignInSubjects {
        let name = Secrets.sha256Hex(name)
        let address = address.map(Self.addressKey) ?? "unknown"
        return SignInSubjects(pair: "pair:\(name)@\(address)", address: "address:" + address, name: "name:" + name)
    }

    /// An IPv4 address whole; an IPv6 address by its /64.
    private static func addressKey(_ address: IPAddress) -> String {
        switch address {
        case .v4: address.description
        case .v6(let bits): "\(IPAddress.v6(bits & ~UInt128(UInt64.max)))/64"
        }
    }
}
