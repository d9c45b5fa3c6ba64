"""The writer may set aside an article that is not the same news (issue 19): the story is
split, the item is grounded in the rest, and the run says so."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from aidaily.config import Settings
from aidaily.editor.draft import EditorResult, write_digest
from aidaily.editor.split import Split, split_stories
from aidaily.llm.client import LLMClient
from aidaily.models import Article, Story
from aidaily.stories.dedup import story_id
from tests.factories import ARTICLE_RE, DAY_DATE, fake_editor, first_user, make_stories
from tests.fakellm import FakeLLM, FakeRequest

UNRELATED = Article("https://www.qbitai.com/2026/01/379999.html", "qbitai", "AI 模型玩宝可梦直播走红",
                    "一位开发者让多个 AI 模型同时玩宝可梦，直播累计观看 1340 万次。")
FROM_UNRELATED = "一位开发者让多个 AI 模型同时玩宝可梦，直播累计观看 1340 万次"


def _stories() -> list[Story]:
    stories = make_stories()
    stories[0] = replace(stories[0], articles=[*stories[0].articles, UNRELATED])
    return stories


def _settings(home: Path, base_url: str) -> Settings:
    return Settings.model_validate({
        "home": home,
        "digest": {"main_min": 4, "main_max": 8, "other_min": 2, "other_max": 4,
                   "sections_min": 2, "sections_max": 4},
        "llm": {"base_url": base_url, "api_key": "sk-test", "max_retries": 0, "timeout": 5},
    })


def _writer(set_aside: bool) -> Any:
    """The fake editor; on the two-article story it writes one fact from each article
    and, with ``set_aside``, sets the second aside."""

    def respond(request: FakeRequest) -> Any:
        answer = fake_editor(request)
        articles = ARTICLE_RE.findall(first_user(request))
        if isinstance(answer, dict) and "facts" in answer and len(articles) == 2:
            answer = {**answer, "facts": [answer["facts"][0], FROM_UNRELATED],
                      "set_aside": [articles[1][0]] if set_aside else []}
        return answer

    return respond


def _run(home: Path, set_aside: bool) -> tuple[EditorResult, FakeLLM]:
    with FakeLLM() as fake:
        fake.responder = _writer(set_aside)
        settings = _settings(home, fake.base_url)

        async def go() -> EditorResult:
            async with LLMClient(settings.llm, db_url=None, run_id="t") as client:
                return await write_digest(DAY_DATE, _stories(), settings, client)

        return asyncio.run(go()), fake


def test_a_set_aside_article_is_split_off_and_no_longer_grounds_the_item(home: Path) -> None:
    result, fake = _run(home, set_aside=True)
    first = _stories()[0]
    assert result.splits == [Split("s1", first.title, UNRELATED.url, story_id(UNRELATED.url))]
    assert any("set aside https://www.qbitai.com/2026/01/379999.html" in n for n in result.notices)
    verdict = next(c for c in result.checks if c.bullet == FROM_UNRELATED)
    assert not verdict.ok and verdict.sources == [first.url]
    # The prompt offered the choice, naming the second article's id.
    prompt = next(first_user(r) for r in fake.requests if "s1.1" in first_user(r))
    assert '"set_aside"' in prompt and '["s1.1"]' in prompt


def test_without_set_aside_the_merged_story_grounds_the_bullet(home: Path) -> None:
    result, _ = _run(home, set_aside=False)
    assert result.splits == []
    verdict = next(c for c in result.checks if c.bullet == FROM_UNRELATED)
    assert verdict.ok and verdict.supported_by == UNRELATED.url


@pytest.mark.parametrize(("ids", "kept", "notice"), [
    (["s1.1"], 1, False),
    (["s1"], 2, True),  # the item's own link cannot be set aside
    (["s1.7", "x"], 2, True),  # not an article the prompt showed
])
def test_split_stories(ids: list[str], kept: int, notice: bool) -> None:
    stories = {s.id: s for s in _stories()}
    out, alone, splits, notices = split_stories(stories, {"s1": ids})
    assert len(out["s1"].articles) == kept and len(alone) == len(splits) == 2 - kept
    assert bool(notices) is notice
    assert out["s2"] is stories["s2"]


def test_a_one_article_story_ignores_set_aside_silently() -> None:
    stories = {s.id: s for s in _stories()}
    out, alone, splits, notices = split_stories(stories, {"s2": ["示例"]})
    assert (out, alone, splits, notices) == (stories, [], [], [])


def test_a_run_records_the_split_in_the_store_and_the_review_record(home: Path) -> None:
    """The review grounds with the store's grouping: after a split it is the draft's."""
    import json

    from aidaily.pipeline.options import RunOptions
    from aidaily.pipeline.stages import Selection, Stages, run_day
    from aidaily.review.record import record_path
    from aidaily.store.store import Store
    from tests.test_pipeline import fetch_ok, settings_for

    settings = settings_for(home)
    stories = _stories()
    store = Store.from_settings(settings)
    store.upsert_articles([a for s in stories for a in s.articles])
    store.set_story_ids(stories)
    split = Split("s1", stories[0].title, UNRELATED.url, story_id(UNRELATED.url))

    async def select(settings: Settings, day: object) -> Selection:
        return Selection(len(stories) + 1, stories)

    async def write(settings: Settings, day: Any, chosen: list[Story], **_: Any) -> EditorResult:
        result = await write_digest(day, chosen, settings, None)
        result.splits, result.notices = [split], [*result.notices, split.notice]
        return result

    report: Any = asyncio.run(run_day(settings, DAY_DATE, RunOptions(skip_unchanged=False),
                                      stages=Stages(fetch=fetch_ok, select=select, write=write)))
    assert store.story_ids([UNRELATED.url, stories[0].url]) == {UNRELATED.url: split.new_story_id,
                                                                stories[0].url: "s1"}
    assert split.notice in report.notices
    record = json.loads(record_path(settings, DAY_DATE.isoformat()).read_text(encoding="utf-8"))
    assert record["splits"] == [{"story_id": "s1", "title": stories[0].title, "url": UNRELATED.url,
                                 "new_story_id": split.new_story_id}]
