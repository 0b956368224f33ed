"""`--log-format journal` (spec §9): each event goes to the journal with
sd_journal_send: PRIORITY from the level, MESSAGE, and the event's fields in
upper case. With no journald on the test machine, the test binds the
journal's native socket itself (root only) and reads the datagrams; the
default format is journal when stderr is the stream JOURNAL_STREAM names."""
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, SluicedTest  # noqa: E402
from http_server import Reply, TestServer  # noqa: E402

SOCK_DIR = "/run/systemd/journal"
SOCK = SOCK_DIR + "/socket"


def parse_native(datagram):
    """Journal native protocol: KEY=VALUE lines, or KEY\\n<le64 size><bytes>\\n."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode()
            i = nl + 1
        else:
            size = int.from_bytes(datagram[nl + 1:nl + 9], "little")
            fields[line.decode()] = datagram[nl + 9:nl + 9 + size].decode()
            i = nl + 9 + size + 1
    return fields


@unittest.skipUnless(os.geteuid() == 0 and not os.path.exists(SOCK),
                     "needs root and no running journald (binds the journal socket itself)")
class JournalTest(SluicedTest):
    def setUp(self):
        super().setUp()
        made_dir = not os.path.isdir(SOCK_DIR)
        os.makedirs(SOCK_DIR, exist_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(SOCK)
        self.sock.settimeout(0.2)

        def cleanup():
            self.sock.close()
            os.unlink(SOCK)
            if made_dir:
                os.rmdir(SOCK_DIR)
        self.addCleanup(cleanup)
        self.server = TestServer()
        self.server.route("/ok", Reply(200, body=b'[{"a":1},{"a":2}]'))
        self.server.route("/bad", Reply(404))
        self.server.start()
        self.addCleanup(self.server.stop)

    def entries(self):
        out = []
        while True:
            try:
                out.append(parse_native(self.sock.recv(1 << 20)))
            except socket.timeout:
                return out

    def config(self):
        return self.write("p.yaml", f"""
            pipelines:
              good:
                source: {{ http: {{ url: "{self.server.url('/ok')}", auth: {{ bearer: s3cret-t0ken }} }} }}
                sink: {{ file: {{ path: {self.path('out.ndjson')} }} }}
              bad:
                source: {{ http: {{ url: "{self.server.url('/bad')}", retry: {{ attempts: 1 }} }} }}
                sink: {{ stdout: {{}} }}
            """)

    def test_events_go_to_the_journal_with_priority_and_upper_case_fields(self):
        proc = subprocess.run([BIN, "run", "--once", "--log-format", "journal", self.config()],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stderr, "")  # everything went to the journal
        self.assertEqual(proc.stdout, "")  # the stdout sink got an empty batch
        entries = self.entries()
        by_event = {(e.get("EVENT"), e.get("PIPELINE")): e for e in entries}
        ok = by_event[("run_finished", "good")]
        self.assertEqual(ok["PRIORITY"], "6")
        self.assertEqual(ok["MESSAGE"], "run finished")
        self.assertEqual(ok["RECORDS_IN"], "2")
        self.assertEqual(ok["RECORDS_OUT"], "2")
        self.assertEqual(ok["HTTP_STATUS"], "200")
        self.assertEqual(ok["PAGES"], "1")
        self.assertEqual(ok["SYSLOG_IDENTIFIER"], "sluiced")
        bad = by_event[("run_failed", "bad")]
        self.assertEqual(bad["PRIORITY"], "3")
        self.assertEqual(bad["ERROR"], "HTTP status 404")
        for e in entries:
            self.assertNotIn("s3cret-t0ken", repr(e))

    def test_default_format_is_journal_when_stderr_is_the_journal_stream(self):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        st = os.fstat(b.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        proc = subprocess.run([BIN, "run", "--once", self.config()], stderr=b.fileno(), stdout=subprocess.PIPE,
                              env=env, timeout=60)
        self.assertEqual(proc.returncode, 1)
        events = {e.get("EVENT") for e in self.entries()}
        self.assertIn("run_finished", events)
        self.assertIn("run_failed", events)
        # JOURNAL_STREAM naming another stream: json lines on stderr instead
        env["JOURNAL_STREAM"] = "1:2"
        proc = subprocess.run([BIN, "run", "--once", self.config()], capture_output=True, text=True, env=env,
                              timeout=60)
        self.assertIn('"event":"run_finished"', proc.stderr)
        self.assertEqual(self.entries(), [])


if __name__ == "__main__":
    unittest.main()
