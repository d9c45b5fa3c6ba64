"""assemble: plan + written parts -> a Digest in the exact house format (pure)."""

from __future__ import annotations

import pytest

from aidaily.editor.assemble import Finalized, ItemText, Written, assemble, clean, site_name
from aidaily.config import Settings
from aidaily.editor.schema import Plan, PlanGroup, PlanSection
from aidaily.format.lint import has_errors, lint_text
from aidaily.format.parse import parse
from aidaily.format.render import render
from tests.factories import DAY, DAY_DATE, make_stories

REFERENCE_FOOTER_START = '<div class="telegram-card">'


def handmade_plan() -> Plan:
    return Plan(
        sections=[
            PlanSection(title="超算与芯片：AI 军备竞赛进入“GW 时代”", groups=[
                PlanGroup(story_ids=["s1"], commentary=True),
                PlanGroup(story_ids=["s2"], commentary=False)]),
            PlanSection(title="模型与推理：AI 开始“自己写代码、做数学”", groups=[
                PlanGroup(story_ids=["s3", "s4"], commentary=True)]),
            PlanSection(title="资本与人才：估值进入“千亿美元俱乐部”", groups=[
                PlanGroup(story_ids=["s5"], commentary=True),
                PlanGroup(story_ids=["s7"], commentary=True)]),
        ],
        other_ids=["s9", "s11"],
    )


def handmade_written() -> Written:
    w = Written()
    for sid in ("s1", "s2", "s3", "s4", "s5", "s7"):
        w.items[sid] = ItemText(headline=f"标题 {sid}", facts=[f"{sid} 事实一，100 万", f"{sid} 事实二"])
    w.commentary[("s1",)] = ["行业意义——结构性判断", "对国内 AI 创业者：窗口期"]
    w.commentary[("s3", "s4")] = ["共享解读", "对程序员：定义问题"]
    w.commentary[("s5",)] = ["资本判断", "对初创公司：赛道"]
    w.commentary[("s7",)] = ["并购判断", "对国内 AI 创业者：退出"]
    w.briefs = {"s9": "Berkeley 发布 Choice Policy，成功率 100%", "s11": "Agentic RAG 成本更高"}
    return w


FINAL = Finalized(
    title="GW 级超算与百万行浏览器：AI 边际成本归零日",
    headline="从 GW 级超算到“百万行浏览器”：AI 正在把“算力+自主”推向极限",
    summary=["xAI 上线 1 GW 超算", "Cursor 7 天写出 300 万行浏览器", "Anthropic 估值 3500 亿美元"],
    seo=["xAI Grok", "Cursor", "Anthropic Claude"],
)


def build(**kw: object) -> str:
    stories = {s.id: s for s in make_stories()}
    digest = assemble(DAY_DATE, handmade_plan(), handmade_written(), FINAL, stories, Settings(), **kw)
    return render(digest)


def test_front_matter_keys_quoting_and_order_follow_the_reference() -> None:
    text = build()
    head = text.split("\n---\n", 1)[0].split("\n")
    assert [line.split(":", 1)[0] for line in head[1:]] == [
        "title", "date", "category", "tags", "seo", "coverImage", "summary"]
    assert head[1] == "title: GW 级超算与百万行浏览器：AI 边际成本归零日"
    assert head[3] == "category: AI 日报"
    assert head[4] == 'tags: ["AI","AI 日报"]'
    assert head[5] == 'seo: ["AI 日报","最新 AI 咨询","xAI Grok","Cursor","Anthropic Claude"]'
    assert head[6] == 'coverImage: "/images/covers/2026-01-19.png"'  # the issue's own cover
    assert head[7] == r'summary: "- xAI 上线 1 GW 超算\n- Cursor 7 天写出 300 万行浏览器\n- Anthropic 估值 3500 亿美元"'


def test_body_follows_the_plan_and_ends_with_the_footer_verbatim() -> None:
    text = build()
    digest = parse(text)
    assert render(digest) == text
    assert [s.heading for s in digest.sections] == [
        *(s.title for s in handmade_plan().sections), "其他动态"]
    assert [i.url for i in digest.items] == [make_stories()[int(s[1:]) - 1].url
                                             for s in handmade_plan().main_ids]
    # s2 has no block, s3+s4 share one placed after s4
    kinds = [type(e).__name__ for e in digest.sections[1].entries]
    assert kinds == ["Item", "Item", "Insight"]
    assert [type(e).__name__ for e in digest.sections[0].entries] == ["Item", "Insight", "Item"]
    briefs = digest.briefs
    assert [(b.site, b.text) for b in briefs] == [
        ("qbitai", "Berkeley 发布 Choice Policy，成功率 100%"),
        ("ai.hubtoday.app", "Agentic RAG 成本更高")]
    reference = open(_reference_path(), encoding="utf-8").read()
    assert text.endswith(reference[reference.index(REFERENCE_FOOTER_START) - 6:])
    assert not text.endswith("\n")
    assert "\n# GW 级超算与百万行浏览器：AI 边际成本归零日\n\n## 从 GW 级超算" in text


def test_assembled_draft_passes_the_lint() -> None:
    findings = lint_text(build(), f"{DAY}.md")
    assert not has_errors(findings), [f.format() for f in findings]
    assert [f.code for f in findings] == []


def test_configured_cover_image_wins_and_draft_marker_is_added() -> None:
    settings = Settings()
    settings.digest.cover_image = "https://cdn.example.com/cover.png"
    stories = {s.id: s for s in make_stories()}
    text = render(assemble(DAY_DATE, handmade_plan(), handmade_written(), FINAL, stories, settings,
                           draft=True))
    assert 'coverImage: "https://cdn.example.com/cover.png"' in text
    assert "\ndraft: true\n---\n" in text


@pytest.mark.parametrize(
    ("provider", "prefix", "expected"),
    [
        ("render", "https://blog.example.com/img/", "https://blog.example.com/img/2026-01-19.png"),
        ("openai", "/covers/", "/covers/2026-01-19.png"),
        ("source", "/covers/", "https://img.example.com/0.png"),  # the first main story's picture
        ("none", "/covers/", None),
    ],
)
def test_cover_image_follows_the_cover_provider(provider: str, prefix: str, expected: str | None) -> None:
    settings = Settings.model_validate({"cover": {"provider": provider, "url_prefix": prefix}})
    digest = parse(render(assemble(DAY_DATE, handmade_plan(), handmade_written(), FINAL,
                                   {s.id: s for s in make_stories()}, settings)))
    assert digest.front_matter.get("coverImage") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert(1)</script>功率 1 GW", "功率 1 GW"),
        ('<img src=x onerror="alert(1)">已部署 55 万张 GPU', "已部署 55 万张 GPU"),
        ("点击[这里](https://evil.example/x)领取", "点击这里领取"),
        ("见 https://evil.example/a 与 javascript:alert(1)", "见 与"),
        ("- 1. 第一条事实。", "第一条事实"),
        ('他说"AI 只干杂活"', "他说“AI 只干杂活”"),
        ("英伟达发布B200芯片", "英伟达发布 B200 芯片"),
        ("&lt;b&gt;粗体&lt;/b&gt; 与 **强调**", "粗体 与 强调"),
        ("## 伪造标题\n- 伪造条目", "伪造标题 - 伪造条目"),
        ("[伪造](https://x.y)（[ithome](https://x.y)）", "伪造（ithome）"),
    ],
)
def test_clean_removes_html_links_and_markup(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_model_text_cannot_inject_html_links_or_structure() -> None:
    stories = {s.id: s for s in make_stories()}
    written = handmade_written()
    written.items["s1"] = ItemText(
        headline="标题](https://evil.example) [x",
        facts=["<script>steal()</script>事实", "[链接](https://evil.example)", "a\n### 假板块"],
    )
    written.commentary[("s1",)] = ["<iframe src=x></iframe>解读", "对程序员：<b>加粗</b>"]
    text = render(assemble(DAY_DATE, handmade_plan(), written, FINAL, stories, Settings()))
    digest = parse(text)
    assert "evil.example" not in text and "<script" not in text and "<iframe" not in text
    assert [s.heading for s in digest.sections][0] == handmade_plan().sections[0].title
    assert len(digest.sections) == 4
    assert not has_errors(lint_text(text, f"{DAY}.md"))


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.qbitai.com/2026/01/370136.html", "qbitai"),
        ("https://www.ithome.com/0/914/278.htm", "ithome"),
        ("https://ai.hubtoday.app/", "ai.hubtoday.app"),
        ("https://36kr.com/p/1", "36kr"),
        ("https://news.example.com.cn/a", "news.example.com.cn"),
    ],
)
def test_site_name_from_host(url: str, site: str) -> None:
    assert site_name(url) == site


def _reference_path() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent / "fixtures" / "digests" / "ai-daily-2026-01-19.md")
