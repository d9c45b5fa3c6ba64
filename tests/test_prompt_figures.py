"""The house figures: one place (``DigestSettings``) for what the prompts say and what
the answer schemas hold to, 字 counted one way (``zi_count``); a write's user message
names the fields its answer must have, so a model that reads only that message answers
in one try, in json_schema and json_object mode alike."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aidaily.config import DigestSettings, Settings
from aidaily.editor.draft import EditorResult, write_digest
from aidaily.editor.prompting import (
    build_brief_messages,
    build_finalize_messages,
    build_write_messages,
)
from aidaily.editor.schema import Plan, house_schemas
from aidaily.format.lint import lint_text
from aidaily.format.parse import parse
from aidaily.llm.client import LLMClient
from aidaily.text import ZI_RULE, zi_count
from tests.factories import DAY, DAY_DATE, asked_fields, fake_editor, make_stories, plan_for
from tests.fakellm import FakeLLM

pytest_plugins = ("tests.fakellm",)


def settings_for(home: Path, base_url: str = "", json_mode: str = "json_schema", **digest: Any) -> Settings:
    return Settings.model_validate({
        "home": home,
        "digest": {"main_min": 4, "main_max": 8, "other_min": 2, "other_max": 4,
                   "sections_min": 2, "sections_max": 4, **digest},
        "llm": {"base_url": base_url or None, "api_key": "sk-test", "max_retries": 0, "timeout": 5,
                "json_mode": json_mode},
    })


# --- 字 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "zi"), [
    ("GPT-5.2 Pro 发布", 4), ("55 万张 GPU", 4), ("1.5GW", 1), ("2,800 万", 2), ("C++ 与 Rust", 3),
    ("xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群", 18), ("", 0), ("   ", 0),
])
def test_zi_count(text: str, zi: int) -> None:
    assert zi_count(text) == zi


def test_the_rule_the_model_is_told_is_the_count() -> None:
    examples = re.search(r"（如 (.+?)）", ZI_RULE)
    assert examples
    assert [zi_count(e) for e in examples.group(1).split("、")] == [1, 1, 1]  # each "算 1 字"
    system = build_write_messages(make_stories(1)[0], Settings())[0]["content"]
    assert ZI_RULE in system


# --- one place for the figures ------------------------------------------------------------


def test_prompts_and_schemas_take_the_figures_from_the_settings() -> None:
    digest = {"headline_zi": (8, 20), "fact_bullets": (3, 5), "commentary_per_block": (2, 4),
              "brief_zi": (10, 30), "title_chars": (12, 26), "thesis_zi": (9, 24), "summary_zi": (11, 33),
              "seo_keywords": (3, 6), "summary_lines": (2, 3), "fact_zi": (15, 50), "commentary_zi": (30, 80)}
    settings = Settings.model_validate({"digest": digest})
    story = make_stories(1)[0]
    system, user = (m["content"] for m in build_write_messages(story, settings, mode="story"))
    assert "8–20 字" in system and "【facts：事实要点，3–5 条】" in system and "每条 15–50 字" in system
    assert "2–4 条，每条 30–80 字" in system
    assert asked_fields(user) == ["headline", "facts", "commentary"]
    assert "headline（条目标题），8–20 字" in user and "facts（事实要点），3–5 条" in user
    brief_system, brief_user = (m["content"] for m in build_brief_messages(story, settings))
    assert "10–30 字" in brief_system and "line（一句话快讯），10–30 字" in brief_user
    plan = Plan.model_validate(plan_for([s.id for s in make_stories()]))
    final_system, final_user = (m["content"] for m in build_finalize_messages(
        plan, {"s1": ("标题", ["事实"])}, [], settings))
    assert "12–26 个字符" in final_system and "9–24 字" in final_system and "11–33 字" in final_system
    assert "3–6 个" in final_system and "title（文章标题），12–26 个字符" in final_user
    # the schemas hold to the same figures
    schemas = house_schemas(settings.digest)
    spec = schemas.story.model_json_schema()["properties"]
    assert (spec["facts"]["minItems"], spec["facts"]["maxItems"]) == (3, 5)
    assert (spec["commentary"]["minItems"], spec["commentary"]["maxItems"]) == (2, 4)
    good = {"headline": "xAI 上线 Colossus 2 超算集群", "facts": ["一", "二", "三"], "commentary": ["甲", "乙"]}
    assert schemas.story.model_validate(good).headline == good["headline"]
    with pytest.raises(ValidationError, match="须为 8–20 字"):
        schemas.story.model_validate({**good, "headline": "短标题"})
    with pytest.raises(ValidationError, match="须为 8–20 字"):
        schemas.story.model_validate({**good, "headline": "这是一个远远超过二十个字的条目标题，编辑会把它删短的"})
    with pytest.raises(ValidationError, match="须为 10–30 字"):
        schemas.brief.model_validate({"line": "太短"})
    assert schemas.finalize.model_json_schema()["properties"]["seo"]["maxItems"] == 6
    # the defaults: what the shipped prompt says is what the shipped schema holds
    default = house_schemas(DigestSettings())
    assert default.story.model_json_schema()["properties"]["facts"]["maxItems"] == DigestSettings().fact_bullets[1]


def test_a_range_upside_down_is_a_config_error(home: Path) -> None:
    from aidaily.config import load_settings
    from aidaily.errors import ConfigError

    home.mkdir(parents=True, exist_ok=True)
    (home / "aidaily.toml").write_text("[digest]\nheadline_zi = [30, 6]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"digest.headline_zi: a range \[low, high\]"):
        load_settings(home)


# --- a model that reads only the user message -----------------------------------------------


def run(settings: Settings) -> EditorResult:
    async def go() -> EditorResult:
        async with LLMClient(settings.llm, db_url=None, run_id="t") as client:
            return await write_digest(DAY_DATE, make_stories(), settings, client)

    return asyncio.run(go())


@pytest.mark.parametrize("json_mode", ["json_schema", "json_object"])
def test_a_model_that_reads_only_the_user_message_writes_a_full_story_in_one_try(
        home: Path, json_mode: str) -> None:
    with FakeLLM() as fake:
        fake.responder = fake_editor  # it never looks at the system prompt or the schema
        result = run(settings_for(home, fake.base_url, json_mode))
    writes = [r for r in fake.requests if r.step in ("write", "brief", "finalize")]
    assert writes and not [r for r in fake.requests if r.is_repair]  # every answer in one try
    assert {(r.get("response_format") or {}).get("type") for r in writes} == {json_mode}
    stories = [r for r in writes if "commentary" in asked_fields(r.user) and "facts" in asked_fields(r.user)]
    assert stories, "no full-story write was asked for"
    assert result.mode == "llm" and not result.dropped and not result.notices, result.notices
    digest = parse(result.text)
    blocks = [b for s in digest.sections for b in s.insights if b.is_commentary]
    assert len(blocks) == 4  # plan_for: 3 stories with their own block, 1 shared
    errors = [f.format() for f in lint_text(result.text, f"{DAY}.md") if f.severity == "error"]
    assert errors == []
    assert result.lint_errors == []  # the write report: lint and the sourced checks, clean
