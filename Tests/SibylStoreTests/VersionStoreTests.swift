import Logging
import SibylCore
@testable import SibylStore
import SibylTestDatabases
import SQLKit
import Testing

/// An API's versions as stored, on SQLite and PostgreSQL alike.
@Suite struct VersionStoreTests {
    let store = StoreTests()

    /// An API written before versions gets its model as v1, current, keeping that model from deletion.
    @Test(arguments: TestDatabase.kinds) func migration0008GivesEveryAPIItsModelAsV1(_ kind: TestDatabase.Kind) async throws {
        let database = try await TestDatabase.make(kind)
        let before = Array(Migrations.all.prefix { $0.name != "0008_model_versions" })
        let old = try await Store.open(url: database.url, dataDirectory: database.folder, logger: Logger(label: "test"), migrations: before)
        let project = try await old.createProject(name: "p", members: [])
        let model = store.model(project.id)
        try await old.insertModel(model, file: [1])
        try await old.run { db in
            try await db.raw("""
                INSERT INTO apis (id, project_id, model_id, kind, status, locked, failure_reason, request_limit, requests_used,
                  created_at, updated_at)
                VALUES ('api_old', \(bind: project.id), \(bind: model.id), 'official', 'operating', false, NULL, NULL, 0, 30, 40)
                """).run()
        }
        try await old.shutdown()

        let migrated = try await database.open()
        let record = try #require(try await migrated.apiRecord(projectID: project.id, id: "api_old"))
        #expect(record.api.version == 1 && record.api.latestVersion == 1 && record.api.traffic == nil)
        #expect(record.versions == [ModelVersion(number: 1, modelID: model.id, createdAt: 30)])
        await #expect { _ = try await migrated.deleteModel(projectID: project.id, id: model.id) } throws: {
            ($0 as? SibylError)?.code == .conflict && ($0 as? SibylError)?.message.contains("API api_old v1") == true
        }
        try await migrated.shutdown()
        try await database.drop()
    }

    /// Versions added at once through different connections get a number each, none twice: the API's row
    /// is held while its next number is taken.
    @Test(arguments: TestDatabase.kinds) func versionsAddedAtOnceGetANumberEach(_ kind: TestDatabase.Kind) async throws {
        try await store.withStore(kind) { db in
            let project = try await db.createProject(name: "p", members: [])
            let model = store.model(project.id)
            try await db.insertModel(model, file: [1])
            var record = store.api(model, .official)
            record.api.status = .operating
            try await db.createAPI(record)
            let apiID = record.api.id
            let numbers = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await resending { () async throws(SibylError) in
                            try await db.addVersion(projectID: project.id, apiID: apiID, modelID: model.id)?.number
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(numbers.compactMap { $0 }.sorted() == Array(2...9))
            let stored = try #require(try await db.apiRecord(projectID: project.id, id: record.api.id))
            #expect(stored.versions.map(\.number) == Array(1...9) && stored.api.latestVersion == 9 && stored.api.version == 1)
            // Forgetting: the current version stays; another goes; a missing one is not found.
            await #expect { _ = try await db.deleteVersion(projectID: project.id, apiID: record.api.id, number: 1) } throws: {
                ($0 as? SibylError)?.code == .conflict
            }
            #expect(try await db.deleteVersion(projectID: project.id, apiID: record.api.id, number: 5))
            #expect(try await !db.deleteVersion(projectID: project.id, apiID: record.api.id, number: 5))
            #expect(try await db.addVersion(projectID: project.id + 1, apiID: record.api.id, modelID: model.id) == nil)
        }
    }
}
