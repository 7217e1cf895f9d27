import SQLKit
import SibylCore

/// What the sign-in throttle counts of one attempt: the name from this address, the address over every name,
/// and the name over every address. Each is an opaque key; the throttle decides how they are made.
public struct SignInSubjects: Sendable, Equatable {
    public let pair: String
    public let address: String
    public let name: String

    public init(pair: String, address: String, name: String) {
        self.pair = pair
        self.address = address
        self.name = name
    }
}

/// The failures (and reserved attempts, which count as failures until they succeed) of an attempt's subjects
/// within the window, read in the transaction that reserves the attempt.
public struct SignInHistory: Sendable, Equatable {
    public var pairFailures = 0
    public var pairLatest: Int64?
    public var addressFailures = 0
    public var addressOldest: Int64?
    public var nameFailures = 0
    public var nameOldest: Int64?
    /// Whether the pair's address signed this name in successfully lately.
    public var trusted = false

    public init() {}
}

extension Store {
    /// The advisory lock that lets one sign-in at a time, on any node, reserve its attempt.
    private static let signInLock: Int64 = 0x5_1B71_0003

    /// Reserves a sign-in attempt before its password is checked, unless `wait` (given the history and the
    /// time now) answers how many seconds it must wait instead. Reading the history and recording the attempt
    /// happen in one transaction that no other reservation runs beside (SQLite's one connection; PostgreSQL's
    /// advisory lock for the transaction), so parallel attempts each see those reserved before them.
    /// Failures at or before `since` are forgotten; addresses trusted at or before `trustedSince` are not.
    public func reserveSignIn(
        attempt: String, subjects: SignInSubjects, since: Int64, trustedSince: Int64,
        wait: @escaping @Sendable (SignInHistory, _ now: Int64) -> Int64?
    ) async throws(SibylError) -> Int64? {
        try await run(transaction: true) { db in
            if db.dialect.name == "postgresql" { try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.signInLock))").run() }
            let now = WallClock.now()
            try await db.raw("DELETE FROM login_failures WHERE failed_at <= \(bind: since)").run()
            var history = SignInHistory()
            (history.pairFailures, _, history.pairLatest) = try await Self.failures(db, subjects.pair)
            (history.addressFailures, history.addressOldest, _) = try await Self.failures(db, subjects.address)
            (history.nameFailures, history.nameOldest, _) = try await Self.failures(db, subjects.name)
            history.trusted = try await db.raw("""
                SELECT subject FROM login_trusted_addresses
                WHERE subject = \(bind: subjects.pair) AND signed_in_at > \(bind: trustedSince)
                """).first() != nil
            if let seconds = wait(history, now) { return seconds }
            for subject in [subjects.pair, subjects.address, subjects.name] {
                try await db.raw("""
                    INSERT INTO login_failures (subject, failed_at, attempt_id) VALUES (\(bind: subject), \(bind: now), \(bind: attempt))
                    """).run()
            }
            return nil
        }
    }

    /// A reserved attempt whose password was right: its rows go, with the earlier failures of its name from its
    /// address, and its address becomes trusted for its name. The address's and the name's other failures
    /// stay: signing in to an account of one's own resets nothing for the accounts one guesses at.
    public func signInSucceeded(attempt: String, subjects: SignInSubjects, trustedSince: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM login_failures WHERE attempt_id = \(bind: attempt) OR subject = \(bind: subjects.pair)").run()
            try await db.raw("DELETE FROM login_trusted_addresses WHERE signed_in_at <= \(bind: trustedSince)").run()
            try await db.raw("""
                INSERT INTO login_trusted_addresses (subject, signed_in_at) VALUES (\(bind: subjects.pair), \(bind: WallClock.now()))
                ON CONFLICT (subject) DO UPDATE SET signed_in_at = excluded.signed_in_at
                """).run()
        }
    }

    /// A reserved attempt that ended without a verdict on its password (the check itself failed): it does not
    /// count.
    public func releaseSignIn(attempt: String) async throws(SibylError) {
        try await run { db in try await db.raw("DELETE FROM login_failures WHERE attempt_id = \(bind: attempt)").run() }
    }

    /// A subject's failures still in the window: how many, the oldest and the latest.
    private static func failures(_ db: any SQLDatabase, _ subject: String) async throws -> (Int, Int64?, Int64?) {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n, MIN(failed_at) AS oldest, MAX(failed_at) AS latest FROM login_failures WHERE subject = \(bind: subject)
            """).first()!
        return (
            try row.decode(column: "n", as: Int.self), try row.decode(column: "oldest", as: Int64?.self),
            try row.decode(column: "latest", as: Int64?.self)
        )
    }
}
