#!/usr/bin/env python3
"""sluiced's benchmark against its peers (issue 6; docs/performance.md).

    python3 tests/bench/run_bench.py                 # full run: 1,000,000 records, writes docs/performance.md
    python3 tests/bench/run_bench.py --records 2000 --no-doc   # quick (the e2e smoke test)

Workloads:
  W1  one JSON array of N records (~120 bytes each) fetched over loopback
  W2  the same records as NDJSON
  W3  many pipelines in one daemon (tests/bench/w3.py: 1,000 pipelines x 10 KB/s, 60 s)
  W4  the stage chain alone on records already in memory (bench_expr)

Every tool runs the same pipeline (PIPELINE below) on the same bytes, and
every tool's output is checked against sluiced's (check_output()). Tools
that are not installed are skipped and listed. Timing is wall time from
process start to exit (the output file fsync'ed), peak RSS from wait4().

sluiced: the Release build in --build-dir (default build-bench; configured
and built when missing). Bench programs (simdjson_scan.cpp, expr_bench.cpp)
are built here with g++, linking the static libraries of that build dir: no
CMake edit is needed (cmake/bench.cmake offers the same as targets).
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SYS_PYTHON = "/usr/bin/python3"  # Debian's python3 (python3-aiohttp lives there)

# The benchmark pipeline (issue 6): a filter, and a map with a path copy,
# a nested path, upper(...) and a comparison; score and big are copied
# through raw (12.50 and 20-digit integers keep their text, spec §6.4).
STAGES_YAML = """\
    stages:
      - filter: .status == "active"
      - map:
          id: .id
          name: upper(.name)
          city: .address.city
          adult: '.age >= 18'
          score: .score
          big: .big
"""
JQ_MAP = '{id, name: (.name|ascii_upcase), city: .address.city, adult: (.age >= 18), score, big}'

NAMES = ["ann lee", "bo chen", "carla diaz", "dev patel", "eva novak", "femi ade", "gus lund", "hana sato",
         "ivan petrov", "jo kim", "kai berg", "lena ruiz", 'mo o\\"neil']
CITIES = ["Oslo", "Lima", "Pune", "Graz", "Kobe", "Cork", "Sao Paulo", "Tromso"]
STATUSES = ["active", "inactive", "active", "pending", "active", "suspended"]


# ---------------------------------------------------------------- data

def record(i):
    return ('{"id":%d,"name":"%s","age":%d,"status":"%s","address":{"city":"%s","zip":"%05d"},'
            '"score":%d.%d0,"big":%d}' % (
                i, NAMES[i % len(NAMES)], 5 + (i * 7) % 80, STATUSES[(i * 5) % len(STATUSES)],
                CITIES[(i * 3) % len(CITIES)], (i * 37) % 100000, i % 100, (i // 7) % 10,
                10 ** 19 + i * 7919 % (9 * 10 ** 19)))


def generate(dirpath, n):
    """Writes w1.json (one array, one record a line) and w2.ndjson."""
    w1 = os.path.join(dirpath, "w1.json")
    w2 = os.path.join(dirpath, "w2.ndjson")
    chunk = 50000
    with open(w1, "w") as a, open(w2, "w") as b:
        a.write("[")
        for start in range(0, n, chunk):
            recs = [record(i) for i in range(start, min(n, start + chunk))]
            body = ",\n".join(recs)
            a.write(("\n" if start == 0 else ",\n") + body)
            b.write("\n".join(recs) + "\n")
        a.write("\n]\n")
    return w1, w2


# ---------------------------------------------------------------- building

def ensure_sluiced(args):
    if args.sluiced:
        return args.sluiced
    exe = os.path.join(args.build_dir, "sluiced")
    if not os.path.exists(os.path.join(args.build_dir, "CMakeCache.txt")):
        run_checked(["cmake", "-S", ROOT, "-B", args.build_dir, "-DCMAKE_BUILD_TYPE=Release"])
    run_checked(["cmake", "--build", args.build_dir, "-j2", "--target", "sluiced"])
    return exe


def run_checked(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    return r


def cache_flags(build_dir):
    """Sanitizer flags when the build dir is an ASan build (its libs need them)."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            if "SLUICED_SANITIZE:BOOL=ON" in f.read():
                return ["-fsanitize=address,undefined"]
    except OSError:
        pass
    return []


def build_programs(lib_dir, out_dir, want_expr=True, want_native=True):
    """Builds bench_simdjson_scan and (when lib_dir has the static libs)
    bench_expr with g++, in parallel. Returns {name: path or None}, notes."""
    os.makedirs(out_dir, exist_ok=True)
    jobs, notes = {}, []
    gxx = shutil.which("g++") or shutil.which("c++")
    if not gxx:
        return {}, ["no C++ compiler: simdjson and W4 skipped"]

    def start(name, cmd, src):
        exe = os.path.join(out_dir, name)
        inputs = [src] + [c for c in cmd if c.endswith(".a")]
        if os.path.exists(exe) and all(os.path.getmtime(exe) >= os.path.getmtime(p) for p in inputs):
            jobs[name] = (None, exe)
            return
        p = subprocess.Popen(cmd + ["-o", exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        jobs[name] = (p, exe)

    start("bench_peak_rss", [gxx, "-O2", os.path.join(HERE, "peak_rss.cpp")], os.path.join(HERE, "peak_rss.cpp"))
    # Portable, as the sluiced package is built: no -march (simdjson 3's
    # On-Demand is compiled for the build's baseline ISA).
    start("bench_simdjson_scan",
          [gxx, "-O2", "-std=c++20", os.path.join(HERE, "simdjson_scan.cpp"), "-lsimdjson"],
          os.path.join(HERE, "simdjson_scan.cpp"))
    # The same with -march=native: what On-Demand does with AVX2/AVX-512 kernels.
    if want_native:
        start("bench_simdjson_scan_native",
              [gxx, "-O2", "-march=native", "-std=c++20", os.path.join(HERE, "simdjson_scan.cpp"), "-lsimdjson"],
              os.path.join(HERE, "simdjson_scan.cpp"))
    need = [os.path.join(lib_dir, f"libsluiced_{m}.a") for m in ("stage", "expr", "json")]
    if want_expr and all(os.path.exists(l) for l in need):
        # Every module library in one group: the linker takes only the
        # objects the stage chain needs, whichever module they moved to.
        libs = sorted(os.path.join(lib_dir, f) for f in os.listdir(lib_dir)
                      if f.startswith("libsluiced_") and f.endswith(".a"))
        start("bench_expr",
              [gxx, "-O2", "-g", "-std=c++20", *cache_flags(lib_dir), "-I", os.path.join(ROOT, "src"),
               os.path.join(HERE, "expr_bench.cpp"), "-Wl,--start-group", *libs, "-Wl,--end-group",
               "-lre2", "-lsimdjson"],
              os.path.join(HERE, "expr_bench.cpp"))
    elif want_expr:
        notes.append(f"W4 skipped: no static libraries in {lib_dir}")
    out = {}
    for name, (p, exe) in jobs.items():
        if p is not None:
            text, _ = p.communicate()
            if p.returncode != 0:
                notes.append(f"{name} did not build: {text.strip().splitlines()[-1] if text.strip() else '?'}")
                out[name] = None
                continue
        out[name] = exe
    return out, notes


# ---------------------------------------------------------------- running

class Measure:
    def __init__(self, seconds, rss_kib, rc, stderr):
        self.seconds, self.rss_kib, self.rc, self.stderr = seconds, rss_kib, rc, stderr


PEAK_RSS = None  # bench_peak_rss, set in main()


def measure(cmd, stdout=None, env=None, timeout=1800):
    """Wall time from start to exit, peak RSS of that process (wait4).
    Through bench_peak_rss when built: Linux counts a child's pre-exec
    memory in its ru_maxrss, so a child forked from this Python process
    would report at least our own RSS (~18 MiB)."""
    errf = tempfile.TemporaryFile()
    rss_file = None
    if PEAK_RSS:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [PEAK_RSS, rss_file, *cmd]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout or subprocess.DEVNULL, stderr=errf, env=env)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            continue
        time.sleep(0.002)
    dt = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    err = errf.read().decode(errors="replace")
    rss = ru.ru_maxrss
    if rss_file:
        try:
            with open(rss_file) as f:
                rss = int(f.read().strip() or rss)
        except (OSError, ValueError):
            pass
        os.unlink(rss_file)
    return Measure(dt, rss, p.returncode, err)


class Server:
    def __init__(self, dirpath):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "file_server.py"), dirpath],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def sluiced_cmd(exe, workdir, url, fmt, out):
    cfg = os.path.join(workdir, f"bench-{fmt}.yaml")
    with open(cfg, "w") as f:
        f.write(f"""\
pipelines:
  bench:
    source:
      http:
        url: {url}
        format: {fmt}
        max_body: 4GiB
        timeout: 30m
{STAGES_YAML}    sink:
      file: {{ path: {out} }}
""")
    return [exe, "run", "--once", "--log-format", "json", "--state-dir", os.path.join(workdir, "state"), cfg]


# ---------------------------------------------------------------- checking

def _eq(a, b, lossy):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        if lossy:  # jq 1.6 / JSON.parse keep numbers as doubles
            return float(a) == float(b)
        return Decimal(a) == Decimal(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_eq(a[k], b[k], lossy) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_eq(x, y, lossy) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def check_output(ref_path, path, lossy=False):
    """'identical', 'equal' (as JSON values, numbers by exact decimal value;
    lossy: numbers equal as doubles), or an error text."""
    with open(ref_path, "rb") as f:
        ref = f.read()
    with open(path, "rb") as f:
        got = f.read()
    if ref == got:
        return "identical"
    a, b = ref.splitlines(), got.splitlines()
    if len(a) != len(b):
        return f"{len(b)} lines, sluiced wrote {len(a)}"
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        vx = json.loads(x, parse_float=Decimal)
        vy = json.loads(y, parse_float=Decimal)
        if not _eq(vx, vy, lossy):
            return f"line {i + 1} differs: {y[:200]!r} vs sluiced {x[:200]!r}"
    return "equal (doubles)" if lossy else "equal"


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            n += chunk.count(b"\n")
    return n


# ---------------------------------------------------------------- workloads

class Row:
    def __init__(self, workload, tool, m, nbytes, nrec, check):
        self.workload, self.tool, self.check = workload, tool, check
        self.seconds = m.seconds
        self.mbs = nbytes / 1e6 / m.seconds
        self.rps = nrec / m.seconds
        self.rss_mib = m.rss_kib / 1024
        self.ratio = None


def best_of(repeat, fn):
    """Runs fn() `repeat` times; returns the fastest Measure (checks the first)."""
    best = None
    for _ in range(repeat):
        m = fn()
        if m.rc != 0:
            return m
        if best is None or m.seconds < best.seconds:
            best = m
    return best


def run_workload(name, fmt, data_path, url, nrec, tools, args, workdir, rows, notes):
    nbytes = os.path.getsize(data_path)
    ref = os.path.join(workdir, f"{name}-sluiced.ndjson")

    def sluiced_once():
        if os.path.exists(ref):
            os.unlink(ref)
        return measure(sluiced_cmd(tools["sluiced"], workdir, url, fmt, ref))

    m = best_of(args.repeat, sluiced_once)
    if m.rc != 0:
        raise RuntimeError(f"sluiced failed on {name}:\n{m.stderr}")
    rows.append(Row(name, "sluiced", m, nbytes, nrec, f"{count_lines(ref)} records out"))

    def peer(tool, cmd_for, lossy=False, stdout_file=False, check=True):
        out = os.path.join(workdir, f"{name}-{tool.split()[0]}.out")

        def once():
            if stdout_file:
                with open(out, "wb") as f:
                    return measure(cmd_for(out), stdout=f)
            return measure(cmd_for(out))

        m = best_of(args.repeat, once)
        if m.rc != 0:
            notes.append(f"{name} {tool} failed (exit {m.rc}): {m.stderr.strip()[-300:]}")
            return
        verdict = check_output(ref, out, lossy) if check else "n/a (transport only)"
        if not verdict.startswith(("identical", "equal", "n/a")):
            rows.append(Row(name, tool, m, nbytes, nrec, "MISMATCH: " + verdict))
            notes.append(f"{name} {tool}: output differs from sluiced's: {verdict}")
            return
        rows.append(Row(name, tool, m, nbytes, nrec, verdict))

    if tools.get("curl"):
        peer("curl -o /dev/null", lambda out: [tools["curl"], "-s", "-f", "-o", "/dev/null", url], check=False)
    nd = ["--ndjson"] if fmt == "ndjson" else []
    scan_label = "simdjson iterate_many" if fmt == "ndjson" else "simdjson On-Demand"
    if tools.get("bench_simdjson_scan"):
        peer(scan_label, lambda out: [tools["bench_simdjson_scan"], *nd, data_path, out])
    if tools.get("bench_simdjson_scan_native") and not args.quick:
        peer(scan_label + " -march=native", lambda out: [tools["bench_simdjson_scan_native"], *nd, data_path, out])
    if tools.get("jq"):
        prog = (f"select(.status==\"active\") | {JQ_MAP}" if fmt == "ndjson"
                else f".[] | select(.status==\"active\") | {JQ_MAP}")
        peer("jq", lambda out: [tools["jq"], "-c", prog, data_path], lossy=True, stdout_file=True)
    if tools.get("aiohttp"):
        peer("python aiohttp+json", lambda out: [SYS_PYTHON, os.path.join(HERE, "peer_aiohttp.py"), *nd, url, out])
    if tools.get("node"):
        peer("node fetch+JSON.parse", lambda out: [tools["node"], os.path.join(HERE, "peer_node.mjs"), *nd, url, out],
             lossy=True)


def run_w4(exe, data_path, nrec, args, rows_w4, notes):
    r = subprocess.run([exe, "--repeat", str(3 if args.quick else 5), data_path], capture_output=True, text=True)
    if r.returncode != 0:
        notes.append(f"W4 failed: {r.stderr.strip()[-300:]}")
        return
    res = json.loads(r.stdout)
    if args.callgrind and shutil.which("valgrind"):
        small = os.path.join(os.path.dirname(data_path), "w4-small.json")
        n = min(nrec, 20000)
        with open(small, "w") as f:
            f.write("[" + ",\n".join(record(i) for i in range(n)) + "]\n")
        out = os.path.join(os.path.dirname(data_path), "callgrind.out")
        cg = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=bench_loop",
                             f"--callgrind-out-file={out}", exe, "--repeat", "1", small],
                            capture_output=True, text=True)
        ir = None
        for line in cg.stderr.splitlines():
            if "Collected :" in line:
                ir = int(line.split(":")[1].strip().replace(",", ""))
        if ir:
            res["ir_per_record"] = ir / n
    rows_w4.append(res)


# ---------------------------------------------------------------- report

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def run_w3(exe, args, notes):
    """W3 through tests/bench/w3.py: one daemon, many pipelines, each
    fetching 10 KB a second from a loopback server."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import w3  # noqa: E402
    seconds = args.w3_seconds if args.w3_seconds is not None else (10 if args.quick else 60)
    ns = argparse.Namespace(sluiced=exe, pipelines=args.w3_pipelines, seconds=seconds, warmup=3)
    print(f"W3: {ns.pipelines} pipelines for {seconds:.0f} s ...", file=sys.stderr)
    try:
        return w3.run(ns)
    except Exception as e:  # the other workloads' table is still worth printing
        notes.append(f"W3 failed: {e}")
        return None


def format_table(rows, rows_w4, w3=None):
    head = ["workload", "tool", "seconds", "MB/s", "records/s", "peak RSS MiB", "sluiced ratio", "output"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        ratio = "1.00" if r.tool == "sluiced" else ("%.2f" % r.ratio if r.ratio else "-")
        lines.append("| " + " | ".join([r.workload, r.tool, "%.3f" % r.seconds, "%.1f" % r.mbs, "%.0f" % r.rps,
                                        "%.1f" % r.rss_mib, ratio, r.check]) + " |")
    if rows_w4:
        w = rows_w4[0]
        lines.append("")
        lines.append("| W4 (stage chain alone) | records | kept | ns/record | records/s | instructions/record |")
        lines.append("|---|---|---|---|---|---|")
        ir = "%.0f" % w["ir_per_record"] if "ir_per_record" in w else "- (use --callgrind)"
        lines.append(f"| filter+map+encode | {w['records']} | {w['kept']} | {w['ns_per_record']:.1f} | "
                     f"{w['records_per_s']:.0f} | {ir} |")
    if w3:
        lines.append("")
        lines.append("| W3 (one daemon) | pipelines | seconds | CPU % of a core | peak RSS MiB | "
                     "lateness p50 / p99 / max ms | runs started | finished | failed | skipped | lost |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        lines.append(f"| 10 KB every 1 s each | {w3['pipelines']} | {w3['seconds']} | {w3['cpu_share_pct']} | "
                     f"{w3['peak_rss_mib']} | {w3['late_p50_ms']} / {w3['late_p99_ms']} / {w3['late_max_ms']} | "
                     f"{w3['runs_started']} | {w3['runs_finished']} | {w3['runs_failed']} | {w3['runs_skipped']} | "
                     f"{w3['runs_lost']} |")
    return "\n".join(lines)


def targets(rows, body_bytes, w3=None):
    """The issue's targets, checked."""
    out = []
    if w3:
        out.append("W3 CPU < 10%% of a core: %.1f%% -> %s" % (w3["cpu_share_pct"],
                                                             "met" if w3["cpu_share_pct"] < 10 else "MISSED"))
        out.append("W3 RSS < 100 MiB: %.1f MiB -> %s" % (w3["peak_rss_mib"],
                                                        "met" if w3["peak_rss_mib"] < 100 else "MISSED"))
        out.append("W3 p99 tick lateness < 50 ms: %s ms -> %s" % (w3["late_p99_ms"],
                                                                 "met" if w3["late_p99_ms"] < 50 else "MISSED"))
        lost = w3["runs_lost"] + w3["runs_failed"] + w3["runs_skipped"]
        out.append("W3 no run lost (failed, skipped or lost): %d -> %s" % (lost, "met" if lost == 0 else "MISSED"))
    by = {(r.workload, r.tool): r for r in rows}
    s1 = by.get(("W1", "sluiced"))
    scan1 = by.get(("W1", "simdjson On-Demand"))
    if s1 and scan1:
        out.append("W1 >= 75%% of the simdjson scan (portable build): %.0f%% -> %s" % (
            100 * s1.mbs / scan1.mbs, "met" if s1.mbs >= 0.75 * scan1.mbs else "MISSED"))
    nat1 = by.get(("W1", "simdjson On-Demand -march=native"))
    if s1 and nat1:
        out.append("W1 vs the simdjson scan built -march=native: %.0f%%" % (100 * s1.mbs / nat1.mbs))
    if s1:
        limit = 2.5 * body_bytes / 2**20 + 32
        out.append("W1 peak RSS <= 2.5 x body + 32 MiB (%.0f MiB): %.0f MiB -> %s" % (
            limit, s1.rss_mib, "met" if s1.rss_mib <= limit else "MISSED"))
    for tool, want in (("jq", 30), ("python aiohttp+json", 12)):
        r = by.get(("W1", tool))
        if s1 and r:
            out.append("W1 vs %s: %.1fx (issue's guide: about %dx)" % (tool, s1.mbs / r.mbs, want))
    s2 = by.get(("W2", "sluiced"))
    scan2 = by.get(("W2", "simdjson iterate_many"))
    if s2 and scan2:
        out.append("W2 >= 75%% of simdjson iterate_many (portable build): %.0f%% -> %s" % (
            100 * s2.mbs / scan2.mbs, "met" if s2.mbs >= 0.75 * scan2.mbs else "MISSED"))
    nat2 = by.get(("W2", "simdjson iterate_many -march=native"))
    if s2 and nat2:
        out.append("W2 vs simdjson iterate_many built -march=native: %.0f%%" % (100 * s2.mbs / nat2.mbs))
    return out


def write_doc(path, report):
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        text = f"# Performance\n\n{begin}\n{end}\n"
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    pre, rest = text.split(begin, 1)
    _, post = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(pre + begin + "\n" + report.rstrip("\n") + "\n" + end + post)


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=None, help="best of N runs per tool (default 3; 1 with --quick)")
    ap.add_argument("--workloads", default="w1,w2,w3,w4", help="comma list of w1,w2,w3,w4")
    ap.add_argument("--w3-pipelines", type=int, default=1000, help="W3: pipelines in one daemon (default 1000)")
    ap.add_argument("--w3-seconds", type=float, default=None, help="W3: seconds measured (default 60; 10 with --quick)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--sluiced", default=os.environ.get("SLUICED_BENCH_BIN"),
                    help="sluiced binary (default: BUILD_DIR/sluiced, built Release when missing)")
    ap.add_argument("--peers", default="curl,simdjson,jq,aiohttp,node",
                    help="comma list of peers to try (missing ones are skipped)")
    ap.add_argument("--callgrind", action="store_true", help="W4 instructions per record under callgrind")
    ap.add_argument("--quick", action="store_true", help="one run per tool, no -march=native scan")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    ap.add_argument("--no-doc", action="store_true", help="print only, do not write --doc")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (data and outputs)")
    ap.add_argument("--json", help="also write the rows as JSON to this file")
    args = ap.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    workloads = set(w.strip().lower() for w in args.workloads.split(","))
    peers = set(p.strip() for p in args.peers.split(","))

    exe = ensure_sluiced(args)
    lib_dir = os.path.dirname(os.path.abspath(exe))
    tools = {"sluiced": exe}
    notes = []
    workdir = tempfile.mkdtemp(prefix="sluiced-bench-")
    try:
        progs, n = build_programs(lib_dir, os.path.join(lib_dir, "bench") if os.access(lib_dir, os.W_OK)
                                  else os.path.join(workdir, "bin"), want_expr="w4" in workloads,
                                  want_native=not args.quick)
        notes += n
        global PEAK_RSS
        PEAK_RSS = progs.get("bench_peak_rss")
        if not PEAK_RSS:
            notes.append("bench_peak_rss did not build: peak RSS includes the harness's own ~18 MiB")
        if "simdjson" in peers:
            tools.update({k: v for k, v in progs.items() if k.startswith("bench_simdjson") and v})
        for t in ("curl", "jq", "node"):
            if t in peers:
                tools[t] = shutil.which(t)
                if not tools[t]:
                    notes.append(f"{t} not installed: skipped")
        if "aiohttp" in peers:
            ok = os.path.exists(SYS_PYTHON) and subprocess.run(
                [SYS_PYTHON, "-c", "import aiohttp"], capture_output=True).returncode == 0
            tools["aiohttp"] = ok
            if not ok:
                notes.append("python3-aiohttp not installed: skipped")

        t0 = time.time()
        w1, w2 = generate(workdir, args.records)
        print(f"generated {args.records} records: W1 {os.path.getsize(w1) / 1e6:.1f} MB, "
              f"W2 {os.path.getsize(w2) / 1e6:.1f} MB in {time.time() - t0:.1f}s", file=sys.stderr)
        load_before = os.getloadavg()
        rows, rows_w4 = [], []
        srv = Server(workdir)
        try:
            if "w1" in workloads:
                run_workload("W1", "json", w1, srv.url("w1.json"), args.records, tools, args, workdir, rows, notes)
            if "w2" in workloads:
                run_workload("W2", "ndjson", w2, srv.url("w2.ndjson"), args.records, tools, args, workdir, rows,
                             notes)
        finally:
            srv.close()
        if "w4" in workloads and progs.get("bench_expr"):
            run_w4(progs["bench_expr"], w1, args.records, args, rows_w4, notes)
        w3 = None
        if "w3" in workloads:
            w3 = run_w3(exe, args, notes)
        load_after = os.getloadavg()

        for r in rows:
            s = next((x for x in rows if x.workload == r.workload and x.tool == "sluiced"), None)
            r.ratio = s.mbs / r.mbs if s and r.mbs else None
        table = format_table(rows, rows_w4, w3)
        tgt = targets(rows, os.path.getsize(w1), w3)
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or "?"
        head = [
            f"Run {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit {commit}, "
            f"`{' '.join(['run_bench.py', *(argv if argv is not None else sys.argv[1:])])}`",
            f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average {load_before[0]:.2f} before, "
            f"{load_after[0]:.2f} after (a shared machine: expect noise)",
            f"Input: {args.records} records; W1 {os.path.getsize(w1) / 1e6:.1f} MB, W2 {os.path.getsize(w2) / 1e6:.1f}"
            f" MB; best of {args.repeat} per tool. MB = 10^6 bytes of input; ratio = sluiced's MB/s / the tool's.",
            f"Tools: {tool_version([tools['jq'], '--version']) if tools.get('jq') else 'jq -'}, "
            f"{tool_version([tools['curl'], '--version']) if tools.get('curl') else 'curl -'}, "
            f"node {tool_version([tools['node'], '--version']) if tools.get('node') else '-'}, "
            f"libsimdjson {tool_version(['dpkg-query', '-W', '-f=${Version}', 'libsimdjson-dev'])}",
        ]
        report = "\n".join(["", *[h + "  " for h in head], "", table, "", "Targets:", "",
                            *[f"- {t}" for t in tgt], *([""] + [f"- note: {n}" for n in notes] if notes else []), ""])
        print(report)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"rows": [r.__dict__ for r in rows], "w4": rows_w4, "w3": w3, "notes": notes,
                           "targets": tgt}, f, indent=1)
        if not args.no_doc:
            write_doc(args.doc, report)
            print(f"wrote {args.doc}", file=sys.stderr)
        bad = [r for r in rows if r.check.startswith("MISMATCH")]
        return 1 if bad else 0
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
