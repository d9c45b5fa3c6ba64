"""Draft files and their versions: a re-run never clobbers an editor's work.

    output/drafts/2026-01-19.md                  the current draft (what review / publish read)
    output/drafts/versions/2026-01-19/v001.md    every version ever written, numbered
    output/drafts/versions/2026-01-19/state.json what we wrote last (to detect hand edits)
    output/drafts/covers/2026-01-19.png          the issue's cover (``editor.cover``, not here)

A draft is *edited by hand* when the current file's hash is not the hash of the last
version aidaily wrote. A re-run then keeps the edited file as the current draft (after
saving it as a version of its own) and writes the new machine draft only as a new
version; otherwise the new draft becomes current. Every write is atomic. Published
posts live elsewhere (``aidaily.review.publish``) and are never touched from here.

Every draft file is read here (``read_draft``): a file that is not UTF-8 text raises
``DraftReadError`` naming the file, never a bare ``UnicodeDecodeError``. An unreadable
older version is left out of the diff (``previous_text``) rather than failing the review.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aidaily.atomic import atomic_write_text
from aidaily.errors import DraftReadError, InputTooLarge
from aidaily.format.files import read_digest

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a current draft's file name (its versions live apart)


def _is_day(name: str) -> bool:
    if not _DAY_RE.fullmatch(name):
        return False
    try:
        date.fromisoformat(name)
    except ValueError:
        return False
    return True


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_draft(path: Path) -> str:
    """The text of the draft file ``path``.

    Raises:
        DraftReadError: the file is not UTF-8 text, is far larger than any digest
            (``format.files.MAX_DIGEST_BYTES``: the review page and the CLI read no
            further), or cannot be read.
    """
    try:
        return read_digest(path)
    except InputTooLarge as exc:
        raise DraftReadError(path, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise DraftReadError(path, f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise DraftReadError(path, f"cannot be read ({exc.strerror or exc})") from None


@dataclass
class DraftWrite:
    """What ``Drafts.write`` did."""

    current: Path  # the current draft file
    version: Path | None  # the version file written (None when nothing changed)
    kept_hand_edit: bool  # the current draft was edited by hand and kept
    unchanged: bool  # the new draft equals the current one


class Drafts:
    """The drafts directory of one home."""

    def __init__(self, drafts_dir: Path) -> None:
        self.dir = drafts_dir

    def current_path(self, day: str) -> Path:
        return self.dir / f"{day}.md"

    def days(self) -> list[str]:
        """The dates (``YYYY-MM-DD``) that have a current draft, in order."""
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.md") if _is_day(p.stem) and p.is_file())

    def versions_dir(self, day: str) -> Path:
        return self.dir / "versions" / day

    def versions(self, day: str) -> list[Path]:
        return sorted(self.versions_dir(day).glob("v*.md"))

    def read_current(self, day: str) -> str | None:
        """The current draft of ``day`` (None: there is none).

        Raises:
            DraftReadError: the file is not UTF-8 text.
        """
        path = self.current_path(day)
        return read_draft(path) if path.is_file() else None

    def is_hand_edited(self, day: str) -> bool:
        current = self.read_current(day)
        if current is None:
            return False
        last = self.last_written(day)
        return last is not None and text_hash(current) != last

    def last_written(self, day: str) -> str | None:
        """The hash of the draft aidaily last wrote for ``day`` (None: never)."""
        last = self._state(day).get("last_written")
        return last if isinstance(last, str) else None

    def previous_text(self, day: str) -> str | None:
        """The version before the current draft's content, for the review diff."""
        current = self.read_current(day)
        current_hash = text_hash(current) if current is not None else None
        for path in reversed(self.versions(day)):
            try:
                text = read_draft(path)
            except DraftReadError:
                continue  # a damaged old version: the diff uses an older readable one
            if text_hash(text) != current_hash:
                return text
        return None

    def write(self, day: str, text: str, *, replace_hand_edit: bool = False) -> DraftWrite:
        """Store ``text`` as the newest draft for ``day`` (see the module docstring).
        ``replace_hand_edit`` makes it current even over a draft edited by hand (whose
        text is kept as a version first)."""
        current_path = self.current_path(day)
        current = self.read_current(day)
        if current == text:
            self._record(day, text)
            return DraftWrite(current_path, None, False, True)
        if current is not None and self.is_hand_edited(day):
            self._save_version(day, current, "hand-edit")
            version = self._save_version(day, text, "machine")
            if replace_hand_edit:
                atomic_write_text(current_path, text)
            self._record(day, text)
            return DraftWrite(current_path, version, not replace_hand_edit, False)
        version = self._save_version(day, text, "machine")
        atomic_write_text(current_path, text)
        self._record(day, text)
        return DraftWrite(current_path, version, False, False)

    def save_edit(self, day: str, text: str) -> Path:
        """Make an editor's ``text`` the current draft, saved as an ``-edited`` version.

        What aidaily last wrote stays recorded as such, so the next run sees the draft as
        edited by hand and keeps it. Without such a record the text being replaced is
        taken as the machine's.
        """
        current = self.read_current(day)
        if current is not None and not self._state(day).get("last_written"):
            self._save_version(day, current, "machine")
            self._record(day, current)
        version = self._save_version(day, text, "hand-edit")
        atomic_write_text(self.current_path(day), text)
        return version

    # State ----------------------------------------------------------------------------

    def _state_path(self, day: str) -> Path:
        return self.versions_dir(day) / "state.json"

    def _state(self, day: str) -> dict[str, object]:
        path = self._state_path(day)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _record(self, day: str, text: str) -> None:
        state = self._state(day)
        state["last_written"] = text_hash(text)
        state["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        atomic_write_text(self._state_path(day), json.dumps(state, indent=2))

    def _save_version(self, day: str, text: str, kind: str) -> Path:
        """Save ``text`` as the next version unless the newest version already is it."""
        existing = self.versions(day)
        if existing and hashlib.sha256(existing[-1].read_bytes()).hexdigest() == text_hash(text):
            return existing[-1]
        number = int(existing[-1].stem[1:4]) + 1 if existing else 1
        suffix = "-edited" if kind == "hand-edit" else ""
        path = self.versions_dir(day) / f"v{number:03d}{suffix}.md"
        atomic_write_text(path, text)
        return path
