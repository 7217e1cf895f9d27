extension ConsoleTemplates {
    /// The signed-in user's account: change the password, and see and end their sessions and access tokens.
    static let account = """
        {{<layout}}{{$content}}{{#body}}
        <div class="page-head"><div><p class="crumbs">{{chrome.user}}</p><h1>Your account</h1></div></div>
        <div class="grid">
          <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">Change your password</h2>
            <form method="post" action="/account/password" class="form" id="change-password">
              <input type="hidden" name="csrf" value="{{chrome.csrf}}">
              <div class="field">
                <label for="current-password">Current password</label>
                <input id="current-password" name="current_password" type="password" required maxlength="72" autocomplete="current-password">
              </div>
              <div class="field">
                <label for="new-password">New password</label>
                <input id="new-password" name="password" type="password" required minlength="8" maxlength="72" autocomplete="new-password">
                <p class="hint">8 to 72 bytes. Your other browsers are signed out and your access tokens revoked; this browser stays signed in.</p>
              </div>
              <div class="field">
                <label for="new-password-again">New password, again</label>
                <input id="new-password-again" name="password_again" type="password" required minlength="8" maxlength="72" autocomplete="new-password">
              </div>
              {{#passwordError}}<p class="field-error" role="alert" id="password-error">{{passwordError}}</p>{{/passwordError}}
              <div><button type="submit" class="button primary" id="save-password">Change password</button></div>
            </form>
          </section>
          <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">Signed-in browsers</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Signed-in browsers table">
            <table id="sessions">
              <thead><tr><th>Signed in (UTC)</th><th>Until (UTC)</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {{#sessions}}
                <tr>
                  <td>{{created}}</td><td>{{expires}}</td>
                  <td>
                    {{#isThis}}<span class="muted">this browser</span>{{/isThis}}
                    {{^isThis}}
                    <details class="confirm">
                      <summary class="button small danger">Sign out<span class="visually-hidden"> the browser signed in at {{created}}</span>…</summary>
                      <form method="post" action="/account/sessions/{{handle}}/revoke">
                        <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                        <button type="submit" class="button small danger solid">Sign out the browser signed in at {{created}}</button>
                      </form>
                    </details>
                    {{/isThis}}
                  </td>
                </tr>
                {{/sessions}}
              </tbody>
            </table>
            </div>
          </section>
        </div>
        <section class="card" aria-labelledby="tokens-title">
          <h2 id="tokens-title">Access tokens</h2>
          <p class="hint">Tokens sign in the command line and scripts (<code>sibyl login</code>, <code>sibyl tokens</code>).
          Each works until it expires or is revoked.</p>
          {{#hasTokens}}
          <div class="scroll" tabindex="0" role="region" aria-label="Access tokens table">
          <table id="tokens">
            <thead><tr><th>Token ID</th><th>Description</th><th>Created (UTC)</th><th>Expires (UTC)</th><th>Last used (UTC)</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {{#tokens}}
              <tr>
                <td><code>{{id}}</code></td>
                <td>{{description}}</td>
                <td>{{created}}</td>
                <td>{{expires}}{{#expired}} <span class="badge">expired</span>{{/expired}}</td>
                <td>{{lastUsed}}</td>
                <td><details class="confirm">
                  <summary class="button small danger">Revoke<span class="visually-hidden"> token {{id}}</span>…</summary>
                  <form method="post" action="/account/tokens/{{id}}/revoke">
                    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                    <button type="submit" class="button small danger solid">Revoke token {{id}}</button>
                  </form>
                </details></td>
              </tr>
              {{/tokens}}
            </tbody>
          </table>
          </div>
          {{/hasTokens}}
          {{^hasTokens}}<p class="empty">No access tokens.</p>{{/hasTokens}}
        </section>
        {{/body}}{{/content}}{{/layout}}
        """
}
