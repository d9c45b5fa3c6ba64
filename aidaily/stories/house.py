"""What the house runs, measured on its published archive, for the plan prompt.

``data/house_profile.json`` is written by ``benchmarks/house_profile.py`` from the
archive (the themes it gives sections to most often, the themes and names it leads
with, and in how many issues). ``plan_profile`` turns it into the values the plan
prompt renders; a missing or unreadable file gives None and the prompt goes without
(the plan must still be made).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PROFILE_PATH = Path(__file__).with_name("data") / "house_profile.json"


def _pairs(value: object) -> list[tuple[str, int]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], int)):
            out.append((item[0], item[1]))
    return out


@lru_cache(maxsize=2)
def plan_profile(path: str | None = None) -> dict[str, Any] | None:
    """``{issues, first, last, section_themes, lead_themes, lead_names}`` (each list of
    ``(word, issues)``), or None without a readable profile."""
    try:
        data = json.loads((Path(path) if path else PROFILE_PATH).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("issues"), int):
        return None
    profile = {key: _pairs(data.get(key)) for key in ("section_themes", "lead_themes", "lead_names")}
    if not profile["section_themes"]:
        return None
    return {"issues": data["issues"], "first": str(data.get("first", "")),
            "last": str(data.get("last", "")), **profile}
