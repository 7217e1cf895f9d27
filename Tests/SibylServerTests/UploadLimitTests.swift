import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SibylApp
import SibylServer
import Testing

/// At most `modelUploadConcurrency` model uploads at once per node, held open here by bodies sent slowly.
@Suite struct UploadLimitTests {
    /// An upload whose body is sent in two halves: the first at once, the rest when `finish` is called.
    final class SlowUpload: Sendable {
        private let body: AsyncStream<ByteBuffer>.Continuation
        private let rest: [UInt8]
        private let answer: Task<TestNode.Answer, any Error>

        init(_ node: TestNode, name: String, file: [UInt8]) {
            let (stream, body) = AsyncStream.makeStream(of: ByteBuffer.self)
            body.yield(ByteBuffer(bytes: file[..<(file.count / 2)]))
            self.body = body
            rest = Array(file[(file.count / 2)...])
            answer = Task {
                var request = HTTPClientRequest(url: "http://\(node.clientHost):\(node.port)/api/v1/projects/1/models?name=\(name)")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "apikey \(TestNode.adminToken)")
                request.body = .stream(stream, length: .known(Int64(file.count)))
                let response = try await TestNode.client.execute(request, timeout: .seconds(60))
                let answer = try await response.body.collect(upTo: 1 << 20)
                return TestNode.Answer(
                    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(buffer: answer))
            }
        }

        func finish() async throws -> TestNode.Answer {
            body.yield(ByteBuffer(bytes: rest))
            body.finish()
            return try await answer.value
        }
    }

    @Test func uploadsOverTheLimitAreRefusedBeforeTheirBodyIsRead() async throws {
        let node = try await TestNode { $0.modelUploadConcurrency = 2 }
        defer { node.removeData() }
        let file = try Fixtures.bytes("xgb_binary/model.json")
        let first = SlowUpload(node, name: "first", file: file)
        let second = SlowUpload(node, name: "second", file: file)

        // Once both hold their slot, a third upload, however small, is refused at once.
        var refused: TestNode.Answer?
        let deadline = ContinuousClock.now + .seconds(10)
        while refused == nil && ContinuousClock.now < deadline {
            let empty = try await node.call(.POST, "/api/v1/projects/1/models?name=empty", body: [])
            if empty.status == 503 {
                refused = empty
            } else {
                #expect(empty.status == 422 && empty.errorMessage == "the model file is empty")
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let answer = try #require(refused, "a third upload was never refused")
        #expect(answer.errorCode == "overloaded")
        #expect(answer.errorMessage == "2 model uploads are in progress on this node: retry shortly")
        #expect(answer.headers.first { $0.0.lowercased() == "retry-after" }?.1 == "1")

        // One slot free again: an upload beside the one still held is at the limit, and passes.
        #expect(try await first.finish().status == 201)
        let atTheLimit = try await node.call(.POST, "/api/v1/projects/1/models?name=third", body: file)
        #expect(atTheLimit.status == 201, "\(atTheLimit.text)")
        #expect(try await second.finish().status == 201)
        #expect((try await node.call(.GET, "/api/v1/projects/1/models")["results"] as? [Any])?.count == 3)
        await node.stop()
    }
}
