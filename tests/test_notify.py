"""Notifications through apprise to a local receiver: draft ready, published, run failed;
a notifier that fails is reported and never fails the run or the publication."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import NotifySettings
from aidaily.delivery.notify import draft_ready, redact, send
from tests.factories import DAY, DAY_DATE, build_home, make_stories
from tests.servers import closed_port_url


class Receiver:
    """A webhook on 127.0.0.1 that keeps every JSON body posted to it."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                outer.bodies.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def configure(home: Path, *urls: str, extra: str = "") -> None:
    listed = ", ".join(json.dumps(u) for u in urls)
    config = home / "aidaily.toml"
    before = config.read_text("utf-8") if config.exists() else ""
    config.write_text(f"{before}\n[notify]\nurls = [{listed}]\ntimeout = 5\n{extra}", encoding="utf-8")


def test_a_notice_reaches_the_webhook_and_a_bad_one_is_reported(receiver: Receiver) -> None:
    settings = NotifySettings(urls=[receiver.url, "json://user:s3cret@" + closed_port_url().split("//")[1],
                                    "nonsense-scheme://x"])
    notice = draft_ready(DAY_DATE, mode="llm", items=12, blockers=["line 3: x"], flagged=1,
                         review_link="https://review.example/d/2026-01-19")
    sent = send(settings, notice)
    assert [d.ok for d in sent] == [True, False, False]
    assert receiver.bodies[0]["title"] == notice.title and DAY in receiver.bodies[0]["message"]
    assert "https://review.example/d/2026-01-19" in receiver.bodies[0]["message"]
    assert all("s3cret" not in d.describe() for d in sent)
    assert sent[2].error


def test_redact_keeps_no_secret() -> None:
    # apprise's privacy form; a URL apprise cannot read shows its scheme only
    assert redact("tgram://123456:ABCDEF@chat") == "tgram://***"
    assert redact("json://user:pw@127.0.0.1:8080/hook?token=x") == "json://user:****@127.0.0.1:8080/hook"
    assert redact("dingtalk://sec@tokenABCDEF1234/") == "dingtalk://****@t...4"


def test_events_not_chosen_send_nothing(receiver: Receiver) -> None:
    settings = NotifySettings(urls=[receiver.url], events=["published"])
    assert send(settings, draft_ready(DAY_DATE, mode="llm", items=1, blockers=[], flagged=0)) == []
    assert receiver.bodies == []


def test_publishing_tells_the_webhook_the_date(tmp_path: Path, receiver: Receiver,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    build_home(home)
    configure(home, receiver.url)
    monkeypatch.setenv("AIDAILY_HOME", str(home))
    result = CliRunner().invoke(app, ["publish", DAY, "--force"])
    assert result.exit_code == 0, result.output
    assert len(receiver.bodies) == 1
    assert DAY in receiver.bodies[0]["message"] and "已发布" in receiver.bodies[0]["title"]
    assert "notified json://127.0.0.1" in result.output


def test_a_failing_notifier_never_fails_publishing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    build_home(home)
    with Receiver(status=500) as broken:
        configure(home, broken.url)
        monkeypatch.setenv("AIDAILY_HOME", str(home))
        result = CliRunner().invoke(app, ["publish", DAY, "--force"])
    assert result.exit_code == 0, result.output
    assert "failed" in result.output and (home / "output" / f"ai-daily-{DAY}.md").exists()


def test_a_written_draft_is_announced_with_the_review_summary(home: Path, receiver: Receiver) -> None:
    from aidaily.config import load_settings
    from aidaily.store.store import Store

    (home / "aidaily.toml").write_text(
        "[digest]\nmain_min = 4\nmain_max = 8\nother_min = 2\nother_max = 4\n"
        "sections_min = 2\nsections_max = 4\n", encoding="utf-8")
    configure(home, receiver.url, extra='review_url = "https://review.example/"\n')
    Store.from_settings(load_settings(home)).upsert_articles(a for s in make_stories() for a in s.articles)
    result = CliRunner().invoke(app, ["write", "--date", DAY])
    assert result.exit_code in (0, 2), result.output
    assert len(receiver.bodies) == 1
    message = receiver.bodies[0]["message"]
    assert DAY in message and "草稿" in message and "https://review.example/d/2026-01-19" in message
    assert "发布前需处理" in message  # an extractive draft has placeholders to fill


def test_a_run_without_a_draft_is_announced_as_failed(home: Path, receiver: Receiver) -> None:
    configure(home, receiver.url)
    result = CliRunner().invoke(app, ["write", "--date", DAY])
    assert result.exit_code == 1, result.output
    assert len(receiver.bodies) == 1 and "失败" in receiver.bodies[0]["title"]
    assert receiver.bodies[0]["type"] == "failure"


def test_sending_says_nothing_about_imghdr_even_with_every_warning_shown() -> None:
    """apprise loads ``imghdr`` (deprecated in Python 3.11–3.12) with its plugins; a send
    with every DeprecationWarning shown sends (and reports) and shows none about it."""
    import subprocess
    import sys

    code = (
        "import warnings; warnings.simplefilter('always', DeprecationWarning)\n"
        "from datetime import date\n"
        "from aidaily.config import NotifySettings\n"
        "from aidaily.delivery.notify import draft_ready, send\n"
        f"settings = NotifySettings(urls=['json://{closed_port_url().split('://', 1)[1]}'], events=['draft'])\n"
        "notice = draft_ready(date(2026, 1, 19), mode='llm', items=1, blockers=[], flagged=0)\n"
        "print(len(send(settings, notice)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr
    assert "imghdr" not in done.stderr
