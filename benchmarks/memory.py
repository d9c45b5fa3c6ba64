"""The blog as the memory: reading a blog of 300 posts, first and on a re-run.

A blog of ``--posts`` (default 300) posts of the series, one a day, under ``pages/`` with
the blog's own file names (``<day before>-<uuid>.md``, front-matter date the day after),
made from the REAL archive (``tests/fixtures/aidaily/``: 208 issues, every layout) in
turn, plus ``--others`` (default 60) pages of other categories. ``[publish] dir`` is the
blog.

Measured, each ``--repeat`` times (best of), with the load printed:

- **baseline**: reading every file's bytes and hashing them (what any re-run must do to
  know what changed: the floor);
- **first**: ``memory.issues.recent_issues`` for the day after the last post on a new
  home (no index cache, an empty store): every front matter read, the last
  ``memory_days`` posts read into the store;
- **re-run**: the same call again (the select stage, the write stage and the up-to-date
  check each make it once per run): nothing changed, nothing read but the bytes;
- **one post edited**: a re-run after the newest post changed (its front matter read
  again, its issue stored again).

Target (issue 18): the re-run under 1 s. Prints a table and writes
``benchmarks/results/memory.json``.

    python benchmarks/memory.py [--posts 300] [--others 60] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidaily.config import Settings, load_settings  # noqa: E402
from aidaily.memory.blog import cache_path  # noqa: E402
from aidaily.memory.issues import recent_issues  # noqa: E402
from benchmarks.day import best, load_average, write_results  # noqa: E402

ARCHIVE = ROOT / "tests" / "fixtures" / "aidaily"
FIRST_DAY = date(2025, 10, 1)
LIMIT_S = 1.0


def make_blog(home: Path, posts: int, others: int) -> date:
    """The blog under ``home/blog``; returns the date after its last post."""
    real = [p.read_text(encoding="utf-8") for p in sorted(ARCHIVE.glob("ai-daily-*.md"))]
    pages = home / "blog" / "pages"
    pages.mkdir(parents=True)
    rng = uuid.UUID(int=7)
    for n in range(posts):
        day = FIRST_DAY + timedelta(days=n)
        text = real[n % len(real)]
        start = text.index("\ndate: ") + 7
        text = text[:start] + day.isoformat() + text[text.index("\n", start):]
        name = f"{(day - timedelta(days=1)).isoformat()}-{uuid.UUID(int=rng.int + n)}.md"
        (pages / name).write_text(text, encoding="utf-8")
    notes = home / "blog" / "posts"
    notes.mkdir()
    for n in range(others):
        (notes / f"note-{n}.md").write_text(
            f"---\ntitle: 笔记 {n}\ndate: 2026-01-{n % 28 + 1:02d}\ncategory: 随笔\n---\n# 笔记 {n}\n\n" + "正文。" * 400,
            encoding="utf-8")
    (home / "aidaily.toml").write_text('[publish]\ndir = "blog"\n', encoding="utf-8")
    return FIRST_DAY + timedelta(days=posts)


def read_every_file(settings: Settings) -> int:
    """The baseline: every markdown file's bytes, hashed."""
    count = 0
    for folder, _, files in os.walk(settings.publish_dir):
        for file in files:
            if file.endswith(".md"):
                hashlib.sha256((Path(folder) / file).read_bytes()).hexdigest()
                count += 1
    return count


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description="reading a blog of N posts as the memory")
    p.add_argument("--posts", type=int, default=300)
    p.add_argument("--others", type=int, default=60)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        home = Path(tmp) / "home"
        os.environ["AIDAILY_HOME"] = str(home)
        day = make_blog(home, args.posts, args.others)
        settings = load_settings(home)
        files = read_every_file(settings)
        baseline = best(lambda: read_every_file(settings), args.repeat)

        started = time.perf_counter()
        memory = recent_issues(settings, day)
        first = time.perf_counter() - started
        assert len(memory.issues) == settings.digest.memory_days and cache_path(settings).is_file()
        rerun = best(lambda: recent_issues(settings, day), args.repeat)

        newest = sorted((home / "blog" / "pages").glob("*.md"))[-1]
        edits = []
        for n in range(args.repeat):
            newest.write_text(newest.read_text(encoding="utf-8") + f"\n<!-- edit {n} -->\n", encoding="utf-8")
            edits.append(best(lambda: recent_issues(settings, day), 1))
        edited = min(edits)
    res = {
        "posts": args.posts, "other_pages": args.others, "files": files, "memory_days": settings.digest.memory_days,
        "baseline_read_and_hash_s": round(baseline, 3),
        "first_s": round(first, 3),
        "rerun_s": round(rerun, 3),
        "rerun_over_baseline": round(rerun / baseline, 1) if baseline else None,
        "one_post_edited_s": round(edited, 3),
        "load_before": load_before, "load_after": load_average(),
        "targets": {"re-run reading the blog (s)": {"value": round(rerun, 3), "limit": LIMIT_S,
                                                    "met": rerun < LIMIT_S}},
    }
    print(f"blog of {args.posts} posts + {args.others} other pages ({files} files), memory_days "
          f"{settings.digest.memory_days}; load {res['load_before']}")
    print(f"  baseline (read + hash every file) {res['baseline_read_and_hash_s']:>7.3f} s")
    print(f"  first read (no cache, empty store) {res['first_s']:>7.3f} s")
    print(f"  re-run                             {res['rerun_s']:>7.3f} s  "
          f"({res['rerun_over_baseline']}× the baseline; limit {LIMIT_S} s)")
    print(f"  re-run, newest post edited         {res['one_post_edited_s']:>7.3f} s")
    write_results(res, "memory.json")
    return res


if __name__ == "__main__":
    sys.exit(0 if main()["targets"]["re-run reading the blog (s)"]["met"] else 1)
