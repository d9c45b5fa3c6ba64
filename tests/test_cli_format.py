"""``aidaily fmt`` / ``aidaily lint`` as a user runs them, and CLI start-up cost."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from aidaily.cli.app import app

DIGESTS = Path(__file__).parent / "fixtures" / "digests"
REFERENCE = DIGESTS / "ai-daily-2026-01-19.md"
runner = CliRunner()


def close_briefs(text: str) -> str:
    """The reference with its two ')'-closed one-liners closed by '）'."""
    return re.sub(r"\)\)$", ")）", text, flags=re.M)


def test_fmt_check_passes_on_formatted_files() -> None:
    result = runner.invoke(app, ["fmt", "--check", *map(str, sorted(DIGESTS.glob("*.md")))])
    assert result.exit_code == 0, result.output
    assert "3 file(s) already formatted" in result.output


def test_fmt_canonical_check_lists_files_that_would_change_and_changes_nothing(tmp_path: Path) -> None:
    variant = tmp_path / "ai-daily-2026-01-05.md"
    shutil.copy(DIGESTS / variant.name, variant)
    reference = tmp_path / REFERENCE.name
    reference.write_text(close_briefs(REFERENCE.read_text(encoding="utf-8")), encoding="utf-8")
    before = variant.read_bytes()
    result = runner.invoke(app, ["fmt", "--check", "--canonical", str(variant), str(reference)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"would reformat {variant}"]
    assert variant.read_bytes() == before


def test_fmt_canonical_rewrites_in_house_layout(tmp_path: Path) -> None:
    variant = tmp_path / "ai-daily-2026-01-05.md"
    shutil.copy(DIGESTS / variant.name, variant)
    result = runner.invoke(app, ["fmt", "--canonical", str(variant)])
    assert result.exit_code == 0 and "reformatted" in result.output
    text = variant.read_text(encoding="utf-8")
    assert 'tags: ["AI","AI 日报"]' in text
    assert 'summary: "- DeepSeek 发布 mHC 架构论文\\n- Meta 以数十亿美元收购 Manus"' in text
    assert "---\n# DeepSeek" in text and not text.endswith("\n")
    assert runner.invoke(app, ["fmt", "--check", "--canonical", str(variant)]).exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", str(variant)]).exit_code == 0


def test_fmt_canonical_keeps_the_reference_content(tmp_path: Path) -> None:
    from aidaily.format.parse import parse
    from aidaily.format.render import canonical, render

    text = REFERENCE.read_text(encoding="utf-8")
    assert render(canonical(parse(text))) == close_briefs(text)


def test_fmt_reports_a_file_that_is_not_a_digest(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("# just notes\n", encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(target)])
    assert result.exit_code == 1
    assert "front matter missing" in result.output


def test_lint_reference_exit_0() -> None:
    result = runner.invoke(app, ["lint", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_lint_damaged_exit_1_with_line(tmp_path: Path) -> None:
    target = tmp_path / "ai-daily-2026-01-19.md"
    target.write_text(REFERENCE.read_text(encoding="utf-8").replace("date: 2026-01-19", "date: 2026-13-01"), encoding="utf-8")
    result = runner.invoke(app, ["lint", str(target)])
    assert result.exit_code == 1
    assert f"{target}:3: error [bad-date] date '2026-13-01' is not a real YYYY-MM-DD date" in result.output


def test_lint_json_is_machine_readable(tmp_path: Path) -> None:
    target = tmp_path / "ai-daily-2026-01-19.md"
    target.write_text(REFERENCE.read_text(encoding="utf-8").replace("https://www.ithome.com/0/914/178.htm", "ftp://x/y"), encoding="utf-8")
    result = runner.invoke(app, ["lint", "--json", str(target)])
    assert result.exit_code == 1
    findings = json.loads(result.output)
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == [
        {"severity": "error", "line": 25, "code": "bad-url", "message": "item URL 'ftp://x/y' is not an http(s) URL", "path": str(target)}
    ]


def test_lint_unreadable_file_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "missing.md")])
    assert result.exit_code == 1
    assert "unreadable" in result.output


def test_cli_start_up_imports_nothing_heavy() -> None:
    code = (
        "import sys, aidaily.cli.app;"
        "heavy = [m for m in ('prefect', 'openai', 'sqlalchemy', 'httpx', 'pydantic', 'feedparser', 'trafilatura', 'bs4', 'jinja2') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "aidaily", "--help"], capture_output=True, text=True, check=True)
    assert "fmt" in out.stdout and "lint" in out.stdout
