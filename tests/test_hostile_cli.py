"""Hostile input at the command line and in ``aidaily.toml`` (issue 12): every case ends
in a clear error (or the documented fallback) and a non-zero exit, never a traceback.

The commands run through the console entry point (``aidaily.cli.app.main``) in this
process, as ``aidaily ARGS`` would: what it prints on stdout and stderr, and its exit code.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aidaily.config import load_settings
from aidaily.store.store import Store
from tests.factories import DAY, CliResult, make_stories
from tests.fakellm import FakeLLM, Reply
from tests.servers import MirrorServer, closed_port_url

ITHOME = "https://www.ithome.com"
PAGE = f"{ITHOME}/0/914/292.htm"  # a real article page of the test day (GBK)
DAY_DIR = Path(__file__).parent / "fixtures" / "day"
FAST_FETCH = "[fetch]\ntimeout = 2.0\nretries = 0\nper_host_delay = 0.0\n"


Result = CliResult
Aidaily = Callable[..., Result]


def refused(result: Result, *phrases: str) -> None:
    """A clear error: non-zero exit, every phrase said, no traceback."""
    assert result.code != 0, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def configure(home: Path, text: str) -> Path:
    path = home / "aidaily.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- 3. ``aidaily extract URL`` goes through the run's fetcher --------------------------


@pytest.fixture
def site(home: Path, mirror_server: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> MirrorServer:
    """The test day's ithome page served on 127.0.0.1, reached through the URL map."""
    page = DAY_DIR / "www.ithome.com/0/914/292.htm"
    mirror_server.put(PAGE, page.read_bytes(), {"Content-Type": "text/html; charset=gbk"})
    configure(home, FAST_FETCH + "max_bytes = 200000\n")
    monkeypatch.setenv("AIDAILY_URL_MAP", json.dumps(mirror_server.url_map(ITHOME)))
    return mirror_server


def extract(aidaily: Aidaily, url: str) -> Result:
    return aidaily("extract", "--source", "ithome", "--kind", "article", "--json", url)


def test_extract_refuses_a_loopback_url_without_the_url_map(aidaily: Aidaily, home: Path,
                                                           mirror_server: MirrorServer) -> None:
    mirror_server.put(PAGE, (DAY_DIR / "www.ithome.com/0/914/292.htm").read_bytes())
    url = f"{mirror_server.base_url}{mirror_server.path_for(PAGE)}"
    result = extract(aidaily, url)
    refused(result, "loopback", "refused", "URL map")
    assert result.code == 1 and mirror_server.hits == {}  # not even asked


def test_extract_through_the_url_map_works(aidaily: Aidaily, site: MirrorServer) -> None:
    result = extract(aidaily, PAGE)
    assert result.code == 0, result.output
    article = json.loads(result.out)["items"][0]
    assert article["url"] == PAGE and "有用但不唐突" in article["text"]
    assert site.requests[site.path_for(PAGE)][0]["user-agent"] == "Mozilla/5.0 (compatible; aidaily/0.1.0)"


def test_extract_refuses_a_redirect_to_the_metadata_address(aidaily: Aidaily, site: MirrorServer) -> None:
    site.fault(PAGE, location="http://169.254.169.254/latest/meta-data/")
    refused(extract(aidaily, PAGE), "169.254.169.254 is a link-local address", "refused")


@pytest.mark.parametrize("fault", [
    {"size": 5_000_000, "content_length": False},  # 5 MB, length unannounced
    {"body": gzip.compress(b"\0" * 20_000_000),  # a 20 KB gzip bomb of 20 MB
     "headers": {"Content-Encoding": "gzip", "Content-Type": "text/html"}},
], ids=["oversize", "gzip-bomb"])
def test_extract_stops_at_the_size_cap(aidaily: Aidaily, site: MirrorServer, fault: dict[str, Any]) -> None:
    site.fault(PAGE, **fault)
    refused(extract(aidaily, PAGE), "exceeds the cap of 200000 bytes")


def test_extract_stops_a_trickle_at_the_time_limit(aidaily: Aidaily, site: MirrorServer) -> None:
    site.fault(PAGE, body=b"<html>" + b" " * 200, trickle=0.05)  # 10 s, a byte at a time
    result = extract(aidaily, PAGE)
    refused(result, "timed out after 2 s")
    # It hung up on the trickle: every byte came in time for a read timeout, so only a
    # limit on the whole request stops it before the last one.
    assert site.hits_for(PAGE) == 1 and site.path_for(PAGE) not in site.trickled


def test_extract_with_retries_stays_within_its_time_limit(aidaily: Aidaily, site: MirrorServer, home: Path) -> None:
    """Retries do not multiply the limit: the attempt that runs out of time is the last."""
    configure(home, "[fetch]\ntimeout = 1.0\nretries = 3\nbackoff = 0.01\nper_host_delay = 0.0\n")
    site.fault(PAGE, delay=1.5)
    refused(extract(aidaily, PAGE), "timed out after 1 s")
    assert site.hits_for(PAGE) == 1  # not 4: no retry after the time is up


# --- 6. out-of-range dates, settings and ports; a model endpoint that is no API ----------


@pytest.mark.parametrize("command", [["write"], ["fetch", "--offline"], ["prompt", "plan"], ["run"]],
                         ids=lambda c: c[0])
def test_a_date_at_the_end_of_the_calendar_is_refused(aidaily: Aidaily, command: list[str]) -> None:
    refused(aidaily(*command, "--date", "0001-01-01"), "0001-01-01 is outside the dates a digest can have")


def test_the_first_and_last_dates_accepted_have_a_window(aidaily: Aidaily, home: Path) -> None:
    # the widest window in the time zones farthest east and west
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        configure(home, f'[window]\nhours = 336\ntimezone = "{zone}"\n')
        for day in ("0001-01-18", "9999-12-28"):
            result = aidaily("write", "--llm", "none", "--date", day)
            refused(result, f"no AI stories stored for {day}")
            assert result.code == 1


@pytest.mark.parametrize(("setting", "message"), [
    ("[window]\nhours = 100000000\n", "window.hours: Input should be less than or equal to 336"),
    ("[window]\nhours = 0\n", "window.hours: Input should be greater than or equal to 1"),
    ('[window]\ntimezone = "Mars/Olympus"\n', "window.timezone: unknown time zone 'Mars/Olympus'"),
    ('[schedule]\ntimezone = "Asia"\n', "schedule.timezone: unknown time zone 'Asia'"),
], ids=["hours-huge", "hours-zero", "timezone", "schedule-timezone"])
@pytest.mark.parametrize("command", [["write", "--date", DAY], ["fetch", "--offline", "--date", DAY],
                                     ["sources"], ["run"]], ids=lambda c: c[0])
def test_a_bad_window_setting_is_a_config_error(aidaily: Aidaily, home: Path, setting: str,
                                                message: str, command: list[str]) -> None:
    path = configure(home, setting)
    refused(aidaily(*command), str(path), message)


@pytest.mark.parametrize("args", [["web", "--port", "99999"], ["web", "--port", "0"],
                                  ["review", DAY, "--web", "--port", "99999"]])
def test_a_port_out_of_range_is_refused(aidaily: Aidaily, monkeypatch: pytest.MonkeyPatch,
                                        args: list[str]) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(kw))  # never serve
    result = aidaily(*args)
    refused(result, "is not a port (1-65535)")
    assert result.code == 2 and not served


@pytest.mark.parametrize("answer", [(200, "application/json", b"{}"),
                                    (200, "text/html", b"<html><body>Welcome</body></html>")],
                         ids=["empty-object", "html"])
def test_a_model_endpoint_that_lists_no_models_means_an_extractive_draft(
    aidaily: Aidaily, home: Path, monkeypatch: pytest.MonkeyPatch, answer: tuple[int, str, bytes]
) -> None:
    configure(home, "[digest]\nmain_min = 4\nmain_max = 8\nother_min = 2\nother_max = 4\n"
                    "sections_min = 2\nsections_max = 4\n[llm]\nmax_retries = 0\ntimeout = 5\n")
    Store.from_settings(load_settings(home)).upsert_articles(a for s in make_stories() for a in s.articles)
    with FakeLLM() as fake:
        fake.models_answer = answer
        fake.on("plan", Reply.error(500))  # the plan fails: the endpoint is probed
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-hostile")
        result = aidaily("write", "--date", DAY)
    assert result.code == 2, result.output  # a draft, the model failed: PARTIAL
    assert "Traceback" not in result.output
    assert "LLM unreachable" in result.output and "no list of models" in result.output
    record = json.loads((home / "output" / "drafts" / f"{DAY}.review.json").read_text("utf-8"))
    assert record["mode"] == "extractive"


# --- 10. unknown keys, secrets in errors, weak web tokens --------------------------------


@pytest.mark.parametrize(("setting", "where"), [
    ('[llm]\nmodle = "gpt-4o"\n', "llm.modle"),
    ('db_ulr = "sqlite:///x.db"\n', "db_ulr"),
    ("[window]\nhour = 12\n", "window.hour"),
    ("[sources.ithome]\nenabeld = false\n", "sources.ithome.enabeld"),
    ('[[feeds]]\nname = "x"\nurl = "https://x.example/rss"\nselctor = "div"\n', "feeds.0.selctor"),
    ("[llm.plan]\ntemprature = 0.1\n", "llm.plan.temprature"),
], ids=["llm", "top-level", "window", "sources", "feeds", "step"])
def test_an_unknown_key_is_an_error_naming_key_and_file(aidaily: Aidaily, home: Path,
                                                        setting: str, where: str) -> None:
    path = configure(home, setting)
    result = aidaily("write", "--date", DAY)
    refused(result, str(path), f"{where}: unknown key")
    assert result.code == 1


def test_a_secret_of_the_wrong_type_is_not_echoed(aidaily: Aidaily, home: Path) -> None:
    path = configure(home, "[llm]\napi_key = 12345678901234\nbase_url = 98765432109876\n")
    result = aidaily("write", "--date", DAY)
    refused(result, str(path), "llm.api_key: Input should be a valid string", "llm.base_url")
    assert "12345678901234" not in result.output and "98765432109876" not in result.output
    assert "errors.pydantic.dev" not in result.output


@pytest.mark.parametrize("token", ["a", "s3cret-token", " " * 20 + "abc"])
@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
def test_a_weak_web_token_is_refused(aidaily: Aidaily, monkeypatch: pytest.MonkeyPatch,
                                     token: str, host: str) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(kw))
    result = aidaily("web", "--host", host, "--token", token)
    refused(result, "--token", "at least 16 characters")
    assert result.code == 2 and not served


def test_a_strong_web_token_is_accepted_on_a_public_address(aidaily: Aidaily,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(kw))
    token = "k" * 16
    result = aidaily("web", "--host", "0.0.0.0", "--token", token)
    assert result.code == 0, result.output
    assert served == [{"host": "0.0.0.0", "port": 8710, "log_level": "warning", "interface": "asgi3"}]
    assert f"?token={token}" in result.out
    missing = aidaily("web", "--host", "0.0.0.0")
    refused(missing, "--token", "exposes the drafts")
    assert len(served) == 1


def test_serve_refuses_an_unknown_time_zone_before_serving(home: Path) -> None:
    """``--timezone`` is checked as ``[schedule] timezone`` is: a clear error, exit 2,
    nothing registered (the Prefect API named here is not even there)."""
    env = {**os.environ, "AIDAILY_HOME": str(home), "PREFECT_API_URL": closed_port_url() + "/api"}
    done = subprocess.run([sys.executable, "-m", "aidaily", "serve", "--timezone", "Mars/Olympus"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unknown time zone 'Mars/Olympus'" in done.stderr and "Traceback" not in done.stderr
    assert "serving" not in done.stderr
