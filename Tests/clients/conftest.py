"""A real `sibyl serve` on a free loopback port, with a fresh data folder, for client tests.

SIBYL_BINARY names the executable (default: .build/debug/sibyl, which `swift test` builds);
SIBYL_TEST_ENGINE, when set, is the container engine the node runs deployments on.
"""
import json
import os
import sys
import tempfile
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from sibyl_process import SibylProcess  # noqa: E402  (the shared way to run a node)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
TOKEN = "client-tests-admin-token"


class Sibyl:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "apikey " + TOKEN)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")

    def api(self, fixture, kind="official"):
        """Uploads a fixture model and creates an operating API open to loopback: (api_id, key)."""
        with open(os.path.join(FIXTURES, fixture, "model.json"), "rb") as f:
            model = self.call("POST", f"/api/v1/projects/1/models?name={fixture}", raw=f.read())
        created = self.call("POST", "/api/v1/projects/1/apis",
                            {"model_id": model["model_id"], "type": kind, "ip_whitelist": ["127.0.0.1/32"]})
        for _ in range(200):
            if self.call("GET", f"/api/v1/projects/1/apis/{created['api_id']}")["status"] == "operating":
                break
            time.sleep(0.02)
        return created["api_id"], created["api_key"]["secret"]


@pytest.fixture(scope="session")
def sibyl():
    with tempfile.TemporaryDirectory() as data:
        arguments = ["--api-options", "100"]
        if os.environ.get("SIBYL_TEST_ENGINE"):
            arguments += ["--container-engine", os.environ["SIBYL_TEST_ENGINE"]]
        with SibylProcess(data, arguments, {"SIBYL_ADMIN_TOKEN": TOKEN}) as node:
            sibyl = Sibyl(node.base)
            sibyl.token = TOKEN
            yield sibyl
