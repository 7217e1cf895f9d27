import SQLKit
import SibylCore

extension Store {
    /// How long a sign-in waits its turn behind others that share its name or address before it is refused
    /// (with `busyWaitSeconds`): a burst of parallel attempts at one name is itself a reason to wait.
    static let signInTurnTimeout: Duration = .seconds(10)
    static let busyWaitSeconds: Int64 = 1

    /// Reserves a sign-in attempt before its password is checked, unless `wait` (given the history and the
    /// time now) answers how many seconds it must wait instead. Reading the history and recording the attempt
    /// happen in one transaction that no other attempt sharing one of its subjects runs beside: SQLite's one
    /// connection runs one transaction at a time; on PostgreSQL the transaction takes an advisory lock per
    /// subject, and when another attempt holds one it gives its connection back and tries again a little later,
    /// so that a burst of attempts waits without holding the pool. Parallel attempts each see those reserved
    /// before them. Failures at or before `since` are forgotten; addresses trusted at or before `trustedSince`
    /// are not.
    public func reserveSignIn(
        attempt: String, subjects: SignInSubjects, since: Int64, trustedSince: Int64,
        wait: @escaping @Sendable (SignInHistory, _ now: Int64) -> Int64?
    ) async throws(SibylError) -> Int64? {
        let deadline = ContinuousClock.now + Self.signInTurnTimeout
        var pause = 5
        while true {
            let outcome: Int64?? = try await run(transaction: true) { db in
                if db.dialect.name == "postgresql" {
                    let locks = [subjects.pair, subjects.address, subjects.name].map(Self.signInLock)
                    let locked = try await db.raw("""
                        SELECT pg_try_advisory_xact_lock(\(bind: locks[0])) AND pg_try_advisory_xact_lock(\(bind: locks[1]))
                          AND pg_try_advisory_xact_lock(\(bind: locks[2])) AS locked
                        """).first()!.decode(column: "locked", as: Bool.self)
                    // Not our turn: end the transaction (releasing any lock it got) and try again.
                    guard locked else { return .none }
                }
                return .some(try await Self.reserve(
                    db, attempt: attempt, subjects: subjects, since: since, trustedSince: trustedSince, now: self.clock.now(), wait: wait))
            }
            if let decided = outcome { return decided }
            guard ContinuousClock.now < deadline else { return Self.busyWaitSeconds }
            // Backing off (5 ms doubling to 100 ms, jittered) keeps many waiting attempts from slowing the one
            // whose turn it is.
            try? await Task.sleep(for: .milliseconds(Int.random(in: pause / 2...pause)))
            pause = min(pause * 2, 100)
        }
    }

    private static func reserve(
        _ db: any SQLDatabase, attempt: String, subjects: SignInSubjects, since: Int64, trustedSince: Int64, now: Int64,
        wait: @Sendable (SignInHistory, _ now: Int64) -> Int64?
    ) async throws -> Int64? {
        try await db.raw("DELETE FROM login_failures WHERE failed_at <= \(bind: since)").run()
        var history = SignInHistory()
        for row in try await db.raw("""
            SELECT subject, COUNT(*) AS n, MIN(failed_at) AS oldest, MAX(failed_at) AS latest FROM login_failures
            WHERE subject IN (\(bind: subjects.pair), \(bind: subjects.address), \(bind: subjects.name)) GROUP BY subject
            """).all()
        {
            let count = try row.decode(column: "n", as: Int.self)
            switch try row.decode(column: "subject", as: String.self) {
            case subjects.pair: (history.pairFailures, history.pairLatest) = (count, try row.decode(column: "latest", as: Int64.self))
            case subjects.address: (history.addressFailures, history.addressOldest) = (count, try row.decode(column: "oldest", as: Int64.self))
            default: (history.nameFailures, history.nameOldest) = (count, try row.decode(column: "oldest", as: Int64.self))
            }
        }
        history.trusted = try await db.raw("""
            SELECT subject FROM login_trusted_addresses WHERE subject = \(bind: subjects.pair) AND signed_in_at > \(bind: trustedSince)
            """).first() != nil
        if let seconds = wait(history, now) { return seconds }
        try await db.raw("""
            INSERT INTO login_failures (subject, failed_at, attempt_id) VALUES (\(bind: subjects.pair), \(bind: now), \(bind: attempt)),
              (\(bind: subjects.address), \(bind: now), \(bind: attempt)), (\(bind: subjects.name), \(bind: now), \(bind: attempt))
            """).run()
        return nil
    }

    /// The advisory lock key of a subject: FNV-1a of its bytes (the same on every node, unlike `Hasher`), in a
    /// range of its own. Two subjects sharing a key only take turns needlessly.
    private static func signInLock(_ subject: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in subject.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: 0x5_1B72_0000_0000 | (hash & 0xFFFF_FFFF))
    }

    /// A reserved attempt whose password was right: its rows go, with the earlier failures of its name from its
    /// address, and its address becomes trusted for its name. The address's and the name's other failures
    /// stay: signing in to an account of one's own resets nothing for the accounts one guesses at.
    public func signInSucceeded(attempt: String, subjects: SignInSubjects, trustedSince: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM login_failures WHERE attempt_id = \(bind: attempt) OR subject = \(bind: subjects.pair)").run()
            try await db.raw("DELETE FROM login_trusted_addresses WHERE signed_in_at <= \(bind: trustedSince)").run()
            try await db.raw("""
                INSERT INTO login_trusted_addresses (subject, signed_in_at) VALUES (\(bind: subjects.pair), \(bind: self.clock.now()))
                ON CONFLICT (subject) DO UPDATE SET signed_in_at = excluded.signed_in_at
                """).run()
        }
    }

    /// A reserved attempt that ended without a verdict on its password (the check itself failed): it does not
    /// count.
    public func releaseSignIn(attempt: String) async throws(SibylError) {
        try await run { db in try await db.raw("DELETE FROM login_failures WHERE attempt_id = \(bind: attempt)").run() }
    }
}
