import Hummingbird
import NIOCore
import SibylCore

/// Per-request state: Hummingbird's core context and the socket peer, for whitelists.
struct AppContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: IPAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress.flatMap { $0.ipAddress }.flatMap { IPAddress($0) }
    }
}
