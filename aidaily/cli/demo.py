"""``aidaily demo``: the whole job on a day shipped with aidaily, without network."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from aidaily.cli.common import console, default_day, exit_after_run
from aidaily.cli.eval import print_score, score_files
from aidaily.cli.run import run_in_flow, show_report
from aidaily.pipeline.options import RunOptions

DEFAULT_DEMO_HOME = "aidaily-demo"
DEMO_CONFIG = """\
# A demo home made by `aidaily demo`: the day 2026-01-19 served from the pages shipped
# with aidaily. Delete this directory when done; your real home is not touched.
[fetch]
per_host_delay = 0.0
"""


def demo(
    home: Annotated[
        Path, typer.Option("--home", help="The demo's home (made if missing).",
                           show_default=f"./{DEFAULT_DEMO_HOME}"),
    ] = Path(DEFAULT_DEMO_HOME),
    llm: Annotated[str, typer.Option("--llm", help="'auto' (a configured model if OPENAI_API_KEY / "
                                     "OPENAI_BASE_URL are set, else the recorded answers), "
                                     "'replay' (the recorded answers) or 'none' (extractive).")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Try aidaily before configuring it: serves the pages of 2026-01-19 (shipped with
    aidaily) on 127.0.0.1 and runs the whole pipeline over them as a Prefect flow run,
    like `aidaily run`, in a home of its own (./aidaily-demo). Without a configured model
    the model's part is replayed: answers a capable model gave to that day's real prompts,
    shipped with aidaily; fetch, selection, plan checks, assembly, grounding, lint, the
    cover and the review all run for real. Ends with the draft's score against the issue
    the house published that day, and where to read the draft. No network needed."""
    if llm not in ("auto", "replay", "none"):
        raise typer.BadParameter("--llm takes 'auto', 'replay' or 'none'")
    # deferred: pydantic; `aidaily --help` loads typer alone
    from aidaily.config import load_settings
    from aidaily.demo import DEMO_DAY, DEMO_SITES, day_dir, published_issue, replay_file
    from aidaily.ingest.mirror import MirrorServer
    from aidaily.llm.replay import load_book

    home.mkdir(parents=True, exist_ok=True)
    config = home / "aidaily.toml"
    if not config.exists():
        config.write_text(DEMO_CONFIG, encoding="utf-8")
    err = console(stderr=True)
    with MirrorServer(day_dir()) as mirror:
        # The fetcher reaches 127.0.0.1 only through a URL map: the demo's sites map here.
        os.environ["AIDAILY_URL_MAP"] = json.dumps(mirror.url_map(*DEMO_SITES))
        conf = load_settings(home)
        if llm == "replay" or (llm == "auto" and not conf.llm.configured):
            book = load_book(replay_file())
            # the flow run reads its settings from the home and the environment
            os.environ["AIDAILY_LLM_REPLAY"] = str(book.path)
            conf = load_settings(home)
            err.print(f"[yellow]notice:[/] no model configured: the model's answers are replayed "
                      f"({book.describe()}). Set OPENAI_API_KEY / OPENAI_BASE_URL to have your "
                      "model write it.", highlight=False)
        elif llm == "auto" and conf.llm.provider != "replay":
            err.print("demo: the configured model writes the draft", highlight=False)
        err.print(f"demo: the pages of {DEMO_DAY} served at {mirror.base_url}; home {home.resolve()}")
        report = run_in_flow(conf, DEMO_DAY, RunOptions(use_llm=llm != "none"))
    show_report(report, as_json)
    if report.draft:
        draft = Path(report.draft)
        result = score_files(conf, draft, published_issue())
        if result is not None:
            console(stderr=as_json).print(f"\n[bold]Against the issue the house published for "
                                          f"{DEMO_DAY}[/] (aidaily eval):", highlight=False)
            print_score(result, draft, published_issue(), stderr=as_json)
        where = f"--home {home}"
        out = console(stderr=as_json)
        out.print("\n[bold]The draft:[/]", highlight=False)
        # the path on a line of its own, never cut: a reader copies it
        out.print(str(report.draft), markup=False, highlight=False, overflow="ignore", crop=False)
        out.print(f"Review it:        aidaily {where} review {DEMO_DAY}", markup=False, highlight=False)
        out.print(f"The review page:  aidaily {where} web --date {DEMO_DAY}", markup=False, highlight=False)
        out.print(f"The real job:     aidaily run   (tomorrow's issue is {default_day()}; see the README)",
                  markup=False, highlight=False)
    exit_after_run(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
