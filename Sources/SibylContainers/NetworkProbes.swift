import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import SibylCore

/// Runs one probe against a replica: whether it passed within its timeout. With no probe, the check is a
/// TCP connect to the listening port: a replica takes requests once its app accepts connections.
public protocol ProbeRunner: Sendable {
    func passes(_ probe: Probe?, port: Int, containerID: String, engine: any ContainerEngine) async -> Bool
}

/// Probes from outside the container (engines here cannot schedule health checks): an HTTP GET or a TCP
/// connect to the replica's published port, or a command run inside it.
public struct NetworkProbes: ProbeRunner {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func passes(_ probe: Probe?, port: Int, containerID: String, engine: any ContainerEngine) async -> Bool {
        guard let probe else { return await connects(port: port, timeout: .seconds(1)) }
        let timeout = TimeAmount.seconds(Int64(probe.timeout))
        if let http = probe.httpGet {
            let scheme = (http.schema ?? "HTTP").lowercased()
            var request = HTTPClientRequest(url: "\(scheme)://127.0.0.1:\(port)\(http.path ?? "/")")
            for (name, value) in http.headers ?? [:] { request.headers.add(name: name, value: value) }
            if let host = http.host { request.headers.replaceOrAdd(name: "Host", value: host) }
            guard let response = try? await client.execute(request, timeout: timeout) else { return false }
            _ = try? await response.body.collect(upTo: 1 << 16)
            return (200..<400).contains(response.status.code)
        }
        if probe.tcpSocket != nil { return await connects(port: port, timeout: timeout) }
        if let exec = probe.exec {
            return (try? await engine.exec(containerID, command: exec.command, timeoutSeconds: probe.timeout)) == 0
        }
        return false
    }

    private func connects(port: Int, timeout: TimeAmount) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(timeout)
        guard let channel = try? await bootstrap.connect(host: "127.0.0.1", port: port).get() else { return false }
        try? await channel.close()
        return true
    }
}
