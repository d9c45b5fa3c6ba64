"""Front matter in the house format, read and written byte for byte.

The reference writes its YAML in a way no YAML dumper does by default:

    title: GW 级超算与百万行浏览器：AI 边际成本归零日        <- plain scalar
    tags: ["AI","AI 日报"]                                   <- compact JSON-style flow list
    coverImage: "https://…"                                  <- double-quoted
    summary: "- xAI …\\n- Cursor …"                          <- double-quoted, \\n escapes

Each field is parsed on its own; we then find the style ("plain", "double", "flow")
that writes it back exactly. A field no style reproduces keeps its source text
(``raw``) for as long as its value is not changed, so unusual front matter in real
issues survives a round trip untouched.

``HouseYAMLHandler`` plugs the same formatting into python-frontmatter for tools that
use that library.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from aidaily.format.digest import Field, FieldStyle, FrontMatter, default_style
from aidaily.errors import DigestParseError

_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)")


class _StringDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves ``2026-01-19`` a string: the digest's date is text, and a
    ``datetime.date`` would not survive our round trip unchanged."""


_StringDateLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """Load YAML with dates kept as strings."""
    return yaml.load(text, Loader=_StringDateLoader)


def format_value(value: Any, style: FieldStyle) -> str:
    """Write ``value`` in ``style`` (the text after ``key: ``)."""
    if style == "double":
        return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)
    if style == "flow":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_field(f: Field) -> str:
    """One field as source lines joined by ``\\n``."""
    if f.raw is not None and (f.key == "" or _field_value(f.raw, f.key) == f.value):
        return f.raw
    text = format_value(f.value, f.style)
    if f.style == "plain" and not _plain_roundtrips(f.key, f.value, text):
        text = format_value(f.value, "double" if isinstance(f.value, str) else "flow")
    return f"{f.key}: {text}" if text else f"{f.key}:"


def format_front_matter(fm: FrontMatter) -> list[str]:
    """The front matter's lines, fences included."""
    lines = ["\ufeff---" if fm.bom else "---"]
    for f in fm.fields:
        lines.extend(format_field(f).split("\n"))
    lines.append("---")
    return lines


def parse_front_matter(lines: list[str], first_line: int = 2) -> FrontMatter:
    """Parse the lines between the fences; ``first_line`` is the 1-based line number of
    ``lines[0]`` in the file, for error messages."""
    text = "\n".join(lines)
    try:
        whole = load_yaml(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DigestParseError(f"front matter is not valid YAML: {problem}", line) from exc
    if whole is not None and not isinstance(whole, dict):
        raise DigestParseError("front matter is not a mapping of keys to values", first_line)
    return FrontMatter(fields=[_parse_field(chunk) for chunk in _chunks(lines)])


def _chunks(lines: list[str]) -> list[list[str]]:
    """Group lines into fields: a key line and the indented / list lines that follow."""
    chunks: list[list[str]] = []
    for line in lines:
        if _KEY_RE.match(line) or not chunks:
            chunks.append([line])
        else:
            chunks[-1].append(line)
    return chunks


def _parse_field(chunk: list[str]) -> Field:
    raw = "\n".join(chunk)
    match = _KEY_RE.match(chunk[0])
    if match is None:  # comments or stray lines before the first key
        return Field("", None, "raw", raw)
    key = match.group("key")
    value = _field_value(raw, key)
    for style in _candidate_styles(value):
        text = format_value(value, style)
        if style == "plain" and not _plain_roundtrips(key, value, text):
            continue
        if (f"{key}: {text}" if text else f"{key}:") == raw:
            return Field(key, value, style)
    return Field(key, value, default_style(value), raw)


def _candidate_styles(value: Any) -> list[FieldStyle]:
    if isinstance(value, str):
        return ["plain", "double"]
    if isinstance(value, (list, dict)):
        return ["flow"]
    return ["plain"]


def _field_value(raw: str, key: str) -> Any:
    try:
        loaded = load_yaml(raw)
    except yaml.YAMLError:
        return raw
    if isinstance(loaded, dict) and key in loaded:
        return loaded[key]
    return raw


def _plain_roundtrips(key: str, value: Any, text: str) -> bool:
    if "\n" in text:
        return False
    try:
        return load_yaml(f"{key}: {text}") == {key: value}
    except yaml.YAMLError:
        return False


class HouseYAMLHandler(YAMLHandler):
    """python-frontmatter handler that writes metadata in the house format and reads
    dates as strings: ``frontmatter.dumps(post, handler=HouseYAMLHandler())``."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        fields = [Field(k, v, house_style(k, v)) for k, v in metadata.items()]
        return "\n".join(format_field(f) for f in fields)


def house_style(key: str, value: Any) -> FieldStyle:
    """The style the reference writes ``key`` in."""
    if key in ("coverImage", "summary") and isinstance(value, str):
        return "double"
    return default_style(value)
