"""Editorial checks: what makes an issue read broken, found in its text alone.

A model (or the extractive writer) can produce an issue that parses, links and grounds
fine and still is not publishable. These checks read the parsed digest and report:

    same-headline           two items with identical or near-identical headlines
    headline-as-bullet      a fact bullet that only says the item's headline again
    commentary-repeats-fact a "深度解读 & 洞察" bullet that repeats a fact bullet above it
    dateline-in-bullet      a wire-service dateline left in ("IT之家 1 月 20 日消息，")
    lead-in-as-fact         a site's byline or lead-in line ("鱼羊 发自 凹非寺",
                            "量子位 | 公众号 QbitAI", "本文来自微信公众号") as a bullet
    cut-bullet              a bullet that ends after a label's colon, in a cut "……",
                            on a word that cannot end a sentence (a comma, "或", "把", "被") or with a bracket left open
    seo-not-keyword         a seo entry that is a sentence, carries punctuation, or is
                            longer than ``SEO_KEYWORD_ZI`` 字

All are errors (``aidaily publish`` refuses them) except ``seo-not-keyword``, a warning
(the metadata, not the page). ``lint_text`` runs them, so the write report, ``aidaily
review``, the review page and the publish gate see the same findings. The thresholds were
measured on the house's 208 published issues (``benchmarks/editorial.py``; figures in
``benchmarks/README.md``): none of those issues has an error from these checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from aidaily.format.digest import Brief, BriefList, Digest, Insight, Item, Section
from aidaily.format.finding import Finding
from aidaily.text import comparable_text, repeats, similarity, zi_count

#: Headline similarity (``aidaily.text.similarity``) at or above which two items of one
#: issue are the same headline. Two headlines of one house issue are never more alike
#: than 0.43 (about 1,950 headlines of 209 issues, every layout); one headline reworded
#: ("xAI 的 Colossus 2 上线：…" for "xAI 上线 Colossus 2：…") scores 0.61, a word added 0.87.
SAME_HEADLINE = 0.55
#: A fact bullet this similar to its item's headline says nothing the headline does not
#: (the house's closest: 0.59, a fact that spells the headline's numbers out).
BULLET_AS_HEADLINE = 0.8
#: A commentary bullet this similar to a fact bullet above it repeats it (the house's
#: closest: 0.26).
COMMENTARY_AS_FACT = 0.6
#: The longest seo entry, in 字 (``zi_count``): the house's run to 5 ("最新 AI 咨询"), a
#: capable model's to 6 ("波士顿动力 Atlas"); "OpenAI GPT-5.2 Pro" is 3 字 though 18
#: characters, a sentence of 16 Chinese characters is 16.
SEO_KEYWORD_ZI = 8

# "IT之家 1 月 20 日消息，", "快科技 1 月 20 日消息", "新华社北京 1 月 20 日电".
DATELINE_RE = re.compile(r"(?:^|[，,。\s])[^，,。：:\s]{0,10}\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:消息|电|讯)(?:[，,：:]|$)")
# Bylines and lead-in lines of the sites the house reads (qbitai, 36氪, 机器之心, 智东西,
# WeChat reposts): lines of the page, not facts of the news.
LEAD_IN_RE = re.compile(
    r"发自\s*\S{0,6}凹非寺|公众号\s*QbitAI|^\s*量子位\s*[|｜]|本文来自微信公众号|"
    r"^(?:作者|编辑|责编|来源|出品|撰文|编译|图源|题图|头图)\s*[|｜：:]|原标题[：:]|图片来源|"
    r"智东西\s*[（(]公众号|机器之心报道|新智元报道|^\s*IT之家\s*$|扫码关注|点击.{0,6}关注"
)
# What no bullet of the house's 9,410 ends on: an ellipsis, a comma, or a word after
# which a Chinese sentence cannot stop ("的", "与", "在", "向" do end real bullets: 标的,
# 参与, 所在, 方向; so does "；" in a list). A label's colon ends a bullet only when
# sub-bullets follow it.
_DANGLING_END = "，、,或把被从且而"
_CUT_END_RE = re.compile(r"(?:…+|\.{3,}|[：:]|[" + _DANGLING_END + r"])\s*$")
_SEO_PUNCT_RE = re.compile(r"[，。！？；：、,!?;:“”\"《》（）()]")
#: Link texts that name no story: an item written "### headline" then "[链接](url)" is
#: read with the link text as its headline (the house's June layout), and those repeat.
LINK_WORDS = frozenset({"链接", "原文", "原文链接", "阅读原文", "来源", "详情", "查看详情", "link", "source"})
# Brackets a cut bullet leaves open. Not quotes: the house types “ for ” now and then.
_PAIRS = (("（", "）"), ("《", "》"), ("(", ")"), ("「", "」"), ("【", "】"))


def bullet_line(entry: Item | Insight, index: int) -> int:
    """1-based line of the ``index``-th bullet of a parsed item or insight block."""
    return entry.bullet_line(index)


def editorial_findings(digest: Digest, seo_line: int = 1) -> list[Finding]:
    """Every editorial finding of ``digest`` (parsed from the file: lines are the
    file's); ``seo_line`` is the line of the front matter's ``seo`` key."""
    return [
        *_headline_findings(digest.items),
        *_bullet_findings(digest),
        *_brief_findings(digest.sections),
        *_commentary_findings(digest.sections),
        *seo_findings(digest.front_matter.get("seo"), seo_line),
    ]


# --- headlines ---------------------------------------------------------------------------


def _headline_findings(all_items: Sequence[Item]) -> Iterator[Finding]:
    items = [i for i in all_items if comparable_text(i.title) not in LINK_WORDS]
    for i, item in enumerate(items):
        for earlier in items[:i]:
            score = similarity(item.title, earlier.title)
            if score >= SAME_HEADLINE or comparable_text(item.title) == comparable_text(earlier.title):
                yield Finding("error", item.line, "same-headline",
                              f"headline is the same as line {earlier.line}'s "
                              f"({round(score * 100)}% alike): every item needs its own headline")
                break


# --- bullets -----------------------------------------------------------------------------


def _bullets(digest: Digest) -> Iterator[tuple[Item | Insight, int, str]]:
    for section in digest.sections:
        for entry in section.entries:
            if isinstance(entry, Item | Insight):
                for index, bullet in enumerate(entry.bullets):
                    if bullet.text.strip():
                        yield entry, index, bullet.text.strip()


def _bullet_findings(digest: Digest) -> Iterator[Finding]:
    for entry, index, text in _bullets(digest):
        line = bullet_line(entry, index)
        kind = "fact bullet" if isinstance(entry, Item) else "commentary bullet"
        for code, why in bullet_problems(text, sub_bullets=_has_sub_bullets(entry, index)):
            yield Finding("error", line, code, f"{kind} {why}: {_quote(text)}")
        if isinstance(entry, Item) and says_headline(text, entry.title):
            yield Finding("error", line, "headline-as-bullet",
                          f"fact bullet repeats the headline: {_quote(text)}")


_SENTENCE_END_RE = re.compile(r"[。！？!?…”」）)]\s*$")
_FACT_MARK_RE = re.compile(r"[0-9A-Za-z\uff10-\uff19]")
#: A line without a sentence end shorter than this is a heading, a subtitle or a label.
HEADING_CHARS = 30
#: A sentence shorter than this with no number and no Latin name is a teaser, not a fact.
TEASER_CHARS = 20


def is_lead_in(line: str) -> bool:
    """``line`` (one line of an article's text) is not a sentence of its news: a byline
    or a site's lead-in (``LEAD_IN_RE``), a dateline alone, a subtitle or section heading
    (short, no sentence end: "一个策略同时管好手、臂和腿", "实验结果"), a label before a
    list ("技术成熟度分层："), or a teaser that carries no number and no name
    ("人形机器人做家务，这回又有新进展。"). The extractive writer takes no fact from such
    a line, and review flags a fact bullet that is one (``lead-in-as-fact``)."""
    text = line.strip()
    bare = comparable_text(text)
    if not bare or LEAD_IN_RE.search(text) or DATELINE_RE.fullmatch(text):
        return True
    if text.endswith(("：", ":")):
        return True
    if not _SENTENCE_END_RE.search(text) and len(bare) < HEADING_CHARS:
        return True
    return len(bare) < TEASER_CHARS and not carries_name_or_number(text)


def carries_name_or_number(text: str) -> bool:
    """``text`` has a digit or a Latin letter: what most facts carry, and teasers not."""
    return bool(_FACT_MARK_RE.search(text))


def _brief_findings(sections: Sequence[Section]) -> Iterator[Finding]:
    """The 其他动态 lines, checked as bullets (their site link is not part of the text)."""
    for section in sections:
        for entry in section.entries:
            if isinstance(entry, BriefList):
                for offset, brief in enumerate(entry.entries):
                    if isinstance(brief, Brief):
                        for code, why in bullet_problems(brief.text.strip()):
                            yield Finding("error", entry.line + offset, code,
                                          f"one-liner {why}: {_quote(brief.text.strip())}")


def bullet_problems(text: str, *, sub_bullets: bool = False) -> list[tuple[str, str]]:
    """``(code, why)`` for each way the bullet ``text`` is broken on its own (a dateline,
    a lead-in line, a cut end); ``sub_bullets``: indented bullets follow it."""
    out = []
    if DATELINE_RE.search(text):
        out.append(("dateline-in-bullet", "keeps the source's dateline"))
    if LEAD_IN_RE.search(text):
        out.append(("lead-in-as-fact", "is the site's byline or lead-in, not news"))
    cut = cut_reason(text)
    if cut and not (cut == LABEL_ONLY and sub_bullets):  # "- **三层分化**：" + sub-bullets: house style
        out.append(("cut-bullet", cut))
    return out


LABEL_ONLY = "ends after a label"


def _has_sub_bullets(entry: Item | Insight, index: int) -> bool:
    indent = len(entry.bullets[index].marker) - len(entry.bullets[index].marker.lstrip())
    following = entry.bullets[index + 1:index + 2]
    return bool(following) and len(following[0].marker) - len(following[0].marker.lstrip()) > indent


def cut_reason(text: str) -> str:
    """Why ``text`` (a bullet) reads as cut off, or "" when it reads whole."""
    text = text.strip()
    for opening, closing in _PAIRS:
        if text.count(opening) > text.count(closing) and text.rfind(opening) > text.rfind(closing):
            return f"leaves {opening} open"
    m = _CUT_END_RE.search(text)
    if m is None:
        return ""
    end = m.group(0).strip()
    if end in ("：", ":"):
        return LABEL_ONLY
    if end[0] in "….":
        return "ends in a cut “……”"
    return f"ends on “{end}”, mid-sentence"


def says_headline(bullet: str, headline: str) -> bool:
    """``bullet`` says nothing its item's ``headline`` does not: it is contained in the
    headline, or the two are near-identical."""
    b, h = comparable_text(bullet), comparable_text(headline)
    return bool(b) and bool(h) and (b in h or similarity(bullet, headline) >= BULLET_AS_HEADLINE)


# --- commentary --------------------------------------------------------------------------


def _commentary_findings(sections: Sequence[Section]) -> Iterator[Finding]:
    """A commentary bullet that repeats a fact bullet of the items it comments on (the
    items of its section since the previous block)."""
    for section in sections:
        facts: list[str] = []
        for entry in section.entries:
            if isinstance(entry, Item):
                facts.extend(b.text for b in entry.bullets if b.text.strip())
            elif isinstance(entry, Insight) and entry.is_commentary:
                for index, bullet in enumerate(entry.bullets):
                    same = next((f for f in facts if repeats_fact(bullet.text, f)), None)
                    if same is not None:
                        yield Finding("error", bullet_line(entry, index), "commentary-repeats-fact",
                                      f"commentary repeats the fact bullet {_quote(same)}: "
                                      "commentary says what the facts mean")
                facts = []


def repeats_fact(commentary: str, fact: str) -> bool:
    return repeats(commentary, fact) or similarity(commentary, fact) >= COMMENTARY_AS_FACT


# --- seo ---------------------------------------------------------------------------------


def seo_findings(seo: object, line: int = 1) -> list[Finding]:
    """The entries of a front matter's ``seo`` list that are not keywords."""
    if not isinstance(seo, list):
        return []
    out = []
    for entry in seo:
        word = str(entry).strip()
        why = ("has punctuation" if _SEO_PUNCT_RE.search(word)
               else f"is {zi_count(word)} 字 (a keyword has at most {SEO_KEYWORD_ZI})"
               if zi_count(word) > SEO_KEYWORD_ZI else "")
        if why:
            out.append(Finding("warning", line, "seo-not-keyword",
                               f"seo entry {_quote(word)} is not a keyword: it {why}"))
    return out


def _quote(text: str, limit: int = 40) -> str:
    return f"“{text if len(text) <= limit else text[:limit] + '…'}”"
