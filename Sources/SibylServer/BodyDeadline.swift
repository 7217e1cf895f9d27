import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SibylCore

/// Cuts off a client that sends a request body too slowly, one handler per connection.
///
/// A body may keep the node waiting `allowance`, plus one second for each `bytesPerSecond` bytes received
/// (Apache's `mod_reqtimeout` with `MinRate`): a byte every 45 s gets no further than the allowance, while a
/// large upload at a fair rate is never cut. Only time spent waiting for the client counts, from a read the
/// node asked for to the part that answers it: while the route reads nothing more (back-pressure, as when a
/// request is held until a deployment starts) the clock stops.
///
/// When time runs out, the route reading the body gets `SibylError(.requestTimeout)` and answers 408; the
/// answer carries `Connection: close`, and the connection closes once it is written, or after `grace` if no
/// answer comes. A head is the idle timeout's business (its timer runs until a whole head has arrived), but
/// each body part restarts that timer, which is why a trickled body needs this one.
final class BodyDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a route that was told of the timeout has to answer before the connection closes anyway.
    static let grace = TimeAmount.seconds(5)

    private let allowance: TimeAmount
    private let bytesPerSecond: Int64

    private enum State {
        /// Between requests, or the body has arrived.
        case idle
        case reading(Body)
        /// Time ran out: later parts are dropped and nothing more is read; the connection closes after the answer.
        case timedOut
    }

    private struct Body {
        /// Time spent with a read outstanding and no part arrived for it, not counting the current wait.
        var waited = TimeAmount.zero
        /// When the current wait for the client began; nil while the node is not asking for more.
        var waitingSince: NIODeadline?
        var received: Int64 = 0
        /// The route answered before reading the whole body (a refusal); the rest is being read to skip it.
        var answered = false

        func used(at now: NIODeadline) -> TimeAmount {
            waited + (waitingSince.map { now - $0 } ?? .zero)
        }
    }

    private var state = State.idle
    private var timer: Scheduled<Void>?

    init(allowance: TimeAmount, bytesPerSecond: Int) {
        self.allowance = allowance
        self.bytesPerSecond = Int64(max(1, bytesPerSecond))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (state, unwrapInboundIn(data)) {
        case (.timedOut, _):
            return
        case (_, .head):
            state = .reading(Body())
        case (.reading(var body), .body(let buffer)):
            body.received += Int64(buffer.readableBytes)
            Self.stopWaiting(&body)
            state = .reading(body)
        case (.reading, .end):
            state = .idle
            timer?.cancel()
            timer = nil
        case (.idle, _):
            break
        }
        context.fireChannelRead(data)
    }

    /// The clock starts when a body is still due after a read; most bodies arrive with their head and never
    /// start one.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .reading = state, timer == nil { schedule(context, in: allowance) }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .timedOut:
            return
        case .reading(var body) where body.waitingSince == nil:
            body.waitingSince = .now()
            state = .reading(body)
        case .reading, .idle:
            break
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch (state, part) {
        case (.reading(var body), .end):
            body.answered = true
            state = .reading(body)
        case (.timedOut, .head(var head)):
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case (.timedOut, .end):
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private static func stopWaiting(_ body: inout Body) {
        guard let since = body.waitingSince else { return }
        body.waited = body.waited + (NIODeadline.now() - since)
        body.waitingSince = nil
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        timer = loop.scheduleTask(in: delay) { [self] in
            timer = nil
            check(context)
        }
    }

    /// Times the body out once it has used its allowance and what its bytes earned; else looks again when
    /// that could next be so.
    private func check(_ context: ChannelHandlerContext) {
        guard case .reading(let body) = state else { return }
        let earned = allowance + .nanoseconds(body.received * 1_000_000_000 / bytesPerSecond)
        let used = body.used(at: .now())
        guard used >= earned else { return schedule(context, in: earned - used) }
        state = .timedOut
        guard !body.answered else { return context.close(promise: nil) }
        context.fireErrorCaught(SibylError(
            .requestTimeout,
            "the request body arrived too slowly: it may take \(allowance.nanoseconds / 1_000_000_000) s plus 1 s for each \(bytesPerSecond) bytes"))
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        loop.scheduleTask(in: Self.grace) { context.close(promise: nil) }
    }
}
