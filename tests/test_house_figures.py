"""The house figures (issue 18 part 3): ``benchmarks/house.py`` measures the archive,
and the ``[digest]`` defaults are its output (a default that drifts from it fails here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aidaily.config import LAYOUT_FIGURES, DigestSettings
from benchmarks.house import in_period, main, measure_folder, measure_text, percentile_range, ranges

ARCHIVE = Path(__file__).parent / "fixtures" / "aidaily"


def test_the_archive_is_measured_and_broken_posts_are_left_out() -> None:
    issues, skipped = measure_folder(ARCHIVE)
    assert len(issues) == 202
    assert sorted(s.split(":")[0] for s in skipped) == [
        "MANIFEST.md", "ai-daily-2026-02-13.md", "ai-daily-2026-04-18.md", "ai-daily-2026-04-24.md",
        "ai-daily-2026-06-26.md", "ai-daily-2026-06-29.md", "ai-daily-2026-07-01.md"]


def test_the_defaults_are_the_figures_of_the_house_since_february() -> None:
    issues, _ = measure_folder(ARCHIVE)
    since_feb = ranges(in_period(issues, date(2026, 2, 1), None, themed=True))
    d = DigestSettings()
    assert (d.main_min, d.main_max) == since_feb["stories"]
    assert (d.sections_min, d.sections_max) == since_feb["themes"]
    assert (d.other_min, d.other_max) == since_feb["one_liners"]
    assert d.title_chars == since_feb["title_chars"]
    feb = LAYOUT_FIGURES["2026-02"]
    assert feb["fact_chars"] == since_feb["fact_chars"] and feb["commentary_chars"] == since_feb["commentary_chars"]
    assert feb["fact_bullets"] == since_feb["facts_per_story"]
    seed = ranges(in_period(issues, None, date(2026, 1, 31), themed=True))
    jan = LAYOUT_FIGURES["2026-01"]
    assert jan["fact_chars"] == seed["fact_chars"] and jan["commentary_chars"] == seed["commentary_chars"]
    assert jan["fact_bullets"] == seed["facts_per_story"]


def test_layout_figures_follow_the_layout_unless_set() -> None:
    assert DigestSettings().commentary_chars == LAYOUT_FIGURES["2026-01"]["commentary_chars"]
    assert DigestSettings(layout="2026-02").commentary_chars == (50, 155)
    assert DigestSettings(layout="2026-02", commentary_chars=(40, 80)).commentary_chars == (40, 80)


def test_one_issue_by_hand() -> None:
    text = (ARCHIVE / "ai-daily-2026-08-12.md").read_text(encoding="utf-8")
    figures = measure_text(text)
    assert figures is not None
    assert (figures.day, figures.themes, figures.stories, figures.one_liners) == (date(2026, 8, 12), 6, 10, 40)
    assert figures.title_chars == len("英伟达5000亿AI融资平台启航，扎克伯格万字宣言")


def test_percentile_range_rounds_outwards() -> None:
    assert percentile_range([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]) == (2, 10)
    assert percentile_range([2.5, 2.5]) == (2, 3)
    assert percentile_range([4.0]) is None


def test_the_script_says_what_is_wrong(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([str(tmp_path / "nowhere")]) == 1
    assert "is not a folder" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 1
    assert "no issue with a story" in capsys.readouterr().err
    assert main([str(ARCHIVE), "--since", "2026-02-01", "--themed"]) == 0
    out = capsys.readouterr().out
    assert "| **2026-02-01 … 2026-08-22, P10–P90** | 155 | 4–7 | 10–26 | 2–28 | 2–5 | 25–60 | 50–155 | 19–39 |" in out
