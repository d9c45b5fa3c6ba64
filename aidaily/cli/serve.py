"""``aidaily serve``: run the flow every night on the configured schedule."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from aidaily.cli.common import console, settings

DEPLOYMENT_NAME = "nightly"


def build_deployment(conf: Any, name: str = DEPLOYMENT_NAME) -> Any:
    """The runner deployment of the nightly flow with the configured cron and zone."""
    from prefect.schedules import Cron

    from flows.daily import daily_digest

    return daily_digest.to_deployment(
        name=name,
        schedules=[Cron(conf.schedule.cron, timezone=conf.schedule.timezone)],
        parameters={"home": str(conf.home.resolve())},
        description="The AI 日报 draft for tomorrow, written every night.",
        tags=["aidaily"],
    )


def serve(
    ctx: typer.Context,
    cron: Annotated[str | None, typer.Option(help="Cron expression (default from aidaily.toml: 30 23 * * *).")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of the cron (default Asia/Shanghai).")] = None,
) -> None:
    """Serve the daily-digest flow with a cron schedule (default 23:30 Asia/Shanghai):
    a long-running process that starts a run every night. Needs a Prefect server
    (PREFECT_API_URL) to keep the schedule; see the README for prefect.yaml and cron."""
    conf = settings(ctx)
    if cron:
        conf.schedule.cron = cron
    if timezone:
        conf.schedule.timezone = timezone
    from prefect import serve as prefect_serve

    deployment = build_deployment(conf)
    console(stderr=True).print(
        f"serving '{deployment.flow_name}/{deployment.name}' at '{conf.schedule.cron}' ({conf.schedule.timezone})"
    )
    prefect_serve(deployment)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
