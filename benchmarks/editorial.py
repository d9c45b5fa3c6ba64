"""The editorial checks (``aidaily.format.editorial``) on the house's published issues.

Every published issue of the series is, by definition, publishable: any error these
checks report on one is a false positive. This script runs the checks over a folder of
issues and prints, per check, how many issues and how many checked units (headlines,
bullets, seo entries) it flags, with the flagged text for a reader to judge; and how
close the house comes to each threshold (the highest headline similarity in one issue,
the highest fact-to-headline and commentary-to-fact similarity).

    .venv/bin/python -m benchmarks.editorial [FOLDER ...]   # default: ../shared/corpus/aidaily
    .venv/bin/python -m benchmarks.editorial --figures      # the house figures in 字

``--figures`` measures what ``DigestSettings``' 字 figures (``headline_zi`` …) are set
from: lengths in 字 (``aidaily.text.zi_count``) of headlines, titles, ## lines, summary
lines, fact and commentary bullets, and the counts of summary lines and seo entries,
as percentiles over the issues. Writes ``benchmarks/results/editorial.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from aidaily.errors import DigestParseError
from aidaily.format.digest import Insight, Item
from aidaily.format.editorial import LINK_WORDS, SAME_HEADLINE, bullet_problems, editorial_findings, repeats_fact, says_headline
from aidaily.format.parse import parse
from aidaily.text import comparable_text, similarity, zi_count

# A bullet line of any layout ("- text", "  - text", "* text"), for the checks of one bullet
# on every bullet the house wrote, whether or not the parser places it in an item.
BULLET_RE = re.compile(r"^(\s*)(?:[-*]|\d+\.) (.+)$")
LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (a worktree one level deeper looks one further up)
DEFAULT = next((p for p in (ROOT.parent / "shared" / "corpus" / "aidaily",
                            ROOT.parent.parent / "shared" / "corpus" / "aidaily") if p.is_dir()),
               ROOT.parent / "shared" / "corpus" / "aidaily")
RESULTS = ROOT / "benchmarks" / "results"


HEADLINE_RE = re.compile(r"^(?:#{2,4}\s+)?\[([^\]]+)\]\(https?://[^)]*\)\s*$|^#{3,4}\s+(.+)$")
# "#### 深度解读 & 洞察", "#### 影响", "### 更多动态": headings of a block, not of a story.
LABEL_HEADING_RE = re.compile(r"深度解读|洞察|影响|动态|解读|总结|展望|结语")
BRIEF_SITE_RE = re.compile(r"（\[[^\]]*\]\([^)]*\)[)）]$")


def raw_pass(lines: list[str], name: str, units: Counter[str], findings: Counter[str],
             examples: dict[str, list[str]], near: dict[str, list[float]]) -> None:
    """Every bullet line of any layout through ``bullet_problems``, and each bullet beside
    the headline above it and (a commentary bullet) the fact bullets of that story: the
    house's own text, whether or not the parser places it in an item."""
    headline, facts, in_commentary = "", [], False  # type: str, list[str], bool
    heads: list[str] = []
    for number, line in enumerate(lines):
        head = HEADLINE_RE.match(line)
        if head:
            headline, facts, in_commentary = (head.group(1) or head.group(2)).strip(), [], False
            if (comparable_text(headline) not in LINK_WORDS and "：" not in headline  # not a theme：subtitle
                    and len(comparable_text(headline)) >= 8 and not LABEL_HEADING_RE.search(headline)):
                same = [h for h in heads if similarity(h, headline) >= SAME_HEADLINE]
                if same:
                    findings["same-headline (raw)"] += 1
                    examples.setdefault("same-headline (raw)", []).append(f"{name}:{number + 1}: {headline} = {same[0]}")
                units["headlines (any layout)"] += 1
                near["raw headline"].append(max((similarity(h, headline) for h in heads), default=0.0))
                heads.append(headline)
            continue
        if "深度解读" in line or "洞察" in line:
            in_commentary = True
            continue
        m = BULLET_RE.match(line)
        if not m:
            continue
        units["bullet lines (any layout)"] += 1
        nxt = BULLET_RE.match(lines[number + 1]) if number + 1 < len(lines) else None
        sub = nxt is not None and len(nxt.group(1)) > len(m.group(1))
        text = LINK_RE.sub(r"\1", BRIEF_SITE_RE.sub("", m.group(2))).strip()
        for code, why in bullet_problems(text, sub_bullets=sub):
            key = f"{code} (any bullet line)"
            findings[key] += 1
            examples.setdefault(key, []).append(f"{name}:{number + 1}: {why}: {text[:60]}")
        flags = []
        if in_commentary and any(repeats_fact(text, f) for f in facts):
            flags.append("commentary-repeats-fact (raw)")
        if not in_commentary and headline and says_headline(text, headline) and comparable_text(headline) not in LINK_WORDS:
            flags.append("headline-as-bullet (raw)")
        for key in flags:
            findings[key] += 1
            examples.setdefault(key, []).append(f"{name}:{number + 1}: {text[:60]}")
        if in_commentary:
            near["raw commentary_as_fact"].append(max((similarity(text, f) for f in facts), default=0.0))
        elif headline and comparable_text(headline) not in LINK_WORDS:
            near["raw fact_as_headline"].append(similarity(text, headline))
            facts.append(text)


def measure(paths: list[Path]) -> dict[str, Any]:
    flagged: Counter[str] = Counter()  # code -> issues with at least one
    findings: Counter[str] = Counter()  # code -> findings
    examples: dict[str, list[str]] = {}
    units = Counter[str]()
    near: dict[str, list[float]] = {"headline": [], "fact_as_headline": [], "commentary_as_fact": [],
                                    "raw fact_as_headline": [], "raw commentary_as_fact": [],
                                    "raw headline": []}
    unreadable = 0
    for path in paths:
        try:
            digest = parse(path.read_text(encoding="utf-8"))
        except (DigestParseError, UnicodeDecodeError):
            unreadable += 1
            continue
        items = [i for i in digest.items if comparable_text(i.title) not in LINK_WORDS]
        raw_pass(path.read_text(encoding="utf-8").split("\n"), path.name, units, findings, examples, near)
        units["issues"] += 1
        units["headlines"] += len(items)
        units["fact bullets"] += sum(len(i.bullets) for i in items)
        units["commentary bullets"] += sum(len(x.bullets) for s in digest.sections for x in s.insights)
        seo = digest.front_matter.get("seo")
        units["seo entries"] += len(seo) if isinstance(seo, list) else 0
        near["headline"].append(max((similarity(a.title, b.title) for k, a in enumerate(items)
                                     for b in items[:k]), default=0.0))
        near["fact_as_headline"].extend(similarity(b.text, i.title) for i in items for b in i.bullets)
        for section in digest.sections:
            facts: list[str] = []
            for entry in section.entries:
                if isinstance(entry, Item):
                    facts += [b.text for b in entry.bullets]
                elif isinstance(entry, Insight) and entry.is_commentary:
                    near["commentary_as_fact"].extend(
                        max((similarity(b.text, f) for f in facts), default=0.0) for b in entry.bullets)
                    facts = []
        codes = set()
        for f in editorial_findings(digest):
            key = f"{f.code} ({f.severity})"
            findings[key] += 1
            codes.add(key)
            examples.setdefault(key, []).append(f"{path.name}:{f.line}: {f.message}")
        flagged.update(codes)
    top = {name: {"max": round(max(v), 3) if v else None,
                  "p99": round(statistics.quantiles(v, n=100)[98], 3) if len(v) > 100 else None}
           for name, v in near.items()}
    return {"units": dict(units), "unreadable": unreadable, "issues_flagged": dict(flagged),
            "findings": dict(findings), "near_thresholds": top,
            "examples": {k: v[:12] for k, v in examples.items()}}


def figures(paths: list[Path]) -> dict[str, list[float]]:
    """Each figure's 3rd, 5th, 50th, 95th and 97th percentile over ``paths``."""
    values: dict[str, list[int]] = {k: [] for k in ("headline", "title", "thesis", "summary line",
                                                     "fact", "commentary", "summary lines", "seo entries")}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        digest = parse(text)
        if isinstance(digest.front_matter.get("title"), str):
            values["title"].append(zi_count(digest.front_matter.get("title")))
        if digest.headline:
            values["thesis"].append(zi_count(digest.headline))
        values["summary lines"].append(len(digest.summary_lines))
        values["summary line"] += [zi_count(line) for line in digest.summary_lines]
        seo = digest.front_matter.get("seo")
        values["seo entries"].append(len(seo) if isinstance(seo, list) else 0)
        headline, in_commentary = "", False
        for line in text.split("\n"):
            head = HEADLINE_RE.match(line)
            if head:
                headline, in_commentary = (head.group(1) or head.group(2)).strip(), False
                if comparable_text(headline) not in LINK_WORDS and not LABEL_HEADING_RE.search(headline) \
                        and "：" not in headline:
                    values["headline"].append(zi_count(headline))
                continue
            if "深度解读" in line or "洞察" in line:
                in_commentary = True
                continue
            m = BULLET_RE.match(line)
            if m and headline and not m.group(1):
                said = LINK_RE.sub(r"\1", m.group(2)).replace("**", "")
                values["commentary" if in_commentary else "fact"].append(zi_count(said))
    return {name: [round(p, 1) for p in (statistics.quantiles(v, n=100)[k] for k in (2, 4, 49, 94, 96))]
            for name, v in values.items() if len(v) > 20}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--figures", action="store_true", help="the house figures in 字, as percentiles")
    args = parser.parse_args(argv)
    paths = sorted(p for folder in args.folders for p in folder.glob("*.md") if p.name != "MANIFEST.md")
    if args.figures:
        print(f"{len(paths)} issues; 字 by aidaily.text.zi_count; percentiles p3 p5 p50 p95 p97")
        for name, row in figures(paths).items():
            print(f"  {name:14} {'  '.join(f'{v:g}' for v in row)}")
        return
    result = measure(paths)
    units = result["units"]
    print(f"{units.get('issues', 0)} issues ({result['unreadable']} unreadable); units: {units}")
    print(f"{'check':36} {'issues':>7} {'findings':>9}")
    findings = result["findings"]
    flagged: dict[str, Any] = result["issues_flagged"]
    for key in sorted(findings):
        print(f"{key:36} {flagged.get(key, '-'):>7} {findings[key]:>9}")
    print("closest to the thresholds:", json.dumps(result["near_thresholds"]))
    for key, lines in (result["examples"] or {}).items():
        print(f"\n{key}:")
        for line in lines:
            print(f"  {line}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "editorial.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
