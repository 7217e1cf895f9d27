/// A container deployment as stored: its spec and what its owner last asked (running or stopped).
/// Its status is not stored: the supervisor derives it from the replicas it sees (see `DeploymentStatus`).
public struct Deployment: Sendable, Equatable {
    public var projectID: Int
    public var name: String
    public var spec: DeploymentSpec
    /// Stopped by its owner: no replicas, no requests, until started again.
    public var stopped: Bool
    /// A delete was accepted; the supervisor removes its containers, then the record.
    public var deleting: Bool
    /// Locked: it cannot be stopped or deleted until an admin unlocks it (as a prediction API).
    public var locked: Bool
    /// The addresses that may call it; nil admits every address (Sibyl's addition to seed 002).
    public var whitelist: IPWhitelist?
    public var createdAt: Int64

    public init(
        projectID: Int, name: String, spec: DeploymentSpec, stopped: Bool = false, deleting: Bool = false, locked: Bool = false,
        whitelist: IPWhitelist? = nil, createdAt: Int64
    ) {
        self.projectID = projectID
        self.name = name
        self.spec = spec
        self.stopped = stopped
        self.deleting = deleting
        self.locked = locked
        self.whitelist = whitelist
        self.createdAt = createdAt
    }

    /// Lower-case DNS-label characters, 4 to 30 of them (the vendor's rule): the name appears in paths,
    /// container names and the deployment's address.
    public static func validateName(_ name: String) throws(SibylError) {
        let characters = Array(name.utf8)
        let allowed = characters.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard (4...30).contains(characters.count), allowed, characters.first != 0x2D, characters.last != 0x2D else {
            throw SibylError(
                .invalidInput, "name: 4 to 30 lower-case letters, digits and hyphens, starting and ending with a letter or digit")
        }
    }

    /// A key name: 1 to 64 letters, digits, dots, hyphens and underscores.
    public static func validateKeyName(_ name: String) throws(SibylError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        guard (1...64).contains(name.utf8.count), allowed else {
            throw SibylError(.invalidInput, "name: 1 to 64 letters, digits, dots, hyphens and underscores")
        }
    }
}

/// The statuses of seed 002, in its spelling.
public enum DeploymentStatus: String, Sendable, Codable, CaseIterable {
    /// Accepted; no container exists yet.
    case deploying = "DEPLOYING"
    /// Containers exist but not all are ready; a failing one says why.
    case partiallyDeployed = "PARTIALLYDEPLOYED"
    /// Every wanted replica is ready and serving.
    case active = "ACTIVE"
    /// Stopped by its owner.
    case disabled = "DISABLED"
    /// Scaled to zero; the next request starts a replica.
    case pending = "PENDING"
    case deleting = "DELETING"
}

/// A size of container: what a replica may use. Flavors come from the node's configuration.
public struct Flavor: Sendable, Equatable, Codable {
    public var name: String
    /// vCPUs, possibly fractional.
    public var cpu: Double
    /// GiB.
    public var memory: Double
    public var description: String

    public init(name: String, cpu: Double, memory: Double, description: String = "") {
        self.name = name
        self.cpu = cpu
        self.memory = memory
        self.description = description
    }

    public var memoryBytes: Int { Int(memory * 1_073_741_824) }
    public var nanoCPUs: Int { Int(cpu * 1_000_000_000) }

    /// Reads `NAME:CPU:MEMORY_GIB`, the form of `--flavor`.
    public init(parsing text: String) throws(SibylError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let cpu = Double(parts[1]), cpu > 0, let memory = Double(parts[2]), memory > 0,
            !parts[0].isEmpty
        else { throw SibylError(.invalidInput, "flavor \(text): expected NAME:CPU:MEMORY_GIB, e.g. cpu-1:1:2") }
        self.init(name: String(parts[0]), cpu: cpu, memory: memory)
    }

    /// The flavors a node offers when its configuration names none.
    public static let defaults = [
        Flavor(name: "inference-0.5vcpu-512mib", cpu: 0.5, memory: 0.5, description: "half a vCPU, 512 MiB"),
        Flavor(name: "inference-1vcpu-1gib", cpu: 1, memory: 1, description: "1 vCPU, 1 GiB"),
        Flavor(name: "inference-2vcpu-4gib", cpu: 2, memory: 4, description: "2 vCPUs, 4 GiB"),
    ]
}

/// A project's key for calling deployments (the compatible API's "API key"): attached by name to any
/// number of deployments. Only the SHA-256 of its secret is kept.
public struct InferenceKey: Sendable, Equatable {
    public var projectID: Int
    public var name: String
    public var description: String?
    /// Epoch seconds after which the key no longer opens anything.
    public var expiresAt: Int64?
    public var createdAt: Int64
    public var secretHash: String

    public init(projectID: Int, name: String, description: String?, expiresAt: Int64?, createdAt: Int64, secretHash: String) {
        self.projectID = projectID
        self.name = name
        self.description = description
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.secretHash = secretHash
    }

    public func isValid(at now: Int64) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// An asynchronous change of a deployment, polled by clients until it finishes (seed 002's tasks).
public struct DeploymentTask: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case create = "create_inference_instance"
        case update = "update_inference_instance"
        case delete = "delete_inference_instance"
    }

    public enum State: String, Sendable {
        case new = "NEW", running = "RUNNING", finished = "FINISHED", error = "ERROR"
    }

    public var id: String
    public var projectID: Int
    public var userID: Int
    public var kind: Kind
    public var state: State
    public var deploymentName: String
    public var error: String?
    public var createdAt: Int64
    public var finishedAt: Int64?

    public init(
        id: String, projectID: Int, userID: Int, kind: Kind, state: State, deploymentName: String, error: String? = nil,
        createdAt: Int64, finishedAt: Int64? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.userID = userID
        self.kind = kind
        self.state = state
        self.deploymentName = deploymentName
        self.error = error
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}
