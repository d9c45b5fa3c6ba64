"""Extraction time per page of the site adapters, on a synthetic day.

    .venv/bin/python benchmarks/extract_speed.py [--ithome 300] [--qbitai 30] [--repeat 5]

Writes a synthetic day (``benchmarks/synth.py``) to a temporary directory, then for each
adapter times ``parse_article`` over its article pages and ``parse_listing`` over its
listings: per page, best of ``--repeat`` warm passes. It also times each adapter's first
call in a fresh process, against its second call: what a run pays once on top (lazy
set-up such as compiling CSS selectors; imports are not counted). The baseline, on the
same article pages and timed the same way: ``trafilatura.extract`` (best of fewer
passes: it is slow). Results go to benchmarks/results/extract_speed.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidaily.ingest.mirror import url_to_relpath
from benchmarks.synth import DAY, write_day
from sources import site_source

RESULTS = ROOT / "benchmarks" / "results" / "extract_speed.json"
HOSTS = {"www.ithome.com": "ithome", "www.qbitai.com": "qbitai", "ai.hubtoday.app": "hubtoday",
         "raw.githubusercontent.com": "hubtoday"}


def pages(root: Path, urls: list[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(source, "article" | "listing") → [(url, text)] of the synthetic day."""
    day = date.fromisoformat(DAY)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for url in urls:
        name = HOSTS[url.split("/")[2]]
        source = site_source(name)
        kind = "listing" if url in (*source.listing_urls(day), *source.backfill_urls(day)) \
            else "article"
        text = (root / url_to_relpath(url)).read_text(encoding="utf-8")
        groups.setdefault((name, kind), []).append((url, text))
    return groups


def call(name: str, kind: str, url: str, text: str) -> None:
    source = site_source(name)
    if kind == "listing":
        source.parse_listing(url, text)
    else:
        source.parse_article(url, text)


def warm_ms(name: str, kind: str, items: list[tuple[str, str]], repeat: int) -> float:
    for url, text in items[:3]:
        call(name, kind, url, text)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for url, text in items:
            call(name, kind, url, text)
        best = min(best, time.perf_counter() - started)
    return best / len(items) * 1000


def trafilatura_ms(items: list[tuple[str, str]], repeat: int) -> float:
    """trafilatura's time per article page, the same way as ``warm_ms``."""
    import trafilatura

    for url, text in items[:3]:
        trafilatura.extract(text, url=url, include_comments=False)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for url, text in items:
            trafilatura.extract(text, url=url, include_comments=False)
        best = min(best, time.perf_counter() - started)
    return best / len(items) * 1000


def first_call(root: str, name: str, kind: str) -> dict[str, float]:
    """In this (fresh) process: the first and the second call on one page, in ms."""
    urls = [url for url in json.loads(Path(root, "urls.json").read_text())
            if HOSTS[url.split("/")[2]] == name]
    url, text = next((u, t) for u, t in pages(Path(root), urls)[(name, kind)]
                     if kind == "article" or "<html" in t[:300].lower())  # an HTML listing
    site_source(name)  # the adapter's imports are not what is measured
    times = []
    for _ in range(2):
        started = time.perf_counter()
        call(name, kind, url, text)
        times.append((time.perf_counter() - started) * 1000)
    return {"first_ms": round(times[0], 2), "second_ms": round(times[1], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ithome", type=int, default=300)
    parser.add_argument("--qbitai", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5, help="warm passes (best is kept)")
    parser.add_argument("--first-call", nargs=3, metavar=("ROOT", "SOURCE", "KIND"),
                        help=argparse.SUPPRESS)  # the fresh process of first_call()
    args = parser.parse_args(argv)
    if args.first_call:
        print(json.dumps(first_call(*args.first_call)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        synth = write_day(tmp, ithome=args.ithome, qbitai=args.qbitai)
        Path(tmp, "urls.json").write_text(json.dumps(synth.files))
        for (name, kind), items in sorted(pages(Path(tmp), synth.files).items()):
            row = {"source": name, "kind": kind, "pages": len(items),
                   "warm_ms_per_page": round(warm_ms(name, kind, items, args.repeat), 3)}
            if kind == "article":
                row["trafilatura_ms_per_page"] = round(
                    trafilatura_ms(items, max(1, args.repeat // 2)), 3)
            if kind == "article" or name in ("qbitai", "hubtoday"):
                out = subprocess.run([sys.executable, __file__, "--first-call", tmp, name, kind],
                                     check=True, capture_output=True, text=True).stdout
                row.update(json.loads(out))
            rows.append(row)
    print(f"synthetic day: {args.ithome} ithome + {args.qbitai} qbitai articles, "
          f"best of {args.repeat} warm passes\n")
    print(f"{'source':<10}{'kind':<9}{'pages':>6}{'ms/page':>10}{'1st call':>10}{'2nd call':>10}"
          f"{'trafilatura':>13}")
    for row in rows:
        first = f"{row['first_ms']:>10.1f}{row['second_ms']:>10.1f}" if "first_ms" in row \
            else " " * 20
        baseline = f"{row['trafilatura_ms_per_page']:>13.2f}" if "trafilatura_ms_per_page" in row \
            else ""
        print(f"{row['source']:<10}{row['kind']:<9}{row['pages']:>6}"
              f"{row['warm_ms_per_page']:>10.2f}{first}{baseline}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"ithome": args.ithome, "qbitai": args.qbitai,
                                   "repeat": args.repeat, "results": rows}, indent=2) + "\n")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
