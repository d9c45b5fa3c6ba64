"""How the cost of a run grows with the input: ``aidaily run`` on synthetic days of 300,
1,000 and 5,000 articles, the LLM answering instantly.

    .venv/bin/python -m benchmarks.scale [--sizes 300,1000,5000] [--quick] [--prefect-api-url URL]

Same set-up as ``benchmarks/day.py`` (local Prefect server, the day served by
MirrorServer, the fake LLM), but the fake LLM has zero latency: the flow's wall time is
then everything except LLM waits (fetch over HTTP, extraction, storage, dedup, ranking,
prompts, grounding, lint, Prefect). Each size runs once in a fresh home. ``N``
articles = 90 % ithome-like (most not about AI) + 10 % qbitai, plus one hubtoday page.
``--feed full`` (the default) gives the ithome RSS each article's whole body, as ithome's
feed does, with ``fetch.max_bytes`` raised so that a feed of 4,500 articles fits; then
non-AI pages are judged from the feed and not fetched. ``--feed lead`` puts only the lead
paragraph in the feed: every page must be fetched and parsed (the pessimistic case).

Reported per size: process wall, flow wall (Prefect's flow run), the run row's stages,
peak RSS of the aidaily process (``tests/measured.py``: its own, not the benchmark's), CPU seconds, and the ratio of
each to the 300-article baseline measured in the same run, also per article
(``per-article ratio`` ≤ 1: no worse than linear). Writes ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.day import CONFIG, bench_env, load_average, prefect_server, write_results
from benchmarks.synth import write_day


def measure_size(api_url: str, n: int, seed: int, feed: str = "full") -> dict[str, Any]:
    qbitai = max(30, n // 10)
    with tempfile.TemporaryDirectory(prefix=f"bench-scale-{n}-") as tmp:
        workdir = Path(tmp)
        day = write_day(workdir / "mirror", ithome=n - qbitai, qbitai=qbitai, seed=seed, feed_content=feed)
        with bench_env(api_url, workdir, day, latency=0.0, latencies=None, page_latency=0.0) as bench:
            # A feed of thousands of full articles is larger than the default size cap.
            config = CONFIG.replace("[fetch]\n", "[fetch]\nmax_bytes = 200000000\n", 1)
            run = bench.run(bench.new_home(config), f"n{n}")
    run["day"] = day.to_dict()
    run["n"] = n
    run["feed"] = feed
    return run


def measure(args: argparse.Namespace, api_url: str) -> dict[str, Any]:
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s <= 1000] or sizes[:2]
    if 300 not in sizes:
        sizes = [300, *sizes]
    load_before = load_average()
    runs = []
    for n in sizes:
        print(f"scale: {n} articles ({args.feed} feed) …", flush=True)
        runs.append(measure_size(api_url, n, args.seed, args.feed))
    base = next(r for r in runs if r["n"] == 300)

    def flow(r: dict[str, Any]) -> float | None:
        return (r.get("flow") or {}).get("wall_s")

    rows = []
    for r in runs:
        k = r["n"] / base["n"]
        fw, bw = flow(r), flow(base)
        rows.append({
            "n": r["n"], "articles": r["day"]["articles"], "exit_code": r["exit_code"],
            "process_s": r["wall_s"], "flow_s": fw, "startup_s": r.get("startup_s"),
            "stages": (r.get("run") or {}).get("stages", {}), "peak_rss_mb": r["peak_rss_mb"],
            "cpu_s": r["cpu_s"], "llm_requests": (r.get("llm") or {}).get("requests"),
            "stories": (r.get("run") or {}).get("stories"),
            "flow_ratio": round(fw / bw, 3) if fw and bw else None,
            "flow_per_article_ratio": round(fw / bw / k, 3) if fw and bw else None,
            "cpu_per_article_ratio": round(r["cpu_s"] / base["cpu_s"] / k, 3) if base["cpu_s"] else None,
            "rss_ratio": round(r["peak_rss_mb"] / base["peak_rss_mb"], 3),
            "output_tail": r.get("output_tail"),
        })
    res: dict[str, Any] = {"benchmark": "scale", "when": datetime.now().isoformat(timespec="seconds"),
                           "load": {"before": load_before, "after": load_average()},
                           "llm_latency_s": 0.0, "rows": rows, "runs": runs}
    res["targets"] = targets(rows)
    return res


def targets(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    at = {r["n"]: r for r in rows}
    out: dict[str, dict[str, Any]] = {}
    if 1000 in at:
        out["non-LLM work (flow wall, LLM latency 0) at 1,000 articles < 10 s"] = {
            "value": at[1000]["flow_s"], "limit": 10.0}
        out["peak RSS at 1,000 articles < 300 MB"] = {"value": at[1000]["peak_rss_mb"], "limit": 300.0}
    bigger = [r for r in rows if r["n"] > 300 and r["flow_per_article_ratio"] is not None]
    if bigger:
        worst = max(r["flow_per_article_ratio"] for r in bigger)
        out["no worse than linear (flow per article vs 300, worst size) <= 1.1"] = {
            "value": worst, "limit": 1.1}
    for t in out.values():
        t["met"] = t["value"] is not None and t["value"] <= t["limit"]
    return out


def print_report(res: dict[str, Any]) -> None:
    print(f"\nscale (LLM latency 0): load {res['load']['before']} before, {res['load']['after']} after")
    print(f"{'articles':>9}{'exit':>5}{'process':>9}{'flow':>8}{'fetch':>8}{'select':>8}{'write':>8}"
          f"{'draft':>7}{'CPU s':>7}{'RSS MB':>8}{'flow x':>8}{'/article':>9}{'CPU/art':>8}")
    for r in res["rows"]:
        st = r["stages"]

        def f(v: Any, w: int, p: int = 2) -> str:
            return f"{v:>{w}.{p}f}" if isinstance(v, (int, float)) else f"{'—':>{w}}"

        print(f"{r['n']:>9}{r['exit_code']:>5}{f(r['process_s'], 9)}{f(r['flow_s'], 8)}{f(st.get('fetch'), 8)}"
              f"{f(st.get('select'), 8)}{f(st.get('write'), 8)}{f(st.get('draft'), 7)}{f(r['cpu_s'], 7, 1)}"
              f"{f(r['peak_rss_mb'], 8, 0)}{f(r['flow_ratio'], 8)}{f(r['flow_per_article_ratio'], 9)}"
              f"{f(r['cpu_per_article_ratio'], 8)}")
        if r.get("output_tail"):
            print("  output:", r["output_tail"][-800:])
    print("(flow x: flow wall / the 300-article flow wall; /article: that ratio / the size ratio, "
          "≤ 1 is linear or better)")
    print("\ntargets:")
    for name, t in res["targets"].items():
        print(f"  {'MET ' if t['met'] else 'MISS'}  {name}: {t['value']} (limit {t['limit']})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="aidaily run at 300 / 1,000 / 5,000 articles, LLM latency 0")
    p.add_argument("--sizes", default="300,1000,5000", help="comma-separated article counts")
    p.add_argument("--quick", action="store_true", help="sizes up to 1,000 only")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--feed", choices=("full", "lead"), default="full",
                   help="what the ithome RSS carries: each whole article (as ithome's does) or the lead only")
    p.add_argument("--prefect-api-url", default=os.environ.get("BENCH_PREFECT_API_URL"))
    p.add_argument("--out", default="scale.json")
    return p


def main(argv: list[str] | None = None, api_url: str | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    with prefect_server(api_url or args.prefect_api_url) as server:
        res = measure(args, server["api_url"])
        res["prefect_server"] = server
    print_report(res)
    write_results(res, args.out)
    return res


if __name__ == "__main__":
    main()
