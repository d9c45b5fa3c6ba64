"""The house's profile, measured on its archive, for the plan prompt.

    .venv/bin/python -m benchmarks.house_profile [--corpus ../shared/corpus] [--out PATH]

Reads every published issue (``corpus/aidaily``, ``benchmarks.archive``) and writes
``aidaily/stories/data/house_profile.json``, which ``aidaily.stories.house`` loads and
the plan prompt renders (``prompts/plan.system.j2``, 本刊的编排习惯):

- ``section_themes``: the theme words of the section headings (``超算与芯片`` → 芯片,
  超算; a leading "AI" dropped) and in how many issues a section carries each; a word
  contained in a longer one that is nearly as frequent is folded into it;
- ``lead_themes``: the same words, counted on each issue's first section only;
- ``lead_names``: the names (``aidaily.checks.entities``) in the headline each issue
  leads with, and in how many issues;
- ``issues``, ``first`` and ``last``: what was measured.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aidaily.checks.entities import extract_entities  # noqa: E402
from aidaily.stories.house import PROFILE_PATH  # noqa: E402
from benchmarks.archive import ArchiveStory, archive_stories  # noqa: E402

CORPUS = ROOT.parent.parent / "shared" / "corpus"
MIN_ISSUES = 4  # a theme word must head sections in at least this many issues
FOLD = 0.8  # "具身" folds into "具身智能" when the longer word has 80 % of its count
TOP = 16


def theme_words(theme: str) -> list[str]:
    """The words of a section theme: split at 与 / 和 / 及 / 、 and spaces, "AI" removed,
    Chinese runs of 2–6 characters kept."""
    text = re.sub(r"AI|ai|Ai", " ", theme)
    return [p for p in re.split(r"[与和及、&/·,，\s]+", text)
            if 2 <= len(p) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", p)]


def profile(stories: list[ArchiveStory]) -> dict[str, Any]:
    issues: dict[str, list[ArchiveStory]] = defaultdict(list)
    for s in stories:
        issues[s.day].append(s)
    sections = {day: {s.section for s in xs if s.section and not s.brief} for day, xs in issues.items()}
    candidates: Counter[str] = Counter()
    for themes in sections.values():
        candidates.update({w for t in themes for w in theme_words(t)})
    terms = [t for t, n in candidates.items() if n >= MIN_ISSUES]

    def issues_with(term: str, themes_of: dict[str, set[str]]) -> int:
        return sum(1 for themes in themes_of.values() if any(term in th for th in themes))

    counts = {t: issues_with(t, sections) for t in terms}
    kept = [t for t in terms
            if not any(t != u and t in u and counts[u] >= FOLD * counts[t] for u in terms)]
    mains = {day: [s for s in xs if not s.brief] for day, xs in issues.items()}
    first_section = {day: {m[0].section} for day, m in mains.items() if m and m[0].section}
    lead_counts = {t: issues_with(t, first_section) for t in kept}
    names: Counter[str] = Counter()
    for m in mains.values():
        if m:
            names.update(set(extract_entities(m[0].title)))
    days = sorted(issues)

    def top(counter: dict[str, int], n: int) -> list[list[Any]]:
        ranked = sorted(((c, t) for t, c in counter.items() if c), key=lambda x: (-x[0], x[1]))
        return [[t, c] for c, t in ranked[:n]]

    return {"issues": len(days), "first": days[0], "last": days[-1],
            "section_themes": top({t: counts[t] for t in kept}, TOP),
            "lead_themes": top(lead_counts, 8), "lead_names": top(dict(names), 10)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=PROFILE_PATH)
    args = parser.parse_args(argv)
    archive = args.corpus / "aidaily"
    if not archive.is_dir():
        print(f"no archive at {archive} (--corpus DIR)", file=sys.stderr)
        return 2
    data = profile(archive_stories(archive))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
