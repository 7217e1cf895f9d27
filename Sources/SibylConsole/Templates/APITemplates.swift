extension ConsoleTemplates {
    /// The project's prediction APIs, with "Create from a model" (a disclosure, so it needs no script).
    static let apis = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div><p class="crumbs">{{projectName}}</p><h1>Prediction APIs</h1></div>
        </div>
        {{#hasModels}}
        <details class="card disclosure" id="create-from-model"{{#createOpen}} open{{/createOpen}}>
          <summary class="button primary">Create from a model</summary>
          <form method="post" action="/projects/{{projectID}}/apis" class="form"{{#createError}} aria-describedby="create-error"{{/createError}}>
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <input type="hidden" name="from" value="apis">
            <div class="field">
              <label for="create-model">Model</label>
              <select id="create-model" name="model_id">
                {{#models}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}} ({{id}})</option>{{/models}}
              </select>
            </div>
            <div class="field">
              <label for="create-name">Name (optional)</label>
              <input id="create-name" name="name" maxlength="100">
            </div>
            <fieldset>
              <legend>API type</legend>
              <label class="choice"><input type="radio" name="type" value="trial" id="create-trial"{{^officialChecked}} checked{{/officialChecked}}>
                <span><strong>Trial API</strong> Serves up to {{trialLimit}} requests in total; uses no API option.</span></label>
              <label class="choice{{#officialRefusal}} disabled{{/officialRefusal}}"><input type="radio" name="type" value="official" id="create-official"{{#officialRefusal}} disabled aria-describedby="create-official-reason"{{/officialRefusal}}{{#officialChecked}} checked{{/officialChecked}}>
                <span><strong>Official API</strong> Uses one API option of the license; no request limit.</span></label>
              {{#officialRefusal}}<p class="reason" id="create-official-reason">Not available: {{officialRefusal}}.</p>{{/officialRefusal}}
            </fieldset>
            {{#createError}}<p class="field-error" role="alert" id="create-error">{{createError}}</p>{{/createError}}
            <div><button type="submit" class="button primary" id="create-api">Create API</button></div>
          </form>
        </details>
        {{/hasModels}}
        {{^hasModels}}<p class="hint"><a href="/projects/{{projectID}}/models">Upload a model</a> to create an API from it.</p>{{/hasModels}}
        <section class="card" aria-labelledby="apis-title">
          <h2 id="apis-title">APIs</h2>
          {{#hasAPIs}}
          <div class="scroll" tabindex="0" role="region" aria-label="APIs table">
          <table id="apis">
            <thead><tr><th>API ID</th><th>Name</th><th>Model</th><th>Type</th><th>Status</th><th class="num">Trial requests left</th><th>Created (UTC)</th></tr></thead>
            <tbody>
              {{#apis}}
              <tr>
                <td><a href="/projects/{{projectID}}/apis/{{id}}"><code>{{id}}</code></a></td>
                <td>{{name}}</td>
                <td><a href="/projects/{{projectID}}/models/{{modelID}}">{{modelName}}</a></td>
                <td>{{type}}</td>
                <td>{{>badge}}{{#locked}} <span class="badge badge-locked">locked</span>{{/locked}}</td>
                <td class="num">{{requestsLeft}}</td>
                <td>{{created}}</td>
              </tr>
              {{/apis}}
            </tbody>
          </table>
          </div>
          {{/hasAPIs}}
          {{^hasAPIs}}<p class="empty">No APIs yet. Create one from a model.</p>{{/hasAPIs}}
        </section>
        <section class="card" aria-labelledby="developer-title" id="developer-api">
          <h2 id="developer-title">Prediction One developer API</h2>
          <p class="hint">Scripts written for Prediction One's developer API manage this project's APIs at
          <code>{{developerURL}}</code>: an account secret in <code>x-api-key</code> to <code>GET /api-key?credential_type=deploy</code>
          gives a key that works for 24 hours.</p>
          <form method="post" action="/projects/{{projectID}}/account-secrets" class="create-row">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <button type="submit" class="button" id="create-account-secret">Create account secret</button>
          </form>
          {{#hasSecrets}}
          <div class="scroll" tabindex="0" role="region" aria-label="Account secrets">
          <table id="account-secrets">
            <thead><tr><th>Account secret</th><th>User</th><th>Created (UTC)</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {{#secrets}}
              <tr>
                <td><code>{{id}}</code></td><td>{{user}}</td><td>{{created}}</td>
                <td><details class="confirm">
                  <summary class="button small danger">Revoke<span class="visually-hidden"> account secret {{id}}</span>…</summary>
                  <form method="post" action="/projects/{{projectID}}/account-secrets/{{id}}/revoke">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <button type="submit" class="button small danger solid">Revoke account secret {{id}}</button>
                  </form>
                </details></td>
              </tr>
              {{/secrets}}
            </tbody>
          </table>
          </div>
          {{/hasSecrets}}
          {{^hasSecrets}}<p class="empty">No account secrets yet.</p>{{/hasSecrets}}
        </section>
        {{/body}}{{/content}}{{/layout}}
        """

    /// The building screen: refreshes itself (no script needed) until the API is no longer building.
    static let building = """
        {{<layout}}{{$content}}{{#body}}
        <section class="card building" aria-live="polite">
          <div class="spinner" aria-hidden="true"></div>
          <h1 id="building">{{heading}}</h1>
          <p>Sibyl is validating and compiling the model, then running a warm-up prediction. This page turns into
          the API page by itself when the API is operating.</p>
          <ol class="steps"><li class="done">Model validated</li><li class="now">Compiling and warm-up</li><li>Operating</li></ol>
          <p class="muted">API <code>{{id}}</code> · model <a href="/projects/{{projectID}}/models/{{modelID}}">{{modelName}}</a> · {{type}}</p>
        </section>
        {{/body}}{{/content}}{{/layout}}
        """

    /// The API page: information, status, lifecycle actions, keys, request counts, an example request, and the
    /// whitelist and delete dialogs (rendered open when there is no script: the whitelist one for the page
    /// after an edit only, the delete one with `?dialog=delete`). Everything that destroys asks first.
    static let api = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/projects/{{projectID}}/apis">APIs</a> / {{id}}</p>
            <div class="title"><h1>API {{id}}</h1>{{>badge}}{{#locked}}<span class="badge badge-locked" id="locked">locked</span>{{/locked}}</div>
          </div>
          <div class="actions" id="lifecycle">
            {{#canStop}}
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/stop">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <button type="submit" class="button" id="stop">Stop</button>
            </form>
            {{/canStop}}
            {{#canStart}}
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/start">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <button type="submit" class="button" id="start">Start</button>
            </form>
            {{/canStart}}
            {{^locked}}
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/lock">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <button type="submit" class="button" id="lock">Lock API</button>
            </form>
            {{/locked}}
            {{#locked}}
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/unlock">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <button type="submit" class="button" id="unlock"{{^chrome.isAdmin}} disabled aria-describedby="unlock-reason"{{/chrome.isAdmin}}>Unlock API</button>
            </form>
            {{/locked}}
            {{#canDelete}}<a class="button danger" id="delete" href="/projects/{{projectID}}/apis/{{id}}?dialog=delete" data-dialog="delete-dialog">Delete…</a>{{/canDelete}}
          </div>
        </div>
        {{#locked}}<p class="hint" id="lock-hint">Locked: the API cannot be stopped, deleted or changed; its keys can still be revoked.{{^chrome.isAdmin}} <span id="unlock-reason">Only an admin can unlock an API.</span>{{/chrome.isAdmin}}{{#chrome.isAdmin}} Unlock it first.{{/chrome.isAdmin}}</p>{{/locked}}
        {{#isFailed}}<p class="flash flash-error">The build failed: {{failureReason}}</p>{{/isFailed}}
        <div class="grid">
          <section class="card" aria-labelledby="info-title">
            <h2 id="info-title">API information</h2>
            <dl class="info">
              <dt>API type</dt><dd><span class="badge plain{{#isOfficial}} badge-official{{/isOfficial}}">{{typeLabel}}</span>
                {{#isTrial}}<form method="post" action="/projects/{{projectID}}/apis/{{id}}/promote" class="inline-form">
                  <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                  <button type="submit" class="button small" id="promote">Promote to official</button>
                </form>{{/isTrial}}</dd>
              <dt>Name</dt><dd id="api-name">{{name}}{{^name}}<span class="muted">None</span>{{/name}}</dd>
              <dt>Model</dt>
              <dd><a href="/projects/{{projectID}}/models/{{modelID}}"><code>{{modelID}}</code></a> ({{modelName}})
                {{#hasOtherModels}}
                <details class="confirm" id="change-model"{{#modelError}} open{{/modelError}}>
                  <summary class="button small">Change model…</summary>
                  <form method="post" action="/projects/{{projectID}}/apis/{{id}}/model" class="inline-form"{{#modelError}} aria-describedby="model-error"{{/modelError}}>
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <label class="visually-hidden" for="model-select">Model to serve</label>
                    <select id="model-select" name="model_id">{{#models}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}} ({{id}})</option>{{/models}}</select>
                    <button type="submit" class="button small primary" id="save-model">Serve this model</button>
                  </form>
                  <p class="hint">The new model is compiled first; requests are answered throughout the switch.</p>
                </details>
                {{/hasOtherModels}}
                {{#modelError}}<p class="field-error" role="alert" id="model-error">{{modelError}}</p>{{/modelError}}
              </dd>
              <dt>API ID</dt><dd><code id="api-id">{{id}}</code></dd>
              <dt>API URL</dt>
              <dd class="copy-field">
                <label class="visually-hidden" for="api-url">API URL</label>
                <input id="api-url" readonly value="{{url}}">
                <button type="button" class="button small" data-copy="api-url" hidden>Copy<span class="visually-hidden"> API URL</span></button>
              </dd>
              <dt>Prediction One URL</dt>
              <dd class="copy-field">
                <label class="visually-hidden" for="api-compatible-url">Prediction One compatible URL</label>
                <input id="api-compatible-url" readonly value="{{compatibleURL}}">
                <button type="button" class="button small" data-copy="api-compatible-url" hidden>Copy<span class="visually-hidden"> Prediction One URL</span></button>
              </dd>
              <dt>IP whitelist</dt>
              <dd>
                <ul class="plain" id="whitelist">
                  {{#whitelist}}<li><span><span class="badge plain badge-{{action}}">{{action}}</span> <code>{{cidr}}</code> <span class="muted">priority {{priority}}</span></span></li>{{/whitelist}}
                  {{^whitelist}}<li class="muted">Empty: no address may call this API.</li>{{/whitelist}}
                </ul>
                <a class="button small" id="configure-whitelist" href="/projects/{{projectID}}/apis/{{id}}?dialog=whitelist" data-dialog="whitelist-dialog">Configure IP whitelist</a>
              </dd>
              <dt>Date/time created</dt><dd>{{created}} UTC</dd>
              <dt>Settings</dt>
              <dd>
                <form method="post" action="/projects/{{projectID}}/apis/{{id}}/settings" class="inline-form" id="settings">
                  <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                  <label for="settings-name">Name</label>
                  <input id="settings-name" name="name" maxlength="100" value="{{name}}">
                  <label for="missing-features">Features left out of a request</label>
                  <select id="missing-features" name="missing_features">
                    <option value="allow"{{^refusesMissingFeatures}} selected{{/refusesMissingFeatures}}>Allow (sent as missing)</option>
                    <option value="refuse"{{#refusesMissingFeatures}} selected{{/refusesMissingFeatures}}>Refuse (422)</option>
                  </select>
                  <button type="submit" class="button small" id="save-settings">Save</button>
                </form>
              </dd>
              {{#isTrial}}
              <dt>Trial requests</dt>
              <dd><meter min="0" max="{{requestLimit}}" value="{{requestsLeft}}" id="trial-meter">{{requestsLeft}}</meter> <span id="requests-left">{{requestsLeft}}</span> of {{requestLimit}} left</dd>
              {{/isTrial}}
            </dl>
          </section>
          <section class="card" aria-labelledby="status-title">
            <h2 id="status-title">API status</h2>
            <ul class="states">
              {{#states}}<li{{#current}} class="current" aria-current="true"{{/current}}><strong>{{name}}</strong> {{text}}</li>{{/states}}
            </ul>
          </section>
        </div>
        <section class="card" aria-labelledby="keys-title">
          <h2 id="keys-title">API keys</h2>
          <p class="hint">A key is <code>key_id.secret</code>; its secret is shown once, when it is created.</p>
          {{#hasKeys}}
          <div class="scroll" tabindex="0" role="region" aria-label="Keys table">
          <table id="keys">
            <thead><tr><th>Key ID</th><th>Name</th><th>Created (UTC)</th><th>Last used</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {{#keys}}
              <tr>
                <td><code>{{id}}</code></td>
                <td>{{name}}</td>
                <td>{{created}}</td>
                <td>{{lastUsed}}</td>
                <td><details class="confirm">
                  <summary class="button small danger">Revoke<span class="visually-hidden"> key {{id}}</span>…</summary>
                  <form method="post" action="/projects/{{projectID}}/apis/{{apiID}}/keys/{{id}}/revoke">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <p class="hint">Calls with it are refused at once. This cannot be undone.</p>
                    <button type="submit" class="button small danger solid">Revoke key {{id}}</button>
                  </form>
                </details></td>
              </tr>
              {{/keys}}
            </tbody>
          </table>
          </div>
          {{/hasKeys}}
          {{^hasKeys}}<p class="empty" id="no-keys">No key: nobody can call this API. Create one.</p>{{/hasKeys}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/keys" class="create-row">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label for="key-name">Key name (optional)</label>
            <input id="key-name" name="name" maxlength="100">
            <button type="submit" class="button" id="create-key">Create key</button>
          </form>
        </section>
        <section class="card" aria-labelledby="versions-title">
          <h2 id="versions-title">Versions and traffic</h2>
          <p id="traffic-summary">{{versions.summary}}</p>
          {{#versions.error}}<p class="field-error" role="alert" id="versions-error">{{versions.error}}</p>{{/versions.error}}
          <div class="scroll" tabindex="0" role="region" aria-label="Versions table">
          <table id="versions">
            <thead><tr><th>Version</th><th>Model</th><th>Created (UTC)</th><th>Share now</th>{{#versions.canSplit}}<th>New share (%)</th>{{/versions.canSplit}}<th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {{#versions.rows}}
              <tr id="version-{{number}}"{{#current}} aria-current="true"{{/current}}>
                <td>v{{number}}{{#current}} <span class="badge plain">current</span>{{/current}}{{#isShadow}} <span class="badge plain">shadow</span>{{/isShadow}}</td>
                <td><a href="/projects/{{projectID}}/models/{{modelID}}"><code>{{modelID}}</code></a> {{modelName}}</td>
                <td>{{created}}</td>
                <td>{{weight}} %</td>
                {{#versions.canSplit}}<td><label class="visually-hidden" for="share-{{number}}">Share of v{{number}} (%)</label><input id="share-{{number}}" name="share_{{number}}" form="split-form" inputmode="numeric" size="3" value="{{share}}"></td>{{/versions.canSplit}}
                <td class="actions">
                  {{#canMakeCurrent}}<form method="post" action="/projects/{{projectID}}/apis/{{apiID}}/versions/{{number}}/current" class="inline-form">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <button type="submit" class="button small" id="current-{{number}}">Make v{{number}} current</button>
                  </form>{{/canMakeCurrent}}
                  {{#canShadow}}<form method="post" action="/projects/{{projectID}}/apis/{{apiID}}/shadow" class="inline-form">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <input type="hidden" name="version" value="{{number}}">
                    <button type="submit" class="button small" id="shadow-{{number}}">Shadow with v{{number}}</button>
                  </form>{{/canShadow}}
                  {{#canForget}}<details class="confirm">
                    <summary class="button small danger">Forget<span class="visually-hidden"> v{{number}}</span>…</summary>
                    <form method="post" action="/projects/{{projectID}}/apis/{{apiID}}/versions/{{number}}/forget">
                      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                      <p class="hint">It can no longer be made current; its model can then be deleted.</p>
                      <button type="submit" class="button small danger solid" id="forget-{{number}}">Forget v{{number}}</button>
                    </form>
                  </details>{{/canForget}}
                </td>
              </tr>
              {{/versions.rows}}
            </tbody>
          </table>
          </div>
          {{#versions.canSplit}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/traffic" class="create-row" id="split-form">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label><input type="checkbox" name="sticky" id="split-sticky"{{#versions.sticky}} checked{{/versions.sticky}}> Each key always on one version</label>
            <button type="submit" class="button" id="save-split">Split traffic by the new shares</button>
            {{#versions.hasSplit}}<button type="submit" class="button" name="end" value="1" id="end-split">End the split</button>{{/versions.hasSplit}}
          </form>
          <p class="hint">Shares are whole percentages adding up to 100; a blank share is none. Making a version current ends a split.</p>
          {{/versions.canSplit}}
          {{#versions.shadow}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/shadow" class="create-row">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <p id="shadow-summary">v{{versions.shadow}} shadows every answered prediction: it gets a copy after the answer and never answers.</p>
            <button type="submit" class="button" name="end" value="1" id="end-shadow">End the shadow</button>
          </form>
          {{/versions.shadow}}
          {{#versions.hasShadowDays}}
          <h3 id="shadow-title">Shadow comparisons, last 30 days</h3>
          <div class="scroll" tabindex="0" role="region" aria-labelledby="shadow-title">
          <table id="shadow-days">
            <thead><tr><th>Date</th><th>Shadow</th><th>Requests</th><th>Rows</th><th>Labels agree</th><th>Mean |Δ|</th><th>Max |Δ|</th><th>Failed</th><th>Skipped</th></tr></thead>
            <tbody>
              {{#versions.shadowDays}}<tr><td>{{date}}</td><td>v{{version}}</td><td>{{requests}}</td><td>{{rows}}</td><td>{{agreement}}</td><td>{{mean}}</td><td>{{maximum}}</td><td>{{failed}}</td><td>{{skipped}}</td></tr>{{/versions.shadowDays}}
            </tbody>
          </table>
          </div>
          {{/versions.hasShadowDays}}
          {{#hasOtherModels}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/versions" class="create-row">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label for="version-model">Add a model as a version (it answers nothing until given a share)</label>
            <select id="version-model" name="model_id">{{#models}}<option value="{{id}}">{{name}} ({{id}})</option>{{/models}}</select>
            <button type="submit" class="button" id="add-version">Add version</button>
          </form>
          {{/hasOtherModels}}
        </section>
        <section class="card" aria-labelledby="capture-title">
          <h2 id="capture-title">Captured requests</h2>
          <p class="hint">A share of the answered requests is kept with its answer, version, key id (never the secret), status and time.</p>
          {{#capture.error}}<p class="field-error" role="alert" id="capture-error">{{capture.error}}</p>{{/capture.error}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/capture" class="create-row" id="capture-form">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label for="capture-rate">Requests kept (%)</label>
            <input id="capture-rate" name="rate" inputmode="decimal" size="5" value="{{capture.rate}}">
            <label for="capture-retention">Kept for (days)</label>
            <input id="capture-retention" name="retention_days" inputmode="numeric" size="4" value="{{capture.retentionDays}}">
            <button type="submit" class="button" id="save-capture">Save</button>
          </form>
          <div class="create-row" id="capture-downloads">
            <a class="button small" href="/projects/{{projectID}}/apis/{{id}}/captures.ndjson" id="download-ndjson">Download the last 24 hours (NDJSON)</a>
            <a class="button small" href="/projects/{{projectID}}/apis/{{id}}/captures.csv" id="download-csv">Download them as CSV</a>
          </div>
          <p class="hint">A download holds the first 1,000; <code>sibyl apis captures</code> exports every one.</p>
          <h3 id="replay-title">Replay against a version</h3>
          <p class="hint">The answered captures of a period (by default the last 24 hours) answered again by a version, and every row whose answer differs from the one given.</p>
          {{#capture.replayError}}<p class="field-error" role="alert" id="replay-error">{{capture.replayError}}</p>{{/capture.replayError}}
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/replays" class="create-row" id="replay-form">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label for="replay-version">Version</label>
            <select id="replay-version" name="version">{{#capture.versions}}<option value="{{.}}">v{{.}}</option>{{/capture.versions}}</select>
            <label for="replay-from">From</label><input type="date" id="replay-from" name="from">
            <label for="replay-to">to</label><input type="date" id="replay-to" name="to">
            <button type="submit" class="button" id="start-replay">Replay</button>
          </form>
          {{#capture.hasReplays}}
          <div class="scroll" tabindex="0" role="region" aria-labelledby="replay-title">
          <table id="replays">
            <thead><tr><th>Replay</th><th>Version</th><th>Period (UTC)</th><th>State</th><th>Replayed</th><th>Labels agree</th><th>Differing rows</th></tr></thead>
            <tbody>
              {{#capture.replays}}<tr><td><a href="/projects/{{projectID}}/apis/{{apiID}}/replays/{{id}}"><code>{{id}}</code></a></td><td>v{{version}}</td><td>{{period}}</td><td>{{state}}</td><td>{{progress}}</td><td>{{agreement}}</td><td>{{differingRows}}</td></tr>{{/capture.replays}}
            </tbody>
          </table>
          </div>
          {{/capture.hasReplays}}
          <p><a class="button small" href="/projects/{{projectID}}/apis/{{id}}/drift" id="drift-link">Input drift</a></p>
        </section>
        <section class="card" aria-labelledby="usage-title-h">
          <div class="toolbar">
            <h2 id="usage-title-h">API request count</h2>
            <form method="get" action="/projects/{{projectID}}/apis/{{id}}" class="range">
              <label for="from">From</label><input type="date" id="from" name="from" value="{{usage.from}}">
              <label for="to">to</label><input type="date" id="to" name="to" value="{{usage.to}}">
              <button type="submit" class="button small">Show</button>
            </form>
          </div>
          <p class="range presets">Last {{#usage.presets}}<a href="/projects/{{projectID}}/apis/{{id}}?from={{from}}&amp;to={{to}}"{{#current}} aria-current="true"{{/current}}>{{label}}</a>{{/usage.presets}}</p>
          {{#usage.error}}<p class="field-error" role="alert">{{usage.error}}</p>{{/usage.error}}
          {{{usage.chart}}}
          <ul class="legend">
            <li><span class="swatch ok"></span>Status 200 <strong id="total-200">{{usage.total200}}</strong></li>
            <li><span class="swatch error"></span>Status 4xx or 5xx <strong id="total-errors">{{usage.totalErrors}}</strong></li>
          </ul>
          <details class="data">
            <summary>Daily counts as a table</summary>
            <div class="scroll" tabindex="0" role="region" aria-label="Daily counts">
            <table>
              <thead><tr><th>Date (UTC)</th><th class="num">Status 200</th><th class="num">Status 4xx or 5xx</th></tr></thead>
              <tbody>{{#usage.days}}<tr><td>{{date}}</td><td class="num">{{ok}}</td><td class="num">{{errors}}</td></tr>{{/usage.days}}</tbody>
            </table>
            </div>
          </details>
        </section>
        <section class="card" aria-labelledby="example-title">
          <h2 id="example-title">Example request</h2>
          <p class="hint">Set <code>SIBYL_API_KEY</code> to one of this API's keys and call from an address on its whitelist.</p>
          <div class="columns">
            <div>
              <div class="code-head"><h3>curl</h3><button type="button" class="button small" data-copy="example-curl" hidden>Copy<span class="visually-hidden"> curl example</span></button></div>
              <pre class="code" tabindex="0" role="region" aria-label="curl example"><code id="example-curl">{{example.curl}}</code></pre>
            </div>
            <div>
              <div class="code-head"><h3>Python</h3><button type="button" class="button small" data-copy="example-python" hidden>Copy<span class="visually-hidden"> Python example</span></button></div>
              <pre class="code" tabindex="0" role="region" aria-label="Python example"><code id="example-python">{{example.python}}</code></pre>
            </div>
          </div>
        </section>
        <dialog id="whitelist-dialog" aria-labelledby="whitelist-title"{{#whitelistOpen}} open{{/whitelistOpen}}>
          <div class="body">
            <h2 id="whitelist-title">Configure IP whitelist</h2>
            <p class="hint">Only these addresses may call the API. Enter CIDR blocks, IPv4 or IPv6: <code>203.0.113.0/24</code>,
            <code>2001:db8::/32</code>; <code>0.0.0.0/0</code> admits every IPv4 address. The rule with the lowest priority
            number that holds the caller decides (deny wins a tie); an address no rule holds is refused. Leave the priority
            empty to check a new block after the others.</p>
            <ul class="plain whitelist-entries">
              {{#whitelist}}
              <li><span><span class="badge plain badge-{{action}}">{{action}}</span> <code>{{cidr}}</code> <span class="muted">priority {{priority}}</span></span>
                <details class="confirm">
                  <summary class="button small danger">Remove<span class="visually-hidden"> {{cidr}}</span>…</summary>
                  <form method="post" action="/projects/{{projectID}}/apis/{{id}}/whitelist/delete">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <input type="hidden" name="cidr" value="{{cidr}}">
                    <button type="submit" class="button small danger solid">Remove {{cidr}}</button>
                  </form>
                </details>
              </li>
              {{/whitelist}}
              {{^whitelist}}<li class="muted">No entries yet.</li>{{/whitelist}}
            </ul>
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/whitelist" class="inline-form" id="add-rule">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <label class="visually-hidden" for="rule-action">Action</label>
              <select id="rule-action" name="action"><option value="allow">allow</option><option value="deny"{{#denyChosen}} selected{{/denyChosen}}>deny</option></select>
              <label class="visually-hidden" for="cidr">CIDR block</label>
              <input id="cidr" name="cidr" required placeholder="203.0.113.0/24" size="18" value="{{cidrInput}}"{{#cidrError}} aria-invalid="true" aria-describedby="cidr-error"{{/cidrError}}>
              <label class="visually-hidden" for="rule-priority">Priority</label>
              <input id="rule-priority" name="priority" inputmode="numeric" placeholder="priority" size="8" value="{{priorityInput}}">
              <button type="submit" class="button primary" id="add-cidr">Add</button>
            </form>
            {{#cidrError}}<p class="field-error" id="cidr-error" role="alert">{{cidrError}}</p>{{/cidrError}}
            {{#myCIDR}}
            <form method="post" action="/projects/{{projectID}}/apis/{{id}}/whitelist" class="inline-form my-address">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <input type="hidden" name="cidr" value="{{myCIDR}}">
              <span class="hint">Your address, as Sibyl sees it: <code id="my-address">{{myAddress}}</code></span>
              <button type="submit" class="button small" id="add-my-address">Add my address</button>
            </form>
            {{/myCIDR}}
            <div class="dialog-actions"><a class="button" href="/projects/{{projectID}}/apis/{{id}}" data-close>Close</a></div>
          </div>
        </dialog>
        {{#canDelete}}
        <dialog id="delete-dialog" aria-labelledby="delete-title"{{#deleteOpen}} open{{/deleteOpen}}>
          <form method="post" action="/projects/{{projectID}}/apis/{{id}}/delete" class="body">
            <h2 id="delete-title">Delete API {{id}}?</h2>
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <p>Its keys, whitelist and request counts are deleted with it, and its URL stops answering.
            {{#isOfficial}}Its API option becomes free.{{/isOfficial}} This cannot be undone.</p>
            <div class="dialog-actions">
              <a class="button" href="/projects/{{projectID}}/apis/{{id}}" data-close>Cancel</a>
              <button type="submit" class="button danger solid" id="confirm-delete">Delete API {{id}}</button>
            </div>
          </form>
        </dialog>
        {{/canDelete}}
        {{/body}}{{/content}}{{/layout}}
        """

    /// One replay: its progress (the page refreshes while it runs), comparison and differing rows.
    static let replay = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/projects/{{projectID}}/apis">APIs</a> / <a href="/projects/{{projectID}}/apis/{{apiID}}">{{apiName}}</a> / replay</p>
            <div class="title"><h1>Replay against v{{replay.version}}</h1><span class="badge plain" id="replay-state">{{replay.state}}</span></div>
          </div>
        </div>
        <div class="grid">
          <section class="card" aria-labelledby="replay-info-title">
            <h2 id="replay-info-title">Progress and comparison</h2>
            <dl class="info">
              <dt>Replay</dt><dd><code>{{replay.id}}</code></dd>
              <dt>Captures of</dt><dd>{{replay.period}} UTC</dd>
              <dt>Replayed</dt><dd id="replay-progress">{{replay.progress}}</dd>
              <dt>Compared</dt><dd>{{compared}}; {{failed}} could not be</dd>
              <dt>Labels agree</dt><dd id="replay-agreement">{{replay.agreement}}</dd>
              <dt>Mean |Δ|</dt><dd>{{mean}}</dd>
              <dt>Max |Δ|</dt><dd>{{maximum}}</dd>
              <dt>Differing rows</dt><dd id="replay-differing">{{replay.differingRows}}</dd>
              {{#error}}<dt>Stopped</dt><dd>{{error}}</dd>{{/error}}
            </dl>
            <details class="confirm">
              <summary class="button danger small">Delete replay…</summary>
              <form method="post" action="/projects/{{projectID}}/apis/{{apiID}}/replays/{{replay.id}}/delete">
                <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                <button type="submit" class="button danger solid small" id="delete-replay">{{#running}}Stop and delete{{/running}}{{^running}}Delete{{/running}} the replay</button>
              </form>
            </details>
          </section>
          <section class="card" aria-labelledby="differences-title">
            <h2 id="differences-title">Rows whose answers differ</h2>
            {{#hasDifferences}}
            <div class="scroll" tabindex="0" role="region" aria-labelledby="differences-title">
            <table id="differences">
              <thead><tr><th>Capture</th><th class="num">Row</th><th>Answered</th><th>Replayed</th></tr></thead>
              <tbody>{{#differences}}<tr><td><code>{{captureID}}</code></td><td class="num">{{row}}</td><td>{{answered}}</td><td>{{replayed}}</td></tr>{{/differences}}</tbody>
            </table>
            </div>
            {{#moreDifferences}}<p class="hint">And {{moreDifferences}} more: <code>sibyl apis replays API {{replay.id}} --json</code> lists every one.</p>{{/moreDifferences}}
            {{/hasDifferences}}
            {{^hasDifferences}}<p class="empty">None{{#running}} so far{{/running}}.</p>{{/hasDifferences}}
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """

    /// An API's input drift: the period and reference, the chart and the inputs.
    static let drift = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/projects/{{projectID}}/apis">APIs</a> / <a href="/projects/{{projectID}}/apis/{{apiID}}">{{apiName}}</a> / drift</p>
            <div class="title"><h1>Input drift</h1></div>
          </div>
        </div>
        <section class="card" aria-labelledby="drift-title">
          <h2 id="drift-title">Captured inputs against their reference</h2>
          <form method="get" action="/projects/{{projectID}}/apis/{{apiID}}/drift" class="range" id="drift-form">
            <label for="drift-from">From</label><input type="date" id="drift-from" name="from" value="{{from}}">
            <label for="drift-to">to</label><input type="date" id="drift-to" name="to" value="{{to}}">
            <label for="drift-reference-from">Reference from</label><input type="date" id="drift-reference-from" name="reference_from" value="{{referenceFrom}}">
            <label for="drift-reference-to">to</label><input type="date" id="drift-reference-to" name="reference_to" value="{{referenceTo}}">
            <button type="submit" class="button small" id="show-drift">Show</button>
          </form>
          <p class="hint">By default the last 24 hours against the profile of the model's training rows (<code>sibyl models profile</code>, or the model's page); give a reference period to compare with earlier captures instead. An input drifts at an index of 0.2, a missing rate moved by 10 points, or a new category.</p>
          {{#hasReport}}
          <dl class="info">
            <dt>Reference</dt><dd>{{reference}}</dd>
            <dt>Read</dt><dd>{{read}}</dd>
            <dt>Drifted</dt><dd id="drifted">{{drifted}}</dd>
          </dl>
          {{{chart}}}
          <div class="scroll" tabindex="0" role="region" aria-label="Inputs table">
          <table id="drift-inputs">
            <thead><tr><th>Input</th><th class="num">Stability index</th><th>Missing (reference → period)</th><th>New categories</th><th>Drifted</th></tr></thead>
            <tbody>{{#rows}}<tr><td><code>{{name}}</code></td><td class="num">{{psi}}</td><td>{{missing}}</td><td>{{newCategories}}</td><td>{{#drifted}}<strong>drifted</strong>{{/drifted}}</td></tr>{{/rows}}</tbody>
          </table>
          </div>
          {{/hasReport}}
        </section>
        {{/body}}{{/content}}{{/layout}}
        """
}
