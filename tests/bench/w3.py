#!/usr/bin/env python3
"""W3 of the benchmark (issue 6): many pipelines in one `sluiced run`.

1,000 pipelines, each fetching a 10 KB JSON response every second, for 60 s
(`--pipelines`, `--seconds`), from a loopback asyncio server (keep-alive),
appending to files under a temporary directory (fsync never: the figure is
the daemon's own cost, not the disk's). Reports:

- CPU share: the daemon's utime+stime over the measured wall time;
- peak RSS (VmHWM) and the final RSS;
- tick lateness p50 / p99: the `late_ms` of every debug `run_started` event
  (how late each tick fired against its planned time, jitter included);
- runs started / finished / failed / skipped, and lost (started but never
  finished or failed; the daemon drains in-flight runs on SIGTERM).

Targets (issue 6): under 10% of one core, RSS under 100 MiB, p99 lateness
under 50 ms, no run lost.

    python3 tests/bench/w3.py [--sluiced build-bench/sluiced] [--seconds 60]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from test_load import FastServer  # noqa: E402


def body_10kb(name):
    rec = {"p": name, "v": "x" * 80}
    n = 10240 // (len(json.dumps(rec)) + 1)
    return json.dumps([dict(rec, i=i) for i in range(n)]).encode()


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(parts[11]) + int(parts[12])) / ticks


def proc_mem_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def run(args):
    binary = args.sluiced or os.path.join(ROOT, "build-bench", "sluiced")
    if not os.path.exists(binary):
        binary = os.path.join(ROOT, "build", "sluiced")
    srv = FastServer()
    work = tempfile.mkdtemp(prefix="sluiced-w3-")
    try:
        lines = ["pipelines:"]
        for i in range(args.pipelines):
            name = f"p{i:04d}"
            srv.bodies[f"/ok/{name}"] = body_10kb(name)
            lines += [f"  {name}:",
                      "    schedule: { every: 1s }",
                      f"    source: {{ http: {{ url: \"{srv.url('/ok/' + name)}\" }} }}",
                      "    stages: [ { filter: '.i % 2 == 0' } ]",
                      f"    sink: {{ file: {{ path: {work}/out/{name}.ndjson, fsync: never }} }}"]
        cfg = os.path.join(work, "w3.yaml")
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        log_path = os.path.join(work, "w3.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen([binary, "run", "--log-format", "json", "--log-level", "debug", cfg],
                                    stdout=subprocess.DEVNULL, stderr=log)
        time.sleep(args.warmup)
        cpu0, t0 = proc_cpu_s(proc.pid), time.monotonic()
        time.sleep(args.seconds)
        cpu1, t1 = proc_cpu_s(proc.pid), time.monotonic()
        mem = proc_mem_kib(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        late, started, finished, failed, skipped = [], 0, 0, 0, 0
        with open(log_path) as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                e = json.loads(line)
                if e["event"] == "run_started":
                    started += 1
                    if "late_ms" in e:
                        late.append(e["late_ms"])
                elif e["event"] == "run_skipped":
                    skipped += 1
                elif e["event"] == "run_finished":
                    finished += 1
                elif e["event"] == "run_failed":
                    failed += 1
        result = {
            "pipelines": args.pipelines,
            "seconds": round(t1 - t0, 1),
            "cpu_share_pct": round(100 * (cpu1 - cpu0) / (t1 - t0), 1),
            "peak_rss_mib": round(mem.get("VmHWM", 0) / 1024, 1),
            "rss_mib": round(mem.get("VmRSS", 0) / 1024, 1),
            "late_p50_ms": pct(late, 50),
            "late_p99_ms": pct(late, 99),
            "late_max_ms": max(late) if late else None,
            "ticks_per_pipeline_s": round(started / args.pipelines / (args.warmup + t1 - t0), 3),
            "runs_started": started,
            "runs_finished": finished,
            "runs_failed": failed,
            "runs_skipped": skipped,
            "runs_lost": started - finished - failed,
            "exit": proc.returncode,
        }
        return result
    finally:
        srv.stop()
        subprocess.run(["rm", "-rf", work])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluiced")
    ap.add_argument("--pipelines", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=3)
    args = ap.parse_args()
    r = run(args)
    print(json.dumps(r, indent=1))
    ok = (r["cpu_share_pct"] < 10 and r["peak_rss_mib"] < 100 and r["late_p99_ms"] < 50
          and r["runs_failed"] == 0 and r["runs_lost"] == 0 and r["runs_skipped"] == 0)
    print("W3 targets (cpu < 10%, rss < 100 MiB, p99 lateness < 50 ms, no run failed, skipped or lost):",
          "met" if ok else "missed")


if __name__ == "__main__":
    main()
