"""The fetcher's manners, over real HTTP on 127.0.0.1: robots.txt read once per host
through the same fetcher, disallowed paths skipped (and told apart from failures),
Crawl-delay raising the spacing, an honest User-Agent; robots.txt never archived."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.config import FetchSettings
from aidaily.errors import FetchError, RobotsDisallowed
from aidaily.ingest.archive import Archive
from aidaily.ingest.fetch import Fetcher
from tests.servers import MirrorServer
from tests.test_fetch import SITE, FakeTime, fast_settings, public_resolver, run

ROBOTS = f"{SITE}/robots.txt"


def fetch_all(settings: FetchSettings, urls: list[str], **opts: object) -> dict[str, object]:
    """url -> FetchResult body or the error raised, fetched one by one in order."""

    async def go() -> dict[str, object]:
        out: dict[str, object] = {}
        async with Fetcher(settings, resolver=public_resolver, **opts) as fetcher:  # type: ignore[arg-type]
            for url in urls:
                try:
                    out[url] = (await fetcher.fetch(url, source="test")).text
                except FetchError as exc:
                    out[url] = exc
        return out

    return run(go())


def put_pages(server: MirrorServer, *paths: str) -> None:
    for path in paths:
        server.put(f"{SITE}{path}", f"page {path}")


def test_a_disallowed_path_is_not_requested_and_robots_is_read_once(mirror_server: MirrorServer) -> None:
    mirror_server.put(ROBOTS, "User-agent: *\nDisallow: /private/\n")
    put_pages(mirror_server, "/a.htm", "/private/b.htm", "/c.htm")
    got = fetch_all(fast_settings(mirror_server), [f"{SITE}/a.htm", f"{SITE}/private/b.htm", f"{SITE}/c.htm"])
    assert got[f"{SITE}/a.htm"] == "page /a.htm" and got[f"{SITE}/c.htm"] == "page /c.htm"
    refused = got[f"{SITE}/private/b.htm"]
    assert isinstance(refused, RobotsDisallowed)
    assert refused.message == "disallowed by robots.txt: not fetched"
    assert mirror_server.hits_for(f"{SITE}/private/b.htm") == 0
    assert mirror_server.hits_for(ROBOTS) == 1


@pytest.mark.parametrize(("robots", "allowed"), [
    ("User-agent: aidaily\nDisallow: /\n", False),
    ("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", True),
    ("User-agent: *\nDisallow: /\n\nUser-agent: aidaily\nAllow: /\n", True),
])
def test_the_rules_for_aidaily_apply(mirror_server: MirrorServer, robots: str, allowed: bool) -> None:
    mirror_server.put(ROBOTS, robots)
    put_pages(mirror_server, "/a.htm")
    got = fetch_all(fast_settings(mirror_server), [f"{SITE}/a.htm"])[f"{SITE}/a.htm"]
    assert (got == "page /a.htm") is allowed
    assert isinstance(got, RobotsDisallowed) is not allowed


def test_no_robots_txt_allows_everything(mirror_server: MirrorServer) -> None:
    put_pages(mirror_server, "/a.htm")  # the mirror answers 404 for robots.txt
    assert fetch_all(fast_settings(mirror_server), [f"{SITE}/a.htm"]) == {f"{SITE}/a.htm": "page /a.htm"}


def test_a_robots_txt_that_cannot_be_read_keeps_the_host_out(mirror_server: MirrorServer) -> None:
    put_pages(mirror_server, "/a.htm", "/b.htm")
    mirror_server.fault(ROBOTS, status=503)
    got = fetch_all(fast_settings(mirror_server, retries=1), [f"{SITE}/a.htm", f"{SITE}/b.htm"])
    for url in (f"{SITE}/a.htm", f"{SITE}/b.htm"):
        error = got[url]
        assert isinstance(error, FetchError) and not isinstance(error, RobotsDisallowed)
        assert "robots.txt of www.example-news.com could not be read (HTTP 503)" in error.message
        assert mirror_server.hits_for(url) == 0
    assert mirror_server.hits_for(ROBOTS) == 2  # one attempt and its retry, once for the run


def test_crawl_delay_raises_the_spacing_and_allows_one_request_at_a_time(mirror_server: MirrorServer) -> None:
    mirror_server.put(ROBOTS, "User-agent: *\nCrawl-delay: 3\n")
    put_pages(mirror_server, "/0.htm", "/1.htm", "/2.htm")
    fake = FakeTime()
    settings = fast_settings(mirror_server, per_host_delay=0.25, per_host_concurrency=4)

    async def go() -> int:
        async with Fetcher(settings, resolver=public_resolver, clock=fake.clock, sleep=fake.sleep) as fetcher:
            batch = await fetcher.fetch_many([f"{SITE}/{i}.htm" for i in range(3)], source="test")
            return len(batch.results)

    assert run(go()) == 3
    # robots.txt at once; the first page after the default 0.25 s (robots.txt was spaced by
    # it), then 3 s between the starts of the pages
    assert fake.delays == [0.25, 3.0, 3.0]


def test_a_request_rate_is_a_crawl_delay_too(mirror_server: MirrorServer) -> None:
    mirror_server.put(ROBOTS, "User-agent: *\nRequest-rate: 1/5\n")
    put_pages(mirror_server, "/0.htm", "/1.htm")
    fake = FakeTime()
    got = fetch_all(fast_settings(mirror_server, per_host_delay=0.25), [f"{SITE}/0.htm", f"{SITE}/1.htm"],
                    clock=fake.clock, sleep=fake.sleep)
    assert list(got.values()) == ["page /0.htm", "page /1.htm"]
    assert fake.delays == [0.25, 5.0]


def test_the_user_agent_names_aidaily_and_the_contact(mirror_server: MirrorServer) -> None:
    put_pages(mirror_server, "/a.htm")
    settings = fast_settings(mirror_server, contact_url="https://example.org/aidaily-contact")
    fetch_all(settings, [f"{SITE}/a.htm"])
    expected = "Mozilla/5.0 (compatible; aidaily/0.1.0; +https://example.org/aidaily-contact)"
    for url in (ROBOTS, f"{SITE}/a.htm"):
        assert mirror_server.requests[mirror_server.path_for(url)][0]["user-agent"] == expected
    assert FetchSettings().user_agent_string() == "Mozilla/5.0 (compatible; aidaily/0.1.0)"
    assert FetchSettings(user_agent="Custom/1").user_agent_string() == "Custom/1"


def test_robots_txt_is_not_archived_and_obey_robots_off_skips_it(mirror_server: MirrorServer, tmp_path: Path) -> None:
    mirror_server.put(ROBOTS, "User-agent: *\nDisallow: /private/\n")
    put_pages(mirror_server, "/a.htm", "/private/b.htm")
    archive = Archive(tmp_path / "archive")
    fetch_all(fast_settings(mirror_server), [f"{SITE}/a.htm"], archive=archive)
    assert archive.latest(f"{SITE}/a.htm") is not None
    assert archive.latest(ROBOTS) is None
    got = fetch_all(fast_settings(mirror_server, obey_robots=False), [f"{SITE}/private/b.htm"])
    assert got == {f"{SITE}/private/b.htm": "page /private/b.htm"}
    assert mirror_server.hits_for(ROBOTS) == 1  # only the first fetcher asked
