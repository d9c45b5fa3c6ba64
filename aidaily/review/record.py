"""The review record: what the editor should know about a draft, next to it.

``output/drafts/D.md`` gets ``output/drafts/D.review.json``: the mode (model or
extractive), every fact bullet's grounding check, links that are not fetched articles,
the format lint, dropped stories with their reasons, the candidates the plan did not see
with why (``left_out``; ``counts.not_ai``: articles judged not AI news), the stories left
out because an earlier issue ran them and the follow-ups (with the earlier date and item), notices
(degraded budget, fallbacks), the changes made to a model's plan that broke the rules
(``plan_fixes``), token use and cost. ``draft_sha256`` is the hash of the draft as written,
so a reader can tell whether an editor has changed the file since.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidaily.atomic import atomic_write_text
from aidaily.store.drafts import text_hash

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.draft import EditorResult
    from aidaily.pipeline.report import RunReport

VERSION = 1


def record_path(settings: Settings, day: str) -> Path:
    return settings.drafts_dir / f"{day}.review.json"


def build_record(result: EditorResult, report: RunReport) -> dict[str, Any]:
    """The review record of ``result`` (written by the run ``report`` describes) as
    JSON-ready data: every fact bullet's grounding verdict, as ``ground_digest`` made it."""
    text = result.text
    return {
        "version": VERSION,
        "date": report.day.isoformat(),
        "run_id": report.run_id,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": result.mode,
        "draft_sha256": text_hash(text),
        "counts": {
            "sections": report.sections,
            "items": report.items,
            "briefs": report.briefs,
            "fact_bullets": report.fact_bullets,
            "checks_failed": report.checks_failed,
            "unfetched_links": report.unfetched_links,
            "lint_errors": report.lint_errors,
            "dropped": len(report.dropped),
            "covered": len(report.covered),
            "follow_ups": len(report.follow_ups),
            "left_out": len(report.left_out),
            "not_ai": report.not_ai,
        },
        "llm": report.llm.to_dict(),  # the run's requests sent and cached, tokens, cost
        "degraded": result.degraded,
        "notices": list(report.notices),
        "dropped": [asdict(d) for d in report.dropped],
        "plan_fixes": [asdict(f) for f in result.plan_fixes],
        "splits": [asdict(s) for s in result.splits],  # articles the writer set aside
        "covered": [asdict(c) for c in report.covered],
        "follow_ups": [asdict(f) for f in report.follow_ups],
        "left_out": [asdict(x) for x in report.left_out],
        "failed_sources": [asdict(f) for f in report.failed_sources],
        "checks": [asdict(c) for c in result.checks],
        # the title's and the summary lines' verdicts (warnings, not blockers)
        "restatements": [asdict(c) for c in result.restatements],
        "links": list(result.links),
        "lint": [f.to_dict() for f in result.lint],
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
