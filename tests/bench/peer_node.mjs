// Optional peer of the benchmark: Node's fetch + JSON.parse, same pipeline
// as run_bench.py's PIPELINE.  node peer_node.mjs [--ndjson] URL OUTPUT
// JSON.parse reads every number as a double: 12.50 prints 12.5 and 20-digit
// integers lose digits (compared with run_bench.py's double tolerance).
import fs from "node:fs";

let args = process.argv.slice(2);
const ndjson = args[0] === "--ndjson";
if (ndjson) args = args.slice(1);
const [url, out] = args;
const res = await fetch(url);
if (!res.ok) throw new Error(`HTTP ${res.status}`);
const body = await res.text();
const records = ndjson ? body.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l)) : JSON.parse(body);
const lines = records
  .filter((r) => r.status === "active")
  .map((r) =>
    JSON.stringify({
      id: r.id,
      name: typeof r.name === "string" ? r.name.replace(/[a-z]+/g, (s) => s.toUpperCase()) : null,
      city: r.address ? r.address.city : null,
      adult: r.age >= 18,
      score: r.score,
      big: r.big,
    }) + "\n",
  );
const fd = fs.openSync(out, "w");
fs.writeSync(fd, lines.join(""));
fs.fsyncSync(fd);
fs.closeSync(fd);
