"""The review record: what the editor should know about a draft, next to it.

``output/drafts/D.md`` gets ``output/drafts/D.review.json``: the mode (model or
extractive), every fact bullet's grounding check, links that are not fetched articles,
the format lint, dropped stories with their reasons, notices (degraded budget,
fallbacks), token use and cost. ``draft_sha256`` is the hash of the draft as written,
so a reader can tell whether an editor has changed the file since.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidaily.atomic import atomic_write_text
from aidaily.review.drafts import text_hash

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.draft import EditorResult

VERSION = 1


def record_path(settings: Settings, day: str) -> Path:
    return settings.drafts_dir / f"{day}.review.json"


def build_record(result: EditorResult, *, run_id: str | None = None) -> dict[str, Any]:
    """The review record of ``result`` as JSON-ready data."""
    text = result.text
    digest = result.digest
    return {
        "version": VERSION,
        "date": result.day,
        "run_id": run_id,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": result.mode,
        "draft_sha256": text_hash(text),
        "counts": {
            "sections": len(digest.sections),
            "items": len(digest.items),
            "briefs": len(digest.briefs),
            "fact_bullets": sum(len(i.bullets) for i in digest.items),
            "checks_failed": len(result.failed_checks),
            "lint_errors": len(result.lint_errors),
            "dropped": len(result.dropped),
        },
        "usage": result.usage,
        "cost_usd": round(result.cost_usd, 6),
        "degraded": result.degraded,
        "notices": list(result.notices),
        "dropped": [d.to_dict() for d in result.dropped],
        "checks": result.checks,
        "links": result.links,
        "lint": result.lint,
    }


def write_record(path: Path, record: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n")


def read_record(path: Path) -> dict[str, Any] | None:
    """The record at ``path``, or None when there is none or it is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
