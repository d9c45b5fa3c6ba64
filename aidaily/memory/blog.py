"""The blog as the memory: every post of the series under ``[publish] dir``.

When ``[publish] dir`` is a blog's content folder, it holds the issues the house ran,
whoever wrote them and whatever their file names (``pages/2026-01-19-<uuid>.md`` dated
2026-01-20, ``ai-daily-2026-01-20.md``): a post of the series is a markdown file
anywhere below the folder whose front matter says ``category`` = ``[digest] category``
(or lists it in ``categories``) and has a ``date``, without the draft marker. Its date
is the front matter's (the issue's date, not the file name's). Hidden folders, the
drafts folder and the raw-response archive hold no posts.

Finding them means reading every file's front matter. A re-run reads only what
changed: each file's sha256 (of its bytes, always computed: cheap next to YAML) keys
what its front matter said, in a cache file of the home (``.cache/blog-posts.json``).
The cache is only an index of the files: deleting it costs one slower run, and a file
that cannot be written leaves the run as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidaily.atomic import atomic_write_text
from aidaily.errors import DigestParseError
from aidaily.format.digest import DRAFT_KEY

if TYPE_CHECKING:
    from aidaily.config import Settings

__all__ = ["MAX_POST_BYTES", "Post", "cache_path", "series_posts"]

POST_SUFFIXES = (".md", ".markdown")
MAX_POST_BYTES = 2 * 1024 * 1024  # a post is ~20 kB; a bigger file is not one (and is not read)
CACHE_VERSION = 1


@dataclass(frozen=True)
class Post:
    """One post of the series in the blog."""

    path: Path
    name: str  # its path under [publish] dir, as an editor finds it ("pages/2026-01-19-….md")
    day: date  # the issue's date (front matter)
    sha256: str  # of its bytes


def cache_path(settings: Settings) -> Path:
    """The index of the blog's files: path -> sha256 and what the front matter said."""
    return settings.home / ".cache" / "blog-posts.json"


def series_posts(settings: Settings) -> dict[date, list[Post]]:
    """The posts of the series under ``[publish] dir``, by date (each date's posts in
    the order of their names)."""
    root = settings.publish_dir
    if not root.is_dir():
        return {}
    cache = _load_cache(settings)
    known: dict[str, Any] = cache.get("files", {}) if cache.get("root") == str(root) else {}
    seen: dict[str, dict[str, str | None]] = {}
    by_day: dict[date, list[Post]] = defaultdict(list)
    for path in _candidates(settings, root):
        try:
            data = path.read_bytes()
        except OSError:
            continue  # vanished or unreadable: not a post this run
        name = path.relative_to(root).as_posix()
        sha = hashlib.sha256(data).hexdigest()
        entry = known.get(name)
        if not (isinstance(entry, dict) and entry.get("sha256") == sha and _valid_day(entry.get("day"))):
            entry = {"sha256": sha, "day": _issue_day(data, settings.digest.category)}
        seen[name] = entry
        if entry["day"] is not None:
            day = date.fromisoformat(entry["day"])
            by_day[day].append(Post(path, name, day, sha))
    if seen != known or cache.get("root") != str(root):
        _save_cache(settings, {"version": CACHE_VERSION, "root": str(root), "files": seen})
    return {day: sorted(posts, key=lambda p: p.name) for day, posts in sorted(by_day.items())}


def _candidates(settings: Settings, root: Path) -> list[Path]:
    """The markdown files below ``root``: not in hidden folders (``.git``), the drafts
    folder or the raw-response archive, nor too big to be a post."""
    suffixes = {*POST_SUFFIXES, Path(settings.publish.filename).suffix.lower()} - {""}
    # The home's own folders, should the blog be the home or hold it: drafts are no posts,
    # the archive of raw responses is no blog.
    skip = {settings.drafts_dir.resolve(), settings.archive_dir.resolve()}
    out = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() not in skip)
        for file in sorted(files):
            path = here / file
            if file.startswith(".") or path.suffix.lower() not in suffixes:
                continue
            try:
                if path.is_file() and path.stat().st_size <= MAX_POST_BYTES:
                    out.append(path)
            except OSError:
                continue
    return out


def _issue_day(data: bytes, category: str) -> str | None:
    """The date (``YYYY-MM-DD``) of the issue ``data`` is, when it is a post of the series."""
    # Imported here: the format (YAML, the house model) is loaded for a file the index does
    # not know, never on a re-run over an unchanged blog (the up-to-date check's case).
    from aidaily.format.front_matter import front_matter_of

    try:
        front_matter = front_matter_of(data.decode("utf-8"))
    except (UnicodeDecodeError, DigestParseError):
        return None  # not text, or no front matter: a page of another kind
    if not _in_category(front_matter, category) or front_matter.get(DRAFT_KEY) is True:
        return None
    try:
        return date.fromisoformat(str(front_matter.get("date", "")).strip()[:10]).isoformat()
    except ValueError:
        return None


def _in_category(front_matter: dict[str, Any], category: str) -> bool:
    """``category: AI 日报`` (the house's), or the category among ``categories`` (Hexo's
    and Hugo's list)."""
    if str(front_matter.get("category", "")).strip() == category:
        return True
    listed = front_matter.get("categories")
    values = listed if isinstance(listed, list) else [listed]
    return any(isinstance(v, str) and v.strip() == category for v in values)


def _valid_day(value: object) -> bool:
    """A cached date as ``_issue_day`` wrote it (a damaged cache is read anew)."""
    if value is None:
        return True
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _load_cache(settings: Settings) -> dict[str, Any]:
    try:
        data = json.loads(cache_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}


def _save_cache(settings: Settings, data: dict[str, Any]) -> None:
    try:
        atomic_write_text(cache_path(settings), json.dumps(data, ensure_ascii=False, sort_keys=True))
    except OSError:
        pass  # a home that cannot be written keeps working, only slower next time
