"""Structured output helpers: JSON schemas for ``response_format``, schema prompts, parsing.

Two ways to get JSON out of an OpenAI-compatible model (``llm.json_mode``):

``json_schema``
    ``response_format={"type": "json_schema", "json_schema": {"name", "schema", "strict"}}``.
    The provider constrains decoding to the schema. OpenAI's ``strict`` mode accepts only
    a subset of JSON Schema (every object closed with ``additionalProperties: false``,
    every property listed in ``required``, no ``default``), so :func:`strict_json_schema`
    rewrites pydantic's schema into that subset.

``json_object``
    ``response_format={"type": "json_object"}``: the provider only guarantees *some*
    JSON object, so the schema goes into the system prompt (:func:`with_schema_prompt`,
    in a fenced ```json block that tests' fake server can read back), and the answer
    is validated by pydantic — with one repair turn (:func:`repair_messages`) when it
    does not fit. DeepSeek and DashScope also require the word "JSON" in the prompt
    for this mode, which the schema prompt contains.

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

Everything here is pure (no I/O, no ``openai`` import).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

JsonMode = str  # "json_schema" | "json_object"

_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_MAX_ERROR_CHARS = 1500  # of a validation error echoed back in a repair turn


def schema_name(model: type[BaseModel]) -> str:
    """A ``json_schema.name``: OpenAI allows ``[a-zA-Z0-9_-]{1,64}``."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", model.__name__)[:64] or "Output"


def json_schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """Pydantic's JSON schema of ``model`` (validation mode: what we will accept)."""
    return model.model_json_schema()


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any] | None:
    """``model``'s schema rewritten for OpenAI strict mode, or None if it cannot be.

    Optional fields stay optional in meaning: pydantic already renders ``X | None`` as
    ``anyOf [X, null]``, so listing them as required only forces the model to say null.
    Free-form maps (``dict[str, X]``) have no strict equivalent: None then, and the
    caller sends the schema non-strict.
    """
    schema = copy.deepcopy(json_schema_for(model))
    return schema if _close_objects(schema) else None


_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions")
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def _close_objects(node: dict[str, Any]) -> bool:
    """Close every object schema below ``node`` in place; False if one is a free map.

    Walks by JSON Schema keyword (not blindly through every dict) so that a field that
    happens to be *named* ``default`` or ``type`` is left alone.
    """
    ok = True
    node.pop("default", None)  # unsupported in strict mode
    if "$ref" in node:  # strict mode rejects keywords beside a $ref (pydantic adds some)
        for key in [k for k in node if k != "$ref"]:
            del node[key]
        return ok
    if node.get("format") not in _STRICT_FORMATS:
        node.pop("format", None)  # e.g. pydantic's "uri": plain string then
    if node.get("type") == "object" or "properties" in node:
        if isinstance(node.get("additionalProperties"), dict):
            ok = False
        node["additionalProperties"] = False
        node["required"] = list(node.get("properties", {}))
    for key in _SUBSCHEMA_MAPS:
        for sub in (node.get(key) or {}).values():
            ok = _close_objects(sub) and ok
    for key in _SUBSCHEMA_LISTS:
        for sub in node.get(key) or []:
            ok = _close_objects(sub) and ok
    if isinstance(node.get("items"), dict):
        ok = _close_objects(node["items"]) and ok
    return ok


def response_format(
    model: type[BaseModel], mode: JsonMode, *, strict: bool = True
) -> dict[str, Any]:
    """The ``response_format`` request parameter for ``mode``."""
    if mode == "json_object":
        return {"type": "json_object"}
    schema = strict_json_schema(model) if strict else None
    if schema is None:
        strict, schema = False, json_schema_for(model)
    return {
        "type": "json_schema",
        "json_schema": {"name": schema_name(model), "schema": schema, "strict": strict},
    }


def schema_prompt(model: type[BaseModel]) -> str:
    """The instruction block for ``json_object`` mode (Chinese, as the prompts are)."""
    schema = json.dumps(json_schema_for(model), ensure_ascii=False, indent=1)
    return (
        "输出格式：只输出一个 JSON 对象，不要输出任何其他文字、解释或 Markdown。"
        "该 JSON 必须符合下面的 JSON Schema：\n```json\n" + schema + "\n```"
    )


def with_schema_prompt(
    messages: list[dict[str, Any]], model: type[BaseModel]
) -> list[dict[str, Any]]:
    """A copy of ``messages`` whose (first) system message ends with :func:`schema_prompt`."""
    block = schema_prompt(model)
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            message["content"] = message["content"].rstrip() + "\n\n" + block
            return out
    return [{"role": "system", "content": block}, *out]


def parse_json(text: str | None) -> Any:
    """Parse a model's JSON answer, tolerating a Markdown code fence around it.

    Local models (Ollama, llama.cpp) often wrap JSON in ```json fences even when asked
    not to; that is harmless, so it is not worth a repair round trip.

    Raises:
        ValueError: empty or not JSON.
    """
    if not text or not text.strip():
        raise ValueError("the model returned no content")
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None


def describe_error(exc: Exception) -> str:
    """A compact, model-readable description of a validation failure."""
    if isinstance(exc, ValidationError):
        lines = [
            f"- {'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
        text = f"{exc.error_count()} 处不符合 schema：\n" + "\n".join(lines)
    else:
        text = str(exc)
    return text[:_MAX_ERROR_CHARS]


def repair_messages(
    messages: list[dict[str, Any]], bad_output: str | None, error: str
) -> list[dict[str, Any]]:
    """``messages`` plus the invalid answer and a request to correct it."""
    return [
        *messages,
        {"role": "assistant", "content": bad_output or ""},
        {
            "role": "user",
            "content": (
                "你上面的输出无效：\n"
                + error
                + "\n请修正后重新输出完整的 JSON 对象，只输出 JSON，不要任何其他文字。"
            ),
        },
    ]


M = TypeVar("M", bound=BaseModel)
#: A caller's semantic check of a validated answer: raises ValueError to reject it.
Validator = Callable[[Any], None]


def validated(data: Any, schema: type[M], validate: Validator | None) -> M:
    """``data`` as ``schema``, checked by ``validate`` too (ValueError, pydantic's
    ValidationError included, when it is not one)."""
    result = schema.model_validate(data)
    if validate is not None:
        validate(result)
    return result


def parsed_or_none(content: str | None) -> Any:
    """The JSON of an answer's content, or None when it is not JSON."""
    try:
        return parse_json(content)
    except ValueError:
        return None


def model_ids(body: bytes) -> list[str] | None:
    """The ids of a ``GET /models`` answer (``{"data": [{"id": …}, …]}``), None when the
    body is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list):
        return None
    ids = [m["id"] for m in models if isinstance(m, dict) and isinstance(m.get("id"), str)]
    return ids if len(ids) == len(models) else None
