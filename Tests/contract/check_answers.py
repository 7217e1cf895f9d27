"""Every operation of openapi.yaml answered for real and its answer checked against the document.

Schemathesis (scripts/schemathesis.sh) fuzzes every operation, but random ids mostly meet 404s; this walks
the API as a user does (a model, an API and its keys, predictions on the three data planes, users, tokens,
Prediction One's developer API, and with a container engine the deployment API), checks each answer
(success or refusal) against its schema, and fails unless every operation with a JSON answer in the document
answered with success at least once.

    python check_answers.py BINARY      (SIBYL_TEST_ENGINE: the container engine for the deployment routes)
"""
import atexit
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema_rs
import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOC = yaml.safe_load(open(os.path.join(ROOT, "openapi.yaml")))
ENGINE = os.environ.get("SIBYL_TEST_ENGINE")
TOKEN = "check-answers-admin-token-0123456789"
# Each template as a pattern; the most specific one (fewest parameters) names a concrete path.
TEMPLATES = sorted(
    ((re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$"), t) for t in DOC["paths"]), key=lambda p: p[1].count("{"))

checked = []  # (method, template, status)
failures = []


def start_node():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    folder = tempfile.mkdtemp()
    env = dict(os.environ, SIBYL_BCRYPT_COST="4", SIBYL_ADMIN_TOKEN=TOKEN, SIBYL_ADMIN_PASSWORD="check-answers-password")
    command = [sys.argv[1], "serve", "--port", str(port), "--data", folder + "/data"]
    node = subprocess.Popen(command + (["--container-engine", ENGINE] if ENGINE else []), env=env,
                            stdout=open(folder + "/log", "w"), stderr=subprocess.STDOUT)
    atexit.register(node.terminate)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/readyz")
            return base
        except Exception:
            time.sleep(0.1)
    sys.exit("the node did not become ready")


def call(method, path, body=None, raw=None, headers=None, expect=None):
    """Sends the request, checks the answer against the operation's schema, and returns the answer."""
    all_headers = {"Authorization": "apikey " + TOKEN, **(headers or {})}
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request) as answer:
            status, text, media = answer.status, answer.read(), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as refusal:
        status, text, media = refusal.code, refusal.read(), refusal.headers.get("Content-Type", "")
    template = next(t for pattern, t in TEMPLATES if pattern.match(path.split("?")[0]))
    responses = DOC["paths"][template][method.lower()]["responses"]
    response = responses.get(str(status)) or responses["default"]
    if "$ref" in response:
        response = DOC["components"]["responses"][response["$ref"].split("/")[-1]]
    parsed = json.loads(text) if text and "json" in media else None
    if "content" in response and parsed is not None:
        schema = {**response["content"]["application/json"]["schema"], "components": DOC["components"]}
        errors = [error.message for error in jsonschema_rs.validator_for(schema).iter_errors(parsed)]
        if errors:
            failures.append((method, path, status, errors[:3], text[:300]))
    if expect and status != expect:
        failures.append((method, path, status, f"expected {expect}", text[:300]))
    checked.append((method.lower(), template, status))
    return parsed


def apis_and_data_planes():
    fixture = open(os.path.join(ROOT, "Tests/Fixtures/xgb_small_binary/model.json"), "rb").read()
    model = call("POST", "/api/v1/projects/1/models?name=seed", raw=fixture, expect=201)["model_id"]
    call("GET", "/api/v1/projects/1/models", expect=200)
    call("GET", f"/api/v1/projects/1/models/{model}", expect=200)
    api = call("POST", "/api/v1/projects/1/apis", {"model_id": model, "ip_whitelist": ["127.0.0.0/8"], "name": "n"}, expect=202)
    path, key = f"/api/v1/projects/1/apis/{api['api_id']}", {"X-Api-Key": api["api_key"]["secret"]}
    for _ in range(100):
        if call("GET", path, expect=200)["status"] == "operating":
            break
        time.sleep(0.1)
    call("GET", "/api/v1/projects/1/apis", expect=200)
    call("PATCH", path, {"name": None}, expect=200)
    call("GET", path + "/ip_whitelist", expect=200)
    call("PUT", path + "/ip_whitelist", {"cidrs": ["127.0.0.0/8"]}, expect=200)
    call("POST", path + "/ip_whitelist", {"cidr": "10.0.0.0/8", "action": "deny"}, expect=200)
    call("DELETE", path + "/ip_whitelist?cidr=10.0.0.0/8", expect=200)
    call("POST", path + "/keys", {"name": "second"}, expect=201)
    call("GET", path + "/keys", expect=200)
    # Versions, traffic, a shadow and capture, set before the predictions so that they see them.
    second = call("POST", "/api/v1/projects/1/models?name=second", raw=fixture, expect=201)["model_id"]
    call("POST", path + "/versions", {"model_id": second}, expect=201)
    call("GET", path + "/versions", expect=200)
    call("PUT", path + "/traffic", {"split": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}], "sticky": True}, expect=200)
    call("GET", path + "/traffic", expect=200)
    call("DELETE", path + "/traffic", expect=200)
    call("PUT", path + "/shadow", {"version": 2}, expect=200)
    call("PUT", path + "/capture", {"rate": 100, "retention_days": 7}, expect=200)
    call("GET", path + "/capture", expect=200)
    record = {"records": [{"f0": 1}]}
    call("POST", f"/apis/{api['api_id']}/predict", record, headers=key, expect=200)
    call("GET", path + "/shadow", expect=200)
    call("DELETE", path + "/shadow", expect=200)
    call("GET", path + "/captures?format=csv", expect=200)
    replay = call("POST", path + "/replays", {"version": 2}, expect=202)
    for _ in range(100):
        if call("GET", f"{path}/replays/{replay['id']}", expect=200)["state"] != "running":
            break
        time.sleep(0.1)
    call("GET", path + "/replays", expect=200)
    call("DELETE", f"{path}/replays/{replay['id']}", expect=204)
    profile = f"/api/v1/projects/1/models/{model}/profile"
    call("PUT", profile, raw=b"f0,f1\n1,2\n3,\n", headers={"Content-Type": "text/csv"}, expect=200)
    call("GET", profile, expect=200)
    call("GET", path + "/drift?threshold=0.25", expect=200)
    call("DELETE", profile, expect=204)
    call("PATCH", path, {"version": 2}, expect=200)
    call("PATCH", path, {"version": 1}, expect=200)
    call("DELETE", path + "/versions/2", expect=204)
    call("POST", f"/apis/{api['api_id']}/predict?explain=true", record, headers=key, expect=200)
    call("GET", f"/v2/models/{api['api_id']}", headers=key, expect=200)
    call("GET", f"/v2/models/{api['api_id']}/ready", headers=key, expect=200)
    tensor = {"name": "input", "datatype": "FP32", "shape": [1, 30], "data": [0.5] * 30}
    call("POST", f"/v2/models/{api['api_id']}/infer", {"id": "x", "inputs": [tensor], "parameters": {"explain": True}},
         headers=key, expect=200)
    call("GET", path + "/usage", expect=200)
    for action in ["lock", "unlock", "stop", "start"]:
        call("POST", f"{path}/{action}", expect=200)


def accounts():
    for path in ["/api/v1/license", "/api/v1/me", "/api/v1/tokens", "/api/v1/users", "/api/v1/projects", "/api/v1/projects/1",
                 "/api/v1/users/1/tokens", "/healthz", "/readyz", "/openapi.json", "/v2", "/v2/health/live", "/v2/health/ready"]:
        call("GET", path, expect=200)
    call("PUT", "/api/v1/license", {"api_options": 3}, expect=200)
    user = call("POST", "/api/v1/users", {"name": "bob", "password": "bob-password-1", "role": "member"}, expect=201)
    call("PATCH", f"/api/v1/users/{user['user_id']}", {"role": "admin"}, expect=200)
    call("POST", "/api/v1/tokens", {"name": "bob", "password": "bob-password-1"}, expect=201)
    call("POST", "/api/v1/projects", {"name": "second"}, expect=201)
    call("PUT", "/api/v1/projects/1/members", {"user_ids": [1, user["user_id"]]}, expect=200)


def prediction_one():
    secret = call("POST", "/api/v1/projects/1/account_secrets", expect=201)["secret"]
    call("GET", "/api/v1/projects/1/account_secrets", expect=200)
    deploy = {"x-api-key": call("GET", "/v1/external/api-key?credential_type=deploy", headers={"x-api-key": secret}, expect=200)["api_key"]}
    call("GET", "/v1/external/models", headers=deploy, expect=200)
    rules = [{"source": "127.0.0.0/8"}]
    created = call("POST", "/v1/external/classifiers", {"model_id": 1, "type": "trial", "rules": rules}, headers=deploy, expect=200)
    classifier = f"/v1/external/classifiers/{created['classifier_id']}"
    call("GET", "/v1/external/classifiers", headers=deploy, expect=200)
    call("PATCH", classifier, {"active": True}, headers=deploy, expect=200)
    csv = base64.b64encode(b"f0,f1\n1,2\n").decode()
    inputs = [{"name": "pr", "type": "csv", "data": csv}] + [{"name": n, "type": "boolean", "data": n == "ar"} for n in ["ar", "ad", "nc"]]
    call("POST", f"/v1/groups/1/classifiers/{created['classifier_id']}/inference", {"inputs": inputs},
         headers={"x-api-key": created["api_key"]}, expect=200)
    call("PATCH", classifier, {"active": False}, headers=deploy, expect=200)
    call("DELETE", classifier, headers=deploy, expect=200)


def deployments():
    for path in ["/cloud/v3/inference/flavors", "/cloud/v3/inference/flavors/inference-1vcpu-1gib", "/cloud/v3/inference/capacity",
                 "/cloud/v1/regions", "/cloud/v1/regions/1"]:
        call("GET", path, expect=200)
    cloud = "/cloud/v3/inference/1"
    call("POST", cloud + "/api_keys", {"name": "dk1", "description": "d"}, expect=201)
    call("GET", cloud + "/api_keys", expect=200)
    call("GET", cloud + "/api_keys/dk1", expect=200)
    call("PATCH", cloud + "/api_keys/dk1", {"description": "e"}, expect=200)
    credentials = {"username": "u", "password": "p", "registry_url": "127.0.0.1:5099"}
    call("POST", cloud + "/registry_credentials", {"name": "rc1", **credentials}, expect=201)
    call("GET", cloud + "/registry_credentials", expect=200)
    call("GET", cloud + "/registry_credentials/rc1", expect=200)
    call("PUT", cloud + "/registry_credentials/rc1", credentials, expect=200)
    aws = {"type": "aws-iam", "data": {"aws_access_key_id": "AKIAXXXXXXXX", "aws_secret_access_key": "zzz"}}
    call("POST", cloud + "/secrets", {"name": "s1", **aws}, expect=201)
    call("GET", cloud + "/secrets", expect=200)
    call("GET", cloud + "/secrets/s1", expect=200)
    call("PUT", cloud + "/secrets/s1", aws, expect=200)
    spec = {"name": "chk-echo", "image": "localhost/sibyl-test-echo:latest", "listening_port": 8080,
            "flavor_name": "inference-0.5vcpu-512mib", "containers": [{"region_id": 1, "scale": {"min": 1, "max": 1}}],
            "api_keys": ["dk1"], "envs": {"A": "b"}, "command": ["/echo-server"],
            "probes": {"readiness_probe": {"enabled": True, "probe": {"http_get": {"port": 8080, "path": "/ready"}}}}}
    task = call("POST", cloud + "/deployments", spec, expect=201)["tasks"][0]
    deployment = cloud + "/deployments/chk-echo"
    for _ in range(100):
        if call("GET", deployment, expect=200)["status"] == "ACTIVE":
            break
        time.sleep(0.3)
    call("GET", cloud + "/deployments", expect=200)
    call("GET", "/cloud/v1/tasks", expect=200)
    call("GET", f"/cloud/v1/tasks/{task}", expect=200)
    call("GET", deployment + "/logs", expect=200)
    ours = "/api/v1/projects/1/deployments/chk-echo"
    call("GET", ours + "/usage", expect=200)
    call("GET", ours + "/ip_whitelist", expect=200)
    call("PUT", ours + "/ip_whitelist", {"cidrs": ["127.0.0.0/8"]}, expect=200)
    call("POST", ours + "/ip_whitelist", {"cidr": "10.0.0.0/8"}, expect=200)
    call("DELETE", ours + "/ip_whitelist", expect=200)
    for action in ["lock", "unlock"]:
        call("POST", f"{ours}/{action}", expect=200)
    call("PATCH", deployment, {"description": "x"}, expect=200)
    call("POST", deployment + "/stop", expect=204)
    call("DELETE", deployment, expect=200)


BASE = start_node()
apis_and_data_planes()
accounts()
prediction_one()
if ENGINE:
    deployments()

answered = {(method, template) for method, template, status in checked if status < 300}
wanted = {
    (method, template) for template, item in DOC["paths"].items() for method, operation in item.items()
    if method != "parameters"
    and any(s != "default" and int(s) < 300 and "application/json" in r.get("content", {}) for s, r in operation["responses"].items())
    and (ENGINE or not template.startswith("/cloud/") and "/deployments/" not in template)
}
print(f"{len(checked)} calls; {len(answered & wanted)} of {len(wanted)} operations with a JSON answer answered with success")
for failure in failures:
    print("FAIL", *failure)
for method, template in sorted(wanted - answered):
    print("NOT ANSWERED", method.upper(), template)
sys.exit(1 if failures or wanted - answered else 0)
