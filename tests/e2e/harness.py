"""Shared helpers for the end-to-end tests: run the built sluiced binary on
pipeline files written to a temporary directory and read its json logs.

CTest sets SLUICED_BIN (the built binary) and SLUICED_SOURCE_DIR (the repo).
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import unittest

from http_server import TestServer

ROOT = os.environ.get("SLUICED_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("SLUICED_BIN") or os.path.join(ROOT, "build", "sluiced")


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.events = []
        for line in self.stderr.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.events.append(json.loads(line))
                except ValueError:
                    pass

    def event(self, name, pipeline=None):
        """The only event of that name (and pipeline); fails when not exactly one."""
        found = [e for e in self.events if e.get("event") == name and (pipeline is None or e.get("pipeline") == pipeline)]
        if len(found) != 1:
            raise AssertionError(f"expected one {name} event, got {len(found)}:\n{self.stderr}")
        return found[0]

    def events_named(self, name):
        return [e for e in self.events if e.get("event") == name]

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class SluicedTest(unittest.TestCase):
    """Base class: a temp dir per test, helpers to write files and run."""

    secrets = ()  # values that must never appear in any output

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluiced-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return p

    def read(self, name):
        with open(self.path(name)) as f:
            return f.read()

    def sluiced(self, *args, env=None, timeout=60, input=None):
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        e.update(env or {})
        proc = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, timeout=timeout, input=input,
                              errors="replace")
        r = Result(proc)
        for s in self.secrets:
            self.assertNotIn(s, r.stderr, f"secret {s!r} leaked into logs")
        return r

    def run_once(self, *paths, env=None, extra=()):
        return self.sluiced("run", "--once", "--log-format", "json", *extra, *paths, env=env)

    def lines(self, name):
        return [json.loads(l) for l in self.read(name).splitlines()]


def free_port():
    """A loopback TCP port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ServedTest(SluicedTest):
    """SluicedTest with one loopback TestServer for the class (`cls.server`,
    TLS when `server_tls` is set) and `self.prefix`, "/" + the running test
    method's name, for paths no other test of the class serves."""

    server_tls = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = TestServer(tls=cls.server_tls).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    @property
    def prefix(self):
        return "/" + self.id().rsplit(".", 1)[-1]
