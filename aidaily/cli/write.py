"""``aidaily write --date D``: the stored articles of D become ``output/drafts/D.md``.

The pipeline from the select stage on (``aidaily.pipeline.stages.run_day`` without the
fetch stage): the same stages, report, review record and exit codes as ``aidaily run``
(``aidaily.exitcodes``: 0 complete; 2 a draft, but the model dropped a story or could not
be reached; 1 no draft). What the checks find is for ``aidaily review``.
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from typing import Annotated

import typer

from aidaily.cli import common as _common
from aidaily.pipeline.options import RunOptions


class LLMChoice(str, Enum):
    auto = "auto"
    none = "none"


def register(app: typer.Typer) -> None:
    app.command("write")(write)


def write(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", "-d", help="Digest date, YYYY-MM-DD.")],
    llm: Annotated[
        LLMChoice,
        typer.Option("--llm", help="auto: the configured model, else extractive; none: extractive."),
    ] = LLMChoice.auto,
    rewrite: Annotated[
        bool, typer.Option("--rewrite", help="Write the draft anew: ask the model again (no cached "
                           "answers). A draft edited by hand stays current (see --replace-edited).")
    ] = False,
    replace_edited: Annotated[
        bool, typer.Option("--replace-edited", help="Make the new draft current even over a draft "
                           "edited by hand (whose text is kept as a version).")
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for another run of the same date "
                            "(default: refuse).")
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Write the draft of one date from its stored articles (model or extractive)."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    import asyncio

    from aidaily.pipeline.stages import run_day

    the_day = date.fromisoformat(_common.parse_day(day))
    settings = _common.settings(ctx)
    options = RunOptions(fetch=False, use_llm=llm is LLMChoice.auto, rewrite=rewrite,
                         replace_edited=replace_edited, lock_wait=wait)
    err = _common.console(stderr=True)
    report = asyncio.run(run_day(settings, the_day, options,
                                 say=lambda m: err.print(m, markup=False, highlight=False)))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _common.print_report(report)
    _common.exit_after_run(report.exit_code)
