import Foundation
import Logging
import SibylCore
@testable import SibylStore
import SibylTestDatabases
import SQLKit
import Testing

/// Captures as stored, on SQLite and PostgreSQL alike: in batches, written once, read in pages in order
/// across the batches of several nodes, deleted past their retention to the millisecond.
@Suite struct CaptureStoreTests {
    func capture(_ id: String, api: String = "api_a", time: Int64, status: Int = 200, request: [UInt8] = Array(#"{"rows": [[1]]}"#.utf8))
        -> Capture
    {
        Capture(id: id, apiID: api, time: time, version: 1, keyID: "key_k", status: status, mediaType: "application/json", request: request, answer: [0, 255, 10])
    }

    /// Every capture of an API from its first, in pages of `size`.
    func paged(_ store: Store, _ api: String = "api_a", from: Int64 = 0, to: Int64 = .max, size: Int) async throws -> [Capture] {
        var paged: [Capture] = []
        var cursor: CaptureCursor?
        repeat {
            let page = try await store.captures(apiID: api, from: from, to: to, after: cursor, limit: size)
            paged += page
            cursor = page.count == size ? page.last.map(CaptureCursor.init) : nil
        } while cursor != nil
        return paged
    }

    @Test(arguments: TestDatabase.kinds) func capturesAreWrittenOncePagedAndExpired(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            // 250 captures, two at each time (ordered by id), and one of another API.
            let captures = (0..<250).map { capture("cap_\(1000 + $0)", time: 10_000 + Int64($0 / 2)) } + [capture("cap_b", api: "api_b", time: 10_000)]
            try await store.addCaptures(CaptureBatch.batches(captures))
            try await store.addCaptures(CaptureBatch.batches(captures))  // the same batches sent again: nothing twice
            let all = try await store.captures(apiID: "api_a", from: 0, to: .max, after: nil, limit: 1_000)
            #expect(all == Array(captures.prefix(250)))
            #expect(try await paged(store, size: 7) == all)
            #expect(try await store.captures(apiID: "api_a", from: 10_010, to: 10_011, after: nil, limit: 100).map(\.id)
                == ["cap_1020", "cap_1021", "cap_1022", "cap_1023"])
            try await store.deleteCaptures(apiID: "api_a", before: 10_100)
            #expect(try await store.captures(apiID: "api_a", from: 0, to: .max, after: nil, limit: 1_000) == Array(all.drop { $0.time < 10_100 }))
            #expect(try await store.captures(apiID: "api_b", from: 0, to: .max, after: nil, limit: 10).count == 1)
        }
    }

    /// Three nodes write batches of the same minutes; a batch ends at a quarter megabyte of bodies or a minute
    /// of captures. Pages of any size read every capture once, in time and id order, and a period's answered
    /// count holds whatever batches its ends cut.
    @Test(arguments: TestDatabase.kinds) func batchesOfSeveralNodesReadInOrder(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            var written: [Capture] = []
            for node in 0..<3 {
                // Every 700 ms for three minutes, each node with its own times, some refused, some large.
                let captures = (0..<260).map { index in
                    let large = index % 50 == 7 ? [UInt8](repeating: 65, count: 100_000) : Array("{}".utf8)
                    return capture("cap_\(node)_\(1000 + index)", time: 1_000_000 + Int64(index * 700 + node * 233), status: index % 9 == 0 ? 422 : 200,
                                   request: large)
                }
                for slice in stride(from: 0, to: captures.count, by: 100) {  // flushes of 100
                    try await store.addCaptures(CaptureBatch.batches(Array(captures[slice..<min(slice + 100, captures.count)])))
                }
                written += captures
            }
            let ordered = written.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            for size in [1, 7, 500, 1_000] { #expect(try await paged(store, size: size) == ordered, "pages of \(size)") }
            let (from, to): (Int64, Int64) = (1_030_100, 1_150_000)
            #expect(try await paged(store, from: from, to: to, size: 13) == ordered.filter { $0.time >= from && $0.time <= to })
            #expect(try await store.answeredCaptureCount(apiID: "api_a", from: from, to: to)
                == ordered.filter { $0.time >= from && $0.time <= to && $0.status == 200 }.count)
            let bytes = try await store.capturePage(apiID: "api_a", from: 0, to: .max, after: nil, limit: 500, byteLimit: 150_000)
            #expect(bytes == Array(ordered.prefix(bytes.count)) && bytes.map(\.request.count).reduce(0, +) <= 150_000
                && bytes.count < 500 && ordered[bytes.count].request.count + bytes.map(\.request.count).reduce(0, +) > 150_000)
            try await store.deleteCaptures(apiID: "api_a", before: 1_090_000)
            #expect(try await paged(store, size: 50) == ordered.filter { $0.time >= 1_090_000 })
        }
    }

    /// Captures written a row each before batches are moved into batches, none lost or changed.
    @Test(arguments: TestDatabase.kinds) func migration0010BatchesTheCapturesOfRows(_ kind: TestDatabase.Kind) async throws {
        let database = try await TestDatabase.make(kind)
        let before = Array(Migrations.all.prefix { $0.name != "0010_capture_batches" })
        let old = try await Store.open(url: database.url, dataDirectory: database.folder, logger: Logger(label: "test"), migrations: before)
        let captures = (0..<2_500).map { capture("cap_\(10_000 + $0)", api: $0 % 3 == 0 ? "api_b" : "api_a", time: 50_000 + Int64($0 * 40)) }
        for capture in captures {
            try await old.run { db in
                try await db.raw("""
                    INSERT INTO captures (id, api_id, endpoint, captured_at, version, key_id, status, media_type, request, answer)
                    VALUES (\(bind: capture.id), \(bind: capture.apiID), 'predict', \(bind: capture.time), 1, 'key_k', 200,
                      'application/json', \(bind: Data(capture.request)), \(bind: Data(capture.answer)))
                    """).run()
            }
        }
        try await old.shutdown()
        let migrated = try await database.open()
        for api in ["api_a", "api_b"] {
            #expect(try await paged(migrated, api, size: 1_000) == captures.filter { $0.apiID == api })
        }
        try await migrated.shutdown()
        try await database.drop()
    }
}
