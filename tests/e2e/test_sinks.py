#!/usr/bin/env python3
"""Sinks through the real binary (spec §7): stdout, file append and replace,
format json, empty batches, rotation, partial-line repair, leftover
temporary files and write errors.
"""
import os
import resource
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Result, ServedTest  # noqa: E402
from http_server import Reply  # noqa: E402

TWO = '[{"id":1},{"id":2}]'
TWO_LINES = '{"id":1}\n{"id":2}\n'  # 18 bytes


class SinkTest(ServedTest):
    def serve(self, *bodies, suffix=""):
        """Serves `bodies` in order (the last repeats) at a path of this test."""
        path = self.prefix + suffix
        self.server.route(path, *[Reply(200, [("Content-Type", "application/json")], b) for b in bodies])
        return self.server.url(path)

    def config(self, sink, *bodies, extra="", name="p", url=None):
        url = url or self.serve(*bodies)
        return self.write(f"{name}.yaml", f"""
            pipelines:
              {name}:
                source: {{ http: {{ url: "{url}", retry: {{ attempts: 1 }} }} }}
                sink: {sink}
                {extra}
        """)

    def file_sink(self, rel, **opts):
        parts = [f"path: {self.path(rel)}"] + [f"{k}: {v}" for k, v in opts.items()]
        return "{ file: { " + ", ".join(parts) + " } }"

    def put(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def ok(self, *args, **kw):
        r = self.run_once(*args, **kw)
        self.assertEqual(r.rc, 0, r)
        return r

    # ---- stdout -------------------------------------------------------------

    def test_stdout_has_only_records(self):
        cfg = self.config("{ stdout: {} }", '[{"id":1,"s":"\\u00e9"},{"id":2},3]')
        for fmt in ("json", "text"):
            r = self.sluiced("run", "--once", "--log-format", fmt, "--log-level", "debug", cfg)
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(r.stdout, '{"id":1,"s":"\\u00e9"}\n{"id":2}\n3\n')
            self.assertIn("run_finished", r.stderr)

    def test_stdout_write_errors_fail_the_run(self):
        cfg = self.config("{ stdout: {} }", TWO)
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        args = [BIN, "run", "--once", "--log-format", "json", cfg]
        with open("/dev/full", "w") as full:
            proc = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
        proc.stdout = ""
        r = Result(proc)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("No space left on device", r.event("run_failed", "p")["error"])
        # A closed pipe: EPIPE is an error, not a death by SIGPIPE.
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        p.stdout.close()
        err = p.stderr.read()
        p.stderr.close()
        self.assertEqual(p.wait(60), 1, err)
        self.assertIn('Broken pipe', err)

    def test_stdout_empty_batch_prints_nothing(self):
        r = self.ok(self.config("{ stdout: {} }", "[]"))
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.event("run_finished")["records_out"], 0)

    # ---- append -------------------------------------------------------------

    def test_append_twice_appends(self):
        cfg = self.config(self.file_sink("out.ndjson"), '[{"run":1}]', '[{"run":2},{"run":2.0}]')
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"run":1}\n')
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"run":1}\n{"run":2}\n{"run":2.0}\n')

    def test_append_default_mode_keeps_existing_content(self):
        self.put("out.ndjson", '{"old":true}\n')
        self.ok(self.config(self.file_sink("out.ndjson", fsync="never"), TWO))
        self.assertEqual(self.read("out.ndjson"), '{"old":true}\n' + TWO_LINES)

    def test_append_empty_batch_creates_missing_file(self):
        self.ok(self.config(self.file_sink("out.ndjson"), "[]"))
        self.assertTrue(os.path.isfile(self.path("out.ndjson")))
        self.assertEqual(self.read("out.ndjson"), "")

    def test_append_empty_batch_changes_nothing(self):
        p = self.put("out.ndjson", '{"old":true}\n')
        os.utime(p, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
        self.ok(self.config(self.file_sink("out.ndjson"), "[]"))
        self.assertEqual(self.read("out.ndjson"), '{"old":true}\n')
        self.assertEqual(os.stat(p).st_mtime_ns, 1_000_000_000_000_000_000)

    def test_missing_parent_directories_created(self):
        url = self.serve('[{"id":1},{"id":"x"}]')
        cfg = self.write("p.yaml", f"""
            pipelines:
              a:
                source: {{ http: {{ url: "{url}" }} }}
                stages:
                  - set:
                      n: to_number(.id)
                sink: {{ file: {{ path: {self.path('a', 'b', 'c', 'out.ndjson')} }} }}
                dead_letter: {{ file: {{ path: {self.path('d', 'e', 'dl.ndjson')} }} }}
              r:
                source: {{ http: {{ url: "{url}" }} }}
                sink: {{ file: {{ path: {self.path('r', 's', 'out.json')}, mode: replace, format: json }} }}
        """)
        self.ok(cfg)
        self.assertEqual(self.read("a/b/c/out.ndjson"), '{"id":1,"n":1}\n')
        self.assertEqual(self.read("d/e/dl.ndjson")[:32], '{"pipeline":"a","stage":0,"error')
        self.assertEqual(self.read("r/s/out.json"), '[\n{"id":1},\n{"id":"x"}\n]\n')

    # ---- replace ------------------------------------------------------------

    def test_replace_swaps_the_file(self):
        self.put("out.ndjson", "old line\n")
        cfg = self.config(self.file_sink("out.ndjson", mode="replace"), TWO, '[{"id":3}]')
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), TWO_LINES)
        ino = os.stat(self.path("out.ndjson")).st_ino
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"id":3}\n')
        self.assertNotEqual(os.stat(self.path("out.ndjson")).st_ino, ino)  # renamed over, not rewritten
        self.assertEqual(sorted(os.listdir(self.dir)), ["out.ndjson", "p.yaml"])

    def test_replace_empty_batch_makes_empty_file(self):
        self.put("out.ndjson", "old line\n")
        self.ok(self.config(self.file_sink("out.ndjson", mode="replace"), "[]"))
        self.assertEqual(self.read("out.ndjson"), "")

    def test_format_json_layout(self):
        self.ok(self.config(self.file_sink("out.json", mode="replace", format="json"),
                            '[{"id":1,"s":"\\u00e9"},[1,2],"x",{"n":1.10}]'))
        self.assertEqual(self.read("out.json"), '[\n{"id":1,"s":"\\u00e9"},\n[1,2],\n"x",\n{"n":1.10}\n]\n')

    def test_format_json_one_record(self):
        self.ok(self.config(self.file_sink("out.json", mode="replace", format="json"), '{"only":1}'))
        self.assertEqual(self.read("out.json"), '[\n{"only":1}\n]\n')

    def test_format_json_empty(self):
        self.put("out.json", "[\n1\n]\n")
        self.ok(self.config(self.file_sink("out.json", mode="replace", format="json"), "[]"))
        self.assertEqual(self.read("out.json"), "[]\n")

    def test_leftover_temp_file_removed(self):
        # A temporary file of a process that no longer exists: a crash's leftover.
        dead = subprocess.Popen(["true"])
        dead.wait()
        left = self.put(f".out.ndjson.sluiced-tmp-{dead.pid}", "half")
        self.ok(self.config(self.file_sink("out.ndjson", mode="replace"), TWO))
        self.assertFalse(os.path.exists(left))
        self.assertEqual(self.read("out.ndjson"), TWO_LINES)
        self.assertEqual(sorted(os.listdir(self.dir)), ["out.ndjson", "p.yaml"])

    def test_failed_run_leaves_files_untouched(self):
        url = self.server.url(self.prefix)
        self.server.route(url[url.index("/", 8):], Reply(500))
        self.put("a.ndjson", '{"old":1}\n')
        self.put("r.ndjson", '{"old":2}\n')
        cfg = self.write("p.yaml", f"""
            pipelines:
              a:
                source: {{ http: {{ url: "{url}", retry: {{ attempts: 1 }} }} }}
                sink: {{ file: {{ path: {self.path('a.ndjson')} }} }}
              r:
                source: {{ http: {{ url: "{url}", retry: {{ attempts: 1 }} }} }}
                sink: {{ file: {{ path: {self.path('r.ndjson')}, mode: replace }} }}
        """)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.event("run_failed", "a")["http_status"], 500)
        self.assertEqual(self.read("a.ndjson"), '{"old":1}\n')
        self.assertEqual(self.read("r.ndjson"), '{"old":2}\n')
        self.assertEqual(sorted(os.listdir(self.dir)), ["a.ndjson", "p.yaml", "r.ndjson"])

    # ---- rotate -------------------------------------------------------------

    def test_rotate_at_max_bytes_with_keep(self):
        bodies = ['[{"id":%d},{"id":%d}]' % (i, i) for i in range(1, 6)]
        lines = ['{"id":%d}\n{"id":%d}\n' % (i, i) for i in range(1, 6)]  # 18 bytes each
        cfg = self.config(self.file_sink("out.ndjson", rotate="{ max_bytes: 36, keep: 2 }"), *bodies)
        self.ok(cfg)
        r = self.ok(cfg)  # 36 bytes: exactly max_bytes, not past it
        self.assertEqual(r.events_named("file_rotated"), [])
        self.assertEqual(self.read("out.ndjson"), lines[0] + lines[1])
        self.ok(cfg)  # would pass max_bytes: rotate first
        self.assertEqual(self.read("out.ndjson"), lines[2])
        self.assertEqual(self.read("out.ndjson.1"), lines[0] + lines[1])
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), lines[2] + lines[3])
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), lines[4])
        self.assertEqual(self.read("out.ndjson.1"), lines[2] + lines[3])
        self.assertEqual(self.read("out.ndjson.2"), lines[0] + lines[1])
        self.assertFalse(os.path.exists(self.path("out.ndjson.3")))

    def test_rotate_drops_the_one_past_keep(self):
        bodies = ['[{"id":%d}]' % i for i in range(1, 6)]
        cfg = self.config(self.file_sink("out.ndjson", rotate="{ max_bytes: 10, keep: 2 }"), *bodies)
        for _ in range(5):
            self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"id":5}\n')
        self.assertEqual(self.read("out.ndjson.1"), '{"id":4}\n')
        self.assertEqual(self.read("out.ndjson.2"), '{"id":3}\n')
        self.assertEqual(sorted(os.listdir(self.dir)), ["out.ndjson", "out.ndjson.1", "out.ndjson.2", "p.yaml"])

    def test_rotate_batch_larger_than_max_bytes_gets_a_file_of_its_own(self):
        cfg = self.config(self.file_sink("out.ndjson", rotate="{ max_bytes: 10, keep: 3 }"), TWO, '[{"id":3}]')
        self.ok(cfg)  # empty file: the whole 18-byte batch goes in, never split
        self.assertEqual(self.read("out.ndjson"), TWO_LINES)
        self.assertFalse(os.path.exists(self.path("out.ndjson.1")))
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"id":3}\n')
        self.assertEqual(self.read("out.ndjson.1"), TWO_LINES)

    def test_rotate_empty_batch_does_not_rotate(self):
        self.put("out.ndjson", TWO_LINES)
        self.ok(self.config(self.file_sink("out.ndjson", rotate="{ max_bytes: 10, keep: 3 }"), "[]"))
        self.assertEqual(self.read("out.ndjson"), TWO_LINES)
        self.assertFalse(os.path.exists(self.path("out.ndjson.1")))

    # ---- partial-line repair at start --------------------------------------

    def repair_case(self, existing, expected_before_batch):
        self.put("out.ndjson", existing)
        r = self.ok(self.config(self.file_sink("out.ndjson"), '[{"new":1}]'))
        self.assertEqual(self.read("out.ndjson"), expected_before_batch + '{"new":1}\n')
        return r

    def test_torn_line_is_cut_and_logged(self):
        r = self.repair_case('{"a":1}\n{"a":2,"b', '{"a":1}\n')
        ev = r.event("partial_line_repaired", "p")
        self.assertEqual(ev["level"], "warn")
        self.assertEqual(ev["path"], self.path("out.ndjson"))

    def test_torn_only_line_is_cut(self):
        self.repair_case('{"a":1', "")

    def test_complete_object_without_newline_is_kept(self):
        r = self.repair_case('{"a":1}\n{"a":2}', '{"a":1}\n{"a":2}\n')
        self.assertEqual(r.event("partial_line_repaired", "p")["level"], "warn")

    def test_complete_array_without_newline_is_kept(self):
        self.repair_case('{"a":1}\n[1,{"b":[]}]', '{"a":1}\n[1,{"b":[]}]\n')

    def test_scalar_or_junk_last_line_is_cut(self):
        for tail in ('12', '"str"', 'true', '{"a":1}x', '{"a":1}{"b":2}', '{"a":1,}', '{"a":01}'):
            with self.subTest(tail=tail):
                self.repair_case('{"a":1}\n' + tail, '{"a":1}\n')

    def test_long_torn_and_long_complete_lines(self):
        # The last line spans several 64 KiB read chunks.
        r = self.repair_case('{"x":1}\n' + "z" * (65536 * 2), '{"x":1}\n')
        self.assertEqual(r.event("partial_line_repaired")["bytes_removed"], 65536 * 2)
        self.repair_case('{"y":"' + "z" * 200000, "")
        big = '{"y":"' + "z" * 200000 + '"}'
        self.repair_case(big, big + "\n")

    def test_whole_lines_not_touched(self):
        r = self.repair_case('{"a":1}\n', '{"a":1}\n')
        self.assertEqual(r.events_named("partial_line_repaired"), [])

    def test_repair_in_dead_letter_file_too(self):
        url = self.serve('[{"a":"x"}]')
        self.put("dl.ndjson", '{"old":1}\n{"torn')
        cfg = self.write("p.yaml", f"""
            pipelines:
              p:
                source: {{ http: {{ url: "{url}" }} }}
                stages:
                  - set:
                      n: to_number(.a)
                sink: {{ file: {{ path: {self.path('out.ndjson')} }} }}
                dead_letter: {{ file: {{ path: {self.path('dl.ndjson')} }} }}
        """)
        self.ok(cfg)
        lines = self.read("dl.ndjson").splitlines()
        self.assertEqual(lines[0], '{"old":1}')
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[1].startswith('{"pipeline":"p","stage":0,'), lines)

    # ---- write errors -------------------------------------------------------

    def test_path_is_a_directory(self):
        os.makedirs(self.path("isdir"))
        for mode in ("append", "replace"):
            with self.subTest(mode=mode):
                cfg = self.config(self.file_sink("isdir", mode=mode), TWO)
                r = self.run_once(cfg)
                self.assertEqual(r.rc, 1, r)
                ev = r.event("run_failed", "p")
                self.assertEqual(ev["level"], "error")
                self.assertIn(self.path("isdir"), ev["error"])
                self.assertIn("Is a directory", ev["error"])
                self.assertEqual(r.events_named("run_finished"), [])
                self.assertEqual(os.listdir(self.path("isdir")), [])

    def test_disk_full(self):
        r = self.run_once(self.config("{ file: { path: /dev/full } }", TWO))
        self.assertEqual(r.rc, 1, r)
        ev = r.event("run_failed", "p")
        self.assertIn("/dev/full", ev["error"])
        self.assertIn("No space left on device", ev["error"])
        self.assertEqual(ev["records_out"], 0)

    def run_limited(self, cfg, max_file_bytes):
        """run --once under a file size limit (RLIMIT_FSIZE; sluiced ignores SIGXFSZ)."""
        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        proc = subprocess.run([BIN, "run", "--once", "--log-format", "json", cfg], capture_output=True, text=True,
                              env=env, preexec_fn=limit, timeout=60)
        return Result(proc)

    def test_failed_append_leaves_nothing_of_the_batch(self):
        # The write fails part way: the file goes back to where the batch began.
        self.put("out.ndjson", '{"old":1}\n')  # 10 bytes; the batch is 18
        cfg = self.config(self.file_sink("out.ndjson"), TWO)
        r = self.run_limited(cfg, 20)
        self.assertEqual(r.rc, 1, r)
        ev = r.event("run_failed", "p")
        self.assertIn(self.path("out.ndjson"), ev["error"])
        self.assertIn("File too large", ev["error"])
        self.assertEqual(self.read("out.ndjson"), '{"old":1}\n')
        # The next run tries again.
        self.ok(cfg)
        self.assertEqual(self.read("out.ndjson"), '{"old":1}\n' + TWO_LINES)

    def test_failed_replace_keeps_the_old_file(self):
        self.put("out.json", '[\n{"old":1}\n]\n')
        cfg = self.config(self.file_sink("out.json", mode="replace", format="json"), TWO)
        r = self.run_limited(cfg, 10)
        self.assertEqual(r.rc, 1, r)
        ev = r.event("run_failed", "p")
        self.assertIn(self.path("out.json"), ev["error"])
        self.assertIn("File too large", ev["error"])
        self.assertEqual(self.read("out.json"), '[\n{"old":1}\n]\n')
        self.assertEqual(sorted(os.listdir(self.dir)), ["out.json", "p.yaml"])  # no temporary file left
        self.ok(cfg)
        self.assertEqual(self.read("out.json"), '[\n{"id":1},\n{"id":2}\n]\n')

    def test_failed_sink_does_not_stop_other_pipelines(self):
        os.makedirs(self.path("isdir"))
        url = self.serve(TWO)
        cfg = self.write("p.yaml", f"""
            pipelines:
              bad:
                source: {{ http: {{ url: "{url}" }} }}
                sink: {{ file: {{ path: {self.path('isdir')} }} }}
              good:
                source: {{ http: {{ url: "{url}" }} }}
                sink: {{ file: {{ path: {self.path('good.ndjson')} }} }}
        """)
        r = self.run_once(cfg)
        self.assertEqual(r.rc, 1, r)
        r.event("run_failed", "bad")
        r.event("run_finished", "good")
        self.assertEqual(self.read("good.ndjson"), TWO_LINES)


if __name__ == "__main__":
    unittest.main()
