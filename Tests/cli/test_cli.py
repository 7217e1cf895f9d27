"""The `sibyl` command line, driven as a user drives it: the real executable against a real node on a free
port, a config folder of its own, and the answers read from what it prints and its exit code.

SIBYL_BINARY names the executable (default: .build/debug/sibyl).
"""
import csv
import json
import os
import stat
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BINARY, ENGINE, ENGINE_REQUIRED, FIXTURES, PASSWORD, TOKEN, CLI, SibylProcess


def test_login_keeps_a_private_token_and_whoami_reads_it(cli):
    cli.run("whoami", code=1)
    bad = cli.run("login", "--url", cli.url, "--user", "admin", stdin="wrong\n", code=1)
    assert "invalid_credentials" in bad.stderr or "401" in bad.stderr, bad.stderr
    out = cli.run("login", "--url", cli.url, "--user", "admin", stdin=PASSWORD + "\n").stdout
    assert "Logged in" in out and "admin" in out
    config = os.path.join(cli.home, "config", "sibyl", "config.json")
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(config)).st_mode) == 0o700
    assert PASSWORD not in open(config).read()
    me = cli.json("whoami")
    assert me["name"] == "admin" and me["role"] == "admin"
    # The environment overrides what is stored.
    cli.run("whoami", env={"SIBYL_TOKEN": "not-a-token"}, code=1)
    assert "admin" in cli.run("whoami", env={"SIBYL_URL": cli.url, "SIBYL_TOKEN": TOKEN}).stdout


def test_usage_errors_exit_2_and_server_errors_exit_1_with_the_code(cli):
    assert cli.run("apis", "create", code=2).stderr.startswith("Error: Missing expected argument")
    assert cli.run("login", "--url", cli.url, code=2).returncode == 2
    # An id no model has goes to the server, which refuses it; a name no model has is refused at once.
    refused = cli.run("apis", "create", "mdl_" + "a" * 16, code=1)
    assert "invalid_input" in refused.stderr and "422" in refused.stderr
    unknown = cli.run("apis", "create", "mdl_nonexistent", code=1)
    assert unknown.stderr == 'error: not_found: no model has the id or name "mdl_nonexistent"\n', unknown.stderr
    assert "not_found" in cli.run("apis", "show", "api_nonexistent", code=1).stderr


def assert_raw_rows_predict_as_the_library(cli, model, fixture, rows=None):
    """An official API of `model` answers the fixture's raw rows (X_test_nan.csv, or `rows`) with the
    library's own probabilities (pred_nan.csv), within 1e-6."""
    created = cli.run("apis", "create", model["model_id"], "--type", "official", "--allow", "127.0.0.1/32")
    fields = dict(line.split(None, 1) for line in created.stdout.splitlines())
    rows = rows or os.path.join(FIXTURES, fixture, "X_test_nan.csv")
    answer = json.loads(cli.run("predict", fields["api"], rows, "--key", fields["key"], "--format", "json").stdout)
    expected = [float(line) for line in open(os.path.join(FIXTURES, fixture, "pred_nan.csv")).read().split()[1:]]
    got = [p["probabilities"]["1"] for p in answer["predictions"]]
    assert len(got) == len(expected) and all(abs(a - b) <= 1e-6 for a, b in zip(got, expected))


def test_a_model_shows_its_categories_and_predicts_raw_rows(cli):
    """A LightGBM model trained on a pandas frame: `models show` names each category's values, and its raw
    rows (text categories, names with spaces, unseen categories) predict as lightgbm does."""
    model = cli.json("models", "push", os.path.join(FIXTURES, "lgbm_frame", "model.txt"), "--name", "frame")
    shown = cli.run("models", "show", model["model_id"]).stdout
    assert "6: credit_score, city (category: Braga | Faro | Lisbon | Porto | Vila Real | Évora)" in shown, shown
    assert_raw_rows_predict_as_the_library(cli, model, "lgbm_frame")


def test_a_catboost_model_takes_any_text_and_predicts_like_catboost(cli):
    """A CatBoost model: `models show` says its categories take any text, and its raw rows (text categories
    one-hot and as CTRs, blanks, unseen categories) predict as catboost does."""
    model = cli.json("models", "push", os.path.join(FIXTURES, "cb_binary", "model.json"), "--name", "catboost")
    assert model["format"] == "catboost-json"
    shown = cli.run("models", "show", model["model_id"]).stdout
    assert "7: credit score, city (category, any text), income, plan (category, any text)" in shown, shown
    assert_raw_rows_predict_as_the_library(cli, model, "cb_binary")


def test_an_onnx_model_predicts_like_onnxruntime(cli):
    """An ONNX random forest (skl2onnx): `models push` tells its format from the file, `--format onnx` names
    it, and rows with missing cells predict as onnxruntime does."""
    path = os.path.join(FIXTURES, "onnx_rf_binary", "model.onnx")
    model = cli.json("models", "push", path, "--name", "forest")
    assert model["format"] == "onnx" and model["task"] == "binary" and len(model["features"]) == 30
    assert cli.json("models", "push", path, "--name", "named", "--format", "onnx")["format"] == "onnx"
    assert_raw_rows_predict_as_the_library(cli, model, "onnx_rf_binary", os.path.join(FIXTURES, "data", "X_test_nan.csv"))


def test_a_model_becomes_an_api_that_predicts_like_xgboost(cli):
    model = cli.json("models", "push", os.path.join(FIXTURES, "xgb_binary", "model.json"), "--name", "binary")
    assert model["task"] == "binary" and len(model["features"]) == 30
    listed = cli.run("models", "list").stdout
    assert model["model_id"] in listed and "binary" in listed
    assert "30: f0, f1" in cli.run("models", "show", model["model_id"]).stdout

    created = cli.run("apis", "create", model["model_id"], "--type", "official", "--allow", "127.0.0.1/32")
    fields = dict(line.split(None, 1) for line in created.stdout.splitlines())
    assert fields["status"] == "operating" and fields["url"].startswith(cli.url + "/apis/")
    api, key = fields["api"], fields["key"]
    assert "shown this once" in created.stderr

    # Every test row, as CSV, against xgboost's own probabilities.
    rows = os.path.join(FIXTURES, "data", "X_test.csv")
    expected = [float(line) for line in open(os.path.join(FIXTURES, "xgb_binary", "pred.csv")).read().split()[1:]]
    answer = json.loads(cli.run("predict", api, rows, "--key", key, "--format", "json").stdout)
    got = [p["probabilities"]["1"] for p in answer["predictions"]]
    assert len(got) == len(expected)
    assert all(abs(a - b) <= 1e-6 for a, b in zip(got, expected))
    table = cli.run("predict", api, rows, env={"SIBYL_API_KEY": key}).stdout.splitlines()
    assert table[0].split() == ["ROW", "LABEL", "P(0)", "P(1)"] and len(table) == len(expected) + 1
    as_csv = list(csv.reader(cli.run("predict", api, rows, "--key", key, "--format", "csv").stdout.splitlines()))
    assert as_csv[0] == ["label", "p_0", "p_1"] and abs(float(as_csv[1][2]) - expected[0]) <= 1e-6
    # JSON rows from standard input.
    first = [float(v) for v in list(csv.reader(open(rows)))[1]]
    piped = json.loads(cli.run("predict", api, "-", "--key", key, "--json", stdin=json.dumps({"rows": [first]})).stdout)
    assert abs(piped["predictions"][0]["probabilities"]["1"] - expected[0]) <= 1e-6
    assert "invalid_api_key" in cli.run("predict", api, rows, "--key", "key_x.y", code=1).stderr

    # The secret appears nowhere but at its creation.
    for args in [("apis", "show", api), ("apis", "list"), ("apis", "keys", "list", api)]:
        assert key.split(".")[1] not in cli.run(*args).stdout

    # Keys: a second one works, and is refused once revoked.
    issued = cli.json("apis", "keys", "create", api)
    assert issued["key_id"] in cli.run("apis", "keys", "list", api).stdout
    cli.run("predict", api, rows, "--key", issued["secret"])
    cli.run("apis", "keys", "revoke", api, issued["key_id"])
    assert "invalid_api_key" in cli.run("predict", api, rows, "--key", issued["secret"], code=1).stderr

    # Whitelist: without loopback the API refuses this address.
    assert "10.0.0.0/8" in cli.run("apis", "allow", api, "10.0.0.0/8").stdout
    assert cli.run("apis", "disallow", api, "127.0.0.1/32").stdout.strip() == "allow 10.0.0.0/8 priority 2"
    assert "ip_not_allowed" in cli.run("predict", api, rows, "--key", key, code=1).stderr
    cli.run("apis", "allow", api, "127.0.0.1/32")
    # A deny rule checked before the allow rules shuts loopback out again; removing it lets it back in.
    denied = cli.run("apis", "deny", api, "127.0.0.0/8", "--priority", "0").stdout.splitlines()
    assert denied == ["deny 127.0.0.0/8 priority 0", "allow 10.0.0.0/8 priority 2", "allow 127.0.0.1/32 priority 3"], denied
    assert "ip_not_allowed" in cli.run("predict", api, rows, "--key", key, code=1).stderr
    cli.run("apis", "disallow", api, "127.0.0.0/8")

    # Lifecycle: a locked API may not be stopped; unlocked, stopped, it refuses predictions; started, it serves.
    assert "yes" in cli.run("apis", "lock", api).stdout
    assert "conflict" in cli.run("apis", "stop", api, code=1).stderr
    cli.run("apis", "unlock", api)
    assert cli.json("apis", "stop", api)["status"] == "stopped"
    assert "api_unavailable" in cli.run("predict", api, rows, "--key", key, code=1).stderr
    assert cli.json("apis", "start", api)["status"] in ("building", "operating")
    for _ in range(100):
        if cli.json("apis", "show", api)["status"] == "operating":
            break
        time.sleep(0.05)
    cli.run("predict", api, rows, "--key", key)

    # Another model: the API is rebuilt on it and answers with it.
    multiclass = cli.json("models", "push", os.path.join(FIXTURES, "xgb_multiclass", "model.json"))
    updated = cli.json("apis", "update", api, "--model", multiclass["model_id"])
    assert updated["status"] == "operating" and updated["model_id"] == multiclass["model_id"]
    swapped = json.loads(cli.run("predict", api, rows, "--key", key, "--json").stdout)
    assert set(swapped["predictions"][0]["probabilities"]) == {"0", "1", "2"}

    # Usage: today's bar counts what was answered (200s and refusals alike).
    time.sleep(1.2)
    usage = cli.json("apis", "usage", api)
    today = usage["days"][-1]
    assert today["status_200"] == 7 and today["status_4xx_5xx"] == 5, today
    chart = cli.run("apis", "usage", api).stdout.splitlines()
    assert chart[-2].startswith(today["date"]) and "#" in chart[-2] and "x" in chart[-2]
    assert chart[-1].startswith("total: 7 answered 200, 5 answered 4xx/5xx")

    cli.run("apis", "stop", api)
    assert cli.json("apis", "rm", api) == {"deleted": api}
    assert "not_found" in cli.run("apis", "show", api, code=1).stderr
    cli.run("models", "rm", model["model_id"])


def test_users_and_the_license(cli):
    created = cli.json("users", "create", "carol", "--role", "member", stdin="carol-password-1\n")
    assert created["name"] == "carol" and created["role"] == "member"
    assert "carol" in cli.run("users", "list").stdout
    assert "conflict" in cli.run("users", "create", "carol", stdin="another-password\n", code=1).stderr
    cli.run("users", "password", str(created["user_id"]), stdin="carol-password-2\n")
    # carol signs in with the new password, in a config folder of her own.
    carol = CLI(os.path.join(cli.home, "carol"), cli.url)
    carol.run("login", "--url", cli.url, "--user", "carol", stdin="carol-password-2\n")
    assert carol.json("whoami")["role"] == "member"
    assert "forbidden" in carol.run("users", "list", code=1).stderr
    cli.run("users", "rm", str(created["user_id"]))
    assert "carol" not in cli.run("users", "list").stdout

    project = cli.json("projects", "create", "team-b")
    assert project["name"] == "team-b" and "team-b" in cli.run("projects", "list").stdout
    members = cli.json("projects", "members", str(project["project_id"]), "1")
    assert members["members"] == [1]
    # Objects of another project answer 404 through the CLI as through the API.
    assert cli.json("models", "list", "--project", str(project["project_id"]))["count"] == 0

    assert cli.json("license", "show")["edition"] == "licensed"
    assert cli.json("license", "set", "--api-options", "7")["api_options"] == 7
    assert cli.run("license", "set", code=2).returncode == 2


@pytest.mark.skipif(not ENGINE and not ENGINE_REQUIRED, reason="SIBYL_TEST_ENGINE is not set")
def test_a_deployment_from_flags_and_a_yaml_file(cli):
    assert ENGINE, "SIBYL_REQUIRE_ENGINE=1 but SIBYL_TEST_ENGINE is not set"
    key = cli.json("keys", "create", "cli-key", "--description", "for the CLI test")
    secret = key["secret"]
    assert "cli-key" in cli.run("keys", "list").stdout and secret not in cli.run("keys", "list").stdout
    created = cli.run("deployments", "create", "cli-echo", "--image", "localhost/sibyl-test-echo:latest", "--port", "8080",
                      "--flavor", "inference-0.5vcpu-512mib", "--env", "REPLICA=cli", "--key", "cli-key").stdout
    assert "cli-echo" in created and "/inference/1/cli-echo" in created
    for _ in range(300):
        shown = cli.json("deployments", "show", "cli-echo")
        if shown["status"] == "ACTIVE":
            break
        time.sleep(0.1)
    assert shown["status"] == "ACTIVE", shown
    def call(path):
        request = urllib.request.Request(cli.url + "/inference/1/cli-echo" + path, headers={"X-Api-Key": secret})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    status, answer = call("/hello")
    assert status == 200 and answer["replica"] == "cli"
    assert "cli-echo" in cli.run("deployments", "list").stdout
    assert cli.json("keys", "show", "cli-key")["deployment_names"] == ["cli-echo"]

    # Sibyl's additions: a whitelist that leaves loopback out refuses it; the lock holds off a stop.
    assert cli.json("deployments", "allow", "cli-echo", "10.0.0.0/8")["ip_whitelist"] == ["10.0.0.0/8"]
    assert call("/")[0] == 403
    cli.run("deployments", "allow", "cli-echo", "127.0.0.0/8")
    assert call("/")[0] == 200
    rules = cli.json("deployments", "deny", "cli-echo", "127.0.0.1/32", "--priority", "0")["ip_rules"]
    assert rules[0] == {"cidr": "127.0.0.1/32", "action": "deny", "priority": 0}, rules
    assert call("/")[0] == 403
    assert cli.json("deployments", "open", "cli-echo")["ip_whitelist"] is None
    assert call("/")[0] == 200
    assert cli.json("deployments", "lock", "cli-echo")["locked"] is True
    assert "conflict" in cli.run("deployments", "stop", "cli-echo", code=1).stderr
    cli.run("deployments", "unlock", "cli-echo")
    time.sleep(1.2)
    assert cli.json("deployments", "usage", "cli-echo")["days"][-1]["status_200"] >= 2

    spec = os.path.join(cli.home, "deployment.yaml")
    with open(spec, "w") as f:
        f.write("containers:\n  - region_id: 1\n    scale: {min: 2, max: 2}\nenvs:\n  REPLICA: yaml\n")
    cli.run("deployments", "update", "cli-echo", "-f", spec)
    for _ in range(300):
        shown = cli.json("deployments", "show", "cli-echo")
        if shown["status"] == "ACTIVE" and shown["containers"][0]["deploy_status"]["ready"] == 2:
            break
        time.sleep(0.1)
    assert shown["containers"][0]["deploy_status"] == {"ready": 2, "total": 2}, shown
    assert call("/")[1]["replica"] == "yaml"
    assert cli.run("deployments", "logs", "cli-echo").stdout.strip(), "the replicas wrote lines"
    # --follow prints what is there and keeps going until stopped.
    follow = subprocess.Popen([BINARY, "deployments", "logs", "cli-echo", "--follow"], env=cli.env,
                              stdout=subprocess.PIPE, text=True)
    assert follow.stdout.readline().strip()
    follow.terminate()
    follow.wait(timeout=10)

    cli.run("deployments", "stop", "cli-echo")
    for _ in range(300):
        if cli.json("deployments", "show", "cli-echo")["status"] == "DISABLED":
            break
        time.sleep(0.1)
    cli.run("deployments", "start", "cli-echo")
    cli.run("deployments", "rm", "cli-echo")
    assert "not_found" in cli.run("deployments", "show", "cli-echo", code=1).stderr
    assert cli.json("keys", "rm", "cli-key") == {"deleted": "cli-key"}
    bad = cli.run("deployments", "create", "bad-one", "--image", "x", "--flavor", "no-such-flavor", code=1)
    assert "flavor" in bad.stderr


def test_registry_logins_secrets_and_flavors(cli):
    out = cli.run("registries", "set", "hub", "--url", "registry.example.com", "--username", "bot", stdin="hub-pass-word\n").stdout
    assert out.startswith("Created")
    assert cli.run("registries", "set", "hub", "--url", "registry.example.com", "--username", "bot2",
                   stdin="hub-pass-word-2\n").stdout.startswith("Replaced")
    shown = cli.json("registries", "show", "hub")
    assert shown["username"] == "bot2" and "password" not in shown
    listed = cli.run("registries", "list").stdout
    assert "registry.example.com" in listed and "hub-pass-word" not in listed
    assert "no password" in cli.run("registries", "set", "x", "--url", "r", "--username", "u", stdin="", code=1).stderr
    cli.run("registries", "rm", "hub")
    assert "not_found" in cli.run("registries", "show", "hub", code=1).stderr

    cli.run("secrets", "set", "aws", "--access-key-id", "AKIACLITEST12345", stdin="very-secret-access-key\n")
    listed = cli.run("secrets", "list").stdout + cli.run("secrets", "list", "--json").stdout
    assert "aws" in listed and "very-secret-access-key" not in listed and "AKIACLITEST12345" not in listed
    assert cli.json("secrets", "rm", "aws") == {"deleted": "aws"}

    flavors = cli.run("flavors").stdout
    assert "inference-0.5vcpu-512mib" in flavors and "REGION" in flavors


def test_account_secrets_issue_developer_keys_until_revoked(cli):
    secret = cli.json("account-secrets", "create")
    listed = cli.run("account-secrets", "list").stdout
    assert secret["secret_id"] in listed and "admin" in listed and secret["secret"] not in listed

    def api_key():
        request = urllib.request.Request(
            cli.url + "/v1/external/api-key?credential_type=deploy", headers={"x-api-key": secret["secret"]})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, answer = api_key()
    assert status == 200 and answer["api_key"] and answer["end_date"], answer
    cli.run("account-secrets", "revoke", secret["secret_id"])
    assert api_key() == (400, {"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST", "message": "Not_found_credential."})
    assert "not_found" in cli.run("account-secrets", "revoke", secret["secret_id"], code=1).stderr


def test_tokens_are_listed_created_and_revoked(cli):
    admin = CLI(os.path.join(cli.home, "tokens-admin"), cli.url)
    admin.run("login", "--url", cli.url, "--token", TOKEN)
    created = admin.json("tokens", "create", "--description", "ci runner")
    assert created["token"].startswith("sibyl_") and created["description"] == "ci runner"
    assert created["expires_at"].endswith("Z")
    listed = admin.json("tokens", "list")["results"]
    assert created["token_id"] in [token["token_id"] for token in listed]
    assert created["token"] not in json.dumps(listed) and all("token" not in token for token in listed)
    table = admin.run("tokens", "list").stdout
    assert "ci runner" in table and " *" in table  # the token in use is marked
    # The new token signs in elsewhere until it is revoked.
    elsewhere = CLI(os.path.join(cli.home, "tokens-elsewhere"), cli.url)
    elsewhere.run("login", "--url", cli.url, "--token", created["token"])
    assert elsewhere.json("whoami")["name"] == "admin"
    assert admin.run("tokens", "revoke", created["token_id"]).stdout.strip() == f"Revoked token {created['token_id']}."
    assert "unauthenticated: the access token is not valid (HTTP 401)" in elsewhere.run("whoami", code=1).stderr
    assert "not_found: no such token (HTTP 404)" in admin.run("tokens", "revoke", created["token_id"], code=1).stderr
    # An admin's view of a user's tokens: here their own, user 1.
    assert admin.json("tokens", "list", "--user", "1")["count"] == len(listed) - 1


def test_a_trial_api_counts_down_and_logout_forgets(cli):
    model = cli.json("models", "push", os.path.join(FIXTURES, "xgb_binary", "model.json"))
    api = cli.json("apis", "create", model["model_id"], "--allow", "127.0.0.1/32")
    assert api["type"] == "trial" and api["status"] == "operating" and api["api_key"]["secret"]
    rows = os.path.join(FIXTURES, "data", "X_test.csv")
    cli.run("predict", api["api_id"], rows, "--key", api["api_key"]["secret"])
    shown = cli.run("apis", "show", api["api_id"]).stdout
    assert "1 of 100 used" in shown
    cli.run("logout")
    cli.run("whoami", code=1)
    assert not os.path.exists(os.path.join(cli.home, "config", "sibyl", "config.json"))


def test_completion_scripts_for_every_shell(cli):
    for shell in ["bash", "zsh", "fish"]:
        script = cli.run("--generate-completion-script", shell).stdout
        assert "apis" in script and "predict" in script, shell


def read_rows(name):
    table = list(csv.reader(open(os.path.join(FIXTURES, "data", name))))
    return table[0], table[1:]


def test_predict_sends_more_rows_than_a_request_holds_in_batches(cli, tmp_path):
    """2,500 distinct rows (the test rows, the same with missing values, then half of them reversed) from a
    CSV file, a JSON file and standard input: every answer is the single-request answer of a node that takes
    5,000 rows per request, in order, and xgboost's own."""
    cli.run("login", "--url", cli.url, "--token", TOKEN)
    model = cli.json("models", "push", os.path.join(FIXTURES, "xgb_binary", "model.json"), "--name", "batched")
    api = cli.json("apis", "create", model["model_id"], "--type", "trial", "--allow", "127.0.0.1/32")
    api_id, key = api["api_id"], api["api_key"]["secret"]
    header, rows = read_rows("X_test.csv")
    _, nan_rows = read_rows("X_test_nan.csv")
    many = rows + nan_rows + rows[:500][::-1]
    pred = [float(v) for v in open(os.path.join(FIXTURES, "xgb_binary", "pred.csv")).read().split()[1:]]
    pred_nan = [float(v) for v in open(os.path.join(FIXTURES, "xgb_binary", "pred_nan.csv")).read().split()[1:]]
    expected = pred + pred_nan + pred[:500][::-1]
    csv_text = "\n".join(",".join(row) for row in [header] + many) + "\n"
    csv_path = tmp_path / "many.csv"
    csv_path.write_text(csv_text)
    json_path = tmp_path / "many.json"
    json_path.write_text(json.dumps({"rows": [[float(v) if v else None for v in row] for row in many]}))
    records = json.dumps({"records": [{name: float(v) for name, v in zip(header, row) if v} for row in many]})

    # One request of all 2,500 rows, to a node that takes them.
    admin = {"Authorization": "apikey " + TOKEN}
    with SibylProcess(str(tmp_path / "single"), ["--max-rows", "5000"], {"SIBYL_ADMIN_TOKEN": TOKEN}) as single:
        def call(path, body, headers):
            request = urllib.request.Request(single.base + path, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request) as answer:
                return json.loads(answer.read())
        uploaded = call("/api/v1/projects/1/models?name=single", open(os.path.join(FIXTURES, "xgb_binary", "model.json"), "rb").read(), admin)
        created = call("/api/v1/projects/1/apis", json.dumps({"model_id": uploaded["model_id"], "type": "trial",
                                                               "ip_whitelist": ["127.0.0.1/32"]}).encode(),
                       dict(admin, **{"Content-Type": "application/json"}))
        for _ in range(100):
            with urllib.request.urlopen(urllib.request.Request(
                    single.base + "/api/v1/projects/1/apis/" + created["api_id"], headers=admin)) as answer:
                if json.loads(answer.read())["status"] == "operating":
                    break
            time.sleep(0.05)
        whole = call("/apis/" + created["api_id"] + "/predict", csv_text.encode(),
                     {"X-Api-Key": created["api_key"]["secret"], "Content-Type": "text/csv"})["predictions"]
    assert len(whole) == 2500
    assert all(abs(p["probabilities"]["1"] - e) <= 1e-6 for p, e in zip(whole, expected))

    def same(label, probability, prediction):
        return label == prediction["label"] and abs(probability - prediction["probabilities"]["1"]) <= 1e-9

    from_csv = json.loads(cli.run("predict", api_id, str(csv_path), "--key", key, "--format", "json").stdout)
    assert list(from_csv) == ["predictions"] and len(from_csv["predictions"]) == 2500
    assert all(same(p["label"], p["probabilities"]["1"], w) for p, w in zip(from_csv["predictions"], whole))
    from_json = list(csv.reader(cli.run("predict", api_id, str(json_path), "--key", key, "--format", "csv").stdout.splitlines()))
    assert from_json[0] == ["label", "p_0", "p_1"] and len(from_json) == 2501
    assert all(same(row[0], float(row[2]), w) for row, w in zip(from_json[1:], whole))
    table = cli.run("predict", api_id, "-", "--key", key, stdin=records).stdout.splitlines()
    assert len(table) == 2501 and table[0].split() == ["ROW", "LABEL", "P(0)", "P(1)"]
    assert [line.split()[0] for line in table[1:]] == [str(n) for n in range(1, 2501)]
    assert all(same(line.split()[1], float(line.split()[3]), w) for line, w in zip(table[1:], whole))


@pytest.mark.parametrize("output", ["table", "csv"])
def test_predict_into_a_closed_pipe_ends_quietly(cli, tmp_path, output):
    """`sibyl predict … | head -2` with 10,000 rows: two lines, exit 0, nothing on standard error (it used to
    trap with "Fatal error: 'try!' … Broken pipe", exit 132)."""
    cli.run("login", "--url", cli.url, "--token", TOKEN)
    model = cli.json("models", "push", os.path.join(FIXTURES, "xgb_binary", "model.json"), "--name", "piped")
    api = cli.json("apis", "create", model["model_id"], "--type", "trial", "--allow", "127.0.0.1/32")
    header, rows = read_rows("X_test.csv")
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(",".join(row) for row in [header] + rows * 10) + "\n")
    script = f'"$0" predict {api["api_id"]} "$1" --format {output} | head -2; echo "exit=${{PIPESTATUS[0]}}" >&2'
    result = subprocess.run(["bash", "-c", script, BINARY, str(path)], capture_output=True, text=True,
                            env=dict(cli.env, SIBYL_API_KEY=api["api_key"]["secret"], SIBYL_URL=cli.url), timeout=120)
    assert len(result.stdout.splitlines()) == 2, result.stdout
    assert result.stderr == "exit=0\n", result.stderr
