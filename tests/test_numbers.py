"""Number normalisation: one key per number whatever the notation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidaily.checks.numbers import (
    NumberMention,
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


# --- what mutation testing found unpinned (issue 21); real sentences of the corpus ---------


def test_a_range_end_after_a_latin_multiplier_is_a_figure_not_a_name() -> None:
    """"70B-150B": the B before "-150B" is the start's multiplier, not a name glued to the
    end's digits; both ends are figures the source must hold (a bug: the end was dropped,
    so a bullet's wrong 150B went unchecked)."""
    (m,) = extract_numbers("可原生推理70B-150B参数大模型")
    assert m.required == (frozenset({"70000000000", "70"}), frozenset({"150000000000", "150"}))
    assert not m.found_in(number_keys("可原生推理70B参数大模型"))
    # The start keeps its own K; the end's M is not lent to it as another reading.
    (m,) = extract_numbers("128K-1M 上下文")
    assert m.required == (frozenset({"128000", "128"}), frozenset({"1000000", "1"}))
    # … while the end of a range that is a version is still no figure.
    assert [m.required for m in extract_numbers("版本 2.0-2.1.128")] == [(frozenset({"2"}),)]


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2212", "\ufe63", "-"])
def test_every_dash_makes_a_range(dash: str) -> None:
    (m,) = extract_numbers(f"质量提升了 5{dash}10%")
    assert m.raw == "5-10%" and m.required == (frozenset({"5", "5%"}), frozenset({"10%"}))


def test_range_ends_read_exactly() -> None:
    # Both ends with their own 万: the bullet side reads only the figures as written …
    (m,) = extract_numbers("预售价 22.99 万-30.99 万元")
    assert m.required == (frozenset({"229900"}), frozenset({"309900"}))
    # … the source side also the bare 22.99 and 30.99 a loose bullet may say.
    assert number_keys("预售价 22.99 万-30.99 万元") == {"229900", "22.99", "309900", "30.99"}
    # A start with its own 千 / 万 is not read with the end's multiplier.
    (m,) = extract_numbers("估值 5000 万-1 亿美元")
    assert m.required == (frozenset({"50000000"}), frozenset({"100000000"}))
    # A bare start borrows the end's B as another reading.
    (m,) = extract_numbers("可原生推理 7-70B 参数大模型")
    assert m.required == (frozenset({"7", "7000000000"}), frozenset({"70000000000", "70"}))


def test_a_percentage_stays_a_percentage_in_every_reading() -> None:
    """A bare 1.2 and 1.2 % are different claims: the % holds for the 万 or K reading
    and for the bare one the source side adds."""
    assert number_keys("股价暴涨 1.2 万%") == {"12000%", "1.2%"}
    assert number_keys("下载量增长 3K%") == {"3000%", "3%"}


@pytest.mark.parametrize("text", ["质量提升了 5-10%", "成本仅为 Claude Code 的 1-2%", "性能有望提升 30-40%",
                                  "增长 115.32% 至 128.78%", "价格低 60%-90%", "提升 20-40%", "占比 3-5%",
                                  "约 15-25%"])
def test_the_first_figure_of_a_percent_range_is_a_percentage(text: str) -> None:
    """normalize_number prefers the % reading of a bare range start over the bare number
    (the keys are a set: without the preference the pick is the set's order)."""
    first = re.search(r"\d+(?:\.\d+)?", text)
    assert first and normalize_number(text) == first.group(0) + "%"


@pytest.mark.parametrize(("raw", "key"), [("两", "2"), ("一", "1"), ("H200", "200"), ("0.5%", "0.5%")])
def test_normalize_number_reads_what_the_strict_side_leaves_out(raw: str, key: str) -> None:
    assert normalize_number(raw) == key


def test_mentions_hold_the_text_as_written_and_its_place() -> None:
    # Masked words (百度) keep their length: the offsets are the text's.
    assert extract_numbers("百度投入三千万元") == [
        NumberMention("三千万", 4, 7, (frozenset({"30000000"}),))]
    # The 万 after Arabic digits is their multiplier, not a second number (also at the start).
    assert extract_numbers("5万至10万美元的广告投放预算") == [
        NumberMention("5万至10万", 0, 6, (frozenset({"50000"}), frozenset({"100000"})))]
    # The source side reads an approximation's digits, each as written.
    assert extract_numbers("Google赌的不是一两个季度的回报，而是一整轮AI基础", strict=False) == [
        NumberMention("一两", 10, 12, (frozenset({"1", "2"}),)),
        NumberMention("一", 21, 22, (frozenset({"1"}),))]
    assert number_keys("近七成任天堂 Switch 2 游戏") == {"70%", "7", "2"}


def test_chinese_numerals_in_strict_mode_read_past_what_is_no_figure() -> None:
    """An approximation (一两) or a one (一座) is skipped, not the end of reading."""
    assert [m.raw for m in extract_numbers("Google赌的不是一两个季度的回报，而是三年")] == ["三"]
    assert [m.raw for m in extract_numbers("一座核电站建了五年")] == ["五"]
    assert number_keys("不是一两个季度，而是三年") == {"1", "2", "3"}


@pytest.mark.parametrize(("text", "keys"), [
    ("行业首个百万公里车型", {"1000000"}),  # positional, no counter after it
    ("日亏百万、用户数腰斩", {"1000000"}),
    ("约百分之五的用户", {"5%"}),  # 百分之 makes a figure without a counter
])
def test_chinese_figures_without_a_counter(text: str, keys: set[str]) -> None:
    (m,) = extract_numbers(text)
    assert m.required == (frozenset(keys),)


def test_a_holiday_is_no_number() -> None:
    """五一 (May Day) is two digits in a row, not 51 nor 1."""
    assert parse_chinese_numeral("五一") is None
    assert [m.raw for m in extract_numbers("五一期间门店最快 15 秒完成一单")] == ["15"]


@pytest.mark.parametrize(("text", "value"), [
    ("一万亿", 10**12), ("亿", 10**8), ("三亿五千万", 350_000_000),
])
def test_parse_big_chinese_numerals(text: str, value: int) -> None:
    """累计Token使用量超过一万亿的企业: 万 inside 亿 multiplies, a bare 亿 is one."""
    assert parse_chinese_numeral(text) == value
    assert [m.required for m in extract_numbers(f"累计使用量超过{text}的企业")] == [(frozenset({str(value)}),)]


def test_wan_wan_is_yi() -> None:
    """The old 万万 is 亿 as a numeral (in a sentence 万万 is the adverb, masked)."""
    assert parse_chinese_numeral("一万万") == 10**8
    assert extract_numbers("万万没想到") == []


def test_the_space_grouped_reading_after_a_name_keeps_the_rest() -> None:
    """GPT-5 100 万: the name's 5 is dropped; the numbers before and after stay, once."""
    got = [m.raw for m in extract_numbers("2025 年 GPT-5 100 万用户，增长 30%")]
    assert got == ["2025", "100 万", "30%"]
