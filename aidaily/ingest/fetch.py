"""Fetching over HTTP: one seam (``Fetcher``) that every network read goes through.

What it takes care of, so that nothing else has to:

- **URL map**: before a request, the URL is rewritten by the longest matching prefix of
  ``settings.url_map`` (``{"https://www.ithome.com": "http://127.0.0.1:8000/www.ithome.com"}``).
  Everything the caller sees (``FetchResult.url`` / ``final_url``, the archive keys) stays in
  the *original* URL space; only the wire request uses the mapped URL.
- **Address policy**: only http(s). A URL that is not mapped has its host resolved and is
  refused (``BlockedURLError``) when any address is private, loopback, link-local,
  multicast, reserved or unspecified; ``allow_loopback`` (tests) permits 127.0.0.0/8 and ::1
  only. Mapped URLs are the operator's choice and are not checked. Redirects are followed by
  hand and every target goes through the same check: a ``Location`` under a mapped *target*
  prefix is mapped back to the site URL it stands for, anything else is taken literally — so
  a mirror on loopback cannot smuggle the fetcher to ``http://127.0.0.1/…`` or
  ``169.254.169.254``.
- **Politeness**: an honest User-Agent (``FetchSettings.user_agent_string``: aidaily, its
  version, the operator's contact URL); each host's ``robots.txt`` read once per fetcher
  (a run's), through the same policies, parsed by protego: a URL it disallows for aidaily
  is not fetched (``RobotsDisallowed``), its ``Crawl-delay`` / ``Request-rate`` raises the
  spacing between request starts to that host (and allows one request at a time). An
  absent robots.txt (4xx) allows everything; one that cannot be read (5xx, no connection)
  disallows the host for the run (RFC 9309 §2.3.1.4). robots.txt is not archived: the
  archive keeps what the sources served, and offline runs read only the archive.
  Besides: a semaphore and a minimum delay between request starts per site host.
- **Robustness**: a total time limit per attempt, retries with exponential backoff on
  timeouts, connection errors, 5xx and 429 (``Retry-After`` in seconds or as an HTTP date,
  capped), a response size cap enforced while streaming (``ResponseTooLarge``).
- **Conditional GET**: the previous archived response's ETag / Last-Modified are sent; a 304
  returns the archived body (``not_modified=True``).
- **Decoding**: charset from Content-Type, then BOM, ``<meta charset>`` /
  ``<meta http-equiv>`` / the XML declaration, then UTF-8, then charset-normalizer (GBK pages
  exist).
- **Archive / record**: with an ``Archive`` every final response is archived; with
  ``record_dir`` bodies are also written in the mirror layout (fixture refresh). The writes
  run in threads while the caller goes on with the body (a 360 KB feed's gzip and two
  fsyncs are ~30 ms, on the path to its pages); ``archived()`` waits for them (the day's
  job before it stores anything), and so does ``aclose()``.

Known limit: the address check resolves the host and httpx resolves it again when it
connects, so a DNS answer that changes in between (rebinding) is not caught.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from aidaily.config import FetchSettings
from aidaily.errors import BlockedURLError, FetchError, ResponseTooLarge, RobotsDisallowed
from aidaily.ingest.archive import Archive, record
# Re-exported: the response type and its decoding lived here before ``response.py``.
from aidaily.ingest.response import FetchResult, decode_body

__all__ = [
    "RETRY_AFTER_CAP", "ROBOTS_AGENT", "BatchResult", "Clock", "FetchResult", "Fetcher", "Resolver", "Sleep",
    "address_problem", "decode_body", "map_url", "retry_after_seconds", "system_resolver",
    "tls_context", "unmap_url",
]

#: Longest Retry-After we are willing to wait (seconds); a site asking for more fails the URL.
RETRY_AFTER_CAP = 60.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: A resolver answers the IP addresses (as strings) a host name resolves to.
Resolver = Callable[[str, int], Awaitable[list[str]]]
#: Waits the given number of seconds (``asyncio.sleep``; tests pass one that records).
Sleep = Callable[[float], Awaitable[Any]]
#: Monotonic seconds (``time.monotonic``); every wait is computed and every duration measured on it.
Clock = Callable[[], float]


@dataclass
class BatchResult:
    """What ``fetch_many`` got: a result or an error for every URL asked for."""

    results: dict[str, FetchResult] = field(default_factory=dict)
    errors: dict[str, FetchError] = field(default_factory=dict)


# URL map ---------------------------------------------------------------------------------


def _prefix_matches(url: str, prefix: str) -> bool:
    """``prefix`` covers ``url`` at a boundary (``https://a.com`` must not cover ``a.com.evil``)."""
    if not url.startswith(prefix):
        return False
    if len(url) == len(prefix) or prefix.endswith("/"):
        return True
    return url[len(prefix)] in "/?#"


def _longest(url: str, prefixes: Iterable[str]) -> str | None:
    matches = [p for p in prefixes if _prefix_matches(url, p)]
    return max(matches, key=len) if matches else None


def map_url(url: str, url_map: dict[str, str]) -> str:
    """``url`` rewritten by the longest matching prefix of ``url_map`` (unchanged if none)."""
    prefix = _longest(url, url_map)
    return url if prefix is None else url_map[prefix] + url[len(prefix) :]


def unmap_url(url: str, url_map: dict[str, str]) -> str | None:
    """The site URL a mapped URL stands for, or None when ``url`` is under no mapped target."""
    reverse = {target: source for source, target in url_map.items()}
    prefix = _longest(url, reverse)
    return None if prefix is None else reverse[prefix] + url[len(prefix) :]


# Address policy --------------------------------------------------------------------------


def address_problem(address: str, allow_loopback: bool = False) -> str | None:
    """Why ``address`` must not be contacted (e.g. ``"private"``), or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-global", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the system resolver (getaddrinfo runs in a thread via the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


# Retry-After -----------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# The fetcher -----------------------------------------------------------------------------


@dataclass
class _Raw:
    status: int
    headers: dict[str, str]
    body: bytes


class _Retryable(Exception):
    """An attempt failed in a way worth retrying; ``wait`` is what the server asked for."""

    def __init__(self, message: str, status: int | None = None, wait: float | None = None):
        super().__init__(message)
        self.status = status
        self.wait = wait


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock
    delay: float  # between request starts: per_host_delay, or the site's Crawl-delay if longer
    next_start: float = 0.0


#: The product token robots.txt rules are matched against (``User-agent: aidaily``).
ROBOTS_AGENT = "aidaily"


@dataclass
class _Robots:
    """One host's robots.txt as read: its rules, or why everything is disallowed."""

    rules: Protego | None  # None: no robots.txt (4xx), everything allowed
    unreadable: str | None = None  # why it could not be read: everything disallowed


_AUTO: Any = object()


@lru_cache(maxsize=1)
def tls_context() -> Any:
    """One TLS context for the process (verifying, the CA bundle loaded): building one
    costs ~0.1 s, and a run makes a ``Fetcher`` per source."""
    return httpx.create_ssl_context()


class Fetcher:
    """Fetches URLs under the policies of ``FetchSettings`` (see the module docstring).

    Use as ``async with Fetcher(settings.fetch, archive=...) as f: await f.fetch(url, source=...)``.
    Tests may inject ``client`` / ``transport`` (httpx), a ``resolver`` (host → addresses), and
    a ``clock`` and ``sleep``: every deliberate wait (politeness spacing, backoff,
    Retry-After) goes through ``sleep`` and every time reading (the spacing's schedule,
    ``FetchResult.elapsed``) through ``clock``, so a fake pair observes the waits without
    waiting. Only the per-attempt timeout runs on the event loop's own clock (it must
    interrupt real I/O).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        archive: Archive | None = None,
        record_dir: Path | None = None,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry_after_cap: float = RETRY_AFTER_CAP,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.record_dir = record_dir
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout),
            verify=tls_context(),
            trust_env=False,  # a proxy from the environment would bypass the address policy
        )
        self._resolver = resolver or system_resolver
        self._clock = clock
        self._sleep = sleep
        self._retry_after_cap = retry_after_cap
        self._hosts: dict[str, _Host] = {}
        self._resolved: dict[str, list[str]] = {}
        self._robots: dict[str, asyncio.Task[_Robots]] = {}  # origin -> its robots.txt, read once
        self.robots_read: list[str] = []  # robots.txt URLs requested, in order (reports, tests)
        self._archiving: list[asyncio.Future[Path]] = []  # archive writes not waited for yet

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Wait for the archive's writes, then close the connections."""
        try:
            await self.archived()
        finally:
            if self._own_client:
                await self._client.aclose()

    async def archived(self) -> None:
        """Return once every response fetched so far is in the archive.

        Raises:
            OSError: an archive write failed (the first failure; the others were waited for).
        """
        while self._archiving:
            writes, self._archiving = self._archiving, []
            await asyncio.gather(*writes)

    # Public API ------------------------------------------------------------------------

    def map_url(self, url: str) -> str:
        return map_url(url, self.settings.url_map)

    async def fetch(
        self,
        url: str,
        *,
        source: str,
        user_agent: str | None = None,
        conditional: FetchResult | bool | None = _AUTO,
    ) -> FetchResult:
        """Fetch ``url`` (a site URL); raises ``FetchError`` (or a subclass) on failure.

        ``conditional``: a previous ``FetchResult`` whose validators to send; by default the
        archive's latest good response for ``url``; ``False``/``None`` for a plain GET.
        ``source`` names the adapter, for messages. Non-2xx final statuses raise
        ``FetchError(status=...)`` after being archived.
        """
        started = self._clock()
        previous = self._previous(url, conditional)
        headers = {"User-Agent": user_agent or self.settings.user_agent_string(),
                   "Accept-Encoding": "gzip, deflate"}
        if previous is not None:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            await self.check_allowed(current)
            await self.check_robots(current)
            raw = await self._attempts(current, headers)
            location = raw.headers.get("location")
            if raw.status in REDIRECT_STATUSES and location:
                current = self._redirect_target(current, location)
                continue
            return await self._finish(url, current, raw, previous, started, source)
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    async def fetch_many(
        self, urls: Iterable[str], *, source: str, user_agent: str | None = None
    ) -> BatchResult:
        """Fetch every URL concurrently (bounded per host); failures never raise."""
        unique = list(dict.fromkeys(urls))
        outcomes = await asyncio.gather(
            *(self._fetch_caught(u, source=source, user_agent=user_agent) for u in unique)
        )
        batch = BatchResult()
        for url, outcome in zip(unique, outcomes):
            if isinstance(outcome, FetchResult):
                batch.results[url] = outcome
            else:
                batch.errors[url] = outcome
        return batch

    async def check_allowed(self, url: str) -> None:
        """Raise ``BlockedURLError`` unless ``url`` may be fetched (see module docstring)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise BlockedURLError(url, f"only http(s) URLs are fetched, not {parts.scheme or 'no'} scheme")
        host = parts.hostname
        if not host:
            raise BlockedURLError(url, "the URL has no host")
        if _longest(url, self.settings.url_map) is not None:
            return  # served from where the operator mapped it: their choice
        for address in await self._addresses(url, host, parts.port or (443 if parts.scheme == "https" else 80)):
            problem = address_problem(address, self.settings.allow_loopback)
            if problem:
                raise BlockedURLError(url, f"{host} is a {problem} address ({address}); refused")

    async def check_robots(self, url: str) -> None:
        """Raise ``RobotsDisallowed`` when the host's robots.txt disallows ``url`` for aidaily,
        ``FetchError`` when it could not be read (read once per host; see the module
        docstring)."""
        if not self.settings.obey_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._read_robots(origin, parts.hostname or ""))
        robots = await asyncio.shield(self._robots[origin])
        if robots.unreadable is not None:
            raise FetchError(url, f"robots.txt of {parts.hostname} could not be read "
                                        f"({robots.unreadable}): the host is not crawled this run")
        if robots.rules is not None and not robots.rules.can_fetch(url, ROBOTS_AGENT):
            raise RobotsDisallowed(url, "disallowed by robots.txt: not fetched")

    # Internals -------------------------------------------------------------------------

    async def _read_robots(self, origin: str, host: str) -> _Robots:
        """GET ``origin/robots.txt`` under the same policies (address check, URL map,
        retries, size cap, redirects), then set the host's spacing from it."""
        url = f"{origin}/robots.txt"
        headers = {"User-Agent": self.settings.user_agent_string(), "Accept-Encoding": "gzip, deflate"}
        try:
            for _hop in range(self.settings.max_redirects + 1):
                await self.check_allowed(url)
                self.robots_read.append(url)
                raw = await self._attempts(url, headers)
                location = raw.headers.get("location")
                if raw.status in REDIRECT_STATUSES and location:
                    url = self._redirect_target(url, location)
                    continue
                break
            else:
                return _Robots(None, f"more than {self.settings.max_redirects} redirects")
        except FetchError as exc:
            return _Robots(None, exc.message)
        if raw.status >= 500:
            return _Robots(None, f"HTTP {raw.status}")
        if raw.status >= 400:
            return _Robots(None)  # no robots.txt: nothing is disallowed
        rules = Protego.parse(decode_body(raw.body, raw.headers.get("content-type", ""))[0])
        self._space_host(host.lower(), rules)
        return _Robots(rules)

    def _space_host(self, host: str, rules: Protego) -> None:
        """A Crawl-delay (or Request-rate) longer than ``per_host_delay`` becomes the host's
        spacing, one request at a time."""
        asked = rules.crawl_delay(ROBOTS_AGENT)
        rate = rules.request_rate(ROBOTS_AGENT)
        if rate is not None and rate.requests:
            asked = max(asked or 0.0, rate.seconds / rate.requests)
        if asked and asked > self.settings.per_host_delay:
            state = self._host(host)
            state.delay = float(asked)
            state.semaphore = asyncio.Semaphore(1)

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(
                asyncio.Semaphore(max(1, self.settings.per_host_concurrency)), asyncio.Lock(),
                self.settings.per_host_delay)
        return state

    async def _fetch_caught(self, url: str, **kwargs: Any) -> FetchResult | FetchError:
        try:
            return await self.fetch(url, **kwargs)
        except FetchError as exc:
            return exc

    def _previous(self, url: str, conditional: FetchResult | bool | None) -> FetchResult | None:
        if isinstance(conditional, FetchResult):
            return conditional
        if conditional is _AUTO and self.archive is not None:
            return self.archive.latest(url)
        return None

    async def _addresses(self, url: str, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        if host not in self._resolved:
            try:
                self._resolved[host] = await self._resolver(host, port)
            except OSError as exc:
                raise FetchError(url, f"cannot resolve {host}: {exc}") from exc
        if not self._resolved[host]:
            raise FetchError(url, f"{host} resolves to no address")
        return self._resolved[host]

    def _redirect_target(self, current: str, location: str) -> str:
        """The site-space URL a redirect points at (see module docstring)."""
        absolute = urljoin(self.map_url(current), location.strip())
        return unmap_url(absolute, self.settings.url_map) or absolute

    async def _finish(
        self, url: str, final: str, raw: _Raw, previous: FetchResult | None, started: float, source: str
    ) -> FetchResult:
        now = datetime.now(UTC)
        elapsed = self._clock() - started
        if raw.status == 304 and previous is not None:
            # Nothing new: the archived response stands; no new archive entry is written,
            # but a recording still gets the body (a fixture set must be complete).
            result = replace(previous, url=url, fetched_at=now, elapsed=elapsed, not_modified=True,
                             from_archive=False)
            if self.record_dir is not None:
                record(result, self.record_dir)
            return result
        result = FetchResult(url, final, raw.status, raw.headers, raw.body, now, elapsed)
        if self.archive is not None:
            # Off the event loop (two fsyncs per page would stall every other fetch), and not
            # waited for here: the body goes on to be parsed meanwhile (``archived``).
            self._archiving.append(asyncio.ensure_future(
                asyncio.to_thread(self.archive.save, result, record_dir=self.record_dir)))
        if not result.ok:
            raise FetchError(url, f"HTTP {raw.status} from {source}", status=raw.status)
        return result

    async def _attempts(self, url: str, headers: dict[str, str]) -> _Raw:
        """GET with retries; a retryable last failure becomes ``FetchError``."""
        retries = max(0, self.settings.retries)
        for attempt in range(retries + 1):
            try:
                return await self._attempt(url, headers, last=attempt == retries)
            except _Retryable as exc:
                if attempt == retries:
                    raise FetchError(url, f"{exc} (after {retries + 1} attempts)", exc.status) from None
                await self._sleep(self._delay(attempt, exc.wait))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, asked: float | None) -> float:
        backoff = self.settings.backoff * (2**attempt)
        return backoff if asked is None else min(max(asked, backoff), self._retry_after_cap)

    async def _attempt(self, url: str, headers: dict[str, str], *, last: bool) -> _Raw:
        host = (urlsplit(url).hostname or "").lower()
        try:
            async with self._slot(host):
                async with asyncio.timeout(self.settings.timeout):
                    raw = await self._get(url, headers)
        except ResponseTooLarge:
            raise
        except (TimeoutError, httpx.TimeoutException):
            raise _Retryable(f"timed out after {self.settings.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(_describe(exc)) from None
        except httpx.HTTPError as exc:  # e.g. an invalid URL: not worth retrying
            raise FetchError(url, _describe(exc)) from None
        if raw.status == 429 or raw.status >= 500:
            wait = retry_after_seconds(raw.headers.get("retry-after"))
            if not last:
                raise _Retryable(f"HTTP {raw.status}", raw.status, wait)
        return raw

    async def _get(self, url: str, headers: dict[str, str]) -> _Raw:
        cap = self.settings.max_bytes
        async with self._client.stream("GET", self.map_url(url), headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ResponseTooLarge(url, f"Content-Length {declared} exceeds the cap of {cap} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(url, f"body exceeds the cap of {cap} bytes")
                chunks.append(chunk)
            return _Raw(response.status_code, _header_dict(response.headers), b"".join(chunks))

    @asynccontextmanager
    async def _slot(self, host: str):  # type: ignore[no-untyped-def]
        """At most ``per_host_concurrency`` requests to a host, starts ``per_host_delay`` apart."""
        state = self._host(host)
        async with state.semaphore:
            async with state.lock:
                wait = state.next_start - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                state.next_start = self._clock() + state.delay
            yield


def _header_dict(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        if key == "content-encoding":
            continue  # the body we keep is already decoded
        out[key] = f"{out[key]}, {value}" if key in out else value
    out.pop("content-length", None)  # no longer true of the decoded body
    return out


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {text}"
    return f"{type(exc).__name__}: {text}"
