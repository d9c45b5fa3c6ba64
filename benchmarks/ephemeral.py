"""The cron path: ``aidaily run`` with no Prefect server configured (Prefect's ephemeral
mode), on a new and on a warm PREFECT_HOME, beside the same run against a server.

    .venv/bin/python -m benchmarks.ephemeral [--latency 1.0] [--ithome 300] [--qbitai 30]
                                             [--repeat 1] [--prefect-api-url URL]

Every run is ``aidaily run --date 2026-01-19`` as a subprocess on the synthetic day of
``benchmarks/synth.py`` (served by MirrorServer, the fake LLM at ``--latency`` s per call),
and every one is a real Prefect flow run with its tasks and artifacts:

- **new**: a new PREFECT_HOME and a new aidaily home (the first run a fresh machine makes:
  Prefect's database is made, from the dump of its migrated schema for the installed
  version — ``flows/prefect_database.py`` —, the run fetches and asks the model);
- **new, migrated**: the same with ``AIDAILY_PREFECT_SNAPSHOT=off``: Prefect's 116 migrations
  make the database, as for a Prefect version without a dump;
- **warm**: the same PREFECT_HOME again, ``--no-skip-unchanged`` in the same aidaily home
  (every task runs, every model answer comes from the cache): an editor's re-run;
- **warm, new day's home**: the warm PREFECT_HOME with a new aidaily home (a first run on
  a machine that has run Prefect before);
- **server**: the first run in a new aidaily home against a running Prefect server
  (``PREFECT_API_URL``), the way a served deployment's runs talk to Prefect;
- **new / warm, Prefect's start** (the baseline, same run): the same two runs with
  ``AIDAILY_EPHEMERAL_SERVER=prefect``, Prefect starting its ephemeral server by itself
  (from the flow's first API call, importing the server into the run's process).

**Overhead** = process wall − the sum of the run's stages (fetch, select, write, draft, as
the run report times them): interpreter, imports, Prefect's start (the ephemeral server,
its database), the flow and task runs' bookkeeping, artifacts, teardown. The flow run's
own start and end come from Prefect's database (ephemeral) or API (server), so the
overhead is split into *before* the flow run, *inside* it (flow wall − stages) and
*after* it. Targets: overhead ≤ 8 s on a new PREFECT_HOME, ≤ 5 s on a warm one.
Writes ``benchmarks/results/ephemeral.json``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.day import bench_env, load_average, prefect_server, write_results
from benchmarks.synth import write_day

LIMITS = {"new": 8.0, "warm": 5.0}


def prefect_db_flow_run(prefect_home: Path, since: float) -> dict[str, Any]:
    """The latest flow run's start and end from an ephemeral PREFECT_HOME's database."""
    path = prefect_home / "prefect.db"
    if not path.exists():
        return {"error": f"no {path.name}"}
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT start_time, end_time, state_type FROM flow_run "
                         "ORDER BY start_time DESC LIMIT 1").fetchone()
    if not row or not row[0]:
        return {"error": "no flow run"}
    start, end = (datetime.fromisoformat(str(v).replace(" ", "T")) for v in row[:2])
    if start.tzinfo is None:  # Prefect stores UTC
        from datetime import UTC
        start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
    if start.timestamp() < since - 1:
        return {"error": "no flow run of this process"}
    return {"wall_s": round((end - start).total_seconds(), 3), "state": row[2],
            "start_epoch": start.timestamp(), "end_epoch": end.timestamp()}


def split(run: dict[str, Any], flow: dict[str, Any], started_at: float) -> dict[str, Any]:
    """Overhead of one run: process wall − stages, and where it falls."""
    stages = (run.get("run") or {}).get("stages") or {}
    stage_sum = round(sum(v for v in stages.values() if isinstance(v, (int, float))), 3)
    out = {"stages_s": stage_sum, "overhead_s": round(run["wall_s"] - stage_sum, 3), "flow": flow}
    if flow.get("wall_s") is not None:
        out["before_flow_s"] = round(flow["start_epoch"] - started_at, 3)
        out["in_flow_s"] = round(flow["wall_s"] - stage_sum, 3)
        out["after_flow_s"] = round(started_at + run["wall_s"] - flow["end_epoch"], 3)
    return out


def measure(args: argparse.Namespace, api_url: str) -> dict[str, Any]:
    import time

    res: dict[str, Any] = {"benchmark": "ephemeral", "when": datetime.now().isoformat(timespec="seconds"),
                           "latency_s": args.latency, "load": {"before": load_average()}, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="bench-ephemeral-") as tmp:
        workdir = Path(tmp)
        day = write_day(workdir / "mirror", ithome=args.ithome, qbitai=args.qbitai, seed=7)
        res["day"] = day.to_dict()
        with bench_env(api_url, workdir, day, latency=args.latency, latencies=None, page_latency=0.0) as bench:
            samples: dict[str, list[dict[str, Any]]] = {
                "new": [], "warm": [], "warm_new_home": [], "new_migrated": [], "server": [], "new_prefect": [],
                "warm_prefect": []}

            def cron_run(kind: str, k: int, home: Path, prefect_home: Path, *args: str,
                         own_start: bool = False, migrated: bool = False) -> None:
                """``aidaily run`` with no Prefect server configured, on ``prefect_home``, as
                sample ``k`` of ``kind``: Prefect's own ephemeral start with ``own_start``, its
                migrations with ``migrated``."""
                started = time.time()
                run = bench.run(home, f"{kind}{k}", *args, PREFECT_API_URL="", PREFECT_HOME=str(prefect_home),
                                AIDAILY_EPHEMERAL_SERVER="prefect" if own_start else "",
                                AIDAILY_PREFECT_SNAPSHOT="off" if migrated else "")
                run.pop("flow", None)  # the benchmark server's API: not this run's Prefect
                run.update(split(run, prefect_db_flow_run(prefect_home, started), started))
                samples[kind].append(run)

            for k in range(args.repeat):
                # Ours and Prefect's own start (the baseline) side by side, each new run beside
                # its baseline, so that a change of load between them weighs on both alike.
                ours, own = workdir / f"prefect-home{k}", workdir / f"prefect-own-home{k}"
                ours.mkdir()
                own.mkdir()
                home, own_home = bench.new_home(), bench.new_home()
                cron_run("new", k, home, ours)
                cron_run("new_prefect", k, own_home, own, own_start=True)
                cron_run("warm", k, home, ours, "--no-skip-unchanged")
                cron_run("warm_prefect", k, own_home, own, "--no-skip-unchanged", own_start=True)
                cron_run("warm_new_home", k, bench.new_home(), ours)
                migrated = workdir / f"prefect-migrated-home{k}"  # a version without a dump: migrated
                migrated.mkdir()
                cron_run("new_migrated", k, bench.new_home(), migrated, migrated=True)
                started = time.time()
                run = bench.run(bench.new_home(), f"server{k}")
                run.update(split(run, run.pop("flow", {}), started))
                samples["server"].append(run)
        res["load"]["after"] = load_average()
    for label, runs in samples.items():
        best = sorted(runs, key=lambda r: r["overhead_s"])[len(runs) // 2]
        res["runs"][label] = {**best, "overheads_s": [r["overhead_s"] for r in runs]}
    runs = res["runs"]
    res["overhead_over_prefects_own"] = {
        "new": round(runs["new"]["overhead_s"] / runs["new_prefect"]["overhead_s"], 3),
        "warm": round(runs["warm"]["overhead_s"] / runs["warm_prefect"]["overhead_s"], 3)}
    res["targets"] = {
        "ephemeral overhead on a new PREFECT_HOME <= 8 s": _target(res["runs"]["new"], LIMITS["new"]),
        "ephemeral overhead on a warm PREFECT_HOME <= 5 s": _target(res["runs"]["warm"], LIMITS["warm"]),
    }
    return res


def _target(run: dict[str, Any], limit: float) -> dict[str, Any]:
    value = run["overhead_s"]
    return {"value": value, "limit": limit, "met": run["exit_code"] in (0, 2) and value <= limit}


def print_report(res: dict[str, Any]) -> None:
    print(f"\ncron path (ephemeral Prefect) on {res['day']['articles']} articles, LLM {res['latency_s']} s/call")
    print(f"load: {res['load']['before']} before, {res['load']['after']} after")
    print(f"{'run':15}{'exit':>5}{'process':>9}{'stages':>8}{'overhead':>9}{'before':>8}{'in flow':>8}"
          f"{'after':>7}{'LLM req':>8}{'cached':>7}  overheads")

    def f(v: Any, w: int) -> str:
        return f"{v:>{w}.2f}" if isinstance(v, (int, float)) else f"{'—':>{w}}"

    for label, r in res["runs"].items():
        llm = r.get("llm") or {}
        print(f"{label:15}{r['exit_code']:>5}{f(r['wall_s'], 9)}{f(r['stages_s'], 8)}{f(r['overhead_s'], 9)}"
              f"{f(r.get('before_flow_s'), 8)}{f(r.get('in_flow_s'), 8)}{f(r.get('after_flow_s'), 7)}"
              f"{llm.get('requests', 0):>8}{llm.get('cached', 0):>7}  "
              + ", ".join(f"{v:.2f}" for v in r["overheads_s"]))
        if r.get("output_tail"):
            print("  output:", r["output_tail"][-800:])
    print(f"overhead ÷ Prefect's own ephemeral start (same run): new {res['overhead_over_prefects_own']['new']}, "
          f"warm {res['overhead_over_prefects_own']['warm']}")
    print("overhead = process wall − the run's stages; before / in flow / after = where it falls "
          "around the flow run (in flow: the flow wall − stages)")
    print("\ntargets:")
    for name, t in res["targets"].items():
        print(f"  {'MET ' if t['met'] else 'MISS'}  {name}: {t['value']} (limit {t['limit']})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="aidaily run in Prefect's ephemeral mode: overhead beyond its stages")
    p.add_argument("--latency", type=float, default=1.0, help="fake LLM seconds per call (default 1.0)")
    p.add_argument("--ithome", type=int, default=300)
    p.add_argument("--qbitai", type=int, default=30)
    p.add_argument("--repeat", type=int, default=1, help="new PREFECT_HOMEs, each with its runs; the median is reported")
    p.add_argument("--prefect-api-url", default=None, help="the server of the 'server' run (else one is started)")
    return p


def main(argv: list[str] | None = None, api_url: str | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    with prefect_server(api_url or args.prefect_api_url) as server:
        res = measure(args, server["api_url"])
    print_report(res)
    write_results(res, "ephemeral.json")
    return res


if __name__ == "__main__":
    main()
