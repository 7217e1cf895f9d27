import SQLKit
import SibylCore

extension Store {
    /// Creates an API with its first key and whitelist. An official API needs the `trial` edition not to be in
    /// force and a free API option; both are checked inside the same transaction as the insert.
    public func createAPI(_ record: APIRecord) async throws(SibylError) {
        try await run(transaction: true) { db in
            let api = record.api
            if api.kind == .official { try await self.checkOfficialAPIRoom(db) }
            try await db.raw("""
                INSERT INTO apis (id, project_id, name, model_id, kind, status, locked, failure_reason, request_limit,
                  requests_used, missing_features, created_at, updated_at)
                VALUES (\(bind: api.id), \(bind: api.projectID), \(bind: api.name), \(bind: api.modelID), \(bind: api.kind.rawValue),
                  \(bind: api.status.rawValue), \(bind: api.locked), \(bind: api.failureReason), \(bind: api.requestLimit),
                  \(bind: api.requestsUsed), \(bind: api.missingFeatures.rawValue), \(bind: api.createdAt), \(bind: api.createdAt))
                """).run()
            for key in record.keys { try await Self.insert(key, db) }
            try await Self.replaceWhitelist(api.id, record.whitelist, db)
            try await Self.insertVersion(api.id, Self.currentVersion(api), db)
        }
    }

    /// A new row of the API's versions.
    private static func insertVersion(_ apiID: String, _ version: ModelVersion, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO api_versions (api_id, number, model_id, created_at)
            VALUES (\(bind: apiID), \(bind: version.number), \(bind: version.modelID), \(bind: version.createdAt))
            """).run()
    }

    /// The API's current version, as its row of versions has it.
    private static func currentVersion(_ api: PredictionAPI) -> ModelVersion {
        ModelVersion(number: api.version, modelID: api.modelID, createdAt: api.updatedAt)
    }

    /// The number of official APIs that exist, stopped ones included.
    public func officialAPICount() async throws(SibylError) -> Int {
        try await run { db in try await Self.officialAPICount(db) }
    }

    static func officialAPICount(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM apis WHERE kind = 'official'").first()!.decode(column: "n", as: Int.self)
    }

    /// Refuses one more official API unless the license in force has room for it. Called inside the
    /// transaction that makes it official, so two at once cannot both take the last option.
    private func checkOfficialAPIRoom(_ db: any SQLDatabase) async throws {
        let license = try await licenseRow(db)
        if let refusal = license.refusalOfOfficialAPI(inUse: try await Self.officialAPICount(db)) {
            throw SibylError(.conflict, refusal)
        }
    }

    public func api(projectID: Int, id: String) async throws(SibylError) -> PredictionAPI? {
        try await run { db in
            try await db.raw("SELECT * FROM apis WHERE project_id = \(bind: projectID) AND id = \(bind: id)").first()
                .map(Self.api)
        }
    }

    /// Every API with its keys and whitelist: what a node loads into its routing table.
    public func allAPIRecords() async throws(SibylError) -> [APIRecord] {
        try await run { db in try await Self.records(db, where: "") }
    }

    /// The APIs of a project with their keys and whitelists, oldest first.
    public func apiRecords(projectID: Int) async throws(SibylError) -> [APIRecord] {
        try await run { db in try await Self.records(db, where: "WHERE project_id = \(bind: projectID)") }
    }

    /// The API with its keys and whitelist, when it exists in the project.
    public func apiRecord(projectID: Int, id: String) async throws(SibylError) -> APIRecord? {
        try await run { db in
            try await Self.records(db, where: "WHERE project_id = \(bind: projectID) AND id = \(bind: id)").first
        }
    }

    /// The APIs a condition selects, each with its keys and whitelist: three queries, whatever the count.
    private static func records(_ db: any SQLDatabase, where condition: SQLQueryString) async throws -> [APIRecord] {
        let apiRows = try await db.raw("SELECT * FROM apis \(condition) ORDER BY created_at, id").all()
        let keyRows = try await db.raw("SELECT * FROM api_keys ORDER BY created_at, id").all()
        let ruleRows = try await db.raw("SELECT api_id, cidr, action, priority FROM api_whitelist ORDER BY api_id, position").all()
        let versionRows = try await db.raw("SELECT * FROM api_versions ORDER BY api_id, number").all()
        // Assembled in a synchronous function: the same loops inside this async one crash the 6.3 optimizer.
        return try assemble(apis: apiRows, keys: keyRows, rules: ruleRows, versions: versionRows)
    }

    private static func assemble(
        apis apiRows: [any SQLRow], keys keyRows: [any SQLRow], rules ruleRows: [any SQLRow], versions versionRows: [any SQLRow]
    ) throws -> [APIRecord] {
        let apis = try apiRows.map(api)
        let ids = Set(apis.map(\.id))
        var keys: [String: [APIKey]] = [:]
        for row in keyRows {
            let key = try Self.key(row)
            if ids.contains(key.apiID) { keys[key.apiID, default: []].append(key) }
        }
        var rules: [String: [IPRule]] = [:]
        for row in ruleRows {
            let apiID = try row.decode(column: "api_id", as: String.self)
            if ids.contains(apiID) { rules[apiID, default: []].append(try rule(row)) }
        }
        var versions: [String: [ModelVersion]] = [:]
        for row in versionRows {
            let apiID = try row.decode(column: "api_id", as: String.self)
            if ids.contains(apiID) { versions[apiID, default: []].append(try version(row)) }
        }
        return try apis.map {
            APIRecord(
                api: $0, keys: keys[$0.id] ?? [], whitelist: try IPWhitelist(rules: rules[$0.id] ?? []), versions: versions[$0.id] ?? [])
        }
    }

    /// Applies `change` to the stored API and writes the result, atomically: two concurrent changes of one
    /// API (a lock and a stop, say) each see the other's outcome.
    public func changeAPI(
        projectID: Int, id: String, _ change: @escaping @Sendable (PredictionAPI) throws -> PredictionAPI
    ) async throws(SibylError) -> PredictionAPI? {
        try await run(transaction: true) { db in
            guard let current = try await db.raw("""
                SELECT * FROM apis WHERE project_id = \(bind: projectID) AND id = \(bind: id)\(unsafeRaw: Self.lockingRows(db))
                """).first().map(Self.api)
            else { return nil }
            var next = try change(current)
            if next != current {
                if current.kind == .trial && next.kind == .official { try await self.checkOfficialAPIRoom(db) }
                next.updatedAt = self.clock.now()
                try await db.raw("""
                    UPDATE apis SET name = \(bind: next.name), model_id = \(bind: next.modelID), kind = \(bind: next.kind.rawValue),
                      status = \(bind: next.status.rawValue), locked = \(bind: next.locked),
                      failure_reason = \(bind: next.failureReason), request_limit = \(bind: next.requestLimit),
                      missing_features = \(bind: next.missingFeatures.rawValue), updated_at = \(bind: next.updatedAt),
                      version = \(bind: next.version), latest_version = \(bind: next.latestVersion),
                      traffic = \(bind: next.traffic?.text), traffic_sticky = \(bind: next.traffic?.sticky ?? false),
                      shadow_version = \(bind: next.shadow), capture_rate = \(bind: next.capture.rate),
                      capture_retention_days = \(bind: next.capture.retentionDays)
                    WHERE id = \(bind: id)
                    """).run()
                if next.latestVersion > current.latestVersion { try await Self.insertVersion(id, Self.currentVersion(next), db) }
            }
            return next
        }
    }

    /// Adds a version of `modelID` to the API without serving it (`PredictionAPI.addingVersion`); nil when
    /// the project has no such API.
    public func addVersion(projectID: Int, apiID: String, modelID: String) async throws(SibylError) -> ModelVersion? {
        try await run(transaction: true) { db in
            guard let row = try await db.raw("""
                SELECT * FROM apis WHERE project_id = \(bind: projectID) AND id = \(bind: apiID)\(unsafeRaw: Self.lockingRows(db))
                """).first()
            else { return nil }
            let next = try Self.api(row).addingVersion()
            let version = ModelVersion(number: next.latestVersion, modelID: modelID, createdAt: self.clock.now())
            try await db.raw("""
                UPDATE apis SET latest_version = \(bind: next.latestVersion), updated_at = \(bind: version.createdAt)
                WHERE id = \(bind: apiID)
                """).run()
            try await Self.insertVersion(apiID, version, db)
            return version
        }
    }

    /// Forgets a version that neither answers nor shares the traffic, so that its model can be deleted.
    /// False when the API has no such version.
    public func deleteVersion(projectID: Int, apiID: String, number: Int) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            guard let row = try await db.raw("""
                SELECT * FROM apis WHERE project_id = \(bind: projectID) AND id = \(bind: apiID)\(unsafeRaw: Self.lockingRows(db))
                """).first()
            else { return false }
            let api = try Self.api(row)
            try api.checkUnlocked(before: "its versions can be deleted")
            guard !api.servedVersions.contains(number) else {
                throw SibylError(.conflict, "v\(number) answers or shadows predictions: take its share or its shadow away first")
            }
            let found = try await db.raw("""
                SELECT number FROM api_versions WHERE api_id = \(bind: apiID) AND number = \(bind: number)
                """).first() != nil
            if found {
                try await db.raw("DELETE FROM api_versions WHERE api_id = \(bind: apiID) AND number = \(bind: number)").run()
            }
            return found
        }
    }

    /// Deletes an API with its keys, whitelist and usage.
    public func deleteAPI(id: String) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM api_keys WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM api_whitelist WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM usage WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM api_versions WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM shadow_days WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM capture_batches WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM replays WHERE api_id = \(bind: id)").run()
            try await db.raw("DELETE FROM apis WHERE id = \(bind: id)").run()
        }
    }

    /// Whether a trial API has a request left (always true of an official one): read before a prediction's
    /// body, so that an exhausted trial API refuses at once. The request is used only once its body is valid.
    public func hasTrialRequestLeft(apiID: String) async throws(SibylError) -> Bool {
        try await run { db in
            try await db.raw("""
                SELECT id FROM apis WHERE id = \(bind: apiID) AND (request_limit IS NULL OR requests_used < request_limit)
                """).first() != nil
        }
    }

    /// Uses one request of a trial API: one conditional update, never a read then a write, so the limit holds
    /// exactly however many requests race. Returns false when the limit was already reached.
    public func consumeTrialRequest(apiID: String) async throws(SibylError) -> Bool {
        try await run { db in
            try await db.raw("""
                UPDATE apis SET requests_used = requests_used + 1
                WHERE id = \(bind: apiID) AND request_limit IS NOT NULL AND requests_used < request_limit RETURNING requests_used
                """).first() != nil
        }
    }

    /// Applies `edit` to the stored whitelist and writes the result, holding the API's row meanwhile: two
    /// edits made at once through different nodes each see the other's outcome.
    public func changeWhitelist(apiID: String, _ edit: @escaping @Sendable (inout IPWhitelist) throws -> Void)
        async throws(SibylError) -> IPWhitelist
    {
        try await run(transaction: true) { db in
            try await Self.checkUnlocked(apiID, db, before: "its whitelist can be changed")
            let rows = try await db.raw("""
                SELECT cidr, action, priority FROM api_whitelist WHERE api_id = \(bind: apiID) ORDER BY position
                """).all()
            var whitelist = try IPWhitelist(rules: try rows.map(Self.rule))
            try edit(&whitelist)
            try await Self.replaceWhitelist(apiID, whitelist, db)
            try await db.raw("UPDATE apis SET updated_at = \(bind: self.clock.now()) WHERE id = \(bind: apiID)").run()
            return whitelist
        }
    }

    /// Adds a key to an unlocked API, holding the API's row so that a lock made meanwhile is seen.
    public func insertKey(_ key: APIKey) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await Self.checkUnlocked(key.apiID, db, before: "keys can be created")
            try await Self.insert(key, db)
        }
    }

    /// Notes when keys were last used (epoch seconds by key id), never moving a time back: batches of
    /// several nodes arrive in any order. A key revoked meanwhile is simply not found.
    public func noteKeyUses(_ uses: [String: Int64]) async throws(SibylError) {
        guard !uses.isEmpty else { return }
        try await run(transaction: true) { db in
            for (id, time) in uses {
                try await db.raw("""
                    UPDATE api_keys SET last_used_at = \(bind: time)
                    WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: time))
                    """).run()
            }
        }
    }

    /// Holds the API's row for the transaction, and refuses when it does not exist or is locked.
    private static func checkUnlocked(_ apiID: String, _ db: any SQLDatabase, before verb: String) async throws {
        guard let row = try await db.raw("SELECT * FROM apis WHERE id = \(bind: apiID)\(unsafeRaw: lockingRows(db))").first()
        else { throw SibylError(.notFound, "no such API") }
        try api(row).checkUnlocked(before: verb)
    }

    public func deleteKey(apiID: String, id: String) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            let found = try await db.raw("SELECT id FROM api_keys WHERE api_id = \(bind: apiID) AND id = \(bind: id)").first() != nil
            if found { try await db.raw("DELETE FROM api_keys WHERE id = \(bind: id)").run() }
            return found
        }
    }

    /// The license in force, its row held for the transaction (on PostgreSQL): a license being saved and an
    /// API becoming official take turns, each seeing the other's outcome.
    private func licenseRow(_ db: any SQLDatabase) async throws -> License {
        guard let row = try await db.raw("SELECT edition, api_options FROM license WHERE id = 1\(unsafeRaw: Self.lockingRows(db))").first() else {
            return License.initial
        }
        return License(
            edition: License.Edition(rawValue: try row.decode(column: "edition", as: String.self)) ?? .trial,
            apiOptions: try row.decode(column: "api_options", as: Int.self))
    }

    private static func replaceWhitelist(_ apiID: String, _ whitelist: IPWhitelist, _ db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM api_whitelist WHERE api_id = \(bind: apiID)").run()
        for (position, rule) in whitelist.rules.enumerated() {
            try await db.raw("""
                INSERT INTO api_whitelist (api_id, position, cidr, action, priority)
                VALUES (\(bind: apiID), \(bind: position), \(bind: rule.cidr.description), \(bind: rule.action.rawValue),
                  \(bind: rule.priority))
                """).run()
        }
    }

    private static func insert(_ key: APIKey, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO api_keys (id, api_id, secret_hash, created_at, name)
            VALUES (\(bind: key.id), \(bind: key.apiID), \(bind: key.secretHash), \(bind: key.createdAt), \(bind: key.name))
            """).run()
    }

    private static func rule(_ row: any SQLRow) throws -> IPRule {
        IPRule(
            try CIDR(try row.decode(column: "cidr", as: String.self)),
            IPRule.Action(rawValue: try row.decode(column: "action", as: String.self)) ?? .deny,
            priority: try row.decode(column: "priority", as: Int.self))
    }

    private static func key(_ row: any SQLRow) throws -> APIKey {
        APIKey(
            id: try row.decode(column: "id", as: String.self), apiID: try row.decode(column: "api_id", as: String.self),
            secretHash: try row.decode(column: "secret_hash", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), name: try row.decode(column: "name", as: String?.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
    }

    private static func api(_ row: any SQLRow) throws -> PredictionAPI {
        var api = PredictionAPI(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: Int.self),
            name: try row.decode(column: "name", as: String?.self), modelID: try row.decode(column: "model_id", as: String.self),
            kind: PredictionAPI.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .trial,
            status: PredictionAPI.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            locked: try row.decode(column: "locked", as: Bool.self),
            failureReason: try row.decode(column: "failure_reason", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            requestsUsed: try row.decode(column: "requests_used", as: Int.self),
            missingFeatures: PredictionAPI.MissingFeatures(rawValue: try row.decode(column: "missing_features", as: String.self)) ?? .allow)
        api.requestLimit = try row.decode(column: "request_limit", as: Int?.self)
        api.updatedAt = try row.decode(column: "updated_at", as: Int64?.self) ?? api.createdAt
        api.version = try row.decode(column: "version", as: Int.self)
        api.latestVersion = try row.decode(column: "latest_version", as: Int.self)
        let sticky = try row.decode(column: "traffic_sticky", as: Bool.self)
        api.traffic = try row.decode(column: "traffic", as: String?.self).flatMap { TrafficSplit(text: $0, sticky: sticky) }
        api.shadow = try row.decode(column: "shadow_version", as: Int?.self)
        api.capture = (try? CaptureSettings(
            rate: try row.decode(column: "capture_rate", as: Double.self),
            retentionDays: try row.decode(column: "capture_retention_days", as: Int.self))) ?? .off
        return api
    }

    private static func version(_ row: any SQLRow) throws -> ModelVersion {
        ModelVersion(
            number: try row.decode(column: "number", as: Int.self), modelID: try row.decode(column: "model_id", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
