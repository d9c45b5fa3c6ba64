"""The up-to-date check: a re-run of an unchanged date does nothing, and any change to
what the draft is made from (listings, stored articles, settings, prompts, the draft
itself, a failed last run) means a full run.

The day is the test day (``fixtures/day``) served over HTTP on 127.0.0.1, fetched and
stored by the real ingest; the baseline is what a complete flow run records.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aidaily.pipeline import uptodate
from aidaily.config import Settings, load_settings
from aidaily.store.drafts import Drafts
from aidaily.ingest.day import fetch_day
from aidaily.store.store import Store
from tests.servers import MirrorServer

DAY = "2026-01-19"
DAY_DATE = date.fromisoformat(DAY)
DAY_FIXTURES = Path(__file__).parent / "fixtures" / "day"
SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app",
         "https://raw.githubusercontent.com")


@pytest.fixture
def day(tmp_path: Path, home: Path) -> Iterator[tuple[Settings, MirrorServer]]:
    """Settings of a fresh home whose sources are the test day on a local mirror."""
    root = tmp_path / "mirror"
    shutil.copytree(DAY_FIXTURES, root)
    with MirrorServer(root) as mirror:
        home.mkdir(parents=True, exist_ok=True)
        settings = load_settings(home)
        settings.fetch = settings.fetch.model_copy(update={
            "per_host_delay": 0.0, "retries": 1, "backoff": 0.01, "timeout": 5.0,
            "url_map": mirror.url_map(*SITES),
        })
        yield settings, mirror


def complete_run(settings: Settings, *, use_llm: bool = False,
                 draft: str = "---\ntitle: t\n---\n\ndraft\n") -> str:
    """What a complete run leaves behind: the day stored, a draft, the run's inputs."""
    report = asyncio.run(fetch_day(settings, DAY_DATE))
    assert report.exit_code == 0, report.to_dict()
    listings = {url: h for rep in report.sources.values() for url, h in rep.listing_hashes.items()}
    requests = [[url, rep.name, rep.user_agent] for rep in report.sources.values() for url in rep.listing_tried]
    listed = {url: h for rep in report.sources.values() for url, h in rep.listing_listed.items()}
    failed = {url: st for rep in report.sources.values() for url, st in rep.listing_status.items()}
    store = Store.from_settings(settings)
    articles = uptodate.articles_fingerprint(store, DAY_DATE, settings)
    drafts = Drafts(settings.drafts_dir)
    written = drafts.write(DAY, draft)
    run_id = store.start_run(DAY_DATE, "run")
    store.finish_run(run_id, "ok", {
        "draft": str(written.current), "mode": "extractive",
        "inputs": uptodate.inputs(settings, use_llm, DAY_DATE, articles=articles, listings=listings,
                                  listed=listed, requests=requests, draft_hash=drafts.last_written(DAY),
                                  failed=failed),
    })
    return run_id


def check(settings: Settings, *, use_llm: bool = False) -> uptodate.Verdict:
    return asyncio.run(uptodate.check(settings, DAY_DATE, use_llm))


def page_hits(mirror: MirrorServer) -> int:
    return sum(n for path, n in mirror.hits.items() if path.endswith((".htm", ".html")))


def test_an_unchanged_day_is_up_to_date_after_reading_only_its_listings(day) -> None:
    settings, mirror = day
    run_id = complete_run(settings)
    pages = page_hits(mirror)
    verdict = check(settings)
    assert verdict.up_to_date, verdict.reason
    assert verdict.run and verdict.run["id"] == run_id
    assert verdict.draft == str(Drafts(settings.drafts_dir).current_path(DAY))
    assert page_hits(mirror) == pages  # no article page read again
    assert len(verdict.listings) >= 3  # every source's listings were read again


def test_the_check_replays_the_runs_listing_requests_with_their_user_agents(day) -> None:
    settings, mirror = day
    run_id = complete_run(settings)
    recorded = Store.from_settings(settings).get_run(run_id)["stats"]["inputs"]  # type: ignore[index]
    assert sorted(r[0] for r in recorded["requests"]) == sorted(recorded["listings"])
    assert sorted(map(tuple, recorded["requests"])) == sorted(map(tuple, uptodate.listing_requests(settings, DAY_DATE)))
    before = {path: len(reqs) for path, reqs in mirror.requests.items()}
    assert check(settings).up_to_date
    qbitai = [reqs[-1] for path, reqs in mirror.requests.items()
              if "qbitai" in path and len(reqs) > before.get(path, 0)]
    assert qbitai and all(r.get("user-agent") == settings.fetch.user_agent_string() for r in qbitai)
    assert settings.fetch.user_agent_string().startswith("Mozilla/5.0 (compatible; aidaily/")


def test_the_listing_urls_are_worked_out_again_when_the_dates_night_has_passed_since(day) -> None:
    settings, _ = day
    run_id = complete_run(settings)
    store = Store.from_settings(settings)
    stats = store.get_run(run_id)["stats"]  # type: ignore[index]
    stats["inputs"]["past"] = False  # recorded on the night before the date: no backfill then
    night_before = [r for r in stats["inputs"]["requests"] if "/2026/01/" not in r[0]]
    assert len(night_before) < len(stats["inputs"]["requests"])  # the qbitai date archive was read
    stats["inputs"]["requests"] = night_before
    store.finish_run(run_id, "ok", stats)
    verdict = check(settings)
    assert verdict.up_to_date and set(verdict.listings) == set(stats["inputs"]["listings"])


def test_a_day_never_run_or_run_incompletely_is_not_up_to_date(day) -> None:
    settings, _ = day
    assert "no earlier run" in check(settings).reason
    complete_run(settings)
    store = Store.from_settings(settings)
    failed = store.start_run(DAY_DATE, "run")
    store.finish_run(failed, "partial", {})
    verdict = check(settings)
    assert not verdict.up_to_date and "partial" in verdict.reason


def test_a_run_that_found_the_day_up_to_date_is_not_itself_a_baseline(day) -> None:
    settings, _ = day
    run_id = complete_run(settings)
    store = Store.from_settings(settings)
    first = check(settings)
    uptodate.record_unchanged(store, DAY_DATE, first, {"day": DAY})
    again = check(settings)
    assert again.up_to_date and again.run and again.run["id"] == run_id


def test_a_listing_that_lists_something_new_means_a_full_run(day) -> None:
    settings, mirror = day
    complete_run(settings)
    feed = "https://www.ithome.com/rss/"
    path = mirror.root / "www.ithome.com" / "rss" / "__index__"
    text = path.read_bytes().decode("utf-8")
    first = text.index("<title>", text.index("<item>"))
    path.write_bytes((text[:first + 7] + "更正：" + text[first + 7:]).encode("utf-8"))  # a title edited
    verdict = check(settings)
    assert not verdict.up_to_date
    assert "serve something new" in verdict.reason and feed in verdict.reason


def test_a_listing_whose_bytes_changed_but_not_what_it_lists_is_still_up_to_date(day) -> None:
    settings, mirror = day
    complete_run(settings)
    path = mirror.root / "www.ithome.com" / "rss" / "__index__"
    text = path.read_bytes().decode("utf-8")
    volatile = text.replace("</channel>", "<lastBuildDate>Mon, 19 Jan 2026 01:02:03 +0800</lastBuildDate>\n"
                                          "<!-- built in 12 ms -->\n</channel>")
    assert volatile != text
    path.write_bytes(volatile.encode("utf-8"))
    verdict = check(settings)
    assert verdict.up_to_date, verdict.reason


def test_a_listing_that_cannot_be_read_means_a_full_run(day) -> None:
    settings, mirror = day
    complete_run(settings)
    feed = next(url for url in check(settings).listings if "qbitai.com/feed" in url)
    mirror.fault(feed, status=500)
    verdict = check(settings)
    assert not verdict.up_to_date and "could not be read" in verdict.reason


# A listing that does not exist (404, 410) ---------------------------------------------------

#: The qbitai archive page of the window's day: a listing a site may not have (no such date).
ARCHIVE = "https://www.qbitai.com/2026/01/18/"


def make_absent(mirror: MirrorServer, status: int) -> None:
    """The archive page answers ``status``: its file removed (404) or a fault (any other)."""
    if status == 404:
        (mirror.root / "www.qbitai.com" / "2026" / "01" / "18" / "__index__").unlink()
    else:
        mirror.fault(ARCHIVE, status=status)


@pytest.mark.parametrize("status", [404, 410])
def test_a_listing_absent_at_the_run_and_absent_now_is_unchanged(day, status: int) -> None:
    settings, mirror = day
    make_absent(mirror, status)
    run_id = complete_run(settings)
    recorded = Store.from_settings(settings).get_run(run_id)["stats"]["inputs"]  # type: ignore[index]
    assert recorded["absent"] == {ARCHIVE: status} and ARCHIVE not in recorded["listings"]
    hits = mirror.hits_for(ARCHIVE)
    verdict = check(settings)
    assert verdict.up_to_date, verdict.reason
    assert mirror.hits_for(ARCHIVE) == hits + 1  # asked again, not assumed


@pytest.mark.parametrize("now", [200, 500, 410])
def test_a_listing_absent_at_the_run_that_answers_otherwise_now_means_a_full_run(day, now: int) -> None:
    settings, mirror = day
    make_absent(mirror, 404)
    complete_run(settings)
    if now == 200:
        shutil.copytree(DAY_FIXTURES / "www.qbitai.com" / "2026", mirror.root / "www.qbitai.com" / "2026",
                        dirs_exist_ok=True)
    else:
        mirror.fault(ARCHIVE, status=now)
    verdict = check(settings)
    assert not verdict.up_to_date
    if now == 200:
        assert "serves a page now" in verdict.reason and ARCHIVE in verdict.reason
    else:
        assert "absent at the last run (HTTP 404)" in verdict.reason and f"HTTP {now}" in verdict.reason


def test_after_a_run_that_met_a_404_listing_aidaily_run_is_up_to_date_at_once(
        day, monkeypatch: pytest.MonkeyPatch) -> None:
    """The acceptance: a complete run (the pipeline's one wiring, with the model) met a
    404 listing; the next ``aidaily run`` says up to date in under 5 s, asking no model."""
    import json
    import subprocess
    import sys
    import time

    from aidaily.pipeline.options import RunOptions
    from aidaily.pipeline.stages import run_day
    from tests.factories import fake_editor
    from tests.fakellm import FakeLLM

    settings, mirror = day
    make_absent(mirror, 404)
    (settings.home / "aidaily.toml").write_text(
        "[fetch]\nper_host_delay = 0\nretries = 1\nbackoff = 0.01\ntimeout = 5\n"
        '[llm]\nmodel = "fake-model"\nmax_retries = 1\n', encoding="utf-8")
    with FakeLLM() as llm:
        llm.responder = fake_editor
        for name, value in {"AIDAILY_URL_MAP": json.dumps(mirror.url_map(*SITES)),
                            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": llm.base_url}.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(settings.home)
        report = asyncio.run(run_day(settings, DAY_DATE, RunOptions(skip_unchanged=False)))
        assert report.exit_code == 0 and report.mode != "extractive", report.to_dict()
        assert report.inputs["absent"] == {ARCHIVE: 404}
        calls = len(llm.requests)
        assert calls > 0
        started = time.monotonic()
        again = subprocess.run([str(Path(sys.executable).with_name("aidaily")), "run", "--date", DAY],
                               capture_output=True, text=True, timeout=120, check=False)
        elapsed = time.monotonic() - started
        assert again.returncode == 0, again.stdout + again.stderr
        assert "up to date" in again.stdout and "full run" not in again.stderr
        assert len(llm.requests) == calls  # no model call
    assert elapsed < 5, f"the up-to-date run took {elapsed:.1f} s"


def test_a_listing_that_failed_otherwise_at_the_run_is_not_remembered_as_absent(day) -> None:
    settings, mirror = day
    mirror.fault(ARCHIVE, status=403)
    run_id = complete_run(settings)
    recorded = Store.from_settings(settings).get_run(run_id)["stats"]["inputs"]  # type: ignore[index]
    assert recorded["absent"] == {}
    verdict = check(settings)
    assert not verdict.up_to_date and "could not be read" in verdict.reason


@pytest.mark.parametrize("change", ["digest settings", "prompt template", "model instead of extractive"])
def test_settings_prompts_and_the_model_choice_are_inputs(day, change: str) -> None:
    settings, _ = day
    settings.llm = settings.llm.model_copy(update={"base_url": "http://127.0.0.1:9/v1"})  # configured
    complete_run(settings, use_llm=False)
    use_llm = False
    if change == "digest settings":
        settings.digest = settings.digest.model_copy(update={"main_max": 12})
    elif change == "prompt template":
        own = settings.home / "prompts"
        shutil.copytree(settings.shipped_prompts_dir, own)
        template = min(own.glob("*.j2"))
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    else:
        use_llm = True
    verdict = check(settings, use_llm=use_llm)
    assert not verdict.up_to_date and "settings, prompts or aidaily's code" in verdict.reason


def test_the_api_key_is_not_an_input(day) -> None:
    settings, _ = day
    complete_run(settings)
    settings.llm = settings.llm.model_copy(update={"api_key": "sk-rotated"})
    assert uptodate.settings_fingerprint(settings, False) == uptodate.settings_fingerprint(
        settings.model_copy(update={"llm": settings.llm.model_copy(update={"api_key": "sk-other"})}), False)


def test_a_stored_article_that_changed_means_a_full_run(day) -> None:
    settings, _ = day
    complete_run(settings)
    store = Store.from_settings(settings)
    article = store.articles_for(DAY_DATE)[0]
    article.text += "（更新）"
    store.upsert_articles([article])
    verdict = check(settings)
    assert not verdict.up_to_date and "stored articles" in verdict.reason


def test_a_deleted_draft_or_another_machine_draft_means_a_full_run(day) -> None:
    settings, _ = day
    complete_run(settings)
    drafts = Drafts(settings.drafts_dir)
    drafts.current_path(DAY).unlink()
    assert "draft file is gone" in check(settings).reason
    drafts.write(DAY, "---\ntitle: other\n---\n\nanother draft\n")
    assert "another draft" in check(settings).reason


def test_a_draft_whose_cover_file_is_gone_means_a_full_run(day) -> None:
    settings, _ = day
    complete_run(settings, draft=f'---\ntitle: t\ncoverImage: "{settings.cover.url(DAY_DATE)}"\n'
                                 '---\n\ndraft\n')
    assert "cover file is gone" in check(settings).reason
    settings.cover_file(DAY_DATE).parent.mkdir(parents=True)
    settings.cover_file(DAY_DATE).write_bytes(b"png")
    assert check(settings).up_to_date


def test_a_hand_edited_draft_is_still_up_to_date(day) -> None:
    settings, _ = day
    complete_run(settings)
    path = Drafts(settings.drafts_dir).current_path(DAY)
    path.write_text(path.read_text(encoding="utf-8") + "编辑补了一句。\n", encoding="utf-8")
    assert check(settings).up_to_date  # a re-run would keep the edit anyway


# The check reads and notes its runs through the Store ------------------------------------


def test_the_check_reads_through_the_store_and_notes_its_run_there(day) -> None:
    settings, _ = day
    run_id = complete_run(settings)
    store = uptodate.open_runs(settings)
    assert isinstance(store, Store)
    verdict = asyncio.run(uptodate.check(settings, DAY_DATE, False, store=store))
    assert verdict.up_to_date and verdict.run is not None and verdict.run["id"] == run_id
    noted = uptodate.record_unchanged(store, DAY_DATE, verdict, {"day": DAY, "note": "上游未变"})
    row = store.get_run(noted)
    assert row is not None and row["status"] == uptodate.UNCHANGED and row["stats"]["note"] == "上游未变"
    assert row["stats"]["up_to_date_with"] == run_id and row["started"] <= row["finished"]
    # an unchanged run is never the baseline of the next check
    baseline = store.last_run(DAY_DATE, "run", skip=("running", uptodate.UNCHANGED))
    assert baseline is not None and baseline["id"] == run_id
    article = store.articles_for(DAY_DATE)[-1]
    article.title += "！"
    store.upsert_articles([article])
    verdict = asyncio.run(uptodate.check(settings, DAY_DATE, False, store=store))
    assert not verdict.up_to_date and "stored articles" in verdict.reason


def test_no_database_yet_the_store_makes_it(home: Path) -> None:
    import sqlite3

    from aidaily.store.migrate import HEAD

    home.mkdir(parents=True, exist_ok=True)
    settings = load_settings(home)
    assert isinstance(uptodate.open_runs(settings), Store)
    verdict = asyncio.run(uptodate.check(settings, DAY_DATE, False))
    assert not verdict.up_to_date and verdict.reason == "no earlier run of this date"
    with sqlite3.connect(home / "aidaily.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(HEAD,)]
