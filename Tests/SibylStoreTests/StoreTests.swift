import Foundation
import Logging
import SibylCore
@testable import SibylStore
import SibylTestDatabases
import SQLKit
import Testing

/// The store against a real SQLite file, and against a real PostgreSQL database when a server is given:
/// the same conformance suite for both.
@Suite struct StoreTests {
    func withStore(_ kind: TestDatabase.Kind, _ body: (Store) async throws -> Void) async throws {
        try await TestDatabase.with(kind, body)
    }

    func model(_ project: Int) -> Model {
        Model(
            id: Identifier.make(Identifier.model), projectID: project, name: "m",
            schema: ModelSchema(format: .xgboostJSON, task: .binary, objective: "binary:logistic", featureNames: ["a"], classes: ["0", "1"], treeCount: 1),
            sha256: "00", size: 1, createdAt: 0)
    }

    func api(_ model: Model, _ kind: PredictionAPI.Kind) -> APIRecord {
        APIRecord(
            api: PredictionAPI(id: Identifier.make(Identifier.api), projectID: model.projectID, modelID: model.id, kind: kind, createdAt: 0),
            keys: [], whitelist: IPWhitelist([try! CIDR("10.0.0.0/8")]))
    }

    @Test(arguments: TestDatabase.kinds) func migrationsRunOnceAndDataSurvivesReopening(_ kind: TestDatabase.Kind) async throws {
        let database = try await TestDatabase.make(kind)
        let first = try await database.open()
        let user = try await first.createUser(name: "ann", passwordHash: "h", role: .admin)
        let project = try await first.createProject(name: "p", members: [user.id])
        try await first.shutdown()
        let reopened = try await database.open()
        #expect(try await reopened.users() == [user])
        #expect(try await reopened.projects(visibleTo: user) == [project])
        #expect(try await reopened.members(projectID: project.id) == [user.id])
        try await reopened.shutdown()
        try await database.drop()
    }

    /// A database written before whitelist rules: its entries become allow rules in their order, its models get
    /// Prediction One's integers in upload order, and a model uploaded afterwards the next one.
    @Test(arguments: TestDatabase.kinds) func migration0005KeepsWhitelistsAndNumbersModels(_ kind: TestDatabase.Kind) async throws {
        let database = try await TestDatabase.make(kind)
        let before = Array(Migrations.all.prefix { $0.name != "0005_prediction_one" })
        #expect(before.count == 4)
        let old = try await Store.open(url: database.url, dataDirectory: database.folder, logger: Logger(label: "test"), migrations: before)
        let project = try await old.createProject(name: "p", members: [])
        try await old.run { db in
            for (id, createdAt) in [("mdl_later", 20), ("mdl_first", 10)] {
                try await db.raw("""
                    INSERT INTO models (id, project_id, name, format, task, schema_json, sha256, size, created_at)
                    VALUES (\(bind: id), \(bind: project.id), 'm', 'xgboost-json', 'binary', '{}', '00', 1, \(bind: createdAt))
                    """).run()
            }
            try await db.raw("""
                INSERT INTO apis (id, project_id, model_id, kind, status, locked, failure_reason, request_limit, requests_used, created_at)
                VALUES ('api_old', \(bind: project.id), 'mdl_first', 'official', 'operating', false, NULL, NULL, 0, 30)
                """).run()
            for (position, cidr) in ["10.0.0.0/8", "::/0"].enumerated() {
                try await db.raw("INSERT INTO api_whitelist (api_id, position, cidr) VALUES ('api_old', \(bind: position), \(bind: cidr))").run()
            }
        }
        try await old.shutdown()

        let store = try await database.open()
        let record = try #require(try await store.apiRecord(projectID: project.id, id: "api_old"))
        #expect(record.whitelist.rules == [IPRule(try CIDR("10.0.0.0/8"), .allow, priority: 1), IPRule(try CIDR("::/0"), .allow, priority: 2)])
        #expect(record.api.updatedAt == 30)
        #expect(try await store.modelNumbers(projectID: project.id) == ["mdl_first": 1, "mdl_later": 2])
        let added = model(project.id)
        try await store.insertModel(added, file: [1])
        #expect(try await store.modelNumbers(projectID: project.id)[added.id] == 3)
        try await store.shutdown()
        try await database.drop()
    }

    /// Nodes started together on one empty database: one migrates, the others wait and find it done.
    @Test(.enabled(if: TestDatabase.kinds.contains(.postgres))) func nodesStartingAtOnceMigrateOnce() async throws {
        let database = try await TestDatabase.make(.postgres)
        let stores = try await withThrowingTaskGroup(of: Store.self) { group in
            for _ in 0..<4 { group.addTask { try await database.open() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        _ = try await stores[0].createUser(name: "ann", passwordHash: "h", role: .admin)
        for store in stores {
            #expect(try await store.userCount() == 1)
            try await store.shutdown()
        }
        try await database.drop()
    }

    @Test(arguments: TestDatabase.kinds) func membersSeeOnlyTheirProjectsAdminsSeeAll(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let admin = try await store.createUser(name: "root", passwordHash: "h", role: .admin)
            let ann = try await store.createUser(name: "ann", passwordHash: "h", role: .member)
            let bob = try await store.createUser(name: "bob", passwordHash: "h", role: .member)
            let a = try await store.createProject(name: "a", members: [ann.id])
            let b = try await store.createProject(name: "b", members: [bob.id])
            #expect(try await store.projects(visibleTo: ann) == [a])
            #expect(try await store.project(id: b.id, visibleTo: ann) == nil)
            #expect(try await store.projects(visibleTo: admin) == [a, b])
            await #expect(throws: SibylError.self) { try await store.createUser(name: "ann", passwordHash: "h", role: .member) }
        }
    }

    @Test(arguments: TestDatabase.kinds) func theLastAdminStays(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let admin = try await store.createUser(name: "root", passwordHash: "h", role: .admin)
            await #expect(throws: SibylError.self) { try await store.updateUser(id: admin.id, role: .member, passwordHash: nil) }
            await #expect(throws: SibylError.self) { try await store.deleteUser(id: admin.id) }
            let second = try await store.createUser(name: "two", passwordHash: "h", role: .admin)
            #expect(try await store.deleteUser(id: admin.id))
            #expect(try await store.users() == [second])
        }
    }

    /// Two nodes editing one whitelist at once: each edit sees the others', none is lost (PostgreSQL, where
    /// nodes share a database).
    @Test(arguments: TestDatabase.kinds.filter { $0 == .postgres }) func concurrentWhitelistEditsLoseNothing(_ kind: TestDatabase.Kind)
        async throws
    {
        let database = try await TestDatabase.make(kind)
        let first = try await database.open()
        let second = try await database.open()
        let project = try await first.createProject(name: "p", members: [])
        let model = model(project.id)
        try await first.insertModel(model, file: [1])
        let record = api(model, .trial)
        try await first.createAPI(record)
        try await withThrowingTaskGroup(of: IPWhitelist.self) { group in
            for index in 0..<32 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { try await store.changeWhitelist(apiID: record.api.id) { $0.add(try CIDR("172.\(index).0.0/16")) } }
            }
            try await group.waitForAll()
        }
        let rules = try #require(try await second.apiRecord(projectID: project.id, id: record.api.id)).whitelist.rules
        #expect(rules.count == 33)
        #expect(Set(rules.map(\.priority)).count == 33, "each added block went after every rule it saw")
        try await first.shutdown()
        try await second.shutdown()
        try await database.drop()
    }

    @Test(arguments: TestDatabase.kinds) func officialAPIsNeedAFreeOptionAndTheLicensedEdition(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model, file: [1])
            try await store.setLicense(License(edition: .licensed, apiOptions: 1))
            let official = api(model, .official)
            try await store.createAPI(official)
            await #expect(throws: SibylError.self) { try await store.createAPI(api(model, .official)) }
            let trial = api(model, .trial)
            try await store.createAPI(trial)
            #expect(try await store.officialAPICount() == 1)
            // A license below what is in use is refused and leaves the license as it was.
            await #expect(throws: SibylError(.conflict, "1 official API exists; the trial edition allows none: delete it first")) {
                try await store.setLicense(License(edition: .trial, apiOptions: 5))
            }
            await #expect(throws: SibylError.self) { try await store.setLicense(License(edition: .licensed, apiOptions: 0)) }
            #expect(try await store.license() == License(edition: .licensed, apiOptions: 1))
            // Promoting a trial API takes an option too, checked in the transaction that promotes it.
            await #expect(throws: SibylError.self) {
                try await store.changeAPI(projectID: project.id, id: trial.api.id) { try $0.edited(kind: .official) }
            }
            try await store.deleteAPI(id: official.api.id)
            let promoted = try await store.changeAPI(projectID: project.id, id: trial.api.id) { try $0.edited(kind: .official) }
            #expect(promoted?.kind == .official && promoted?.requestLimit == nil)
            let stored = try #require(try await store.api(projectID: project.id, id: trial.api.id))
            #expect(stored.kind == .official && stored.requestLimit == nil && !stored.isExhausted)
            try await store.deleteAPI(id: trial.api.id)
            try await store.setLicense(License(edition: .trial, apiOptions: 5))
            await #expect(throws: SibylError.self) { try await store.createAPI(api(model, .official)) }
        }
    }

    @Test(arguments: TestDatabase.kinds) func namesRulesLocksAndKeyUsesAreStored(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model, file: [1])
            var record = api(model, .trial)
            record.api.name = "scoring"
            record.api.missingFeatures = .refuse
            record.keys = [APIKey(id: Identifier.make(Identifier.key), apiID: record.api.id, secretHash: "ab", createdAt: 5, name: "first")]
            try await store.createAPI(record)
            var stored = try #require(try await store.apiRecord(projectID: project.id, id: record.api.id))
            #expect(stored.api.name == "scoring" && stored.api.missingFeatures == .refuse && stored.keys[0].name == "first")
            #expect(stored.keys[0].lastUsedAt == nil)
            _ = try await store.changeAPI(projectID: project.id, id: record.api.id) {
                try $0.edited(name: .some(nil), missingFeatures: .allow)
            }
            stored = try #require(try await store.apiRecord(projectID: project.id, id: record.api.id))
            #expect(stored.api.name == nil && stored.api.missingFeatures == .allow)

            // Last uses never move back, and a key that is gone is skipped.
            let keyID = record.keys[0].id
            try await store.noteKeyUses([keyID: 100, "key_gone": 100])
            try await store.noteKeyUses([keyID: 90])
            #expect(try await store.apiRecord(projectID: project.id, id: record.api.id)?.keys[0].lastUsedAt == 100)

            // Locked: keys and whitelist edits are refused in the store's transaction; deleting a key is not.
            _ = try await store.changeAPI(projectID: project.id, id: record.api.id) { $0.lockedByMember() }
            let key = APIKey(id: Identifier.make(Identifier.key), apiID: record.api.id, secretHash: "cd", createdAt: 6)
            await #expect(throws: SibylError(.conflict, "the API is locked: an admin must unlock it before keys can be created")) {
                try await store.insertKey(key)
            }
            await #expect(throws: SibylError.self) { try await store.changeWhitelist(apiID: record.api.id) { $0 = IPWhitelist() } }
            await #expect(throws: SibylError.self) {
                try await store.changeAPI(projectID: project.id, id: record.api.id) { try $0.edited(name: "other") }
            }
            #expect(try await store.deleteKey(apiID: record.api.id, id: keyID))
            stored = try #require(try await store.apiRecord(projectID: project.id, id: record.api.id))
            #expect(stored.keys.isEmpty && stored.whitelist.rules.count == 1 && stored.api.name == nil)
        }
    }

    @Test(arguments: TestDatabase.kinds) func trialRequestsStopExactlyAtTheLimitUnderConcurrency(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model, file: [1])
            let trial = api(model, .trial)
            try await store.createAPI(trial)
            // 150 racing for 100. On PostgreSQL a call that waits past the 2 s lease for a connection (the calls
            // queue on the API's row) is refused without running, neither using a request nor refused one, and
            // is sent again: every call is answered in the end, exactly 100 granted, and the store counts those.
            let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<150 {
                    group.addTask { try await resending { () async throws(SibylError) in try await store.consumeTrialRequest(apiID: trial.api.id) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 150 && answers.filter { $0 }.count == 100)
            #expect(try await store.api(projectID: project.id, id: trial.api.id)?.requestsUsed == 100)
        }
    }

    @Test(arguments: TestDatabase.kinds) func usageAddsUpAcrossFlushes(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.addUsage(batchID: "b1", [UsageKey(apiID: "api_a", day: "2026-11-23", status: 200): 3]))
            // The same batch again (its first answer lost): not added twice.
            #expect(try await store.addUsage(batchID: "b1", [UsageKey(apiID: "api_a", day: "2026-11-23", status: 200): 3]) == false)
            try await store.addUsage(batchID: "b2", [
                UsageKey(apiID: "api_a", day: "2026-11-23", status: 200): 2,
                UsageKey(apiID: "api_a", day: "2026-11-23", status: 401): 1,
                UsageKey(apiID: "api_a", day: "2026-11-24", status: 503): 4,
                UsageKey(apiID: "api_b", day: "2026-11-23", status: 200): 9,
            ])
            let days = try await store.usage(apiID: "api_a", from: "2026-11-01", to: "2026-11-30")
            #expect(days == [UsageDay(date: "2026-11-23", byStatus: [200: 5, 401: 1]), UsageDay(date: "2026-11-24", byStatus: [503: 4])])
            #expect(try await store.usage(apiID: "api_a", from: "2026-11-24", to: "2026-11-24").count == 1)
        }
    }

    @Test(arguments: TestDatabase.kinds) func aModelInUseCannotBeDeletedAndDeletingAnAPIRemovesItsParts(_ kind: TestDatabase.Kind) async throws {
        try await withStore(kind) { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model, file: [0, 255, 1])
            #expect(try await store.modelFile(id: model.id) == [0, 255, 1])
            var record = api(model, .trial)
            record.keys = [APIKey(id: Identifier.make(Identifier.key), apiID: record.api.id, secretHash: "ab", createdAt: 0)]
            try await store.createAPI(record)
            #expect(try await store.apiRecord(projectID: project.id, id: record.api.id) == record)
            #expect(try await store.apiRecord(projectID: project.id + 1, id: record.api.id) == nil)
            await #expect(throws: SibylError.self) { try await store.deleteModel(projectID: project.id, id: model.id) }
            try await store.deleteAPI(id: record.api.id)
            #expect(try await store.allAPIRecords().isEmpty)
            #expect(try await store.deleteModel(projectID: project.id, id: model.id))
            #expect(try await store.modelFile(id: model.id) == nil)
        }
    }
}
