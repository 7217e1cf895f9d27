import Crypto
import Foundation
import SibylCore
import SibylStore

/// A signed-in browser: the session id from its cookie (kept in memory for this request only), the user as
/// stored now, and the session's CSRF token.
public struct ConsoleSession: Sendable {
    public let id: String
    public let user: User
    public let csrfToken: String
    public var idHash: String { Secrets.sha256Hex(id) }
}

/// Console sign-in sessions, kept in the database so that every node knows them.
///
/// The cookie holds a random id; the database holds only its SHA-256, so a copy of the database signs no
/// one in. A flash is sealed (AES-GCM) with a key derived from the id, so a new API key waiting to be shown
/// is stored encrypted under a key that only the browser holds, and is deleted when shown.
public struct ConsoleSessions: Sendable {
    let store: Store
    public let lifetimeSeconds: Int64

    public init(store: Store, lifetimeSeconds: Int64) {
        self.store = store
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// Starts a session for `user`; answers the session, whose id goes into the cookie.
    public func start(for user: User) async throws(SibylError) -> ConsoleSession {
        let session = ConsoleSession(id: Secrets.make(), user: user, csrfToken: Secrets.make())
        try await store.createConsoleSession(
            idHash: session.idHash, userID: user.id, csrfToken: session.csrfToken, expiresAt: store.clock.now() + lifetimeSeconds)
        return session
    }

    /// The session whose id a browser presented, when it exists and has not expired.
    public func find(id: String?) async throws(SibylError) -> ConsoleSession? {
        guard let id, Identifier.isWellFormedSecret(id) else { return nil }
        let hash = Secrets.sha256Hex(id)
        guard let record = try await store.consoleSession(idHash: hash), Secrets.constantTimeEqual(record.idHash, hash) else {
            return nil
        }
        return ConsoleSession(id: id, user: record.user, csrfToken: record.csrfToken)
    }

    public func end(_ session: ConsoleSession) async throws(SibylError) {
        try await store.deleteConsoleSession(idHash: session.idHash)
    }

    /// Keeps `flash` for the session's next page, sealed.
    public func setFlash(_ flash: some Encodable, in session: ConsoleSession) async throws(SibylError) {
        let sealed = try? AES.GCM.seal(JSONEncoder().encode(flash), using: Self.flashKey(session)).combined
        try await store.setConsoleFlash(idHash: session.idHash, sealed.map { $0.base64EncodedString() })
    }

    /// The flash, once: reading it deletes it.
    public func takeFlash<Flash: Decodable>(_ type: Flash.Type, in session: ConsoleSession) async throws(SibylError) -> Flash? {
        guard let text = try await store.takeConsoleFlash(idHash: session.idHash), let data = Data(base64Encoded: text),
            let box = try? AES.GCM.SealedBox(combined: data), let plain = try? AES.GCM.open(box, using: Self.flashKey(session))
        else { return nil }
        return try? JSONDecoder().decode(Flash.self, from: plain)
    }

    private static func flashKey(_ session: ConsoleSession) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Array(("sibyl console flash " + session.id).utf8)))
    }
}

extension Identifier {
    /// Whether `text` could be a secret made by `Secrets.make()`: cheap to check before hashing or a lookup.
    public static func isWellFormedSecret(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains($0) }
    }
}
