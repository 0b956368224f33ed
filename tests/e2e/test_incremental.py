#!/usr/bin/env python3
"""Incremental sync through the real binary (spec §4.2, `state` of §9).

Each test runs `sluiced run --once --state-dir DIR` against a loopback server
and checks the parameter sent, the state file `<DIR>/<pipeline>.cursor`, and
`sluiced state show|set|reset`.
"""
import json
import os
import subprocess
import sys
import unittest
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Result, ServedTest  # noqa: E402
from http_server import Reply  # noqa: E402

JSON = [("Content-Type", "application/json")]


def body(*records):
    return json.dumps(list(records), separators=(",", ":"))


class IncrementalTest(ServedTest):
    def setUp(self):
        super().setUp()
        self.state = self.path("state")

    # ---- helpers ----------------------------------------------------------

    def serve(self, *bodies, path=""):
        """Serves JSON bodies (str) in order at this test's path; returns its URL."""
        self.server.route(self.prefix + path, *[b if isinstance(b, Reply) else Reply(200, JSON, b) for b in bodies])
        return self.server.url(self.prefix + path)

    def queries(self):
        """The raw query strings of this test's requests, in order."""
        return [urlsplit(r.path).query for r in self.server.requests if r.path.startswith(self.prefix)]

    def sent(self, param="since"):
        """The decoded values of `param` per request (None when absent)."""
        out = []
        for q in self.queries():
            v = parse_qs(q, keep_blank_values=True).get(param)
            out.append(v[0] if v else None)
        return out

    def pipeline(self, url, incremental, stages="", extra_http="", name="p", file="p.yaml"):
        text = (
            "pipelines:\n"
            f"  {name}:\n"
            "    source:\n"
            "      http:\n"
            f"        url: \"{url}\"\n"
            "        retry: { attempts: 1 }\n"
            f"        incremental: {incremental}\n"
            + "".join(f"        {l}\n" for l in extra_http.strip("\n").splitlines() if l.strip())
            + (f"    stages:\n" + "".join(f"      {l}\n" for l in stages.strip("\n").splitlines()) if stages else "")
            + f"    sink: {{ file: {{ path: {self.path(name + '.ndjson')} }} }}\n"
        )
        return self.write(file, text)

    def run_state(self, cfg, state=None, env=None):
        return self.run_once(cfg, env=env, extra=("--state-dir", state or self.state))

    def cursor(self, name="p", state=None):
        """The state file's content, or None when there is none."""
        p = os.path.join(state or self.state, name + ".cursor")
        if not os.path.exists(p):
            return None
        with open(p) as f:
            return f.read()

    def out(self, name="p"):
        p = self.path(name + ".ndjson")
        if not os.path.exists(p):
            return None
        with open(p) as f:
            return f.read()

    def state_cmd(self, *args, state=None, env=None):
        return self.sluiced("state", *args, "--state-dir", state or self.state, env=env)

    INC = '{ cursor: .ts, param: since, initial: "2024-01-01T00:00:00Z" }'

    # ---- first and second runs --------------------------------------------

    def test_first_run_sends_initial_then_the_stored_cursor(self):
        url = self.serve(body({"id": 1, "ts": "2024-05-02T10:00:00Z"}, {"id": 2, "ts": "2024-05-03T08:30:00Z"},
                              {"id": 3, "ts": "2024-05-01T00:00:00Z"}),
                         body({"id": 4, "ts": "2024-05-04T00:00:00Z"}))
        cfg = self.pipeline(url, self.INC, extra_http='query: { limit: "10" }')
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.queries(), ["limit=10&since=2024-01-01T00%3A00%3A00Z"])
        self.assertEqual(self.cursor(), '"2024-05-03T08:30:00Z"\n')
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.sent(), ["2024-01-01T00:00:00Z", "2024-05-03T08:30:00Z"])
        self.assertEqual(self.cursor(), '"2024-05-04T00:00:00Z"\n')
        self.assertEqual(len(self.out().splitlines()), 4)
        # No temporary file is left in the state directory.
        self.assertEqual(os.listdir(self.state), ["p.cursor"])

    def test_without_initial_the_parameter_is_left_out(self):
        url = self.serve(body({"ts": 5}), body({"ts": 6}))
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }", extra_http='query: { a: "1" }')
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.cursor(), "5\n")
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.queries(), ["a=1", "a=1&since=5"])
        self.assertEqual(self.cursor(), "6\n")

    def test_string_cursor_is_sent_as_its_decoded_text(self):
        url = self.serve('[{"ts":"caf\\u00e9 & \\"q\\"/+"}]', body())
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(json.loads(self.cursor()), 'café & "q"/+')
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.sent(), [None, 'café & "q"/+'])

    def test_number_cursor_is_sent_as_written(self):
        for name, values, stored in (("decimal", ["1.05", "1.10", "0.9"], "1.10"),
                                     ("exponent", ["999", "1e3", "2E2"], "1e3"),
                                     ("big", ["9007199254740993", "9007199254740992"], "9007199254740993"),
                                     ("negative", ["-5", "-10.5", "-0.25"], "-0.25")):
            with self.subTest(name=name):
                self.server.clear_requests()
                state = self.path("state-" + name)
                url = self.serve("[" + ",".join('{"ts":%s}' % v for v in values) + "]", body(), path="/" + name)
                cfg = self.pipeline(url, "{ cursor: .ts, param: since }", file=name + ".yaml")
                self.assertEqual(self.run_state(cfg, state=state).rc, 0)
                self.assertEqual(self.cursor(state=state), stored + "\n")
                self.assertEqual(self.run_state(cfg, state=state).rc, 0)
                self.assertEqual(self.queries()[-1], "since=" + stored.replace("+", "%2B"))

    def test_numbers_compare_numerically(self):
        url = self.serve(body({"ts": 9}, {"ts": 10}, {"ts": 2}, {"ts": None}, {"x": 1}))
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.cursor(), "10\n")

    def test_rfc3339_times_with_offsets_compare_as_times(self):
        cases = (
            # (values, greatest) -- by bytes the greatest would differ
            (["2024-05-01T10:00:00+02:00", "2024-05-01T09:00:00Z", "2024-05-01T07:30:00-01:00"],
             "2024-05-01T09:00:00Z"),
            (["2024-05-01T23:30:00-05:00", "2024-05-02T03:00:00Z"], "2024-05-01T23:30:00-05:00"),
            (["2024-05-01T09:00:00.5Z", "2024-05-01T09:00:00.45Z", "2024-05-01T10:00:00.1+01:00"],
             "2024-05-01T09:00:00.5Z"),
            # lower-case t and z are RFC 3339 too
            (["2024-05-01t12:00:00z", "2024-05-01T13:00:00+02:00"], "2024-05-01t12:00:00z"),
            # below the millisecond: .0005 is after .0001 an hour "later" by bytes
            (["2024-01-01T01:00:00.0001+01:00", "2024-01-01T00:00:00.0005Z"], "2024-01-01T00:00:00.0005Z"),
            (["2024-01-01T00:00:00.0005Z", "2024-01-01T01:00:00.0001+01:00"], "2024-01-01T00:00:00.0005Z"),
            # not both times: bytes
            (["2024-05-01T10:00:00+02:00", "2024-05-01T09:00:00 UTC"], "2024-05-01T10:00:00+02:00"),
            (["b", "B", "a", "ab"], "b"),
        )
        for i, (values, greatest) in enumerate(cases):
            with self.subTest(values=values):
                state = self.path(f"state{i}")
                url = self.serve(body(*[{"ts": v} for v in values]), path=f"/{i}")
                cfg = self.pipeline(url, "{ cursor: .ts, param: since }", file=f"p{i}.yaml")
                r = self.run_state(cfg, state=state)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(json.loads(self.cursor(state=state)), greatest)

    def test_cursor_is_an_expression_over_decoded_records_before_stages(self):
        # The record with the greatest cursor is filtered out and `ts` is
        # mapped away: the cursor still comes from the decoded records.
        url = self.serve(json.dumps({"items": [{"id": 1, "meta": {"ts": 3}}, {"id": 2, "meta": {"ts": 7}},
                                               {"id": 3, "meta": {"ts": 5}}]}))
        cfg = self.pipeline(url, "{ cursor: '.meta.ts * 10', param: since }", extra_http="records: .items",
                            stages="- filter: '.id != 2'\n- map: { id: .id }")
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.out(), '{"id":1}\n{"id":3}\n')
        self.assertEqual(self.cursor(), "70\n")

    def test_cursor_over_all_pages(self):
        url = self.serve(body({"ts": 1}, {"ts": 4}), body({"ts": 9}), body({"ts": 2}), body(), path="")
        cfg = self.pipeline(url, "{ cursor: .ts, param: since, initial: 0 }",
                            extra_http="paginate: { page: { param: page } }")
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.cursor(), "9\n")
        self.assertEqual(self.queries(), ["since=0&page=1", "since=0&page=2", "since=0&page=3", "since=0&page=4"])

    # ---- what keeps the old cursor -----------------------------------------------

    def test_mixed_types_are_a_run_error(self):
        self.state_cmd("set", "p", "3")
        url = self.serve(body({"ts": 5}, {"ts": "6"}))
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(".ts", r.event("run_failed", "p")["error"])
        self.assertEqual(self.cursor(), "3\n")
        self.assertIn(self.out(), (None, ""))

    def test_non_scalar_cursor_is_a_run_error(self):
        url = self.serve(body({"ts": [1]}))
        r = self.run_state(self.pipeline(url, "{ cursor: .ts, param: since }"))
        self.assertEqual(r.rc, 1, r)
        r.event("run_failed", "p")
        self.assertIsNone(self.cursor())

    def test_failed_run_leaves_the_state_unchanged(self):
        url = self.serve(body({"ts": 5}), Reply(500, JSON, "{}"), body({"ts": 8}), "not json")
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.cursor(), "5\n")
        mtime = os.stat(os.path.join(self.state, "p.cursor")).st_mtime_ns
        self.assertEqual(self.run_state(cfg).rc, 1)  # 500
        self.assertEqual(self.cursor(), "5\n")
        self.assertEqual(self.run_state(cfg).rc, 0)  # sends 5 again
        self.assertEqual(self.cursor(), "8\n")
        self.assertEqual(self.run_state(cfg).rc, 1)  # not json
        self.assertEqual(self.cursor(), "8\n")
        self.assertEqual(self.sent(), [None, "5", "5", "8"])
        self.assertGreaterEqual(os.stat(os.path.join(self.state, "p.cursor")).st_mtime_ns, mtime)

    def test_on_error_fail_leaves_the_state_unchanged(self):
        url = self.serve(body({"ts": 5, "n": "x"}))
        cfg = self.write("p.yaml", f"""
            pipelines:
              p:
                on_error: fail
                source: {{ http: {{ url: "{url}", incremental: {{ cursor: .ts, param: since }} }} }}
                stages: [ {{ map: {{ n: 'to_number(.n)' }} }} ]
                sink: {{ file: {{ path: {self.path('p.ndjson')} }} }}
            """)
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertIsNone(self.cursor())

    def test_run_without_cursor_values_keeps_the_old_cursor(self):
        url = self.serve(body({"ts": "2024-05-01T00:00:00Z"}), body(), body({"id": 1}, {"ts": None}),
                         json.dumps({"other": 1}))
        cfg = self.pipeline(url, self.INC, extra_http="records: .")
        for _ in range(4):
            r = self.run_state(cfg)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(self.cursor(), '"2024-05-01T00:00:00Z"\n')
        self.assertEqual(self.sent(), ["2024-01-01T00:00:00Z"] + ["2024-05-01T00:00:00Z"] * 3)

    def test_lower_cursor_than_stored_replaces_it(self):
        # The new cursor is the run's greatest value (letter of §4.2).
        self.state_cmd("set", "p", "10")
        url = self.serve(body({"ts": 4}))
        self.assertEqual(self.run_state(self.pipeline(url, "{ cursor: .ts, param: since }")).rc, 0)
        self.assertEqual(self.sent(), ["10"])
        self.assertEqual(self.cursor(), "4\n")

    # ---- at least once: the state is written after the sink ----------------------

    def run_with_blocked_state_write(self, cfg):
        """Runs with the state write failing after the sink wrote: the temporary
        file's name (`.p.cursor.tmp-PID`) is taken by a directory, created in
        the child between fork and exec, when its pid is known."""
        state = self.state

        def block():
            os.makedirs(os.path.join(state, ".p.cursor.tmp-%d" % os.getpid()), exist_ok=True)

        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        proc = subprocess.run([BIN, "run", "--once", "--log-format", "json", "--state-dir", state, cfg],
                              capture_output=True, text=True, env=e, timeout=60, preexec_fn=block)
        return Result(proc)

    def test_state_written_only_after_the_sink(self):
        url = self.serve(body({"id": 1, "ts": 5}), body({"id": 2, "ts": 7}, {"id": 3, "ts": 6}),
                         body({"id": 2, "ts": 7}, {"id": 3, "ts": 6}), body())
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.cursor(), "5\n")
        # The state write fails: the sink already has the batch, the cursor stays.
        r = self.run_with_blocked_state_write(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("state", r.event("run_failed", "p")["error"])
        self.assertEqual(self.out(), '{"id":1,"ts":5}\n{"id":2,"ts":7}\n{"id":3,"ts":6}\n')
        self.assertEqual(self.cursor(), "5\n")
        # The next run repeats the batch from the old cursor: at least once.
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.sent(), [None, "5", "5"])
        self.assertEqual(self.out(), '{"id":1,"ts":5}\n{"id":2,"ts":7}\n{"id":3,"ts":6}\n{"id":2,"ts":7}\n{"id":3,"ts":6}\n')
        self.assertEqual(self.cursor(), "7\n")

    def test_sink_failure_leaves_the_state_unchanged(self):
        url = self.serve(body({"ts": 5}), body({"ts": 9}))
        os.makedirs(self.path("blocked"))
        cfg = self.write("p.yaml", f"""
            pipelines:
              p:
                source: {{ http: {{ url: "{url}", incremental: {{ cursor: .ts, param: since }} }} }}
                sink: {{ file: {{ path: {self.path('blocked')} }} }}
            """)
        r = self.run_state(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertIsNone(self.cursor())

    def test_unreadable_state_fails_the_run_before_fetching(self):
        # A file where the state directory should be.
        self.write("state", "not a directory\n")
        url = self.serve(body({"ts": 5}))
        r = self.run_state(self.pipeline(url, "{ cursor: .ts, param: since }"))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("state", r.event("run_failed", "p")["error"])
        self.assertEqual(self.queries(), [])
        self.assertEqual(self.read("state"), "not a directory\n")

    # ---- sluiced state --------------------------------------------------------------

    def test_state_show_set_reset(self):
        url = self.serve(body({"ts": "2024-05-01T00:00:00Z"}))
        cfg = self.pipeline(url, self.INC)
        r = self.state_cmd("show")
        self.assertEqual((r.rc, r.stdout), (0, ""))
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.state_cmd("set", "zeta", "1.10").rc, 0)
        self.assertEqual(self.state_cmd("set", "alpha", '"42"').rc, 0)
        r = self.state_cmd("show")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, 'alpha "42"\np "2024-05-01T00:00:00Z"\nzeta 1.10\n')
        r = self.state_cmd("show", "p")
        self.assertEqual((r.rc, r.stdout), (0, 'p "2024-05-01T00:00:00Z"\n'))
        # set: a time is a string; the next run sends it.
        self.assertEqual(self.state_cmd("set", "p", "2023-06-01T00:00:00+02:00").rc, 0)
        self.assertEqual(self.cursor(), '"2023-06-01T00:00:00+02:00"\n')
        self.assertEqual(self.run_state(cfg).rc, 0)
        # reset: the next run starts from `initial` again.
        self.assertEqual(self.state_cmd("reset", "p").rc, 0)
        self.assertIsNone(self.cursor())
        r = self.state_cmd("show", "p")
        self.assertEqual((r.rc, r.stdout), (1, ""))
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.sent(), ["2024-01-01T00:00:00Z", "2023-06-01T00:00:00+02:00", "2024-01-01T00:00:00Z"])
        # reset of a cursor that does not exist is not an error
        self.assertEqual(self.state_cmd("reset", "nothing").rc, 0)
        r = self.state_cmd("show")
        self.assertEqual(r.stdout, 'alpha "42"\np "2024-05-01T00:00:00Z"\nzeta 1.10\n')

    def test_state_set_number_is_sent_as_written(self):
        url = self.serve(body())
        cfg = self.pipeline(url, "{ cursor: .ts, param: since, initial: 0 }")
        self.assertEqual(self.state_cmd("set", "p", "1.10").rc, 0)
        self.assertEqual(self.cursor(), "1.10\n")
        self.assertEqual(self.run_state(cfg).rc, 0)
        self.assertEqual(self.queries(), ["since=1.10"])
        self.assertEqual(self.cursor(), "1.10\n")

    def test_state_set_negative_number(self):
        r = self.state_cmd("set", "p", "-5")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.cursor(), "-5\n")

    def test_state_usage_errors(self):
        for args in (("show", "a", "b"), ("set", "p"), ("reset",), ("frobnicate",), ("set", "Bad", "1")):
            with self.subTest(args=args):
                self.assertEqual(self.state_cmd(*args).rc, 2)
        self.assertEqual(self.sluiced("state").rc, 2)

    def test_state_directory_from_systemd(self):
        sd1, sd2 = self.path("sd1"), self.path("sd2")
        env = {"STATE_DIRECTORY": f"{sd1}:{sd2}"}
        url = self.serve(body({"ts": 3}), body({"ts": 4}))
        cfg = self.pipeline(url, "{ cursor: .ts, param: since }")
        r = self.run_once(cfg, env=env)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.cursor(state=os.path.join(sd1, "state")), "3\n")
        self.assertFalse(os.path.exists(sd2))
        r = self.sluiced("state", "show", env=env)
        self.assertEqual((r.rc, r.stdout), (0, "p 3\n"))
        self.assertEqual(self.sluiced("state", "set", "p", "10", env=env).rc, 0)
        self.assertEqual(self.run_once(cfg, env=env).rc, 0)
        self.assertEqual(self.sent(), [None, "10"])
        self.assertEqual(self.cursor(state=os.path.join(sd1, "state")), "4\n")
        # --state-dir wins over $STATE_DIRECTORY
        r = self.sluiced("state", "show", "--state-dir", self.path("elsewhere"), env=env)
        self.assertEqual((r.rc, r.stdout), (0, ""))

    def test_state_per_pipeline(self):
        u1 = self.serve(body({"ts": 1}), path="/a")
        u2 = self.serve(body({"ts": "z"}), path="/b")
        self.write("p.yaml", f"""
            pipelines:
              a:
                source: {{ http: {{ url: "{u1}", incremental: {{ cursor: .ts, param: s }} }} }}
                sink: {{ file: {{ path: {self.path('a.ndjson')} }} }}
              b-2:
                source: {{ http: {{ url: "{u2}", incremental: {{ cursor: .ts, param: s }} }} }}
                sink: {{ file: {{ path: {self.path('b.ndjson')} }} }}
            """)
        r = self.run_state(self.path("p.yaml"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(os.listdir(self.state)), ["a.cursor", "b-2.cursor"])
        self.assertEqual(self.state_cmd("show").stdout, 'a 1\nb-2 "z"\n')


if __name__ == "__main__":
    unittest.main()
