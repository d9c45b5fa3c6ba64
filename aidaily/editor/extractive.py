"""The extractive mode: a draft without any model.

Used when no LLM is configured (``--llm none``), when the configured one is
unreachable and ``llm.on_unreachable = "extractive"``, and for the pieces the model
failed to give (a fallback plan or title). It:

- plans by keyword sections (``SECTION_KEYWORDS``) and duplicate counts;
- takes fact bullets from the lead sentences of each story's primary article: never a
  line that is no sentence of the news (a byline, subtitle, heading, label or teaser:
  ``aidaily.format.editorial.is_lead_in``), never one that says the headline again, and
  a sentence too long for a bullet cut at a clause, not mid-word; a story with no such
  sentence runs in 其他动态, not as a main item;
- leaves every "深度解读 & 洞察" block as a marked placeholder (``PLACEHOLDER``) for the
  editor, non-empty so the draft still passes the lint;
- marks the front matter ``draft: true`` and says under the headline that no model
  wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from aidaily.checks.entities import entity_kind, extract_entities
from aidaily.editor.assemble import Finalized, ItemText, Written, assemble, clean
from aidaily.editor.prompting import one_line, plan_limits
from aidaily.editor.schema import Plan, PlanGroup, PlanSection
from aidaily.format.editorial import is_lead_in, says_headline
from aidaily.text import distinct_lines, split_sentences

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.format.digest import Digest
    from aidaily.models import Story

PLACEHOLDER = "【待编辑补充】"
NOTE = "本稿为抽取式草稿，未经模型撰写：事实要点取自原文导语，标有“【待编辑补充】”之处请编辑补写"
FALLBACK_THEME = "行业动态"
#: The fact bullet of an item whose article says no more than its headline (publishing
#: refuses it until the editor writes the facts).
PLACEHOLDER_FACT = f"{PLACEHOLDER}事实要点：原文除标题外没有更多内容，请编辑补写"

# theme -> keywords; the first theme with the most hits in a story's title + lead wins.
SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "超算与芯片": ("芯片", "GPU", "算力", "英伟达", "Nvidia", "NVIDIA", "超算", "数据中心",
                  "TPU", "NPU", "昇腾", "寒武纪", "半导体", "台积电", "AMD"),
    "模型与推理": ("模型", "GPT", "Claude", "Gemini", "Qwen", "千问", "DeepSeek", "Llama",
                  "推理", "开源", "多模态", "训练", "参数", "基准", "Grok", "Kimi"),
    "智能体与应用": ("智能体", "Agent", "助手", "Copilot", "Cursor", "编程", "应用", "App",
                    "浏览器", "搜索", "办公", "插件"),
    "机器人与具身": ("机器人", "人形", "具身", "自动驾驶", "无人机", "机械臂", "Robotaxi"),
    "资本与产业": ("融资", "估值", "收购", "营收", "IPO", "上市", "投资", "财报", "亿美元",
                  "并购", "市值"),
    "政策与社会": ("监管", "政策", "法案", "版权", "就业", "安全", "隐私", "诉讼", "教育"),
}

# "IT之家 1 月 19 日消息，" / "量子位 | 公众号 QbitAI" / "鱼羊 发自 凹非寺"
_BOILERPLATE_RE = re.compile(
    r"^(?:[^，,。]{0,16}?\d{1,2}\s*月\s*\d{1,2}\s*日(?:消息|电|讯|报道)[，,：:]?\s*)"
)
# Where a sentence too long for a bullet may be cut: after a clause.
_CLAUSE_END_RE = re.compile(r"[，；,;]")
FACT_CHARS = 80  # the longest fact bullet taken from an article


def theme_of(story: Story) -> str:
    text = f"{story.title} {story.primary.text[:300]}"
    scores = {t: sum(text.count(k) for k in kws) for t, kws in SECTION_KEYWORDS.items()}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] > 0 else FALLBACK_THEME


def extractive_plan(stories: Sequence[Story], settings: Settings,
                    main_ok: Callable[[Story], bool] | None = None) -> Plan:
    """A plan without a model: the most reported stories (ties by rank) as main
    stories, sectioned by keywords; the next ones as 其他动态. ``main_ok``: whether a
    story can be a main item (the extractive writer has facts for it). A borderline story
    (not surely AI news) is never run without a model to judge it."""
    stories = [s for s in stories if not s.borderline]
    limits = plan_limits(len(stories), settings)
    order = sorted(range(len(stories)), key=lambda i: (-stories[i].duplicate_count, i))
    n_main = min(limits["main_min"], len(stories))
    can_lead = [i for i in order if main_ok is None or main_ok(stories[i])]
    main_idx = can_lead[:n_main]
    main = [stories[i] for i in main_idx]
    other = [stories[i] for i in order if i not in main_idx][: limits["other_max"]]
    themes: dict[str, list[str]] = {}
    for story in main:
        themes.setdefault(theme_of(story), []).append(story.id)
    while len(themes) > limits["sections_max"]:  # fold the smallest into the fallback
        smallest = min((t for t in themes if t != FALLBACK_THEME), key=lambda t: len(themes[t]))
        themes.setdefault(FALLBACK_THEME, []).extend(themes.pop(smallest))
    sections = [
        PlanSection(
            title=f"{theme}：{PLACEHOLDER}",
            groups=[PlanGroup(story_ids=[sid], commentary=True) for sid in ids],
        )
        for theme, ids in themes.items()
    ]
    return Plan.model_construct(sections=sections, other_ids=[s.id for s in other])


def lead_sentences(text: str, n: int = 3, limit: int = FACT_CHARS, headline: str = "") -> list[str]:
    """The first ``n`` informative sentences of an article: no line that is not a
    sentence of the news (``is_lead_in``: bylines, subtitles, headings, labels,
    teasers), no dateline, none that only says ``headline`` again; a sentence over
    ``limit`` characters cut after a clause (left out when it has none)."""
    out: list[str] = []
    for line in text.splitlines():
        line = one_line(line)
        if not line or is_lead_in(line):
            continue
        line = _BOILERPLATE_RE.sub("", line)
        # 。！？ end a lead sentence; ； and ". " do not (a clause is no fact bullet).
        for sentence in split_sentences(line, semicolons=False, english=False):
            sentence = clause_cut(sentence.strip().rstrip("。！？!?"), limit)
            if len(sentence) >= 8 and not (headline and says_headline(sentence, headline)):
                out.append(sentence)
            if len(out) >= n:
                return out
    return out


def clause_cut(sentence: str, limit: int) -> str:
    """``sentence`` when it fits ``limit``; else its longest run of whole clauses that
    does (cut after a ，；), "" when even the first clause is too long."""
    if len(sentence) <= limit:
        return sentence
    ends = [m.start() for m in _CLAUSE_END_RE.finditer(sentence, 0, limit + 1)]
    return sentence[: ends[-1]].rstrip() if ends else ""


def extractive_item(story: Story, *, placeholder: bool = False) -> ItemText:
    """A story's headline and facts from its primary article. Facts may be empty (the
    article says nothing its headline does not); with ``placeholder`` (the story must
    run as an item) they are then one ``PLACEHOLDER_FACT`` for the editor."""
    title = one_line(story.title)
    # A page's lead sentence is often said again in its body (ithome): draw a few more
    # sentences than needed and keep the distinct ones.
    facts = distinct_lines(lead_sentences(story.primary.text, n=6, headline=title))[:3]
    if story.follow_up is not None:  # a follow-up: the sentences with the new facts first
        new = [f.replace(" ", "") for f in story.follow_up.new_facts]
        fresh = [s for s in lead_sentences(story.primary.text, n=12, headline=title)
                 if any(f in s.replace(" ", "") for f in new)]
        facts = distinct_lines([*fresh, *facts])[:3]
    if not facts and placeholder:
        facts = [PLACEHOLDER_FACT]
    return ItemText(headline=title, facts=facts)


def extractive_written(plan: Plan, stories: Mapping[str, Story]) -> Written:
    written = Written()
    for section in plan.sections:
        for group in section.groups:
            for sid in group.story_ids:
                written.items[sid] = extractive_item(stories[sid])
            if group.commentary:
                written.commentary[tuple(group.story_ids)] = placeholder_commentary()
    for sid in plan.other_ids:
        written.briefs[sid] = extractive_brief(stories[sid])
    return written


def placeholder_commentary() -> list[str]:
    """The commentary block an extractive item leaves to the editor."""
    return [
        f"{PLACEHOLDER}行业意义：这条新闻说明了什么趋势",
        f"{PLACEHOLDER}对读者：对创业者、程序员或企业意味着什么",
    ]


def extractive_brief(story: Story) -> str:
    """A 其他动态 line without a model: the story's title."""
    return one_line(story.title)


def fallback_final(plan: Plan, written: Written, *, draft: bool = True) -> Finalized:
    """Title, headline, summary and seo without a model, from the written items.

    The title names the day's two leading companies / products (``A 与 B：今日 N 条 AI
    要闻``) rather than cutting headlines mid-word; seo lists the names the items carry.
    """
    heads = [clean(written.items[sid].headline) for sid in plan.main_ids if sid in written.items]
    names: list[str] = []
    for head in heads:
        # Companies and products, as the series' titles and seo name them; not people.
        names.extend(n for n in extract_entities(head) if n not in names and entity_kind(n) != "person")
    count = f"今日 {len(heads)} 条 AI 要闻" if heads else "今日 AI 要闻"
    title = next(
        (t for t in (f"{names[0]} 与 {names[1]}：{count}" if len(names) > 1 else "",
                     f"{names[0]}：{count}" if names else "") if t and len(t) <= 39),
        f"AI 日报：{count}",
    )
    first = heads[0] if heads else count
    headline = f"{PLACEHOLDER}本期主线" if draft else first
    return Finalized(title=title, headline=headline, summary=heads[:7] or [first], seo=names[:8])


def extractive_digest(day: date, stories: Sequence[Story], settings: Settings) -> Digest:
    """The extractive draft of ``day`` from ``stories`` (ranked, best first)."""
    by_id = {s.id: s for s in stories}
    plan = extractive_plan(stories, settings, main_ok=lambda s: bool(extractive_item(s).facts))
    written = extractive_written(plan, by_id)
    final = fallback_final(plan, written)
    return assemble(day, plan, written, final, by_id, settings, draft=True, note=NOTE)
