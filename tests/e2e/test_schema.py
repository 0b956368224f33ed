#!/usr/bin/env python3
"""The JSON Schema of pipeline files (schemas/pipeline.schema.json).

Every YAML file under pipelines/ (and the packaged example) validates; files
with mistakes the spec calls configuration errors do not, and the error names
the offending key. When the built binary has the `schema` command, its output
is the schema file byte for byte.

Environment (set by CTest): SLUICED_SOURCE_DIR (repo root, default: two levels
up from this file) and SLUICED_BIN (the built binary; optional here).
"""
import json
import os
import pathlib
import subprocess
import textwrap
import unittest

import jsonschema
import yaml

ROOT = pathlib.Path(os.environ.get("SLUICED_SOURCE_DIR")
                    or pathlib.Path(__file__).resolve().parents[2])
SCHEMA_PATH = ROOT / "schemas" / "pipeline.schema.json"


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 timestamps: sluiced reads `2024-01-01` as a
    string, and a datetime object would not be JSON at all."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text):
    return yaml.load(text, Loader=_Loader)


def schema():
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def validator():
    s = schema()
    jsonschema.Draft7Validator.check_schema(s)
    return jsonschema.Draft7Validator(s)


def errors_of(doc):
    return sorted(validator().iter_errors(doc), key=lambda e: list(e.absolute_path))


def describe(errs):
    return "\n".join(f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errs)


def all_messages(errs):
    """Messages of the errors and of their sub-errors (anyOf/oneOf context)."""
    out = []
    stack = list(errs)
    while stack:
        e = stack.pop()
        out.append(e.message)
        stack.extend(e.context or [])
    return out


MINIMAL = """
pipelines:
  p:
    schedule: { every: 30s }
    source: { http: { url: "https://example.org/x" } }
    sink: { stdout: {} }
"""

# Every key of spec sections 2-8, each in a valid spot.
KITCHEN_SINK = r"""
pipelines:
  orders:
    schedule: { cron: "30 6 * * 1-5", tz: Europe/Berlin, jitter: 1m }
    source:
      http:
        url: https://api.example.com/v1/orders
        method: POST
        headers:
          Accept: application/json
          X-Since: { expr: 'format_time(now() - 3600)' }
        query: { limit: "100", page_size: 50, verbose: true }
        body: '{"q": "x"}'
        auth:
          oauth2:
            token_url: https://auth.example.com/oauth/token
            client_id: "${CLIENT_ID}"
            client_secret: "${file:secret.txt}"
            scopes: [read:orders]
            audience: https://api.example.com
        timeout: 30s
        connect_timeout: 10s
        max_body: 64MiB
        retry: { attempts: 3, backoff: 500ms, max_backoff: 30s }
        tls: { verify: true, ca_file: /etc/ssl/certs/internal.pem, cert_file: c.pem, key_file: k.pem }
        format: json
        records: .data.items
        paginate: { next_url: .links.next, max_pages: 10 }
        incremental: { cursor: .updated_at, param: updated_since, initial: "2024-01-01T00:00:00Z" }
        rate_limit: { requests: 10, per: 1s }
    stages:
      - filter: '.status == "active"'
      - map:
          id: .id
          adult: '.age >= 18'
          location:
            city: .address.city
            zip: '.address.zip ?? "unknown"'
          source: '"crm"'
          flag: true
          nothing: null
          n: 1.10
      - set: { seen: 'now()', nested: { a: .a } }
      - drop: [.scope, '.["odd key"]']
    sink:
      file:
        path: /var/lib/sluiced/orders.ndjson
        mode: append
        format: ndjson
        rotate: { max_bytes: 64MiB, keep: 10 }
        fsync: batch
    dead_letter: { file: { path: /var/lib/sluiced/orders.dead.ndjson, fsync: never } }
    on_error: drop
  b-basic_2:
    schedule: { every: 1h30m }
    source:
      http:
        url: "${BASE:-http://127.0.0.1:8080}/x"
        auth: { basic: { user: u, password: p } }
        format: ndjson
        paginate: { link_header: next }
    sink: { file: { path: out.json, mode: replace, format: json } }
    on_error: fail
  c:
    schedule: { cron: "@daily" }
    source: { http: { url: http://h/, auth: { bearer: "${API_TOKEN}" }, paginate: { cursor: { param: cursor, from: .meta.next_cursor } } } }
    sink: { stdout: {} }
  d:
    schedule: { every: 250ms }
    source: { http: { url: http://h/, paginate: { page: { param: page, start: 1 } }, max_body: 512 } }
    sink: { stdout: {} }
  e:
    source: { http: { url: http://h/, paginate: { offset: { param: offset, limit_param: limit, limit: 100 } } } }
    sink: { stdout: {} }
tests:
  - name: keeps only active users
    pipeline: orders
    response: '[{"name":"a","status":"active"}]'
    expect:
      - { name: a, age: 1 }
  - name: from a file
    pipeline: orders
    response_file: fixtures/users.json
    expect: []
    env: { CLIENT_ID: x }
  - name: second page after a 429
    pipeline: b-basic_2
    responses:
      - { status: 200, headers: { Link: '<?page=2>; rel="next"' }, body: '[{"id":1}]' }
      - { status: 429, headers: { Retry-After: "0" } }
      - { body: '[{"id":2}]' }
    expect: [ { id: 1 }, { id: 2 } ]
    expect_requests: 3
    expect_dead_letter: []
    expect_error: null
  - name: requests and state
    pipeline: orders
    responses: [ { status: 500 } ]
    expect_requests:
      - { method: GET, url: "http://h/?a=1", headers: { Accept: application/json }, body: "" }
    expect_error: "500"
    state: "2024-01-01T00:00:00Z"
    expect_state: 2024-01-01T00:00:00Z
"""


class SchemaFile(unittest.TestCase):
    def test_is_a_valid_draft07_schema_with_id_and_descriptions(self):
        s = schema()
        jsonschema.Draft7Validator.check_schema(s)
        self.assertEqual(s["$schema"], "http://json-schema.org/draft-07/schema#")
        self.assertTrue(s.get("$id"))
        self.assertTrue(s.get("description"))
        self.assertTrue(SCHEMA_PATH.read_bytes().endswith(b"}\n"))

    def test_objects_of_ours_are_closed(self):
        """Every object schema that lists properties forbids other keys."""
        open_ok = set()  # none: user-named maps have no `properties`

        def walk(node, where):
            if isinstance(node, dict):
                if node.get("type") == "object" and "properties" in node:
                    if where not in open_ok:
                        self.assertIs(node.get("additionalProperties"), False,
                                      f"{where} allows unknown keys")
                for k, v in node.items():
                    walk(v, f"{where}/{k}")
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{where}/{i}")

        walk(schema(), "#")


class ValidFiles(unittest.TestCase):
    def test_every_yaml_under_pipelines_validates(self):
        files = sorted(p for p in (ROOT / "pipelines").rglob("*")
                       if p.suffix in (".yaml", ".yml") and p.is_file())
        self.assertTrue(files, "no YAML files under pipelines/")
        v = validator()
        for f in files:
            with self.subTest(file=str(f.relative_to(ROOT))):
                doc = load_yaml(f.read_text(encoding="utf-8"))
                errs = list(v.iter_errors(doc))
                print(f"schema: {f.relative_to(ROOT)}: {len(errs)} errors")
                self.assertEqual(errs, [], f"{f}:\n{describe(errs)}")

    def test_packaged_example_validates(self):
        files = sorted((ROOT / "packaging" / "pipelines.d").glob("*"))
        self.assertTrue(files, "no packaged example in packaging/pipelines.d")
        for f in files:
            with self.subTest(file=f.name):
                text = f.read_text(encoding="utf-8")
                self.assertIsNone(load_yaml(text), "the installed example must define nothing")
                errs = errors_of(load_yaml(text))
                self.assertEqual(errs, [], describe(errs))
                # Its commented example, uncommented, is a valid file too.
                lines = text.splitlines()
                start = lines.index("# pipelines:")
                body = "\n".join(l[2:] if l.startswith("# ") else l[1:] for l in lines[start:])
                doc = load_yaml(body)
                self.assertTrue(doc and doc.get("pipelines"), "no commented example pipeline")
                errs = errors_of(doc)
                self.assertEqual(errs, [], describe(errs))

    def test_comment_only_and_empty_files_are_valid(self):
        for text in ("", "# nothing yet\n", "pipelines: {}\n", "tests: []\n", "pipelines:\n", "tests:\n"):
            with self.subTest(text=text):
                self.assertEqual(errors_of(load_yaml(text)), [])

    def test_every_key_of_the_spec(self):
        errs = errors_of(load_yaml(KITCHEN_SINK))
        self.assertEqual(errs, [], describe(errs))

    def test_durations_and_sizes(self):
        base = load_yaml(MINIMAL)
        for every in ("250ms", "30s", "5m", "1h", "1h30m", "1d12h", "0s1ms",
                      "${EVERY}", "${EVERY:-30s}"):
            with self.subTest(every=every):
                base["pipelines"]["p"]["schedule"] = {"every": every}
                self.assertEqual(errors_of(base), [])
        for jitter in ("0", 0, "0s", "5s"):
            with self.subTest(jitter=jitter):
                base["pipelines"]["p"]["schedule"] = {"every": "1m", "jitter": jitter}
                self.assertEqual(errors_of(base), [])
        # `every` must be greater than zero.
        for every in ("30", "1m1h", "1.5s", "30 s", "", "5mm", "1s1s", 30, "1S",
                      "0", 0, "0s", "0h0m"):
            with self.subTest(every=every):
                base["pipelines"]["p"]["schedule"] = {"every": every}
                errs = errors_of(base)
                self.assertTrue(errs, f"{every!r} accepted")
                self.assertEqual(list(errs[0].absolute_path),
                                 ["pipelines", "p", "schedule", "every"])
        base["pipelines"]["p"]["schedule"] = {"every": "1s"}
        for size in (512, "512", "64KiB", "8MiB", "1GiB", "1KB", "2MB", "3GB"):
            with self.subTest(size=size):
                base["pipelines"]["p"]["source"]["http"]["max_body"] = size
                self.assertEqual(errors_of(base), [])
        for size in ("64kib", "1.5MiB", "-1", -1, "64 KiB", "MiB", 0, "0KiB"):
            with self.subTest(size=size):
                base["pipelines"]["p"]["source"]["http"]["max_body"] = size
                self.assertTrue(errors_of(base), f"{size!r} accepted")


class InvalidFiles(unittest.TestCase):
    def assert_invalid(self, text, *needles):
        errs = errors_of(load_yaml(textwrap.dedent(text)))
        self.assertTrue(errs, "validated but should not")
        msgs = "\n".join(all_messages(errs))
        print(f"schema rejects as expected:\n{describe(errs)}")
        for n in needles:
            self.assertIn(n, msgs)
        return errs

    def test_unknown_key_is_named(self):
        errs = self.assert_invalid("""
            pipelines:
              p:
                shedule: { every: 30s }
                source: { http: { url: "https://example.org/x" } }
                sink: { stdout: {} }
            """, "shedule")
        self.assertEqual(list(errs[0].absolute_path), ["pipelines", "p"])

    def test_bad_pipeline_name_is_named(self):
        for name in ("Active-Users", "-x", "_x", "a.b", "a b"):
            with self.subTest(name=name):
                self.assert_invalid(f"""
                    pipelines:
                      "{name}":
                        source: {{ http: {{ url: "https://example.org/x" }} }}
                        sink: {{ stdout: {{}} }}
                    """, name)

    def test_unknown_top_level_key(self):
        self.assert_invalid("pipeline: {}\n", "pipeline")

    def test_unknown_keys_deep_inside(self):
        cases = {
            "retries": "source: { http: { url: 'http://h/', retries: { attempts: 2 } } }",
            "verfy": "source: { http: { url: 'http://h/', tls: { verfy: false } } }",
            "token": "source: { http: { url: 'http://h/', auth: { bearer: x, token: y } } }",
            "max_page": "source: { http: { url: 'http://h/', paginate: { next_url: .n, max_page: 2 } } }",
            "keeep": "source: { http: { url: 'http://h/' } }\n    sink: { file: { path: x, rotate: { max_bytes: 1, keeep: 2 } } }",
        }
        for key, body in cases.items():
            with self.subTest(key=key):
                text = f"pipelines:\n  p:\n    {body}\n"
                if "sink:" not in body:
                    text += "    sink: { stdout: {} }\n"
                self.assert_invalid(text, key)

    def test_user_named_maps_stay_open(self):
        doc = load_yaml(MINIMAL)
        http = doc["pipelines"]["p"]["source"]["http"]
        http["headers"] = {"X-Anything": "1", "shedule": "ok"}
        http["query"] = {"whatever_key": "1"}
        doc["pipelines"]["p"]["stages"] = [{"map": {"shedule": ".a", "x": {"y": ".b"}}},
                                           {"set": {"any": "1"}}]
        self.assertEqual(errors_of(doc), [])

    def test_structural_rules(self):
        cases = {
            "missing sink": """
                pipelines:
                  p: { source: { http: { url: "http://h/" } } }
                """,
            "missing url": """
                pipelines:
                  p: { source: { http: {} }, sink: { stdout: {} } }
                """,
            "ftp url": """
                pipelines:
                  p: { source: { http: { url: "ftp://h/" } }, sink: { stdout: {} } }
                """,
            "white space in url": """
                pipelines:
                  p: { source: { http: { url: "http://h/ x" } }, sink: { stdout: {} } }
                """,
            "two pagination modes": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/", paginate: { next_url: .n, link_header: next } } }
                    sink: { stdout: {} }
                """,
            "max_pages alone": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/", paginate: { max_pages: 3 } } }
                    sink: { stdout: {} }
                """,
            "every and cron": """
                pipelines:
                  p:
                    schedule: { every: 1s, cron: "* * * * *" }
                    source: { http: { url: "http://h/" } }
                    sink: { stdout: {} }
                """,
            "tz with every": """
                pipelines:
                  p:
                    schedule: { every: 1s, tz: UTC }
                    source: { http: { url: "http://h/" } }
                    sink: { stdout: {} }
                """,
            "cron with 4 fields": """
                pipelines:
                  p:
                    schedule: { cron: "* * * *" }
                    source: { http: { url: "http://h/" } }
                    sink: { stdout: {} }
                """,
            "two stage kinds in one item": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    stages: [ { filter: .a, drop: [.b] } ]
                    sink: { stdout: {} }
                """,
            "sequence in map": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    stages: [ { map: { a: [1, 2] } } ]
                    sink: { stdout: {} }
                """,
            "two sinks": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    sink: { stdout: {}, file: { path: x } }
                """,
            "json format in append mode": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    sink: { file: { path: x, format: json } }
                """,
            "rotate in replace mode": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    sink: { file: { path: x, mode: replace, rotate: { max_bytes: 1MiB } } }
                """,
            "bad on_error": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/" } }
                    sink: { stdout: {} }
                    on_error: ignore
                """,
            "two auth kinds": """
                pipelines:
                  p:
                    source: { http: { url: "http://h/", auth: { bearer: x, basic: { user: u, password: p } } } }
                    sink: { stdout: {} }
                """,
            "test without a body": """
                tests:
                  - { name: t, pipeline: p, expect: [] }
                """,
            "test with two bodies": """
                tests:
                  - { name: t, pipeline: p, response: "[]", response_file: x.json }
                """,
            "test with a typo": """
                tests:
                  - { name: t, pipeline: p, response: "[]", expcet: [] }
                """,
        }
        for what, text in cases.items():
            with self.subTest(case=what):
                self.assert_invalid(text)


class SchemaCommand(unittest.TestCase):
    def test_schema_command_prints_the_file(self):
        binary = os.environ.get("SLUICED_BIN")
        if not binary or not os.path.exists(binary):
            self.skipTest("SLUICED_BIN not set or not built")
        r = subprocess.run([binary, "schema"], capture_output=True, timeout=30)
        if r.returncode != 0:
            self.skipTest(f"`sluiced schema` not available yet (exit {r.returncode}): "
                          f"{r.stderr.decode(errors='replace').strip()[:200]}")
        self.assertEqual(r.stdout, SCHEMA_PATH.read_bytes(),
                         "`sluiced schema` differs from schemas/pipeline.schema.json")


if __name__ == "__main__":
    unittest.main(verbosity=2)
