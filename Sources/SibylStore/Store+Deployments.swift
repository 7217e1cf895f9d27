import Foundation
import SQLKit
import SibylCore

extension Store {
    /// Adds a deployment with its create task; a name taken in the project is a conflict.
    public func insertDeployment(_ deployment: Deployment, task: DeploymentTask) async throws(SibylError) {
        let spec = Self.json(deployment.spec)
        try await run(transaction: true) { db in
            let taken = try await Self.exists("deployments", projectID: deployment.projectID, name: deployment.name, db)
            guard !taken else { throw SibylError(.conflict, "a deployment named \(deployment.name) exists in this project") }
            try await Self.checkKeys(deployment.spec.apiKeys, projectID: deployment.projectID, db)
            try await db.raw("""
                INSERT INTO deployments (project_id, name, spec_json, stopped, deleting, locked, whitelist, created_at)
                VALUES (\(bind: deployment.projectID), \(bind: deployment.name), \(bind: spec), \(bind: deployment.stopped),
                  \(bind: deployment.deleting), \(bind: deployment.locked), \(bind: Self.whitelistText(deployment.whitelist)),
                  \(bind: deployment.createdAt))
                """).run()
            try await Self.insert(task, db)
        }
    }

    /// Replaces a deployment's spec (with its update task), or marks it stopped, started, deleting or locked.
    /// The whitelist is left as stored: it changes only through `changeDeploymentWhitelist`.
    public func updateDeployment(_ deployment: Deployment, task: DeploymentTask?) async throws(SibylError) {
        let spec = Self.json(deployment.spec)
        try await run(transaction: true) { db in
            try await Self.checkKeys(deployment.spec.apiKeys, projectID: deployment.projectID, db)
            let found = try await db.raw("""
                UPDATE deployments SET spec_json = \(bind: spec), stopped = \(bind: deployment.stopped),
                  deleting = \(bind: deployment.deleting), locked = \(bind: deployment.locked)
                WHERE project_id = \(bind: deployment.projectID) AND name = \(bind: deployment.name) RETURNING name
                """).first() != nil
            guard found else { throw SibylError(.notFound, "no such deployment") }
            if let task { try await Self.insert(task, db) }
        }
    }

    /// Replaces a deployment's whitelist with what `edit` makes of the stored deployment, holding its row
    /// meanwhile (on PostgreSQL): two edits made at once through different nodes each see the other's.
    public func changeDeploymentWhitelist(
        projectID: Int, name: String, _ edit: @escaping @Sendable (Deployment) throws -> IPWhitelist?
    ) async throws(SibylError) -> Deployment {
        try await run(transaction: true) { db in
            guard var deployment = try await db.raw("""
                SELECT * FROM deployments WHERE project_id = \(bind: projectID) AND name = \(bind: name)\(unsafeRaw: Self.lockingRows(db))
                """).first().map(Self.deployment)
            else { throw SibylError(.notFound, "no such deployment") }
            deployment.whitelist = try edit(deployment)
            try await db.raw("""
                UPDATE deployments SET whitelist = \(bind: Self.whitelistText(deployment.whitelist))
                WHERE project_id = \(bind: projectID) AND name = \(bind: name)
                """).run()
            return deployment
        }
    }

    public func deleteDeployment(projectID: Int, name: String) async throws(SibylError) {
        try await run { db in
            try await db.raw("DELETE FROM deployments WHERE project_id = \(bind: projectID) AND name = \(bind: name)").run()
        }
    }

    public func deployment(projectID: Int, name: String) async throws(SibylError) -> Deployment? {
        try await run { db in
            try await db.raw("SELECT * FROM deployments WHERE project_id = \(bind: projectID) AND name = \(bind: name)")
                .first().map(Self.deployment)
        }
    }

    /// A project's deployments by name, or every deployment when `projectID` is nil (the supervisor's view).
    public func deployments(projectID: Int?) async throws(SibylError) -> [Deployment] {
        try await run { db in
            let rows = if let projectID {
                try await db.raw("SELECT * FROM deployments WHERE project_id = \(bind: projectID) ORDER BY name").all()
            } else {
                try await db.raw("SELECT * FROM deployments ORDER BY project_id, name").all()
            }
            return try rows.map(Self.deployment)
        }
    }

    /// This installation's identifier, made by the first node that asks (every node sharing the database
    /// gets the same one).
    public func installationID() async throws(SibylError) -> String {
        let candidate = Identifier.randomCharacters(16)
        return try await run(transaction: true) { db in
            if let row = try await db.raw("SELECT uid FROM installation WHERE id = 1").first() {
                return try row.decode(column: "uid", as: String.self)
            }
            try await db.raw("INSERT INTO installation (id, uid) VALUES (1, \(bind: candidate))").run()
            return candidate
        }
    }

    // MARK: Tasks

    public func task(id: String) async throws(SibylError) -> DeploymentTask? {
        try await run { db in try await db.raw("SELECT * FROM deployment_tasks WHERE id = \(bind: id)").first().map(Self.task) }
    }

    /// Tasks of the given projects, newest first, in the given states (all when none is given).
    public func tasks(projectIDs: [Int], states: [DeploymentTask.State]) async throws(SibylError) -> [DeploymentTask] {
        guard !projectIDs.isEmpty else { return [] }
        let states = (states.isEmpty ? [.new, .running, .finished, .error] : states).map(\.rawValue)
        return try await run { db in
            try await db.raw("""
                SELECT * FROM deployment_tasks WHERE project_id IN (\(binds: projectIDs)) AND state IN (\(binds: states))
                ORDER BY created_at DESC, id
                """).all().map(Self.task)
        }
    }

    /// Ends every unfinished task of a deployment: FINISHED, or ERROR with `error`.
    public func finishTasks(projectID: Int, deploymentName: String, kinds: [DeploymentTask.Kind], error: String?) async throws(SibylError) {
        let state = error == nil ? DeploymentTask.State.finished : .error
        try await run { db in
            for kind in kinds {
                try await db.raw("""
                    UPDATE deployment_tasks SET state = \(bind: state.rawValue), error = \(bind: error),
                      finished_at = \(bind: self.clock.now())
                    WHERE project_id = \(bind: projectID) AND deployment_name = \(bind: deploymentName)
                      AND kind = \(bind: kind.rawValue) AND state IN ('NEW', 'RUNNING')
                    """).run()
            }
        }
    }

    // MARK: Inference keys

    public func insertInferenceKey(_ key: InferenceKey) async throws(SibylError) {
        try await run(transaction: true) { db in
            let taken = try await Self.exists("inference_keys", projectID: key.projectID, name: key.name, db)
            guard !taken else { throw SibylError(.conflict, "a key named \(key.name) exists in this project") }
            try await db.raw("""
                INSERT INTO inference_keys (project_id, name, description, expires_at, created_at, secret_hash)
                VALUES (\(bind: key.projectID), \(bind: key.name), \(bind: key.description), \(bind: key.expiresAt),
                  \(bind: key.createdAt), \(bind: key.secretHash))
                """).run()
        }
    }

    public func inferenceKeys(projectID: Int?) async throws(SibylError) -> [InferenceKey] {
        try await run { db in
            let rows = if let projectID {
                try await db.raw("SELECT * FROM inference_keys WHERE project_id = \(bind: projectID) ORDER BY name").all()
            } else {
                try await db.raw("SELECT * FROM inference_keys ORDER BY project_id, name").all()
            }
            return try rows.map(Self.inferenceKey)
        }
    }

    public func updateInferenceKey(projectID: Int, name: String, description: String?) async throws(SibylError) -> InferenceKey? {
        try await run { db in
            try await db.raw("""
                UPDATE inference_keys SET description = \(bind: description)
                WHERE project_id = \(bind: projectID) AND name = \(bind: name) RETURNING *
                """).first().map(Self.inferenceKey)
        }
    }

    /// Deletes a key no deployment uses; one that is attached is a conflict naming the deployments.
    public func deleteInferenceKey(projectID: Int, name: String) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            let users = try await db.raw("SELECT * FROM deployments WHERE project_id = \(bind: projectID) ORDER BY name").all()
                .map(Self.deployment).filter { ($0.spec.apiKeys ?? []).contains(name) }.map(\.name)
            guard users.isEmpty else {
                throw SibylError(.conflict, "the key is attached to \(users.joined(separator: ", ")): detach it first")
            }
            return try await db.raw("""
                DELETE FROM inference_keys WHERE project_id = \(bind: projectID) AND name = \(bind: name) RETURNING name
                """).first() != nil
        }
    }

    // MARK: Rows

    /// Whether the project holds a row named `name` in `table`.
    private static func exists(_ table: String, projectID: Int, name: String, _ db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT name FROM \(ident: table) WHERE project_id = \(bind: projectID) AND name = \(bind: name)")
            .first() != nil
    }

    private static func checkKeys(_ names: [String]?, projectID: Int, _ db: any SQLDatabase) async throws {
        guard let names, !names.isEmpty else { return }
        let known = Set(try await db.raw("SELECT name FROM inference_keys WHERE project_id = \(bind: projectID)").all()
            .map { try $0.decode(column: "name", as: String.self) })
        if let missing = names.first(where: { !known.contains($0) }) {
            throw SibylError(.invalidInput, "api_keys: no key named \(missing) in this project")
        }
    }

    private static func insert(_ task: DeploymentTask, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO deployment_tasks (id, project_id, user_id, kind, state, deployment_name, error, created_at, finished_at)
            VALUES (\(bind: task.id), \(bind: task.projectID), \(bind: task.userID), \(bind: task.kind.rawValue),
              \(bind: task.state.rawValue), \(bind: task.deploymentName), \(bind: task.error), \(bind: task.createdAt),
              \(bind: task.finishedAt))
            """).run()
    }

    static func json(_ spec: DeploymentSpec) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(spec), as: UTF8.self)
    }

    static func deployment(_ row: any SQLRow) throws -> Deployment {
        Deployment(
            projectID: try row.decode(column: "project_id", as: Int.self), name: try row.decode(column: "name", as: String.self),
            spec: try JSONDecoder().decode(DeploymentSpec.self, from: Data(try row.decode(column: "spec_json", as: String.self).utf8)),
            stopped: try row.decode(column: "stopped", as: Bool.self), deleting: try row.decode(column: "deleting", as: Bool.self),
            locked: try row.decode(column: "locked", as: Bool.self),
            whitelist: try row.decode(column: "whitelist", as: String?.self).map(whitelist),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    /// A whitelist as stored: its rules as `action:priority:cidr`, separated by spaces ("" admits nobody; NULL, no
    /// whitelist).
    private static func whitelistText(_ whitelist: IPWhitelist?) -> String? {
        whitelist.map { $0.rules.map { "\($0.action.rawValue):\($0.priority):\($0.cidr)" }.joined(separator: " ") }
    }

    /// Reads `whitelistText`; a bare CIDR block (as written before rules had actions) allows, in its order.
    private static func whitelist(_ text: String) throws -> IPWhitelist {
        var rules: [IPRule] = []
        for (index, token) in text.split(separator: " ").enumerated() {
            let parts = token.split(separator: ":", maxSplits: 2)
            if parts.count == 3, let action = IPRule.Action(rawValue: String(parts[0])), let priority = Int(parts[1]) {
                rules.append(IPRule(try CIDR(String(parts[2])), action, priority: priority))
            } else {
                rules.append(IPRule(try CIDR(String(token)), .allow, priority: index + 1))
            }
        }
        return try IPWhitelist(rules: rules)
    }

    private static func task(_ row: any SQLRow) throws -> DeploymentTask {
        DeploymentTask(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: Int.self),
            userID: try row.decode(column: "user_id", as: Int.self),
            kind: DeploymentTask.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .create,
            state: DeploymentTask.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .error,
            deploymentName: try row.decode(column: "deployment_name", as: String.self),
            error: try row.decode(column: "error", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self))
    }

    private static func inferenceKey(_ row: any SQLRow) throws -> InferenceKey {
        InferenceKey(
            projectID: try row.decode(column: "project_id", as: Int.self), name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            secretHash: try row.decode(column: "secret_hash", as: String.self))
    }
}

/// Registry credentials and secrets of a project; their sensitive values arrive here sealed.
extension Store {
    /// Adds credentials, or replaces those of the same name when `replace` is set (404 when absent then).
    public func saveCredentials(_ credentials: SealedCredentials, replace: Bool) async throws(SibylError) {
        try await run(transaction: true) { db in
            let exists = try await Self.exists("registry_credentials", projectID: credentials.projectID, name: credentials.name, db)
            if replace {
                guard exists else { throw SibylError(.notFound, "no such registry credentials") }
                try await db.raw("""
                    UPDATE registry_credentials SET registry_url = \(bind: credentials.registryURL), username = \(bind: credentials.username),
                      password_sealed = \(bind: credentials.sealedPassword)
                    WHERE project_id = \(bind: credentials.projectID) AND name = \(bind: credentials.name)
                    """).run()
            } else {
                guard !exists else { throw SibylError(.conflict, "registry credentials named \(credentials.name) exist in this project") }
                try await db.raw("""
                    INSERT INTO registry_credentials (project_id, name, registry_url, username, password_sealed)
                    VALUES (\(bind: credentials.projectID), \(bind: credentials.name), \(bind: credentials.registryURL),
                      \(bind: credentials.username), \(bind: credentials.sealedPassword))
                    """).run()
            }
        }
    }

    public func credentials(projectID: Int) async throws(SibylError) -> [SealedCredentials] {
        try await run { db in
            try await db.raw("SELECT * FROM registry_credentials WHERE project_id = \(bind: projectID) ORDER BY name").all().map { row in
                SealedCredentials(
                    projectID: try row.decode(column: "project_id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                    registryURL: try row.decode(column: "registry_url", as: String.self),
                    username: try row.decode(column: "username", as: String.self),
                    sealedPassword: try row.decode(column: "password_sealed", as: String.self))
            }
        }
    }

    /// Deletes credentials no deployment pulls with; one that does makes this a conflict.
    public func deleteCredentials(projectID: Int, name: String) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            let users = try await db.raw("SELECT * FROM deployments WHERE project_id = \(bind: projectID) ORDER BY name").all()
                .map(Self.deployment).filter { $0.spec.credentialsName == name }.map(\.name)
            guard users.isEmpty else {
                throw SibylError(.conflict, "deployment \(users.joined(separator: ", ")) pulls with these credentials")
            }
            return try await db.raw("""
                DELETE FROM registry_credentials WHERE project_id = \(bind: projectID) AND name = \(bind: name) RETURNING name
                """).first() != nil
        }
    }

    public func saveSecret(_ secret: SealedSecret, replace: Bool) async throws(SibylError) {
        try await run(transaction: true) { db in
            let exists = try await Self.exists("inference_secrets", projectID: secret.projectID, name: secret.name, db)
            if replace {
                guard exists else { throw SibylError(.notFound, "no such secret") }
                try await db.raw("""
                    UPDATE inference_secrets SET type = \(bind: secret.type), data_sealed = \(bind: secret.sealedData)
                    WHERE project_id = \(bind: secret.projectID) AND name = \(bind: secret.name)
                    """).run()
            } else {
                guard !exists else { throw SibylError(.conflict, "a secret named \(secret.name) exists in this project") }
                try await db.raw("""
                    INSERT INTO inference_secrets (project_id, name, type, data_sealed)
                    VALUES (\(bind: secret.projectID), \(bind: secret.name), \(bind: secret.type), \(bind: secret.sealedData))
                    """).run()
            }
        }
    }

    public func secrets(projectID: Int) async throws(SibylError) -> [SealedSecret] {
        try await run { db in
            try await db.raw("SELECT * FROM inference_secrets WHERE project_id = \(bind: projectID) ORDER BY name").all().map { row in
                SealedSecret(
                    projectID: try row.decode(column: "project_id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                    type: try row.decode(column: "type", as: String.self), sealedData: try row.decode(column: "data_sealed", as: String.self))
            }
        }
    }

    public func deleteSecret(projectID: Int, name: String) async throws(SibylError) -> Bool {
        try await run { db in
            try await db.raw("""
                DELETE FROM inference_secrets WHERE project_id = \(bind: projectID) AND name = \(bind: name) RETURNING name
                """).first() != nil
        }
    }
}
