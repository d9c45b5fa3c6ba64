"""The review page's guard at its edges: the access token traded in the URL, and the
request-body limit. Each test pins one promise of ``aidaily.review.web.guard`` by what a
client sees (status, body, cookies) and what was or was not written, so that it holds
whatever the guard's inside looks like.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from aidaily.config import Settings
from aidaily.review.web.app import create_app
from aidaily.review.web.guard import (
    TOKEN_COOKIE,
    TokenThrottle,
    _bearer,
    _origin_key,
    _posted_csrf,
    _read_body,
    base_path,
    same_origin,
)
from aidaily.store.drafts import text_hash
from tests.factories import DAY, DRAFT, build_home, untouched

TOKEN = "the-real-token-0123456789"
ORIGIN = "http://127.0.0.1:8710"
BODY_LIMIT = 2_000_000  # bytes: the README's promise for any request body


@pytest.fixture
def settings(home: Path) -> Settings:
    return build_home(home)



@pytest.mark.parametrize("wrong", ["x", "the-real-token-012345678", TOKEN + "0", TOKEN.upper(), ""])
def test_a_wrong_token_in_the_url_is_refused_and_buys_no_cookie(settings: Settings, wrong: str) -> None:
    with TestClient(create_app(settings, token=TOKEN), base_url="http://192.0.2.10:8710") as c:
        r = c.get(f"/d/{DAY}", params={"token": wrong}, follow_redirects=False)
        assert r.status_code == 401, r.text
        assert r.text == "wrong token"
        assert "set-cookie" not in {k.lower() for k in r.headers}
        assert dict(c.cookies) == {}
        # and the next request, with whatever the client kept, is still refused
        assert c.get(f"/d/{DAY}", follow_redirects=False).status_code == 401


def test_the_right_token_in_the_url_opens_the_page(settings: Settings) -> None:
    with TestClient(create_app(settings, token=TOKEN), base_url="http://192.0.2.10:8710") as c:
        r = c.get(f"/d/{DAY}", params={"token": TOKEN, "line": "3"}, follow_redirects=False)
        # the page lives under the token's own base path, where its cookie is scoped
        assert r.status_code == 303 and r.headers["location"] == f"{base_path(TOKEN)}/d/{DAY}?line=3"
        assert c.get(f"{base_path(TOKEN)}/d/{DAY}").status_code == 200


def csrf_of(client: TestClient) -> str:
    page = client.get(f"/d/{DAY}/edit")
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


def form_of_size(token: str, size: int) -> bytes:
    """A url-encoded save form of exactly ``size`` bytes."""
    head = f"csrf={token}&base={text_hash(DRAFT)}&text=".encode()
    return head + b"x" * (size - len(head))


def test_a_body_over_the_limit_is_refused_before_the_app_reads_it(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        token = csrf_of(c)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        # At the limit the body reaches the app, which refuses a text that long itself.
        at = c.post(f"/d/{DAY}/save", content=form_of_size(token, BODY_LIMIT), headers=headers)
        assert at.status_code == 413 and "a draft may have at most" in at.text, at.text[:200]
        # One byte more and the guard answers, without the app.
        over = c.post(f"/d/{DAY}/save", content=form_of_size(token, BODY_LIMIT + 1), headers=headers)
        assert (over.status_code, over.text) == (413, "request body too large")
    assert untouched(settings)


# --- the request checks one by one: what mutation testing found no page test telling apart


@pytest.mark.parametrize(("origin", "key"), [
    ("http://127.0.0.1:8710", ("http", "127.0.0.1", 8710)),
    ("HTTPS://Example.ORG", ("https", "example.org", 443)),
    ("http://example.org/", ("http", "example.org", 80)),  # a bare trailing slash is still the origin
    ("http://example.org/x", None),
    ("http://example.org?q=1", None),
    ("http://example.org#f", None),
    ("http://user@example.org", None),
    ("ftp://example.org:21", None),
    ("http://", None),
    ("null", None),
    ("http://example.org:99999", None),
])
def test_an_origin_is_a_scheme_a_host_and_a_port_and_nothing_else(origin: str, key: object) -> None:
    assert _origin_key(origin) == key


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic: abc", ""), ("Token  abc", ""), ("abc", ""), ("", ""),
])
def test_only_a_bearer_authorization_carries_the_token(header: str, token: str) -> None:
    # "Basic: " is seven characters too: a token after another scheme is no token
    assert _bearer(header) == token


def body_read_from(messages: list[dict[str, object]]) -> bytes | None:
    queue = iter(messages)

    async def receive() -> dict[str, object]:
        return next(queue)

    return asyncio.run(_read_body(receive))  # type: ignore[arg-type]


def test_a_body_is_read_from_all_its_chunks_and_the_limit_counts_them_together() -> None:
    assert body_read_from([{"type": "http.request", "body": b"ab", "more_body": True},
                           {"type": "http.request", "body": b"cd", "more_body": False}]) == b"abcd"
    assert body_read_from([{"type": "http.request"}]) == b""  # ASGI: no "body" key is an empty body
    half = b"x" * (BODY_LIMIT // 2 + 1)  # each chunk under the limit, the two over it
    assert body_read_from([{"type": "http.request", "body": half, "more_body": True},
                           {"type": "http.request", "body": half}]) is None


def request_with(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "query_string": b"",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


def test_the_posted_csrf_token_is_read_from_the_header_or_a_form_and_nowhere_else() -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert _posted_csrf(request_with({"X-CSRF-Token": "h.1", **form}), b"csrf=f.2") == "h.1"
    # a byte that is not UTF-8 in another field does not hide the token (nor crash the guard)
    assert _posted_csrf(request_with(form), b"text=\xff\xfe&csrf=f.2") == "f.2"
    assert _posted_csrf(request_with(form), b"text=x") == ""
    # not a url-encoded form (or no Content-Type at all): the body is not looked into
    assert _posted_csrf(request_with({"Content-Type": "text/plain"}), b"csrf=f.2") == ""
    assert _posted_csrf(request_with({}), b"csrf=f.2") == ""


def scoped(headers: dict[str, str], **scope: object) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "query_string": b"",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()], **scope})


def test_the_same_origin_check_reads_the_scheme_the_host_and_a_referer_without_its_user() -> None:
    assert same_origin(scoped({"Host": "h:8", "Origin": "http://h:8"}, scheme="http"))
    assert same_origin(scoped({"Host": "h", "Origin": "https://h"}, scheme="https"))
    assert not same_origin(scoped({"Host": "h", "Origin": "http://h"}, scheme="https"))
    assert same_origin(scoped({"Host": "h", "Origin": "http://h"}))  # ASGI: no scheme is http
    # no Host: no origin is ours, whatever stands in for the missing name
    assert not any(same_origin(scoped({"Origin": o}, scheme="http")) for o in ("http://none", "http://xxxx", "http://"))
    assert same_origin(scoped({"Host": "h:8", "Referer": "http://u:p@h:8/d/x"}, scheme="http"))
    assert not same_origin(scoped({"Host": "h:8", "Referer": "http://[::1/d/x"}, scheme="http"))  # unparsable


def test_without_a_token_only_loopback_names_are_served_ipv6_too(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        for host in ("[::1]:8710", "[::1]", "127.0.0.1:8710", "localhost"):
            assert c.get("/", headers={"Host": host}).status_code == 200, host
        refused = c.get("/", headers={"Host": "evil.example:8710"})
        assert (refused.status_code, refused.text) == (403, "forbidden host")


def test_wrong_tokens_hold_only_their_own_client_and_to_the_last_second(settings: Settings) -> None:
    now = [1000.0]
    app = create_app(settings, token=TOKEN, throttle=TokenThrottle(limit=2, window=60.0, clock=lambda: now[0]))
    with TestClient(app, base_url=ORIGIN, client=("192.0.2.1", 5000)) as guesser, \
            TestClient(app, base_url=ORIGIN, client=("192.0.2.2", 5000)) as other:
        assert guesser.get("/", params={"token": "guess-1"}, follow_redirects=False).status_code == 401
        assert guesser.get("/", headers={"X-Aidaily-Token": "guess-2"}).status_code == 401
        now[0] += 59.5  # half a second of the window left
        held = guesser.get("/", headers={"X-Aidaily-Token": TOKEN})
        assert (held.status_code, held.text, held.headers["retry-after"]) == (
            429, "too many wrong tokens: try again later", "1")
        assert other.get("/", headers={"X-Aidaily-Token": TOKEN}).status_code == 200


def test_the_token_cookie_is_httponly_strict_and_counts_only_under_the_base_path(settings: Settings) -> None:
    root = base_path(TOKEN)
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN) as c:
        traded = c.get(f"{root}/d/{DAY}", params={"token": TOKEN}, follow_redirects=False)
        assert (traded.status_code, traded.headers["location"]) == (303, f"{root}/d/{DAY}")
        cookie = traded.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN};") and f"Path={root}" in cookie
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN, cookies={TOKEN_COOKIE: TOKEN}) as c:
        outside = c.get(f"/d/{DAY}")  # a cookie that reached another path is no token
        assert (outside.status_code, outside.text) == (
            401, "a token is required: open the address aidaily web printed (…/?token=…)")


def test_the_base_path_of_a_token_stays_the_same_across_versions() -> None:
    # The address ``aidaily web --token`` printed (and an editor bookmarked) keeps working
    # after an upgrade: the base path is a function of the token alone, fixed here.
    assert base_path(TOKEN) == "/r-IOzwsnmd9UAIBbc206-rgBp2"
    assert base_path(TOKEN + "0") != base_path(TOKEN) and len(base_path("x" * 40)) == len(base_path(TOKEN))


def test_a_client_held_once_is_held_again_by_its_next_wrong_tokens() -> None:
    now = [0.0]
    throttle = TokenThrottle(limit=3, window=60.0, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("c")
        now[0] += 1
    assert throttle.retry_after("c") == 57.0  # the window counts from the oldest of the three (at 0)
    now[0] = 100.0
    assert throttle.retry_after("c") == 0.0
    throttle.failed("c")
    assert throttle.retry_after("c") == 0.0  # one wrong token in this window: not held
    throttle.failed("c")
    throttle.failed("c")
    assert throttle.retry_after("c") == 60.0  # three in this window: held, from the first of them


def test_the_throttle_remembers_its_last_max_clients_clients() -> None:
    throttle = TokenThrottle(limit=1, window=60.0, clock=lambda: 0.0)
    throttle.MAX_CLIENTS = 3
    for client in ("a", "b", "c"):
        throttle.failed(client)
    assert [throttle.retry_after(c) for c in "abc"] == [60.0, 60.0, 60.0]
    throttle.failed("a")  # a again: now the latest, b the oldest
    throttle.failed("d")
    assert [throttle.retry_after(c) for c in "abcd"] == [60.0, 0.0, 60.0, 60.0]


def test_the_app_behind_the_guard_gets_the_posted_body_once_then_the_disconnect() -> None:
    """The guard reads a POST's body to find its CSRF token, and hands the app a receive
    that replays it as ASGI says: the body (no more to come), then ``http.disconnect`` for
    an app that waits for the client to go (a streaming response does)."""
    from aidaily.review.web.guard import CSRF_COOKIE, CsrfTokens, Guard

    received: list[dict[str, object]] = []

    async def app(scope: object, receive: Callable[[], Awaitable[dict[str, object]]],
                  send: Callable[[dict[str, object]], Awaitable[None]]) -> None:
        received.extend([await receive(), await receive(), await receive()])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    tokens = CsrfTokens()
    csrf = tokens.issue()
    guard = Guard(app, token=None, allowed_hosts={"127.0.0.1"}, csrf=tokens)
    c = TestClient(guard, base_url=ORIGIN, cookies={CSRF_COOKIE: csrf})  # no lifespan: ``app`` has none
    r = c.post("/save", content=b"text=x&csrf=" + csrf.encode(),
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 204, r.text
    assert received == [{"type": "http.request", "body": b"text=x&csrf=" + csrf.encode(), "more_body": False},
                        {"type": "http.disconnect"}, {"type": "http.disconnect"}]


def test_a_csrf_token_is_a_session_and_its_hmac_in_url_safe_characters() -> None:
    """``<session>.<HMAC-SHA256(secret, session)>``, base64url without padding: the token
    travels unescaped in a header, a form field and a cookie."""
    from aidaily.review.web.guard import CsrfTokens

    tokens = CsrfTokens(secret=b"k" * 32)
    expected = base64.urlsafe_b64encode(hmac.new(b"k" * 32, b"abc", hashlib.sha256).digest()).decode().rstrip("=")
    assert tokens.valid(f"abc.{expected}")
    issued = tokens.issue()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}", issued), issued  # 192 random bits of session
    # the signature is of its own session: swapped onto another one it is no token
    session, _, signature = issued.partition(".")
    assert not tokens.valid(f"abc.{signature}") and not tokens.valid(f"{session}.{expected}")
    assert not CsrfTokens(secret=b"j" * 32).valid(issued)
    assert len(CsrfTokens().secret) == 32 and CsrfTokens().secret != CsrfTokens().secret


def test_a_refusal_carries_the_csp_and_is_never_cached(settings: Settings) -> None:
    from aidaily.review.web.guard import CSP

    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        refused = c.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 403
    assert refused.headers["content-security-policy"] == CSP and refused.headers["cache-control"] == "no-store"


def test_every_page_carries_the_security_headers_and_a_strict_csrf_cookie(settings: Settings) -> None:
    from aidaily.review.web.guard import CSP, CSRF_COOKIE

    def headers_of(c: TestClient, path: str) -> dict[str, str]:
        r = c.get(path)
        assert r.status_code == 200, r.text
        return {k: r.headers[k] for k in ("content-security-policy", "x-frame-options", "x-content-type-options",
                                          "referrer-policy", "cache-control", "set-cookie")}

    security = {"content-security-policy": CSP, "x-frame-options": "DENY", "x-content-type-options": "nosniff",
                "referrer-policy": "same-origin", "cache-control": "no-store"}
    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        got = headers_of(c, f"/d/{DAY}")
        csrf = c.cookies[CSRF_COOKIE]
        assert got == {**security, "set-cookie": f"{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict"}
        again = c.get("/")  # a cookie this app signed is kept: no new one
        assert "set-cookie" not in again.headers and again.headers["referrer-policy"] == "same-origin"
    root = base_path(TOKEN)
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN, headers={"X-Aidaily-Token": TOKEN}) as c:
        got = headers_of(c, f"{root}/d/{DAY}")
        csrf = c.cookies[CSRF_COOKIE]
        assert got == {**security, "set-cookie": f"{CSRF_COOKIE}={csrf}; Path={root}; HttpOnly; SameSite=Strict"}


def test_a_refused_post_says_why_and_changes_nothing(settings: Settings) -> None:
    from aidaily.review.web.guard import CSRF_COOKIE

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with TestClient(create_app(settings), base_url=ORIGIN) as c:
        token = csrf_of(c)
        body = f"csrf={token}&base={text_hash(DRAFT)}&text=x".encode()
        cross = c.post(f"/d/{DAY}/save", content=body, headers={**form, "Origin": "http://evil.example"})
        assert (cross.status_code, cross.text) == (403, "cross-origin request refused")
        missing = c.post(f"/d/{DAY}/save", content=b"text=x", headers=form)
        assert (missing.status_code, missing.text) == (403, "CSRF check failed: reload the page and try again")
    # a cookie this app did not sign is refused, even when the form echoes it
    forged = "forged-session.forged-signature"
    with TestClient(create_app(settings), base_url=ORIGIN, cookies={CSRF_COOKIE: forged}) as c:
        r = c.post(f"/d/{DAY}/save", content=f"csrf={forged}&text=x".encode(), headers=form)
        assert (r.status_code, r.text) == (403, "CSRF check failed: reload the page and try again")
    assert untouched(settings)


def test_the_base_path_without_a_slash_or_a_query_is_redirected_to_its_slash(settings: Settings) -> None:
    root = base_path(TOKEN)
    with TestClient(create_app(settings, token=TOKEN), base_url=ORIGIN) as c:
        r = c.get(root, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (307, f"{root}/")


def test_the_shipped_throttle_holds_a_client_after_ten_wrong_tokens_for_a_minute() -> None:
    """What the README promises of the page as shipped (``Guard``'s default throttle): the
    10th wrong token within 60 s holds the client, 9 do not; the hold ends 60 s after the
    first of the ten."""
    now = [100.0]
    throttle = TokenThrottle(clock=lambda: now[0])
    for _ in range(9):
        throttle.failed("10.0.0.7")
        now[0] += 1.0
    assert throttle.retry_after("10.0.0.7") == 0.0
    throttle.failed("10.0.0.7")  # the 10th, at 109 s
    assert throttle.retry_after("10.0.0.7") == 51.0  # held until 100 + 60
    now[0] = 159.5
    assert throttle.retry_after("10.0.0.7") == 0.5
    now[0] = 160.0
    assert throttle.retry_after("10.0.0.7") == 0.0
