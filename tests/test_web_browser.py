"""Acceptance test of the review page in a real headless Chromium.

Debian's ``chromium`` (/usr/bin/chromium) driven by Playwright's Python package (no
``playwright install``: the browser is the system one). The app runs under uvicorn in a
background thread on an ephemeral 127.0.0.1 port, over a home built by
``tests.factories.build_home``. The test opens the draft, sees the flagged bullet, opens
its source (and the source of a hostile article, which must render as text), fixes the
bullet in the textarea with the live lint running, saves, sees the flag gone, and
publishes. Screenshots of each view go to ``screenshots/`` at the repository root
(git-ignored).

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

from datetime import date

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import BAD_BULLET, CHROMIUM, DAY, GOOD_BULLET, build_home, chromium_page

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing (pip install playwright)")
uvicorn = pytest.importorskip("uvicorn")

from aidaily.store.drafts import Drafts
from aidaily.review.web.app import create_app
from tests.servers import BackgroundServer


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[object]:
    with chromium_page(tmp_path / "chromium-profile") as page:
        yield page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_review_fix_save_publish_in_chromium(home: Path, browser_page) -> None:  # type: ignore[no-untyped-def]
    expect = sync_api.expect
    page = browser_page
    settings = build_home(home)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with BackgroundServer(create_app(settings)) as server:
        # The list of drafts.
        page.goto(server.url + "/")
        expect(page.locator("#drafts")).to_contain_text(DAY)
        expect(page.locator("#drafts .pill")).to_have_text("draft")
        shot(page, "01-drafts")

        # The draft: one flagged bullet, the rest grounded.
        page.click(f"a[href='/d/{DAY}']")
        flagged = page.locator("li.bullet.flagged")
        expect(flagged).to_have_count(1)
        expect(flagged).to_contain_text(BAD_BULLET)
        expect(page.locator("li.bullet.ok")).to_have_count(3)
        expect(page.locator("#blockers")).to_contain_text("ungrounded fact bullet")
        expect(page.locator("#usage")).to_contain_text("12345 in / 678 out")
        shot(page, "02-draft")

        # Its source: the nearest sentence highlighted.
        flagged.click()
        expect(page.locator("#source-view mark#nearest")).to_contain_text("55 万张 GPU")
        expect(page.locator("#source-view")).to_contain_text("Numbers not in the source: 99 万")
        shot(page, "03-source")

        # A hostile source article renders as text and runs nothing.
        page.locator("li.bullet", has_text="Cursor 让数百个 AI 智能体").click()
        source = page.locator("#source-view .source-text")
        expect(source).to_contain_text("<script>window.__pwned = 1</script>")
        expect(source).to_contain_text('<img src=x onerror="window.__pwned = 2">')
        expect(page.locator("#source-view h4")).to_contain_text("<script>")
        assert page.locator("#source-view img, #source-view script").count() == 0
        assert page.evaluate("window.__pwned === undefined")
        shot(page, "04-source-escaped")

        # Fix the bullet in the textarea; the live lint follows the text, also text typed
        # before the page's script has arrived (held here until then: on a loaded machine
        # it comes late by itself, and the first edit was never linted).
        held = []
        page.route("**/static/app.js", lambda route: held.append(route))
        page.click("#edit-link")
        area = page.locator("#draft-text")
        original = area.input_value()
        assert BAD_BULLET in original
        area.fill(original.replace("date: 2026-01-19", "date: 2026-13-45"))
        while not held:  # the request is made once the page's head is parsed
            page.wait_for_timeout(20)
        held[0].continue_()
        page.unroute("**/static/app.js")
        expect(page.locator("#lint-findings li.error").first).to_be_visible()
        expect(page.locator("#lint-status")).to_contain_text("error")
        area.fill(original.replace(BAD_BULLET, GOOD_BULLET))
        expect(page.locator("#lint-status")).to_have_text("no lint errors")
        expect(page.locator("#lint-findings li.error")).to_have_count(0)
        shot(page, "05-edit")

        # Save: a new version, the flag is gone.
        page.click("#save")
        expect(page.locator("#done")).to_contain_text("Saved")
        expect(page.locator("li.bullet.flagged")).to_have_count(0)
        expect(page.locator("li.bullet.ok")).to_have_count(4)
        expect(page.locator("#ready")).to_be_visible()
        expect(page.locator("#state")).to_have_text("edited")
        shot(page, "06-fixed")

        # Publish through the CLI's gate.
        page.click("#publish")
        expect(page.locator("#done")).to_contain_text("Published")
        expect(page.locator("#state")).to_have_text("published")
        shot(page, "07-published")
        assert page.evaluate("window.__pwned === undefined")

    assert not dialogs
    post = settings.post_path(date.fromisoformat(DAY)).read_text(encoding="utf-8")
    assert GOOD_BULLET in post and BAD_BULLET not in post and "draft: true" not in post
    assert Drafts(settings.drafts_dir).is_hand_edited(DAY)
