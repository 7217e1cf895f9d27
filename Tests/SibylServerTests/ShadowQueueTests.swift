import Foundation
import Logging
import SibylCore
import SibylRuntime
import SibylStore
import SibylTestDatabases
import Testing

@testable import SibylApp

/// The shadow's queue holds at most `shadowQueueRequests` requests: offered before its thread runs, that many
/// wait and are compared, and the next one is skipped (counted, never waited for).
@Suite struct ShadowQueueTests {
    @Test func theRequestPastTheQueuesLimitIsSkippedAndTheOthersCompared() async throws {
        try await TestDatabase.with(.sqlite) { store in try await Self.fillAndRun(store) }
    }

    static func fillAndRun(_ store: Store) async throws {
        let answering = ServedVersion(
            number: 1, modelID: "m1", model: try CompiledModel.load(Fixtures.bytes("xgb_binary/model.json"), format: nil))
        let shadow = ServedVersion(
            number: 2, modelID: "m2", model: try CompiledModel.load(Fixtures.bytes("lgbm_binary/model.txt"), format: nil))
        let row = try Fixtures.table("data/X_test.csv").rows[0].map { Float($0 ?? .nan) }
        let input = FeatureMatrix(rows: 1, columns: row.count, values: row)
        let predictions = answering.model.predict(input)
        let limit = 3
        let runner = ShadowRunner(
            store: store, interval: .seconds(3_600), logger: Logger(label: "test"), requestLimit: limit, cellLimit: .max, cpuShare: 1)
        for _ in 0...limit {
            runner.offer(apiID: "api_a", shadow: shadow, answering: answering, input: input, predictions: predictions)
        }
        let today = UTCDay.string(fromEpochSeconds: store.clock.now())
        let waiting = try await runner.days(apiID: "api_a", from: today, to: today)
        #expect(waiting.values.map(\.skipped) == [1] && waiting.values.map(\.requests) == [0])

        let running = Task { try await runner.run() }
        var compared = 0
        for _ in 0..<200 where compared < limit {
            try await Task.sleep(for: .milliseconds(10))
            compared = try await runner.days(apiID: "api_a", from: today, to: today).values.map(\.requests).reduce(0, +)
        }
        running.cancel()
        try await running.value
        let days = try await runner.days(apiID: "api_a", from: today, to: today)
        #expect(days.values.map(\.requests) == [limit] && days.values.map(\.skipped) == [1] && days.values.map(\.failed) == [0])
    }
}
