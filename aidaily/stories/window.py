"""The window of a digest date: the one definition of which hours a digest covers.

Kept apart from ``aidaily.stories.select`` (which pulls in numpy through dedup) so that light
callers — the store, the up-to-date check — need only the standard library.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[datetime, datetime]


def window_for(day: date, hours: int = 24, tz: str = "Asia/Shanghai") -> Window:
    """``[start, end)`` of the digest dated ``day``: the ``hours`` before 00:00 of
    ``day`` in ``tz``, as aware datetimes."""
    end = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))
    return end - timedelta(hours=hours), end


def default_day(tz: str = "Asia/Shanghai") -> date:
    """The default digest date: tomorrow in ``tz`` (the digest dated D is written on the
    night of D-1)."""
    return datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
