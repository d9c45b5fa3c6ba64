"""``aidaily serve``: run the flow every night on the configured schedule.

Serving registers a deployment of its own, ``daily-digest/<name>`` (``--name``, or
``[schedule] deployment`` in ``aidaily.toml``, default ``serve``), and on exit (Ctrl-C,
SIGTERM) Prefect pauses the deployments this process served: that one only. The
``nightly`` deployment belongs to ``prefect.yaml`` and its workers (``prefect deploy
--all``): serve refuses that name, since registering it would replace its entrypoint,
pull steps and schedule, and stopping would pause it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from aidaily.cli.common import console, settings
from aidaily.errors import ConfigError

#: The deployment ``prefect.yaml`` declares for workers; never served.
WORKER_DEPLOYMENT = "nightly"


def build_deployment(conf: Any, name: str | None = None) -> Any:
    """The runner deployment of the nightly flow with the configured cron and zone,
    named ``name`` (default ``conf.schedule.deployment``).

    Raises:
        ConfigError: the name is the workers' deployment (``WORKER_DEPLOYMENT``) or empty.
    """
    name = (name or conf.schedule.deployment).strip()
    if not name or name == WORKER_DEPLOYMENT:
        raise ConfigError(
            f"aidaily serve cannot register the deployment name {name!r}: "
            f"'{WORKER_DEPLOYMENT}' is prefect.yaml's deployment, run by workers (serving it "
            "would replace it and pause it on exit); choose another with --name or "
            "[schedule] deployment in aidaily.toml (default 'serve')")
    # deferred: Prefect, datasketch (numpy, scipy), SQLAlchemy, Pillow; `aidaily --help` loads typer
    # alone
    from prefect.schedules import Cron

    from flows.daily import daily_digest

    return daily_digest.to_deployment(
        name=name,
        schedules=[Cron(conf.schedule.cron, timezone=conf.schedule.timezone)],
        parameters={"home": str(conf.home.resolve())},
        description="The AI 日报 draft for tomorrow, written every night (served by `aidaily serve`).",
        tags=["aidaily"],
    )


def serve(
    ctx: typer.Context,
    cron: Annotated[str | None, typer.Option(help="Cron expression (default from aidaily.toml: 30 23 * * *).")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of the cron (default Asia/Shanghai).")] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Deployment name (default from aidaily.toml [schedule] deployment: "
                     "'serve'); never 'nightly', prefect.yaml's deployment for workers."),
    ] = None,
) -> None:
    """Serve the daily-digest flow with a cron schedule (default 23:30 Asia/Shanghai):
    a long-running process that starts a run every night. Registers its own deployment
    'daily-digest/serve' and pauses only that one when stopped; prefect.yaml's
    'daily-digest/nightly' (workers) is left alone. Needs a Prefect server
    (PREFECT_API_URL) to keep the schedule; see the README."""
    conf = settings(ctx)
    if cron:
        conf.schedule.cron = cron
    if timezone:
        from aidaily.config import known_timezone  # here: config imports pydantic, not CLI start-up

        try:  # the check aidaily.toml's [schedule] timezone gets: a typo must not reach Prefect
            conf.schedule.timezone = known_timezone(timezone)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--timezone'") from None
    deployment = build_deployment(conf, name)
    # deferred: Prefect, Starlette, httpx, PyYAML; `aidaily --help` loads typer alone
    from prefect import serve as prefect_serve

    console(stderr=True).print(
        f"serving '{deployment.flow_name}/{deployment.name}' at '{conf.schedule.cron}' "
        f"({conf.schedule.timezone}), home {conf.home.resolve()}",
        markup=False, highlight=False, soft_wrap=True,
    )
    prefect_serve(deployment)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
