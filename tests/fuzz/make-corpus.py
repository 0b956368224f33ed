#!/usr/bin/env python3
"""(Re)creates the seed corpora tests/fuzz/corpus/<target>/ from files of
this repository (tests/expr/*.test, pipelines/**/*.yaml,
packaging/pipelines.d/*.yaml) plus the hand-written seeds below. Seeds are
named by the SHA-1 of their content, as libFuzzer names its own files, so
running this again is idempotent. Never seed from ../shared/testdata."""
import hashlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


JSON_DOCS = [
    '{"a":[1,2.5e3,-0.1,"x\\u00e9\\ud83d\\ude00",true,false,null],"b":{"c":"\\n\\t","a":0}}',
    '[0,-0,1e5,1E-5,"\\/",[],{},[[{"k":"v"}]],1.10,12345678901234567890]',
    '{"caf\u00e9":"\u20ac\U0001F600","\\u0061":1,"a":2}',
    '"just a string with \\"escapes\\" and \\\\ backslashes \\u0000"',
    '  [ 1 ,\n\t2 ,\r\n 3 ]  ',
    '{"data":{"items":[{"id":1},{"id":2}]},"links":{"next":"?page=2"},"meta":{"next_cursor":"abc"}}',
    '[1e400,-1e400,1e-400,0.1,0.10000000000000001,9007199254740993,9007199254740992,-0.0,5e-324,1.7976931348623157e308]',
    '{"a":1,"a":2,"b":{"x":[],"x":{}}}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    'null', 'true', '0', '"\\ud800\\udc00"',
]

for doc in JSON_DOCS:
    put("json", doc)
put("json", (ROOT / "pipelines/examples/fixtures/iso_3166-1-sample.json").read_bytes())

# decode: first byte = format (bit 7: ndjson) and records path index.
for i, doc in enumerate(JSON_DOCS[:8]):
    put("decode", bytes([i % 7]) + doc.encode())
put("decode", b"\x01" + b'{"data":[{"a":1},{"a":2.50}],"n":3}')
put("decode", b"\x02" + b'{"a":{"b":[[1,2],{"c":3}]}}')
put("decode", b"\x03" + b'{"items":[1,{"x":"y"},[3]]}')
put("decode", b"\x04" + b'{"odd key":{"k":"v"}}')
put("decode", b"\x00" + b'{"x":"not an array"}')
put("decode", b"\x80" + b'{"a":1}\n\n{"a":2}\r\n  \nnot json\n[1,2]\n{"a":1e400}\n')
put("decode", b"\x80" + b'1\n2.0\n-3e2\n"four"\n\xff\xfe\n{"b":')

# expr: "PROGRAM\nINPUT" from every case of tests/expr/*.test
n = 0
for f in sorted((ROOT / "tests" / "expr").glob("*.test")):
    block = []
    lines = f.read_text().splitlines() + [""]
    for line in lines:
        if line == "":
            if block:
                if block[0] == "%%FAIL":
                    put("expr", block[1])
                elif len(block) >= 2:
                    put("expr", block[0] + "\n" + block[1])
                n += 1
            block = []
        elif line.startswith("#") and not block:
            continue
        else:
            block.append(line)

# config: the repository's pipeline files and a few hand-written ones.
for f in sorted(list(ROOT.glob("pipelines/**/*.yaml")) + list(ROOT.glob("packaging/pipelines.d/*.yaml"))):
    put("config", f.read_bytes())
CONFIGS = [
    """pipelines:
  p1:
    schedule: { cron: "*/5 * * * *", tz: Europe/Berlin, jitter: 1m }
    source:
      http:
        url: ${BASE}/v1/users
        method: POST
        body: '${file:body.json}'
        headers: { Accept: application/json, X-Since: { expr: 'format_time(now() - 3600)' } }
        auth: { basic: { user: u, password: "${file:token.txt}" } }
        timeout: 1h30m
        max_body: 8MiB
        tls: { verify: false }
        format: ndjson
        paginate: { cursor: { param: cursor, from: .meta.next_cursor }, max_pages: 3 }
    stages:
      - filter: '.status == "active" && .age >= 18'
      - map:
          id: .id
          n: 12.50
          flag: true
          location: { city: .address.city, zip: '.address.zip ?? "unknown"' }
          source: '"crm"'
      - set: { seen: 'now()', nested: { a: 1 } }
      - drop: [.tmp, '.["odd key"]']
    sink:
      file: { path: out.ndjson, mode: replace, format: json, fsync: never }
    dead_letter: { file: { path: dead.ndjson, rotate: { max_bytes: 1MB, keep: 3 } } }
    on_error: fail
""",
    """pipelines:
  offset-one:
    schedule: { every: 250ms }
    source:
      http:
        url: http://127.0.0.1/x
        auth:
          oauth2: { token_url: "http://127.0.0.1/t", client_id: a, client_secret: "${API_TOKEN}", scopes: [read] }
        rate_limit: { requests: 10, per: 1s }
        paginate: { offset: { param: offset, limit_param: limit, limit: 100 } }
        records: .data.items
    sink: stdout
  page-two:
    schedule: { cron: "@daily" }
    source: { http: { url: "https://h/p", paginate: { page: { param: page, start: 0 } } } }
    sink: { stdout: {} }
tests:
  - name: t
    pipeline: offset-one
    env: { A: b }
    responses:
      - { status: 200, body: '{"data":{"items":[{"x":1}]}}' }
    expect: [ { x: 1 } ]
""",
    "pipelines:\n  bad:\n    schedul: {}\n    source: { http: { url: ftp://x } }\n    sink: nope\n",
    "a: &x 1\nb: *x\n<<: {c: 1}\nd: !!str 5\n---\nx: 1\n",
    "pipelines:\n  p:\n    stages:\n      - filter: '.a =~ \"(\"'\n      - map: { x: 'len(' }\n",
    "",
    "pipelines: {}\ntests: []\n",
]
for c in CONFIGS:
    put("config", c)

CRONS = ["*/5 * * * *", "0 3 * * 1-5", "30 6 * * *", "0 0 30 2 *", "0 0 29 2 sun",
         "*/10 */2 1,15 jan-mar,oct mon-fri", "0 30 2 * * *", "0 * * * *", "59 23 31 12 *",
         "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight", "@reboot",
         "5/15 1-23/3 */4 * fri-sun", "0 0 * * 7", " \t0 0 1 1 *\t ", "1-", "*/0 * * * *",
         "0 2 * * *", "0 1 * * *", "*/30 1-3 * * *", "0 0 31 * *"]
for c in CRONS:
    put("cron", c)

LINKS = [
    '<https://a/p?page=2>; rel="next"',
    '<https://a/1>; rel="prev", <https://a/3>; rel="next"',
    '<https://a/x?a=1,2;b>; title="x, y; z"; rel="next"',
    '<https://a/1>; title="a,<https://evil/>; rel=next", <https://a/2>; rel=next',
    '<https://a/2>; type="text/html"; REL="last NEXT"',
    '<https://a/6>; title="say \\"hi\\", ok"; rel=next',
    'next\n<https://a/1>; rel=prev\n<https://a/2>; rel="next last"',
    'last\ngarbage, <https://a/5>;rel=last',
    '<https://a/2>; rel=prev; rel=next',
]
for c in LINKS:
    put("link", c)

UNITS = ["0", "250ms", "30s", "5m", "1h", "1h30m", "1d12h", "1d1h1m1s1ms", "9223372036854775807ms",
         "106751991167d", "512", "64KiB", "8MiB", "1GiB", "1TiB", "1KB", "1MB", "1GB", "1TB",
         "18446744073709551615", "1.5s", "1m1h", "", "-1s"]
for c in UNITS:
    put("units", c)

print("corpus:", {d.name: len(list(d.iterdir())) for d in sorted(OUT.iterdir())})
