"""aidaily.ingest.archive: compressed, append-only raw responses; latest(); record into the mirror layout."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aidaily.ingest.archive import Archive, record
from aidaily.errors import FetchError
from aidaily.ingest.response import FetchResult

URL = "https://www.ithome.com/0/914/192.htm"
T0 = datetime(2026, 1, 18, 12, 0, tzinfo=UTC)


def response(body: bytes, status: int = 200, at: datetime = T0, url: str = URL) -> FetchResult:
    return FetchResult(url=url, final_url=url, status=status, body=body, fetched_at=at,
                       headers={"content-type": "text/html; charset=gbk", "etag": '"v1"'})


def test_save_and_latest_round_trip(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    body = "<p>英伟达</p>".encode("gbk")
    archive.save(response(body))
    got = archive.latest(URL)
    assert got is not None and got.from_archive
    assert (got.body, got.status, got.etag, got.fetched_at) == (body, 200, '"v1"', T0)
    assert got.text == "<p>英伟达</p>"  # decoded with the archived Content-Type
    (obj,) = (tmp_path / "objects").rglob("*.gz")
    assert gzip.decompress(obj.read_bytes()) == body


def test_latest_is_the_newest_good_response(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.save(response(b"v1", at=T0))
    archive.save(response(b"v2", at=T0 + timedelta(hours=1)))
    archive.save(response(b"oops", status=500, at=T0 + timedelta(hours=2)))
    assert archive.latest(URL).body == b"v2"  # type: ignore[union-attr]
    assert archive.latest(URL, ok_only=False).status == 500  # type: ignore[union-attr]
    assert [r.body for r in archive.history(URL)] == [b"v1", b"v2", b"oops"]
    assert archive.latest("https://elsewhere.example/") is None
    with pytest.raises(FetchError, match="not in the archive"):
        archive.get("https://elsewhere.example/")


def test_identical_bodies_are_stored_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.save(response(b"same", at=T0))
    archive.save(response(b"same", at=T0 + timedelta(minutes=1)))
    assert len(list((tmp_path / "objects").rglob("*.gz"))) == 1
    assert len(archive.history(URL)) == 2


def test_a_damaged_entry_is_skipped_not_fatal(tmp_path: Path) -> None:
    """A torn write cannot happen (os.replace), but a damaged file must not break reads."""
    archive = Archive(tmp_path)
    archive.save(response(b"good", at=T0))
    entry = archive.save(response(b"later", at=T0 + timedelta(minutes=1)))
    entry.write_text("{not json", encoding="utf-8")
    assert archive.latest(URL).body == b"good"  # type: ignore[union-attr]
    assert not list(tmp_path.rglob("*.tmp"))


def test_record_writes_mirror_layout_with_sidecar(tmp_path: Path) -> None:
    result = response(b"<rss/>", url="https://www.ithome.com/rss/")
    path = record(result, tmp_path / "mirror")
    assert path == (tmp_path / "mirror" / "www.ithome.com" / "rss" / "__index__").resolve()
    sidecar = json.loads(path.with_name("__index__.headers.json").read_text(encoding="utf-8"))
    assert sidecar == {"Content-Type": "text/html; charset=gbk", "ETag": '"v1"'}


def test_record_refuses_to_escape_the_directory(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="outside"):
        record(response(b"x", url="https://a.example/../../../etc/x"), tmp_path / "mirror")
