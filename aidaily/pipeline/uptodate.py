"""Is a date's draft up to date? Then a re-run of that date has nothing to do.

A complete run (exit 0) records the inputs its draft was made from (``inputs``):

- what each listing URL served: the sha256 of the body, and of what it lists (the entries
  and finished articles its adapter parses out of it); or that it does not exist (HTTP 404
  or 410, e.g. a date archive page a site does not have: ``ABSENT_STATUSES``);
- the day's stored articles (sha256 over URL and content hash of each in the window);
- what shapes the draft besides: the settings (secrets left out), the prompt templates,
  aidaily's own code, model or extractive;
- the draft it wrote (the hash ``Drafts`` keeps);
- the earlier issues its stories were compared with (``aidaily.memory``: an edit or a
  publication of one of them may change what the date runs).

A later run for the date first reads the listings again — conditional GETs, as the full
run would — and compares (``check``): the same bytes (a 304 gives the archived ones) are
the same listing; other bytes are parsed, and list the same when only volatile markup
changed (a feed's ``lastBuildDate``, a page's build hash); a listing that answers the
same 404 or 410 as at the last run is unchanged too. Nothing changed and the draft (and the
cover made for it) still there: the run is *up to date* and does nothing more (no Prefect flow run, no parsing, no
LLM call). Any difference (a listing that was absent and answers now, or answers another
status), a listing that cannot be read, or a last run that was not complete means a full
run. ``aidaily run --refetch / --rewrite / --offline / --no-skip-unchanged`` never
take this shortcut.

Plain functions over the store (``Store.last_run`` / ``content_hashes`` / ``start_run`` /
``finish_run``: the one set of queries), the drafts and one ``Fetcher``: no Prefect, no
openai.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sources
from aidaily.config import PROJECT_ROOT, Settings
from aidaily.errors import FetchError
from aidaily.ingest.archive import Archive
from aidaily.ingest.fingerprint import body_hash, hash_parts, listing_fingerprint
from aidaily.memory.issues import recent_issues
from aidaily.store.drafts import Drafts
from aidaily.store.store import Store
from aidaily.stories.window import window_for
from sources import is_past

#: Status of a run that found its date up to date (not a baseline for the next check).
UNCHANGED = "unchanged"
#: aidaily's own code: a change to it may change the draft.
CODE_DIRS = ("aidaily", "sources", "flows")
#: Statuses saying a listing does not exist (not that it failed): the same one again is
#: the same listing. Any other failure (5xx, 403, a timeout) may hide new content.
ABSENT_STATUSES = frozenset({404, 410})


@dataclass
class Verdict:
    """``up_to_date`` with the run it matches, or the reason a full run is needed."""

    up_to_date: bool
    reason: str
    run: dict[str, Any] | None = None  # the last complete run (when up to date)
    listings: dict[str, str] = field(default_factory=dict)
    draft: str | None = None  # the current draft file (when up to date)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The hash of aidaily's Python code (the package, the sources, the flows)."""
    digest = hashlib.sha256()
    for name in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / name).rglob("*.py")):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prompts_fingerprint(settings: Settings) -> str:
    """The prompt templates in use (the home's own, or the shipped ones): names and text."""
    return hash_parts(*(
        hash_parts(path.name, path.read_text(encoding="utf-8", errors="replace"))
        for path in sorted(settings.prompts_dir.glob("*")) if path.is_file()
    ))


def settings_fingerprint(settings: Settings, use_llm: bool) -> str:
    """What shapes the draft besides the articles: settings, prompts, code, model or not."""
    data = settings.model_dump(mode="json", exclude={"home": True, "llm": {"api_key"}})
    data["llm_in_use"] = bool(use_llm and settings.llm.configured)
    return hash_parts(json.dumps(data, sort_keys=True, ensure_ascii=False), prompts_fingerprint(settings),
                code_fingerprint())


def articles_fingerprint(store: Any, day: date, settings: Settings) -> str:
    """The day's stored articles: URL and content hash of each one in the window."""
    rows = store.content_hashes(window_for(day, settings.window.hours, settings.window.timezone))
    return hash_parts(*(f"{url} {digest}" for url, digest in rows))


def inputs(settings: Settings, use_llm: bool, day: date, *, articles: str, listings: dict[str, str],
           listed: dict[str, str], requests: list[list[Any]], draft_hash: str | None,
           memory: str = "", failed: dict[str, int] | None = None) -> dict[str, Any]:
    """What a complete run records (``runs.stats.inputs``) for the next ``check``.

    ``articles`` is the ``articles_fingerprint`` taken when the stories were selected;
    ``listings`` / ``listed`` the ``body_hash`` / ``listing_fingerprint`` of each listing
    URL read; ``failed`` the HTTP status of each listing that answered an error (those in
    ``ABSENT_STATUSES`` are kept as ``absent``); ``requests`` the listing requests the run
    made, ``[url, source, user_agent]`` each;
    ``memory`` the ``memory.issues.Memory.fingerprint`` of the earlier issues.
    """
    return {
        "settings": settings_fingerprint(settings, use_llm),
        "articles": articles,
        "listings": dict(sorted(listings.items())),
        "listed": dict(sorted(listed.items())),
        "absent": {url: status for url, status in sorted((failed or {}).items())
                   if status in ABSENT_STATUSES},
        # The listing URLs follow from the settings, the code, the date and whether its
        # night has passed (``sources.listing_urls_for``): with all four the same, the
        # check replays these requests without loading the adapters.
        "requests": requests,
        "past": is_past(day, settings.window.timezone),
        "draft": draft_hash,
        "memory": memory,
    }


def listing_requests(settings: Settings, day: date) -> list[list[Any]]:
    """``[url, source, user_agent]`` of every listing the enabled sources read for ``day``."""
    out: list[list[Any]] = []
    for source in sources.build_sources(settings):
        urls, _backfill = sources.listing_urls_for(source, day, settings.window.timezone)
        out += [[url, source.name, source.user_agent] for url in urls]
    return out


async def served_listings(settings: Settings, day: date, fetcher: Any = None,
                          requests: list[list[Any]] | None = None) -> dict[str, tuple[str, Any]]:
    """``{url: (source, FetchResult or FetchError)}``: what the listings serve now, or why
    they cannot be read; ``requests`` (``[url, source, user_agent]`` each, default
    ``listing_requests(settings, day)``) made again."""
    requests = requests if requests is not None else listing_requests(settings, day)
    own = fetcher is None
    if fetcher is None:
        # deferred: httpx, rich, pygments, only when this runs (`aidaily fetch`, `prompt`, … load
        # the module)
        from aidaily.ingest.fetch import Fetcher

        fetcher = Fetcher(settings.fetch, archive=Archive(settings.archive_dir))

    async def one(url: str, source: str, agent: str | None) -> Any:
        try:
            return await fetcher.fetch(url, source=source, user_agent=agent)
        except FetchError as exc:
            return exc

    try:
        results = await asyncio.gather(*(one(url, source, agent) for url, source, agent in requests))
        return {url: (source, result) for (url, source, _), result in zip(requests, results)}
    finally:
        if own:
            await fetcher.aclose()


def _lists_the_same(settings: Settings, url: str, source: str, result: Any, recorded: dict[str, Any]) -> bool:
    """Does a listing whose bytes changed still list what it listed at the last run?"""
    expected = (recorded.get("listed") or {}).get(url)
    if expected is None:
        return False
    try:
        listing = sources.get_source(source, settings).parse_listing(url, result.text)
    except Exception:  # noqa: BLE001 - unparsable now: not the same; the full run will say why
        return False
    return listing_fingerprint(listing) == expected


async def check(settings: Settings, day: date, use_llm: bool, *, store: Any = None,
                fetcher: Any = None) -> Verdict:
    """Compare the date's inputs now with those of its last complete run; ``store`` is
    an ``aidaily.store.store.Store`` (default: ``open_runs(settings)``)."""
    store = store or open_runs(settings)
    last = store.last_run(day, "run", skip=("running", UNCHANGED))
    if last is None:
        return Verdict(False, "no earlier run of this date")
    recorded = (last.get("stats") or {}).get("inputs")
    if last["status"] != "ok" or not recorded:
        return Verdict(False, f"the last run of this date ended '{last['status']}'")
    if settings_fingerprint(settings, use_llm) != recorded.get("settings"):
        return Verdict(False, "settings, prompts or aidaily's code changed since the last run")
    drafts = Drafts(settings.drafts_dir)
    current = drafts.current_path(day.isoformat())
    if not current.is_file():
        return Verdict(False, "the draft file is gone")
    # Bytes, not text: an undecodable draft is for the run to report, not this check.
    if settings.cover.url(day).encode() in current.read_bytes() and not settings.cover_file(day).is_file():
        return Verdict(False, "the cover file is gone")
    if drafts.last_written(day.isoformat()) != recorded.get("draft"):
        return Verdict(False, "another draft was written since the last run")
    if articles_fingerprint(store, day, settings) != recorded.get("articles"):
        return Verdict(False, "the stored articles of the day changed since the last run")

    if recent_issues(settings, day, store).fingerprint != recorded.get("memory", ""):
        return Verdict(False, "an earlier issue changed since the last run (the stories it ran)")
    same_urls = recorded.get("past") == is_past(day, settings.window.timezone) and recorded.get("requests")
    served = await served_listings(settings, day, fetcher, recorded["requests"] if same_urls else None)
    reason = listings_changed(settings, served, recorded)
    listings = {url: body_hash(result.body) for url, (_, result) in served.items()
                if not isinstance(result, FetchError)}
    if reason:
        return Verdict(False, reason, listings=listings)
    return Verdict(True, f"nothing changed since run {last['id']}", run=last, listings=listings,
                   draft=str(drafts.current_path(day.isoformat())))


def listings_changed(settings: Settings, served: dict[str, tuple[str, Any]],
                      recorded: dict[str, Any]) -> str | None:
    """Why the listings ``served`` now differ from those of the recorded run (None: they
    do not). A listing absent then (404/410) is the same when it answers the same status."""
    before = recorded.get("listings") or {}
    absent = recorded.get("absent") or {}
    for url, (_, result) in served.items():
        if not isinstance(result, FetchError):
            continue
        if result.status in ABSENT_STATUSES and absent.get(url) == result.status:
            continue  # still absent
        if url in absent:
            return f"a listing absent at the last run (HTTP {absent[url]}) now: {result.message}"
        return f"a listing could not be read ({result.message})"
    if set(served) != set(before) | set(absent):
        return "the sources' listing URLs changed since the last run"
    for url, (source, result) in served.items():
        if isinstance(result, FetchError):
            continue  # absent, as at the last run
        if url in absent:
            return f"a listing absent at the last run (HTTP {absent[url]}) serves a page now ({url})"
        changed = body_hash(result.body) != before[url]
        if changed and not _lists_the_same(settings, url, source, result, recorded):
            return f"the sources serve something new ({url})"
    return None


def record_unchanged(store: Any, day: date, verdict: Verdict, report: dict[str, Any]) -> str:
    """Note a run that found ``day`` up to date (a ``runs`` row of its own, for the record;
    never the baseline of a later check)."""
    run_id: str = store.start_run(day, "run")
    store.finish_run(run_id, UNCHANGED, {**report, "up_to_date_with": (verdict.run or {}).get("id")})
    return run_id


def open_runs(settings: Settings) -> Store:
    """What ``check`` reads and ``record_unchanged`` writes: the ``Store`` of ``settings``
    (opening it brings its database to the schema's head)."""
    return Store.from_settings(settings)
