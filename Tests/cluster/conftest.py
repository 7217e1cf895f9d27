"""A Sibyl cluster on loopback: a fresh database on a real PostgreSQL server, three `sibyl serve` nodes
sharing it, and nginx balancing over them.

SIBYL_BINARY: the executable (default .build/debug/sibyl; see Tests/support/sibyl_process.py).
SIBYL_TEST_POSTGRES: a PostgreSQL URL whose user may create databases (required).
SIBYL_TEST_PG_CTL: a command that takes `stop`, `start` or `restart` for that server (e.g. `pg_ctlcluster 15 main`);
  the outage tests need it.
"""
import base64
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from sibyl_process import SibylProcess, free_port  # noqa: E402  (the shared way to run a node)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
TOKEN = "cluster-tests-admin-token"
SECRETS_KEY = base64.b64encode(b"k" * 32).decode()
FLUSH_SECONDS = 1.0   # the nodes' default usage flush interval
REFRESH_SECONDS = 5.0  # the nodes' default full reload interval: the documented bound of a change


def call(base, method, path, body=None, raw=None, headers=None, timeout=30):
    """(status, headers, parsed JSON or None) of one request; never raises for an HTTP status."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, dict(response.headers), json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return error.code, dict(error.headers), parsed


def admin(base, method, path, body=None, raw=None):
    status, _, answer = call(base, method, path, body=body, raw=raw, headers={"Authorization": "Bearer " + TOKEN})
    assert status < 300, (method, path, status, answer)
    return answer


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  upstream sibyl {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://sibyl;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      # A node that dies takes no request down with it: the request goes to the next node.
      proxy_next_upstream error timeout non_idempotent;
      proxy_connect_timeout 1s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


class Cluster:
    def __init__(self, server_url, folder):
        self.folder = folder
        self.database = "sibyl_cluster_" + uuid.uuid4().hex[:12]
        self.server_url = server_url
        psql(server_url, f"CREATE DATABASE {self.database}")
        parts = urllib.parse.urlsplit(server_url)
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + self.database, "sslmode=disable", ""))
        self.nodes = [self.node(os.path.join(folder, f"node{i + 1}")) for i in range(3)]
        self.nginx_port = free_port()
        self.base = f"http://127.0.0.1:{self.nginx_port}"

    def node(self, folder):
        """A node of this cluster (not started): the shared database, a proxy-aware gateway behind nginx."""
        return SibylProcess(
            folder, ["--edition", "licensed", "--api-options", "10", "--trusted-proxy", "127.0.0.1/32"],
            {"SIBYL_ADMIN_TOKEN": TOKEN, "SIBYL_ADMIN_PASSWORD": "cluster-admin-password", "SIBYL_SECRETS_KEY": SECRETS_KEY,
             "SIBYL_DATABASE": self.url})

    def start(self):
        # All three at once: migrations and the first admin must happen once.
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_ready()
        nginx_dir = os.path.join(self.folder, "nginx")
        os.makedirs(nginx_dir, exist_ok=True)
        servers = "\n".join(f"    server 127.0.0.1:{n.port} max_fails=1 fail_timeout=3s;" for n in self.nodes)
        with open(os.path.join(nginx_dir, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(dir=nginx_dir, servers=servers, port=self.nginx_port))
        self.nginx = subprocess.Popen(["nginx", "-c", os.path.join(nginx_dir, "nginx.conf"), "-p", nginx_dir,
                                       "-g", "daemon off;"], stderr=subprocess.STDOUT, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if call(self.base, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

    def node_of(self, headers):
        """The node that answered, from the X-Upstream header nginx adds (the last address tried)."""
        upstream = headers.get("X-Upstream", "").split(",")[-1].strip()
        for index, node in enumerate(self.nodes):
            if upstream.endswith(f":{node.port}"):
                return index
        return None

    def api(self, kind, fixture="xgb_binary"):
        """A new operating API on a model uploaded through node 1: (api_id, key secret)."""
        node = self.nodes[0].base
        with open(os.path.join(FIXTURES, fixture, "model.json"), "rb") as f:
            model = admin(node, "POST", f"/api/v1/projects/1/models?name={fixture}", raw=f.read())
        created = admin(node, "POST", "/api/v1/projects/1/apis", {"model_id": model["model_id"], "type": kind,
                                                               "ip_whitelist": ["127.0.0.1/32"]})
        api_id = created["api_id"]
        for _ in range(500):
            if admin(node, "GET", f"/api/v1/projects/1/apis/{api_id}")["status"] == "operating":
                break
            time.sleep(0.02)
        return api_id, created["api_key"]["secret"]

    def stored_usage(self, api_id):
        return int(psql(self.url, f"SELECT COALESCE(SUM(count), 0) FROM usage WHERE api_id = '{api_id}'") or 0)

    def stop(self):
        if getattr(self, "nginx", None) and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)
        for node in self.nodes:
            node.stop()


ROW = None


def predict_body():
    global ROW
    if ROW is None:
        import csv
        with open(os.path.join(FIXTURES, "data", "X_test.csv")) as f:
            ROW = [float(v) for v in list(csv.reader(f))[1]]
    return {"rows": [ROW]}


@pytest.fixture(scope="module")
def cluster():
    server = os.environ.get("SIBYL_TEST_POSTGRES")
    if not server:
        pytest.fail("SIBYL_TEST_POSTGRES is not set: the cluster tests need a PostgreSQL server")
    assert shutil.which("nginx"), "nginx is not installed"
    folder = tempfile.mkdtemp(prefix="sibyl-cluster-")
    cluster = Cluster(server, folder)
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            for node in cluster.nodes:
                if node.process and node.process.poll() is None:
                    node.process.kill()
            subprocess.run(["psql", "-qAt", server, "-c", f"DROP DATABASE IF EXISTS {cluster.database} WITH (FORCE)"])
            shutil.rmtree(folder, ignore_errors=True)


def pg_ctl():
    command = os.environ.get("SIBYL_TEST_PG_CTL")
    if not command:
        pytest.skip("SIBYL_TEST_PG_CTL is not set: no way to stop the PostgreSQL server")
    return shlex.split(command)
