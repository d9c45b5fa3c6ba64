"""Does the no-model draft run what the house runs? A real day built from saved feeds.

    .venv/bin/python -m benchmarks.house_rank [--corpus ../shared/corpus]

The day: the digest of 2026-02-01 (``corpus/aidaily/ai-daily-2026-02-01.md``, a real
issue) against the real IT之家 feed saved at 2026-01-31 05:53 UTC
(``corpus/feeds/ithome/exposir-RSS_ithome_2026-01-31_*.json``: every item with its full
text). The window is that digest's (2026-01-31 00:00–24:00 Beijing); the feed ends at
13:53, so only the house's IT之家 stories published before then can be found.

The items become articles (title, text, time), go through the pipeline's own selection
(``candidate_stories``: relevance, merging, ranking) and the extractive plan
(``editor.extractive.extractive_plan`` with the shipped digest settings), and the script
counts how many of the house's IT之家 links of that day the plan runs (main stories and
one-liners) and how many relevance let through at all. The fixture day's figure is
``benchmarks/quality.py``'s story recall.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent.parent / "shared" / "corpus"
DAY = date(2026, 2, 1)
_ITHOME = re.compile(r"https://www\.ithome\.com/0/\d+/\d+\.htm")


def feed_articles(path: Path) -> list[Any]:
    from aidaily.models import Article
    from aidaily.text import html_to_text

    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["items"]:
        published = datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))
        out.append(Article(url=item["url"], source="ithome", title=item["title"].strip(),
                           text=html_to_text(item.get("content_html") or ""), published=published))
    return out


def measure(corpus: Path) -> dict[str, Any]:
    from aidaily.config import Settings
    from aidaily.editor.extractive import extractive_plan
    from aidaily.stories.select import candidate_stories, in_window, window_for

    feed = next((corpus / "feeds" / "ithome").glob("exposir-RSS_ithome_2026-01-31_*.json"))
    issue = (corpus / "aidaily" / f"ai-daily-{DAY.isoformat()}.md").read_text(encoding="utf-8")
    house = sorted(set(_ITHOME.findall(issue)))
    window = window_for(DAY)
    articles = [a for a in feed_articles(feed) if in_window(a, window)]
    available = [u for u in house if any(a.url == u for a in articles)]
    stories = candidate_stories(articles)
    plan = extractive_plan(stories, Settings())
    run_ids = set(plan.main_ids) | set(plan.other_ids)
    ran = [s for s in stories if s.id in run_ids]
    ran_urls = {a.url for s in ran for a in s.articles}
    offered_urls = {a.url for s in stories for a in s.articles}
    return {
        "day": DAY.isoformat(), "articles_in_window": len(articles), "candidates": len(stories),
        "house_ithome_links": len(house), "house_links_in_feed": len(available),
        "offered": sum(u in offered_urls for u in available),
        "run_by_extractive": sum(u in ran_urls for u in available),
        "extractive_stories": len(ran),
        "missed": [u for u in available if u not in ran_urls],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "aidaily").is_dir():
        print(f"no corpus at {args.corpus} (--corpus DIR)", file=sys.stderr)
        return 2
    result = measure(args.corpus)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
