"""The LLM client against the fake OpenAI-compatible server, with the real ``openai`` SDK."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, Field, HttpUrl, SecretStr
from sqlalchemy import select

from aidaily.config import LLMSettings, StepSettings
from aidaily.store.db import session_factory
from aidaily.errors import BudgetExceeded, InvalidAnswer, LLMError
from aidaily.llm.client import (
    LLMCacheEntry,
    LLMCall,
    LLMClient,
    LLMUsage,
    build_cache_key,
    messages_tokens,
    prompt_hash,
    redact,
    run_usage,
)
from aidaily.llm.schema import parse_json, response_format, strict_json_schema
from tests.fakellm import FakeLLM, FakeRequest, Reply

pytest_plugins = ("tests.fakellm",)  # the fake_llm fixture

KEY = "sk-test-SECRET-0123456789abcdef"
MESSAGES = [
    {"role": "system", "content": "你是 AI 日报的编辑。"},
    {"role": "user", "content": "故事卡片：[1] OpenAI 发布新模型 [2] 英伟达财报"},
]


class Plan(BaseModel):
    ids: list[int]
    title: str
    note: str | None = None


VALID: dict[str, Any] = {"ids": [1, 2], "title": "模型与算力：新一轮竞赛"}


def settings_for(fake: FakeLLM, **overrides: Any) -> LLMSettings:
    base: dict[str, Any] = {
        "base_url": fake.base_url, "api_key": KEY, "timeout": 2.0, "max_retries": 2,
    }
    return LLMSettings(**{**base, **overrides})


def run_client(
    settings: LLMSettings,
    action: Callable[[LLMClient], Any],
    *,
    db_url: str | None = None,
    run_id: str = "run-1",
    **client_kw: Any,
) -> Any:
    """Run ``await action(client)`` on a fresh client in a fresh loop."""

    async def main() -> Any:
        async with LLMClient(settings, db_url=db_url, run_id=run_id, **client_kw) as client:
            return await action(client)

    return asyncio.run(main())


def ask_plan(client: LLMClient, **kw: Any) -> Any:
    return client.structured("plan", MESSAGES, Plan, **kw)


def outcomes(db_url: str) -> list[str]:
    return [r.outcome for r in rows(db_url)]


def rows(db_url: str) -> list[LLMCall]:
    with session_factory(db_url)() as session:
        return list(session.scalars(select(LLMCall).order_by(LLMCall.id)))


def ticking_clock(step: float = 1.0) -> Callable[[], float]:
    """A fake monotonic clock advancing ``step`` per reading: one attempt reads it
    twice, so every logged latency is exactly ``step``."""
    counter = itertools.count()
    return lambda: next(counter) * step


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'llm.db'}"


# --------------------------------------------------------------------------- happy paths
def test_json_schema_mode_sends_strict_schema_and_step_settings(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.json(VALID))
    settings = settings_for(fake_llm, plan=StepSettings(model="plan-model", temperature=0.1))

    result = run_client(settings, ask_plan)

    assert result == Plan(**VALID)
    request = fake_llm.requests[0]
    assert request.step == "plan"
    assert request["model"] == "plan-model" and request["temperature"] == 0.1
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Plan"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert set(fmt["json_schema"]["schema"]["required"]) == {"ids", "title", "note"}


def test_json_object_mode_puts_schema_in_system_prompt(fake_llm: FakeLLM) -> None:
    # No script: the fake's default responder answers from the schema in the prompt.
    settings = settings_for(fake_llm, json_mode="json_object", write=StepSettings(max_tokens=300))

    result = run_client(settings, lambda c: c.structured("write", MESSAGES, Plan))

    assert isinstance(result, Plan)
    request = fake_llm.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert request["max_tokens"] == 300 and request["model"] == "gpt-4o-mini"
    assert request.messages[0]["content"].startswith("你是 AI 日报的编辑。")
    assert "JSON" in request.system and request.schema == Plan.model_json_schema()


def test_refresh_asks_again_and_the_new_answer_is_cached(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.text("第一版"), Reply.text("第二版"))
    settings = settings_for(fake_llm)

    def summary(client: LLMClient) -> Any:
        return client.text("finalize", MESSAGES)

    assert run_client(settings, summary, db_url=db_url) == "第一版"
    assert run_client(settings, summary, db_url=db_url, refresh=True) == "第二版"
    assert run_client(settings, summary, db_url=db_url) == "第二版"
    assert fake_llm.calls == 2 and outcomes(db_url) == ["ok", "ok", "cached"]


def test_fenced_json_is_accepted_without_repair(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.text("```json\n" + '{"ids": [3], "title": "t"}' + "\n```"))
    assert run_client(settings_for(fake_llm), ask_plan).ids == [3]
    assert fake_llm.calls == 1


def test_text_call(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.text("一句话总结"))
    settings = settings_for(fake_llm)
    def summary(client: LLMClient) -> Any:
        return client.text("finalize", MESSAGES)

    assert run_client(settings, summary, db_url=db_url) == "一句话总结"
    assert "response_format" not in fake_llm.requests[0]
    assert run_client(settings, summary, db_url=db_url) == "一句话总结"
    assert fake_llm.calls == 1 and outcomes(db_url) == ["ok", "cached"]


# --------------------------------------------------------------------------- repair
def test_invalid_json_is_repaired_once(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.text("{ids: [1, 2"), Reply.json(VALID))

    result = run_client(settings_for(fake_llm), ask_plan, db_url=db_url)

    assert result.ids == [1, 2]
    repair = fake_llm.requests[1]
    assert repair.is_repair and repair.messages[-2]["content"] == "{ids: [1, 2"
    assert "无效" in repair.user
    assert outcomes(db_url) == ["retry:invalid", "repaired"]


def test_truncated_answer_gets_the_repair_turn(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.text('{"ids": [1', finish_reason="length"), Reply.json(VALID))
    assert run_client(settings_for(fake_llm), ask_plan).ids == [1, 2]
    assert "max_tokens" in fake_llm.requests[1].user


def test_schema_violation_twice_is_an_error(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.json({"ids": "one"}), Reply.json({"ids": "two"}))

    with pytest.raises(InvalidAnswer, match="still invalid after one repair") as raised:
        run_client(settings_for(fake_llm), ask_plan, db_url=db_url)

    assert fake_llm.calls == 2
    assert "ids" in fake_llm.requests[1].user  # the validation error was sent back
    assert outcomes(db_url) == ["retry:invalid", "error:invalid"]
    # the answers go with the error, the repair turn's first, for a caller that can mend one
    assert raised.value.answers == ({"ids": "two"}, {"ids": "one"})


def test_answers_that_are_not_json_go_nowhere(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.text("prose"), Reply.json({"ids": "two"}))
    with pytest.raises(InvalidAnswer) as raised:
        run_client(settings_for(fake_llm), ask_plan)
    assert raised.value.answers == ({"ids": "two"},)
    fake_llm.script(Reply.text("prose"), Reply.text("{more prose"))
    with pytest.raises(LLMError) as plain:
        run_client(settings_for(fake_llm), ask_plan)
    assert not isinstance(plain.value, InvalidAnswer)


def test_semantic_validator_failure_is_repaired(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.json({"ids": [1, 99], "title": "t"}), Reply.json(VALID))

    def known_ids(plan: Plan) -> None:
        unknown = set(plan.ids) - {1, 2}
        if unknown:
            raise ValueError(f"unknown story ids: {sorted(unknown)}")

    result = run_client(settings_for(fake_llm), lambda c: ask_plan(c, validate=known_ids))

    assert result.ids == [1, 2]
    assert "unknown story ids: [99]" in fake_llm.requests[1].user


def test_refusal_is_an_error(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.refuse("I can't help with that."))
    with pytest.raises(LLMError, match="refused"):
        run_client(settings_for(fake_llm), ask_plan, db_url=db_url)
    assert fake_llm.calls == 1 and outcomes(db_url) == ["error:refusal"]


# --------------------------------------------------------------------------- retries
def test_the_sdk_retries_and_every_attempt_is_logged(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.error(429, "slow down", retry_after=0.01),
                    Reply.error(502, "bad gateway", retry_after_ms=10), Reply.json(VALID))

    result = run_client(settings_for(fake_llm), ask_plan, db_url=db_url, clock=ticking_clock(0.25))

    assert result.ids == [1, 2] and fake_llm.calls == 3
    logged = rows(db_url)
    assert [r.outcome for r in logged] == ["retry:http-429", "retry:http-502", "ok"]
    assert [r.error for r in logged] == ["HTTP 429: slow down", "HTTP 502: bad gateway", None]
    assert [r.latency_s for r in logged] == [0.25, 0.25, 0.25]  # the injected clock
    assert [r.tokens_in > 0 for r in logged] == [False, False, True]
    # The SDK did the retrying (it numbers its attempts), with the same request.
    assert [r.headers.get("x-stainless-retry-count") for r in fake_llm.requests] == ["0", "1", "2"]
    assert fake_llm.requests[0].body == fake_llm.requests[2].body


def test_429_honours_retry_after(fake_llm: FakeLLM, db_url: str) -> None:
    # 0.6 s is longer than the SDK's first backoff (at most 0.5 s): a gap that long
    # between the two requests the server saw means the Retry-After was obeyed.
    fake_llm.script(Reply.error(429, "slow down", retry_after=0.6), Reply.json(VALID))

    assert run_client(settings_for(fake_llm), ask_plan, db_url=db_url).ids == [1, 2]

    first, second = fake_llm.requests
    assert second.time - first.time >= 0.6
    assert outcomes(db_url) == ["retry:http-429", "ok"]


@pytest.mark.parametrize(
    ("failure", "reason", "timeout"),
    [
        (Reply.error(500, retry_after=0.01), "http-500", 2.0),
        (Reply.drop(), "connection", 2.0),
        # 0.8 s: a normal answer comes well within it even on a loaded machine, while
        # the slow reply (3 s) cannot.
        (Reply.slow(3.0), "timeout", 0.8),
    ],
)
def test_transient_failure_then_ok(
    fake_llm: FakeLLM, db_url: str, failure: Reply, reason: str, timeout: float
) -> None:
    fake_llm.script(failure, Reply.json(VALID))
    settings = settings_for(fake_llm, timeout=timeout)

    assert run_client(settings, ask_plan, db_url=db_url).ids == [1, 2]
    assert fake_llm.calls == 2
    assert outcomes(db_url) == [f"retry:{reason}", "ok"]


def test_retries_are_bounded(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(*[Reply.error(503, retry_after=0.01)] * 3)
    settings = settings_for(fake_llm, max_retries=1)

    with pytest.raises(LLMError, match="failed after 2 attempts: HTTP 503"):
        run_client(settings, ask_plan, db_url=db_url)

    assert fake_llm.calls == 2 and fake_llm.pending == 1  # max_retries=1: two attempts
    assert outcomes(db_url) == ["retry:http-503", "error:http-503"]


def test_client_errors_are_not_retried(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.error(400, "bad request"))
    with pytest.raises(LLMError, match="after 1 attempt: HTTP 400: bad request"):
        run_client(settings_for(fake_llm), ask_plan, db_url=db_url)
    assert fake_llm.calls == 1 and outcomes(db_url) == ["error:http-400"]


def test_overlong_retry_after_fails_fast(fake_llm: FakeLLM) -> None:
    # Beyond the SDK's two minutes: a quota exhausted rather than a burst limit.
    fake_llm.script(Reply.error(429, "quota", retry_after=3600))
    with pytest.raises(LLMError, match="HTTP 429"):
        run_client(settings_for(fake_llm), ask_plan)
    assert fake_llm.calls == 1


def test_an_answer_the_sdk_cannot_read_is_an_error(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.responder = lambda request: Reply.error(200, body="not a completion")
    with pytest.raises(LLMError, match="failed after 1 attempt"):
        run_client(settings_for(fake_llm), lambda c: c.text("finalize", MESSAGES), db_url=db_url)
    assert outcomes(db_url) == ["error:bad-response"]


# --------------------------------------------------------------------------- cache
def test_unchanged_call_is_served_from_the_cache(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.json(VALID))
    settings = settings_for(fake_llm)

    async def twice(client: LLMClient) -> tuple[Plan, Plan]:
        return await ask_plan(client), await ask_plan(client)

    first, second = run_client(settings, twice, db_url=db_url)
    # A new client (a re-run) over the same database: still no request.
    third = run_client(settings, ask_plan, db_url=db_url)

    assert first == second == third
    assert fake_llm.calls == 1
    assert outcomes(db_url) == ["ok", "cached", "cached"]
    with session_factory(db_url)() as session:
        assert session.scalar(select(LLMCacheEntry.step)) == "plan"


def test_cache_key_covers_model_and_params(fake_llm: FakeLLM) -> None:
    settings = settings_for(fake_llm)

    async def variants(client: LLMClient) -> None:
        await ask_plan(client)
        await ask_plan(client, max_tokens=200)
        await client.structured("write", MESSAGES, Plan)  # same model and params as plan
        client.settings = settings.model_copy(update={"model": "other-model"})
        await ask_plan(client)

    run_client(settings, variants)
    assert fake_llm.calls == 3


def test_cache_without_database_is_in_memory(fake_llm: FakeLLM) -> None:
    settings = settings_for(fake_llm)

    async def twice(client: LLMClient) -> int:
        await ask_plan(client)
        await ask_plan(client)
        return client.usage.cached

    assert run_client(settings, twice) == 1 and fake_llm.calls == 1


# --------------------------------------------------------------------------- budget
def test_budget_exceeded_before_any_request(fake_llm: FakeLLM, db_url: str) -> None:
    settings = settings_for(fake_llm, token_budget=20)
    long_messages = [{"role": "user", "content": "很长的文章" * 100}]

    with pytest.raises(BudgetExceeded, match="token budget 20"):
        run_client(settings, lambda c: c.structured("write", long_messages, Plan), db_url=db_url)

    assert fake_llm.calls == 0
    assert outcomes(db_url) == ["error:budget"]


def test_usage_and_remaining_budget(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.json(VALID))
    settings = settings_for(fake_llm, token_budget=10_000)

    async def one(client: LLMClient) -> LLMClient:
        await ask_plan(client)
        await ask_plan(client)
        return client

    client = run_client(settings, one, db_url=db_url)

    usage = client.usage
    assert (usage.sent, usage.cached, usage.failed) == (1, 1, 0)
    assert usage.tokens_in == fake_llm.requests[0].prompt_chars // 2
    assert usage.tokens_out > 0 and usage.cost_usd > 0
    assert client.remaining_budget == 10_000 - usage.tokens
    assert run_usage(db_url, "run-1") == usage
    assert messages_tokens(MESSAGES) >= usage.tokens_in


# --------------------------------------------------------------------------- accounting
def test_a_cache_hit_is_logged_with_no_tokens_and_no_cost(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.json(VALID))
    settings = settings_for(fake_llm)

    run_client(settings, ask_plan, db_url=db_url)
    run_client(settings, ask_plan, db_url=db_url)

    first, second = rows(db_url)
    assert (first.outcome, second.outcome) == ("ok", "cached")
    assert first.tokens_in > 0 and first.cost_usd > 0
    assert (second.tokens_in, second.tokens_out, second.cost_usd) == (0, 0, 0.0)
    assert second.cache_key == first.cache_key and fake_llm.calls == 1


def test_usage_per_run_counts_sent_and_cached_apart(fake_llm: FakeLLM, db_url: str) -> None:
    fake_llm.script(Reply.error(503, retry_after=0.01), Reply.json(VALID), Reply.error(400))
    settings = settings_for(fake_llm)

    async def first_run(client: LLMClient) -> LLMClient:
        await ask_plan(client)  # a retry, then the answer
        with pytest.raises(LLMError):
            await client.text("finalize", MESSAGES)  # a 400: failed, not retried
        return client

    async def second_run(client: LLMClient) -> LLMClient:
        await ask_plan(client)  # from the cache
        return client

    one = run_client(settings, first_run, db_url=db_url)
    two = run_client(settings, second_run, db_url=db_url, run_id="run-2")

    used = run_usage(db_url, "run-1")
    assert (used.sent, used.cached, used.failed, used.retries) == (3, 0, 1, 1)
    assert used.tokens_in == fake_llm.requests[1].prompt_chars // 2 and used.cost_usd > 0
    assert used == one.usage  # the client's own figures are the call log's
    again = run_usage(db_url, "run-2")
    assert again == two.usage == LLMUsage(cached=1)
    assert again.to_dict() == {"sent": 0, "cached": 1, "replayed": 0, "failed": 0, "tokens_in": 0,
                               "tokens_out": 0, "cost_usd": 0.0, "calls": 1}
    assert run_usage(db_url, "no-such-run") == LLMUsage()


def test_usage_without_a_database_counts_the_same(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.text("{bad"), Reply.json(VALID))

    async def twice(client: LLMClient) -> LLMUsage:
        await ask_plan(client)  # invalid, then repaired
        await ask_plan(client)
        return client.usage

    usage = run_client(settings_for(fake_llm), twice)
    assert (usage.sent, usage.cached, usage.repaired, usage.retries, usage.failed) == (2, 1, 1, 0, 0)
    assert usage.calls == 3 and usage.tokens_in == sum(r.prompt_chars // 2 for r in fake_llm.requests)


def test_parallel_calls_cannot_overspend_together(fake_llm: FakeLLM) -> None:
    fake_llm.latency = 0.1
    one_call = messages_tokens(MESSAGES) + 10
    settings = settings_for(fake_llm, token_budget=one_call * 2 + 5, concurrency=8)

    async def many(client: LLMClient) -> list[Any]:
        calls = [client.structured(f"s{i}", MESSAGES, Plan, max_tokens=10) for i in range(4)]
        return await asyncio.gather(*calls, return_exceptions=True)

    results = run_client(settings, many)
    assert sum(isinstance(r, BudgetExceeded) for r in results) == 2
    assert fake_llm.calls == 2


# --------------------------------------------------------------------------- concurrency
def test_concurrency_limit_is_honoured(fake_llm: FakeLLM) -> None:
    fake_llm.latency = 0.2
    settings = settings_for(fake_llm, concurrency=2)

    async def six(client: LLMClient) -> list[Plan]:
        calls = [
            client.structured("write", [{"role": "user", "content": f"story {i}"}], Plan)
            for i in range(6)
        ]
        return await asyncio.gather(*calls)

    assert len(run_client(settings, six)) == 6
    assert fake_llm.calls == 6 and fake_llm.max_in_flight == 2


# --------------------------------------------------------------------------- secrets
def test_api_key_never_reaches_errors_logs_or_database(
    fake_llm: FakeLLM, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    def echo_auth(request: FakeRequest) -> Reply:
        auth = request.headers["authorization"]
        status = 500 if len(fake_llm.requests) == 1 else 401
        return Reply.error(status, f"invalid credentials: {auth} (key {auth[7:]})")

    fake_llm.responder = echo_auth
    caplog.set_level(logging.DEBUG)

    with pytest.raises(LLMError) as info:
        run_client(settings_for(fake_llm), ask_plan, db_url=db_url)

    assert fake_llm.requests[0].headers["authorization"] == f"Bearer {KEY}"  # it was sent
    assert "invalid credentials" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert KEY not in caplog.text
    with session_factory(db_url)() as session:
        rows = session.scalars(select(LLMCall)).all()
        assert [r.outcome for r in rows] == ["retry:http-500", "error:http-401"]
        assert all(KEY not in str(vars(r)) for r in rows)


def test_redact_masks_keys_and_bearer_tokens() -> None:
    text = f"Bearer abc.def key={KEY} other sk-proj-ABCDEF123456"
    masked = redact(text, [KEY])
    assert "abc.def" not in masked and KEY not in masked and "ABCDEF123456" not in masked


def test_local_server_needs_no_key(fake_llm: FakeLLM) -> None:
    settings = LLMSettings(base_url=fake_llm.base_url, timeout=2.0)
    assert isinstance(run_client(settings, ask_plan), Plan)
    assert fake_llm.requests[0].headers["authorization"] == "Bearer not-needed"


def test_no_llm_configured_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LLMError, match="no LLM configured"):
        LLMClient(LLMSettings())
    with pytest.raises(LLMError, match="disabled"):
        LLMClient(LLMSettings(provider="none", api_key=SecretStr(KEY)))


def test_list_models_probe(fake_llm: FakeLLM) -> None:
    settings = settings_for(fake_llm, timeout=0.5)
    assert run_client(settings, lambda c: c.list_models()) == ["fake-model"]
    fake_llm.stop()
    with pytest.raises(LLMError, match="unreachable"):
        run_client(settings, lambda c: c.list_models())


# --------------------------------------------------------------------------- pure helpers
def test_hashes_are_canonical() -> None:
    reordered = [{"content": m["content"], "role": m["role"]} for m in MESSAGES]
    params = {"temperature": 0.4, "max_tokens": 10}
    assert prompt_hash(MESSAGES, params) == prompt_hash(reordered, dict(reversed(params.items())))
    assert prompt_hash(MESSAGES, params) != prompt_hash(MESSAGES, {**params, "temperature": 0.5})
    key = build_cache_key("m1", MESSAGES, params)
    assert len(key) == 64 and key != build_cache_key("m2", MESSAGES, params)


def test_strict_schema_closes_nested_objects_and_falls_back_for_maps() -> None:
    class Item(BaseModel):
        url: str
        weight: int = 1

    class Outer(BaseModel):
        items: list[Item]
        default: str | None = None  # a field *named* default must survive
        lead: Item = Field(description="pydantic puts this beside the $ref")
        link: HttpUrl

    schema = strict_json_schema(Outer)
    assert schema is not None
    item = schema["$defs"]["Item"]
    assert item["additionalProperties"] is False and item["required"] == ["url", "weight"]
    assert "default" not in item["properties"]["weight"]
    assert "default" in schema["properties"]
    assert schema["required"] == ["items", "default", "lead", "link"]
    assert schema["properties"]["lead"] == {"$ref": "#/$defs/Item"}
    assert "format" not in schema["properties"]["link"]

    class Loose(BaseModel):
        counts: dict[str, int]

    assert strict_json_schema(Loose) is None
    assert response_format(Loose, "json_schema")["json_schema"]["strict"] is False


def test_parse_json_errors() -> None:
    with pytest.raises(ValueError, match="no content"):
        parse_json("  ")
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_json("Sure! Here it is: {")


# --------------------------------------------------------------------------- one estimate
def test_the_plan_and_the_client_count_a_prompt_alike(fake_llm: FakeLLM) -> None:
    """The editor's plan of the budget and the client's reservation use one estimate: a
    budget of exactly what the plan counts for a Chinese prompt lets the call through, one
    token less refuses it before sending."""
    from aidaily.editor.compose import COMPLETION_ESTIMATE, estimate_cost

    prompt = [{"role": "system", "content": "你是 AI 日报的编辑。" * 20},
              {"role": "user", "content": "故事卡片：OpenAI 发布新模型，英伟达财报超预期。" * 30}]
    counted = messages_tokens(prompt)
    # system: 20 × (8 CJK incl. 。 + 4 others) = 160 + 80/4, user: 30 × (20 CJK incl. ：，。 + 7
    # others) = 600 + ⌈210/4⌉; 4 a message
    assert counted == (160 + 20 + 4) + (600 + 53 + 4)
    call = SimpleNamespace(messages=prompt, kind="brief")
    assert estimate_cost([call]) - estimate_cost([]) == counted + COMPLETION_ESTIMATE["brief"]  # type: ignore[list-item]

    for budget, sent in ((counted + 9, 0), (counted + 10, 1)):  # refused first: nothing cached yet
        before = fake_llm.calls
        fake_llm.script(Reply.json(VALID))
        settings = settings_for(fake_llm, token_budget=budget)

        async def once(client: LLMClient) -> Any:
            try:
                return await client.structured("plan", prompt, Plan, max_tokens=10)
            except BudgetExceeded as exc:
                return exc

        result = run_client(settings, once)
        assert fake_llm.calls - before == sent, (budget, result)
        assert isinstance(result, BudgetExceeded) == (sent == 0)
