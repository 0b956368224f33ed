#!/usr/bin/env python3
"""JSONTestSuite (test_parsing) through the real binary (spec §4: strict
RFC 8259 parsing, invalid UTF-8 and escaped lone surrogates are errors,
numbers outside the double range are valid and kept as text).

Every file is served as a response body; ONE `sluiced run --once` runs a
generated pipeline per file, each with its own file sink:
  y_  the run succeeds and the records equal Python's reading of the same
      bytes (top-level array -> its elements; object/scalar -> one record;
      null -> none), compared as JSON values with numbers by decimal value;
  n_  the run fails and nothing is written;
  i_  the process never crashes; a file that is not valid UTF-8 or holds an
      escaped lone surrogate is rejected; one Python reads strictly is
      accepted with the right records (huge numbers included).

The suite lives outside the repo ($SLUICED_SOURCE_DIR/../shared/testdata/
JSONTestSuite); the test is skipped when it is missing. Never copy it here.
"""
import decimal
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, SluicedTest  # noqa: E402
from http_server import Reply, TestServer  # noqa: E402

SUITE = os.path.join(ROOT, "..", "shared", "testdata", "JSONTestSuite", "test_parsing")


class Num(str):
    """A JSON number read as its text; equal by decimal value (1.0 == 1E0),
    or by text when the exponent is beyond even Decimal's range."""

    def _dec(self):
        try:
            return decimal.Decimal(str(self))
        except (decimal.InvalidOperation, ValueError):
            return None

    def __eq__(self, other):
        if not isinstance(other, Num):
            return False
        a, b = self._dec(), other._dec()
        if a is None or b is None:
            return str(self) == str(other)
        return a == b

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __repr__(self):
        return str(self)


def _reject_constant(name):
    raise ValueError("not JSON: " + name)


def python_reading(data):
    """('ok', value) | ('bad-utf8', None) | ('surrogate', None) | ('invalid', None)."""
    try:
        text = data.decode("utf-8")  # strict: overlongs, surrogates, truncation rejected
    except UnicodeDecodeError:
        return "bad-utf8", None
    try:
        value = json.loads(text, parse_float=Num, parse_int=Num,
                           parse_constant=_reject_constant)
    except (ValueError, RecursionError, decimal.InvalidOperation):
        return "invalid", None
    if _has_surrogate(value):
        return "surrogate", None
    return "ok", value


def _has_surrogate(v):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in x):
                return True
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
    return False


def records_of(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def read_ndjson(path):
    with open(path, "rb") as f:
        raw = f.read()
    out = []
    text = raw.decode("utf-8")
    assert text == "" or text.endswith("\n"), "sink file without a final newline"
    for line in text.split("\n")[:-1]:  # not splitlines(): U+2028 and \x1c are not line ends
        out.append(json.loads(line, parse_float=Num, parse_int=Num))
    return out


@unittest.skipUnless(os.path.isdir(SUITE), "JSONTestSuite not found at %s" % SUITE)
class JsonTestSuiteTest(SluicedTest):
    def test_json_test_suite(self):
        files = sorted(f for f in os.listdir(SUITE) if f.endswith(".json") and f[:2] in ("y_", "n_", "i_"))
        self.assertGreater(len(files), 300)
        pipes = {}
        names = {}
        with TestServer() as srv:
            for i, f in enumerate(files):
                with open(os.path.join(SUITE, f), "rb") as fh:
                    data = fh.read()
                srv.route("/f%03d" % i, Reply(200, [("Content-Type", "application/json")], data))
                name = "t%03d" % i
                names[name] = (f, data)
                pipes[name] = {"source": {"http": {"url": srv.url("/f%03d" % i), "retry": {"attempts": 1},
                                                   "timeout": "60s"}},
                               "sink": {"file": {"path": self.path("out", name + ".ndjson")}}}
            cfg = self.path("suite.yaml")
            with open(cfg, "w") as fh:
                json.dump({"pipelines": pipes}, fh, indent=1)
            t0 = time.monotonic()
            r = self.run_once(cfg)
            took = time.monotonic() - t0
        self.assertIn(r.rc, (0, 1), "sluiced crashed (signal %s)\n%s" % (-r.rc, r.stderr[-3000:]))
        ended = {}
        for e in r.events:
            if e.get("event") in ("run_finished", "run_failed"):
                self.assertNotIn(e["pipeline"], ended, "two ends for one run")
                ended[e["pipeline"]] = e

        problems = []
        counts = {"y": [0, 0], "n": [0, 0], "i_ok": 0, "i_fail": 0, "i_must_reject": [0, 0], "i_must_accept": [0, 0]}
        for name, (f, data) in sorted(names.items()):
            e = ended.get(name)
            if e is None:
                problems.append("%s: no run_finished/run_failed" % f)
                continue
            out = self.path("out", name + ".ndjson")
            ok = e["event"] == "run_finished"
            kind, value = python_reading(data)
            written = os.path.exists(out) and os.path.getsize(out) > 0
            if f.startswith("y_"):
                counts["y"][1] += 1
                if kind != "ok":
                    problems.append("%s: harness cannot read a y_ file (%s)" % (f, kind))
                elif not ok:
                    problems.append("%s: y_ rejected: %s" % (f, e.get("error")))
                else:
                    got = read_ndjson(out) if os.path.exists(out) else []
                    if got != records_of(value):
                        problems.append("%s: records %r != expected %r" % (f, got[:5], records_of(value)[:5]))
                    elif e["records_out"] != len(records_of(value)):
                        problems.append("%s: records_out %s" % (f, e["records_out"]))
                    else:
                        counts["y"][0] += 1
            elif f.startswith("n_"):
                counts["n"][1] += 1
                if ok:
                    problems.append("%s: n_ accepted (%r)" % (f, data[:60]))
                elif written:
                    problems.append("%s: n_ failed but wrote records" % f)
                else:
                    counts["n"][0] += 1
            else:
                counts["i_ok" if ok else "i_fail"] += 1
                if not ok and written:
                    problems.append("%s: i_ failed but wrote records" % f)
                if kind in ("bad-utf8", "surrogate"):
                    counts["i_must_reject"][1] += 1
                    if ok:
                        problems.append("%s: i_ %s accepted" % (f, kind))
                    else:
                        counts["i_must_reject"][0] += 1
                elif kind == "ok":
                    counts["i_must_accept"][1] += 1
                    if not ok:
                        problems.append("%s: i_ valid (Python strict, spec §4) rejected: %s" % (f, e.get("error")))
                    else:
                        got = read_ndjson(out) if os.path.exists(out) else []
                        if got != records_of(value):
                            problems.append("%s: records %r != expected %r" % (f, got[:5], records_of(value)[:5]))
                        else:
                            counts["i_must_accept"][0] += 1
        print("\nJSONTestSuite: %d files in %.1f s; y_ %d/%d accepted right; n_ %d/%d rejected; "
              "i_ %d accepted, %d rejected (must reject: %d/%d, must accept: %d/%d)"
              % (len(files), took, counts["y"][0], counts["y"][1], counts["n"][0], counts["n"][1],
                 counts["i_ok"], counts["i_fail"], *counts["i_must_reject"], *counts["i_must_accept"]),
              file=sys.stderr)
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertEqual(r.rc, 1 if any(e["event"] == "run_failed" for e in ended.values()) else 0)


if __name__ == "__main__":
    unittest.main()
