"""``aidaily prompt STEP --date D [--story ID]``: print a step's rendered messages.

For whoever iterates on ``prompts/`` against a real model: the exact system and user
messages the editor would send for the stored articles of D, without calling anything.
``write`` and ``brief`` need ``--story`` (an id from ``aidaily prompt plan``); ``finalize``
is shown with the extractive plan and items standing in for the model's.
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from aidaily.cli import common as _common
from aidaily.cli.common import parse_day


class Step(str, Enum):
    plan = "plan"
    write = "write"
    brief = "brief"
    finalize = "finalize"


def register(app: typer.Typer) -> None:
    app.command("prompt")(prompt)


def prompt(
    ctx: typer.Context,
    step: Annotated[Step, typer.Argument(help="plan | write | brief | finalize")],
    day: Annotated[str, typer.Option("--date", "-d", help="Digest date, YYYY-MM-DD.")],
    story: Annotated[
        str | None, typer.Option("--story", help="Story id (write / brief).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the messages as JSON.")] = False,
) -> None:
    """Print the messages of one editor step for a date, as the model would get them."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    from aidaily.pipeline.stages import select_stories

    settings = _common.settings(ctx)
    the_day = date.fromisoformat(parse_day(day))
    stories = select_stories(settings, the_day).stories
    if not stories:
        typer.echo(f"error: no stored AI articles for {day}", err=True)
        raise typer.Exit(1)
    msgs = step_messages(step.value, the_day, stories, settings, story)
    if as_json:
        typer.echo(json.dumps(msgs, ensure_ascii=False, indent=2))
        return
    # deferred: aidaily.llm.budget; `aidaily --help` loads typer alone
    from aidaily.llm.budget import messages_tokens

    for m in msgs:
        typer.echo(f"===== {m['role']} =====")
        typer.echo(m["content"])
    typer.echo(f"===== ~{messages_tokens(msgs)} prompt tokens (estimate) =====")


def step_messages(
    step: str, day: date, stories: list[Any], settings: Any, story_id: str | None
) -> list[dict[str, str]]:
    # deferred: jinja2; `aidaily --help` loads typer alone
    from aidaily.editor import prompting
    from aidaily.editor.extractive import extractive_plan, extractive_written

    if step == "plan":
        # deferred: SQLAlchemy, jinja2; `aidaily --help` loads typer alone
        from aidaily.editor.plan import plan_messages
        from aidaily.memory.issues import recent_issues

        return plan_messages(day, stories, settings, recent=recent_issues(settings, day).issues)[1]
    by_id = {s.id: s for s in stories}
    if step == "finalize":
        plan = extractive_plan(stories, settings)
        written = extractive_written(plan, by_id)
        items = {sid: (t.headline, t.facts) for sid, t in written.items.items()}
        briefs = [written.briefs[sid] for sid in plan.other_ids]
        return prompting.build_finalize_messages(plan, items, briefs, settings, day=day)
    if story_id is None or story_id not in by_id:
        known = ", ".join(s.id for s in stories[:10])
        raise typer.BadParameter(f"--story must be one of the day's story ids ({known}, …)")
    if step == "brief":
        return prompting.build_brief_messages(by_id[story_id], settings)
    return prompting.build_write_messages(by_id[story_id], settings, mode="story")
