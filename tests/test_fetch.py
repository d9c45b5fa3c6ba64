"""aidaily.ingest.fetch against a real HTTP server on 127.0.0.1 (tests/servers.py); no network."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from aidaily.ingest.archive import Archive
from aidaily.ingest.response import FetchResult
from aidaily.config import FetchSettings
from aidaily.errors import BlockedURLError, FetchError, ResponseTooLarge
from aidaily.ingest.fetch import (
    Fetcher,
    address_problem,
    decode_body,
    map_url,
    retry_after_seconds,
    unmap_url,
)
from tests.servers import MirrorServer, closed_port_url

SITE = "https://www.example-news.com"


def fast_settings(server: MirrorServer | None = None, **overrides: object) -> FetchSettings:
    """Tiny timeouts and backoff: the whole file runs in well under a second or two."""
    values: dict[str, object] = {"timeout": 1.0, "retries": 2, "backoff": 0.01, "per_host_delay": 0.0,
                                 "max_bytes": 10_000}
    if server is not None:
        values["url_map"] = server.url_map(SITE)
    values.update(overrides)
    return FetchSettings.model_validate(values)


async def public_resolver(host: str, port: int) -> list[str]:
    """Every host name is a public address (so no test needs DNS)."""
    return {"intranet.example": ["10.1.2.3"], "rebind.example": ["127.0.0.1"]}.get(host, ["93.184.216.34"])


class Sleeps:
    """A ``sleep`` that records the delays asked for and waits only a tiny bit."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def fetch_one(settings: FetchSettings, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
    opts: dict[str, Any] = {"resolver": public_resolver}
    opts.update({k: kwargs.pop(k) for k in ("archive", "sleep", "record_dir", "retry_after_cap") if k in kwargs})
    async with Fetcher(settings, **opts) as fetcher:
        return await fetcher.fetch(url, source="test", **kwargs)  # type: ignore[arg-type]


# URL map and address policy ----------------------------------------------------------------


def test_url_map_longest_prefix_at_a_boundary() -> None:
    url_map = {"https://a.com": "http://127.0.0.1:1/a.com", "https://a.com/rss": "http://127.0.0.1:1/feed"}
    assert map_url("https://a.com/x.htm", url_map) == "http://127.0.0.1:1/a.com/x.htm"
    assert map_url("https://a.com/rss/", url_map) == "http://127.0.0.1:1/feed/"
    assert map_url("https://a.com.evil.org/", url_map) == "https://a.com.evil.org/"
    assert unmap_url("http://127.0.0.1:1/a.com/y", url_map) == "https://a.com/y"
    assert unmap_url("http://127.0.0.1:1/other", url_map) is None


@pytest.mark.parametrize(
    ("address", "problem"),
    [("93.184.216.34", None), ("127.0.0.1", "loopback"), ("10.0.0.1", "private"),
     ("169.254.169.254", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
     ("::1", "loopback"), ("::ffff:10.0.0.1", "private"), ("fe80::1", "link-local"),
     ("240.0.0.1", "reserved"), ("100.64.0.1", "non-global")],
)
def test_address_policy(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_allow_loopback_permits_loopback_only() -> None:
    assert address_problem("127.0.0.2", allow_loopback=True) is None
    assert address_problem("::1", allow_loopback=True) is None
    assert address_problem("10.0.0.1", allow_loopback=True) == "private"


def test_unmapped_site_resolving_to_private_address_is_refused() -> None:
    with pytest.raises(BlockedURLError, match="private"):
        run(fetch_one(fast_settings(), "https://intranet.example/"))
    with pytest.raises(BlockedURLError, match="http"):
        run(fetch_one(fast_settings(), "file:///etc/passwd"))


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1/latest", "http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
     "http://rebind.example/", "ftp://www.example-news.com/x", "{mirror}/not-a-mapped-site/x"],
)
def test_redirects_to_internal_addresses_are_refused(mirror_server: MirrorServer, location: str) -> None:
    """The mirror is on loopback (mapped: allowed), but what the *site* points at is checked."""
    mirror_server.fault(f"{SITE}/go", location=location.format(mirror=mirror_server.base_url))
    with pytest.raises(BlockedURLError):
        run(fetch_one(fast_settings(mirror_server), f"{SITE}/go"))


def test_redirect_within_the_mirror_maps_back_to_the_site(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/new.htm", "<p>moved</p>")
    mirror_server.fault(f"{SITE}/old.htm", status=301, location="/www.example-news.com/new.htm")
    result = run(fetch_one(fast_settings(mirror_server), f"{SITE}/old.htm"))
    assert result.url == f"{SITE}/old.htm"
    assert result.final_url == f"{SITE}/new.htm"
    assert result.text == "<p>moved</p>"


def test_redirect_loop_stops(mirror_server: MirrorServer) -> None:
    mirror_server.fault(f"{SITE}/loop", location="/www.example-news.com/loop")
    with pytest.raises(FetchError, match="redirects"):
        run(fetch_one(fast_settings(mirror_server, max_redirects=3), f"{SITE}/loop"))
    assert mirror_server.hits_for(f"{SITE}/loop") == 4


# Retries -----------------------------------------------------------------------------------


def test_retries_5xx_with_exponential_backoff(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/a.htm", "ok")
    mirror_server.fault(f"{SITE}/a.htm", status=503, times=2)
    sleeps = Sleeps()
    result = run(fetch_one(fast_settings(mirror_server), f"{SITE}/a.htm", sleep=sleeps))
    assert result.status == 200 and result.text == "ok"
    assert mirror_server.hits_for(f"{SITE}/a.htm") == 3
    assert sleeps.delays == [0.01, 0.02]


def test_gives_up_after_the_retries(mirror_server: MirrorServer) -> None:
    mirror_server.fault(f"{SITE}/a.htm", status=500)
    with pytest.raises(FetchError) as info:
        run(fetch_one(fast_settings(mirror_server), f"{SITE}/a.htm", sleep=Sleeps()))
    assert info.value.status == 500
    assert mirror_server.hits_for(f"{SITE}/a.htm") == 3


def test_429_honours_retry_after_seconds_and_http_date(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/a.htm", "ok")
    mirror_server.fault(f"{SITE}/a.htm", status=429, retry_after="7", times=1)
    sleeps = Sleeps()
    run(fetch_one(fast_settings(mirror_server), f"{SITE}/a.htm", sleep=sleeps, retry_after_cap=60))
    assert sleeps.delays == [7.0]

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=3600), usegmt=True)
    mirror_server.fault(f"{SITE}/a.htm", status=429, retry_after=later, times=1)
    sleeps = Sleeps()
    run(fetch_one(fast_settings(mirror_server), f"{SITE}/a.htm", sleep=sleeps, retry_after_cap=30))
    assert sleeps.delays == [30]  # capped


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 18, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Sun, 18 Jan 2026 12:01:00 GMT", now) == 60
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds(None) is None


def test_connection_refused_is_retried_then_fails() -> None:
    settings = fast_settings(url_map={SITE: closed_port_url()})
    sleeps = Sleeps()
    with pytest.raises(FetchError, match="connection failed"):
        run(fetch_one(settings, f"{SITE}/a.htm", sleep=sleeps))
    assert len(sleeps.delays) == 2


def test_timeout_is_retried_then_fails(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/slow.htm", "late")
    mirror_server.fault(f"{SITE}/slow.htm", delay=0.5)
    with pytest.raises(FetchError, match="timed out"):
        run(fetch_one(fast_settings(mirror_server, timeout=0.1, retries=1), f"{SITE}/slow.htm", sleep=Sleeps()))


# Size cap, decoding --------------------------------------------------------------------------


@pytest.mark.parametrize("announced", [True, False])
def test_size_cap(mirror_server: MirrorServer, announced: bool) -> None:
    mirror_server.fault(f"{SITE}/big.htm", size=50_000, content_length=announced)
    with pytest.raises(ResponseTooLarge):
        run(fetch_one(fast_settings(mirror_server), f"{SITE}/big.htm"))
    assert mirror_server.hits_for(f"{SITE}/big.htm") == 1  # not retried


def test_gbk_page_decoded_from_header_meta_or_detection(mirror_server: MirrorServer) -> None:
    text = "<html><body><p>英伟达发布新一代人工智能芯片，大模型推理速度提升三倍。</p></body></html>"
    mirror_server.put(f"{SITE}/h.htm", text.encode("gbk"), {"Content-Type": "text/html; charset=GBK"})
    meta = text.replace("<html>", '<html><head><meta charset="gb2312"></head>')
    mirror_server.put(f"{SITE}/m.htm", meta.encode("gbk"), {"Content-Type": "text/html"})
    settings = fast_settings(mirror_server)
    assert "英伟达" in run(fetch_one(settings, f"{SITE}/h.htm")).text
    assert "英伟达" in run(fetch_one(settings, f"{SITE}/m.htm")).text
    body = ("<p>" + "英伟达发布新一代人工智能芯片，大模型推理速度提升三倍。" * 5 + "</p>").encode("gbk")
    decoded, codec = decode_body(body, "text/html")
    assert "英伟达" in decoded and codec.startswith("gb")


def test_xml_declaration_and_bom() -> None:
    xml = '<?xml version="1.0" encoding="gbk"?><rss><title>量子位</title></rss>'.encode("gbk")
    assert "量子位" in decode_body(xml, "application/xml")[0]
    assert decode_body("\ufeff量子位".encode("utf-8"))[0] == "量子位"
    # A server-default Western label on UTF-8 Chinese must not produce mojibake.
    assert decode_body("量子位：大模型".encode(), "text/html; charset=iso-8859-1")[0] == "量子位：大模型"
    assert decode_body("café".encode("cp1252"), "text/html; charset=windows-1252")[0] == "café"


# Conditional GET, archive, batch ---------------------------------------------------------------


def test_conditional_get_reuses_the_archived_body(mirror_server: MirrorServer, tmp_path: Path) -> None:
    mirror_server.put(f"{SITE}/rss/", "<rss>v1</rss>", {"Content-Type": "application/rss+xml"})
    archive = Archive(tmp_path / "archive")
    settings = fast_settings(mirror_server)
    first = run(fetch_one(settings, f"{SITE}/rss/", archive=archive))
    second = run(fetch_one(settings, f"{SITE}/rss/", archive=archive))
    assert not first.not_modified and second.not_modified
    assert second.text == "<rss>v1</rss>"
    sent = mirror_server.requests[mirror_server.path_for(f"{SITE}/rss/")]
    assert "if-none-match" not in sent[0] and sent[1]["if-none-match"] == first.etag
    assert len(archive.history(f"{SITE}/rss/")) == 1  # a 304 adds nothing

    mirror_server.put(f"{SITE}/rss/", "<rss>v2</rss>")
    third = run(fetch_one(settings, f"{SITE}/rss/", archive=archive))
    assert third.text == "<rss>v2</rss>" and not third.not_modified
    assert archive.latest(f"{SITE}/rss/").text == "<rss>v2</rss>"  # type: ignore[union-attr]


class HeldArchive(Archive):
    """An archive whose writes wait for ``release`` (or fail with ``error``)."""

    def __init__(self, root: Path, error: OSError | None = None) -> None:
        super().__init__(root)
        self.release, self.error = threading.Event(), error
        self.saved: list[str] = []

    def save(self, result: FetchResult, *, record_dir: Path | None = None) -> Path:
        self.release.wait(5)
        if self.error is not None:
            raise self.error
        self.saved.append(result.url)
        return super().save(result, record_dir=record_dir)


def test_the_body_is_returned_while_its_archive_write_goes_on(mirror_server: MirrorServer,
                                                             tmp_path: Path) -> None:
    mirror_server.put(f"{SITE}/rss/", "<rss>v1</rss>")
    archive = HeldArchive(tmp_path / "archive")

    async def main() -> tuple[str, list[str], bool, list[str]]:
        async with Fetcher(fast_settings(mirror_server), archive=archive, resolver=public_resolver) as fetcher:
            result = await fetcher.fetch(f"{SITE}/rss/", source="test")  # returns, the write held
            saved_then = list(archive.saved)
            waiting = asyncio.ensure_future(fetcher.archived())
            await asyncio.sleep(0.05)
            still_waiting = not waiting.done()
            archive.release.set()
            await waiting
            return result.text, saved_then, still_waiting, list(archive.saved)

    text, saved_then, still_waiting, saved = run(main())
    assert text == "<rss>v1</rss>" and saved_then == [] and still_waiting
    assert saved == [f"{SITE}/rss/"] and archive.latest(f"{SITE}/rss/") is not None


def test_a_failed_archive_write_is_raised_by_archived_and_close_still_closes(
        mirror_server: MirrorServer, tmp_path: Path) -> None:
    mirror_server.put(f"{SITE}/rss/", "<rss>v1</rss>")
    archive = HeldArchive(tmp_path / "archive", OSError(28, "No space left on device"))
    archive.release.set()
    fetcher = Fetcher(fast_settings(mirror_server), archive=archive, resolver=public_resolver)

    async def main() -> None:
        await fetcher.fetch(f"{SITE}/rss/", source="test")
        with pytest.raises(OSError, match="No space left"):
            await fetcher.aclose()
        with pytest.raises(RuntimeError, match="client has been closed"):  # closed all the same
            await fetcher.fetch(f"{SITE}/rss/", source="test")

    run(main())
    assert archive.latest(f"{SITE}/rss/") is None


def test_fetch_many_reports_each_url(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/1.htm", "one")
    mirror_server.fault(f"{SITE}/2.htm", status=404)

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(fast_settings(mirror_server), resolver=public_resolver) as fetcher:
            return await fetcher.fetch_many([f"{SITE}/1.htm", f"{SITE}/2.htm", "https://intranet.example/"],
                                            source="test")

    batch = run(go())
    assert batch.results[f"{SITE}/1.htm"].text == "one"
    assert batch.errors[f"{SITE}/2.htm"].status == 404
    assert isinstance(batch.errors["https://intranet.example/"], BlockedURLError)


def test_per_host_concurrency_limit() -> None:
    """At most ``per_host_concurrency`` requests to one host are in flight at once (counted
    in the transport, not timed), while another host is not held up by them."""
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        most[host] = max(most.get(host, 0), in_flight[host])
        for _ in range(5):  # yield a few times so that every request that may start does
            await asyncio.sleep(0)
        in_flight[host] -= 1
        return httpx.Response(200, text=str(request.url))

    settings = fast_settings(per_host_concurrency=2)
    urls = [f"{SITE}/{i}.htm" for i in range(6)] + [f"https://other.example/{i}" for i in range(3)]

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(settings, resolver=public_resolver, transport=httpx.MockTransport(handler)) as fetcher:
            return await fetcher.fetch_many(urls, source="test")

    batch = run(go())
    assert len(batch.results) == 9
    assert most == {"www.example-news.com": 2, "other.example": 2}


class FakeTime:
    """A clock that only moves when the fetcher sleeps: waits are observed exactly,
    without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.delays: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_politeness_delay_spaces_request_starts_per_host(mirror_server: MirrorServer) -> None:
    for i in range(3):
        mirror_server.put(f"{SITE}/{i}.htm", str(i))
    settings = fast_settings(mirror_server, per_host_delay=0.25, per_host_concurrency=4)
    fake = FakeTime()

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(settings, resolver=public_resolver, clock=fake.clock, sleep=fake.sleep) as fetcher:
            return await fetcher.fetch_many([f"{SITE}/{i}.htm" for i in range(3)], source="test")

    assert len(run(go()).results) == 3
    # robots.txt first, at once; each page 0.25 s (fake) after the previous request
    assert fake.delays == [0.25, 0.25, 0.25]
    assert fake.now == 1000.75
    assert mirror_server.hits_for(f"{SITE}/robots.txt") == 1


def test_backoff_and_elapsed_use_the_injected_clock(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/a.htm", "ok")
    mirror_server.fault(f"{SITE}/a.htm", status=503, times=2)
    fake = FakeTime()

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(fast_settings(mirror_server, backoff=2.0), resolver=public_resolver,
                           clock=fake.clock, sleep=fake.sleep) as fetcher:
            return await fetcher.fetch(f"{SITE}/a.htm", source="test")

    result = run(go())
    assert result.status == 200
    assert fake.delays == [2.0, 4.0]
    assert result.elapsed == 6.0  # all attempts, measured on the fake clock


def test_user_agent_is_sent(mirror_server: MirrorServer) -> None:
    mirror_server.put(f"{SITE}/ua.htm", "x")
    run(fetch_one(fast_settings(mirror_server), f"{SITE}/ua.htm", user_agent="Browser/1.0"))
    assert mirror_server.requests[mirror_server.path_for(f"{SITE}/ua.htm")][0]["user-agent"] == "Browser/1.0"


# The benchmarks' mirror keeps connections open, as the sites do -----------------------------


# four requests: the host's robots.txt, then the three pages
@pytest.mark.parametrize(("keep_alive", "connections"), [(True, 1), (False, 4)])
def test_a_kept_alive_mirror_serves_one_fetcher_on_one_connection(
        tmp_path: Path, keep_alive: bool, connections: int) -> None:
    with MirrorServer(tmp_path / "mirror", keep_alive=keep_alive) as server:
        for name in ("a", "b", "c"):
            server.put(f"{SITE}/{name}.htm", f"<p>{name}</p>")

        async def three() -> list[bytes]:
            async with Fetcher(fast_settings(server), resolver=public_resolver) as fetcher:
                return [(await fetcher.fetch(f"{SITE}/{name}.htm", source="test")).body for name in "abc"]

        assert run(three()) == [b"<p>a</p>", b"<p>b</p>", b"<p>c</p>"]
        assert server.connections == connections


@pytest.mark.parametrize("announced", [True, False])
def test_a_kept_alive_mirror_still_ends_an_unannounced_body_at_the_close(tmp_path: Path, announced: bool) -> None:
    with MirrorServer(tmp_path / "mirror", keep_alive=True) as server:
        server.fault(f"{SITE}/big.htm", size=50_000, content_length=announced)
        with pytest.raises(ResponseTooLarge):
            run(fetch_one(fast_settings(server), f"{SITE}/big.htm"))
        server.fault(f"{SITE}/short.htm", size=500, content_length=False)  # no Content-Length
        assert run(fetch_one(fast_settings(server), f"{SITE}/short.htm")).body == b"x" * 500
