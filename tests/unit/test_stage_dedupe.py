"""The dedupe stage: history, seeds, clusters and the order days are run in."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from demo.server import SiteServer
from demo.site import DEMO_DAY, SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL
from news_ingest import store
from news_ingest.settings import Settings
from news_ingest.stages.dedupe import history_fingerprints
from news_ingest.stages.manifest import RunManifest
from tests.support import article_row, nightly_run

STORY = " ".join(
    f"Paragraph {i} says the river rose {i} metres at Kosti overnight." for i in range(40)
)


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
    assert "minhash" not in original  # fingerprints have their own dataset
    prints = store.read_partition(settings.data_root, "fingerprints", DEMO_DAY)
    assert prints is not None
    by_id = {r["article_id"]: r for r in prints.to_pylist()}
    assert set(by_id) == {r["article_id"] for r in rows.values()}
    fingerprint = by_id[original["article_id"]]
    assert len(fingerprint["minhash"]) == 640 and fingerprint["shingle_count"] > 100
    assert fingerprint["text_sha256"] == original["text_sha256"]


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


def _history_day(root: Path, text: str, stored: str | None, legacy: str | None = None) -> None:
    """The day before the demo day: one original whose articles row holds ``text``, with the
    fingerprint of ``stored`` in the fingerprints dataset (if given) and of ``legacy`` in
    its articles row itself, as partitions written before schema version 3 hold it."""
    from news_ingest.dedupe import Fingerprint

    day = DEMO_DAY - timedelta(days=1)
    row = article_row(1, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest())
    articles = pa.Table.from_pylist([row], schema=store.ARTICLES_SCHEMA)
    if legacy is not None:
        for name, value in Fingerprint.of(row["article_id"], legacy).stored().items():
            articles = articles.append_column(name, pa.array([value]))
        pq.write_table(articles, root / "articles" / f"date={day}" / "part-0.parquet")
    else:
        store.write_partition(str(root), "articles", day, articles)
    if stored is not None:
        fingerprint = {
            "article_id": row["article_id"],
            "text_sha256": hashlib.sha256(stored.encode()).hexdigest(),
            **Fingerprint.of(row["article_id"], stored).stored(),
        }
        table = pa.Table.from_pylist([fingerprint], schema=store.FINGERPRINTS_SCHEMA)
        store.write_partition(str(root), "fingerprints", day, table)


def _history_exact(root: Path) -> list[str]:
    fps, ids = history_fingerprints(str(root), DEMO_DAY, 30)
    assert ids == {article_row(1)["article_id"]}
    return [fp.exact for fp in fps]


def test_history_reads_the_fingerprints_dataset_not_the_text(tmp_path: Path) -> None:
    from news_ingest.dedupe import Fingerprint

    other = "A different text altogether, about the harvest."
    _history_day(tmp_path, STORY, stored=STORY)
    assert _history_exact(tmp_path) == [Fingerprint.of("x", STORY).exact]
    # The stored signature is used as stored, not computed again from the text.
    prints = tmp_path / "fingerprints" / f"date={DEMO_DAY - timedelta(days=1)}" / "part-0.parquet"
    table = pq.read_table(prints)
    table = table.set_column(3, "minhash", pa.array([b"\x01" * 640]))
    pq.write_table(table, prints)
    fps, _ = history_fingerprints(str(tmp_path), DEMO_DAY, 30)
    assert fps[0].signature.tolist() == [0x01010101] * len(fps[0].signature)
    # A fingerprint of another text than the article's (a publish killed between the two
    # partitions) is not used: the article's own text is fingerprinted instead.
    _history_day(tmp_path, STORY, stored=other)
    assert _history_exact(tmp_path) == [Fingerprint.of("x", STORY).exact]


def test_history_of_older_partitions_reads_articles_own_fingerprint_or_text(
    tmp_path: Path,
) -> None:
    from news_ingest.dedupe import Fingerprint

    (tmp_path / "articles" / f"date={DEMO_DAY - timedelta(days=1)}").mkdir(parents=True)
    # Written before fingerprints had their own dataset: the articles row carries one.
    _history_day(tmp_path, "body", stored=None, legacy=STORY)
    assert _history_exact(tmp_path) == [Fingerprint.of("x", STORY).exact]
    # Written before fingerprints were stored at all: computed from the text.
    _history_day(tmp_path, STORY, stored=None)
    assert _history_exact(tmp_path) == [Fingerprint.of("x", STORY).exact]
