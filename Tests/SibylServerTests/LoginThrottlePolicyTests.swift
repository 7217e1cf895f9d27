import SibylApp
import SibylCore
@testable import SibylServer
import SibylStore
import Testing

/// The throttle's rule on its own: which history waits, and how long.
struct LoginThrottlePolicyTests {
    static let limits = ServerConfiguration()

    func wait(_ change: (inout SignInHistory) -> Void) -> Int64? {
        var history = SignInHistory()
        change(&history)
        return LoginThrottle.wait(history, now: 10_000, Self.limits)
    }

    @Test func oneNameFromOneAddressWaitsTheBaseDoublingUpToTheCap() {
        #expect(wait { $0.pairFailures = 4; $0.pairLatest = 10_000 } == nil)
        #expect(wait { $0.pairFailures = 5; $0.pairLatest = 10_000 } == 30)
        #expect(wait { $0.pairFailures = 6; $0.pairLatest = 10_000 } == 60)
        #expect(wait { $0.pairFailures = 9; $0.pairLatest = 10_000 } == 480)
        #expect(wait { $0.pairFailures = 10; $0.pairLatest = 10_000 } == 900)
        #expect(wait { $0.pairFailures = 500; $0.pairLatest = 10_000 } == 900)
        // The wait runs from the latest failure.
        #expect(wait { $0.pairFailures = 6; $0.pairLatest = 9_950 } == 10)
        #expect(wait { $0.pairFailures = 6; $0.pairLatest = 9_940 } == nil)
    }

    @Test func anAddressOverEveryNameAndANameOverEveryAddressWaitForTheirOldestFailureToLeaveTheWindow() {
        #expect(wait { $0.addressFailures = 29; $0.addressOldest = 9_500 } == nil)
        #expect(wait { $0.addressFailures = 30; $0.addressOldest = 9_500 } == 400)
        #expect(wait { $0.nameFailures = 49; $0.nameOldest = 9_500 } == nil)
        #expect(wait { $0.nameFailures = 50; $0.nameOldest = 9_500 } == 400)
        // An address that signed this user in lately passes the name's ceiling, not the other limits.
        #expect(wait { $0.nameFailures = 50; $0.nameOldest = 9_500; $0.trusted = true } == nil)
        #expect(wait { $0.addressFailures = 30; $0.addressOldest = 9_500; $0.trusted = true } == 400)
        // The longest wait wins.
        #expect(wait { $0.pairFailures = 5; $0.pairLatest = 10_000; $0.addressFailures = 30; $0.addressOldest = 9_500 } == 400)
    }

    @Test func namesAreCountedHashedAndIPv6ClientsByTheirSlash64() {
        let v6 = LoginThrottle.subjects(name: "ann", address: IPAddress("2001:db8::1:2:3:4"))
        #expect(v6.address == "address:2001:db8::/64")
        #expect(v6.name == "name:" + Secrets.sha256Hex("ann") && !v6.pair.contains("ann"))
        #expect(LoginThrottle.subjects(name: "ann", address: IPAddress("10.0.0.1")).address == "address:10.0.0.1")
        #expect(LoginThrottle.subjects(name: "ann", address: nil).address == "address:unknown")
    }
}
