import SQLKit

/// Named, append-only schema migrations. A name, once shipped, is never edited: add a new one instead.
enum Migrations {
    struct Migration: Sendable {
        let name: String
        let statements: @Sendable (_ dialect: String) -> [String]
        /// What SQL alone cannot do, run after the statements in the same transaction.
        var then: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
    }

    static let all: [Migration] = [
        Migration(name: "0001_initial") { dialect in
            // The only dialect difference: an auto-incrementing integer key.
            let serial = dialect == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
            return [
                """
                CREATE TABLE users (id \(serial), name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
                  role TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)
                """,
                "CREATE TABLE projects (id \(serial), name TEXT NOT NULL, created_at BIGINT NOT NULL)",
                """
                CREATE TABLE project_members (project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, PRIMARY KEY (project_id, user_id))
                """,
                "CREATE TABLE license (id INTEGER PRIMARY KEY, edition TEXT NOT NULL, api_options BIGINT NOT NULL)",
                """
                CREATE TABLE models (id TEXT PRIMARY KEY, project_id BIGINT NOT NULL REFERENCES projects(id),
                  name TEXT NOT NULL, format TEXT NOT NULL, task TEXT NOT NULL, schema_json TEXT NOT NULL,
                  sha256 TEXT NOT NULL, size BIGINT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE apis (id TEXT PRIMARY KEY, project_id BIGINT NOT NULL REFERENCES projects(id),
                  model_id TEXT NOT NULL REFERENCES models(id), kind TEXT NOT NULL, status TEXT NOT NULL,
                  locked BOOLEAN NOT NULL, failure_reason TEXT, request_limit BIGINT, requests_used BIGINT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE api_keys (id TEXT PRIMARY KEY, api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
                  secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE api_whitelist (api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
                  position BIGINT NOT NULL, cidr TEXT NOT NULL, PRIMARY KEY (api_id, cidr))
                """,
                """
                CREATE TABLE usage (api_id TEXT NOT NULL, day TEXT NOT NULL, status BIGINT NOT NULL,
                  count BIGINT NOT NULL, PRIMARY KEY (api_id, day, status))
                """,
            ]
        },
        Migration(name: "0002_console_sessions") { _ in
            [
                // A session is found by the SHA-256 of the id in its cookie; the id itself is never stored.
                // `flash` is a one-shot message sealed with a key derived from that id.
                """
                CREATE TABLE console_sessions (id_hash TEXT PRIMARY KEY,
                  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, csrf_token TEXT NOT NULL, flash TEXT,
                  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX console_sessions_expiry ON console_sessions (expires_at)",
                // Failed sign-ins by subject (a user name or a client address), for throttling across nodes.
                "CREATE TABLE login_failures (subject TEXT NOT NULL, failed_at BIGINT NOT NULL)",
                "CREATE INDEX login_failures_subject ON login_failures (subject, failed_at)",
            ]
        },
        Migration(name: "0003_deployments") { _ in
            [
                // A deployment's spec is kept as the compatible API's JSON: one document, read and written whole.
                """
                CREATE TABLE deployments (project_id BIGINT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
                  spec_json TEXT NOT NULL, stopped BOOLEAN NOT NULL, deleting BOOLEAN NOT NULL, locked BOOLEAN NOT NULL,
                  whitelist TEXT, created_at BIGINT NOT NULL, PRIMARY KEY (project_id, name))
                """,
                """
                CREATE TABLE deployment_tasks (id TEXT PRIMARY KEY, project_id BIGINT NOT NULL, user_id BIGINT NOT NULL,
                  kind TEXT NOT NULL, state TEXT NOT NULL, deployment_name TEXT NOT NULL, error TEXT,
                  created_at BIGINT NOT NULL, finished_at BIGINT)
                """,
                "CREATE INDEX deployment_tasks_project ON deployment_tasks (project_id, created_at)",
                """
                CREATE TABLE inference_keys (project_id BIGINT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
                  description TEXT, expires_at BIGINT, created_at BIGINT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
                  PRIMARY KEY (project_id, name))
                """,
                // Passwords and secret values are sealed (AES-GCM) with the node's secrets key before they get here.
                """
                CREATE TABLE registry_credentials (project_id BIGINT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
                  registry_url TEXT NOT NULL, username TEXT NOT NULL, password_sealed TEXT NOT NULL,
                  PRIMARY KEY (project_id, name))
                """,
                // Labels every container this installation runs, so that installations sharing an engine
                // never adopt or remove each other's.
                "CREATE TABLE installation (id INTEGER PRIMARY KEY, uid TEXT NOT NULL)",
                """
                CREATE TABLE inference_secrets (project_id BIGINT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
                  type TEXT NOT NULL, data_sealed TEXT NOT NULL, PRIMARY KEY (project_id, name))
                """,
            ]
        },
        Migration(name: "0004_model_files") { dialect in
            [
                // Model files live in the database so that every node sharing it can load any model; a node
                // keeps a copy in its data folder as a cache.
                "CREATE TABLE model_files (model_id TEXT PRIMARY KEY, bytes \(dialect == "postgresql" ? "BYTEA" : "BLOB") NOT NULL)",
                // Usage batches already added, by id, so that a batch retried after a lost answer is not added twice.
                "CREATE TABLE usage_batches (id TEXT PRIMARY KEY, added_at BIGINT NOT NULL)",
                "CREATE INDEX usage_batches_added ON usage_batches (added_at)",
            ]
        },
        Migration(name: "0005_prediction_one") { dialect in
            let serial = dialect == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
            return [
                // Whitelist entries become ordered allow/deny rules; an existing entry allows, in its old order.
                "ALTER TABLE api_whitelist ADD COLUMN action TEXT NOT NULL DEFAULT 'allow'",
                "ALTER TABLE api_whitelist ADD COLUMN priority BIGINT NOT NULL DEFAULT 0",
                "UPDATE api_whitelist SET priority = position + 1",
                "ALTER TABLE apis ADD COLUMN updated_at BIGINT",
                "UPDATE apis SET updated_at = created_at",
                // Prediction One names models by integer: every model gets one, in the order they were added.
                "CREATE TABLE model_numbers (number \(serial), model_id TEXT NOT NULL UNIQUE REFERENCES models(id) ON DELETE CASCADE)",
                "INSERT INTO model_numbers (model_id) SELECT id FROM models ORDER BY created_at, id",
                // A user's secret for one project, from which its developer API keys are issued (by SHA-256).
                """
                CREATE TABLE account_secrets (id TEXT PRIMARY KEY,
                  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, secret_hash TEXT NOT NULL UNIQUE,
                  created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE deploy_keys (key_hash TEXT PRIMARY KEY,
                  secret_id TEXT NOT NULL REFERENCES account_secrets(id) ON DELETE CASCADE, expires_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(name: "0006_access_tokens") { _ in
            [
                // Access tokens get a description, an expiry and the time of their last use. Tokens made before
                // have no expiry: the node dates them at start (`Store.dateUndatedTokens`), with the lifetime
                // it is configured with, which a migration cannot know.
                "ALTER TABLE tokens ADD COLUMN description TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE tokens ADD COLUMN expires_at BIGINT",
                "ALTER TABLE tokens ADD COLUMN last_used_at BIGINT",
                "CREATE INDEX tokens_user ON tokens (user_id)",
                // The sign-in throttle reserves each attempt before checking its password: its rows count as
                // failures until it succeeds, when the rows of its attempt are removed. Subjects now name users
                // by hash (a password typed into the name field is not kept), so the old rows go.
                "DELETE FROM login_failures",
                "ALTER TABLE login_failures ADD COLUMN attempt_id TEXT",
                "CREATE INDEX login_failures_attempt ON login_failures (attempt_id)",
                "CREATE INDEX login_failures_time ON login_failures (failed_at)",
                // Where each user signed in from lately: those addresses are exempt from the ceiling on one
                // name's failures, so that a flood of guesses from elsewhere does not lock the user out.
                "CREATE TABLE login_trusted_addresses (subject TEXT PRIMARY KEY, signed_in_at BIGINT NOT NULL)",
            ]
        },
        Migration(name: "0007_names_and_missing_features") { _ in
            [
                // Labels for people on APIs and keys; none on those made before.
                "ALTER TABLE apis ADD COLUMN name TEXT",
                "ALTER TABLE api_keys ADD COLUMN name TEXT",
                // Whether a prediction may leave features out; every API so far allowed it.
                "ALTER TABLE apis ADD COLUMN missing_features TEXT NOT NULL DEFAULT 'allow'",
                // Written with the usage batches (at most once a batch per key), never on the request path.
                "ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT",
            ]
        },
        Migration(name: "0008_model_versions") { dialect in
            [
                // Every model an API has served, numbered from 1; the model each API serves now is its first.
                """
                CREATE TABLE api_versions (api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE, number BIGINT NOT NULL,
                  model_id TEXT NOT NULL REFERENCES models(id), created_at BIGINT NOT NULL, PRIMARY KEY (api_id, number))
                """,
                "CREATE INDEX api_versions_model ON api_versions (model_id)",
                "INSERT INTO api_versions (api_id, number, model_id, created_at) SELECT id, 1, model_id, created_at FROM apis",
                "ALTER TABLE apis ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE apis ADD COLUMN latest_version BIGINT NOT NULL DEFAULT 1",
                // Shares of the predictions among versions (`TrafficSplit.text`); none: the current version's.
                "ALTER TABLE apis ADD COLUMN traffic TEXT",
                "ALTER TABLE apis ADD COLUMN traffic_sticky BOOLEAN NOT NULL DEFAULT FALSE",
                // A version that gets a copy of each answered prediction; its comparisons, per day.
                "ALTER TABLE apis ADD COLUMN shadow_version BIGINT",
                """
                CREATE TABLE shadow_days (api_id TEXT NOT NULL, version BIGINT NOT NULL, day TEXT NOT NULL,
                  requests BIGINT NOT NULL, rows_compared BIGINT NOT NULL, agreed_rows BIGINT NOT NULL,
                  values_compared BIGINT NOT NULL, sum_abs_difference DOUBLE PRECISION NOT NULL,
                  max_abs_difference DOUBLE PRECISION NOT NULL, failed BIGINT NOT NULL, skipped BIGINT NOT NULL,
                  PRIMARY KEY (api_id, version, day))
                """,
                // Requests kept with their answers: the share of them, how long, and the captures.
                "ALTER TABLE apis ADD COLUMN capture_rate DOUBLE PRECISION NOT NULL DEFAULT 0",
                "ALTER TABLE apis ADD COLUMN capture_retention_days BIGINT NOT NULL DEFAULT 30",
                """
                CREATE TABLE captures (id TEXT PRIMARY KEY, api_id TEXT NOT NULL, captured_at BIGINT NOT NULL,
                  version BIGINT NOT NULL, key_id TEXT NOT NULL, status BIGINT NOT NULL, media_type TEXT NOT NULL,
                  request \(dialect == "postgresql" ? "BYTEA" : "BLOB") NOT NULL, answer \(dialect == "postgresql" ? "BYTEA" : "BLOB") NOT NULL)
                """,
                "CREATE INDEX captures_time ON captures (api_id, captured_at)",
            ]
        },
        Migration(name: "0009_replays_and_profiles") { _ in
            [
                // Captures run again by another version: progress and result (`Replay`, the comparison and
                // the differing rows as JSON), written by the node that runs it.
                """
                CREATE TABLE replays (id TEXT PRIMARY KEY, api_id TEXT NOT NULL, version BIGINT NOT NULL, from_ms BIGINT NOT NULL,
                  to_ms BIGINT NOT NULL, tolerance DOUBLE PRECISION NOT NULL, state TEXT NOT NULL, total BIGINT NOT NULL,
                  processed BIGINT NOT NULL, result TEXT NOT NULL, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX replays_api ON replays (api_id, created_at)",
                // The call a capture came through (`Capture.Endpoint`): every one before was `/predict`'s.
                "ALTER TABLE captures ADD COLUMN endpoint TEXT NOT NULL DEFAULT 'predict'",
                // A model's training data summarised per feature (`InputProfile` as JSON): drift's reference.
                """
                CREATE TABLE model_profiles (model_id TEXT PRIMARY KEY, row_count BIGINT NOT NULL, profile TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(
            name: "0010_capture_batches",
            statements: { dialect in
                [
                    // Captures kept a batch a row (`CaptureBatch`): its first capture's id, the API, the first and
                    // last times, how many were answered (a replay's total without reading them), the captures.
                    """
                    CREATE TABLE capture_batches (id TEXT PRIMARY KEY, api_id TEXT NOT NULL, first_at BIGINT NOT NULL,
                      last_at BIGINT NOT NULL, answered BIGINT NOT NULL, captures \(dialect == "postgresql" ? "BYTEA" : "BLOB") NOT NULL)
                    """,
                    "CREATE INDEX capture_batches_time ON capture_batches (api_id, first_at, last_at)",
                ]
            },
            then: Store.batchRowCaptures),
    ]
}
