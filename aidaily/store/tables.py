"""The store's tables: SQLAlchemy 2.0 typed ORM classes on ``aidaily.store.db.Base``.

``sources`` (one row per site or feed and how its last fetch went), ``articles`` (keyed
by canonical URL), ``fetch_attempts`` (one row per HTTP attempt) and ``runs`` (one row
per fetch / run of a date, with its report in ``stats``), ``issues`` and ``issue_stories``
(what each issue ran, drafted or published: the memory across issues). The schema itself is made by
the migrations (``aidaily/store/migrations``); these classes must agree with them, which
``tests/test_migrations.py`` checks with Alembic's autogenerate comparison.

Times are stored as naive UTC (portable across SQLite and PostgreSQL) through
``UTCDateTime``; an article's publication time also keeps its zone name in
``published_tz``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from aidaily.errors import StoreError
from aidaily.store.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, stored as naive UTC, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise StoreError(f"naive datetime {value!r}: aidaily stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Tables ------------------------------------------------------------------------------------


class SourceRow(Base):
    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="site")  # site | feed
    url: Mapped[str] = mapped_column(Text, default="")
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_yield: Mapped[int | None] = mapped_column(Integer)  # items seen by the last run


class ArticleRow(Base):
    __tablename__ = "articles"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_tz: Mapped[str | None] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(Text, default="")
    editor: Mapped[str] = mapped_column(Text, default="")
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    section: Mapped[str] = mapped_column(Text, default="")
    ai_relevant: Mapped[bool | None] = mapped_column(Boolean)
    content_hash: Mapped[str] = mapped_column(String(64))
    story_id: Mapped[str | None] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class FetchAttemptRow(Base):
    __tablename__ = "fetch_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="article")  # listing | article
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)  # None: success
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # fetch | run | …
    started: Mapped[datetime] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | partial | failed
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IssueRow(Base):
    """One issue whose stories are remembered: its state and the text they were read from."""

    __tablename__ = "issues"

    date: Mapped[date] = mapped_column(Date, primary_key=True)
    state: Mapped[str] = mapped_column(String(20))  # draft | published
    sha256: Mapped[str] = mapped_column(String(64))  # of the issue text the stories come from
    title: Mapped[str] = mapped_column(Text, default="")
    headline: Mapped[str] = mapped_column(Text, default="")
    recorded: Mapped[datetime] = mapped_column(UTCDateTime)


class IssueStoryRow(Base):
    """One story an issue ran: an item or a 其他动态 line (``models.PastItem``)."""

    __tablename__ = "issue_stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[date] = mapped_column(Date, ForeignKey("issues.date", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in the issue
    kind: Mapped[str] = mapped_column(String(10))  # item | brief
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    story_id: Mapped[str | None] = mapped_column(String(64))
    bullets: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the articles the item stood for: [{url, source, title, text (trimmed), published, links}]
    articles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
