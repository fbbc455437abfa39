"""Retention: old staging/raw/discovered partitions go, the window and published data stay."""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from news_ingest import retention, store
from news_ingest.retention import PruneResult, Retention, prune_expired
from news_ingest.settings import Settings, SettingsError
from tests.support import LocalS3, local_s3

DAY = date(2026, 6, 30)
LATER = datetime(2026, 7, 10, tzinfo=UTC)  # when the files below count as long quiet
WINDOWS = Retention(staging=14, raw=90, discovered=90)

# Every area a run writes, with a file in each, relative to the data root.
FILES = (
    "staging/date={d}/run=abc/selected.parquet",
    "raw/date={d}/fetch-1.warc.gz",
    "raw/index/date={d}/fetch-1.parquet",
    "discovered/date={d}/feed-1.parquet",
    "harvests/date={d}/run-1.json",
    "articles/date={d}/part-0.parquet",
    "events/date={d}/part-0.parquet",
    "fingerprints/date={d}/part-0.parquet",
    "runs/date={d}/manifest-1.json",
)


def _fill(root: Path, days: list[date], mtime: datetime | None = None) -> None:
    for day in days:
        for pattern in FILES:
            path = root / pattern.format(d=day.isoformat())
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
            if mtime is not None:
                os.utime(path, (mtime.timestamp(), mtime.timestamp()))


def _present(root: Path, area: str) -> set[str]:
    folder = root / area
    return {p.name for p in folder.iterdir() if p.name.startswith("date=")}


def _days_back(*backs: int) -> list[date]:
    return [DAY - timedelta(days=b) for b in backs]


def _names(*backs: int) -> set[str]:
    return {f"date={d.isoformat()}" for d in _days_back(*backs)}


def test_partitions_past_each_window_go_and_the_window_stays(tmp_path: Path) -> None:
    # 14 and 90 days before the day are the windows' last days; the day after D is kept too.
    backs = [-1, 0, 1, 14, 15, 30, 90, 91, 400]
    _fill(tmp_path, _days_back(*backs), mtime=LATER - timedelta(days=5))
    result = prune_expired(str(tmp_path), DAY, WINDOWS, now=LATER)
    assert _present(tmp_path, "staging") == _names(-1, 0, 1, 14)
    assert _present(tmp_path, "raw") == _names(-1, 0, 1, 14, 15, 30, 90)
    assert _present(tmp_path / "raw", "index") == _names(-1, 0, 1, 14, 15, 30, 90)
    assert _present(tmp_path, "discovered") == _names(-1, 0, 1, 14, 15, 30, 90)
    assert _present(tmp_path, "harvests") == _names(-1, 0, 1, 14, 15, 30, 90)
    for published in ("articles", "events", "fingerprints", "runs"):
        assert _present(tmp_path, published) == _names(*backs), published
    assert result.cutoffs == {
        "staging": DAY - timedelta(days=14),
        "raw": DAY - timedelta(days=90),
        "discovered": DAY - timedelta(days=90),
    }
    # The capture index goes before the WARC files it points into.
    raw = [p for p in result.deleted if p.startswith("raw")]
    assert raw == [f"raw/index/{n}" for n in sorted(_names(91, 400))] + [
        f"raw/{n}" for n in sorted(_names(91, 400))
    ]
    assert PruneResult.from_json(result.to_json()) == result
    # Idempotent: a second pass (a rerun of the day) finds nothing more to delete.
    again = prune_expired(str(tmp_path), DAY, WINDOWS, now=LATER)
    assert again.deleted == () and _present(tmp_path, "raw") == _names(-1, 0, 1, 14, 15, 30, 90)


def test_the_window_counts_from_the_runs_day_not_the_clock(tmp_path: Path) -> None:
    # A backfill of a day long ago deletes only what is older than that day's window.
    old_day = DAY - timedelta(days=300)
    _fill(tmp_path, [old_day, old_day - timedelta(days=20)], mtime=LATER - timedelta(days=5))
    prune_expired(str(tmp_path), old_day, WINDOWS, now=LATER)
    assert _present(tmp_path, "raw") == {f"date={old_day}", f"date={old_day - timedelta(20)}"}
    assert _present(tmp_path, "staging") == {f"date={old_day}"}


def test_zero_keeps_an_area_forever(tmp_path: Path) -> None:
    _fill(tmp_path, _days_back(1, 500), mtime=LATER - timedelta(days=5))
    result = prune_expired(str(tmp_path), DAY, Retention(0, 0, 10), now=LATER)
    assert result.deleted == () and result.cutoffs["discovered"] is None
    assert _present(tmp_path, "staging") == _names(1, 500)
    assert _present(tmp_path, "discovered") == _names(1, 500)


def test_discovered_items_outlive_the_raw_captures_they_select() -> None:
    assert Retention(14, 90, 30).days("discovered") == 90
    assert Retention(14, 30, 90).days("discovered") == 90
    assert Retention(14, 0, 30).days("discovered") == 0


def test_a_recently_written_partition_is_kept_until_quiet(tmp_path: Path) -> None:
    # A backfill of an old day may be writing it while tonight's run prunes.
    _fill(tmp_path, _days_back(200), mtime=LATER - timedelta(hours=3))
    result = prune_expired(str(tmp_path), DAY, WINDOWS, now=LATER)
    assert _present(tmp_path, "raw") == _names(200)
    assert f"raw/date={DAY - timedelta(days=200)}" in result.recently_written
    result = prune_expired(str(tmp_path), DAY, WINDOWS, now=LATER + retention.QUIET_FOR)
    assert _present(tmp_path, "raw") == set()
    assert result.recently_written == ()


def test_a_malformed_name_is_left_alone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _fill(tmp_path, _days_back(200), mtime=LATER - timedelta(days=5))
    for name in ("date=2026-13-01", "date=last-week", "backup", "date=2020-01-01.bak"):
        (tmp_path / "staging" / name).mkdir()
        (tmp_path / "staging" / name / "f").write_bytes(b"x")
    (tmp_path / "staging" / ".tmp-file").write_bytes(b"x")  # a writer's temp file: silent
    with caplog.at_level(logging.WARNING, logger="news_ingest.retention"):
        result = prune_expired(str(tmp_path), DAY, WINDOWS, now=LATER)
    kept = {"date=2026-13-01", "date=last-week", "backup", "date=2020-01-01.bak"}
    assert {p.name for p in (tmp_path / "staging").iterdir()} == kept | {".tmp-file"}
    assert set(result.malformed) == {f"staging/{n}" for n in kept}
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert all(f"staging/{n}" in warned for n in kept)
    assert "raw/index" not in warned  # a known folder, not a malformed partition
    assert f"staging/date={DAY - timedelta(days=200)}" in result.deleted


def test_retention_settings_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STAGING", "RAW", "DISCOVERED"):
        monkeypatch.delenv(f"NEWS_RETENTION_DAYS_{name}", raising=False)
    assert Retention.of(Settings.from_env()) == Retention(14, 90, 90)
    monkeypatch.setenv("NEWS_RETENTION_DAYS_RAW", "0")
    monkeypatch.setenv("NEWS_RETENTION_DAYS_STAGING", "3")
    assert Retention.of(Settings.from_env()) == Retention(3, 0, 90)
    monkeypatch.setenv("NEWS_RETENTION_DAYS_STAGING", "-1")
    with pytest.raises(SettingsError, match="NEWS_RETENTION_DAYS_STAGING='-1'"):
        Settings.from_env()


BUCKET = "news-retention"


@pytest.fixture(scope="module")
def s3() -> LocalS3:
    with local_s3(BUCKET) as server:
        yield server


def test_pruning_an_object_store_root(s3: LocalS3) -> None:
    root = f"s3://{BUCKET}/prod"
    for day in _days_back(0, 20, 100):
        for pattern in FILES:
            store.write_bytes_atomic(store.join(root, pattern.format(d=day.isoformat())), b"x")
    (bad,) = [store.join(root, "discovered", "date=2026-02-30", "f.parquet")]
    store.write_bytes_atomic(bad, b"x")
    # Objects were written just now: prune as if long after, where none is recent.
    result = prune_expired(root, DAY, WINDOWS, now=datetime.now(UTC) + timedelta(days=30))
    keys = set(s3.keys(BUCKET))
    old, mid, new = (d.isoformat() for d in _days_back(100, 20, 0))
    for pattern in FILES:
        assert f"prod/{pattern.format(d=new)}" in keys
    assert f"prod/staging/date={mid}/run=abc/selected.parquet" not in keys
    assert f"prod/raw/date={mid}/fetch-1.warc.gz" in keys
    assert not any(f"date={old}" in k for k in keys if not k.startswith(("prod/articles",
                   "prod/events", "prod/fingerprints", "prod/runs")))  # fmt: skip
    for published in ("articles", "events", "fingerprints", "runs"):
        assert any(k.startswith(f"prod/{published}/date={old}/") for k in keys), published
    assert "prod/discovered/date=2026-02-30/f.parquet" in keys
    assert result.malformed == ("discovered/date=2026-02-30",)
    assert f"raw/index/date={old}" in result.deleted
