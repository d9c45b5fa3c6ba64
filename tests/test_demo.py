"""``aidaily demo``: the whole job in an empty directory without network, as a Prefect
flow run over the day shipped in the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aidaily.demo import DEMO_DAY, day_dir, replay_file
from aidaily.editor.extractive import PLACEHOLDER
from aidaily.format.lint import has_errors, lint_text
from aidaily.format.parse import parse
from aidaily.llm.replay import load_book

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]
AIDAILY = Path(sys.executable).with_name("aidaily")


def test_the_day_ships_inside_the_package() -> None:
    assert day_dir().is_dir()
    assert (day_dir() / "www.ithome.com" / "rss" / "__index__").is_file()
    assert day_dir().resolve().is_relative_to(Path(__file__).resolve().parents[1] / "aidaily")


def test_demo_in_an_empty_directory(tmp_path: Path) -> None:
    """No network, no configuration: the model's part replayed from the shipped answers;
    a draft with no placeholder, no lint error, every fact bullet grounded; the score
    against the published issue printed; nothing written outside ./aidaily-demo."""
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AIDAILY_", "PREFECT_"))}
    # No proxy may reach anything: the demo needs no network.
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_LOGGING_LEVEL="WARNING", COLUMNS="200",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
    done = subprocess.run([str(AIDAILY), "demo", "--json"], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=240)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    report = json.loads(done.stdout)
    draft = workdir / "aidaily-demo" / "output" / "drafts" / f"{DEMO_DAY}.md"
    assert report["draft"] == str(draft.resolve()) and draft.is_file()
    text = draft.read_text("utf-8")
    assert PLACEHOLDER not in text
    assert not has_errors(lint_text(text, str(draft)))
    assert report["lint_errors"] == 0 and report["checks_failed"] == 0 and report["fact_bullets"] >= 30
    answers = len(load_book(replay_file()).answers)
    assert report["llm"]["replayed"] == answers and report["llm"]["sent"] == 0
    digest = parse(text)
    assert len(digest.items) == 14 and not digest.is_draft
    assert "the model's answers are replayed" in done.stderr and "by hand" in done.stderr
    assert f"Against the issue the house published for {DEMO_DAY}" in done.stderr
    assert "story recall" in done.stderr and "grounding rate" in done.stderr
    assert f"aidaily --home aidaily-demo web --date {DEMO_DAY}" in done.stderr
    assert "Traceback" not in out
    assert sorted(p.name for p in workdir.iterdir()) == ["aidaily-demo"]  # nothing else written here

