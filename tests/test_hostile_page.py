"""Issue 20, defect 3 and the page's parts of 8: the review page's credential stays with
the page (its cookie is scoped to an unguessable base path, so no other service of the
host receives it: shown in a real Chromium with a service on another port of 127.0.0.1),
wrong tokens slow a client down (429 after ``TokenThrottle.limit``), a draft the page
cannot show answers 4xx, and a POST whose only word on its origin is a foreign Referer is
refused."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from aidaily.config import Settings
from aidaily.review.web.app import create_app
from aidaily.review.web.guard import TOKEN_COOKIE, TokenThrottle, base_path
from tests.factories import CHROMIUM, DAY, DRAFT, build_home, chromium_page, untouched
from tests.servers import BackgroundServer, MirrorServer

TOKEN = "page-token-0123456789abcdef"
ORIGIN = "http://127.0.0.1:8710"


@pytest.fixture
def settings(home: Path) -> Settings:
    return build_home(home)



# --- the token's cookie -------------------------------------------------------------------


def test_the_token_cookie_is_scoped_to_an_unguessable_path(settings: Settings) -> None:
    root = base_path(TOKEN)
    assert re.fullmatch(r"/r-[A-Za-z0-9_-]{24}", root) and TOKEN not in root
    assert base_path(TOKEN + "x") != root
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN) as c:
        r = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"{root}/"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN};") and f"Path={root};" in cookie
        page = c.get(f"{root}/d/{DAY}")
        assert page.status_code == 200
        # every link and form of the page stays under its path
        assert f'href="{root}/d/{DAY}/edit"' in page.text and f'action="{root}/d/{DAY}/publish"' in page.text
        # outside the path the cookie is no credential (a browser never sends it there)
        assert c.get(f"/d/{DAY}/edit", headers={"Cookie": f"{TOKEN_COOKIE}={TOKEN}"}).status_code == 401


def test_another_port_of_the_host_never_receives_the_token_in_chromium(
        settings: Settings, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    pytest.importorskip("playwright.sync_api")
    with BackgroundServer(create_app(settings, token=TOKEN)) as app, \
            MirrorServer(tmp_path / "other") as other:
        other.put("http://blog.test/index.html", "<!doctype html><p>the blog</p>",
                  {"Content-Type": "text/html; charset=utf-8"})
        with chromium_page(tmp_path / "profile") as page:
            page.goto(f"{app.url}/d/{DAY}?token={TOKEN}")  # the address aidaily web prints
            assert page.url == f"{app.url}{base_path(TOKEN)}/d/{DAY}"
            assert page.locator("#edit-link").count() == 1  # the editor is in
            page.goto(f"{other.base_url}/blog.test/index.html")  # the blog, same host
            page.goto(f"{other.base_url}{base_path(TOKEN + 'guess')}/d/{DAY}/edit")
        seen = [h.get("cookie", "") for hits in other.requests.values() for h in hits]
        assert len(seen) >= 2 and not [c for c in seen if TOKEN in c]
        # what the other service could replay gets it nothing
        stolen = "; ".join(c for c in seen if c)
        r = httpx.get(f"{app.url}/d/{DAY}/edit", headers={"Cookie": stolen} if stolen else {})
        assert r.status_code == 401
    assert untouched(settings)


# --- wrong tokens -------------------------------------------------------------------------


def test_wrong_tokens_are_answered_429_until_the_window_passes(settings: Settings) -> None:
    now = [1000.0]
    throttle = TokenThrottle(limit=5, window=60.0, clock=lambda: now[0])
    app = create_app(settings, token=TOKEN, throttle=throttle)
    with TestClient(app, base_url=ORIGIN) as c:
        statuses = [c.get("/", headers={"X-Aidaily-Token": f"guess-{i:020d}"}).status_code
                    for i in range(5)]
        assert statuses == [401] * 5
        held = c.get(f"/?token={TOKEN}", follow_redirects=False)  # even the right one waits
        assert held.status_code == 429 and held.headers["retry-after"] == "60"
        assert c.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 429
        now[0] += 61
        assert c.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_a_request_without_a_token_is_not_a_guess(settings: Settings) -> None:
    throttle = TokenThrottle(limit=2, window=60.0)
    with TestClient(create_app(settings, token=TOKEN, throttle=throttle), base_url=ORIGIN) as c:
        assert [c.get("/").status_code for _ in range(5)] == [401] * 5
        assert c.get("/", headers={"X-Aidaily-Token": TOKEN}).status_code == 200


def test_the_throttle_remembers_a_bounded_number_of_clients() -> None:
    throttle = TokenThrottle(limit=1, window=60.0)
    for i in range(TokenThrottle.MAX_CLIENTS + 10):
        throttle.failed(f"10.0.{i // 256}.{i % 256}")
    assert throttle.retry_after("10.0.0.0") == 0.0  # the oldest forgotten
    assert throttle.retry_after(f"10.0.{(TokenThrottle.MAX_CLIENTS + 9) // 256}."
                                f"{(TokenThrottle.MAX_CLIENTS + 9) % 256}") > 0


# --- drafts the page cannot show ----------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("page", ["", "/edit", "/source?line=3"])
def test_a_draft_dated_beyond_the_calendar_is_a_404(settings: Settings, day: str, page: str) -> None:
    (settings.drafts_dir / f"{day}.md").write_text(DRAFT.replace(DAY, day), encoding="utf-8")
    with TestClient(create_app(settings), base_url=ORIGIN, raise_server_exceptions=False) as c:
        assert c.get("/").status_code == 200  # still listed with the others
        r = c.get(f"/d/{day}{page}")
    assert r.status_code == 404 and "outside the dates a digest can have" in r.text


# --- Referer when there is no Origin ------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "publish"])
def test_a_foreign_referer_without_origin_is_refused(settings: Settings, action: str) -> None:
    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        page = c.get(f"/d/{DAY}/edit")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        for referer in ("http://127.0.0.1:9999/attack.html", "https://evil.example/x", "null"):
            r = c.post(f"/d/{DAY}/{action}", data={"csrf": csrf, "text": "x", "force": "1"},
                       headers={"Referer": referer}, follow_redirects=False)
            assert r.status_code == 403, (referer, r.text)
        assert untouched(settings)
        own = c.post(f"/d/{DAY}/save", data={"csrf": csrf, "text": DRAFT + "\n"},
                     headers={"Referer": f"{ORIGIN}/d/{DAY}/edit"}, follow_redirects=False)
        assert own.status_code == 303


def test_the_base_path_without_a_slash_keeps_its_query(settings: Settings) -> None:
    root = base_path(TOKEN)
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN) as c:
        r = c.get(f"{root}?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == f"{root}/?token={TOKEN}"
        assert c.get(f"{root}?token={TOKEN}").status_code == 200  # then traded for the cookie
