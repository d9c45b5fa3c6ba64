"""Publishing into a blog kept in git: commit the post (and its cover), push it.

The series is a blog in a git repository (Hexo ``source/_posts/``, Hugo
``content/posts/``, Astro ``src/content/blog/`` …). With ``[publish] git_commit = true``
the files a publication wrote are committed — only those paths, whatever else is staged
— with a clear message; with ``git_push = true`` the branch is pushed to the configured
remote. Publishing the same text again changes nothing and makes no commit (a push is
still tried, so a push that failed last time is made up for).

The git command line does the work (``git`` is on every machine that has a blog
checkout; its behaviour is the one the operator knows). A failure is a ``GitError``
naming the command and git's own message; the caller keeps the post and the commit.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aidaily.errors import AidailyError

if TYPE_CHECKING:
    from collections.abc import Sequence

GIT_TIMEOUT = 120.0  # seconds for one git command (a push over a slow link)
FALLBACK_IDENTITY = ("aidaily", "aidaily@localhost")


class GitError(AidailyError):
    """A git command failed; the message names it and quotes git."""


@dataclass(frozen=True)
class GitOutcome:
    """What git did for one publication."""

    repo: Path
    commit: str | None = None  # the new commit's hash; None: nothing changed
    pushed: str | None = None  # "remote branch" when a push succeeded
    error: str | None = None  # the push (or commit) that failed

    def describe(self) -> str:
        done = f"committed {self.commit[:10]}" if self.commit else "nothing new to commit"
        if self.pushed:
            done += f", pushed to {self.pushed}"
        return f"git ({self.repo}): {done}" + (f"; {self.error}" if self.error else "")


def work_tree(path: Path) -> Path:
    """The top of the git work tree ``path`` lies in.

    Raises:
        GitError: git is missing or ``path`` is not inside a work tree.
    """
    folder = path if path.is_dir() else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    return Path(_git(folder, "rev-parse", "--show-toplevel").strip())


def commit_and_push(repo: Path, paths: Sequence[Path], message: str, *, push: bool,
                    remote: str = "origin", branch: str | None = None) -> GitOutcome:
    """Commit ``paths`` (only them) in ``repo``; push when asked.

    A failed push does not raise: the commit stays and the outcome carries the error.

    Raises:
        GitError: the commit itself failed (the files are written either way).
    """
    names = [str(p.resolve().relative_to(repo.resolve())) for p in paths]
    _git(repo, "add", "--", *names)
    commit = None
    if _changed(repo, names):
        _git(repo, "commit", "--quiet", "--no-verify", "-m", message, "--", *names,
             identity=_identity(repo))
        commit = _git(repo, "rev-parse", "HEAD").strip()
    if not push:
        return GitOutcome(repo, commit)
    target = branch or _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
    try:
        _git(repo, "push", "--quiet", remote, f"HEAD:refs/heads/{target}")
    except GitError as exc:
        return GitOutcome(repo, commit, error=f"push to {remote} {target} failed: {exc}")
    return GitOutcome(repo, commit, pushed=f"{remote} {target}")


def _changed(repo: Path, names: Sequence[str]) -> bool:
    """The index differs from HEAD for ``names`` (or there is no HEAD yet)."""
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        return True  # an empty repository: the first commit
    probe = subprocess.run(["git", "diff", "--cached", "--quiet", "--", *names], cwd=repo,
                           capture_output=True, timeout=GIT_TIMEOUT, check=False)
    return probe.returncode == 1


def _identity(repo: Path) -> dict[str, str] | None:
    """The fallback author for a repository without one (a fresh server checkout)."""
    try:
        if _git(repo, "config", "user.email").strip():
            return None
    except GitError:
        pass
    name, email = FALLBACK_IDENTITY
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def _git(cwd: Path, *args: str, identity: dict[str, str] | None = None) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(identity or {})}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed: publishing into a repository needs the git command") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {args[0]}` did not finish in {GIT_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise GitError(f"`git {args[0]}` failed in {cwd}: {said[-1] if said else f'exit {done.returncode}'}")
    return done.stdout
