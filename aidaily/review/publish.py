"""Publishing a reviewed draft: the gate, the post, and the record of who did it.

``publish_draft`` refuses a draft that still has lint errors, ungrounded fact bullets
or commentary placeholders (``review.ReviewReport.blockers``) unless forced, and
refuses to publish a date a second time unless forced. It removes the draft marker,
writes the post atomically into the publish directory (default ``output/``; e.g. a
blog's content folder) and records who published what and when — forced publications
with the blockers that were overridden.

When the post's ``coverImage`` is the issue's own cover (``editor.cover``), the cover is
drawn again from the post (so it shows the title as published; unchanged bytes are not
rewritten) and copied, before the post, to ``cover.dir`` under the publish directory
(default ``images/covers/``, matching ``cover.url_prefix = "/images/covers/"``).
The stories the post runs are remembered (``aidaily.memory``): the published text
is what ran.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from aidaily.atomic import atomic_write_bytes, atomic_write_text
from aidaily.delivery.events import after_publish
from aidaily.delivery.gitrepo import GitError, GitOutcome, commit_and_push, work_tree
from aidaily.errors import CoverError, PublishError
from aidaily.exitcodes import ExitCode, outcome
from aidaily.format.digest import DRAFT_KEY
from aidaily.memory.blog import series_posts
from aidaily.memory.issues import remember_issue
from aidaily.store.db import Base, session_factory
from aidaily.store.drafts import Drafts, text_hash

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.delivery.notify import Delivery

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
    notified: list[Delivery] = field(default_factory=list)  # who was told (never fails publishing)
    git: GitOutcome | None = None  # the commit/push into the blog's repository, if configured
    cover: Path | None = None  # the cover copied beside the post (None: not the project's)
    notices: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """0 published (and committed/pushed as configured); 2 published, but the
        commit or push into the blog's repository failed."""
        return outcome(produced=True, failures=bool(self.git and self.git.error))


def publish_draft(settings: Settings, day: date, *, force: bool = False, by: str | None = None,
                  store: Any = None) -> PublishResult:
    """Publish the current draft of ``day``.

    Raises:
        PublishError: no draft, the gate refused it, or the date is already published
            (by aidaily, or a post of the series with that date is in the blog).
    """
    drafts = Drafts(settings.drafts_dir)
    text = drafts.read_current(day.isoformat())
    if text is None:
        raise PublishError(f"no draft for {day} at {drafts.current_path(day.isoformat())}; "
                           f"run `aidaily run --date {day}` first")
    target = settings.post_path(day)
    overridden: list[str] = []
    if target.exists():
        if not force:
            raise PublishError(f"{day} is already published at {target}; pass --force to publish it again")
        overridden.append(f"republished over {target}")

    ran = [p.name for p in series_posts(settings).get(day, []) if p.path.resolve() != target.resolve()]
    if ran:
        if not force:
            raise PublishError(f"the issue of {day} already ran in the blog ({', '.join(ran)}); "
                               "pass --force to publish this one beside it")
        overridden += [f"published beside {name}, the blog's post of {day}" for name in ran]
    # deferred: python-frontmatter, PyYAML, only when this runs (`aidaily publish` loads the module)
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
    repo = _blog_repository(settings, target)
    covers = [settings.published_covers_dir] if settings.cover.made_here else []
    refuse_linked_folders(settings.publish_dir, [target.parent, *covers])
    post = publishable_text(text)
    cover, notices = publish_cover(settings, day, post)
    atomic_write_text(target, post, mode=settings.publish.mode)
    _record(settings, day.isoformat(), target, post, by or _who(), force, overridden)
    git = None
    if repo is not None:
        inside = [p for p in (target, cover) if p is not None and p.resolve().is_relative_to(repo.resolve())]
        git = _commit(settings, repo, day, inside)

    deliveries = after_publish(settings, day, target, forced=force, overridden=len(overridden))

    remembered = remember_issue(settings, day, store)
    if remembered:
        notices.append(remembered)
    return PublishResult(target, force, overridden, deliveries, git, cover, notices)


def _blog_repository(settings: Settings, target: Path) -> Path | None:
    """The work tree the post is committed in (``git_commit``), checked before anything
    is written so that a misconfigured repository leaves nothing half done."""
    if not settings.publish.git_commit:
        if settings.publish.git_push:
            raise PublishError("[publish] git_push needs git_commit = true")
        return None

    try:
        return work_tree(target.parent)
    except GitError as exc:
        raise PublishError(f"[publish] git_commit is on, but {settings.publish_dir} is not in a "
                           f"git work tree: {exc}") from None


def _commit(settings: Settings, repo: Path, day: date, paths: list[Path]) -> GitOutcome:
    """Commit (and push) the publication; a failed commit is an outcome, not a raise:
    the post is out and recorded either way."""
    conf = settings.publish
    try:
        return commit_and_push(repo, paths, conf.fill(conf.commit_message, day),
                               push=conf.git_push, remote=conf.git_remote, branch=conf.git_branch)
    except GitError as exc:
        return GitOutcome(repo, error=f"commit failed: {exc}")


def publish_cover(settings: Settings, day: date, post: str) -> tuple[Path | None, list[str]]:
    """Make the cover ``post`` names (when it is the project's) and copy it into the
    published covers directory; the copy's path and any notices.

    Raises:
        PublishError: the cover cannot be made (nothing has been published).
    """
    # deferred: Pillow, only when this runs (`aidaily publish` loads the module)
    from aidaily.editor.cover import make_cover

    try:
        made = make_cover(settings, day, post)
    except (CoverError, OSError) as exc:
        raise PublishError(f"the cover of {day} cannot be made ({exc}); fix [cover] in "
                           "aidaily.toml or give the draft another coverImage") from None
    if made.path is None:
        return None, made.notices
    target = settings.published_covers_dir / made.path.name
    atomic_write_bytes(target, made.path.read_bytes(), mode=settings.publish.mode)
    return target, made.notices


def refuse_linked_folders(root: Path, folders: list[Path]) -> None:
    """Refuse to publish into ``folders`` when one of them, or a folder between it and
    the blog's ``root``, is a symbolic link: what is written there would land outside the
    blog (and outside its commit) without a word.

    Raises:
        PublishError: naming the link and where it points.
    """
    for folder in folders:
        try:
            below = folder.relative_to(root)
        except ValueError:
            continue  # not under the blog (an absolute covers dir): nothing to keep inside
        current = root
        for part in below.parts:
            current = current / part
            if current.is_symlink():
                raise PublishError(
                    f"{current} is a symbolic link (to {os.readlink(current)}): aidaily does not "
                    "publish through links in the blog; make it a real folder or point "
                    "[publish] dir / [cover] dir at the real place")


def publishable_text(text: str) -> str:
    """The draft without its draft-only front-matter keys."""
    # deferred: python-frontmatter, PyYAML, only when this runs (`aidaily publish` loads the module)
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
