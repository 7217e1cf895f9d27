import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// Access tokens expire, are listed and revoked by their owner (and an admin), and a password change ends
/// every other token and console session of its user.
@Suite(.serialized) struct AccessTokenTests {
    @Test func aTokenExpiresAndSaysSo() async throws {
        let lifetime: Int64 = 3600
        let time = ManualWallClock()
        let node = try await TestNode { $0.accessTokenLifetimeSeconds = lifetime; $0.clock = time.clock }
        defer { node.removeData() }
        let issuedAt = time.clock.now()
        let issued = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "admin-password"])
        #expect(issued.status == 201)
        let token = try #require(issued["token"] as? String)
        let expiresAt = try #require(issued["expires_at"] as? String)
        #expect(expiresAt == UTCDay.dateTime(fromEpochSeconds: issuedAt + lifetime), "\(expiresAt)")
        time.advance(by: lifetime - 1)
        #expect(try await node.call(.GET, "/api/v1/me", token: token).status == 200)
        // A token made with a token expires no later than it.
        let child = try await node.call(.POST, "/api/v1/tokens", token: token, json: [String: Any]())
        #expect(child.status == 201 && child["expires_at"] as? String == expiresAt, "\(child.text)")
        time.advance(by: 1)
        let expired = try await node.call(.GET, "/api/v1/me", token: token)
        #expect(expired.status == 401 && expired.errorCode == "unauthenticated")
        #expect(expired.errorMessage == "the access token expired at \(expiresAt): sign in again for a new one", "\(expired.text)")
        // The bootstrap token (SIBYL_ADMIN_TOKEN) expires like any other.
        #expect(try await node.call(.GET, "/api/v1/me").errorMessage?.hasPrefix("the access token expired at ") == true)
        await node.stop()
    }

    /// Tokens are listed without their text or hash, newest first, the caller's own marked; one revoked stops
    /// working at once; another user's answers 404 to a member, and an admin may list and revoke anyone's.
    @Test func tokensAreListedAndRevokedByTheirOwnerAndAnAdmin() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let mia = try #require(try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])["user_id"] as? Int)
        let signedIn = try await node.call(
            .POST, "/api/v1/tokens", token: nil, json: ["name": "mia", "password": "mia-password", "description": "laptop"])
        #expect(signedIn["description"] as? String == "laptop")
        let miaToken = try #require(signedIn["token"] as? String)
        let spare = try await node.call(.POST, "/api/v1/tokens", token: miaToken, json: ["description": "ci runner"])
        #expect(spare.status == 201)
        let spareID = try #require(spare["token_id"] as? String), spareText = try #require(spare["token"] as? String)

        let listed = try await node.call(.GET, "/api/v1/tokens", token: miaToken)
        #expect(listed.status == 200 && listed["count"] as? Int == 2)
        let results = try #require(listed["results"] as? [[String: Any]])
        #expect(Set(results.map { $0["description"] as? String }) == ["ci runner", "laptop"])
        #expect(results.first { $0["token_id"] as? String == signedIn["token_id"] as? String }?["current"] as? Bool == true)
        #expect(results.first { $0["token_id"] as? String == spareID }?["current"] as? Bool == false)
        // `last_used_at` is there once a token has been used.
        let fields: Set<String> = ["token_id", "user_id", "description", "created_at", "expires_at", "current"]
        #expect(results.allSatisfy { Set($0.keys).subtracting(["last_used_at"]) == fields })
        #expect(!listed.text.contains(miaToken) && !listed.text.contains(ConsoleSessionTests.sha256Hex(miaToken)))

        // A member cannot see or revoke another user's tokens: 404, as for one that does not exist.
        let adminTokens = try await node.call(.GET, "/api/v1/tokens")
        let adminTokenID = try #require((adminTokens["results"] as? [[String: Any]])?.first?["token_id"] as? String)
        let foreign = try await node.call(.DELETE, "/api/v1/tokens/\(adminTokenID)", token: miaToken)
        #expect(foreign.status == 404 && foreign.errorCode == "not_found" && foreign.errorMessage == "no such token")
        let others = try await node.call(.GET, "/api/v1/users/1/tokens", token: miaToken)
        #expect(others.status == 404 && others.errorMessage == "no such user")
        #expect(try await node.call(.GET, "/api/v1/me").status == 200)

        // Revoked: it stops working at once, and a second revoke finds nothing.
        #expect(try await node.call(.DELETE, "/api/v1/tokens/\(spareID)", token: miaToken).status == 204)
        let revoked = try await node.call(.GET, "/api/v1/me", token: spareText)
        #expect(revoked.status == 401 && revoked.errorMessage == "the access token is not valid")
        #expect(try await node.call(.DELETE, "/api/v1/tokens/\(spareID)", token: miaToken).status == 404)

        // An admin lists and revokes a user's tokens.
        let byAdmin = try await node.call(.GET, "/api/v1/users/\(mia)/tokens")
        #expect(byAdmin.status == 200 && byAdmin["count"] as? Int == 1)
        let remaining = try #require((byAdmin["results"] as? [[String: Any]])?.first?["token_id"] as? String)
        #expect(try await node.call(.DELETE, "/api/v1/users/\(mia)/tokens/\(adminTokenID)").status == 404)
        #expect(try await node.call(.DELETE, "/api/v1/users/\(mia)/tokens/\(remaining)").status == 204)
        #expect(try await node.call(.GET, "/api/v1/me", token: miaToken).status == 401)
        // A description is printable text of at most 200 characters.
        let long = try await node.call(.POST, "/api/v1/tokens", json: ["description": String(repeating: "x", count: 201)])
        #expect(long.status == 422 && long.errorMessage == "description: at most 200 printable characters")
        #expect(try await node.call(.POST, "/api/v1/tokens", json: ["description": String(repeating: "x", count: 200)]).status == 201)
        await node.stop()
    }

    /// A token's last use is noted (at most once a minute).
    @Test func aTokensLastUseIsListed() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let issued = try await node.call(.POST, "/api/v1/tokens", json: ["description": "fresh"])
        let id = try #require(issued["token_id"] as? String)
        func listed() async throws -> [String: Any]? {
            (try await node.call(.GET, "/api/v1/tokens")["results"] as? [[String: Any]])?.first { $0["token_id"] as? String == id }
        }
        #expect(try await listed()?["last_used_at"] == nil)
        #expect(try await node.call(.GET, "/api/v1/me", token: try #require(issued["token"] as? String)).status == 200)
        #expect(try await listed()?["last_used_at"] as? String != nil)
        await node.stop()
    }

    /// Changing one's own password keeps the credential used for it and ends every other token and console
    /// session; an admin setting it ends them all. The admin's own token is untouched.
    @Test func aPasswordChangeEndsEveryOtherTokenAndSession() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let mia = try #require(try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])["user_id"] as? Int)
        let first = try await node.login("mia", "mia-password")
        let second = try await node.login("mia", "mia-password")
        let browser = ConsoleClient(node)
        #expect(try await browser.signIn("mia", "mia-password").status == 303)
        #expect(try await browser.get("/account").status == 200)

        #expect(try await node.call(.PATCH, "/api/v1/users/\(mia)", token: first, json: ["password": "mia-password-2"]).status == 200)
        #expect(try await node.call(.GET, "/api/v1/me", token: first).status == 200)
        #expect(try await node.call(.GET, "/api/v1/me", token: second).status == 401)
        #expect(try await browser.get("/account").location == "/login?next=%2Faccount")

        #expect(try await node.call(.PATCH, "/api/v1/users/\(mia)", json: ["password": "mia-password-3"]).status == 200)
        #expect(try await node.call(.GET, "/api/v1/me", token: first).status == 401)
        #expect(try await node.call(.GET, "/api/v1/me").status == 200)
        // A role change ends nothing.
        let third = try await node.login("mia", "mia-password-3")
        #expect(try await node.call(.PATCH, "/api/v1/users/\(mia)", json: ["role": "admin"]).status == 200)
        #expect(try await node.call(.GET, "/api/v1/me", token: third).status == 200)
        await node.stop()
    }

    /// The account page: a user's tokens and browsers, each ended there, and their password, changed with
    /// the current one; an admin sets another user's password from the users page.
    @Test func theAccountPageListsAndEndsTokensAndSessionsAndChangesThePassword() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let mia = try #require(try await node.call(.POST, "/api/v1/users", json: ["name": "mia", "password": "mia-password"])["user_id"] as? Int)
        let cli = try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "mia", "password": "mia-password", "description": "cli"])
        let cliID = try #require(cli["token_id"] as? String), cliToken = try #require(cli["token"] as? String)
        let laptop = ConsoleClient(node), phone = ConsoleClient(node)
        #expect(try await laptop.signIn("mia", "mia-password").status == 303)
        #expect(try await phone.signIn("mia", "mia-password").status == 303)

        let page = try await laptop.get("/account")
        #expect(page.status == 200 && page.text.contains("<code>\(cliID)</code>") && page.text.contains("<td>cli</td>"))
        #expect(page.text.contains("this browser") && page.text.components(separatedBy: "/account/sessions/").count == 2)
        #expect(!page.text.contains(cliToken))

        // Revoking the token from the page.
        let revoked = try await laptop.follow(try await laptop.post("/account/tokens/\(cliID)/revoke"))
        #expect(revoked.text.contains("Access token revoked.") && !revoked.text.contains("<code>\(cliID)</code>"))
        #expect(try await node.call(.GET, "/api/v1/me", token: cliToken).status == 401)
        // Another user's token, or one that is gone, is 404.
        #expect(try await laptop.follow(try await laptop.post("/account/tokens/\(cliID)/revoke")).status == 404)

        // A wrong current password changes nothing.
        let wrong = try await laptop.follow(try await laptop.post(
            "/account/password", [("current_password", "not-it-at-all"), ("password", "mia-password-2"), ("password_again", "mia-password-2")]))
        #expect(wrong.status == 401 && wrong.text.contains("The current password is wrong."))
        let short = try await laptop.follow(try await laptop.post(
            "/account/password", [("current_password", "mia-password"), ("password", "short"), ("password_again", "short")]))
        #expect(short.status == 422 && short.text.contains("Password must be 8 to 72 bytes long."))
        let changed = try await laptop.follow(
            try await laptop.post(
                "/account/password",
                [("current_password", "mia-password"), ("password", "mia-password-2"), ("password_again", "mia-password-2")]))
        #expect(changed.status == 200 && changed.text.contains("Password changed."))
        #expect(try await phone.get("/account").status == 303)
        #expect(try await node.login("mia", "mia-password-2").hasPrefix("sibyl_"))

        // Ending another browser from the list.
        let tablet = ConsoleClient(node)
        #expect(try await tablet.signIn("mia", "mia-password-2").status == 303)
        let list = try await laptop.get("/account").text
        let handle = try #require(list.components(separatedBy: "/account/sessions/").dropFirst().first?.prefix(16))
        let ended = try await laptop.follow(try await laptop.post("/account/sessions/\(handle)/revoke"))
        #expect(ended.text.contains("That browser is signed out."))
        #expect(try await tablet.get("/account").status == 303)
        #expect(try await laptop.get("/account").status == 200)

        // An admin sets mia's password from the users page: every session of hers ends.
        let admin = ConsoleClient(node)
        #expect(try await admin.signIn("admin", "admin-password").status == 303)
        _ = try await admin.get("/admin/users")
        let set = try await admin.follow(try await admin.post("/admin/users/\(mia)/password", [("password", "mia-password-3")]))
        #expect(set.text.contains("Password of mia set; their sessions and access tokens have ended."))
        #expect(try await laptop.get("/account").status == 303)
        #expect(try await admin.get("/account").status == 200)
        await node.stop()
    }
}
