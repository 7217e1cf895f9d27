import Crypto
import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylStore

/// A signed-in browser: the session id from its cookie (kept in memory for this request only), the user as
/// stored now, and the session's CSRF token.
struct ConsoleSession: Sendable {
    let id: String
    let user: User
    let csrfToken: String
    var idHash: String { Secrets.sha256Hex(id) }
}

/// Something to show once on the next page: a notice, and the secrets of keys made since the last page.
struct ConsoleFlash: Codable, Sendable {
    struct NewKey: Codable, Sendable {
        /// What the secret is: "New API key for api_…", "New account secret".
        let heading: String
        let keyID: String
        let secret: String

        static func apiKey(for owner: String, keyID: String, secret: String) -> NewKey {
            NewKey(heading: "New API key for \(owner)", keyID: keyID, secret: secret)
        }
    }

    /// An action the console refused: shown once on the page the browser is sent back to, next to the form
    /// it names (or atop the page when it names none), with the form filled in again as it was sent.
    struct Refusal: Codable, Sendable {
        /// The form's name on its page ("whitelist", "launch", "add-user"…); nil for the page as a whole.
        let form: String?
        let message: String
        /// The JSON API's status for the same error, which the page that shows it answers with.
        let status: Int
        /// The fields sent, by name; never a password or a file.
        let fields: [String: [String]]
    }

    var notice: String?
    var newKeys: [NewKey] = []
    var refusal: Refusal?
    /// A dialog to show open on the next page only (the whitelist dialog after an edit), so that a reload or
    /// a bookmark does not open it again.
    var dialog: String?

    /// The refusal of the form `name`, if that is what was refused.
    func refused(_ name: String) -> Refusal? {
        refusal?.form == name ? refusal : nil
    }

    /// A field of the form `name` as it was sent when it was refused; `fallback` otherwise.
    func field(_ name: String, of form: String, or fallback: String = "") -> String {
        refused(form)?.fields[name]?.first ?? fallback
    }
}

/// Console sign-in sessions, kept in the database so that every node knows them.
///
/// The cookie holds a random id; the database holds only its SHA-256, so a copy of the database signs no
/// one in. A flash is sealed (AES-GCM) with a key derived from the id, so a new API key waiting to be shown
/// is stored encrypted under a key that only the browser holds, and is deleted when shown.
struct ConsoleSessions: Sendable {
    static let cookieName = "sibyl_session"
    let store: Store
    let lifetimeSeconds: Int64

    /// Starts a session for `user`; answers the session, whose id goes into the cookie.
    func start(for user: User) async throws(SibylError) -> ConsoleSession {
        let session = ConsoleSession(id: Secrets.make(), user: user, csrfToken: Secrets.make())
        try await store.createConsoleSession(
            idHash: session.idHash, userID: user.id, csrfToken: session.csrfToken, expiresAt: WallClock.now() + lifetimeSeconds)
        return session
    }

    /// The session named by the request's cookie, when it exists and has not expired.
    func find(_ request: Request) async throws(SibylError) -> ConsoleSession? {
        guard let id = request.cookies[Self.cookieName]?.value, Identifier.isWellFormedSecret(id) else { return nil }
        let hash = Secrets.sha256Hex(id)
        guard let record = try await store.consoleSession(idHash: hash), Secrets.constantTimeEqual(record.idHash, hash) else {
            return nil
        }
        return ConsoleSession(id: id, user: record.user, csrfToken: record.csrfToken)
    }

    func end(_ session: ConsoleSession) async throws(SibylError) {
        try await store.deleteConsoleSession(idHash: session.idHash)
    }

    func setFlash(_ flash: ConsoleFlash, in session: ConsoleSession) async throws(SibylError) {
        let sealed = try? AES.GCM.seal(JSONEncoder().encode(flash), using: Self.flashKey(session)).combined
        try await store.setConsoleFlash(idHash: session.idHash, sealed.map { $0.base64EncodedString() })
    }

    /// The flash, once: reading it deletes it.
    func takeFlash(in session: ConsoleSession) async throws(SibylError) -> ConsoleFlash? {
        guard let text = try await store.takeConsoleFlash(idHash: session.idHash), let data = Data(base64Encoded: text),
            let box = try? AES.GCM.SealedBox(combined: data), let plain = try? AES.GCM.open(box, using: Self.flashKey(session))
        else { return nil }
        return try? JSONDecoder().decode(ConsoleFlash.self, from: plain)
    }

    private static func flashKey(_ session: ConsoleSession) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Array(("sibyl console flash " + session.id).utf8)))
    }
}

extension Identifier {
    /// Whether `text` could be a secret made by `Secrets.make()`: cheap to check before hashing or a lookup.
    static func isWellFormedSecret(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains($0) }
    }
}
