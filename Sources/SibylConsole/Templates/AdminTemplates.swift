extension ConsoleTemplates {
    /// Users and roles, a form to add one, and the projects with their members.
    static let users = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head"><div><p class="crumbs">Admin</p><h1>Users and roles</h1></div></div>
        <div class="grid">
          <section class="card" aria-labelledby="users-title">
            <h2 id="users-title">Users</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Users table">
            <table id="users">
              <thead><tr><th>Name</th><th>Role</th><th>Projects</th><th><span class="visually-hidden">Password</span></th><th><span class="visually-hidden">Delete</span></th></tr></thead>
              <tbody>
                {{#users}}
                <tr>
                  <td>{{name}}{{#isYou}} <span class="muted">(you)</span>{{/isYou}}</td>
                  <td>
                    <form method="post" action="/admin/users/{{id}}/role" class="inline-form">
                      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                      <label class="visually-hidden" for="role-{{id}}">Role of {{name}}</label>
                      <select id="role-{{id}}" name="role">
                        <option value="member"{{^isAdmin}} selected{{/isAdmin}}>member</option>
                        <option value="admin"{{#isAdmin}} selected{{/isAdmin}}>admin</option>
                      </select>
                      <button type="submit" class="button small">Save<span class="visually-hidden"> role of {{name}}</span></button>
                    </form>
                  </td>
                  <td>{{projects}}</td>
                  <td>
                    {{^isYou}}
                    <details class="confirm">
                      <summary class="button small">Set password<span class="visually-hidden"> of {{name}}</span>…</summary>
                      <form method="post" action="/admin/users/{{id}}/password">
                        <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                        <label for="password-{{id}}">New password of {{name}}</label>
                        <input id="password-{{id}}" name="password" type="password" required minlength="8" maxlength="72" autocomplete="new-password">
                        <button type="submit" class="button small">Set password</button>
                      </form>
                    </details>
                    {{/isYou}}
                    {{#isYou}}<a href="/account">Your account</a>{{/isYou}}
                  </td>
                  <td>
                    <details class="confirm">
                      <summary class="button small danger">Delete<span class="visually-hidden"> user {{name}}</span>…</summary>
                      <form method="post" action="/admin/users/{{id}}/delete">
                        <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                        <button type="submit" class="button small danger solid">Delete {{name}}</button>
                      </form>
                    </details>
                  </td>
                </tr>
                {{/users}}
              </tbody>
            </table>
            </div>
          </section>
          <section class="card" aria-labelledby="add-user-title">
            <h2 id="add-user-title">Add a user</h2>
            <form method="post" action="/admin/users" class="form" id="add-user">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field">
                <label for="new-name">Name</label>
                <input id="new-name" name="name" required maxlength="64" autocomplete="off" value="{{newName}}">
              </div>
              <div class="field">
                <label for="new-password">Password</label>
                <input id="new-password" name="password" type="password" required minlength="8" maxlength="72" autocomplete="new-password">
                <p class="hint">8 to 72 bytes.</p>
              </div>
              <div class="field">
                <label for="new-role">Role</label>
                <select id="new-role" name="role"><option value="member">member</option><option value="admin"{{#newAdmin}} selected{{/newAdmin}}>admin</option></select>
              </div>
              <fieldset>
                <legend>Member of</legend>
                <div class="checks">
                  {{#projects}}<label><input type="checkbox" name="project" value="{{id}}"{{#chosen}} checked{{/chosen}}> {{name}}</label>{{/projects}}
                </div>
              </fieldset>
              {{#userError}}<p class="field-error" role="alert" id="user-error">{{userError}}</p>{{/userError}}
              <div><button type="submit" class="button primary" id="create-user">Add user</button></div>
            </form>
          </section>
        </div>
        <section class="card" aria-labelledby="projects-title">
          <h2 id="projects-title">Projects and members</h2>
          <p class="hint">Members see a project's models and APIs; admins see every project.</p>
          {{#projects}}
          <form method="post" action="/admin/projects/{{id}}/members" class="inline-form">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <fieldset>
              <legend>{{name}} <span class="muted">(project {{id}})</span></legend>
              <div class="checks">
                {{#members}}<label><input type="checkbox" name="user" value="{{userID}}"{{#isMember}} checked{{/isMember}}> {{userName}}</label>{{/members}}
              </div>
            </fieldset>
            <button type="submit" class="button small">Save members<span class="visually-hidden"> of {{name}}</span></button>
          </form>
          {{/projects}}
          <form method="post" action="/admin/projects" class="inline-form" id="new-project">
            <input type="hidden" name="csrf" value="{{chrome.csrf}}">
            <label for="project-name">New project</label>
            <input id="project-name" name="name" required maxlength="128" value="{{projectName}}"{{#projectError}} aria-describedby="project-error"{{/projectError}}>
            <button type="submit" class="button small">Create project</button>
          </form>
          {{#projectError}}<p class="field-error" role="alert" id="project-error">{{projectError}}</p>{{/projectError}}
        </section>
        {{/body}}{{/content}}{{/layout}}
        """

    /// The license: edition and API options in use, and the form to change them.
    static let license = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head"><div><p class="crumbs">Admin</p><h1>License</h1></div></div>
        <div class="grid">
          <section class="card" aria-labelledby="license-title">
            <h2 id="license-title">Current license</h2>
            <dl class="info">
              <dt>Edition</dt><dd><span class="badge plain{{#isLicensed}} badge-official{{/isLicensed}}" id="edition">{{edition}}</span></dd>
              <dt>API options in use</dt>
              <dd><meter min="0" max="{{meterMax}}" value="{{inUse}}">{{inUse}}</meter> <strong id="options-in-use">{{inUse}}</strong> of <strong id="options-total">{{options}}</strong></dd>
            </dl>
            <p class="hint">Each official API, stopped ones included, uses one API option; deleting it frees the option.
            The trial edition creates trial APIs only, each serving up to {{trialLimit}} requests.</p>
          </section>
          <section class="card" aria-labelledby="change-license-title">
            <h2 id="change-license-title">Change the license</h2>
            <form method="post" action="/admin/license" class="form">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field">
                <label for="edition-select">Edition</label>
                <select id="edition-select" name="edition">
                  <option value="licensed"{{#licensedChosen}} selected{{/licensedChosen}}>licensed</option>
                  <option value="trial"{{^licensedChosen}} selected{{/licensedChosen}}>trial</option>
                </select>
              </div>
              <div class="field">
                <label for="api-options">API options</label>
                <input id="api-options" name="api_options" type="number" min="0" max="100000" required value="{{optionsInput}}">
              </div>
              {{#licenseError}}<p class="field-error" role="alert" id="license-error">{{licenseError}}</p>{{/licenseError}}
              <div><button type="submit" class="button primary">Save</button></div>
            </form>
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """
}
