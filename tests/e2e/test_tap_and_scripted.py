#!/usr/bin/env python3
"""`sluiced tap` (spec §9) and scripted pipeline tests, `sluiced test` (spec §8),
through the real binary.
"""
import json
import os
import pty
import select
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, ServedTest, SluicedTest  # noqa: E402
from http_server import Reply  # noqa: E402

JSON = [("Content-Type", "application/json")]


class TapTest(ServedTest):
    def setUp(self):
        super().setUp()
        self.state = self.path("state")

    def reqs(self):
        return [r.path for r in self.server.requests if r.path.startswith(self.prefix)]

    def config(self, *replies, stages="[ { map: { id: .id, n: 'to_number(.n)' } } ]", extra=""):
        self.server.route(self.prefix + "/a", *replies)
        self.server.route(self.prefix + "/other", Reply(200, JSON, "[]"))
        url = self.server.url(self.prefix + "/a")
        return self.write("p.yaml", f"""
            pipelines:
              p:
                schedule: {{ every: 1h }}
                source:
                  http:
                    url: "{url}"
                    retry: {{ attempts: 1 }}
                    paginate: {{ link_header: next }}
                    incremental: {{ cursor: .id, param: since, initial: 0 }}
                stages: {stages}
                sink: {{ file: {{ path: {self.path('out', 'p.ndjson')} }} }}
                dead_letter: {{ file: {{ path: {self.path('out', 'dl.ndjson')} }} }}
              other:
                schedule: {{ every: 1h }}
                source: {{ http: {{ url: "{self.server.url(self.prefix + '/other')}" }} }}
                sink: {{ file: {{ path: {self.path('out', 'other.ndjson')} }} }}
            {extra}
            """)

    def tap(self, cfg, *extra, name="p", env=None):
        return self.sluiced("tap", name, "--log-format", "json", "--state-dir", self.state, *extra, cfg, env=env)

    def test_prints_records_writes_no_sink_and_no_state(self):
        cfg = self.config(Reply(200, [("Link", '<b>; rel="next"')], '[{"id":1,"n":"1.50"},{"id":2,"n":"x"}]'))
        self.server.route(self.prefix + "/b", Reply(200, JSON, '[{"id":3,"n":7}]'))
        r = self.tap(cfg)
        self.assertEqual(r.rc, 0, r)
        # NDJSON when stdout is not a terminal; the record error is on stderr.
        self.assertEqual(r.stdout, '{"id":1,"n":1.50}\n{"id":3,"n":7}\n')
        failed = r.event("record_failed", "p")
        self.assertEqual(failed["stage"], 0)
        self.assertEqual(r.event("run_finished", "p")["records_failed"], 1)
        self.assertFalse(os.path.exists(self.path("out")), os.listdir(self.dir))
        self.assertFalse(os.path.exists(self.state))
        # only pipeline p ran
        self.assertEqual(self.reqs(), [self.prefix + "/a?since=0", self.prefix + "/b"])
        # again: the cursor was not stored, so `initial` is sent again
        r = self.tap(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.reqs()[-2], self.prefix + "/a?since=0")

    def test_reads_the_stored_cursor_without_writing_it(self):
        cfg = self.config(Reply(200, JSON, '[{"id":41,"n":1}]'))
        self.assertEqual(self.sluiced("state", "set", "p", "40", "--state-dir", self.state).rc, 0)
        r = self.tap(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.reqs(), [self.prefix + "/a?since=40"])
        self.assertEqual(self.sluiced("state", "show", "p", "--state-dir", self.state).stdout, "p 40\n")
        self.assertEqual(os.listdir(self.state), ["p.cursor"])

    def test_state_directory_from_systemd(self):
        sd = self.path("sd")
        self.assertEqual(self.sluiced("state", "set", "p", "7", env={"STATE_DIRECTORY": sd}).rc, 0)
        cfg = self.config(Reply(200, JSON, '[{"id":8,"n":1}]'))
        r = self.sluiced("tap", "p", cfg, env={"STATE_DIRECTORY": sd})
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.reqs(), [self.prefix + "/a?since=7"])
        with open(os.path.join(sd, "state", "p.cursor")) as f:
            self.assertEqual(f.read(), "7\n")

    def test_failed_run_exits_1_and_prints_nothing(self):
        cfg = self.config(Reply(200, [("Link", '<b>; rel="next"')], '[{"id":1,"n":1}]'))
        self.server.route(self.prefix + "/b", Reply(500, JSON, "{}"))
        r = self.tap(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout, "")
        self.assertIn("500", r.event("run_failed", "p")["error"])
        self.assertFalse(os.path.exists(self.path("out")))

    def test_on_error_fail_exits_1(self):
        cfg = self.config(Reply(200, JSON, '[{"id":1,"n":"x"}]'), extra="")
        with open(cfg) as f:
            text = f.read().replace("    stages:", "    on_error: fail\n    stages:", 1)
        with open(cfg, "w") as f:
            f.write(text)
        r = self.tap(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout, "")

    def test_unknown_pipeline_is_exit_2(self):
        cfg = self.config(Reply(200, JSON, "[]"))
        r = self.tap(cfg, name="nope")
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stdout, "")
        self.assertIn("nope", r.stderr)
        self.assertEqual(self.reqs(), [])

    def test_usage_and_configuration_errors_are_exit_2(self):
        self.assertEqual(self.sluiced("tap").rc, 2)
        cfg = self.config(Reply(200, JSON, "[]"))
        self.assertEqual(self.sluiced("tap", "p").rc, 2)
        bad = self.write("bad.yaml", "pipelines:\n  p:\n    source: {}\n")
        self.assertEqual(self.sluiced("tap", "p", bad).rc, 2)
        self.assertEqual(self.sluiced("tap", "p", "--bogus", cfg).rc, 2)

    def test_pipeline_without_schedule_can_be_tapped(self):
        self.server.route(self.prefix + "/x", Reply(200, JSON, '{"k":"v"}'))
        cfg = self.write("x.yaml", f"""
            pipelines:
              x:
                source: {{ http: {{ url: "{self.server.url(self.prefix + '/x')}" }} }}
                sink: {{ stdout: {{}} }}
            """)
        r = self.sluiced("tap", "x", cfg)
        self.assertEqual((r.rc, r.stdout), (0, '{"k":"v"}\n'), r)

    def test_pretty_when_stdout_is_a_terminal(self):
        self.server.route(self.prefix + "/x", Reply(200, JSON, '[{"id":1,"a":[1,"x,y"],"o":{},"e":[]},{"s":"{:}"}]'))
        cfg = self.write("x.yaml", f"""
            pipelines:
              x:
                source: {{ http: {{ url: "{self.server.url(self.prefix + '/x')}" }} }}
                sink: {{ stdout: {{}} }}
            """)
        master, slave = pty.openpty()
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        proc = subprocess.Popen([BIN, "tap", "x", "--log-format", "json", cfg], stdout=slave,
                                stderr=subprocess.PIPE, env=e)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        proc.wait(10)
        proc.stderr.close()
        os.close(master)
        self.assertEqual(proc.returncode, 0)
        text = out.decode().replace("\r\n", "\n")
        self.assertEqual(text, '{\n  "id": 1,\n  "a": [\n    1,\n    "x,y"\n  ],\n  "o": {},\n  "e": []\n}\n'
                               '{\n  "s": "{:}"\n}\n')


class ScriptedTest(SluicedTest):
    PIPELINES = """
        pipelines:
          orders:
            schedule: { every: 5m }
            source:
              http:
                url: https://api.example.com/v1/orders
                query: { limit: "2" }
                headers: { Accept: application/json, X-Trace: abc }
                auth: { bearer: "${ORDERS_TOKEN:-dev-token}" }
                retry: { attempts: 3, backoff: 1s, max_backoff: 60s }
                rate_limit: { requests: 1, per: 10s }
                paginate: { link_header: next }
                incremental: { cursor: .updated_at, param: updated_since, initial: "2024-01-01T00:00:00Z" }
            stages:
              - filter: '.status != "cancelled"'
              - map: { id: .id, updated_at: .updated_at }
            sink: { file: { path: /nonexistent/orders.ndjson } }
          search:
            source:
              http:
                url: https://api.example.com/search
                method: POST
                body: '{"q":"x"}'
                retry: { attempts: 2, backoff: 10s }
                records: .hits
                paginate: { cursor: { param: after, from: .next } }
            sink: { stdout: {} }
          secure:
            source:
              http:
                url: https://api.example.com/secure
                auth:
                  oauth2: { token_url: "https://auth.example.com/token", client_id: id, client_secret: "${OAUTH_SECRET:-s}" }
                paginate: { page: { param: page } }
            sink: { stdout: {} }
          env-url:
            source: { http: { url: "https://${API_HOST:-default.example.com}/x" } }
            sink: { stdout: {} }
        """

    def run_cases(self, cases, env=None, timeout=60):
        text = self.PIPELINES.rstrip() + "\n        tests:\n" + "".join(
            "\n".join("          " + l for l in c.strip("\n").splitlines()) + "\n" for c in cases)
        cfg = self.write("t.yaml", text)
        return self.sluiced("test", cfg, env=env, timeout=timeout)

    def test_pagination_retries_and_retry_after_are_not_slept(self):
        t0 = time.monotonic()
        r = self.run_cases(["""
- name: three pages, a 429 and a 503 with long Retry-After
  pipeline: orders
  responses:
    - status: 200
      headers: { Link: '<https://api.example.com/v1/orders?limit=2&page=2>; rel="next"' }
      body: '[{"id":1,"status":"paid","updated_at":"2024-05-02T10:00:00Z"},{"id":2,"status":"cancelled","updated_at":"2024-05-05T00:00:00Z"}]'
    - { status: 429, headers: { Retry-After: "3600" } }
    - { status: 503, headers: { Retry-After: "Wed, 21 Oct 2065 07:28:00 GMT" } }
    - status: 200
      headers: { link: '<?page=3>; REL="last next"' }
      body: '[{"id":3,"status":"paid","updated_at":"2024-05-03T08:30:00+02:00"}]'
    - { status: 200, body: '[]' }
  expect:
    - { id: 1, updated_at: "2024-05-02T10:00:00Z" }
    - { id: 3, updated_at: "2024-05-03T08:30:00+02:00" }
  expect_requests:
    - method: GET
      url: https://api.example.com/v1/orders?limit=2&updated_since=2024-01-01T00%3A00%3A00Z
      headers: { authorization: Bearer dev-token, X-Trace: abc }
    - { url: "https://api.example.com/v1/orders?limit=2&page=2" }
    - { url: "https://api.example.com/v1/orders?limit=2&page=2" }
    - { url: "https://api.example.com/v1/orders?limit=2&page=2" }
    - { url: "https://api.example.com/v1/orders?page=3", method: GET }
  expect_state: "2024-05-05T00:00:00Z"
"""])
        self.assertEqual(r.rc, 0, r)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(r.stdout, "PASS three pages, a 429 and a 503 with long Retry-After\n1 passed, 0 failed\n")

    def test_post_body_and_cursor_pagination(self):
        r = self.run_cases(["""
- name: post with cursor
  pipeline: search
  responses:
    - { status: 500 }
    - { body: '{"hits":[{"a":1}],"next":"n 2"}' }
    - { body: '{"hits":[{"a":2}],"next":null}' }
  expect: [ { a: 1 }, { a: 2 } ]
  expect_requests:
    - { method: POST, url: "https://api.example.com/search", body: '{"q":"x"}', headers: { Content-Type: application/json } }
    - { method: POST, body: '{"q":"x"}' }
    - { method: POST, url: "https://api.example.com/search?after=n+2" }
"""])
        self.assertEqual(r.rc, 0, r)
        self.assertIn("PASS post with cursor\n", r.stdout)

    def test_failing_cases_print_a_useful_diff(self):
        r = self.run_cases(["""
- name: good
  pipeline: search
  response: '{"hits":[{"a":1}]}'
  expect: [ { a: 1 } ]
""", """
- name: wrong records
  pipeline: search
  response: '{"hits":[{"a":1},{"a":2,"b":[1]}]}'
  expect: [ { a: 1 }, { a: 3 }, { a: 4 } ]
""", """
- name: wrong requests
  pipeline: search
  responses: [ { body: '{"hits":[]}' } ]
  expect: []
  expect_requests:
    - { method: GET, url: "https://api.example.com/other", body: "{}", headers: { X-Missing: "1", Authorization: "Bearer zz" } }
""", """
- name: wrong state
  pipeline: orders
  state: "2024-05-01T00:00:00Z"
  responses: [ { body: '[{"id":1,"updated_at":"2024-06-01T00:00:00Z"}]' } ]
  expect_state: "2024-07-01T00:00:00Z"
"""])
        self.assertEqual(r.rc, 1, r)
        out = r.stdout
        self.assertIn("PASS good\n", out)
        lines = out.splitlines()
        # A FAIL line names the test and where it is written.
        fail = [l for l in lines if l.startswith("FAIL ")]
        self.assertEqual(len(fail), 3, out)
        self.assertRegex(fail[0], r"^FAIL wrong records \(.*t\.yaml:\d+:\d+\)$")
        block = out.split("FAIL wrong records", 1)[1].split("FAIL wrong requests", 1)[0]
        self.assertIn("expected 3, got 2", block)
        self.assertIn('{"a":1}', block)
        self.assertRegex(block, r'(?m)^\s*- \{"a":3\}$')
        self.assertRegex(block, r'(?m)^\s*\+ \{"a":2,"b":\[1\]\}$')
        self.assertRegex(block, r'(?m)^\s*- \{"a":4\}$')
        block = out.split("FAIL wrong requests", 1)[1].split("FAIL wrong state", 1)[0]
        self.assertIn("method expected GET, got POST", block)
        self.assertIn("url expected https://api.example.com/other, got https://api.example.com/search", block)
        self.assertIn("body expected {}", block)
        self.assertIn("X-Missing", block)
        self.assertNotIn("Bearer zz", out)  # an expected secret header is not printed either
        block = out.split("FAIL wrong state", 1)[1]
        self.assertIn('expected "2024-07-01T00:00:00Z", got "2024-06-01T00:00:00Z"', block)
        self.assertTrue(out.endswith("1 passed, 3 failed\n"), out)

    def test_expect_compares_json_values_and_dead_letters_by_error_substring(self):
        text = """
            pipelines:
              d:
                source: { http: { url: "https://x.example/d" } }
                stages: [ { set: { n: 'to_number(.n)' } } ]
                sink: { stdout: {} }
            tests:
              - name: key order ignored, numbers by value
                pipeline: d
                response: '[{"n":"1.10","a":{"y":2,"x":1}},{"n":"x"}]'
                expect: [ { a: { x: 1, y: 2.0 }, n: 1.1 } ]
                expect_dead_letter:
                  - { record: { n: "x" }, error: "to_number", stage: 0, pipeline: d }
              - name: wrong dead letter
                pipeline: d
                response: '[{"n":"x"}]'
                expect: []
                expect_dead_letter: [ { pipeline: d, stage: 1, error: "zzz", record: { n: "x" } } ]
            """
        r = self.sluiced("test", self.write("d.yaml", text))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("PASS key order ignored, numbers by value\n", r.stdout)
        self.assertRegex(r.stdout, r"FAIL wrong dead letter .*\n.*dead letters differ")
        self.assertTrue(r.stdout.endswith("1 passed, 1 failed\n"), r.stdout)

    def test_unused_response_and_request_beyond_script_fail(self):
        r = self.run_cases(["""
- name: unused
  pipeline: search
  responses:
    - { body: '{"hits":[{"a":1}]}' }
    - { body: '{"hits":[{"a":2}]}' }
  expect: [ { a: 1 } ]
""", """
- name: beyond
  pipeline: search
  responses:
    - { body: '{"hits":[{"a":1}],"next":"x"}' }
  expect: [ { a: 1 } ]
"""])
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.stdout, r"FAIL unused .*\n.*1 scripted response\(s\) left unused")
        self.assertRegex(r.stdout, r"FAIL beyond .*\n(.*\n)*.*beyond the scripted responses")
        self.assertTrue(r.stdout.endswith("0 passed, 2 failed\n"), r.stdout)

    def test_status_handling_and_expect_error(self):
        r = self.run_cases(["""
- name: 404 is not retried
  pipeline: search
  responses: [ { status: 404, body: "nope" } ]
  expect: []
  expect_error: "HTTP status 404"
  expect_requests: 1
""", """
- name: 5xx after retries
  pipeline: search
  responses: [ { status: 502 }, { status: 504 } ]
  expect_error: "504"
  expect_requests: 2
""", """
- name: a failing middle page writes nothing
  pipeline: orders
  responses:
    - { headers: { Link: '<p2>; rel=next' }, body: '[{"id":1,"updated_at":"2024-05-01T00:00:00Z"}]' }
    - { status: 500 }
    - { status: 500 }
    - { status: 500 }
  expect: []
  expect_error: "HTTP status 500"
  expect_state: null
""", """
- name: status defaults to 200, body to empty (not JSON)
  pipeline: search
  responses: [ {} ]
  expect_error: ""
""", """
- name: expect_error null means success
  pipeline: search
  response: '{"hits":[]}'
  expect_error: null
  expect: []
"""])
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.stdout.endswith("5 passed, 0 failed\n"), r.stdout)

    def test_expect_error_mismatches_fail(self):
        r = self.run_cases(["""
- name: expected failure but succeeded
  pipeline: search
  response: '{"hits":[]}'
  expect_error: "boom"
""", """
- name: other error
  pipeline: search
  responses: [ { status: 404 } ]
  expect_error: "HTTP status 500"
""", """
- name: unexpected failure
  pipeline: search
  responses: [ { status: 403 } ]
"""])
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.stdout, r'FAIL expected failure but succeeded .*\n.*"boom"')
        self.assertRegex(r.stdout, r'FAIL other error .*\n.*HTTP status 500.*HTTP status 404')
        self.assertRegex(r.stdout, r'FAIL unexpected failure .*\n.*HTTP status 403')

    def test_state_and_expect_state(self):
        sd = self.path("sd")
        os.makedirs(os.path.join(sd, "state"))
        with open(os.path.join(sd, "state", "orders.cursor"), "w") as f:
            f.write('"2030-01-01T00:00:00Z"\n')
        r = self.run_cases(["""
- name: state sent and advanced
  pipeline: orders
  state: "2024-05-01T00:00:00+02:00"
  responses:
    - { body: '[{"id":1,"updated_at":"2024-05-01T10:00:00+02:00"},{"id":2,"updated_at":"2024-05-01T09:00:00Z"}]' }
  expect: [ { id: 1, updated_at: "2024-05-01T10:00:00+02:00" }, { id: 2, updated_at: "2024-05-01T09:00:00Z" } ]
  expect_requests:
    - { url: "https://api.example.com/v1/orders?limit=2&updated_since=2024-05-01T00%3A00%3A00%2B02%3A00" }
  expect_state: "2024-05-01T09:00:00Z"
""", """
- name: without state, initial (the state directory is not read)
  pipeline: orders
  responses: [ { body: '[]' } ]
  expect_requests:
    - { url: "https://api.example.com/v1/orders?limit=2&updated_since=2024-01-01T00%3A00%3A00Z" }
  expect_state: null
""", """
- name: no cursor value keeps the state
  pipeline: orders
  state: "2024-02-02T00:00:00Z"
  responses: [ { body: '[{"id":5}]' } ]
  expect: [ { id: 5, updated_at: null } ]
  expect_state: "2024-02-02T00:00:00Z"
"""], env={"STATE_DIRECTORY": sd})
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.stdout.endswith("3 passed, 0 failed\n"), r.stdout)
        # Tests never write the state directory.
        self.assertEqual(os.listdir(os.path.join(sd, "state")), ["orders.cursor"])
        with open(os.path.join(sd, "state", "orders.cursor")) as f:
            self.assertEqual(f.read(), '"2030-01-01T00:00:00Z"\n')

    def test_numeric_state(self):
        text = """
            pipelines:
              n:
                source: { http: { url: "https://x.example/n", incremental: { cursor: .v, param: since } } }
                sink: { stdout: {} }
            tests:
              - name: number as written
                pipeline: n
                state: 1.10
                responses: [ { body: '[{"v":9},{"v":10},{"v":1.5}]' } ]
                expect_requests: [ { url: "https://x.example/n?since=1.10" } ]
                expect_state: 10
              - name: mixed types
                pipeline: n
                responses: [ { body: '[{"v":9},{"v":"10"}]' } ]
                expect_error: "mixes"
            """
        r = self.sluiced("test", self.write("n.yaml", text))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, "PASS number as written\nPASS mixed types\n2 passed, 0 failed\n")

    def test_oauth2_uses_test_token_and_makes_no_token_request(self):
        r = self.run_cases(["""
- name: oauth2
  pipeline: secure
  responses:
    - { body: '[{"p":1}]' }
    - { body: '[]' }
  expect: [ { p: 1 } ]
  expect_requests:
    - { url: "https://api.example.com/secure?page=1", headers: { Authorization: Bearer test-token } }
    - { url: "https://api.example.com/secure?page=2", headers: { Authorization: Bearer test-token } }
""", """
- name: a 401 is not refreshed in tests
  pipeline: secure
  responses: [ { status: 401 } ]
  expect_error: "401"
  expect_requests: 1
"""])
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.stdout.endswith("2 passed, 0 failed\n"), r.stdout)

    def test_env_sets_variables(self):
        r = self.run_cases(["""
- name: default
  pipeline: env-url
  responses: [ { body: '[]' } ]
  expect_requests: [ { url: "https://default.example.com/x" } ]
""", """
- name: from env
  pipeline: env-url
  env: { API_HOST: test.example.org }
  responses: [ { body: '[]' } ]
  expect_requests: [ { url: "https://test.example.org/x" } ]
""", """
- name: bearer from env
  pipeline: orders
  env: { ORDERS_TOKEN: t0k }
  responses: [ { body: '[]' } ]
  expect_requests: [ { headers: { Authorization: Bearer t0k } } ]
"""], env={"API_HOST": ""})
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.stdout.endswith("3 passed, 0 failed\n"), r.stdout)
        # The process environment is substituted as in `run`.
        r = self.run_cases(["""
- name: from the environment
  pipeline: env-url
  responses: [ { body: '[]' } ]
  expect_requests: [ { url: "https://proc.example.net/x" } ]
"""], env={"API_HOST": "proc.example.net"})
        self.assertEqual(r.rc, 0, r)

    # A variable that only the test's `env:` supplies is not a configuration
    # error for that test.
    def test_env_supplies_a_variable_missing_from_the_environment(self):
        text = """
            pipelines:
              q:
                source: { http: { url: "https://h.example/q", auth: { bearer: "${Q_TOKEN}" } } }
                sink: { stdout: {} }
            tests:
              - name: token from env
                pipeline: q
                env: { Q_TOKEN: abc }
                responses: [ { body: '[]' } ]
                expect_requests: [ { headers: { Authorization: Bearer abc } } ]
            """
        e = {k: v for k, v in os.environ.items() if k != "Q_TOKEN"}
        cfg = self.write("q.yaml", text)
        proc = subprocess.run([BIN, "test", cfg], capture_output=True, text=True, env=e, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("PASS token from env", proc.stdout)

    def test_env_per_test_for_two_pipelines_and_missing_without_env(self):
        # Each test supplies only its own pipeline's variable (found by a
        # new-user trial: `url: "${API}/v1"` with the URL from `env:`).
        text = """
            pipelines:
              p:
                source: { http: { url: "${NU_API}/v1" } }
                sink: { stdout: {} }
              q:
                source: { http: { url: "http://${NU_HOST}/q" } }
                sink: { stdout: {} }
            tests:
              - name: p from env
                pipeline: p
                env: { NU_API: "http://h.test" }
                response: '[1]'
                expect: [1]
                expect_requests: [ { url: "http://h.test/v1" } ]
              - name: q from env
                pipeline: q
                env: { NU_HOST: q.test }
                response: '[2]'
                expect: [2]
                expect_requests: [ { url: "http://q.test/q" } ]
            """
        e = {k: v for k, v in os.environ.items() if not k.startswith("NU_")}
        cfg = self.write("pq.yaml", text)
        proc = subprocess.run([BIN, "test", cfg], capture_output=True, text=True, env=e, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "PASS p from env\nPASS q from env\n2 passed, 0 failed\n")
        # A test without `env:` still needs the variable: exit 2 with the error.
        cfg = self.write("p2.yaml", """
            pipelines:
              p:
                source: { http: { url: "${NU_API}/v1" } }
                sink: { stdout: {} }
            tests:
              - { name: no env, pipeline: p, response: '[1]', expect: [1] }
            """)
        proc = subprocess.run([BIN, "test", cfg], capture_output=True, text=True, env=e, timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual(proc.stderr, f"{cfg}:3:28: error: environment variable `NU_API` is not set "
                                      "(use `${NU_API:-default}` for a default)\n")


if __name__ == "__main__":
    unittest.main()
