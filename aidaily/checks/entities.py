"""Entity names: one canonical name for the many ways Chinese and English text write it.

英伟达, NVIDIA, Nvidia and 辉达 are one company. Selection (dedup shingles), the planner's
story cards, the seo keywords and the grounding check all need to see them as one, so
the table below maps every known variant to a canonical name, and a small scanner finds
Latin-script product names that no table can list in advance (``GPT-5.2 Pro``,
``Claude Cowork``, ``Walker S2``, ``Colossus 2``).

Matching rules, chosen for Chinese text that mixes in Latin words:

- Chinese variants match as substrings (Chinese has no word boundaries); a few that are
  also ordinary words get a guard (``字节`` is ByteDance, ``1 字节`` is a byte).
- Latin variants match at Latin-word boundaries and case-insensitively, except names
  whose case carries meaning (``xAI`` is not XAI/explainable AI, ``Meta`` is not "meta").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "ENTITIES",
    "GENERIC_LATIN",
    "Entity",
    "canonical_name",
    "canonicalize_text",
    "entity_kind",
    "entity_named",
    "entity_variants",
    "extract_entities",
    "find_entities",
    "latin_tokens",
    "namesake_at",
    "normalize_entities",
]

Kind = Literal["org", "person", "product"]


@dataclass(frozen=True)
class Entity:
    """A canonical name, its kind, and every way texts write it."""

    name: str
    kind: Kind
    variants: tuple[str, ...]
    case_sensitive: tuple[str, ...] = ()  # Latin variants whose case matters


def _e(name: str, kind: Kind, *variants: str, cs: tuple[str, ...] = ()) -> Entity:
    return Entity(name, kind, (name, *variants), cs)


# The canonical name is the one the digest's seo list uses (English where the company
# has one). Extend freely: order does not matter, longer variants win over shorter ones.
ENTITIES: tuple[Entity, ...] = (
    # companies and labs
    _e("Nvidia", "org", "英伟达", "NVIDIA", "辉达"),
    _e("Google", "org", "谷歌", "Google DeepMind", "DeepMind"),
    _e("Microsoft", "org", "微软"),
    _e("Alibaba", "org", "阿里巴巴", "阿里云", "阿里"),
    _e("ByteDance", "org", "字节跳动", "字节"),
    _e("DeepSeek", "org", "深度求索"),
    _e("Moonshot", "org", "月之暗面", "Moonshot AI"),
    _e("Zhipu", "org", "智谱", "智谱AI", "Zhipu AI", "Z.ai"),
    _e("MiniMax", "org", "稀宇科技", "稀宇"),
    _e("OpenAI", "org"),
    _e("Anthropic", "org"),
    _e("xAI", "org", cs=("xAI",)),
    _e("Meta", "org", "Facebook", cs=("Meta",)),
    _e("Apple", "org", "苹果"),
    _e("Amazon", "org", "亚马逊", "AWS", cs=("AWS",)),
    _e("Tencent", "org", "腾讯"),
    _e("Baidu", "org", "百度"),
    _e("Huawei", "org", "华为"),
    _e("Tesla", "org", "特斯拉"),
    _e("SpaceX", "org"),
    _e("Samsung", "org", "三星"),
    _e("Intel", "org", "英特尔"),
    _e("AMD", "org", cs=("AMD",)),
    _e("Qualcomm", "org", "高通"),
    _e("TSMC", "org", "台积电"),
    _e("Xiaomi", "org", "小米"),
    _e("iFlytek", "org", "科大讯飞", "讯飞"),
    _e("SenseTime", "org", "商汤"),
    _e("Cambricon", "org", "寒武纪"),
    _e("Moore Threads", "org", "摩尔线程"),
    _e("Unitree", "org", "宇树"),
    _e("UBTech", "org", "优必选", "UBTECH"),
    _e("Boston Dynamics", "org", "波士顿动力"),
    _e("Airbus", "org", "空客", "空中客车"),
    _e("Sequoia", "org", "红杉资本", "红杉"),
    _e("SoftBank", "org", "软银"),
    _e("Hugging Face", "org", "HuggingFace"),
    _e("GitHub", "org"),  # a platform many stories cite: no evidence of one story
    _e("Mistral", "org", "Mistral AI"),
    _e("Perplexity", "org"),
    _e("Cursor", "product", cs=("Cursor",)),  # "cursor" is also a word
    _e("Groq", "org"),
    # people
    _e("Musk", "person", "马斯克", "Elon Musk", "埃隆·马斯克"),
    _e("Jensen Huang", "person", "黄仁勋"),
    _e("Sam Altman", "person", "奥特曼", "阿尔特曼", "Altman"),
    _e("Satya Nadella", "person", "纳德拉", "Nadella"),
    _e("Sundar Pichai", "person", "皮查伊", "Pichai"),
    _e("Demis Hassabis", "person", "哈萨比斯", "Hassabis"),
    _e("Dario Amodei", "person", "阿莫迪", "阿莫代伊", "Amodei"),
    _e("Mark Zuckerberg", "person", "扎克伯格", "Zuckerberg"),
    _e("Terence Tao", "person", "陶哲轩"),
    _e("Andrew Ng", "person", "吴恩达"),
    # products and models
    _e("ChatGPT", "product"),
    _e("Claude", "product"),
    _e("Gemini", "product"),
    _e("Grok", "product"),
    _e("Qwen", "product", "通义千问", "千问", "通义"),
    _e("Doubao", "product", "豆包"),
    _e("Kimi", "product"),
    _e("ERNIE", "product", "文心一言", "文心"),
    _e("Hunyuan", "product", "混元"),
    _e("Llama", "product", cs=("Llama",)),
    _e("Copilot", "product"),
    _e("Sora", "product"),
)

# Latin words that are not names: generic tech words, units, English function words.
# They are neither extracted as entities nor required by the grounding check.
GENERIC_LATIN = frozenset(w.lower() for w in """
AI AIGC AGI API APP App APIs CEO CTO CFO COO CIO VP IT PC GPU GPUs CPU NPU TPU SoC UI UX ID
OK vs PK Prompt Prompts Token Tokens Agent Agents Bug Bugs Demo Beta SOTA PPT Plus
a an the of and or to in on for with by at from is are be as it its this that new via
GW MW kW W kWh TWh GB TB MB KB PB Hz GHz MHz fps ms s h min km kg nm mm cm m k K B M x
TOPS FLOPS PFLOPS EFLOPS
""".split())  # noqa: SIM905 - a word list reads better than a list literal

# Words that continue a product name after a product word (GPT-5.2 *Pro*, Gemini 3 *Flash*).
_L = "A-Za-z\u00c0-\u024f"  # ASCII and accented Latin letters (Erdős)
# Not right after a digit: a unit stuck to a number (96G, 1.5GW, 8B, 4K) is part of the
# number, not a name.
_LATIN_TOKEN = re.compile(rf"(?<![0-9])[{_L}][{_L}0-9]*(?:[-.+_][{_L}0-9]+)*")
_VERSION = re.compile(r"\d{1,2}(?:\.\d+)*(?![\d%])")
# A number joined to a name must not be a quantity: "Claude 20 美元" is not a product.
_QUANTITY_AFTER = re.compile(r"\s?(?:[%万亿倍年月日个张台款家名位元]|美元|小时)")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_BYTE_COUNT = re.compile(r"[0-9]\s?$")


def _cjk_guard_ok(variant: str, text: str, start: int, end: int) -> bool:
    """Context guards for Chinese variants that are also ordinary words."""
    if variant == "字节":  # ByteDance, unless a byte count (1 字节) or 字节码/字节数
        return not _BYTE_COUNT.search(text, max(0, start - 2), start) and \
            not text.startswith(("码", "数", "序", "流"), end)
    return True


@lru_cache(maxsize=1)
def _index() -> tuple[re.Pattern[str], dict[str, Entity], dict[str, Entity], dict[str, Entity], int]:
    """The lookup structures, built once.

    Chinese variants: one alternation, longest first, behind a one-character lookahead so
    that the many positions where no variant starts are rejected at once (a plain
    alternation of a hundred names is slow in Python's ``re``). Latin variants: two dicts,
    the case-sensitive names by their exact text and the others lower-cased, keyed by the
    text of one to three tokens and looked up per Latin token, which gives word boundaries
    for free.
    """
    cjk: dict[str, Entity] = {}
    exact: dict[str, Entity] = {}
    folded: dict[str, Entity] = {}
    longest = 1
    for entity in ENTITIES:
        for variant in map(_nfkc, entity.variants):
            if re.match(r"[A-Za-z]", variant):
                if variant in entity.case_sensitive:
                    exact.setdefault(variant, entity)
                else:
                    folded.setdefault(variant.lower(), entity)
                longest = max(longest, len(variant.split()))
            else:
                cjk.setdefault(variant, entity)
    ordered = sorted(cjk, key=len, reverse=True)
    firsts = "".join(sorted({v[0] for v in ordered}))
    pattern = re.compile(f"(?=[{re.escape(firsts)}])(?:" + "|".join(map(re.escape, ordered)) + ")")
    return pattern, cjk, exact, folded, longest


@lru_cache(maxsize=1)
def _lookup() -> dict[str, Entity]:
    """Lower-cased variant -> entity, for canonical_name()."""
    table: dict[str, Entity] = {}
    for entity in ENTITIES:
        for variant in entity.variants:
            table.setdefault(_nfkc(variant).lower(), entity)
    return table


def _latin_entity(phrase: str) -> Entity | None:
    """The entity a Latin phrase names: "meta" and "XAI" name none, the case says so."""
    _, _, exact, folded, _ = _index()
    return exact.get(phrase) or folded.get(phrase.lower())


def canonical_name(name: str) -> str:
    """``'英伟达'`` -> ``'Nvidia'``; a name not in the table comes back unchanged."""
    entity = entity_named(name)
    return entity.name if entity else name


def entity_variants(name: str) -> tuple[str, ...]:
    """Every variant of the entity ``name`` belongs to (``(name,)`` when unknown)."""
    entity = entity_named(name)
    return entity.variants if entity else (name,)


def entity_kind(name: str) -> Kind | None:
    """org / person / product for a known name, None otherwise."""
    entity = entity_named(name)
    return entity.kind if entity else None


def find_entities(text: str) -> list[tuple[int, int, Entity]]:
    """Spans ``(start, end, entity)`` of known names in ``text`` (NFKC-normalised),
    in order, not overlapping."""
    pattern, cjk, _, _, longest = _index()
    text = _nfkc(text)
    out = [(m.start(), m.end(), cjk[m.group(0)]) for m in pattern.finditer(text)
           if _cjk_guard_ok(m.group(0), text, m.start(), m.end())]
    tokens = [(m.start(), m.end()) for m in _LATIN_TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        # Longest phrase first: "Elon Musk" before "Musk", "Moonshot AI" before "Moonshot".
        for n in range(min(longest, len(tokens) - i), 0, -1):
            start, end = tokens[i][0], tokens[i + n - 1][1]
            phrase = text[start:end]  # across a line break or a double space: no key holds one
            entity = _latin_entity(phrase)
            if entity is None and n == 1 and "-" in phrase:  # Nvidia-backed, Claude-3
                head = phrase.split("-", 1)[0]
                entity = _latin_entity(head)
                end = start + len(head) if entity else end
            if entity is not None and n == 1 and namesake_at(text, start, end, entity):
                entity = None  # "Daniela Amodei" is not Dario: another bearer of the surname
            if entity is not None:
                out.append((start, end, entity))
                i += n
                break
        else:
            i += 1
    return sorted(out, key=lambda span: span[0])


# A given name right before a surname: a capital, then lower case ("Daniela"; "CEO Amodei"
# is Dario), one space between.
_GIVEN_NAME_BEFORE = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z]+) $")


def namesake_at(text: str, start: int, end: int, entity: Entity) -> bool:
    """``text[start:end]`` is a known person's surname alone (``Amodei`` for Dario Amodei)
    right after another given name (``Daniela Amodei``, ``Jack Altman``): a relative or
    namesake, not the person the table knows. Names and grounding both ask this."""
    if entity.kind != "person" or " " not in entity.name:
        return False
    words = entity.name.lower().split()
    if text[start:end].lower() == words[0]:
        return False
    given = _GIVEN_NAME_BEFORE.search(text, max(0, start - 40), start)  # no given name is 40 letters
    return given is not None and given.group(1).lower() not in words


def entity_named(name: str) -> Entity | None:
    """The entity one of whose variants ``name`` is (any case), else None."""
    return _lookup().get(_nfkc(name).strip().lower())


def canonicalize_text(text: str) -> str:
    """``text`` with every known variant replaced by its canonical name, so that
    "英伟达发布" and "Nvidia 发布" shingle alike (used by dedup)."""
    text = _nfkc(text)
    parts, pos = [], 0
    for start, end, entity in find_entities(text):
        parts += [text[pos:start], entity.name]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def latin_tokens(text: str) -> list[tuple[int, int, str]]:
    """Latin-script tokens (``GPT-5.2-Codex``, ``macOS``, ``PJM``) with their spans."""
    return [(m.start(), m.end(), m.group(0)) for m in _LATIN_TOKEN.finditer(text)]


def _is_generic(token: str) -> bool:
    return token.lower() in GENERIC_LATIN


def _looks_like_name(token: str) -> bool:
    """A capital or a digit makes a Latin token a name (``langextract`` is too quiet to
    tell from an English word, so lower-case tokens are left out)."""
    return not _is_generic(token) and (any(c.isupper() or c.isdigit() for c in token)
                                       or "_" in token)


def _extend_product(text: str, end: int) -> int:
    """End of a product phrase that starts before ``end``: follow ``' 5'``, ``' Pro'``,
    ``' S2'``, ``' Cowork'`` (single spaces, up to three words)."""
    for _ in range(3):
        if not text.startswith(" ", end):
            break
        rest = end + 1
        version = _VERSION.match(text, rest)
        if version and not _QUANTITY_AFTER.match(text, version.end()):
            end = version.end()
            continue
        token = _LATIN_TOKEN.match(text, rest)
        if not token or not token.group(0)[0].isupper() or _is_generic(token.group(0)):
            break
        if _latin_entity(token.group(0)) is not None:  # "Claude Anthropic": two names
            break
        end = token.end()
    return end


def extract_entities(text: str) -> list[str]:
    """Names in ``text`` by first occurrence: known entities by their canonical name,
    plus Latin-script product names (``GPT-5.2 Pro``, ``Claude Cowork``, ``Walker S2``).

    A known product followed by more name words yields both (``Claude``,
    ``Claude Cowork``); companies and people never absorb the next word, so
    ``Tesla Megapack`` is ``Tesla`` and ``Megapack``. A model joined to a known name by
    a hyphen is a name too (``DeepSeek-V4-Pro``: ``DeepSeek`` and ``DeepSeek-V4-Pro``),
    as grounding reads it.
    """
    text = _nfkc(text)
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for start, end, entity in find_entities(text):
        found.append((start, entity.name))
        covered.append((start, end))
        if entity.kind == "product":
            phrase_end = _extend_product(text, end)
            if phrase_end > end:
                found.append((start, text[start:phrase_end]))
                covered.append((start, phrase_end))
    pos = 0
    for m in _LATIN_TOKEN.finditer(text):
        if m.start() < pos or any(s <= m.start() and m.end() <= e for s, e in covered):
            continue
        if not _looks_like_name(m.group(0)):
            continue
        phrase_end = _extend_product(text, m.end())
        found.append((m.start(), text[m.start():phrase_end]))
        pos = phrase_end
    seen: set[str] = set()
    ordered: list[str] = []
    for _, name in sorted(found, key=lambda item: item[0]):
        key = name.lower()
        if key not in seen:
            seen.add(key)
            ordered.append(name)
    return ordered


def normalize_entities(text: str) -> set[str]:
    """The set of names in ``text`` (canonical for known entities)."""
    return set(extract_entities(text))
