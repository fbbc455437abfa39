"""The dedupe stage: history, seeds, clusters and the order days are run in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from demo.server import SiteServer
from demo.site import DEMO_DAY, SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL
from news_ingest import store
from news_ingest.settings import Settings
from news_ingest.stages.manifest import RunManifest
from tests.support import nightly_run


def run_day(site: SiteServer, settings: Settings, day: date = DEMO_DAY) -> RunManifest:
    return nightly_run(site.base_url, settings, day)


def test_previous_days_originals_are_history_for_dedupe(
    demo_site: SiteServer, settings: Settings, tmp_path: Path
) -> None:
    # Alone, the demo day's wire story is an original; published the day before under
    # another URL, the same text makes the demo day's copy a duplicate of that history.
    alone = run_day(demo_site, settings)
    original = _slugged(settings, DEMO_DAY)[WIRE_ORIGINAL]
    assert not original["is_duplicate"]
    earlier = {
        **original,
        "article_id": "earlier-wire-story",
        "url": "http://elsewhere.example/wire",
        "canonical_url": "http://elsewhere.example/wire",
        "published_at": original["published_at"] - timedelta(days=1),
    }
    day_before = DEMO_DAY - timedelta(days=1)
    with_history = replace(settings, data_root=str(tmp_path / "with-history"))
    table = pa.Table.from_pylist([earlier], schema=store.ARTICLES_SCHEMA)
    store.write_partition(with_history.data_root, "articles", day_before, table)
    run = run_day(demo_site, with_history)
    assert run.stages.dedupe.history_references == 1
    copy = _slugged(with_history, DEMO_DAY)[WIRE_ORIGINAL]
    assert copy["is_duplicate"] and copy["duplicate_of"] == "earlier-wire-story"
    # The rest of the day is judged as without history: no false positives from it.
    assert run.stages.dedupe.duplicates == alone.stages.dedupe.duplicates + 1


def _slugged(settings: Settings, day: date) -> dict[str, dict]:
    table = store.read_partition(settings.data_root, "articles", day)
    assert table is not None
    return {
        r["url"].split("?")[0].rsplit("/", 1)[-1].removesuffix(".html"): r
        for r in table.to_pylist()
    }


def test_clusters_kinds_and_copies_seen(demo_site: SiteServer, settings: Settings) -> None:
    run_day(demo_site, settings)
    rows = _slugged(settings, DEMO_DAY)
    original, copy, seed_copy = rows[WIRE_ORIGINAL], rows[WIRE_COPY], rows[SEED_COPY_SLUG]
    assert copy["duplicate_kind"] == "near" and copy["cluster_id"] == original["article_id"]
    assert original["cluster_id"] == original["article_id"] and original["copies_seen"] == 1
    assert copy["copies_seen"] is None
    assert seed_copy["cluster_id"] == "seed:000_6e5a1f3359e505b1"
    assert len(original["minhash"]) == 640 and original["shingle_count"] > 100


def test_seed_index_is_cached_and_rebuilt_when_seeds_change(
    demo_site: SiteServer, settings: Settings, tmp_path
) -> None:
    import shutil

    seeds = tmp_path / "seeds"
    shutil.copytree(settings.seeds_dir, seeds)
    local = replace(settings, seeds_dir=str(seeds))
    run_day(demo_site, local)
    cache = sorted((Path(local.data_root) / "cache").glob("seeds-*.parquet"))
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    run_day(demo_site, local)
    assert cache[0].stat().st_mtime_ns == stamp  # reused, not rebuilt
    (seeds / "extra.txt").write_text("Another seed\nSome unrelated text about rainfall.")
    run_day(demo_site, local)
    assert len(list((Path(local.data_root) / "cache").glob("seeds-*.parquet"))) == 2


def test_days_run_out_of_order_converge_once_rerun_in_order(
    demo_site: SiteServer, settings: Settings, tmp_path
) -> None:
    before, day = date(2026, 11, 18), DEMO_DAY
    in_order = replace(settings, data_root=str(tmp_path / "in-order"))
    run_day(demo_site, in_order, before)
    run_day(demo_site, in_order, day)
    backfill = replace(settings, data_root=str(tmp_path / "backfill"))
    run_day(demo_site, backfill, day)  # D before D-1: no history yet
    run_day(demo_site, backfill, before)
    run_day(demo_site, backfill, day)  # rerun D once its history exists

    def rows(root: str) -> list[dict]:
        table = store.read_partition(root, "articles", day)
        assert table is not None
        return table.drop_columns(["fetched_at"]).to_pylist()

    assert rows(backfill.data_root) == rows(in_order.data_root)
