import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// The sign-in throttle, on `POST /api/v1/tokens` and the console's sign-in alike: attempts are reserved before
/// the password is checked, one name from one address backs off, one address is limited over every name, and a
/// flood of guesses at one name from elsewhere leaves its user the addresses they signed in from.
@Suite(.serialized) struct SignInThrottleTests {
    /// Reads, then bcrypt, then a write let every one of 40 parallel guesses through; reserved first, only the
    /// free ones are checked.
    @Test func fortyParallelWrongPasswordsForATokenCheckOnlyTheFreeFive() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let answers = try await withThrowingTaskGroup(of: TestNode.Answer.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await node.call(.POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": "not-the-password"])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let checked = answers.filter { $0.status == 401 }
        let refused = answers.filter { $0.status == 429 }
        #expect(checked.count == 5 && refused.count == 35, "\(answers.map(\.status))")
        #expect(checked.allSatisfy { $0.errorCode == "unauthenticated" && $0.errorMessage == "wrong name or password" })
        for answer in refused {
            #expect(answer.errorCode == "too_many_attempts")
            #expect(answer.errorMessage?.hasPrefix("too many failed sign-ins for this name or from this address: try again in ") == true)
            let retry = Int(answer.headers.first { $0.0.lowercased() == "retry-after" }?.1 ?? "") ?? 0
            #expect((1...30).contains(retry), "Retry-After \(retry)")
        }
        await node.stop()
    }

    @Test func fortyParallelWrongPasswordsOnTheConsoleCheckOnlyTheFreeFive() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        // Each browser gets its sign-in form first, so that the 40 posts go out together.
        var browsers: [(ConsoleClient, String)] = []
        for _ in 0..<40 {
            let browser = ConsoleClient(node)
            let page = try await browser.get("/login")
            browsers.append((browser, try #require(ConsoleClient.field("login_token", in: page.text))))
        }
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for (browser, token) in browsers {
                group.addTask {
                    let answer = try await browser.post(
                        "/login", [("login_token", token), ("name", "admin"), ("password", "not-the-password")], csrf: false)
                    return (answer.status, answer.headers.first(name: "Retry-After"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0.0 == 401 }.count == 5, "\(statuses)")
        #expect(statuses.filter { $0.0 == 429 }.count == 35, "\(statuses)")
        #expect(statuses.filter { $0.0 == 429 }.allSatisfy { Int($0.1 ?? "") ?? 0 > 0 })
        await node.stop()
    }

    /// One name from one address waits after its free failures; the same user from another address does not
    /// (a throttle per name let anyone lock anyone out), and the right password after the wait clears it.
    @Test func aNameBacksOffFromOneAddressOnlyAndTheWaitDoubles() async throws {
        let time = ManualWallClock()
        let node = try await TestNode {
            $0.clock = time.clock
            $0.trustedProxies = [try! CIDR("127.0.0.0/8")]
            $0.loginFailureLimit = 1
            $0.loginBackoffBaseSeconds = 2
            $0.loginBackoffCapSeconds = 4
        }
        defer { node.removeData() }
        func signIn(_ password: String, from address: String) async throws -> TestNode.Answer {
            try await node.call(
                .POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": password], headers: [("X-Forwarded-For", address)])
        }
        func retryAfter(_ answer: TestNode.Answer) -> Int { Int(answer.headers.first { $0.0.lowercased() == "retry-after" }?.1 ?? "") ?? 0 }
        #expect(try await signIn("wrong-password", from: "10.0.0.1").status == 401)
        let first = try await signIn("admin-password", from: "10.0.0.1")
        #expect(first.status == 429 && first.errorCode == "too_many_attempts" && retryAfter(first) == 2, "\(first.text)")
        // Another address signs the same user in at once.
        #expect(try await signIn("admin-password", from: "10.0.0.2").status == 201)
        time.advance(by: 1)
        #expect(try await signIn("admin-password", from: "10.0.0.1").status == 429, "one second short of the wait")
        time.advance(by: 1)
        #expect(try await signIn("wrong-password", from: "10.0.0.1").status == 401)
        let second = try await signIn("admin-password", from: "10.0.0.1")
        #expect(second.status == 429 && retryAfter(second) == 4, "\(second.text)")
        time.advance(by: 4)
        #expect(try await signIn("admin-password", from: "10.0.0.1").status == 201)
        // The success cleared this name's failures from this address: a mistake now is free again.
        #expect(try await signIn("wrong-password", from: "10.0.0.1").status == 401)
        await node.stop()
    }

    /// One address guessing at many names is stopped for every name; another address is not.
    @Test func oneAddressIsLimitedOverEveryName() async throws {
        let node = try await TestNode {
            $0.trustedProxies = [try! CIDR("127.0.0.0/8")]
            $0.loginAddressFailureLimit = 3
        }
        defer { node.removeData() }
        func signIn(_ name: String, from address: String) async throws -> TestNode.Answer {
            try await node.call(
                .POST, "/api/v1/tokens", token: nil, json: ["name": name, "password": "spray-password"],
                headers: [("X-Forwarded-For", address)])
        }
        for name in ["ann", "bob", "cyd"] { #expect(try await signIn(name, from: "10.0.0.1").status == 401) }
        let refused = try await signIn("dee", from: "10.0.0.1")
        #expect(refused.status == 429 && refused.errorCode == "too_many_attempts", "\(refused.text)")
        #expect(try await signIn("dee", from: "10.0.0.2").status == 401)
        // An IPv6 client is one /64: another address in it is the same client.
        for name in ["ann", "bob", "cyd"] { #expect(try await signIn(name, from: "2001:db8::1").status == 401) }
        #expect(try await signIn("dee", from: "2001:db8::ffff:2").status == 429)
        #expect(try await signIn("dee", from: "2001:db8:0:1::1").status == 401)
        await node.stop()
    }

    /// Guesses at one name from many addresses reach the ceiling: new addresses must wait, but the address
    /// the user signed in from lately still signs them in, on the console as on the API.
    @Test func aFloodAtOneNameLeavesItsUserTheAddressesTheySignedInFrom() async throws {
        let node = try await TestNode {
            $0.trustedProxies = [try! CIDR("127.0.0.0/8")]
            $0.loginNameFailureCeiling = 4
        }
        defer { node.removeData() }
        func signIn(_ password: String, from address: String) async throws -> TestNode.Answer {
            try await node.call(
                .POST, "/api/v1/tokens", token: nil, json: ["name": "admin", "password": password], headers: [("X-Forwarded-For", address)])
        }
        #expect(try await signIn("admin-password", from: "10.0.0.9").status == 201)
        for index in 1...4 { #expect(try await signIn("wrong-password", from: "10.1.0.\(index)").status == 401) }
        let stranger = try await signIn("admin-password", from: "10.1.0.5")
        #expect(stranger.status == 429 && stranger.errorCode == "too_many_attempts", "\(stranger.text)")
        #expect(try await signIn("admin-password", from: "10.0.0.9").status == 201)
        let browser = ConsoleClient(node, headers: [("X-Forwarded-For", "10.0.0.9")])
        #expect(try await browser.signIn("admin", "admin-password").status == 303)
        let other = ConsoleClient(node, headers: [("X-Forwarded-For", "10.1.0.6")])
        let closed = try await other.signIn("admin", "admin-password")
        #expect(closed.status == 429 && closed.text.contains("Too many failed sign-ins"))
        #expect(Int(closed.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        await node.stop()
    }
}
