import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Where the CLI finds the server and its token: `sibyl login` writes them to `config.json` in the user's
/// config folder (`$XDG_CONFIG_HOME/sibyl`, else `~/.config/sibyl`), readable by the user only;
/// `SIBYL_URL` and `SIBYL_TOKEN` override what is stored.
struct Credentials: Codable {
    var url: String
    var token: String

    static var folder: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("sibyl", isDirectory: true)
    }

    static var file: URL { folder.appendingPathComponent("config.json") }

    static func stored() -> Credentials? {
        (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(Credentials.self, from: $0) }
    }

    /// The stored credentials with the environment's overrides; an error says how to log in.
    static func current() throws -> Credentials {
        let stored = stored()
        guard let url = setting("SIBYL_URL") ?? stored?.url, let token = setting("SIBYL_TOKEN") ?? stored?.token else {
            throw CLIError("not logged in: run `sibyl login --url URL` (or set SIBYL_URL and SIBYL_TOKEN)")
        }
        return Credentials(url: url, token: token)
    }

    /// The server alone (`predict` needs no token): `SIBYL_URL`, else the stored one.
    static func server() -> String? {
        setting("SIBYL_URL") ?? stored()?.url
    }

    private static func setting(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Written with mode 0600 in a folder of mode 0700, created so: the token never exists readable by others.
    func save() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: Self.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        let path = Self.file.path
        _ = manager.createFile(atPath: path + ".tmp", contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".tmp"))
        try handle.write(contentsOf: data)
        try handle.close()
        guard rename(path + ".tmp", path) == 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    static func forget() throws {
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
    }
}

/// One answer of the server: its status, and its body as JSON when it is JSON.
struct ServerAnswer {
    let status: Int
    var headers = HTTPHeaders()
    let body: [UInt8]
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Calls the server's API with the logged-in token; a non-2xx answer becomes a `CLIError` carrying the
/// server's error code and message.
struct ServerClient {
    let base: String
    let token: String?

    init(_ credentials: Credentials) {
        base = credentials.url.hasSuffix("/") ? String(credentials.url.dropLast()) : credentials.url
        token = credentials.token
    }

    init(url: String, token: String?) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.token = token
    }

    /// `progress`, when given, is told how many bytes of `body` were handed to the connection so far.
    @discardableResult
    func call(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, body: [UInt8]? = nil, contentType: String? = nil,
        headers: [(String, String)] = [], authorized: Bool = true, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> ServerAnswer {
        let answer = try await send(
            method, path, json: json, body: body, contentType: contentType, headers: headers, authorized: authorized,
            progress: progress)
        guard (200..<300).contains(answer.status) else { throw CLIError(answer) }
        return answer
    }

    /// `call` that returns a refusal too, for a caller that acts on it.
    func send(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, body: [UInt8]? = nil, contentType: String? = nil,
        headers: [(String, String)] = [], authorized: Bool = true, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> ServerAnswer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if authorized, let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let progress {
                request.body = .stream(Chunks(bytes: body, progress: progress), length: .known(Int64(body.count)))
            } else {
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        } catch {
            throw CLIError("cannot reach \(base): \(error)")
        }
        var collected = try await response.body.collect(upTo: 1 << 30)
        return ServerAnswer(
            status: Int(response.status.code), headers: response.headers,
            body: collected.readBytes(length: collected.readableBytes) ?? [])
    }
}

/// A body sent in 256 KiB chunks, each counted as it is handed over (for an upload's progress bar).
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let size = 256 << 10
    let bytes: [UInt8]
    let progress: @Sendable (Int) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let progress: @Sendable (Int) -> Void
        var offset = 0

        mutating func next() async -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + Chunks.size, bytes.count)
            defer { offset = end }
            progress(end)
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, progress: progress) }
}
