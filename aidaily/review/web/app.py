"""The review page: a small Starlette app over one aidaily home.

    GET  /                          drafts by date with their state
    GET  /d/{day}                   the draft as the blog shows it, bullets marked by grounding,
                                    side panel: blockers, lint, run report, publish
    GET  /d/{day}/source?line=N     fragment: the bullet's source, nearest sentence marked
    GET  /d/{day}/edit              the markdown in a textarea, live lint beside it
    POST /d/{day}/lint              JSON lint findings of the posted text (the live re-lint)
    POST /d/{day}/save              the text becomes the current draft (a new version)
    POST /d/{day}/regenerate        the story at ``line`` written anew by the model
    POST /d/{day}/publish           ``publish_draft``: the CLI's gate; blockers shown on refusal

Security: ``guard.Guard`` in front of everything (host check, token, CSRF tokens the
server signs plus a same-origin check on every POST, body limit, CSP and other headers).
Templates autoescape; markdown-it runs with HTML disabled and links only http(s) URLs;
every ``href`` a template builds from data goes through the ``http_url`` filter.

Untrusted text never blocks the server: lint and every parse of posted text run in the
thread pool, and a posted draft is at most ``edits.MAX_TEXT`` characters. A draft that
cannot be read or parsed (``AidailyError``) answers a page that says so (``problem.html``),
not a 500; the list of drafts marks such a draft and still lists the others.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aidaily.errors import AidailyError, PublishError
from aidaily.review.record import read_record, record_path
from aidaily.review.web.edits import (
    MAX_TEXT,
    EditConflict,
    NoDraft,
    TextTooLarge,
    regenerate_story,
    save_edit,
)
from aidaily.review.web.guard import LOOPBACK_HOSTS, Guard, TokenThrottle
from aidaily.review.web.view import draft_list, draft_state, http_url, render_draft, source_view
from aidaily.store.drafts import Drafts, text_hash
from aidaily.stories.dedup import weak_pair
from aidaily.stories.window import check_day

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from aidaily.config import Settings
    from aidaily.format.lint import Finding

HERE = Path(__file__).resolve().parent
DONE_MESSAGES = {
    "saved": "Saved: the text is now the current draft (a new version).",
    "unchanged": "Nothing to save: the text is the current draft.",
    "published": "Published.",
    "regenerated": "The story was regenerated and saved as a new version.",
}


def create_app(settings: Settings, token: str | None = None, *,
               allowed_hosts: set[str] | None = None, default_day: str | None = None,
               throttle: TokenThrottle | None = None) -> ASGIApp:
    """The review app over ``settings.home``; with ``token`` every request must carry it.

    ``allowed_hosts``: Host header names accepted besides the loopback names (the
    address ``aidaily web --host`` binds). ``throttle``: how wrong tokens slow a client
    down (``guard.TokenThrottle``'s defaults when None).
    """
    pages = Pages(settings, default_day)
    routes = [
        Route("/", pages.index),
        Route("/d/{day}", pages.draft),
        Route("/d/{day}/source", pages.source),
        Route("/d/{day}/edit", pages.edit),
        Route("/d/{day}/lint", pages.lint, methods=["POST"]),
        Route("/d/{day}/save", pages.save, methods=["POST"]),
        Route("/d/{day}/regenerate", pages.regenerate, methods=["POST"]),
        Route("/d/{day}/publish", pages.publish, methods=["POST"]),
        Route("/healthz", lambda _r: PlainTextResponse("ok")),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={AidailyError: pages.problem})
    return Guard(app, token=token, allowed_hosts=(allowed_hosts or set()) | LOOPBACK_HOSTS,
                 throttle=throttle)


def root_of(request: Request) -> str:
    """The base path the page is served under ("" or the token's unguessable path):
    every link, form and redirect starts with it."""
    return str(request.scope.get("root_path", ""))


async def form_data(request: Request) -> dict[str, str]:
    """The url-encoded form of ``request`` (first value per field; no multipart), parsed
    in the thread pool."""
    return await run_in_threadpool(_form_fields, await request.body())


def _form_fields(body: bytes) -> dict[str, str]:
    text = body.decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _json_text(body: bytes) -> str | None:
    """``text`` of a JSON object body (None: not such a body)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return str(data.get("text", "")) if isinstance(data, dict) else None


def lint_findings(text: str, name: str) -> list[Finding]:
    """``lint_text`` (looked up at call time): run in the thread pool, never on the loop."""
    # deferred: python-frontmatter, PyYAML, only when this runs (`aidaily web` loads the module)
    from aidaily.format.lint import lint_text

    return lint_text(text, name)


# --- pages ---------------------------------------------------------------------------------


class Pages:
    def __init__(self, settings: Settings, default_day: str | None) -> None:
        self.settings = settings
        self.default_day = default_day
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["http_url"] = http_url  # every href built from data goes through it
        self._store: Any = None

    # helpers ---------------------------------------------------------------------------
    def store(self) -> Any:
        # deferred: SQLAlchemy, only when this runs (`aidaily web` loads the module)
        from aidaily.store.store import Store

        if self._store is None:
            self._store = Store.from_settings(self.settings)
        return self._store

    def sources(self, day: str) -> Any:
        """The day's grounding sources (``store.store.day_sources``: the one definition)."""
        # deferred: SQLAlchemy, only when this runs (`aidaily web` loads the module)
        from aidaily.store.store import day_sources

        return day_sources(self.settings, date.fromisoformat(day), self.store(), weak_pair)

    def current(self, day: str) -> str | None:
        """The current draft of ``day`` (``DraftReadError`` when it cannot be read)."""
        return Drafts(self.settings.drafts_dir).read_current(day)

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("csrf", request.state.csrf)
        values.setdefault("root", root_of(request))
        html = self.env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status)

    async def problem(self, request: Request, exc: Exception) -> Response:
        """Any ``AidailyError`` a page meets (a draft that is not UTF-8 or does not parse,
        the store refusing): a page that says what is wrong, never a 500."""
        day = request.path_params.get("day", "")
        return self.page(request, "problem.html", 422, day=day, problem=str(exc),
                         kind=type(exc).__name__)

    @staticmethod
    def day_of(request: Request) -> str:
        """The ``{day}`` of the path, a date a digest can have (``window.check_day``: a
        draft file dated year 1 is listed but not shown); 404 otherwise."""
        value = request.path_params["day"]
        try:
            return check_day(date.fromisoformat(value)).isoformat()
        except ValueError as exc:
            raise HTTPException(404, f"not a digest date: {value} ({exc})") from None

    # GET -------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        entries = await run_in_threadpool(draft_list, self.settings)
        return self.page(request, "index.html", entries=entries, home=str(self.settings.home),
                         default_day=self.default_day)

    async def draft(self, request: Request, *, status: int = 200, error: str | None = None,
                    blockers: list[str] | None = None) -> Response:
        day = self.day_of(request)
        data = await run_in_threadpool(self._draft_data, day)
        if data is None:
            return self.page(request, "missing.html", 404, day=day)
        done = DONE_MESSAGES.get(request.query_params.get("done", ""))
        return self.page(request, "draft.html", status, day=day, done=done, error=error,
                         refused=blockers, **data)

    def _draft_data(self, day: str) -> dict[str, Any] | None:
        # deferred: SQLAlchemy, only when this runs (`aidaily web` loads the module)
        from aidaily.review.report import build_review

        text = self.current(day)
        if text is None:
            return None
        report = build_review(self.settings, date.fromisoformat(day), store=self.store())
        record = read_record(record_path(self.settings, day)) or {}
        return {
            "rendered": render_draft(text, report.flags),
            "report": report,
            "record": record,
            "sources": _source_rows(record.get("sources") or {}),
            "state": draft_state(self.settings, day),
        }

    async def source(self, request: Request) -> Response:
        day = self.day_of(request)
        try:
            line = int(request.query_params.get("line", ""))
        except ValueError:
            return PlainTextResponse("line must be a number", status_code=400)
        text = await run_in_threadpool(self.current, day)
        if text is None:
            return PlainTextResponse("no draft", status_code=404)
        sources = await run_in_threadpool(self.sources, day)
        view = await run_in_threadpool(source_view, text, line, sources)
        return self.page(request, "_source.html", day=day, view=view)

    async def edit(self, request: Request, *, text: str | None = None, base: str | None = None,
                   status: int = 200, error: str | None = None) -> Response:
        day = self.day_of(request)
        current = await run_in_threadpool(self.current, day)
        if current is None:
            return self.page(request, "missing.html", 404, day=day)
        text = current if text is None else text
        findings = (await run_in_threadpool(lint_findings, text, f"{day}.md")
                    if len(text) <= MAX_TEXT else [])
        return self.page(request, "edit.html", status, day=day, text=text,
                         base=base or text_hash(current), findings=findings, error=error)

    # POST ------------------------------------------------------------------------------
    async def lint(self, request: Request) -> Response:
        day = self.day_of(request)
        if request.headers.get("content-type", "").startswith("application/json"):
            text = await run_in_threadpool(_json_text, await request.body())
            if text is None:
                return JSONResponse({"error": "expected {\"text\": ...}"}, status_code=400)
        else:
            text = (await form_data(request)).get("text", "")
        if len(text) > MAX_TEXT:
            return JSONResponse({"error": str(TextTooLarge(len(text)))}, status_code=413)
        findings = await run_in_threadpool(lint_findings, text.replace("\r\n", "\n"), f"{day}.md")
        return JSONResponse({
            "errors": sum(f.severity == "error" for f in findings),
            "findings": [f.to_dict() for f in findings],
        })

    async def save(self, request: Request) -> Response:
        day = self.day_of(request)
        form = await form_data(request)
        text = form.get("text", "")
        try:
            saved = await run_in_threadpool(save_edit, self.settings, day, text,
                                            base_sha256=form.get("base") or None)
        except NoDraft:
            return self.page(request, "missing.html", 404, day=day)
        except TextTooLarge as exc:
            return await self.edit(request, text=text, base=form.get("base"), status=413, error=str(exc))
        except EditConflict as exc:
            return await self.edit(request, text=text, base=form.get("base"), status=409, error=str(exc))
        return RedirectResponse(root_of(request) + f"/d/{day}?done={'unchanged' if saved.unchanged else 'saved'}", 303)

    async def regenerate(self, request: Request) -> Response:
        # deferred: SQLAlchemy, httpx2, only when this runs (`aidaily web` loads the module)
        from aidaily.llm.client import LLMClient

        day = self.day_of(request)
        form = await form_data(request)
        text = await run_in_threadpool(self.current, day)
        if text is None:
            return self.page(request, "missing.html", 404, day=day)
        try:
            line = int(form.get("line", ""))
            sources = await run_in_threadpool(self.sources, day)
            async with LLMClient(self.settings.llm, db_url=self.settings.database_url,
                                 run_id=f"web-{day}") as llm:
                done = await regenerate_story(self.settings, day, text, line, sources, llm)
            await run_in_threadpool(save_edit, self.settings, day, done.text,
                                    base_sha256=text_hash(text))
        except ValueError:
            return await self.draft(request, status=400, error="regenerate: no line given")
        except AidailyError as exc:
            return await self.draft(request, status=409, error=f"regenerate failed: {exc}")
        return RedirectResponse(root_of(request) + f"/d/{day}?done=regenerated", 303)

    async def publish(self, request: Request) -> Response:
        # deferred: SQLAlchemy, only when this runs (`aidaily web` loads the module)
        from aidaily.review.publish import publish_draft

        day = self.day_of(request)
        form = await form_data(request)
        force = form.get("force") == "1"
        try:
            await run_in_threadpool(publish_draft, self.settings, date.fromisoformat(day), force=force,
                                    by=f"{_who()} (web)", store=self.store())
        except PublishError as exc:
            lines = str(exc).split("\n")
            return await self.draft(request, status=409, error=lines[0].rstrip(":"),
                                    blockers=[ln.strip() for ln in lines[1:] if ln.strip()])
        return RedirectResponse(root_of(request) + f"/d/{day}?done=published", 303)


def _source_rows(sources: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, s in sources.items():
        s = s if isinstance(s, dict) else {}
        failed = s.get("failed")
        rows.append({
            "name": name,
            "ok": bool(s.get("ok", False)),
            "in_window": s.get("in_window", ""),
            "new": s.get("new", ""),
            "failed": len(failed) if isinstance(failed, list) else (failed or 0),
            "error": s.get("error") or "; ".join(str(v) for v in (s.get("listing_failed") or {}).values()),
        })
    return rows


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "editor"
