#!/usr/bin/env python3
"""Secrets never reach the output (issue 7, spec §4.4, §10).

One configuration uses every kind of secret the spec names -- a bearer
token, a basic-auth user and password, URL userinfo, an `api_key` query
parameter, an `X-Api-Key` header, a Cookie, an Authorization header given
as a plain header, and an OAuth2 client secret whose token endpoint (on
loopback) hands out an access token that is a secret too -- with failures
that put URLs into error texts: redirect chains ending in 404 whose
Location headers carry userinfo and secret query parameters, a redirect
loop, a redirect to ftp://, connection refused, a 500 with retries, a
next-page link that loops, a next page that is not http(s), a 401 that
makes OAuth2 refresh, a token endpoint that fails.

That configuration goes through `run --once`, `check`, `check --once`,
`tap` (every pipeline), `test` (failing scripted cases that compare URLs,
headers and errors) and the daemon, each with `--log-format json` and
`text` where the command takes it, at `--log-level debug`; a broken
variant goes through `check` for its error messages. ALL of stdout and
stderr is scanned for every secret value, and for the base64 forms basic
auth sends; any hit fails.
"""
import base64
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, SluicedTest, free_port  # noqa: E402
from http_server import Reply, TestServer, redirect  # noqa: E402

SECRETS = {
    "BEARER": "tok-S3cr3t-bearer",
    "BASIC_USER": "usr-S3cr3t-basic",
    "BASIC_PW": "pw-S3cr3t-basic",
    "UI_USER": "usr-S3cr3t-userinfo",
    "UI_PW": "pw-S3cr3t-userinfo",
    "QKEY": "key-S3cr3t-query",
    "HKEY": "key-S3cr3t-header",
    "COOKIE": "ck-S3cr3t-cookie",
    "AUTHZ": "hdr-S3cr3t-authorization",
    "CLIENT_SECRET": "cs-S3cr3t-oauth",
    "FILE_TOKEN": "file-S3cr3t-token",
}
ACCESS_TOKEN = "at-S3cr3t-oauth"  # handed out by the loopback token endpoint
CLIENT_ID = "client-public-id"


class SecretsTest(SluicedTest):
    @classmethod
    def setUpClass(cls):
        cls.srv = TestServer().start()
        cls.port = cls.srv.port
        s = SECRETS
        base = "http://127.0.0.1:%d" % cls.port
        userinfo = "%s:%s@127.0.0.1:%d" % (s["UI_USER"], s["UI_PW"], cls.port)
        secret_q = "api_key=%s&token=%s&session=%s" % (s["QKEY"], s["BEARER"], s["COOKIE"])
        ok = Reply(200, [("Content-Type", "application/json")], b'[{"id":1}]')
        cls.srv.route("/token", Reply(200, [("Content-Type", "application/json")],
                                      '{"access_token":"%s","token_type":"bearer","expires_in":3600}' % ACCESS_TOKEN))
        cls.srv.route("/token-fails", Reply(401, [("WWW-Authenticate", "Basic")], b"no"))
        cls.srv.route("/r1", redirect("http://%s/r2?%s" % (userinfo, secret_q)))
        cls.srv.route("/r2", redirect("/gone?%s#frag" % secret_q, status=301))
        cls.srv.route("/loop", redirect("http://%s/loop?%s" % (userinfo, secret_q)))
        cls.srv.route("/to-ftp", redirect("ftp://%s/x?%s" % (userinfo, secret_q)))
        cls.srv.route("/500", Reply(500, [("Retry-After", "0")], b"oops"))
        cls.srv.route("/401", Reply(401, body=b"denied"))
        cls.srv.route("/page", Reply(200, [("Content-Type", "application/json"),
                                           ("Link", '<http://%s/page?%s>; rel="next"' % (userinfo, secret_q))],
                                     b'[{"id":1}]'))
        cls.srv.route("/next-ftp", Reply(200, [("Content-Type", "application/json")],
                                         '{"items":[{"id":1}],"next":"ftp://%s/n?%s"}' % (userinfo, secret_q)))
        cls.srv.route("/ok", ok)
        cls.base = base
        cls.userinfo = userinfo

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        super().setUp()
        self.env = dict(SECRETS)
        self.write("secret.txt", SECRETS["FILE_TOKEN"] + "\n")
        s = SECRETS
        self.needles = set(SECRETS.values()) | {ACCESS_TOKEN}
        for user, pw in ((s["BASIC_USER"], s["BASIC_PW"]), (s["UI_USER"], s["UI_PW"]), (CLIENT_ID, s["CLIENT_SECRET"])):
            self.needles.add(base64.b64encode(("%s:%s" % (user, pw)).encode()).decode())
        self.outputs = 0

    def config(self, schedule="{ every: 300ms }"):
        b, ui, refused = self.base, self.userinfo, free_port()
        out = self.path("out")
        headers = "{ X-Api-Key: \"${HKEY}\", Cookie: \"c=${COOKIE}\", Accept: application/json }"

        def pipe(name, source, extra=""):
            return f"""
  {name}:
    schedule: {schedule}
    source:
      http:
{source}
        retry: {{ attempts: 2, backoff: 10ms }}
        timeout: 3s
{extra}    sink: {{ file: {{ path: {out}/{name}.ndjson }} }}
"""
        text = "pipelines:" + "".join([
            pipe("bearer-redirects", f"""        url: "{b}/r1"
        auth: {{ bearer: "${{BEARER}}" }}
        query: {{ api_key: "${{QKEY}}" }}
        headers: {headers}"""),
            pipe("basic-refused", f"""        url: "http://127.0.0.1:{refused}/x?api_key=${{QKEY}}"
        auth: {{ basic: {{ user: "${{BASIC_USER}}", password: "${{BASIC_PW}}" }} }}"""),
            pipe("userinfo-500", f"""        url: "http://${{UI_USER}}:${{UI_PW}}@127.0.0.1:{self.port}/500?token=${{BEARER}}"
        headers: {{ Authorization: "Token ${{AUTHZ}}" }}"""),
            pipe("userinfo-refused", f"""        url: "http://${{UI_USER}}:${{UI_PW}}@127.0.0.1:{refused}/x" """),
            pipe("loop", f"""        url: "{b}/loop"
        query: {{ api_key: "${{QKEY}}" }}
        headers: {headers}"""),
            pipe("to-ftp", f"""        url: "{b}/to-ftp"
        auth: {{ bearer: "${{file:secret.txt}}" }}"""),
            pipe("link-loop", f"""        url: "{b}/page"
        query: {{ api_key: "${{QKEY}}" }}
        headers: {headers}
        paginate: {{ link_header: next }}"""),
            pipe("next-ftp", f"""        url: "{b}/next-ftp?api_key=${{QKEY}}"
        records: .items
        paginate: {{ next_url: .next }}"""),
            pipe("oauth-401", f"""        url: "{b}/401?api_key=${{QKEY}}"
        auth:
          oauth2:
            token_url: "{b}/token"
            client_id: {CLIENT_ID}
            client_secret: "${{CLIENT_SECRET}}"
            scopes: [read]"""),
            pipe("oauth-token-fails", f"""        url: "{b}/ok"
        auth:
          oauth2:
            token_url: "http://${{UI_USER}}:${{UI_PW}}@127.0.0.1:{self.port}/token-fails?client_secret=${{CLIENT_SECRET}}"
            client_id: {CLIENT_ID}
            client_secret: "${{CLIENT_SECRET}}" """),
            pipe("oauth-refused", f"""        url: "{b}/ok"
        auth:
          oauth2:
            token_url: "http://127.0.0.1:{refused}/token?client_secret=${{CLIENT_SECRET}}"
            client_id: {CLIENT_ID}
            client_secret: "${{CLIENT_SECRET}}" """),
            pipe("oauth-ok", f"""        url: "{b}/ok?api_key=${{QKEY}}"
        auth:
          oauth2:
            token_url: "{b}/token"
            client_id: {CLIENT_ID}
            client_secret: "${{CLIENT_SECRET}}" """),
        ])
        return self.write("secrets.yaml", text)

    def names(self):
        return ["bearer-redirects", "basic-refused", "userinfo-500", "userinfo-refused", "loop", "to-ftp",
                "link-loop", "next-ftp", "oauth-401", "oauth-token-fails", "oauth-refused", "oauth-ok"]

    def scan(self, what, *texts):
        self.outputs += 1
        for text in texts:
            for n in self.needles:
                if n in (text or ""):
                    i = text.index(n)
                    self.fail("secret %r leaked in %s:\n...%s..." % (n, what, text[max(0, i - 200):i + 100]))

    def sl(self, *args, timeout=60):
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        e.update(self.env)
        p = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, timeout=timeout, errors="replace")
        self.scan(" ".join(args), p.stdout, p.stderr)
        return p

    def test_run_once_check_tap(self):
        cfg = self.config()
        for fmt in ("json", "text"):
            p = self.sl("run", "--once", "--log-format", fmt, "--log-level", "debug", cfg)
            self.assertEqual(p.returncode, 1, p.stderr)
            if fmt == "json":
                # The failures happened (so their texts were scanned).
                ends = {}
                for line in p.stderr.splitlines():
                    e = json.loads(line)
                    if e.get("event") in ("run_finished", "run_failed"):
                        ends[e["pipeline"]] = e["event"]
                for name in self.names():
                    ev = "run_finished" if name in ("oauth-ok", "link-loop") else "run_failed"
                    self.assertEqual(ends.get(name), ev, name)
                self.assertIn("pagination_loop", p.stderr)
                self.assertIn("request_retry", p.stderr)
        for args in (["check"], ["check", "--once"], ["check", "--quiet"]):
            p = self.sl(*args, cfg)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for name in self.names():
            for fmt in ("json", "text"):
                self.sl("tap", "--log-format", fmt, "--log-level", "debug", name, cfg)
        self.assertTrue(os.path.exists(self.path("secret.txt")))

    BAD = {
        "bad-scheme": 'source: {{ http: {{ url: "ftp://${{UI_USER}}:${{UI_PW}}@host/x?api_key=${{QKEY}}" }} }}',
        "bad-auth": 'source: {{ http: {{ url: "http://127.0.0.1/", auth: {{ bearer: "${{BEARER}}", '
                    'basic: {{ user: u, password: "${{BASIC_PW}}" }} }} }} }}',
        "bad-oauth": 'source: {{ http: {{ url: "http://127.0.0.1/", auth: {{ oauth2: {{ token_url: '
                     '"file://${{UI_USER}}:${{UI_PW}}@x/t?client_secret=${{CLIENT_SECRET}}", client_id: a, '
                     'client_secret: "${{CLIENT_SECRET}}" }} }} }} }}',
        "unknown-key": 'source: {{ http: {{ url: "http://127.0.0.1/", auth: {{ bearr: "${{BEARER}}" }} }} }}',
    }

    def check_bad(self, name):
        """An invalid configuration: its error messages must not quote secrets."""
        bad = self.write(name + ".yaml", ("pipelines:\n  %s:\n    schedule: {{ every: 1s }}\n    %s\n"
                                          "    sink: {{ stdout: {{}} }}\n" % (name, self.BAD[name])).format())
        for args in (["check"], ["check", "--once"], ["run", "--once", "--log-format", "json"],
                     ["run", "--once", "--log-format", "text"], ["test"], ["tap", name]):
            p = self.sl(*args, bad)
            self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
            self.assertIn("error", p.stderr)

    def test_check_errors(self):
        for name in self.BAD:
            with self.subTest(name=name):
                self.check_bad(name)

    # An invalid URL in a configuration error is quoted redacted.
    def test_check_error_invalid_url_with_userinfo(self):
        self.BAD = dict(self.BAD, **{"bad-url": 'source: {{ http: {{ url: '
                                                '"http://${{UI_USER}}:${{UI_PW}}@/nohost?api_key=${{QKEY}}" }} }}'})
        self.check_bad("bad-url")

    def test_check_error_bad_port_with_userinfo(self):
        self.BAD = dict(self.BAD, **{"bad-port": 'source: {{ http: {{ url: "http://${{UI_USER}}:${{UI_PW}}'
                                                 '@127.0.0.1:99999/?api_key=${{QKEY}}" }} }}'})
        self.check_bad("bad-port")

    def test_test_command(self):
        s = SECRETS
        cfg = self.config()
        b = self.base
        tests = self.write("tests.yaml", f"""
            tests:
              - name: wrong url and headers
                pipeline: bearer-redirects
                responses:
                  - {{ status: 200, body: '[{{"id":1}}]' }}
                expect: [ {{ id: 2 }} ]
                expect_requests:
                  - url: "{b}/r1?api_key=wrong"
                    headers: {{ Authorization: "Bearer wrong", X-Api-Key: wrong, Cookie: "c=wrong" }}
              - name: expected error that does not come
                pipeline: userinfo-500
                responses:
                  - {{ status: 500 }}
                  - {{ status: 500 }}
                expect_error: "something else"
              - name: oauth
                pipeline: oauth-401
                responses:
                  - {{ status: 401 }}
                expect: []
              - name: redirect response
                pipeline: loop
                responses:
                  - {{ status: 302, headers: {{ Location: "http://{self.userinfo}/x?api_key=${{QKEY}}" }} }}
                expect: []
              - name: next page
                pipeline: link-loop
                responses:
                  - {{ status: 200, headers: {{ Link: '<http://{self.userinfo}/page?api_key=${{QKEY}}>; rel="next"' }}, body: '[]' }}
                  - {{ status: 500 }}
                expect: []
        """)
        p = self.sl("test", cfg, tests)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("FAIL wrong url and headers", p.stdout)
        self.assertTrue(s)

    # `sluiced test` prints an expect_requests url redacted.
    def test_test_command_expected_url_is_redacted(self):
        cfg = self.config()
        tests = self.write("tests.yaml", f"""
            tests:
              - name: expected url with a key
                pipeline: bearer-redirects
                responses: [ {{ status: 200, body: '[]' }} ]
                expect: []
                expect_requests:
                  - url: "{self.base}/r1?api_key=${{QKEY}}&x=1"
        """)
        p = self.sl("test", cfg, tests)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)

    def test_daemon_json_and_text(self):
        cfg = self.config(schedule="{ every: 300ms }")
        for fmt in ("json", "text"):
            e = dict(os.environ)
            for k in ("JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC"):
                e.pop(k, None)
            e.update(self.env)
            proc = subprocess.Popen([BIN, "run", "--log-format", fmt, "--log-level", "debug", cfg],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e,
                                    errors="replace")
            try:
                time.sleep(2.0)
                # A reload to a broken variant and back: its errors too.
                proc.send_signal(signal.SIGHUP)
                time.sleep(0.3)
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=15)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, err[-2000:])
            self.scan("daemon --log-format " + fmt, out, err)
            self.assertIn("oauth-401", err)
            self.assertIn("pagination_loop", err)
            self.assertIn("config_reloaded", err)


if __name__ == "__main__":
    unittest.main()
