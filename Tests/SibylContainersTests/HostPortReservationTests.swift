import NIOCore
import NIOPosix
import SibylContainers
import Testing

/// A replica's published port is held by Sibyl: no other program binds it, but an engine that listens on
/// what it publishes still can.
struct HostPortReservationTests {
    /// Binds 127.0.0.1:`port` as a program of its own would, listening; `reuse` as Docker's proxy does.
    static func listen(on port: Int, reuse: Bool) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: reuse ? 1 : 0)
            .bind(host: "127.0.0.1", port: port).get()
    }

    static func refused(_ error: any Error) -> Bool { (error as? IOError)?.errnoCode == EADDRINUSE }

    /// Whether a program of its own is refused `port`.
    static func held(_ port: Int) async throws -> Bool {
        do {
            try await listen(on: port, reuse: false).close()
            return false
        } catch where refused(error) {
            return true
        }
    }

    @Test func aHeldPortIsNobodyElsesButTheEnginesProxys() async throws {
        let reservation = try HostPortReservation()
        let port = reservation.port
        defer { withExtendedLifetime(reservation) {} }
        #expect(port > 0)
        #expect(try await Self.held(port))
        let proxy = try await Self.listen(on: port, reuse: true)
        // Held by a listener now: holding it again is refused (adopting a replica behind Docker's proxy).
        #expect { _ = try HostPortReservation(port: port) } throws: { ($0 as? HostPortError)?.code == EADDRINUSE }
        try await proxy.close()
    }

    /// Released with its last reference; held again by number (a replica adopted after a restart).
    @Test func aReleasedPortIsHeldAgainByNumber() async throws {
        let port = try HostPortReservation().port
        #expect(try await !Self.held(port))
        let again = try HostPortReservation(port: port)
        defer { withExtendedLifetime(again) {} }
        #expect(again.port == port)
        #expect(try await Self.held(port))
    }
}
