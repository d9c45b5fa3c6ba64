"""The facts of a wave's answers are checked once the wave is read, not while its other
answers wait to be read (``aidaily.editor.draft.EarlyChecks``)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from aidaily.checks import grounding
from aidaily.checks.grounding import CheckMemo, ItemSources
from aidaily.editor import draft
from aidaily.editor.draft import EarlyChecks
from tests.factories import make_stories

FACT = "xAI 宣布 Colossus 2 上线，功率 1 GW"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    real = grounding.check_bullet

    def check_bullet(text: str, source: str) -> grounding.BulletCheck:
        made.append(text)
        return real(text, source)

    monkeypatch.setattr(grounding, "check_bullet", check_bullet)
    return made


def early_checks() -> tuple[EarlyChecks, CheckMemo]:
    stories = make_stories()
    memo: CheckMemo = {}
    return EarlyChecks({s.id: s for s in stories}, ItemSources.from_stories(stories), memo), memo


def test_a_waves_facts_wait_for_the_wave_then_are_checked(counted: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draft, "EARLY_CHECK_DELAY", 0.05)
    checks, memo = early_checks()

    async def main() -> tuple[int, int]:
        checks.on_written("facts", ("s1",), SimpleNamespace(facts=[FACT]))
        checks.on_written("story", ("s1",), SimpleNamespace(facts=[FACT + "，年内将扩至 2 GW"]))
        await asyncio.sleep(0.01)
        during = len(counted)  # the answers of the wave still being read: nothing checked
        await asyncio.sleep(0.2)
        return during, len(counted)

    during, after = asyncio.run(main())
    assert during == 0 and after == 2 and len(memo) == 2 and not checks.pending


def test_drain_checks_what_is_queued_at_once_and_only_once(counted: list[str]) -> None:
    checks, memo = early_checks()

    async def main() -> int:
        checks.on_written("facts", ("s1",), SimpleNamespace(facts=[FACT, 7]))  # not text: skipped
        checks.on_written("commentary", ("s1",), SimpleNamespace(facts=["评论不核对"]))
        checks.on_written("facts", ("nobody",), SimpleNamespace(facts=["无此故事"]))
        checks.drain()
        now = len(counted)
        await asyncio.sleep(draft.EARLY_CHECK_DELAY * 3)  # the timer was cancelled
        return now

    assert asyncio.run(main()) == 1 and counted == [FACT] and len(memo) == 1

