"""Publishing a reviewed draft: the gate, the post, and the record of who did it.

``publish_draft`` refuses a draft that still has lint errors, ungrounded fact bullets
or commentary placeholders (``review.ReviewReport.blockers``) unless forced, and
refuses to publish a date a second time unless forced. It removes the draft marker,
writes the post atomically into the publish directory (default ``output/``; e.g. a
blog's content folder) and records who published what and when — forced publications
with the blockers that were overridden. The stories the post runs are remembered
(``review.memory``): the published text is what ran.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from aidaily.atomic import atomic_write_text
from aidaily.store.db import Base, session_factory
from aidaily.format.digest import DRAFT_KEY
from aidaily.review.drafts import Drafts, text_hash
from aidaily.errors import PublishError

if TYPE_CHECKING:
    from aidaily.config import Settings

# Front-matter keys that only make sense on a draft.
DRAFT_ONLY_KEYS = (DRAFT_KEY, "draftNote")


class PublicationRow(Base):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[str] = mapped_column(String(10), index=True)
    path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    overridden: Mapped[list[str]] = mapped_column(JSON, default=list)


@dataclass
class PublishResult:
    path: Path
    forced: bool
    overridden: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def post_path(settings: Settings, day: date) -> Path:
    return settings.publish_dir / settings.publish.filename.format(date=day.isoformat())


def publish_draft(settings: Settings, day: date, *, force: bool = False, by: str | None = None,
                  store: Any = None) -> PublishResult:
    """Publish the current draft of ``day``.

    Raises:
        PublishError: no draft, the gate refused it, or the date is already published.
    """
    drafts = Drafts(settings.drafts_dir)
    text = drafts.read_current(day.isoformat())
    if text is None:
        raise PublishError(f"no draft for {day} at {drafts.current_path(day.isoformat())}; "
                           f"run `aidaily run --date {day}` first")
    target = post_path(settings, day)
    overridden: list[str] = []
    if target.exists():
        if not force:
            raise PublishError(f"{day} is already published at {target}; pass --force to publish it again")
        overridden.append(f"republished over {target}")
    from aidaily.review.report import (
        build_review,  # the checks: imported when publishing, not with the table
    )

    blockers = build_review(settings, day, store=store).blockers
    if blockers and not force:
        listing = "\n  ".join(blockers[:20])
        raise PublishError(
            f"the draft for {day} has {len(blockers)} blocking finding(s); fix them "
            f"(see `aidaily review {day}`) or pass --force:\n  {listing}"
        )
    overridden += blockers
    post = publishable_text(text)
    atomic_write_text(target, post)
    _record(settings, day.isoformat(), target, post, by or _who(), force, overridden)
    from aidaily.review.memory import remember_issue

    notice = remember_issue(settings, day, store)
    return PublishResult(target, force, overridden, [notice] if notice else [])


def publishable_text(text: str) -> str:
    """The draft without its draft-only front-matter keys."""
    from aidaily.format.parse import parse
    from aidaily.format.render import render

    digest = parse(text)
    for key in DRAFT_ONLY_KEYS:
        digest.front_matter.remove(key)
    return render(digest)


def publications(settings: Settings, day: str | None = None) -> list[dict[str, Any]]:
    stmt = select(PublicationRow).order_by(PublicationRow.id)
    if day is not None:
        stmt = stmt.where(PublicationRow.date == day)
    with session_factory(settings.database_url)() as session:
        return [
            {
                "date": r.date,
                "path": r.path,
                "sha256": r.sha256,
                "published_by": r.published_by,
                "published_at": r.published_at.isoformat(),
                "forced": r.forced,
                "overridden": r.overridden,
            }
            for r in session.scalars(stmt)
        ]


def _record(settings: Settings, day: str, path: Path, text: str, by: str, forced: bool,
            overridden: list[str]) -> None:
    with session_factory(settings.database_url).begin() as session:
        session.add(
            PublicationRow(
                date=day,
                path=str(path),
                sha256=text_hash(text),
                published_by=by,
                published_at=datetime.now(UTC),
                forced=forced,
                overridden=overridden if forced else [],
            )
        )


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
