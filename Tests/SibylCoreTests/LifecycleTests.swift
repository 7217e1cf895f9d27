import SibylCore
import Testing

@Suite struct LifecycleTests {
    func api(_ status: PredictionAPI.Status, locked: Bool = false, kind: PredictionAPI.Kind = .official) -> PredictionAPI {
        PredictionAPI(id: "api_x", projectID: 1, modelID: "mdl_a", kind: kind, status: status, locked: locked, createdAt: 0)
    }

    @Test func aTrialAPIHasTheLimitAndAnOfficialOneNone() {
        #expect(api(.building, kind: .trial).requestLimit == 100)
        #expect(api(.building, kind: .official).requestLimit == nil)
    }

    @Test(arguments: [
        (PredictionAPI.Status.operating, PredictionAPI.Status.stopped), (.updating, .stopped), (.failed, .stopped),
        (.stopped, .stopped),
    ])
    func stop(from: PredictionAPI.Status, to: PredictionAPI.Status) throws {
        #expect(try api(from).stopped().status == to)
    }

    @Test(arguments: [PredictionAPI.Status.building, .deleting])
    func stopRefused(from: PredictionAPI.Status) {
        #expect(throws: SibylError.self) { try api(from).stopped() }
    }

    @Test(arguments: PredictionAPI.Status.allCases)
    func aLockedAPICannotBeStopped(from: PredictionAPI.Status) {
        #expect { try api(from, locked: true).stopped() } throws: { ($0 as? SibylError)?.code == .conflict }
    }

    @Test(arguments: [
        (PredictionAPI.Status.stopped, PredictionAPI.Status.operating), (.operating, .operating), (.updating, .updating),
    ])
    func start(from: PredictionAPI.Status, to: PredictionAPI.Status) throws {
        #expect(try api(from).started().status == to)
    }

    @Test(arguments: [PredictionAPI.Status.building, .failed, .deleting])
    func startRefused(from: PredictionAPI.Status) {
        #expect { try api(from).started() } throws: { ($0 as? SibylError)?.code == .conflict }
    }

    @Test func onlyAStoppedUnlockedAPICanBeDeleted() throws {
        #expect(try api(.stopped).deleting().status == .deleting)
        for status in PredictionAPI.Status.allCases where status != .stopped {
            #expect { try api(status).deleting() } throws: { ($0 as? SibylError)?.code == .conflict }
        }
        #expect { try api(.stopped, locked: true).deleting() } throws: { ($0 as? SibylError)?.code == .conflict }
    }

    @Test func anyoneLocksOnlyAnAdminUnlocks() throws {
        let locked = api(.operating).lockedByMember()
        #expect(locked.locked)
        #expect { try locked.unlocked(by: .member) } throws: { ($0 as? SibylError)?.code == .forbidden }
        #expect(try locked.unlocked(by: .admin).locked == false)
    }

    @Test func changingTheModelRollsOutAsUpdating() throws {
        let operating = try api(.operating).changingModel(to: "mdl_b")
        #expect(operating.status == .updating && operating.modelID == "mdl_b")
        let stopped = try api(.stopped).changingModel(to: "mdl_b")
        #expect(stopped.status == .stopped && stopped.modelID == "mdl_b")
        #expect { try api(.building).changingModel(to: "mdl_b") } throws: { ($0 as? SibylError)?.code == .conflict }
    }

    @Test func servingStates() {
        #expect(PredictionAPI.Status.allCases.filter { api($0).isServing } == [.operating, .updating])
    }
}

@Suite struct UTCDayTests {
    @Test func daysRoundTrip() {
        #expect(UTCDay.string(fromEpochSeconds: 0) == "1970-01-01")
        #expect(UTCDay.string(fromEpochSeconds: 86_399) == "1970-01-01")
        #expect(UTCDay.string(fromEpochSeconds: 86_400) == "1970-01-02")
        #expect(UTCDay.string(fromEpochSeconds: 951_782_400) == "2000-02-29")
        #expect(UTCDay.epochSeconds(of: "2000-02-29") == 951_782_400)
        #expect(UTCDay.epochSeconds(of: "2001-02-29") == nil)
        #expect(UTCDay.epochSeconds(of: "2026-13-01") == nil)
        #expect(UTCDay.epochSeconds(of: "26-11-23") == nil)
        #expect(UTCDay.dateTime(fromEpochSeconds: 1_795_456_641) == "2026-11-23T17:57:21Z")
    }

    @Test func usageDaysSplitSuccessFromErrors() {
        let day = UsageDay(date: "2026-11-23", byStatus: [200: 5, 401: 2, 429: 1, 503: 3])
        #expect(day.status200 == 5)
        #expect(day.status4xx5xx == 6)
    }
}
