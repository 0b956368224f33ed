#!/usr/bin/env python3
"""Disk faults (issue 7, spec §7): no space left, permission denied, a
directory where the file should be, a file size limit -- through `run
--once` and the daemon.

Each fault must fail the run with `run_failed` naming the path and the
errno text, leave no part of the failed batch (append: the file is byte for
byte what it was; replace: the old file, no temporary file), and the next
run must succeed once the fault is gone (append: the file ends with exactly
the earlier batches plus the new one). In the daemon, the other pipelines
keep their schedule while one fails.

No space: a 64 KiB tmpfs mounted by the test (root with CAP_SYS_ADMIN, as in
CI); the tmpfs cases are skipped where mounting is not allowed -- the
RLIMIT_FSIZE case (`File too large`) runs everywhere. Permission denied:
CI runs as root, so those runs drop to nobody (65534) with `setpriv`; they
are skipped when the test is not root.

test_sinks.py covers the directory and /dev/full cases of `run --once`.
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, ServedTest  # noqa: E402
from http_server import Reply  # noqa: E402
from test_daemon import Daemon  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
ENOSPC = "No space left on device"
EACCES = "Permission denied"


def batch(tag, n, pad=100):
    """A JSON array of `n` records tagged `tag`, and its NDJSON lines."""
    recs = [{"t": tag, "i": i, "pad": "p" * pad} for i in range(n)]
    body = json.dumps(recs).encode()
    lines = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in recs).encode()
    return body, lines


def try_mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0777" % size, "tmpfs", path],
                       capture_output=True)
    return r.returncode == 0


def fill(dirpath, name="filler", leave=0):
    """Fills the file system of `dirpath`; then frees `leave` bytes."""
    p = os.path.join(dirpath, name)
    with open(p, "ab", buffering=0) as f:
        chunk = b"\0" * 4096
        try:
            while f.write(chunk):
                pass
        except OSError:
            pass
    if leave:
        size = os.path.getsize(p)
        os.truncate(p, max(0, size - leave))
    return p


def unfill(dirpath, name="filler"):
    os.unlink(os.path.join(dirpath, name))


class NobodyDaemon(Daemon):
    """test_daemon.Daemon, run as nobody through setpriv."""

    def __init__(self, args):
        e = dict(os.environ)
        for k in ("JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC"):
            e.pop(k, None)
        self.proc = subprocess.Popen(NOBODY + [BIN, "run", "--log-format", "json", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e, text=True, errors="replace")
        self.lines, self.events = [], []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()


class DiskFaultTest(ServedTest):
    def setUp(self):
        super().setUp()
        os.chmod(self.dir, 0o755)  # readable by nobody for the setpriv runs

    def serve(self, *bodies, name=None):
        path = self.prefix + "/" + (name or "p")
        self.server.route(path, *[Reply(200, [("Content-Type", "application/json")], b) for b in bodies])
        return self.server.url(path)

    def config(self, sink, url, name="p", every=None, fname=None):
        sched = f"schedule: {{ every: {every} }}\n    " if every else ""
        return self.write(fname or f"{name}.yaml", f"""
pipelines:
  {name}:
    {sched}source: {{ http: {{ url: "{url}", retry: {{ attempts: 1 }} }} }}
    sink: {sink}
""")

    def tmpfs(self, size="64k"):
        mnt = self.path("tmpfs")
        if not try_mount_tmpfs(mnt, size):
            self.skipTest("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        self.addCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True)
        return mnt

    def as_nobody(self, *args):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("dropping privileges needs root and setpriv")
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        p = subprocess.run(NOBODY + [BIN, "run", "--once", "--log-format", "json", *args], capture_output=True,
                           text=True, env=e, timeout=60)
        from harness import Result
        return Result(p)

    def read_bytes(self, p):
        with open(p, "rb") as f:
            return f.read()

    def assert_failed_with(self, r, path, errtext):
        self.assertEqual(r.rc, 1, r)
        ev = r.event("run_failed")
        self.assertEqual(ev["level"], "error")
        self.assertIn(path, ev["error"], ev)
        self.assertIn(errtext, ev["error"], ev)
        self.assertEqual(ev["records_out"], 0, ev)
        return ev

    def no_temp_files(self, d):
        self.assertEqual([n for n in os.listdir(d) if "sluiced-tmp" in n], [])

    # ---- no space left -------------------------------------------------------

    def test_enospc_append_rolls_back_then_recovers(self):
        mnt = self.tmpfs()
        first, first_lines = batch("a", 20)     # ~2.6 KB
        second, second_lines = batch("b", 150)  # ~19 KB: more than is left
        out = os.path.join(mnt, "out.ndjson")
        cfg = self.config("{ file: { path: %s } }" % out, self.serve(first, second))
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read_bytes(out), first_lines)
        # Leave ~8 KB: the batch starts being written (a short write), then
        # ENOSPC: the sink truncates back to where the batch began.
        fill(mnt, leave=8192)
        for _ in range(2):
            r = self.run_once(cfg)
            self.assert_failed_with(r, out, ENOSPC)
            self.assertEqual(self.read_bytes(out), first_lines)
        # A completely full disk too.
        unfill(mnt)
        fill(mnt)
        r = self.run_once(cfg)
        self.assert_failed_with(r, out, ENOSPC)
        self.assertEqual(self.read_bytes(out), first_lines)
        unfill(mnt)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read_bytes(out), first_lines + second_lines)
        self.assertEqual(r.events_named("partial_line_repaired"), [])

    def test_enospc_replace_keeps_old_file_and_no_temp(self):
        mnt = self.tmpfs()
        first, first_lines = batch("a", 20)
        second, second_lines = batch("b", 150)
        for fmt in ("ndjson", "json"):
            with self.subTest(fmt=fmt):
                out = os.path.join(mnt, "out." + fmt)
                cfg = self.config("{ file: { path: %s, mode: replace, format: %s } }" % (out, fmt),
                                  self.serve(first, second, name=fmt), fname=fmt + ".yaml")
                r = self.run_once(cfg)
                self.assertEqual(r.rc, 0, r)
                old = self.read_bytes(out)
                fill(mnt, leave=8192)
                r = self.run_once(cfg)
                self.assert_failed_with(r, out, ENOSPC)
                self.assertEqual(self.read_bytes(out), old)
                self.no_temp_files(mnt)
                unfill(mnt)
                r = self.run_once(cfg)
                self.assertEqual(r.rc, 0, r)
                new = self.read_bytes(out)
                if fmt == "ndjson":
                    self.assertEqual(new, second_lines)
                else:
                    self.assertEqual(len(json.loads(new)), 150)
                self.no_temp_files(mnt)

    def test_file_size_limit(self):
        # RLIMIT_FSIZE: EFBIG ("File too large"), SIGXFSZ must not kill us.
        first, first_lines = batch("a", 5)
        second, second_lines = batch("b", 100)
        out = self.path("out", "f.ndjson")
        cfg = self.config("{ file: { path: %s } }" % out, self.serve(first, second))
        self.assertEqual(self.run_once(cfg).rc, 0)
        limit = len(first_lines) + 5000

        def limited():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        for _ in range(2):
            p = subprocess.run([BIN, "run", "--once", "--log-format", "json", cfg], capture_output=True, text=True,
                               env=e, preexec_fn=limited, timeout=60)
            from harness import Result
            r = Result(p)
            self.assertNotEqual(p.returncode, -signal.SIGXFSZ, r)
            self.assert_failed_with(r, out, "File too large")
            self.assertEqual(self.read_bytes(out), first_lines)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read_bytes(out), first_lines + second_lines)

    # ---- permission denied (as nobody) ---------------------------------------

    def test_permission_denied_append_then_recovers(self):
        first, first_lines = batch("a", 3)
        second, second_lines = batch("b", 4)
        d = self.path("perm")
        os.makedirs(d)
        out = os.path.join(d, "out.ndjson")
        cfg = self.config("{ file: { path: %s } }" % out, self.serve(first, second))
        os.chmod(cfg, 0o644)
        # The directory is root's: nobody cannot create the file.
        os.chmod(d, 0o755)
        r = self.as_nobody(cfg)
        self.assert_failed_with(r, out, EACCES)
        self.assertFalse(os.path.exists(out))
        # Now the file exists but is root's, 0644: nobody cannot append.
        with open(out, "wb") as f:
            f.write(first_lines)
        os.chmod(out, 0o644)
        r = self.as_nobody(cfg)
        self.assert_failed_with(r, out, EACCES)
        self.assertEqual(self.read_bytes(out), first_lines)
        # Fault gone: nobody owns the file.
        os.chown(out, 65534, 65534)
        r = self.as_nobody(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read_bytes(out), first_lines + second_lines)

    def test_permission_denied_replace_keeps_old_file(self):
        first, first_lines = batch("a", 3)
        second, second_lines = batch("b", 4)
        d = self.path("perm")
        os.makedirs(d)
        out = os.path.join(d, "out.ndjson")
        cfg = self.config("{ file: { path: %s, mode: replace } }" % out, self.serve(second))
        os.chmod(cfg, 0o644)
        with open(out, "wb") as f:
            f.write(first_lines)
        os.chown(out, 65534, 65534)  # the file is nobody's, the directory is not
        os.chmod(d, 0o755)
        r = self.as_nobody(cfg)
        self.assert_failed_with(r, out, EACCES)
        self.assertEqual(self.read_bytes(out), first_lines)
        self.no_temp_files(d)
        os.chown(d, 65534, 65534)
        r = self.as_nobody(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read_bytes(out), second_lines)
        self.no_temp_files(d)

    # ---- the daemon: one pipeline failing, the others on schedule ------------

    def test_daemon_keeps_other_pipelines_on_schedule(self):
        mnt = self.tmpfs("64k")
        good_body, good_lines = batch("g", 2)
        big_body, big_lines = batch("f", 60)  # ~8 KB: more than a page
        two_body, two_lines = batch("d", 2)
        good = self.path("good.ndjson")
        full = os.path.join(mnt, "full.ndjson")
        dirp = self.path("dir", "dir.ndjson")
        rep = self.path("dir", "rep.ndjson")
        text = "pipelines:\n"
        for name, body, sink in (("good", good_body, "{ path: %s }" % good),
                                 ("full", big_body, "{ path: %s }" % full),
                                 ("dir", two_body, "{ path: %s }" % dirp),
                                 ("rep", two_body, "{ path: %s, mode: replace }" % rep)):
            text += f"""  {name}:
    schedule: {{ every: 100ms }}
    source: {{ http: {{ url: "{self.serve(body, name=name)}", retry: {{ attempts: 1 }} }} }}
    sink: {{ file: {sink} }}
"""
        cfg = self.write("d.yaml", text)
        d = Daemon(["--log-level", "debug", cfg])
        self.addCleanup(d.kill)
        for p in ("good", "full", "dir", "rep"):
            d.wait_event("run_finished", p, count=2, timeout=10)

        # Faults: the tmpfs fills up, the append target and the replace
        # target become directories.
        fill(mnt)
        os.rename(dirp, dirp + ".away")
        os.mkdir(dirp)
        rep_old = self.read_bytes(rep)
        os.rename(rep, rep + ".away")
        os.mkdir(rep)
        t_fault = time.monotonic()
        for p in ("full", "dir", "rep"):
            d.wait_event("run_failed", p, count=3, timeout=10)
        n_good = len(d.named("run_finished", "good"))
        time.sleep(1.0)
        with d.lock:
            good_runs = [e for e in d.events if e.get("pipeline") == "good" and e.get("event") == "run_finished"
                         and e["_t"] > t_fault]
        # Every 100ms: about 10 more in 1s + the waits above; never stalled.
        self.assertGreaterEqual(len(d.named("run_finished", "good")) - n_good, 7)
        gaps = [b["_t"] - a["_t"] for a, b in zip(good_runs, good_runs[1:])]
        self.assertLess(max(gaps), 0.5, gaps)
        self.assertEqual([e for e in d.named("run_failed", "good")], [])
        for p, path, err in (("full", full, ENOSPC), ("dir", dirp, "Is a directory"), ("rep", rep, "Is a directory")):
            ev = d.named("run_failed", p)[-1]
            self.assertIn(path, ev["error"], ev)
            self.assertIn(err, ev["error"], ev)
        # Nothing of a failed batch stayed: whole batches only, one per
        # run_finished.
        full_now = self.read_bytes(full)
        self.assertEqual(full_now, big_lines * len(d.named("run_finished", "full")))

        # Faults gone: the next runs succeed.
        unfill(mnt)
        os.rmdir(dirp)
        os.rename(dirp + ".away", dirp)
        os.rmdir(rep)
        os.rename(rep + ".away", rep)
        t_fixed = time.monotonic()
        for p in ("full", "dir", "rep"):
            d.wait_event("run_finished", p, timeout=10, after=t_fixed)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())
        self.assertTrue(d.named("shutdown_finished"))
        self.assertEqual(d.named("startup_failed"), [])
        self.assertEqual(self.read_bytes(good), good_lines * len(d.named("run_finished", "good")))
        self.assertEqual(self.read_bytes(full), big_lines * len(d.named("run_finished", "full")))
        self.assertEqual(self.read_bytes(dirp), two_lines * len(d.named("run_finished", "dir")))
        self.assertEqual(self.read_bytes(rep), two_lines)
        self.assertNotEqual(rep_old, b"")
        self.no_temp_files(self.path("dir"))
        self.no_temp_files(mnt)
        self.assertEqual(d.named("partial_line_repaired"), [])

    def test_daemon_as_nobody_directory_becomes_unwritable(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("dropping privileges needs root and setpriv")
        body, lines = batch("n", 3)
        d_out = self.path("nb")
        os.makedirs(d_out)
        os.chown(d_out, 65534, 65534)
        app, rep = os.path.join(d_out, "app.ndjson"), os.path.join(d_out, "rep.ndjson")
        other = self.path("other")
        os.makedirs(other)
        os.chown(other, 65534, 65534)
        ok = os.path.join(other, "ok.ndjson")
        text = "pipelines:\n"
        for name, sink in (("app", "{ path: %s }" % app), ("rep", "{ path: %s, mode: replace }" % rep),
                           ("ok", "{ path: %s }" % ok)):
            text += f"""  {name}:
    schedule: {{ every: 100ms }}
    source: {{ http: {{ url: "{self.serve(body, name=name)}", retry: {{ attempts: 1 }} }} }}
    sink: {{ file: {sink} }}
"""
        cfg = self.write("n.yaml", text)
        os.chmod(cfg, 0o644)
        d = NobodyDaemon(["--log-level", "debug", cfg])
        self.addCleanup(d.kill)
        for p in ("app", "rep", "ok"):
            d.wait_event("run_finished", p, count=2, timeout=10)
        # The directory loses its write permission (and the append file too).
        os.chown(d_out, 0, 0)
        os.chmod(d_out, 0o755)
        os.chown(app, 0, 0)
        os.chmod(app, 0o644)
        t = time.monotonic()
        for p in ("app", "rep"):
            d.wait_event("run_failed", p, count=2, timeout=10, after=t)
            ev = d.named("run_failed", p)[-1]
            self.assertIn(os.path.join(d_out, p + ".ndjson"), ev["error"])
            self.assertIn(EACCES, ev["error"])
        n_ok = len(d.named("run_finished", "ok"))
        d.wait_event("run_finished", "ok", count=n_ok + 3, timeout=3)
        self.no_temp_files(d_out)
        # Back to nobody: both recover.
        os.chown(d_out, 65534, 65534)
        os.chown(app, 65534, 65534)
        t = time.monotonic()
        for p in ("app", "rep"):
            d.wait_event("run_finished", p, timeout=10, after=t)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())
        self.assertEqual(self.read_bytes(app), lines * len(d.named("run_finished", "app")))
        self.assertEqual(self.read_bytes(rep), lines)
        self.assertEqual(self.read_bytes(ok), lines * len(d.named("run_finished", "ok")))
        self.no_temp_files(d_out)


if __name__ == "__main__":
    unittest.main()
