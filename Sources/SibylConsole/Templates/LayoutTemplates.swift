/// The console's Mustache templates, as Swift strings so that the binary carries them (no resource bundle to
/// find at run time). `{{…}}` escapes for HTML; `{{{…}}}` is used only for markup Swift drew and escaped.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "newkey": newKey, "status": status, "badge": badge, "login": login, "message": message,
        "models": models, "model": model, "apis": apis, "api": api, "building": building, "users": users, "license": license,
        "deployments": deployments, "deployment": deployment, "account": account, "replay": replay, "drift": drift,
    ]

    /// Every signed-in page: the top bar with the navigation and user menu, the flash, then `content`.
    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#chrome.refresh}}<noscript><meta http-equiv="refresh" content="{{chrome.refresh}}"></noscript>{{/chrome.refresh}}
        <title>{{chrome.title}} · Sibyl</title>
        <link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script>
        </head>
        <body{{#chrome.refresh}} data-refresh="{{chrome.refresh}}"{{/chrome.refresh}}>
        <a class="skip-link" href="#main">Skip to content</a>
        {{#chrome.user}}
        <header class="topbar">
          <a class="brand" href="/">{{{chrome.logo}}}<span>Sibyl</span></a>
          <nav aria-label="Main">
            {{#chrome.projectID}}
            <a href="/projects/{{chrome.projectID}}/models"{{#chrome.onModels}} aria-current="page"{{/chrome.onModels}}>Models</a>
            <a href="/projects/{{chrome.projectID}}/apis"{{#chrome.onAPIs}} aria-current="page"{{/chrome.onAPIs}}>APIs</a>
            <a href="/projects/{{chrome.projectID}}/deployments"{{#chrome.onDeployments}} aria-current="page"{{/chrome.onDeployments}}>Deployments</a>
            {{/chrome.projectID}}
            {{#chrome.isAdmin}}
            <span class="nav-group">Admin</span>
            <a href="/admin/users"{{#chrome.onUsers}} aria-current="page"{{/chrome.onUsers}}>Users</a>
            <a href="/admin/license"{{#chrome.onLicense}} aria-current="page"{{/chrome.onLicense}}>License</a>
            {{/chrome.isAdmin}}
          </nav>
          {{#chrome.hasManyProjects}}
          <details class="menu">
            <summary>Project: {{chrome.projectName}}</summary>
            <div>
              {{#chrome.projects}}<a href="/projects/{{id}}/models"{{#current}} aria-current="true"{{/current}}>{{name}}</a>{{/chrome.projects}}
            </div>
          </details>
          {{/chrome.hasManyProjects}}
          <details class="menu" id="user-menu">
            <summary>{{chrome.user}} ▾</summary>
            <div>
              <p>Signed in as {{chrome.user}} ({{chrome.role}})</p>
              <a href="/account" id="account-link"{{#chrome.onAccount}} aria-current="page"{{/chrome.onAccount}}>Your account</a>
              <form method="post" action="/logout">
                <input type="hidden" name="csrf" value="{{chrome.csrf}}">
                <button type="submit" class="link" id="logout">Sign out</button>
              </form>
            </div>
          </details>
        </header>
        {{/chrome.user}}
        <main id="main" tabindex="-1">
        {{#chrome.notice}}<p class="flash flash-ok" role="status" id="notice">{{chrome.notice}}</p>{{/chrome.notice}}
        {{#chrome.error}}<p class="flash flash-error" role="alert" id="error">{{chrome.error}}</p>{{/chrome.error}}
        {{#chrome.newKeys}}{{>newkey}}{{/chrome.newKeys}}
        {{$content}}{{/content}}
        </main>
        <footer>Sibyl · <a href="/openapi.json">Management API (OpenAPI)</a></footer>
        </body>
        </html>
        """

    /// The one place a key's secret is ever shown: the page right after it was made.
    static let newKey = """
        <section class="card secret" aria-labelledby="title-{{keyID}}">
          <h2 id="title-{{keyID}}">{{heading}}</h2>
          <p>Copy it now. Sibyl keeps only a hash of it and will not show it again.</p>
          <div class="copy-field">
            <label class="visually-hidden" for="secret-{{keyID}}">Secret {{keyID}}</label>
            <input id="secret-{{keyID}}" class="new-key" readonly value="{{secret}}">
            <button type="button" class="button" data-copy="secret-{{keyID}}" hidden>Copy<span class="visually-hidden"> secret {{keyID}}</span></button>
          </div>
        </section>
        """

    static let status = """
        <span class="badge badge-{{status}}">{{status}}</span>
        """

    /// A `StatusBadge`.
    static let badge = """
        <span class="badge badge-{{badge.key}}">{{badge.text}}</span>
        """

    static let login = """
        {{<layout}}{{$content}}{{#body}}
        <div class="login">
          <p class="brand">{{{chrome.logo}}}<span>Sibyl</span></p>
          <section class="card">
            <h1>Sign in</h1>
            <p class="muted">Use your Sibyl user name and password.</p>
            <form method="post" action="/login" class="form"{{#error}} aria-describedby="login-error"{{/error}}>
              <input type="hidden" name="login_token" value="{{loginToken}}">
              <input type="hidden" name="next" value="{{next}}">
              <div class="field">
                <label for="name">User name</label>
                <input id="name" name="name" autocomplete="username" required autofocus maxlength="64" value="{{name}}">
              </div>
              <div class="field">
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="72">
              </div>
              {{#error}}<p class="field-error" role="alert" id="login-error">{{error}}</p>{{/error}}
              <button type="submit" class="button primary" id="sign-in">Sign in</button>
            </form>
          </section>
        </div>
        {{/body}}{{/content}}{{/layout}}
        """

    /// A page that only says something: not found, not allowed, no project yet.
    static let message = """
        {{<layout}}{{$content}}{{#body}}
        <section class="card">
          <h1>{{heading}}</h1>
          <p>{{text}}</p>
          <p><a href="{{link}}">{{linkText}}</a></p>
        </section>
        {{/body}}{{/content}}{{/layout}}
        """
}
