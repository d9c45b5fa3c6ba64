"""The LLM client: structured output, retries, concurrency, budget, call log and cache.

One :class:`LLMClient` per run. It talks to any OpenAI-compatible endpoint through the
official ``openai`` SDK (``AsyncOpenAI``, created lazily on the first request so that
importing this module stays cheap and the client binds to the event loop that uses it).

    client = LLMClient(settings.llm, db_url=settings.database_url, run_id=run_id)
    plan = await client.structured("plan", messages, Plan, validate=check_ids)
    ...
    await client.aclose()

What happens in one :meth:`LLMClient.structured` call
------------------------------------------------------
1. Model, temperature and max_tokens come from the step's settings (``llm.plan`` /
   ``llm.write`` / ``llm.finalize``), falling back to ``llm.model`` / ``llm.temperature``.
2. The cache key is computed (:func:`build_cache_key`: model, messages, params including
   the schema and json mode; *not* the endpoint, so a re-run against another URL of the
   same model still hits). A hit — in memory, then in the ``llm_cache`` table — returns
   without any request and is logged as ``cached``.
3. The token budget is checked (see below); then the request goes out under the shared
   semaphore (``llm.concurrency``), with the per-call timeout ``llm.timeout``.
4. Transient failures — 408/409/429/5xx, timeouts, connection errors — are retried here
   and only here (the SDK's own retries are off: ``max_retries=0``), at most
   ``llm.max_retries`` times, with exponential backoff and jitter, honouring
   ``Retry-After`` / ``retry-after-ms``. Other HTTP errors (400, 401, 404…) fail at once.
5. The answer is parsed (a Markdown fence around the JSON is tolerated), validated by
   pydantic and by the caller's ``validate`` callback (raise ``ValueError`` to reject,
   e.g. unknown story ids). On failure the client sends ONE repair turn (the invalid
   output plus the error) and validates again; a second failure is an :class:`LLMError`.
   A refusal (``message.refusal``) is an :class:`LLMError` straight away.

Every request is logged in ``llm_calls`` (one row per HTTP request, plus one per cache
hit or budget refusal) with an ``outcome``:

    ok            validated on the first answer
    repaired      validated after the repair turn (on the repair request's row)
    cached        served from the cache, no request
    retry:<why>   a transient failure that is retried (why: timeout, connection,
                  http-429, http-500, …) or ``retry:invalid`` (an answer that failed
                  validation and is followed by the repair turn)
    error:<why>   the call failed for good (error:invalid, error:refusal, error:http-400,
                  error:budget, …)

Token budget
------------
``llm.token_budget`` caps prompt + completion tokens of real requests per client (per
run); ``<= 0`` means unlimited. Before each request the prompt is estimated at one token
per two characters (:func:`estimate_tokens`: a compromise for mixed Chinese/English
text — Chinese runs ~0.7–1.3 tokens/char depending on the tokenizer, English ~0.25 —
chosen to need no tokenizer dependency) plus ``max_tokens`` if set. Requests in flight
hold a reservation, so parallel calls cannot overspend together. When the next request
would exceed the budget :class:`BudgetExceeded` is raised *before* sending; callers read
:attr:`LLMClient.remaining_budget` / :func:`estimate_tokens` to degrade ahead of time
(fewer stories, shorter inputs) and say so in the draft.

Secrets
-------
The API key is only handed to the SDK. Headers are never stored; every error text that
goes into a log record, the database or an exception is passed through :func:`redact`
(the key itself, ``Bearer …`` and ``sk-…`` tokens), and SDK exceptions are not chained
(``from None``) so a traceback cannot print their unredacted bodies.

Step routing
------------
Every request carries the header ``X-Aidaily-Step: <step>``. Providers ignore it; the
tests' fake server (``tests/fakellm.py``) routes scripted answers on it.

Providers and ``llm.json_mode``
-------------------------------
=====================  ================  ====================================================
provider               json_mode         notes
=====================  ================  ====================================================
OpenAI                 json_schema       strict structured outputs (schema made strict here)
DeepSeek               json_object       no json_schema; the prompt must mention "JSON" (the
                                         schema prompt does)
Qwen / DashScope       json_object       compatible-mode ``/compatible-mode/v1``; json_schema
                                         only on some models — json_object is the safe choice
Moonshot (Kimi)        json_object       ``https://api.moonshot.cn/v1``
Ollama                 json_schema       ``http://localhost:11434/v1`` (≥ 0.5); no key needed
vLLM                   json_schema       guided decoding; ``strict`` is ignored
llama.cpp server       json_schema       grammar from the schema; json_object also works
=====================  ================  ====================================================

Local servers need no key: when ``llm.base_url`` is set and no key is configured a dummy
key is sent (the SDK refuses to start without one). ``max_tokens`` is sent as
``max_tokens`` (not ``max_completion_tokens``) because that is what every compatible
server understands.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar

from pydantic import BaseModel, SecretStr
from sqlalchemy import DateTime, Float, Integer, String, Text, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from aidaily.llm import schema as llm_schema
from aidaily.config import LLMSettings, StepSettings
from aidaily.store.db import Base
from aidaily.errors import BudgetExceeded, LLMError

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "STEP_HEADER",
    "LLMCacheEntry",
    "LLMCall",
    "LLMClient",
    "LLMUsage",
    "build_cache_key",
    "estimate_tokens",
    "prompt_hash",
    "redact",
    "run_usage",
]

log = logging.getLogger(__name__)

STEP_HEADER = "X-Aidaily-Step"
CACHE_VERSION = 1  # bump when the meaning of a cached answer changes
DUMMY_API_KEY = "not-needed"  # for local servers (Ollama, vLLM, llama.cpp)
_RETRY_STATUSES = frozenset({408, 409, 429})
_STEP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

M = TypeVar("M", bound=BaseModel)
Validator = Callable[[Any], None]


# --------------------------------------------------------------------------- tables
class LLMCall(Base):
    """One request to the provider (or one cache hit / budget refusal)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    prompt_hash: Mapped[str] = mapped_column(String(64), index=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)  # redacted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LLMCacheEntry(Base):
    """A validated answer, keyed by :func:`build_cache_key`."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text)  # JSON: the parsed answer, or {"text": …}
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --------------------------------------------------------------------------- pure helpers
def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace) for hashing."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def prompt_hash(messages: list[dict[str, Any]], params: dict[str, Any] | None = None) -> str:
    """sha256 of the messages and request params (model excluded): identifies a prompt."""
    payload = canonical_json({"messages": messages, "params": params or {}})
    return hashlib.sha256(payload.encode()).hexdigest()


def build_cache_key(model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> str:
    """sha256 of (cache version, model, messages, params) — the ``llm_cache`` key.

    ``params`` must hold everything else that shapes the answer: temperature,
    max_tokens, json mode, response_format / schema. The endpoint URL and the key are
    deliberately not part of it.
    """
    payload = canonical_json(
        {"v": CACHE_VERSION, "model": model, "messages": messages, "params": params}
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """Rough prompt tokens: characters / 2 plus a few per message (see module docstring)."""
    chars = sum(len(_message_text(m)) for m in messages)
    return chars // 2 + 4 * len(messages)


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',}]+")
_SK_TOKEN = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")


def redact(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with the given secrets, ``Bearer …`` credentials and ``sk-…`` keys masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    return _SK_TOKEN.sub("sk-***", text)


# --------------------------------------------------------------------------- usage
@dataclass
class LLMUsage:
    """What a client (a run) has used so far."""

    calls: int = 0  # requests sent to the provider (every attempt, retries and repairs)
    cached: int = 0  # answers served from the cache
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    errors: int = 0  # calls that ended in LLMError (including budget refusals)
    over_budget: int = 0  # of which BudgetExceeded
    repaired: int = 0
    retries: int = 0

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


def run_usage(db_url: str, run_id: str) -> LLMUsage:
    """The usage of ``run_id`` as recorded in ``llm_calls`` (for review reports)."""
    from aidaily.store.db import session_factory

    with session_factory(db_url)() as session:
        rows = session.execute(
            select(LLMCall.outcome, func.count(), func.sum(LLMCall.tokens_in),
                   func.sum(LLMCall.tokens_out), func.sum(LLMCall.cost_usd))
            .where(LLMCall.run_id == run_id)
            .group_by(LLMCall.outcome)
        ).all()
    usage = LLMUsage()
    for outcome, count, tokens_in, tokens_out, cost in rows:
        usage.tokens_in += tokens_in or 0
        usage.tokens_out += tokens_out or 0
        usage.cost_usd += cost or 0.0
        if outcome == "cached":
            usage.cached += count
            continue
        if outcome != "error:budget":
            usage.calls += count
        if outcome.startswith("retry:"):
            usage.retries += count
        elif outcome == "repaired":
            usage.repaired += count
        elif outcome.startswith("error:"):
            usage.errors += count
            usage.over_budget += count if outcome == "error:budget" else 0
    return usage


# --------------------------------------------------------------------------- internals
@dataclass
class _Call:
    """One logical call: what to send and how to identify it."""

    step: str
    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]  # create() kwargs besides model/messages
    key: str
    phash: str
    max_tokens: int | None

    def with_messages(self, messages: list[dict[str, Any]]) -> _Call:
        return replace(self, messages=messages)


@dataclass
class _Answer:
    content: str | None
    refusal: str | None
    finish_reason: str | None
    tokens_in: int
    tokens_out: int
    latency: float


@dataclass
class _Failure:
    reason: str  # timeout, connection, http-429, …
    retryable: bool
    message: str  # redacted
    retry_after: float | None = None


@dataclass
class _Row:
    """Fields of one llm_calls row that vary per request."""

    outcome: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency: float = 0.0
    error: str | None = None


# --------------------------------------------------------------------------- the client
class LLMClient:
    """Async client for one run; see the module docstring for the whole contract.

    Args:
        settings: the ``llm`` section of the configuration.
        db_url: SQLAlchemy URL for ``llm_calls`` / ``llm_cache``; None keeps the cache
            in memory and logs nothing to a database.
        run_id: stored with every ``llm_calls`` row.
        backoff: first retry delay in seconds (doubles per attempt, with jitter).
        max_backoff: cap of one retry delay.
        max_retry_after: a ``Retry-After`` longer than this fails at once instead of
            stalling the run (quota exhausted rather than a burst limit).
        strict: ask for strict json_schema output when the schema allows it.

    Raises:
        LLMError: no LLM is configured (provider "none", or neither key nor base_url).
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        db_url: str | None = None,
        run_id: str | None = None,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = 90.0,
        strict: bool = True,
        refresh: bool = False,
    ) -> None:
        if settings.provider == "none":
            raise LLMError("the LLM is disabled (llm.provider = none / AIDAILY_LLM=none)")
        if settings.api_key is None and not settings.base_url:
            raise LLMError(
                "no LLM configured: set OPENAI_API_KEY (or AIDAILY_LLM_API_KEY), or "
                "llm.base_url for a local server"
            )
        self.settings = settings
        self.run_id = run_id
        # ``refresh``: ask the model again (a deliberate rewrite) but still store the
        # new answers, so the next unchanged run is served from the cache again.
        self.refresh = refresh
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.strict = strict
        self._api_key = settings.api_key or SecretStr(DUMMY_API_KEY)
        self._openai: AsyncOpenAI | None = None
        self._sessions: sessionmaker[Session] | None = None
        if db_url:
            from aidaily.store.db import session_factory

            self._sessions = session_factory(db_url)
        # Python ≥ 3.10 semaphores bind to a loop only when first contended, so the
        # client may be built outside the loop that uses it.
        self._semaphore = asyncio.Semaphore(max(1, settings.concurrency))
        self._memory_cache: dict[str, dict[str, Any]] = {}
        self._usage = LLMUsage()
        self._reserved = 0  # estimated tokens of requests in flight

    # public ---------------------------------------------------------------------------
    @property
    def usage(self) -> LLMUsage:
        """A snapshot of this client's usage."""
        return replace(self._usage)

    @property
    def remaining_budget(self) -> int | None:
        """Tokens left in the run's budget (None: unlimited)."""
        budget = self.settings.token_budget
        if budget <= 0:
            return None
        return max(0, budget - self._usage.tokens - self._reserved)

    def step_settings(self, step: str) -> tuple[str, float, int | None]:
        """(model, temperature, max_tokens) for ``step``, with the global fallbacks."""
        conf = getattr(self.settings, step, None)
        if not isinstance(conf, StepSettings):
            conf = StepSettings()
        temperature = self.settings.temperature if conf.temperature is None else conf.temperature
        return conf.model or self.settings.model, temperature, conf.max_tokens

    async def structured(
        self,
        step: str,
        messages: list[dict[str, Any]],
        schema: type[M],
        *,
        validate: Validator | None = None,
        max_tokens: int | None = None,
    ) -> M:
        """Ask for JSON matching ``schema`` and return it validated.

        ``validate(result)`` may raise ``ValueError`` to reject a semantically wrong
        answer; that counts as a validation failure (one repair turn).

        Raises:
            BudgetExceeded: the request would exceed the token budget.
            LLMError: refusal, still invalid after the repair turn, or the provider
                failed for good (after retries).
        """
        call = self._prepare(step, messages, max_tokens, schema)
        cached = self._cache_get(call.key)
        if cached is not None:
            try:
                result = _validated(cached, schema, validate)
            except ValueError:
                pass  # the validator is stricter than when this was cached: ask again
            else:
                self._record_cached(call)
                return result
        answer = await self._send(call)
        try:
            data, result = self._check(answer, schema, validate)
            outcome = "ok"
        except ValueError as exc:
            data, result, answer = await self._repair(call, answer, exc, schema, validate)
            outcome = "repaired"
        self._log(call, _Row(outcome, answer.tokens_in, answer.tokens_out, answer.latency), cache=data)
        return result

    async def text(
        self, step: str, messages: list[dict[str, Any]], *, max_tokens: int | None = None
    ) -> str:
        """Ask for plain text (no schema, no repair); cached and logged like ``structured``."""
        call = self._prepare(step, messages, max_tokens, None)
        cached = self._cache_get(call.key)
        if cached is not None and isinstance(cached.get("text"), str):
            self._record_cached(call)
            return cached["text"]
        answer = await self._send(call)
        if not (answer.content or "").strip():
            self._fail(call, answer, "empty", f"{step}: the model returned no text")
        self._log(call, _Row("ok", answer.tokens_in, answer.tokens_out, answer.latency),
                  cache={"text": answer.content})
        return answer.content or ""

    async def list_models(self) -> list[str]:
        """The endpoint's model ids (``GET /models``): a cheap reachability probe.

        Raises:
            LLMError: the endpoint cannot be reached or refuses the key.
        """
        from openai import APIError

        try:
            async with asyncio.timeout(self.settings.timeout):
                page = await self._client().models.list()
        except (APIError, TimeoutError) as exc:
            failure = self._classify(exc)
            raise LLMError(f"LLM endpoint unreachable: {failure.message}") from None
        return [m.id for m in page.data]

    async def aclose(self) -> None:
        if self._openai is not None:
            await self._openai.close()
            self._openai = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # preparing a call -----------------------------------------------------------------
    def _prepare(
        self,
        step: str,
        messages: list[dict[str, Any]],
        max_tokens: int | None,
        schema: type[BaseModel] | None,
    ) -> _Call:
        if not _STEP_NAME.match(step):
            raise ValueError(f"bad step name {step!r} (it is sent as a header)")
        model, temperature, step_max = self.step_settings(step)
        max_tokens = max_tokens or step_max
        params: dict[str, Any] = {"temperature": temperature}
        if max_tokens:
            params["max_tokens"] = max_tokens
        key_params: dict[str, Any] = {**params, "kind": "text"}
        if schema is not None:
            mode = self.settings.json_mode
            if mode == "json_object":
                messages = llm_schema.with_schema_prompt(messages, schema)
            params["response_format"] = llm_schema.response_format(schema, mode, strict=self.strict)
            key_params = {
                **params,
                "kind": "structured",
                "json_mode": mode,
                "schema": llm_schema.json_schema_for(schema),
            }
        return _Call(
            step=step,
            model=model,
            messages=messages,
            params=params,
            key=build_cache_key(model, messages, key_params),
            phash=prompt_hash(messages, key_params),
            max_tokens=max_tokens,
        )

    # validation and repair ------------------------------------------------------------
    def _check(
        self, answer: _Answer, schema: type[M], validate: Validator | None
    ) -> tuple[Any, M]:
        """(parsed JSON, validated model) or ValueError (pydantic's included)."""
        if answer.finish_reason == "length":
            raise ValueError("the answer was cut off at max_tokens (finish_reason=length)")
        data = llm_schema.parse_json(answer.content)
        return data, _validated(data, schema, validate)

    async def _repair(
        self,
        call: _Call,
        answer: _Answer,
        error: ValueError,
        schema: type[M],
        validate: Validator | None,
    ) -> tuple[Any, M, _Answer]:
        """The one repair turn; LLMError if it is still invalid."""
        problem = llm_schema.describe_error(error)
        self._log(call, _Row("retry:invalid", answer.tokens_in, answer.tokens_out,
                             answer.latency, error=problem))
        repair_turn = llm_schema.repair_messages(call.messages, answer.content, problem)
        repair = call.with_messages(repair_turn)
        second = await self._send(repair)
        try:
            data, result = self._check(second, schema, validate)
        except ValueError as exc:
            self._fail(call, second, "invalid",
                       f"{call.step}: the model's answer was still invalid after one repair "
                       f"attempt: {llm_schema.describe_error(exc)}")
        self._usage.repaired += 1
        return data, result, second

    def _fail(self, call: _Call, answer: _Answer | None, reason: str, message: str) -> NoReturn:
        """Log ``error:<reason>`` for ``answer`` and raise LLMError(message)."""
        message = self._redact(message)
        row = _Row(f"error:{reason}", error=message)
        if answer is not None:
            row = replace(row, tokens_in=answer.tokens_in, tokens_out=answer.tokens_out,
                          latency=answer.latency)
        self._usage.errors += 1
        self._log(call, row)
        raise LLMError(message) from None

    # sending with retries -------------------------------------------------------------
    async def _send(self, call: _Call) -> _Answer:
        """One answer from the provider, retrying transient failures; a refusal fails."""
        answer = await self._send_with_retries(call)
        if answer.refusal:
            self._fail(call, answer, "refusal", f"{call.step}: the model refused: {answer.refusal}")
        return answer

    async def _send_with_retries(self, call: _Call) -> _Answer:
        from openai import APIError

        attempts = max(0, self.settings.max_retries) + 1
        for attempt in range(attempts):
            reserved = self._reserve(call)
            started = time.monotonic()
            try:
                async with self._semaphore:
                    started = time.monotonic()  # latency excludes waiting for a slot
                    async with asyncio.timeout(self.settings.timeout):
                        completion = await self._create(call)
            except (APIError, TimeoutError) as exc:
                latency = time.monotonic() - started
                failure = self._classify(exc)
                self._usage.calls += 1
                last = attempt == attempts - 1 or not failure.retryable
                if failure.retry_after is not None and failure.retry_after > self.max_retry_after:
                    last = True
                if last:
                    self._fail_transport(call, failure, attempt + 1, latency)
                self._usage.retries += 1
                self._log(call, _Row(f"retry:{failure.reason}", latency=latency,
                                     error=failure.message))
                await asyncio.sleep(self._retry_delay(attempt, failure.retry_after))
            else:
                return self._account(call, completion, time.monotonic() - started)
            finally:
                self._reserved -= reserved
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _create(self, call: _Call) -> Any:
        return await self._client().chat.completions.create(
            model=call.model,
            messages=call.messages,  # type: ignore[arg-type]
            extra_headers={STEP_HEADER: call.step},
            timeout=self.settings.timeout,
            **call.params,
        )

    def _fail_transport(
        self, call: _Call, failure: _Failure, attempts: int, latency: float
    ) -> NoReturn:
        tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        self._usage.errors += 1
        message = (
            f"{call.step}: LLM request to model {call.model} failed {tries}: {failure.message}"
        )
        self._log(call, _Row(f"error:{failure.reason}", latency=latency, error=message))
        raise LLMError(message) from None

    def _retry_delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)  # the server knows best; at least that long
        # Exponential backoff with "equal jitter": half fixed, half random, so that many
        # parallel calls failing together do not come back together.
        delay = min(self.max_backoff, self.backoff * 2**attempt)
        return delay / 2 + random.uniform(0, delay / 2)

    def _classify(self, exc: BaseException) -> _Failure:
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        if isinstance(exc, (APITimeoutError, TimeoutError)):
            return _Failure("timeout", True, f"timed out after {self.settings.timeout:g}s")
        if isinstance(exc, APIConnectionError):
            return _Failure("connection", True, self._redact(f"connection error: {exc}"))
        if isinstance(exc, APIStatusError):
            status = exc.status_code
            retryable = status in _RETRY_STATUSES or status >= 500
            return _Failure(f"http-{status}", retryable,
                            self._redact(f"HTTP {status}: {exc.message}"),
                            _retry_after(exc.response.headers) if retryable else None)
        return _Failure("bad-response", False, self._redact(f"{type(exc).__name__}: {exc}"))

    # budget and accounting ------------------------------------------------------------
    def _reserve(self, call: _Call) -> int:
        """Reserve the call's estimated tokens or raise BudgetExceeded (logged)."""
        need = estimate_tokens(call.messages) + (call.max_tokens or 0)
        budget = self.settings.token_budget
        used = self._usage.tokens
        if budget > 0 and used + self._reserved + need > budget:
            message = (
                f"{call.step}: token budget {budget} would be exceeded: {used} used, "
                f"{self._reserved} reserved by calls in flight, this call needs ~{need}"
            )
            self._usage.errors += 1
            self._usage.over_budget += 1
            self._log(call, _Row("error:budget", error=message))
            raise BudgetExceeded(message)
        self._reserved += need
        return need

    def _account(self, call: _Call, completion: Any, latency: float) -> _Answer:
        choice = completion.choices[0] if completion.choices else None
        message = choice.message if choice is not None else None
        content = getattr(message, "content", None)
        usage = completion.usage
        if usage is not None:
            tokens_in, tokens_out = usage.prompt_tokens or 0, usage.completion_tokens or 0
        else:  # some local servers omit usage: estimate rather than count nothing
            tokens_in, tokens_out = estimate_tokens(call.messages), len(content or "") // 2
        self._usage.calls += 1
        self._usage.tokens_in += tokens_in
        self._usage.tokens_out += tokens_out
        self._usage.cost_usd += self._cost(tokens_in, tokens_out)
        return _Answer(
            content=content,
            refusal=getattr(message, "refusal", None),
            finish_reason=getattr(choice, "finish_reason", None),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency=latency,
        )

    def _cost(self, tokens_in: int, tokens_out: int) -> float:
        s = self.settings
        return (tokens_in * s.price_in_per_mtok + tokens_out * s.price_out_per_mtok) / 1e6

    def _record_cached(self, call: _Call) -> None:
        self._usage.cached += 1
        self._log(call, _Row("cached"))

    # the SDK client -------------------------------------------------------------------
    def _client(self) -> AsyncOpenAI:
        if self._openai is None:
            from openai import AsyncOpenAI, DefaultAsyncHttpxClient

            from aidaily.ingest.fetch import tls_context

            self._openai = AsyncOpenAI(
                api_key=self._api_key.get_secret_value(),
                base_url=self.settings.base_url,
                timeout=self.settings.timeout,
                max_retries=0,  # retries live in _send_with_retries, nowhere else
                # the process's one TLS context: building another costs the first call ~0.1 s
                http_client=DefaultAsyncHttpxClient(verify=tls_context()),
            )
        return self._openai

    def _redact(self, text: str) -> str:
        return redact(text, (self._api_key.get_secret_value(),))

    # database: log and cache ----------------------------------------------------------
    def _log(self, call: _Call, row: _Row, *, cache: Any = None) -> None:
        """Log the call (a line and an ``llm_calls`` row); with ``cache``, also cache
        that answer, in the same transaction (one commit per answer, not two)."""
        error = self._redact(row.error) if row.error else None
        log.log(
            logging.WARNING if row.outcome.startswith(("error", "retry")) else logging.DEBUG,
            "llm %s %s %s in=%d out=%d %.2fs%s", call.step, call.model, row.outcome,
            row.tokens_in, row.tokens_out, row.latency, f": {error}" if error else "",
        )
        entry = self._cache_entry(call, cache) if cache is not None else None
        if self._sessions is None:
            return
        record = LLMCall(
            run_id=self.run_id, step=call.step, model=call.model, prompt_hash=call.phash,
            cache_key=call.key, tokens_in=row.tokens_in, tokens_out=row.tokens_out,
            latency_s=round(row.latency, 4), cost_usd=self._cost(row.tokens_in, row.tokens_out),
            outcome=row.outcome[:64], error=error, created_at=datetime.now(UTC),
        )

        def write(session: Session) -> None:
            session.add(record)
            if entry is not None:
                # merge: two identical calls in parallel (or two processes) both store it.
                session.merge(entry)

        self._write(write)

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        if self.refresh:
            return None
        hit = self._memory_cache.get(key)
        if hit is not None or self._sessions is None:
            return hit
        try:
            with self._sessions() as session:
                entry = session.get(LLMCacheEntry, key)
                stored = entry.response if entry is not None else None
        except SQLAlchemyError as exc:
            log.warning("llm cache read failed: %s", exc)
            return None
        if stored is None:
            return None
        data = json.loads(stored)
        self._memory_cache[key] = data
        return data

    def _cache_entry(self, call: _Call, data: Any) -> LLMCacheEntry:
        """Remember ``data`` as the answer to ``call`` (in memory now; the row to store)."""
        self._memory_cache[call.key] = data
        return LLMCacheEntry(
            key=call.key, step=call.step, model=call.model,
            response=json.dumps(data, ensure_ascii=False),
            created_at=datetime.now(UTC),
        )

    def _write(self, action: Callable[[Session], object]) -> None:
        """One short transaction (committed at once: a SIGKILL loses at most this row).

        A failing database must not fail the LLM call that already succeeded (and was
        paid for): it is logged and the run goes on.
        """
        assert self._sessions is not None
        try:
            with self._sessions() as session:
                action(session)
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("llm log/cache write failed: %s", self._redact(str(exc))[:300])


def _validated(data: Any, schema: type[M], validate: Validator | None) -> M:
    result = schema.model_validate(data)
    if validate is not None:
        validate(result)
    return result


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
