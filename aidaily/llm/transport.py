"""The HTTP layer under the openai SDK: every attempt seen, timed and bounded.

The SDK retries on its own (``max_retries``: 408/409/429/5xx, timeouts and connection
errors, honouring ``Retry-After`` / ``retry-after-ms``, with exponential backoff) and
only tells its caller about the final outcome. To log *every* attempt, the client hands
the SDK an ``httpx2.AsyncClient`` (``openai.DefaultAsyncHttpxClient``, which accepts the
usual httpx2 arguments) whose transport is :class:`AttemptTransport`: a public
``httpx2.AsyncBaseTransport`` wrapping the ordinary ``httpx2.AsyncHTTPTransport``.
Each request the SDK sends passes through it once per attempt; it

* waits for a slot of the shared semaphore (``llm.concurrency`` requests in flight, so
  a call waiting in the SDK's backoff holds no slot),
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
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx2

__all__ = ["Attempt", "AttemptListener", "AttemptTransport", "CURRENT_LISTENER", "env_proxy"]


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


class AttemptTransport(httpx2.AsyncBaseTransport):
    """Wraps ``inner``: a semaphore slot, a total deadline and an :class:`Attempt` each.

    Args:
        inner: the transport that really sends (``httpx2.AsyncHTTPTransport``).
        semaphore: shared by all attempts of the client (``llm.concurrency``).
        deadline: seconds one attempt may take in total (``llm.timeout``).
        clock: monotonic seconds, for latencies (tests pass a fake).
    """

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        *,
        semaphore: asyncio.Semaphore,
        deadline: float,
        clock: Callable[[], float],
    ) -> None:
        self.inner = inner
        self.semaphore = semaphore
        self.deadline = deadline
        self.clock = clock

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        listener = CURRENT_LISTENER.get()
        async with self.semaphore:
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
        latency = self.clock() - started
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
