"""How to run a date: the options every entry point (CLI, flow) hands the pipeline.

Plain data with no imports, so the CLI can build it at start-up for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RunOptions:
    """How to run a date (the flags of ``aidaily run`` / ``aidaily write``)."""

    fetch: bool = True  # False: write from the stored articles (``aidaily write``)
    offline: bool = False  # fetch from the archive only
    refetch: bool = False  # read article pages again even when stored
    rewrite: bool = False  # ask the model again (no cached answers)
    replace_edited: bool = False  # make the new draft current even over a hand edit (kept as a version)
    use_llm: bool = True  # False: extractive
    skip_unchanged: bool = True  # do nothing when the date is up to date (``uptodate``)
    lock_wait: float = 0.0  # seconds to wait for another run of the date

    @property
    def checks_unchanged(self) -> bool:
        """The up-to-date shortcut applies only to a plain full run (``replace_edited`` asks
        for the machine's draft over a hand edit, which an unchanged date would keep)."""
        return self.skip_unchanged and self.fetch and not (
            self.refetch or self.rewrite or self.offline or self.replace_edited)
