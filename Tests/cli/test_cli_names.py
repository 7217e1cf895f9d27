"""Names wherever ids are, `--version`, file errors with their reason, the usage chart of busy days, lists
newest first, and the flags of the API and key fields (names, missing features, promotion)."""
import datetime
import json
import os
import re
import time
import urllib.request

from conftest import CLI, FIXTURES, ROOT, push, rows_of, trial_api


def test_version_is_the_one_in_sibyl_core(cli):
    source = open(os.path.join(ROOT, "Sources", "SibylCore", "Version.swift")).read()
    version = re.search(r'static let string = "([^"]+)"', source).group(1)
    assert cli.run("--version").stdout == version + "\n"
    assert cli.run("version").stdout == version + "\n"


def test_a_file_that_cannot_be_read_says_why(logged_in, tmp_path):
    cli = logged_in
    missing = cli.run("models", "push", "/nonexistent", code=1)
    assert missing.stderr == "error: cannot read /nonexistent: No such file or directory\n"
    folder = cli.run("predict", "api_" + "a" * 16, str(tmp_path), "--key", "k", code=1)
    assert folder.stderr == f"error: cannot read {tmp_path}: Is a directory\n"
    spec = cli.run("deployments", "create", "x", "-f", "/nonexistent/spec.yaml", code=1)
    assert spec.stderr == "error: cannot read /nonexistent/spec.yaml: No such file or directory\n"


def test_models_projects_and_users_by_name(logged_in):
    cli = logged_in
    first = push(cli, "by-name")
    assert cli.json("models", "show", "by-name")["model_id"] == first["model_id"]
    api = trial_api(cli, "by-name")
    assert api["model_id"] == first["model_id"]
    # Two models of one name: the name is ambiguous, and the error lists both ids; an id still works.
    second = push(cli, "by-name", "xgb_multiclass")
    ambiguous = cli.run("models", "show", "by-name", code=1).stderr
    ids = re.fullmatch(r'error: 2 models are named "by-name" \((\S+), (\S+)\): give one of these ids instead\n', ambiguous)
    assert ids and set(ids.groups()) == {first["model_id"], second["model_id"]}, ambiguous
    assert cli.json("models", "show", second["model_id"])["task"] == "multiclass"
    assert "not_found" in cli.run("models", "show", "no-such-model", code=1).stderr
    cli.run("models", "rm", second["model_id"])

    project = cli.json("projects", "create", "named-project")
    assert cli.json("models", "list", "--project", "named-project")["count"] == 0
    pushed = cli.json("models", "push", os.path.join(FIXTURES, "xgb_binary", "model.json"), "--project", "named-project")
    assert pushed["model_id"] in cli.run("models", "list", "--project", str(project["project_id"])).stdout
    user = cli.json("users", "create", "dora", stdin="dora-password-1\n")
    assert cli.json("projects", "members", "named-project", "admin", "dora")["members"] == [1, user["user_id"]]
    cli.run("users", "password", "dora", stdin="dora-password-2\n")
    assert cli.json("tokens", "list", "--user", "dora")["count"] == 0
    # A member may not list users, but may name themself.
    dora = CLI(os.path.join(cli.home, "dora"), cli.url)
    dora.run("login", "--url", cli.url, "--user", "dora", stdin="dora-password-2\n")
    assert dora.json("users", "password", "dora", stdin="dora-password-3\n") == {"password_changed": user["user_id"]}
    assert dora.run("users", "password", "admin", stdin="x-password-123\n", code=1).stderr == \
        'error: not_found: no user has the id or name "admin" that you may see\n'
    dora.run("login", "--url", cli.url, "--user", "dora", stdin="dora-password-3\n")
    assert cli.json("users", "rm", "dora") == {"deleted": user["user_id"]}
    assert 'no project has the id or name "nowhere"' in cli.run("models", "list", "--project", "nowhere", code=1).stderr


def test_lists_are_newest_first_like_the_console(logged_in):
    cli = logged_in
    # Creation times are whole seconds, and the node orders a tie by id (random): one second apart.
    older = push(cli, "older")
    time.sleep(1.1)
    newer = push(cli, "newer")
    models = [m["model_id"] for m in cli.json("models", "list")["results"]]
    assert models.index(newer["model_id"]) < models.index(older["model_id"])
    table = cli.run("models", "list").stdout.splitlines()
    assert table[1].startswith(newer["model_id"])
    first = trial_api(cli, older["model_id"])
    time.sleep(1.1)
    second = trial_api(cli, newer["model_id"])
    apis = [a["api_id"] for a in cli.json("apis", "list")["results"]]
    assert apis.index(second["api_id"]) < apis.index(first["api_id"])
    assert cli.run("apis", "list").stdout.splitlines()[1].startswith(second["api_id"])


def test_usage_prints_only_days_with_requests_and_the_total(logged_in):
    cli = logged_in
    api = trial_api(cli, push(cli, "usage")["model_id"])
    today = datetime.datetime.now(datetime.timezone.utc).date()
    month_ago = today - datetime.timedelta(days=29)
    assert cli.run("apis", "usage", api["api_id"]).stdout == f"no requests from {month_ago} to {today}\n"
    assert cli.run("apis", "usage", api["api_id"], "--from", "2026-01-01", "--to", "2026-01-31").stdout == \
        "no requests from 2026-01-01 to 2026-01-31\n"
    header, rows = rows_of("X_test.csv")
    body = ",".join(header) + "\n" + ",".join(rows[0]) + "\n"
    cli.run("predict", api["api_id"], "-", "--key", api["api_key"]["secret"], stdin=body)
    cli.run("predict", api["api_id"], "-", "--key", "key_" + "a" * 16 + ".x", stdin=body, code=1)
    for _ in range(100):
        chart = cli.run("apis", "usage", api["api_id"]).stdout.splitlines()
        if chart[-1].startswith("total: 1 answered 200, 1"):
            break
        time.sleep(0.1)  # usage is written every second
    assert len(chart) == 3, chart
    assert chart[0].split() == ["DATE", "200", "ERR"] and chart[1].startswith(str(today))
    assert chart[2].startswith("total: 1 answered 200, 1 answered 4xx/5xx")


def test_create_without_allow_warns_that_nobody_can_call_it(logged_in):
    cli = logged_in
    model = push(cli, "warned")["model_id"]
    created = cli.run("apis", "create", model)
    api = dict(line.split(None, 1) for line in created.stdout.splitlines())["api"]
    assert (f"warning: the IP whitelist is empty, so nobody can call this API until an address is allowed: "
            f"sibyl apis allow {api} CIDR") in created.stderr
    assert "warning" not in cli.run("apis", "create", model, "--allow", "127.0.0.1/32").stderr


def test_the_default_type_is_trial_and_help_says_so(logged_in):
    cli = logged_in
    assert "trial (the default" in cli.run("apis", "create", "--help").stdout
    assert cli.json("apis", "create", push(cli, "default-type")["model_id"], "--allow", "127.0.0.1/32")["type"] == "trial"


def test_apis_and_keys_by_name_with_their_fields(logged_in):
    cli = logged_in
    model = push(cli, "named-api")["model_id"]
    api = cli.json("apis", "create", model, "--name", "scoring", "--allow", "127.0.0.1/32", "--missing-features", "refuse")
    assert api["name"] == "scoring" and api["missing_features"] == "refuse"
    shown = cli.run("apis", "show", "scoring").stdout
    assert api["api_id"] in shown and "refuse" in shown
    assert "scoring" in cli.run("apis", "list").stdout
    # Predict by name, with the stored login: refused as a row leaves features out.
    header, rows = rows_of("X_test.csv")
    short = ",".join(header[:2]) + "\n" + ",".join(rows[0][:2]) + "\n"
    refused = cli.run("predict", "scoring", "-", "--key", api["api_key"]["secret"], stdin=short, code=1)
    assert "missing_features" in refused.stderr
    assert cli.json("apis", "update", "scoring", "--missing-features", "allow", "--name", "scoring-2")["name"] == "scoring-2"
    allowed = cli.run("predict", "scoring-2", "-", "--key", api["api_key"]["secret"], stdin=short)
    assert allowed.stderr.startswith("warning: 28 of the model's features were absent from some rows"), allowed.stderr

    key = cli.json("apis", "keys", "create", "scoring-2", "--name", "partner")
    assert key["name"] == "partner"
    # Keys are found by id: two made in the same second (as here) may list in either order.
    deadline = time.monotonic() + 20  # last use is written with the usage, every second (a busy CI machine: later)
    while True:
        listed = {k["key_id"]: k for k in cli.json("apis", "keys", "list", "scoring-2")["results"]}
        if listed[api["api_key"]["key_id"]]["last_used_at"] is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert listed[api["api_key"]["key_id"]]["last_used_at"] is not None, "the first key was used by the predictions above"
    assert listed[key["key_id"]]["last_used_at"] is None
    partner_line = next(line for line in cli.run("apis", "keys", "list", "scoring-2").stdout.splitlines() if key["key_id"] in line)
    assert "never" in partner_line
    assert "partner" in cli.run("apis", "keys", "list", "scoring-2").stdout
    assert cli.json("apis", "keys", "revoke", "scoring-2", "partner") == {"revoked": key["key_id"]}

    # Promotion: trial to official.
    assert cli.json("apis", "update", "scoring-2", "--type", "official")["type"] == "official"


def test_versions_a_rollback_and_a_split(logged_in, tmp_path):
    cli = logged_in
    first = push(cli, "versions-first")["model_id"]
    second = push(cli, "versions-second", fixture="xgb_multiclass")["model_id"]
    api = trial_api(cli, first, "--name", "versioned", "--type", "official")
    key = api["api_key"]["secret"]
    assert cli.json("apis", "update", "versioned", "--model", "versions-second")["version"] == 2
    listed = cli.run("apis", "versions", "versioned").stdout.splitlines()
    assert listed[0].split() == ["VERSION", "MODEL", "CREATED", "CURRENT", "SHARE"], listed
    assert listed[1].split()[:2] == ["v1", first] and listed[1].split()[-1] == "0%"
    assert listed[2].split()[:2] == ["v2", second] and listed[2].split()[-2:] == ["yes", "100%"]

    # The rollback waits until v1 serves: the next prediction is xgb_binary's (two classes).
    rows = tmp_path / "rows.csv"
    header, table = rows_of("X_test.csv")
    rows.write_text(",".join(header) + "\n" + ",".join(table[0]) + "\n")
    assert "v1" in cli.run("apis", "versions", "use", "versioned", "v1").stdout
    answer = cli.json("predict", "versioned", str(rows), "--key", key)
    assert set(answer["predictions"][0]["probabilities"]) == {"0", "1"}

    push(cli, "versions-third")
    assert cli.run("apis", "versions", "add", "versioned", "versions-third").stdout.strip() == "Added v3 (not serving yet)."
    assert cli.json("apis", "show", "versioned")["version"] == 1
    assert cli.run("apis", "split", "versioned", "1=90", "v3=10", "--sticky").stdout.strip() == "v1 90%, v3 10% (sticky per key)"
    assert "split v1 90% v3 10% (sticky)" in cli.run("apis", "show", "versioned").stdout
    assert cli.run("apis", "split", "versioned", "1=90", "v2=10", "--sticky").stdout.strip() == "v1 90%, v2 10% (sticky per key)"
    assert "split v1 90% v2 10% (sticky)" in cli.run("apis", "show", "versioned").stdout
    refused = cli.run("apis", "split", "versioned", "1=90", "2=20", code=1)
    assert "invalid_input" in refused.stderr and "add up to 100" in refused.stderr
    assert "give VERSION=PERCENT" in cli.run("apis", "split", "versioned", code=2).stderr
    assert "conflict" in cli.run("apis", "versions", "rm", "versioned", "2", code=1).stderr
    assert cli.run("apis", "split", "versioned", "--off").stdout.strip() == "v1 answers every prediction."

    # A shadow: v3 gets a copy of each answered prediction; the day's comparison is shown.
    assert cli.run("apis", "shadow", "versioned", "v3").stdout.strip() == "v3 shadows every answered prediction."
    assert "shadow v3" in cli.run("apis", "show", "versioned").stdout
    cli.run("predict", "versioned", str(rows), "--key", key)
    for _ in range(100):
        report = cli.json("apis", "shadow", "versioned")
        if report["days"]:
            break
        time.sleep(0.05)
    assert report["days"][0]["requests"] == 1 and report["days"][0]["label_agreement"] == 1.0, report
    table = cli.run("apis", "shadow", "versioned").stdout.splitlines()
    assert table[1].split()[:7] == ["DATE", "VERSION", "REQUESTS", "ROWS", "LABELS", "AGREE", "MEAN"], table
    assert table[2].split()[1:4] == ["v3", "1", "1"] and "100.00%" in table[2], table
    assert "give a VERSION or --off" in cli.run("apis", "shadow", "versioned", "3", "--off", code=2).stderr
    assert cli.run("apis", "shadow", "versioned", "--off").stdout.splitlines()[0] == "No shadow."

    # Capture: every answered request, exported as NDJSON and CSV, every page of them (1,001 captures: two).
    assert cli.run("apis", "capture", "versioned", "--rate", "100").stdout.splitlines() == ["rate       100 %", "retention  30 days"]
    assert "rate: a percentage" in cli.run("apis", "capture", "versioned", "--rate", "101", code=1).stderr
    for index in range(1001):
        request = urllib.request.Request(f"{cli.url}/apis/{api['api_id']}/predict", method="POST",
                                         data=json.dumps({"records": [{"f0": index}]}).encode(),
                                         headers={"Content-Type": "application/json", "X-Api-Key": key})
        urllib.request.urlopen(request).read()
    exported = [json.loads(line) for line in cli.run("apis", "captures", "versioned").stdout.splitlines()]
    assert len(exported) == 1001 and all(c["status"] == 200 and c["key_id"] == api["api_key"]["key_id"] for c in exported)
    assert [json.loads(c["request"])["records"][0]["f0"] for c in exported] == list(range(1001))
    assert key.split(".")[1] not in cli.run("apis", "captures", "versioned").stdout
    as_csv = cli.run("apis", "captures", "versioned", "--format", "csv").stdout
    # (Read as text, the CSV's CRLF line ends are newlines.)
    assert as_csv.startswith("id,time,endpoint,version,key_id,status,media_type,request,answer\n")
    assert as_csv.count("id,time,endpoint") == 1 and as_csv.count("\n") == 1002
    assert cli.json("apis", "versions", "rm", "versioned", "2") == {"deleted": "v2"}
    cli.run("models", "rm", second)


def test_a_replay_a_profile_and_drift(logged_in, tmp_path):
    """Real data with a known shift (Tests/Fixtures/drift_breast_cancer): mean_texture raised by one
    standard deviation drifts against the training rows' profile, and no other input does."""
    cli = logged_in
    folder = os.path.join(FIXTURES, "drift_breast_cancer")
    model = push(cli, "cancer", fixture="drift_breast_cancer")["model_id"]
    push(cli, "cancer-again", fixture="drift_breast_cancer")
    api = trial_api(cli, model, "--name", "drifting", "--type", "official")
    cli.run("apis", "capture", "drifting", "--rate", "100")
    cli.run("predict", "drifting", os.path.join(folder, "shifted.csv"), "--key", api["api_key"]["secret"])

    assert "no reference" in cli.run("apis", "drift", "drifting", code=1).stderr
    uploaded = cli.run("models", "profile", "cancer", os.path.join(folder, "reference.csv")).stdout.splitlines()
    assert uploaded[0] == f"Profile of {model}: 341 rows.", uploaded
    assert uploaded[1].split() == ["INPUT", "TYPE", "VALUES", "MISSING", "BINS", "OR", "CATEGORIES"]
    assert uploaded[2].split() == ["mean_radius", "number", "341", "0.00%", "10", "bins"], uploaded
    report = cli.json("apis", "drift", "drifting")
    assert report["drifted"] == ["mean_texture"] and report["rows"] == 228 and report["reference"] == "profile", report
    shown = cli.run("apis", "drift", "drifting").stdout.splitlines()
    assert "drifted    mean_texture" in shown, shown
    texture = next(line for line in shown if line.startswith("mean_texture"))
    assert texture.split()[1] == "1.3088" and texture.split()[-1] == "DRIFTED", texture
    assert "threshold: a number above 0" in cli.run("apis", "drift", "drifting", "--threshold", "0", code=1).stderr

    # A replay against the same model added as v2: every captured row answered alike.
    cli.run("apis", "versions", "add", "drifting", "cancer-again")
    replay = cli.json("apis", "replay", "drifting", "v2")
    assert replay["state"] == "done" and replay["processed"] == replay["total"] > 0, replay
    assert replay["rows"] == 228 and replay["differing_rows"] == 0 and replay["label_agreement"] == 1.0, replay
    shown = cli.run("apis", "replays", "drifting", replay["id"]).stdout.splitlines()
    assert "differing rows  0" in shown and "labels agree    100.00%" in shown, shown
    listed = cli.run("apis", "replays", "drifting").stdout.splitlines()
    assert listed[1].split()[:2] == [replay["id"], "v2"], listed
    assert "version: no such version" in cli.run("apis", "replay", "drifting", "9", code=1).stderr

    assert cli.run("models", "profile", "cancer", "--delete").stdout.strip() == f"Forgot the profile of {model}."
    assert "not_found" in cli.run("models", "profile", "cancer", code=1).stderr
