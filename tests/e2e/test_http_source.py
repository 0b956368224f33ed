#!/usr/bin/env python3
"""The HTTP source through the real binary (spec §4, §5.4, §9, §10): retries
and Retry-After, timeouts, decoding, max_body, redirects, request building,
auth, secrets in every output, `records`, strict JSON, NDJSON, concurrency
of pipelines and TLS.

Every test serves scripted replies from a loopback server and runs
`sluiced run --once` (json logs) on a pipeline written as JSON (which is YAML).
"""
import email.utils
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServedTest, free_port  # noqa: E402
from http_server import Reply, redirect  # noqa: E402

JSON = [("Content-Type", "application/json")]


class TimedRequests(list):
    """srv.requests that stamps each request with its arrival (monotonic)."""

    def append(self, rec):
        rec.arrived = time.monotonic()
        super().append(rec)


class HttpTest(ServedTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.requests = TimedRequests()

    def setUp(self):
        super().setUp()
        self.server.clear_requests()

    def route(self, *replies, suffix=""):
        """Serves `replies` at a path of this test; returns its path."""
        path = self.prefix + suffix
        self.server.route(path, *replies)
        return path

    def url(self, *replies, suffix="", query=""):
        return self.server.url(self.route(*replies, suffix=suffix) + query)

    def reqs(self, path=None):
        return [r for r in self.server.requests if path is None or r.path.split("?")[0] == path]

    def pipeline(self, http, name="p", sink=None, extra=None, file="p.yaml", more=None):
        """Writes a config with pipeline `name` (http: the source's map); returns its path.
        The sink defaults to an append file NAME.ndjson in the temp dir."""
        http = dict(http)
        http.setdefault("retry", {"attempts": 1})
        pipe = {"source": {"http": http},
                "sink": sink or {"file": {"path": self.path(name + ".ndjson")}}}
        pipe.update(extra or {})
        pipes = {name: pipe}
        pipes.update(more or {})
        p = self.path(file)
        with open(p, "w") as f:
            json.dump({"pipelines": pipes}, f, indent=1, ensure_ascii=False)
        return p

    def run_ok(self, http, **kw):
        r = self.run_once(self.pipeline(http, **kw))
        self.assertEqual(r.rc, 0, r)
        return r

    def run_fail(self, http, name="p", **kw):
        r = self.run_once(self.pipeline(http, name=name, **kw))
        self.assertEqual(r.rc, 1, r)
        f = r.event("run_failed", name)
        self.assertEqual(f["level"], "error")
        self.assertEqual(r.events_named("run_finished"), [], r)
        return r, f

    def out(self, name="p"):
        p = self.path(name + ".ndjson")
        return self.read(name + ".ndjson") if os.path.exists(p) else None

    def records(self, name="p"):
        return [json.loads(line) for line in self.read(name + ".ndjson").splitlines()]

    def assert_nothing_written(self, name="p"):
        self.assertIn(self.out(name), (None, ""), "a failed run wrote records")

    def assert_no_leak(self, r, *secrets):
        for s in secrets:
            self.assertNotIn(s, r.stdout, f"secret {s!r} leaked to stdout")
            self.assertNotIn(s, r.stderr, f"secret {s!r} leaked to stderr")


# ---------------------------------------------------------------- retries --

class RetryTest(HttpTest):
    def test_503_then_200_is_retried(self):
        u = self.url(Reply(503), Reply(200, JSON, '[{"id":1}]'))
        r = self.run_ok({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
        self.assertEqual(len(self.server.requests), 2)
        ev = r.event("request_retry", "p")
        self.assertEqual(ev["level"], "warn")
        self.assertEqual(ev.get("status"), 503)
        self.assertEqual(self.records(), [{"id": 1}])
        fin = r.event("run_finished", "p")
        self.assertEqual((fin["http_status"], fin["records_in"], fin["records_out"]), (200, 1, 1))

    def test_429_retry_after_seconds_is_honoured(self):
        u = self.url(Reply(429, [("Retry-After", "1")]), Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "30s"}})
        a, b = self.server.requests
        gap = b.arrived - a.arrived
        self.assertGreaterEqual(gap, 0.9)
        self.assertLess(gap, 1.8)
        self.assertEqual(self.records(), [1])

    def test_retry_after_http_date_is_relative_to_the_servers_date(self):
        # The server's clock is 20 years behind: an absolute Retry-After one
        # second after its Date means one second, not "long past".
        base = 1000000000  # 2001-09-09
        date = email.utils.formatdate(base, usegmt=True)
        ra = email.utils.formatdate(base + 1, usegmt=True)
        u = self.url(Reply(503, [("Date", date), ("Retry-After", ra)]), Reply(200, JSON, "[2]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "30s"}})
        a, b = self.server.requests
        gap = b.arrived - a.arrived
        self.assertGreaterEqual(gap, 0.8)
        self.assertLess(gap, 1.8)

    def test_retry_after_http_date_in_the_future_by_the_servers_date(self):
        # The server's clock is ahead by a day: Retry-After = its Date + 1 s.
        base = int(time.time()) + 86400
        u = self.url(Reply(503, [("Date", email.utils.formatdate(base, usegmt=True)),
                                 ("Retry-After", email.utils.formatdate(base + 1, usegmt=True))]),
                     Reply(200, JSON, "[2]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "30s"}})
        a, b = self.server.requests
        self.assertGreaterEqual(b.arrived - a.arrived, 0.8)
        self.assertLess(b.arrived - a.arrived, 1.8)

    def test_retry_after_http_date_without_date_header_uses_the_local_clock(self):
        ra = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: 1..2 s ahead
        u = self.url(Reply(503, [("Date", None), ("Retry-After", ra)]), Reply(200, JSON, "[2]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "30s"}})
        a, b = self.server.requests
        self.assertGreaterEqual(b.arrived - a.arrived, 0.7)
        self.assertLess(b.arrived - a.arrived, 2.8)

    def test_post_body_is_sent_again_on_retry(self):
        u = self.url(Reply(502), Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "method": "POST", "body": '{"q":1}', "retry": {"attempts": 2, "backoff": "10ms"}})
        self.assertEqual([(r.method, r.body) for r in self.server.requests], [("POST", b'{"q":1}')] * 2)

    def test_retry_after_zero_retries_at_once(self):
        u = self.url(Reply(429, [("Retry-After", "0")]), Reply(200, JSON, "[2]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10s", "max_backoff": "10s"}})
        a, b = self.server.requests
        self.assertLess(b.arrived - a.arrived, 0.5)

    def test_retry_after_http_date_in_the_past_retries_at_once(self):
        base = 1000000000
        u = self.url(Reply(503, [("Date", email.utils.formatdate(base, usegmt=True)),
                                 ("Retry-After", email.utils.formatdate(base - 60, usegmt=True))]),
                     Reply(200, JSON, "[2]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10s", "max_backoff": "10s"}})
        a, b = self.server.requests
        self.assertLess(b.arrived - a.arrived, 0.5)

    def test_unparsable_retry_after_falls_back_to_backoff(self):
        for i, value in enumerate(["soon", "1.5", "-1", "Tue, 99 Foo 2024 xx:yy:zz GMT", "0x10"]):
            with self.subTest(value=value):
                self.server.clear_requests()
                u = self.url(Reply(503, [("Retry-After", value)]), Reply(200, JSON, "[3]"), suffix=str(i))
                r = self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "200ms", "max_backoff": "200ms"}},
                                name="p%d" % i)
                a, b = self.server.requests
                self.assertLess(b.arrived - a.arrived, 0.7)
                ev = r.event("request_retry")
                self.assertLessEqual(ev["wait_ms"], 200)
                self.assertNotEqual(ev.get("retry_after"), True, ev)

    def test_retry_after_is_capped_at_max_backoff(self):
        u = self.url(Reply(429, [("Retry-After", "100")]), Reply(200, JSON, "[4]"))
        t0 = time.monotonic()
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "300ms"}})
        self.assertLess(time.monotonic() - t0, 5)
        a, b = self.server.requests
        self.assertGreaterEqual(b.arrived - a.arrived, 0.25)
        self.assertLess(b.arrived - a.arrived, 0.8)

    def test_retry_after_http_date_is_capped_at_max_backoff(self):
        base = 1000000000
        u = self.url(Reply(429, [("Date", email.utils.formatdate(base, usegmt=True)),
                                 ("Retry-After", email.utils.formatdate(base + 3600, usegmt=True))]),
                     Reply(200, JSON, "[4]"))
        self.run_ok({"url": u, "retry": {"attempts": 2, "backoff": "10ms", "max_backoff": "300ms"}})
        a, b = self.server.requests
        self.assertLess(b.arrived - a.arrived, 0.8)

    def test_attempts_exhausted_fails_with_the_last_status(self):
        u = self.url(Reply(503), Reply(502), Reply(500, body="boom"))
        r, f = self.run_fail({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(len(r.events_named("request_retry")), 2)
        self.assertEqual(f["http_status"], 500)
        self.assertIn("500", f["error"])
        self.assert_nothing_written()

    def test_default_attempts_is_three(self):
        u = self.url(Reply(503))
        cfg = self.pipeline({"url": u})
        with open(cfg) as fh:
            c = json.load(fh)
        c["pipelines"]["p"]["source"]["http"]["retry"] = {"backoff": "10ms"}
        with open(cfg, "w") as fh:
            json.dump(c, fh)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(len(self.server.requests), 3)

    def test_404_is_not_retried(self):
        u = self.url(Reply(404, body="nope"), Reply(200, JSON, "[1]"))
        r, f = self.run_fail({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(r.events_named("request_retry"), [])
        self.assertEqual(f["http_status"], 404)
        self.assertIn("404", f["error"])
        self.assert_nothing_written()

    def test_other_4xx_not_retried_but_429_is(self):
        for i, code in enumerate([400, 401, 403, 410, 422]):
            with self.subTest(code=code):
                self.server.clear_requests()
                u = self.url(Reply(code), Reply(200, JSON, "[1]"), suffix=str(i))
                r, f = self.run_fail({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
                self.assertEqual(len(self.server.requests), 1)
                self.assertEqual(f["http_status"], code)

    def test_connection_refused_is_retried_then_fails(self):
        u = "http://127.0.0.1:%d/x" % free_port()
        r, f = self.run_fail({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
        retries = r.events_named("request_retry")
        self.assertEqual([e["attempt"] for e in retries], [1, 2])
        self.assertIn("refused", f["error"].lower())
        self.assertEqual(f["http_status"], 0)
        self.assert_nothing_written()

    def test_non_2xx_final_status_fails_even_3xx_without_location(self):
        u = self.url(Reply(304), Reply(200, JSON, "[1]"))
        r, f = self.run_fail({"url": u})
        self.assert_nothing_written()


# ---------------------------------------------------------------- timeout --

class TimeoutTest(HttpTest):
    def test_slow_body_past_timeout_fails(self):
        u = self.url(Reply(200, JSON, "[1]", delay=3))
        t0 = time.monotonic()
        r, f = self.run_fail({"url": u, "timeout": "500ms"})
        self.assertLess(time.monotonic() - t0, 2.5)
        self.assertRegex(f["error"].lower(), r"time(d)? ?out")
        self.assert_nothing_written()

    def test_slow_headers_past_timeout_fails(self):
        u = self.url(Reply(200, JSON, "[1]", header_delay=3))
        t0 = time.monotonic()
        r, f = self.run_fail({"url": u, "timeout": "500ms"})
        self.assertLess(time.monotonic() - t0, 2.5)
        self.assertRegex(f["error"].lower(), r"time(d)? ?out")

    def test_timeout_is_retried(self):
        u = self.url(Reply(200, JSON, "[1]", header_delay=2), Reply(200, JSON, "[5]"))
        r = self.run_ok({"url": u, "timeout": "300ms", "retry": {"attempts": 2, "backoff": "10ms"}})
        self.assertEqual(len(self.server.requests), 2)
        self.assertEqual(self.records(), [5])
        self.assertEqual(len(r.events_named("request_retry")), 1)


# --------------------------------------------------------- decoding, size --

class DecodingTest(HttpTest):
    BODY = json.dumps([{"id": i, "name": "record number %d" % i} for i in range(200)])

    def test_compressed_bodies_are_decoded_and_bytes_count_decoded(self):
        for enc in ["gzip", "deflate", "raw-deflate", None]:
            with self.subTest(encoding=enc):
                u = self.url(Reply(200, JSON, self.BODY, encoding=enc), suffix=str(enc))
                name = "p" + (enc or "plain").replace("-", "")
                r = self.run_ok({"url": u}, name=name)
                self.assertEqual(self.records(name), json.loads(self.BODY))
                fin = r.event("run_finished", name)
                self.assertEqual(fin["bytes"], len(self.BODY.encode()))
                self.assertEqual(fin["records_in"], 200)

    def test_chunked_body(self):
        u = self.url(Reply(200, JSON, self.BODY, chunked=True, drip=(1000, 0)))
        r = self.run_ok({"url": u})
        self.assertEqual(len(self.records()), 200)
        self.assertEqual(r.event("run_finished")["bytes"], len(self.BODY))

    def test_max_body_counts_decoded_bytes(self):
        body = "[" + ",".join(["0"] * 5000) + "]"  # 10001 bytes, gzips to ~60
        u = self.url(Reply(200, JSON, body, encoding="gzip"))
        with open(self.path("p.ndjson"), "w") as fh:
            fh.write('{"old":1}\n')
        r, f = self.run_fail({"url": u, "max_body": "1KiB"})
        self.assertRegex(f["error"].lower(), r"max_body|too large|body")
        self.assertEqual(self.out(), '{"old":1}\n')

    def test_max_body_exact_limit(self):
        body = '["' + "a" * 96 + '"]'  # 100 bytes
        self.assertEqual(len(body), 100)
        for i, (limit, ok) in enumerate([(100, True), (99, False)]):
            with self.subTest(limit=limit):
                u = self.url(Reply(200, JSON, body, encoding="gzip"), suffix=str(i))
                r = self.run_once(self.pipeline({"url": u, "max_body": str(limit)}, name="p%d" % i))
                self.assertEqual(r.rc, 0 if ok else 1, r)
                if ok:
                    self.assertEqual(self.records("p%d" % i), ["a" * 96])
                    self.assertEqual(r.event("run_finished")["bytes"], 100)
                else:
                    self.assert_nothing_written("p%d" % i)


# -------------------------------------------------------------- redirects --

class RedirectTest(HttpTest):
    def test_relative_and_absolute_redirects_are_followed(self):
        final = self.route(Reply(200, JSON, '[{"ok":true}]'), suffix="-final")
        absolute = self.route(redirect(self.server.url(final), 301), suffix="-abs")
        rel = self.route(redirect(absolute, 302), suffix="-rel")
        r = self.run_ok({"url": self.server.url(rel)})
        self.assertEqual(self.records(), [{"ok": True}])
        self.assertEqual([q.path for q in self.server.requests], [rel, absolute, final])
        self.assertEqual(r.events_named("request_retry"), [])

    def test_relative_redirect_without_leading_slash_and_303_307_308(self):
        for i, code in enumerate([303, 307, 308]):
            with self.subTest(code=code):
                base = self.id().rsplit(".", 1)[-1]
                self.route(Reply(200, JSON, "[%d]" % code), suffix="-t%d" % i)
                u = self.url(redirect(base + "-t%d" % i, code), suffix="-s%d" % i)
                self.run_ok({"url": u}, name="p%d" % i)
                self.assertEqual(self.records("p%d" % i), [code])

    def chain(self, n):
        """n redirects then a 200; returns the first URL."""
        base = self.id().rsplit(".", 1)[-1]
        self.route(Reply(200, JSON, "[7]"), suffix="-%d-%d" % (n, n))
        for i in range(n):
            self.route(redirect("/%s-%d-%d" % (base, n, i + 1)), suffix="-%d-%d" % (n, i))
        return self.server.url("/%s-%d-0" % (base, n))

    def test_five_redirects_are_followed(self):
        self.run_ok({"url": self.chain(5)})
        self.assertEqual(self.records(), [7])
        self.assertEqual(len(self.server.requests), 6)

    def test_six_redirects_are_too_many(self):
        r, f = self.run_fail({"url": self.chain(6), "retry": {"attempts": 3, "backoff": "10ms"}})
        self.assertIn("too many redirects", f["error"].lower())
        self.assertEqual(len(self.server.requests), 6)  # not retried
        self.assertEqual(r.events_named("request_retry"), [])
        self.assert_nothing_written()

    def test_redirect_to_other_schemes_is_refused(self):
        for i, target in enumerate(["ftp://127.0.0.1/x.json", "file:///etc/hostname", "gopher://127.0.0.1/x"]):
            with self.subTest(target=target):
                self.server.clear_requests()
                u = self.url(redirect(target), suffix=str(i))
                r, f = self.run_fail({"url": u, "retry": {"attempts": 2, "backoff": "10ms"}}, name="p%d" % i)
                self.assertEqual(len(self.server.requests), 1)
                self.assert_nothing_written("p%d" % i)
                self.assertNotIn("Traceback", r.stderr)


# ----------------------------------------------------------- request build --

class RequestTest(HttpTest):
    def test_post_body_with_default_content_type(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "method": "POST", "body": '{"q": "x"}'})
        (req,) = self.server.requests
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.body, b'{"q": "x"}')
        self.assertEqual(req.header("Content-Type"), "application/json")

    def test_put_body_with_user_content_type(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "method": "PUT", "body": "a=1&b=2",
                     "headers": {"content-type": "application/x-www-form-urlencoded"}})
        (req,) = self.server.requests
        self.assertEqual(req.method, "PUT")
        self.assertEqual(req.body, b"a=1&b=2")
        ctypes = [v for k, v in req.headers if k.lower() == "content-type"]
        self.assertEqual(ctypes, ["application/x-www-form-urlencoded"])

    def test_get_sends_no_body_and_user_headers(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "headers": {"Accept": "application/json", "X-Custom": "a b; c=\"d\""}})
        (req,) = self.server.requests
        self.assertEqual(req.method, "GET")
        self.assertEqual(req.body, b"")
        self.assertEqual(req.header("X-Custom"), 'a b; c="d"')
        self.assertEqual(req.header("Accept"), "application/json")

    def test_query_params_are_url_encoded(self):
        q = {"q": "a b&c=d", "u": "é€😀", "plus": "1+1", "slash": "a/b?#", "empty": ""}
        u = self.url(Reply(200, JSON, "[1]"), query="?fixed=1")
        self.run_ok({"url": u, "query": q})
        (req,) = self.server.requests
        path, _, qs = req.path.partition("?")
        got = urllib.parse.parse_qsl(qs, keep_blank_values=True, strict_parsing=True)
        self.assertEqual(dict(got), {"fixed": "1", **q})
        self.assertEqual(got[0], ("fixed", "1"))
        self.assertNotIn(" ", req.path)
        self.assertTrue(all(ord(c) < 128 for c in req.path), req.path)

    def test_expr_values_in_query_and_headers(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u,
                     "query": {"since": {"expr": "format_time(1700000000)"}, "n": {"expr": "1 + 2"}},
                     "headers": {"X-Since": {"expr": "format_time(1700000000)"},
                                 "X-Up": {"expr": "upper(\"abc\")"}}})
        (req,) = self.server.requests
        qs = dict(urllib.parse.parse_qsl(req.path.partition("?")[2]))
        self.assertEqual(qs, {"since": "2023-11-14T22:13:20Z", "n": "3"})
        self.assertEqual(req.header("X-Since"), "2023-11-14T22:13:20Z")
        self.assertEqual(req.header("X-Up"), "ABC")

    def test_expr_now_is_evaluated_at_run_time(self):
        u = self.url(Reply(200, JSON, "[1]"))
        t0 = time.time()
        self.run_ok({"url": u, "query": {"t": {"expr": "floor(now())"}}})
        (req,) = self.server.requests
        t = int(dict(urllib.parse.parse_qsl(req.path.partition("?")[2]))["t"])
        self.assertLessEqual(abs(t - t0), 5)


# ------------------------------------------------------- auth and secrets --

class AuthTest(HttpTest):
    TOKEN = "tok-SECRET-8f3a1c"
    PASSWORD = "pw-SECRET-77b2"
    USERINFO_PW = "ui-SECRET-c0ffee"
    API_KEY = "key-SECRET-deadbeef"

    def all_secrets(self, r):
        self.assert_no_leak(r, self.TOKEN, self.PASSWORD, self.USERINFO_PW, self.API_KEY)

    def test_bearer_auth(self):
        u = self.url(Reply(200, JSON, "[1]"))
        r = self.run_ok({"url": u, "auth": {"bearer": self.TOKEN}})
        self.assertEqual(self.server.requests[0].header("Authorization"), "Bearer " + self.TOKEN)
        self.all_secrets(r)

    def test_bearer_from_environment(self):
        u = self.url(Reply(200, JSON, "[1]"))
        cfg = self.pipeline({"url": u, "auth": {"bearer": "${SLUICED_E2E_TOKEN}"}})
        r = self.run_once(cfg, env={"SLUICED_E2E_TOKEN": self.TOKEN})
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.server.requests[0].header("Authorization"), "Bearer " + self.TOKEN)
        self.all_secrets(r)

    def test_basic_auth(self):
        import base64
        u = self.url(Reply(200, JSON, "[1]"))
        r = self.run_ok({"url": u, "auth": {"basic": {"user": "alice", "password": self.PASSWORD}}})
        want = "Basic " + base64.b64encode(("alice:" + self.PASSWORD).encode()).decode()
        self.assertEqual(self.server.requests[0].header("Authorization"), want)
        self.all_secrets(r)

    def test_url_userinfo_is_basic_auth(self):
        import base64
        path = self.route(Reply(200, JSON, "[1]"))
        u = "http://bob:%s@127.0.0.1:%d%s" % (self.USERINFO_PW, self.server.port, path)
        r = self.run_ok({"url": u})
        want = "Basic " + base64.b64encode(("bob:" + self.USERINFO_PW).encode()).decode()
        self.assertEqual(self.server.requests[0].header("Authorization"), want)
        self.all_secrets(r)

    def test_failing_url_with_secrets_is_redacted(self):
        # Connection refused: the error and retry events carry the URL.
        u = "http://user:%s@127.0.0.1:%d/x?api_key=%s&token=%s" % (self.USERINFO_PW, free_port(),
                                                                   self.API_KEY, self.TOKEN)
        r, f = self.run_fail({"url": u, "retry": {"attempts": 2, "backoff": "10ms"}})
        self.all_secrets(r)
        r = self.sluiced("run", "--once", "--log-format", "text", self.path("p.yaml"))
        self.assertEqual(r.rc, 1, r)
        self.all_secrets(r)

    def test_http_error_with_secrets_is_redacted(self):
        path = self.route(Reply(500, body="err " + self.API_KEY))
        u = "http://user:%s@127.0.0.1:%d%s?api_key=%s" % (self.USERINFO_PW, self.server.port, path, self.API_KEY)
        r, f = self.run_fail({"url": u, "auth": {"bearer": self.TOKEN},
                              "retry": {"attempts": 2, "backoff": "10ms"}})
        self.assertEqual(self.server.requests[0].path, path + "?api_key=" + self.API_KEY)
        self.all_secrets(r)

    def test_query_and_header_secrets_are_redacted(self):
        u = self.url(Reply(503), Reply(404))
        r, f = self.run_fail({"url": u, "query": {"api_key": self.API_KEY, "Session_Id": self.TOKEN},
                              "headers": {"X-Api-Key": self.PASSWORD},
                              "retry": {"attempts": 2, "backoff": "10ms"}},
                             extra={})
        self.assertIn(self.API_KEY, self.server.requests[0].path)
        self.assertEqual(self.server.requests[0].header("X-Api-Key"), self.PASSWORD)
        self.all_secrets(r)
        r = self.sluiced("run", "--once", "--log-format", "json", "--log-level", "debug", self.path("p.yaml"))
        self.all_secrets(r)

    def test_redirect_target_with_secrets_is_redacted(self):
        target = "ftp://u:%s@127.0.0.1/x?api_key=%s" % (self.USERINFO_PW, self.API_KEY)
        u = self.url(redirect(target))
        r, f = self.run_fail({"url": u})
        self.all_secrets(r)

    def test_redirect_with_secrets_then_404_is_redacted(self):
        target = self.route(Reply(404), suffix="-t")
        u = self.url(redirect("http://u:%s@127.0.0.1:%d%s?api_key=%s&x_token=%s"
                              % (self.USERINFO_PW, self.server.port, target, self.API_KEY, self.TOKEN)))
        r, f = self.run_fail({"url": u})
        self.assertEqual(len(self.server.requests), 2)
        self.all_secrets(r)

    def test_tap_hides_secrets(self):
        u = "http://user:%s@127.0.0.1:%d/x?api_key=%s" % (self.USERINFO_PW, free_port(), self.API_KEY)
        cfg = self.pipeline({"url": u, "auth": {"bearer": self.TOKEN}, "retry": {"attempts": 1}})
        r = self.sluiced("tap", "p", cfg)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn(r.rc, (1, 2), r)
        self.all_secrets(r)

    def test_timeout_error_with_secrets_is_redacted(self):
        path = self.route(Reply(200, JSON, "[1]", header_delay=2))
        u = "http://u:%s@127.0.0.1:%d%s?api_key=%s" % (self.USERINFO_PW, self.server.port, path, self.API_KEY)
        r, f = self.run_fail({"url": u, "timeout": "300ms"})
        self.all_secrets(r)

    def test_check_output_hides_secrets(self):
        u = "https://user:%s@api.example.com/v1?api_key=%s&page=1" % (self.USERINFO_PW, self.API_KEY)
        cfg = self.pipeline({"url": u, "auth": {"bearer": self.TOKEN},
                             "query": {"access_token": self.PASSWORD}},
                            extra={"schedule": {"every": "1m"}})
        r = self.sluiced("check", cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("api.example.com", r.stdout + r.stderr)
        self.all_secrets(r)
        r = self.sluiced("check", "--once", cfg)
        self.all_secrets(r)

    def test_check_error_output_hides_secrets(self):
        u = "https://user:%s@api.example.com/v1?api_key=%s" % (self.USERINFO_PW, self.API_KEY)
        cfg = self.pipeline({"url": u, "auth": {"bearer": self.TOKEN}, "bogus_key": 1})
        r = self.sluiced("check", "--once", cfg)
        self.assertEqual(r.rc, 2, r)
        self.all_secrets(r)


# ----------------------------------------------------------------- records --

class RecordsTest(HttpTest):
    def case(self, body, records=None, fmt=None, i=0):
        http = {"url": self.url(Reply(200, JSON, body), suffix=str(i))}
        if records is not None:
            http["records"] = records
        if fmt:
            http["format"] = fmt
        return self.run_once(self.pipeline(http, name="p%d" % i))

    def test_records_path_cases(self):
        cases = [
            ('{"data":{"items":[{"a":1},{"a":2}]}}', ".data.items", [{"a": 1}, {"a": 2}], False),
            ('{"data":{"items":{"a":1}}}', ".data.items", [{"a": 1}], False),
            ('{"data":{"items":[]}}', ".data.items", [], False),
            ('{"data":{}}', ".data.items", [], True),
            ('{"data":{"items":null}}', ".data.items", [], True),
            ('{"data":5}', ".data.items", [], True),  # indexing a number gives null
            ('[{"x":[1,2]}]', ".[0].x", [1, 2], False),
            ('{"items":[[1],null,"s"]}', ".items", [[1], None, "s"], False),
        ]
        for i, (body, path, want, missing) in enumerate(cases):
            with self.subTest(body=body, records=path):
                r = self.case(body, path, i=i)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(self.records("p%d" % i), want)
                ms = r.events_named("records_missing")
                self.assertEqual(len(ms), 1 if missing else 0, r)
                if missing:
                    self.assertEqual(ms[0]["level"], "warn")
                fin = r.event("run_finished")
                self.assertEqual((fin["records_in"], fin["records_out"]), (len(want), len(want)))

    def test_records_path_to_a_scalar_fails(self):
        for i, body in enumerate(['{"d":"str"}', '{"d":5}', '{"d":true}', '{"d":false}', '{"d":0}']):
            with self.subTest(body=body):
                with open(self.path("p%d.ndjson" % i), "w") as fh:
                    fh.write('{"old":1}\n')
                r = self.case(body, ".d", i=i)
                self.assertEqual(r.rc, 1, r)
                r.event("run_failed")
                self.assertEqual(self.out("p%d" % i), '{"old":1}\n')

    def test_no_records_path(self):
        cases = [('[{"a":1},2,"x",null,[3]]', [{"a": 1}, 2, "x", None, [3]]),
                 ('[]', []),
                 ('{"a":[1,2]}', [{"a": [1, 2]}]),
                 ('{}', [{}]),
                 ('"just a string"', ["just a string"]),
                 ('42', [42]),
                 ('true', [True]),
                 ('false', [False]),
                 (' null ', [])]
        for i, (body, want) in enumerate(cases):
            with self.subTest(body=body):
                r = self.case(body, i=i)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(self.out("p%d" % i), "".join(json.dumps(w, separators=(",", ":")) + "\n"
                                                               for w in want))
                self.assertEqual(r.event("run_finished")["records_in"], len(want))
                self.assertEqual(r.events_named("records_missing"), [])

    def test_format_json_explicit(self):
        r = self.case('[{"a":1}]', fmt="json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.records("p0"), [{"a": 1}])


# ------------------------------------------------------------ strict JSON --

class StrictJsonTest(HttpTest):
    BAD = [
        ("trailing comma", '[{"a":1},]'),
        ("trailing comma in object", '[{"a":1,}]'),
        ("text after the value", '[{"a":1}] x'),
        ("second value", '[1] [2]'),
        ("leading zero", '[{"a":01}]'),
        ("comment", '[1 /* c */]'),
        ("single quotes", "['a']"),
        ("lone high surrogate", '[{"a":"\\uD800"}]'),
        ("lone low surrogate", '[{"a":"\\uDC00x"}]'),
        ("reversed pair", '[{"a":"\\uDC00\\uD800"}]'),
        ("NaN", '[NaN]'),
        ("empty body", ''),
        ("control char in string", '["a\tb"]'),
        ("bad escape", '["\\x41"]'),
        ("unclosed", '[{"a":1}'),
        ("plus sign", '[+1]'),
        ("dot without digits", '[1.]'),
    ]
    BAD_BYTES = [
        ("invalid UTF-8 byte", b'[{"a":"\xff"}]'),
        ("overlong encoding", b'[{"a":"\xc0\xaf"}]'),
        ("encoded surrogate", b'[{"a":"\xed\xa0\x80"}]'),
        ("truncated sequence", b'[{"a":"\xe2\x82"}]'),
        ("invalid UTF-8 in a key", b'[{"\xfe":1}]'),
        ("invalid UTF-8 in a record no stage reads", b'{"items":[1],"other":"\x80"}'),
        ("BOM", b'\xef\xbb\xbf[1]'),
    ]

    def test_invalid_json_fails_and_append_file_is_unchanged(self):
        cases = [(n, b.encode()) for n, b in self.BAD] + self.BAD_BYTES
        for i, (name, body) in enumerate(cases):
            with self.subTest(name):
                with open(self.path("p%d.ndjson" % i), "w") as fh:
                    fh.write('{"old":1}\n')
                http = {"url": self.url(Reply(200, JSON, body), suffix=str(i))}
                if name.startswith("invalid UTF-8 in a record"):
                    http["records"] = ".items"
                r = self.run_once(self.pipeline(http, name="p%d" % i))
                self.assertEqual(r.rc, 1, r)
                r.event("run_failed")
                self.assertEqual(self.out("p%d" % i), '{"old":1}\n')

    def test_valid_edge_cases(self):
        cases = [
            ('[1e400]', '1e400\n'),
            ('[{"n":-1E-400,"m":1e400}]', '{"n":-1E-400,"m":1e400}\n'),
            ('[{"n":12345678901234567890123,"f":1.10}]', '{"n":12345678901234567890123,"f":1.10}\n'),
            ('[ {"s" : "\\u00e9\\ud83d\\ude00\\/"} ]', '{"s":"\\u00e9\\ud83d\\ude00\\/"}\n'),
            ('[{"a":1,"a":2,"b":3}]', '{"a":2,"b":3}\n'),
            ('\r\n\t [-0, 0e0]\n', '-0\n0e0\n'),
        ]
        for i, (body, want) in enumerate(cases):
            with self.subTest(body=body):
                r = self.run_once(self.pipeline({"url": self.url(Reply(200, JSON, body), suffix=str(i))},
                                                name="p%d" % i))
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(self.out("p%d" % i), want)

    def test_huge_number_arithmetic_is_a_record_error(self):
        u = self.url(Reply(200, JSON, '[{"n":1e400},{"n":2}]'))
        r = self.run_ok({"url": u}, extra={"stages": [{"map": {"n": ".n", "m": ".n + 1"}}]})
        self.assertEqual(self.out(), '{"n":2,"m":3}\n')
        fin = r.event("run_finished")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (2, 1, 1))


# ----------------------------------------------------------------- ndjson --

class NdjsonTest(HttpTest):
    BODY = b'{"id":1}\r\n\n{"id":2,}\r\n   \n{"id":3}\n[4]\n"\x01"\n{"bad": "\\uD800"}\r\n{"id":5}'

    def test_bad_lines_are_record_errors_and_the_rest_goes_on(self):
        u = self.url(Reply(200, [("Content-Type", "application/x-ndjson")], self.BODY))
        r = self.run_ok({"url": u, "format": "ndjson"},
                        extra={"dead_letter": {"file": {"path": self.path("dl.ndjson")}}})
        self.assertEqual(self.out(), '{"id":1}\n{"id":3}\n[4]\n{"id":5}\n')
        fin = r.event("run_finished")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (7, 4, 3))
        fails = r.events_named("record_failed")
        self.assertTrue(fails and all(e["level"] == "warn" for e in fails), r)
        with open(self.path("dl.ndjson"), "rb") as fh:
            dl_raw = fh.read().decode("utf-8")
        dl = [json.loads(line) for line in dl_raw.splitlines()]
        self.assertEqual([list(d) for d in dl], [["pipeline", "stage", "line", "error", "record"]] * 3)
        self.assertEqual([(d["pipeline"], d["stage"], d["line"]) for d in dl], [("p", None, 3), ("p", None, 7),
                                                                                ("p", None, 8)])
        self.assertEqual(dl[0]["record"], '{"id":2,}')
        self.assertEqual(dl[2]["record"], '{"bad": "\\uD800"}')
        self.assertEqual(dl[1]["record"], '"\x01"')
        self.assertTrue(all(isinstance(d["error"], str) and d["error"] for d in dl))
        # Exact bytes of the first one.
        first = dl_raw.splitlines()[0]
        self.assertEqual(first, '{"pipeline":"p","stage":null,"line":3,"error":%s,"record":"{\\"id\\":2,}"}'
                         % json.dumps(dl[0]["error"], ensure_ascii=False))

    def test_invalid_utf8_line_dead_letter_is_valid_utf8(self):
        # §6.4: invalid UTF-8 in input is never copied through; §5.4 puts the
        # line's text as a JSON string in `record`, which must be UTF-8.
        u = self.url(Reply(200, JSON, b'{"id":1}\n{"s":"a\xffb"}\n{"id":3}\n'))
        r = self.run_ok({"url": u, "format": "ndjson"},
                        extra={"dead_letter": {"file": {"path": self.path("dl.ndjson")}}})
        self.assertEqual(self.out(), '{"id":1}\n{"id":3}\n')
        with open(self.path("dl.ndjson"), "rb") as fh:
            raw = fh.read()
        self.assertNotIn(b"\xff", raw)
        (d,) = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
        self.assertEqual(d["line"], 2)

    def test_on_error_fail_writes_nothing(self):
        u = self.url(Reply(200, JSON, b'{"id":1}\n{"id":2\n{"id":3}\n'))
        with open(self.path("p.ndjson"), "w") as fh:
            fh.write('{"old":1}\n')
        r, f = self.run_fail({"url": u, "format": "ndjson"},
                             extra={"on_error": "fail", "dead_letter": {"file": {"path": self.path("dl.ndjson")}}})
        self.assertEqual(self.out(), '{"old":1}\n')
        self.assertIn("2", f["error"])  # names the line
        if os.path.exists(self.path("dl.ndjson")):
            self.assertEqual(self.read("dl.ndjson"), "")

    def test_ndjson_valid_lines_of_every_type(self):
        u = self.url(Reply(200, JSON, b'1\n"s"\nnull\ntrue\n[]\n{}\n\n  \t \n1e400\n'))
        r = self.run_ok({"url": u, "format": "ndjson"})
        self.assertEqual(self.out(), '1\n"s"\nnull\ntrue\n[]\n{}\n1e400\n')
        self.assertEqual(r.event("run_finished")["records_in"], 7)

    def test_ndjson_empty_body(self):
        u = self.url(Reply(200, JSON, b"\n\r\n"))
        r = self.run_ok({"url": u, "format": "ndjson"})
        self.assertEqual(r.event("run_finished")["records_in"], 0)
        self.assertEqual(self.out(), "")

    def test_ndjson_line_with_two_values_is_an_error(self):
        u = self.url(Reply(200, JSON, b'{"a":1} {"b":2}\n{"c":3}\n'))
        r = self.run_ok({"url": u, "format": "ndjson"},
                        extra={"dead_letter": {"file": {"path": self.path("dl.ndjson")}}})
        self.assertEqual(self.out(), '{"c":3}\n')
        (d,) = self.lines("dl.ndjson")
        self.assertEqual((d["line"], d["record"]), (1, '{"a":1} {"b":2}'))


# ------------------------------------------------------------ concurrency --

class ValidatedBeforeUseTest(HttpTest):
    """Spec §4: a response is validated in full before any record of it is
    used. Runs that can stream each page in one pass (check, decode, stages)
    must keep every effect of the records pending until the page and the
    run are known good: no record_failed event, no dead letter and no output
    for a response that turns out invalid or a run that fails later."""

    STAGES = [{"map": {"n": "to_number(.a)"}}]

    def body(self, n, bad_at=(), tail=""):
        recs = ['{"a":"x"}' if i in bad_at else '{"a":"%d"}' % i for i in range(n)]
        return "[" + ",".join(recs) + tail + "]"

    def config(self, http, on_error="drop"):
        extra = {"stages": self.STAGES, "on_error": on_error,
                 "dead_letter": {"file": {"path": self.path("dl.ndjson")}}}
        return self.pipeline(http, extra=extra)

    def test_invalid_tail_after_record_errors_reports_only_the_json_error(self):
        body = self.body(300, bad_at=(0, 1), tail=",")  # trailing comma at the very end
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}))
        self.assertEqual(r.rc, 1, r)
        f = r.event("run_failed")
        self.assertEqual(f["error"], "response is not valid JSON: invalid JSON at byte %d: expected a value"
                         % (len(body) - 1))
        self.assertEqual(r.events_named("record_failed"), [], r)
        self.assertEqual(f["records_failed"], 0)
        self.assert_nothing_written()
        self.assertFalse(os.path.exists(self.path("dl.ndjson")) and self.read("dl.ndjson"))

    def test_on_error_fail_with_an_invalid_tail_reports_the_json_error(self):
        body = self.body(50, bad_at=(3,)) + " x"
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}, on_error="fail"))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.event("run_failed")["error"],
                         "response is not valid JSON: invalid JSON at byte %d: unexpected text after the value"
                         % (len(body) - 1))
        self.assertEqual(r.events_named("record_failed"), [], r)
        self.assert_nothing_written()

    def test_on_error_fail_counts_every_record_and_logs_the_one_error(self):
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, self.body(40, bad_at=(2, 5))))},
                                      on_error="fail"))
        self.assertEqual(r.rc, 1, r)
        f = r.event("run_failed")
        self.assertTrue(f["error"].startswith("record error at stage 0: "), f)
        self.assertEqual((f["records_in"], f["records_out"], f["records_failed"]), (40, 0, 1))
        ev = r.event("record_failed")
        self.assertEqual(ev["stage"], 0)
        self.assert_nothing_written()

    def test_record_errors_then_a_failing_page_log_no_record_event(self):
        for fmt in ("json", "ndjson"):
            with self.subTest(fmt=fmt):
                self.server.clear_requests()
                page1 = (self.body(5, bad_at=(1,)) if fmt == "json"
                         else '{"a":"x"}\nnot json\n{"a":"2"}\n')
                url = self.url(Reply(200, JSON, page1), Reply(500, JSON, "{}"), suffix=fmt)
                http = {"url": url, "format": fmt, "paginate": {"page": {"param": "page"}}}
                r = self.run_once(self.config(http))
                self.assertEqual(r.rc, 1, r)
                self.assertEqual(r.event("run_failed")["error"], "HTTP status 500")
                self.assertEqual(r.events_named("record_failed"), [], r)
                self.assert_nothing_written()
                self.assertFalse(os.path.exists(self.path("dl.ndjson")) and self.read("dl.ndjson"))

    def test_record_errors_across_pages_are_logged_in_input_order_once_the_batch_is_good(self):
        page1 = self.body(4, bad_at=(0, 2))
        page2 = self.body(3, bad_at=(1,))
        url = self.url(Reply(200, JSON, page1), Reply(200, JSON, page2), Reply(200, JSON, "[]"))
        r = self.run_once(self.config({"url": url, "paginate": {"page": {"param": "page"}}}))
        self.assertEqual(r.rc, 0, r)
        fin = r.event("run_finished")
        self.assertEqual((fin["pages"], fin["records_in"], fin["records_out"], fin["records_failed"]), (3, 7, 4, 3))
        self.assertEqual([e["stage"] for e in r.events_named("record_failed")], [0, 0, 0])
        self.assertEqual([json.loads(l)["n"] for l in self.out().splitlines()], [1, 3, 0, 2])
        dls = [json.loads(l) for l in self.read("dl.ndjson").splitlines()]
        self.assertEqual([d["record"] for d in dls], [{"a": "x"}] * 3)

    def test_more_than_five_record_errors_are_summarised(self):
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, self.body(20, bad_at=range(0, 20, 2))))}))
        self.assertEqual(r.rc, 0, r)
        evs = r.events_named("record_failed")
        self.assertEqual(len(evs), 6, r)
        self.assertEqual(evs[-1]["suppressed"], 5)
        self.assertEqual(r.event("run_finished")["records_failed"], 10)


class BigPageTest(HttpTest):
    """Pages of 4 MiB or more are split over two threads (run/page_stream.h):
    the output, counts, dead letters and errors are exact, as for small
    pages (issue 6)."""

    N = 140_000

    def recs(self, bad=lambda i: i % 9973 == 7):
        # about 130 bytes a record; `s` holds "},{" to mislead the split guess
        return [{"id": i, "a": "x" if bad(i) else str(i), "s": "q},{%d" % i,
                 "o": {"k": [1, {"z": i % 3}]}, "pad": "p" * 60} for i in range(self.N)]

    def config(self, http, on_error="drop"):
        extra = {"stages": [{"map": {"id": ".id", "n": "to_number(.a)"}}], "on_error": on_error,
                 "dead_letter": {"file": {"path": self.path("dl.ndjson")}}}
        return self.pipeline(http, extra=extra)

    def expected(self, recs, bad=lambda i: i % 9973 == 7):
        return "".join('{"id":%d,"n":%d}\n' % (i, i) for i in range(len(recs)) if not bad(i))

    def test_big_json_page(self):
        recs = self.recs()
        body = json.dumps(recs, separators=(",", ":"))
        self.assertGreater(len(body), 16 << 20)
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.out(), self.expected(recs))
        fin = r.event("run_finished")
        bad = [i for i in range(self.N) if i % 9973 == 7]
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]),
                         (self.N, self.N - len(bad), len(bad)))
        dls = [json.loads(l) for l in self.read("dl.ndjson").splitlines()]
        self.assertEqual([d["record"]["id"] for d in dls], bad)

    def test_big_gzip_page_decodes_past_its_content_length(self):
        # The body buffer is reserved from Content-Length (compressed, over
        # 16 MiB) and grows past it while the decoded body arrives.
        import random
        rnd = random.Random(6)
        recs = [{"id": i, "h": "%064x" % rnd.getrandbits(256)} for i in range(420_000)]
        body = json.dumps(recs, separators=(",", ":"))
        import gzip
        self.assertGreater(len(gzip.compress(body.encode())), 16 << 20)
        u = self.url(Reply(200, JSON, body, encoding="gzip"))
        r = self.run_once(self.pipeline({"url": u}, extra={"stages": [{"map": {"id": ".id", "h": ".h"}}]}))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.event("run_finished")["bytes"], len(body))
        self.assertEqual(self.out(), "".join(json.dumps(x, separators=(",", ":")) + "\n" for x in recs))

    def test_big_json_page_invalid_at_the_end_fails_with_the_exact_error(self):
        body = json.dumps(self.recs(), separators=(",", ":"))[:-1] + ",]"
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.event("run_failed")["error"],
                         "response is not valid JSON: invalid JSON at byte %d: expected a value" % (len(body) - 1))
        self.assertEqual(r.events_named("record_failed"), [], r)
        self.assert_nothing_written()

    def test_big_json_page_invalid_utf8_anywhere_wins(self):
        # A JSON error early and invalid UTF-8 late: the UTF-8 error is the
        # one reported, as for a small page (the whole text is checked first).
        body = json.dumps(self.recs(), separators=(",", ":")).encode()
        body = body[:100] + b"!" + body[101:-200] + b"\xff" + body[-199:]
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.event("run_failed")["error"],
                         "response is not valid JSON: invalid UTF-8 at byte %d" % (len(body) - 200))

    def test_big_json_page_on_error_fail_in_the_second_half(self):
        bad = lambda i: i == self.N - 10  # noqa: E731
        body = json.dumps(self.recs(bad), separators=(",", ":"))
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body))}, on_error="fail"))
        self.assertEqual(r.rc, 1, r)
        f = r.event("run_failed")
        self.assertTrue(f["error"].startswith("record error at stage 0: "), f)
        self.assertEqual((f["records_in"], f["records_failed"]), (self.N, 1))
        self.assert_nothing_written()

    def test_big_ndjson_page_numbers_lines_across_the_split(self):
        lines = [json.dumps(x, separators=(",", ":")) for x in self.recs(lambda i: False)]
        bad_lines = {7, self.N // 2 + 3, self.N - 1}
        for i in bad_lines:
            lines[i - 1] = "not json %d" % i
        body = "\n".join(lines) + "\n"
        r = self.run_once(self.config({"url": self.url(Reply(200, JSON, body)), "format": "ndjson"}))
        self.assertEqual(r.rc, 0, r)
        dls = [json.loads(l) for l in self.read("dl.ndjson").splitlines()]
        self.assertEqual([(d["line"], d["record"]) for d in dls],
                         [(i, "not json %d" % i) for i in sorted(bad_lines)])
        self.assertEqual(len(self.out().splitlines()), self.N - len(bad_lines))
        self.assertEqual(r.event("run_finished")["records_in"], self.N)


class ConcurrencyTest(HttpTest):
    def test_two_pipelines_run_concurrently(self):
        ua = self.url(Reply(200, JSON, "[1]", header_delay=1), suffix="a")
        ub = self.url(Reply(200, JSON, "[2]", header_delay=1), suffix="b")
        more = {"q": {"source": {"http": {"url": ub, "retry": {"attempts": 1}}},
                      "sink": {"file": {"path": self.path("q.ndjson")}}}}
        t0 = time.monotonic()
        r = self.run_once(self.pipeline({"url": ua}, more=more))
        took = time.monotonic() - t0
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.records("p"), [1])
        self.assertEqual(self.records("q"), [2])
        self.assertLess(took, 1.8, "pipelines ran one after the other")
        self.assertEqual(len(r.events_named("run_finished")), 2)

    def test_one_failing_pipeline_does_not_stop_the_other(self):
        ua = self.url(Reply(500), suffix="a")
        ub = self.url(Reply(200, JSON, "[2]"), suffix="b")
        more = {"q": {"source": {"http": {"url": ub, "retry": {"attempts": 1}}},
                      "sink": {"file": {"path": self.path("q.ndjson")}}}}
        r = self.run_once(self.pipeline({"url": ua}, more=more))
        self.assertEqual(r.rc, 1, r)
        r.event("run_failed", "p")
        r.event("run_finished", "q")
        self.assertEqual(self.records("q"), [2])


# -------------------------------------------------------------------- TLS --

CERT_DIR = None


def make_cert():
    global CERT_DIR
    if CERT_DIR is None:
        import tempfile
        CERT_DIR = tempfile.mkdtemp(prefix="sluiced-tls-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2",
                        "-keyout", os.path.join(CERT_DIR, "key.pem"), "-out", os.path.join(CERT_DIR, "cert.pem")],
                       check=True, capture_output=True)
    return os.path.join(CERT_DIR, "cert.pem"), os.path.join(CERT_DIR, "key.pem")


@unittest.skipUnless(shutil.which("openssl"), "openssl not installed")
class TlsTest(HttpTest):
    @classmethod
    def setUpClass(cls):
        cls.server_tls = make_cert()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(CERT_DIR, True)

    def test_self_signed_is_refused_by_default_and_not_retried(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.assertTrue(u.startswith("https://"))
        r, f = self.run_fail({"url": u, "retry": {"attempts": 3, "backoff": "10ms"}})
        self.assertIn("certificate", f["error"].lower())
        self.assertEqual(r.events_named("request_retry"), [])
        self.assert_nothing_written()

    def test_ca_file_accepts(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "tls": {"ca_file": self.server_tls[0]}})
        self.assertEqual(self.records(), [1])
        self.assertEqual(len(self.server.requests), 1)

    def test_verify_false_accepts(self):
        u = self.url(Reply(200, JSON, "[1]"))
        self.run_ok({"url": u, "tls": {"verify": False}})
        self.assertEqual(self.records(), [1])

    def test_http_url_to_tls_server_fails_cleanly(self):
        path = self.route(Reply(200, JSON, "[1]"))
        r, f = self.run_fail({"url": "http://127.0.0.1:%d%s" % (self.server.port, path), "timeout": "2s"})
        self.assert_nothing_written()


if __name__ == "__main__":
    unittest.main()
