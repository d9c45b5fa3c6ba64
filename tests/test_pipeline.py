"""The pipeline's wiring (``aidaily.pipeline.stages.run_day``) without Prefect: the stages
are injected (as the flow injects its tasks), the store, drafts and lock are real."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from aidaily.config import Settings, load_settings
from aidaily.editor.draft import EditorResult, write_digest
from aidaily.errors import LLMError, LockedError
from aidaily.exitcodes import ExitCode, outcome
from aidaily.ingest.day import SourceReport
from aidaily.models import Story
from aidaily.pipeline.options import RunOptions
from aidaily.pipeline.runlock import date_lock
from aidaily.pipeline.stages import Selection, Stages, run_day
from aidaily.store.store import Store
from tests.factories import DAY_DATE, make_stories


def settings_for(home: Path) -> Settings:
    (home / "aidaily.toml").write_text(
        "[sources.ithome]\nenabled = true\n[sources.qbitai]\nenabled = true\n"
        "[sources.hubtoday]\nenabled = false\n", encoding="utf-8")
    return load_settings(home)


async def fetch_ok(settings: Settings, day: date, name: str, *, offline: bool, refetch: bool) -> SourceReport:
    return SourceReport(name, listing_tried=[f"https://{name}.example/feed"],
                        listing_reached=[f"https://{name}.example/feed"], seen=3, new=3)


async def fetch_one_crashes(settings: Settings, day: date, name: str, *, offline: bool,
                            refetch: bool) -> SourceReport:
    if name == "qbitai":
        raise RuntimeError("adapter bug")
    return await fetch_ok(settings, day, name, offline=offline, refetch=refetch)


async def select_made(settings: Settings, day: date) -> Selection:
    return Selection(7, make_stories())


async def select_nothing(settings: Settings, day: date) -> Selection:
    return Selection(0, [])


async def write_extractive(settings: Settings, day: date, stories: list[Story], *, use_llm: bool,
                           run_id: str | None, rewrite: bool, progress: object = None) -> EditorResult:
    return await write_digest(day, stories, settings, None)


def run(settings: Settings, stages: Stages, **options: object) -> object:
    return asyncio.run(run_day(settings, DAY_DATE, RunOptions(skip_unchanged=False, **options),  # type: ignore[arg-type]
                               stages=stages))


def test_exit_codes_have_one_definition() -> None:
    assert outcome(produced=True, failures=False) is ExitCode.OK
    assert outcome(produced=True, failures=True) is ExitCode.PARTIAL
    assert outcome(produced=False, failures=False) is ExitCode.NOTHING
    assert outcome(produced=False, failures=True) is ExitCode.NOTHING


def test_a_complete_run_writes_the_draft_and_records_the_run(home: Path) -> None:
    settings = settings_for(home)
    report = run(settings, Stages(fetch=fetch_ok, select=select_made, write=write_extractive))
    assert report.exit_code == 0 and report.status == "ok"  # type: ignore[attr-defined]
    assert Path(report.draft).read_text(encoding="utf-8").startswith("---\n")  # type: ignore[attr-defined]
    assert set(report.sources) == {"ithome", "qbitai"}  # type: ignore[attr-defined]
    data = json.loads(json.dumps(report.to_dict(), default=str))  # type: ignore[attr-defined]
    assert data["llm"] == {"sent": 0, "cached": 0, "replayed": 0, "failed": 0, "tokens_in": 0, "tokens_out": 0,
                           "cost_usd": 0.0, "calls": 0}
    assert data["day"] == "2026-01-19" and data["exit_code"] == 0
    stored = Store.from_settings(settings).last_run(DAY_DATE, "run")
    assert stored is not None and stored["status"] == "ok" and stored["stats"]["inputs"]
    record = json.loads((settings.drafts_dir / "2026-01-19.review.json").read_text(encoding="utf-8"))
    assert len(record["checks"]) == data["fact_bullets"] and record["llm"]["sent"] == 0


def test_a_crashed_source_is_reported_and_the_draft_still_written(home: Path) -> None:
    settings = settings_for(home)
    report = run(settings, Stages(fetch=fetch_one_crashes, select=select_made, write=write_extractive))
    assert report.exit_code == ExitCode.PARTIAL and report.draft  # type: ignore[attr-defined]
    [failure] = report.failed_sources  # type: ignore[attr-defined]
    assert failure.source == "qbitai" and "adapter bug" in failure.error
    assert not report.inputs  # type: ignore[attr-defined]  # a partial run is no baseline


def test_no_stories_means_no_draft(home: Path) -> None:
    settings = settings_for(home)
    report = run(settings, Stages(fetch=fetch_ok, select=select_nothing,
                                  write=write_extractive))
    assert report.exit_code == ExitCode.NOTHING and report.draft is None  # type: ignore[attr-defined]
    assert "no AI stories" in report.error  # type: ignore[attr-defined]


def test_a_model_failure_is_reported_not_raised(home: Path) -> None:
    async def unreachable(*args: object, **kwargs: object) -> EditorResult:
        raise LLMError("the LLM is unreachable (connection refused)")

    settings = settings_for(home)
    report = run(settings, Stages(fetch=fetch_ok, select=select_made, write=unreachable))  # type: ignore[arg-type]
    assert report.exit_code == ExitCode.NOTHING and "unreachable" in report.error  # type: ignore[attr-defined]
    assert not (settings.drafts_dir / "2026-01-19.md").exists()


def test_write_skips_the_fetch_stage(home: Path) -> None:
    async def no_fetch(*args: object, **kwargs: object) -> SourceReport:
        raise AssertionError("write must not fetch")

    settings = settings_for(home)
    report = run(settings, Stages(fetch=no_fetch, select=select_made, write=write_extractive),  # type: ignore[arg-type]
                 fetch=False)
    assert report.exit_code == 0 and report.kind == "write" and not report.sources  # type: ignore[attr-defined]


def test_two_runs_of_a_date_never_interleave(home: Path) -> None:
    settings = settings_for(home)
    with date_lock(settings.locks_dir, "2026-01-19"), pytest.raises(LockedError):
        run(settings, Stages(fetch=fetch_ok, select=select_made, write=write_extractive))
