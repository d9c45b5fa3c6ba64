"""aidaily.store.store: idempotent upserts, aware times, runs, attempts, health.

The ``store`` fixture runs each behaviour test on a real SQLite file and again on a fresh
database of a throw-away PostgreSQL cluster (the "several workers share it" set-up;
skipped where PostgreSQL is not installed). Tests that look inside the SQLite file pin
the fixture to ``sqlite``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidaily.models import Article, Story
from aidaily.store.store import Attempt, Store, day_window
from tests.factories import new_postgres_database, open_at_once

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 1, 19)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The store on ``tmp_path / "aidaily.db"``, or on a fresh PostgreSQL database."""
    if request.param == "postgres":
        return Store(new_postgres_database(request.getfixturevalue("postgres")))
    return Store(f"sqlite:///{tmp_path / 'aidaily.db'}")


# Reads the SQLite file behind the store directly.
only_sqlite = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


def article(url: str = "https://www.ithome.com/0/914/192.htm", **kw: object) -> Article:
    values: dict[str, object] = {
        "source": "ithome", "title": "OpenAI 发布新模型", "text": "正文。",
        "published": datetime(2026, 1, 18, 9, 30, tzinfo=SH),
        "images": ["https://img.ithome.com/a.jpg"], "tags": ["OpenAI"],
    }
    values.update(kw)
    return Article(url=url, **values)  # type: ignore[arg-type]


@only_sqlite
def test_upsert_is_idempotent_and_only_touches_last_seen(store: Store, tmp_path: Path) -> None:
    t0 = datetime(2026, 1, 18, 10, tzinfo=UTC)
    assert store.upsert_articles([article()], now=t0).new == 1
    again = store.upsert_articles([article()], now=t0 + timedelta(hours=1))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    with sqlite3.connect(tmp_path / "aidaily.db") as db:
        first_seen, last_seen, count = db.execute(
            "select first_seen, last_seen, (select count(*) from articles) from articles").fetchone()
    assert count == 1 and first_seen.startswith("2026-01-18 10:00") and last_seen.startswith("2026-01-18 11:00")


def test_changed_content_updates_the_row(store: Store) -> None:
    store.upsert_articles([article()])
    changed = store.upsert_articles([article(text="更正后的正文。")])
    assert changed.updated == 1
    assert store.get_article(article().url).text == "更正后的正文。"  # type: ignore[union-attr]


def test_round_trip_keeps_everything_and_times_are_aware_shanghai(store: Store) -> None:
    utc_time = datetime(2026, 1, 18, 2, 0, tzinfo=UTC)  # a feed in GMT
    original = article(published=utc_time, author="问舟", origin="IT之家", editor="远洋",
                       links=["https://x.com/a"], section="前沿研究", ai_relevant=True)
    store.upsert_articles([original])
    got = store.get_article(original.url)
    assert got is not None
    assert got.published == utc_time and got.published.tzinfo == SH and got.published.hour == 10
    for name in ("title", "text", "author", "origin", "editor", "images", "tags", "links", "section",
                 "ai_relevant"):
        assert getattr(got, name) == getattr(original, name), name
    assert got.content_hash == original.content_hash


def test_articles_for_uses_the_day_window(store: Store) -> None:
    start, end = day_window(DAY)
    assert (start, end) == (datetime(2026, 1, 18, tzinfo=SH), datetime(2026, 1, 19, tzinfo=SH))
    store.upsert_articles([
        article("https://a/in", published=start),
        article("https://a/late", published=end),
        article("https://a/early", published=start - timedelta(seconds=1)),
        article("https://a/undated", published=None),
        article("https://b/in", source="qbitai", published=end - timedelta(minutes=1)),
    ])
    assert [a.url for a in store.articles_for(DAY)] == ["https://a/in", "https://b/in"]
    assert [a.url for a in store.articles_for(DAY, sources=["qbitai"])] == ["https://b/in"]
    assert len(store.articles_for(DAY, hours=48)) == 3


def test_story_ids_and_known_urls(store: Store) -> None:
    a, b, c = article("https://a/1"), article("https://b/1", source="qbitai"), article("https://a/2")
    store.upsert_articles([a, b, c])
    assert store.set_story_ids([Story("s1", [a, b]), Story("s2", [c])]) == 3
    assert store.set_story_ids({"https://a/1": "s1"}) == 0  # unchanged
    assert store.story_ids(["https://a/1", "https://b/1", "https://a/2"]) == {
        "https://a/1": "s1", "https://b/1": "s1", "https://a/2": "s2"}
    assert set(store.known_urls(["https://a/1", "https://zzz"])) == {"https://a/1"}
    assert set(store.known_urls(source="qbitai")) == {"https://b/1"}


def test_runs_attempts_and_source_health(store: Store) -> None:
    run_id = store.start_run(DAY)
    store.record_attempts(run_id, [
        Attempt("https://www.ithome.com/rss/", "ithome", "listing", 200),
        Attempt("https://www.ithome.com/0/1.htm", "ithome", "article", 500, "HTTP 500"),
    ])
    store.update_source("ithome", url="https://www.ithome.com/rss/", ok=True, items=40,
                        error="https://www.ithome.com/0/1.htm: HTTP 500")
    store.finish_run(run_id, "partial", {"seen": 40})
    run = store.get_run(run_id)
    assert run and run["status"] == "partial" and run["stats"] == {"seen": 40} and run["finished"]
    health = store.source_health()["ithome"]
    assert (health.last_yield, health.recent_attempts, health.recent_failures) == (40, 2, 1)
    assert health.last_success and health.last_failure and "HTTP 500" in health.recent_errors[0]


def test_last_run_and_the_content_hashes_of_a_window(store: Store) -> None:
    start, end = day_window(DAY)
    store.upsert_articles([article("https://a/in", published=start), article("https://a/out", published=end),
                           article("https://b/in", source="qbitai", published=end - timedelta(microseconds=1))])
    assert [url for url, _ in store.content_hashes((start, end))] == ["https://a/in", "https://b/in"]
    day = DAY
    ok = store.start_run(day, "run")
    store.finish_run(ok, "ok", {"inputs": {"draft": "h"}})
    later = store.start_run(day, "run")
    store.finish_run(later, "unchanged", {})
    running = store.start_run(day, "run")
    assert store.last_run(day, "run")["id"] == later  # type: ignore[index]
    assert store.last_run(day, "run", skip=("running", "unchanged"))["stats"] == {"inputs": {"draft": "h"}}  # type: ignore[index]
    assert store.last_run(day, "fetch") is None and running


def test_naive_datetimes_are_read_as_beijing_time(store: Store) -> None:
    store.upsert_articles([article(published=datetime(2026, 1, 18, 9, 30))])
    assert store.get_article(article().url).published == datetime(2026, 1, 18, 9, 30, tzinfo=SH)  # type: ignore[union-attr]


def test_every_sqlite_connection_is_wal_and_commits_without_an_fsync(tmp_path: Path) -> None:
    """WAL, synchronous=NORMAL on each connection the store's engine opens: a commit does
    not wait for the disk (a run commits every fetched page and logs every model answer
    from its event loop); a killed writer still keeps what it committed (below)."""
    from aidaily.store.db import engine_for

    engine = engine_for(f"sqlite:///{tmp_path / 'aidaily.db'}")
    with engine.connect() as first, engine.connect() as second:  # two of the pool's connections
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_killed_writer_leaves_a_usable_database(tmp_path: Path) -> None:
    """SIGKILL in the middle of a run: what was committed is there, the rest is not."""
    import signal
    import subprocess
    import sys
    import textwrap

    url = f"sqlite:///{tmp_path / 'aidaily.db'}"
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import datetime, timezone
        from aidaily.models import Article
        from aidaily.store.store import Store
        store = Store({url!r})
        when = datetime(2026, 1, 18, 8, tzinfo=timezone.utc)
        store.upsert_articles([Article(url="https://a/%d" % i, source="x", title="t", text="t",
                                       published=when) for i in range(50)])
        session = store._sessions()
        from aidaily.store.store import ArticleRow
        session.add(ArticleRow(url="https://a/uncommitted", source="x", title="t", text="t",
                               content_hash="h", first_seen=when, last_seen=when))
        session.flush()  # written to the journal, never committed
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    store = Store(url)
    known = store.known_urls()
    assert len(known) == 50 and "https://a/uncommitted" not in known
    assert store.upsert_articles([article()]).new == 1


def test_a_lost_insert_race_is_retried_as_an_update(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs of one date insert the same new URL: the loser reads again and updates."""
    from aidaily.store import store as store_module
    real = store_module._new_row
    calls = {"n": 0}

    def racing_new_row(art: Article, now: datetime):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:  # the other process commits the row right before we do
            other = Store(store.url)
            monkeypatch.setattr(store_module, "_new_row", real)
            other.upsert_articles([art])
            monkeypatch.setattr(store_module, "_new_row", racing_new_row)
        return real(art, now)

    monkeypatch.setattr(store_module, "_new_row", racing_new_row)
    stats = store.upsert_articles([article()])
    assert (stats.new, stats.unchanged) == (0, 1)
    assert len(store.known_urls()) == 1




def test_processes_opening_a_fresh_database_at_once_all_get_it_at_head(tmp_path: Path) -> None:
    """Several runs starting in a new home at once (several dates) all find the database
    missing: one makes it (under the migration lock), the others wait and take it as it is."""
    from aidaily.store.migrate import HEAD

    url = f"sqlite:///{tmp_path / 'race.db'}"
    open_at_once(url)
    with sqlite3.connect(tmp_path / "race.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(HEAD,)]
    assert sorted(Store(url).source_health()) == ["site0", "site1", "site2"]
