import SibylCore

/// What the supervisor sees of a deployment right now: its status and, per region, its replicas.
public struct DeploymentView: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public var ready: Int
        public var total: Int
        /// Why a replica is failing, when one is.
        public var error: String?

        public init(ready: Int, total: Int, error: String? = nil) {
            self.ready = ready
            self.total = total
            self.error = error
        }
    }

    public var status: DeploymentStatus
    public var regions: [Int: Region]

    public init(status: DeploymentStatus, regions: [Int: Region]) {
        self.status = status
        self.regions = regions
    }
}

/// One line a replica wrote.
public struct DeploymentLogLine: Sendable {
    /// ISO 8601.
    public var time: String
    public var message: String
    /// The replica's container name.
    public var replica: String
    public var regionID: Int
}

/// Where a ready replica listens, for the gateway to forward to.
public struct ReplicaEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
}
