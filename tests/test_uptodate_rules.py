"""The up-to-date check's rules one at a time, fast: what makes a stored day up to date
or not (the listings compared, the URLs read, the recorded inputs), without a day fetched
(``test_uptodate.py`` runs the whole check against the test day; these state each rule
alone, as mutation testing of ``pipeline/uptodate.py`` asked).

The listings are qbitai's two feeds and its date archive of the test day
(``fixtures/day``), served on 127.0.0.1 by a mirror where the check must read them.
"""

from __future__ import annotations

import asyncio
import shutil
from functools import partial
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aidaily.config import FeedSource, Settings, SourceToggle, load_settings
from aidaily.errors import FetchError
from aidaily.ingest.fingerprint import body_hash, hash_parts, listing_fingerprint
from aidaily.ingest.response import FetchResult
from aidaily.memory.issues import recent_issues
from aidaily.models import Article, PastIssue, PastItem
from aidaily.pipeline import uptodate
from aidaily.pipeline.uptodate import listings_changed
from aidaily.store.drafts import Drafts
from aidaily.store.store import Store
from sources import get_source
from sources.qbitai import NEWS_FEED, SITE_FEED
from tests.servers import MirrorServer

DAY = date(2026, 1, 19)  # a past date: qbitai's archive of 2026-01-18 is read too
ARCHIVE = "https://www.qbitai.com/2026/01/18/"
DAY_FIXTURES = Path(__file__).parent / "fixtures" / "day"
QBITAI = DAY_FIXTURES / "www.qbitai.com"
FEED_BODY = (QBITAI / "feed" / "__index__").read_bytes()
NEWS_BODY = (QBITAI / "category" / "资讯" / "feed" / "__index__").read_bytes()


def served(url: str, body: bytes) -> FetchResult:
    return FetchResult(url=url, final_url=url, status=200, headers={}, body=body, fetched_at=datetime.now(UTC))


def failed(url: str, status: int | None, message: str) -> FetchError:
    return FetchError(url, message, status)


def recorded(listings: dict[str, bytes], absent: dict[str, int] | None = None, *,
             listed: bool = False) -> dict[str, Any]:
    """The inputs a run recorded, from what each listing served then."""
    return {"listings": {url: body_hash(body) for url, body in listings.items()}, "absent": absent or {},
            "listed": {url: fingerprint(url, body) for url, body in listings.items()} if listed else {}}


def fingerprint(url: str, body: bytes) -> str:
    return listing_fingerprint(get_source("qbitai").parse_listing(url, body.decode("utf-8")))


@pytest.fixture
def settings(home: Path) -> Settings:
    home.mkdir(parents=True, exist_ok=True)
    return load_settings(home)


# --- the listings compared (``listings_changed``) ------------------------------------------


def test_the_same_bytes_are_the_same_listings(settings: Settings) -> None:
    now = {SITE_FEED: ("qbitai", served(SITE_FEED, FEED_BODY)), NEWS_FEED: ("qbitai", served(NEWS_FEED, NEWS_BODY))}
    assert listings_changed(settings, now, recorded({SITE_FEED: FEED_BODY, NEWS_FEED: NEWS_BODY})) is None


@pytest.mark.parametrize("then", [
    {SITE_FEED: FEED_BODY},  # a URL read now that the run did not read (no crash: a full run)
    {SITE_FEED: FEED_BODY, NEWS_FEED: NEWS_BODY, ARCHIVE: b"<html></html>"},  # one the run read, not now
])
def test_another_set_of_listing_urls_is_a_change(settings: Settings, then: dict[str, bytes]) -> None:
    now = {SITE_FEED: ("qbitai", served(SITE_FEED, FEED_BODY)), NEWS_FEED: ("qbitai", served(NEWS_FEED, NEWS_BODY))}
    assert listings_changed(settings, now, recorded(then)) == "the sources' listing URLs changed since the last run"


def test_a_listing_absent_then_and_now_with_the_same_status_is_unchanged(settings: Settings) -> None:
    # the archive counts among the URLs read (as absent), and it is asked first: the loops
    # go on past it to the listings that follow
    then = recorded({SITE_FEED: FEED_BODY}, {ARCHIVE: 410})
    still = {ARCHIVE: ("qbitai", failed(ARCHIVE, 410, "HTTP 410"))}
    assert listings_changed(settings, {**still, SITE_FEED: ("qbitai", served(SITE_FEED, FEED_BODY))}, then) is None
    broken = {**still, SITE_FEED: ("qbitai", failed(SITE_FEED, 500, "HTTP 500"))}
    assert listings_changed(settings, broken, then) == "a listing could not be read (HTTP 500)"
    new = {**still, SITE_FEED: ("qbitai", served(SITE_FEED, NEWS_BODY))}
    assert listings_changed(settings, new, then) == f"the sources serve something new ({SITE_FEED})"


@pytest.mark.parametrize(("status", "reason"), [
    (404, "a listing absent at the last run (HTTP 410) now: HTTP 404"),  # absent otherwise
    (500, "a listing absent at the last run (HTTP 410) now: HTTP 500"),
    (None, "a listing absent at the last run (HTTP 410) now: timed out"),
])
def test_a_listing_absent_then_that_answers_another_error_now_is_a_change(
        settings: Settings, status: int | None, reason: str) -> None:
    message = f"HTTP {status}" if status else "timed out"
    now = {ARCHIVE: ("qbitai", failed(ARCHIVE, status, message))}
    assert listings_changed(settings, now, recorded({}, {ARCHIVE: 410})) == reason


@pytest.mark.parametrize("status", [404, 410, 403])
def test_a_listing_read_then_that_fails_now_is_a_change_even_as_not_found(settings: Settings, status: int) -> None:
    now = {SITE_FEED: ("qbitai", failed(SITE_FEED, status, f"HTTP {status}"))}
    assert listings_changed(settings, now, recorded({SITE_FEED: FEED_BODY})) == f"a listing could not be read (HTTP {status})"


def test_a_listing_absent_then_that_serves_a_page_now_is_a_change(settings: Settings) -> None:
    now = {ARCHIVE: ("qbitai", served(ARCHIVE, b"<html><body>new</body></html>"))}
    assert listings_changed(settings, now, recorded({}, {ARCHIVE: 404})) == (
        f"a listing absent at the last run (HTTP 404) serves a page now ({ARCHIVE})")


def test_other_bytes_are_a_change_unless_they_list_the_same(settings: Settings) -> None:
    volatile = FEED_BODY.replace(b"</channel>", b"<!-- built in 12 ms -->\n</channel>")
    assert volatile != FEED_BODY
    now = {SITE_FEED: ("qbitai", served(SITE_FEED, volatile))}
    assert listings_changed(settings, now, recorded({SITE_FEED: FEED_BODY}, listed=True)) is None
    # the same bytes without what the run listed (an older record): nothing to compare with
    assert listings_changed(settings, now, recorded({SITE_FEED: FEED_BODY})) == (
        f"the sources serve something new ({SITE_FEED})")
    # what the news feed lists is not what the site feed listed
    other = {SITE_FEED: ("qbitai", served(SITE_FEED, NEWS_BODY))}
    assert listings_changed(settings, other, recorded({SITE_FEED: FEED_BODY}, listed=True)) == (
        f"the sources serve something new ({SITE_FEED})")


@pytest.mark.parametrize("source", ["hubtoday", "lab-blog"])
def test_a_page_or_a_configured_feed_whose_markup_changed_lists_the_same(settings: Settings, source: str) -> None:
    """Each listing is parsed by its own adapter, as at the run: hubtoday's page (whose
    URL says the day it lists), a feed the home configured (only its settings know it)."""
    if source == "hubtoday":
        url, path = "https://ai.hubtoday.app/2026-01/2026-01-18/", DAY_FIXTURES / "ai.hubtoday.app" / "2026-01" / "2026-01-18"
    else:
        url, path = "https://lab.example/feed.xml", DAY_FIXTURES / "www.ithome.com" / "rss"  # any RSS 2.0 feed
        settings.feeds = [*settings.feeds, FeedSource(name=source, url=url)]
    body = (path / "__index__").read_bytes()
    listing = get_source(source, settings).parse_listing(url, body.decode("utf-8"))
    assert listing.entries or listing.articles
    then = {"listings": {url: body_hash(body)}, "absent": {}, "listed": {url: listing_fingerprint(listing)}}
    volatile = body + b"\n<!-- built in 12 ms -->\n"
    assert listings_changed(settings, {url: (source, served(url, volatile))}, then) is None


def test_a_listing_that_no_longer_parses_is_a_change(settings: Settings) -> None:
    hubtoday = "https://ai.hubtoday.app/2026-01/2026-01-18/"
    then = {"listings": {hubtoday: body_hash(b"old")}, "absent": {}, "listed": {hubtoday: "0" * 64}}
    now = {hubtoday: ("hubtoday", served(hubtoday, b"   "))}  # hubtoday's parser refuses an empty page
    assert listings_changed(settings, now, then) == f"the sources serve something new ({hubtoday})"


# --- what a run records (``inputs``) ---------------------------------------------------------


def test_a_run_records_only_not_found_listings_as_absent(settings: Settings) -> None:
    recorded_inputs = uptodate.inputs(
        settings, False, DAY, articles="a", listings={SITE_FEED: "2", NEWS_FEED: "1"}, listed={SITE_FEED: "3"},
        requests=[[SITE_FEED, "qbitai", None]], draft_hash="d",
        failed={ARCHIVE: 404, "https://x.example/gone": 410, "https://x.example/down": 503,
                "https://x.example/403": 403})
    assert recorded_inputs == {
        "settings": uptodate.settings_fingerprint(settings, False), "articles": "a",
        "listings": {NEWS_FEED: "1", SITE_FEED: "2"}, "listed": {SITE_FEED: "3"},
        "absent": {ARCHIVE: 404, "https://x.example/gone": 410}, "requests": [[SITE_FEED, "qbitai", None]],
        "past": True, "draft": "d", "memory": ""}
    assert uptodate.inputs(settings, False, date.today() + timedelta(days=2), articles="a", listings={}, listed={},
                           requests=[], draft_hash=None, memory="m")["past"] is False


def test_the_listing_requests_are_those_of_the_enabled_sources(settings: Settings) -> None:
    only_qbitai(settings)
    assert uptodate.listing_requests(settings, DAY) == [[SITE_FEED, "qbitai", None], [NEWS_FEED, "qbitai", None],
                                                         [ARCHIVE, "qbitai", None]]
    assert uptodate.listing_requests(settings, DAY + timedelta(days=3650)) == [
        [SITE_FEED, "qbitai", None], [NEWS_FEED, "qbitai", None]]  # no archive before its night


# --- what shapes the draft besides (settings, prompts, code) ----------------------------------


def test_the_model_counts_only_when_one_is_configured(settings: Settings) -> None:
    extractive = uptodate.settings_fingerprint(settings, False)
    assert not settings.llm.configured
    assert uptodate.settings_fingerprint(settings, True) == extractive  # no model to use
    settings.llm = settings.llm.model_copy(update={"base_url": "http://127.0.0.1:9/v1", "api_key": "k-1"})
    assert settings.llm.configured
    with_model = uptodate.settings_fingerprint(settings, True)
    assert with_model != uptodate.settings_fingerprint(settings, False)
    assert uptodate.inputs(settings, True, DAY, articles="", listings={}, listed={}, requests=[],
                           draft_hash=None)["settings"] == with_model  # a run with the model records so
    settings.llm = settings.llm.model_copy(update={"api_key": "another"})
    assert uptodate.settings_fingerprint(settings, True) == with_model  # the key is no input


def test_the_home_is_no_input_but_its_settings_are(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for home in (one, two):
        home.mkdir()
        (home / "aidaily.toml").write_text("[digest]\nmain_max = 9\n", encoding="utf-8")
    assert uptodate.settings_fingerprint(load_settings(one), False) == uptodate.settings_fingerprint(
        load_settings(two), False)  # a home moved elsewhere (or restored from a backup)
    (two / "aidaily.toml").write_text("[digest]\nmain_max = 10\n", encoding="utf-8")
    assert uptodate.settings_fingerprint(load_settings(one), False) != uptodate.settings_fingerprint(
        load_settings(two), False)
    # a table's entries in another order (or written with escapes): the same settings
    (one / "aidaily.toml").write_text('[fetch.url_map]\n"https://a.example" = "http://127.0.0.1:1/甲"\n'
                                      '"https://b.example" = "http://127.0.0.1:1/b"\n', encoding="utf-8")
    (two / "aidaily.toml").write_text('[fetch.url_map]\n"https://b.example" = "http://127.0.0.1:1/b"\n'
                                      '"https://a.example" = "http://127.0.0.1:1/\\u7532"\n', encoding="utf-8")
    assert list(load_settings(one).fetch.url_map) != list(load_settings(two).fetch.url_map)
    assert uptodate.settings_fingerprint(load_settings(one), False) == uptodate.settings_fingerprint(
        load_settings(two), False)


def test_the_prompts_are_their_names_and_texts(settings: Settings) -> None:
    shipped = uptodate.prompts_fingerprint(settings)
    own = settings.home / "prompts"
    shutil.copytree(settings.shipped_prompts_dir, own, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert settings.prompts_dir == own
    copied = uptodate.prompts_fingerprint(settings)
    (own / "notes").mkdir()  # a folder among them is no template
    assert uptodate.prompts_fingerprint(settings) == copied
    template = min(own.glob("*.j2"))
    files = sorted(p for p in own.iterdir() if p.is_file())
    moved = template.rename(own / (template.name + "x"))  # another name, the same place in the order
    assert sorted(p for p in own.iterdir() if p.is_file()).index(moved) == files.index(template)
    renamed = uptodate.prompts_fingerprint(settings)
    assert renamed != copied
    moved.write_bytes(b"\xff\xfe broken \xff")  # undecodable: still a fingerprint
    assert uptodate.prompts_fingerprint(settings) not in (renamed, copied, shipped)


def test_the_code_is_every_python_file_of_the_package_the_sources_and_the_flows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("aidaily", "sources", "flows", "tests"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "m.py").write_text("x = 1\n", encoding="utf-8")
        (tmp_path / name / "notes.txt").write_text("n\n", encoding="utf-8")
    installed = uptodate.code_fingerprint()  # cached once per process: the installed code's
    monkeypatch.setattr(uptodate, "PROJECT_ROOT", tmp_path)
    code = uptodate.code_fingerprint.__wrapped__
    first = code()
    seen = {first}
    for name in ("aidaily", "sources", "flows"):
        (tmp_path / name / "sub" / "m.py").write_text("x = 2\n", encoding="utf-8")
        assert code() not in seen, name
        seen.add(code())
    (tmp_path / "aidaily" / "sub" / "m.py").rename(tmp_path / "aidaily" / "sub" / "n.py")  # same text, moved
    assert code() not in seen
    moved = code()
    for name in ("aidaily", "tests"):
        (tmp_path / name / "notes.txt").write_text("other\n", encoding="utf-8")
    (tmp_path / "tests" / "sub" / "m.py").write_text("x = 3\n", encoding="utf-8")
    assert code() == moved  # not Python, or not aidaily's code
    assert uptodate.code_fingerprint() == installed != moved
    # and the code is one of the inputs the check compares
    settings = load_settings(tmp_path / "home")
    before = uptodate.settings_fingerprint(settings, False)
    monkeypatch.setattr(uptodate, "code_fingerprint", lambda: moved)
    assert uptodate.settings_fingerprint(settings, False) != before


def test_the_days_articles_are_those_of_its_window(settings: Settings) -> None:
    store = Store.from_settings(settings)
    none = uptodate.articles_fingerprint(store, DAY, settings)
    assert none == hash_parts()
    at = datetime(2026, 1, 18, 12, tzinfo=UTC)  # in the window of the digest dated 01-19
    store.upsert_articles([Article(url="https://x.example/1", source="ithome", title="t", text="正文", published=at)])
    [(url, digest)] = store.content_hashes((at - timedelta(hours=1), at + timedelta(hours=1)))
    assert uptodate.articles_fingerprint(store, DAY, settings) == hash_parts(f"{url} {digest}")
    assert uptodate.articles_fingerprint(store, DAY + timedelta(days=2), settings) == none
    # the window is the 24 hours before the date in the configured time zone
    late = datetime(2026, 1, 18, 20, tzinfo=UTC)  # 04:00 of the 19th in Beijing, 08:00 of the 18th at UTC-12
    store.upsert_articles([Article(url="https://x.example/2", source="ithome", title="t", text="晚", published=late)])
    assert uptodate.articles_fingerprint(store, DAY, settings) == hash_parts(f"{url} {digest}")
    settings.window = settings.window.model_copy(update={"timezone": "Etc/GMT+12"})
    assert uptodate.articles_fingerprint(store, DAY, settings) == hash_parts(
        *(f"{u} {d}" for u, d in store.content_hashes((late - timedelta(hours=20), late + timedelta(hours=4)))))


# --- the check, on a day recorded by hand ---------------------------------------------------


def only_qbitai(settings: Settings) -> None:
    settings.sources = {"ithome": SourceToggle(enabled=False), "qbitai": SourceToggle(),
                        "hubtoday": SourceToggle(enabled=False)}
    settings.feeds = []


@pytest.fixture
def day(tmp_path: Path, settings: Settings) -> Iterator[tuple[Settings, MirrorServer]]:
    """qbitai alone, its listings of the test day on a local mirror."""
    root = tmp_path / "mirror"
    shutil.copytree(QBITAI / "feed", root / "www.qbitai.com" / "feed")
    shutil.copytree(QBITAI / "category", root / "www.qbitai.com" / "category")
    shutil.copytree(QBITAI / "2026" / "01" / "18", root / "www.qbitai.com" / "2026" / "01" / "18")
    with MirrorServer(root) as mirror:
        only_qbitai(settings)
        settings.fetch = settings.fetch.model_copy(update={
            "per_host_delay": 0.0, "retries": 1, "backoff": 0.01, "timeout": 5.0,
            "url_map": mirror.url_map("https://www.qbitai.com")})
        yield settings, mirror


def record_run(settings: Settings, *, requests: list[list[Any]] | None = None, past: bool | None = None,
               status: str = "ok", memory: str | None = None, store: Store | None = None) -> str:
    """A complete run of ``DAY`` as ``run_day`` records it: a draft written, every listing
    read (``requests``, default all of qbitai's) with what it served then."""
    store = store or Store.from_settings(settings)
    drafts = Drafts(settings.drafts_dir)
    drafts.write(DAY.isoformat(), "---\ntitle: t\n---\n\ndraft\n")
    requests = requests if requests is not None else uptodate.listing_requests(settings, DAY)
    then = asyncio.run(uptodate.served_listings(settings, DAY, requests=requests))
    bodies = {url: result.body for url, (_, result) in then.items()}
    make = partial(uptodate.inputs, settings, False, DAY, articles=uptodate.articles_fingerprint(store, DAY, settings),
                   listings={u: body_hash(b) for u, b in bodies.items()},
                   listed={u: fingerprint(u, b) for u, b in bodies.items()}, requests=requests,
                   draft_hash=drafts.last_written(DAY.isoformat()))
    inputs = make() if memory is None else make(memory=memory)
    if past is not None:
        inputs["past"] = past
    run_id = store.start_run(DAY, "run")
    store.finish_run(run_id, status, {"inputs": inputs})
    return run_id


def check(settings: Settings, store: Store | None = None) -> uptodate.Verdict:
    return asyncio.run(uptodate.check(settings, DAY, False, store=store))


def test_an_unchanged_day_is_up_to_date_with_its_last_complete_run(day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    run_id = record_run(settings, memory=None)  # recorded without earlier issues: none now either
    verdict = check(settings)
    assert (verdict.up_to_date, verdict.reason, verdict.run and verdict.run["id"]) == (
        True, f"nothing changed since run {run_id}", run_id)
    assert verdict.draft == str(settings.drafts_dir / f"{DAY}.md")
    assert verdict.listings == {SITE_FEED: body_hash(FEED_BODY), NEWS_FEED: body_hash(NEWS_BODY),
                                ARCHIVE: body_hash((QBITAI / "2026" / "01" / "18" / "__index__").read_bytes())}
    assert mirror.hits_for(ARCHIVE) == 2  # at the run and at the check
    # a run that found it so is noted, and is not the baseline of the next check
    store = Store.from_settings(settings)
    noted = uptodate.record_unchanged(store, DAY, verdict, {"day": DAY.isoformat()})
    row = store.get_run(noted)
    assert row is not None and row["status"] == "unchanged" and row["stats"] == {
        "day": DAY.isoformat(), "up_to_date_with": run_id}
    assert store.last_run(DAY, "run", skip=()) == row  # among the date's runs (its history)
    assert check(settings).run["id"] == run_id  # type: ignore[index]


def test_a_run_recorded_before_issues_were_remembered_is_a_baseline(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    run_id = record_run(settings)
    store = Store.from_settings(settings)
    stats = store.get_run(run_id)["stats"]  # type: ignore[index]
    del stats["inputs"]["memory"]  # recorded by a version without the memory across issues
    store.finish_run(run_id, "ok", stats)
    assert check(settings).up_to_date


def test_the_recorded_listing_requests_are_replayed_while_the_nights_state_is_the_same(
        day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    feeds = [[SITE_FEED, "qbitai", None], [NEWS_FEED, "qbitai", None]]
    record_run(settings, requests=feeds)  # the archive not read (an older run), the night passed then
    verdict = check(settings)
    assert verdict.up_to_date and set(verdict.listings) == {SITE_FEED, NEWS_FEED}
    assert mirror.hits_for(ARCHIVE) == 0


def test_the_listing_urls_are_worked_out_again_when_the_nights_state_changed(
        day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    feeds = [[SITE_FEED, "qbitai", None], [NEWS_FEED, "qbitai", None]]
    record_run(settings, requests=feeds, past=False)  # the night before: no archive then
    verdict = check(settings)
    assert (verdict.up_to_date, verdict.reason) == (False, "the sources' listing URLs changed since the last run")
    assert mirror.hits_for(ARCHIVE) == 1 and set(verdict.listings) == {SITE_FEED, NEWS_FEED, ARCHIVE}


def test_a_run_that_recorded_no_requests_has_them_worked_out(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    record_run(settings, requests=[])  # read nothing then: now the sources' listings
    verdict = check(settings)
    assert (verdict.up_to_date, verdict.reason) == (False, "the sources' listing URLs changed since the last run")


def test_a_listing_that_changed_is_said_with_what_is_served_now(day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    record_run(settings)
    mirror.put(NEWS_FEED, FEED_BODY)
    verdict = check(settings)
    assert (verdict.up_to_date, verdict.reason) == (False, f"the sources serve something new ({NEWS_FEED})")
    assert verdict.listings[NEWS_FEED] == body_hash(FEED_BODY) and verdict.run is None and verdict.draft is None
    mirror.fault(ARCHIVE, status=500)
    broken = check(settings)
    assert (broken.up_to_date, broken.reason) == (False, "a listing could not be read (HTTP 500 from qbitai)")
    assert set(broken.listings) == {SITE_FEED, NEWS_FEED}  # what could be read


@pytest.mark.parametrize(("status", "reason"), [
    ("partial", "the last run of this date ended 'partial'"),
    ("failed", "the last run of this date ended 'failed'"),
])
def test_only_a_complete_run_is_a_baseline(day: tuple[Settings, MirrorServer], status: str, reason: str) -> None:
    settings, _ = day
    assert check(settings).reason == "no earlier run of this date"
    record_run(settings, status=status)
    assert (check(settings).up_to_date, check(settings).reason) == (False, reason)


def test_a_complete_run_without_recorded_inputs_is_no_baseline(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    store = Store.from_settings(settings)
    store.finish_run(store.start_run(DAY, "run"), "ok", {"draft": "x"})
    assert (check(settings).up_to_date, check(settings).reason) == (False, "the last run of this date ended 'ok'")


def changed(settings: Settings, store: Store | None = None) -> str:
    """Why the check finds ``DAY`` not up to date (it must not be)."""
    verdict = check(settings, store)
    assert verdict.up_to_date is False and verdict.run is None and verdict.draft is None, verdict
    return verdict.reason


def test_what_changed_since_the_run_is_named(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    record_run(settings)
    store = Store.from_settings(settings)
    drafts = Drafts(settings.drafts_dir)
    path = drafts.current_path(DAY.isoformat())

    settings.digest = settings.digest.model_copy(update={"main_max": settings.digest.main_max + 1})
    assert changed(settings) == "settings, prompts or aidaily's code changed since the last run"
    settings.digest = settings.digest.model_copy(update={"main_max": settings.digest.main_max - 1})

    text = path.read_bytes()
    path.unlink()
    assert changed(settings) == "the draft file is gone"
    path.write_bytes(text.replace(b"title: t", f'coverImage: "{settings.cover.url(DAY)}"'.encode()))
    assert changed(settings) == "the cover file is gone"
    settings.cover_file(DAY).parent.mkdir(parents=True)
    settings.cover_file(DAY).write_bytes(b"png")
    assert check(settings).up_to_date  # the draft edited by hand, its cover there

    at = datetime(2026, 1, 18, 12, tzinfo=UTC)
    store.upsert_articles([Article(url="https://x.example/1", source="ithome", title="t", text="正文", published=at)])
    assert changed(settings, store) == "the stored articles of the day changed since the last run"


def test_another_draft_written_is_a_change(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    record_run(settings)
    Drafts(settings.drafts_dir).write(DAY.isoformat(), "---\ntitle: other\n---\n\nanother draft\n")
    assert changed(settings) == "another draft was written since the last run"


def remembered(store: Store, sha256: str) -> None:
    """The store remembers an issue of the day before ``DAY`` (its text hashed ``sha256``)."""
    store.save_issue(PastIssue(DAY - timedelta(days=1), "published", sha256, items=[
        PastItem("item", "甲公司发布新芯片", "https://a.example/chip", ["融资 130 亿美元"])]))


def test_an_earlier_issue_remembered_since_is_a_change(day: tuple[Settings, MirrorServer]) -> None:
    settings, _ = day
    store = Store.from_settings(settings)
    record_run(settings, memory=recent_issues(settings, DAY).fingerprint)  # nothing remembered then
    assert check(settings).up_to_date
    remembered(store, "a" * 64)
    assert changed(settings) == "an earlier issue changed since the last run (the stories it ran)"
    record_run(settings, memory=recent_issues(settings, DAY, store).fingerprint)  # run again with it
    assert check(settings).up_to_date
    remembered(store, "b" * 64)  # the earlier issue edited
    assert changed(settings) == "an earlier issue changed since the last run (the stories it ran)"


def test_a_run_in_progress_is_no_baseline(day: tuple[Settings, MirrorServer]) -> None:
    """``aidaily run`` notes its own run before it checks: the last complete one counts."""
    settings, _ = day
    run_id = record_run(settings)
    Store.from_settings(settings).start_run(DAY, "run")
    assert check(settings).run["id"] == run_id  # type: ignore[index]


def test_the_store_given_is_the_one_read(day: tuple[Settings, MirrorServer], tmp_path: Path) -> None:
    settings, _ = day
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")  # e.g. the PostgreSQL of the settings
    remembered(other, "a" * 64)  # an earlier issue it alone remembers
    run_id = record_run(settings, store=other, memory=recent_issues(settings, DAY, other).fingerprint)
    verdict = check(settings, other)
    assert verdict.up_to_date and verdict.run is not None and verdict.run["id"] == run_id
    assert changed(settings) == "no earlier run of this date"  # the home's own database has none


class _Clock(datetime):
    """2026-01-19 01:00 UTC: 09:00 of the 19th in Beijing, 13:00 of the 18th at UTC-12."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime(2026, 1, 19, 1, tzinfo=UTC).astimezone(tz)


def test_whether_the_dates_night_has_passed_is_judged_in_the_configured_time_zone(
        day: tuple[Settings, MirrorServer], monkeypatch: pytest.MonkeyPatch) -> None:
    import sources

    settings, _ = day
    monkeypatch.setattr(sources, "datetime", _Clock)
    assert uptodate.inputs(settings, False, DAY, articles="", listings={}, listed={}, requests=[],
                           draft_hash=None)["past"] is True
    settings.window = settings.window.model_copy(update={"timezone": "Etc/GMT+12"})
    assert uptodate.inputs(settings, False, DAY, articles="", listings={}, listed={}, requests=[],
                           draft_hash=None)["past"] is False
    record_run(settings, requests=[[SITE_FEED, "qbitai", None]])  # the night before there: replayed
    verdict = check(settings)
    assert verdict.up_to_date and list(verdict.listings) == [SITE_FEED]


def test_the_check_asks_conditionally_and_closes_only_the_fetcher_it_opened(
        day: tuple[Settings, MirrorServer], monkeypatch: pytest.MonkeyPatch) -> None:
    from aidaily.ingest import fetch

    settings, mirror = day
    record_run(settings)  # its responses archived: their validators are sent again
    closed: list[object] = []

    class Recorded(fetch.Fetcher):
        async def aclose(self) -> None:
            closed.append(self)
            await super().aclose()

    monkeypatch.setattr(fetch, "Fetcher", Recorded)
    assert check(settings).up_to_date
    assert len(closed) == 1  # the one it opened
    feed = mirror.requests[mirror.path_for(SITE_FEED)]
    assert len(feed) == 2 and "if-none-match" not in feed[0] and feed[1]["if-none-match"]  # answered 304

    async def with_own_fetcher() -> tuple[bool, int]:
        async with fetch.Fetcher(settings.fetch) as mine:
            verdict = await uptodate.check(settings, DAY, False, fetcher=mine)
            again = await mine.fetch(SITE_FEED, source="qbitai")  # still open: the caller's
            return verdict.up_to_date, again.status
    assert asyncio.run(with_own_fetcher()) == (True, 200)
    assert len(closed) == 2  # and the caller's, when its ``async with`` ended


def test_each_listing_request_is_replayed_with_the_user_agent_the_run_sent(day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    requests: list[list[Any]] = [[SITE_FEED, "qbitai", "LabCrawler/2.0 (+https://lab.example/bot)"], [NEWS_FEED, "qbitai", None],
                [ARCHIVE, "qbitai", None]]
    record_run(settings, requests=requests)
    assert check(settings).up_to_date
    agents = {url: mirror.requests[mirror.path_for(url)][-1].get("user-agent") for url, _, _ in requests}
    assert agents == {SITE_FEED: "LabCrawler/2.0 (+https://lab.example/bot)",
                      NEWS_FEED: settings.fetch.user_agent_string(), ARCHIVE: settings.fetch.user_agent_string()}


def test_a_configured_feed_whose_markup_changed_is_still_up_to_date(day: tuple[Settings, MirrorServer]) -> None:
    settings, mirror = day
    lab = "https://www.qbitai.com/lab/feed.xml"  # a feed the home configured (on the mirrored host)
    body = (DAY_FIXTURES / "www.ithome.com" / "rss" / "__index__").read_bytes()
    mirror.put(lab, body)
    settings.feeds = [FeedSource(name="lab-blog", url=lab)]
    record_run(settings)
    mirror.put(lab, body + b"\n<!-- built in 12 ms -->\n")
    verdict = check(settings)
    assert verdict.up_to_date and verdict.listings[lab] != body_hash(body)
