"""Format lint for digest files: what a reader or the blog would trip over.

``lint_text(text, path)`` returns findings with 1-based line numbers. Errors make
``aidaily lint`` exit 1 and block ``aidaily publish``; warnings are softer (exit 0).

Errors are for what breaks or endangers a post, and no issue the house published is
one (tests lint all 208 issues of the archive): front matter missing or unparsable; a
required key missing; ``date`` not a real date or not the file name's date; a link
with an empty target or one that is not http(s) (an in-page ``#anchor`` is fine) in
any layout (story headlines, one-liners, bullets, commentary, front-matter links such
as ``coverImage``, the footer); a bare ``[headline](url)`` line (the seed's layout)
with nothing under it, or a headline line without its link among such lines; a labelled block ("深度解读 & 洞察：") with nothing in it; an
empty ``summary``; a bullet that repeats another of its block; raw HTML outside the
footer; footer HTML that is not house markup (``aidaily.format.links``).

Warnings are departures from the house's habits, which are settings
(``DigestSettings``: title length, fact bullets per story): a recommended key missing,
a summary longer than the issue's stories, a story heading with nothing under it, the
same article linked twice, no 其他动态 list.

And the editorial checks that make an issue read broken (``aidaily.format.editorial``:
same headlines, commentary repeating a fact, datelines, bylines and cut bullets are
errors; seo entries that are no keywords, a warning).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath

from aidaily.config import DigestSettings
from aidaily.errors import DigestParseError
from aidaily.format.digest import Brief, BriefList, Digest, Footer, Insight, Item, Raw, Section
from aidaily.format.editorial import editorial_findings
from aidaily.format.finding import Finding, Severity
from aidaily.format.front_matter import key_line
from aidaily.format.links import footer_problems, is_site_path, markdown_links
from aidaily.format.markup import raw_html
from aidaily.format.outline import outline
from aidaily.format.parse import parse
from aidaily.text import comparable_url, is_http_url, is_site_root, repeats

REQUIRED_KEYS = ("title", "date", "category", "tags")
RECOMMENDED_KEYS = ("summary", "seo", "coverImage")  # the first issues have no summary
PLACEHOLDER_MARK = "【待编辑"

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Front-matter keys that hold links: coverImage, and any *url / *link / *image key.
_LINK_KEY_RE = re.compile(r"(?i)(url|link|image|href|src)$")


def lint_text(text: str, path: str | None = None, habits: DigestSettings | None = None) -> list[Finding]:
    """All findings for one digest text; ``path`` supplies the file-name date, ``habits``
    the house's habits (``[digest]``; its defaults when None)."""
    if habits is None:
        habits = DigestSettings()
    name = str(path or "")
    try:
        digest = parse(text)
    except DigestParseError as exc:
        code = "front-matter-missing" if "missing" in exc.message else "front-matter-invalid"
        return [Finding("error", exc.line or 1, code, exc.message, name)]
    lines = text.split("\n")
    findings = [
        *_front_matter_findings(digest, lines, path, habits),
        *_item_findings(digest, habits),
        *_insight_findings(digest),
        *_link_findings(digest, lines),
        *_html_findings(digest, lines),
        *_footer_findings(digest),
        *_shape_findings(digest),
        *editorial_findings(digest, key_line(lines, "seo")),
    ]
    findings = [Finding(f.severity, f.line, f.code, f.message, name) for f in findings]
    return sorted(findings, key=lambda f: (f.line, f.severity != "error", f.code))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


# Front matter -----------------------------------------------------------------------


def _front_matter_findings(digest: Digest, lines: list[str], path: str | None,
                           habits: DigestSettings) -> list[Finding]:
    fm = digest.front_matter
    out: list[Finding] = []
    for key in REQUIRED_KEYS:
        if not fm.has(key):
            out.append(Finding("error", 1, "missing-key", f"front matter has no '{key}' key"))
    for key in RECOMMENDED_KEYS:
        if not fm.has(key):
            out.append(Finding("warning", 1, "missing-key", f"front matter has no '{key}' key"))
    out += _date_findings(fm.get("date"), key_line(lines, "date"), path, fm.has("date"))
    out += _summary_findings(digest, key_line(lines, "summary"))
    for key in ("tags", "seo"):
        if fm.has(key) and not isinstance(fm.get(key), list):
            out.append(Finding("error", key_line(lines, key), "bad-value", f"'{key}' must be a list"))
    title = fm.get("title")
    if title is not None and not isinstance(title, str):
        # YAML reads `title: 2026` as a number and `title: [a]` as a list: not empty, not text
        out.append(Finding("error", key_line(lines, "title"), "bad-value",
                           f"'title' must be text, not a {_yaml_kind(title)} ({str(title)[:40]}); quote it"))
    elif fm.has("title") and not (title or "").strip():
        out.append(Finding("error", key_line(lines, "title"), "bad-value", "'title' is empty"))
    elif isinstance(title, str) and not habits.title_chars[0] <= len(title) <= habits.title_chars[1]:
        low, high = habits.title_chars
        out.append(Finding("warning", key_line(lines, "title"), "title-length",
                           f"title has {len(title)} characters; the house uses {low}–{high}"))
    if digest.is_draft:
        out.append(Finding("warning", key_line(lines, "draft"), "draft", "draft marker is set"))
    return out


def _yaml_kind(value: object) -> str:
    """What YAML made of a value that is not text, in the words of a front matter's
    author. The house's loader (``front_matter.load_yaml``) makes only text, numbers,
    true/false, null, lists and mappings: it keeps dates as text and refuses tags."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    return "list" if isinstance(value, list) else "mapping"


def _date_findings(value: object, line: int, path: str | None, present: bool) -> list[Finding]:
    if not present:
        return []
    text = str(value) if value is not None else ""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        day = date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        day = None
    if day is None:
        return [Finding("error", line, "bad-date", f"date '{text}' is not a real YYYY-MM-DD date")]
    name_match = _DATE_RE.search(PurePath(path).name) if path else None
    if name_match and name_match.group(0) != text:
        return [
            Finding(
                "error",
                line,
                "date-mismatch",
                f"date {text} does not match the file name's date {name_match.group(0)}",
            )
        ]
    return []


def _summary_findings(digest: Digest, line: int) -> list[Finding]:
    if not digest.front_matter.has("summary"):
        return []
    summary = digest.summary_lines
    if not summary:
        return [Finding("error", line, "empty-summary", "summary is empty")]
    stories = len(outline(digest).all_stories)
    if len(summary) > stories:
        return [Finding("warning", line, "summary-too-long",
                        f"summary has {len(summary)} lines but the issue has only {stories} stories")]
    return []


# Body -------------------------------------------------------------------------------


def _item_findings(digest: Digest, habits: DigestSettings) -> list[Finding]:
    out = [f for item in digest.items for f in _one_item_findings(item, habits)]
    for section in digest.sections:
        seed_layout = any(isinstance(e, Item) and not e.is_heading for e in section.entries)
        for entry in section.entries:
            if seed_layout and isinstance(entry, Raw) and _looks_like_unlinked_item(entry):
                # Among bare "[headline](url)" lines a headline without its link lost it:
                # no issue of the archive has one (unlinked stories are "### headline").
                out.append(Finding("error", entry.line, "item-no-url",
                                   f"item '{entry.lines[0][:40]}' has no [headline](url) link"))
        for entry in section.entries:
            if not isinstance(entry, BriefList):
                continue
            for offset, e in enumerate(entry.entries):
                if isinstance(e, Brief) and not link_target_ok(e.url):
                    out.append(
                        Finding("error", entry.line + offset, "bad-url", f"one-liner link '{e.url}' is not http(s)")
                    )
    return out


def link_target_ok(url: str) -> bool:
    """A link a reader can follow: http(s), or an anchor in the page (``#top``)."""
    return is_http_url(url) or (url.startswith("#") and not any(c.isspace() for c in url))


def _one_item_findings(item: Item, habits: DigestSettings) -> list[Finding]:
    out: list[Finding] = []
    if not item.url.strip():
        out.append(Finding("error", item.line, "item-no-url", f"item '{item.title[:40]}' has no URL"))
    elif not link_target_ok(item.url):
        out.append(
            Finding("error", item.line, "bad-url", f"item URL '{item.url}' is not an http(s) URL")
        )
    facts = [b for b in item.bullets if b.text.strip()]
    has_lead = any(line.strip() for p in item.lead for line in p.lines)
    if not facts and not has_lead and not item.is_heading:
        # The seed's bare "[headline](url)" line stands on its bullets: without them the
        # story is a dangling link (real issues never have one).
        out.append(
            Finding("error", item.line, "item-no-bullets", f"item '{item.title[:40]}' has no fact bullet")
        )
    elif len(facts) > habits.fact_bullets[1]:
        low, high = habits.fact_bullets
        out.append(Finding("warning", item.line, "many-bullets",
                           f"item has {len(facts)} fact bullets (the house: {low}–{high})"))
    return out + _repeat_findings(item)


def _repeat_findings(entry: Item | Insight) -> list[Finding]:
    """A bullet that says again what an earlier bullet of the same block says."""
    out: list[Finding] = []
    for i, bullet in enumerate(entry.bullets):
        for j in range(i):
            if repeats(bullet.text, entry.bullets[j].text):
                out.append(Finding(
                    "error", entry.bullet_line(i), "repeated-bullet",
                    f"bullet repeats bullet {j + 1} of the same block: merge them",
                ))
                break
    return out


def _looks_like_unlinked_item(raw: Raw) -> bool:
    """A headline line without a link, followed by ``- `` bullets. A headline with a link
    whose target is broken (``[title]( )``) is not: the link check reports that target."""
    first, rest = raw.lines[0], raw.lines[1:]
    return (
        bool(rest)
        and not first.lstrip().startswith(("-", "*", ">", "|", "<", "!", "```"))
        and all(line.lstrip().startswith("- ") for line in rest)
        and not markdown_links([first], raw.line)
    )


def _insight_findings(digest: Digest) -> list[Finding]:
    out: list[Finding] = []
    for section in digest.sections:
        for entry in section.entries:
            if not isinstance(entry, Insight):
                continue
            if entry.is_empty:
                out.append(
                    Finding("error", entry.line, "empty-insight", f"'{entry.label}' block has nothing in it")
                )
            elif any(PLACEHOLDER_MARK in t for t in entry.texts):
                out.append(
                    Finding("warning", entry.line, "placeholder", "commentary is still a placeholder for the editor")
                )
            out += _repeat_findings(entry)
    return out


def _link_findings(digest: Digest, lines: list[str]) -> list[Finding]:
    seen: dict[str, int] = {}
    out = [*_front_matter_link_findings(digest, lines), *_markdown_link_findings(digest, lines)]
    for url, line in _links(digest):
        key = comparable_url(url)
        if key not in seen:
            seen[key] = line
            continue
        if is_site_root(url):
            # The series cites digest sites (ai.hubtoday.app) by their front page.
            out.append(
                Finding("warning", line, "duplicate-link", f"site front page {url} linked again (first on line {seen[key]})")
            )
        else:  # the house does it now and then (a story and its one-liner): a habit, not damage
            out.append(
                Finding("warning", line, "duplicate-link", f"{url} is linked twice (first on line {seen[key]})")
            )
    return out


def _markdown_link_findings(digest: Digest, lines: list[str]) -> list[Finding]:
    """Every markdown link of the body, in whatever layout: item headlines the model
    did not recognise (``### [title](url)`` under the headline), links in bullets and
    commentary, one-liners the model did not read, the footer. Links the item and
    one-liner checks already reported on the same line are not reported again."""
    reported = {(line, url) for url, line in _links(digest) if not link_target_ok(url)}
    reported |= {(item.line, "") for item in digest.items}
    start = _body_start(lines)
    out: list[Finding] = []
    for url, line in markdown_links(lines[start - 1 :], start):
        if link_target_ok(url) or (line, url) in reported:
            continue
        reported.add((line, url))
        shown = url[:80] or "(empty)"
        out.append(Finding("error", line, "bad-url", f"link '{shown}' is not an http(s) URL"))
    return out


def _front_matter_link_findings(digest: Digest, lines: list[str]) -> list[Finding]:
    out: list[Finding] = []
    for f in digest.front_matter.fields:
        if not f.key or not _LINK_KEY_RE.search(f.key):
            continue
        values = f.value if isinstance(f.value, list) else [f.value]
        for value in values:
            if isinstance(value, str) and value and not (is_http_url(value) or is_site_path(value)):
                out.append(
                    Finding("error", key_line(lines, f.key), "bad-url",
                            f"'{f.key}' link '{value[:80]}' is neither an http(s) URL nor a /path on the blog")
                )
    return out


def _links(digest: Digest) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = [(n.url, n.line) for n in digest.body if isinstance(n, Item) and n.url]
    for section in digest.sections:
        for entry in section.entries:
            if isinstance(entry, Item) and entry.url:
                out.append((entry.url, entry.line))
            elif isinstance(entry, BriefList):
                for offset, e in enumerate(entry.entries):
                    if isinstance(e, Brief):
                        out.append((e.url, entry.line + offset))
    return out


def _html_findings(digest: Digest, lines: list[str]) -> list[Finding]:
    footer = digest.footer
    footer_start = footer.line if isinstance(footer, Footer) else len(lines) + 1
    body_start = _body_start(lines)
    body = lines[body_start - 1:footer_start - 1]
    return [Finding("error", number, "raw-html", f"raw HTML outside the footer: {snippet}")
            for number, snippet in raw_html(body, body_start)]


def _footer_findings(digest: Digest) -> list[Finding]:
    footer = digest.footer
    if footer is None:
        return []
    first = footer.line + footer.html_gap + 1
    return [Finding("error", line, "footer-html", problem) for line, problem in footer_problems(footer.html, first)]


def _body_start(lines: list[str]) -> int:
    for index in range(1, len(lines)):
        if lines[index] == "---":
            return index + 2
    return 1


def _shape_findings(digest: Digest) -> list[Finding]:
    out: list[Finding] = []
    if digest.title is None:
        out.append(Finding("warning", 1, "no-title", "the body has no '# title' line"))
    if not outline(digest).stories:
        out.append(Finding("warning", 1, "no-story", "the issue has no story"))
    if not any(s.is_other_news for s in digest.sections):
        out.append(Finding("warning", 1, "no-other-news", "no '### 其他动态' section"))
    if digest.footer is None:
        out.append(Finding("warning", 1, "no-footer", "no '---' footer block"))
    sections = digest.sections
    brief_lines = {story.line for story in outline(digest).briefs}
    for k, section in enumerate(sections):
        # "## theme" right above its "### [headline](url)" stories is not empty.
        holds_more = k + 1 < len(sections) and sections[k + 1].level > section.level
        one_liner = section.line in brief_lines  # "### headline" lines under "## 更多动态"
        if not section.entries and not holds_more and not one_liner:
            out.append(Finding("warning", section.line, "empty-section", f"section '{section.heading}' is empty"))
        for entry in section.entries:
            if isinstance(entry, BriefList):
                for offset, e in enumerate(entry.entries):
                    if isinstance(e, Brief) and e.close != "）":
                        out.append(
                            Finding("warning", entry.line + offset, "brief-close", "one-liner closes with ')' instead of '）'")
                        )
    return out


__all__ = ["Finding", "Section", "Severity", "has_errors", "lint_text"]
