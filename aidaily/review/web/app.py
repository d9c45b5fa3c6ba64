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

Security (``Guard``, a pure ASGI middleware in front of everything):

- Host header: without a token only the loopback names and the bound host (no DNS
  rebinding); with a token the token is the check.
- Token (``create_app(settings, token=...)``; required by ``aidaily web`` on any address
  other than loopback): every request needs it, as the header ``X-Aidaily-Token``,
  ``Authorization: Bearer``, or the cookie set when a page is opened with ``?token=``.
- CSRF: a random per-session token in the ``aidaily_csrf`` cookie (SameSite=Strict,
  HttpOnly); every POST must echo it in the form field ``csrf`` or the header
  ``X-CSRF-Token`` (``hmac.compare_digest``), else 403. Only url-encoded forms and JSON
  are accepted, at most ``MAX_BODY`` bytes.
- Responses carry a CSP without inline script (``script-src 'self'``), no framing,
  no referrer, no caching. Templates autoescape; markdown-it runs with HTML disabled.
"""

from __future__ import annotations

import getpass
import hmac
import json
import secrets
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
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

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from aidaily.config import Settings

HERE = Path(__file__).resolve().parent
CSRF_COOKIE = "aidaily_csrf"
TOKEN_COOKIE = "aidaily_token"
TOKEN_HEADER = "x-aidaily-token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 2_000_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DONE_MESSAGES = {
    "saved": "Saved: the text is now the current draft (a new version).",
    "unchanged": "Nothing to save: the text is the current draft.",
    "published": "Published.",
    "regenerated": "The story was regenerated and saved as a new version.",
}


def create_app(settings: Settings, token: str | None = None, *,
               allowed_hosts: set[str] | None = None, default_day: str | None = None) -> ASGIApp:
    """The review app over ``settings.home``; with ``token`` every request must carry it.

    ``allowed_hosts``: Host header names accepted besides the loopback names (the
    address ``aidaily web --host`` binds).
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
    app = Starlette(routes=routes)
    return Guard(app, token=token, allowed_hosts=(allowed_hosts or set()) | LOOPBACK_HOSTS)


# --- security ------------------------------------------------------------------------------


class Guard:
    """Host check, token, CSRF, body limit and security headers (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: set[str]) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = (request.headers.get("host") or "").lower()
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.token is None and hostname not in self.allowed_hosts:
            # Without a token only loopback names are served: a page elsewhere cannot
            # reach this app through a rebound DNS name.
            await _plain(403, "forbidden host")(scope, receive, send)
            return
        if self.token is not None:
            given = (request.headers.get(TOKEN_HEADER)
                     or _bearer(request.headers.get("authorization", ""))
                     or request.cookies.get(TOKEN_COOKIE) or "")
            query_token = request.query_params.get("token")
            if query_token is not None and _same(query_token, self.token):
                # Trade the token in the URL for a cookie, and drop it from the address bar.
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                await response(scope, receive, send)
                return
            if not _same(given, self.token):
                await _plain(401, "a token is required: open the address aidaily web printed "
                             "(…/?token=…)")(scope, receive, send)
                return
        csrf = request.cookies.get(CSRF_COOKIE) or ""
        new_csrf = None
        if len(csrf) < 32:
            csrf = new_csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = csrf
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive)
            if body is None:
                await _plain(413, "request body too large")(scope, receive, send)
                return
            if new_csrf is not None or not _same(_posted_csrf(request, body), csrf):
                await _plain(403, "CSRF check failed: reload the page and try again")(scope, receive, send)
                return
            receive = _replay(body)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
                if new_csrf is not None:
                    cookie = f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def _bearer(value: str) -> str:
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def _plain(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status,
                             headers={"content-security-policy": CSP, "cache-control": "no-store"})


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _posted_csrf(request: Request, body: bytes) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return (parse_qs(body.decode("utf-8", "replace")).get("csrf") or [""])[0]
    return ""


async def form_data(request: Request) -> dict[str, str]:
    """The url-encoded form of ``request`` (first value per field; no multipart)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


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
        self._store: Any = None

    # helpers ---------------------------------------------------------------------------
    def store(self) -> Any:
        from aidaily.store.store import Store

        if self._store is None:
            self._store = Store.from_settings(self.settings)
        return self._store

    def sources(self, day: str) -> Any:
        """The day's grounding sources (``review.report.day_sources``: the one definition)."""
        from aidaily.review.report import day_sources

        return day_sources(self.settings, date.fromisoformat(day), self.store())

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("csrf", request.state.csrf)
        html = self.env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status)

    @staticmethod
    def day_of(request: Request) -> str:
        value = request.path_params["day"]
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            from starlette.exceptions import HTTPException

            raise HTTPException(404, f"not a date: {value}") from None

    # GET -------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        from aidaily.review.web.view import draft_list

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
        from aidaily.review.drafts import Drafts
        from aidaily.review.report import build_review
        from aidaily.review.record import read_record, record_path
        from aidaily.review.web.view import draft_state, render_draft

        text = Drafts(self.settings.drafts_dir).read_current(day)
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
        from aidaily.review.drafts import Drafts
        from aidaily.review.web.view import source_view

        day = self.day_of(request)
        try:
            line = int(request.query_params.get("line", ""))
        except ValueError:
            return PlainTextResponse("line must be a number", status_code=400)
        text = Drafts(self.settings.drafts_dir).read_current(day)
        if text is None:
            return PlainTextResponse("no draft", status_code=404)
        sources = await run_in_threadpool(self.sources, day)
        view = await run_in_threadpool(source_view, text, line, sources)
        return self.page(request, "_source.html", day=day, view=view)

    async def edit(self, request: Request, *, text: str | None = None, base: str | None = None,
                   status: int = 200, error: str | None = None) -> Response:
        from aidaily.review.drafts import Drafts, text_hash
        from aidaily.format.lint import lint_text

        day = self.day_of(request)
        current = Drafts(self.settings.drafts_dir).read_current(day)
        if current is None:
            return self.page(request, "missing.html", 404, day=day)
        text = current if text is None else text
        findings = lint_text(text, f"{day}.md")
        return self.page(request, "edit.html", status, day=day, text=text,
                         base=base or text_hash(current), findings=findings, error=error)

    # POST ------------------------------------------------------------------------------
    async def lint(self, request: Request) -> Response:
        from aidaily.format.lint import lint_text

        day = self.day_of(request)
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                text = str(json.loads(await request.body()).get("text", ""))
            except (ValueError, AttributeError):
                return JSONResponse({"error": "expected {\"text\": ...}"}, status_code=400)
        else:
            text = (await form_data(request)).get("text", "")
        findings = lint_text(text.replace("\r\n", "\n"), f"{day}.md")
        return JSONResponse({
            "errors": sum(f.severity == "error" for f in findings),
            "findings": [f.to_dict() for f in findings],
        })

    async def save(self, request: Request) -> Response:
        from aidaily.review.web.edits import EditConflict, save_edit

        day = self.day_of(request)
        form = await form_data(request)
        text = form.get("text", "")
        try:
            saved = await run_in_threadpool(save_edit, self.settings, day, text,
                                            base_sha256=form.get("base") or None)
        except EditConflict as exc:
            return await self.edit(request, text=text, base=form.get("base"), status=409, error=str(exc))
        return RedirectResponse(f"/d/{day}?done={'unchanged' if saved.unchanged else 'saved'}", 303)

    async def regenerate(self, request: Request) -> Response:
        from aidaily.review.drafts import Drafts, text_hash
        from aidaily.errors import AidailyError
        from aidaily.llm.client import LLMClient
        from aidaily.review.web.edits import regenerate_story, save_edit

        day = self.day_of(request)
        form = await form_data(request)
        text = Drafts(self.settings.drafts_dir).read_current(day)
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
        return RedirectResponse(f"/d/{day}?done=regenerated", 303)

    async def publish(self, request: Request) -> Response:
        from aidaily.errors import PublishError
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
        return RedirectResponse(f"/d/{day}?done=published", 303)


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
