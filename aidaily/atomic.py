"""Atomic file writes: a reader (or a crash) never sees a half-written file.

Write to a temporary file in the same directory, flush and fsync it, then
``os.replace`` it over the target: the rename is atomic on POSIX, so the target is
either the old content or the new, never a mix, even after SIGKILL.

The temporary file is made 0600 (``tempfile.mkstemp``); before the rename it gets the
permissions the target should have: ``mode`` when given (``[publish] mode``), else
those of the file it replaces, else what the umask gives a new file (0644 under the
usual 022) — a blog served by another user must be able to read a new post.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read from /proc where there is one: setting it to read it
    back would race with other threads creating files)."""
    try:
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def new_file_mode(target: Path, mode: int | None = None) -> int:
    """The permissions ``target`` gets when written: ``mode``, else the current file's,
    else the umask's for a new file."""
    if mode is not None:
        return mode
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def atomic_write_bytes(path: Path | str, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically (creating parent directories); its
    permissions as ``new_file_mode`` says."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), new_file_mode(target, mode))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path | str, text: str, *, mode: int | None = None) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)
