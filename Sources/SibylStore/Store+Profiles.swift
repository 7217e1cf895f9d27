import Foundation
import SQLKit
import SibylCore

extension Store {
    /// Keeps a model's input profile (its training rows summarised), replacing any earlier one.
    public func setProfile(modelID: String, _ profile: InputProfile) async throws(SibylError) {
        let text: String
        do {
            text = String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
        } catch {
            throw SibylError(.internalError, "profile not encoded: \(error)")
        }
        let now = clock.now()
        try await run { db in
            try await db.raw("""
                INSERT INTO model_profiles (model_id, row_count, profile, created_at)
                VALUES (\(bind: modelID), \(bind: profile.rows), \(bind: text), \(bind: now))
                ON CONFLICT (model_id) DO UPDATE SET row_count = excluded.row_count, profile = excluded.profile,
                  created_at = excluded.created_at
                """).run()
        }
    }

    public func profile(modelID: String) async throws(SibylError) -> InputProfile? {
        try await run { db in
            guard let row = try await db.raw("SELECT profile FROM model_profiles WHERE model_id = \(bind: modelID)").first() else {
                return nil
            }
            return try JSONDecoder().decode(InputProfile.self, from: Data(try row.decode(column: "profile", as: String.self).utf8))
        }
    }

    /// Forgets a model's profile; false when it had none.
    public func deleteProfile(modelID: String) async throws(SibylError) -> Bool {
        try await run { db in
            try await db.raw("DELETE FROM model_profiles WHERE model_id = \(bind: modelID) RETURNING model_id").first() != nil
        }
    }
}
