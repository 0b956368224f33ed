"""The shipped example pipelines, as the README's demo runs them: Debian's
iso-codes JSON served from loopback, `check`, `test` and `run --once`, with
exact output counts and lines (real data, so the figures are pinned to the
iso-codes package of Debian 12)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ROOT, SluicedTest  # noqa: E402
from http_server import TestServer  # noqa: E402

ISO = "/usr/share/iso-codes/json"


@unittest.skipUnless(os.path.isdir(ISO), "iso-codes is not installed (packaging/install-deps.sh installs it)")
class ExamplesTest(SluicedTest):
    def setUp(self):
        super().setUp()
        self.server = TestServer(static_dir=ISO)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.env = {"DEMO_URL": self.server.url("").rstrip("/"), "DEMO_OUT": self.path("out")}
        self.examples = os.path.join(ROOT, "pipelines", "examples")

    def expected_countries(self):
        with open(os.path.join(ISO, "iso_3166-1.json")) as f:
            data = json.load(f)["3166-1"]
        return [c for c in data if "official_name" in c]

    def test_check_and_test_pass(self):
        r = self.sluiced("check", self.examples, env=self.env)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("pipeline countries\n", r.stdout)
        self.assertIn("pipeline languages\n", r.stdout)
        r = self.sluiced("test", self.examples, os.path.join(ROOT, "pipelines", "api"), env=self.env)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.stdout.endswith("passed, 0 failed\n"), r)

    def test_run_once_on_real_data(self):
        r = self.run_once(self.examples, env=self.env)
        self.assertEqual(r.rc, 0, r)
        countries = r.event("run_finished", "countries")
        expected = self.expected_countries()
        with open(os.path.join(ISO, "iso_3166-1.json")) as f:
            total = len(json.load(f)["3166-1"])
        self.assertEqual(countries["records_in"], total)
        self.assertEqual(countries["records_out"], len(expected))
        self.assertEqual(countries["http_status"], 200)
        self.assertEqual(countries["pages"], 1)
        self.assertEqual(countries["bytes"], os.path.getsize(os.path.join(ISO, "iso_3166-1.json")))
        lines = self.lines("out/countries.ndjson")
        self.assertEqual(len(lines), len(expected))
        for got, c in zip(lines, expected):
            self.assertEqual(got["code"], c["alpha_2"])
            self.assertEqual(got["code3"], c["alpha_3"].lower())
            # upper() maps ASCII only (spec §6.3): "Åland" -> "ÅLAND"
            self.assertEqual(got["name"], "".join(ch.upper() if "a" <= ch <= "z" else ch for ch in c["name"]))
            self.assertEqual(got["official"], c["official_name"])
            self.assertEqual(got["numeric"], int(c["numeric"]))
            self.assertEqual(got["republic"], "Republic" in c["official_name"])
            self.assertEqual(got["source"], "iso-3166-1")
        with open(os.path.join(ISO, "iso_639-3.json")) as f:
            langs = json.load(f)["639-3"]
        want = [l for l in langs if l["type"] == "L" and l["scope"] == "I" and len(l["name"]) >= 3
                and l["alpha_3"].startswith("z")]
        got = self.lines("out/languages.ndjson")
        self.assertEqual([g["code"] for g in got], [l["alpha_3"] for l in want])
        self.assertEqual(got[0], {"code": want[0]["alpha_3"], "iso639_1": want[0].get("alpha_2"),
                                  "name": want[0]["name"], "length": len(want[0]["name"]),
                                  "common": "alpha_2" in want[0]})
        # append mode: a second run appends the same batch again; replace mode replaces
        r = self.run_once(self.examples, env=self.env)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(self.lines("out/languages.ndjson")), 2 * len(want))
        self.assertEqual(len(self.lines("out/countries.ndjson")), len(expected))


class ReadmeTest(SluicedTest):
    def test_readme_pipeline_checks_and_its_test_passes_offline(self):
        import re
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        text = re.search(r"## A pipeline\n\n```yaml\n(.*?)```", readme, re.S).group(1)
        cfg = self.path("readme.yaml")
        with open(cfg, "w") as f:
            f.write(text)
        env = {"API_TOKEN": ""}  # unset below: the test's env: supplies it
        e = {k: v for k, v in os.environ.items() if k != "API_TOKEN"}
        import subprocess
        from harness import BIN
        proc = subprocess.run([BIN, "test", cfg], capture_output=True, text=True, env=e, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "PASS keeps only active users\n1 passed, 0 failed\n")
        del env
        r = self.sluiced("check", "--now", "2025-01-01T00:00:00Z", cfg, env={"API_TOKEN": "t0ken-value"})
        self.assertEqual(r.rc, 0, r)
        self.assertIn("  next: 2025-01-01T00:00:00Z 2025-01-01T00:00:30Z 2025-01-01T00:01:00Z\n", r.stdout)
        self.assertNotIn("t0ken-value", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
