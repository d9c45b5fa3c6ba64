"""One run per date at a time: an OS file lock under ``<home>/.locks``.

The lock is an ``flock`` held by the process, so it disappears with the process —
a run killed with SIGKILL never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from aidaily.errors import LockedError


@contextmanager
def date_lock(locks_dir: Path, day: str, wait: float = 0.0,
              on_wait: Callable[[str], object] | None = None) -> Iterator[Path]:
    """Hold the lock for ``day``; wait up to ``wait`` seconds for another run to end,
    telling ``on_wait`` so first (a run that seems to hang says why).

    Raises:
        LockedError: another run for ``day`` still holds the lock after ``wait``.
    """
    # deferred: filelock, only when this runs (`aidaily fetch`, `prompt`, … load the module)
    from filelock import FileLock, Timeout

    locks_dir.mkdir(parents=True, exist_ok=True)
    path = locks_dir / f"{day}.lock"
    lock = FileLock(str(path))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if wait <= 0:
                raise
            if on_wait is not None:
                on_wait(f"another run for {day} is in progress (lock {path}): "
                        f"waiting up to {wait:g} s for it to end")
            lock.acquire(timeout=wait)
    except Timeout:
        raise LockedError(
            f"another run for {day} is in progress (lock {path}); "
            "let it finish, or pass --wait SECONDS to wait for it"
        ) from None
    try:
        yield path
    finally:
        lock.release()
