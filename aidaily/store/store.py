"""The article store: sources, articles, fetch attempts and runs in the database.

The tables are in ``aidaily.store.tables`` (made by the migrations in
``aidaily/store/migrations``, brought to head when the store opens a database); ``Store``
is the small API the pipeline uses. Every method is its own short transaction, so a run killed at any
point (SIGKILL) leaves every committed row usable and nothing half-written: a re-run picks
up from what is there.

Times are stored as naive UTC (``tables.UTCDateTime``); an article's publication time
comes back as an aware datetime in Asia/Shanghai, the zone the digest is written in.

Articles are keyed by canonical URL. ``upsert_articles`` is idempotent: storing the same
article again only moves ``last_seen``; a changed ``content_hash`` updates the row. Only
absolute http(s) URLs are stored (``aidaily.text.is_http_url``): an article under any
other URL (``javascript:…``, ``data:…``, a relative path) is refused, each with its reason
in ``UpsertStats.refused``, and the others of the batch are stored.
Articles of one story share a ``story_id`` (``set_story_ids``).

What each issue ran is kept per date (``save_issue`` replaces a date's stories,
``issues`` reads a range of dates back): the memory across issues.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aidaily.checks.grounding import ItemSources
from aidaily.errors import StoreError
from aidaily.models import Article, PastIssue, PastItem, Story
from aidaily.store.db import session_factory
from aidaily.store.migrate import safe_url
from aidaily.store.tables import (  # noqa: F401 - the row classes stay importable from here
    ArticleRow,
    FetchAttemptRow,
    IssueRow,
    IssueStoryRow,
    RunRow,
    SourceRow,
    UTCDateTime,
    utcnow,
)
from aidaily.stories.window import window_for
from aidaily.text import is_http_url

if TYPE_CHECKING:
    from aidaily.checks.grounding import WeakPair
    from aidaily.config import Settings

DEFAULT_TZ = "Asia/Shanghai"
WRITE_RETRIES = 3  # a write that lost a race on a unique key is read and done again


# Values returned by the API ----------------------------------------------------------------


@dataclass
class UpsertStats:
    new: int = 0
    updated: int = 0  # content changed
    unchanged: int = 0  # only last_seen moved
    new_urls: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # url -> why it was not stored


@dataclass
class Attempt:
    """One fetch attempt, as ``record_attempts`` takes it."""

    url: str
    source: str
    kind: str = "article"
    status: int | None = None
    error: str | None = None
    duration: float = 0.0
    time: datetime | None = None


@dataclass
class SourceHealth:
    name: str
    kind: str = ""
    url: str = ""
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_error: str | None = None
    last_yield: int | None = None
    articles: int = 0  # stored articles of this source
    recent_attempts: int = 0
    recent_failures: int = 0  # among the recent attempts
    recent_errors: list[str] = field(default_factory=list)


def day_window(day: date, hours: int = 24, timezone: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """The default window of the digest dated ``day`` (``aidaily.stories.select.window_for``)."""
    return window_for(day, hours, timezone)


# The API -----------------------------------------------------------------------------------


class Store:
    """Small API over the tables; each method commits (or rolls back) on its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._sessions: sessionmaker[Session] = session_factory(url)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database {safe_url(url)}: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: Any) -> Store:
        """The store of ``settings`` (the home directory is created for a SQLite file)."""
        if settings.db_url is None:
            settings.home.mkdir(parents=True, exist_ok=True)
        return cls(settings.database_url)

    def _session(self) -> _Tx:
        return _Tx(self._sessions)

    # Articles --------------------------------------------------------------------------

    def upsert_articles(self, articles: Iterable[Article], *, now: datetime | None = None) -> UpsertStats:
        """Insert new articles, update changed ones, touch ``last_seen`` of the rest;
        refuse (``UpsertStats.refused``) those whose URL is not absolute http(s)."""
        now = now or utcnow()
        unique: dict[str, Article] = {}  # the last one wins within one batch
        refused: dict[str, str] = {}
        for article in articles:
            if is_http_url(article.url):
                unique[article.url] = article
            else:
                refused[article.url] = "not stored: an article URL must be an absolute http(s) URL"
        for attempt in range(WRITE_RETRIES):
            try:
                stats = self._upsert_once(unique, now)
                stats.refused = refused
                return stats
            except _Conflict:
                # Another process inserted one of these URLs between our read and our
                # commit (two runs of one date): read again and update instead.
                if attempt == WRITE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _upsert_once(self, unique: dict[str, Article], now: datetime) -> UpsertStats:
        stats = UpsertStats()
        if not unique:
            return stats
        with self._session() as session:
            rows = {
                r.url: r
                for r in session.scalars(select(ArticleRow).where(ArticleRow.url.in_(list(unique))))
            }
            for url, article in unique.items():
                row = rows.get(url)
                if row is None:
                    session.add(_new_row(article, now))
                    stats.new += 1
                    stats.new_urls.append(url)
                elif row.content_hash != article.content_hash:
                    _update_row(row, article)
                    row.last_seen = now
                    stats.updated += 1
                else:
                    row.last_seen = now
                    if row.ai_relevant is None and article.ai_relevant is not None:
                        row.ai_relevant = article.ai_relevant
                    stats.unchanged += 1
        return stats

    def get_article(self, url: str) -> Article | None:
        with self._session() as session:
            row = session.get(ArticleRow, url)
            return _to_article(row) if row else None

    def known_urls(self, urls: Iterable[str] | None = None, *, source: str | None = None) -> dict[str, str]:
        """``{url: content_hash}`` of stored articles (among ``urls`` when given)."""
        stmt = select(ArticleRow.url, ArticleRow.content_hash)
        if source is not None:
            stmt = stmt.where(ArticleRow.source == source)
        with self._session() as session:
            if urls is None:
                return dict(session.execute(stmt).all())
            out: dict[str, str] = {}
            wanted = list(dict.fromkeys(urls))
            for start in range(0, len(wanted), 500):  # stay under bound-parameter limits
                chunk = wanted[start : start + 500]
                out.update(session.execute(stmt.where(ArticleRow.url.in_(chunk))).all())
            return out

    def articles_for(
        self,
        day: date,
        *,
        hours: int = 24,
        timezone: str = DEFAULT_TZ,
        sources: Iterable[str] | None = None,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Article]:
        """Articles published in the window of the digest dated ``day`` (oldest first).

        ``window`` (aware start, end) overrides the default ``day_window(day, hours, timezone)``.
        """
        start, end = window or day_window(day, hours, timezone)
        stmt = (
            select(ArticleRow)
            .where(ArticleRow.published >= start, ArticleRow.published < end)
            .order_by(ArticleRow.published, ArticleRow.url)
        )
        if sources is not None:
            stmt = stmt.where(ArticleRow.source.in_(list(sources)))
        with self._session() as session:
            return [_to_article(r) for r in session.scalars(stmt)]

    def content_hashes(self, window: tuple[datetime, datetime]) -> list[tuple[str, str]]:
        """``(url, content_hash)`` of the articles published in ``window``, by URL: what a
        day's draft is made from, without loading the articles."""
        start, end = window
        stmt = (
            select(ArticleRow.url, ArticleRow.content_hash)
            .where(ArticleRow.published >= start, ArticleRow.published < end)
            .order_by(ArticleRow.url)
        )
        with self._session() as session:
            return [(url, digest) for url, digest in session.execute(stmt).all()]

    def set_story_ids(self, groups: Mapping[str, str] | Iterable[Story]) -> int:
        """Set ``story_id``: from ``{url: story_id}`` or from ``Story`` values. Returns rows changed."""
        mapping: dict[str, str] = {}
        if isinstance(groups, Mapping):
            mapping.update(groups)
        else:
            mapping.update((a.url, story.id) for story in groups for a in story.articles)
        changed = 0
        with self._session() as session:
            for row in session.scalars(select(ArticleRow).where(ArticleRow.url.in_(list(mapping)))):
                if row.story_id != mapping[row.url]:
                    row.story_id = mapping[row.url]
                    changed += 1
        return changed

    def story_ids(self, urls: Iterable[str]) -> dict[str, str | None]:
        with self._session() as session:
            stmt = select(ArticleRow.url, ArticleRow.story_id).where(ArticleRow.url.in_(list(urls)))
            return dict(session.execute(stmt).all())

    # Attempts and sources ----------------------------------------------------------------

    def record_attempt(self, *, run_id: str | None, url: str, source: str, status: int | None = None,
                       error: str | None = None, duration: float = 0.0, kind: str = "article",
                       time: datetime | None = None) -> None:
        self.record_attempts(run_id, [Attempt(url, source, kind, status, error, duration, time)])

    def record_attempts(self, run_id: str | None, attempts: Iterable[Attempt]) -> None:
        """Store many attempts in one transaction."""
        now = utcnow()
        with self._session() as session:
            session.add_all(
                FetchAttemptRow(run_id=run_id, url=a.url, source=a.source, kind=a.kind, status=a.status,
                                error=a.error, duration=a.duration, time=a.time or now)
                for a in attempts
            )

    def attempts(self, *, run_id: str | None = None, source: str | None = None) -> list[Attempt]:
        stmt = select(FetchAttemptRow).order_by(FetchAttemptRow.id)
        if run_id is not None:
            stmt = stmt.where(FetchAttemptRow.run_id == run_id)
        if source is not None:
            stmt = stmt.where(FetchAttemptRow.source == source)
        with self._session() as session:
            return [Attempt(r.url, r.source, r.kind, r.status, r.error, r.duration, r.time)
                    for r in session.scalars(stmt)]

    def update_source(self, name: str, *, kind: str = "site", url: str = "", ok: bool,
                      error: str | None = None, items: int | None = None) -> None:
        """Note the outcome of one source's fetch (success when it reached anything)."""
        for attempt in range(WRITE_RETRIES):
            try:
                return self._update_source_once(name, kind, url, ok, error, items)
            except _Conflict:  # created by a concurrent run just now: update it instead
                if attempt == WRITE_RETRIES - 1:
                    raise

    def _update_source_once(self, name: str, kind: str, url: str, ok: bool, error: str | None,
                            items: int | None) -> None:
        now = utcnow()
        with self._session() as session:
            row = session.get(SourceRow, name) or SourceRow(name=name)
            session.add(row)
            row.kind, row.url = kind, url or row.url or ""
            if ok:
                row.last_success = now
                row.last_yield = items
            if error:
                row.last_failure, row.last_error = now, error[:2000]

    def source_health(self, recent: int = 50) -> dict[str, SourceHealth]:
        """Health per source: last success/failure, yield, recent attempts that failed."""
        out: dict[str, SourceHealth] = {}
        with self._session() as session:
            for row in session.scalars(select(SourceRow)):
                out[row.name] = SourceHealth(row.name, row.kind, row.url, row.last_success,
                                             row.last_failure, row.last_error, row.last_yield)
            counts = select(ArticleRow.source, func.count()).group_by(ArticleRow.source)
            for name, count in session.execute(counts).all():
                out.setdefault(name, SourceHealth(name)).articles = count
            for name, health in out.items():
                rows = session.scalars(
                    select(FetchAttemptRow).where(FetchAttemptRow.source == name)
                    .order_by(FetchAttemptRow.id.desc()).limit(recent)
                ).all()
                failed = [r for r in rows if r.error]
                health.recent_attempts, health.recent_failures = len(rows), len(failed)
                health.recent_errors = [f"{r.url}: {r.error}" for r in failed[:5]]
        return out

    # Runs ------------------------------------------------------------------------------

    def start_run(self, day: date, kind: str = "fetch") -> str:
        run_id = uuid.uuid4().hex
        with self._session() as session:
            session.add(RunRow(id=run_id, date=day, kind=kind, started=utcnow(), status="running", stats={}))
        return run_id

    def finish_run(self, run_id: str, status: str, stats: dict[str, Any] | None = None) -> None:
        with self._session() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id}")
            row.finished, row.status, row.stats = utcnow(), status, dict(stats or {})

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self._session() as session:
            row = session.get(RunRow, run_id)
            return None if row is None else _run_dict(row)

    def last_run(self, day: date, kind: str = "run", *, skip: Iterable[str] = ("running",)) -> dict[str, Any] | None:
        """The latest run of ``kind`` for ``day`` whose status is not in ``skip``."""
        stmt = (
            select(RunRow)
            .where(RunRow.date == day, RunRow.kind == kind, RunRow.status.not_in(list(skip)))
            .order_by(RunRow.started.desc())
            .limit(1)
        )
        with self._session() as session:
            row = session.scalars(stmt).first()
            return None if row is None else _run_dict(row)


    # Issues (the memory across issues) --------------------------------------------------

    def save_issue(self, issue: PastIssue) -> None:
        """Remember what the issue of ``issue.day`` ran, replacing what was remembered."""
        for attempt in range(WRITE_RETRIES):
            try:
                return self._save_issue_once(issue)
            except _Conflict:  # another process saved the date just now: replace it again
                if attempt == WRITE_RETRIES - 1:
                    raise

    def _save_issue_once(self, issue: PastIssue) -> None:
        with self._session() as session:
            session.execute(delete(IssueStoryRow).where(IssueStoryRow.date == issue.day))
            row = session.get(IssueRow, issue.day) or IssueRow(date=issue.day)
            row.state, row.sha256, row.title, row.headline = issue.state, issue.sha256, issue.title, issue.headline
            row.recorded = utcnow()
            session.add(row)
            session.flush()
            session.add_all(
                IssueStoryRow(date=issue.day, position=n, kind=item.kind, title=item.title, url=item.url,
                              story_id=item.story_id, bullets=list(item.bullets),
                              articles=[_article_json(a) for a in item.articles])
                for n, item in enumerate(issue.items)
            )

    def issue_dates(self, before: date, limit: int) -> list[date]:
        """The dates of the last ``limit`` remembered issues dated before ``before``."""
        with self._session() as session:
            rows = session.scalars(select(IssueRow.date).where(IssueRow.date < before)
                                   .order_by(IssueRow.date.desc()).limit(limit)).all()
            return sorted(rows)

    def issues(self, start: date, end: date) -> list[PastIssue]:
        """The remembered issues dated ``start`` <= date < ``end``, oldest first."""
        with self._session() as session:
            rows = session.scalars(select(IssueRow).where(IssueRow.date >= start, IssueRow.date < end)
                                   .order_by(IssueRow.date)).all()
            stories = session.scalars(
                select(IssueStoryRow).where(IssueStoryRow.date >= start, IssueStoryRow.date < end)
                .order_by(IssueStoryRow.date, IssueStoryRow.position)).all()
            items: dict[date, list[PastItem]] = {}
            for s in stories:
                items.setdefault(s.date, []).append(PastItem(
                    s.kind, s.title, s.url, [str(b) for b in s.bullets or []], s.story_id,
                    [a for a in map(_article_from_json, s.articles or []) if a is not None]))
            return [PastIssue(r.date, r.state, r.sha256, r.title or "", r.headline or "", items.get(r.date, []))
                    for r in rows]


class _Conflict(StoreError):
    """A unique key written by someone else meanwhile; the write may be retried."""


class _Tx:
    """``with`` a session: commit on success, roll back and raise ``StoreError`` on failure."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __enter__(self) -> Session:
        self._session = self._factory()
        return self._session

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        session = self._session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        except IntegrityError as error:
            session.rollback()
            raise _Conflict(f"database write conflict: {error}") from error
        except SQLAlchemyError as error:
            session.rollback()
            raise StoreError(f"database write failed: {error}") from error
        finally:
            session.close()
        if isinstance(exc, IntegrityError):
            raise _Conflict(f"database write conflict: {exc}") from exc
        if isinstance(exc, SQLAlchemyError):
            raise StoreError(f"database error: {exc}") from exc


# Row <-> Article ---------------------------------------------------------------------------


def _run_dict(row: RunRow) -> dict[str, Any]:
    return {"id": row.id, "date": row.date, "kind": row.kind, "started": row.started,
            "finished": row.finished, "status": row.status, "stats": row.stats}


def _zone_name(value: datetime | None) -> str | None:
    if value is None or value.tzinfo is None:
        return None
    key = getattr(value.tzinfo, "key", None)  # ZoneInfo names itself; fixed offsets do not
    return key or DEFAULT_TZ


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        # An adapter that forgot the zone: the Chinese sites speak Beijing time.
        return value.replace(tzinfo=ZoneInfo(DEFAULT_TZ))
    return value


def _new_row(article: Article, now: datetime) -> ArticleRow:
    row = ArticleRow(url=article.url, first_seen=now, last_seen=now)
    _update_row(row, article)
    return row


def _update_row(row: ArticleRow, article: Article) -> None:
    published = _aware(article.published)
    row.source, row.title, row.text = article.source, article.title, article.text
    row.published, row.published_tz = published, _zone_name(published)
    row.author, row.origin, row.editor = article.author, article.origin, article.editor
    row.images, row.tags, row.links = list(article.images), list(article.tags), list(article.links)
    row.section, row.content_hash = article.section, article.content_hash
    if article.ai_relevant is not None or row.ai_relevant is None:
        row.ai_relevant = article.ai_relevant


def _to_article(row: ArticleRow) -> Article:
    published = row.published
    if published is not None:
        # The digest reads in Beijing time whatever zone the site wrote (kept in published_tz).
        published = published.astimezone(ZoneInfo(DEFAULT_TZ))
    return Article(
        url=row.url, source=row.source, title=row.title, text=row.text, published=published,
        author=row.author or "", origin=row.origin or "", editor=row.editor or "",
        images=list(row.images or []), tags=list(row.tags or []), links=list(row.links or []),
        section=row.section or "", ai_relevant=row.ai_relevant,
    )


def _article_json(article: Article) -> dict[str, Any]:
    """An article as an issue remembers it (``issue_stories.articles``)."""
    published = _aware(article.published)
    return {"url": article.url, "source": article.source, "title": article.title, "text": article.text,
            "published": published.isoformat() if published else None, "links": list(article.links)}


def _article_from_json(data: object) -> Article | None:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    try:
        published = datetime.fromisoformat(data["published"]) if data.get("published") else None
    except (TypeError, ValueError):
        published = None
    links = data.get("links")
    return Article(url=data["url"], source=str(data.get("source") or ""), title=str(data.get("title") or ""),
                   text=str(data.get("text") or ""), published=published,
                   links=[str(u) for u in links] if isinstance(links, list) else [])


def day_sources(settings: Settings, day: date, store: Store | None = None,
                weak_pair: WeakPair | None = None) -> ItemSources:
    """The grounding sources of a day's issue: the articles of its window, grouped into
    stories as the run that wrote it grouped them (the stored ``story_id``). What the
    review grounds a draft's bullets with and what the memory says an item stood for."""
    store = store or Store.from_settings(settings)
    articles = store.articles_for(day, hours=settings.window.hours, timezone=settings.window.timezone)
    return ItemSources(articles, store.story_ids(a.url for a in articles), weak_pair)
