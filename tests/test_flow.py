"""The nightly flow end to end: ``aidaily run`` as a real subprocess in Prefect's
ephemeral mode, against the test day on 127.0.0.1 and the fake LLM server; re-runs,
SIGKILL, concurrent runs, hand edits, review and publish; the serve schedule.

Every ``aidaily run`` here starts Prefect's ephemeral server (~10–20 s), so the module
shares one first run (``first_run``) and copies its home for the scenarios that start
from it. The whole module runs on one xdist worker (group "prefect").
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aidaily.format.lint import has_errors, lint_text
from tests.factories import DAY, SMALL_DIGEST, fake_editor
from tests.fakellm import FakeLLM, FakeRequest
from tests.servers import MirrorServer

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]

DAY_FIXTURES = Path(__file__).parent / "fixtures" / "day"
SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app", "https://raw.githubusercontent.com")
AIDAILY = Path(sys.executable).with_name("aidaily")
CONFIG = """\
[fetch]
per_host_delay = 0
retries = 1
backoff = 0.05
timeout = 5

[llm]
model = "fake-model"
max_retries = 2
timeout = 20
""" + SMALL_DIGEST


@dataclass
class Env:
    """Everything a subprocess run needs: servers, a home, the environment."""

    mirror: MirrorServer
    llm: FakeLLM
    prefect_home: Path

    def environ(self, home: Path) -> dict[str, str]:
        import json

        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AIDAILY_", "PREFECT_"))}
        env.update(
            AIDAILY_HOME=str(home),
            AIDAILY_URL_MAP=json.dumps(self.mirror.url_map(*SITES)),
            OPENAI_BASE_URL=f"{self.llm.base_url}",
            OPENAI_API_KEY="sk-test-flow-secret",
            PREFECT_HOME=str(self.prefect_home),
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="300",
            PREFECT_LOGGING_LEVEL="WARNING",
            COLUMNS="200",
        )
        return env

    def new_home(self, root: Path) -> Path:
        home = root / "home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "aidaily.toml").write_text(CONFIG, encoding="utf-8")
        return home

    def start(self, home: Path, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(AIDAILY), "run", "--date", DAY, *args],
            env=self.environ(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def run(self, home: Path, *args: str, command: str = "run") -> subprocess.CompletedProcess[str]:
        argv = [str(AIDAILY), command, *((["--date", DAY]) if command == "run" else [DAY]), *args]
        return subprocess.run(argv, env=self.environ(home), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with MirrorServer(DAY_FIXTURES) as mirror, FakeLLM() as llm:
        llm.responder = fake_editor
        yield Env(mirror, llm, tmp_path_factory.mktemp("prefect"))


@pytest.fixture(scope="module")
def first_run(env: Env, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], int]:
    home = env.new_home(tmp_path_factory.mktemp("first"))
    result = env.run(home)
    return home, result, len(env.llm.requests)


def copy_home(first: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy" / "home"
    shutil.copytree(first, target)
    return target


def draft_of(home: Path) -> Path:
    return home / "output" / "drafts" / f"{DAY}.md"


def article_hits(mirror: MirrorServer) -> int:
    """Requests for article pages (listings are read again on every run, by design)."""
    return sum(n for path, n in mirror.hits.items() if path.endswith((".htm", ".html")))


def assert_db_usable(home: Path) -> None:
    with sqlite3.connect(home / "aidaily.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] > 0


def assert_no_partial_files(home: Path) -> None:
    leftovers = [p for p in (home / "output").rglob("*") if p.name.startswith(".") and p.suffix == ".tmp"]
    assert leftovers == []


# The acceptance run -----------------------------------------------------------------


def test_run_writes_a_draft_that_passes_lint(env: Env, first_run) -> None:
    home, result, llm_calls = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    text = draft_of(home).read_text(encoding="utf-8")
    findings = lint_text(text, str(draft_of(home)))
    assert not has_errors(findings), [f.format() for f in findings]
    assert llm_calls > 0
    assert "Run 2026-01-19" in result.stdout and "ithome" in result.stdout
    assert "sk-test-flow-secret" not in text + result.stdout + result.stderr
    assert (home / "output" / "drafts" / f"{DAY}.review.json").is_file()


def test_second_run_of_an_unchanged_day_is_up_to_date_and_does_nothing(env: Env, first_run, tmp_path: Path) -> None:
    home = copy_home(first_run[0], tmp_path)
    calls_before, pages_before = len(env.llm.requests), article_hits(env.mirror)
    draft_before = draft_of(home).read_text(encoding="utf-8")
    result = env.run(home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout and str(draft_of(home)) in result.stdout
    assert "Run 2026-01-19" not in result.stdout  # no flow run
    assert len(env.llm.requests) == calls_before and article_hits(env.mirror) == pages_before
    assert draft_of(home).read_text(encoding="utf-8") == draft_before
    with sqlite3.connect(home / "aidaily.db") as db:
        status = db.execute("SELECT status FROM runs WHERE kind = 'run' ORDER BY started DESC").fetchone()[0]
    assert status == "unchanged"


def test_a_scheduled_rerun_of_an_unchanged_day_is_up_to_date_inside_the_flow(
    env: Env, first_run, tmp_path: Path
) -> None:
    """What a served deployment runs: the flow itself, which checks before any task."""
    import json

    home = copy_home(first_run[0], tmp_path)
    calls_before = len(env.llm.requests)
    code = ("import asyncio, json\nfrom flows.daily import daily_digest\n"
            f"print('REPORT', json.dumps(asyncio.run(daily_digest(date={DAY!r}, home={str(home)!r})).to_dict()))")
    result = subprocess.run([sys.executable, "-c", code], env=env.environ(home), capture_output=True, text=True,
                            timeout=600, cwd=Path(__file__).parent.parent, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))[7:])
    assert report["up_to_date"] and report["exit_code"] == 0 and report["draft"] == str(draft_of(home))
    assert len(env.llm.requests) == calls_before


def test_hand_edited_draft_survives_a_rerun(env: Env, first_run, tmp_path: Path) -> None:
    home = copy_home(first_run[0], tmp_path)
    draft = draft_of(home)
    edited = draft.read_text(encoding="utf-8").replace("\n## ", "\n## 编辑改过：", 1)
    draft.write_text(edited, encoding="utf-8")
    result = env.run(home, "--rewrite")
    assert result.returncode == 0, result.stdout + result.stderr
    assert draft.read_text(encoding="utf-8") == edited
    versions = sorted((home / "output" / "drafts" / "versions" / DAY).glob("v*.md"))
    assert [v.name for v in versions][-2:] == ["v002-edited.md", "v003.md"]
    assert "edited by hand" in result.stdout


def test_review_lists_an_unsupported_number_and_publish_waits_for_the_fix(env: Env, first_run, tmp_path: Path) -> None:
    home = copy_home(first_run[0], tmp_path)
    draft = draft_of(home)
    original = draft.read_text(encoding="utf-8")
    lines = original.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("- ") and i > 0 and lines[i - 1].startswith("["))
    lines[index] = lines[index] + "，估值 98765 亿美元"
    draft.write_text("\n".join(lines), encoding="utf-8")

    review = env.run(home, "--json", command="review")
    assert review.returncode == 1, review.stdout + review.stderr
    import json

    report = json.loads(review.stdout)
    [flag] = [f for f in report["flags"] if "98765" in " ".join(f["missing_numbers"])]
    assert flag["line"] == index + 1 and flag["nearest"]

    refused = env.run(home, command="publish")
    assert refused.returncode == 1 and "blocking" in refused.stderr
    published = home / "output" / f"ai-daily-{DAY}.md"
    assert not published.exists()

    draft.write_text(original, encoding="utf-8")  # the editor fixes the bullet by hand
    ok = env.run(home, command="publish")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    post = published.read_text(encoding="utf-8")
    assert "draft:" not in post.split("\n---\n", 1)[0]
    again = env.run(home, command="publish")
    assert again.returncode == 1 and "already published" in again.stderr


# Failure and concurrency --------------------------------------------------------------


@contextmanager
def run_held_at_the_model(env: Env, home: Path) -> Iterator[subprocess.Popen[str]]:
    """``aidaily run`` of ``home`` started and held inside its write stage: the model
    answers nothing until the block ends, so whatever the block does happens while the run
    holds the date's lock, however fast or slow the machine is."""
    reached, release = threading.Event(), threading.Event()

    def held(request: FakeRequest) -> Any:
        reached.set()
        release.wait(600)
        return fake_editor(request)

    env.llm.responder = held
    try:
        proc = env.start(home)
        for _ in range(2400):  # a guard against a hung run, not a time limit under test
            if reached.wait(0.1) or proc.poll() is not None:
                break
        assert reached.is_set() and proc.poll() is None, "the run ended before it reached the model"
        yield proc
    finally:
        release.set()
        env.llm.responder = fake_editor


def run_servers_of(home: Path) -> list[int]:
    """The pids of the Prefect servers ``aidaily run`` started for ``home`` (``flows.ephemeral``)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # gone, or not ours to read
            continue
        if b"flows.ephemeral:server_app" in cmdline and f"AIDAILY_HOME={home}".encode() in environ:
            found.append(int(proc.name))
    return found


def gone_within(pids: list[int], patience: float = 60.0) -> bool:
    """Every process of ``pids`` has ended (patience for a loaded machine, not a time under test)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if not any(map(_alive, pids)):
            return True
        time.sleep(0.2)
    return False


def _alive(pid: int) -> bool:
    """Running: not gone, and not a zombie its new parent has yet to reap."""
    try:
        return b"zombie" not in Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return False


def test_sigkill_mid_run_then_rerun(env: Env, tmp_path: Path) -> None:
    """A run killed without a word (SIGKILL: the OOM killer, a scheduler's timeout) leaves
    no partial file, a usable database, and no Prefect server of its own behind; the next
    run of the date writes the draft."""
    home = env.new_home(tmp_path)
    with run_held_at_the_model(env, home) as proc:
        servers = run_servers_of(home)
        assert servers, "the run (no PREFECT_API_URL) runs its own Prefect server"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert gone_within(servers), f"the killed run's Prefect server still runs: {servers}"
    assert not draft_of(home).exists()
    assert_no_partial_files(home)
    assert_db_usable(home)
    result = env.run(home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not has_errors(lint_text(draft_of(home).read_text(encoding="utf-8"), str(draft_of(home))))


def test_a_second_run_of_a_date_in_progress_is_refused_and_one_with_wait_waits(env: Env, tmp_path: Path) -> None:
    """The first run is held inside its write stage, holding the date's lock for as long
    as the test needs: a second run is refused at once, having fetched nothing; a third
    with ``--wait`` says it waits, is still waiting while the first is held, and goes on
    once the first has ended (to find the date up to date)."""
    home = env.new_home(tmp_path)
    with run_held_at_the_model(env, home) as first:
        hits = dict(env.mirror.hits)
        refused = env.run(home)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"another run for {DAY} is in progress" in refused.stderr
        assert "--wait" in refused.stderr  # the way out is named
        assert dict(env.mirror.hits) == hits  # the refused run read nothing, not even a listing

        waiter = env.start(home, "--wait", "600")
        said = lines_of(waiter)
        line = next((text for text in iter(lambda: said.get(timeout=300), None)
                     if "waiting up to 600 s" in text), None)
        assert line is not None and f"another run for {DAY} is in progress" in line
        assert first.poll() is None and waiter.poll() is None  # the first still runs: the waiter waits
        assert dict(env.mirror.hits) == hits and not draft_of(home).exists()
    first_output = first.communicate(timeout=600)[0]
    assert first.returncode == 0, first_output
    waiter.wait(timeout=600)
    rest = "".join(iter(lambda: said.get(timeout=60), None))
    assert waiter.returncode == 0, rest
    assert "up to date" in rest  # it ran after the first had finished the date
    assert_db_usable(home)
    assert_no_partial_files(home)
    assert not has_errors(lint_text(draft_of(home).read_text(encoding="utf-8"), str(draft_of(home))))


def lines_of(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The lines ``proc`` prints, as they come (None after the last one)."""
    out: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.put(line)
        out.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return out


# The flags of a re-run --------------------------------------------------------------------


def test_an_offline_rerun_over_a_hand_edit_makes_no_request_and_replace_edited_puts_the_draft_back(
        env: Env, first_run, tmp_path: Path) -> None:
    """``--offline``: no listing, no page, no model request (the archive and the cache hold
    all); ``--replace-edited``: the machine draft is current again, the edit a version."""
    home = copy_home(first_run[0], tmp_path)
    draft = draft_of(home)
    machine = draft.read_text(encoding="utf-8")
    edited = machine.replace("\n## ", "\n## 编辑改过：", 1)
    draft.write_text(edited, encoding="utf-8")
    hits, calls = dict(env.mirror.hits), len(env.llm.requests)
    result = env.run(home, "--offline", "--replace-edited")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Run 2026-01-19" in result.stdout  # a flow run, not the up-to-date shortcut
    assert dict(env.mirror.hits) == hits  # no listing, no page
    assert len(env.llm.requests) == calls  # every answer from the cache
    assert draft.read_text(encoding="utf-8") == machine == draft_of(first_run[0]).read_text(encoding="utf-8")
    versions = sorted((home / "output" / "drafts" / "versions" / DAY).glob("v*.md"))
    assert [v.name for v in versions][-2:] == ["v002-edited.md", "v003.md"]
    assert versions[-2].read_text(encoding="utf-8") == edited


def stored_page_paths(env: Env, home: Path) -> set[str]:
    """The mirror paths of the stored articles that are pages of their own."""
    with sqlite3.connect(home / "aidaily.db") as db:
        urls = [row[0] for row in db.execute("SELECT url FROM articles")]
    return {env.mirror.path_for(url) for url in urls if url.endswith((".htm", ".html"))}


def test_a_refetch_reads_every_stored_page_again_and_writes_the_same_draft(
        env: Env, first_run, tmp_path: Path) -> None:
    home = copy_home(first_run[0], tmp_path)
    before, calls = dict(env.mirror.hits), len(env.llm.requests)
    result = env.run(home, "--refetch")
    assert result.returncode == 0, result.stdout + result.stderr
    again = {path for path, n in env.mirror.hits.items()
             if n > before.get(path, 0) and path.endswith((".htm", ".html"))}
    assert again == stored_page_paths(env, home) and again
    assert len(env.llm.requests) == calls  # the same pages: the same prompts, from the cache
    assert draft_of(home).read_text(encoding="utf-8") == draft_of(first_run[0]).read_text(encoding="utf-8")


# The schedule ---------------------------------------------------------------------------


def test_serve_registers_the_configured_cron_and_time_zone(tmp_path: Path) -> None:
    from aidaily.cli.serve import build_deployment
    from aidaily.config import load_settings

    (tmp_path / "aidaily.toml").write_text('[schedule]\ncron = "15 22 * * *"\ntimezone = "Europe/Berlin"\n')
    deployment = build_deployment(load_settings(tmp_path))
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "15 22 * * *"
    assert schedule.schedule.timezone == "Europe/Berlin"
    assert deployment.parameters == {"home": str(tmp_path.resolve())}
    assert deployment.flow_name == "daily-digest"


def test_serve_defaults_to_2330_shanghai(tmp_path: Path) -> None:
    from aidaily.cli.serve import build_deployment
    from aidaily.config import load_settings

    [schedule] = build_deployment(load_settings(tmp_path)).schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 23 * * *", "Asia/Shanghai")


def test_prefect_yaml_has_the_same_schedule() -> None:
    import yaml

    config = yaml.safe_load((Path(__file__).parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = config["deployments"]
    assert deployment["entrypoint"] == "flows/daily.py:daily_digest"
    assert deployment["schedules"][0]["cron"] == "30 23 * * *"
    assert deployment["schedules"][0]["timezone"] == "Asia/Shanghai"
    assert deployment["work_pool"]["name"] == "aidaily"


def _json_report(stdout: str) -> dict:
    """The run report ``aidaily run --json`` printed (Prefect may log around it)."""
    import json

    lines = stdout.split("\n")
    start, end = lines.index("{"), len(lines) - lines[::-1].index("}")
    return json.loads("\n".join(lines[start:end]))


def test_a_forced_rerun_of_an_unchanged_date_sends_nothing_fetches_nothing_it_has_and_says_so(
        env: Env, first_run: tuple[Path, subprocess.CompletedProcess[str], int], tmp_path: Path) -> None:
    """``--no-skip-unchanged``: the flow runs every task again, with every stored page and
    every model answer at hand. Honest accounting: the report counts the cache's answers
    there: 0 requests sent, no tokens, no cost."""
    first, result, _ = first_run
    home = copy_home(first, tmp_path)
    sent_before, pages_before = len(env.llm.requests), article_hits(env.mirror)
    again = env.run(home, "--no-skip-unchanged", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    report = _json_report(again.stdout)
    assert len(env.llm.requests) == sent_before  # the model really got nothing
    assert article_hits(env.mirror) == pages_before  # no stored page read again
    assert report["llm"]["sent"] == 0 and report["llm"]["cost_usd"] == 0
    assert report["llm"]["tokens_in"] == 0 and report["llm"]["cached"] > 0
    assert report["exit_code"] == 0 and not report["up_to_date"]
    assert draft_of(home).read_text(encoding="utf-8") == draft_of(first).read_text(encoding="utf-8")
