import SibylCore
@testable import SibylStore
import SibylTestDatabases
import Testing

/// Captures as stored, on SQLite and PostgreSQL alike: written once per id, read in pages, deleted past
/// their retention.
@Suite struct CaptureStoreTests {
    func capture(_ id: String, api: String = "api_a", time: Int64) -> Capture {
        Capture(
            id: id, apiID: api, time: time, version: 1, keyID: "key_k", status: 200, mediaType: "application/json",
            request: Array(#"{"rows": [[1]]}"#.utf8), answer: [0, 255, 10])
    }

    @Test(arguments: TestDatabase.kinds) func capturesAreWrittenOncePagedAndExpired(_ kind: TestDatabase.Kind) async throws {
        try await TestDatabase.with(kind) { store in
            // 250 captures: more than one INSERT's rows; two share a time, ordered by id.
            let captures = (0..<250).map { capture("cap_\(1000 + $0)", time: 10_000 + Int64($0 / 2)) } + [capture("cap_b", api: "api_b", time: 10_000)]
            try await store.addCaptures(captures)
            try await store.addCaptures(Array(captures.prefix(120)))  // a batch sent again: nothing twice
            let all = try await store.captures(apiID: "api_a", from: 0, to: .max, after: nil, limit: 1_000)
            #expect(all == Array(captures.prefix(250)))
            var paged: [Capture] = []
            var cursor: CaptureCursor?
            repeat {
                let page = try await store.captures(apiID: "api_a", from: 0, to: .max, after: cursor, limit: 7)
                paged += page
                cursor = page.count == 7 ? page.last.map(CaptureCursor.init) : nil
            } while cursor != nil
            #expect(paged == all)
            #expect(try await store.captures(apiID: "api_a", from: 10_010, to: 10_011, after: nil, limit: 100).map(\.id)
                == ["cap_1020", "cap_1021", "cap_1022", "cap_1023"])
            try await store.deleteCaptures(apiID: "api_a", before: 10_100)
            #expect(try await store.captures(apiID: "api_a", from: 0, to: .max, after: nil, limit: 1_000).map(\.time).min() == 10_100)
            #expect(try await store.captures(apiID: "api_b", from: 0, to: .max, after: nil, limit: 10).count == 1)
        }
    }
}
