extension ConsoleTemplates {
    /// The project's models with the upload form beside them.
    static let models = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div><p class="crumbs">{{projectName}}</p><h1>Models</h1></div>
        </div>
        <div class="grid">
          <section class="card" aria-labelledby="models-title">
            <h2 id="models-title">Uploaded models</h2>
            {{#hasModels}}
            <div class="scroll" tabindex="0" role="region" aria-label="Models table">
            <table id="models">
              <thead><tr><th>Name</th><th>Model ID</th><th>Format</th><th>Task</th><th class="num">Features</th><th>Uploaded (UTC)</th></tr></thead>
              <tbody>
                {{#models}}
                <tr>
                  <td><a href="/projects/{{projectID}}/models/{{id}}">{{name}}</a></td>
                  <td><code>{{id}}</code></td>
                  <td>{{format}}</td>
                  <td>{{task}}</td>
                  <td class="num">{{features}}</td>
                  <td>{{uploaded}}</td>
                </tr>
                {{/models}}
              </tbody>
            </table>
            </div>
            {{/hasModels}}
            {{^hasModels}}<p class="empty">No models yet. Upload an XGBoost or LightGBM model to begin.</p>{{/hasModels}}
          </section>
          <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">Upload a model</h2>
            <form method="post" action="/projects/{{projectID}}/models" enctype="multipart/form-data" class="form" id="upload">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field">
                <label for="model-name">Name</label>
                <input id="model-name" name="name" required maxlength="128" value="{{name}}">
              </div>
              <div class="field">
                <label for="model-format">Format</label>
                <select id="model-format" name="format">
                  <option value="">Detect from the file</option>
                  {{#formats}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/formats}}
                </select>
              </div>
              <div class="field">
                <label for="model-file">Model file</label>
                <input id="model-file" name="file" type="file" required>
                <p class="hint">XGBoost JSON or UBJSON, LightGBM text, CatBoost JSON; up to {{maxMegabytes}} MiB.</p>
              </div>
              {{#uploadError}}<p class="field-error" role="alert" id="upload-error">{{uploadError}}</p>{{/uploadError}}
              <div><button type="submit" class="button primary">Upload</button></div>
            </form>
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """

    /// A model with its two tabs: its details, and "Create API" with the Launch button and its dialog.
    static let model = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/projects/{{projectID}}/models">Models</a> / {{id}}</p>
            <div class="title"><h1>{{name}}</h1><span class="badge plain">{{task}}</span><span class="badge plain">{{format}}</span></div>
          </div>
        </div>
        <nav class="tabs" aria-label="Model">
          <a href="/projects/{{projectID}}/models/{{id}}"{{#onDetails}} aria-current="page"{{/onDetails}}>Details</a>
          <a href="/projects/{{projectID}}/models/{{id}}/create-api" id="create-api-tab"{{#onCreate}} aria-current="page"{{/onCreate}}>Create API</a>
        </nav>
        {{#onDetails}}
        <div class="grid">
          <section class="card" aria-labelledby="features-title">
            <h2 id="features-title">Features ({{featureCount}}, in schema order)</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Features table">
            <table>
              <thead><tr><th class="num">#</th><th>Name</th><th>Type</th><th>Categories</th></tr></thead>
              <tbody>{{#features}}<tr><td class="num">{{position}}</td><td><code>{{name}}</code></td><td>{{type}}</td><td>{{categories}}</td></tr>{{/features}}</tbody>
            </table>
            </div>
          </section>
          <section class="card" aria-labelledby="model-info-title">
            <h2 id="model-info-title">Model information</h2>
            <dl class="info">
              <dt>Model ID</dt><dd><code>{{id}}</code></dd>
              <dt>Format</dt><dd>{{format}}</dd>
              <dt>Task</dt><dd>{{task}}</dd>
              <dt>Objective</dt><dd><code>{{objective}}</code></dd>
              {{#hasClasses}}<dt>Classes</dt><dd>{{classes}}</dd>{{/hasClasses}}
              <dt>Trees</dt><dd>{{trees}}</dd>
              <dt>File size</dt><dd>{{size}}</dd>
              <dt>SHA-256</dt><dd><code>{{sha256}}</code></dd>
              <dt>Uploaded</dt><dd>{{uploaded}} UTC</dd>
            </dl>
            {{^hasAPIs}}
            <details class="confirm">
              <summary class="button danger small">Delete model…</summary>
              <form method="post" action="/projects/{{projectID}}/models/{{id}}/delete">
                <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                <button type="submit" class="button danger solid small">Delete {{name}} for good</button>
              </form>
            </details>
            {{/hasAPIs}}
            {{#hasAPIs}}<p class="hint">An API serves this model, so it cannot be deleted.</p>{{/hasAPIs}}
          </section>
          <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">Input profile</h2>
            <p class="hint">The training rows summarised per feature (deciles and categories): the reference an API's input drift is measured against. The rows are not kept.</p>
            {{#profileRows}}<p id="profile-summary">A profile of {{profileRows}} training rows.</p>{{/profileRows}}
            {{^profileRows}}<p class="empty" id="profile-summary">No profile yet.</p>{{/profileRows}}
            {{#profileError}}<p class="field-error" role="alert" id="profile-error">{{profileError}}</p>{{/profileError}}
            <form method="post" action="/projects/{{projectID}}/models/{{id}}/profile" enctype="multipart/form-data" class="create-row" id="profile-form">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <label for="profile-file">Training rows (CSV with a header of feature names, up to {{maxProfileMegabytes}} MB)</label>
              <input type="file" id="profile-file" name="file" accept=".csv,text/csv">
              <button type="submit" class="button" id="upload-profile">Upload profile</button>
            </form>
          </section>
        </div>
        {{/onDetails}}
        {{#onCreate}}
        <section class="card launch" aria-labelledby="launch-title">
          <h2 id="launch-title">Create a prediction API</h2>
          <p>Serve this model at its own URL, guarded by API keys and an IP whitelist and metered per day.
          Building takes about a second.</p>
          <a class="button primary" id="launch" href="/projects/{{projectID}}/models/{{id}}/create-api?dialog=launch" data-dialog="launch-dialog">Launch</a>
        </section>
        <section class="card" aria-labelledby="model-apis-title">
          <h2 id="model-apis-title">APIs serving this model</h2>
          {{#hasAPIs}}
          <div class="scroll" tabindex="0" role="region" aria-label="APIs of this model table">
          <table>
            <thead><tr><th>API ID</th><th>Type</th><th>Status</th><th>Created (UTC)</th></tr></thead>
            <tbody>
              {{#apis}}<tr><td><a href="/projects/{{projectID}}/apis/{{id}}"><code>{{id}}</code></a></td><td>{{type}}</td><td>{{>badge}}{{#locked}} <span class="badge badge-locked">locked</span>{{/locked}}</td><td>{{created}}</td></tr>{{/apis}}
            </tbody>
          </table>
          </div>
          {{/hasAPIs}}
          {{^hasAPIs}}<p class="empty">None yet. Press Launch to create one.</p>{{/hasAPIs}}
        </section>
        <dialog id="launch-dialog" aria-labelledby="start-title"{{#launchOpen}} open{{/launchOpen}}>
          <form method="post" action="/projects/{{projectID}}/apis" class="body">
            <h2 id="start-title">Start API creation</h2>
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <input type="hidden" name="model_id" value="{{id}}">
            <div class="field">
              <label for="api-name-input">Name (optional)</label>
              <input id="api-name-input" name="name" maxlength="100">
            </div>
            <fieldset>
              <legend>API type</legend>
              <label class="choice">
                <input type="radio" name="type" value="trial" id="type-trial"{{^officialChecked}} checked{{/officialChecked}}>
                <span><strong>Create trial API</strong> Serves up to {{trialLimit}} requests in total, then answers 429. Uses no API option.</span>
              </label>
              <label class="choice{{#officialRefusal}} disabled{{/officialRefusal}}">
                <input type="radio" name="type" value="official" id="type-official"{{#officialRefusal}} disabled aria-describedby="official-reason"{{/officialRefusal}}{{#officialChecked}} checked{{/officialChecked}}>
                <span><strong>Create API</strong> An official API. Uses one API option of the license ({{optionsInUse}} of {{options}} in use); no request limit.</span>
              </label>
              {{#officialRefusal}}<p class="reason" id="official-reason">Not available: {{officialRefusal}}.</p>{{/officialRefusal}}
            </fieldset>
            {{#launchError}}<p class="field-error" role="alert" id="launch-error">{{launchError}}</p>{{/launchError}}
            <div class="dialog-actions">
              <a class="button" href="/projects/{{projectID}}/models/{{id}}/create-api" data-close>Cancel</a>
              <button type="submit" class="button primary" id="start">Start</button>
            </div>
          </form>
        </dialog>
        {{/onCreate}}
        {{/body}}{{/content}}{{/layout}}
        """
}
