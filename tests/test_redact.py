"""The configured API key never leaves the process, whatever its shape.

Every other test's key starts with ``sk-``, which the generic ``sk-…`` pattern masks on
its own; here the keys have other shapes (a provider's own prefix, no prefix, short), so
only the masking of the configured key itself can hide them. End to end: an endpoint
that echoes the key in its error answers, through the real openai client, and the
error, the log and the ``llm_calls`` rows are searched for it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr
from sqlalchemy import select

from aidaily.config import LLMSettings
from aidaily.errors import LLMError
from aidaily.llm.calllog import LLMCall, redact
from aidaily.llm.client import LLMClient
from aidaily.store.db import session_factory
from tests.fakellm import FakeLLM, FakeRequest, Reply

KEYS = [
    "prov_live_9f8e7d6c5b4a3210ZZ",  # a provider's own prefix
    "9f8e7d6c5b4a32109f8e7d6c",  # hex, no prefix at all
    "Ab3$x9Qz",  # short
    "gsk_" + "Q" * 48,  # Groq's shape
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("template", [
    "invalid api key: {key}",
    "Incorrect API key provided: {key}.",
    '{{"error": {{"message": "bad key", "key": "{key}"}}}}',
    "key={key}&user=1",
    "url https://api.example/v1?api_key={key}#x",
    "{key}{key}",  # echoed twice, back to back
    "prefix{key}suffix",  # inside a longer token
])
def test_the_configured_key_is_masked_in_any_text(key: str, template: str) -> None:
    text = template.format(key=key)
    masked = redact(text, [key])
    assert key not in masked
    assert "***" in masked


def test_text_without_the_key_is_left_as_it_is() -> None:
    text = "invalid request: model 'gpt-4o-mini' has no such parameter"
    assert redact(text, KEYS) == text


def test_a_key_echoed_in_part_is_masked() -> None:
    key = "sk-proj-" + "R7" * 20
    for echoed in (key[len("sk-proj-"):], key[3:]):
        assert echoed[8:] not in redact(f"unknown key '{echoed}'", [key])


class Answer(BaseModel):
    title: str


@pytest.mark.parametrize("key", KEYS[:3])
def test_a_key_the_endpoint_echoes_reaches_no_error_log_or_row(
        key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db_url = f"sqlite:///{tmp_path / 'llm.db'}"
    caplog.set_level(logging.DEBUG)
    with FakeLLM() as fake:
        def echo(request: FakeRequest) -> Reply:
            sent = request.headers["authorization"].removeprefix("Bearer ")
            status = 500 if len(fake.requests) == 1 else 401
            return Reply.error(status, f"invalid credentials: {sent} (bearer {sent})")

        fake.responder = echo
        settings = LLMSettings(base_url=fake.base_url, api_key=SecretStr(key), timeout=2.0, max_retries=1)

        async def ask() -> None:
            async with LLMClient(settings, db_url=db_url, run_id="run-redact") as client:
                await client.structured("plan", [{"role": "user", "content": "x"}], Answer)

        with pytest.raises(LLMError) as info:
            asyncio.run(ask())
        assert fake.requests[0].headers["authorization"] == f"Bearer {key}"  # it was sent
    assert "invalid credentials" in str(info.value)
    assert key not in str(info.value) and key not in repr(info.value)
    assert key not in caplog.text
    with session_factory(db_url)() as session:
        rows = session.scalars(select(LLMCall)).all()
    assert [r.outcome for r in rows] == ["retry:http-500", "error:http-401"]
    assert all("invalid credentials" in (r.error or "") and key not in r.error for r in rows)


# --- exactly what is left of a secret, and the call log's own lines -------------------------


@pytest.mark.parametrize(("text", "secrets", "masked"), [
    ("invalid api key: prov_live_9f8e", ["prov_live_9f8e"], "invalid api key: ***"),
    ("key abcd, again abcd", ["abcd"], "key ***, again ***"),  # four characters: a secret
    ("key abc", ["abc"], "key abc"),  # three: too short to tell from text, left alone
    ("nothing to hide", ["", "x"], "nothing to hide"),  # an empty secret masks nothing
    ("Authorization: Bearer abc.def-123", [], "Authorization: Bearer ***"),
    ("auth BEARER abc.def, more", [], "auth BEARER ***, more"),
    ("key sk-proj-ABCDEF123456 rejected", [], "key sk-*** rejected"),
    ("sk-short ok", [], "sk-short ok"),  # under 6 characters after sk-: not a key's shape
])
def test_what_redaction_leaves(text: str, secrets: list[str], masked: str) -> None:
    assert redact(text, secrets) == masked


@pytest.mark.parametrize(("outcome", "level", "tail"), [
    ("error:http-401", logging.WARNING, ": invalid credentials: ***"),
    ("retry:http-500", logging.WARNING, ": invalid credentials: ***"),
    ("ok", logging.DEBUG, ""),
])
def test_each_call_is_one_log_line_at_its_level(
        outcome: str, level: int, tail: str, caplog: pytest.LogCaptureFixture) -> None:
    from aidaily.llm.calllog import CallLog, CallRecord

    caplog.set_level(logging.DEBUG, logger="aidaily.llm.client")
    error = f"invalid credentials: {KEYS[0]}" if tail else None
    CallLog(None, "run-1", secrets=[KEYS[0]]).write(CallRecord(
        "plan", "fake-model", "p" * 64, "c" * 64, outcome, tokens_in=12, tokens_out=3, latency=1.234,
        error=error))
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("aidaily.llm.client", level, f"llm plan fake-model {outcome} in=12 out=3 1.23s{tail}")]


def test_a_row_keeps_what_the_call_was(tmp_path: Path) -> None:
    from aidaily.llm.calllog import CallLog, CallRecord
    db_url = f"sqlite:///{tmp_path / 'llm.db'}"
    long_outcome = "error:" + "x" * 70
    CallLog(session_factory(db_url), "run-1", secrets=[KEYS[1]]).write(CallRecord(
        "write", "fake-model", "p" * 64, "c" * 64, long_outcome, tokens_in=12, tokens_out=3,
        latency=1.234567, cost_usd=0.5, error=f"bad key {KEYS[1]}", subject="2026-01-19/write/" + "s" * 500))
    with session_factory(db_url)() as session:
        [row] = session.scalars(select(LLMCall)).all()
    assert (row.run_id, row.step, row.model, row.tokens_in, row.tokens_out, row.cost_usd) == (
        "run-1", "write", "fake-model", 12, 3, 0.5)
    assert row.latency_s == 1.2346 and row.outcome == long_outcome[:64] and row.error == "bad key ***"
    assert row.subject == ("2026-01-19/write/" + "s" * 500)[:400]
    assert row.created_at is not None  # SQLite keeps no time zone: when, not which zone

def test_a_log_that_cannot_be_written_is_said_once_without_the_secret(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from aidaily.llm.calllog import CallLog, CallRecord

    import sqlite3

    caplog.set_level(logging.WARNING, logger="aidaily.llm.client")
    path = tmp_path / "llm.db"
    log = CallLog(session_factory(f"sqlite:///{path}"), "run-1", secrets=[KEYS[1]])
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE llm_calls")  # the write fails
    log.write(CallRecord("write", "fake-model", "p" * 64, "c" * 64, "error:http-401", error=f"bad key {KEYS[1]}"))
    [record] = [r for r in caplog.records if "write failed" in r.getMessage()]
    message = record.getMessage()
    prefix = "llm log/cache write failed: "
    assert message.startswith(prefix + "(sqlite3.OperationalError) no such table: llm_calls")
    assert len(message) == len(prefix) + 300  # the database's long message, cut
    assert KEYS[1] not in caplog.text
