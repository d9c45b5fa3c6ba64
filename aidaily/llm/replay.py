"""Replayed answers: a file of recorded model answers, keyed by what a request is about.

``[llm] provider = "replay"`` with ``replay = PATH`` answers the editor's requests from a
file instead of a model. An answer is found by the request's :class:`Subject`: the day,
the step (plan, write, finalize), the kind of call (story, facts, commentary, brief…)
and the story ids it covers. The prompt's wording is not part of it, so rewording a
template keeps every answer; a story the file has no answer for fails like an
unreachable model for that story alone (the editor writes it extractively and says so).

``aidaily llm export --date D`` writes such a file from the call log of a day run with a
real model (:func:`export_day`): every validated answer, with its subject.

The file (JSON)::

    {"format": "aidaily-replay/1",
     "made": {"how": "…", "when": "…", "model": "…"},      # free text, shown to users
     "answers": [{"day": "2026-01-19", "step": "write", "kind": "story",
                  "ids": ["a1b2…"], "answer": {…the JSON the model answered…}}, …]}

A file is read whole and checked when the client starts; a bad one is an
:class:`~aidaily.errors.LLMError` naming the file and what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aidaily.errors import InvalidAnswer, LLMError

__all__ = [
    "FORMAT",
    "MAX_REPLAY_BYTES",
    "ReplayBook",
    "ReplayInvalid",
    "ReplayMissing",
    "Subject",
    "export_day",
    "load_book",
]

FORMAT = "aidaily-replay/1"
MAX_REPLAY_BYTES = 20 * 1024 * 1024  # a day's answers are ~100 KB; a bigger file is not one


class ReplayMissing(LLMError):
    """The replay file holds no answer for this request (the story falls back)."""


class ReplayInvalid(InvalidAnswer, ReplayMissing):
    """The recorded answer breaks today's rules (a schema tightened since it was made):
    a plan is repaired from it, as from a model's; a story falls back, as if missing."""


@dataclass(frozen=True)
class Subject:
    """What one request is about: the key of a replayed answer."""

    day: date
    step: str
    kind: str
    ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """One line, stored in the call log (``llm_calls.subject``)."""
        return f"{self.day.isoformat()} {self.step}:{self.kind} {'+'.join(self.ids)}".rstrip()

    @classmethod
    def from_key(cls, key: str) -> Subject:
        """The subject a :attr:`key` stands for (ValueError when it is not one)."""
        parts = key.split(" ")
        if len(parts) not in (2, 3) or ":" not in parts[1]:
            raise ValueError(f"not a request subject: {key!r}")
        step, kind = parts[1].split(":", 1)
        ids = tuple(parts[2].split("+")) if len(parts) == 3 and parts[2] else ()
        return cls(date.fromisoformat(parts[0]), step, kind, ids)

    def __str__(self) -> str:
        ids = f" of {'+'.join(self.ids)}" if self.ids else ""
        return f"{self.step} ({self.kind}){ids} on {self.day.isoformat()}"


@dataclass(frozen=True)
class ReplayBook:
    """The answers of a replay file, by subject, and how they were made."""

    path: Path
    answers: dict[Subject, Any]
    made: dict[str, str]

    def recorded(self, subject: Subject | None, step: str) -> Any:
        """The recorded answer for ``subject`` (a request of ``step``).

        Raises:
            ReplayMissing: the file has none (or the request says no subject).
        """
        answer = self.answers.get(subject) if subject is not None else None
        if answer is None:
            what = str(subject) if subject is not None else f"{step} (no subject)"
            raise ReplayMissing(f"{step}: no recorded answer for {what} in {self.path.name}")
        return answer

    def describe(self) -> str:
        """How the answers were made, in one line (for the demo's and the run's output)."""
        made = "; ".join(f"{k}: {v}" for k, v in self.made.items() if v)
        return f"{len(self.answers)} recorded answers from {self.path.name}" + (f" ({made})" if made else "")


def load_book(path: str | Path) -> ReplayBook:
    """Read and check a replay file.

    Raises:
        LLMError: the file is missing, too large, not JSON, or not a replay file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_REPLAY_BYTES:
            raise LLMError(f"replay file {path}: {size} bytes, more than a replay file holds "
                           f"({MAX_REPLAY_BYTES})")
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise LLMError(f"replay file {path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise LLMError(f"replay file {path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LLMError(f"replay file {path}: not a replay file (expected \"format\": \"{FORMAT}\")")
    entries = data.get("answers")
    if not isinstance(entries, list):
        raise LLMError(f"replay file {path}: \"answers\" must be a list")
    answers: dict[Subject, Any] = {}
    for n, entry in enumerate(entries, 1):
        try:
            subject = _subject(entry)
        except (TypeError, ValueError, KeyError) as exc:
            raise LLMError(f"replay file {path}: answer {n} is malformed ({exc})") from None
        answers[subject] = entry["answer"]
    made = data.get("made")
    info = {str(k): str(v) for k, v in made.items()} if isinstance(made, dict) else {}
    return ReplayBook(path, answers, info)


def _subject(entry: Any) -> Subject:
    if not isinstance(entry, dict) or "answer" not in entry:
        raise ValueError("each answer needs day, step, kind, ids and answer")
    ids = entry.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise ValueError("ids must be a list of story ids")
    step, kind = entry["step"], entry["kind"]
    if not (isinstance(step, str) and isinstance(kind, str) and step and kind):
        raise ValueError("step and kind must be names")
    return Subject(date.fromisoformat(str(entry["day"])), step, kind, tuple(ids))


def book_data(answers: Iterable[tuple[Subject, Any]], made: dict[str, str]) -> dict[str, Any]:
    """A replay file's JSON for ``answers`` (sorted: a re-export diffs cleanly)."""
    rows = [
        {"day": s.day.isoformat(), "step": s.step, "kind": s.kind, "ids": list(s.ids), "answer": a}
        for s, a in sorted(answers, key=lambda pair: (pair[0].day, _STEP_ORDER.get(pair[0].step, 9),
                                                      pair[0].kind, pair[0].ids))
    ]
    return {"format": FORMAT, "made": made, "answers": rows}


_STEP_ORDER = {"plan": 0, "write": 1, "finalize": 2}

#: Call-log outcomes whose answer was validated (and is in the answer cache).
_ANSWERED = ("ok", "repaired", "cached", "replayed")


def export_day(db_url: str, day: date, *, made: dict[str, str] | None = None,
               steps: Sequence[str] = ()) -> dict[str, Any]:
    """The replay file's JSON for ``day``: the latest validated answer of every request
    subject of that day in the call log (answers of cached and replayed calls too).

    Raises:
        LLMError: the call log holds no answered request for ``day``.
    """
    # deferred: SQLAlchemy, only when this runs (`aidaily demo`, `llm`, … load the module)
    from sqlalchemy import select

    from aidaily.llm.cache import LLMCacheEntry
    from aidaily.llm.calllog import LLMCall
    from aidaily.store.db import session_factory

    prefix = f"{day.isoformat()} "
    found: dict[Subject, Any] = {}
    models: list[str] = []
    with session_factory(db_url)() as session:
        rows = session.execute(
            select(LLMCall.subject, LLMCall.model, LLMCacheEntry.response)
            .join(LLMCacheEntry, LLMCacheEntry.key == LLMCall.cache_key)
            .where(LLMCall.subject.startswith(prefix), LLMCall.outcome.in_(_ANSWERED))
            .order_by(LLMCall.id)
        )
        for key, model, response in rows:
            subject = Subject.from_key(key or "")
            if steps and subject.step not in steps:
                continue
            found[subject] = json.loads(response)  # later rows win: the latest answer
            if model not in models:
                models.append(model)
    if not found:
        raise LLMError(f"the call log holds no answered model request for {day.isoformat()} "
                       "(run that day with a model first)")
    info = {"model": ", ".join(models)}
    info.update(made or {})
    return book_data(found.items(), info)
