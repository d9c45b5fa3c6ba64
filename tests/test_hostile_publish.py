"""Issue 20, defects 4 and 5 and the publishing parts of 8: ``[publish]`` settings are
checked when the configuration loads (a bad ``commit_message``, a ``git_branch`` or
``git_remote`` that git would read as an option, a file name too long to write), so
publishing refuses before it writes anything; files follow the umask or ``[publish]
mode``; a symlinked folder in the blog is refused with a clear error."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aidaily.config import load_settings
from aidaily.errors import ConfigError, PublishError
from aidaily.review.publish import publish_draft, publications
from tests.factories import BAD_BULLET, DAY, DRAFT, GOOD_BULLET, build_home
from tests.test_hostile_cli import Aidaily, refused  # the `aidaily` fixture is in conftest

CLEAN = DRAFT.replace(BAD_BULLET, GOOD_BULLET)
WITH_COVER = CLEAN.replace("draft: true\n", f"coverImage: /images/covers/{DAY}.png\ndraft: true\n", 1)
DAY_DATE = date.fromisoformat(DAY)


def add_config(home: Path, text: str) -> None:
    config = home / "aidaily.toml"
    before = config.read_text("utf-8") if config.exists() else ""
    config.write_text(before + "\n" + text + "\n", encoding="utf-8")


def nothing_published(home: Path) -> bool:
    return not list((home / "output").glob("ai-daily-*.md")) and not (home / "output" / "images").exists()


@pytest.mark.parametrize(("setting", "named"), [
    ('commit_message = "{foo}"', "commit_message"),
    ('commit_message = "{0} 日报"', "commit_message"),
    ('commit_message = "{date.year}"', "commit_message"),
    ('git_branch = "--force"', "git_branch"),
    ('git_branch = "a..b"', "git_branch"),
    ('git_remote = "--upload-pack=touch /tmp/pwned"', "git_remote"),
    ('filename = "{date:.>300}.md"', "filename"),
])
def test_a_bad_publish_setting_is_refused_before_anything_is_written(
        home: Path, aidaily: Aidaily, setting: str, named: str) -> None:
    build_home(home, draft=CLEAN)
    add_config(home, f"[publish]\n{setting}")
    with pytest.raises(ConfigError, match=named):
        load_settings(home)
    result = aidaily("publish", DAY, "--force")
    refused(result, "aidaily.toml", named)
    assert result.code == 1 and nothing_published(home)


def test_the_date_fields_fill_the_commit_message_and_file_name(home: Path) -> None:
    add_config(home, '[publish]\ncommit_message = "AI 日报 {year}/{month}/{day} ({date})"\n'
                     'filename = "{year}/{month}/ai-daily-{date}.md"')
    settings = load_settings(home)
    assert settings.publish.fill(settings.publish.commit_message, DAY_DATE) == "AI 日报 2026/01/19 (2026-01-19)"
    assert settings.post_path(DAY_DATE) == settings.publish_dir / "2026" / "01" / f"ai-daily-{DAY}.md"


# --- modes ---------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_published_files_follow_the_umask(home: Path, umask_022: None) -> None:
    settings = build_home(home, draft=WITH_COVER)
    result = publish_draft(settings, DAY_DATE)
    assert result.cover is not None  # the drawn cover was copied beside the post
    assert mode_of(result.path) == 0o644 and mode_of(result.cover) == 0o644
    assert mode_of(settings.drafts_dir / f"{DAY}.md") == 0o644


def test_publish_mode_sets_the_post_and_cover_permissions(home: Path, umask_022: None) -> None:
    build_home(home, draft=WITH_COVER)
    add_config(home, '[publish]\nmode = "664"')
    result = publish_draft(load_settings(home), DAY_DATE)
    assert result.cover is not None
    assert mode_of(result.path) == 0o664 and mode_of(result.cover) == 0o664


@pytest.mark.parametrize("mode", ['"0400"', '"abc"', "0o1777"])
def test_a_mode_the_owner_cannot_write_or_not_octal_is_refused(home: Path, mode: str) -> None:
    add_config(home, f"[publish]\nmode = {mode}")
    with pytest.raises(ConfigError, match="mode"):
        load_settings(home)


# --- symlinked folders ---------------------------------------------------------------------


def test_a_symlinked_images_folder_is_refused_and_nothing_is_written(home: Path, tmp_path: Path) -> None:
    settings = build_home(home, draft=WITH_COVER)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    settings.publish_dir.mkdir(parents=True, exist_ok=True)
    (settings.publish_dir / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PublishError, match=r"images is a symbolic link .*elsewhere"):
        publish_draft(settings, DAY_DATE)
    assert not settings.post_path(DAY_DATE).exists() and list(outside.rglob("*")) == []
    assert publications(settings) == []


def test_a_symlinked_post_folder_is_refused(home: Path, tmp_path: Path) -> None:
    build_home(home, draft=CLEAN)
    add_config(home, '[publish]\nfilename = "posts/ai-daily-{date}.md"')
    settings = load_settings(home)
    (tmp_path / "elsewhere").mkdir()
    settings.publish_dir.mkdir(parents=True, exist_ok=True)
    (settings.publish_dir / "posts").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(PublishError, match="posts is a symbolic link"):
        publish_draft(settings, DAY_DATE)
    assert list((tmp_path / "elsewhere").iterdir()) == []
