"""Issue 12: hostile input and the review page.

- CSRF: a cookie the server did not sign, or a request from another origin (another port
  of 127.0.0.1), can neither save nor publish; the page's own requests still can. Also in
  a real Chromium: a page on another port plants a valid token and auto-submits.
- Lint and parsing of posted text run off the event loop: ``/healthz`` answers while a
  slow lint runs; posted text is capped.
- A draft that is not UTF-8 (or does not parse) is a clear error on every page and in the
  CLI (``review``, ``publish``, ``write``); the list of drafts still lists the others.
- Only http(s) URLs become links (source panel, markdown, footer); the store refuses
  other article URLs.
- Saving a date that has no draft creates nothing.

The home is ``tests.factories.build_home``; the app runs under Starlette's TestClient,
or under uvicorn on 127.0.0.1 where requests must overlap.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from aidaily.config import Settings
from aidaily.models import Article
from aidaily.review.web.app import create_app
from aidaily.store.db import session_factory
from aidaily.store.drafts import Drafts, text_hash
from aidaily.store.store import Store
from aidaily.store.tables import ArticleRow
from tests.factories import (
    ARTICLES,
    BAD_BULLET,
    CHROMIUM,
    DAY,
    DRAFT,
    FOOTER,
    GOOD_BULLET,
    XAI_URL,
    build_home,
    chromium_page,
    untouched,
)
from tests.servers import BackgroundServer, MirrorServer

ORIGIN = "http://127.0.0.1:8710"  # the TestClient's own origin below
BAD_LINE = DRAFT.split("\n").index(f"- {BAD_BULLET}") + 1
JS_URL = "javascript:alert(document.domain)//x"


@pytest.fixture
def settings(home: Path) -> Settings:
    return build_home(home)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    with TestClient(create_app(settings), base_url=ORIGIN, raise_server_exceptions=False) as c:
        yield c


def csrf_of(client: TestClient, path: str = f"/d/{DAY}") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)



ATTACKS = [("save", {"text": "hello"}), ("publish", {"force": "1"})]


# --- 1. CSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "fields"), ATTACKS)
def test_a_planted_cookie_the_server_did_not_sign_is_refused(
        settings: Settings, action: str, fields: dict[str, str]) -> None:
    planted = secrets.token_urlsafe(32)  # well formed, long enough: only unsigned
    with TestClient(create_app(settings), base_url=ORIGIN, cookies={"aidaily_csrf": planted}) as c:
        r = c.post(f"/d/{DAY}/{action}", data={"csrf": planted, **fields}, follow_redirects=False)
        assert r.status_code == 403, r.text
        # the same with the token as a header (the page's JS way)
        r = c.post(f"/d/{DAY}/{action}", data=fields, headers={"X-CSRF-Token": planted},
                   follow_redirects=False)
        assert r.status_code == 403
    assert untouched(settings)


@pytest.mark.parametrize(("action", "fields"), ATTACKS)
def test_a_token_another_app_signed_is_refused(settings: Settings, action: str, fields: dict[str, str]) -> None:
    with TestClient(create_app(settings), base_url=ORIGIN) as other:
        foreign = csrf_of(other)  # signed, but with another app's secret
    with TestClient(create_app(settings), base_url=ORIGIN, cookies={"aidaily_csrf": foreign}) as c:
        r = c.post(f"/d/{DAY}/{action}", data={"csrf": foreign, **fields}, follow_redirects=False)
        assert r.status_code == 403
    assert untouched(settings)


@pytest.mark.parametrize(("action", "fields"), ATTACKS)
@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:8711"},  # another port of the same host
    {"Origin": "http://localhost:8710"},
    {"Origin": "https://127.0.0.1:8710"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "same-site"},  # what a browser says for another port, no Origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": ORIGIN, "Sec-Fetch-Site": "same-site"},
])
def test_another_origin_is_refused_even_with_a_valid_token(
        client: TestClient, settings: Settings, action: str, fields: dict[str, str],
        headers: dict[str, str]) -> None:
    token = csrf_of(client)
    r = client.post(f"/d/{DAY}/{action}", data={"csrf": token, **fields}, headers=headers,
                    follow_redirects=False)
    assert r.status_code == 403 and "cross-origin" in r.text
    assert untouched(settings)


def test_the_pages_own_origin_is_accepted(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client, f"/d/{DAY}/edit")
    own = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
    lint = client.post(f"/d/{DAY}/lint", json={"text": DRAFT},
                       headers={**own, "X-CSRF-Token": token})
    assert lint.status_code == 200 and lint.json()["errors"] == 0
    fixed = DRAFT.replace(BAD_BULLET, GOOD_BULLET)
    r = client.post(f"/d/{DAY}/save", data={"csrf": token, "text": fixed, "base": text_hash(DRAFT)},
                    headers=own, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert Drafts(settings.drafts_dir).read_current(DAY) == fixed


def test_a_page_on_another_port_cannot_publish_in_chromium(settings: Settings, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    pytest.importorskip("playwright.sync_api")
    with BackgroundServer(create_app(settings)) as app, MirrorServer(tmp_path / "evil") as evil:
        # The attacker reads a token this very app signed (cookies do not keep ports
        # apart), plants it from its own port and auto-submits the publish form.
        token = httpx.get(app.url + "/").cookies["aidaily_csrf"]
        evil.put("http://evil.test/attack.html", f"""<!doctype html>
<form id="f" method="post" action="{app.url}/d/{DAY}/publish">
<input name="csrf" value="{token}"><input name="force" value="1"></form>
<script>document.getElementById("f").submit()</script>""",
                 {"Content-Type": "text/html; charset=utf-8",
                  "Set-Cookie": f"aidaily_csrf={token}; Path=/"})
        with chromium_page(tmp_path / "profile") as page:
            page.goto(app.url + f"/d/{DAY}")  # the editor has the review page open
            with page.expect_response(lambda r: r.url.endswith("/publish")) as answer:
                page.goto(f"{evil.base_url}/evil.test/attack.html")
            assert answer.value.status == 403
    assert untouched(settings)


# --- 2. lint off the event loop, size cap ---------------------------------------------------


def test_a_slow_lint_does_not_block_the_server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two lints are held inside the lint (a posted text and the edit page's): the health
    check is answered while both still run, by ordering, not by a clock: a server whose
    event loop the lint blocked could not answer until they are let go."""
    import aidaily.format.lint

    started, release = threading.Semaphore(0), threading.Event()

    def held_lint(text: str, path: str = "") -> list[object]:
        started.release()
        release.wait(60)  # a guard against a hung test, not a time under test
        return []

    with BackgroundServer(create_app(settings)) as server, httpx.Client(base_url=server.url) as web, \
            httpx.Client(base_url=server.url) as probe:
        token = csrf_of_httpx(web)
        monkeypatch.setattr(aidaily.format.lint, "lint_text", held_lint)
        with ThreadPoolExecutor(2) as pool:
            try:
                lint = pool.submit(web.post, f"/d/{DAY}/lint", json={"text": "a: *x"},
                                   headers={"X-CSRF-Token": token}, timeout=120)
                edit = pool.submit(web.get, f"/d/{DAY}/edit", timeout=120)
                assert started.acquire(timeout=60) and started.acquire(timeout=60)  # both linting
                health = probe.get("/healthz", timeout=30)
                assert health.text == "ok"
                assert not lint.done() and not edit.done()  # answered while both lints ran
            finally:
                release.set()
            assert lint.result().status_code == 200 and edit.result().status_code == 200


def csrf_of_httpx(web: httpx.Client) -> str:
    page = web.get(f"/d/{DAY}")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_posted_text_is_capped(client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import aidaily.format.lint
    from aidaily.review.web.edits import MAX_TEXT

    token = csrf_of(client, f"/d/{DAY}/edit")
    linted: list[int] = []
    monkeypatch.setattr(aidaily.format.lint, "lint_text", lambda text, path="": linted.append(len(text)) or [])
    huge = "x" * (MAX_TEXT + 1)
    r = client.post(f"/d/{DAY}/lint", json={"text": huge}, headers={"X-CSRF-Token": token})
    assert r.status_code == 413 and "at most" in r.json()["error"]
    r = client.post(f"/d/{DAY}/save", data={"csrf": token, "text": huge, "base": text_hash(DRAFT)})
    assert r.status_code == 413 and "at most" in r.text
    assert linted == [] and untouched(settings)


def test_deeply_nested_json_is_a_bad_request(client: TestClient) -> None:
    token = csrf_of(client, f"/d/{DAY}/edit")
    body = '{"text": ' + "[" * 200_000 + "]" * 200_000 + "}"
    r = client.post(f"/d/{DAY}/lint", content=body,
                    headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert r.status_code == 400


# --- 4. a draft that is not UTF-8, or does not parse ---------------------------------------


def spoil(settings: Settings) -> Path:
    path = Drafts(settings.drafts_dir).current_path(DAY)
    with path.open("ab") as f:
        f.write(b"\n\xff")
    return path


def test_the_index_lists_every_readable_draft_and_marks_the_unreadable_one(
        client: TestClient, settings: Settings) -> None:
    Drafts(settings.drafts_dir).write("2026-01-18", DRAFT.replace(DAY, "2026-01-18"))
    spoil(settings)
    r = client.get("/")
    assert r.status_code == 200
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr class="state-(\w+)">(.*?)</tr>', r.text, re.S)}
    assert set(rows) == {"draft", "unreadable"}
    assert "2026-01-18" in rows["draft"] and "GW 级超算" in rows["draft"]
    assert DAY in rows["unreadable"] and f"{DAY}.md" in rows["unreadable"]
    assert "not UTF-8" in rows["unreadable"]


def test_a_draft_far_larger_than_any_digest_is_listed_unreadable_not_read(
        client: TestClient, settings: Settings) -> None:
    """The page reads a draft no further than lint does (1 MB): a 3 MB file in the drafts
    folder is an unreadable draft with the reason, on the index and on its page."""
    path = Drafts(settings.drafts_dir).current_path(DAY)
    path.write_bytes(DRAFT.encode("utf-8") + b"\n" + b"x" * 3_000_000)
    before = path.read_bytes()
    r = client.get("/")
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr class="state-(\w+)">(.*?)</tr>', r.text, re.S)}
    assert set(rows) == {"unreadable"}
    assert "more than 1,000,000 bytes: not a digest" in rows["unreadable"] and f"{DAY}.md" in rows["unreadable"]
    page = client.get(f"/d/{DAY}")
    assert page.status_code == 422 and "more than 1,000,000 bytes" in page.text
    assert path.read_bytes() == before


def test_every_page_of_an_unreadable_draft_says_so(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client, "/")
    path = spoil(settings)
    before = path.read_bytes()
    for r in (client.get(f"/d/{DAY}"), client.get(f"/d/{DAY}/edit"),
              client.get(f"/d/{DAY}/source", params={"line": BAD_LINE}),
              client.post(f"/d/{DAY}/publish", data={"csrf": token, "force": "1"}),
              client.post(f"/d/{DAY}/save", data={"csrf": token, "text": DRAFT})):
        assert r.status_code == 422, (r.request.url, r.status_code)
        assert 'id="problem"' in r.text and "not UTF-8" in r.text and f"{DAY}.md" in r.text
    assert path.read_bytes() == before
    assert not settings.post_path(date.fromisoformat(DAY)).exists()


def test_a_draft_that_does_not_parse_is_a_clear_page(client: TestClient, settings: Settings) -> None:
    """A real draft the parser refuses (its front matter nested 5 000 levels deep): every
    page says why, at its line, and offers the text to fix; publishing it is refused."""
    path = Drafts(settings.drafts_dir).current_path(DAY)
    lines = DRAFT.split("\n")
    lines.insert(1, "a: " + "[" * 5_000 + "]" * 5_000)  # line 2, under the opening ---
    path.write_text("\n".join(lines), encoding="utf-8")
    before = path.read_bytes()
    said = "the draft does not parse: line 2: front matter refused: values are nested more than 32 levels deep"
    for page in (f"/d/{DAY}", f"/d/{DAY}/source?line=3"):
        r = client.get(page)
        assert r.status_code == 200, (page, r.status_code)
        assert said in " ".join(re.sub(r"<[^>]+>", " ", r.text).split()).lower(), page
    edit = client.get(f"/d/{DAY}/edit")
    assert edit.status_code == 200 and "[" * 5_000 in edit.text
    token = csrf_of(client)
    r = client.post(f"/d/{DAY}/publish", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 409 and "front-matter-invalid" in r.text, (r.status_code, r.text[:300])
    assert path.read_bytes() == before
    assert not settings.post_path(date.fromisoformat(DAY)).exists()


def aidaily_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                 *args: str) -> tuple[int, str]:
    """``aidaily ARGS`` through the console entry point (``cli.app.main``, which prints
    library errors): its exit code and everything it printed."""
    from aidaily.cli.app import main

    monkeypatch.setattr(sys, "argv", ["aidaily", *args])
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping inside the path
    monkeypatch.delenv("AIDAILY_RAISE_ERRORS", raising=False)
    with pytest.raises(SystemExit) as done:
        main()
    said = capsys.readouterr()
    return int(done.value.code or 0), said.out + said.err


def test_the_cli_says_which_draft_is_unreadable(
        home: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = spoil(settings)
    before = path.read_bytes()
    for args in (["review", DAY], ["publish", DAY, "--force"], ["write", "--date", DAY, "--llm", "none"]):
        code, said = aidaily_main(monkeypatch, capsys, "--home", str(home), *args)
        assert code == 1, (args, said)
        assert f"{DAY}.md" in said and "not UTF-8" in said, (args, said)
    assert path.read_bytes() == before
    assert not settings.post_path(date.fromisoformat(DAY)).exists()


# --- 8. only http(s) links ------------------------------------------------------------------


def test_the_source_panel_links_only_http_urls(client: TestClient, settings: Settings) -> None:
    # A row stored before the store refused such URLs, in the story of the xAI item, with
    # the very sentence of the bullet (so the panel shows it).
    Store.from_settings(settings).upsert_articles([Article(
        url="https://hostile.example/1", source="qbitai", title="hostile", text=f"{BAD_BULLET}。",
        published=ARTICLES[0].published, ai_relevant=True)])
    with session_factory(settings.database_url).begin() as session:
        session.execute(update(ArticleRow).where(ArticleRow.url == "https://hostile.example/1")
                        .values(url=JS_URL, story_id="s1"))
        session.execute(update(ArticleRow).where(ArticleRow.url == XAI_URL).values(story_id="s1"))
    html = client.get(f"/d/{DAY}/source", params={"line": BAD_LINE}).text
    assert "hostile" in html and JS_URL in html  # shown, as text
    assert not re.search(r'href="\s*javascript', html, re.I)
    assert all(h.startswith(("http://", "https://", "/")) for h in re.findall(r'href="([^"]*)"', html))


def test_markdown_and_the_footer_link_only_http_urls(client: TestClient, settings: Settings) -> None:
    hostile = (DRAFT.replace("- 谁掌握电力", "- 谁掌握电力 [a](ftp://evil.example/x) [b](tel:123) "
                             "[c](/d/2026-01-19/edit) [ok](https://ok.example/)")
               .replace(FOOTER, '<div class="telegram-card"><a href="javascript:alert(1)">join</a>'
                        '<a href="https://t.me/x">tg</a><img src=x onerror="alert(2)"></div>'))
    Drafts(settings.drafts_dir).current_path(DAY).write_text(hostile, encoding="utf-8")
    html = client.get(f"/d/{DAY}").text
    post = html.split('id="post"', 1)[1].split("</main>", 1)[0]
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', post)
    assert "https://ok.example/" in hrefs and "https://t.me/x" in hrefs
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert "onerror" not in post and '<div class="telegram-card">' in post


def test_the_store_refuses_article_urls_that_are_not_http(settings: Settings) -> None:
    store = Store.from_settings(settings)
    good = Article(url="https://ok.example/a", source="x", title="ok", text="ok")
    bad = [Article(url=u, source="x", title="bad", text="bad")
           for u in (JS_URL, "data:text/html,<b>x</b>", "/relative", "ftp://x.example/")]
    stats = store.upsert_articles([*bad, good])
    assert stats.new == 1 and set(stats.refused) == {a.url for a in bad}
    assert "http(s)" in stats.refused[JS_URL]
    assert store.get_article(good.url) is not None
    assert all(store.get_article(a.url) is None for a in bad)


# --- 11. saving a date without a draft ------------------------------------------------------


def test_saving_a_date_without_a_draft_creates_nothing(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client)
    r = client.post("/d/2030-01-01/save", data={"csrf": token, "text": DRAFT}, follow_redirects=False)
    assert r.status_code == 404
    assert client.get("/d/2030-01-01/edit").status_code == 404
    assert [p for p in settings.home.rglob("*") if "2030-01-01" in p.name] == []  # no draft, version, lock
