extension ConsoleTemplates {
    /// The project's deployments, the form that creates one, and the keys that open them.
    static let deployments = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div><p class="crumbs">{{projectName}}</p><h1>Deployments</h1></div>
        </div>
        {{^engine}}<p class="flash flash-info" role="status" id="no-engine">Deploying container images is not available on this server.{{#chrome.isAdmin}} As an operator: start Sibyl with <code>--container-engine</code> to turn it on.{{/chrome.isAdmin}}</p>{{/engine}}
        <div class="grid">
          <section class="card" aria-labelledby="deployments-title">
            <h2 id="deployments-title">Deployments</h2>
            {{#hasDeployments}}
            <div class="scroll" tabindex="0" role="region" aria-label="Deployments table">
            <table id="deployments">
              <thead><tr><th>Name</th><th>Image</th><th>Status</th><th class="num">Ready</th><th>Address</th></tr></thead>
              <tbody>
                {{#deployments}}
                <tr>
                  <td><a href="/projects/{{projectID}}/deployments/{{name}}">{{name}}</a></td>
                  <td><code>{{image}}</code></td>
                  <td>{{>status}}</td>
                  <td class="num">{{ready}} / {{total}}</td>
                  <td><code>{{address}}</code></td>
                </tr>
                {{/deployments}}
              </tbody>
            </table>
            </div>
            {{/hasDeployments}}
            {{^hasDeployments}}<p class="empty">No deployments yet. Deploy a container image with the form.</p>{{/hasDeployments}}
          </section>
          {{#engine}}
          <section class="card" aria-labelledby="deploy-title">
            <h2 id="deploy-title">Deploy an image</h2>
            <form method="post" action="/projects/{{projectID}}/deployments" class="form" id="deploy">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field"><label for="d-name">Name</label>
                <input id="d-name" name="name" required minlength="4" maxlength="30" pattern="[a-z0-9][a-z0-9\\-]*[a-z0-9]" value="{{form.name}}">
                <p class="hint">4 to 30 lower-case letters, digits and hyphens.</p></div>
              <div class="field"><label for="d-image">Image</label>
                <input id="d-image" name="image" required value="{{form.image}}" placeholder="registry/name:tag"></div>
              <div class="field"><label for="d-port">Listening port</label>
                <input id="d-port" name="listening_port" type="number" min="1" max="65535" required value="{{form.port}}"></div>
              <div class="field"><label for="d-flavor">Flavor</label>
                <select id="d-flavor" name="flavor_name">{{#flavors}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}} ({{description}})</option>{{/flavors}}</select></div>
              <div class="field"><label for="d-min">Replicas, at least</label>
                <input id="d-min" name="min" type="number" min="0" max="16" required value="{{form.min}}">
                <p class="hint">0 scales to zero after the idle timeout; the next request starts a replica.</p></div>
              <div class="field"><label for="d-max">Replicas, at most</label>
                <input id="d-max" name="max" type="number" min="1" max="16" required value="{{form.max}}"></div>
              <div class="field"><label for="d-timeout">Idle timeout (seconds)</label>
                <input id="d-timeout" name="timeout" type="number" min="0" required value="{{form.timeout}}"></div>
              <div class="field"><label for="d-envs">Environment</label>
                <textarea id="d-envs" name="envs" rows="3" placeholder="NAME=value, one per line">{{form.envs}}</textarea></div>
              <fieldset class="field"><legend>Who may call it</legend>
                <label class="choice"><input type="radio" name="access" value="key" id="d-access-key"{{^openAccess}} checked{{/openAccess}}>
                  <span><strong>Callers with a key</strong> The keys ticked below; with none ticked, a new key named after the deployment, shown once.</span></label>
                {{#hasKeys}}<div class="checks">{{#keys}}<label><input type="checkbox" name="api_keys" value="{{name}}"{{#ticked}} checked{{/ticked}}> {{name}}</label>{{/keys}}</div>{{/hasKeys}}
                <label class="choice"><input type="radio" name="access" value="open" id="d-access-open"{{#openAccess}} checked{{/openAccess}}>
                  <span><strong>Anyone</strong> No key: whoever reaches the address (and its IP whitelist) may call it.</span></label>
              </fieldset>
              {{#deployError}}<p class="field-error" role="alert" id="deploy-error">{{deployError}}</p>{{/deployError}}
              <div><button type="submit" class="button primary" id="deploy-button">Deploy</button></div>
            </form>
          </section>
          {{/engine}}
          <section class="card" aria-labelledby="keys-title">
            <h2 id="keys-title">Deployment keys</h2>
            {{#hasKeys}}
            <div class="scroll" tabindex="0" role="region" aria-label="Keys table">
            <table id="deployment-keys">
              <thead><tr><th>Name</th><th>Used by</th><th>Expires (UTC)</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {{#keys}}
                <tr><td>{{name}}</td><td>{{usedBy}}</td><td>{{expires}}</td>
                  <td><details class="confirm">
                    <summary class="button small danger">Delete<span class="visually-hidden"> key {{name}}</span>…</summary>
                    <form method="post" action="/projects/{{projectID}}/deployment-keys/{{name}}/delete">
                      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                      <button type="submit" class="button small danger solid">Delete key {{name}}</button>
                    </form>
                  </details></td></tr>
                {{/keys}}
              </tbody>
            </table>
            </div>
            {{/hasKeys}}
            <form method="post" action="/projects/{{projectID}}/deployment-keys" class="inline-form" id="new-key">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <label for="k-name">New key</label>
              <input id="k-name" name="name" required maxlength="64" pattern="[A-Za-z0-9._\\-]+" value="{{keyName}}"{{#keyError}} aria-describedby="key-error"{{/keyError}}>
              <button type="submit" class="button">Create key</button>
            </form>
            {{#keyError}}<p class="field-error" role="alert" id="key-error">{{keyError}}</p>{{/keyError}}
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """

    /// One deployment: status, replicas per region, address, keys, logs, and its lifecycle buttons.
    static let deployment = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head">
          <div>
            <p class="crumbs"><a href="/projects/{{projectID}}/deployments">Deployments</a> / {{name}}</p>
            <div class="title"><h1>{{name}}</h1>{{>status}}</div>
          </div>
          <div class="actions">
            {{#canStart}}<form method="post" action="/projects/{{projectID}}/deployments/{{name}}/start"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="button primary" id="start">Start</button></form>{{/canStart}}
            {{#canStop}}<form method="post" action="/projects/{{projectID}}/deployments/{{name}}/stop"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="button" id="stop">Stop</button></form>{{/canStop}}
            {{^locked}}<form method="post" action="/projects/{{projectID}}/deployments/{{name}}/lock"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="button" id="lock">Lock</button></form>{{/locked}}
            {{#locked}}<span class="badge badge-locked">locked</span><form method="post" action="/projects/{{projectID}}/deployments/{{name}}/unlock"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="button" id="unlock">Unlock</button></form>{{/locked}}
            <details class="confirm">
              <summary class="button danger" id="delete">Delete…</summary>
              <form method="post" action="/projects/{{projectID}}/deployments/{{name}}/delete"><input type="hidden" name="csrf" value="{{chrome.csrf}}">
                <p class="hint">Its replicas stop and its address stops answering. This cannot be undone.</p>
                <button type="submit" class="button danger solid" id="confirm-delete">Delete deployment {{name}}</button></form>
            </details>
          </div>
        </div>
        <div class="grid">
          <section class="card" aria-labelledby="info-title">
            <h2 id="info-title">Deployment</h2>
            <dl class="info">
              <dt>Address</dt><dd><code id="address">{{address}}</code></dd>
              <dt>Image</dt><dd><code>{{image}}</code></dd>
              <dt>Listening port</dt><dd>{{port}}</dd>
              <dt>Flavor</dt><dd>{{flavor}}</dd>
              <dt>Idle timeout</dt><dd>{{timeout}} s</dd>
              <dt>Keys</dt><dd>{{#keys}}{{keys}}{{/keys}}{{^keys}}none: anyone may call it{{/keys}}</dd>
              <dt>IP whitelist</dt><dd>{{#whitelist}}{{whitelist}}{{/whitelist}}{{^whitelist}}none: every address may call it{{/whitelist}}</dd>
              <dt>Created (UTC)</dt><dd>{{created}}</dd>
            </dl>
          </section>
          <section class="card" aria-labelledby="whitelist-title">
            <h2 id="whitelist-title">IP whitelist</h2>
            <form method="post" action="/projects/{{projectID}}/deployments/{{name}}/ip_whitelist" class="form" id="whitelist-form">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field"><label for="w-cidrs">Rules, one per line: <code>[allow|deny] CIDR [priority N]</code>; the lowest
                priority that holds the caller decides, deny wins a tie (empty: every address)</label>
                <textarea id="w-cidrs" name="cidrs" rows="3">{{whitelistLines}}</textarea></div>
              {{#whitelistError}}<p class="field-error" role="alert" id="whitelist-error">{{whitelistError}}</p>{{/whitelistError}}
              <div><button type="submit" class="button">Save whitelist</button></div>
            </form>
          </section>
          <section class="card" aria-labelledby="regions-title">
            <h2 id="regions-title">Containers</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Containers table">
            <table id="regions">
              <thead><tr><th>Region</th><th class="num">Ready</th><th class="num">Wanted</th><th>Scale</th><th>Error</th></tr></thead>
              <tbody>{{#regions}}<tr><td>{{id}}</td><td class="num">{{ready}}</td><td class="num">{{total}}</td><td>{{min}}–{{max}}</td><td>{{error}}</td></tr>{{/regions}}</tbody>
            </table>
            </div>
          </section>
          <section class="card" aria-labelledby="logs-title">
            <h2 id="logs-title">Logs (newest first)</h2>
            {{#hasLogs}}<pre class="code" id="logs" tabindex="0" role="region" aria-label="Log lines">{{#logs}}{{time}} {{replica}} {{message}}
        {{/logs}}</pre>{{/hasLogs}}
            {{^hasLogs}}<p class="empty">No log lines from running replicas.</p>{{/hasLogs}}
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """
}
