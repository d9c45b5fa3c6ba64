"""Number normalisation for the grounding check.

A fact bullet restates the article's figures, often in another notation: ``55 万``,
``55万`` and ``550,000`` are one number; ``250 亿美元`` is ``25,000,000,000 美元``; ``2-10倍``
is ``2 到 10 倍``; ``71.5%`` is ``71.5 %``. This module turns every number written in a text
into *keys* — canonical decimal strings (``"550000"``, ``"71.5%"``) — so that "is this
number in the source?" becomes a set lookup.

Two reading modes, on purpose asymmetric:

- **strict** (the bullet side): only what is clearly a quantity. Digits glued to a Latin
  name (``GPT-5.2``, ``H200``, ``Walker S2``, ``Opus4.5``) are names, not numbers; Chinese
  numerals count only when they carry a value ≥ 2 and are followed by a counter
  (``两倍``, ``三年``, ``五大场景``), because ``一座核电站`` or ``百度`` are not figures
  anyone needs to check.
- **permissive** (the source side): every number-looking thing, including digits inside
  names and every Chinese numeral. Extra keys on the source side only make the check more
  lenient, never produce a false alarm.

Units (``GW``, ``倍``, ``美元``) are not part of the key: ``1 GW`` and ``1GW`` are both
``"1"``. Percentages are (``"71.5%"``), because a bare 71.5 and 71.5 % are different claims.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Iterator
from decimal import Decimal

__all__ = [
    "NumberMention",
    "canonical_key",
    "extract_numbers",
    "normalize_number",
    "number_keys",
    "parse_chinese_numeral",
]

# --- building blocks -------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG)

# Chinese multipliers written after Arabic digits: 55 万, 1.5 万亿, 5 千万, 250 亿.
_CN_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
# English multipliers: 8.1k stars, 7B parameters, $25 billion. A bare letter counts only
# when no other Latin letter follows (10kW is ten kilowatts, not ten thousand W).
_LATIN_MULT = {"k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9,
               "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

# One Arabic number: grouped thousands (550,000; 2 800 with any space, which ``prepare``
# has made a plain one: thin and no-break spaces included) or plain digits, optional
# decimals.
_ARABIC_PLAIN = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?!\d)|\d+)(?:\.\d+)?"
_MULT_RE = (r"(?:\s?(?P<cn>[十百千万亿]{1,2})"
            r"|(?P<lat>[kKMB](?![A-Za-z])|\s(?:thousand|million|billion|trillion)\b))?")
_PCT_RE = r"(?P<pct>\s?%)?"
# A range: 2-10, 2 到 10, 2～10, 20%-40%, 2-3 万. NFKC has already turned ～ into ~.
_RANGE_SEP = r"\s*(?:-|–|—|~|〜|到|至)\s*"


def _number_re(arabic: str) -> re.Pattern[str]:
    one = rf"(?P<num>{arabic}){_MULT_RE}{_PCT_RE}"
    return re.compile(
        rf"(?<!\d)(?<!\d\.)(?P<a>{one.replace('?P<', '?P<a_')})"
        rf"(?:{_RANGE_SEP}(?P<b>{one.replace('?P<', '?P<b_')}))?"
    )


# With thousands grouped by spaces (2 800), and without: "GPT-5 100 万" is a name and
# 100 万, and a source's "10 100 家" may be 10 and 100 (the source side reads both ways).
_NUMBER_RE = _number_re(_ARABIC)
_NUMBER_RE_PLAIN = _number_re(_ARABIC_PLAIN)
# "Digits that belong to a name": GPT-5.2, H200, Opus4.5, Walker S2, AI5, v2.1.
_NAME_BEFORE = re.compile(r"[A-Za-z][A-Za-z]*-?$")
_VERSION_AFTER = re.compile(r"\.\d")  # after "2.1" of 2.1.128: a version, not a decimal

_AFTER_DIGITS = re.compile(r"\d\s?$")
_CN_RUN = re.compile(rf"(?P<pre>百分之)?(?P<run>[{_CN_CHARS}]+)(?P<post>成)?")
# Counters after which a Chinese numeral in a bullet is a real figure (strict mode).
_COUNTERS = ("倍", "个", "年", "月", "日", "天", "周", "小时", "分钟", "秒", "张", "台", "款",
             "家", "名", "位", "人", "次", "层", "项", "种", "大", "元", "美元", "块", "件",
             "条", "篇", "代", "座", "套", "颗", "辆", "架", "部", "场", "轮", "所", "国", "省",
             "类", "步", "级", "只", "份", "期", "季", "批", "组", "成", "点", "字", "行")
# Words in which a Chinese numeral is not a number (companies, idioms, adverbs).
_CN_NOT_NUMBERS = ("百度", "千问", "万物", "一些", "一起", "一直", "统一", "唯一", "一般", "之一",
                   "一样", "同一", "一下", "一切", "一旦", "进一步", "一体", "一致", "一定", "万一",
                   "三星", "百川", "零一", "一加", "九号", "四川", "万达", "十分", "一流", "千帆",
                   "万兴", "百事", "八卦", "三体", "七牛", "一直", "一同", "万象", "千里", "百科",
                   "千万别", "千万不", "一边", "一度", "一方面", "万万", "十足", "一举", "一带")
_CN_NOT_NUMBERS_RE = re.compile("|".join(sorted(map(re.escape, _CN_NOT_NUMBERS), key=len,
                                               reverse=True)))


@dataclass(frozen=True)
class NumberMention:
    """One number (or range) as written in a text.

    ``required`` holds one entry per number the mention asserts (two for a range); each
    entry is the set of keys any of which counts as "this number occurs" (``1B`` may mean
    one billion or just 1 of something).
    """

    raw: str
    start: int
    end: int
    required: tuple[frozenset[str], ...]

    def found_in(self, keys: set[str] | frozenset[str]) -> bool:
        """True when every number of the mention has one of its keys in ``keys``."""
        return all(alts & keys for alts in self.required)


# --- normalisation ----------------------------------------------------------------------


def prepare(text: str) -> str:
    """NFKC (full-width digits and ％ become ASCII; thin, no-break and ideographic
    spaces a plain space) with every dash variant as ``-``.

    NFKC keeps string length for the characters that matter here, but not in general,
    so offsets of mentions refer to the prepared text.
    """
    text = unicodedata.normalize("NFKC", text)
    return _DASHES.sub("-", text)


_DASHES = re.compile(r"[\u2010\u2011\u2012\u2212\ufe63]")


def canonical_key(value: Decimal, percent: bool = False) -> str:
    """``Decimal('550000.0')`` -> ``'550000'``; with ``percent`` -> ``'71.5%'``."""
    # normalize() has dropped the trailing zeros of a fraction: "f" writes 1.5, not 1.50.
    return format(value.normalize(), "f") + ("%" if percent else "")


def _multiplier(cn: str | None, lat: str | None) -> int:
    """The factor of a multiplier suffix: 万亿 = 万 × 亿, 千万 = 千 × 万."""
    factor = 1
    for ch in cn or "":
        factor *= _CN_MULT[ch]
    if lat:
        factor *= _LATIN_MULT[lat.strip()]
    return factor


def parse_chinese_numeral(text: str) -> int | None:
    """Value of a Chinese numeral (``三千五百万`` -> 35000000, ``两`` -> 2, ``十万`` ->
    100000, ``万`` -> 10000); None when the run is not a well-formed numeral (``一两``)."""
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    total = 0  # finished 亿 sections
    section = 0  # finished 万 sections inside the current 亿 section
    current = 0  # the part below 万
    digit: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # two digits in a row: 一两, 三五 (approximations)
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            current += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万 / 亿
            current += digit or 0
            digit = None
            if ch == "万":
                section = (section + (current or (0 if section else 1))) * 10_000
            else:
                total = (total + section + (current or (0 if total or section else 1)))
                total *= 100_000_000
                section = 0
            current = 0
    return total + section + current + (digit or 0)


def normalize_number(raw: str) -> str | None:
    """Canonical key of one number expression: ``'55 万'`` -> ``'550000'``,
    ``'550,000'`` -> ``'550000'``, ``'71.5 %'`` -> ``'71.5%'``, ``'两'`` -> ``'2'``.

    Returns None when ``raw`` holds no number. For a range the first number is used.
    """
    mentions = extract_numbers(raw, strict=False)
    if not mentions:
        return None
    # The widest reading of the first number: with its multiplier if it has one.
    alts = mentions[0].required[0]
    return max(alts, key=lambda k: (k.endswith("%"), Decimal(k.rstrip("%"))))


# --- extraction -------------------------------------------------------------------------


def _is_name_part(text: str, start: int, end: int) -> bool:
    """Digits glued to a Latin name (GPT-5.2, H200, Walker S2) or a dotted version."""
    if _NAME_BEFORE.search(text[max(0, start - 24):start]):
        return True
    return bool(_VERSION_AFTER.match(text[end:]))


def _keys_for(groups: dict[str, str | None], prefix: str,
              inherit: tuple[str | None, str | None, bool] = (None, None, False), *,
              strict: bool) -> frozenset[str]:
    """Keys of one number from its regex groups; a range start inherits the multiplier
    and ``%`` of the range end (``2-3 万``, ``20-40%``) as an *alternative* reading.
    Read permissively (a source), ``2 800 万`` also stands for a bare 2800: a bullet
    that drops the 万 of a figure restates it, loosely."""
    value = Decimal(re.sub(r"[, ]", "", groups[f"{prefix}_num"] or "0"))
    cn, lat = groups[f"{prefix}_cn"], groups[f"{prefix}_lat"]
    pct = bool(groups[f"{prefix}_pct"])
    keys = {canonical_key(value * _multiplier(cn, lat), pct)}
    if lat:  # 1B may be "one billion" or "1 of B"
        keys.add(canonical_key(value * _multiplier(cn, None), pct))
    if cn and not strict:
        keys.add(canonical_key(value, pct))
    if not (cn or lat or pct) and any(inherit[:2]) or (not pct and inherit[2]):
        keys.add(canonical_key(value * _multiplier(inherit[0], inherit[1]), inherit[2]))
    return frozenset(keys)


def _arabic_mentions(text: str, strict: bool) -> list[NumberMention]:
    out = _read_arabic(text, _NUMBER_RE.finditer(text), strict)
    if not strict:  # every reading: extra source keys only make the check lenient
        out += _read_arabic(text, _NUMBER_RE_PLAIN.finditer(text), strict)
    return out


def _read_arabic(text: str, matches: Iterator[re.Match[str]], strict: bool) -> list[NumberMention]:
    out: list[NumberMention] = []
    for m in matches:
        g = m.groupdict()
        if strict and _is_name_part(text, m.start(), m.end("a")):
            if " " in (g["a_num"] or ""):  # GPT-5 100 万: the name's digit, then a number
                span = _NUMBER_RE_PLAIN.finditer(text, m.start(), m.end())
                out += _read_arabic(text, span, strict)
            continue
        if g["b"] is None:
            out.append(NumberMention(m.group(0), m.start(), m.end(),
                                     (_keys_for(g, "a", strict=strict),)))
            continue
        b_keys = _keys_for(g, "b", strict=strict)
        a_keys = _keys_for(g, "a", (g["b_cn"], g["b_lat"], bool(g["b_pct"])), strict=strict)
        # The end of a range is a name's digits only as a version (2.0-2.1.128): the letter
        # before it is the start's K / M / B (128K-1M, 70B-150B), no name.
        if strict and _VERSION_AFTER.match(text, m.end("b")):
            b_keys = frozenset()
        required = tuple(k for k in (a_keys, b_keys) if k)
        out.append(NumberMention(m.group(0), m.start(), m.end(), required))
    return out


def _chinese_mentions(text: str, strict: bool) -> list[NumberMention]:
    masked = _CN_NOT_NUMBERS_RE.sub(lambda m: "\0" * len(m.group(0)), text)
    out: list[NumberMention] = []
    for m in _CN_RUN.finditer(masked):
        run = m.group("run")
        value = parse_chinese_numeral(run)
        if _AFTER_DIGITS.search(masked, 0, m.start()):
            continue  # a multiplier after Arabic digits, already read (55万)
        if value is None:
            if strict:
                continue
            values = [_CN_DIGITS[ch] for ch in run if ch in _CN_DIGITS]  # 一两个 -> 1, 2
            keys = frozenset(canonical_key(Decimal(v)) for v in values)
            if keys:
                out.append(NumberMention(m.group(0), m.start(), m.end(), (keys,)))
            continue
        percent = bool(m.group("pre"))
        if m.group("post"):  # 七成 = 70 %
            keys = frozenset({canonical_key(Decimal(value * 10), True),
                              canonical_key(Decimal(value))})
        else:
            keys = frozenset({canonical_key(Decimal(value), percent)})
        if strict:
            after = masked[m.end("run"):]
            positional = any(ch in "十百千万亿" for ch in run)  # 十万, 三千五百万
            counted = m.group("post") or m.group("pre") or after.startswith(_COUNTERS)
            if value < 2 or not (positional or counted):
                continue
        out.append(NumberMention(m.group(0), m.start(), m.end(), (keys,)))
    return out


def extract_numbers(text: str, strict: bool = True) -> list[NumberMention]:
    """Every number of ``text`` in order of appearance (see the module doc for
    ``strict``). Offsets refer to ``prepare(text)``."""
    text = prepare(text)
    mentions = _arabic_mentions(text, strict) + _chinese_mentions(text, strict)
    return sorted(mentions, key=lambda m: m.start)


def number_keys(text: str) -> set[str]:
    """All keys of all numbers in ``text``, read permissively (the source side)."""
    keys: set[str] = set()
    for mention in extract_numbers(text, strict=False):
        for alts in mention.required:
            keys |= alts
    return keys
