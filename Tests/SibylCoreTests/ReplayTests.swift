import SibylCore
import Testing

/// A replay's record: its state as time passes, and its list of differing rows at the limit.
@Suite struct ReplayRecordTests {
    static func replay() -> Replay {
        Replay(id: "rpl_x", apiID: "api_x", version: 2, from: 0, to: 1, tolerance: 0, classifier: true, total: 3, now: 1_000)
    }

    @Test func aRunningReplayWithoutProgressForAMinuteIsShownInterrupted() {
        var replay = Self.replay()
        #expect(replay.state(at: 1_000 + Replay.staleAfterMilliseconds) == .running)
        #expect(replay.state(at: 1_001 + Replay.staleAfterMilliseconds) == .interrupted)
        replay.state = .done
        #expect(replay.state(at: 10 * Replay.staleAfterMilliseconds) == .done)
    }

    @Test func everyDifferingRowIsCountedAndTheFirstTenThousandListed() {
        var replay = Self.replay()
        replay.note(captureID: "cap_a", differing: Array(0..<(Replay.differenceLimit - 1)), answered: { "a\($0)" }, replayed: { "b\($0)" })
        #expect(replay.differences.count == Replay.differenceLimit - 1 && replay.differingRows == Replay.differenceLimit - 1)
        replay.note(captureID: "cap_b", differing: [4, 7], answered: { "a\($0)" }, replayed: { "b\($0)" })
        #expect(replay.differences.count == Replay.differenceLimit && replay.differingRows == Replay.differenceLimit + 1)
        #expect(replay.differences.last == ReplayDifference(captureID: "cap_b", row: 4, answered: "a4", replayed: "b4"))
    }
}
