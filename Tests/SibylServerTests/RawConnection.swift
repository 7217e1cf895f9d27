import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP connection to a node, for tests that send a request a few bytes at a time or hold connections
/// open: what it receives is collected as it comes, and `wait` polls it with a deadline, so that no test can
/// hang on a server that never answers.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    static func open(port: Int) async throws -> RawConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// What arrived (as text) and whether the server closed the connection, once `done` says so of them or
    /// `timeout` has passed.
    func wait(_ timeout: Duration, until done: (String, Bool) -> Bool) async throws -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let state = received.state
            if done(state.text, state.closed) || ContinuousClock.now >= deadline { return state }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func close() async {
        try? await channel.close()
    }

    private final class Received: Sendable {
        private let value = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))
        var state: (text: String, closed: Bool) { value.withLock { (String(decoding: $0.bytes, as: UTF8.self), $0.closed) } }
        func append(_ bytes: [UInt8]) { value.withLock { $0.bytes += bytes } }
        func close() { value.withLock { $0.closed = true } }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received

        init(received: Received) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.close()
            context.fireChannelInactive()
        }
    }
}
