"""Front matter in the house format, read and written byte for byte.

The reference writes its YAML in a way no YAML dumper does by default:

    title: GW 级超算与百万行浏览器：AI 边际成本归零日        <- plain scalar
    tags: ["AI","AI 日报"]                                   <- compact JSON-style flow list
    coverImage: "https://…"                                  <- double-quoted
    summary: "- xAI …\\n- Cursor …"                          <- double-quoted, \\n escapes

Reading and writing go through python-frontmatter's handler interface:
``HouseYAMLHandler`` (a ``YAMLHandler``) loads the YAML with dates kept as strings and
exports metadata in the house styles, so ``frontmatter.loads(text,
handler=HouseYAMLHandler())`` / ``frontmatter.dumps(post, handler=HouseYAMLHandler())``
read and write the house format, and our own parse/render use the same handler for
the YAML and for every field they write.

What python-frontmatter cannot do losslessly stays here, by design:

- ``frontmatter.loads`` strips the text before and after the fences, and ``dumps``
  always writes one blank line after the closing fence and no final newline; a BOM
  before the first fence is not recognised. ``render(parse(text)) == text`` must hold
  byte for byte (BOM, CRLF and the gaps included), so the fences are found by
  ``aidaily.format.parse`` on lines and only the lines between them come here.
- A metadata dict has no notion of how each value was written. Each field is parsed on
  its own; we then find the style ("plain", "double", "flow") that the handler writes
  it back in exactly. A field no style reproduces keeps its source text (``raw``) for
  as long as its value is not changed, so unusual front matter in real issues survives
  a round trip untouched.
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


# Limits on front matter, which comes from files anyone can edit: the reference's is
# 1.2 kB, eight keys, two levels deep (a mapping of lists). Each key is read and written
# back a few times over, so the count of keys is bounded as well as the length.
MAX_FRONT_MATTER_CHARS = 32 * 1024
MAX_KEYS = 100
MAX_DEPTH = 32


class RefusedYAML(yaml.MarkedYAMLError):
    """Front matter that is YAML but not the house format's kind: anchors, aliases,
    explicit tags, nesting deeper than ``MAX_DEPTH``, a number too long to read."""


class HouseLoader(yaml.SafeLoader):
    """SafeLoader for untrusted front matter.

    - ``2026-01-19`` stays a string: the digest's date is text, and a ``datetime.date``
      would not survive our round trip unchanged.
    - Anchors, aliases and explicit tags (``&a``, ``*a``, ``!!binary``) are refused:
      the house format never writes them, and aliases nest into a "billion laughs"
      value that costs minutes and gigabytes to walk.
    - Nesting deeper than ``MAX_DEPTH`` is refused before it is composed (the composer
      recurses once per level).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        problem = _refusal(event, self.depth)
        if problem:
            raise RefusedYAML(None, None, problem, _mark(event.start_mark))
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        """``construct_yaml_int`` with Python's digit limit as a YAML error."""
        try:
            return int(self.construct_yaml_int(node))
        except ValueError as exc:  # more digits than sys.get_int_max_str_digits()
            raise RefusedYAML(None, None, "number too long to read", _mark(node.start_mark)) from exc


def _refusal(event: yaml.Event, depth: int) -> str | None:
    """Why ``HouseLoader`` refuses the node starting with ``event``, if it does."""
    no_anchors = "(the house format uses no anchors or aliases)"
    if isinstance(event, yaml.AliasEvent):
        return f"YAML alias '*{event.anchor}' is not allowed {no_anchors}"
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        return f"YAML anchor '&{anchor}' is not allowed {no_anchors}"
    tag = getattr(event, "tag", None)
    if tag is not None:
        return f"YAML tag '{tag}' is not allowed"
    if depth >= MAX_DEPTH:
        return f"values are nested more than {MAX_DEPTH} levels deep"
    return None


def _mark(mark: object) -> yaml.error.Mark | None:
    return mark if isinstance(mark, yaml.error.Mark) else None


HouseLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
HouseLoader.add_constructor("tag:yaml.org,2002:int", HouseLoader.construct_bounded_int)


def load_yaml(text: str) -> Any:
    """Load untrusted YAML with ``HouseLoader``: dates kept as strings; anchors,
    aliases, tags and deep nesting refused (``RefusedYAML``, a ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=HouseLoader)


def key_line(lines: list[str], key: str) -> int:
    """The 1-based line of front-matter ``key`` in a file's ``lines`` (the first is the
    opening ``---``), a key read as the fields are (``summary :`` too: YAML allows spaces
    before the colon), or 1 when the front matter has no such key."""
    for number, line in enumerate(lines[1:], start=2):
        if line == "---":
            break
        match = _KEY_RE.match(line)
        if match is not None and match.group("key") == key:
            return number
    return 1


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
    """One field as source lines joined by ``\\n``: its source text while its value is
    unchanged and no style reproduced it, else what the handler writes."""
    if f.raw is not None and (f.key == "" or _field_value(f.raw, f.key) == f.value):
        return f.raw
    return HOUSE_HANDLER.export({f.key: f.value}, styles={f.key: f.style})


def _field_line(key: str, value: Any, style: FieldStyle) -> str:
    """``key: value`` in ``style``; a plain scalar YAML would read back differently
    (``yes``, ``: `` inside, a leading ``[``) is written quoted instead."""
    text = format_value(value, style)
    if style == "plain" and not _plain_roundtrips(key, value, text):
        text = format_value(value, "double" if isinstance(value, str) else "flow")
    return f"{key}: {text}" if text else f"{key}:"


def format_front_matter(fm: FrontMatter) -> list[str]:
    """The front matter's lines, fences included."""
    start = HOUSE_HANDLER.START_DELIMITER or "---"
    lines = ["\ufeff" + start if fm.bom else start]
    for f in fm.fields:
        lines.extend(format_field(f).split("\n"))
    lines.append(HOUSE_HANDLER.END_DELIMITER or "---")
    return lines


def parse_front_matter(lines: list[str], first_line: int = 2) -> FrontMatter:
    """Parse the lines between the fences; ``first_line`` is the 1-based line number of
    ``lines[0]`` in the file, for error messages."""
    text = "\n".join(lines)
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise DigestParseError(
            f"front matter is too long ({len(text)} characters; at most {MAX_FRONT_MATTER_CHARS})",
            first_line,
        )
    try:
        whole = HOUSE_HANDLER.load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        what = "refused" if isinstance(exc, RefusedYAML) else "is not valid YAML"
        raise DigestParseError(f"front matter {what}: {problem}", line) from exc
    if whole is not None and not isinstance(whole, dict):
        raise DigestParseError("front matter is not a mapping of keys to values", first_line)
    chunks = _chunks(lines)
    if len(chunks) > MAX_KEYS:
        raise DigestParseError(f"front matter has {len(chunks)} keys; at most {MAX_KEYS}", first_line)
    return FrontMatter(fields=[_parse_field(chunk) for chunk in chunks])


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
        if style == "plain" and not _plain_roundtrips(key, value, format_value(value, style)):
            continue  # the handler would write it quoted: not this style
        if HOUSE_HANDLER.export({key: value}, styles={key: style}) == raw:
            return Field(key, value, style)
    return Field(key, value, default_style(value), raw)


def _candidate_styles(value: Any) -> list[FieldStyle]:
    if isinstance(value, str):
        return ["plain", "double"]
    if isinstance(value, (list, dict)):
        return ["flow"]
    return ["plain"]


def _field_value(raw: str, key: str) -> Any:
    """The value of ``key`` in the field's own text. Read alone, a block scalar at the
    end (``summary: |``) has no final newline, while the whole front matter read at once
    (``frontmatter.loads``) keeps it; ``aidaily fmt --canonical`` relies on the former
    (the summary it writes has no trailing ``\\n``), so that stays."""
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
    """python-frontmatter handler for the house format: reads dates as strings and
    writes every key in its house style (``house_style``), or in the style given for it
    in ``styles``, in the metadata's order::

        frontmatter.dumps(post, handler=HouseYAMLHandler())

    The fences are lines that are exactly ``---``, as ``aidaily.format.parse`` reads
    them (the default pattern ``^-{3,}\\s*$`` also takes ``----`` and, through
    ``\\s*``, the blank lines after a fence).
    """

    FM_BOUNDARY = re.compile(r"^---$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "---"

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        styles = kwargs.get("styles")
        chosen: dict[str, FieldStyle] = dict(styles) if isinstance(styles, dict) else {}
        return "\n".join(_field_line(k, v, chosen.get(k) or house_style(k, v)) for k, v in metadata.items())


HOUSE_HANDLER = HouseYAMLHandler()


def house_style(key: str, value: Any) -> FieldStyle:
    """The style the reference writes ``key`` in."""
    if key in ("coverImage", "summary") and isinstance(value, str):
        return "double"
    return default_style(value)


def front_matter_of(text: str) -> dict[str, Any]:
    """The front matter of a whole file as a mapping, values as loaded (no styles, no
    body): what telling a post of the series from other pages needs, quickly.

    Raises:
        DigestParseError: no front matter between ``---`` lines, or not a YAML mapping.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].rstrip() != "---":
        raise DigestParseError("front matter missing: the file must start with a '---' line", 1)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if close is None:
        raise DigestParseError("front matter is not closed by a '---' line", 1)
    block = "\n".join(lines[1:close])
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise DigestParseError(f"front matter is too long ({len(block)} characters)", 2)
    try:
        data = load_yaml(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        raise DigestParseError(f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}", 2) from None
    if not isinstance(data, dict):
        raise DigestParseError("front matter is not a mapping of keys to values", 2)
    return data
