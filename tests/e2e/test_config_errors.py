#!/usr/bin/env python3
"""Configuration errors and loading through the real binary (spec §1, §2,
§6.3, §7): `sluiced check` and `sluiced run --once` print every error as
`FILE:LINE:COL: error: MESSAGE` on stderr and exit 2; `${...}`
substitution; directories.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SluicedTest  # noqa: E402
from http_server import Reply, TestServer  # noqa: E402

SRC = "source: { http: { url: http://127.0.0.1:9/ } }"


class ConfigErrorTest(SluicedTest):
    def check(self, *args, env=None):
        return self.sluiced("check", *args, env=env)

    def assert_errors(self, r, *lines, stdout=""):
        """Exit 2, stderr exactly `lines`, stdout as given."""
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stderr, "".join(l + "\n" for l in lines), r)
        self.assertEqual(r.stdout, stdout, r)

    def assert_check_errors(self, path, *lines, once=True):
        """`check [--once]` and `run --once` (when once) report exactly `lines`."""
        self.assert_errors(self.check(*(["--once"] if once else []), path), *lines)
        if once:
            r = self.sluiced("run", "--once", "--log-format", "json", path)
            self.assert_errors(r, *lines)

    # ---- unknown keys --------------------------------------------------------

    def test_unknown_keys_with_did_you_mean(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                sink: {{ stdout: {{}} }}
                on_eror: fail
              q:
                source:
                  http:
                    url: http://127.0.0.1:9/
                    metod: POST
                sink: {{ stdout: {{}} }}
                xyzzy: 1
            test: []
        """)
        self.assert_check_errors(
            p,
            f"{p}:5:5: error: unknown key `on_eror` (did you mean `on_error`?)",
            f"{p}:10:9: error: unknown key `metod` (did you mean `method`?)",
            f"{p}:12:5: error: unknown key `xyzzy`",
            f"{p}:13:1: error: unknown key `test` (did you mean `tests`?)")

    def test_misspelt_schedule_for_check(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                schedle: {{ every: 30s }}
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        r = self.check(p)
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stderr.splitlines()[0], f"{p}:3:5: error: unknown key `schedle` (did you mean `schedule`?)")

    def test_user_named_keys_are_free(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source:
                  http:
                    url: http://127.0.0.1:9/
                    headers: { X-Anything: a, schedle: b }
                    query: { metod: x, limit: "1" }
                stages:
                  - map:
                      sink: .a
                      whatever:
                        nested_any: .b
                  - set:
                      sourc: .c
                sink: { stdout: {} }
        """)
        r = self.check("--once", "--quiet", p)
        self.assertEqual((r.rc, r.stdout, r.stderr), (0, "", ""), r)

    # ---- missing keys ----------------------------------------------------------

    def test_missing_source_and_sink(self):
        p = self.write("p.yaml", """
            pipelines:
              a:
                schedule: { every: 30s }
                sink: { stdout: {} }
              b:
                schedule: { every: 30s }
                source: { http: { url: http://127.0.0.1:9/ } }
              c: { schedule: { every: 1m } }
        """)
        self.assert_check_errors(
            p,
            f"{p}:3:5: error: missing required key `source`",
            f"{p}:6:5: error: missing required key `sink`",
            f"{p}:8:6: error: missing required key `source`",
            f"{p}:8:6: error: missing required key `sink`",
            once=False)

    def test_schedule_required_by_check_not_by_once(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        self.assert_errors(self.check(p), f"{p}:3:5: error: missing required key `schedule`")
        r = self.check("--once", "--quiet", p)
        self.assertEqual((r.rc, r.stderr), (0, ""), r)
        r = self.sluiced("test", p)
        self.assertEqual(r.rc, 0, r)

    def test_run_once_needs_no_schedule(self):
        with TestServer() as srv:
            srv.route("/x", Reply(200, body='[{"id":1}]'))
            p = self.write("p.yaml", f"""
                pipelines:
                  p:
                    source: {{ http: {{ url: "{srv.url('/x')}" }} }}
                    sink: {{ stdout: {{}} }}
            """)
            r = self.run_once(p)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.stdout, '{"id":1}\n')

    def test_run_once_with_errors_runs_nothing(self):
        with TestServer() as srv:
            srv.route("/x", Reply(200, body='[{"id":1}]'))
            p = self.write("p.yaml", f"""
                pipelines:
                  good:
                    source: {{ http: {{ url: "{srv.url('/x')}" }} }}
                    sink: {{ file: {{ path: {self.path('good.ndjson')} }} }}
                  bad:
                    source: {{ http: {{ url: "{srv.url('/x')}", timeout: 3 parsecs }} }}
                    sink: {{ stdout: {{}} }}
            """)
            r = self.run_once(p)
            self.assertEqual(srv.requests, [])
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, rf"^{p}:6:\d+: error: invalid duration `3 parsecs` for `timeout`")
        self.assertFalse(os.path.exists(self.path("good.ndjson")))

    # ---- names -------------------------------------------------------------------

    def test_bad_pipeline_names(self):
        p = self.write("p.yaml", f"""
            pipelines:
              Bad:
                {SRC}
                sink: {{ stdout: {{}} }}
              _x:
                {SRC}
                sink: {{ stdout: {{}} }}
              a.b:
                {SRC}
                sink: {{ stdout: {{}} }}
              -a:
                {SRC}
                sink: {{ stdout: {{}} }}
              0k-_x9:
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        rule = "(names match [a-z0-9][a-z0-9_-]*)"
        self.assert_check_errors(
            p,
            f"{p}:2:3: error: invalid pipeline name `Bad` {rule}",
            f"{p}:5:3: error: invalid pipeline name `_x` {rule}",
            f"{p}:8:3: error: invalid pipeline name `a.b` {rule}",
            f"{p}:11:3: error: invalid pipeline name `-a` {rule}")

    def test_duplicate_name_across_files(self):
        a = self.write("a.yaml", f"""
            pipelines:
              p:
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        b = self.write("b.yaml", f"""
            pipelines:
              q:
                {SRC}
                sink: {{ stdout: {{}} }}
              p:
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        self.assert_errors(self.check("--once", a, b), f"{b}:5:3: error: duplicate pipeline name `p` (first defined at {a}:2:3)")

    # ---- YAML rules ---------------------------------------------------------------

    def test_duplicate_yaml_keys(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                source:
                  http:
                    url: http://127.0.0.1:9/
                    headers:
                      X-A: "1"
                      X-A: "2"
                sink: {{ stdout: {{}} }}
                sink: {{ stdout: {{}} }}
        """)
        self.assert_check_errors(
            p,
            f"{p}:8:11: error: duplicate key `X-A` (first at line 7, column 11)",
            f"{p}:10:5: error: duplicate key `sink` (first at line 9, column 5)")

    def test_merge_key(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source:
                  http:
                    url: http://127.0.0.1:9/
                    <<: { method: GET }
                sink: { stdout: {} }
        """)
        self.assert_check_errors(p, f"{p}:6:9: error: merge keys (`<<`) are not supported; write the keys out")

    def test_alias(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source: { http: { url: &u http://127.0.0.1:9/ } }
                sink: { stdout: {} }
              q:
                source: { http: { url: *u } }
                sink: { stdout: {} }
        """)
        self.assert_check_errors(p, f"{p}:6:28: error: aliases are not supported (`*u`); write the value out")

    def test_tags(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source: { http: { url: !!str http://127.0.0.1:9/ } }
                sink: !mine { stdout: {} }
        """)
        self.assert_check_errors(
            p,
            f"{p}:3:28: error: YAML tags are not supported (`!!str`)",
            f"{p}:4:11: error: YAML tags are not supported (`!mine`)")

    def test_yaml_syntax_error_stops_that_file_only(self):
        bad = self.write("bad.yaml", """
            pipelines:
              p: [
        """)
        other = self.write("other.yaml", f"""
            pipelines:
              q:
                {SRC}
                sink: {{ stdout: {{}} }}
                bogus: 1
        """)
        r = self.check("--once", bad, other)
        self.assertEqual(r.rc, 2, r)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 2, r)
        self.assertTrue(lines[0].startswith(f"{bad}:3:1: error: YAML syntax error"), r)
        self.assertEqual(lines[1], f"{other}:5:5: error: unknown key `bogus`")

    def test_sequence_as_map_value(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                stages:
                  - map:
                      a: [1, 2]
                      b:
                        - .x
                  - set:
                      c: [.y]
                sink: {{ stdout: {{}} }}
        """)
        hint = "; write an array expression such as '[.a, .b]'"
        self.assert_check_errors(
            p,
            f"{p}:6:14: error: a sequence is not allowed as the value of `a`{hint}",
            f"{p}:8:13: error: a sequence is not allowed as the value of `b`{hint}",
            f"{p}:10:14: error: a sequence is not allowed as the value of `c`{hint}")

    # ---- units ---------------------------------------------------------------------

    def test_bad_durations_and_sizes(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                schedule: { every: 5x }
                source:
                  http:
                    url: http://127.0.0.1:9/
                    timeout: 30 s
                    connect_timeout: 1h30m
                    max_body: 64MB2
                sink: { file: { path: /tmp/x.ndjson, rotate: { max_bytes: 1.5KiB, keep: 2 } } }
        """)
        dur = "(expected e.g. 250ms, 30s, 5m, 1h, 1h30m)"
        size = "(expected e.g. 512, 64KiB, 8MiB, 1GiB, 10MB)"
        self.assert_check_errors(
            p,
            f"{p}:3:24: error: invalid duration `5x` for `every` {dur}",
            f"{p}:7:18: error: invalid duration `30 s` for `timeout` {dur}",
            f"{p}:9:19: error: invalid size `64MB2` for `max_body` {size}",
            f"{p}:10:63: error: invalid size `1.5KiB` for `max_bytes` {size}")

    def test_durations_beyond_ten_years_are_refused(self):
        # Fire times past year 9999 cannot be printed in RFC 3339 (found by a
        # new-user trial: `every: 1000000000h` printed year 116103).
        p = self.write("p.yaml", """
            pipelines:
              p:
                schedule: { every: 1000000000h }
                source: { http: { url: "http://127.0.0.1:9/", timeout: 3651d } }
                sink: { stdout: {} }
        """)
        self.assert_check_errors(
            p,
            f"{p}:3:24: error: duration `1000000000h` for `every` is too long (at most 3650d, ten years)",
            f"{p}:4:60: error: duration `3651d` for `timeout` is too long (at most 3650d, ten years)")

    def test_good_durations_and_sizes(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                schedule: { every: 1h30m, jitter: 250ms }
                source:
                  http:
                    url: http://127.0.0.1:9/
                    timeout: 5m
                    connect_timeout: 30s
                    max_body: 1GiB
                sink: { file: { path: /tmp/x.ndjson, rotate: { max_bytes: 10MB, keep: 2 } } }
              q:
                schedule: { every: 1h }
                source: { http: { url: http://127.0.0.1:9/, max_body: 512 } }
                sink: { file: { path: /tmp/y.ndjson, rotate: { max_bytes: 8MiB, keep: 1 } } }
              r:
                schedule: { every: 250ms }
                source: { http: { url: http://127.0.0.1:9/, max_body: 64KiB } }
                sink: { file: { path: /tmp/z.ndjson, rotate: { max_bytes: 2KB, keep: 1 } } }
        """)
        r = self.check(p)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("  schedule: every 90m jitter 250ms\n", r.stdout)
        self.assertIn("rotate 10000000 bytes keep 2)", r.stdout)
        self.assertIn("rotate 8388608 bytes keep 1)", r.stdout)
        self.assertIn("rotate 2000 bytes keep 1)", r.stdout)

    def test_jitter_must_be_shorter_than_every(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                schedule: {{ every: 1s, jitter: 1s }}
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        self.assert_errors(self.check(p), f"{p}:3:36: error: `jitter` (1s) must be shorter than `every` (1s)")

    def test_sink_option_errors(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                sink: {{ file: {{ path: /tmp/a, format: json }} }}
              q:
                {SRC}
                sink: {{ file: {{ path: /tmp/a, mode: replace, rotate: {{ max_bytes: 1KiB, keep: 1 }} }} }}
              r:
                {SRC}
                sink: {{ stdout: {{}}, file: {{ path: /tmp/a }} }}
                on_error: skip
        """)
        self.assert_check_errors(
            p,
            f"{p}:4:43: error: `format: json` needs `mode: replace`",
            f"{p}:7:50: error: `rotate` applies to `mode: append` only",
            f"{p}:10:25: error: `sink` takes only one of `stdout` or `file`",
            f"{p}:11:15: error: invalid value `skip` for `on_error` (expected drop or fail)")

    # ---- expressions (§6.3) ------------------------------------------------------

    def test_expression_errors_with_caret(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                stages:
                  - filter: '.a == 1 and uper(.b) == "X"'
                  - map:
                      x: '.s =~ "a(b"'
                      y: 'substr(.s)'
                      z: |
                        .a +
                          lenn(.b)
                  - set:
                      w: '.a +'
                sink: {{ stdout: {{}} }}
        """)
        self.assert_check_errors(
            p,
            f"{p}:5:30: error: unknown function `uper`; did you mean `upper`?",
            '.a == 1 and uper(.b) == "X"',
            "            ^",
            f"{p}:7:21: error: invalid regex: missing ): a(b",
            '.s =~ "a(b"',
            "      ^",
            f"{p}:8:15: error: `substr` takes 2 or 3 arguments, got 1",
            "substr(.s)",
            "^",
            f"{p}:11:15: error: unknown function `lenn`; did you mean `len`?",
            "  lenn(.b)",
            "  ^",
            f"{p}:13:19: error: expected an expression",
            ".a +",
            "    ^")

    def test_expression_error_in_plain_scalar(self):
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                stages:
                  - filter: bogus_fn(.a)
                sink: {{ stdout: {{}} }}
        """)
        r = self.check("--once", p)
        self.assertEqual(r.rc, 2, r)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 3, r)
        self.assertTrue(lines[0].startswith(f"{p}:5:17: error: unknown function `bogus_fn`"), r)
        self.assertEqual(lines[1:], ["bogus_fn(.a)", "^"])

    def test_caret_maps_through_yaml_quoting(self):
        p = self.write("p.yaml", r"""
            pipelines:
              p:
                source: { http: { url: "http://127.0.0.1:9/" } }
                stages:
                  - filter: "\"x\" == nope1(.b)"
                  - filter: '"it''s" == nope2(.b)'
                  - filter: .a ==
                      nope3(.b)
                  - filter: >
                      .a == 1 and
                      nope4(.b)
                  - filter: "\t.a == nope5(1)"
                sink: { stdout: {} }
        """)
        self.assert_check_errors(
            p,
            f"{p}:5:27: error: unknown function `nope1`",
            '"x" == nope1(.b)',
            "       ^",
            f"{p}:6:29: error: unknown function `nope2`",
            "\"it's\" == nope2(.b)",
            "          ^",
            f"{p}:8:11: error: unknown function `nope3`",
            ".a == nope3(.b)",
            "      ^",
            f"{p}:11:11: error: unknown function `nope4`",
            ".a == 1 and nope4(.b)",
            "            ^",
            f"{p}:12:26: error: unknown function `nope5`",
            "\t.a == nope5(1)",
            "\t      ^")

    def test_map_key_null_is_a_field_name(self):
        # docs/configuration.md: "A key written `null` or `~` is the text `null` / `~`."
        p = self.write("p.yaml", f"""
            pipelines:
              p:
                {SRC}
                stages:
                  - map:
                      null: .a
                      ~: .b
                sink: {{ stdout: {{}} }}
        """)
        r = self.check("--once", "--quiet", p)
        self.assertEqual((r.rc, r.stderr), (0, ""), r)

    # ---- ${...} substitution (§1) ------------------------------------------------

    def test_missing_variable_without_default(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source: { http: { url: "http://x/${SLUICED_TEST_MISSING}" } }
                sink: { stdout: {} }
        """)
        self.assertNotIn("SLUICED_TEST_MISSING", os.environ)
        r = self.sluiced("check", "--once", p)
        self.assert_errors(r, f"{p}:3:28: error: environment variable `SLUICED_TEST_MISSING` is not set "
                              "(use `${SLUICED_TEST_MISSING:-default}` for a default)")
        # Set but empty is set: no error (the URL is then http://x/).
        r = self.sluiced("check", "--once", "--quiet", p, env={"SLUICED_TEST_MISSING": ""})
        self.assertEqual((r.rc, r.stderr), (0, ""), r)

    def test_substitution_values_reach_the_request(self):
        os.makedirs(self.path("conf"))
        with open(self.path("conf", "secret.txt"), "w") as f:
            f.write("s3cr\n")
        os.makedirs(self.path("creds"))
        with open(self.path("creds", "tok"), "w") as f:
            f.write("credval\n")
        with TestServer() as srv:
            srv.route("/v2/items", Reply(200, body="[]"))
            p = self.write("conf/p.yaml", f"""
                pipelines:
                  p:
                    source:
                      http:
                        url: "http://127.0.0.1:{srv.port}/${{VER:-v1}}/items"
                        headers:
                          X-Def: "${{SLUICED_UNSET_X:-dflt}}"
                          X-Empty: "${{SLUICED_EMPTY_X:-e}}"
                          X-Set: "${{SLUICED_SET_X:-d}}"
                          X-File: "${{file:secret.txt}}"
                          X-Cred: "${{cred:tok}}"
                          X-Dollar: "$$HOME and $${{NOT}}"
                          X-Regex: "^a$"
                          X-Mid: "a${{SLUICED_SET_X}}b"
                    sink: {{ stdout: {{}} }}
            """)
            os.environ.pop("SLUICED_UNSET_X", None)
            r = self.run_once(p, env={"VER": "v2", "SLUICED_EMPTY_X": "", "SLUICED_SET_X": "val",
                                      "CREDENTIALS_DIRECTORY": self.path("creds")})
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(len(srv.requests), 1)
            req = srv.requests[0]
        self.assertEqual(req.path, "/v2/items")
        self.assertEqual(req.header("X-Def"), "dflt")
        self.assertEqual(req.header("X-Empty"), "e")
        self.assertEqual(req.header("X-Set"), "val")
        self.assertEqual(req.header("X-File"), "s3cr")
        self.assertEqual(req.header("X-Cred"), "credval")
        self.assertEqual(req.header("X-Dollar"), "$HOME and ${NOT}")
        self.assertEqual(req.header("X-Regex"), "^a$")
        self.assertEqual(req.header("X-Mid"), "avalb")

    def test_file_substitution_removes_one_trailing_newline(self):
        with open(self.path("two.txt"), "w") as f:
            f.write("a\n\n")
        p = self.write("p.yaml", """
            pipelines:
              p:
                source: { http: { url: "http://127.0.0.1:9/?q=${file:two.txt}" } }
                sink: { stdout: {} }
        """)
        r = self.check("--once", p)
        # One newline stays: the URL then holds a control character.
        self.assertEqual(r.rc, 2, r)
        self.assertIn("http://127.0.0.1:9/?q=a ", r.stderr)
        self.assertTrue(r.stderr.startswith(f"{p}:3:28: error: invalid URL"), r)

    def test_file_substitution_errors(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                source:
                  http:
                    url: http://127.0.0.1:9/
                    headers:
                      X-Missing: "${file:nope.txt}"
                      X-Open: "${OPEN"
                      X-Bad: "${A B}"
                sink: { stdout: {} }
        """)
        self.assert_check_errors(
            p,
            f"{p}:7:22: error: cannot read `{self.path('nope.txt')}` for `${{file:nope.txt}}`: No such file or directory",
            f"{p}:8:19: error: unterminated `${{` (write `$$` for a literal `$`)",
            f"{p}:9:18: error: invalid variable name `A B` in `${{A B}}`")

    # ---- all errors, files and directories ----------------------------------------

    def test_three_errors_three_lines(self):
        p = self.write("p.yaml", """
            pipelines:
              p:
                schedule: { every: 5x }
                source: { http: { url: http://127.0.0.1:9/, metod: GET } }
                stages:
                  - filter: 'nope(.a) == 1'
                sink: { stdout: {} }
        """)
        r = self.check(p)
        self.assertEqual(r.rc, 2, r)
        heads = [l for l in r.stderr.splitlines() if ": error: " in l]
        self.assertEqual(len(heads), 3, r)
        self.assertEqual([h.split(": error: ")[0] for h in heads], [f"{p}:3:24", f"{p}:4:49", f"{p}:6:18"])

    def test_missing_file_argument(self):
        r = self.check(self.path("nope.yaml"))
        self.assert_errors(r, f"sluiced: error: cannot read `{self.path('nope.yaml')}`: No such file or directory")

    def test_directory_loads_yaml_and_yml_in_name_order(self):
        d = self.path("conf")
        for name, pipe in (("b.yaml", "aa"), ("a.yml", "zz"), ("c.yaml", "mm")):
            self.write(f"conf/{name}", f"""
                pipelines:
                  {pipe}:
                    {SRC}
                    sink: {{ stdout: {{}} }}
            """)
        self.write("conf/d.json", "not yaml: [")
        self.write("conf/e.txt", "not yaml: [")
        self.write("conf/sub/f.yaml", "not yaml: [")
        self.write("conf/.swap.yaml", "not yaml: [")  # dot files are skipped (docs/configuration.md)
        r = self.check("--once", d)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual([l for l in r.stdout.splitlines() if l.startswith("pipeline ")],
                         ["pipeline zz", "pipeline aa", "pipeline mm"])
        self.assertEqual(r.stdout.splitlines()[-1], "ok: 3 pipelines, 0 tests")
        # Name order decides which definition is first.
        self.write("conf/0.yml", f"""
            pipelines:
              mm:
                {SRC}
                sink: {{ stdout: {{}} }}
        """)
        r = self.check("--once", d)
        self.assert_errors(r, f"{d}/c.yaml:2:3: error: duplicate pipeline name `mm` (first defined at {d}/0.yml:2:3)")

    def test_empty_directory_is_valid(self):
        os.makedirs(self.path("empty"))
        r = self.check(self.path("empty"))
        self.assertEqual((r.rc, r.stderr), (0, ""), r)
        self.assertEqual(r.stdout, "ok: 0 pipelines, 0 tests\n")
        r = self.check("--quiet", self.path("empty"))
        self.assertEqual((r.rc, r.stdout, r.stderr), (0, "", ""), r)

    def test_files_without_pipelines_are_valid(self):
        a = self.write("a.yaml", "tests: []\n")
        b = self.write("b.yaml", "# only a comment\n")
        c = self.write("c.yaml", "pipelines:\n")
        r = self.check(a, b, c)
        self.assertEqual((r.rc, r.stdout, r.stderr), (0, "ok: 0 pipelines, 0 tests\n", ""), r)
        r = self.run_once(a, b, c)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.event("no_pipelines")["level"], "warn")


if __name__ == "__main__":
    unittest.main()
