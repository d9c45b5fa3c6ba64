"""``aidaily publish`` into a blog kept in git: the post committed in the clone and pushed
to the remote (a local bare repository), idempotent, a failed push exits 2 and keeps the
commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.errors import AidailyError
from tests.factories import DAY, build_home

IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def blog(tmp_path: Path) -> tuple[Path, Path]:
    """A bare 'remote' and a clone of it with one commit on main (the blog)."""
    remote, clone = tmp_path / "blog.git", tmp_path / "blog"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    (clone / "README.md").write_text("my blog\n", encoding="utf-8")
    git(clone, "add", "README.md")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "init")
    git(clone, "push", "--quiet", "origin", "HEAD:refs/heads/main")
    return remote, clone


def configure(home: Path, clone: Path, *, push: bool = True, remote: str = "origin") -> None:
    (home / "aidaily.toml").write_text(
        f'[publish]\ndir = "{clone / "source" / "_posts"}"\nfilename = "{{date}}-ai-daily.md"\n'
        f"git_commit = true\ngit_push = {'true' if push else 'false'}\ngit_remote = \"{remote}\"\n",
        encoding="utf-8")


def publish(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("AIDAILY_HOME", str(home))
    result = CliRunner().invoke(app, ["publish", DAY, "--force"])
    if isinstance(result.exception, AidailyError):  # what `aidaily` prints as "error: …"
        return 1, str(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_publish_commits_the_post_and_pushes_it(tmp_path: Path, blog: tuple[Path, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    remote, clone = blog
    home = tmp_path / "home"
    build_home(home)
    configure(home, clone)
    code, out = publish(home, monkeypatch)
    assert code == 0, out
    post = f"source/_posts/{DAY}-ai-daily.md"
    assert (clone / post).exists() and "draft: true" not in (clone / post).read_text("utf-8")
    assert git(clone, "status", "--porcelain") == ""  # committed, nothing left over
    assert DAY in git(clone, "log", "-1", "--format=%s")
    assert post in git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert "pushed to origin main" in out

    # Publishing the same text again: no new commit.
    head = git(clone, "rev-parse", "HEAD")
    code, out = publish(home, monkeypatch)
    assert code == 0, out
    assert git(clone, "rev-parse", "HEAD") == head and "nothing new to commit" in out


def test_only_the_post_is_committed(tmp_path: Path, blog: tuple[Path, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _, clone = blog
    (clone / "unrelated.md").write_text("work in progress\n", encoding="utf-8")
    git(clone, "add", "unrelated.md")
    home = tmp_path / "home"
    build_home(home)
    configure(home, clone, push=False)
    code, out = publish(home, monkeypatch)
    assert code == 0, out
    assert git(clone, "show", "--name-only", "--format=", "HEAD").split() == [f"source/_posts/{DAY}-ai-daily.md"]
    assert "A  unrelated.md" in git(clone, "status", "--porcelain")


def test_a_failed_push_keeps_the_commit_and_exits_2(tmp_path: Path, blog: tuple[Path, Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _, clone = blog
    git(clone, "remote", "add", "gone", str(tmp_path / "missing.git"))
    home = tmp_path / "home"
    build_home(home)
    configure(home, clone, remote="gone")
    code, out = publish(home, monkeypatch)
    assert code == 2, out
    assert "push to gone main failed" in " ".join(out.split())
    assert DAY in git(clone, "log", "-1", "--format=%s")  # the commit stays


def test_a_publish_dir_outside_git_is_refused_before_anything_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    build_home(home)
    plain = tmp_path / "not-a-repo"
    configure(home, plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out = publish(home, monkeypatch)
    assert code == 1 and "not in a git work tree" in " ".join(out.split())
    assert not (plain / "source" / "_posts" / f"{DAY}-ai-daily.md").exists()


def test_a_repository_without_an_identity_still_gets_a_commit(
        tmp_path: Path, blog: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, clone = blog
    monkeypatch.setenv("HOME", str(tmp_path))  # no global git identity
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    home = tmp_path / "home"
    build_home(home)
    configure(home, clone, push=False)
    code, out = publish(home, monkeypatch)
    assert code == 0, out
    assert git(clone, "log", "-1", "--format=%an") .strip() == "aidaily"


@pytest.mark.parametrize("pattern", ["../escape-{date}.md", "/etc/{date}.md", "{nope}.md"])
def test_a_filename_pattern_that_escapes_is_a_config_error(home: Path, pattern: str) -> None:
    (home / "aidaily.toml").write_text(f'[publish]\nfilename = "{pattern}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["publish", DAY])
    assert isinstance(result.exception, AidailyError) and "filename" in str(result.exception)
