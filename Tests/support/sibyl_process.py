"""`sibyl serve` as the Python suites run it: on a free loopback port, waited on until ready, stopped with
SIGTERM and required to exit 0 (a node that fails to stop cleanly fails the suite). Its output goes to a log
file in its data folder, quoted when something goes wrong.

SIBYL_BINARY: the executable (default .build/debug/sibyl).
"""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("SIBYL_BINARY", os.path.join(ROOT, ".build", "debug", "sibyl"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SibylProcess:
    """One node. `with SibylProcess(folder, [...], {...}) as node:` starts it and waits until it is ready."""

    def __init__(self, folder, arguments=(), env=None):
        self.folder = folder
        self.arguments = list(arguments)
        self.env = dict(os.environ, **(env or {}))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log_path = os.path.join(folder, "node.log")

    def start(self):
        os.makedirs(self.folder, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [BINARY, "serve", "--port", str(self.port), "--data", self.folder, *self.arguments],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            assert self.process.poll() is None, f"node on {self.port} exited: {self.tail()}"
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2):
                    return self
            except OSError:  # not listening yet, or 503 while its database is not reachable
                time.sleep(0.1)
        raise AssertionError(f"node on {self.port} not ready: {self.tail()}")

    def stop(self, seconds=60):
        """A graceful stop (SIGTERM): the node must exit 0, having written its counts."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise AssertionError(f"node {self.port} did not stop within {seconds} s: {self.tail()}")
            assert status == 0, self.tail()
        self.process = None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode(errors="replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start().wait_ready()

    def __exit__(self, *error):
        self.stop()
