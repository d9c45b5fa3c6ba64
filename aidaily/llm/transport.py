"""The HTTP layer under the openai SDK: every attempt seen, timed and bounded.

The SDK retries on its own (``max_retries``: 408/409/429/5xx, timeouts and connection
errors, honouring ``Retry-After`` / ``retry-after-ms``, with exponential backoff) and
only tells its caller about the final outcome. To log *every* attempt, the client hands
the SDK an ``httpx2.AsyncClient`` (``openai.DefaultAsyncHttpxClient``, which accepts the
usual httpx2 arguments) whose transport is :class:`AttemptTransport`: a public
``httpx2.AsyncBaseTransport`` wrapping the ordinary ``httpx2.AsyncHTTPTransport``.
Each request the SDK sends passes through it once per attempt; it

* waits for one of the client's :class:`Slots` (``llm.concurrency`` requests in flight,
  so a call waiting in the SDK's backoff holds no slot),
* bounds the attempt by a total deadline (httpx2's timeouts are per phase: a server
  trickling bytes could otherwise hold a request for ever), raised as
  ``httpx2.ReadTimeout`` so the SDK treats it as the timeout it is,
* reads the body (the client never streams), so the latency is the whole answer's and
  an error body can be quoted,
* reports an :class:`Attempt` to the listener of the current call.

The listener is found through a ``ContextVar`` set by the client around the SDK call:
the SDK sends from the task that awaits it, so the attempt lands on the right call.
Requests made outside a call (``list_models``) have no listener and are not logged.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx2

__all__ = ["Attempt", "AttemptListener", "AttemptTransport", "CURRENT_LISTENER", "Slots", "env_proxy"]


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt as the transport saw it."""

    reason: str  # "ok" (2xx/3xx), "http-<status>", "timeout" or "connection"
    latency: float  # seconds, by the client's clock; excludes waiting for a slot
    status: int | None = None  # None: no response (timeout, connection error)
    error: str | None = None  # what went wrong, unredacted (the call log redacts)

    @property
    def failed(self) -> bool:
        return self.reason != "ok"


class AttemptListener(Protocol):
    """What the client gives the transport for one call."""

    def started(self) -> None:
        """An attempt is about to be sent (a previous failed one is being retried)."""

    def finished(self, attempt: Attempt) -> None:
        """An attempt ended (answered, or failed before an answer)."""


CURRENT_LISTENER: ContextVar[AttemptListener | None] = ContextVar(
    "aidaily_llm_attempt_listener", default=None
)


#: The longest an answer waits for the request that took its slot to be sent, and a call
#: for the requests holding the slots (a slow upload must not hold the answers back).
HANDOFF_LIMIT = 0.25

#: httpcore's trace events that say a request's last byte went to the socket.
_SENT_EVENTS = ("http11.send_request_body.complete", "http2.send_request_body.complete")


class Slots:
    """The ``llm.concurrency`` slots of one client, and the order the wire is served in.

    A slot is held for one attempt. The event loop runs everything in turn, so cheap local
    work still delays the wire when it comes first: a write stage starts all its calls at
    once, and each one's request is built (the SDK's part alone ~2 ms) before the first
    eight have their bytes out; the eight answers of a wave come back together, and each
    is processed (parsed, checked, logged: ~4 ms) before the calls waiting for those slots
    send. At 1 s per call that was ~40 ms on each wave. Two rules put the wire first:

    * :meth:`turn`: a call that would wait for a slot is prepared only once the requests
      holding the slots are sent;
    * an attempt whose freed slot a call is waiting for gives way (:meth:`slot` on exit)
      until that call's request is sent, then its answer is processed.

    Either wait ends after :data:`HANDOFF_LIMIT` at most. "Sent" is httpcore's ``trace``
    event for the request body (:meth:`tracer`); an attempt that ends first counts as sent.
    """

    def __init__(self, limit: int) -> None:
        # Python ≥ 3.10 semaphores and events bind to a loop only when first used, so the
        # client may be built outside the loop that uses it.
        self._semaphore = asyncio.Semaphore(max(1, limit))
        self._waiting = 0  # attempts waiting for a slot
        self._unsent = 0  # attempts holding a slot whose request is not sent yet
        self._all_sent = asyncio.Event()
        self._all_sent.set()

    async def turn(self) -> None:
        """Return when a call may build its request: at once while a slot is free, else
        when the requests holding the slots are on the wire."""
        if self._semaphore.locked():
            await self._sent()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Callable[[], None]]:
        """Hold a slot for one attempt. Yields ``sent``, to call when the request is on
        the wire (leaving counts as sent)."""
        self._waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting -= 1
        self._unsent += 1
        self._all_sent.clear()
        done = False

        def sent() -> None:
            nonlocal done
            if not done:
                done = True
                self._unsent -= 1
                if not self._unsent:
                    self._all_sent.set()

        try:
            yield sent
        finally:
            sent()
            handoff = self._waiting > 0  # release() hands this slot to the first of them
            self._semaphore.release()
        if handoff:  # reached on a normal exit only: a failure is raised at once
            await asyncio.sleep(0)  # the woken call takes the slot and starts sending
            await self._sent()

    def tracer(self, sent: Callable[[], None],
               inner: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
               ) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
        """An httpcore ``trace`` extension calling ``sent`` when the request body is
        out (and ``inner``, a trace already set, for every event)."""

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event in _SENT_EVENTS:
                sent()
            if inner is not None:
                await inner(event, info)

        return trace

    async def _sent(self) -> None:
        try:
            async with asyncio.timeout(HANDOFF_LIMIT):
                await self._all_sent.wait()
        except TimeoutError:
            pass  # a slow upload: go on without it


class AttemptTransport(httpx2.AsyncBaseTransport):
    """Wraps ``inner``: a slot, a total deadline and an :class:`Attempt` each.

    Args:
        inner: the transport that really sends (``httpx2.AsyncHTTPTransport``).
        slots: shared by all attempts of the client (``llm.concurrency``).
        deadline: seconds one attempt may take in total (``llm.timeout``).
        clock: monotonic seconds, for latencies (tests pass a fake).
    """

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        *,
        slots: Slots,
        deadline: float,
        clock: Callable[[], float],
    ) -> None:
        self.inner = inner
        self.slots = slots
        self.deadline = deadline
        self.clock = clock

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        listener = CURRENT_LISTENER.get()
        async with self.slots.slot() as sent:
            request.extensions = {**request.extensions,
                                  "trace": self.slots.tracer(sent, request.extensions.get("trace"))}
            if listener is not None:
                listener.started()
            started = self.clock()
            try:
                async with asyncio.timeout(self.deadline):
                    response = await self.inner.handle_async_request(request)
                    response.request = request
                    await response.aread()
            except TimeoutError:  # our deadline, not httpx2's
                self._report(listener, Attempt("timeout", self.clock() - started,
                                               error=f"timed out after {self.deadline:g}s"))
                raise httpx2.ReadTimeout(
                    f"no complete answer within {self.deadline:g}s", request=request
                ) from None
            except httpx2.TimeoutException:
                self._report(listener, Attempt("timeout", self.clock() - started,
                                               error=f"timed out after {self.deadline:g}s"))
                raise
            except httpx2.TransportError as exc:
                self._report(listener, Attempt("connection", self.clock() - started,
                                               error=f"connection error: {type(exc).__name__}: {exc}"))
                raise
            latency = self.clock() - started  # the answer's, not the slot's handoff after it
        status = response.status_code
        if status < 400:
            self._report(listener, Attempt("ok", latency, status))
        else:
            self._report(listener, Attempt(f"http-{status}", latency, status,
                                           f"HTTP {status}: {_error_text(response)}"))
        return response

    @staticmethod
    def _report(listener: AttemptListener | None, attempt: Attempt) -> None:
        if listener is not None:
            listener.finished(attempt)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _error_text(response: httpx2.Response) -> str:
    """The provider's error message (OpenAI's ``{"error": {"message": …}}`` shape or
    a bare ``{"message": …}``), else the start of the body."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.text[:300] or response.reason_phrase
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:500]
    return json.dumps(error, ensure_ascii=False)[:300]


def env_proxy(url: str) -> str | None:
    """The proxy the environment sets for ``url`` (``HTTPS_PROXY``, ``ALL_PROXY``…, with
    ``NO_PROXY`` honoured). httpx2 looks proxies up itself only when it builds its own
    transport; with ours it must be told, or a user behind a proxy loses the model."""
    parts = urlsplit(url)
    if not parts.hostname or urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")
