import SibylCore

/// One container of a deployment, as the supervisor tracks it.
struct Replica: Sendable {
    enum Phase: Sendable, Equatable {
        /// Created; not yet ready (or never, if its readiness check keeps failing).
        case starting
        case ready
        /// Was ready; its readiness probe now fails: out of rotation, not restarted.
        case unready
        /// Exited, or killed by a failed liveness or startup probe; replaced after `restartAt`.
        case failed
    }

    enum ProbeKind: Sendable, CaseIterable {
        case startup, readiness, liveness
    }

    let name: String
    let region: Int
    /// The revision of the spec it was made from (image, command, environment, port, flavor).
    let revision: String
    let containerID: String
    /// Its published 127.0.0.1 port.
    var port: Int?
    /// That port, held while the replica lives (on the node that runs it, not on followers).
    var reservation: HostPortReservation?
    var phase = Phase.starting
    let createdAt: ContinuousClock.Instant
    var startupPassed = false
    var successes: [ProbeKind: Int] = [:]
    var failures: [ProbeKind: Int] = [:]
    var nextProbe: [ProbeKind: ContinuousClock.Instant] = [:]
    var nextInspect: ContinuousClock.Instant
    /// Why it failed, shown as its region's `error_message`.
    var error: String?
    var restartAt: ContinuousClock.Instant?

    init(
        name: String, region: Int, revision: String, containerID: String, port: Int?, reservation: HostPortReservation? = nil,
        now: ContinuousClock.Instant
    ) {
        self.name = name
        self.region = region
        self.revision = revision
        self.containerID = containerID
        self.port = port
        self.reservation = reservation
        createdAt = now
        nextInspect = now
    }

    var isServing: Bool { phase == .ready }
}
