"""Hostile input costs what ordinary input of its size costs: the timings the tests do not
assert (issue 21: no clocks in tests), as ratios against a baseline measured in this run.

    .venv/bin/python -m benchmarks.hostile [--repeat 5]

- ``hubtoday listing``: a page with a 200 000-character unclosed link and 20 000 unclosed
  ``<video`` tags (``tests/test_source_hubtoday.py::test_hostile_input_is_bounded``
  checks what comes out of it) against a well-formed page of the same length (the real
  2026-01-18 page repeated). A regex that backtracks would make the ratio explode;
  linear parsing keeps it near or under 1.

Best of ``--repeat`` passes each. Results go to ``benchmarks/results/hostile.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sources.hubtoday import HubtodaySource

LISTING = "https://ai.hubtoday.app/2026-01/2026-01-18/"
#: The ratio above which the parsing is no longer linear in its input.
TARGET_RATIO = 3.0


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def hostile_listing() -> str:
    return "### 产品与功能更新\n\n1. **标题。**\n" + "[a](" + "x" * 200_000 + " <video " * 20_000


def ordinary_listing(size: int) -> str:
    page = (ROOT / "tests" / "fixtures" / "hubtoday" / "daily_final" / "2026-01-18.md").read_text(encoding="utf-8")
    return (page * (size // len(page) + 1))[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    source = HubtodaySource()
    hostile = hostile_listing()
    ordinary = ordinary_listing(len(hostile))
    hostile_s = best_of(args.repeat, lambda: source.parse_listing(LISTING, hostile))
    ordinary_s = best_of(args.repeat, lambda: source.parse_listing(LISTING, ordinary))
    ratio = hostile_s / ordinary_s
    result = {"hubtoday_listing": {"chars": len(hostile), "hostile_s": round(hostile_s, 4),
                                   "ordinary_s": round(ordinary_s, 4), "ratio": round(ratio, 2),
                                   "target_ratio": TARGET_RATIO, "ok": ratio <= TARGET_RATIO}}
    print(f"hubtoday listing, {len(hostile):,} chars: hostile {hostile_s * 1000:.1f} ms, "
          f"ordinary {ordinary_s * 1000:.1f} ms, ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "hostile.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
