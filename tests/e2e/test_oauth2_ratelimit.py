#!/usr/bin/env python3
"""Rate limits (spec §4.3) and OAuth2 client credentials (spec §4.4) through
the real binary, against a loopback API and token endpoint.

Rate limits are checked with the server-side arrival times of the requests
(with a tolerance); OAuth2 with the token requests the server recorded.
"""
import base64
import json
import os
import signal
import subprocess
import sys
import time
import unittest
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, ServedTest  # noqa: E402
from http_server import Reply  # noqa: E402

JSON = [("Content-Type", "application/json")]
SECRET = "s3cr3t-Client-Secret"
TOKENS = ("tok-AAA-111", "tok-BBB-222", "tok-CCC-333")


def page(records, nxt=None):
    d = {"data": records}
    if nxt:
        d["next"] = nxt
    return json.dumps(d, separators=(",", ":"))


class Base(ServedTest):
    def p(self, path):
        return self.prefix + path

    def url(self, path):
        return self.server.url(self.p(path))

    def reqs(self, path=None):
        """This test's recorded requests (optionally only those to `path`, query ignored)."""
        out = [r for r in self.server.requests if r.path.startswith(self.prefix)]
        if path is not None:
            out = [r for r in out if r.path.split("?")[0] == self.p(path)]
        return out

    def chain(self, n, prefix="/pg", first=None):
        """Routes an n-page next_url chain /pg1 ... /pgN (one record each)."""
        for i in range(1, n + 1):
            replies = [Reply(200, JSON, page([{"id": i}], f"{prefix[1:]}{i + 1}" if i < n else None))]
            if first and i in first:
                replies = first[i] + replies
            self.server.route(self.p(f"{prefix}{i}"), *replies)
        return self.url(f"{prefix}1")

    def pipeline(self, url, http_extra, name="p", schedule=None):
        text = (
            "pipelines:\n"
            f"  {name}:\n"
            + (f"    schedule: {schedule}\n" if schedule else "")
            + "    source:\n"
            "      http:\n"
            f"        url: \"{url}\"\n"
            "        records: .data\n"
            "        paginate: { next_url: .next }\n"
            + "".join(f"        {l}\n" for l in http_extra.strip("\n").splitlines() if l.strip())
            + "    sink: { stdout: {} }\n"
        )
        return self.write(name + ".yaml", text)


class RateLimitTest(Base):
    def gaps(self, rs):
        return [round(b.time - a.time, 3) for a, b in zip(rs, rs[1:])]

    def test_token_bucket_over_six_pages(self):
        url = self.chain(6)
        r = self.run_once(self.pipeline(url, "rate_limit: { requests: 2, per: 1s }"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, "".join('{"id":%d}\n' % i for i in range(1, 7)))
        rs = self.reqs()
        self.assertEqual([q.path for q in rs], [self.p(f"/pg{i}") for i in range(1, 7)])
        g = self.gaps(rs)
        # A burst of 2, then one request every 0.5 s.
        self.assertLess(g[0], 0.3, g)
        for x in g[1:]:
            self.assertGreaterEqual(x, 0.45, g)
            self.assertLess(x, 0.9, g)
        total = rs[-1].time - rs[0].time
        self.assertGreaterEqual(total, 1.95, g)
        self.assertLess(total, 2.8, g)

    def test_retries_count_for_the_rate_limit(self):
        url = self.chain(6, first={2: [Reply(503, [("Retry-After", "0")], "busy")]})
        r = self.run_once(self.pipeline(url, "rate_limit: { requests: 2, per: 1s }\n"
                                             "retry: { attempts: 3, backoff: 1ms, max_backoff: 1ms }"))
        self.assertEqual(r.rc, 0, r)
        rs = self.reqs()
        self.assertEqual([q.path for q in rs], [self.p(x) for x in ("/pg1", "/pg2", "/pg2", "/pg3", "/pg4", "/pg5", "/pg6")])
        g = self.gaps(rs)
        self.assertLess(g[0], 0.3, g)
        for x in g[1:]:  # the retry of /pg2 waits for a token too
            self.assertGreaterEqual(x, 0.45, g)
        self.assertGreaterEqual(rs[-1].time - rs[0].time, 2.45, g)
        self.assertEqual(r.event("run_finished")["pages"], 6)

    def test_a_wait_for_the_rate_limit_is_not_a_timeout(self):
        url = self.chain(3)
        r = self.run_once(self.pipeline(url, "rate_limit: { requests: 1, per: 600ms }\ntimeout: 250ms"))
        self.assertEqual(r.rc, 0, r)
        rs = self.reqs()
        self.assertEqual(len(rs), 3)
        for x in self.gaps(rs):
            self.assertGreaterEqual(x, 0.55)

    def test_without_rate_limit_requests_are_not_limited(self):
        url = self.chain(6)
        r = self.run_once(self.pipeline(url, ""))
        self.assertEqual(r.rc, 0, r)
        rs = self.reqs()
        self.assertEqual(len(rs), 6)
        self.assertLess(rs[-1].time - rs[0].time, 0.45)


    def daemon(self, cfg, until, timeout=10, env=None):
        """Runs `sluiced run CFG` until `until()` is true (or timeout), then SIGTERM; returns (stdout, stderr)."""
        e = dict(os.environ, **(env or {}))
        e.pop("JOURNAL_STREAM", None)
        proc = subprocess.Popen([BIN, "run", "--log-format", "json", "--log-level", "debug", cfg],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, text=True)
        try:
            deadline = time.monotonic() + timeout
            while not until() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=20)
        return out, err

    def test_the_bucket_is_per_pipeline_and_lasts_across_runs(self):
        # Runs every 100ms, one request per 800ms: later runs wait for the
        # bucket the earlier ones emptied.
        self.server.route(self.p("/a"), Reply(200, JSON, page([{"id": 1}])))
        self.server.route(self.p("/b"), Reply(200, JSON, page([{"id": 2}])))
        text = "pipelines:\n"
        for n in ("a", "b"):
            text += (f"  {n}:\n    schedule: {{ every: 100ms }}\n"
                     f"    source: {{ http: {{ url: \"{self.url('/' + n)}\", rate_limit: {{ requests: 1, per: 800ms }} }} }}\n"
                     "    sink: { stdout: {} }\n")
        cfg = self.write("ab.yaml", text)
        _, err = self.daemon(cfg, lambda: len(self.reqs("/a")) >= 3)
        a, b = self.reqs("/a"), self.reqs("/b")
        self.assertGreaterEqual(len(a), 3, err)
        self.assertGreaterEqual(len(b), 2, err)
        # the two pipelines start together: separate buckets
        self.assertLess(abs(a[0].time - b[0].time), 0.3)
        for rs in (a, b):
            g = self.gaps(rs)
            for x in g:
                self.assertGreaterEqual(x, 0.75, g)


class OAuth2Test(Base):
    secrets = (SECRET,) + TOKENS

    def setUp(self):
        super().setUp()
        self.issued = []

    def token_endpoint(self, path="/token", tokens=TOKENS, expires_in=3600):
        """A token endpoint issuing `tokens` in order (the last repeats)."""
        def answer(rec):
            tok = tokens[min(len(self.issued), len(tokens) - 1)]
            self.issued.append(tok)
            return Reply(200, JSON, json.dumps({"access_token": tok, "token_type": "Bearer", "expires_in": expires_in}))
        self.server.route(self.p(path), answer)
        return self.url(path)

    def api(self, n, accept, unauthorized_once=()):
        """An n-page API answering 401 unless `Authorization: Bearer <accept(i)>`;
        pages in `unauthorized_once` answer 401 to their first request."""
        seen = set()

        def make(i):
            def answer(rec):
                want = "Bearer " + accept(i)
                if i in unauthorized_once and i not in seen:
                    seen.add(i)
                    return Reply(401, JSON, '{"error":"expired"}')
                if rec.header("Authorization") != want:
                    return Reply(401, JSON, '{"error":"bad token"}')
                return Reply(200, JSON, page([{"id": i}], f"pg{i + 1}" if i < n else None))
            return answer

        for i in range(1, n + 1):
            self.server.route(self.p(f"/pg{i}"), make(i))
        return self.url("/pg1")

    def oauth(self, token_url, extra=""):
        return ("auth:\n"
                "  oauth2:\n"
                f"    token_url: \"{token_url}\"\n"
                "    client_id: my-client\n"
                "    client_secret: \"${CLIENT_SECRET}\"\n"
                + "".join(f"    {l}\n" for l in extra.strip("\n").splitlines() if l.strip()))

    def run_p(self, cfg, **kw):
        return self.run_once(cfg, env={"CLIENT_SECRET": SECRET}, extra=("--log-level", "debug"), **kw)

    def form(self, rec):
        return parse_qs(rec.body.decode(), keep_blank_values=True)

    def test_client_credentials_grant_with_basic_auth_scope_and_audience(self):
        tu = self.token_endpoint()
        url = self.api(3, lambda i: TOKENS[0])
        cfg = self.pipeline(url, self.oauth(tu, "scopes: [read:orders, write]\naudience: https://api.example.com/x?y=1")
                            + 'query: { limit: "1" }')
        r = self.run_p(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, '{"id":1}\n{"id":2}\n{"id":3}\n')
        toks = self.reqs("/token")
        self.assertEqual(len(toks), 1)  # cached for the run
        t = toks[0]
        self.assertEqual(t.method, "POST")
        self.assertEqual(t.header("Authorization"), "Basic " + base64.b64encode(f"my-client:{SECRET}".encode()).decode())
        self.assertTrue(t.header("Content-Type").startswith("application/x-www-form-urlencoded"), t.headers)
        self.assertEqual(self.form(t), {"grant_type": ["client_credentials"], "scope": ["read:orders write"],
                                        "audience": ["https://api.example.com/x?y=1"]})
        # The token request comes first, then every page with the token.
        self.assertEqual([q.path for q in self.reqs()],
                         [self.p("/token"), self.p("/pg1?limit=1"), self.p("/pg2"), self.p("/pg3")])
        for q in self.reqs("/pg1") + self.reqs("/pg2") + self.reqs("/pg3"):
            self.assertEqual(q.header("Authorization"), "Bearer " + TOKENS[0])

    def test_no_scope_or_audience_when_not_set(self):
        tu = self.token_endpoint()
        url = self.api(1, lambda i: TOKENS[0])
        r = self.run_p(self.pipeline(url, self.oauth(tu)))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.form(self.reqs("/token")[0]), {"grant_type": ["client_credentials"]})

    def test_client_id_and_secret_are_form_encoded_before_basic(self):
        # RFC 6749 §2.3.1: application/x-www-form-urlencoded, then HTTP Basic.
        tu = self.token_endpoint()
        url = self.api(1, lambda i: TOKENS[0])
        cfg = self.write("p.yaml", f"""
            pipelines:
              p:
                source:
                  http:
                    url: "{url}"
                    records: .data
                    auth: {{ oauth2: {{ token_url: "{tu}", client_id: "my client", client_secret: "a:b/c@d" }} }}
                sink: {{ stdout: {{}} }}
            """)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 0, r)
        basic = self.reqs("/token")[0].header("Authorization")
        self.assertEqual(base64.b64decode(basic.split(" ", 1)[1]).decode(), "my+client:a%3Ab%2Fc%40d")

    def test_401_refreshes_the_token_once_and_repeats_the_request(self):
        tu = self.token_endpoint()
        # Page 2 rejects the first token once: a new token is fetched and page 2 repeated with it.
        url = self.api(3, lambda i: TOKENS[0] if i == 1 else TOKENS[1], unauthorized_once={2})
        cfg = self.pipeline(url, self.oauth(tu) + "retry: { attempts: 1 }")
        r = self.run_p(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, '{"id":1}\n{"id":2}\n{"id":3}\n')
        self.assertEqual([q.path for q in self.reqs()],
                         [self.p(x) for x in ("/token", "/pg1", "/pg2", "/token", "/pg2", "/pg3")])
        self.assertEqual([q.header("Authorization") for q in self.reqs("/pg2")],
                         ["Bearer " + TOKENS[0], "Bearer " + TOKENS[1]])
        self.assertEqual(self.reqs("/pg3")[0].header("Authorization"), "Bearer " + TOKENS[1])
        fin = r.event("run_finished")
        self.assertEqual(fin["pages"], 3)
        self.assertEqual(r.events_named("request_retry"), [])

    def test_a_second_401_fails_the_run(self):
        tu = self.token_endpoint()
        url = self.api(2, lambda i: "never")
        r = self.run_p(self.pipeline(url, self.oauth(tu) + "retry: { attempts: 3, backoff: 1ms }"))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual([q.path for q in self.reqs()], [self.p(x) for x in ("/token", "/pg1", "/token", "/pg1")])
        self.assertIn("401", r.event("run_failed")["error"])
        self.assertEqual(r.stdout, "")

    def test_refresh_and_repeat_count_for_the_rate_limit(self):
        tu = self.token_endpoint()
        url = self.api(1, lambda i: TOKENS[1], unauthorized_once={1})
        r = self.run_p(self.pipeline(url, self.oauth(tu) + "rate_limit: { requests: 1, per: 400ms }"))
        self.assertEqual(r.rc, 0, r)
        rs = self.reqs()
        self.assertEqual([q.path for q in rs], [self.p(x) for x in ("/token", "/pg1", "/token", "/pg1")])
        g = [b.time - a.time for a, b in zip(rs, rs[1:])]
        for x in g:
            self.assertGreaterEqual(x, 0.35, g)

    def test_token_endpoint_failure_fails_the_run(self):
        for status, attempts in ((401, 1), (400, 1), (500, 2)):
            with self.subTest(status=status):
                self.server.clear_requests()
                self.server.route(self.p(f"/t{status}"), Reply(status, JSON, '{"error":"invalid_client"}'))
                url = self.api(1, lambda i: TOKENS[0])
                cfg = self.pipeline(url, self.oauth(self.url(f"/t{status}"))
                                    + "retry: { attempts: 2, backoff: 1ms, max_backoff: 1ms }")
                r = self.run_p(cfg)
                self.assertEqual(r.rc, 1, r)
                self.assertEqual(r.stdout, "")
                self.assertEqual([q.path for q in self.reqs()], [self.p(f"/t{status}")] * attempts)
                err = r.event("run_failed", "p")["error"]
                self.assertIn("token", err)
                self.assertIn(str(status), err)

    def test_token_response_without_access_token_fails(self):
        for name, text in (("none", '{"token_type":"Bearer"}'), ("empty", '{"access_token":""}'),
                           ("notjson", "access_token=x"), ("array", "[]")):
            with self.subTest(name=name):
                self.server.route(self.p(f"/t-{name}"), Reply(200, JSON, text))
                url = self.api(1, lambda i: TOKENS[0])
                r = self.run_p(self.pipeline(url, self.oauth(self.url(f"/t-{name}"))))
                self.assertEqual(r.rc, 1, r)
                self.assertIn("token", r.event("run_failed")["error"])
                self.assertEqual(self.reqs("/pg1"), [])

    def test_secrets_and_tokens_never_reach_logs(self):
        # Debug logging, retries of the token request and of a page, a
        # refresh after 401, and failures: nothing of secret or tokens.
        calls = []

        def token(rec):
            calls.append(rec)
            if len(calls) == 1:
                return Reply(503, [("Retry-After", "0")], f"oops {SECRET}")
            return Reply(200, JSON, json.dumps({"access_token": TOKENS[len(calls) - 2], "expires_in": 60}))
        self.server.route(self.p("/token"), token)
        self.server.route(self.p("/pg1"), Reply(401, JSON, "{}"),
                          Reply(503, [("Retry-After", "0")], "{}"),
                          Reply(200, JSON, page([{"id": 1}], f"pg2?access_token={TOKENS[1]}")))
        self.server.route(self.p("/pg2"), Reply(500, JSON, "{}"))
        cfg = self.pipeline(self.url("/pg1"), self.oauth(self.url("/token"), "scopes: [a]")
                            + "retry: { attempts: 2, backoff: 1ms, max_backoff: 1ms }")
        r = self.run_p(cfg)  # the harness asserts no secret in stderr
        self.assertEqual(r.rc, 1, r)
        retries = r.events_named("request_retry")
        self.assertGreaterEqual(len(retries), 2)
        self.assertIn("access_token=***", retries[-1]["url"])
        for s in self.secrets:
            self.assertNotIn(s, r.stdout)
        r = self.sluiced("check", cfg, env={"CLIENT_SECRET": SECRET})
        self.assertEqual(r.rc, 2, r)  # no schedule: an error, but still no secret in the output
        self.assertNotIn(SECRET, r.stdout)
        r = self.sluiced("check", "--once", cfg, env={"CLIENT_SECRET": SECRET})
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn(SECRET, r.stdout)

    def test_token_cached_per_pipeline(self):
        # Two pipelines with the same token endpoint: a token each.
        tu = self.token_endpoint()
        self.server.route(self.p("/x"), Reply(200, JSON, page([{"id": 1}])))
        self.server.route(self.p("/y"), Reply(200, JSON, page([{"id": 2}])))
        text = "pipelines:\n"
        for n in ("x", "y"):
            text += (f"  {n}:\n    source:\n      http:\n        url: \"{self.url('/' + n)}\"\n"
                     + "".join("        " + l + "\n" for l in self.oauth(tu).splitlines())
                     + "    sink: { stdout: {} }\n")
        r = self.run_p(self.write("xy.yaml", text))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(self.reqs("/token")), 2)
        self.assertEqual(sorted(q.header("Authorization") for q in self.reqs("/x") + self.reqs("/y")),
                         sorted("Bearer " + t for t in TOKENS[:2]))

    def test_token_cached_per_pipeline_until_30s_before_expiry(self):
        # The daemon runs the pipeline every 200ms: a token with expires_in 3600
        # is fetched once; one with expires_in 20 (< 30 s) on every run.
        for expires_in, one_token in ((3600, True), (20, False)):
            with self.subTest(expires_in=expires_in):
                self.server.clear_requests()
                self.issued = []
                tu = self.token_endpoint(path=f"/token{expires_in}", expires_in=expires_in)
                self.server.route(self.p(f"/api{expires_in}"), Reply(200, JSON, page([{"id": 1}])))
                cfg = self.pipeline(self.url(f"/api{expires_in}"), self.oauth(tu), schedule="{ every: 200ms }")
                e = dict(os.environ, CLIENT_SECRET=SECRET)
                e.pop("JOURNAL_STREAM", None)
                proc = subprocess.Popen([BIN, "run", "--log-format", "json", "--log-level", "debug", cfg],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, text=True)
                try:
                    deadline = time.monotonic() + 10
                    while len(self.reqs(f"/api{expires_in}")) < 4 and time.monotonic() < deadline:
                        time.sleep(0.05)
                finally:
                    proc.send_signal(signal.SIGTERM)
                    out, err = proc.communicate(timeout=20)
                api = self.reqs(f"/api{expires_in}")
                toks = self.reqs(f"/token{expires_in}")
                self.assertGreaterEqual(len(api), 4, err)
                if one_token:
                    self.assertEqual(len(toks), 1, err)
                else:
                    self.assertEqual(len(toks), len(api), err)
                for s in self.secrets:
                    self.assertNotIn(s, err)
                    self.assertNotIn(s, out)


if __name__ == "__main__":
    unittest.main()
