import SibylCore
import Testing

/// Versions and traffic splits as pure rules: which version a request goes to, and which changes are allowed.
@Suite struct ModelVersionTests {
    func api(_ status: PredictionAPI.Status = .operating, locked: Bool = false) -> PredictionAPI {
        PredictionAPI(id: "api_x", projectID: 1, modelID: "mdl_a", kind: .official, status: status, locked: locked, createdAt: 0)
    }

    func split(_ weights: [(Int, Int)], sticky: Bool = false) throws(SibylError) -> TrafficSplit {
        try TrafficSplit(shares: weights.map { TrafficSplit.Share(version: $0.0, weight: $0.1) }, sticky: sticky)
    }

    @Test func aNewModelIsTheNextVersionWithAllTheTraffic() throws {
        var api = api()
        api.traffic = try split([(1, 50), (2, 50)])
        api.latestVersion = 2
        let next = try api.changingModel(to: "mdl_c")
        #expect(next.version == 3 && next.latestVersion == 3 && next.modelID == "mdl_c")
        #expect(next.traffic == nil && next.status == .updating && next.servedVersions == [3])
    }

    @Test func aRollbackMakesAVersionCurrentAndEndsTheSplit() throws {
        var api = try api().changingModel(to: "mdl_b")
        api.status = .operating
        let back = try api.rollingBack(to: ModelVersion(number: 1, modelID: "mdl_a", createdAt: 0))
        #expect(back.version == 1 && back.latestVersion == 2 && back.modelID == "mdl_a" && back.status == .updating)
        // The version already answering everything: nothing changes (a repeated call).
        #expect(try back.rollingBack(to: ModelVersion(number: 1, modelID: "mdl_a", createdAt: 0)) == back)
        var split = back
        split.traffic = try self.split([(1, 90), (2, 10)])
        #expect(try split.rollingBack(to: ModelVersion(number: 1, modelID: "mdl_a", createdAt: 0)).traffic == nil)
    }

    @Test(arguments: [PredictionAPI.Status.building, .failed, .deleting])
    func versionsChangeOnlyOnAnAPIThatWasBuilt(status: PredictionAPI.Status) {
        #expect { try api(status).changingModel(to: "mdl_b") } throws: { ($0 as? SibylError)?.code == .conflict }
        #expect { try api(status).splitting(try split([(1, 50), (2, 50)]), known: [1, 2]) } throws: {
            ($0 as? SibylError)?.code == .conflict
        }
    }

    @Test func aLockedAPIKeepsItsVersionsAndTraffic() throws {
        let locked = api(locked: true)
        #expect { try locked.changingModel(to: "mdl_b") } throws: { ($0 as? SibylError)?.code == .conflict }
        #expect { try locked.splitting(try split([(1, 50), (2, 50)]), known: [1, 2]) } throws: { ($0 as? SibylError)?.code == .conflict }
        #expect { try locked.rollingBack(to: ModelVersion(number: 2, modelID: "mdl_b", createdAt: 0)) } throws: {
            ($0 as? SibylError)?.code == .conflict
        }
        // Asking for what already holds is not an edit.
        #expect(try locked.splitting(nil, known: [1]) == locked)
    }

    @Test func aSplitNamesOnlyVersionsTheAPIHas() throws {
        let split = try split([(1, 50), (3, 50)])
        #expect { try api().splitting(split, known: [1, 2]) } throws: {
            ($0 as? SibylError)?.code == .invalidInput && ($0 as? SibylError)?.message.contains("no version 3") == true
        }
        #expect(try api().splitting(split, known: [1, 2, 3]).servedVersions == [1, 3])
    }

    @Test(arguments: [
        [(1, 100)], [(1, 50), (2, 49)], [(1, 50), (2, 51)], [(1, 0), (2, 100)], [(1, 50), (1, 50)], [(1, -10), (2, 110)],
        (1...11).map { ($0, $0 == 1 ? 0 : 10) }, [],
    ])
    func badSplitsAreRefused(weights: [(Int, Int)]) {
        #expect { try split(weights) } throws: { ($0 as? SibylError)?.code == .invalidInput }
    }

    /// Buckets 0–99 fall in the shares in version order, whatever order they were given in: the weights are
    /// exact percentages of the buckets.
    @Test func bucketsFallInTheSharesInVersionOrder() throws {
        let split = try split([(7, 10), (2, 60), (5, 30)])
        #expect(split.versions == [2, 5, 7])
        let counts = Dictionary(grouping: 0..<100) { split.version(bucket: $0) }.mapValues(\.count)
        #expect(counts == [2: 60, 5: 30, 7: 10])
        #expect(split.version(bucket: 59) == 2 && split.version(bucket: 60) == 5 && split.version(bucket: 90) == 7)
    }

    /// Sticky: a key's bucket is a function of its id alone (the same on every node and every start); keys
    /// spread over the buckets. Not sticky: each request draws.
    @Test func stickyBucketsFollowTheKeyAndSpread() throws {
        let sticky = try split([(1, 50), (2, 50)], sticky: true)
        let keys = (0..<1_000).map { "key_\($0)" }
        let buckets = keys.map { sticky.bucket(keyID: $0) }
        #expect(keys.map { sticky.bucket(keyID: $0) } == buckets)
        #expect(buckets.allSatisfy { (0..<100).contains($0) })
        let first = buckets.filter { sticky.version(bucket: $0) == 1 }.count
        #expect((400...600).contains(first), "\(first) of 1,000 keys on version 1")
        // FNV-1a 64 of "key_0", mod 100: fixed by the algorithm, so that nodes of different builds agree.
        #expect(sticky.bucket(keyID: "key_0") == Int(Self.fnv1a("key_0") % 100))
        let drawing = try split([(1, 50), (2, 50)])
        #expect(Set((0..<200).map { _ in drawing.bucket(keyID: "key_0") }).count > 1)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    @Test func theStoredTextReadsBack() throws {
        let split = try split([(3, 25), (1, 75)], sticky: true)
        #expect(split.text == "1:75,3:25")
        #expect(TrafficSplit(text: split.text, sticky: true) == split)
        #expect(TrafficSplit(text: "1:75,3", sticky: false) == nil)
        #expect(TrafficSplit(text: "1:75,3:20", sticky: false) == nil)
    }
}
