import SibylCore
import Testing

/// A batch of captures: read back as written, bounded in bytes and in time, and refused when it does not
/// read whole.
@Suite struct CaptureBatchTests {
    func capture(_ id: String, time: Int64, status: Int = 200, request: [UInt8] = Array("{}".utf8)) -> Capture {
        Capture(
            id: id, apiID: "api_a", endpoint: .v2, time: time, version: 3, keyID: "key_k", status: status,
            mediaType: "application/octet-stream; inference-header-content-length=2", request: request, answer: [0, 255, 10])
    }

    @Test func aBatchReadsBackAsWrittenAndACutOneIsRefused() throws {
        let captures = [capture("cap_2", time: .max, request: Array(0...255)), capture("cap_1", time: -5, status: 503, request: [])]
        var batch = CaptureBatch(apiID: "api_a")
        for capture in captures { batch.append(capture) }
        #expect(try batch.captures() == captures)
        #expect(batch.id == "cap_2" && batch.firstAt == -5 && batch.lastAt == .max && batch.answered == 1)
        func stored(_ bytes: [UInt8]) -> CaptureBatch {
            CaptureBatch(id: batch.id, apiID: "api_a", firstAt: batch.firstAt, lastAt: batch.lastAt, answered: 1, bytes: bytes)
        }
        #expect(try stored(batch.bytes).captures() == captures)
        #expect(try stored([1]).captures().isEmpty)
        for length in [0, 9, 20, batch.bytes.count - 1] {
            #expect(throws: SibylError.self) { try stored(Array(batch.bytes.prefix(length))).captures() }
        }
        #expect(throws: SibylError.self) { try stored([2] + batch.bytes.dropFirst()).captures() }
        var huge = batch.bytes
        huge.replaceSubrange(1..<9, with: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])  // an id "longer" than the batch
        #expect(throws: SibylError.self) { try stored(huge).captures() }
    }

    /// A batch ends at `byteLimit` bytes or `span` milliseconds: the capture past either starts the next.
    @Test func aBatchEndsAtItsBytesOrItsMinute() {
        let step = 50_000
        let body = [UInt8](repeating: 65, count: step)
        let captures = (0..<12).map { capture("cap_\(100 + $0)", time: 1_000 * Int64($0), request: body) }
        let bySize = CaptureBatch.batches(captures)
        #expect(bySize.count > 1 && bySize.allSatisfy { $0.bytes.count <= CaptureBatch.byteLimit })
        #expect(bySize.map(\.id) == bySize.map { try! $0.captures()[0].id })
        #expect(bySize.flatMap { try! $0.captures() } == captures)

        let spread = [0, 30_000, 60_000, 60_001, 200_000].enumerated().map { capture("cap_\(100 + $0.offset)", time: Int64($0.element)) }
        let byTime = CaptureBatch.batches(spread)
        #expect(byTime.map { try! $0.captures().map(\.time) } == [[0, 30_000, 60_000], [60_001], [200_000]])
        #expect(byTime.allSatisfy { $0.lastAt - $0.firstAt <= CaptureBatch.span })

        var alone = CaptureBatch(apiID: "api_a")
        #expect(alone.admits(time: 0, size: CaptureBatch.byteLimit * 2))  // an empty batch takes any capture
        alone.append(capture("cap_1", time: 0))
        #expect(!alone.admits(time: 0, size: CaptureBatch.byteLimit) && alone.admits(time: CaptureBatch.span, size: 10))
        #expect(!alone.admits(time: -1 - CaptureBatch.span, size: 10))
    }
}
