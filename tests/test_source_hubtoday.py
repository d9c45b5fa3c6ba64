"""hubtoday adapter: one daily page → one article per numbered item, every layout."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidaily.errors import ExtractError
from aidaily.ingest.mirror import url_to_relpath
from sources.hubtoday import HubtodaySource

FIX = Path(__file__).parent / "fixtures"
DAY = FIX / "day"
# The acceptance runs over the shared corpus (beside the repository, also in CI).
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hubtoday"
BJ = ZoneInfo("Asia/Shanghai")
FILES = sorted((FIX / "hubtoday").glob("*/*.md"))
ITEM_RE = re.compile(r"^\d+\.\s", re.M)  # a numbered item at the start of a line


def expected_items(text: str) -> list[str]:
    """The numbered items of a file, counted independently of the adapter."""
    chunks = ITEM_RE.split(text)[1:]
    return [re.split(r"\n(?=#|---)", chunk)[0] for chunk in chunks]


def check_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    items = expected_items(text)
    articles = HubtodaySource().parse_listing(str(path), text).articles
    assert len(articles) == len(items) > 0, path
    for article, raw in zip(articles, items):
        assert article.title and article.section, (path, article)
        assert "**" not in article.section and "**" not in article.title
        raw_links = re.findall(r"(?<!!)\[[^\]]*\]\((https?://[^)\s]+)\)", raw)
        raw_links = [u for u in raw_links if not re.search(rf"!\[[^\]]*\]\({re.escape(u)}\)\]", raw)]
        if raw_links:
            assert article.links, (path, article.title)
            assert set(article.links) <= set(raw_links)
        assert "(AI资讯)" not in article.text and "<" not in article.text and "](" not in article.text
        assert article.source == "hubtoday" and article.ai_relevant is True
    assert len({a.url for a in articles}) == len(articles)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_files(path):
    check_file(path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_whole_corpus():
    """The issue's acceptance: every file of daily_as_published/ and daily_final/."""
    paths = sorted(CORPUS.glob("daily_as_published/*.md")) + sorted(CORPUS.glob("daily_final/*.md"))
    assert len(paths) >= 40
    for path in paths:
        check_file(path)


def test_listing_urls_read_the_day_before():
    src = HubtodaySource()
    assert src.listing_urls(date(2026, 1, 19)) == [
        "https://raw.githubusercontent.com/justlovemaki/Hextra-AI-Insight-Daily/main/content/cn/2026-01/2026-01-18.md",
        "https://ai.hubtoday.app/2026-01/2026-01-18/",
    ]
    for url in src.listing_urls(date(2026, 1, 19)):
        assert (DAY / url_to_relpath(url)).is_file()


def test_items_of_2026_01_18():
    src = HubtodaySource()
    url = src.listing_urls(date(2026, 1, 19))[0]
    arts = src.parse_listing(url, (DAY / url_to_relpath(url)).read_text()).articles
    assert [a.section for a in arts] == ["产品与功能更新", "前沿研究", "开源TOP项目", "开源TOP项目", "社媒分享", "社媒分享"]
    first = arts[0]
    assert first.title == "OpenAI推出通用API标准Open Responses"
    assert first.url == "https://ai.hubtoday.app/2026-01/2026-01-18/#item-1"
    assert first.links == ["https://www.xiaohu.ai/c/xiaohu-ai/openai-open-responses-api"]
    assert len(first.images) == 2 and first.images[0].endswith(".avif")
    assert first.text.startswith("OpenAI发布了一个旨在统一各大模型厂商接口的🔓开源标准。")
    assert first.published == datetime(2026, 1, 18, 8, 0, tzinfo=BJ)
    assert arts[1].title == "Agentic RAG与Enhanced RAG深度对比"


def test_rendered_page_matches_markdown():
    src = HubtodaySource()
    md_url, html_url = src.listing_urls(date(2026, 1, 19))
    from_md = src.parse_listing(md_url, (DAY / url_to_relpath(md_url)).read_text()).articles
    from_html = src.parse_listing(html_url, (DAY / url_to_relpath(html_url)).read_text()).articles
    assert [(a.url, a.title, a.section, a.links, a.images, a.text) for a in from_html] == \
        [(a.url, a.title, a.section, a.links, a.images, a.text) for a in from_md]


def test_final_and_published_agree():
    pub = (FIX / "hubtoday/daily_as_published/2026-01-15.md").read_text(encoding="utf-8")
    fin = (FIX / "hubtoday/daily_final/2026-01-15.md").read_text(encoding="utf-8")
    assert fin.startswith("\ufeff")
    a = HubtodaySource().parse_listing("https://ai.hubtoday.app/2026-01/2026-01-15/", pub).articles
    b = HubtodaySource().parse_listing("https://ai.hubtoday.app/2026-01/2026-01-15/", fin).articles
    assert [(x.url, x.title, x.links) for x in a] == [(x.url, x.title, x.links) for x in b]
    video_item = next(x for x in a if x.title == "谷歌Veo模型大升级")
    assert "video" not in video_item.text


def test_old_format():
    text = (FIX / "hubtoday/daily_as_published/2025-07-05_old-format.md").read_text()
    arts = HubtodaySource().parse_listing("2025-07-05_old-format.md", text).articles
    assert len(arts) == 18
    assert arts[0].section == "AI产品与功能更新" and arts[0].title.startswith("近日，微信支付推出了创新的MCP功能")
    assert arts[0].published == datetime(2025, 7, 5, 8, 0, tzinfo=BJ)
    kyutai = next(a for a in arts if "Kyutai TTS" in a.text)
    assert kyutai.links == ["https://kyutai.org/next/tts"] and "项目地址" in kyutai.text
    assert "autoproxy" not in kyutai.text and kyutai.images


def test_date_from_content_when_url_has_none():
    text = (FIX / "hubtoday/daily_final/2026-01-18.md").read_text(encoding="utf-8")
    arts = HubtodaySource().parse_listing("page.md", text).articles
    assert arts[0].url == "https://ai.hubtoday.app/2026-01/2026-01-18/#item-1"


def test_faults():
    src = HubtodaySource()
    with pytest.raises(ExtractError, match="no numbered items"):
        src.parse_listing("https://ai.hubtoday.app/2026-01/2026-01-18/",
                          (FIX / "faults/hubtoday_no_items.md").read_text())
    with pytest.raises(ExtractError, match="empty"):
        src.parse_listing("https://ai.hubtoday.app/2026-01/2026-01-18/", "\ufeff  ")
    with pytest.raises(ExtractError, match="date"):
        src.parse_listing("x.md", "### 产品与功能更新\n\n1. **标题。**\n正文")
    with pytest.raises(ExtractError):
        src.parse_article("https://ai.hubtoday.app/", "<html></html>")


def test_hostile_input_is_bounded():
    """What comes out of a hostile page; what parsing it costs against an ordinary page of
    its size is measured in ``benchmarks/hostile.py`` (no clocks in tests)."""
    src = HubtodaySource()
    body = "### 产品与功能更新\n\n1. **标题。**\n" + "[a](" + "x" * 200_000 + " <video " * 20_000
    arts = src.parse_listing("https://ai.hubtoday.app/2026-01/2026-01-18/", body).articles
    assert len(arts) == 1 and arts[0].title == "标题" and "<video" not in arts[0].text


# Links markdown-it reads whole and a regex cut: parentheses inside the URL, brackets
# inside the anchor, <url> autolinks, an image wrapped in a link, CJK bold by punctuation.
TRICKY_PAGE = """## AI资讯日报 2026/1/18

### 产品与功能更新

1. **Transformer 词条更新。**
据[维基百科(AI资讯)](https://en.wikipedia.org/wiki/Transformer_(deep_learning))，架构[[论文] Attention Is All You Need(AI资讯)](https://arxiv.org/abs/1706.03762)提出于 2017 年，代码见 <https://github.com/tensorflow/tensor2tensor>。成本不到**$60/小时**，提升**49.28%**。<br/>[![图](https://img.example/a_(1).png)](https://img.example/a_(1).png)
"""


def _tricky_html() -> str:
    return """<html><body><main><article><div class="content">
<h2>AI资讯日报 2026/1/18</h2><h3>产品与功能更新</h3><ol><li><p><strong>Transformer 词条更新。</strong></p>
<p>据<a href="https://en.wikipedia.org/wiki/Transformer_(deep_learning">维基百科(AI资讯)</a>，架构<a href="https://arxiv.org/abs/1706.03762">[论文] Attention Is All You Need(AI资讯)</a>提出于 2017 年，代码见 <a href="https://github.com/tensorflow/tensor2tensor">https://github.com/tensorflow/tensor2tensor</a>。成本不到<strong>$60/小时</strong>，提升<strong>49.28%</strong>。<br/><a href="https://img.example/a_(1).png"><img alt="图" src="https://img.example/a_(1).png"></a></p></li></ol>
</div></article></main></body></html>"""


def test_links_read_by_markdown_it():
    (article,) = HubtodaySource().parse_listing(
        "https://ai.hubtoday.app/2026-01/2026-01-18/", TRICKY_PAGE).articles
    assert article.links == ["https://en.wikipedia.org/wiki/Transformer_(deep_learning)",
                             "https://arxiv.org/abs/1706.03762",
                             "https://github.com/tensorflow/tensor2tensor"]
    assert article.images == ["https://img.example/a_(1).png"]
    assert article.text == ("据维基百科，架构[论文] Attention Is All You Need提出于 2017 年，代码见 "
                            "https://github.com/tensorflow/tensor2tensor。成本不到$60/小时，提升49.28%。")


def test_rendered_links_read_like_markdown():
    """The rendered page's links go back through markdown whole, even one whose href has
    an unbalanced parenthesis (a broken link on the page is kept as the page has it)."""
    (article,) = HubtodaySource().parse_listing(
        "https://ai.hubtoday.app/2026-01/2026-01-18/", _tricky_html()).articles
    assert article.links == ["https://en.wikipedia.org/wiki/Transformer_(deep_learning",
                             "https://arxiv.org/abs/1706.03762",
                             "https://github.com/tensorflow/tensor2tensor"]
    assert article.images == ["https://img.example/a_(1).png"]
    assert "[论文] Attention Is All You Need提出" in article.text and "**" not in article.text
