"""The demo day shipped with aidaily: the pages of the digest dated 2026-01-19 as the
three sites served them (RSS, archives, article pages; see tests/fixtures/README.md for
what is real and what is reconstructed), in the mirror layout of
``aidaily.ingest.mirror``. ``aidaily demo`` serves them on 127.0.0.1 and runs the whole
pipeline over them: no network needed. The tests use the same files.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

DEMO_DAY = date(2026, 1, 19)
# The sites the day's pages come from (each served at http://127.0.0.1:PORT/<host>).
DEMO_SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app",
              "https://raw.githubusercontent.com")


def day_dir() -> Path:
    """The shipped day's mirror directory."""
    return Path(str(files("aidaily.demo"))) / "day"
