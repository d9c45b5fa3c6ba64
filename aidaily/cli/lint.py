"""``aidaily lint``: format problems in digest files, with line numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aidaily.cli import common
from aidaily.errors import ConfigError, InputTooLarge


def lint(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Digest markdown files.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Report format problems in digest files; exit 1 when any error is found.

    Errors are what breaks or endangers a post (no issue the house published has
    one): front matter missing or unparsable (or refused: YAML anchors, aliases, tags,
    too deep or too long), a required key missing, a bad or mismatched date, a link
    with an empty target or one that is not http(s), a bare [headline](url) line with
    nothing under it, an empty 深度解读 & 洞察 block, an empty summary, raw HTML
    outside the footer, footer HTML other than the house markup. Warnings (exit 0)
    are departures from the house's habits: a summary longer than the issue, the same
    article linked twice, a title outside [digest] title_chars, more fact bullets
    than [digest] fact_bullets (the home's aidaily.toml, given by --home /
    AIDAILY_HOME, else the house figures).
    """
    # deferred: python-frontmatter, PyYAML; `aidaily --help` loads typer alone
    from aidaily.format.files import read_digest
    from aidaily.format.lint import Finding, has_errors, lint_text

    try:
        habits = common.settings(ctx).digest
    except ConfigError as exc:  # linting a file needs no home: say so, lint with the defaults
        typer.echo(f"warning: {exc}; linting with the default [digest] habits", err=True)
        habits = None

    findings: list[Finding] = []
    for path in files:
        try:
            text = read_digest(path)
        except (OSError, UnicodeDecodeError, InputTooLarge) as exc:
            findings.append(Finding("error", 0, "unreadable", str(exc), str(path)))
            continue
        findings.extend(lint_text(text, str(path), habits))
    if as_json:
        typer.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            typer.echo(finding.format(), err=False)
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        typer.echo(f"{len(files)} file(s): {errors} error(s), {warnings} warning(s)")
    raise typer.Exit(1 if has_errors(findings) else 0)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
