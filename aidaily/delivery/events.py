"""When to notify and with what: the one place a run's or a publication's outcome
becomes a notice (``aidaily.delivery.notify``).

``after_run`` is called by the pipeline for every run of a date that did something
(``aidaily run``, ``aidaily write``, the flow): a draft means "draft ready" with the
review's summary (the caller passes the review's one function, ``build_review``, which the
CLI and the page use: delivery sits below review and does not import it), no draft means
"run failed". ``after_publish`` is called by ``publish_draft`` (CLI and page alike).
Both return the deliveries; callers report them and never fail because of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from aidaily.delivery.notify import Delivery, draft_ready, published, review_link, run_failed, send, wanted

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from aidaily.config import Settings
    from aidaily.pipeline.report import RunReport


class Review(Protocol):
    """What a "draft ready" notice says of the review (``aidaily.review.report.ReviewReport``)."""

    @property
    def blockers(self) -> list[str]: ...

    @property
    def flags(self) -> Sequence[object]: ...


def after_run(settings: Settings, report: RunReport,
              review: Callable[[Settings, date], Review]) -> list[Delivery]:
    """Notify "draft ready" (a draft was made; ``review`` gives the draft's review) or
    "run failed" (none was)."""
    if report.up_to_date:
        return []
    if report.draft is None:
        if not wanted(settings.notify, "failed"):
            return []
        return send(settings.notify, run_failed(report.day, report.error or "no draft was made"))
    if not wanted(settings.notify, "draft"):
        return []
    reviewed = review(settings, report.day)
    notice = draft_ready(
        report.day, mode=report.mode, items=report.items, blockers=reviewed.blockers,
        flagged=len(reviewed.flags), review_link=review_link(settings.notify, report.day),
        failed_sources=[f.source for f in report.failed_sources],
    )
    return send(settings.notify, notice)


def after_crash(settings: Settings, day: date, exc: BaseException) -> list[Delivery]:
    """Notify "run failed" for a run that stopped with an error."""
    if not wanted(settings.notify, "failed"):
        return []
    return send(settings.notify, run_failed(day, f"{type(exc).__name__}: {exc}"))


def after_publish(settings: Settings, day: date, path: Path, *, forced: bool,
                  overridden: int) -> list[Delivery]:
    """Notify "published"."""
    if not wanted(settings.notify, "published"):
        return []
    return send(settings.notify, published(day, where=str(path), forced=forced, overridden=overridden))
