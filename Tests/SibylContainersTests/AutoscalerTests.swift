import SibylCore
import Testing
@testable import SibylContainers

/// The scaling rules, without containers.
@Suite struct AutoscalerTests {
    static let quiet = Autoscaler.Load(requestsInWindow: 0)

    static func target(
        _ scale: Scale, current: Int, stopped: Bool = false, idle: Double = 0, timeout: Int = 120, demand: Bool = false,
        load: Autoscaler.Load = quiet, sinceChange: Double = 1_000
    ) -> Int {
        Autoscaler.target(
            scale: scale, current: current, stopped: stopped, idleSeconds: idle, idleTimeout: timeout, demand: demand,
            load: load, secondsSinceLastChange: sinceChange)
    }

    @Test func stoppedIdleAndInUse() {
        let toZero = Scale(min: 0, max: 3)
        #expect(Self.target(toZero, current: 2, stopped: true) == 0)
        #expect(Self.target(toZero, current: 2, idle: 120) == 0)
        #expect(Self.target(Scale(min: 2, max: 3), current: 3, idle: 500) == 2)
        // In use (or just started) with min 0: one replica; a held request asks for one even when idle.
        #expect(Self.target(toZero, current: 0, idle: 5) == 1)
        #expect(Self.target(toZero, current: 0, idle: 500, demand: true) == 1)
        #expect(Self.target(toZero, current: 5) == 3)
    }

    @Test func triggersAddAndRemoveOneReplicaPerCooldown() {
        let http = Scale(min: 1, max: 4, cooldownPeriod: 30, triggers: Triggers(http: HTTPTrigger(rate: 10, window: 60)))
        // 25 requests for 2 replicas is 12.5 each, above 10: one more.
        #expect(Self.target(http, current: 2, load: .init(requestsInWindow: 25)) == 3)
        // Within the cooldown nothing changes.
        #expect(Self.target(http, current: 2, load: .init(requestsInWindow: 25), sinceChange: 10) == 2)
        // Under half the rate: one fewer, never under min.
        #expect(Self.target(http, current: 3, load: .init(requestsInWindow: 6)) == 2)
        #expect(Self.target(http, current: 1, load: .init(requestsInWindow: 0)) == 1)
        // Between half and the whole rate: steady.
        #expect(Self.target(http, current: 2, load: .init(requestsInWindow: 14)) == 2)
        #expect(Self.target(http, current: 4, load: .init(requestsInWindow: 400)) == 4)

        let cpu = Scale(min: 1, max: 3, triggers: Triggers(cpu: Threshold(threshold: 60), memory: Threshold(threshold: 80)))
        #expect(Self.target(cpu, current: 1, load: .init(requestsInWindow: 0, cpuPercent: 75, memoryPercent: 10)) == 2)
        #expect(Self.target(cpu, current: 2, load: .init(requestsInWindow: 0, cpuPercent: 10, memoryPercent: 85)) == 3)
        #expect(Self.target(cpu, current: 2, load: .init(requestsInWindow: 0, cpuPercent: 10, memoryPercent: 10)) == 1)
        // Without stats yet, no decision.
        #expect(Self.target(cpu, current: 2) == 2)
    }
}

@Suite struct RequestCounterTests {
    @Test func countsTheWindowAndForgetsOlderSeconds() {
        var counter = RequestCounter()
        for second in [-3, -3, 0, 5, 5, 5, 9] as [Int64] { counter.record(at: second) }
        #expect(counter.count(window: 1, upTo: 5) == 3)
        #expect(counter.count(window: 10, upTo: 9) == 5)
        #expect(counter.count(window: 20, upTo: 9) == 7)
        // An hour later the same slots hold nothing of the old seconds.
        #expect(counter.count(window: 60, upTo: 9 + Int64(RequestCounter.slots)) == 0)
        counter.record(at: 5 + Int64(RequestCounter.slots))
        #expect(counter.count(window: 1, upTo: 5 + Int64(RequestCounter.slots)) == 1)
    }
}
