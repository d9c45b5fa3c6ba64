"""The demo day shipped with aidaily: the pages of the digest dated 2026-01-19 as the
three sites served them (RSS, archives, article pages; see tests/fixtures/README.md for
what is real and what is reconstructed), in the mirror layout of
``aidaily.ingest.mirror``. ``aidaily demo`` serves them on 127.0.0.1 and runs the whole
pipeline over them: no network needed. The tests use the same files.

Beside the pages: ``replay-2026-01-19.json``, a capable model's answers to the real
prompts of that day (``aidaily.llm.replay``; its ``made`` says how and when they were
made), which the demo replays when no model is configured; and
``published-2026-01-19.md``, the issue the house published for that day, which the demo
scores its draft against (``aidaily eval``).
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


def replay_file() -> Path:
    """The recorded answers of a capable model for the demo day (a replay file)."""
    return Path(str(files("aidaily.demo"))) / f"replay-{DEMO_DAY.isoformat()}.json"


def published_issue() -> Path:
    """The issue the house published for the demo day."""
    return Path(str(files("aidaily.demo"))) / f"published-{DEMO_DAY.isoformat()}.md"
