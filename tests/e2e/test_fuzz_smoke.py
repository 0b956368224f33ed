#!/usr/bin/env python3
"""Fuzzing smoke run in CI (docs/reliability.md "Fuzzing").

Runs tests/fuzz/run-fuzz.sh with a short fixed time per target: it builds
the libFuzzer targets with clang++ (ASan + UBSan) in build-fuzz under the
source folder, replays every seed of tests/fuzz/corpus/<target>/ and then
mutates for FUZZ_SMOKE_SECONDS (default 6) per target. Any crash, leak,
timeout or broken invariant fails the test; the script's output names the
artifact and the command that reproduces it.

Skipped when clang++ is missing, and when SLUICED_BIN comes from a
SLUICED_SANITIZE build (tests/run-sanitizers.sh): the fuzzers run under
ASan + UBSan already, and both suites would share build-fuzz.

Environment (set by CTest): SLUICED_BIN, SLUICED_SOURCE_DIR.
"""
import os
import pathlib
import re
import shutil
import subprocess
import time
import unittest

ROOT = pathlib.Path(os.environ.get("SLUICED_SOURCE_DIR")
                    or pathlib.Path(__file__).resolve().parents[2])
BIN = os.environ.get("SLUICED_BIN")
SECONDS = int(os.environ.get("FUZZ_SMOKE_SECONDS", "6"))
TARGETS = ["json", "expr", "decode", "config", "cron", "link", "units"]


def sanitized_build(bin_path):
    if not bin_path:
        return False
    cache = pathlib.Path(bin_path).resolve().parent / "CMakeCache.txt"
    try:
        text = cache.read_text()
    except OSError:
        return False
    return re.search(r"^SLUICED_SANITIZE:BOOL=(ON|TRUE|1)$", text, re.M) is not None


class FuzzSmoke(unittest.TestCase):
    def test_every_target_runs_clean(self):
        if shutil.which("clang++") is None:
            self.skipTest("clang++ missing (packaging/install-deps.sh installs clang)")
        if sanitized_build(BIN):
            self.skipTest("sanitizer build: the fuzz smoke run belongs to the normal suite")
        env = dict(os.environ)
        env.setdefault("FUZZ_BUILD_DIR", str(ROOT / "build-fuzz"))
        env["FUZZ_WORK_DIR"] = str(pathlib.Path(env["FUZZ_BUILD_DIR"]) / "work-smoke")
        shutil.rmtree(env["FUZZ_WORK_DIR"], ignore_errors=True)
        start = time.monotonic()
        r = subprocess.run(["bash", str(ROOT / "tests/fuzz/run-fuzz.sh"), str(SECONDS)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        took = time.monotonic() - start
        print(r.stdout[-6000:])
        print(r.stderr[-6000:])
        print(f"fuzz smoke: {took:.0f} s in all")
        self.assertEqual(r.returncode, 0, "run-fuzz.sh found something or failed (output above)")
        rows = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$", line)
            if m and m.group(1) in TARGETS:
                rows[m.group(1)] = (int(m.group(2)), int(m.group(5)), m.group(6).strip())
        self.assertEqual(sorted(rows), sorted(TARGETS), "a target is missing from the summary")
        for t, (execs, corpus, finding) in rows.items():
            seeds = len(list((ROOT / "tests/fuzz/corpus" / t).iterdir()))
            self.assertGreaterEqual(corpus, seeds, t)
            self.assertGreater(execs, seeds, f"{t}: fewer executions than seeds")
            self.assertEqual(finding, "none", t)


if __name__ == "__main__":
    unittest.main(verbosity=2)
