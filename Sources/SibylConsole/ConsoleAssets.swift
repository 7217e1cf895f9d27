import SibylApp

/// The console's stylesheet, script and icon: small, hand-written, served from memory with their hashes as
/// ETags. No build step; the pages work without the script.
enum ConsoleAssets {
    struct Asset: Sendable {
        let contentType: String
        let bytes: [UInt8]
        /// The ETag: browsers revalidate (`no-cache`) and get 304 until a new version of Sibyl changes the file.
        let tag: String

        init(_ contentType: String, _ text: String) {
            self.contentType = contentType
            bytes = Array(text.utf8)
            tag = "\"" + Secrets.sha256Hex(bytes).prefix(16) + "\""
        }
    }

    static let all: [String: Asset] = [
        "console.css": Asset("text/css; charset=utf-8", css),
        "console.js": Asset("text/javascript; charset=utf-8", script),
        "icon.svg": Asset("image/svg+xml", icon),
    ]

    /// The brand mark: an eye, for the seer Sibyl. The favicon here, and inline in the pages' top bar.
    static let mark = """
        <rect width="32" height="32" rx="8" fill="#3b5bdb"/><path d="M5 16c3-5 7-8 11-8s8 3 11 8c-3 5-7 8-11 8S8 21 5 16z" \
        fill="#fff"/><circle cx="16" cy="16" r="4.5" fill="#3b5bdb"/>
        """
    static let icon = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">" + mark + "</svg>"

    /// Progressive enhancement only: dialogs open in place, copy buttons appear. Without it, dialog links
    /// load the page with the dialog open and the key stays selectable.
    static let script = """
        "use strict";
        document.addEventListener("DOMContentLoaded", () => {
          // A page that changes by itself reloads every few seconds, but not under someone typing in a form or
          // with a dialog or a confirmation open (a meta refresh would wipe what they are doing).
          const every = Number(document.body.dataset.refresh) * 1000;
          if (every > 0) {
            const reload = () => {
              const busy = document.activeElement?.matches("input, select, textarea")
                || document.querySelector("details[open], dialog[open]");
              if (busy) setTimeout(reload, every); else location.reload();
            };
            setTimeout(reload, every);
          }
          for (const link of document.querySelectorAll("a[data-dialog]")) {
            const dialog = document.getElementById(link.dataset.dialog);
            if (!dialog || typeof dialog.showModal !== "function") continue;
            link.addEventListener("click", (event) => {
              event.preventDefault();
              dialog.showModal();
            });
          }
          // A dialog the server rendered open (no script, or a refused entry) becomes modal.
          for (const dialog of document.querySelectorAll("dialog[open]")) {
            if (typeof dialog.showModal !== "function") continue;
            dialog.close();
            dialog.showModal();
          }
          for (const close of document.querySelectorAll("[data-close]")) {
            close.addEventListener("click", (event) => {
              const dialog = close.closest("dialog");
              if (!dialog) return;
              event.preventDefault();
              dialog.close();
            });
          }
          for (const button of document.querySelectorAll("button[data-copy]")) {
            const source = document.getElementById(button.dataset.copy);
            if (!source) continue;
            // The label names what is copied ("Copy API URL"); it comes back after the feedback.
            const label = button.innerHTML;
            button.hidden = false;
            button.addEventListener("click", async () => {
              const text = "value" in source ? source.value : source.textContent;
              let copied = false;
              try {
                await navigator.clipboard.writeText(text);
                copied = true;
              } catch {
                // Plain HTTP to a remote host has no clipboard API: select the text instead.
                const range = document.createRange();
                range.selectNodeContents(source);
                if ("select" in source) source.select(); else getSelection().addRange(range);
              }
              button.textContent = copied ? "Copied" : "Press Ctrl+C";
              setTimeout(() => { button.innerHTML = label; }, 2000);
            });
          }
        });
        """

    static let css = """
        :root {
          --ink: #1b2230; --muted: #5d6877; --line: #e2e6ee; --bg: #f4f6fa; --card: #fff;
          --accent: #3b5bdb; --accent-dark: #2f4ac0; --accent-soft: #edf1ff;
          --ok: #237a36; --ok-soft: #e6f6ea; --warn: #a65a00; --warn-soft: #fff3e0;
          --bad: #b42318; --bad-soft: #fdecea; --idle: #55606e; --idle-soft: #eef0f3;
          --bar-ok: #4263eb; --bar-error: #f08c00;
          --radius: 10px; --shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%);
          color: var(--ink); background: var(--bg);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
        h1 { font-size: 1.6rem; margin: 0; letter-spacing: -0.01em; }
        h2 { font-size: 1.05rem; margin: 0 0 0.8rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
        .skip-link { position: absolute; left: 0.5rem; top: -3rem; z-index: 20; background: var(--card); color: var(--accent); padding: 0.5rem 0.9rem;
          border-radius: 8px; box-shadow: var(--shadow); }
        .skip-link:focus { top: 0.5rem; }
        main:focus { outline: none; }
        code { overflow-wrap: anywhere; }

        .topbar { display: flex; align-items: center; gap: 1.5rem; padding: 0 1.5rem; height: 56px; background: #141a26; color: #dfe4ee; }
        .brand { display: flex; align-items: center; gap: 0.5rem; color: #fff; font-weight: 650; font-size: 1.1rem; }
        .brand:hover { text-decoration: none; }
        .brand svg { width: 26px; height: 26px; }
        .topbar nav { display: flex; flex-wrap: wrap; gap: 0.25rem; flex: 1; min-width: 0; }
        .topbar nav a { color: #c3cada; padding: 0.4rem 0.7rem; border-radius: 6px; }
        .topbar nav a:hover { background: #222b3d; color: #fff; text-decoration: none; }
        .topbar nav a[aria-current="page"] { background: #2a3550; color: #fff; }
        .nav-group { font-size: 0.7rem; text-transform: uppercase; letter-spacing: 0.05em; }
        .nav-group { color: #7d879a; align-self: center; margin-left: 0.8rem; }
        .menu { position: relative; }
        .menu summary { list-style: none; cursor: pointer; color: #dfe4ee; padding: 0.4rem 0.7rem; border-radius: 6px; }
        .menu summary::-webkit-details-marker { display: none; }
        .menu summary:hover { background: #222b3d; }
        .menu[open] > div { position: absolute; right: 0; top: 2.4rem; z-index: 5; min-width: 220px; background: var(--card);
          color: var(--ink); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: 0 8px 24px rgb(16 24 40 / 18%); padding: 0.5rem; }
        .menu a, .menu button.link { display: block; width: 100%; text-align: left; padding: 0.45rem 0.6rem; border-radius: 6px; color: var(--ink); }
        .menu a:hover, .menu button.link:hover { background: var(--bg); text-decoration: none; }
        .menu p { margin: 0.3rem 0.6rem 0.5rem; color: var(--muted); font-size: 0.85rem; }
        button.link { background: none; border: 0; font: inherit; cursor: pointer; }

        main { flex: 1; width: 100%; max-width: 1180px; margin: 0 auto; padding: 1.6rem 1.5rem 3rem; }
        footer { color: var(--muted); font-size: 0.85rem; text-align: center; padding: 1rem; }
        .page-head { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; margin-bottom: 1.2rem; }
        .page-head .title { display: flex; align-items: center; gap: 0.7rem; flex-wrap: wrap; }
        .crumbs { font-size: 0.88rem; color: var(--muted); margin-bottom: 0.35rem; }
        .muted { color: var(--muted); }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow);
          padding: 1.2rem 1.3rem; margin-bottom: 1.2rem; }
        .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2rem; align-items: start; }
        .grid { margin-bottom: 1.2rem; }
        .grid > .card { margin-bottom: 0; }
        .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.2rem; }
        @media (max-width: 900px) {
          .grid, .columns { grid-template-columns: minmax(0, 1fr); }
          .topbar { flex-wrap: wrap; height: auto; padding: 0.5rem 1rem; gap: 0.3rem 1rem; }
          .topbar nav { order: 3; flex-basis: 100%; }
        }

        .flash { padding: 0.7rem 1rem; border-radius: var(--radius); margin: 0 0 1.2rem; border: 1px solid; }
        .flash-ok { background: var(--ok-soft); border-color: #b9e2c3; color: var(--ok); }
        .flash-error { background: var(--bad-soft); border-color: #f4c2bd; color: var(--bad); }
        .flash-info { background: var(--idle-soft); border-color: var(--line); color: var(--ink); }
        .field-error { color: var(--bad); margin: 0.4rem 0 0; font-size: 0.9rem; }
        .hint { color: var(--muted); font-size: 0.86rem; margin: 0.35rem 0 0; }

        .button { display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.5rem 0.95rem; border-radius: 8px; border: 1px solid var(--line);
          background: var(--card); color: var(--ink); font: inherit; font-weight: 550; cursor: pointer; line-height: 1.2;
          white-space: nowrap; flex-shrink: 0; }
        .button:hover { background: var(--bg); text-decoration: none; }
        .button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        .button.primary:hover { background: var(--accent-dark); }
        .button.danger { color: var(--bad); border-color: #f0b8b2; }
        .button.danger:hover { background: var(--bad-soft); }
        .button.danger.solid { background: var(--bad); color: #fff; border-color: var(--bad); }
        .button.small { padding: 0.25rem 0.6rem; font-size: 0.85rem; }
        .button:disabled { opacity: 0.5; cursor: not-allowed; }
        .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
        .actions form { margin: 0; }
        .toolbar { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: center; justify-content: space-between; }

        label { font-weight: 550; font-size: 0.9rem; }
        input, select, textarea { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid #cfd5df; border-radius: 8px; background: #fff; color: var(--ink);
          max-width: 100%; min-width: 0; }
        input:focus, select:focus, textarea:focus, .button:focus-visible, a:focus-visible, summary:focus-visible, .scroll:focus-visible,
        pre.code:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
        .create-row { margin: 0 0 0.9rem; }
        /* Positioned, so that what is positioned inside (visually hidden words) scrolls with it, not the page. */
        .scroll { overflow-x: auto; max-width: 100%; position: relative; }
        details.disclosure > summary { list-style: none; }
        details.disclosure > summary::-webkit-details-marker { display: none; }
        details.disclosure[open] > summary { margin-bottom: 1rem; }
        details.disclosure:not([open]) { background: none; border: 0; box-shadow: none; padding: 0; }
        details.disclosure .form { max-width: 560px; }
        .form { display: grid; gap: 0.35rem; }
        .form .field { display: grid; gap: 0.3rem; margin-bottom: 0.6rem; }
        .inline-form { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
        fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.9rem; margin: 0 0 0.8rem; }
        legend { font-weight: 600; font-size: 0.9rem; padding: 0 0.3rem; }
        .checks { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
        .checks label { font-weight: 400; display: flex; gap: 0.35rem; align-items: center; }

        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: 0.6rem 0.7rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
        td { white-space: nowrap; }
        td:first-child { white-space: normal; }
        th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
        tbody tr:hover { background: #fafbfd; }
        tbody tr:last-child td { border-bottom: 0; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .empty { color: var(--muted); text-align: center; padding: 2rem 1rem; margin: 0; }

        .badge { display: inline-flex; align-items: center; gap: 0.35rem; padding: 0.12rem 0.6rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
          background: var(--idle-soft); color: var(--idle); white-space: nowrap; }
        .badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
        .badge.plain::before { display: none; }
        .badge-operating, .badge-ACTIVE { background: var(--ok-soft); color: var(--ok); }
        .badge-DEPLOYING, .badge-PENDING, .badge-DELETING { background: var(--warn-soft); color: var(--warn); }
        .badge-PARTIALLYDEPLOYED { background: var(--bad-soft); color: var(--bad); }
        .badge-building, .badge-updating, .badge-deleting, .badge-exhausted { background: var(--warn-soft); color: var(--warn); }
        .badge-failed { background: var(--bad-soft); color: var(--bad); }
        .badge-locked { background: #f3effe; color: #6741d9; }
        .badge-official { background: var(--accent-soft); color: var(--accent-dark); }
        .badge-allow { background: var(--ok-soft); color: var(--ok); }
        .badge-deny { background: var(--bad-soft); color: var(--bad); }

        dl.info { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.55rem 1.2rem; margin: 0; }
        dl.info dt { color: var(--muted); font-size: 0.9rem; }
        dl.info dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
        ul.plain { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.35rem; }
        ul.plain li { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.6rem; }
        .copy-field { display: flex; gap: 0.4rem; align-items: center; min-width: 0; }
        .copy-field input { flex: 1; min-width: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; background: var(--bg); }
        .secret { border-color: #f6d28b; background: #fffbf0; }
        .secret h2 { color: var(--warn); }
        meter { width: 160px; height: 0.8rem; vertical-align: middle; }

        .tabs { display: flex; gap: 0.3rem; border-bottom: 1px solid var(--line); margin-bottom: 1.2rem; }
        .tabs a { padding: 0.55rem 1rem; border-bottom: 2px solid transparent; color: var(--muted); font-weight: 550; margin-bottom: -1px; }
        .tabs a:hover { color: var(--ink); text-decoration: none; }
        .tabs a[aria-current="page"] { color: var(--accent); border-bottom-color: var(--accent); }

        .launch { text-align: center; padding: 2.4rem 1.5rem; }
        .launch p { color: var(--muted); max-width: 560px; margin: 0.4rem auto 1.4rem; }
        .choice { display: flex; gap: 0.7rem; align-items: flex-start; padding: 0.7rem 0.8rem; border: 1px solid var(--line); border-radius: 8px; margin: 0.5rem 0; font-weight: 400; cursor: pointer; }
        .choice:has(input:checked) { border-color: var(--accent); background: var(--accent-soft); }
        .choice.disabled { cursor: not-allowed; opacity: 0.65; }
        .choice input { margin-top: 0.3rem; }
        .choice strong { display: block; }
        .reason { color: var(--bad); font-size: 0.86rem; margin: -0.2rem 0 0.5rem 0.2rem; }

        dialog { border: 0; border-radius: 14px; padding: 0; width: min(520px, calc(100vw - 2rem)); box-shadow: 0 24px 64px rgb(16 24 40 / 28%); color: var(--ink); }
        dialog[open]:not(:modal) { position: fixed; inset: 10vh 0 auto; margin: 0 auto; z-index: 10; }
        dialog::backdrop { background: rgb(20 26 38 / 45%); }
        dialog form.body, dialog .body { padding: 1.3rem 1.4rem; margin: 0; }
        dialog h2 { font-size: 1.15rem; }
        .dialog-actions { display: flex; justify-content: flex-end; gap: 0.5rem; margin-top: 1rem; }
        .whitelist-entries { margin: 0 0 1rem; max-height: 240px; overflow: auto; }
        .whitelist-entries li { padding: 0.35rem 0.5rem; background: var(--bg); border-radius: 6px; }

        .building { max-width: 640px; margin: 3rem auto; text-align: center; padding: 2.6rem 2rem; }
        .building p { color: var(--muted); }
        .spinner { width: 46px; height: 46px; margin: 0 auto 1.2rem; border-radius: 50%; border: 4px solid var(--accent-soft); border-top-color: var(--accent); animation: spin 0.9s linear infinite; }
        @keyframes spin { to { transform: rotate(360deg); } }
        @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
        ol.steps { display: flex; justify-content: center; gap: 0.5rem; flex-wrap: wrap; padding: 0; list-style: none; margin: 1.4rem 0; }
        ol.steps li { padding: 0.3rem 0.8rem; border-radius: 999px; background: var(--bg); font-size: 0.85rem; color: var(--muted); }
        ol.steps li.done { background: var(--ok-soft); color: var(--ok); }
        ol.steps li.now { background: var(--warn-soft); color: var(--warn); }

        .states { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.3rem; }
        .states li { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: 0.6rem; padding: 0.45rem 0.6rem; border-radius: 8px; color: var(--muted); font-size: 0.9rem; }
        .states li strong { color: var(--ink); }
        .states li.current { background: var(--accent-soft); color: var(--ink); }

        .chart { width: 100%; height: auto; display: block; margin: 0.6rem 0; }
        .chart .grid-line { stroke: var(--line); stroke-width: 1; }
        .chart .axis { stroke: #b9c0cc; stroke-width: 1; }
        .chart text { fill: var(--muted); font-size: 11px; font-family: inherit; }
        .chart .bar-ok { fill: var(--bar-ok); }
        .chart .bar-error { fill: var(--bar-error); }
        .chart .nothing { font-size: 13px; }
        .chart .threshold { stroke: var(--bar-error); stroke-width: 1.5; stroke-dasharray: 5 4; }
        .legend { display: flex; gap: 1.4rem; flex-wrap: wrap; margin: 0.2rem 0 0; padding: 0; list-style: none; }
        .legend li { display: flex; align-items: center; gap: 0.45rem; }
        .legend .swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; }
        .swatch.ok { background: var(--bar-ok); }
        .swatch.error { background: var(--bar-error); }
        .legend strong { font-size: 1.15rem; font-variant-numeric: tabular-nums; }
        .range { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
        .range input { padding: 0.3rem 0.45rem; }
        .presets a { font-size: 0.88rem; margin-right: 0.5rem; padding: 0.1rem 0.45rem; border-radius: 6px; }
        .presets a[aria-current="true"] { background: var(--accent-soft); color: var(--accent-dark); font-weight: 650; }
        details.data summary { cursor: pointer; color: var(--accent); font-size: 0.9rem; margin-top: 0.6rem; }
        details.confirm { display: inline-block; }
        details.confirm summary { list-style: none; }
        details.confirm summary::-webkit-details-marker { display: none; }
        details.confirm[open] form { margin-top: 0.4rem; display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; white-space: normal; }
        details.confirm[open] form .hint { flex-basis: 100%; margin: 0; }
        .my-address { margin-top: 0.8rem; }

        pre.code { background: #141a26; color: #e3e8f2; padding: 0.9rem 1rem; border-radius: 8px; overflow: auto; margin: 0.4rem 0 0; line-height: 1.45; }
        .code-head { display: flex; justify-content: space-between; align-items: center; margin-top: 0.9rem; }
        .code-head h3 { font-size: 0.9rem; margin: 0; color: var(--muted); }

        .login { max-width: 380px; margin: 8vh auto; }
        .login .field-error { margin: 0 0 0.4rem; }
        .login .brand { color: var(--ink); justify-content: center; font-size: 1.5rem; margin-bottom: 1.2rem; }
        .login .brand svg { width: 36px; height: 36px; }
        .login .button { width: 100%; justify-content: center; margin-top: 0.4rem; }
        .scroll td, .scroll td:first-child { white-space: nowrap; }
        .scroll code { overflow-wrap: normal; }
        /* On a phone a key's date may wrap, so that its Revoke stays in view. */
        #keys td:nth-child(2) { white-space: normal; }
        details.confirm summary.button { gap: 0; }

        /* Last, so that it overrides the rules above on a phone. */
        @media (max-width: 600px) {
          main { padding: 1rem 0.75rem 2rem; }
          .card { padding: 1rem; }
          dl.info { grid-template-columns: minmax(0, 1fr); gap: 0.2rem; }
          dl.info dd { margin-bottom: 0.6rem; }
          h1 { font-size: 1.35rem; }
        }
        """
}
