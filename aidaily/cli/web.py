"""``aidaily web``: the review page in a browser (``aidaily review D --web`` too)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from aidaily.cli.common import console, parse_day, settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8710
#: The shortest access token accepted: a guessable token guards nothing.
MIN_TOKEN_CHARS = 16
TOKEN_HINT = "e.g. --token \"$(python -c 'import secrets; print(secrets.token_urlsafe(24))')\""


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def web(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="Open this date's draft (YYYY-MM-DD).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind; any non-loopback address needs --token.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on (1-65535).")] = DEFAULT_PORT,
    token: Annotated[
        str | None,
        typer.Option(envvar="AIDAILY_WEB_TOKEN", help="Access token every request must carry, "
                     f"at least {MIN_TOKEN_CHARS} characters (required unless bound to loopback).",
                     show_default=False),
    ] = None,
) -> None:
    """Serve the review page: drafts by date, each draft rendered as the blog shows it
    with its fact bullets marked by the grounding check and their sources one click away,
    lint and the run report, editing with live lint, regenerate a story, publish."""
    serve_web(ctx, day=parse_day(day) if day else None, port=port, host=host, token=token)


def serve_web(ctx: typer.Context, day: str | None = None, port: int | None = None, *,
              host: str = DEFAULT_HOST, token: str | None = None) -> None:
    """Run the review app with uvicorn until interrupted.

    Raises:
        typer.BadParameter: the port is out of range, or the token is missing (on an
            address beyond loopback) or too short.
    """
    port = DEFAULT_PORT if port is None else port
    if not 1 <= port <= 65535:
        raise typer.BadParameter(f"{port} is not a port (1-65535)", param_hint="--port")
    if not is_loopback(host) and not token:
        raise typer.BadParameter(
            f"binding {host} exposes the drafts beyond this machine: pass --token "
            f"(or set AIDAILY_WEB_TOKEN), {TOKEN_HINT}", param_hint="--token")
    if token is not None and len(token.strip()) < MIN_TOKEN_CHARS:
        raise typer.BadParameter(
            f"the token is too easy to guess: use at least {MIN_TOKEN_CHARS} characters, "
            f"{TOKEN_HINT}", param_hint="--token")
    # deferred: Starlette, uvicorn, jinja2; `aidaily --help` loads typer alone
    import uvicorn

    from aidaily.review.web.app import create_app
    from aidaily.review.web.guard import base_path

    app = create_app(settings(ctx), token=token, allowed_hosts={host}, default_day=day)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    root = base_path(token) if token else ""  # the token's cookie is scoped to it
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}{root}/" + (f"d/{day}" if day else "")
    if token:
        url += f"?token={token}"
    console().print(f"review page: [bold]{url}[/]  (Ctrl-C to stop)")
    # ``Guard`` is an ASGI 3 app: said, not guessed from the signature of its ``__call__``.
    uvicorn.run(app, host=host, port=port, log_level="warning", interface="asgi3")


def register(app: typer.Typer) -> None:
    app.command("web")(web)
