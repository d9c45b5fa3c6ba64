"""Every benchmark from one entry point:

    .venv/bin/python -m benchmarks [--quick] [--only day,scale,ephemeral,extract,tokens,quality,memory,merge,feeds]
                                   [--realistic]
                                   [--prefect-api-url URL]

- ``day``: ``aidaily run`` end to end vs the LLM critical path, warm re-run, serial
  baseline, start-up (``benchmarks/day.py``);
- ``scale``: 300 / 1,000 / 5,000 articles with LLM latency 0, peak RSS
  (``benchmarks/scale.py``; ``--quick``: up to 1,000);
- ``ephemeral``: the cron path, ``aidaily run`` with no Prefect server configured, on a new
  and a warm PREFECT_HOME, beside the same run against the server (``benchmarks/ephemeral.py``);
- ``extract``: our extractors vs trafilatura (``benchmarks/extract.py``; ``--quick``: 3 passes);
- ``tokens``: tokens per digest vs a naive one-prompt baseline (``benchmarks/tokens.py``);
- ``quality``: the fixture day's drafts (extractive, fake model) scored against the
  published issue (``benchmarks/quality.py``);
- ``memory``: a blog of 300 posts read as the memory, first and on a re-run
  (``benchmarks/memory.py``);
- ``merge``: merge precision / recall on the labelled article pairs (``benchmarks/merge.py``);
- ``feeds``: the RSS fast path against feedparser on every corpus feed: the same items,
  and the time of each (``benchmarks/feeds.py``).

One Prefect server (started here unless ``--prefect-api-url``) serves ``day`` and
``scale``. Each benchmark prints its table and writes ``benchmarks/results/<name>.json``;
the targets of all of them are summed up at the end and in
``benchmarks/results/summary.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import day, ephemeral, scale
from benchmarks.day import load_average, prefect_server, write_results

ALL = ("day", "scale", "ephemeral", "extract", "tokens", "quality", "memory", "merge", "feeds")


def script(name: str, *args: str) -> dict[str, Any]:
    """Run ``benchmarks/<name>.py`` (a plain script) and pass its output through."""
    started = time.perf_counter()
    code = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args], cwd=ROOT,
                          check=False).returncode
    return {"exit_code": code, "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="run every benchmark")
    p.add_argument("--quick", action="store_true", help="smaller sizes (scale up to 1,000, fewer repeats)")
    p.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    p.add_argument("--realistic", action="store_true", help="day.py with the hosted-model latency profile too")
    p.add_argument("--prefect-api-url", default=os.environ.get("BENCH_PREFECT_API_URL"))
    args = p.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    summary: dict[str, Any] = {"load_before": load_average(), "quick": args.quick, "benchmarks": {}}
    targets: dict[str, dict[str, Any]] = {}
    if {"day", "scale", "ephemeral"} & set(chosen):
        with prefect_server(args.prefect_api_url) as server:
            summary["prefect_server_startup_s"] = server["startup_s"]
            if "day" in chosen:
                print("\n=== day ===", flush=True)
                res = day.main(["--repeat", "3" if args.quick else "5", "--first-runs", "1" if args.quick else "3"],
                               api_url=server["api_url"])
                targets.update({f"day: {k}": v for k, v in res["targets"].items()})
                if args.realistic:
                    print("\n=== day --realistic ===", flush=True)
                    real = day.main(["--realistic", "--no-serial", "--repeat", "1", "--first-runs", "1"],
                                    api_url=server["api_url"])
                    summary["realistic_flow_over_critical"] = real["flow_over_critical"]
            if "scale" in chosen:
                print("\n=== scale ===", flush=True)
                res = scale.main(["--quick"] if args.quick else [], api_url=server["api_url"])
                targets.update({f"scale: {k}": v for k, v in res["targets"].items()})
            if "ephemeral" in chosen:
                print("\n=== ephemeral (the cron path) ===", flush=True)
                res = ephemeral.main([], api_url=server["api_url"])
                targets.update({f"ephemeral: {k}": v for k, v in res["targets"].items()})
    if "extract" in chosen:
        print("\n=== extract ===", flush=True)
        summary["benchmarks"]["extract"] = script("extract", "--repeat", "3" if args.quick else "20")
    if "tokens" in chosen:
        print("\n=== tokens ===", flush=True)
        summary["benchmarks"]["tokens"] = script("tokens")
    if "quality" in chosen:
        print("\n=== quality ===", flush=True)
        summary["benchmarks"]["quality"] = script("quality")

    if "memory" in chosen:
        print("\n=== memory ===", flush=True)
        summary["benchmarks"]["memory"] = script("memory", "--repeat", "3" if args.quick else "5")
    if "merge" in chosen:
        print("\n=== merge ===", flush=True)
        summary["benchmarks"]["merge"] = script("merge")
    if "feeds" in chosen:
        print("\n=== feeds ===", flush=True)
        summary["benchmarks"]["feeds"] = script("feeds", "--repeat", "2" if args.quick else "5")

    summary["targets"] = targets
    summary["load_after"] = load_average()
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\n=== targets ({summary['seconds']} s in all; load {summary['load_before']} -> {summary['load_after']}) ===")
    for name, t in targets.items():
        print(f"  {'MET ' if t['met'] else 'MISS'}  {name}: {t['value']} (limit {t['limit']})")
    write_results(summary, "summary.json")
    failed = [n for n, b in summary["benchmarks"].items() if b["exit_code"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
