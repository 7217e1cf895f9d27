import Foundation
import SibylApp
import SibylCore

/// The OpenAPI 3.1 description of every route, served at `/openapi.json`.
///
/// Built from one table of operations so that a test can hold it against the router: a route missing
/// here, or described here but not served, fails the build's tests.
enum OpenAPIDocument {
    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        var body: [String: Any]? = nil
        var answers: [Int: String] = [200: "OK"]
        var security = true
    }

    static let errors: [Int: String] = [
        400: "malformed_body", 401: "unauthenticated or invalid_api_key", 403: "forbidden or ip_not_allowed",
        404: "not_found", 408: "request_timeout", 409: "conflict", 413: "payload_too_large, too_many_rows or answer_too_large", 415: "unsupported_media_type",
        422: "invalid_input, invalid_model or missing_features", 429: "trial_limit_reached or too_many_attempts", 503: "api_unavailable, overloaded or storage_unavailable",
    ]

    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "additionalProperties": false, "properties": properties, "required": required]
    }

    static var string: [String: Any] { ["type": "string"] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var strings: [String: Any] { ["type": "array", "items": string] }
    static let developerTag = "compatible developer API"
    /// Whitelist rules: the lowest priority that holds the caller decides, deny wins a tie.
    static var rules: [String: Any] {
        ["type": "array", "items": object(["cidr": string, "action": ["enum": ["allow", "deny"]], "priority": integer], required: ["cidr"])]
    }

    /// A name of an API or key: a label, not unique.
    static var apiName: [String: Any] { ["type": "string", "minLength": 1, "maxLength": 100] }
    static var missingFeatures: [String: Any] { ["enum": ["allow", "refuse"], "default": "allow"] }

    static var operations: [Operation] {
        let project = "/api/v1/projects/{project_id}"
        let api = project + "/apis/{api_id}"
        return [
            Operation(method: "get", path: "/healthz", summary: "The node is alive", tag: "system", security: false),
            Operation(method: "get", path: "/readyz", summary: "The node can serve (its database answers)", tag: "system", security: false),
            Operation(method: "get", path: "/metrics", summary: "Prometheus metrics", tag: "system", security: false),
            Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "system", security: false),
            Operation(
                method: "post", path: "/apis/{api_id}/predict",
                summary: "Predict: JSON records, JSON rows in schema order, or CSV with a header; CSV out with Accept: text/csv",
                tag: "data plane",
                body: ["oneOf": [object(["records": ["type": "array", "items": ["type": "object"]]], required: ["records"]),
                                 object(["rows": ["type": "array", "items": ["type": "array"]]], required: ["rows"])]],
                answers: [200: "predictions in input order"]),
            Operation(method: "get", path: "/v2", summary: "Open Inference Protocol v2: server metadata", tag: "v2", security: false),
            Operation(method: "get", path: "/v2/health/live", summary: "v2: the server is alive", tag: "v2", security: false),
            Operation(method: "get", path: "/v2/health/ready", summary: "v2: the server is ready", tag: "v2", security: false),
            Operation(
                method: "get", path: "/v2/models/{api_id}", summary: "v2: model metadata (key and whitelist checked)", tag: "v2 data plane"),
            Operation(
                method: "get", path: "/v2/models/{api_id}/ready", summary: "v2: the API is operating (key and whitelist checked)",
                tag: "v2 data plane"),
            Operation(
                method: "post", path: "/v2/models/{api_id}/infer",
                summary: "v2 infer: one input [rows, features] or one input per feature; JSON data or the binary tensor extension "
                    + "(Inference-Header-Content-Length); parameters.explain adds contributions",
                tag: "v2 data plane",
                body: object(
                    ["id": string, "parameters": ["type": "object"], "inputs": ["type": "array", "items": ["type": "object"]],
                     "outputs": ["type": "array", "items": ["type": "object"]]], required: ["inputs"])),
            Operation(
                method: "post", path: "/v1/groups/{group_id}/classifiers/{classifier_id}/inference",
                summary: "Prediction One's prediction call (group = project, classifier = API; key in x-api-key): inputs pr "
                    + "(base64 CSV), ar, ad, nc, nr, pc; answers base64 CSV outputs", tag: "compatible data plane",
                body: object(["inputs": ["type": "array", "items": ["type": "object"]]], required: ["inputs"])),
            Operation(
                method: "get", path: "/v1/external/api-key",
                summary: "Prediction One: a deploy key (24 h) for an account secret in x-api-key (?credential_type=deploy)",
                tag: developerTag),
            Operation(method: "get", path: "/v1/external/models", summary: "Prediction One: models (?offset=0&limit=30)", tag: developerTag),
            Operation(
                method: "post", path: "/v1/external/classifiers",
                summary: "Prediction One: create a classifier (an API) from a model; its key in the answer only", tag: developerTag,
                body: object(
                    ["model_id": integer, "type": ["enum": ["official", "trial"]],
                     "rules": ["type": "array", "items": object(
                        ["source": string, "order": ["enum": ["allow", "deny"]], "priority": integer], required: ["source"])]],
                    required: ["model_id"])),
            Operation(method: "get", path: "/v1/external/classifiers", summary: "Prediction One: the project's classifiers", tag: developerTag),
            Operation(
                method: "patch", path: "/v1/external/classifiers/{classifier_id}",
                summary: "Prediction One: rules, active (start/stop), is_editable (false locks; true unlocks, admin)", tag: developerTag,
                body: object(["rules": ["type": "array", "items": ["type": "object"]], "active": ["type": "boolean"], "is_editable": ["type": "boolean"]])),
            Operation(
                method: "delete", path: "/v1/external/classifiers/{classifier_id}", summary: "Prediction One: delete a stopped classifier",
                tag: developerTag),
            Operation(method: "get", path: "/api/v1/me", summary: "The caller", tag: "users"),
            Operation(method: "get", path: "/api/v1/users", summary: "List users (admin)", tag: "users"),
            Operation(
                method: "post", path: "/api/v1/users", summary: "Create a user (admin)", tag: "users",
                body: object(["name": string, "password": string, "role": ["enum": ["admin", "member"]]], required: ["name", "password"]),
                answers: [201: "the user"]),
            Operation(
                method: "patch", path: "/api/v1/users/{user_id}", summary: "Change a role (admin) or a password (admin or self)",
                tag: "users", body: object(["password": string, "role": ["enum": ["admin", "member"]]])),
            Operation(method: "delete", path: "/api/v1/users/{user_id}", summary: "Delete a user (admin)", tag: "users", answers: [204: "deleted"]),
            Operation(
                method: "post", path: "/api/v1/tokens",
                summary: "Issue an access token (by password, throttled: 429 too_many_attempts with Retry-After; or for the caller)",
                tag: "users", body: object(["name": string, "password": string, "description": string]),
                answers: [201: "the token, shown once, with its expires_at"], security: false),
            Operation(method: "get", path: "/api/v1/tokens", summary: "The caller's access tokens (never their text)", tag: "users"),
            Operation(
                method: "delete", path: "/api/v1/tokens/{token_id}", summary: "Revoke one of the caller's access tokens", tag: "users",
                answers: [204: "revoked"]),
            Operation(
                method: "get", path: "/api/v1/users/{user_id}/tokens", summary: "A user's access tokens (admin, or the user)", tag: "users"),
            Operation(
                method: "delete", path: "/api/v1/users/{user_id}/tokens/{token_id}",
                summary: "Revoke a user's access token (admin, or the user)", tag: "users", answers: [204: "revoked"]),
            Operation(method: "get", path: "/api/v1/projects", summary: "Projects the caller may see", tag: "projects"),
            Operation(
                method: "post", path: "/api/v1/projects", summary: "Create a project; the caller becomes a member", tag: "projects",
                body: object(["name": string], required: ["name"]), answers: [201: "the project"]),
            Operation(method: "get", path: project, summary: "A project", tag: "projects"),
            Operation(
                method: "put", path: project + "/members", summary: "Replace the members (admin)", tag: "projects",
                body: object(["user_ids": ["type": "array", "items": integer]], required: ["user_ids"])),
            Operation(method: "get", path: "/api/v1/license", summary: "Edition and API options", tag: "license"),
            Operation(
                method: "put", path: "/api/v1/license", summary: "Change the license (admin); 409 when below what is in use", tag: "license",
                body: object(["edition": ["enum": ["trial", "licensed"]], "api_options": integer])),
            Operation(
                method: "post", path: project + "/models",
                summary: "Upload a model: the raw file with ?name=&format=, or multipart fields name, format, file", tag: "models",
                body: ["type": "string", "format": "binary"], answers: [201: "the model"]),
            Operation(method: "get", path: project + "/models", summary: "List models", tag: "models"),
            Operation(method: "get", path: project + "/models/{model_id}", summary: "A model: task, features, classes", tag: "models"),
            Operation(method: "delete", path: project + "/models/{model_id}", summary: "Delete a model no API uses", tag: "models", answers: [204: "deleted"]),
            Operation(
                method: "post", path: project + "/apis", summary: "Create a prediction API (status building)", tag: "apis",
                body: object(
                    [
                        "model_id": string, "type": ["enum": ["official", "trial"], "default": "trial"], "name": apiName,
                        "missing_features": missingFeatures, "ip_whitelist": strings, "ip_rules": rules,
                    ],
                    required: ["model_id"]),
                answers: [202: "the API and its first key, shown once"]),
            Operation(method: "get", path: project + "/apis", summary: "List APIs", tag: "apis"),
            Operation(method: "get", path: api, summary: "API information", tag: "apis"),
            Operation(
                method: "patch", path: api,
                summary: "Serve another model (updating → operating), rename, set missing_features, or promote a trial API to official",
                tag: "apis",
                body: object([
                    "model_id": string, "name": ["type": ["string", "null"], "maxLength": 100], "missing_features": missingFeatures,
                    "type": ["enum": ["official", "trial"]],
                ])),
            Operation(method: "delete", path: api, summary: "Delete a stopped, unlocked API", tag: "apis", answers: [204: "deleted"]),
            Operation(method: "post", path: api + "/stop", summary: "Stop (refused while locked)", tag: "apis"),
            Operation(method: "post", path: api + "/start", summary: "Start a stopped API", tag: "apis"),
            Operation(
                method: "post", path: api + "/lock", summary: "Lock: every edit is refused (but revoking a key) until an admin unlocks", tag: "apis"),
            Operation(method: "post", path: api + "/unlock", summary: "Unlock (admin)", tag: "apis"),
            Operation(method: "get", path: api + "/ip_whitelist", summary: "The IP whitelist: rules, and the allowed blocks", tag: "apis"),
            Operation(
                method: "put", path: api + "/ip_whitelist", summary: "Replace the IP whitelist: cidrs (allow rules) or rules", tag: "apis",
                body: object(["cidrs": strings, "rules": rules])),
            Operation(
                method: "post", path: api + "/ip_whitelist",
                summary: "Set a block's rule: plain (allow, after the others) or with action and/or priority", tag: "apis",
                body: object(["cidr": string, "action": ["enum": ["allow", "deny"]], "priority": integer], required: ["cidr"])),
            Operation(method: "delete", path: api + "/ip_whitelist", summary: "Remove a CIDR block's rule (?cidr=)", tag: "apis"),
            Operation(method: "get", path: api + "/keys", summary: "List keys: ids, names, last use (no secrets)", tag: "apis"),
            Operation(
                method: "post", path: project + "/account_secrets",
                summary: "Create an account secret for Prediction One's developer API, shown once", tag: "account secrets",
                answers: [201: "the secret"]),
            Operation(method: "get", path: project + "/account_secrets", summary: "List account secrets (ids only)", tag: "account secrets"),
            Operation(
                method: "delete", path: project + "/account_secrets/{secret_id}",
                summary: "Revoke an account secret and the keys issued from it", tag: "account secrets", answers: [204: "revoked"]),
            Operation(
                method: "post", path: api + "/keys", summary: "Create a key, optionally named, its secret shown once", tag: "apis",
                body: object(["name": apiName]), answers: [201: "the key"]),
            Operation(method: "delete", path: api + "/keys/{key_id}", summary: "Revoke a key", tag: "apis", answers: [204: "revoked"]),
            Operation(
                method: "get", path: api + "/usage", summary: "Daily counts (?from=YYYY-MM-DD&to=YYYY-MM-DD, UTC)", tag: "apis"),
            Operation(
                method: "get", path: project + "/deployments/{deployment_name}/usage",
                summary: "A deployment's daily counts (?from=YYYY-MM-DD&to=YYYY-MM-DD, UTC)", tag: "deployments"),
            Operation(
                method: "post", path: project + "/deployments/{deployment_name}/lock",
                summary: "Lock: the deployment cannot be stopped or deleted", tag: "deployments"),
            Operation(method: "post", path: project + "/deployments/{deployment_name}/unlock", summary: "Unlock (admin)", tag: "deployments"),
            Operation(
                method: "get", path: project + "/deployments/{deployment_name}/ip_whitelist",
                summary: "The deployment's lock and IP whitelist (null: every address)", tag: "deployments"),
            Operation(
                method: "put", path: project + "/deployments/{deployment_name}/ip_whitelist",
                summary: "Admit by these rules: cidrs (allow rules) or rules", tag: "deployments",
                body: object(["cidrs": strings, "rules": rules])),
            Operation(
                method: "post", path: project + "/deployments/{deployment_name}/ip_whitelist",
                summary: "Set a block's rule, as for an API", tag: "deployments",
                body: object(["cidr": string, "action": ["enum": ["allow", "deny"]], "priority": integer], required: ["cidr"])),
            Operation(
                method: "delete", path: project + "/deployments/{deployment_name}/ip_whitelist",
                summary: "Remove a block's rule (?cidr=), or without it the whole whitelist: every address may call", tag: "deployments"),
        ] + deploymentOperations
    }

    /// The deployment API compatible with the vendor's (docs/gcore-inference-api.md), and the gateway.
    static var deploymentOperations: [Operation] {
        let inference = "/cloud/v3/inference/{project_id}"
        let deployment = inference + "/deployments/{deployment_name}"
        let spec: [String: Any] = ["type": "object", "description": "seed 002's deployment fields; see docs/DEPLOYMENTS.md"]
        let tag = "deployments"
        var operations = [
            Operation(method: "get", path: "/cloud/v3/inference/flavors", summary: "Flavors (?limit&offset)", tag: tag),
            Operation(method: "get", path: "/cloud/v3/inference/flavors/{flavor_name}", summary: "A flavor", tag: tag),
            Operation(method: "get", path: "/cloud/v3/inference/capacity", summary: "Replicas each region can take, by flavor", tag: tag),
            Operation(method: "get", path: "/cloud/v1/regions", summary: "Regions: the node's container engines", tag: tag),
            Operation(method: "get", path: "/cloud/v1/regions/{region_id}", summary: "A region", tag: tag),
            Operation(
                method: "post", path: inference + "/deployments", summary: "Create a deployment; answers its task", tag: tag,
                body: spec, answers: [201: "{tasks: [id]}"]),
            Operation(method: "get", path: inference + "/deployments", summary: "Deployments (?limit&offset): {count, results}", tag: tag),
            Operation(method: "get", path: deployment, summary: "A deployment, with status and replica counts", tag: tag),
            Operation(
                method: "patch", path: deployment, summary: "Change fields (null clears); answers its task", tag: tag, body: spec),
            Operation(method: "delete", path: deployment, summary: "Delete; answers its task", tag: tag),
            Operation(method: "post", path: deployment + "/start", summary: "Start (back to scale.min)", tag: tag, answers: [204: "started"]),
            Operation(method: "post", path: deployment + "/stop", summary: "Stop: no replicas, no requests", tag: tag, answers: [204: "stopped"]),
            Operation(
                method: "get", path: deployment + "/logs", summary: "Replicas' log lines (?limit&offset&order_by=time.asc|time.desc&region_id)",
                tag: tag),
            Operation(
                method: "post", path: inference + "/api_keys", summary: "Create a deployment key, its secret shown once", tag: tag,
                body: object(["name": string, "description": string, "expires_at": string], required: ["name"]),
                answers: [201: "the key and its secret"]),
            Operation(method: "get", path: inference + "/api_keys", summary: "Deployment keys (no secrets)", tag: tag),
            Operation(method: "get", path: inference + "/api_keys/{api_key_name}", summary: "A key and the deployments it opens", tag: tag),
            Operation(
                method: "patch", path: inference + "/api_keys/{api_key_name}", summary: "Change a key's description", tag: tag,
                body: object(["description": string])),
            Operation(
                method: "delete", path: inference + "/api_keys/{api_key_name}", summary: "Delete a key no deployment uses", tag: tag,
                answers: [204: "deleted"]),
            Operation(
                method: "post", path: inference + "/registry_credentials", summary: "Add registry credentials (the password is sealed)",
                tag: tag, body: object(["name": string, "username": string, "password": string, "registry_url": string],
                                       required: ["name", "username", "password", "registry_url"]),
                answers: [201: "the credentials, without the password"]),
            Operation(method: "get", path: inference + "/registry_credentials", summary: "Registry credentials (no passwords)", tag: tag),
            Operation(method: "get", path: inference + "/registry_credentials/{credential_name}", summary: "Registry credentials", tag: tag),
            Operation(
                method: "put", path: inference + "/registry_credentials/{credential_name}", summary: "Replace registry credentials",
                tag: tag, body: object(["username": string, "password": string, "registry_url": string],
                                       required: ["username", "password", "registry_url"])),
            Operation(
                method: "delete", path: inference + "/registry_credentials/{credential_name}",
                summary: "Delete credentials no deployment pulls with", tag: tag, answers: [204: "deleted"]),
            Operation(
                method: "post", path: inference + "/secrets", summary: "Add a secret (values sealed, shown masked)", tag: tag,
                body: object(["name": string, "type": string, "data": ["type": "object"]], required: ["name", "type", "data"]),
                answers: [201: "the secret, masked"]),
            Operation(method: "get", path: inference + "/secrets", summary: "Secrets, masked", tag: tag),
            Operation(method: "get", path: inference + "/secrets/{secret_name}", summary: "A secret, masked", tag: tag),
            Operation(
                method: "put", path: inference + "/secrets/{secret_name}", summary: "Replace a secret's values", tag: tag,
                body: object(["type": string, "data": ["type": "object"]], required: ["type", "data"])),
            Operation(method: "delete", path: inference + "/secrets/{secret_name}", summary: "Delete a secret", tag: tag, answers: [204: "deleted"]),
            Operation(method: "get", path: "/cloud/v1/tasks", summary: "Tasks of the caller's projects (?state&limit&offset)", tag: tag),
            Operation(method: "get", path: "/cloud/v1/tasks/{task_id}", summary: "A task: NEW, RUNNING, FINISHED or ERROR", tag: tag),
        ]
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            for path in ["/inference/{project_id}/{deployment_name}", "/inference/{project_id}/{deployment_name}/{path}"] {
                operations.append(Operation(
                    method: method, path: path,
                    summary: "Forwarded to a ready replica (the key, when the deployment has keys, is not)", tag: "deployments data plane"))
            }
        }
        return operations
    }

    static let json: [UInt8] = {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            var responses: [String: Any] = [:]
            for (status, text) in operation.answers.merging(errors, uniquingKeysWith: { a, _ in a }) {
                responses[String(status)] =
                    status < 400
                    ? ["description": text, "content": ["application/json": ["schema": ["type": "object"]]]]
                    : ["description": text, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            let parameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> [String: Any] in
                let name = String(segment.dropFirst().dropLast())
                return ["name": name, "in": "path", "required": true, "schema": ["project_id", "user_id", "region_id"].contains(name) ? integer : string]
            }
            var entry: [String: Any] = [
                "summary": operation.summary, "tags": [operation.tag], "responses": responses, "parameters": parameters,
                "operationId": operation.method + operation.path.replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                    .replacingOccurrences(of: ".", with: "_"),
            ]
            if let body = operation.body {
                entry["requestBody"] = ["required": true, "content": [body["format"] != nil ? "application/octet-stream" : "application/json": ["schema": body]]]
            }
            entry["security"] = operation.security ? [["accessToken": [String]()]] : [[String: [String]]]()
            if operation.tag.hasSuffix("data plane") { entry["security"] = [["apiKey": [String]()], ["apiKeyHeader": [String]()]] }
            if operation.tag == developerTag { entry["security"] = [["apiKeyHeader": [String]()]] }
            paths[operation.path, default: [:]][operation.method] = entry
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Sibyl", "version": SibylVersion.string, "description": "Self-hosted prediction APIs from trained models."],
            "paths": paths,
            "components": [
                "schemas": [
                    "Error": object(["error": object(["code": string, "message": string], required: ["code", "message"])], required: ["error"])
                ],
                "securitySchemes": [
                    "accessToken": ["type": "http", "scheme": "bearer", "description": "Authorization: apikey TOKEN or Bearer TOKEN"],
                    "apiKey": ["type": "http", "scheme": "bearer", "description": "Authorization: apikey KEY or Bearer KEY"],
                    "apiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-Api-Key"],
                ],
            ],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }()
}
