"""Run a command and measure that command alone: exit code, CPU seconds, peak RSS.

Why a launcher in between: Linux counts in a child's ``ru_maxrss`` the resident size of
the address space it was forked from (the copy it holds until ``exec``). A pytest worker
that has grown to 310 MB therefore reports at least 310 MB for any child it starts,
however little the child itself uses; a CI run failed on exactly that. A fresh, small
interpreter starts the command instead and reports what ``wait4`` saw for it, so the
figure is the command's own (plus the launcher's ~10 MB it was forked from).

Used by the tests (hostile input within a memory budget) and by ``benchmarks/`` (peak
RSS of ``aidaily run``): one way to measure a child, in one place.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# argv: result path, timeout seconds (0: none), address-space limit in bytes (0: none), command...
_LAUNCHER = r"""
import json, os, resource, signal, subprocess, sys, time
result, timeout, limit, argv = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # inherited by the command
started_epoch, t0 = time.time(), time.perf_counter()
proc = subprocess.Popen(argv)
signal.signal(signal.SIGALRM, lambda *_: proc.kill())
if timeout:
    signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(proc.pid, 0)  # retried by Python when the alarm interrupts it
wall = time.perf_counter() - t0
timed_out = bool(timeout) and signal.getitimer(signal.ITIMER_REAL)[0] == 0
signal.setitimer(signal.ITIMER_REAL, 0)
with open(result, "w") as out:
    json.dump({"exit_code": os.waitstatus_to_exitcode(status),
               "cpu_s": usage.ru_utime + usage.ru_stime,
               "peak_rss_bytes": usage.ru_maxrss * 1024, "timed_out": timed_out,
               "wall_s": wall, "started_epoch": started_epoch}, out)
"""


@dataclass(frozen=True)
class Measured:
    exit_code: int
    cpu_s: float
    peak_rss_bytes: int
    timed_out: bool
    wall_s: float  # from the command's start to its end, the launcher's own start-up excluded
    started_epoch: float  # time.time() when the command was started
    output: str = ""  # stdout and stderr together, when captured

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / 2**20


def run_measured(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
                 stdout: int | IO[bytes] | None = None, capture_output: bool = False,
                 timeout: float = 0, address_limit: int = 0) -> Measured:
    """Run ``argv`` to its end (killed after ``timeout`` seconds, ``address_limit`` bytes
    of address space at most: each when given) and measure it alone. Its stdout and stderr go
    together to ``stdout`` (as ``subprocess.run`` takes it), or into ``output`` with
    ``capture_output``."""
    with tempfile.TemporaryDirectory(prefix="aidaily-measured-") as tmp:
        result = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-I", "-c", _LAUNCHER, str(result), str(timeout), str(address_limit), *argv]
        done = subprocess.run(launcher, env=dict(env) if env is not None else None, cwd=cwd,
                              stdout=subprocess.PIPE if capture_output else stdout,
                              stderr=subprocess.STDOUT, check=False)
        if not result.exists():
            raise RuntimeError(f"the launcher measuring {argv[0]} failed (exit {done.returncode})")
        facts = json.loads(result.read_text(encoding="utf-8"))
    return Measured(exit_code=facts["exit_code"], cpu_s=facts["cpu_s"],
                    peak_rss_bytes=facts["peak_rss_bytes"], timed_out=facts["timed_out"],
                    wall_s=facts["wall_s"], started_epoch=facts["started_epoch"],
                    output=(done.stdout or b"").decode("utf-8", "replace") if capture_output else "")

