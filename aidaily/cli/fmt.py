"""``aidaily fmt``: re-render digest files in the house format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aidaily.errors import DigestParseError, InputTooLarge


def fmt(
    files: Annotated[list[Path], typer.Argument(help="Digest markdown files.", show_default=False)],
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 and list the files that would change."),
    ] = False,
    canonical: Annotated[
        bool,
        typer.Option(
            "--canonical",
            help="Also normalise to the strict house layout: house quoting of front-matter "
            "values, one blank line between blocks, '）' after one-liner links, LF, no BOM.",
        ),
    ] = False,
) -> None:
    """Re-render digest files in place in the house format.

    The renderer is the exact inverse of the parser, so by default a file is left byte
    for byte as it is: fmt then proves the file reads as a digest. With --canonical the
    layout is normalised to the reference's (content is never changed). Files that are not digests (no front matter,
    invalid YAML) are reported and make the command exit 1.
    """
    # deferred: python-frontmatter, PyYAML; `aidaily --help` loads typer alone
    from aidaily.atomic import atomic_write_text
    from aidaily.format.files import read_digest
    from aidaily.format.parse import parse
    from aidaily.format.render import canonical as to_canonical
    from aidaily.format.render import render

    changed: list[Path] = []
    failed: list[Path] = []
    for path in files:
        try:
            text = read_digest(path)
            digest = parse(text)
            rendered = render(to_canonical(digest) if canonical else digest)
        except (OSError, UnicodeDecodeError, DigestParseError, InputTooLarge) as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            failed.append(path)
            continue
        if rendered == text:
            continue
        changed.append(path)
        if check:
            typer.echo(f"would reformat {path}")
        else:
            atomic_write_text(path, rendered)
            typer.echo(f"reformatted {path}")
    if failed:
        formatted = len(files) - len(failed) - len(changed)
        done = "would be reformatted" if check else "reformatted"
        typer.echo(f"{len(files)} file(s): {len(failed)} error(s) (could not be parsed), "
                   f"{len(changed)} {done}, {formatted} already formatted")
    elif check and not changed:
        typer.echo(f"{len(files)} file(s) already formatted")
    raise typer.Exit(1 if failed or (check and changed) else 0)


def register(app: typer.Typer) -> None:
    app.command("fmt")(fmt)
