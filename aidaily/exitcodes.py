"""Exit codes: the one definition every command and the flow share.

A run (``aidaily run``, ``aidaily write``, the Prefect flow) and a fetch
(``aidaily fetch``) end in one of three ways:

- ``OK`` (0): everything it set out to make was made, nothing failed on the way;
- ``PARTIAL`` (2): it made its output, but something failed on the way (a source or an
  article could not be read, the model dropped a story or could not be reached): the
  output is there and the report says what is missing;
- ``NOTHING`` (1): no output at all (no draft, nothing fetched), or bad input.

What the checks find in a draft (ungrounded bullets, lint errors) does not change the
exit code of the run that wrote it: it is for the review, and ``aidaily review`` exits
1 while anything blocks publishing (``ReviewReport.exit_code``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NOTHING = 1
    PARTIAL = 2


def outcome(*, produced: bool, failures: bool) -> ExitCode:
    """The exit code of a run or fetch that ``produced`` its output (or not), with or
    without ``failures`` on the way."""
    if not produced:
        return ExitCode.NOTHING
    return ExitCode.PARTIAL if failures else ExitCode.OK


#: The run status stored in the ``runs`` table for each exit code.
STATUS = {ExitCode.OK: "ok", ExitCode.PARTIAL: "partial", ExitCode.NOTHING: "failed"}
