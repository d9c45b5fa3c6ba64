"""The house's archive is the format contract (issue 18): every published issue parses
losslessly, lints without an error, passes ``fmt --check``; the damages lint exists
for are still errors in the house's layout since February too."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.format.lint import has_errors, lint_text
from aidaily.format.parse import parse
from aidaily.format.render import render

FIXTURES = Path(__file__).parent / "fixtures"
ARCHIVE = FIXTURES / "aidaily"
ISSUES = sorted(ARCHIVE.glob("ai-daily-*.md"))
REFERENCE = FIXTURES / "digests" / "ai-daily-2026-01-19.md"


def test_the_whole_archive_is_here() -> None:
    assert len(ISSUES) == 208
    assert ISSUES[0].name == "ai-daily-2025-12-13.md" and ISSUES[-1].name == "ai-daily-2026-08-22.md"


@pytest.mark.parametrize("path", [*ISSUES, REFERENCE], ids=lambda p: p.stem)
def test_a_published_issue_round_trips_and_has_no_lint_error(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert render(parse(text)) == text
    errors = [f.format() for f in lint_text(text, path.name) if f.severity == "error"]
    assert errors == []


def test_fmt_check_passes_on_the_whole_archive() -> None:
    result = CliRunner().invoke(app, ["fmt", "--check", *map(str, ISSUES)])
    assert result.exit_code == 0, result.output
    assert "208 file(s) already formatted" in result.output


def test_lint_cli_passes_on_the_whole_archive() -> None:
    result = CliRunner().invoke(app, ["lint", *map(str, ISSUES), str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert "209 file(s): 0 error(s)" in result.output


# --- damages in the house's layout since February ---------------------------------------

FEBRUARY = ARCHIVE / "ai-daily-2026-02-10.md"


@pytest.fixture(scope="module")
def february() -> str:
    return FEBRUARY.read_text(encoding="utf-8")


def errors(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint_text(text, FEBRUARY.name) if f.severity == "error"]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "", "data:text/html,x"])
def test_a_bad_headline_link_is_an_error(february: str, url: str) -> None:
    damaged = february.replace("(https://www.ithome.com/0/920/344.htm)", f"({url})", 1)
    code = "item-no-url" if not url else "bad-url"
    assert errors(damaged) == [(code, line_of(damaged, "### [AI加速电池研发"))]


def test_a_commentary_label_with_nothing_under_it_is_an_error(february: str) -> None:
    start = february.index("这套系统的核心创新在于")
    end = february.index("### [新罕布什尔大学")
    damaged = february[:start] + february[end:]
    label = line_of(damaged, "### [新罕布什尔大学") - 1
    assert errors(damaged) == [("empty-insight", label)]


def test_bad_date_and_missing_front_matter_are_errors(february: str) -> None:
    assert errors(february.replace("date: 2026-02-10", "date: 2026-02-31")) == [("bad-date", 3)]
    assert errors(february.replace("date: 2026-02-10", "date: 2026-02-11")) == [("date-mismatch", 3)]
    assert errors(february.split("---\n", 2)[2]) == [("front-matter-missing", 1)]


def test_a_story_heading_with_nothing_under_it_is_not_an_error(february: str) -> None:
    # Real issues have "### [headline](url)" alone (2026-04-16); the seed's bare link line
    # alone is damage (tests/test_lint.py).
    start = february.index("美国新罕布什尔大学研究团队")
    end = february.index("## 人形机器人量产与商业化")
    text = february[:start] + february[end:]
    assert not has_errors(lint_text(text, FEBRUARY.name))


def test_canonical_layout_keeps_what_a_reader_counts_on_the_whole_archive() -> None:
    from aidaily.format.outline import outline
    from aidaily.format.render import canonical

    for path in ISSUES:
        digest = parse(path.read_text(encoding="utf-8"))
        text = render(canonical(digest))
        before, after = outline(digest), outline(parse(text))
        counts = [(len(o.themes), len(o.stories), len(o.briefs)) for o in (before, after)]
        assert counts[0] == counts[1], path.name
        assert not has_errors(lint_text(text, path.name)), path.name
        assert render(canonical(parse(text))) == text, path.name


def test_lint_cli_takes_the_habits_from_the_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "aidaily.toml").write_text("[digest]\ntitle_chars = [5, 10]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert "warning [title-length] title has 24 characters; the house uses 5–10" in result.output
    (home / "aidaily.toml").write_text("[digest]\ntitl = 3\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", str(REFERENCE)])
    assert result.exit_code == 0 and "title-length" not in result.output
    assert "digest.titl: unknown key" in result.output and "default [digest] habits" in result.output
