"""Notifications: tell the editors' chat groups that a draft is ready, an issue is out,
or a run failed, through apprise (Feishu/Lark, DingTalk, WeCom, Telegram, Slack, email,
generic JSON webhooks … any apprise URL in ``[notify] urls``).

The messages are built by plain functions (``draft_ready``, ``published``,
``run_failed``) from plain values; ``send`` delivers one to every configured URL, each
on its own, and returns what happened per URL. A notification that fails is reported,
never raised: telling people is never a reason for a run or a publication to fail.

Apprise URLs carry their credentials (tokens, passwords — for DingTalk, Slack, Feishu …
the host part *is* the token), so a URL is never printed or stored whole: reports name
it by ``redact`` (apprise's own privacy form), and every error text is put through
``aidaily.redaction.redact`` with the URL's secret parts, as is apprise's own logging
while a notice is out.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from aidaily.config import NotifyEvent as Event
from aidaily.redaction import notification_secrets, notification_target
from aidaily.redaction import redact as redact_text

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from aidaily.config import NotifySettings

MAX_LISTED = 5  # findings listed in a message; the review page has the rest


@dataclass(frozen=True)
class Notice:
    """One message: what happened (``event``), to which issue, in words."""

    event: Event
    day: date
    title: str
    body: str


@dataclass(frozen=True)
class Delivery:
    """How sending one notice to one URL went (the URL redacted)."""

    target: str
    ok: bool
    error: str = ""

    def describe(self) -> str:
        return f"notified {self.target}" if self.ok else f"notification to {self.target} failed: {self.error}"


# --- the messages -------------------------------------------------------------------------


def draft_ready(day: date, *, mode: str, items: int, blockers: Sequence[str], flagged: int,
                review_link: str | None = None, failed_sources: Sequence[str] = ()) -> Notice:
    """The draft of ``day`` is ready for review: what blocks publishing, how many fact
    bullets the checks flagged, where to review it."""
    how = "模型撰写" if mode == "llm" else "抽取式（未经模型撰写）"
    lines = [f"AI 日报 {day.isoformat()} 的草稿已生成：{items} 条新闻，{how}。"]
    if blockers:
        lines.append(f"发布前需处理 {len(blockers)} 项：")
        lines += [f"- {b}" for b in blockers[:MAX_LISTED]]
        if len(blockers) > MAX_LISTED:
            lines.append(f"- …另有 {len(blockers) - MAX_LISTED} 项")
    else:
        lines.append("没有阻止发布的问题。")
    if flagged:
        lines.append(f"核对标记的事实要点：{flagged} 条。")
    if failed_sources:
        lines.append(f"未能读取的来源：{', '.join(failed_sources)}。")
    lines.append(f"审阅：{review_link}" if review_link else f"审阅：aidaily review {day.isoformat()}")
    return Notice("draft", day, f"AI 日报 {day.isoformat()} 草稿待审阅", "\n".join(lines))


def published(day: date, *, where: str, forced: bool = False, overridden: int = 0) -> Notice:
    """The issue of ``day`` is published at ``where`` (a path or the post's URL)."""
    lines = [f"AI 日报 {day.isoformat()} 已发布：{where}"]
    if forced:
        lines.append(f"强制发布，越过 {overridden} 项检查结果（已记录）。")
    return Notice("published", day, f"AI 日报 {day.isoformat()} 已发布", "\n".join(lines))


def run_failed(day: date, error: str) -> Notice:
    """The run of ``day`` produced no draft."""
    return Notice("failed", day, f"AI 日报 {day.isoformat()} 生成失败",
                  f"AI 日报 {day.isoformat()} 的运行没有生成草稿：{error}")


def review_link(settings: NotifySettings, day: date) -> str | None:
    """The review page of ``day`` under the configured ``review_url``, if any."""
    base = (settings.review_url or "").rstrip("/")
    return f"{base}/d/{day.isoformat()}" if base else None


# --- delivery -------------------------------------------------------------------------------


def redact(url: str) -> str:
    """An apprise URL without its secrets: apprise's privacy form (``dingtalk://t...4``),
    or ``scheme://***`` when apprise cannot read the URL."""
    return notification_target(url)


class _Redacting(logging.Filter):
    """Masks the secrets of the URL being notified in apprise's own log lines (its debug
    lines quote the request URL, token and all)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_text(record.getMessage(), self.secrets), None
        return True


@contextmanager
def _redacted_logs(secrets: Sequence[str]) -> Iterator[None]:
    filters = [(logging.getLogger(name), _Redacting(secrets)) for name in ("apprise", "urllib3")]
    for logger, flt in filters:
        logger.addFilter(flt)
    try:
        yield
    finally:
        for logger, flt in filters:
            logger.removeFilter(flt)


def wanted(settings: NotifySettings, event: Event) -> bool:
    """Notices of ``event`` are sent: URLs are configured and the event is chosen."""
    return bool(settings.urls) and event in settings.events


#: What apprise's import says on Python 3.11–3.12: its PGP support imports the standard
#: library's ``imghdr`` (for PGPy, which apprise never asks to detect an image) and Python
#: warns that ``imghdr`` goes away in 3.13, where apprise installs a stand-in instead.
#: Not ours to act on, and nothing a user can: silenced there, and only that warning.
IMGHDR_WARNING = "'imghdr' is deprecated"


def send(settings: NotifySettings, notice: Notice) -> list[Delivery]:
    """Send ``notice`` to every configured URL (if its event is chosen); never raises."""
    if not wanted(settings, notice.event):
        return []
    # apprise loads its plugins (and with them ``imghdr``) when a URL is added: the whole
    # of its use is inside the filter.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=IMGHDR_WARNING, category=DeprecationWarning)
        return _send(settings, notice)


def _send(settings: NotifySettings, notice: Notice) -> list[Delivery]:
    import apprise  # loaded only when there is something to send

    out = []
    for url in settings.urls:
        target, secrets = redact(url), notification_secrets([url])
        with _redacted_logs(secrets):
            delivery = _deliver(apprise, url, notice, settings.timeout)
        out.append(Delivery(target, delivery.ok, redact_text(delivery.error, secrets)))
    return out


def _deliver(apprise: Any, url: str, notice: Notice, timeout: float) -> Delivery:
    """Send ``notice`` to one URL; the error unredacted (the caller redacts)."""
    try:
        sender = apprise.Apprise()
        if not sender.add(url):
            return Delivery("", False, "not a notification URL apprise understands")
        kind = apprise.NotifyType.FAILURE if notice.event == "failed" else apprise.NotifyType.INFO
        result = sender.notify(body=notice.body, title=notice.title, notify_type=kind,
                               timeout=timeout)
    except Exception as exc:  # a notifier must never take the run down with it
        return Delivery("", False, f"{type(exc).__name__}: {exc}")
    if result:
        return Delivery("", True)
    problems = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
    return Delivery("", False, "; ".join(problems[-2:]) or result.status.name.lower())
