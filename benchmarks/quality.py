"""The quality score of the fixture day's drafts against the issue an editor published.

    .venv/bin/python benchmarks/quality.py [--reference PATH] [--keep DIR]

The fixture day (``tests/fixtures/day``, digest date 2026-01-19) is served on 127.0.0.1
by ``tests/servers.py:MirrorServer`` and fetched into two fresh homes; each writes its
draft with ``aidaily write``:

- **extractive**: ``--llm none`` (lead sentences, commentary left as placeholders);
- **fake model**: ``tests/fakellm.py`` answering as ``benchmarks/day.py:BenchEditor``
  (a valid plan in the shipped limits, the article's title as headline, its first
  sentences as facts, one fixed commentary block): the plumbing of the model path, not
  the quality of a real model;
- **replayed model**: ``[llm] provider = "replay"`` with the demo day's recorded answers
  (``aidaily/demo/replay-2026-01-19.json``: a capable model answering the real prompts
  one by one, see the README, "Replaying a model's answers"): what a real model makes
  of these prompts, without a model.

Each draft is then scored with ``aidaily eval DRAFT REFERENCE --json`` (its home's store
grounds it) against the published issue of that date: ``tests/fixtures/digests/
ai-daily-2026-01-19.md``, a byte copy of ``shared/reference/ai-daily-2026-01-19.md``
(``--reference`` takes another). Every command is a subprocess of this interpreter with
this tree on PYTHONPATH. Prints a table and writes ``benchmarks/results/quality.json``.

To score a real model, run the same commands with its settings (see the README,
"Tuning the prompts").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.day import BenchEditor, write_results  # noqa: E402
from tests.factories import DAY_SITES  # noqa: E402
from tests.fakellm import FakeLLM  # noqa: E402
from tests.servers import MirrorServer  # noqa: E402

DAY = "2026-01-19"
FIXTURE_DAY = ROOT / "tests" / "fixtures" / "day"
REFERENCE = ROOT / "tests" / "fixtures" / "digests" / f"ai-daily-{DAY}.md"
CONFIG = """\
[fetch]
per_host_delay = 0.0
retries = 0

[llm]
max_retries = 0
timeout = 30
on_unreachable = "fail"
"""
MODES = ("extractive", "fake model", "replayed model")
REPLAY = ROOT / "aidaily" / "demo" / f"replay-{DAY}.json"


def aidaily(home: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``aidaily --home HOME ARGS`` in a subprocess (this tree, this interpreter)."""
    return subprocess.run([sys.executable, "-m", "aidaily", "--home", str(home), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)


def base_env() -> dict[str, str]:
    """The environment without the caller's model or aidaily settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIDAILY_", "OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def draft_of(mode: str, home: Path, reference: Path) -> dict[str, Any]:
    """Fetch the fixture day into ``home``, write its draft in ``mode``, score it."""
    home.mkdir(parents=True)
    (home / "aidaily.toml").write_text(CONFIG, encoding="utf-8")
    env = base_env()
    started = time.perf_counter()
    with MirrorServer(FIXTURE_DAY) as mirror:
        env["AIDAILY_URL_MAP"] = json.dumps(mirror.url_map(*DAY_SITES))
        fetched = aidaily(home, "fetch", "--date", DAY, env=env)
    if fetched.returncode not in (0, 2):
        raise SystemExit(f"{mode}: fetch failed ({fetched.returncode}):\n{fetched.stderr[-2000:]}")
    del env["AIDAILY_URL_MAP"]
    if mode == "extractive":
        written = aidaily(home, "write", "--date", DAY, "--llm", "none", env=env)
        requests = 0
    elif mode == "replayed model":
        written = aidaily(home, "write", "--date", DAY, env={**env, "AIDAILY_LLM_REPLAY": str(REPLAY)})
        requests = 0  # replayed: nothing is sent
    else:
        with FakeLLM() as fake:
            fake.responder = BenchEditor()
            env.update(AIDAILY_LLM_BASE_URL=fake.base_url, AIDAILY_LLM_API_KEY="sk-bench")
            written = aidaily(home, "write", "--date", DAY, env=env)
            requests = fake.calls
    draft = home / "output" / "drafts" / f"{DAY}.md"
    if written.returncode not in (0, 2) or not draft.is_file():
        raise SystemExit(f"{mode}: write failed ({written.returncode}):\n{written.stderr[-2000:]}")
    seconds = time.perf_counter() - started
    scored = aidaily(home, "eval", str(draft), str(reference), "--json", env=env)
    if scored.returncode != 0:
        raise SystemExit(f"{mode}: eval failed ({scored.returncode}):\n{scored.stderr[-2000:]}")
    shown = aidaily(home, "eval", str(draft), str(reference), env={**env, "COLUMNS": "100"})
    print(f"\n--- {mode} ---\n{shown.stdout}", flush=True)
    return {"score": json.loads(scored.stdout), "write_exit_code": written.returncode,
            "llm_requests": requests, "seconds": round(seconds, 1), "draft": str(draft)}


def cell(value: Any, share: bool) -> str:
    if value is None:
        return "unknown"
    if share:
        return f"{value:.0%}"
    return f"{value:g}"


def table(results: dict[str, dict[str, Any]]) -> None:
    """Scores side by side: one row per figure, one column per mode, then the
    reference's and the house target."""
    from rich.console import Console
    from rich.table import Table

    out = Table("", *results, "reference", "house", title=f"Quality of the drafts of {DAY}")
    for label, key in (("story recall", "story_recall"), ("story precision", "story_precision")):
        out.add_row(label, *(cell(r["score"][key], True) for r in results.values()), "", "")
    first = next(iter(results.values()))["score"]
    for name, m in first["measures"].items():
        target, share = m["target"], m["share"]
        house = "—" if target is None else (cell(target[0], share) if target[0] == target[1]
                                            else f"{cell(target[0], share)}–{cell(target[1], share)}")
        out.add_row(m["label"], *(cell(r["score"]["measures"][name]["draft"], share)
                                  for r in results.values()),
                    "—" if m["reference"] is None else cell(m["reference"], share), house)
    Console(highlight=False).print(out)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description="the fixture day's drafts scored against the published issue")
    p.add_argument("--reference", type=Path, default=REFERENCE, help="the published issue (default: %(default)s)")
    p.add_argument("--keep", type=Path, help="keep the homes (and drafts) in this directory")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    try:
        results = {mode: draft_of(mode, work / mode.replace(" ", "-"), args.reference.resolve())
                   for mode in MODES}
        table(results)
        res = {"day": DAY, "reference": str(args.reference), "modes": results}
        write_results(res, "quality.json")
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
            print(f"homes kept in {args.keep}")
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
