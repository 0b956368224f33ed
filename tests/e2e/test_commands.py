#!/usr/bin/env python3
"""The commands (spec §8, §9): version, check (its listing, --now, --quiet),
test (pipeline test cases, scripted exchanges) and run --once options
(--pipeline, --log-format, --log-level, exit status).
"""
import os
import re
import sys
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, SluicedTest  # noqa: E402
from http_server import Reply, TestServer  # noqa: E402

NOW = "2025-01-01T00:00:00Z"


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(sluiced VERSION ([0-9.]+)", f.read()).group(1)


class VersionAndUsageTest(SluicedTest):
    def test_version(self):
        r = self.sluiced("version")
        self.assertEqual((r.rc, r.stdout, r.stderr), (0, f"sluiced {project_version()}\n", ""), r)

    def test_no_command_is_usage_error(self):
        r = self.sluiced()
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stdout, "")
        self.assertIn("usage: sluiced", r.stderr)

    def test_unknown_command(self):
        r = self.sluiced("frobnicate")
        self.assertEqual(r.rc, 2, r)
        self.assertTrue(r.stderr.startswith("sluiced: error: unknown command `frobnicate`\n"), r)

    def test_unknown_options_exit_2(self):
        p = self.write("p.yaml", "tests: []\n")
        for args in (("run", "--once", "--bogus", p), ("check", "--bogus", p), ("test", "--bogus", p),
                     ("run", "--once", "--log-format", "xml", p), ("run", "--once", "--log-level", "loud", p),
                     ("check", "--now", "yesterday", p), ("run", "--once"), ("check",), ("test",)):
            with self.subTest(args=args):
                r = self.sluiced(*args)
                self.assertEqual(r.rc, 2, r)
                self.assertEqual(r.stdout, "")
                self.assertTrue(r.stderr.startswith("sluiced: error: "), r)

    def test_unknown_option_message(self):
        p = self.write("p.yaml", "tests: []\n")
        r = self.sluiced("run", "--once", "--bogus", p)
        self.assertEqual(r.stderr, "sluiced: error: unknown option `--bogus` for run\n")


class CheckTest(SluicedTest):
    def test_listing_with_now(self):
        d = self.path("conf")
        self.write("conf/a.yaml", """
            pipelines:
              every-p:
                schedule: { every: 30s }
                source: { http: { url: http://127.0.0.1:9/a, method: POST, format: ndjson } }
                sink: { stdout: {} }
              cron-p:
                schedule: { cron: "*/5 * * * *" }
                source: { http: { url: "https://user:pw@api.example.com/v1?token=abc&limit=5" } }
                stages:
                  - filter: .x
                  - drop: [.y]
                sink: { file: { path: /tmp/out.json, mode: replace, format: json, fsync: never } }
                dead_letter: { file: { path: /tmp/dl.ndjson, rotate: { max_bytes: 1MiB, keep: 3 } } }
        """)
        self.write("conf/b.yml", """
            pipelines:
              tz-p:
                schedule: { cron: "30 6 * * *", tz: Europe/Berlin, jitter: 1m }
                source: { http: { url: http://127.0.0.1:9/b } }
                sink: { file: { path: /tmp/b.ndjson } }
            tests:
              - { name: t, pipeline: tz-p, response: '[]', expect: [] }
        """)
        r = self.sluiced("check", "--now", NOW, d)
        self.assertEqual((r.rc, r.stderr), (0, ""), r)
        self.assertEqual(r.stdout.splitlines(), [
            "pipeline every-p",
            "  schedule: every 30s",
            "  next: 2025-01-01T00:00:00Z 2025-01-01T00:00:30Z 2025-01-01T00:01:00Z",
            "  source: POST http://127.0.0.1:9/a (ndjson)",
            "  stages: 0",
            "  sink: stdout",
            "pipeline cron-p",
            '  schedule: cron "*/5 * * * *" tz UTC',
            "  next: 2025-01-01T00:05:00Z 2025-01-01T00:10:00Z 2025-01-01T00:15:00Z",
            "  source: GET https://api.example.com/v1?token=***&limit=5 (json)",
            "  stages: 2",
            "  sink: file /tmp/out.json (replace, json, fsync never)",
            "  dead_letter: file /tmp/dl.ndjson (append, ndjson, fsync batch, rotate 1048576 bytes keep 3)",
            "pipeline tz-p",
            '  schedule: cron "30 6 * * *" tz Europe/Berlin jitter 1m',
            "  next: 2025-01-01T05:30:00Z 2025-01-02T05:30:00Z 2025-01-03T05:30:00Z",
            "  source: GET http://127.0.0.1:9/b (json)",
            "  stages: 0",
            "  sink: file /tmp/b.ndjson (append, ndjson, fsync batch)",
            "ok: 3 pipelines, 1 test",
        ])
        self.assertNotIn("pw", r.stdout)
        self.assertNotIn("abc", r.stdout)

    def next_times(self, schedule, now):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                schedule: {schedule}
                source: {{ http: {{ url: http://127.0.0.1:9/ }} }}
                sink: {{ stdout: {{}} }}
        """)
        r = self.sluiced("check", "--now", now, p)
        self.assertEqual(r.rc, 0, r)
        return [l for l in r.stdout.splitlines() if l.startswith("  next:")][0].split()[1:]

    def test_cron_next_is_strictly_after_now(self):
        self.assertEqual(self.next_times('{ cron: "*/5 * * * *" }', "2025-01-01T00:05:00Z"),
                         ["2025-01-01T00:10:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:20:00Z"])

    def test_every_starts_at_now(self):
        self.assertEqual(self.next_times("{ every: 1h30m, jitter: 10s }", "2025-03-04T05:06:07Z"),
                         ["2025-03-04T05:06:07Z", "2025-03-04T06:36:07Z", "2025-03-04T08:06:07Z"])

    def test_now_with_offset_prints_utc(self):
        self.assertEqual(self.next_times("{ every: 30s }", "2025-01-01T02:00:00+02:00"),
                         ["2025-01-01T00:00:00Z", "2025-01-01T00:00:30Z", "2025-01-01T00:01:00Z"])

    def test_cron_macros_and_seconds(self):
        self.assertEqual(self.next_times('{ cron: "@hourly" }', NOW),
                         ["2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z", "2025-01-01T03:00:00Z"])
        self.assertEqual(self.next_times('{ cron: "*/20 * * * * *" }', NOW),
                         ["2025-01-01T00:00:20Z", "2025-01-01T00:00:40Z", "2025-01-01T00:01:00Z"])
        self.assertEqual(self.next_times('{ cron: "0 3 * * mon-fri" }', NOW),  # 2025-01-01 is a Wednesday
                         ["2025-01-01T03:00:00Z", "2025-01-02T03:00:00Z", "2025-01-03T03:00:00Z"])

    def test_quiet_prints_nothing_on_success(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                schedule: { every: 30s }
                source: { http: { url: http://127.0.0.1:9/ } }
                sink: { stdout: {} }
        """)
        r = self.sluiced("check", "--quiet", p)
        self.assertEqual((r.rc, r.stdout, r.stderr), (0, "", ""), r)

    def test_quiet_still_prints_errors(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source: { http: { url: http://127.0.0.1:9/ } }
                sink: { stdout: {} }
        """)
        r = self.sluiced("check", "--quiet", p)
        self.assertEqual((r.rc, r.stdout, r.stderr), (2, "", f"{p}:3:5: error: missing required key `schedule`\n"), r)


class TestCommandTest(SluicedTest):
    PIPELINE = """
        pipelines:
          p:
            source:
              http:
                url: "http://api.test/${VER:-v1}/items"
                headers: { X-Key: "${KEY:-none}" }
                retry: { attempts: 3, backoff: 10s, max_backoff: 30s }
            stages:
              - map:
                  id: .id
                  up: upper(.s)
            sink: { stdout: {} }
        tests:
    """

    def cases_file(self, cases, name="t.yaml"):
        """PIPELINE followed by the test cases (YAML list items)."""
        cases = textwrap.indent(textwrap.dedent(cases).strip("\n"), "  ")
        return self.write(name, textwrap.dedent(self.PIPELINE).strip("\n") + "\n" + cases + "\n")

    def run_cases(self, cases):
        p = self.cases_file(cases)
        t = time.monotonic()
        r = self.sluiced("test", p)
        self.assertLess(time.monotonic() - t, 10)
        return p, r

    def test_passing_cases(self):
        self.write("fx/r.json", '[{"id":1,"s":"a"},{"id":2,"s":"b"}]')
        p, r = self.run_cases("""
            - name: inline passes
              pipeline: p
              response: '[{"id":1,"s":"a"}]'
              expect:
                - { id: 1, up: "A" }
            - name: file passes
              pipeline: p
              response_file: fx/r.json
              expect: [ { up: A, id: 1.0 }, { id: 2, up: B } ]
        """)
        self.assertEqual((r.rc, r.stdout), (0, "PASS inline passes\nPASS file passes\n2 passed, 0 failed\n"), r)

    def test_response_file_is_relative_to_the_yaml_file(self):
        self.write("conf/fx/r.json", '[{"id":1,"s":"a"}]')
        p = self.cases_file("""
            - name: rel
              pipeline: p
              response_file: fx/r.json
              expect: [ { id: 1, up: A } ]
        """, name="conf/t.yaml")
        r = self.sluiced("test", p)  # run from another working directory
        self.assertEqual((r.rc, r.stdout), (0, "PASS rel\n1 passed, 0 failed\n"), r)

    def test_failing_case_prints_diff(self):
        p, r = self.run_cases("""
            - name: ok one
              pipeline: p
              response: '[]'
              expect: []
            - name: wrong value
              pipeline: p
              response: '[{"id":1,"s":"a"},{"id":2,"s":"b"}]'
              expect:
                - { id: 1, up: "A" }
                - { id: 2, up: "X" }
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout.splitlines(), [
            "PASS ok one",
            f"FAIL wrong value ({p}:18:5)",
            "  records differ (- expected, + actual): expected 2, got 2",
            '      {"id":1,"up":"A"}',
            '    - {"id":2,"up":"X"}',
            '    + {"id":2,"up":"B"}',
            "1 passed, 1 failed",
        ])

    def test_record_order_matters(self):
        _, r = self.run_cases("""
            - name: order
              pipeline: p
              response: '[{"id":1,"s":"a"},{"id":2,"s":"b"}]'
              expect: [ { id: 2, up: B }, { id: 1, up: A } ]
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("FAIL order", r.stdout)

    def test_scripted_retry_is_not_slept(self):
        _, r = self.run_cases("""
            - name: retry after 429
              pipeline: p
              responses:
                - { status: 429, headers: { Retry-After: "20" } }
                - { status: 503 }
                - { status: 200, body: '[{"id":3,"s":"c"}]' }
              expect: [ { id: 3, up: C } ]
              expect_requests: 3
        """)
        self.assertEqual((r.rc, r.stdout), (0, "PASS retry after 429\n1 passed, 0 failed\n"), r)

    def test_expect_requests_count_mismatch(self):
        _, r = self.run_cases("""
            - name: count
              pipeline: p
              responses:
                - { status: 503 }
                - { body: '[]' }
              expect: []
              expect_requests: 3
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("  expected 3 requests, got 2\n", r.stdout)

    def test_expect_requests_list(self):
        p = self.write("t.yaml", """
            pipelines:
              p:
                source:
                  http:
                    url: "http://api.test/items"
                    method: POST
                    body: '{"q":1}'
                    query: { limit: "10" }
                    headers: { X-Trace: abc }
                sink: { stdout: {} }
            tests:
              - name: match
                pipeline: p
                responses:
                  - { status: 500 }
                  - { body: '[{"id":1}]' }
                expect: [ { id: 1 } ]
                expect_requests:
                  - { method: POST, url: "http://api.test/items?limit=10", body: '{"q":1}', headers: { content-type: application/json, x-trace: abc } }
                  - { url: "http://api.test/items?limit=10" }
              - name: mismatch
                pipeline: p
                responses:
                  - { body: '[]' }
                expect: []
                expect_requests:
                  - { method: GET, url: "http://api.test/other", body: 'x', headers: { X-Trace: abd } }
        """)
        r = self.sluiced("test", p)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout.splitlines(), [
            "PASS match",
            f"FAIL mismatch ({p}:21:5)",
            "  request 1: method expected GET, got POST",
            "  request 1: url expected http://api.test/other, got http://api.test/items?limit=10",
            '  request 1: body expected x, got {"q":1}',
            "  request 1: header X-Trace: abd not sent",
            "1 passed, 1 failed",
        ])

    def test_expect_dead_letter(self):
        _, r = self.run_cases("""
            - name: dead
              pipeline: p
              response: '[{"id":1,"s":5},{"id":2,"s":"b"}]'
              expect: [ { id: 2, up: B } ]
              expect_dead_letter:
                - { pipeline: p, stage: 0, error: "upper", record: { s: 5, id: 1 } }
            - name: dead wrong error
              pipeline: p
              response: '[{"id":1,"s":5}]'
              expect: []
              expect_dead_letter:
                - { pipeline: p, stage: 0, error: "no such text", record: { id: 1, s: 5 } }
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("PASS dead\n", r.stdout)
        self.assertIn("FAIL dead wrong error", r.stdout)
        self.assertIn("dead letters differ", r.stdout)

    def test_expect_error(self):
        _, r = self.run_cases("""
            - name: not found
              pipeline: p
              responses:
                - { status: 404 }
              expect_error: "404"
            - name: other error text
              pipeline: p
              responses:
                - { status: 404 }
              expect_error: "timeout"
            - name: succeeded unexpectedly
              pipeline: p
              response: '[]'
              expect_error: "404"
            - name: failed unexpectedly
              pipeline: p
              responses:
                - { status: 400 }
              expect: []
        """)
        self.assertEqual(r.rc, 1, r)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "PASS not found")
        self.assertTrue(lines[1].startswith("FAIL other error text ("), r)
        self.assertIn("FAIL succeeded unexpectedly (", r.stdout)
        self.assertIn("FAIL failed unexpectedly (", r.stdout)
        self.assertEqual(lines[-1], "1 passed, 3 failed")

    def test_unused_scripted_response_fails(self):
        _, r = self.run_cases("""
            - name: unused
              pipeline: p
              responses:
                - { body: '[]' }
                - { body: '[]' }
              expect: []
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("FAIL unused", r.stdout)
        self.assertIn("  1 scripted response(s) left unused\n", r.stdout)

    def test_request_beyond_script_fails(self):
        _, r = self.run_cases("""
            - name: beyond
              pipeline: p
              responses:
                - { status: 500 }
              expect_error: "500"
        """)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("FAIL beyond", r.stdout)
        self.assertIn("  1 request(s) beyond the scripted responses\n", r.stdout)

    def test_status_and_body_defaults(self):
        _, r = self.run_cases("""
            - name: empty body is not json
              pipeline: p
              responses:
                - {}
              expect_error: ""
              expect_requests: 1
        """)
        self.assertEqual((r.rc, r.stdout), (0, "PASS empty body is not json\n1 passed, 0 failed\n"), r)

    def test_env_changes_substitution(self):
        _, r = self.run_cases("""
            - name: env
              pipeline: p
              env: { VER: v2, KEY: k9 }
              responses:
                - { body: '[]' }
              expect: []
              expect_requests:
                - { url: "http://api.test/v2/items", headers: { X-Key: k9 } }
            - name: no env
              pipeline: p
              responses:
                - { body: '[]' }
              expect: []
              expect_requests:
                - { url: "http://api.test/v1/items", headers: { X-Key: none } }
        """)
        self.assertEqual((r.rc, r.stdout), (0, "PASS env\nPASS no env\n2 passed, 0 failed\n"), r)

    def test_environment_is_substituted_as_in_run(self):
        p = self.cases_file("""
            - name: from the environment
              pipeline: p
              responses:
                - { body: '[]' }
              expect: []
              expect_requests:
                - { url: "http://api.test/v7/items" }
        """)
        r = self.sluiced("test", p, env={"VER": "v7"})
        self.assertEqual(r.rc, 0, r)

    def test_unknown_pipeline_is_config_error(self):
        p = self.cases_file("""
            - name: x
              pipeline: nope
              response: '[]'
              expect: []
        """)
        r = self.sluiced("test", p)
        self.assertEqual(r.rc, 2, r)
        self.assertRegex(r.stderr, rf"^{re.escape(p)}:\d+:\d+: error: unknown pipeline `nope`\n$")


class RunOnceOptionsTest(SluicedTest):
    def setUp(self):
        super().setUp()
        self.server = TestServer().start()
        self.addCleanup(self.server.stop)
        self.server.route("/ok", Reply(200, body='[{"id":1},{"id":2}]'))
        self.server.route("/bad", Reply(503))
        self.cfg = self.write("p.yaml", f"""
            pipelines:
              ok:
                source: {{ http: {{ url: "{self.server.url('/ok')}" }} }}
                sink: {{ file: {{ path: {self.path('ok.ndjson')} }} }}
              bad:
                source: {{ http: {{ url: "{self.server.url('/bad')}", retry: {{ attempts: 1 }} }} }}
                sink: {{ file: {{ path: {self.path('bad.ndjson')} }} }}
        """)

    def test_one_failing_pipeline_exit_1_other_writes(self):
        r = self.run_once(self.cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(self.read("ok.ndjson"), '{"id":1}\n{"id":2}\n')
        fin = r.event("run_finished", "ok")
        self.assertEqual((fin["level"], fin["records_out"], fin["http_status"]), ("info", 2, 200))
        failed = r.event("run_failed", "bad")
        self.assertEqual((failed["level"], failed["http_status"]), ("error", 503))
        self.assertIn("503", failed["error"])
        for k in ("ts", "msg", "duration_ms", "pages", "bytes", "records_in", "records_out", "records_failed"):
            self.assertIn(k, failed)
        self.assertFalse(os.path.exists(self.path("bad.ndjson")) and self.read("bad.ndjson"))

    def test_pipeline_option_runs_only_that_one(self):
        r = self.run_once(self.cfg, extra=("--pipeline", "ok"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual([e["pipeline"] for e in r.events if e.get("event") in ("run_finished", "run_failed")],
                         ["ok"])
        self.assertEqual([q.path for q in self.server.requests], ["/ok"])

    def test_pipeline_option_repeatable(self):
        r = self.run_once(self.cfg, extra=("--pipeline", "ok", "--pipeline=bad"))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(sorted(q.path for q in self.server.requests), ["/bad", "/ok"])

    def test_unknown_pipeline_name_is_exit_2(self):
        r = self.run_once(self.cfg, extra=("--pipeline", "nope"))
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stderr, "sluiced: error: --pipeline `nope`: no such pipeline\n")
        self.assertEqual(self.server.requests, [])

    def test_log_format_text(self):
        r = self.sluiced("run", "--once", "--log-format", "text", "--pipeline", "ok", self.cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.events, [])
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r)
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO +run_finished pipeline=ok "
                                   r"duration_ms=\d+ http_status=200 pages=1 bytes=19 records_in=2 records_out=2 "
                                   r"records_failed=0 msg=\"run finished\"$")

    def test_log_format_json(self):
        r = self.run_once(self.cfg, extra=("--pipeline", "ok"))
        self.assertEqual(r.stderr.count("\n"), 1, r)
        ev = r.event("run_finished", "ok")
        self.assertRegex(ev["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(list(ev)[:5], ["ts", "level", "event", "msg", "pipeline"])
        self.assertEqual((ev["pages"], ev["bytes"], ev["records_in"], ev["records_failed"]), (1, 19, 2, 0))

    def test_log_level_warn_hides_run_finished(self):
        r = self.run_once(self.cfg, extra=("--log-level", "warn"))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.events_named("run_finished"), [])
        r.event("run_failed", "bad")
        r = self.run_once(self.cfg, extra=("--log-level", "error", "--pipeline", "ok"))
        self.assertEqual((r.rc, r.stderr), (0, ""), r)

    def test_log_level_warn_keeps_warnings(self):
        self.server.route("/missing", Reply(200, body='{"data":null}'))
        cfg = self.write("w.yaml", f"""
            pipelines:
              w:
                source: {{ http: {{ url: "{self.server.url('/missing')}", records: .data.items }} }}
                sink: {{ stdout: {{}} }}
        """)
        r = self.run_once(cfg, extra=("--log-level", "warn"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.event("records_missing", "w")["level"], "warn")
        self.assertEqual(r.events_named("run_finished"), [])


if __name__ == "__main__":
    unittest.main()
