"""The RSS fast path (``sources.feed_xml``) against feedparser, on every feed of the corpus
and the benchmark day's: the same items, and the time each takes.

    .venv/bin/python benchmarks/feeds.py [--corpus ../shared/corpus/feeds] [--repeat 5]

For each feed: whether the fast path reads it (or declines it to feedparser), whether its
items equal feedparser's (link, title, summary, content, time), and the best of
``--repeat`` timings of each. The target: no feed read differently. Writes
``benchmarks/results/feeds.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.day import best, load_average, write_results
from benchmarks.synth import write_day
from sources.feed_xml import read_plain_rss
from sources.html_utils import feedparser_items

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"


def measure(path: Path, label: str, repeat: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8", errors="replace")
    fast, slow = read_plain_rss(text), feedparser_items(str(path), text)
    return {
        "feed": label, "items": len(slow), "read_fast": fast is not None,
        "same": fast is None or fast == slow,
        "feedparser_ms": round(1000 * best(lambda: feedparser_items(str(path), text), repeat), 2),
        "fast_ms": round(1000 * best(lambda: read_plain_rss(text), repeat), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description="the RSS fast path vs feedparser on the corpus's feeds")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    load_before = load_average()
    corpus = sorted(args.corpus.glob("*/*.xml"))
    rows = [measure(f, f"corpus/{f.parent.name}/{f.name}", args.repeat) for f in corpus]
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        write_day(Path(tmp), ithome=300, qbitai=30, seed=7)
        rows += [measure(f, f"benchmark day/{f.parent.parent.name}/{f.parent.name}", args.repeat)
                 for f in sorted(Path(tmp).rglob("__index__")) if f.parent.name in ("rss", "feed")]
    differ = [r["feed"] for r in rows if not r["same"]]
    res = {
        "benchmark": "feeds", "load_before": load_before, "load_after": load_average(), "feeds": rows,
        "read_fast": sum(r["read_fast"] for r in rows), "read_differently": differ,
        "targets": {"feeds the fast path reads differently from feedparser": {
            "value": len(differ), "limit": 0, "met": not differ}},
    }
    print(f"{len(rows)} feeds ({len(corpus)} of the corpus in {args.corpus}, the rest the benchmark day's); "
          f"load {load_before}")
    print(f"{'feed':70}{'items':>6}{'fast?':>7}{'same':>6}{'feedparser ms':>15}{'fast ms':>9}{'ratio':>7}")
    for r in rows:
        ratio = f"{r['feedparser_ms'] / r['fast_ms']:.1f}" if r["read_fast"] and r["fast_ms"] else "—"
        print(f"{r['feed'][:69]:70}{r['items']:>6}{'yes' if r['read_fast'] else 'no':>7}"
              f"{'yes' if r['same'] else 'NO':>6}{r['feedparser_ms']:>15.2f}{r['fast_ms']:>9.2f}{ratio:>7}")
    print(f"read by the fast path: {res['read_fast']} of {len(rows)}; read differently: {len(differ)}")
    write_results(res, "feeds.json")
    return res


if __name__ == "__main__":
    sys.exit(0 if main()["targets"]["feeds the fast path reads differently from feedparser"]["met"] else 1)
