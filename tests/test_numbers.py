"""Number normalisation: one key per number whatever the notation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidaily.checks.numbers import (
    extract_numbers,
    normalize_number,
    number_keys,
    parse_chinese_numeral,
)


@pytest.mark.parametrize(("raw", "key"), [
    ("55 万", "550000"), ("55万", "550000"), ("550,000", "550000"), ("550000", "550000"),
    ("1 GW", "1"), ("1GW", "1"), ("1.5GW", "1.5"),
    ("71.5%", "71.5%"), ("71.5 %", "71.5%"), ("７１.５％", "71.5%"),  # full width
    ("250 亿美元", "25000000000"), ("25,000,000,000 美元", "25000000000"), ("250亿", "25000000000"),
    ("1.5万亿", "1500000000000"), ("5千万", "50000000"), ("2026 年", "2026"), ("2026年", "2026"),
    ("8.1k", "8100"), ("$25 billion", "25000000000"), ("1.50", "1.5"),
    ("一万", "10000"), ("两倍", "2"), ("三千五百万", "35000000"), ("百分之七十", "70%"),
    ("七成", "70%"),
])
def test_normalize_number(raw: str, key: str) -> None:
    assert normalize_number(raw) == key


def test_normalize_number_without_a_number() -> None:
    assert normalize_number("没有数字") is None


@pytest.mark.parametrize("text", ["2-10倍", "2 到 10 倍", "2～10 倍", "2~10倍", "2—10 倍", "2 至 10 倍"])
def test_ranges_require_both_ends(text: str) -> None:
    (mention,) = extract_numbers(text)
    assert mention.found_in({"2", "10"})
    assert not mention.found_in({"2"}) and not mention.found_in({"10"})


def test_range_ends_inherit_multiplier_and_percent() -> None:
    (m,) = extract_numbers("2-3 万")
    assert m.found_in({"20000", "30000"})
    (p,) = extract_numbers("20-40%")
    assert p.found_in({"20%", "40%"})


@pytest.mark.parametrize("text", ["GPT-5.2 Pro", "GPT-5.2-Codex", "Walker S2", "H200", "Opus4.5",
                                  "特斯拉 AI5 芯片", "Claude Code 2.1.128 版本", "CES2026"])
def test_digits_in_names_are_not_numbers_in_strict_mode(text: str) -> None:
    assert extract_numbers(text, strict=True) == []
    assert number_keys(text)  # ... but the source side still sees them


@pytest.mark.parametrize("text", ["一座核电站", "百度发布", "万物 RAG", "千万不要", "十分重要",
                                  "一两个突破", "统一接口", "三星手机"])
def test_chinese_words_are_not_figures_in_strict_mode(text: str) -> None:
    assert extract_numbers(text, strict=True) == []


@pytest.mark.parametrize(("text", "value"), [
    ("两家公司", "2"), ("五年倒计时", "5"), ("五大场景", "5"), ("十万级订单", "100000"),
    ("从成立到上市仅用四年", "4"),
])
def test_chinese_figures_in_strict_mode(text: str, value: str) -> None:
    (m,) = extract_numbers(text, strict=True)
    assert m.found_in({value})


@pytest.mark.parametrize(("text", "value"), [
    ("十", 10), ("十五", 15), ("二十五", 25), ("一百零五", 105), ("三千五百万", 35_000_000),
    ("两亿", 200_000_000), ("一万二千", 12_000), ("万", 10_000), ("一亿零五十万", 100_500_000),
])
def test_parse_chinese_numeral(text: str, value: int) -> None:
    assert parse_chinese_numeral(text) == value


def test_parse_chinese_numeral_rejects_approximations() -> None:
    assert parse_chinese_numeral("一两") is None
    assert parse_chinese_numeral("abc") is None


def test_dates_and_multiplication_signs() -> None:
    assert number_keys("2026/1/19 7×24 小时") == {"2026", "1", "19", "7", "24"}


# --- property: every notation of an integer has the same key ---------------------------


def _grouped(n: int) -> str:
    return f"{n:,}"


@given(st.integers(min_value=0, max_value=10**15))
def test_integer_notations_agree(n: int) -> None:
    key = str(n)
    assert normalize_number(str(n)) == key
    assert normalize_number(_grouped(n)) == key
    assert normalize_number(f"约 {_grouped(n)} 元") == key
    if n % 10_000 == 0 and n:
        x = n // 10_000
        assert normalize_number(f"{x} 万") == key
        assert normalize_number(f"{x}万") == key
    if n % 100_000_000 == 0 and n:
        assert normalize_number(f"{n // 100_000_000} 亿") == key


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([("万", 10**4), ("亿", 10**8)]))
def test_decimal_multiples_agree(n: int, unit: tuple[str, int]) -> None:
    """1.2345 万 == 12345: a decimal with a multiplier is read exactly, not as a float."""
    word, factor = unit
    x = format(Decimal(n) / factor, "f")
    assert normalize_number(f"{x}{word}") == str(n)
    assert normalize_number(f"{x} {word}") == str(n)


@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False))
def test_percent_notations_agree(d: Decimal) -> None:
    assert normalize_number(f"{d}%") == normalize_number(f"{d} %") == normalize_number(f"{d}％")


# Issue 19: one number however a reader's eye groups it.
@pytest.mark.parametrize("written", [
    "2800", "2,800", "2 800", "2\u2009800", "2\u202f800", "2\u00a0800", "２８００", "２，８００",
])
def test_thousands_grouping_is_one_number(written: str) -> None:
    (mention,) = extract_numbers(f"共 {written} 台")
    assert mention.required == (frozenset({"2800"}),)
    assert normalize_number(written) == "2800"


@pytest.mark.parametrize("bullet", ["2800 万", "2800万", "2,800 万", "2 800 万", "２８００万"])
@pytest.mark.parametrize("source", ["2 800 万", "2800万", "2\u2009800 万", "28,000,000"])
def test_wan_with_or_without_space(bullet: str, source: str) -> None:
    (mention,) = extract_numbers(bullet)
    assert mention.found_in(number_keys(source))


def test_bare_figure_against_source_with_wan() -> None:
    """A bullet that drops the 万 of the source's figure restates it (the source side
    reads leniently); it never invents another one."""
    keys = number_keys("预计销量 2 800 万台")
    assert {"28000000", "2800"} <= keys
    assert not extract_numbers("2800 亿")[0].found_in(keys)


def test_space_grouping_does_not_swallow_a_name_or_a_count() -> None:
    # "GPT-5 100 万": the name's 5, then 100 万.
    assert [m.required for m in extract_numbers("GPT-5 100 万用户")] == [(frozenset({"1000000"}),)]
    # A source whose "10 100" are two numbers still has both.
    assert {"10", "100", "10100"} <= number_keys("前 10 100 家公司")
    # A year and a count stay apart: 4 digits cannot be a thousands group.
    assert [m.raw for m in extract_numbers("2026 1000 台")] == ["2026", "1000"]
