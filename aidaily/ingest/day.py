"""Ingest one digest date: listings → article pages → clean articles in the store.

``fetch_day(settings, day)`` runs every enabled source concurrently. Per source:

1. read its listing URLs for the day (plus ``backfill_urls`` for a past date, see
   ``sources.is_past``) — from the network, or from the archive alone with ``offline=True``;
2. parse them (``Source.parse_listing``): entries to fetch, or finished articles
   (hubtoday). Listings are merged in the adapter's order and the first one to name a
   URL wins, so a fallback listing (hubtoday's rendered page after its markdown) never
   overrides the primary one;
3. fetch the pages of entries that are near the date window and not in the store yet
   ("fetches nothing it already has"; offline mode re-extracts them all);
4. extract (``Source.parse_article``), decide AI relevance, upsert.

Grouping the stored articles into stories is the select stage's
(``aidaily.pipeline.stages.select_stories``), once per run. Every failure — refused connection, 5xx, 429, timeout, oversize,
malformed feed, changed layout, even an adapter bug — is recorded for its source and URL
(a ``fetch_attempts`` row and a line in the report) and the rest of the day goes on.

Relevance and the window live in ``aidaily.stories.select``; the two small functions
``ai_relevant`` and ``in_window`` below are the only places here that call it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sources as registry
from aidaily.config import Settings
from aidaily.errors import AidailyError, FetchError, RobotsDisallowed
from aidaily.exitcodes import STATUS, ExitCode, outcome
from aidaily.ingest.archive import Archive, record
from aidaily.ingest.fetch import Fetcher, FetchResult
from aidaily.ingest.fingerprint import body_hash, listing_fingerprint
from aidaily.models import Article, FeedEntry
from aidaily.store.store import Attempt, Store, day_window
from aidaily.stories.select import AI_ONLY_SOURCES, stored_relevance
from aidaily.stories.select import in_window as select_in_window
from aidaily.text import html_to_text
from sources import listing_urls_for

if TYPE_CHECKING:
    from sources.base import Listing, Source

# Feed entries dated this far outside the window are not fetched (feed and page times
# can disagree a little, e.g. a feed in GMT rounded to the minute, an edited article).
ENTRY_MARGIN = timedelta(hours=2)
# Feed text shorter than this is a teaser: AI relevance is then decided on the page.
PREFILTER_MIN_CHARS = 200


# Report ------------------------------------------------------------------------------------


@dataclass
class ItemFailure:
    url: str
    reason: str
    status: int | None = None
    stage: str = "article"  # listing | article


@dataclass
class SourceReport:
    """What one source yielded for the day, and what it could not reach."""

    name: str
    listing_tried: list[str] = field(default_factory=list)
    listing_reached: list[str] = field(default_factory=list)
    listing_failed: dict[str, str] = field(default_factory=dict)
    listing_status: dict[str, int] = field(default_factory=dict)  # url -> HTTP status of a failed one
    listing_hashes: dict[str, str] = field(default_factory=dict)  # url -> sha256 of what it served
    listing_listed: dict[str, str] = field(default_factory=dict)  # url -> what it lists (uptodate)
    user_agent: str | None = None  # sent to this source (None: the configured one)
    backfill: bool = False  # backfill URLs were read (a past date)
    seen: int = 0  # distinct entries + finished articles the listings gave
    in_window: int = 0  # articles of the day's window (stored or not new)
    new: int = 0
    updated: int = 0
    known: int = 0  # pages not fetched: already in the store
    out_of_window: int = 0  # entries not fetched: dated outside the window
    not_ai: int = 0  # entries not fetched: their feed text shows they are not about AI
    robots_skipped: list[str] = field(default_factory=list)  # pages robots.txt disallows: not fetched
    failed: list[ItemFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reached(self) -> bool:
        return bool(self.listing_reached)

    @property
    def ok(self) -> bool:
        """Reached at least one listing and no article failed."""
        return self.reached and not self.failed

    def summary(self) -> str:
        """One line on what could and could not be reached."""
        parts = [f"reached {len(self.listing_reached)}/{len(self.listing_tried)} listing URL(s)"]
        parts += [f"not reached {url} ({why})" for url, why in self.listing_failed.items()]
        return "; ".join(parts + self.notes)


@dataclass
class FetchReport:
    day: date
    run_id: str | None = None
    offline: bool = False
    sources: dict[str, SourceReport] = field(default_factory=dict)
    stories: int = 0
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return sum(r.seen for r in self.sources.values())

    @property
    def partial(self) -> bool:
        """Some source or article failed (the rest was fetched)."""
        return any(not r.ok for r in self.sources.values())

    @property
    def exit_code(self) -> ExitCode:
        """``aidaily.exitcodes``: 0 all fine, 2 partial failure, 1 nothing fetched at all."""
        return outcome(produced=self.seen > 0, failures=self.partial)

    @property
    def status(self) -> str:
        return STATUS[self.exit_code]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["partial"], out["exit_code"] = self.partial, int(self.exit_code)
        return out


@dataclass
class ProgressEvent:
    """Sent to the ``progress`` callback: ``stage`` is listing | pages | done."""

    source: str
    stage: str
    done: int = 0
    total: int = 0


Progress = Callable[[ProgressEvent], None]


# Hooks into selection / dedup ------------------------------------------------------------


def ai_relevant(article: Article, keywords: list[str]) -> bool | None:
    """Is ``article`` AI news? True / False, or None for a borderline article that
    selection decides (``aidaily.stories.select.stored_relevance``). Digest-only sources
    (qbitai, hubtoday) always are."""
    return stored_relevance(article, keywords)


def in_window(article: Article, day: date, settings: Settings) -> bool:
    """Is ``article`` in the window of the digest dated ``day``? (undated: no)."""
    return select_in_window(article, day_window(day, settings.window.hours, settings.window.timezone))


# Reading: network or archive --------------------------------------------------------------


class _Reader(Protocol):
    async def fetch(self, url: str, *, source: str, user_agent: str | None = None) -> FetchResult: ...

    async def archived(self) -> None:
        """Every response read so far is in the archive."""


class _ArchiveReader:
    """Offline mode: every "fetch" is the archive's latest good response, no network."""

    def __init__(self, archive: Archive, record_dir: Path | None) -> None:
        self.archive = archive
        self.record_dir = record_dir

    async def fetch(self, url: str, *, source: str, user_agent: str | None = None) -> FetchResult:
        result = self.archive.get(url)
        if self.record_dir is not None:
            record(result, self.record_dir)  # fixtures can be made from an archive too
        return result

    async def archived(self) -> None:
        """Nothing is written: what is read is in the archive already."""


# The day -----------------------------------------------------------------------------------


async def fetch_day(
    settings: Settings,
    day: date,
    *,
    sources: Iterable[str] | None = None,
    offline: bool = False,
    record_dir: Path | None = None,
    progress: Progress | None = None,
    adapters: list[Source] | None = None,
    store: Store | None = None,
    fetcher: Fetcher | None = None,
    refetch: bool = False,
) -> FetchReport:
    """Fetch, extract and store the articles of the digest dated ``day``.

    ``sources`` restricts to these adapter names (disabled ones may be named);
    ``adapters`` injects ready adapter objects (tests); ``store`` / ``fetcher`` may be
    injected too. ``refetch`` reads article pages again even when they are stored. Grouping
    the day's stories is the select stage's (``aidaily.pipeline.stages``), once per run.
    Never raises for a source or URL failure: see the report.

    Raises:
        ConfigError: an unknown source name.
        StoreError: the database cannot be opened or written.
    """
    started = time.monotonic()
    chosen = adapters if adapters is not None else _adapters(settings, sources)
    store = store or Store.from_settings(settings)
    archive = Archive(settings.archive_dir)
    report = FetchReport(day=day, offline=offline)
    report.run_id = store.start_run(day, "fetch-offline" if offline else "fetch")
    own_fetcher = fetcher is None and not offline
    reader: _Reader = (
        _ArchiveReader(archive, record_dir)
        if offline
        else fetcher or Fetcher(settings.fetch, archive=archive, record_dir=record_dir)
    )
    try:
        job = _DayJob(settings, day, store, reader, report, progress, refetch)
        await asyncio.gather(*(job.run_source(source) for source in chosen))
    finally:
        if own_fetcher:
            await reader.aclose()  # type: ignore[attr-defined]
        report.seconds = round(time.monotonic() - started, 3)
        store.finish_run(report.run_id, report.status, report.to_dict())
    return report


def _adapters(settings: Settings, names: Iterable[str] | None) -> list[Source]:
    if names is None:
        return registry.build_sources(settings)
    return [registry.get_source(name, settings) for name in dict.fromkeys(names)]


@dataclass
class _DayJob:
    settings: Settings
    day: date
    store: Store
    reader: _Reader
    report: FetchReport
    progress: Progress | None
    refetch: bool = False  # read pages again even when stored (``aidaily run --refetch``)

    def __post_init__(self) -> None:
        start, end = day_window(self.day, self.settings.window.hours, self.settings.window.timezone)
        self.entry_window = (start - ENTRY_MARGIN, end + ENTRY_MARGIN)

    def _tick(self, source: str, stage: str, done: int = 0, total: int = 0) -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(source, stage, done, total))

    async def run_source(self, source: Source) -> None:
        """Everything for one source; whatever happens, it ends with a report entry."""
        rep = self.report.sources[source.name] = SourceReport(source.name, user_agent=source.user_agent)
        started = time.monotonic()
        attempts: list[Attempt] = []
        try:
            entries, articles = await self._listings(source, rep, attempts)
            articles += await self._pages(source, entries, rep, attempts)
            # nothing stored before the responses it comes from are archived: an offline
            # re-run of the day must find every one
            await self.reader.archived()
            self._store(source, articles, rep)
        except Exception as exc:  # noqa: BLE001 - this source failed (store, adapter), not the day
            rep.failed.append(ItemFailure("", _reason(exc), stage="source"))
        finally:
            rep.seconds = round(time.monotonic() - started, 3)
            self._record(source, rep, attempts)
            self._tick(source.name, "done")

    # Listings ----------------------------------------------------------------------------

    async def _listings(
        self, source: Source, rep: SourceReport, attempts: list[Attempt]
    ) -> tuple[list[FeedEntry], list[Article]]:
        urls, rep.backfill = listing_urls_for(source, self.day, self.settings.window.timezone)
        rep.listing_tried = urls
        self._tick(source.name, "listing", 0, len(urls))
        results = await asyncio.gather(*(self._get(source, url, "listing", attempts) for url in urls))
        entries: dict[str, FeedEntry] = {}
        articles: dict[str, Article] = {}
        for url, result in zip(urls, results):
            listing = self._parse_listing(source, url, result, rep, attempts)
            if listing is None:
                continue
            rep.listing_reached.append(url)
            rep.listing_hashes[url] = body_hash(result.body)  # type: ignore[union-attr]
            rep.listing_listed[url] = listing_fingerprint(listing)
            for entry in listing.entries:
                entries.setdefault(entry.url, entry)  # the first listing naming a URL wins
            for article in listing.articles:
                articles.setdefault(article.url, article)
        self._tick(source.name, "listing", len(urls), len(urls))
        rep.seen = len(entries) + len(articles)
        return list(entries.values()), list(articles.values())

    def _parse_listing(
        self, source: Source, url: str, result: FetchResult | FetchError, rep: SourceReport,
        attempts: list[Attempt],
    ) -> Listing | None:
        if isinstance(result, FetchError):
            rep.listing_failed[url] = result.message
            if result.status is not None:
                rep.listing_status[url] = result.status
            return None
        try:
            return source.parse_listing(url, result.text)
        except Exception as exc:  # noqa: BLE001 - an adapter failure is this URL's, not the day's
            reason = _reason(exc)
            rep.listing_failed[url] = reason
            attempts.append(Attempt(url, source.name, "listing", result.status, reason, result.elapsed))
            return None

    # Pages -------------------------------------------------------------------------------

    async def _pages(
        self, source: Source, entries: list[FeedEntry], rep: SourceReport, attempts: list[Attempt]
    ) -> list[Article]:
        wanted = self._wanted(source, entries, rep)
        total = len(wanted)
        done = 0
        self._tick(source.name, "pages", 0, total)

        async def one(entry: FeedEntry) -> Article | None:
            nonlocal done
            result = await self._get(source, entry.url, "article", attempts)
            article = self._parse_article(source, entry, result, rep, attempts)
            done += 1
            self._tick(source.name, "pages", done, total)
            return article

        parsed = await asyncio.gather(*(one(entry) for entry in wanted))
        if rep.robots_skipped:
            rep.notes.append(f"{len(rep.robots_skipped)} page(s) disallowed by the site's robots.txt: "
                             "not fetched")
        return [a for a in parsed if a is not None]

    def _wanted(self, source: Source, entries: list[FeedEntry], rep: SourceReport) -> list[FeedEntry]:
        """Entries whose pages to read: near the window, not stored yet, within the cap."""
        start, end = self.entry_window
        near = [e for e in entries if e.published is None or start <= e.published < end]
        rep.out_of_window = len(entries) - len(near)
        if not self.report.offline and not self.refetch:  # offline re-extracts everything it has
            known = self.store.known_urls([e.url for e in near])
            rep.known = len(known)
            near = [e for e in near if e.url not in known]
        near = self._about_ai(source, near, rep)
        cap = self.settings.fetch.max_articles_per_source
        if len(near) > cap:
            rep.notes.append(f"only the first {cap} of {len(near)} pages fetched (max_articles_per_source)")
            near = near[:cap]
        return near

    def _about_ai(self, source: Source, entries: list[FeedEntry], rep: SourceReport) -> list[FeedEntry]:
        """Drop entries whose own feed text already shows they are not about AI.

        General-tech feeds (ithome) carry the article in the feed, and most of it is not
        AI: deciding on the feed text spares most page fetches, the bulk of a day's work.
        A short feed text (a teaser) proves nothing, so those pages are still read.
        """
        if not self.settings.fetch.prefilter_by_feed or source.name in AI_ONLY_SOURCES:
            return entries
        keywords = self.settings.ai_keywords
        kept = []
        for entry in entries:
            text = _plain_text(entry.content_html or entry.summary)
            if len(text) >= PREFILTER_MIN_CHARS:
                probe = Article(url=entry.url, source=source.name, title=entry.title, text=text)
                if ai_relevant(probe, keywords) is False:  # a borderline page is still read
                    rep.not_ai += 1
                    continue
            kept.append(entry)
        if rep.not_ai:
            rep.notes.append(f"{rep.not_ai} entries not about AI by their feed text: pages not fetched")
        return kept

    def _parse_article(
        self, source: Source, entry: FeedEntry, result: FetchResult | FetchError, rep: SourceReport,
        attempts: list[Attempt],
    ) -> Article | None:
        if isinstance(result, RobotsDisallowed):
            rep.robots_skipped.append(entry.url)  # the site's wish, not a failure
            return None
        if isinstance(result, FetchError):
            if self.report.offline and self.store.known_urls([entry.url]):
                return None  # stored before the archive had it: nothing to re-extract
            rep.failed.append(ItemFailure(entry.url, result.message, result.status))
            return None
        try:
            return source.parse_article(entry.url, result.text, entry)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the source
            reason = _reason(exc)
            rep.failed.append(ItemFailure(entry.url, reason, result.status))
            attempts.append(Attempt(entry.url, source.name, "article", result.status, reason, result.elapsed))
            return None

    async def _get(
        self, source: Source, url: str, kind: str, attempts: list[Attempt]
    ) -> FetchResult | FetchError:
        """One read; success and failure are both noted as attempts (parse failures replace it)."""
        user_agent = source.user_agent
        started = time.monotonic()
        try:
            result = await self.reader.fetch(url, source=source.name, user_agent=user_agent)
        except FetchError as exc:
            attempts.append(Attempt(url, source.name, kind, exc.status, exc.message, time.monotonic() - started))
            return exc
        except Exception as exc:  # noqa: BLE001 - e.g. an unexpected transport error
            error = FetchError(url, _reason(exc))
            attempts.append(Attempt(url, source.name, kind, None, error.message, time.monotonic() - started))
            return error
        attempts.append(Attempt(url, source.name, kind, result.status, None, result.elapsed))
        return result

    # Storing -----------------------------------------------------------------------------

    def _store(self, source: Source, articles: list[Article], rep: SourceReport) -> None:
        keywords = self.settings.ai_keywords
        for article in articles:
            if article.ai_relevant is None:
                article.ai_relevant = ai_relevant(article, keywords)
        stats = self.store.upsert_articles(articles)
        rep.new, rep.updated = stats.new, stats.updated
        rep.failed += [ItemFailure(url, reason) for url, reason in stats.refused.items()]
        rep.in_window = sum(in_window(a, self.day, self.settings) for a in articles
                            if a.url not in stats.refused)
        rep.in_window += rep.known  # stored earlier, still part of the day

    def _record(self, source: Source, rep: SourceReport, attempts: list[Attempt]) -> None:
        """Attempts and source health, each in one short transaction."""
        # A parse failure replaces the successful fetch attempt of the same URL.
        final: dict[tuple[str, str], Attempt] = {}
        for attempt in attempts:
            key = (attempt.kind, attempt.url)
            if key not in final or attempt.error:
                final[key] = attempt
        try:
            self.store.record_attempts(self.report.run_id, final.values())
            first_error = next((f"{f.url}: {f.reason}" for f in rep.failed), None)
            if not rep.reached:
                first_error = rep.summary()
            self.store.update_source(
                source.name, kind=_kind(source), url=(rep.listing_tried or [""])[0],
                ok=rep.reached, error=first_error, items=rep.seen,
            )
        except AidailyError as exc:
            rep.notes.append(f"could not record attempts: {exc}")


def _plain_text(html: str) -> str:
    """The words of a feed's HTML, for judging relevance only."""
    return html_to_text(html)


def _kind(source: Source) -> str:
    return "feed" if type(source).__name__ == "GenericFeedSource" else "site"


def _reason(exc: Exception) -> str:
    """A one-line reason: our own errors speak for themselves, others name their type."""
    if isinstance(exc, FetchError):
        return exc.message
    if isinstance(exc, AidailyError):
        return f"{type(exc).__name__}: {exc}"
    return f"adapter error {type(exc).__name__}: {exc}"
