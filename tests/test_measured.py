"""tests/measured.py measures the command alone, not the process that started it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.measured import run_measured

ROOT = Path(__file__).resolve().parents[1]

# A parent of 256 MB resident starts a small command and prints the peak RSS measured for it.
BIG_PARENT = """
import sys
from tests.measured import run_measured
ballast = bytearray(256 * 2**20)
ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: resident, not just mapped
run = run_measured([sys.executable, "-c", "pass"])
print(run.exit_code, round(run.peak_rss_mb))
"""


def test_a_big_parent_does_not_count_in_the_child_s_peak_rss() -> None:
    done = subprocess.run([sys.executable, "-c", BIG_PARENT], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    code, rss_mb = map(int, done.stdout.split())
    assert code == 0
    assert rss_mb < 100, f"{rss_mb} MB: the parent's 256 MB were counted"


def test_exit_code_output_cpu_and_rss_are_the_command_s() -> None:
    grow = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('grown'); raise SystemExit(3)"
    run = run_measured([sys.executable, "-c", grow], capture_output=True)
    assert (run.exit_code, run.output, run.timed_out) == (3, "grown\n", False)
    assert 150 <= run.peak_rss_mb < 250
    assert run.cpu_s > 0


def test_a_command_over_its_time_is_killed_and_said_so() -> None:
    run = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert run.timed_out and run.exit_code == -9


def test_the_address_limit_holds_the_command() -> None:
    run = run_measured([sys.executable, "-c", "bytearray(600 * 2**20)"], capture_output=True,
                       address_limit=400 * 2**20)
    assert run.exit_code == 1 and "MemoryError" in run.output
