"""Mutation testing of the modules that keep the project's promises (issue 21), with mutmut.

    .venv/bin/pip install -e '.[benchmarks]'              # mutmut
    .venv/bin/python -m benchmarks.mutation                # every module below (hours on 2 cores)
    .venv/bin/python -m benchmarks.mutation --only lint,guard --max-children 2

mutmut makes many small changes ("mutants") to a module, one at a time, and runs the
tests that cover the changed function: a mutant the tests do not notice *survives*. A
survivor is either a hole in the tests (write the test that kills it) or an *equivalent*
mutant (the change does not change behaviour; say why in ``benchmarks/README.md``).

Each module is run in a copy of the project made in a temporary directory (the code, the
prompts and the tests, and a ``[tool.mutmut]`` section naming that module and its tests),
so a run leaves nothing in the work tree and modules can be run one by one. The score of
a module is killed / (killed + survived) over the mutants that ran (mutants no test
covers count as survived; timeouts as killed: the test run did not pass). Results:
``benchmarks/results/mutation.json`` (every survivor with its diff).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# benchmarks: tests import its labelled data and evaluators (test_merge_pairs: benchmarks.merge)
COPIED = ("aidaily", "sources", "flows", "prompts", "tests", "benchmarks")


@dataclass(frozen=True)
class Target:
    name: str
    modules: tuple[str, ...]  # paths of the files mutated
    tests: tuple[str, ...]  # the test files that speak for them
    #: mutmut's mutant-name globs to run (empty: all the modules' mutants). ``--all``
    #: ignores them; they keep a run of a big module within an hour on 2 cores.
    mutants: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()  # more pytest arguments (e.g. ``-k`` to leave tests out)
    #: more ``[tool.mutmut]`` settings, as TOML lines (e.g. a lower ``timeout_multiplier``
    #: where a mutant that hangs a served test would cost 15× the tests' time)
    mutmut_settings: tuple[str, ...] = ()


TARGETS = (
    Target("lint", ("aidaily/format/lint.py",),
           ("tests/test_lint.py", "tests/test_lint_bounds.py", "tests/test_lint_findings.py",
            "tests/test_hostile_format.py"),
           (),  # all of the module's mutants
           # Left out: hypothesis fuzzing of the front matter and the footer, and the runs of
           # the CLI in subprocesses: they test parsing, the footer's allow-list and resource
           # limits, not lint's rules, and cost seconds for every mutant that survives.
           ("-k", "not any_front_matter_is_read and not alias_bomb_lint_cli and not deep_nesting_cli"
                  " and not footer_check_never_crashes and not hostile_footer_blocks_publishing")),
    Target("guard", ("aidaily/review/web/guard.py",),
           ("tests/test_web_guard.py", "tests/test_web.py", "tests/test_hostile_web.py", "tests/test_hostile_page.py"),
           # All of it, the uvicorn- and Chromium-served tests too: ``tests.servers.BackgroundServer``
           # hands uvicorn a function of (scope, receive, send), which its app-factory probe (a
           # call with no arguments) cannot mistake for a factory as it did mutmut's
           # ``__call__(*args)`` trampoline.
           (),
           # ``review --web`` runs the CLI in a process of its own, which imports the copy's
           # unmutated code (mutmut swaps functions in its own process only): it would pass
           # every mutant, in 2 s each.
           ("-k", "not review_web_serves"),
           # a mutant that makes a served test wait for its timeout: 3× the tests' time, not 15×
           ("timeout_multiplier = 3.0",)),
    Target("calllog", ("aidaily/llm/calllog.py",), ("tests/test_redact.py", "tests/test_llm.py")),
    Target("pipeline-report", ("aidaily/pipeline/report.py",),
           ("tests/test_exit_codes.py", "tests/test_pipeline.py")),
    Target("review-report", ("aidaily/review/report.py",),
           ("tests/test_review_report.py", "tests/test_exit_codes.py", "tests/test_web.py", "tests/test_editor.py")),
    Target("uptodate", ("aidaily/pipeline/uptodate.py",), ("tests/test_uptodate_rules.py", "tests/test_uptodate.py"),
           # the acceptance test re-runs ``aidaily run`` in a subprocess, where no mutant is
           # active (mutmut switches them in its own process): minutes per mutant for nothing
           pytest_args=("-k", "not aidaily_run_is_up_to_date_at_once",)),
    Target("dedup", ("aidaily/stories/dedup.py",),
           ("tests/test_dedup.py", "tests/test_same_story_rules.py", "tests/test_select.py",
            "tests/test_merge_pairs.py", "tests/test_dedup_bounds.py")),
    Target("memory", ("aidaily/memory/recall.py",),
           ("tests/test_memory_rules.py", "tests/test_memory.py", "tests/test_same_story_rules.py")),
    Target("grounding", ("aidaily/checks/grounding.py",),
           ("tests/test_grounding.py", "tests/test_grounding_verdicts.py", "tests/test_numbers.py")),
    Target("entities", ("aidaily/checks/entities.py",),
           ("tests/test_entities.py", "tests/test_grounding.py", "tests/test_numbers.py")),
    Target("numbers", ("aidaily/checks/numbers.py",), ("tests/test_numbers.py", "tests/test_grounding.py")),
    Target("quality", ("aidaily/checks/quality.py",), ("tests/test_eval.py", "tests/test_outline.py")),
    Target("sourced", ("aidaily/checks/sourced.py", "aidaily/checks/similarity.py"),
           ("tests/test_editorial.py", "tests/test_eval.py", "tests/test_similarity.py")),
)

#: mutmut's status names, as ``mutmut results --all true`` prints them.
STATUS = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+)$")


def project_copy(target: Target, into: Path) -> None:
    """The project in ``into``, with a ``[tool.mutmut]`` section for ``target``."""
    for name in COPIED:
        shutil.copytree(ROOT / name, into / name,
                        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", "results"))
    # ``aidaily.prompts`` is the top-level prompts/ (package-dir): inside the copy's package
    # too, or the editable install would serve the work tree's templates to the copy's code.
    shutil.copytree(ROOT / "prompts", into / "aidaily" / "prompts")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += "\n[tool.mutmut]\n" + "\n".join([
        'source_paths = ["aidaily"]',
        'also_copy = ["sources", "flows", "prompts", "benchmarks"]',
        f"only_mutate = {json.dumps(list(target.modules))}",
        f"pytest_add_cli_args_test_selection = {json.dumps([*target.tests, *target.pytest_args])}",
        # One process per mutant (mutmut forks them): no xdist, no random order.
        'pytest_add_cli_args = ["-n", "0", "-p", "no:randomly", "-q"]',
        *target.mutmut_settings,
        "",
    ])
    (into / "pyproject.toml").write_text(config, encoding="utf-8")


def run_target(target: Target, max_children: int, everything: bool,
               only_mutants: list[str] | None = None) -> dict[str, Any]:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"mutmut-{target.name}-") as tmp:
        work = Path(tmp)
        project_copy(target, work)
        env = {**os.environ, "PYTHONPATH": str(work)}
        chosen = only_mutants or ([] if everything else list(target.mutants))
        ran = subprocess.run([mutmut, "run", "--max-children", str(max_children), *chosen], cwd=work, env=env,
                             capture_output=True, text=True, check=False)
        listed = subprocess.run([mutmut, "results", "--all", "true"], cwd=work, env=env,
                                capture_output=True, text=True, check=False)
        statuses = {m["name"]: m["status"].strip() for m in map(STATUS.match, listed.stdout.splitlines()) if m}
        survivors = {}
        for name, status in statuses.items():
            if status in ("survived", "no tests"):
                shown = subprocess.run([mutmut, "show", name], cwd=work, env=env, capture_output=True,
                                       text=True, check=False)
                survivors[name] = {"status": status, "diff": shown.stdout}
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    killed = sum(n for s, n in counts.items() if s in ("killed", "timeout", "caught by type check"))
    survived = sum(n for s, n in counts.items() if s in ("survived", "no tests"))
    return {
        "modules": list(target.modules), "tests": list(target.tests), "counts": counts,
        "mutants": chosen or "all",
        "score": round(killed / (killed + survived), 3) if killed + survived else None,
        "survivors": survivors, "seconds": round(time.monotonic() - started),
        "mutmut_exit": ran.returncode, "mutmut_tail": ran.stdout[-2000:] + ran.stderr[-2000:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated target names: " + ", ".join(t.name for t in TARGETS))
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--all", action="store_true", help="every mutant, also of the big modules")
    parser.add_argument("--mutants", help="comma-separated mutmut name globs to run instead of the target's "
                                          "(e.g. '*Guardǁ__call__*'): a part of one module, to finish or repeat")
    args = parser.parse_args(argv)
    if not Path(sys.executable).with_name("mutmut").exists():
        parser.error(f"mutmut is not installed beside {sys.executable}: pip install -e '.[benchmarks]'")
    chosen = set(args.only.split(",")) if args.only else {t.name for t in TARGETS}
    unknown = chosen - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    out = ROOT / "benchmarks" / "results" / "mutation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for target in TARGETS:
        if target.name not in chosen:
            continue
        result = run_target(target, args.max_children, args.all,
                            args.mutants.split(",") if args.mutants else None)
        # Read again before writing: another run (of other modules) may have written since.
        results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        results[target.name] = result
        out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        score = "—" if result["score"] is None else f"{result['score']:.0%}"
        print(f"{target.name:<16} {score:>5}  {result['counts']}  {len(result['survivors'])} survivor(s), "
              f"{result['seconds']} s", flush=True)
        for name in result["survivors"]:
            print(f"    {name}")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
