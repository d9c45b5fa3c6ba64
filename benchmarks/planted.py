"""The planted bugs of issue 21: each applied alone must make its tests fail.

    .venv/bin/python -m benchmarks.planted             # all, each against its own tests
    .venv/bin/python -m benchmarks.planted --only 4,5  # some
    .venv/bin/python -m benchmarks.planted --suite     # each against the whole suite (slow)

A plant is a one-place source edit (``old`` -> ``new`` in ``path``, ``old`` found exactly
once) that breaks one promise the README makes. The script applies one, runs pytest,
restores the file (also on Ctrl-C) and reports ``killed`` (pytest failed) or
``SURVIVED``; a plant whose ``old`` text is no longer in the file (the code moved on) is
``not applied``, for a person to re-plant where the promise lives now. Exit 1 when any
plant survived. Results go to ``benchmarks/results/planted.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plant:
    id: int
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


PLANTS = (
    Plant(1, "any ?token= is accepted and traded for the real token's cookie",
          "aidaily/review/web/guard.py",
          "if query_token is not None and _same(query_token, self.token):",
          "if query_token is not None:",
          ("tests/test_web_guard.py",)),
    Plant(2, "no 2 MB request-body limit", "aidaily/review/web/guard.py",
          "        if size > MAX_BODY:\n            return None\n", "",
          ("tests/test_web_guard.py",)),
    Plant(3, "the configured key itself is not masked", "aidaily/llm/calllog.py",
          '            text = text.replace(secret, "***")', "            pass",
          ("tests/test_redact.py",)),
    Plant(4, "a story the model dropped is not a failure (exit 0, not 2)", "aidaily/pipeline/report.py",
          "failures = bool(self.failed_sources or self.dropped or self.llm_unreachable)",
          "failures = bool(self.failed_sources or self.llm_unreachable)",
          ("tests/test_exit_codes.py",)),
    Plant(5, "aidaily review on a missing draft exits 0", "aidaily/review/report.py",
          'return 1 if self.state == "missing" or self.blockers else 0',
          "return 1 if self.blockers else 0",
          ("tests/test_exit_codes.py",)),
    Plant(6, "placeholders do not block publishing", "aidaily/review/report.py",
          'out += [f"line {n}: placeholder left for the editor" for n in self.placeholders]',
          "pass",
          ("tests/test_exit_codes.py",)),
    Plant(7, "years count as identifying figures", "aidaily/stories/dedup.py",
          "return value >= 32 and not 1990 <= value <= 2100", "return value >= 32",
          ("tests/test_same_story_rules.py",)),
    Plant(8, "a name in many articles counts as evidence (EVIDENCE_MAX_DF gone)",
          "aidaily/stories/dedup.py",
          "if 1 < len(ids) <= EVIDENCE_MAX_DF:", "if 1 < len(ids):",
          ("tests/test_same_story_rules.py",)),
    Plant(9, "the earliest earlier date is named, not the latest", "aidaily/memory/recall.py",
          "newest = max(day for day, _ in earlier)", "newest = min(day for day, _ in earlier)",
          ("tests/test_same_story_rules.py",)),
    Plant(10, "the memo key ignores which sources a bullet was checked against",
          "aidaily/checks/grounding.py", "key = (text, urls)", "key = (text, ())",
          ("tests/test_grounding.py",)),
    Plant(11, "a changed set of listing URLs is not compared", "aidaily/pipeline/uptodate.py",
          "    if set(served) != set(before) | set(absent):\n"
          "        return \"the sources' listing URLs changed since the last run\"\n", "",
          ("tests/test_uptodate.py",)),
    Plant(12, "summary-too-long off by one", "aidaily/format/lint.py",
          "if len(summary) > stories:", "if len(summary) > stories + 1:",
          ("tests/test_lint_bounds.py",)),
    Plant(13, "the many-bullets warning changed (from 5 bullets to 6)", "aidaily/format/lint.py",
          "elif len(facts) > habits.fact_bullets[1]:", "elif len(facts) > habits.fact_bullets[1] + 1:",
          ("tests/test_lint_bounds.py",)),
)


def run_one(plant: Plant, suite: bool) -> str:
    path = ROOT / plant.path
    original = path.read_text(encoding="utf-8")
    if original.count(plant.old) != 1:
        return "not applied"
    try:
        path.write_text(original.replace(plant.old, plant.new), encoding="utf-8")
        args = [] if suite else ["-n", "0", "-p", "no:randomly", *plant.tests]
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", *args], cwd=ROOT,
                              capture_output=True, text=True, check=False)
    finally:
        path.write_text(original, encoding="utf-8")
    return "killed" if done.returncode != 0 else "SURVIVED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated plant ids")
    parser.add_argument("--suite", action="store_true", help="run the whole suite for each plant")
    args = parser.parse_args(argv)
    chosen = {int(x) for x in args.only.split(",")} if args.only else {p.id for p in PLANTS}
    results = {}
    for plant in PLANTS:
        if plant.id not in chosen:
            continue
        outcome = run_one(plant, args.suite)
        results[plant.id] = {"what": plant.what, "path": plant.path, "outcome": outcome,
                             "tests": "whole suite" if args.suite else list(plant.tests)}
        print(f"{plant.id:>3}  {outcome:<12} {plant.path}: {plant.what}", flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "planted.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(r["outcome"] != "killed" for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
