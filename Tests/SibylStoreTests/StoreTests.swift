import Foundation
import Logging
import SibylCore
import SibylStore
import Testing

/// The store against a real SQLite file in a temporary folder.
@Suite struct StoreTests {
    func withStore(_ body: (Store) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sibyl-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try await Store.openSQLite(path: folder + "/sibyl.db", logger: Logger(label: "test"))
        do {
            try await body(store)
        } catch {
            try await store.shutdown()
            throw error
        }
        try await store.shutdown()
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

    @Test func migrationsRunOnceAndDataSurvivesReopening() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sibyl-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await Store.openSQLite(path: folder + "/sibyl.db", logger: Logger(label: "test"))
        let user = try await first.createUser(name: "ann", passwordHash: "h", role: .admin)
        let project = try await first.createProject(name: "p", members: [user.id])
        try await first.shutdown()
        let reopened = try await Store.openSQLite(path: folder + "/sibyl.db", logger: Logger(label: "test"))
        #expect(try await reopened.users() == [user])
        #expect(try await reopened.projects(visibleTo: user) == [project])
        #expect(try await reopened.members(projectID: project.id) == [user.id])
        try await reopened.shutdown()
    }

    @Test func membersSeeOnlyTheirProjectsAdminsSeeAll() async throws {
        try await withStore { store in
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

    @Test func theLastAdminStays() async throws {
        try await withStore { store in
            let admin = try await store.createUser(name: "root", passwordHash: "h", role: .admin)
            await #expect(throws: SibylError.self) { try await store.updateUser(id: admin.id, role: .member, passwordHash: nil) }
            await #expect(throws: SibylError.self) { try await store.deleteUser(id: admin.id) }
            let second = try await store.createUser(name: "two", passwordHash: "h", role: .admin)
            #expect(try await store.deleteUser(id: admin.id))
            #expect(try await store.users() == [second])
        }
    }

    @Test func officialAPIsNeedAFreeOptionAndTheLicensedEdition() async throws {
        try await withStore { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model)
            try await store.setLicense(License(edition: .licensed, apiOptions: 1))
            try await store.createAPI(api(model, .official))
            await #expect(throws: SibylError.self) { try await store.createAPI(api(model, .official)) }
            try await store.createAPI(api(model, .trial))
            #expect(try await store.officialAPICount() == 1)
            try await store.setLicense(License(edition: .trial, apiOptions: 5))
            await #expect(throws: SibylError.self) { try await store.createAPI(api(model, .official)) }
        }
    }

    @Test func trialRequestsStopExactlyAtTheLimitUnderConcurrency() async throws {
        try await withStore { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model)
            let trial = api(model, .trial)
            try await store.createAPI(trial)
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<250 { group.addTask { try await store.consumeTrialRequest(apiID: trial.api.id) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 100)
            #expect(try await store.api(projectID: project.id, id: trial.api.id)?.requestsUsed == 100)
        }
    }

    @Test func usageAddsUpAcrossFlushes() async throws {
        try await withStore { store in
            try await store.addUsage([UsageKey(apiID: "api_a", day: "2026-11-23", status: 200): 3])
            try await store.addUsage([
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

    @Test func aModelInUseCannotBeDeletedAndDeletingAnAPIRemovesItsParts() async throws {
        try await withStore { store in
            let project = try await store.createProject(name: "p", members: [])
            let model = model(project.id)
            try await store.insertModel(model)
            var record = api(model, .trial)
            record.keys = [APIKey(id: Identifier.make(Identifier.key), apiID: record.api.id, secretHash: "ab", createdAt: 0)]
            try await store.createAPI(record)
            #expect(try await store.apiRecord(projectID: project.id, id: record.api.id) == record)
            #expect(try await store.apiRecord(projectID: project.id + 1, id: record.api.id) == nil)
            await #expect(throws: SibylError.self) { try await store.deleteModel(projectID: project.id, id: model.id) }
            try await store.deleteAPI(id: record.api.id)
            #expect(try await store.allAPIRecords().isEmpty)
            #expect(try await store.deleteModel(projectID: project.id, id: model.id))
        }
    }
}
