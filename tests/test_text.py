"""The text toolkit (aidaily/text.py): spaces, sentences, HTML to text, canonical URLs."""

from __future__ import annotations

import lxml.html
import pytest

from aidaily.text import (
    block_lines,
    canonical_url,
    comparable_url,
    html_to_text,
    normalize_space,
    sentence_ends,
    split_sentences,
    strip_markup,
    visible_text,
)

# --- spaces and markup --------------------------------------------------------------------


def test_normalize_space_collapses_every_kind_of_space_but_keeps_lines() -> None:
    assert normalize_space("  a\u00a0\u3000 b\u200bc\t\n d  ") == "a bc \n d"  # spaces around a line break are kept: block_lines strips its lines
    assert normalize_space("👩\u200d💻") == "👩\u200d💻"  # ZWJ of an emoji sequence stays


def test_strip_markup_removes_tags_only() -> None:
    assert strip_markup("a <b class='x'>b</b> 1 < 2 <br/>") == "a b 1 < 2 "
    assert strip_markup("no tags") == "no tags"


# --- sentences ----------------------------------------------------------------------------


def test_split_sentences_default_splits_chinese_english_semicolons_and_lines() -> None:
    assert split_sentences("一。二！三？\n四；five. Six") == ["一。", "二！", "三？", "四；", "five.", "Six"]
    assert split_sentences("") == [] and split_sentences("  \n ") == []


def test_split_sentences_options() -> None:
    text = "甲；乙。v1.5 ok. 丙"
    assert split_sentences(text, semicolons=False) == ["甲；乙。", "v1.5 ok.", "丙"]
    assert split_sentences(text, english=False) == ["甲；", "乙。", "v1.5 ok. 丙"]
    pieces = split_sentences("A 说。 B 说；C", english=False, strip=False)
    assert pieces == ["A 说。", " B 说；", "C"] and "".join(pieces) == "A 说。 B 说；C"


def test_sentence_ends_are_offsets_after_each_end() -> None:
    text = "第一句。第二句；三\n四"
    assert sentence_ends(text) == [4, 8, 10]
    assert sentence_ends(text, semicolons=False) == [4, 10]
    assert sentence_ends("没有句号") == []


# --- HTML to text -------------------------------------------------------------------------


def _el(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html)


def test_block_lines_one_line_per_block_inline_joined() -> None:
    el = _el("<div><p>IT之家 <a href='x'>消息</a>，<b>正文</b></p><!-- c --><p>第二\n   段</p>"
             "<script>bad()</script>尾巴<br>下一行<ul><li>一</li><li>二</li></ul></div>")
    assert block_lines(el) == ["IT之家 消息，正文", "第二 段", "尾巴", "下一行", "一", "二"]


def test_block_lines_keeps_pre_lines_and_skips_forms_and_media() -> None:
    el = _el("<div><pre>a  b\nc</pre><form>输入<button>提交</button></form>后文<video>v</video>!</div>")
    assert block_lines(el) == ["a b", "c", "后文!"]


def test_visible_text_skips_scripts_and_keeps_tails() -> None:
    el = _el("<h1><span>标题</span>\n    <span>副</span><style>x{}</style>尾</h1>")
    assert visible_text(el) == "标题\n副尾"


def test_text_after_comments_and_skipped_elements_is_kept() -> None:
    el = _el("<div>a<!--c-->b<form>f<!--x-->g</form>t<p>p1<style>z</style>p2<!--y--></p>e<?pi x?>f</div>")
    assert visible_text(el) == "abtp1p2ef"
    assert block_lines(el) == ["abt", "p1p2", "ef"]


def test_html_to_text_of_fragments_and_garbage() -> None:
    assert html_to_text("<p>第一段</p><p>第二 <i>段</i></p>") == "第一段\n第二 段"
    assert html_to_text("AT&amp;T  rocks") == "AT&T rocks"
    assert html_to_text("plain   text") == "plain text"
    assert html_to_text("") == "" and html_to_text("   ") == ""
    assert html_to_text('<?xml version="1.0" encoding="utf-8"?><p>声明之后</p>') == "声明之后"
    assert html_to_text("<!-- only a comment -->") == ""


# --- URLs ---------------------------------------------------------------------------------


def test_canonical_url_is_the_storage_key() -> None:
    assert canonical_url("HTTP://Example.COM/a?utm_source=x&id=3&spm=1#frag") == "https://example.com/a?id=3"
    assert canonical_url("//www.ithome.com/0/914/192.htm?from=rss") == "https://www.ithome.com/0/914/192.htm"
    assert canonical_url("http://ithome.com/a?x=1", host="www.ithome.com", keep_query=False) == \
        "https://www.ithome.com/a"
    assert canonical_url("https://h.example:8443") == "https://h.example:8443/"
    assert canonical_url("https://a.example/p#x", keep_fragment=True) == "https://a.example/p#x"
    assert canonical_url("https://a.example/p?shareId=1&fbclid=2&q=ok") == "https://a.example/p?q=ok"


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.ithome.com/0/914/192.htm", "http://ithome.com/0/914/192.htm/"),
    ("https://ai.hubtoday.app//2026-01/2026-01-19/", "https://ai.hubtoday.app/2026-01/2026-01-19"),
    ("https://www.qbitai.com/2026/01/1.html?utm_medium=x&id=3", "https://qbitai.com/2026/01/1.html?id=3"),
])
def test_comparable_url_matches_reports_of_one_article(a: str, b: str) -> None:
    assert comparable_url(a) == comparable_url(b)


def test_comparable_url_keeps_what_tells_articles_apart() -> None:
    assert comparable_url("https://ai.hubtoday.app/x/#1") != comparable_url("https://ai.hubtoday.app/x/#2")
    assert comparable_url("https://a.example/p?id=1") != comparable_url("https://a.example/p?id=2")
    assert comparable_url("https://a.example:8080/p") != comparable_url("https://a.example/p")
