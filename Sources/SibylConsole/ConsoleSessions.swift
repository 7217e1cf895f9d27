import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

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

extension ConsoleSessions {
    static let cookieName = "sibyl_session"

    /// The session named by the request's cookie, when it exists and has not expired.
    func find(_ request: Request) async throws(SibylError) -> ConsoleSession? {
        try await find(id: request.cookies[Self.cookieName]?.value)
    }
}
