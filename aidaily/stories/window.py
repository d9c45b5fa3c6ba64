"""The window of a digest date: the one definition of which hours a digest covers.

Kept apart from ``aidaily.stories.select`` (which pulls in numpy through dedup) so that light
callers — the store, the up-to-date check — need only the standard library.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[datetime, datetime]

#: The longest window a digest may cover (``[window] hours``): two weeks.
MAX_WINDOW_HOURS = 24 * 14
#: The first and last digest dates: far enough from the ends of ``datetime``'s calendar
#: that every window (``MAX_WINDOW_HOURS`` before the day, in any time zone, with the
#: margins the sources add) can be computed.
FIRST_DAY = date.min + timedelta(hours=MAX_WINDOW_HOURS, days=3)
LAST_DAY = date.max - timedelta(days=3)


def check_day(day: date) -> date:
    """``day`` when a digest can have that date; ValueError saying why not."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day.isoformat()} is outside the dates a digest can have "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


def window_for(day: date, hours: int = 24, tz: str = "Asia/Shanghai") -> Window:
    """``[start, end)`` of the digest dated ``day``: the ``hours`` before 00:00 of
    ``day`` in ``tz``, as aware datetimes."""
    end = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))
    return end - timedelta(hours=hours), end


def default_day(tz: str = "Asia/Shanghai") -> date:
    """The default digest date: tomorrow in ``tz`` (the digest dated D is written on the
    night of D-1)."""
    return datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
