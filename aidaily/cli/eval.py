"""``aidaily eval DRAFT REFERENCE``: how close a draft is to a published issue.

The score (``aidaily.checks.quality``): story recall and precision, the issue's shape
against the house figures, placeholders left, and the grounding rate of the draft's
fact bullets. The grounding needs the day's stored articles: they are read from the
home given by ``--home`` / ``AIDAILY_HOME``, or else from the home the draft lives in
(``HOME/output/drafts/D.md``); without a store the rate is reported as unknown.

Exit 0 with a score; 1 when a file cannot be read as a digest or holds no story.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aidaily.cli import common as _common
from aidaily.errors import DigestParseError, InputTooLarge, StoreError

if TYPE_CHECKING:
    from aidaily.checks.grounding import ItemSources
    from aidaily.checks.quality import QualityScore
    from aidaily.config import Settings
    from aidaily.format.digest import Digest


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


def evaluate(
    ctx: typer.Context,
    draft: Annotated[Path, typer.Argument(help="The draft (a digest markdown file).", show_default=False)],
    reference: Annotated[
        Path, typer.Argument(help="The published issue to compare with.", show_default=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the score as JSON.")] = False,
) -> None:
    """Score DRAFT against REFERENCE, an issue an editor published.

    Story recall / precision (the same story: the same article linked, or a
    near-duplicate headline), sections and story counts, bullet lengths against the
    house style, commentary blocks ending with a reader address (对…：), placeholders
    left, and the share of fact bullets grounded in the stored sources (unknown without
    a store). Exit 1 when a file is not a digest or has no story to compare.
    """
    result = score_files(_settings(ctx, draft), draft, reference)
    if result is None:
        raise typer.Exit(1)
    if as_json:
        payload = {"draft": str(draft), "reference": str(reference), **result.to_dict()}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print_score(result, draft, reference)


def score_files(settings: Settings | None, draft: Path, reference: Path) -> QualityScore | None:
    """The score of the file ``draft`` against ``reference``, grounded from the store of
    ``settings`` (None: grounding unknown); None, after saying why, when a file is not a
    digest with stories. ``aidaily eval`` and ``aidaily demo`` both call it."""
    # deferred: python-frontmatter, PyYAML; `aidaily --help` loads typer alone
    from aidaily.checks.grounding import ground_digest
    from aidaily.checks.quality import grounding_of, score

    mine, theirs = _load(draft), _load(reference)  # both, so that both errors are said
    if mine is None or theirs is None:
        return None
    (draft_text, draft_digest), (ref_text, ref_digest) = mine, theirs
    sources, unknown = _sources(settings, draft_digest)
    if sources is None:
        grounding = grounding_of(None, unknown)
    else:
        grounding = grounding_of(ground_digest(draft_digest, sources))
    return score(draft_digest, ref_digest, draft_text=draft_text, reference_text=ref_text,
                 settings=settings.digest if settings else None, grounding=grounding,
                 story_of=sources.story_of if sources is not None else None)


def _load(path: Path) -> tuple[str, Digest] | None:
    """The text and digest of ``path``; None (after saying why) when it is not one."""
    # deferred: python-frontmatter, PyYAML; `aidaily --help` loads typer alone
    from aidaily.checks.quality import stories_of
    from aidaily.format.files import read_digest
    from aidaily.format.parse import parse

    try:
        text = read_digest(path)
        digest = parse(text)
    except (OSError, UnicodeDecodeError, DigestParseError, InputTooLarge) as exc:
        typer.echo(f"error: {path}: {exc}", err=True)
        return None
    if not digest.front_matter.has("date"):
        # Every issue of the series (and every draft) is dated; a page without a date
        # (someone else's digest, a README) would only give counts that mean nothing.
        typer.echo(f"error: {path}: no story to compare: not an issue of the series "
                   "(its front matter has no date)", err=True)
        return None
    if not stories_of(digest):
        typer.echo(f"error: {path}: no story to compare: no story heading, [headline](url) "
                   "line or 其他动态 line in any layout of the house", err=True)
        return None
    return text, digest


def _settings(ctx: typer.Context, draft: Path) -> Settings | None:
    """The settings of the home whose store grounds the draft: ``--home`` (or
    ``AIDAILY_HOME``), else the home the draft lives in; None when neither is known."""
    # deferred: pydantic; `aidaily --help` loads typer alone
    from aidaily.config import load_settings

    given = (ctx.obj or {}).get("home") if ctx is not None else None
    if given is not None:
        return _common.settings(ctx)
    place = draft.resolve().parent
    if place.name == "drafts" and place.parent.name == "output":
        return load_settings(place.parent.parent)
    return None


def _draft_day(digest: Digest) -> date | None:
    value = digest.front_matter.get("date")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def _sources(settings: Settings | None, digest: Digest) -> tuple[ItemSources | None, str]:
    """The stored articles of the draft's date (what grounds its bullets and tells which
    links are one story), or None and why they are unknown."""
    if settings is None:
        return None, "no home given (--home): sources unknown"
    if settings.db_url is None and not (settings.home / "aidaily.db").is_file():
        return None, f"no store in {settings.home}: sources unknown"
    day = _draft_day(digest)
    if day is None:
        return None, "the draft's front matter has no valid date: sources unknown"
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    from aidaily.store.store import Store, day_sources

    try:
        sources = day_sources(settings, day, Store.from_settings(settings))
    except StoreError as exc:
        return None, f"the store cannot be read ({exc}): sources unknown"
    if not sources.article_count:
        return None, f"no stored articles for {day.isoformat()}: sources unknown"
    return sources, ""


def _percent(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def _figure(value: float | None, share: bool = False) -> str:
    if value is None:
        return "—"
    if share:
        return f"{value:.0%}"
    return f"{value:g}" if isinstance(value, int) or value.is_integer() else f"{value:.2f}"


def print_score(result: QualityScore, draft: Path, reference: Path, *, stderr: bool = False) -> None:
    """The score as tables: stories, grounding, the shape, the stories missed and extra."""
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.markup import escape
    from rich.table import Table

    out = _common.console(stderr=stderr)
    stories = Table(show_header=False, title=f"{escape(draft.name)} vs {escape(reference.name)}")
    stories.add_row("story recall", _percent(result.story_recall),
                    f"{len(result.matches)} of the reference's {result.reference_stories} stories")
    stories.add_row("story precision", _percent(result.story_precision),
                    f"{len(result.matches)} of the draft's {result.draft_stories} stories")
    stories.add_row("grounding rate", _percent(result.grounding.rate),
                    escape(result.grounding.note or f"{result.grounding.grounded} of "
                           f"{result.grounding.checked} fact bullets"))
    out.print(stories)
    shape = Table("measure", "draft", "reference", "house", "ok", title="Shape")
    for m in result.measures:
        target = "—" if m.target is None else (
            _figure(m.target[0], m.share) if m.target[0] == m.target[1]
            else f"{_figure(m.target[0], m.share)}–{_figure(m.target[1], m.share)}")
        ok = {True: "[green]yes[/]", False: "[red]no[/]", None: "—"}[m.ok]
        shape.add_row(escape(m.label), _figure(m.draft, m.share), _figure(m.reference, m.share),
                      target, ok)
    out.print(shape)
    for story in result.missed:
        out.print(f"[yellow]missed[/] {escape(story.title)} (reference line {story.line})")
    for story in result.extra:
        out.print(f"[cyan]extra[/]  {escape(story.title)} (draft line {story.line})")
