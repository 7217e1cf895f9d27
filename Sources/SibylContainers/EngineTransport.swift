import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One engine round trip: the HTTP plumbing and the mapping of its failures onto `EngineError`.
struct EngineTransport: Sendable {
    /// Pinned so that a newer Docker answers in the shape this client decodes; podman serves 1.41.
    static let apiPrefix = "/v1.41"

    let endpoint: EngineEndpoint
    let client: HTTPClient

    struct Response {
        let status: Int
        let body: ByteBuffer
    }

    /// Sends the request and collects the whole answer, whatever its status.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: (any Encodable)? = nil,
        timeout: TimeAmount = .seconds(30), maxBytes: Int = 4 << 20, prefix: String = apiPrefix
    ) async throws -> Response {
        let response = try await open(method, path, query: query, json: json, timeout: timeout, prefix: prefix)
        let body: ByteBuffer?
        do {
            body = try await Self.within(.nanoseconds(timeout.nanoseconds)) {
                try await response.body.collect(upTo: maxBytes)
            }
        } catch is NIOTooManyBytesError {
            throw EngineError(status: 502, message: "\(method) \(path): answer larger than \(maxBytes) bytes")
        } catch {
            throw unreachable(error, timeout: timeout)
        }
        guard let body else { throw unreachable(HTTPClientError.deadlineExceeded, timeout: timeout) }
        return Response(status: Int(response.status.code), body: body)
    }

    /// Sends the request and hands back the answer with its body still streaming.
    func open(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: (any Encodable)? = nil,
        headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30), prefix: String = apiPrefix
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: endpoint.url(prefix + path + Self.queryString(query)))
        request.method = method
        if case .unixSocket = endpoint {
            // Go's HTTP server rejects a request without Host, and AsyncHTTPClient sends none over a unix socket.
            request.headers.add(name: "Host", value: "localhost")
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            return try await client.execute(request, timeout: timeout)
        } catch {
            throw unreachable(error, timeout: timeout)
        }
    }

    func unreachable(_ error: any Error, timeout: TimeAmount) -> EngineError {
        if let error = error as? EngineError { return error }
        if let error = error as? HTTPClientError, error == .deadlineExceeded {
            let seconds = timeout.nanoseconds / 1_000_000_000
            return EngineError(status: 0, message: "\(endpoint) gave no answer within \(seconds) s")
        }
        return EngineError(status: 0, message: "\(endpoint): \(error)")
    }

    /// Throws the engine's own error message unless the status is one of `expected`.
    func check(_ response: Response, _ expected: Set<Int>, _ what: @autoclosure () -> String) throws {
        guard !expected.contains(response.status) else { return }
        throw EngineError(status: response.status, message: Self.message(response.body) ?? what())
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: Response, _ what: @autoclosure () -> String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
        } catch {
            throw EngineError(status: 502, message: "\(what()): unexpected answer from the engine: \(error)")
        }
    }

    /// Docker and podman both answer errors with {"message": "..."}; anything else is passed on as text.
    static func message(_ body: ByteBuffer) -> String? {
        struct Wire: Decodable { let message: String }
        if let wire = try? JSONDecoder().decode(Wire.self, from: Data(body.readableBytesView)) { return wire.message }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : String(text.prefix(1000))
    }

    /// Nil when `operation` is still running after `timeout` (it is then cancelled). AsyncHTTPClient's own
    /// deadline ends once the response head arrives, so it cannot bound a streamed answer.
    static func within<T: Sendable>(
        _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    static func queryString(_ query: [(String, String)]) -> String {
        query.isEmpty ? "" : "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-escapes all but unreserved characters and `kept` (image references keep "/:@" in paths).
    static func escape(_ text: String, keeping kept: String = "") -> String {
        let unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
        let allowed = CharacterSet(charactersIn: unreserved + kept)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
