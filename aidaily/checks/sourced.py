"""Editorial checks that need the items' sources: what only the articles can tell.

    commentary-unsourced-name  (warning) a "深度解读 & 洞察" bullet names a company or
                               product that none of the sources of the items it comments
                               on names: the write prompt forbids bringing such names in,
                               and a model comparing across stories does it anyway; the
                               editor decides (a comparison can be fair)
    lead-in-as-fact            (error) a fact bullet that is one of the lines at the top
                               of its source that are no sentence of the news
                               (``lead_in_lines``: a subtitle, a teaser, a label before
                               the first sentence of news), presented as a fact

Text-only checks live in ``aidaily.format.editorial`` (run by ``lint_text``). These run
where the sources are at hand, with the grounding check: at write time
(``editor.draft.check``), in ``aidaily review``, on the review page and in the publish
gate (``review.report.build_review``), through ``sourced_findings``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from aidaily.checks.entities import entity_kind
from aidaily.checks.grounding import ItemSources, missing_names
from aidaily.format.digest import Insight, Item
from aidaily.format.editorial import LEAD_IN_RE, bullet_line, carries_name_or_number, is_lead_in
from aidaily.format.finding import Finding
from aidaily.text import comparable_text, similarity

if TYPE_CHECKING:
    from aidaily.format.digest import Digest, Section

__all__ = ["LEAD_IN_MATCH", "lead_in_lines", "sourced_findings", "unsourced_names"]

#: A fact bullet this similar to a lead-in line of its source is that line.
LEAD_IN_MATCH = 0.8
_MIN_CHARS = 4  # a shorter line ("图 1") is not worth matching


def sourced_findings(digest: Digest, sources: ItemSources) -> list[Finding]:
    """The findings of both checks on ``digest`` (parsed from the file, so lines are
    the file's), in line order."""
    found = [*_lead_in_findings(digest.items, sources),
             *(f for s in digest.sections for f in _commentary_findings(s, sources))]
    return sorted(found, key=lambda f: f.line)


def unsourced_names(bullet: str, source_text: str) -> list[str]:
    """Companies and products ``bullet`` names that ``source_text`` does not: known
    companies and products, and Latin names that look like one ("FastRender", "Llama 4").
    People are left out (commentary may name who said what the sources report), and so
    are the business words commentary uses (a capable model's "ROI", "To C"): an unknown
    all-capital word of up to 4 letters, or a word of fewer than 3 letters."""
    return [n for n in missing_names(bullet, source_text) if _names_a_company_or_product(n)]


def _names_a_company_or_product(name: str) -> bool:
    kind = entity_kind(name)
    if kind is not None:
        return kind != "person"
    letters = "".join(ch for ch in name if ch.isalpha())
    return len(letters) >= 3 and not (letters.isupper() and len(letters) <= 4)


def _commentary_findings(section: Section, sources: ItemSources) -> Iterator[Finding]:
    """Each commentary block against the items it follows (those since the last block)."""
    covered: list[Item] = []
    for entry in section.entries:
        if isinstance(entry, Item):
            covered.append(entry)
        elif isinstance(entry, Insight) and entry.is_commentary:
            text = _sources_text(covered, sources)
            if text is not None:
                for index, bullet in enumerate(entry.bullets):
                    names = unsourced_names(bullet.text, text)
                    if names:
                        yield Finding("warning", bullet_line(entry, index), "commentary-unsourced-name",
                                      f"commentary names {', '.join(names)}, which no source of "
                                      "its stories names: keep it only if the comparison is fair")
            covered = []


def _sources_text(items: Sequence[Item], sources: ItemSources) -> str | None:
    """The joined source text of ``items`` (None when one of them has no source: what
    the commentary may name cannot then be told)."""
    texts = []
    for item in items:
        found = sources.text_for(item.url)
        if found is None:
            return None
        texts.append(found[1])
    return "\n".join(texts) if texts else None


def lead_in_lines(text: str) -> list[str]:
    """The lines at the top of an article's ``text`` that are no sentence of its news
    (``is_lead_in``), up to its first sentence of news; of those, a short line without a
    sentence end counts only when it carries no number and no Latin name (a subtitle such
    as "一个策略同时管好手、臂和腿"; a digest site's "OpenAI 发布 Open Responses" is news)."""
    out = []
    for line in (ln.strip() for ln in text.split("\n")):
        if not line:
            continue
        if not is_lead_in(line):
            break
        if len(comparable_text(line)) >= _MIN_CHARS and (
                LEAD_IN_RE.search(line) or line.endswith(("：", ":")) or not carries_name_or_number(line)):
            out.append(line)
    return out


def _lead_in_findings(items: Sequence[Item], sources: ItemSources) -> Iterator[Finding]:
    for item in items:
        lead_ins = [line for a in sources.articles_for(item.url) for line in lead_in_lines(a.text)]
        for index, bullet in enumerate(item.bullets):
            same = next((line for line in lead_ins if _is_line(bullet.text, line)), None)
            if same is not None:
                yield Finding("error", bullet_line(item, index), "lead-in-as-fact",
                              f"fact bullet is the source's line “{same[:40]}”, a subtitle, heading "
                              "or teaser of the page, not a fact of the news")


def _is_line(bullet: str, line: str) -> bool:
    if LEAD_IN_RE.search(bullet):
        return False  # a byline: lint_text reports it already, under the same code
    said = comparable_text(bullet)
    return bool(said) and (said == comparable_text(line) or similarity(bullet, line) >= LEAD_IN_MATCH)
