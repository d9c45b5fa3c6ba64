"""``[digest] layout`` (issue 18 part 4): "2026-01" writes the seed's layout (the
default), "2026-02" the one the house has used since February. A draft of each layout
on the fixture day lints without an error, round-trips, and eval reads it right
against an archive issue of that layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.checks.quality import score
from aidaily.cli.app import app
from aidaily.config import DigestSettings, Settings, load_settings
from aidaily.editor.assemble import labelled_fact
from aidaily.editor.extractive import extractive_digest
from aidaily.format.digest import Headline
from aidaily.format.lint import lint_text
from aidaily.format.outline import outline
from aidaily.format.parse import parse
from aidaily.format.render import render
from tests.factories import DAY, DAY_DATE, make_stories
from tests.fakellm import FakeLLM
from tests.test_write_cli import day_home, fake  # noqa: F401 (fixtures: the stored day, the fake model)

FIXTURES = Path(__file__).parent / "fixtures"
OF_LAYOUT = {"2026-01": FIXTURES / "digests" / "ai-daily-2026-01-19.md",
             "2026-02": FIXTURES / "aidaily" / "ai-daily-2026-02-10.md"}


def errors(text: str, settings: Settings) -> list[str]:
    return [f.format() for f in lint_text(text, f"{DAY}.md", settings.digest) if f.severity == "error"]


@pytest.mark.parametrize("layout", ["2026-01", "2026-02"])
def test_an_extractive_draft_of_each_layout_lints_and_round_trips(layout: str) -> None:
    settings = Settings(digest=DigestSettings(layout=layout))  # type: ignore[arg-type]
    text = render(extractive_digest(DAY_DATE, make_stories(), settings))
    assert render(parse(text)) == text
    assert errors(text, settings) == []
    digest = parse(text)
    read = outline(digest)
    assert len(read.stories) == len(digest.items) > 0
    assert len(read.themes) == len(digest.sections) - 1  # all but the one-liners' list
    if layout == "2026-02":
        assert digest.headline is None and not any(isinstance(n, Headline) for n in digest.body)
        assert all(i.heading_level == 3 and i.lead for i in digest.items)
        assert {s.level for s in digest.sections} == {2}
        assert digest.sections[-1].heading == "更多动态"
        assert all(b.tail == "" and b.site == "" for b in digest.briefs)
        assert all(ins.paragraphs and not ins.bullets for s in digest.sections for ins in s.insights)
    else:
        assert digest.headline is not None and {s.level for s in digest.sections} == {3}
        assert all(i.heading_level == 0 and not i.lead for i in digest.items)


@pytest.mark.parametrize("layout", ["2026-01", "2026-02"])
def test_eval_reads_a_draft_against_an_archive_issue_of_its_layout(layout: str) -> None:
    settings = Settings(digest=DigestSettings(layout=layout))  # type: ignore[arg-type]
    draft = parse(render(extractive_digest(DAY_DATE, make_stories(), settings)))
    reference = parse(OF_LAYOUT[layout].read_text(encoding="utf-8"))
    result = score(draft, reference, settings=settings.digest)
    expected = {"2026-01": (6, 12, 5), "2026-02": (4, 15, 29)}[layout]  # hand counts (test_outline)
    ref = (result.measure("sections").reference, result.measure("items").reference,
           result.measure("briefs").reference)
    assert ref == expected
    read = outline(draft)
    assert result.measure("items").draft == len(read.stories) == len(draft.items)
    assert result.measure("briefs").draft == len(draft.briefs)
    assert result.draft_stories == len(draft.items) + len(draft.briefs)


def test_labelled_facts() -> None:
    assert labelled_fact("核心能力：支持 100 万 token 上下文") == "**核心能力**：支持 100 万 token 上下文"
    assert labelled_fact("功率 1 GW，相当于一座核电站") == "功率 1 GW，相当于一座核电站"
    assert labelled_fact("马斯克称：9 个月一代芯片") == "**马斯克称**：9 个月一代芯片"
    assert labelled_fact("据《华尔街日报》今天上午的一篇报道：某公司") == "据《华尔街日报》今天上午的一篇报道：某公司"


def test_the_layout_must_be_known(tmp_path: Path) -> None:
    (tmp_path / "aidaily.toml").write_text('[digest]\nlayout = "2027"\n', encoding="utf-8")
    with pytest.raises(Exception, match="layout"):
        load_settings(tmp_path)


def test_a_model_written_draft_in_the_house_layout_since_february(day_home: Path, fake: FakeLLM) -> None:
    home = day_home
    config = home / "aidaily.toml"
    config.write_text(config.read_text("utf-8").replace("[digest]\n", '[digest]\nlayout = "2026-02"\n'), "utf-8")
    settings = load_settings(home)
    assert settings.digest.layout == "2026-02"
    result = CliRunner().invoke(app, ["write", "--date", DAY])
    assert result.exit_code in (0, 2), result.output
    text = (home / "output" / "drafts" / f"{DAY}.md").read_text("utf-8")
    assert errors(text, settings) == []
    assert render(parse(text)) == text
    digest = parse(text)
    assert [i.heading_level for i in digest.items] == [3] * 6 and all(i.lead for i in digest.items)
    assert digest.sections[-1].heading == "更多动态" and len(digest.briefs) == 3
    # the write prompt asked for the layout: a lead, then labelled facts, prose commentary
    prompts = [m["content"] for r in fake.requests for m in r.messages if m["role"] == "system"]
    assert any("本期版式（2026-02）" in p for p in prompts)
    record = json.loads((home / "output" / "drafts" / f"{DAY}.review.json").read_text("utf-8"))
    leads = sum(len(p.lines) for i in digest.items for p in i.lead)
    bullets = sum(len(i.bullets) for i in digest.items)
    assert record["counts"]["fact_bullets"] == leads + bullets  # the lead is grounded too
    assert len(record["checks"]) == leads + bullets
