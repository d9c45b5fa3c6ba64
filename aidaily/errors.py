"""The error hierarchy of aidaily.

Every error the library raises on purpose derives from ``AidailyError``; the CLI turns
them into a one-line message and an exit code instead of a traceback (set
``AIDAILY_RAISE_ERRORS=1`` to see the traceback).

    AidailyError
    ├── ConfigError            bad aidaily.toml / environment
    ├── DigestParseError       text is not a digest (front matter missing / unparsable)
    ├── FetchError             one URL could not be fetched
    │   ├── BlockedURLError    the URL points at a private / loopback / non-http address
    │   └── ResponseTooLarge   the body exceeded the size cap
    ├── ExtractError           a page / feed could not be turned into items or an article
    ├── StoreError             the database refused an operation
    ├── LLMError               a model call failed for good (after retries / repair)
    │   ├── InvalidAnswer      the answers were JSON but broke the rules, even repaired
    │   └── BudgetExceeded     the run's token budget does not allow the call
    ├── LockedError            another run holds the lock for this date
    ├── DraftReadError         a draft file cannot be read (not UTF-8 text); names the file
    ├── PublishError           the publish gate refused a draft
    ├── CoverError             the issue's cover picture could not be made
    └── InputTooLarge          a file given to read is larger than any real one
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path


class AidailyError(Exception):
    """Base class of every error aidaily raises on purpose."""


class ConfigError(AidailyError):
    """The configuration file or environment is invalid."""


class DigestParseError(AidailyError):
    """The text cannot be read as a digest; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class FetchError(AidailyError):
    """A URL could not be fetched (after retries)."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message
        self.status = status


class RobotsDisallowed(FetchError):
    """The site's robots.txt asks crawlers like aidaily not to fetch this URL: skipped."""


class BlockedURLError(FetchError):
    """The URL (or a redirect) points somewhere we refuse to go."""


class ResponseTooLarge(FetchError):
    """The response body exceeded the configured size cap."""


class ExtractError(AidailyError):
    """A feed or page could not be turned into items or an article."""


class StoreError(AidailyError):
    """The database refused an operation."""


class LLMError(AidailyError):
    """A model call failed for good."""


class InvalidAnswer(LLMError):
    """The model answered with JSON that broke the schema or the caller's rules, and
    its repair turn did too. ``answers`` holds the parsed JSON of those answers, the
    latest first, for a caller that can mend one itself (the plan step does)."""

    def __init__(self, message: str, answers: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.answers = answers


class BudgetExceeded(LLMError):
    """The run's token budget does not allow another call."""


class LockedError(AidailyError):
    """Another run holds the lock for this date."""


class DraftReadError(AidailyError):
    """A draft file (current draft or a version) cannot be read as UTF-8 text."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}; fix the file (or move it away) and try again")
        self.path = str(path)
        self.reason = reason


class PublishError(AidailyError):
    """The publish gate refused the draft."""


class CoverError(AidailyError):
    """The issue's cover picture could not be made (font, background or images endpoint)."""


class InputTooLarge(AidailyError):
    """A file given to read (a digest to lint, compare or format) is larger than any
    real one could be: it is not read further."""


# --- why a write failed -----------------------------------------------------------------------

_WRITE_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}
# What SQLite says for the same causes (its errors carry no errno).
_SQLITE_WRITE_ERRORS = {
    "database or disk is full": "the disk is full",
    "attempt to write a readonly database": "the database file or its folder is read-only",
    "unable to open database file": "the database file cannot be opened (a missing or read-only folder?)",
}


#: Free space below which a write that failed "for I/O" failed for space.
NEARLY_FULL = 1 << 20


def write_failure(exc: BaseException, path: str | None = None) -> str | None:
    """Why a write failed, in words, when ``exc`` or an error it was raised from says the
    disk is full, the file system is read-only or permission is denied (naming the path
    when the error does); None for any other error. SQLite reports a journal it could
    not write for want of space as a "disk I/O error": with the ``path`` written, the
    free space there tells."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _WRITE_ERRNOS:
            where = current.filename or ""
            return f"{_WRITE_ERRNOS[current.errno]}{f' ({where})' if where else ''}"
        text = str(current).lower()
        for marker, words in _SQLITE_WRITE_ERRORS.items():
            if marker in text:
                return words
        if "disk i/o error" in text and path is not None and _nearly_full(path):
            return "the disk is full"
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def _nearly_full(path: str) -> bool:
    folder = Path(path).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL
    except OSError:
        return False


def describe_os_error(exc: OSError) -> str:
    """One line for an OSError the CLI did not expect: the cause first, then the path."""
    cause = write_failure(exc)
    if cause is not None:
        return f"cannot write: {cause}"
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or type(exc).__name__}{where}"
