import Foundation
import SibylContainers
import SibylCore
import SibylHTTP

/// A deployment as the compatible API answers it: the spec with every default written out (the vendor's
/// strict client requires probe timings, `triggers`, `credentials_name` and `description`), its status,
/// address and replica counts.
struct DeploymentAnswer: Encodable {
    struct Container: Encodable {
        struct DeployStatus: Encodable {
            let ready: Int
            let total: Int
        }

        let regionID: Int
        let scale: Scale
        let deployStatus: DeployStatus
        let address: String
        let errorMessage: String?

        enum CodingKeys: String, CodingKey {
            case scale, address
            case regionID = "region_id", deployStatus = "deploy_status", errorMessage = "error_message"
        }
    }

    let name: String
    let projectID: Int
    let image: String
    let listeningPort: Int
    let flavorName: String
    let status: String
    let containers: [Container]
    let authEnabled: Bool
    let apiKeys: [String]
    let command: String?
    let envs: [String: String]
    let probes: Probes?
    let timeout: Int
    let ingressOpts: IngressOptions
    let logging: LoggingOptions?
    let credentialsName: String
    let description: String
    let address: String
    let createdAt: String
    let objectReferences: [String] = []

    enum CodingKeys: String, CodingKey {
        case name, image, status, containers, command, envs, probes, timeout, logging, description, address
        case projectID = "project_id", listeningPort = "listening_port", flavorName = "flavor_name"
        case authEnabled = "auth_enabled", apiKeys = "api_keys", ingressOpts = "ingress_opts"
        case credentialsName = "credentials_name", createdAt = "created_at", objectReferences = "object_references"
    }

    init(_ deployment: Deployment, view: DeploymentView, address: String) {
        let spec = deployment.spec
        name = deployment.name
        projectID = deployment.projectID
        image = spec.image
        listeningPort = spec.listeningPort
        flavorName = spec.flavorName
        status = view.status.rawValue
        self.address = address
        containers = spec.containers.map { placement in
            let region = view.regions[placement.regionID] ?? .init(ready: 0, total: 0)
            var scale = placement.scale
            scale.triggers = scale.triggers ?? Triggers()
            scale.cooldownPeriod = scale.cooldownPeriod ?? Scale.defaultCooldownPeriod
            scale.pollingInterval = scale.pollingInterval ?? Scale.defaultPollingInterval
            return Container(
                regionID: placement.regionID, scale: scale, deployStatus: .init(ready: region.ready, total: region.total),
                address: address, errorMessage: region.error)
        }
        authEnabled = spec.requiresKey
        apiKeys = spec.apiKeys ?? []
        // The vendor's answer model holds the command as one string; the words are joined as a shell would read them.
        command = spec.command.map { words in words.map(Self.shellQuoted).joined(separator: " ") }
        envs = spec.envs ?? [:]
        probes = spec.probes.map { probes in
            func filled(_ config: ProbeConfig?) -> ProbeConfig? {
                config.map { ProbeConfig(enabled: $0.enabled, probe: $0.probe?.filled) }
            }
            return Probes(
                startupProbe: filled(probes.startupProbe), readinessProbe: filled(probes.readinessProbe),
                livenessProbe: filled(probes.livenessProbe))
        }
        timeout = spec.idleTimeout
        ingressOpts = spec.ingressOpts ?? IngressOptions(disableResponseBuffering: false)
        logging = spec.logging
        credentialsName = spec.credentialsName ?? ""
        description = spec.description ?? ""
        createdAt = UTCDay.dateTime(fromEpochSeconds: deployment.createdAt)
    }

    private static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
