import Foundation
import Logging
import SibylCore
@testable import SibylStore
import SibylTestDatabases
import SQLKit
import Testing

/// Access tokens, console sessions and the sign-in throttle's reservations, on SQLite and PostgreSQL alike.
@Suite struct AccountStoreTests {
    static let subjects = SignInSubjects(pair: "pair:n@a", address: "address:a", name: "name:n")

    /// Forty reservations at once, each allowed while fewer than five are held: exactly five are made. On
    /// PostgreSQL they run on the pool's many connections, as on several nodes (the locks are the server's).
    @Test(arguments: TestDatabase.kinds) func signInReservationsAreAtomic(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            let now = WallClock.system.now()
            let waits = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for index in 0..<40 {
                    // One refused a connection within the lease reserved nothing and is sent again (`resending`).
                    group.addTask {
                        try await resending { () async throws(SibylError) in
                            try await store.reserveSignIn(
                                attempt: "attempt-\(index)", subjects: Self.subjects, since: now - 60, trustedSince: now - 60,
                                wait: { history, _ in history.pairFailures >= 5 ? 7 : nil })
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // The others are refused: by the history (7), or, on a loaded machine, for waiting too long their turn (1).
            #expect(waits.filter { $0 == nil }.count == 5 && waits.allSatisfy { $0 == nil || $0 == 7 || $0 == 1 }, "\(waits)")
        }
    }

    /// A success removes its own reservation and its pair's failures, not the address's or the name's others,
    /// and trusts the pair; a released attempt does not count.
    @Test(arguments: TestDatabase.kinds) func aSuccessClearsItsPairAndTrustsIt(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            let now = WallClock.system.now()
            func history(_ subjects: SignInSubjects = Self.subjects) async throws -> SignInHistory {
                let seen = HistoryBox()
                _ = try await store.reserveSignIn(
                    attempt: "peek", subjects: subjects, since: now - 60, trustedSince: now - 60,
                    wait: { history, _ in seen.set(history); return 1 })
                return seen.value!
            }
            /// Reserves an attempt that nothing refuses.
            func reserve(_ attempt: String, _ subjects: SignInSubjects = Self.subjects) async throws -> Int64? {
                try await store.reserveSignIn(attempt: attempt, subjects: subjects, since: now - 60, trustedSince: now - 60, wait: { _, _ in nil })
            }
            for index in 0..<2 { #expect(try await reserve("fail-\(index)") == nil) }
            let other = SignInSubjects(pair: "pair:m@a", address: "address:a", name: "name:m")
            #expect(try await reserve("other", other) == nil)
            var before = try await history()
            #expect(before.pairFailures == 2 && before.addressFailures == 3 && before.nameFailures == 2 && !before.trusted)
            #expect(before.pairLatest != nil && before.addressOldest != nil && before.nameOldest != nil)
            try await store.releaseSignIn(attempt: "other")
            before = try await history()
            #expect(before.addressFailures == 2)

            #expect(try await reserve("right") == nil)
            try await store.signInSucceeded(attempt: "right", subjects: Self.subjects, trustedSince: now - 60)
            let after = try await history()
            #expect(after.pairFailures == 0 && after.addressFailures == 2 && after.nameFailures == 2 && after.trusted)
            // Trust is by pair, and lapses.
            #expect(!(try await history(other)).trusted)
            let seen = HistoryBox()
            _ = try await store.reserveSignIn(
                attempt: "later", subjects: Self.subjects, since: now - 60, trustedSince: now + 60,
                wait: { history, _ in seen.set(history); return 1 })
            #expect(seen.value?.trusted == false)
        }
    }

    @Test(arguments: TestDatabase.kinds) func tokensAreListedRevokedAndEndedByAPasswordChange(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            let ann = try await store.createUser(name: "ann", passwordHash: "h", role: .member)
            let bob = try await store.createUser(name: "bob", passwordHash: "h", role: .admin)
            let later = WallClock.system.now() + 3600
            for (id, user) in [("tok_a", ann), ("tok_b", ann), ("tok_c", bob)] {
                try await store.createToken(id: id, userID: user.id, tokenHash: "hash-" + id, description: "d " + id, expiresAt: later)
            }
            #expect(Set(try await store.tokens(userID: ann.id).map(\.id)) == ["tok_a", "tok_b"])
            let holder = try #require(try await store.tokenHolder(tokenHash: "hash-tok_a"))
            #expect(holder.user == ann && holder.tokenID == "tok_a" && holder.expiresAt == later && holder.lastUsedAt == nil)
            try await store.touchToken(id: "tok_a", at: 42)
            #expect(try await store.tokens(userID: ann.id).first { $0.id == "tok_a" }?.lastUsedAt == 42)
            #expect(try await store.deleteToken(id: "tok_c", userID: ann.id) == false)
            #expect(try await store.tokenHolder(tokenHash: "hash-tok_c") != nil)

            try await store.createConsoleSession(idHash: String(repeating: "a", count: 64), userID: ann.id, csrfToken: "c", expiresAt: later)
            try await store.createConsoleSession(idHash: String(repeating: "b", count: 64), userID: ann.id, csrfToken: "c", expiresAt: later)
            let handles = try await store.consoleSessions(userID: ann.id).map(\.handle).sorted()
            #expect(handles == [String(repeating: "a", count: 16), String(repeating: "b", count: 16)])
            #expect(try await store.deleteConsoleSession(handle: String(repeating: "b", count: 16), userID: bob.id) == false)
            #expect(try await store.deleteConsoleSession(handle: "b%", userID: ann.id) == false)

            // Ann's own change through tok_a keeps tok_a only; an admin's change ends everything.
            _ = try await store.updateUser(id: ann.id, role: nil, passwordHash: "h2", keeping: .token(id: "tok_a"))
            #expect(try await store.tokens(userID: ann.id).map(\.id) == ["tok_a"])
            #expect(try await store.consoleSessions(userID: ann.id).isEmpty)
            try await store.createConsoleSession(idHash: String(repeating: "c", count: 64), userID: ann.id, csrfToken: "c", expiresAt: later)
            _ = try await store.updateUser(id: ann.id, role: nil, passwordHash: "h3", keeping: .consoleSession(idHash: String(repeating: "c", count: 64)))
            #expect(try await store.tokens(userID: ann.id).isEmpty)
            #expect(try await store.consoleSessions(userID: ann.id).count == 1)
            _ = try await store.updateUser(id: ann.id, role: nil, passwordHash: "h4")
            #expect(try await store.consoleSessions(userID: ann.id).isEmpty)
            #expect(try await store.tokens(userID: bob.id).map(\.id) == ["tok_c"])
            #expect(try await store.deleteToken(id: "tok_c", userID: bob.id))
            #expect(try await store.tokenHolder(tokenHash: "hash-tok_c") == nil)
        }
    }

    /// Tokens made before tokens expired have no expiry until a node's start gives them one.
    @Test(arguments: TestDatabase.kinds) func migration0006LeavesOldTokensToBeDatedAtStart(_ kind: TestDatabase.Kind) async throws {
        let database = try await TestDatabase.make(kind)
        let before = Array(Migrations.all.prefix { $0.name != "0006_access_tokens" })
        #expect(before.count == 5)
        let old = try await Store.open(url: database.url, dataDirectory: database.folder, logger: Logger(label: "test"), migrations: before)
        let ann = try await old.createUser(name: "ann", passwordHash: "h", role: .member)
        try await old.run { db in
            try await db.raw("INSERT INTO tokens (id, user_id, token_hash, created_at) VALUES ('tok_old', \(bind: ann.id), 'old-hash', 5)").run()
            try await db.raw("INSERT INTO login_failures (subject, failed_at) VALUES ('name:ann', \(bind: WallClock.system.now()))").run()
        }
        try await old.shutdown()
        let store = try await database.open()
        let undated = AccessToken(id: "tok_old", userID: ann.id, description: "", createdAt: 5, expiresAt: nil, lastUsedAt: nil)
        #expect(try await store.tokens(userID: ann.id) == [undated])
        try await store.dateUndatedTokens(expiresAt: 1000)
        #expect(try await store.tokenHolder(tokenHash: "old-hash")?.expiresAt == 1000)
        try await store.dateUndatedTokens(expiresAt: 2000)
        #expect(try await store.tokenHolder(tokenHash: "old-hash")?.expiresAt == 1000)
        // The old throttle's rows named users in clear: they are gone.
        let remaining = try await store.run { db in
            try await db.raw("SELECT COUNT(*) AS n FROM login_failures").first()!.decode(column: "n", as: Int.self)
        }
        #expect(remaining == 0)
        try await store.shutdown()
        try await database.drop()
    }
}

/// What a `wait` closure saw, read back by the test.
private final class HistoryBox: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: SignInHistory?
    var value: SignInHistory? { lock.withLock { seen } }
    func set(_ history: SignInHistory) { lock.withLock { seen = history } }
}
