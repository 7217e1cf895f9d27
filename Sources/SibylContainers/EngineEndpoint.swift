import AsyncHTTPClient
import Foundation

/// Where the Docker-compatible engine API listens (Docker, or `podman system service`).
public enum EngineEndpoint: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(String)
    case tcp(host: String, port: Int)

    /// Parses the `DOCKER_HOST` spellings: `unix:///run/podman/podman.sock` or `tcp://127.0.0.1:2375`.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw EngineEndpointParseError(text: text) }
            self = .unixSocket(path)
            return
        }
        guard text.hasPrefix("tcp://") else { throw EngineEndpointParseError(text: text) }
        let hostPort = text.dropFirst("tcp://".count).split(separator: "/", maxSplits: 1).first ?? ""
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw EngineEndpointParseError(text: text) }
        var host = hostPort[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { throw EngineEndpointParseError(text: text) }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The URL AsyncHTTPClient dials for `pathAndQuery` (which starts with "/").
    func url(_ pathAndQuery: String) -> String {
        switch self {
        case .unixSocket(let path):
            // AsyncHTTPClient takes the socket path, percent-encoded, as the host of an http+unix URL.
            URL(httpURLWithSocketPath: path, uri: pathAndQuery)?.absoluteString ?? "http+unix://invalid\(pathAndQuery)"
        case .tcp(let host, let port):
            host.contains(":") ? "http://[\(host)]:\(port)\(pathAndQuery)" : "http://\(host):\(port)\(pathAndQuery)"
        }
    }
}

public struct EngineEndpointParseError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "invalid container engine endpoint \"\(text)\": expected unix:///path/to.sock or tcp://host:port"
    }
}
