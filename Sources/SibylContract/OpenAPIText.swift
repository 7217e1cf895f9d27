// Generated from openapi.yaml by scripts/openapi-embed.sh: edit openapi.yaml, then run the script.
enum OpenAPIText {
    static let yaml = #"""
openapi: 3.1.0
info: {title: Sibyl, version: (the running version), description: 'Self-hosted prediction APIs from trained models: the management API,
    the data plane (native, Open Inference Protocol v2, Prediction One), the developer API compatible with Prediction One and the deployment
    API compatible with the vendor in docs/gcore-inference-api.md. This file is the contract: the node serves it as /openapi.json, and
    schemathesis checks every answer against it.'}
security:
- accessToken: []
paths:
  /api/v1/license:
    get:
      operationId: get_api_v1_license
      summary: Edition and API options
      tags: [license]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/License'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_license
      summary: Change the license (admin); 409 when below what is in use
      tags: [license]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                api_options: {type: integer}
                edition:
                  enum: [trial, licensed]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/License'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/me:
    get:
      operationId: get_api_v1_me
      summary: The caller
      tags: [users]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects:
    get:
      operationId: get_api_v1_projects
      summary: Projects the caller may see
      tags: [projects]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ProjectList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects
      summary: Create a project; the caller becomes a member
      tags: [projects]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                name: {type: string}
              required: [name]
              type: object
        required: true
      responses:
        '201':
          description: the project
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Project'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_api_v1_projects_project_id
      summary: A project
      tags: [projects]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Project'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/account_secrets:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_api_v1_projects_project_id_account_secrets
      summary: List account secrets (ids only)
      tags: [account secrets]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/AccountSecretList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_account_secrets
      summary: Create an account secret for Prediction One's developer API, shown once
      tags: [account secrets]
      responses:
        '201':
          description: the secret
          content:
            application/json:
              schema: {$ref: '#/components/schemas/IssuedAccountSecret'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/account_secrets/{secret_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/secret_id'}
    delete:
      operationId: delete_api_v1_projects_project_id_account_secrets_secret_id
      summary: Revoke an account secret and the keys issued from it
      tags: [account secrets]
      responses:
        '204': {description: revoked}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis
      summary: List APIs
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/APIList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_apis
      summary: Create a prediction API (status building)
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                ip_rules:
                  items:
                    additionalProperties: false
                    properties:
                      action:
                        enum: [allow, deny]
                      cidr: {type: string}
                      priority: {type: integer}
                    required: [cidr]
                    type: object
                  type: array
                ip_whitelist:
                  items: {type: string}
                  type: array
                missing_features:
                  default: allow
                  enum: [allow, refuse]
                model_id: {type: string}
                name: {maxLength: 100, minLength: 1, type: string}
                type:
                  default: trial
                  enum: [official, trial]
              required: [model_id]
              type: object
        required: true
      responses:
        '202':
          description: the API and its first key, shown once
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id
      summary: API information
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
    patch:
      operationId: patch_api_v1_projects_project_id_apis_api_id
      summary: Serve another model as the next version (updating → operating), make an earlier version current again, rename, set missing_features, or promote a trial API to official
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                missing_features:
                  default: allow
                  enum: [allow, refuse]
                model_id: {type: string}
                version: {minimum: 1, type: integer}
                name:
                  maxLength: 100
                  type: [string, 'null']
                type:
                  enum: [official, trial]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id
      summary: Delete a stopped, unlocked API
      tags: [apis]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/capture:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_capture
      summary: Which answered requests are kept with their answers (rate, a percentage), and for how many days
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Capture'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_apis_api_id_capture
      summary: 'Set the capture: rate from 0 (none) to 100 (every answered request), retention_days from 1 to 366'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                rate: {maximum: 100, minimum: 0, type: number}
                retention_days: {maximum: 366, minimum: 1, type: integer}
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Capture'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/captures:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_captures
      summary: 'Captured requests with their answers, oldest first (?from, ?to: YYYY-MM-DD or RFC 3339, default the last 24 hours; ?format=ndjson|csv; ?limit up to 1000; ?after= the last page''s Sibyl-Next header)'
      tags: [apis]
      parameters:
      - {in: query, name: from, schema: {type: string}}
      - {in: query, name: to, schema: {type: string}}
      - {in: query, name: format, schema: {enum: [ndjson, csv], type: string}}
      - {in: query, name: limit, schema: {maximum: 1000, minimum: 1, type: integer}}
      - {in: query, name: after, schema: {type: string}}
      responses:
        '200':
          description: 'one capture a line (NDJSON: id, time, endpoint (predict, v2 or prediction_one), version, key_id, status, media_type, request, answer) or CSV with those columns'
          content:
            application/x-ndjson:
              schema: {type: string}
            text/csv:
              schema: {type: string}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/drift:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_drift
      summary: 'Input drift: the captured inputs of a period (?from, ?to as for captures) against the model''s profile or an earlier period (?reference_from&reference_to), per input; ?threshold (PSI, 0.2), ?missing_threshold (0.1), ?version (the current one)'
      tags: [apis]
      parameters:
      - {in: query, name: from, schema: {type: string}}
      - {in: query, name: to, schema: {type: string}}
      - {in: query, name: reference_from, schema: {type: string}}
      - {in: query, name: reference_to, schema: {type: string}}
      - {in: query, name: threshold, schema: {exclusiveMinimum: 0, type: number}}
      - {in: query, name: missing_threshold, schema: {exclusiveMinimum: 0, type: number}}
      - {in: query, name: version, schema: {minimum: 1, type: integer}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Drift'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/replays:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_replays
      summary: 'The API''s replays, newest first (at most 100), without their differing rows'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ReplayList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_replays
      summary: 'Replay the answered captures of a period (from, to as for captures) against a version: a task, one per API at a time'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                version: {minimum: 1, type: integer}
                from: {type: string}
                to: {type: string}
                tolerance: {minimum: 0, type: number}
              required: [version]
              type: object
        required: true
      responses:
        '202':
          description: started
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Replay'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/replays/{replay_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    - {in: path, name: replay_id, required: true, schema: {type: string}}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_replays_replay_id
      summary: 'A replay: progress, comparison and every differing row (up to 10,000 listed)'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Replay'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_replays_replay_id
      summary: 'Stop a replay and forget it'
      tags: [apis]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/ip_whitelist:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_ip_whitelist
      summary: 'The IP whitelist: rules, and the allowed blocks'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Whitelist'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_ip_whitelist
      summary: 'Set a block''s rule: plain (allow, after the others) or with action and/or priority'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                action:
                  enum: [allow, deny]
                cidr: {type: string}
                priority: {type: integer}
              required: [cidr]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Whitelist'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_apis_api_id_ip_whitelist
      summary: 'Replace the IP whitelist: cidrs (allow rules) or rules'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                cidrs:
                  items: {type: string}
                  type: array
                rules:
                  items:
                    additionalProperties: false
                    properties:
                      action:
                        enum: [allow, deny]
                      cidr: {type: string}
                      priority: {type: integer}
                    required: [cidr]
                    type: object
                  type: array
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Whitelist'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_ip_whitelist
      summary: Remove a CIDR block's rule (?cidr=)
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Whitelist'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/keys:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_keys
      summary: 'List keys: ids, names, last use (no secrets)'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/KeyList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_keys
      summary: Create a key, optionally named, its secret shown once
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                name: {maxLength: 100, minLength: 1, type: string}
              type: object
        required: true
      responses:
        '201':
          description: the key
          content:
            application/json:
              schema: {$ref: '#/components/schemas/IssuedKey'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/keys/{key_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    - {$ref: '#/components/parameters/key_id'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_keys_key_id
      summary: Revoke a key
      tags: [apis]
      responses:
        '204': {description: revoked}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/lock:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_lock
      summary: 'Lock: every edit is refused (but revoking a key) until an admin unlocks'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/shadow:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_shadow
      summary: 'The shadow version, and how its answers compared with the answering versions'' per day (?from=YYYY-MM-DD&to=YYYY-MM-DD)'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Shadow'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_apis_api_id_shadow
      summary: 'Give a version a copy of every answered prediction, off the answer''s path; it never answers'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                version: {minimum: 1, type: integer}
              required: [version]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Shadow'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_shadow
      summary: 'End the shadow: its comparisons so far stay'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Shadow'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/start:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_start
      summary: Start a stopped API
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/stop:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_stop
      summary: Stop (refused while locked)
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/traffic:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_traffic
      summary: 'How predictions are shared among versions: the split, or (split empty) all to the current version'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Traffic'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_apis_api_id_traffic
      summary: 'Split predictions among 2 to 10 versions by whole percentages adding up to 100; sticky: one version per key'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                split:
                  items:
                    additionalProperties: false
                    properties:
                      version: {type: integer}
                      weight: {maximum: 99, minimum: 1, type: integer}
                    required: [version, weight]
                    type: object
                  maxItems: 10
                  minItems: 2
                  type: array
                sticky: {default: false, type: boolean}
              required: [split]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Traffic'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_traffic
      summary: 'End the split: the current version answers every prediction'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Traffic'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/unlock:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_unlock
      summary: Unlock (admin)
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/usage:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_usage
      summary: Daily counts (?from=YYYY-MM-DD&to=YYYY-MM-DD, UTC)
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Usage'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/versions:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_api_v1_projects_project_id_apis_api_id_versions
      summary: 'Every model the API has served, numbered; PATCH the API with {"version": n} to make one current again'
      tags: [apis]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/VersionList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_apis_api_id_versions
      summary: 'Add a model as the next version without serving it: give it a share of the traffic, or make it current'
      tags: [apis]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                model_id: {type: string}
              required: [model_id]
              type: object
        required: true
      responses:
        '201':
          description: the API's versions
          content:
            application/json:
              schema: {$ref: '#/components/schemas/VersionList'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/apis/{api_id}/versions/{version}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_id'}
    - {$ref: '#/components/parameters/version'}
    delete:
      operationId: delete_api_v1_projects_project_id_apis_api_id_versions_version
      summary: Forget a version that answers no predictions, so that its model can be deleted
      tags: [apis]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/deployments/{deployment_name}/ip_whitelist:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    get:
      operationId: get_api_v1_projects_project_id_deployments_deployment_name_ip_whitelist
      summary: 'The deployment''s lock and IP whitelist (null: every address)'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_deployments_deployment_name_ip_whitelist
      summary: Set a block's rule, as for an API
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                action:
                  enum: [allow, deny]
                cidr: {type: string}
                priority: {type: integer}
              required: [cidr]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_deployments_deployment_name_ip_whitelist
      summary: 'Admit by these rules: cidrs (allow rules) or rules'
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                cidrs:
                  items: {type: string}
                  type: array
                rules:
                  items:
                    additionalProperties: false
                    properties:
                      action:
                        enum: [allow, deny]
                      cidr: {type: string}
                      priority: {type: integer}
                    required: [cidr]
                    type: object
                  type: array
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_deployments_deployment_name_ip_whitelist
      summary: 'Remove a block''s rule (?cidr=), or without it the whole whitelist: every address may call'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/deployments/{deployment_name}/lock:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    post:
      operationId: post_api_v1_projects_project_id_deployments_deployment_name_lock
      summary: 'Lock: the deployment cannot be stopped or deleted'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/deployments/{deployment_name}/unlock:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    post:
      operationId: post_api_v1_projects_project_id_deployments_deployment_name_unlock
      summary: Unlock (admin)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentGuard'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/deployments/{deployment_name}/usage:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    get:
      operationId: get_api_v1_projects_project_id_deployments_deployment_name_usage
      summary: A deployment's daily counts (?from=YYYY-MM-DD&to=YYYY-MM-DD, UTC)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Usage'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/members:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    put:
      operationId: put_api_v1_projects_project_id_members
      summary: Replace the members (admin)
      tags: [projects]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                user_ids:
                  items: {type: integer}
                  type: array
              required: [user_ids]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Project'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/models:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_api_v1_projects_project_id_models
      summary: List models
      tags: [models]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ModelList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_projects_project_id_models
      summary: 'Upload a model: the raw file with ?name=&format=, or multipart fields name, format, file'
      tags: [models]
      requestBody:
        content:
          application/octet-stream:
            schema: {format: binary, type: string}
        required: true
      responses:
        '201':
          description: the model
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Model'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/models/{model_id}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/model_id'}
    get:
      operationId: get_api_v1_projects_project_id_models_model_id
      summary: 'A model: task, features, classes'
      tags: [models]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Model'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_models_model_id
      summary: Delete a model no API uses
      tags: [models]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/projects/{project_id}/models/{model_id}/profile:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/model_id'}
    get:
      operationId: get_api_v1_projects_project_id_models_model_id_profile
      summary: 'The model''s input profile: its training rows summarised per feature (drift''s reference)'
      tags: [models]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Profile'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_api_v1_projects_project_id_models_model_id_profile
      summary: 'Upload training rows (CSV with a header of feature names, up to 64 MiB): summarised as the model''s profile, not kept'
      tags: [models]
      requestBody:
        content:
          text/csv:
            schema: {type: string}
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Profile'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_projects_project_id_models_model_id_profile
      summary: 'Forget the model''s profile'
      tags: [models]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/tokens:
    get:
      operationId: get_api_v1_tokens
      summary: The caller's access tokens (never their text)
      tags: [users]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TokenList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_tokens
      summary: 'Issue an access token (by password, throttled: 429 too_many_attempts with Retry-After; or for the caller)'
      tags: [users]
      security: []
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                description: {type: string}
                name: {type: string}
                password: {type: string}
              type: object
        required: true
      responses:
        '201':
          description: the token, shown once, with its expires_at
          content:
            application/json:
              schema: {$ref: '#/components/schemas/IssuedToken'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/tokens/{token_id}:
    parameters:
    - {$ref: '#/components/parameters/token_id'}
    delete:
      operationId: delete_api_v1_tokens_token_id
      summary: Revoke one of the caller's access tokens
      tags: [users]
      responses:
        '204': {description: revoked}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/users:
    get:
      operationId: get_api_v1_users
      summary: List users (admin)
      tags: [users]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/UserList'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_api_v1_users
      summary: Create a user (admin)
      tags: [users]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                name: {type: string}
                password: {type: string}
                role:
                  enum: [admin, member]
              required: [name, password]
              type: object
        required: true
      responses:
        '201':
          description: the user
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/users/{user_id}:
    parameters:
    - {$ref: '#/components/parameters/user_id'}
    patch:
      operationId: patch_api_v1_users_user_id
      summary: Change a role (admin) or a password (admin or self)
      tags: [users]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                password: {type: string}
                role:
                  enum: [admin, member]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_api_v1_users_user_id
      summary: Delete a user (admin)
      tags: [users]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/users/{user_id}/tokens:
    parameters:
    - {$ref: '#/components/parameters/user_id'}
    get:
      operationId: get_api_v1_users_user_id_tokens
      summary: A user's access tokens (admin, or the user)
      tags: [users]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TokenList'}
        default: {$ref: '#/components/responses/Error'}
  /api/v1/users/{user_id}/tokens/{token_id}:
    parameters:
    - {$ref: '#/components/parameters/user_id'}
    - {$ref: '#/components/parameters/token_id'}
    delete:
      operationId: delete_api_v1_users_user_id_tokens_token_id
      summary: Revoke a user's access token (admin, or the user)
      tags: [users]
      responses:
        '204': {description: revoked}
        default: {$ref: '#/components/responses/Error'}
  /apis/{api_id}/predict:
    parameters:
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_apis_api_id_predict
      summary: 'Predict: JSON records, JSON rows in schema order, or CSV with a header; CSV out with Accept: text/csv'
      tags: [data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
              - additionalProperties: false
                properties:
                  records:
                    items: {type: object}
                    type: array
                required: [records]
                type: object
              - additionalProperties: false
                properties:
                  rows:
                    items: {type: array}
                    type: array
                required: [rows]
                type: object
        required: true
      responses:
        '200':
          description: predictions in input order
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Predictions'}
            text/csv:
              schema: {type: string}
        default: {$ref: '#/components/responses/Error'}
  /v2:
    get:
      operationId: get_v2
      summary: 'Open Inference Protocol v2: server metadata'
      tags: [v2]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/V2Server'}
        default: {$ref: '#/components/responses/V2Error'}
  /v2/health/live:
    get:
      operationId: get_v2_health_live
      summary: 'v2: the server is alive'
      tags: [v2]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  live: {type: boolean}
                required: [live]
                additionalProperties: false
        default: {$ref: '#/components/responses/V2Error'}
  /v2/health/ready:
    get:
      operationId: get_v2_health_ready
      summary: 'v2: the server is ready'
      tags: [v2]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  ready: {type: boolean}
                required: [ready]
                additionalProperties: false
        default: {$ref: '#/components/responses/V2Error'}
  /v2/models/{api_id}:
    parameters:
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_v2_models_api_id
      summary: 'v2: model metadata (key and whitelist checked)'
      tags: [v2 data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/V2Model'}
        default: {$ref: '#/components/responses/V2Error'}
  /v2/models/{api_id}/infer:
    parameters:
    - {$ref: '#/components/parameters/api_id'}
    post:
      operationId: post_v2_models_api_id_infer
      summary: 'v2 infer: one input [rows, features] or one input per feature; JSON data or the binary tensor extension (Inference-Header-Content-Length);
        parameters.explain adds contributions'
      tags: [v2 data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                id: {type: string}
                inputs:
                  items: {type: object}
                  type: array
                outputs:
                  items: {type: object}
                  type: array
                parameters: {type: object}
              required: [inputs]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/V2Inference'}
        default: {$ref: '#/components/responses/V2Error'}
  /v2/models/{api_id}/ready:
    parameters:
    - {$ref: '#/components/parameters/api_id'}
    get:
      operationId: get_v2_models_api_id_ready
      summary: 'v2: the API is operating (key and whitelist checked)'
      tags: [v2 data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/V2ModelReady'}
        default: {$ref: '#/components/responses/V2Error'}
  /v1/external/api-key:
    get:
      operationId: get_v1_external_api-key
      summary: 'Prediction One: a deploy key (24 h) for an account secret in x-api-key (?credential_type=deploy)'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeployKey'}
        default: {$ref: '#/components/responses/PredictionOneError'}
  /v1/external/classifiers:
    get:
      operationId: get_v1_external_classifiers
      summary: 'Prediction One: the project''s classifiers'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Classifiers'}
        default: {$ref: '#/components/responses/PredictionOneError'}
    post:
      operationId: post_v1_external_classifiers
      summary: 'Prediction One: create a classifier (an API) from a model; its key in the answer only'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                model_id: {type: integer}
                rules:
                  items:
                    additionalProperties: false
                    properties:
                      order:
                        enum: [allow, deny]
                      priority: {type: integer}
                      source: {type: string}
                    required: [source]
                    type: object
                  type: array
                type:
                  enum: [official, trial]
              required: [model_id]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CreatedClassifier'}
        default: {$ref: '#/components/responses/PredictionOneError'}
  /v1/external/classifiers/{classifier_id}:
    parameters:
    - {$ref: '#/components/parameters/classifier_id'}
    patch:
      operationId: patch_v1_external_classifiers_classifier_id
      summary: 'Prediction One: rules, active (start/stop), is_editable (false locks; true unlocks, admin)'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                active: {type: boolean}
                is_editable: {type: boolean}
                rules:
                  items: {type: object}
                  type: array
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ClassifierAnswer'}
        default: {$ref: '#/components/responses/PredictionOneError'}
    delete:
      operationId: delete_v1_external_classifiers_classifier_id
      summary: 'Prediction One: delete a stopped classifier'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties: {}
                additionalProperties: false
        default: {$ref: '#/components/responses/PredictionOneError'}
  /v1/external/models:
    get:
      operationId: get_v1_external_models
      summary: 'Prediction One: models (?offset=0&limit=30)'
      tags: [compatible developer API]
      security:
      - apiKeyHeader: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeveloperModels'}
        default: {$ref: '#/components/responses/PredictionOneError'}
  /v1/groups/{group_id}/classifiers/{classifier_id}/inference:
    parameters:
    - {$ref: '#/components/parameters/group_id'}
    - {$ref: '#/components/parameters/classifier_id'}
    post:
      operationId: post_v1_groups_group_id_classifiers_classifier_id_inference
      summary: 'Prediction One''s prediction call (group = project, classifier = API; key in x-api-key): inputs pr (base64 CSV), ar,
        ad, nc, nr, pc; answers base64 CSV outputs'
      tags: [compatible data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                inputs:
                  items: {type: object}
                  type: array
              required: [inputs]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PredictionOneInference'}
        default: {$ref: '#/components/responses/PredictionOneError'}
  /cloud/v1/regions:
    get:
      operationId: get_cloud_v1_regions
      summary: 'Regions: the node''s container engines'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RegionPage'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v1/regions/{region_id}:
    parameters:
    - {$ref: '#/components/parameters/region_id'}
    get:
      operationId: get_cloud_v1_regions_region_id
      summary: A region
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Region'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v1/tasks:
    get:
      operationId: get_cloud_v1_tasks
      summary: Tasks of the caller's projects (?state&limit&offset)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskPage'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v1/tasks/{task_id}:
    parameters:
    - {$ref: '#/components/parameters/task_id'}
    get:
      operationId: get_cloud_v1_tasks_task_id
      summary: 'A task: NEW, RUNNING, FINISHED or ERROR'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Task'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/capacity:
    get:
      operationId: get_cloud_v3_inference_capacity
      summary: Replicas each region can take, by flavor
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/CapacityPage'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/flavors:
    get:
      operationId: get_cloud_v3_inference_flavors
      summary: Flavors (?limit&offset)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/FlavorPage'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/flavors/{flavor_name}:
    parameters:
    - {$ref: '#/components/parameters/flavor_name'}
    get:
      operationId: get_cloud_v3_inference_flavors_flavor_name
      summary: A flavor
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Flavor'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/api_keys:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_cloud_v3_inference_project_id_api_keys
      summary: Deployment keys (no secrets)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/InferenceKeyPage'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_cloud_v3_inference_project_id_api_keys
      summary: Create a deployment key, its secret shown once
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                description: {type: string}
                expires_at: {type: string}
                name: {type: string}
              required: [name]
              type: object
        required: true
      responses:
        '201':
          description: the key and its secret
          content:
            application/json:
              schema: {$ref: '#/components/schemas/InferenceKey'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/api_keys/{api_key_name}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/api_key_name'}
    get:
      operationId: get_cloud_v3_inference_project_id_api_keys_api_key_name
      summary: A key and the deployments it opens
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/InferenceKey'}
        default: {$ref: '#/components/responses/Error'}
    patch:
      operationId: patch_cloud_v3_inference_project_id_api_keys_api_key_name
      summary: Change a key's description
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                description: {type: string}
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/InferenceKey'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_cloud_v3_inference_project_id_api_keys_api_key_name
      summary: Delete a key no deployment uses
      tags: [deployments]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/deployments:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_cloud_v3_inference_project_id_deployments
      summary: 'Deployments (?limit&offset): {count, results}'
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeploymentPage'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_cloud_v3_inference_project_id_deployments
      summary: Create a deployment; answers its task
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema: {description: seed 002's deployment fields; see docs/DEPLOYMENTS.md, type: object}
        required: true
      responses:
        '201':
          description: '{tasks: [id]}'
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskIDs'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/deployments/{deployment_name}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    get:
      operationId: get_cloud_v3_inference_project_id_deployments_deployment_name
      summary: A deployment, with status and replica counts
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Deployment'}
        default: {$ref: '#/components/responses/Error'}
    patch:
      operationId: patch_cloud_v3_inference_project_id_deployments_deployment_name
      summary: Change fields (null clears); answers its task
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema: {description: seed 002's deployment fields; see docs/DEPLOYMENTS.md, type: object}
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskIDs'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_cloud_v3_inference_project_id_deployments_deployment_name
      summary: Delete; answers its task
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskIDs'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/deployments/{deployment_name}/logs:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    get:
      operationId: get_cloud_v3_inference_project_id_deployments_deployment_name_logs
      summary: Replicas' log lines (?limit&offset&order_by=time.asc|time.desc&region_id)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/LogPage'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/deployments/{deployment_name}/start:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    post:
      operationId: post_cloud_v3_inference_project_id_deployments_deployment_name_start
      summary: Start (back to scale.min)
      tags: [deployments]
      responses:
        '204': {description: started}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/deployments/{deployment_name}/stop:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    post:
      operationId: post_cloud_v3_inference_project_id_deployments_deployment_name_stop
      summary: 'Stop: no replicas, no requests'
      tags: [deployments]
      responses:
        '204': {description: stopped}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/registry_credentials:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_cloud_v3_inference_project_id_registry_credentials
      summary: Registry credentials (no passwords)
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RegistryCredentialsPage'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_cloud_v3_inference_project_id_registry_credentials
      summary: Add registry credentials (the password is sealed)
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                name: {type: string}
                password: {type: string}
                registry_url: {type: string}
                username: {type: string}
              required: [name, username, password, registry_url]
              type: object
        required: true
      responses:
        '201':
          description: the credentials, without the password
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RegistryCredentials'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/registry_credentials/{credential_name}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/credential_name'}
    get:
      operationId: get_cloud_v3_inference_project_id_registry_credentials_credential_name
      summary: Registry credentials
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RegistryCredentials'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_cloud_v3_inference_project_id_registry_credentials_credential_name
      summary: Replace registry credentials
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                password: {type: string}
                registry_url: {type: string}
                username: {type: string}
              required: [username, password, registry_url]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RegistryCredentials'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_cloud_v3_inference_project_id_registry_credentials_credential_name
      summary: Delete credentials no deployment pulls with
      tags: [deployments]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/secrets:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    get:
      operationId: get_cloud_v3_inference_project_id_secrets
      summary: Secrets, masked
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SecretPage'}
        default: {$ref: '#/components/responses/Error'}
    post:
      operationId: post_cloud_v3_inference_project_id_secrets
      summary: Add a secret (values sealed, shown masked)
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                data: {type: object}
                name: {type: string}
                type: {type: string}
              required: [name, type, data]
              type: object
        required: true
      responses:
        '201':
          description: the secret, masked
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Secret'}
        default: {$ref: '#/components/responses/Error'}
  /cloud/v3/inference/{project_id}/secrets/{secret_name}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/secret_name'}
    get:
      operationId: get_cloud_v3_inference_project_id_secrets_secret_name
      summary: A secret, masked
      tags: [deployments]
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Secret'}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: put_cloud_v3_inference_project_id_secrets_secret_name
      summary: Replace a secret's values
      tags: [deployments]
      requestBody:
        content:
          application/json:
            schema:
              additionalProperties: false
              properties:
                data: {type: object}
                type: {type: string}
              required: [type, data]
              type: object
        required: true
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Secret'}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: delete_cloud_v3_inference_project_id_secrets_secret_name
      summary: Delete a secret
      tags: [deployments]
      responses:
        '204': {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /inference/{project_id}/{deployment_name}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    get:
      operationId: get_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    post:
      operationId: post_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    put:
      operationId: put_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    patch:
      operationId: patch_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    delete:
      operationId: delete_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    head:
      operationId: head_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    options:
      operationId: options_inference_project_id_deployment_name
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
  /inference/{project_id}/{deployment_name}/{path}:
    parameters:
    - {$ref: '#/components/parameters/project_id'}
    - {$ref: '#/components/parameters/deployment_name'}
    - {$ref: '#/components/parameters/path'}
    get:
      operationId: get_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    post:
      operationId: post_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    put:
      operationId: put_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    patch:
      operationId: patch_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    delete:
      operationId: delete_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    head:
      operationId: head_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
    options:
      operationId: options_inference_project_id_deployment_name_path
      summary: Forwarded to a ready replica (the key, when the deployment has keys, is not)
      tags: [deployments data plane]
      security:
      - apiKey: []
      - apiKeyHeader: []
      responses:
        '200': {description: OK}
        default: {description: 'the forwarded answer, or a refusal'}
  /healthz:
    get:
      operationId: get_healthz
      summary: The node is alive
      tags: [system]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Status'}
        default: {$ref: '#/components/responses/Error'}
  /metrics:
    get:
      operationId: get_metrics
      summary: Prometheus metrics
      tags: [system]
      security: []
      responses:
        '200':
          description: OK
          content:
            text/plain:
              schema: {type: string}
        default: {$ref: '#/components/responses/Error'}
  /openapi.json:
    get:
      operationId: get_openapi_json
      summary: This document
      tags: [system]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {type: object}
        default: {$ref: '#/components/responses/Error'}
  /readyz:
    get:
      operationId: get_readyz
      summary: The node can serve (its database answers)
      tags: [system]
      security: []
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Status'}
        default: {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    accessToken: {description: 'Authorization: apikey TOKEN or Bearer TOKEN', scheme: bearer, type: http}
    apiKey: {description: 'Authorization: apikey KEY or Bearer KEY', scheme: bearer, type: http}
    apiKeyHeader: {in: header, name: X-Api-Key, type: apiKey}
  parameters:
    api_id:
      in: path
      name: api_id
      required: true
      schema: {type: string}
    api_key_name:
      in: path
      name: api_key_name
      required: true
      schema: {type: string}
    classifier_id:
      in: path
      name: classifier_id
      required: true
      schema: {type: string}
    credential_name:
      in: path
      name: credential_name
      required: true
      schema: {type: string}
    deployment_name:
      in: path
      name: deployment_name
      required: true
      schema: {type: string}
    flavor_name:
      in: path
      name: flavor_name
      required: true
      schema: {type: string}
    group_id:
      in: path
      name: group_id
      required: true
      schema: {type: string}
    key_id:
      in: path
      name: key_id
      required: true
      schema: {type: string}
    model_id:
      in: path
      name: model_id
      required: true
      schema: {type: string}
    version:
      in: path
      name: version
      required: true
      schema: {type: integer}
    path:
      in: path
      name: path
      required: true
      schema: {type: string}
    project_id:
      in: path
      name: project_id
      required: true
      schema: {type: integer}
    region_id:
      in: path
      name: region_id
      required: true
      schema: {type: integer}
    secret_id:
      in: path
      name: secret_id
      required: true
      schema: {type: string}
    secret_name:
      in: path
      name: secret_name
      required: true
      schema: {type: string}
    task_id:
      in: path
      name: task_id
      required: true
      schema: {type: string}
    token_id:
      in: path
      name: token_id
      required: true
      schema: {type: string}
    user_id:
      in: path
      name: user_id
      required: true
      schema: {type: integer}
  responses:
    Error:
      description: 'A refusal: {"error": {"code", "message"}}; its status by code:

        - 400: malformed_body

        - 401: unauthenticated or invalid_api_key

        - 403: forbidden or ip_not_allowed

        - 404: not_found

        - 408: request_timeout

        - 409: conflict

        - 413: payload_too_large, too_many_rows or answer_too_large

        - 415: unsupported_media_type

        - 422: invalid_input, invalid_model or missing_features

        - 429: trial_limit_reached or too_many_attempts

        - 503: api_unavailable, overloaded or storage_unavailable'
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
    V2Error:
      description: 'A refusal in the shape of the v2 protocol, {"error": message}, with Sibyl''s code beside it; statuses as for Error'
      content:
        application/json:
          schema: {$ref: '#/components/schemas/V2Error'}
    PredictionOneError:
      description: 'A refusal in Prediction One''s shape: a 10-digit code that starts with the HTTP status, an error name, a message,
        and Sibyl''s detail when it has one'
      content:
        application/json:
          schema: {$ref: '#/components/schemas/PredictionOneError'}
  schemas:
    Error:
      type: object
      properties:
        error:
          type: object
          properties:
            code: {type: string}
            message: {type: string}
          required: [code, message]
          additionalProperties: false
      required: [error]
      additionalProperties: false
    V2Error:
      type: object
      properties:
        error: {type: string}
        code: {type: string}
      required: [error, code]
      additionalProperties: false
    PredictionOneError:
      type: object
      properties:
        code: {type: integer}
        error: {type: string}
        message: {type: string}
        detail: {type: string}
      required: [code, error, message]
      additionalProperties: false
    Time: {type: string, description: 'UTC, ISO 8601 to the second: 2026-12-05T16:34:27Z'}
    User:
      type: object
      properties:
        user_id: {type: integer}
        name: {type: string}
        role:
          enum: [admin, member]
      required: [user_id, name, role]
      additionalProperties: false
    UserList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/User'}
      required: [count, results]
      additionalProperties: false
    IssuedToken:
      type: object
      properties:
        token_id: {type: string}
        token: {type: string}
        user: {$ref: '#/components/schemas/User'}
        description: {type: string}
        expires_at: {$ref: '#/components/schemas/Time'}
      required: [token_id, token, user, description, expires_at]
      additionalProperties: false
    Token:
      type: object
      properties:
        token_id: {type: string}
        user_id: {type: integer}
        description: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
        expires_at: {$ref: '#/components/schemas/Time'}
        last_used_at: {$ref: '#/components/schemas/Time'}
        current: {type: boolean}
      required: [token_id, user_id, description, created_at, current]
      additionalProperties: false
    TokenList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Token'}
      required: [count, results]
      additionalProperties: false
    Project:
      type: object
      properties:
        project_id: {type: integer}
        name: {type: string}
        members:
          type: array
          items: {type: integer}
      required: [project_id, name, members]
      additionalProperties: false
    ProjectList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Project'}
      required: [count, results]
      additionalProperties: false
    License:
      type: object
      properties:
        edition:
          enum: [trial, licensed]
        api_options: {type: integer}
        api_options_in_use: {type: integer}
      required: [edition, api_options, api_options_in_use]
      additionalProperties: false
    Model:
      type: object
      properties:
        model_id: {type: string}
        project_id: {type: integer}
        name: {type: string}
        format: {type: string}
        task:
          enum: [binary, multiclass, regression]
        objective: {type: string}
        features:
          type: array
          items:
            type: object
            description: >-
              A feature the model takes. A `category` takes its code (a number) or, where `categories` names
              them, a category's name; a name the model never saw is a missing value. A LightGBM model also
              takes a name as written in training, its spaces where LightGBM stored `_`. A CatBoost model's
              category takes any text (a whole number is read as its decimal text), since CatBoost keeps
              hashes of its categories, not their names; it has no `categories`.
            properties:
              name: {type: string}
              type:
                enum: [number, category]
              categories:
                description: >-
                  A category's names in code order; empty where the model knows them by code only; absent
                  where it takes any text (CatBoost).
                type: array
                items: {type: string}
            required: [name, type]
            additionalProperties: false
        classes:
          type: array
          items: {type: string}
        tree_count: {type: integer}
        sha256: {type: string}
        size: {type: integer}
        created_at: {$ref: '#/components/schemas/Time'}
      required: [model_id, project_id, name, format, task, objective, features, classes, tree_count, sha256, size, created_at]
      additionalProperties: false
    ModelList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Model'}
      required: [count, results]
      additionalProperties: false
    Rule:
      type: object
      properties:
        cidr: {type: string}
        action:
          enum: [allow, deny]
        priority: {type: integer}
      required: [cidr, action, priority]
      additionalProperties: false
    Key:
      type: object
      properties:
        key_id: {type: string}
        name:
          type: [string, 'null']
        created_at: {$ref: '#/components/schemas/Time'}
        last_used_at:
          type: [string, 'null']
      required: [key_id, name, created_at, last_used_at]
      additionalProperties: false
    KeyList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Key'}
      required: [count, results]
      additionalProperties: false
    IssuedKey:
      type: object
      properties:
        key_id: {type: string}
        name:
          type: [string, 'null']
        secret: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
      required: [key_id, name, secret, created_at]
      additionalProperties: false
    API:
      type: object
      properties:
        api_id: {type: string}
        project_id: {type: integer}
        name:
          type: [string, 'null']
        model_id: {type: string}
        type:
          enum: [official, trial]
        status:
          enum: [building, operating, updating, stopped, deleting, failed]
        locked: {type: boolean}
        url: {type: string}
        ip_whitelist:
          type: array
          items: {type: string}
        ip_rules:
          type: array
          items: {$ref: '#/components/schemas/Rule'}
        keys:
          type: array
          items: {$ref: '#/components/schemas/Key'}
        created_at: {$ref: '#/components/schemas/Time'}
        request_limit: {type: integer}
        requests_used: {type: integer}
        requests_left: {type: integer}
        exhausted: {type: boolean}
        missing_features:
          enum: [allow, refuse]
        failure_reason: {type: string}
        version: {type: integer}
        traffic:
          oneOf:
          - {$ref: '#/components/schemas/Traffic'}
          - {type: 'null'}
        shadow:
          type: [integer, 'null']
        capture: {$ref: '#/components/schemas/Capture'}
        versions:
          type: array
          items: {$ref: '#/components/schemas/Version'}
        api_key: {$ref: '#/components/schemas/IssuedKey'}
      required: [api_id, project_id, name, model_id, type, status, locked, url, ip_whitelist, ip_rules, keys, created_at, exhausted,
        missing_features, version, traffic, shadow, capture, versions]
      additionalProperties: false
    Version:
      type: object
      properties:
        version: {type: integer}
        model_id: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
        current: {type: boolean}
        weight: {type: integer}
        shadow: {type: boolean}
      required: [version, model_id, created_at, current, weight, shadow]
      additionalProperties: false
    VersionList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Version'}
      required: [count, results]
      additionalProperties: false
    Capture:
      type: object
      properties:
        rate: {type: number}
        retention_days: {type: integer}
      required: [rate, retention_days]
      additionalProperties: false
    Shadow:
      type: object
      properties:
        api_id: {type: string}
        version:
          type: [integer, 'null']
        from: {type: string}
        to: {type: string}
        days:
          type: array
          items:
            type: object
            properties:
              date: {type: string}
              version: {type: integer}
              requests: {type: integer}
              rows: {type: integer}
              label_agreement:
                type: [number, 'null']
              mean_abs_difference:
                type: [number, 'null']
              max_abs_difference:
                type: [number, 'null']
              failed: {type: integer}
              skipped: {type: integer}
            required: [date, version, requests, rows, label_agreement, mean_abs_difference, max_abs_difference, failed, skipped]
            additionalProperties: false
      required: [api_id, version, from, to, days]
      additionalProperties: false
    Replay:
      type: object
      properties:
        id: {type: string}
        api_id: {type: string}
        version: {type: integer}
        from: {type: string}
        to: {type: string}
        tolerance: {type: number}
        state:
          enum: [running, done, failed, interrupted]
          type: string
        total: {type: integer}
        processed: {type: integer}
        requests: {type: integer}
        rows: {type: integer}
        failed: {type: integer}
        label_agreement: {type: number}
        mean_abs_difference: {type: number}
        max_abs_difference: {type: number}
        differing_rows: {type: integer}
        differences:
          type: array
          items:
            type: object
            properties:
              capture_id: {type: string}
              row: {type: integer}
              answered: {type: string}
              replayed: {type: string}
            required: [capture_id, row, answered, replayed]
            additionalProperties: false
        error: {type: string}
        created_at: {type: string}
        updated_at: {type: string}
      required: [id, api_id, version, from, to, tolerance, state, total, processed, requests, rows, failed, differing_rows, created_at, updated_at]
      additionalProperties: false
    ReplayList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Replay'}
      required: [count, results]
      additionalProperties: false
    Drift:
      type: object
      properties:
        api_id: {type: string}
        version: {type: integer}
        from: {type: string}
        to: {type: string}
        reference:
          enum: [profile, period]
          type: string
        reference_from: {type: string}
        reference_to: {type: string}
        threshold: {type: number}
        missing_threshold: {type: number}
        captures: {type: integer}
        rows: {type: integer}
        truncated: {type: boolean}
        drifted:
          type: array
          items: {type: string}
        features:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              psi: {type: number}
              reference_missing_rate: {type: number}
              missing_rate: {type: number}
              new_categories:
                type: array
                items: {type: string}
              drifted: {type: boolean}
              bins:
                type: array
                items: {type: string}
              shares:
                type: array
                items: {type: number}
              reference_shares:
                type: array
                items: {type: number}
            required: [name, new_categories, drifted, bins, shares, reference_shares]
            additionalProperties: false
      required: [api_id, version, from, to, reference, threshold, missing_threshold, captures, rows, truncated, drifted, features]
      additionalProperties: false
    Profile:
      type: object
      properties:
        model_id: {type: string}
        rows: {type: integer}
        features:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              type:
                enum: [number, category]
                type: string
              count: {type: integer}
              missing_rate: {type: number}
              edges:
                type: array
                items: {type: number}
              bins:
                type: array
                items: {type: integer}
              categories:
                type: object
                additionalProperties: {type: integer}
            required: [name, type, count, missing_rate]
            additionalProperties: false
      required: [model_id, rows, features]
      additionalProperties: false
    Traffic:
      type: object
      properties:
        version: {type: integer}
        split:
          type: array
          items:
            type: object
            properties:
              version: {type: integer}
              weight: {type: integer}
            required: [version, weight]
            additionalProperties: false
        sticky: {type: boolean}
      required: [version, split, sticky]
      additionalProperties: false
    APIList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/API'}
      required: [count, results]
      additionalProperties: false
    Whitelist:
      type: object
      properties:
        cidrs:
          type: array
          items: {type: string}
        rules:
          type: array
          items: {$ref: '#/components/schemas/Rule'}
      required: [cidrs, rules]
      additionalProperties: false
    Usage:
      type: object
      properties:
        api_id: {type: string}
        from: {type: string}
        to: {type: string}
        days:
          type: array
          items:
            type: object
            properties:
              date: {type: string}
              status_200: {type: integer}
              status_4xx_5xx: {type: integer}
              by_status:
                type: object
                additionalProperties: {type: integer}
            required: [date, status_200, status_4xx_5xx, by_status]
            additionalProperties: false
        total_200: {type: integer}
        total_4xx_5xx: {type: integer}
      required: [api_id, from, to, days, total_200, total_4xx_5xx]
      additionalProperties: false
    IssuedAccountSecret:
      type: object
      properties:
        secret_id: {type: string}
        secret: {type: string}
        user: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
      required: [secret_id, secret, user, created_at]
      additionalProperties: false
    AccountSecret:
      type: object
      properties:
        secret_id: {type: string}
        user: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
      required: [secret_id, user, created_at]
      additionalProperties: false
    AccountSecretList:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/AccountSecret'}
      required: [count, results]
      additionalProperties: false
    DeploymentGuard:
      type: object
      properties:
        name: {type: string}
        locked: {type: boolean}
        ip_whitelist:
          type: [array, 'null']
          items: {type: string}
        ip_rules:
          type: [array, 'null']
          items: {$ref: '#/components/schemas/Rule'}
      required: [name, locked, ip_whitelist, ip_rules]
      additionalProperties: false
    Predictions:
      type: object
      properties:
        predictions:
          type: array
          items: {type: object}
        contributions:
          type: array
          items:
            type: object
            additionalProperties: {type: number}
      required: [predictions]
      additionalProperties: false
    V2Server:
      type: object
      properties:
        name: {type: string}
        version: {type: string}
        extensions:
          type: array
          items: {type: string}
      required: [name, version, extensions]
      additionalProperties: false
    V2Tensor:
      type: object
      properties:
        name: {type: string}
        datatype: {type: string}
        shape:
          type: array
          items: {type: integer}
      required: [name, datatype, shape]
      additionalProperties: false
    V2Model:
      type: object
      properties:
        name: {type: string}
        versions:
          type: array
          items: {type: string}
        platform: {type: string}
        inputs:
          type: array
          items: {$ref: '#/components/schemas/V2Tensor'}
        outputs:
          type: array
          items: {$ref: '#/components/schemas/V2Tensor'}
      required: [name, versions, platform, inputs, outputs]
      additionalProperties: false
    V2ModelReady:
      type: object
      properties:
        name: {type: string}
        ready: {type: boolean}
      required: [name, ready]
      additionalProperties: false
    V2Inference:
      type: object
      properties:
        model_name: {type: string}
        model_version: {description: 'the API''s version that made the answer', type: string}
        id: {type: string}
        outputs:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              datatype: {type: string}
              shape:
                type: array
                items: {type: integer}
              data: {type: array}
              parameters:
                type: object
                properties:
                  binary_data_size: {type: integer}
                required: [binary_data_size]
                additionalProperties: false
            required: [name, datatype, shape]
            additionalProperties: false
      required: [model_name, model_version, outputs]
      additionalProperties: false
    DeployKey:
      type: object
      properties:
        api_key: {type: string}
        end_date: {$ref: '#/components/schemas/Time'}
      required: [api_key, end_date]
      additionalProperties: false
    DeveloperModels:
      type: object
      properties:
        models:
          type: array
          items:
            type: object
            properties:
              model_id: {type: integer}
              sibyl_model_id: {type: string}
              name: {type: string}
              format: {type: string}
              task: {type: string}
              create_datetime: {$ref: '#/components/schemas/Time'}
            required: [model_id, sibyl_model_id, name, format, task, create_datetime]
            additionalProperties: false
        metadata:
          type: object
          properties:
            offset: {type: integer}
            limit: {type: integer}
            total: {type: integer}
          required: [offset, limit, total]
          additionalProperties: false
      required: [models, metadata]
      additionalProperties: false
    CreatedClassifier:
      type: object
      properties:
        classifier_id: {type: string}
        api_key: {type: string}
        version: {type: string}
      required: [classifier_id, api_key, version]
      additionalProperties: false
    Classifier:
      type: object
      properties:
        classifier_id: {type: string}
        model_id:
          type: [integer, 'null']
        status:
          enum: [building, running, updating, terminated, terminating, failed]
        api_key: {type: 'null'}
        version: {type: string}
        url:
          type: [string, 'null']
        active: {type: boolean}
        is_editable: {type: boolean}
        create_datetime: {$ref: '#/components/schemas/Time'}
        update_datetime: {$ref: '#/components/schemas/Time'}
        rules:
          type: array
          items:
            type: object
            properties:
              source: {type: string}
              order:
                enum: [allow, deny]
              priority: {type: integer}
            required: [source, order, priority]
            additionalProperties: false
        type:
          enum: [official, trial]
        requests_left:
          type: [integer, 'null']
      required: [classifier_id, model_id, status, api_key, version, url, active, is_editable, create_datetime, update_datetime, rules,
        type, requests_left]
      additionalProperties: false
    Classifiers:
      type: object
      properties:
        classifiers:
          type: array
          items: {$ref: '#/components/schemas/Classifier'}
      required: [classifiers]
      additionalProperties: false
    ClassifierAnswer:
      type: object
      properties:
        classifier: {$ref: '#/components/schemas/Classifier'}
      required: [classifier]
      additionalProperties: false
    PredictionOneInference:
      type: object
      properties:
        version: {type: string}
        outputs:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              data: {type: string, contentEncoding: base64}
            required: [name, data]
            additionalProperties: false
      required: [version, outputs]
      additionalProperties: false
    TaskIDs:
      type: object
      properties:
        tasks:
          type: array
          items: {type: string}
      required: [tasks]
      additionalProperties: false
    Task:
      type: object
      properties:
        id: {type: string}
        state:
          enum: [NEW, RUNNING, FINISHED, ERROR]
        task_type: {type: string}
        user_id: {type: integer}
        project_id: {type: integer}
        created_on: {$ref: '#/components/schemas/Time'}
        finished_on: {$ref: '#/components/schemas/Time'}
        error: {type: string}
        created_resources:
          type: object
          properties:
            inference_instances:
              type: array
              items: {type: string}
          required: [inference_instances]
          additionalProperties: false
      required: [id, state, task_type, user_id, project_id, created_on]
      additionalProperties: false
    TaskPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Task'}
      required: [count, results]
      additionalProperties: false
    Flavor:
      type: object
      properties:
        name: {type: string}
        cpu: {type: number}
        memory: {type: number}
        gpu: {type: integer}
        gpu_memory: {type: number}
        gpu_model: {type: string}
        gpu_compute_capability: {type: string}
        is_gpu_shared: {type: boolean}
        description: {type: string}
      required: [name, cpu, memory, gpu, gpu_memory, gpu_model, gpu_compute_capability, is_gpu_shared, description]
      additionalProperties: false
    FlavorPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Flavor'}
      required: [count, results]
      additionalProperties: false
    Capacity:
      type: object
      properties:
        region_id: {type: integer}
        capacity:
          type: array
          items:
            type: object
            properties:
              flavor_name: {type: string}
              capacity: {type: integer}
            required: [flavor_name, capacity]
            additionalProperties: false
      required: [region_id, capacity]
      additionalProperties: false
    CapacityPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Capacity'}
      required: [count, results]
      additionalProperties: false
    Region:
      type: object
      properties:
        id: {type: integer}
        display_name: {type: string}
        state: {type: string}
        has_ai: {type: boolean}
        has_ai_gpu: {type: boolean}
      required: [id, display_name, state, has_ai, has_ai_gpu]
      additionalProperties: false
    RegionPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Region'}
      required: [count, results]
      additionalProperties: false
    Deployment:
      type: object
      properties:
        name: {type: string}
        project_id: {type: integer}
        image: {type: string}
        listening_port: {type: integer}
        flavor_name: {type: string}
        status:
          enum: [DEPLOYING, PARTIALLYDEPLOYED, ACTIVE, DISABLED, PENDING, DELETING]
        containers:
          type: array
          items:
            type: object
            properties:
              region_id: {type: integer}
              scale: {type: object}
              deploy_status:
                type: object
                properties:
                  ready: {type: integer}
                  total: {type: integer}
                required: [ready, total]
                additionalProperties: false
              address: {type: string}
              error_message: {type: string}
            required: [region_id, scale, deploy_status, address]
            additionalProperties: false
        auth_enabled: {type: boolean}
        api_keys:
          type: array
          items: {type: string}
        command: {type: string}
        envs:
          type: object
          additionalProperties: {type: string}
        probes: {type: object}
        timeout: {type: integer}
        ingress_opts:
          type: object
          properties:
            disable_response_buffering: {type: boolean}
          required: [disable_response_buffering]
          additionalProperties: false
        logging: {type: object}
        credentials_name: {type: string}
        description: {type: string}
        address: {type: string}
        created_at: {$ref: '#/components/schemas/Time'}
        object_references:
          type: array
          items: {type: string}
      required: [name, project_id, image, listening_port, flavor_name, status, containers, auth_enabled, api_keys, envs, timeout, ingress_opts,
        credentials_name, description, address, created_at, object_references]
      additionalProperties: false
    DeploymentPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Deployment'}
      required: [count, results]
      additionalProperties: false
    LogLine:
      type: object
      properties:
        message: {type: string}
        pod: {type: string}
        region_id: {type: integer}
        time: {$ref: '#/components/schemas/Time'}
      required: [message, pod, region_id, time]
      additionalProperties: false
    LogPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/LogLine'}
      required: [count, results]
      additionalProperties: false
    InferenceKey:
      type: object
      properties:
        name: {type: string}
        description: {type: string}
        expires_at: {$ref: '#/components/schemas/Time'}
        created_at: {$ref: '#/components/schemas/Time'}
        deployment_names:
          type: array
          items: {type: string}
        secret: {type: string}
      required: [name, created_at, deployment_names]
      additionalProperties: false
    InferenceKeyPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/InferenceKey'}
      required: [count, results]
      additionalProperties: false
    RegistryCredentials:
      type: object
      properties:
        name: {type: string}
        project_id: {type: integer}
        registry_url: {type: string}
        username: {type: string}
      required: [name, project_id, registry_url, username]
      additionalProperties: false
    RegistryCredentialsPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/RegistryCredentials'}
      required: [count, results]
      additionalProperties: false
    Secret:
      type: object
      properties:
        name: {type: string}
        type: {type: string}
        data:
          type: object
          properties:
            aws_access_key_id: {type: string}
            aws_secret_access_key: {type: string}
          required: [aws_access_key_id, aws_secret_access_key]
          additionalProperties: false
      required: [name, type, data]
      additionalProperties: false
    SecretPage:
      type: object
      properties:
        count: {type: integer}
        results:
          type: array
          items: {$ref: '#/components/schemas/Secret'}
      required: [count, results]
      additionalProperties: false
    Status:
      type: object
      properties:
        status: {type: string}
      required: [status]
      additionalProperties: false
"""#
}
