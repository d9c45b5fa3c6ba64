"""The house figures: what the series' published issues look like, by month.

    .venv/bin/python -m benchmarks.house tests/fixtures/aidaily [--since 2026-02-01] [--until 2026-08-31] [--themed] [--json]

Every ``*.md`` with front matter in the folder is read as an issue, the way a reader
counts it (``aidaily.format.outline``): themes holding stories, stories, one-liners,
fact bullets per story (stories with at least one), the length of fact bullets, of
commentary (bullets or paragraphs) and of the title. Per month it prints the median of
each; for the period (``--since`` … ``--until``, default: all) it prints the 10th–90th
percentile range, which is what ``[digest]`` defaults and ``aidaily eval``'s targets
are taken from (the table in ``benchmarks/README.md``). ``--themed`` keeps, for the
ranges, the issues whose stories sit under themed headings (the layouts aidaily
writes; not the ``## story`` ones). Issues with no story (posts published broken: a
lead paragraph and the footer) are counted and left out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aidaily.errors import DigestParseError  # noqa: E402
from aidaily.format.outline import outline  # noqa: E402
from aidaily.format.parse import parse  # noqa: E402

#: The figures measured per issue, in table order, and their column labels.
FIGURES = {
    "themes": "themes",
    "stories": "stories",
    "one_liners": "one-liners",
    "facts_per_story": "facts/story",
    "fact_chars": "fact chars",
    "commentary_chars": "comment chars",
    "title_chars": "title chars",
}


@dataclass(frozen=True)
class IssueFigures:
    """One issue's figures; the lengths are medians over the issue (None: none)."""

    day: date
    themes: int
    stories: int
    one_liners: int
    facts_per_story: float | None
    fact_chars: float | None
    commentary_chars: float | None
    title_chars: int | None


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def measure_text(text: str) -> IssueFigures | None:
    """The figures of one issue; None when it has no date or no story."""
    digest = parse(text)
    value = digest.front_matter.get("date")
    day = value if isinstance(value, date) else _date(str(value))
    read = outline(digest)
    if day is None or not read.stories:
        return None
    title = digest.front_matter.get("title") or digest.title
    facts = [len(s.facts) for s in read.stories if s.facts]
    return IssueFigures(
        day=day,
        themes=len(read.themes),
        stories=len(read.stories),
        one_liners=len(read.briefs),
        facts_per_story=_median(facts),
        fact_chars=_median([len(f.strip()) for s in read.stories for f in s.facts]),
        commentary_chars=_median([len(c.strip()) for s in read.stories for c in s.commentary]),
        title_chars=len(title) if isinstance(title, str) else None,
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def measure_folder(folder: Path) -> tuple[list[IssueFigures], list[str]]:
    """The figures of every issue in ``folder``, and the files left out (with why)."""
    issues: list[IssueFigures] = []
    skipped: list[str] = []
    for path in sorted(folder.glob("*.md")):
        try:
            figures = measure_text(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, DigestParseError) as exc:
            skipped.append(f"{path.name}: not an issue ({exc})")
            continue
        if figures is None:
            skipped.append(f"{path.name}: no date or no story")
        else:
            issues.append(figures)
    return issues, skipped


def _values(issues: Sequence[IssueFigures], name: str) -> list[float]:
    return [float(v) for v in (getattr(i, name) for i in issues) if v is not None]


def percentile_range(values: Sequence[float], low: float = 0.1, high: float = 0.9) -> tuple[int, int] | None:
    """The ``low``–``high`` percentile range, rounded outwards to whole numbers."""
    if len(values) < 2:
        return None
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return int(cuts[round(low * 100) - 1] // 1), int(-(-cuts[round(high * 100) - 1] // 1))


def by_month(issues: Sequence[IssueFigures]) -> dict[str, dict[str, float | int | None]]:
    months: dict[str, list[IssueFigures]] = {}
    for issue in issues:
        months.setdefault(issue.day.strftime("%Y-%m"), []).append(issue)
    return {month: {"issues": len(group), **{name: _median(_values(group, name)) for name in FIGURES}}
            for month, group in sorted(months.items())}


def ranges(issues: Sequence[IssueFigures]) -> dict[str, tuple[int, int] | None]:
    return {name: percentile_range(_values(issues, name)) for name in FIGURES}


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else f"{value:.1f}"
    return str(value)


def in_period(issues: Sequence[IssueFigures], since: date | None, until: date | None,
              themed: bool = False) -> list[IssueFigures]:
    return [i for i in issues if (since is None or i.day >= since) and (until is None or i.day <= until)
            and (not themed or i.themes > 0)]


def table(issues: Sequence[IssueFigures], period: Sequence[IssueFigures]) -> str:
    """The markdown table: medians by month, then the period's P10–P90 ranges."""
    head = "| month | issues | " + " | ".join(FIGURES.values()) + " |"
    rows = [head, "| " + " | ".join(["---"] * (len(FIGURES) + 2)) + " |"]
    for month, figures in by_month(issues).items():
        rows.append(f"| {month} | {figures['issues']} | "
                    + " | ".join(_cell(figures[name]) for name in FIGURES) + " |")
    if period:
        first, last = min(i.day for i in period), max(i.day for i in period)
        spans = ranges(period)
        rows.append(f"| **{first} … {last}, P10–P90** | {len(period)} | "
                    + " | ".join(f"{r[0]}–{r[1]}" if r else "—" for r in spans.values()) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The house figures of a folder of issues, by month.")
    parser.add_argument("folder", type=Path, help="a folder of published issues (*.md)")
    parser.add_argument("--since", type=date.fromisoformat, help="first day of the period for the ranges")
    parser.add_argument("--until", type=date.fromisoformat, help="last day of the period for the ranges")
    parser.add_argument("--themed", action="store_true",
                        help="ranges over the issues whose stories sit under themed headings only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 1
    issues, skipped = measure_folder(args.folder)
    if not issues:
        print(f"error: no issue with a story in {args.folder}", file=sys.stderr)
        return 1
    period = in_period(issues, args.since, args.until, args.themed)
    if args.json:
        print(json.dumps({"months": by_month(issues), "ranges": ranges(period),
                          "issues": [asdict(i) | {"day": i.day.isoformat()} for i in issues],
                          "skipped": skipped}, ensure_ascii=False, indent=2))
        return 0
    print(table(issues, period))
    print(f"\n{len(issues)} issues measured; {len(skipped)} left out")
    for line in skipped:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
