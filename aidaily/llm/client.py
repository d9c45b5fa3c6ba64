"""The LLM client: structured output, JSON-mode fallback, concurrency, budget, log, cache.

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
2. The cache key is computed (:mod:`aidaily.llm.cache`). A hit — in memory, then in the
   ``llm_cache`` table — returns without any request and is logged as ``cached``.
3. The token budget is checked (:mod:`aidaily.llm.budget`); then the request goes out.
4. Transient failures — 408/409/429/5xx, timeouts, connection errors — are retried by
   the openai SDK (``max_retries = llm.max_retries``; it honours ``Retry-After`` /
   ``retry-after-ms`` up to two minutes and backs off exponentially otherwise). Every
   attempt still gets its row in the call log, through the transport the SDK's HTTP
   client is given (:mod:`aidaily.llm.transport`), which also enforces ``llm.timeout``
   per attempt and ``llm.concurrency`` requests in flight. Other HTTP errors (400, 401,
   404…) fail at once.
5. The answer is parsed (a Markdown fence around the JSON is tolerated), validated by
   pydantic and by the caller's ``validate`` callback (raise ``ValueError`` to reject,
   e.g. unknown story ids). On failure the client sends ONE repair turn (the invalid
   output plus the error) and validates again; a second failure is an
   :class:`~aidaily.errors.InvalidAnswer` (an ``LLMError``) carrying the answers that
   were JSON, so a caller may mend one deterministically (the plan step does).
   A refusal (``message.refusal``) is an :class:`LLMError` straight away.

The outcomes logged are listed in :mod:`aidaily.llm.calllog`; what a run used (requests
sent, answers from cache, tokens and cost of the sent ones) in :mod:`aidaily.llm.usage`.

Secrets
-------
The API key is only handed to the SDK. Headers are never stored; every error text that
goes into a log record, the database or an exception is passed through :func:`redact`,
and SDK exceptions are not chained (``from None``) so a traceback cannot print their
unredacted bodies.

Step routing
------------
Every request carries the header ``X-Aidaily-Step: <step>``. Providers ignore it; the
tests' fake server (``tests/fakellm.py``) routes scripted answers on it.

Providers and ``llm.json_mode``: see :mod:`aidaily.llm.schema`, which builds the
``response_format`` for each.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar

import httpx2
from pydantic import BaseModel, SecretStr

from aidaily.config import LLMSettings, StepSettings
from aidaily.errors import BudgetExceeded, InvalidAnswer, LLMError
from aidaily.llm import schema as llm_schema
from aidaily.llm.budget import TokenBudget, estimate_tokens, messages_tokens
from aidaily.llm.cache import AnswerCache, LLMCacheEntry, build_cache_key, prompt_hash
from aidaily.llm.calllog import CallLog, CallRecord, LLMCall, redact
from aidaily.llm.replay import ReplayBook, ReplayInvalid, ReplayMissing, Subject, load_book
from aidaily.llm.transport import CURRENT_LISTENER, Attempt, AttemptTransport, Slots, env_proxy
from aidaily.llm.usage import REPLAY_INVALID, REPLAY_MISSING, REPLAYED, LLMUsage, run_usage
from aidaily.store.db import session_factory

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = [
    "STEP_HEADER",
    "LLMCacheEntry",
    "LLMCall",
    "LLMClient",
    "LLMUsage",
    "build_cache_key",
    "estimate_tokens",
    "messages_tokens",
    "prompt_hash",
    "redact",
    "run_usage",
]

STEP_HEADER = "X-Aidaily-Step"
DUMMY_API_KEY = "not-needed"  # for local servers (Ollama, vLLM, llama.cpp)
OPENAI_URL = "https://api.openai.com/v1"  # the SDK's default, for the proxy lookup
_STEP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

M = TypeVar("M", bound=BaseModel)
Validator = llm_schema.Validator


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
    subject: Subject | None = None  # what the request is about (the replay key)

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
class _Row:
    """Fields of one llm_calls row that vary per request."""

    outcome: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency: float = 0.0
    error: str | None = None


class _Attempts:
    """The attempts of one SDK call, as the transport reports them.

    A failed attempt is logged as ``retry:<why>`` when the SDK starts the next one (so
    the row is in the database while the SDK backs off); the last one is left to the
    client, which knows whether the call ended in an answer or an error.
    """

    def __init__(self, client: LLMClient, call: _Call) -> None:
        self.client = client
        self.call = call
        self.count = 0
        self.last: Attempt | None = None

    def started(self) -> None:
        if self.last is not None and self.last.failed:
            self.client._log(self.call, _Row(f"retry:{self.last.reason}",
                                             latency=self.last.latency, error=self.last.error))
        self.count += 1
        self.last = None

    def finished(self, attempt: Attempt) -> None:
        self.last = attempt


class LLMClient:
    """Async client for one run; see the module docstring for the whole contract.

    Args:
        settings: the ``llm`` section of the configuration.
        db_url: SQLAlchemy URL for ``llm_calls`` / ``llm_cache``; None keeps the cache
            in memory and logs nothing to a database.
        run_id: stored with every ``llm_calls`` row (read back by :func:`run_usage`).
        strict: ask for strict json_schema output when the schema allows it.
        refresh: ask the model again (a deliberate rewrite) but still store the new
            answers, so the next unchanged run is served from the cache again.
        clock: monotonic seconds for latencies (tests pass a fake). The client itself
            never waits: every wait is the SDK's retry backoff.

    Raises:
        LLMError: no LLM is configured (provider "none", or neither key nor base_url).
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        db_url: str | None = None,
        run_id: str | None = None,
        strict: bool = True,
        refresh: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings.provider == "none":
            raise LLMError("the LLM is disabled (llm.provider = none / AIDAILY_LLM=none)")
        # provider "replay": answers come from a file of recorded answers, nothing is sent
        self._replay: ReplayBook | None = None
        if settings.provider == "replay":
            if not settings.replay:
                raise LLMError('llm.provider = "replay" needs llm.replay = PATH (a replay file)')
            self._replay = load_book(settings.replay)
        elif settings.api_key is None and not settings.base_url:
            raise LLMError(
                "no LLM configured: set OPENAI_API_KEY (or AIDAILY_LLM_API_KEY), or "
                "llm.base_url for a local server"
            )
        self.settings = settings
        self.run_id = run_id
        self.strict = strict
        self.clock = clock
        self._api_key = settings.api_key or SecretStr(DUMMY_API_KEY)
        self._openai: AsyncOpenAI | None = None
        sessions = None
        if db_url:
            sessions = session_factory(db_url)
        self._calllog = CallLog(sessions, run_id, (self._api_key.get_secret_value(),))
        self._cache = AnswerCache(sessions, refresh=refresh)
        self._budget = TokenBudget(settings.token_budget)
        self._slots = Slots(settings.concurrency)
        self._usage = LLMUsage()

    # public ---------------------------------------------------------------------------
    @property
    def refresh(self) -> bool:
        return self._cache.refresh

    @property
    def usage(self) -> LLMUsage:
        """A snapshot of this client's usage (the same sums as :func:`run_usage`)."""
        return replace(self._usage)

    @property
    def remaining_budget(self) -> int | None:
        """Tokens left in the run's budget (None: unlimited)."""
        self._budget.limit = self.settings.token_budget
        return self._budget.remaining(self._usage.tokens)

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
        subject: Subject | None = None,
    ) -> M:
        """Ask for JSON matching ``schema`` and return it validated.

        ``validate(result)`` may raise ``ValueError`` to reject a semantically wrong
        answer; that counts as a validation failure (one repair turn).

        ``subject`` says what the request is about (the day, the kind of call, the story
        ids): it is logged with the call and is the key a replayed answer is found by.

        Raises:
            BudgetExceeded: the request would exceed the token budget.
            InvalidAnswer: still invalid after the repair turn (an ``LLMError``).
            ReplayMissing: replaying, and the file has no answer for ``subject``.
            LLMError: refusal, or the provider failed for good (after the SDK's retries).
        """
        # the requests already holding slots go out before this call is prepared (Slots)
        await self._slots.turn()
        call = self._prepare(step, messages, max_tokens, schema, subject)
        if self._replay is not None:
            return self._replayed(call, schema, validate)
        cached = self._cache.get(call.key)
        if cached is not None:
            try:
                result = llm_schema.validated(cached, schema, validate)
            except ValueError:
                pass  # the validator is stricter than when this was cached: ask again
            else:
                self._log(call, _Row("cached"))
                return result
        answer = await self._send(call)
        try:
            data, result = self._check(answer, schema, validate)
            outcome = "ok"
        except ValueError as exc:
            data, result, answer = await self._repair(call, answer, exc, schema, validate)
            outcome = "repaired"
        self._log(call, _Row(outcome, answer.tokens_in, answer.tokens_out, answer.latency),
                  cache=data)
        return result

    async def text(
        self, step: str, messages: list[dict[str, Any]], *, max_tokens: int | None = None,
        subject: Subject | None = None,
    ) -> str:
        """Ask for plain text (no schema, no repair); cached and logged like ``structured``."""
        await self._slots.turn()  # as in structured
        call = self._prepare(step, messages, max_tokens, None, subject)
        if self._replay is not None:  # the editor asks for structured answers only
            raise LLMError(f"{step}: a replay file holds no plain-text answers")
        cached = self._cache.get(call.key)
        if isinstance(cached, dict) and isinstance(cached.get("text"), str):
            self._log(call, _Row("cached"))
            return cached["text"]
        answer = await self._send(call)
        if not (answer.content or "").strip():
            self._fail(call, answer, "empty", f"{step}: the model returned no text")
        self._log(call, _Row("ok", answer.tokens_in, answer.tokens_out, answer.latency),
                  cache={"text": answer.content})
        return answer.content or ""

    async def list_models(self) -> list[str]:
        """The endpoint's model ids (``GET /models``): a cheap reachability probe, not
        retried (an unreachable endpoint should be reported at once).

        Raises:
            LLMError: the endpoint cannot be reached, refuses the key, or answers
                something that is not a list of models (``{}``, an HTML page).
        """
        from openai import APIError  # deferred: openai (module docstring)

        if self._replay is not None:
            return [self._replay_model]
        try:
            raw = await self._client().with_options(max_retries=0).models.with_raw_response.list()
        except APIError as exc:
            raise LLMError(f"LLM endpoint unreachable: {self._describe(exc)}") from None
        ids = llm_schema.model_ids(raw.content)
        if ids is None:
            raise LLMError("LLM endpoint unusable: GET /models answered no list of models "
                           "(not an OpenAI-compatible API?)")
        return ids

    async def aclose(self) -> None:
        if self._openai is not None:
            await self._openai.close()  # closes the HTTP client and our transport
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
        subject: Subject | None = None,
    ) -> _Call:
        if not _STEP_NAME.match(step):
            raise ValueError(f"bad step name {step!r} (it is sent as a header)")
        model, temperature, step_max = self.step_settings(step)
        if self._replay is not None:  # never served to (or from) a real model's cache
            model = self._replay_model
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
            subject=subject,
        )

    # replay ---------------------------------------------------------------------------
    @property
    def _replay_model(self) -> str:
        return f"replay:{self._replay.path.name}" if self._replay is not None else ""

    def _replayed(self, call: _Call, schema: type[M], validate: Validator | None) -> M:
        """The recorded answer for ``call``, validated like a model's: ReplayMissing when
        there is none; an invalid one is an InvalidAnswer carrying it (a plan is then
        repaired, as a model's would be). Each outcome is logged."""
        assert self._replay is not None
        try:
            data = self._replay.recorded(call.subject, call.step)
            result = llm_schema.validated(data, schema, validate)
        except ReplayMissing as exc:
            self._log(call, _Row(REPLAY_MISSING, error=str(exc)))
            raise
        except ValueError as exc:
            message = f"{call.step}: the recorded answer for {call.subject} is invalid: " + \
                llm_schema.describe_error(exc)
            self._log(call, _Row(REPLAY_INVALID, error=message))
            raise ReplayInvalid(message, (data,)) from None
        self._log(call, _Row(REPLAYED), cache=data)
        return result

    # validation and repair ------------------------------------------------------------
    def _check(
        self, answer: _Answer, schema: type[M], validate: Validator | None
    ) -> tuple[Any, M]:
        """(parsed JSON, validated model) or ValueError (pydantic's included)."""
        if answer.finish_reason == "length":
            raise ValueError("the answer was cut off at max_tokens (finish_reason=length)")
        data = llm_schema.parse_json(answer.content)
        return data, llm_schema.validated(data, schema, validate)

    async def _repair(
        self,
        call: _Call,
        answer: _Answer,
        error: ValueError,
        schema: type[M],
        validate: Validator | None,
    ) -> tuple[Any, M, _Answer]:
        """The one repair turn; InvalidAnswer if it is still invalid."""
        problem = llm_schema.describe_error(error)
        self._log(call, _Row("retry:invalid", answer.tokens_in, answer.tokens_out,
                             answer.latency, error=problem))
        repair_turn = llm_schema.repair_messages(call.messages, answer.content, problem)
        second = await self._send(call.with_messages(repair_turn))
        try:
            data, result = self._check(second, schema, validate)
        except ValueError as exc:
            parsed = (llm_schema.parsed_or_none(a.content) for a in (second, answer))
            self._fail(call, second, "invalid",
                       f"{call.step}: the model's answer was still invalid after one repair "
                       f"attempt: {llm_schema.describe_error(exc)}",
                       answers=tuple(p for p in parsed if p is not None))
        return data, result, second

    def _fail(self, call: _Call, answer: _Answer | None, reason: str, message: str,
              *, answers: tuple[Any, ...] = ()) -> NoReturn:
        """Log ``error:<reason>`` for ``answer`` and raise LLMError(message), or
        InvalidAnswer(message, answers) when some ``answers`` are given."""
        message = self._calllog.redact(message)
        row = _Row(f"error:{reason}", error=message)
        if answer is not None:
            row = replace(row, tokens_in=answer.tokens_in, tokens_out=answer.tokens_out,
                          latency=answer.latency)
        self._log(call, row)
        if answers:
            raise InvalidAnswer(message, answers) from None
        raise LLMError(message) from None

    # sending --------------------------------------------------------------------------
    async def _send(self, call: _Call) -> _Answer:
        """One answer from the provider (the SDK retrying transient failures); the
        budget is held while it is out; a refusal fails."""
        # deferred: openai, loaded with the first model call (an extractive run never loads it)
        from openai import APIError
        from openai.types.chat import ChatCompletion

        need = messages_tokens(call.messages) + (call.max_tokens or 0)
        self._budget.limit = self.settings.token_budget
        try:
            self._budget.reserve(call.step, need, self._usage.tokens)
        except BudgetExceeded as exc:
            self._log(call, _Row("error:budget", error=str(exc)))
            raise
        attempts = _Attempts(self, call)
        token = CURRENT_LISTENER.set(attempts)
        try:
            completion = await self._client().chat.completions.create(
                model=call.model,
                messages=call.messages,  # type: ignore[arg-type]
                extra_headers={STEP_HEADER: call.step},
                timeout=self.settings.timeout,
                **call.params,
            )
        except APIError as exc:
            self._fail_transport(call, attempts, self._describe(exc))
        finally:
            CURRENT_LISTENER.reset(token)
            self._budget.release(need)
        if not isinstance(completion, ChatCompletion):  # the SDK only parses, loosely
            self._fail_transport(call, attempts, "the answer is not a chat completion: "
                                 f"{str(completion)[:200]}")
        latency = attempts.last.latency if attempts.last is not None else 0.0
        answer = self._answer(call, completion, latency)
        if answer.refusal:
            self._fail(call, answer, "refusal", f"{call.step}: the model refused: {answer.refusal}")
        return answer

    def _fail_transport(self, call: _Call, attempts: _Attempts, problem: str) -> NoReturn:
        """No usable answer: log the last attempt as ``error:<why>`` and raise LLMError.

        ``problem`` describes the failure when the last attempt was answered (the
        answer could not be read) or never made; otherwise the attempt says it.
        """
        last = attempts.last
        if last is not None and last.failed:
            reason, text, latency = last.reason, last.error or last.reason, last.latency
        else:
            reason, text = "bad-response", problem
            latency = last.latency if last is not None else 0.0
        n = max(1, attempts.count)
        message = self._calllog.redact(
            f"{call.step}: LLM request to model {call.model} failed after {n} "
            f"attempt{'s' if n > 1 else ''}: {text}"
        )
        self._log(call, _Row(f"error:{reason}", latency=latency, error=message))
        raise LLMError(message) from None

    def _describe(self, exc: BaseException) -> str:
        """A redacted one-line account of an SDK exception."""
        # deferred: openai, loaded with the first model call (an extractive run never loads it)
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        if isinstance(exc, APITimeoutError):
            return f"timed out after {self.settings.timeout:g}s"
        if isinstance(exc, APIConnectionError):
            return self._calllog.redact(f"connection error: {exc}")
        if isinstance(exc, APIStatusError):
            return self._calllog.redact(f"HTTP {exc.status_code}: {exc.message}")
        return self._calllog.redact(f"{type(exc).__name__}: {exc}")

    def _answer(self, call: _Call, completion: Any, latency: float) -> _Answer:
        choice = completion.choices[0] if completion.choices else None
        message = choice.message if choice is not None else None
        content = getattr(message, "content", None)
        usage = completion.usage
        if usage is not None:
            tokens_in, tokens_out = usage.prompt_tokens or 0, usage.completion_tokens or 0
        else:  # some local servers omit usage: estimate rather than count nothing
            tokens_in, tokens_out = messages_tokens(call.messages), estimate_tokens(content or "")
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

    # the SDK client -------------------------------------------------------------------
    def _client(self) -> AsyncOpenAI:
        if self._openai is None:
            # deferred: openai, loaded with the first model call (an extractive run never loads it);
            # the fetcher's TLS context with it
            from openai import AsyncOpenAI, DefaultAsyncHttpxClient

            from aidaily.ingest.fetch import tls_context

            url = self.settings.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL
            limit = max(1, self.settings.concurrency)
            inner = httpx2.AsyncHTTPTransport(
                # the process's one TLS context: building another costs the first call ~0.1 s
                verify=tls_context(),
                proxy=env_proxy(url),
                limits=httpx2.Limits(max_connections=limit * 2, max_keepalive_connections=limit),
            )
            transport = AttemptTransport(inner, slots=self._slots,
                                         deadline=self.settings.timeout, clock=self.clock)
            self._openai = AsyncOpenAI(
                api_key=self._api_key.get_secret_value(),
                base_url=self.settings.base_url,
                timeout=self.settings.timeout,
                max_retries=max(0, self.settings.max_retries),
                http_client=DefaultAsyncHttpxClient(transport=transport),
            )
        return self._openai

    # the call log ---------------------------------------------------------------------
    def _log(self, call: _Call, row: _Row, *, cache: Any = None) -> None:
        """Count the row in :attr:`usage` and log it; with ``cache``, also cache that
        answer in the same transaction."""
        cost = 0.0 if row.outcome == "cached" else self._cost(row.tokens_in, row.tokens_out)
        self._usage.count(row.outcome, row.tokens_in, row.tokens_out, cost)
        entry = None
        if cache is not None:
            entry = self._cache.entry(call.key, call.step, call.model, cache)
        self._calllog.write(
            CallRecord(
                step=call.step, model=call.model, prompt_hash=call.phash, cache_key=call.key,
                outcome=row.outcome, tokens_in=row.tokens_in, tokens_out=row.tokens_out,
                latency=row.latency, cost_usd=cost, error=row.error,
                subject=call.subject.key if call.subject is not None else None,
            ),
            also=entry,
        )
