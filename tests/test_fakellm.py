"""The fake OpenAI-compatible server itself (raw HTTP, no SDK): scripting, routing, shapes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field

from tests.fakellm import FakeLLM, FakeRequest, Reply, example_from_schema

pytest_plugins = ("tests.fakellm",)  # the fake_llm fixture

ROOT = Path(__file__).resolve().parent.parent


def chat(
    fake: FakeLLM, step: str = "", *, path: str = "/v1/chat/completions", **body: Any
) -> httpx.Response:
    body.setdefault("model", "m")
    body.setdefault("messages", [{"role": "user", "content": "你好世界"}])
    headers = {"Authorization": "Bearer sk-x", **({"X-Aidaily-Step": step} if step else {})}
    url = f"http://127.0.0.1:{fake.port}{path}"
    return httpx.post(url, json=body, headers=headers, timeout=5)


def content(response: httpx.Response) -> Any:
    return response.json()["choices"][0]["message"]["content"]


def test_models_and_unknown_routes(fake_llm: FakeLLM) -> None:
    models = httpx.get(f"{fake_llm.base_url}/models").json()
    assert [m["id"] for m in models["data"]] == ["fake-model"]
    assert httpx.get(f"http://127.0.0.1:{fake_llm.port}/nope").status_code == 404
    assert chat(fake_llm, path="/v1/embeddings").status_code == 404
    assert fake_llm.calls == 0


def test_both_chat_paths_and_completion_shape(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.json({"a": 1}), Reply.text("{broken"))
    first = chat(fake_llm)
    second = chat(fake_llm, path="/chat/completions")

    body = first.json()
    assert body["object"] == "chat.completion" and body["model"] == "m"
    assert body["choices"][0]["finish_reason"] == "stop"
    assert json.loads(content(first)) == {"a": 1} and content(second) == "{broken"
    # "你好世界" is 4 characters: 2 prompt tokens; usage adds up.
    usage = body["usage"]
    assert usage["prompt_tokens"] == 2
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_step_queue_then_global_queue_then_handlers(fake_llm: FakeLLM) -> None:
    fake_llm.script("global-1", "global-2")
    fake_llm.script("plan-1", step="plan")
    fake_llm.on("write", lambda req: None if req.is_repair else {"step": req.step})
    fake_llm.responder = lambda req: "responder"

    answers = [
        content(chat(fake_llm, "plan")),  # its step queue first
        content(chat(fake_llm, "write")),  # global queue before handlers
        content(chat(fake_llm, "plan")),
        content(chat(fake_llm, "write")),  # now the step handler
        content(chat(fake_llm, "finalize")),  # no handler: the responder
    ]

    assert answers == ["plan-1", "global-1", "global-2", '{"step": "write"}', "responder"]
    assert fake_llm.pending == 0
    assert [r.step for r in fake_llm.calls_for("plan")] == ["plan", "plan"]
    assert fake_llm.requests[0].headers["authorization"] == "Bearer sk-x"


def test_default_responder_follows_the_requested_schema(fake_llm: FakeLLM) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}}
    by_schema = chat(fake_llm, response_format={
        "type": "json_schema", "json_schema": {"name": "X", "schema": schema}})
    prompt = "只输出 JSON：\n```json\n" + json.dumps(schema) + "\n```"
    by_prompt = chat(fake_llm, response_format={"type": "json_object"},
                     messages=[{"role": "system", "content": prompt}])
    plain = chat(fake_llm)

    assert json.loads(content(by_schema)) == {"n": 3}
    assert json.loads(content(by_prompt)) == {"n": 3}
    assert content(plain) == "ok"


def test_error_refusal_and_fixed_replies(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.error(429, "slow down", retry_after=1.5), Reply.refuse("no"))
    fake_llm.on("plan", Reply.error(400, "bad"))

    limited = chat(fake_llm)
    refused = chat(fake_llm)
    bad = chat(fake_llm, "plan")

    assert limited.status_code == 429 and limited.headers["retry-after"] == "1.5"
    assert limited.json()["error"]["message"] == "slow down"
    message = refused.json()["choices"][0]["message"]
    assert message["content"] is None and message["refusal"] == "no"
    assert bad.status_code == 400
    fake_llm.script(Reply.error(503, retry_after_ms=20))
    assert chat(fake_llm).headers["retry-after-ms"] == "20"


def test_drop_closes_the_connection(fake_llm: FakeLLM) -> None:
    fake_llm.script(Reply.drop())
    with pytest.raises(httpx.HTTPError):
        chat(fake_llm)
    assert fake_llm.calls == 1


def test_latency_overlaps_and_in_flight_is_tracked() -> None:
    with FakeLLM(latency=1.5) as fake:  # long enough for all four to start on a loaded machine
        threads = [threading.Thread(target=chat, args=(fake,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # All four were inside the delay at once: answered concurrently, not in a row.
    # (Asserted server-side: wall-clock bounds flake on a loaded machine.)
    assert fake.max_in_flight == 4 and fake.calls == 4


def test_slow_reply_does_not_block_stop() -> None:
    fake = FakeLLM().start()
    fake.script(Reply.slow(30))
    client = threading.Thread(target=lambda: pytest.raises(httpx.HTTPError, chat, fake))
    client.start()
    while fake.calls == 0:
        time.sleep(0.01)
    # stop() wakes the sleeping handler instead of waiting out its 30 s; a join with a
    # timeout observes that without asserting how long anything took.
    stopper = threading.Thread(target=fake.stop)
    stopper.start()
    stopper.join(10)
    client.join(10)
    assert not stopper.is_alive() and not client.is_alive()


def test_reset_forgets_everything(fake_llm: FakeLLM) -> None:
    fake_llm.script("x")
    fake_llm.on("plan", "y")
    chat(fake_llm, "write")
    fake_llm.reset()
    assert fake_llm.calls == 0 and fake_llm.pending == 0
    assert content(chat(fake_llm, "plan")) == "ok"


def test_request_helpers() -> None:
    request = FakeRequest(
        {"messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": [{"type": "text", "text": "part"}]},
            {"role": "assistant", "content": "bad"},
            {"role": "user", "content": "fix it"},
        ]},
        {"x-aidaily-step": "write"},
        "/v1/chat/completions",
    )
    assert request.step == "write" and request.system == "sys" and request.user == "fix it"
    assert request.is_repair and request.prompt_chars == 3 + 4 + 3 + 6
    assert request.schema is None and request.body["messages"][0]["content"] == "sys"


def test_example_from_pydantic_schema_validates() -> None:
    class Link(BaseModel):
        url: str
        kind: str = Field(pattern="^(main|brief)$", json_schema_extra={"enum": ["main", "brief"]})

    class Section(BaseModel):
        title: str = Field(min_length=5)
        story_ids: list[str] = Field(min_length=2)
        links: list[Link]
        lead: Link | None
        weight: float = Field(gt=0)
        flag: bool

    instance = example_from_schema(Section.model_json_schema())
    section = Section.model_validate(instance)
    assert len(section.story_ids) == 2 and len(section.title) >= 5 and section.weight > 0


def test_standalone_mode_serves_default_replies() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakellm", "--port", "0", "--latency", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        base_url = line.split()[3]
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.post(f"{base_url}/chat/completions", timeout=5,
                              json={"model": "m", "messages": [{"role": "user", "content": "hi"}]})
        assert content(response) == "ok"
    finally:
        proc.terminate()
        proc.wait(5)
