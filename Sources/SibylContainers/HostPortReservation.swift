#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 127.0.0.1 TCP port held for a replica while it lives, by a socket bound to it that never listens.
///
/// Rootful Podman with netavark publishes a port with forwarding (DNAT) rules alone and holds no socket, so
/// the kernel would hand the same port to the next program that asks for any free one, and that program's
/// loopback clients would reach the replica instead. The engine's own pick is such a program: two replicas
/// (of different projects) could be given one port, and the first's rule then takes both's requests. A port
/// Sibyl holds is one the kernel gives to no one else. The socket allows address reuse, so an engine that
/// does listen on what it publishes (Docker's proxy, rootless Podman's) still binds it.
public final class HostPortReservation: Sendable {
    public let port: Int
    private let descriptor: Int32

    /// Holds `port`, or a free port the kernel picks when it is 0.
    public init(port: Int = 0) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw HostPortError(call: "socket", code: errno) }
        var reuse: Int32 = 1
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> HostPortError? in
                guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                    return HostPortError(call: "setsockopt", code: errno)
                }
                guard bind(descriptor, address, length) == 0 else { return HostPortError(call: "bind", code: errno) }
                guard getsockname(descriptor, address, &length) == 0 else { return HostPortError(call: "getsockname", code: errno) }
                return nil
            }
        }
        if let failure = bound {
            close(descriptor)
            throw failure
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// A port that could not be held: the call that failed and its errno.
public struct HostPortError: Error, CustomStringConvertible {
    public let call: String
    public let code: Int32
    public var description: String { "\(call) for a 127.0.0.1 port failed: \(String(cString: strerror(code)))" }
}
