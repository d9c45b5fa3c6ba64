"""When to notify and with what: the one place a run's or a publication's outcome
becomes a notice (``aidaily.delivery.notify``).

``after_run`` is called by the pipeline for every run of a date that did something
(``aidaily run``, ``aidaily write``, the flow): a draft means "draft ready" with the
review's summary (the same ``build_review`` the CLI and the page use), no draft means
"run failed". ``after_publish`` is called by ``publish_draft`` (CLI and page alike).
Both return the deliveries; callers report them and never fail because of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidaily.delivery.notify import Delivery, draft_ready, published, review_link, run_failed, send, wanted

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from aidaily.config import Settings
    from aidaily.pipeline.report import RunReport


def after_run(settings: Settings, report: RunReport) -> list[Delivery]:
    """Notify "draft ready" (a draft was made) or "run failed" (none was)."""
    if report.up_to_date:
        return []
    if report.draft is None:
        if not wanted(settings.notify, "failed"):
            return []
        return send(settings.notify, run_failed(report.day, report.error or "no draft was made"))
    if not wanted(settings.notify, "draft"):
        return []
    from aidaily.review.report import build_review

    review = build_review(settings, report.day)
    notice = draft_ready(
        report.day, mode=report.mode, items=report.items, blockers=review.blockers,
        flagged=len(review.flags), review_link=review_link(settings.notify, report.day),
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
