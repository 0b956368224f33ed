#!/usr/bin/env python3
"""The daemon, `sluiced run PATH...` (spec §3, §9, §10; operations.md §3, §4).

Starts the built binary with sub-second schedules against a loopback server
and checks ticks, overlap skipping, reloads, shutdown, sd_notify messages
(read from a datagram socket the test binds) and the metrics endpoint.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, SluicedTest, free_port  # noqa: E402
from http_server import Reply, TestServer  # noqa: E402

RECORDS = b'[{"id": 1}, {"id": 2}]'


def parse_ts(ts):
    """RFC 3339 UTC with milliseconds -> epoch seconds."""
    import datetime
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def parse_metrics(text):
    """Prometheus text format -> ({(name, frozenset(labels)): value}, {name: type}, {name: help})."""
    samples, types, helps = {}, {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            types[name] = typ
            continue
        if line.startswith("# HELP "):
            _, _, name, h = line.split(" ", 3)
            helps[name] = h
            continue
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        assert m, "bad metrics line: %r" % line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types, helps


def sample(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


class NotifySocket:
    """An AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.messages = []  # (monotonic time, text)
        self.lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stopped:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append((time.monotonic(), data.decode()))

    def texts(self):
        with self.lock:
            return [m for _, m in self.messages]

    def wait_for(self, pred, timeout=5, since=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.texts()[since:]:
                if pred(m):
                    return m
            time.sleep(0.02)
        raise AssertionError("no notify message matched; got %r" % self.texts())

    def close(self):
        self.stopped = True
        self.thread.join(1)
        self.sock.close()


class Daemon:
    """A running `sluiced run --log-format json ...` whose events are read live."""

    def __init__(self, args, env=None):
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        e.update(env or {})
        self.proc = subprocess.Popen([BIN, "run", "--log-format", "json", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e, text=True, errors="replace")
        self.lines = []
        self.events = []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append(line)
                if line.startswith("{"):
                    try:
                        ev = json.loads(line)
                        ev["_t"] = time.monotonic()
                        self.events.append(ev)
                    except ValueError:
                        pass
                self.lock.notify_all()

    def named(self, name, pipeline=None):
        with self.lock:
            return [e for e in self.events
                    if e.get("event") == name and (pipeline is None or e.get("pipeline") == pipeline)]

    def wait_event(self, name, pipeline=None, count=1, timeout=5, after=None):
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [e for e in self.events if e.get("event") == name
                         and (pipeline is None or e.get("pipeline") == pipeline)
                         and (after is None or e["_t"] >= after)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise AssertionError("waited for %d %s event(s) (pipeline %s); log:\n%s"
                                         % (count, name, pipeline, "".join(self.lines)))
                self.lock.wait(min(left, 0.05))

    def stderr(self):
        with self.lock:
            return "".join(self.lines)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=10):
        rc = self.proc.wait(timeout)
        self.reader.join(5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.reader.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


def pipeline_yaml(name, url, sink, every="200ms", extra=""):
    return f"""
  {name}:
    schedule: {{ every: {every} }}
    source:
      http:
        url: {url}
        retry: {{ attempts: 1 }}
    sink:
      file: {{ path: {sink} }}
{extra}"""


class DaemonTest(SluicedTest):
    def setUp(self):
        super().setUp()
        self.server = TestServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("/fast", Reply(200, body=RECORDS))
        self.server.route("/fast2", Reply(200, body=RECORDS))
        self.server.route("/slow", Reply(200, body=RECORDS, header_delay=0.5))

    def start(self, *args, env=None):
        d = Daemon(list(args), env)
        self.addCleanup(d.kill)
        return d

    def notify_socket(self):
        n = NotifySocket(self.path("notify.sock"))
        self.addCleanup(n.close)
        return n

    def config(self, name, *pipelines):
        return self.write(name, "pipelines:" + "".join(pipelines) + "\n")

    def scrape(self, port, path="/metrics"):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()

    # ---- ticks, metrics, sd_notify, a clean stop -------------------------

    def test_ticks_metrics_notify_and_stop(self):
        sock = self.notify_socket()
        port = free_port()
        cfg = self.config("p.yaml", pipeline_yaml("fast", self.server.url("/fast"), self.path("out", "fast.ndjson")))
        t0 = time.monotonic()
        d = self.start("--log-level", "debug", "--metrics-listen", "127.0.0.1:%d" % port, cfg,
                       env={"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "200000"})
        sock.wait_for(lambda m: "READY=1" in m)
        ready = [m for m in sock.texts() if "READY=1" in m][0]
        self.assertRegex(ready, r"(?m)^STATUS=1 pipeline, \d running")
        # First run at start, then every 200ms.
        d.wait_event("run_finished", "fast", count=6, timeout=5)
        starts = [parse_ts(e["ts"]) for e in d.named("run_started", "fast")]
        self.assertGreaterEqual(len(starts), 6)
        self.assertLess(d.named("run_started", "fast")[0]["_t"] - t0, 1.5)
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        for g in gaps:
            self.assertGreater(g, 0.10, gaps)
            self.assertLess(g, 0.35, gaps)
        # Anchored: n ticks take n intervals, not n * (interval + run time).
        span = starts[5] - starts[0]
        self.assertAlmostEqual(span, 1.0, delta=0.1)
        self.assertEqual(d.named("run_skipped"), [])

        # Watchdog: WATCHDOG=1 every 100ms.
        time.sleep(0.35)
        self.assertGreaterEqual(sum(1 for m in sock.texts() if m == "WATCHDOG=1"), 3)

        # Metrics: exact names, HELP and TYPE, counters that move.
        status, ctype, text = self.scrape(port)
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
        s, types, helps = parse_metrics(text)
        expect_types = {
            "sluiced_build_info": "gauge", "sluiced_pipelines": "gauge",
            "sluiced_config_last_reload_successful": "gauge", "sluiced_runs_total": "counter",
            "sluiced_runs_skipped_total": "counter", "sluiced_runs_in_progress": "gauge",
            "sluiced_run_duration_seconds": "histogram", "sluiced_last_success_timestamp_seconds": "gauge",
            "sluiced_next_run_timestamp_seconds": "gauge", "sluiced_http_client_responses_total": "counter",
            "sluiced_http_client_retries_total": "counter", "sluiced_source_received_bytes_total": "counter",
            "sluiced_source_pages_total": "counter", "sluiced_records_received_total": "counter",
            "sluiced_records_sent_total": "counter", "sluiced_records_failed_total": "counter",
            "sluiced_records_dead_lettered_total": "counter", "sluiced_sink_written_bytes_total": "counter",
        }
        for name, typ in expect_types.items():
            self.assertEqual(types.get(name), typ, name)
            self.assertTrue(helps.get(name), name)
        self.assertEqual(sample(s, "sluiced_build_info", version=sample_version(s)), 1)
        self.assertEqual(sample(s, "sluiced_pipelines"), 1)
        self.assertEqual(sample(s, "sluiced_config_last_reload_successful"), 1)
        ok1 = sample(s, "sluiced_runs_total", pipeline="fast", result="success")
        self.assertGreaterEqual(ok1, 6)
        self.assertEqual(sample(s, "sluiced_runs_total", pipeline="fast", result="failure"), 0)
        self.assertEqual(sample(s, "sluiced_runs_skipped_total", pipeline="fast"), 0)
        self.assertIn(sample(s, "sluiced_runs_in_progress", pipeline="fast"), (0, 1))
        self.assertGreaterEqual(sample(s, "sluiced_http_client_responses_total", pipeline="fast", code="200"), 6)
        self.assertEqual(sample(s, "sluiced_http_client_retries_total", pipeline="fast"), 0)
        count = sample(s, "sluiced_run_duration_seconds_count", pipeline="fast")
        self.assertGreaterEqual(count, 6)
        self.assertEqual(sample(s, "sluiced_run_duration_seconds_bucket", pipeline="fast", le="+Inf"), count)
        self.assertIsNotNone(sample(s, "sluiced_run_duration_seconds_sum", pipeline="fast"))
        runs = sample(s, "sluiced_runs_total", pipeline="fast", result="success")
        self.assertEqual(sample(s, "sluiced_records_received_total", pipeline="fast"), 2 * runs)
        self.assertGreaterEqual(sample(s, "sluiced_records_sent_total", pipeline="fast"), 2 * (runs - 1))
        self.assertEqual(sample(s, "sluiced_source_pages_total", pipeline="fast"), runs)
        self.assertEqual(sample(s, "sluiced_source_received_bytes_total", pipeline="fast"), len(RECORDS) * runs)
        self.assertEqual(sample(s, "sluiced_records_failed_total", pipeline="fast"), 0)
        self.assertEqual(sample(s, "sluiced_records_dead_lettered_total", pipeline="fast"), 0)
        self.assertIsNotNone(sample(s, "sluiced_sink_written_bytes_total", pipeline="fast"))
        now = time.time()
        self.assertAlmostEqual(sample(s, "sluiced_last_success_timestamp_seconds", pipeline="fast"), now, delta=2)
        nxt = sample(s, "sluiced_next_run_timestamp_seconds", pipeline="fast")
        self.assertGreater(nxt, now - 0.5)
        self.assertLess(nxt, now + 0.5)
        time.sleep(0.5)
        s2, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertGreater(sample(s2, "sluiced_runs_total", pipeline="fast", result="success"), ok1)

        # Health and unknown paths.
        self.assertEqual(self.scrape(port, "/healthz")[::2], (200, "ok\n"))
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.scrape(port, "/nope")
        self.assertEqual(cm.exception.code, 404)

        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())
        d.wait_event("shutdown_started")
        d.wait_event("shutdown_finished")
        self.assertEqual(d.named("run_started")[-1]["_t"] <= d.named("shutdown_started")[0]["_t"], True)
        sock.wait_for(lambda m: "STOPPING=1" in m)
        time.sleep(0.15)  # let the reader drain the socket
        texts = sock.texts()
        stopping = [i for i, m in enumerate(texts) if "STOPPING=1" in m]
        self.assertEqual(len(stopping), 1, texts)
        self.assertLess([i for i, m in enumerate(texts) if "READY=1" in m][0], stopping[0])
        # Only whole lines in the sink.
        out = self.read("out/fast.ndjson")
        self.assertTrue(out.endswith("\n"))
        self.assertEqual(len(out.splitlines()), 2 * len(d.named("run_finished", "fast")))

    def test_cron_ticks_on_the_wall_clock(self):
        cfg = self.write("p.yaml", f"""
            pipelines:
              sec:
                schedule: {{ cron: "* * * * * *" }}
                source: {{ http: {{ url: "{self.server.url('/fast')}" }} }}
                sink: {{ file: {{ path: {self.path('sec.ndjson')} }} }}
        """)
        d = self.start("--log-level", "debug", cfg)
        d.wait_event("run_started", "sec", count=2, timeout=4)
        starts = [parse_ts(e["ts"]) for e in d.named("run_started", "sec")]
        for t in starts:  # on whole seconds, not at start-up
            self.assertLess(t - int(t), 0.2, starts)
        self.assertAlmostEqual(starts[1] - starts[0], 1.0, delta=0.2)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())

    # ---- overlap: a slow run makes ticks skip; SIGTERM waits for it ------

    def test_slow_run_skips_ticks_and_sigterm_lets_it_finish(self):
        port = free_port()
        cfg = self.config("p.yaml", pipeline_yaml("slow", self.server.url("/slow"), self.path("slow.ndjson")))
        d = self.start("--log-level", "debug", "--metrics-listen", "127.0.0.1:%d" % port, cfg)
        d.wait_event("run_skipped", "slow", count=3, timeout=5)
        skipped = d.wait_event("run_skipped", "slow")
        self.assertEqual(skipped["level"], "warn")
        # Never overlapping: starts and ends alternate.
        with d.lock:
            seq = [e["event"] for e in d.events if e.get("event") in ("run_started", "run_finished", "run_failed")]
        for i, ev in enumerate(seq):
            self.assertEqual(ev, "run_started" if i % 2 == 0 else "run_finished", seq)
        s, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertGreaterEqual(sample(s, "sluiced_runs_skipped_total", pipeline="slow"), 3)
        # Anchored: a tick comes every 200ms whatever the run length, so
        # about two of every three are skipped.
        # SIGTERM while a request is in flight: the run finishes, then exit 0.
        started = d.wait_event("run_started", "slow", count=len(d.named("run_finished", "slow")) + 1)
        self.assertTrue(started)
        time.sleep(0.1)
        finished_before = len(d.named("run_finished", "slow"))
        d.signal(signal.SIGTERM)
        t = time.monotonic()
        self.assertEqual(d.wait(10), 0, d.stderr())
        self.assertLess(time.monotonic() - t, 2)
        self.assertEqual(len(d.named("run_finished", "slow")), finished_before + 1, d.stderr())
        fin = d.named("run_finished", "slow")[-1]
        self.assertGreater(fin["_t"], d.named("shutdown_started")[0]["_t"])
        self.assertGreater(d.named("shutdown_finished")[0]["_t"], fin["_t"])
        self.assertEqual(d.named("shutdown_started")[0]["level"], "info")
        self.assertEqual(len(self.read("slow.ndjson").splitlines()), 2 * (finished_before + 1))

    def test_second_signal_exits_at_once(self):
        self.server.route("/stuck", Reply(200, body=RECORDS, header_delay=5))
        cfg = self.config("p.yaml", pipeline_yaml("stuck", self.server.url("/stuck"), self.path("stuck.ndjson"),
                                                  every="10s"))
        d = self.start("--log-level", "debug", cfg)
        d.wait_event("run_started", "stuck")
        time.sleep(0.1)
        d.signal(signal.SIGTERM)
        d.wait_event("shutdown_started")
        t = time.monotonic()
        d.signal(signal.SIGINT)
        rc = d.wait(5)
        self.assertLess(time.monotonic() - t, 1)
        self.assertEqual(rc, 1, d.stderr())
        self.assertEqual(d.named("run_finished"), [])
        failed = d.named("run_failed", "stuck")
        self.assertEqual(len(failed), 1, d.stderr())
        self.assertIn("abandoned", failed[0]["error"])
        self.assertEqual(len(d.named("shutdown_forced")), 1)
        self.assertFalse(os.path.exists(self.path("stuck.ndjson")) and self.read("stuck.ndjson"))

    def test_shutdown_timeout_abandons_runs_without_writing(self):
        self.server.route("/stuck", Reply(200, body=RECORDS, header_delay=3))
        cfg = self.config("p.yaml", pipeline_yaml("stuck", self.server.url("/stuck"), self.path("stuck.ndjson"),
                                                  every="10s"))
        d = self.start("--log-level", "debug", "--shutdown-timeout", "300ms", cfg)
        d.wait_event("run_started", "stuck")
        t = time.monotonic()
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(5), 0, d.stderr())
        self.assertLess(time.monotonic() - t, 1.5)
        self.assertEqual(d.named("shutdown_timeout")[0]["abandoned"], ["stuck"])
        d.wait_event("shutdown_finished")
        self.assertEqual(d.named("run_finished"), [])
        failed = d.named("run_failed", "stuck")
        self.assertEqual(len(failed), 1, d.stderr())
        self.assertIn("abandoned", failed[0]["error"])
        for k in ("duration_ms", "http_status", "pages", "bytes", "records_in", "records_out", "records_failed"):
            self.assertIn(k, failed[0])
        self.assertFalse(os.path.exists(self.path("stuck.ndjson")) and self.read("stuck.ndjson"))

    # ---- reload ---------------------------------------------------------

    def test_reload_valid_then_invalid(self):
        sock = self.notify_socket()
        port = free_port()
        os.makedirs(self.path("conf"))
        fast, fast2 = self.server.url("/fast"), self.server.url("/fast2")
        self.config("conf/a.yaml",
                    pipeline_yaml("gone", fast, self.path("gone.ndjson"), every="10s"),
                    pipeline_yaml("keep", fast, self.path("keep.ndjson"), every="10s"),
                    pipeline_yaml("edit", fast, self.path("edit.ndjson"), every="10s"))
        d = self.start("--log-level", "debug", "--metrics-listen", "127.0.0.1:%d" % port, self.path("conf"),
                       env={"NOTIFY_SOCKET": sock.path})
        for p in ("gone", "keep", "edit"):
            d.wait_event("run_finished", p)
        sock.wait_for(lambda m: "READY=1" in m)
        s, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertEqual(sample(s, "sluiced_runs_total", pipeline="gone", result="success"), 1)

        self.config("conf/a.yaml",
                    pipeline_yaml("keep", fast, self.path("keep.ndjson"), every="10s"),
                    pipeline_yaml("edit", fast2, self.path("edit.ndjson"), every="10s"),
                    pipeline_yaml("new", fast, self.path("new.ndjson"), every="10s"))
        n_before = len(sock.texts())
        d.signal(signal.SIGHUP)
        ev = d.wait_event("config_reloaded")
        self.assertEqual(ev["level"], "info")
        self.assertEqual(ev["added"], ["new"])
        self.assertEqual(ev["changed"], ["edit"])
        self.assertEqual(ev["removed"], ["gone"])
        # Changed and added pipelines start afresh (first tick at once);
        # the unchanged one keeps its schedule (next tick in 10s).
        d.wait_event("run_finished", "new")
        d.wait_event("run_finished", "edit", count=2)
        time.sleep(0.3)
        self.assertEqual(len(d.named("run_finished", "keep")), 1)
        self.assertEqual(len(d.named("run_started", "gone")), 1)
        # RELOADING=1 with MONOTONIC_USEC, then READY=1.
        sock.wait_for(lambda m: "READY=1" in m, since=n_before)
        after = sock.texts()[n_before:]
        rel = [i for i, m in enumerate(after) if m.startswith("RELOADING=1")]
        self.assertEqual(len(rel), 1, after)
        usec = int(re.search(r"(?m)^MONOTONIC_USEC=(\d+)$", after[rel[0]]).group(1))
        self.assertAlmostEqual(usec / 1e6, time.clock_gettime(time.CLOCK_MONOTONIC), delta=5)
        self.assertTrue(any("READY=1" in m for m in after[rel[0] + 1:]), after)
        # Metrics: the removed pipeline's series are gone, the new one's exist.
        s, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertFalse([k for k in s if ("pipeline", "gone") in k[1]])
        self.assertIsNotNone(sample(s, "sluiced_runs_total", pipeline="new", result="failure"))
        self.assertEqual(sample(s, "sluiced_pipelines"), 3)
        self.assertEqual(sample(s, "sluiced_config_last_reload_successful"), 1)

        # An invalid configuration: logged, the old one keeps running.
        self.write("conf/b.yaml", """
            pipelines:
              broken:
                schedule: { every: 200ms }
                source: { http: { url: "http://127.0.0.1:1/" } }
                sink: { file: { path: /tmp/x }, bogus: 1 }
        """)
        n_before = len(sock.texts())
        d.signal(signal.SIGHUP)
        ev = d.wait_event("config_reload_failed")
        self.assertEqual(ev["level"], "error")
        self.assertTrue(ev["errors"])
        self.assertRegex(ev["errors"][0], r"b\.yaml:\d+:\d+: error: ")
        sock.wait_for(lambda m: "READY=1" in m, since=n_before)
        self.assertTrue(any(m.startswith("RELOADING=1") for m in sock.texts()[n_before:]))
        s, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertEqual(sample(s, "sluiced_config_last_reload_successful"), 0)
        self.assertEqual(sample(s, "sluiced_pipelines"), 3)
        self.assertEqual(len(d.named("config_reloaded")), 1)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())

    def test_reload_while_runs_are_in_flight(self):
        port = free_port()
        slow = self.server.url("/slow")
        cfg = self.config("p.yaml",
                          pipeline_yaml("dropme", slow, self.path("dropme.ndjson"), every="10s"),
                          pipeline_yaml("change", slow, self.path("change.ndjson"), every="10s"))
        d = self.start("--log-level", "debug", "--metrics-listen", "127.0.0.1:%d" % port, cfg)
        d.wait_event("run_started", "dropme")
        d.wait_event("run_started", "change")
        self.config("p.yaml", pipeline_yaml("change", slow + "?v=2", self.path("change.ndjson"), every="10s"))
        d.signal(signal.SIGHUP)
        ev = d.wait_event("config_reloaded")
        self.assertEqual((ev["added"], ev["changed"], ev["removed"]), ([], ["change"], ["dropme"]))
        # The removed pipeline's run finishes after the reload; the changed
        # one's fresh first run waits for its old run (never overlapping).
        self.assertGreater(d.wait_event("run_finished", "dropme")["_t"], ev["_t"])
        old_done = d.wait_event("run_finished", "change")
        new_start = d.wait_event("run_started", "change", count=2)
        self.assertGreaterEqual(new_start["_t"], old_done["_t"])
        d.wait_event("run_finished", "change", count=2)
        self.assertEqual(d.named("run_skipped"), [])
        self.assertEqual(len(d.named("run_started", "dropme")), 1)
        s, _, _ = parse_metrics(self.scrape(port)[2])
        self.assertFalse([k for k in s if ("pipeline", "dropme") in k[1]])
        self.assertEqual(sample(s, "sluiced_runs_total", pipeline="change", result="success"), 2)
        self.assertEqual(sample(s, "sluiced_runs_in_progress", pipeline="change"), 0)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())
        self.assertEqual(len(d.named("run_started", "change")), 2)

    def test_invalid_reload_keeps_old_running(self):
        cfg = self.config("p.yaml", pipeline_yaml("fast", self.server.url("/fast"), self.path("fast.ndjson")))
        d = self.start(cfg)
        d.wait_event("run_finished", "fast", count=2)
        self.write("p.yaml", "pipelines:\n  fast:\n    schedule: { every: nope }\n")
        d.signal(signal.SIGHUP)
        failed = d.wait_event("config_reload_failed")
        n = len(d.named("run_finished", "fast"))
        d.wait_event("run_finished", "fast", count=n + 3, timeout=3)
        self.assertGreater(d.named("run_finished", "fast")[-1]["_t"], failed["_t"])
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0, d.stderr())

    def test_empty_configuration_idles_until_a_reload(self):
        sock = self.notify_socket()
        os.makedirs(self.path("conf"))
        # WATCHDOG_PID names another process: the watchdog is not ours to pet.
        d = self.start(self.path("conf"),
                       env={"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "100000", "WATCHDOG_PID": "1"})
        warn = d.wait_event("no_pipelines")
        self.assertEqual(warn["level"], "warn")
        ready = sock.wait_for(lambda m: "READY=1" in m)
        self.assertIn("STATUS=0 pipelines, idle", ready)
        time.sleep(0.3)
        self.assertIsNone(d.proc.poll())
        self.assertNotIn("WATCHDOG=1", sock.texts())
        self.config("conf/p.yaml", pipeline_yaml("late", self.server.url("/fast"), self.path("late.ndjson")))
        d.signal(signal.SIGHUP)
        ev = d.wait_event("config_reloaded")
        self.assertEqual((ev["added"], ev["changed"], ev["removed"]), (["late"], [], []))
        d.wait_event("run_finished", "late", count=2)
        d.signal(signal.SIGINT)
        self.assertEqual(d.wait(10), 0, d.stderr())
        d.wait_event("shutdown_finished")

    # ---- start-up failures --------------------------------------------------

    def test_metrics_port_in_use_exits_1(self):
        sock = self.notify_socket()
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        self.addCleanup(busy.close)
        port = busy.getsockname()[1]
        cfg = self.config("p.yaml", pipeline_yaml("fast", self.server.url("/fast"), self.path("fast.ndjson")))
        d = self.start("--metrics-listen", "127.0.0.1:%d" % port, cfg, env={"NOTIFY_SOCKET": sock.path})
        self.assertEqual(d.wait(10), 1, d.stderr())
        self.assertIn("address already in use", d.stderr())
        self.assertIn("127.0.0.1:%d" % port, d.stderr())
        self.assertEqual(d.named("run_started"), [])
        time.sleep(0.1)
        self.assertFalse(any("READY=1" in m for m in sock.texts()))

    def test_configuration_error_exits_2(self):
        cfg = self.write("p.yaml", """
            pipelines:
              nosched:
                source: { http: { url: "http://127.0.0.1:1/" } }
                sink: { stdout: {} }
        """)
        d = self.start(cfg)
        self.assertEqual(d.wait(10), 2, d.stderr())
        self.assertRegex(d.stderr(), r"p\.yaml:\d+:\d+: error: ")

    def test_usage_errors(self):
        cfg = self.config("p.yaml", pipeline_yaml("fast", self.server.url("/fast"), self.path("fast.ndjson")))
        for args in (["--metrics-listen", "nonsense"], ["--shutdown-timeout", "soon"], ["--pipeline", "nope"]):
            r = self.sluiced("run", *args, cfg)
            self.assertEqual(r.rc, 2, (args, r))
            self.assertIn("sluiced: error:", r.stderr)

    def test_pipeline_option_selects(self):
        cfg = self.config("p.yaml",
                          pipeline_yaml("one", self.server.url("/fast"), self.path("one.ndjson")),
                          pipeline_yaml("two", self.server.url("/fast"), self.path("two.ndjson")))
        d = self.start("--pipeline", "two", cfg)
        d.wait_event("run_finished", "two", count=2)
        self.assertEqual(d.named("run_finished", "one"), [])
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(10), 0)


def sample_version(samples):
    for name, labels in samples:
        if name == "sluiced_build_info":
            return dict(labels)["version"]
    return None


if __name__ == "__main__":
    unittest.main()
