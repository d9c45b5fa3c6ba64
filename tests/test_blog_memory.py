"""The blog is the memory: every post of the series under ``[publish] dir`` is an issue
the house ran, whatever wrote it and whatever its file name.

The blog is six REAL posts of the series (``fixtures/aidaily/``, the archive) under the
blog's own file names (``fixtures/aidaily/MANIFEST.md``: ``pages/<day before>-<uuid>.md``,
the front matter's date the day after), in four layouts:

- 2025-12-26 and 2026-01-07: ``## theme`` + ``### [headline](url)`` items, a 其他动态 list;
- 2026-02-05: ``### headline`` stories mostly without a link, an unlinked ``## 更多动态`` list;
- 2026-03-03: unlinked ``### headline`` stories told in paragraphs;
- 2026-08-18: a story as a ``##`` heading with a lead and bold-labelled bullets, then
  ``## theme`` + ``### headline``; 2026-08-19 (the date written): ``## 一、theme`` +
  ``### [headline](url)``.

The digest of 2026-08-19 is written. With ``memory_days = 3`` the last three posts
before it count (2026-08-18, 2026-03-03, 2026-02-05: a gap of months is no gap in
what the house ran); 2026-01-07 and older do not, nor 2026-08-19 itself. The day's
articles re-report one story of each counted post (by URL, by an unlinked story's
facts, by a ``##`` story's facts, by an unlinked one-liner), one story of the fourth
post back and one of the date's own post, besides two fresh stories.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

import aidaily.format.front_matter as front_matter_module
from aidaily.cli.app import app
from aidaily.config import Settings, load_settings
from aidaily.errors import PublishError
from aidaily.memory.blog import cache_path, series_posts
from aidaily.memory.issues import recent_issues
from aidaily.models import Article
from aidaily.pipeline.options import RunOptions
from aidaily.pipeline.stages import run_day, select_stories
from aidaily.review.publish import publish_draft
from aidaily.review.web.view import draft_list
from aidaily.store.store import Store

BJ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 8, 19)
ARCHIVE = Path(__file__).parent / "fixtures" / "aidaily"
#: The archive's issues in the blog, by their blog path (fixtures/aidaily/MANIFEST.md).
BLOG = {"pages/2025-12-26-6268cd15-551c-4512-a3db-117e6ce24281.md": "ai-daily-2025-12-26.md",
        "pages/2026-01-07-adfd2818-3df8-4f44-8bc5-70f8cab77319.md": "ai-daily-2026-01-07.md",
        "pages/2026-02-04-0c147c64-34d8-442e-9e3a-c35f21bb23dc.md": "ai-daily-2026-02-05.md",
        "pages/2026-03-02-7f306fe6-88c9-4c84-89eb-7877c95fe21a.md": "ai-daily-2026-03-03.md",
        "pages/2026-08-17-e6580a43-331d-4ed9-bc50-a275ef083386.md": "ai-daily-2026-08-18.md",
        "pages/2026-08-18-06911161-550f-4065-a4f2-500d2a111afd.md": "ai-daily-2026-08-19.md"}
POST_0818 = "pages/2026-08-17-e6580a43-331d-4ed9-bc50-a275ef083386.md"
POST_0303 = "pages/2026-03-02-7f306fe6-88c9-4c84-89eb-7877c95fe21a.md"
POST_0205 = "pages/2026-02-04-0c147c64-34d8-442e-9e3a-c35f21bb23dc.md"
POST_0107 = "pages/2026-01-07-adfd2818-3df8-4f44-8bc5-70f8cab77319.md"
POST_0819 = "pages/2026-08-18-06911161-550f-4065-a4f2-500d2a111afd.md"

#: (source, URL, title, text). Written for this test from the posts' own sentences:
#: what another site reports of the same news.
XCODE = ("ithome", "https://www.ithome.com/0/918/932.htm",  # the URL 2026-02-05's item links
         "初探苹果 Xcode 26.3：一句人话，2 分钟 AI 搞定番茄钟 App",
         "苹果公司发布了 Xcode 26.3 更新，首次将智能体编程引入原生开发环境。")
GALBOT = ("36kr", "https://36kr.com/p/4001", "银河通用完成 25 亿元融资，国家大基金首次投资具身智能",
          "具身智能公司银河通用完成 25 亿元融资，投资方包括国家人工智能产业基金（国家大基金三期）、中国石化、"
          "中信集团、中国银行、上汽集团等。银河通用已与宁德时代达成战略合作，Galbot S1 在宁德时代工厂落地。")
STRIPE = ("sina", "https://finance.sina.com.cn/tech/2026-08-18/doc-7.shtml",
          "Stripe 超 70 亿美元收购 AI 模型聚合平台 OpenRouter",
          "支付巨头 Stripe 敲定收购 AI 模型聚合平台 OpenRouter，金额超 70 亿美元，较 OpenRouter 5 月 B 轮"
          " 13 亿美元估值溢价超 5 倍。OpenRouter 以统一 API 接口聚合 400+ AI 模型，拥有 800 万开发者用户。")
INTEL = ("jiqizhixin", "https://www.jiqizhixin.com/articles/2026-08-18-2", "英特尔 CEO 陈立武宣布正式进军 GPU 市场",
         "英特尔 CEO 陈立武宣布，公司正式进军 GPU 市场，已经组建了专门的工程团队来负责 GPU 项目。")
ROKID = ("aibase", "https://news.aibase.com/zh/news/24281",  # 2026-01-07's item: the fourth post back
         "Rokid新款无屏智能眼镜Style开启全球预订",
         "Rokid在CES 2026发布新款无屏AI智能眼镜Style，重量仅38.5克，支持处方镜片，兼容ChatGPT与DeepSeek。")
OHIO = ("aibase", "https://news.aibase.com/zh/news/30407",  # 2026-08-19's own post
        "OpenAI 签下 20 年 10GW 俄亥俄数据中心租约，英伟达投资 15 亿美元并兜底残值",
        "OpenAI 与软银旗下 SB Energy 签署了一份为期 20 年、总规模达 10 吉瓦的数据中心租约，园区位于美国俄亥俄州。")
FRESH = [
    ("ithome", "https://www.ithome.com/0/990/101.htm", "谷歌发布 Gemma 5 开源模型，最小版本可在手机端运行",
     "谷歌今日发布 Gemma 5 系列开源模型，共 4 个尺寸，最小 1B 版本可在安卓手机本地运行，采用 Apache 2.0 许可。"),
    ("qbitai", "https://www.qbitai.com/2026/08/400123.html", "月之暗面推出 Kimi 学术版，支持 200 篇论文同时阅读",
     "月之暗面推出 Kimi 学术版，单次可读入 200 篇论文并生成综述，面向高校免费开放三个月。"),
]
BLOG_POST_HEADER = "---\ntitle: 一期\ndate: 2026-08-19\ncategory: AI 日报\n---\n# 一期\n\n## 主题\n\n### [标题](https://example.com/a)\n\n正文。\n"
LEFT_OUT = {XCODE[1]: ("2026-02-05", POST_0205), GALBOT[1]: ("2026-03-03", POST_0303),
            STRIPE[1]: ("2026-08-18", POST_0818), INTEL[1]: ("2026-02-05", POST_0205)}


def make_home(home: Path) -> Settings:
    """A home whose ``[publish] dir`` is the blog: its real posts, and what else a blog holds."""
    manifest = (ARCHIVE / "MANIFEST.md").read_text(encoding="utf-8")
    for path, issue in BLOG.items():
        assert f"| {issue} | {path} |" in manifest  # the blog's own name of that issue
        (home / "blog" / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARCHIVE / issue, home / "blog" / path)
    (home / "blog" / "posts").mkdir()
    (home / "blog" / "posts" / "hello.md").write_text(  # another series: not an issue
        "---\ntitle: Hello\ndate: 2026-08-18\ncategory: 随笔\n---\n### [Stripe 收购 OpenRouter](https://x.com/1)\n",
        encoding="utf-8")
    (home / "blog" / "pages" / "next.md").write_text(  # a draft left in the blog: not run yet
        "---\ntitle: 草稿\ndate: 2026-08-18\ncategory: AI 日报\ndraft: true\n---\n"
        "### [谷歌发布 Gemma 5 开源模型](https://www.ithome.com/0/990/101.htm)\n- 4 个尺寸\n",
        encoding="utf-8")
    (home / "blog" / "pages" / "broken.md").write_bytes(b"---\ncategory: \xff\xfe\n---\n")  # not UTF-8
    (home / "blog" / ".git").mkdir()
    shutil.copy(ARCHIVE / BLOG[POST_0107], home / "blog" / ".git" / "copy.md")  # git's own files are no posts
    (home / "aidaily.toml").write_text('[publish]\ndir = "blog"\n[digest]\nmemory_days = 3\n', encoding="utf-8")
    settings = load_settings(home)
    when = datetime(2026, 8, 18, 10, tzinfo=BJ)  # in the window of the digest dated 2026-08-19
    Store.from_settings(settings).upsert_articles(
        Article(url=url, source=source, title=title, text=text, published=when, ai_relevant=True)
        for source, url, title, text in [XCODE, GALBOT, STRIPE, INTEL, ROKID, OHIO, *FRESH])
    return settings


def test_the_select_stage_leaves_out_what_the_last_posts_ran(home: Path) -> None:
    settings = make_home(home)
    selection = select_stories(settings, DAY)
    left_out = {c.url: (c.earlier_day, c.earlier_post) for c in selection.covered}
    assert left_out == LEFT_OUT
    kept = {a.url for s in selection.stories for a in s.articles}
    assert {ROKID[1], OHIO[1], FRESH[0][1], FRESH[1][1]} <= kept
    assert not selection.follow_ups and not selection.notices
    by_url = {c.url: c for c in selection.covered}
    assert by_url[STRIPE[1]].earlier_title == "行业大事件：Stripe 70亿美元拿下OpenRouter，AI基础设施掀起整合潮"
    assert by_url[GALBOT[1]].earlier_title == "银河通用 25 亿融资：国家大基金首次入局"  # an unlinked story
    assert by_url[INTEL[1]].earlier_title.startswith("英特尔 CEO 陈立武宣布")  # an unlinked one-liner

    # What the memory holds: the three posts, as published issues, read by the blog's names.
    memory = recent_issues(settings, DAY)
    assert [(i.day.isoformat(), i.state) for i in memory.issues] == [
        ("2026-02-05", "published"), ("2026-03-03", "published"), ("2026-08-18", "published")]
    assert memory.origins == {date(2026, 2, 5): POST_0205, date(2026, 3, 3): POST_0303,
                              date(2026, 8, 18): POST_0818}


def test_a_story_a_post_ran_comes_back_with_new_facts_as_a_follow_up(home: Path) -> None:
    settings = make_home(home)
    news = Article(url="https://36kr.com/p/4002", source="36kr", published=datetime(2026, 8, 18, 11, tzinfo=BJ),
                   title="Stripe 完成收购 OpenRouter，最终作价 82 亿美元，Visa 跟投",
                   text="Stripe 宣布完成对 AI 模型聚合平台 OpenRouter 的收购，最终作价 82 亿美元，高于此前传出的 70 亿美元。"
                        "Visa 与 Mastercard 参与了交易融资。", ai_relevant=True)
    Store.from_settings(settings).upsert_articles([news])
    selection = select_stories(settings, DAY)
    # The day's two reports are one story; with news in it, it runs again, once.
    [follow] = selection.follow_ups
    assert (follow.url, follow.earlier_day, follow.earlier_post) == (STRIPE[1], "2026-08-18", POST_0818)
    assert follow.earlier_title == "行业大事件：Stripe 70亿美元拿下OpenRouter，AI基础设施掀起整合潮"
    assert follow.new_facts == ["82 亿美元", "Visa", "Mastercard"]
    assert {c.url for c in selection.covered} == set(LEFT_OUT) - {STRIPE[1]}


def test_review_names_the_post_a_left_out_story_came_from(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_home(home)
    monkeypatch.chdir(home)
    report = asyncio.run(run_day(settings, DAY, RunOptions(fetch=False, use_llm=False, skip_unchanged=False)))
    assert report.draft is not None
    assert {c.url: (c.earlier_day, c.earlier_post) for c in report.covered} == LEFT_OUT
    data = json.loads(CliRunner().invoke(app, ["review", DAY.isoformat(), "--json"]).stdout)
    assert {c["url"]: (c["earlier_day"], c["earlier_post"]) for c in data["covered"]} == LEFT_OUT
    shown = CliRunner().invoke(app, ["review", DAY.isoformat()], env={"COLUMNS": "400"}).output
    assert POST_0818 in shown and POST_0303 in shown and POST_0205 in shown


def test_only_posts_of_the_series_count(home: Path) -> None:
    settings = make_home(home)
    extra = home / "blog" / "extra"
    extra.mkdir()
    hexo = (BLOG_POST_HEADER.replace("category: AI 日报", 'categories: ["AI 日报", "周报"]')
            .replace("date: 2026-08-19", "date: 2026-08-20 07:30:00"))
    (extra / "hexo.md").write_text(hexo, encoding="utf-8")  # Hexo lists its categories
    for name, front_matter in [  # hostile or broken: no post, no crash
        ("bad-date.md", "title: x\ndate: 2026-13-45\ncategory: AI 日报\n"),
        ("no-date.md", "title: x\ncategory: AI 日报\n"),
        ("list.md", "- category\n- AI 日报\n"),
        ("anchors.md", "a: &x AI 日报\ncategory: *x\ndate: 2026-08-01\n"),
        ("unclosed.md", "category: AI 日报\ndate: 2026-08-01\n# no closing fence\n"),
    ]:
        (extra / name).write_text(f"---\n{front_matter}" + ("" if name == "unclosed.md" else "---\n# t\n"),
                                  encoding="utf-8")
    (extra / "huge.md").write_bytes(b"---\ncategory: AI \xe6\x97\xa5\xe6\x8a\xa5\ndate: 2026-08-02\n---\n"
                                    + b"x" * (3 * 1024 * 1024))  # too big to be a post
    posts = series_posts(settings)
    assert {d.isoformat(): [p.name for p in ps] for d, ps in posts.items()} == {
        "2025-12-26": ["pages/2025-12-26-6268cd15-551c-4512-a3db-117e6ce24281.md"],
        "2026-01-07": [POST_0107], "2026-02-05": [POST_0205], "2026-03-03": [POST_0303],
        "2026-08-18": [POST_0818], "2026-08-19": [POST_0819], "2026-08-20": ["extra/hexo.md"]}


def test_a_rerun_reads_only_the_posts_that_changed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is cached by file hash: a re-run reads no front matter; an edited post
    is read again (and, no longer of the series, stops counting)."""
    settings = make_home(home)
    reads: list[str] = []
    real = front_matter_module.front_matter_of

    def counting(text: str) -> dict[str, object]:
        reads.append(text[:40])
        return real(text)

    monkeypatch.setattr(front_matter_module, "front_matter_of", counting)
    first = series_posts(settings)
    # the 6 posts, hello.md and next.md: broken.md is not text, .git is not looked into
    assert len(reads) == 8 and cache_path(settings).is_file()
    reads.clear()
    assert series_posts(settings) == first and reads == []
    post = home / "blog" / POST_0303
    post.write_text(post.read_text(encoding="utf-8").replace("category: AI 日报", "category: 周报"), encoding="utf-8")
    again = series_posts(settings)
    assert len(reads) == 1 and date(2026, 3, 3) not in again and len(again) == len(first) - 1
    cache_path(settings).write_text("{not json", encoding="utf-8")  # a damaged cache is rebuilt
    assert series_posts(settings) == again


def test_an_edited_post_is_what_ran(home: Path) -> None:
    """The blog's post of 2026-08-18 loses its Stripe story: the re-report runs."""
    settings = make_home(home)
    assert STRIPE[1] in {c.url for c in select_stories(settings, DAY).covered}
    post = home / "blog" / POST_0818
    text = post.read_text(encoding="utf-8")
    start = text.index("## 行业大事件")
    post.write_text(text[:start] + text[text.index("---", start) + 4:], encoding="utf-8")
    selection = select_stories(settings, DAY)
    assert STRIPE[1] not in {c.url for c in selection.covered}
    assert {c.url for c in selection.covered} == set(LEFT_OUT) - {STRIPE[1]}


def test_a_date_the_blog_ran_is_published(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blog has the house's post of 2026-08-19 (another name than aidaily's): the
    review page says so, and publishing aidaily's draft of that date beside it needs
    ``--force`` (and records it)."""
    settings = make_home(home)
    monkeypatch.chdir(home)
    asyncio.run(run_day(settings, DAY, RunOptions(fetch=False, use_llm=False, skip_unchanged=False)))
    assert [e.state for e in draft_list(settings) if e.day == DAY.isoformat()] == ["published"]
    with pytest.raises(PublishError) as refused:
        publish_draft(settings, DAY)
    assert f"the issue of 2026-08-19 already ran in the blog ({POST_0819})" in str(refused.value)
    assert not settings.post_path(DAY).exists()
    result = publish_draft(settings, DAY, force=True)
    assert result.path == settings.post_path(DAY) and result.path.is_file()
    assert f"published beside {POST_0819}, the blog's post of 2026-08-19" in result.overridden


def test_the_homes_own_folders_hold_no_posts(home: Path) -> None:
    """``[publish] dir = "."``: the home is the blog; its drafts (even without the draft
    marker) and its archive of raw responses are not posts, its published post is."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "aidaily.toml").write_text('[publish]\ndir = "."\n', encoding="utf-8")
    settings = load_settings(home)
    for where in (settings.drafts_dir / "2026-08-10.md", settings.archive_dir / "x" / "2026-08-12.md",
                  home / "ai-daily-2026-08-11.md"):
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(BLOG_POST_HEADER.replace("2026-08-19", where.stem[-10:]), encoding="utf-8")
    assert {d.isoformat(): [p.name for p in ps] for d, ps in series_posts(settings).items()} == {
        "2026-08-11": ["ai-daily-2026-08-11.md"]}

