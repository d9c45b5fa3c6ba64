"""Issue 20, defect 6 and the input and storage parts of 8: cover wrapping is linear in
the title and the drawn title is capped; ``lint``/``eval``/``fmt`` read at most
``MAX_DIGEST_BYTES`` of a file; a full disk and a read-only home end in one line naming
the real cause (not a traceback, not a "schema upgrade")."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from aidaily.config import CoverSettings
from aidaily.editor.cover import MAX_TITLE_CHARS, cover_text, font_file, load_font, wrap
from aidaily.errors import StoreError, write_failure
from aidaily.format.files import MAX_DIGEST_BYTES
from aidaily.format.parse import parse
from aidaily.store import migrate
from tests.factories import DAY, DRAFT, make_stories
from tests.test_hostile_cli import Aidaily, refused  # the `aidaily` fixture is in conftest

ROOT = Path(__file__).resolve().parent.parent

# --- cover -------------------------------------------------------------------------------------


class CountingFont:
    """A font that counts the characters it is asked to measure."""

    def __init__(self, font: Any) -> None:
        self.font = font
        self.measured = 0

    def getlength(self, text: str) -> float:
        self.measured += len(text)
        return float(self.font.getlength(text))


def measured_for(marks: int) -> int:
    font = CountingFont(load_font(font_file(CoverSettings()), 68))
    lines = wrap("a" + "\u0301" * marks + " 标题", font, 1056)  # type: ignore[arg-type]
    assert "".join(lines).replace(" ", "") == "a" + "\u0301" * marks + "标题"
    return font.measured


def test_cover_wrapping_measures_each_character_a_bounded_number_of_times() -> None:
    # Combining marks never widen a line: re-measuring the line per mark is quadratic.
    small, large = measured_for(2_500), measured_for(10_000)
    assert large <= 2 * 10_000 + 100
    assert large <= 4 * small + 100  # four times the marks, at most four times the work


def test_the_drawn_title_is_capped() -> None:
    text = DRAFT.replace("title: GW 级超算与百万行浏览器：AI 边际成本归零日", "title: " + "长" * 5_000, 1)
    spec = cover_text(parse(text), date.fromisoformat(DAY), CoverSettings())
    assert len(spec.title) == MAX_TITLE_CHARS + 1 and spec.title.endswith("…")


# --- bounded reads -----------------------------------------------------------------------------

ENDLESS = Path("/dev/zero")


@pytest.mark.skipif(not ENDLESS.exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", [["lint"], ["fmt", "--check"], ["eval"]])
def test_an_endless_file_is_refused_after_the_cap(command: list[str]) -> None:
    # A child of its own, held to 2 GB of address space: an unbounded read fails the
    # test instead of taking the machine's memory.
    from tests.test_hostile_format import aidaily_measured

    files = [str(ENDLESS), str(ENDLESS)] if command == ["eval"] else [str(ENDLESS)]
    run = aidaily_measured(*command, *files)
    assert run.exit_code == 1 and not run.timed_out, run.output
    assert f"more than {MAX_DIGEST_BYTES:,} bytes" in run.output and "Traceback" not in run.output


def test_a_file_just_over_the_cap_is_refused_and_one_under_is_read(aidaily: Aidaily, tmp_path: Path) -> None:
    over = tmp_path / "over.md"
    over.write_bytes(b"x" * (MAX_DIGEST_BYTES + 1))
    refused(aidaily("lint", str(over)), "more than")
    under = tmp_path / "under.md"
    under.write_text(DRAFT, encoding="utf-8")
    assert "more than" not in aidaily("lint", str(under)).output


# --- full disk, read-only home -----------------------------------------------------------------


@pytest.mark.parametrize(("exc", "words"), [
    (OSError(errno.ENOSPC, "No space left on device", "/h/x"), "the disk is full (/h/x)"),
    (OSError(errno.EROFS, "Read-only file system", "/h"), "the file system is read-only (/h)"),
    (PermissionError(errno.EACCES, "Permission denied", "/h/.locks"), "permission denied (/h/.locks)"),
    (OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")), "the disk is full"),
    (OperationalError("BEGIN", {}, sqlite3.OperationalError("attempt to write a readonly database")),
     "read-only"),
])
def test_write_failures_are_named(exc: BaseException, words: str) -> None:
    cause = write_failure(exc)
    assert cause is not None and words in cause
    assert write_failure(ValueError("something else")) is None


def test_a_full_disk_during_the_upgrade_is_not_blamed_on_the_schema(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(connection: Any, database: str) -> Any:
        raise OperationalError("CREATE TABLE", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(migrate, "_upgrade_locked", full)
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(StoreError) as info:
        migrate.upgrade(engine)
    assert "the disk is full" in str(info.value) and "schema revision" not in str(info.value)


def test_a_write_the_file_system_refuses_ends_in_one_line(
        home: Path, aidaily: Aidaily, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from aidaily import atomic as atomic_writes
    from aidaily.config import load_settings
    from aidaily.store.store import Store

    Store.from_settings(load_settings(home)).upsert_articles(a for s in make_stories() for a in s.articles)

    def read_only(*args: Any, dir: Any = None, **kw: Any) -> Any:  # noqa: A002 (mkstemp's name)
        raise OSError(errno.EROFS, "Read-only file system", str(dir))

    monkeypatch.setattr(atomic_writes, "tempfile", SimpleNamespace(mkstemp=read_only))
    result = aidaily("write", "--date", DAY, "--llm", "none")
    refused(result, "cannot write: the file system is read-only", str(home))
    assert result.code == 1


def _unshare_works() -> bool:
    if shutil.which("unshare") is None or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(["unshare", "-r", "-m", "true"], capture_output=True)
    return probe.returncode == 0


def in_small_file_system(home: Path, options: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``aidaily ARGS`` with its home on a fresh tmpfs mounted with ``options``, in a
    user and mount namespace of its own (no root needed, nothing left mounted)."""
    script = (f'mount -t tmpfs -o {options} tmpfs "$1" && shift && cd "$0" && '
              f'AIDAILY_HOME="$HOME_DIR" exec "$@"')
    return subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", script, str(ROOT), str(home),
         sys.executable, "-m", "aidaily", *args],
        capture_output=True, text=True, timeout=120, env={"HOME_DIR": str(home), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(not _unshare_works(), reason="unprivileged user namespaces unavailable")
@pytest.mark.parametrize(("options", "words"), [
    ("size=16k", "cannot write the database"),  # a real ENOSPC from a real file system
    ("size=1m,ro", "the file system is read-only"),  # a real EROFS
])
def test_a_real_full_or_read_only_home(tmp_path: Path, options: str, words: str) -> None:
    home = tmp_path / "mnt"
    home.mkdir()
    result = in_small_file_system(home, options, "write", "--date", DAY)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert words in output and "Traceback" not in output and "schema revision" not in output
    if options.startswith("size=16k"):
        assert "the disk is full" in output
