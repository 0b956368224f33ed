#!/usr/bin/env python3
"""The seed's approach, a peer of the benchmark: aiohttp fetch, json.loads,
list comprehensions, one write and fsync.

    python3 peer_aiohttp.py [--ndjson] URL OUTPUT

Same pipeline as run_bench.py's PIPELINE. Needs python3-aiohttp (Debian).
json.loads reads 12.50 as the float 12.5 and writes it so; integers stay
exact.
"""
import asyncio
import json
import os
import sys

import aiohttp


async def fetch(url):
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as s:
        async with s.get(url) as r:
            r.raise_for_status()
            return await r.read()


def main():
    args = sys.argv[1:]
    ndjson = args and args[0] == "--ndjson"
    if ndjson:
        args = args[1:]
    url, out = args
    body = asyncio.run(fetch(url))
    if ndjson:
        records = [json.loads(line) for line in body.splitlines() if line.strip()]
    else:
        records = json.loads(body)
    rows = [
        {
            "id": r.get("id"),
            "name": r["name"].upper() if isinstance(r.get("name"), str) else None,
            "city": (r.get("address") or {}).get("city"),
            "adult": r.get("age") >= 18,
            "score": r.get("score"),
            "big": r.get("big"),
        }
        for r in records
        if r.get("status") == "active"
    ]
    text = "".join(json.dumps(x, separators=(",", ":"), ensure_ascii=False) + "\n" for x in rows)
    with open(out, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


if __name__ == "__main__":
    main()
