#!/usr/bin/env python3
"""The benchmark harness at a small size (issue 6), so it cannot rot:
tests/bench/run_bench.py on 2,000 records with the built sluiced, every
installed peer, and its output check; W3 with 20 pipelines for 3 s. Peers that are not installed are
skipped by the harness itself; sluiced and the table must always be there.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import BIN, ROOT

BENCH = os.path.join(ROOT, "tests", "bench", "run_bench.py")


class BenchSmoke(unittest.TestCase):
    def test_small_run_prints_the_table_and_outputs_agree(self):
        d = tempfile.mkdtemp(prefix="sluiced-bench-smoke-")
        self.addCleanup(shutil.rmtree, d, True)
        out_json = os.path.join(d, "rows.json")
        proc = subprocess.run(
            [sys.executable, BENCH, "--records", "2000", "--quick", "--no-doc", "--workloads", "w1,w2,w3,w4",
             "--w3-pipelines", "20", "--w3-seconds", "3", "--sluiced", BIN, "--json", out_json],
            capture_output=True, text=True, timeout=240)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("| workload | tool | seconds | MB/s | records/s | peak RSS MiB | sluiced ratio |", proc.stdout)
        with open(out_json) as f:
            res = json.load(f)
        rows = res["rows"]
        tools = {(r["workload"], r["tool"]) for r in rows}
        self.assertIn(("W1", "sluiced"), tools)
        self.assertIn(("W2", "sluiced"), tools)
        for r in rows:
            self.assertFalse(r["check"].startswith("MISMATCH"), r)
            if r["tool"] == "sluiced":
                # half of the generated records are active
                self.assertEqual(r["check"], "1000 records out", r)
        if shutil.which("g++"):
            self.assertIn(("W1", "simdjson On-Demand"), tools, res["notes"])
            self.assertIn(("W2", "simdjson iterate_many"), tools, res["notes"])
        if shutil.which("jq"):
            self.assertIn(("W1", "jq"), tools, res["notes"])
        # W3 at a small size: every tick of 20 pipelines ran and finished.
        w3 = res["w3"]
        self.assertIsNotNone(w3, res["notes"])
        self.assertEqual(w3["pipelines"], 20)
        self.assertGreaterEqual(w3["runs_started"], 20 * 5, w3)  # 3 s warm-up + 3 s, one run a second each
        self.assertEqual((w3["runs_finished"], w3["runs_failed"], w3["runs_skipped"], w3["runs_lost"]),
                         (w3["runs_started"], 0, 0, 0), w3)
        self.assertIn("| W3 (one daemon) | pipelines |", proc.stdout)
        failed = [n for n in res["notes"] if "failed" in n or "did not build" in n]
        self.assertEqual(failed, [])


if __name__ == "__main__":
    unittest.main()
