#!/usr/bin/env python3
"""Stages through the real binary (spec §5, §6.4): filter, map, set, drop,
chains, record errors (§5.4) and how values are written on output.

Each test serves a JSON body from a loopback server, runs
`sluiced run --once` and compares the sink's bytes exactly.
"""
import json
import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServedTest  # noqa: E402
from http_server import Reply  # noqa: E402


class StageTest(ServedTest):
    def serve(self, body):
        """Serves `body` (str) at a path of this test; returns its URL."""
        path = self.prefix
        self.server.route(path, Reply(200, [("Content-Type", "application/json")], body))
        return self.server.url(path)

    def pipeline(self, body, stages, sink="{ stdout: {} }", extra=""):
        """Writes p.yaml: pipeline `p` fetching `body` through `stages` (YAML text of the list)."""
        stages = textwrap.indent(textwrap.dedent(stages).strip("\n"), " " * 6)
        extra = textwrap.indent(textwrap.dedent(extra).strip("\n"), " " * 4)
        text = (f"pipelines:\n  p:\n    source: {{ http: {{ url: \"{self.serve(body)}\", retry: {{ attempts: 1 }} }} }}\n"
                f"    stages:\n{stages}\n    sink: {sink}\n{extra}\n")
        p = self.path("p.yaml")
        with open(p, "w") as f:
            f.write(text)
        return p

    def run_stdout(self, body, stages, extra=""):
        """Runs with a stdout sink; asserts success; returns stdout and the result."""
        r = self.run_once(self.pipeline(body, stages, extra=extra))
        self.assertEqual(r.rc, 0, r)
        return r.stdout, r

    def with_dead_letter(self, body, stages, on_error=None):
        """Runs with file sinks out.ndjson and dl.ndjson; returns the result."""
        extra = f"dead_letter: {{ file: {{ path: {self.path('dl.ndjson')} }} }}\n"
        if on_error:
            extra += f"on_error: {on_error}\n"
        return self.run_once(self.pipeline(body, stages, sink=f"{{ file: {{ path: {self.path('out.ndjson')} }} }}",
                                           extra=extra))

    # ---- filter (§5.1) ---------------------------------------------------

    def test_filter_true_keeps_false_and_null_drop(self):
        body = '[{"id":1,"k":true},{"id":2,"k":false},{"id":3,"k":null},{"id":4},{"id":5,"k":true}]'
        out, r = self.run_stdout(body, "- filter: .k")
        self.assertEqual(out, '{"id":1,"k":true}\n{"id":5,"k":true}\n')
        fin = r.event("run_finished", "p")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (5, 2, 0))
        self.assertEqual(r.events_named("record_failed"), [])

    def test_filter_comparison_of_other_types_gives_null_and_drops(self):
        # `<` on a string and a number gives null (§6.2): dropped, not an error.
        out, r = self.run_stdout('[{"n":"5"},{"n":5},{"n":0}]', "- filter: '.n > 1'")
        self.assertEqual(out, '{"n":5}\n')
        self.assertEqual(r.event("run_finished")["records_failed"], 0)

    def test_filter_non_bool_result_is_a_record_error(self):
        body = '[{"id":1,"k":1},{"id":2,"k":true},{"id":3,"k":"true"},{"id":4,"k":[]},{"id":5,"k":{}}]'
        r = self.with_dead_letter(body, "- filter: .k")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"id":2,"k":true}\n')
        dl = self.lines("dl.ndjson")
        self.assertEqual([d["record"]["id"] for d in dl], [1, 3, 4, 5])
        for d in dl:
            self.assertEqual(list(d), ["pipeline", "stage", "error", "record"])
            self.assertEqual((d["pipeline"], d["stage"]), ("p", 0))
            self.assertIn("bool", d["error"])
        fin = r.event("run_finished", "p")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (5, 1, 4))

    # ---- map (§5.2) --------------------------------------------------------

    def test_map_builds_new_object_in_written_order_with_nesting(self):
        body = '[{"id":7,"name":"ann","age":19,"address":{"city":"Bonn","zip":"53111"},"x":1}]'
        out, _ = self.run_stdout(body, """
            - map:
                name: upper(.name)
                id: .id
                adult: '.age >= 18'
                location:
                  zip: '.address.zip ?? "unknown"'
                  city: .address.city
                  deeper:
                    first: .address.city
                missing: .nope
        """)
        self.assertEqual(out, '{"name":"ANN","id":7,"adult":true,"location":{"zip":"53111","city":"Bonn",'
                              '"deeper":{"first":"Bonn"}},"missing":null}\n')

    def test_map_yaml_literals_and_quoted_expressions(self):
        # Plain true/false/null/number text are literals; any other scalar,
        # quoted or not, is an expression: '"crm"' is the string, "false" the
        # expression false, '"1.10"' the string "1.10".
        out, _ = self.run_stdout('[{"crm":"path-value"}]', """
            - map:
                t: true
                f: false
                n: null
                num: 1.10
                big: 12345678901234567890
                neg: -0
                exp: 1e3
                str: '"crm"'
                path: .crm
                dq: "false"
                numstr: '"1.10"'
        """)
        self.assertEqual(out, '{"t":true,"f":false,"n":null,"num":1.10,"big":12345678901234567890,"neg":-0,'
                              '"exp":1e3,"str":"crm","path":"path-value","dq":false,"numstr":"1.10"}\n')

    def test_map_literals_keep_number_text(self):
        out, _ = self.run_stdout('[{}]', """
            - map:
                a: 1.10
                b: 12345678901234567890
                c: '1.10'
                d: '12345678901234567890'
                e: 0.1
        """)
        self.assertEqual(out, '{"a":1.10,"b":12345678901234567890,"c":1.10,"d":12345678901234567890,"e":0.1}\n')

    def test_map_copies_values_exactly(self):
        body = '[{"n":1.10,"big":12345678901234567890,"e":1E+2,"neg":-0.0,"s":"\\u00e9\\/","o":{"b":1,"a":[1.0,2]}}]'
        out, _ = self.run_stdout(body, """
            - map:
                n: .n
                big: .big
                e: .e
                neg: .neg
                s: .s
                o: .o
                first: '.nope ?? .n'
                tern: '.o.b == 1 ? .big : 0'
                co: 'coalesce(.nope, .s)'
        """)
        self.assertEqual(out, '{"n":1.10,"big":12345678901234567890,"e":1E+2,"neg":-0.0,"s":"\\u00e9\\/",'
                              '"o":{"b":1,"a":[1.0,2]},"first":1.10,"tern":12345678901234567890,"co":"\\u00e9\\/"}\n')

    def test_map_on_non_object_record(self):
        out, _ = self.run_stdout('[7,"s",[1]]', """
            - map:
                v: .
        """)
        self.assertEqual(out, '{"v":7}\n{"v":"s"}\n{"v":[1]}\n')

    def test_map_keys_are_written_as_json(self):
        out, _ = self.run_stdout('[{"a":1}]', """
            - map:
                'we"ird\\': .a
                "tab\\tkey": .a
                ü: .a
        """)
        self.assertEqual(out, '{"we\\"ird\\\\":1,"tab\\tkey":1,"ü":1}\n')

    # ---- set (§5.3) --------------------------------------------------------

    def test_set_overwrites_in_place_and_appends_new_keys(self):
        body = '[{"id":1,"name":"a","addr":{"city":"X","zip":"1"},"tail":true}]'
        out, _ = self.run_stdout(body, """
            - set:
                new1: '"n"'
                name: upper(.name)
                addr:
                  country: '"DE"'
                  city: lower(.addr.city)
                id: '.id + 100'
                new2: 2.50
        """)
        self.assertEqual(out, '{"id":101,"name":"A","addr":{"city":"x","zip":"1","country":"DE"},"tail":true,'
                              '"new1":"n","new2":2.50}\n')

    def test_set_values_see_the_record_as_it_entered(self):
        out, _ = self.run_stdout('[{"a":1,"b":2}]', """
            - set:
                a: .b
                b: .a
                c: .a
                d:
                  e: .c
        """)
        self.assertEqual(out, '{"a":2,"b":1,"c":1,"d":{"e":null}}\n')

    def test_set_nested_mapping_creates_missing_object(self):
        out, _ = self.run_stdout('[{"id":1}]', """
            - set:
                meta:
                  src: '"api"'
                  inner:
                    id: .id
        """)
        self.assertEqual(out, '{"id":1,"meta":{"src":"api","inner":{"id":1}}}\n')

    def test_set_on_non_object_is_a_record_error(self):
        body = '[{"id":1},7,"s",[1],null,true,{"id":2}]'
        r = self.with_dead_letter(body, """
            - set:
                x: 1
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"id":1,"x":1}\n{"id":2,"x":1}\n')
        dl = self.read("dl.ndjson").splitlines()
        self.assertEqual(len(dl), 5)
        self.assertEqual([json.loads(d)["record"] for d in dl], [7, "s", [1], None, True])
        for d in dl:
            self.assertRegex(d, r'^\{"pipeline":"p","stage":0,"error":"[^"]+","record":')
        self.assertEqual(r.event("run_finished")["records_failed"], 5)

    # ---- drop (§5.3) -------------------------------------------------------

    def test_drop_paths_missing_nested_and_indexes(self):
        body = '[{"a":1,"b":{"c":2,"d":3},"arr":[10,20,30,40],"odd key":5,"z":0}]'
        out, _ = self.run_stdout(body, """
            - drop:
                - .a
                - .b.c
                - .missing
                - .missing.deeper
                - .arr[1]
                - .arr[-1]
                - .arr[99]
                - '."odd key"'
                - .z.not_an_object
        """)
        self.assertEqual(out, '{"b":{"d":3},"arr":[10,30],"z":0}\n')

    def test_drop_on_non_object_is_fine(self):
        out, r = self.run_stdout('[7,[1,2]]', """
            - drop:
                - .a
        """)
        self.assertEqual(out, '7\n[1,2]\n')
        self.assertEqual(r.event("run_finished")["records_failed"], 0)

    # ---- chains ------------------------------------------------------------

    def test_chain_in_order(self):
        body = '[{"id":1,"st":"active","v":2},{"id":2,"st":"gone","v":3},{"id":3,"st":"active","v":"x"}]'
        r = self.with_dead_letter(body, """
            - filter: '.st == "active"'
            - map:
                id: .id
                v: .v
                tmp: 1
            - set:
                v3: '.v * 3'
            - drop:
                - .tmp
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"id":1,"v":2,"v3":6}\n')
        dl = self.read("dl.ndjson")
        # The record as it reached stage 2 (after map), keys in order.
        self.assertRegex(dl, r'^\{"pipeline":"p","stage":2,"error":"[^"]+","record":\{"id":3,"v":"x","tmp":1\}\}\n$')

    # ---- numbers and strings on output (§6.4) -----------------------------

    def test_computed_numbers_layout(self):
        out, _ = self.run_stdout('[{"a":0.1,"b":0.2,"one":1,"z":0,"n":1.10}]', """
            - map:
                a3: '.a * 3'
                ab: '.a + .b'
                e21: '.one * 1e21'
                e20: '.one * 1e20'
                small: '.one * 1.5e-7'
                micro: '.one / 1000000'
                negz: '.z * -1'
                negz2: '-.z'
                half: '7 / 2'
                int: '2 * 3'
                n0: '.n + 0'
                exact: '9007199254740993 + 0'
                over: '9223372036854775807 + 1'
                neg: '0 - 1.5'
                mod: '-7 % 3'
        """)
        self.assertEqual(out, '{"a3":0.30000000000000004,"ab":0.30000000000000004,"e21":1e+21,'
                              '"e20":100000000000000000000,"small":1.5e-7,"micro":0.000001,"negz":0,"negz2":0,'
                              '"half":3.5,"int":6,"n0":1.1,"exact":9007199254740993,"over":9223372036854776000,'
                              '"neg":-1.5,"mod":-1}\n')

    def test_non_finite_result_is_a_record_error(self):
        r = self.with_dead_letter('[{"x":1e308},{"x":1}]', """
            - map:
                y: '.x * 10'
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"y":10}\n')
        dl = self.lines("dl.ndjson")
        self.assertEqual(len(dl), 1)
        self.assertEqual(dl[0]["record"], {"x": 1e308})
        self.assertIn('"record":{"x":1e308}}', self.read("dl.ndjson"))

    def test_division_by_zero_is_a_record_error(self):
        r = self.with_dead_letter('[{"x":1},{"x":0}]', """
            - map:
                y: '1 / .x'
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"y":1}\n')
        self.assertEqual(self.lines("dl.ndjson")[0]["record"], {"x": 0})

    def test_strings_copied_keep_escapes_computed_minimal(self):
        body = r'[{"s":"\u00e9\/\b\u2028\ud83d\ude00","k":"A","c":"x\u001Fy"}]'
        out, _ = self.run_stdout(body, r"""
            - map:
                copy: .s
                low: lower(.s)
                c: .c
                cc: '.c + ""'
                ctl: '"\b\f\n\r\t\u0000\u0007\u001F\u007f\"\\/" + .k'
                uni: '"\u00e9" + .k'
        """)
        expected = ('{"copy":"\\u00e9\\/\\b\\u2028\\ud83d\\ude00","low":"é/\\b\u2028😀","c":"x\\u001Fy",'
                    '"cc":"x\\u001fy","ctl":"\\b\\f\\n\\r\\t\\u0000\\u0007\\u001f\x7f\\"\\\\/A","uni":"éA"}\n')
        self.assertEqual(out, expected)

    # ---- record errors (§5.4) -------------------------------------------------

    def test_dead_letter_line_exact(self):
        r = self.with_dead_letter('[{"b":1,"a":"x"},{"b":2,"a":"2"}]', """
            - map:
                a: .a
                b: .b
            - set:
                n: to_number(.a)
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"a":"2","b":2,"n":2}\n')
        dl = self.read("dl.ndjson")
        line = json.loads(dl)
        self.assertEqual(dl, '{"pipeline":"p","stage":1,"error":' + json.dumps(line["error"]) +
                         ',"record":{"a":"x","b":1}}\n')
        self.assertIn("to_number", line["error"])
        ev = r.event("record_failed", "p")
        self.assertEqual((ev["level"], ev["stage"], ev["error"]), ("warn", 1, line["error"]))
        fin = r.event("run_finished", "p")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (2, 1, 1))

    def test_dead_letters_in_input_order(self):
        body = '[{"i":0,"a":"x"},{"i":1,"a":1},{"i":2,"a":"y"},{"i":3,"a":2},{"i":4,"a":"z"},{"i":5,"a":[]}]'
        r = self.with_dead_letter(body, """
            - filter: '.i != 99'
            - set:
                n: to_number(.a)
            - set:
                m: '.n * 2'
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"i":1,"a":1,"n":1,"m":2}\n{"i":3,"a":2,"n":2,"m":4}\n')
        dl = self.lines("dl.ndjson")
        self.assertEqual([(d["record"]["i"], d["stage"]) for d in dl], [(0, 1), (2, 1), (4, 1), (5, 1)])
        self.assertEqual(r.event("run_finished")["records_failed"], 4)

    def test_record_error_without_dead_letter_is_counted_only(self):
        r = self.run_once(self.pipeline('[{"a":"x"},{"a":"1"}]', """
            - set:
                n: to_number(.a)
        """, sink=f"{{ file: {{ path: {self.path('out', 'o.ndjson')} }} }}"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(os.listdir(self.path("out"))), ["o.ndjson"])
        self.assertEqual(self.read("out/o.ndjson"), '{"a":"1","n":1}\n')
        self.assertEqual(r.event("run_finished")["records_failed"], 1)
        self.assertEqual(len(r.events_named("record_failed")), 1)

    def test_many_record_errors_all_counted(self):
        body = json.dumps([{"a": "x%d" % i} for i in range(50)] + [{"a": "7"}])
        r = self.with_dead_letter(body, """
            - set:
                n: to_number(.a)
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.event("run_finished")["records_failed"], 50)
        self.assertEqual(len(self.lines("dl.ndjson")), 50)
        self.assertEqual(self.read("out.ndjson"), '{"a":"7","n":7}\n')
        # Logged at warn, rate-limited: not one event per record.
        evs = r.events_named("record_failed")
        self.assertGreaterEqual(len(evs), 1)
        self.assertLess(len(evs), 50)
        self.assertTrue(all(e["level"] == "warn" for e in evs))

    def test_on_error_fail_writes_nothing(self):
        with open(self.path("out.ndjson"), "w") as f:
            f.write('{"old":1}\n')
        r = self.with_dead_letter('[{"a":"1"},{"a":"x"},{"a":"2"}]', """
            - set:
                n: to_number(.a)
        """, on_error="fail")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(self.read("out.ndjson"), '{"old":1}\n')
        self.assertFalse(os.path.exists(self.path("dl.ndjson")) and self.read("dl.ndjson"))
        ev = r.event("run_failed", "p")
        self.assertEqual(ev["level"], "error")
        self.assertEqual(ev["records_out"], 0)
        self.assertIn("to_number", ev["error"])
        self.assertEqual(r.events_named("run_finished"), [])

    def test_on_error_drop_is_the_default_and_explicit(self):
        r = self.with_dead_letter('[{"a":"x"},{"a":"2"}]', """
            - set:
                n: to_number(.a)
        """, on_error="drop")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"a":"2","n":2}\n')
        self.assertEqual(len(self.lines("dl.ndjson")), 1)

    def test_dead_letter_record_keeps_input_text(self):
        r = self.with_dead_letter('[{"n":1.10,"s":"\\u00e9","k":"x"}]', """
            - filter: .k
        """)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), "")
        dl = self.read("dl.ndjson")
        self.assertTrue(dl.endswith(',"record":{"n":1.10,"s":"\\u00e9","k":"x"}}\n'), dl)

    def test_ndjson_lines_that_do_not_parse(self):
        url = self.serve('{"a":1}\r\n\r\n  \nnot json\r\n{"a":2}\n{"bad":\n[1]\n')
        p = self.write("n.yaml", f"""
            pipelines:
              p:
                source: {{ http: {{ url: "{url}", format: ndjson }} }}
                stages:
                  - set:
                      x: 1
                sink: {{ file: {{ path: {self.path('out.ndjson')} }} }}
                dead_letter: {{ file: {{ path: {self.path('dl.ndjson')} }} }}
        """)
        r = self.run_once(p)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.read("out.ndjson"), '{"a":1,"x":1}\n{"a":2,"x":1}\n')
        dl = self.read("dl.ndjson").splitlines()
        self.assertEqual(len(dl), 3)
        d0, d1, d2 = (json.loads(d) for d in dl)
        self.assertEqual(list(d0), ["pipeline", "stage", "line", "error", "record"])
        self.assertEqual((d0["pipeline"], d0["stage"], d0["line"], d0["record"]), ("p", None, 4, "not json"))
        self.assertEqual((d1["stage"], d1["line"], d1["record"]), (None, 6, '{"bad":'))
        self.assertTrue(dl[0].startswith('{"pipeline":"p","stage":null,"line":4,"error":'), dl[0])
        self.assertTrue(dl[0].endswith(',"record":"not json"}'), dl[0])
        self.assertEqual(dl[2], '{"pipeline":"p","stage":0,"error":' + json.dumps(d2["error"]) + ',"record":[1]}')
        fin = r.event("run_finished")
        self.assertEqual((fin["records_in"], fin["records_out"], fin["records_failed"]), (5, 2, 3))
        ev = [e for e in r.events_named("record_failed") if e.get("line") == 4]
        self.assertEqual(len(ev), 1)
        self.assertIsNone(ev[0]["stage"])

    def test_to_number_keeps_number_text(self):
        out, _ = self.run_stdout('[{"a":"1.10","b":"12345678901234567890","c":2.50}]', """
            - map:
                a: to_number(.a)
                b: to_number(.b)
                c: to_number(.c)
        """)
        self.assertEqual(out, '{"a":1.10,"b":12345678901234567890,"c":2.50}\n')

    def test_duplicate_input_keys_last_wins_at_first_position(self):
        out, _ = self.run_stdout('[{"a":1,"b":2,"a":3}]', """
            - set:
                c: .a
        """)
        self.assertEqual(out, '{"a":3,"b":2,"c":3}\n')

    def test_on_error_fail_counts_every_decoded_record(self):
        # §10: records_in counts decoded records; all three were decoded.
        r = self.with_dead_letter('[{"a":"x"},{"a":"1"},{"a":"2"}]', """
            - set:
                n: to_number(.a)
        """, on_error="fail")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.event("run_failed")["records_in"], 3)


if __name__ == "__main__":
    unittest.main()
