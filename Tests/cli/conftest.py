"""What the CLI suites share: the `sibyl` executable driven as a user drives it, against a real node on a
free port, with a config folder of its own; one node per test module.

SIBYL_BINARY names the executable (default: .build/debug/sibyl).
"""
import json
import os
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from sibyl_process import BINARY, SibylProcess  # noqa: E402  (the shared way to run a node)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
PASSWORD = "cli-tests-password"
# The container engine the deployment test runs on (CI starts one; see scripts/container-engine.sh).
ENGINE = os.environ.get("SIBYL_TEST_ENGINE")
ENGINE_REQUIRED = os.environ.get("SIBYL_REQUIRE_ENGINE") == "1"
TOKEN = "cli-tests-admin-token-0123456789"


class CLI:
    def __init__(self, home, url):
        self.env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(home, "config"))
        for name in ["SIBYL_URL", "SIBYL_TOKEN", "SIBYL_API_KEY"]:
            self.env.pop(name, None)
        self.url = url
        self.home = home

    def run(self, *args, stdin=None, env=None, code=0):
        """Runs the command; its exit status must be `code` unless that is None."""
        result = subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True,
                                env=dict(self.env, **(env or {})), timeout=120)
        assert code is None or result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
        return result

    def json(self, *args, stdin=None):
        return json.loads(self.run(*args, "--json", stdin=stdin).stdout)


@pytest.fixture(scope="module")
def cli():
    with tempfile.TemporaryDirectory() as home:
        arguments = ["--edition", "licensed", "--api-options", "5"]
        if ENGINE:
            arguments += ["--container-engine", ENGINE]
        env = {"SIBYL_ADMIN_TOKEN": TOKEN, "SIBYL_ADMIN_PASSWORD": PASSWORD}
        with SibylProcess(os.path.join(home, "data"), arguments, env) as node:
            yield CLI(home, node.base)


@pytest.fixture
def logged_in(cli):
    """The module's CLI, signed in as the admin."""
    cli.run("login", "--url", cli.url, "--token", TOKEN)
    return cli


def push(cli, name, fixture="xgb_binary"):
    return cli.json("models", "push", os.path.join(FIXTURES, fixture, "model.json"), "--name", name)


def trial_api(cli, model_id, *args):
    return cli.json("apis", "create", model_id, "--allow", "127.0.0.1/32", *args)


def rows_of(name):
    import csv
    table = list(csv.reader(open(os.path.join(FIXTURES, "data", name))))
    return table[0], table[1:]


def predictions_of(name):
    """xgb_binary's own probabilities of class 1 for a data file's rows (Tests/Fixtures/xgb_binary)."""
    return [float(v) for v in open(os.path.join(FIXTURES, "xgb_binary", name)).read().split()[1:]]
