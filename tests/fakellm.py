"""A fake OpenAI-compatible chat-completions server for tests and benchmarks.

The real ``openai`` SDK (3.x) talks over ``httpx2``, which respx / pytest-httpx do not
intercept, so the tests drive it against a real HTTP server on 127.0.0.1 instead. The
server runs in a background thread (one thread per request, so latency overlaps exactly
as with a real provider) and answers:

    POST /v1/chat/completions   (also /chat/completions)
    GET  /v1/models             (also /models; ``fake.models_answer`` overrides the answer)
    POST /v1/images/generations (also /images/generations): ``fake.image_reply`` — bytes
                                sent as ``data[0].b64_json`` (default: a 2×2 PNG), or a
                                ``Reply.error`` / ``Reply.drop``; recorded in
                                ``fake.image_requests`` (not counted in ``calls``)

Scripting, in the order the server consults it for each chat request:

1. the per-step queue  ``fake.script(Reply..., step="plan")``   (FIFO, consumed)
2. the global queue    ``fake.script(Reply...)``                (FIFO, consumed)
3. the step handler    ``fake.on("plan", handler_or_reply)``
4. the responder       ``fake.responder = handler``
5. the default: a generic JSON instance of the schema the request asks for
   (``response_format.json_schema`` or the schema block the client puts in the
   system prompt in ``json_object`` mode), or ``"ok"`` for plain-text requests.

A handler receives a :class:`FakeRequest` — a ``dict`` (the request JSON) with extra
attributes ``headers`` (lower-case names), ``path``, ``step`` and helpers — and returns
a :class:`Reply`, a ``dict`` (sent as JSON content), a ``str`` (sent as raw content) or
``None`` (fall through to the next stage).

Step routing convention: :class:`aidaily.llm.client.LLMClient` sends the header
``X-Aidaily-Step: <step>`` (``plan`` / ``write`` / ``finalize`` / …) with every request;
``FakeRequest.step`` reads it (``""`` when absent).

Example::

    from tests.fakellm import FakeLLM, Reply, fake_llm  # fake_llm: pytest fixture

    def test_plan(fake_llm):
        fake_llm.script(Reply.error(429, retry_after=0.05), Reply.json({"x": 1}), step="plan")
        fake_llm.on("write", lambda req: {"bullets": ["…"]})
        settings = LLMSettings(base_url=fake_llm.base_url, api_key="sk-test")
        ...
        assert fake_llm.calls == 3 and fake_llm.requests[0].step == "plan"

Using the ``fake_llm`` fixture from a test module: ``pytest_plugins = ("tests.fakellm",)``
(what this repository's tests do), or import it (``from tests.fakellm import fake_llm``).

Standalone (for benchmarks / manual runs)::

    python -m tests.fakellm --port 8765 --latency 1.0

PYTEST_DONT_REWRITE (this module is imported before pytest registers it as a plugin)
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

try:  # benchmarks import this module without pytest installed
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

STEP_HEADER = "x-aidaily-step"
# A 2×2 PNG (orange), the images route's default picture.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP838PAwMDAxMDAwMDAAAATrQGPhm2NwgAAAABJRU5ErkJggg=="
)
_SCHEMA_BLOCK = re.compile(r"```json\s*(\{.*?\})\s*```", re.DOTALL)


# --------------------------------------------------------------------------- replies
@dataclass
class Reply:
    """One scripted answer. Build it with the class methods, not the constructor.

    ``kind`` is one of ``content`` (a normal completion whose message content is
    ``content``), ``refusal``, ``error`` (HTTP status ``status`` with JSON ``body``) or
    ``drop`` (close the connection without answering). ``delay`` (seconds) is slept
    before answering and replaces the server's default latency.
    """

    kind: str = "content"
    content: str | None = None
    refusal: str | None = None
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float | None = None
    finish_reason: str = "stop"
    usage: dict[str, int] | None = None

    @classmethod
    def json(cls, data: Any, *, delay: float | None = None, **kw: Any) -> Reply:
        """``data`` serialised as the message content (schema-valid or not: your call)."""
        return cls(content=json.dumps(data, ensure_ascii=False), delay=delay, **kw)

    @classmethod
    def text(cls, text: str, *, delay: float | None = None, **kw: Any) -> Reply:
        """Raw content, e.g. invalid JSON (``Reply.text("{oops")``) or prose."""
        return cls(content=text, delay=delay, **kw)

    @classmethod
    def refuse(cls, message: str = "I can't help with that.", **kw: Any) -> Reply:
        """A refusal: ``message.refusal`` set, ``content`` null."""
        return cls(kind="refusal", refusal=message, **kw)

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "fake error",
        *,
        retry_after: float | None = None,
        retry_after_ms: int | None = None,
        delay: float | None = None,
        body: Any = None,
    ) -> Reply:
        """An HTTP error in OpenAI's error shape; ``retry_after`` (seconds) sets
        ``Retry-After``, ``retry_after_ms`` the ``retry-after-ms`` header.

        The openai SDK retries after exactly that long when it is above 0 and at most two
        minutes; ``0`` (or no header) means its own backoff of about 0.5 s and more, so
        a fast test scripts a tiny positive delay such as ``retry_after=0.01``.
        """
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        if retry_after_ms is not None:
            headers["retry-after-ms"] = str(retry_after_ms)
        if body is None:
            body = {"error": {"message": message, "type": "fake_error", "code": str(status)}}
        return cls(kind="error", status=status, body=body, headers=headers, delay=delay)

    @classmethod
    def drop(cls, *, delay: float | None = None) -> Reply:
        """Close the connection without a response (a connection error client-side)."""
        return cls(kind="drop", delay=delay)

    @classmethod
    def slow(cls, delay: float, data: Any = None) -> Reply:
        """Answer after ``delay`` s — longer than the client timeout to provoke one."""
        if data is None:
            return cls(kind="default", delay=delay)
        return cls.json(data, delay=delay)


Handler = Callable[["FakeRequest"], "Reply | dict[str, Any] | list[Any] | str | None"]


class FakeRequest(dict[str, Any]):
    """A recorded request: the JSON body as a dict, plus transport details."""

    def __init__(self, body: dict[str, Any], headers: dict[str, str], path: str) -> None:
        super().__init__(body)
        self.headers = headers  # lower-case names
        self.path = path
        self.time = time.monotonic()

    @property
    def body(self) -> dict[str, Any]:
        return dict(self)

    @property
    def step(self) -> str:
        return self.headers.get(STEP_HEADER, "")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.get("messages") or [])

    @property
    def system(self) -> str:
        """All system messages' text, joined."""
        return "\n".join(_text(m) for m in self.messages if m.get("role") == "system")

    @property
    def user(self) -> str:
        """The last user message's text."""
        users = [_text(m) for m in self.messages if m.get("role") == "user"]
        return users[-1] if users else ""

    @property
    def prompt_chars(self) -> int:
        return sum(len(_text(m)) for m in self.messages)

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON schema asked for: ``response_format`` or the prompt's schema block."""
        fmt = self.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return (fmt.get("json_schema") or {}).get("schema")
        if fmt.get("type") == "json_object":
            blocks = _SCHEMA_BLOCK.findall(self.system)
            if blocks:
                try:
                    return json.loads(blocks[-1])
                except json.JSONDecodeError:
                    return None
        return None

    @property
    def is_repair(self) -> bool:
        """True for the client's repair request (an assistant turn precedes the last user)."""
        return any(m.get("role") == "assistant" for m in self.messages)


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# --------------------------------------------------------------------------- schemas
def example_from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A small instance of ``schema`` (enough for pydantic to accept it, usually).

    Handles ``$ref``/``$defs``, objects, arrays (``minItems``), ``anyOf``/``oneOf``,
    ``enum``/``const``, strings (``minLength``), numbers (``minimum``) and booleans.
    """
    root = root or schema
    if "$ref" in schema:
        return example_from_schema(_resolve_ref(schema["$ref"], root), root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return example_from_schema(options[0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example_from_schema(sub, root) for name, sub in props.items()}
    if kind == "array":
        item = example_from_schema(schema.get("items", {}), root)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "string":
        return "示例" * max(1, (int(schema.get("minLength", 0)) + 1) // 2)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return int(low) + (1 if "exclusiveMinimum" in schema else 0)
    if kind == "boolean":
        return False
    return None


def _resolve_ref(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def default_responder(request: FakeRequest) -> Reply:
    """Schema-shaped JSON when the request asks for JSON, else ``"ok"``."""
    schema = request.schema
    if schema is not None:
        return Reply.json(example_from_schema(schema))
    if (request.get("response_format") or {}).get("type") == "json_object":
        return Reply.json({})
    return Reply.text("ok")


# --------------------------------------------------------------------------- writing like a model
# What a fake model needs to answer as a model that follows the user message would: the
# fields the message asks for, the ranges it gives, facts that are news (no dateline,
# byline or teaser, none restating the headline), a headline tightened to its range.
# ``tests.factories.fake_editor`` and ``benchmarks.day.BenchEditor`` write with these.

#: The fields the user message asks for ("字段：headline（…）；facts（…）…。只输出 JSON").
FIELDS_RE = re.compile(r"字段：(.+?)。只输出 JSON", re.S)
FIELD_NAME_RE = re.compile(r"(?:^|；)\s*([a-z_]+)（")
DATELINE_PREFIX_RE = re.compile(r"^[^，。]{0,12}?\d{1,2}\s*月\s*\d{1,2}\s*日(?:消息|电|讯)[，,：:]?\s*")
NEWS_SENTENCE_RE = re.compile(r"[^。！？\n]{6,}")


def asked_fields(user: str) -> list[str]:
    """The answer's fields, as the user message names them (empty: it names none)."""
    m = FIELDS_RE.search(user)
    return FIELD_NAME_RE.findall(m.group(1)) if m else []


def asked_range(user: str, name: str, default: tuple[int, int]) -> tuple[int, int]:
    """The 字 range the user message gives the field ``name`` ("headline（条目标题），6–30 字")."""
    m = re.search(rf"{name}（[^）]*）[，,]\s*(\d+)–(\d+) 字", user)
    return (int(m.group(1)), int(m.group(2))) if m else default


def model_facts(title: str, text: str, n: int = 2) -> list[str]:
    """What a model makes of an article: ``n`` sentences of news, without the site's
    dateline, byline or teaser lines, none saying the headline again; a short article's
    one sentence told in clauses."""
    from aidaily.format.editorial import is_lead_in, says_headline

    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and not is_lead_in(ln)]
    sentences = [DATELINE_PREFIX_RE.sub("", s).strip() for ln in lines for s in NEWS_SENTENCE_RE.findall(ln)]
    facts = [s for s in sentences if len(s) >= 6 and not says_headline(s, title)]
    if len(facts) < n and sentences:
        clauses = [c.strip() for c in re.split(r"[，,]", max(sentences, key=len)) if len(c.strip()) >= 4]
        facts = [f for f in dict.fromkeys([*facts, *clauses]) if not says_headline(f, title)]
    return facts[:n] if len(facts) >= n else [*facts, *["原文未给出更多细节"] * (n - len(facts))]


def tightened(title: str, most: int) -> str:
    """``title`` cut after a clause until it has at most ``most`` 字, as an editor would."""
    from aidaily.text import zi_count

    while zi_count(title) > most and "，" in title:
        title = title.rsplit("，", 1)[0]
    return title


# --------------------------------------------------------------------------- server
class _Server(ThreadingHTTPServer):
    """A model endpoint's listen backlog: socketserver's default of 5 drops the connection
    attempts of a wave of 8 calls opened at once, and a dropped one is retried by the
    client's TCP a second later: one call of the wave took 2 s instead of 1."""

    request_queue_size = 128


class FakeLLM:
    """The fake server. ``start()`` / ``stop()`` or use it as a context manager."""

    def __init__(self, *, latency: float = 0.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.latency = latency
        self.responder: Handler | None = None
        self.requests: list[FakeRequest] = []  # chat requests only, in arrival order
        self.max_in_flight = 0
        self.model_ids = ["fake-model"]
        self.image_requests: list[FakeRequest] = []  # images/generations requests
        self.image_reply: bytes | Reply = TINY_PNG
        #: ``(status, content type, body)`` that ``GET /models`` answers instead of the list
        #: of ``model_ids`` (a broken endpoint: ``(200, "text/html", b"<html>…")``).
        self.models_answer: tuple[int, str, bytes] | None = None
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._step_queues: dict[str, deque[Reply]] = {}
        self._handlers: dict[str, Handler | Reply] = {}
        self._in_flight = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------
    def start(self) -> Self:
        self._stopping.clear()
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = _Server((self._host, self._port), handler)
        self._server.daemon_threads = True  # a sleeping "slow" reply must not block stop()
        # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeLLM not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # scripting ----------------------------------------------------------------------
    def script(self, *replies: Reply | dict[str, Any] | str, step: str | None = None) -> None:
        """Queue replies, consumed one per request (for one step, or for any step)."""
        queue = self._queue if step is None else self._step_queues.setdefault(step, deque())
        with self._lock:
            queue.extend(_as_reply(r) for r in replies)

    def on(self, step: str, handler: Handler | Reply | dict[str, Any] | str) -> None:
        """Answer every request of ``step`` with ``handler(request)`` (or a fixed reply)."""
        self._handlers[step] = handler if callable(handler) else _as_reply(handler)

    def reset(self) -> None:
        """Forget scripts, handlers, the responder and the recorded requests."""
        with self._lock:
            self._queue.clear()
            self._step_queues.clear()
            self.requests.clear()
            self.max_in_flight = 0
        self._handlers.clear()
        self.responder = None

    # inspection ---------------------------------------------------------------------
    @property
    def calls(self) -> int:
        return len(self.requests)

    def calls_for(self, step: str) -> list[FakeRequest]:
        return [r for r in self.requests if r.step == step]

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet (assert 0 at the end of a test)."""
        with self._lock:
            return len(self._queue) + sum(len(q) for q in self._step_queues.values())

    # the request path (called from handler threads) ---------------------------------
    def _record(self, request: FakeRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            step_queue = self._step_queues.get(request.step)
            if step_queue:
                return step_queue.popleft()
            if self._queue:
                return self._queue.popleft()
        return self._resolve(request)

    def _resolve(self, request: FakeRequest) -> Reply:
        for handler in (self._handlers.get(request.step), self.responder):
            if isinstance(handler, Reply):
                return handler
            if handler is not None:
                answer = handler(request)
                if answer is not None:
                    return _as_reply(answer)
        return default_responder(request)

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _as_reply(answer: Reply | dict[str, Any] | list[Any] | str) -> Reply:
    if isinstance(answer, Reply):
        return answer
    if isinstance(answer, str):
        return Reply.text(answer)
    return Reply.json(answer)


def completion_body(request: FakeRequest, reply: Reply) -> dict[str, Any]:
    """The chat.completion JSON for ``reply``, with realistic ``usage``."""
    content = reply.content
    prompt_tokens = max(1, request.prompt_chars // 2)
    completion_tokens = max(1, len(content or reply.refusal or "") // 2)
    usage = reply.usage or {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return {
        "id": f"chatcmpl-fake-{len(request.messages)}-{int(request.time * 1e6)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": reply.refusal},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": usage,
    }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLLM
    protocol_version = "HTTP/1.1"  # keep-alive, like real providers
    # TCP_NODELAY, as providers' servers set it: an answer leaves as two writes (headers,
    # body), and on a kept-alive connection Nagle holds the body until the client's
    # delayed ACK of the headers, 40 ms later — a delay of this fake, not of the client.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet test output

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models") and self.fake.models_answer:
            self._send_raw(*self.fake.models_answer)
        elif self.path.rstrip("/") in ("/v1/models", "/models"):
            data = [{"id": m, "object": "model", "owned_by": "fake"} for m in self.fake.model_ids]
            self._send(200, {"object": "list", "data": data})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        route = self.path.split("?")[0].rstrip("/")
        if route not in ("/v1/chat/completions", "/chat/completions",
                         "/v1/images/generations", "/images/generations"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, {"error": {"message": "request body is not JSON"}})
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = FakeRequest(body, headers, self.path)
        if route.endswith("/images/generations"):
            self._image(request)
            return
        try:
            reply = self.fake._record(request)
            self._answer(request, reply)
        finally:
            self.fake._done()

    def _answer(self, request: FakeRequest, reply: Reply) -> None:
        delay = self.fake.latency if reply.delay is None else reply.delay
        if delay:
            self.fake._sleep(delay)
        if self.fake._stopping.is_set():  # woken by stop(): a stopped server says nothing
            reply = Reply.drop()
        if reply.kind == "default":
            reply = default_responder(request)
        if reply.kind == "drop":
            self._drop()
        elif reply.kind == "error":
            self._send(reply.status, reply.body, reply.headers)
        else:
            self._send(200, completion_body(request, reply), reply.headers)

    def _image(self, request: FakeRequest) -> None:
        with self.fake._lock:
            self.fake.image_requests.append(request)
        reply = self.fake.image_reply
        if isinstance(reply, bytes):
            picture = base64.b64encode(reply).decode("ascii")
            self._send(200, {"created": int(time.time()), "data": [{"b64_json": picture}]})
        elif reply.kind == "drop":
            self._drop()
        elif reply.kind == "error":
            self._send(reply.status, reply.body, reply.headers)
        else:  # any other scripted reply: an answer without a picture
            self._send(200, {"created": int(time.time()), "data": [{"url": "https://img.invalid/x.png"}]})

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send_raw(status, "application/json", json.dumps(body, ensure_ascii=False).encode(),
                       headers)

    def _send_raw(self, status: int, content_type: str, data: bytes,
                  headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to tell it


# --------------------------------------------------------------------------- pytest
def _fake_llm() -> Iterator[FakeLLM]:
    """A started :class:`FakeLLM` (no latency), stopped after the test."""
    with FakeLLM() as fake:
        yield fake


if pytest is not None:
    fake_llm = pytest.fixture(_fake_llm, name="fake_llm")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server (default replies)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args(argv)
    fake = FakeLLM(latency=args.latency, port=args.port).start()
    print(f"fake LLM on {fake.base_url} (latency {args.latency}s); Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
