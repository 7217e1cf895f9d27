import Foundation
import Hummingbird
import NIOCore
import SibylContainers
import SibylCore
import SibylHTTP

/// A page of a list: `count` is the total, so that clients following `offset` know when to stop.
struct CloudPage<Item: Encodable>: Encodable {
    let count: Int
    let results: [Item]

    /// The page of `items` that `limit` and `offset` in the query select (100 and 0 by default, limit at most 1,000).
    init(_ items: [Item], query: Request) throws(SibylError) {
        let parameters = query.uri.queryParameters
        let limit = try Self.number(parameters.get("limit"), name: "limit", default: 100, range: 1...1_000)
        let offset = try Self.number(parameters.get("offset"), name: "offset", default: 0, range: 0...Int.max)
        count = items.count
        results = Array(items.dropFirst(offset).prefix(limit))
    }

    init(all items: [Item]) {
        count = items.count
        results = items
    }

    private static func number(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(SibylError) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw SibylError(.invalidInput, "\(name): expected an integer from \(range.lowerBound)\(range.upperBound == .max ? " up" : " to \(range.upperBound)")")
        }
        return number
    }
}

struct TaskList: Encodable {
    let tasks: [String]
}

/// A task as clients poll it.
struct TaskAnswer: Encodable {
    struct CreatedResources: Encodable {
        let inferenceInstances: [String]
        enum CodingKeys: String, CodingKey { case inferenceInstances = "inference_instances" }
    }

    let id: String
    let state: String
    let taskType: String
    let userID: Int
    let projectID: Int
    let createdOn: String
    let finishedOn: String?
    let error: String?
    let createdResources: CreatedResources?

    enum CodingKeys: String, CodingKey {
        case id, state, error
        case taskType = "task_type", userID = "user_id", projectID = "project_id", createdOn = "created_on"
        case finishedOn = "finished_on", createdResources = "created_resources"
    }

    init(_ task: DeploymentTask) {
        id = task.id
        state = task.state.rawValue
        taskType = task.kind.rawValue
        userID = task.userID
        projectID = task.projectID
        createdOn = UTCDay.dateTime(fromEpochSeconds: task.createdAt)
        finishedOn = task.finishedAt.map(UTCDay.dateTime(fromEpochSeconds:))
        error = task.error
        // A finished create names what it made: the vendor's client reads the deployment's name from here.
        createdResources = task.kind == .create && task.state == .finished
            ? CreatedResources(inferenceInstances: [task.deploymentName]) : nil
    }
}

struct FlavorAnswer: Encodable {
    let name: String
    let cpu: Double
    let memory: Double
    let gpu = 0
    let gpuMemory = 0.0
    let gpuModel = ""
    let gpuComputeCapability = ""
    let isGPUShared = false
    let description: String

    enum CodingKeys: String, CodingKey {
        case name, cpu, memory, gpu, description
        case gpuMemory = "gpu_memory", gpuModel = "gpu_model", gpuComputeCapability = "gpu_compute_capability"
        case isGPUShared = "is_gpu_shared"
    }

    init(_ flavor: Flavor) {
        name = flavor.name
        cpu = flavor.cpu
        memory = flavor.memory
        description = flavor.description
    }
}

struct InferenceKeyAnswer: Encodable {
    let name: String
    let description: String?
    let expiresAt: String?
    let createdAt: String
    let deploymentNames: [String]
    /// Only in the answer that creates the key.
    let secret: String?

    enum CodingKeys: String, CodingKey {
        case name, description, secret
        case expiresAt = "expires_at", createdAt = "created_at", deploymentNames = "deployment_names"
    }

    init(_ key: InferenceKey, deployments: [Deployment], secret: String? = nil) {
        name = key.name
        description = key.description
        expiresAt = key.expiresAt.map(UTCDay.dateTime(fromEpochSeconds:))
        createdAt = UTCDay.dateTime(fromEpochSeconds: key.createdAt)
        deploymentNames = deployments.filter { ($0.spec.apiKeys ?? []).contains(key.name) }.map(\.name)
        self.secret = secret
    }
}

/// How many more replicas of each flavor a region could take. Sibyl does not reserve resources, so this
/// is what the replica limit of one deployment allows.
struct CapacityAnswer: Encodable {
    struct Entry: Encodable {
        let flavorName: String
        let capacity: Int
        enum CodingKeys: String, CodingKey {
            case capacity
            case flavorName = "flavor_name"
        }
    }

    let regionID: Int
    let capacity: [Entry]

    enum CodingKeys: String, CodingKey {
        case capacity
        case regionID = "region_id"
    }

    init(regionID: Int, flavors: [Flavor]) {
        self.regionID = regionID
        capacity = flavors.map { Entry(flavorName: $0.name, capacity: DeploymentSpec.maxReplicas) }
    }
}

/// A region: one container engine of the node's configuration.
struct RegionAnswer: Encodable {
    let id: Int
    let displayName: String
    let state = "ACTIVE"
    let hasAI = true
    let hasAIGPU = false

    enum CodingKeys: String, CodingKey {
        case id, state
        case displayName = "display_name", hasAI = "has_ai", hasAIGPU = "has_ai_gpu"
    }

    init(id: Int) {
        self.id = id
        displayName = "Region \(id)"
    }
}

/// One line a replica wrote, with the replica (`pod`) that wrote it.
struct LogAnswer: Encodable {
    let message: String
    let pod: String
    let regionID: Int
    let time: String

    enum CodingKeys: String, CodingKey {
        case message, pod, time
        case regionID = "region_id"
    }

    init(_ line: DeploymentLogLine) {
        message = line.message
        pod = line.replica
        regionID = line.regionID
        time = line.time
    }
}

/// A deployment's lock and whitelist, Sibyl's additions (snake_case through `JSONAnswer`).
struct GuardAnswer: Encodable {
    let name: String
    let locked: Bool
    /// Nil: every address may call it. The blocks of the allow rules, and the rules in full.
    let ipWhitelist: [String]?
    let ipRules: [RuleAnswer]?

    init(_ deployment: Deployment) {
        name = deployment.name
        locked = deployment.locked
        ipWhitelist = deployment.whitelist.map { $0.allowed.map(\.description) }
        ipRules = deployment.whitelist.map(RuleAnswer.list)
    }

    enum CodingKeys: String, CodingKey {
        case name, locked, ipWhitelist, ipRules
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(locked, forKey: .locked)
        // Written as null, not left out: no whitelist is an answer, not a missing one.
        try container.encode(ipWhitelist, forKey: .ipWhitelist)
        try container.encode(ipRules, forKey: .ipRules)
    }
}
