"""The end of a nightly run, finish(): quality gate, publication, run manifest and summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime

from news_ingest import __version__, store
from news_ingest.stages.manifest import (
    SCHEMA_VERSION,
    GateResult,
    RunManifest,
    RunResults,
    write_manifest,
)
from news_ingest.stages.publish import PublishResult, publish_partitions

log = logging.getLogger(__name__)


def quality_gate(results: RunResults) -> GateResult:
    """Signs of breakage in a run's stage results (hard failures and softer warnings)."""
    failures: list[str] = []
    warnings: list[str] = []
    polls = results.poll
    bad_feeds = [p.feed_id for p in polls if p.error]
    if polls and not any(p.health.items for p in polls):
        failures.append("no feed listed any item")
    elif polls and len(bad_feeds) * 5 > len(polls):
        warnings.append(
            f"{len(bad_feeds)} of {len(polls)} feeds failed: {', '.join(bad_feeds[:10])}"
        )
    fetch, extract = results.fetch, results.extract
    fetched, failed = fetch.fetched, extract.failed
    if fetched >= 5 and failed * 2 > fetched:
        failures.append(f"most extractions failed ({failed} of {fetched} pages)")
    elif fetched and failed * 10 > fetched:
        warnings.append(f"{failed} of {fetched} extractions failed")
    if fetch.failed * 5 > fetched + fetch.failed > 0:
        warnings.append(f"{fetch.failed} page fetches failed")
    dedupe, events = results.dedupe, results.events
    if results.select.selected and not dedupe.articles:
        failures.append("items were selected for the day but no article was written")
    if dedupe.originals >= 10 and not events.events:
        warnings.append(f"no events from {dedupe.originals} original articles")
    # Dedupe stages articles with their fingerprints, which publish splits in two.
    staged = (("articles", dedupe.uri, store.STAGED_ARTICLES_SCHEMA),
              ("events", events.uri, store.EVENTS_SCHEMA))  # fmt: skip
    for dataset, uri, schema in staged:
        problem = store.schema_problem(uri, schema)
        if problem:
            failures.append(f"{dataset}: {problem}")
    return GateResult(tuple(failures), tuple(warnings))


def stage_durations(results: RunResults, published: PublishResult | None) -> dict[str, float]:
    """Seconds per stage; polls run side by side, so theirs is the slowest feed's."""
    out: dict[str, float] = {}
    if results.poll:
        out["poll"] = max(p.seconds for p in results.poll)
    out.update(
        select=results.select.seconds,
        fetch=results.fetch.seconds,
        extract=results.extract.seconds,
        dedupe=results.dedupe.seconds,
        events=results.events.seconds,
    )
    if published is not None:
        out["publish"] = published.seconds
    return out


def format_summary(manifest: RunManifest) -> str:
    """A human-readable per-stage summary of a run."""
    stages = manifest.stages
    polls = stages.poll
    failed = [p for p in polls if p.error]
    sel, fet, ext = stages.select, stages.fetch, stages.extract
    ded, evt = stages.dedupe, stages.events
    lines = [
        f"news_nightly summary for {manifest.day.isoformat()}",
        f"  poll     feeds={len(polls)} ok={len(polls) - len(failed)} failed={len(failed)} "
        f"items={sum(p.health.items for p in polls)} "
        f"new={sum(p.health.new_items for p in polls)} "
        f"not_modified={sum(1 for p in polls if p.health.not_modified)}",
        f"  select   listed={sel.listed} selected={sel.selected} "
        f"other_days={sel.other_days} undated={sel.undated}",
        f"  fetch    fetched={fet.fetched} failed={fet.failed}",
        f"  extract  extracted={ext.extracted} failed={ext.failed} "
        f"other_days={ext.other_days} not_article={ext.not_article} "
        f"paywalled={ext.paywalled}",
        f"  dedupe   articles={ded.articles} duplicates={ded.duplicates} "
        f"(of seeds {ded.duplicates_of_seeds}) originals={ded.originals}",
        f"  events   events={evt.events} with_fatalities={evt.with_fatalities}",
    ]
    if len(stages.shards) > 1:
        lines.append(
            "  shards   "
            + " ".join(
                f"{s.index}:pages={s.pages},articles={s.articles},"
                f"seconds={max(s.fetch_seconds, s.extract_seconds):.1f}"
                for s in stages.shards
            )
        )
    if manifest.durations:
        durations = manifest.durations.items()
        lines.append("  seconds  " + " ".join(f"{k}={v:.1f}" for k, v in durations))
    lines += [f"  feed {p.feed_id} failed: {p.error}" for p in failed]
    gate = manifest.gate or GateResult((), ())
    lines += [f"  GATE FAILED: {message}" for message in gate.failures]
    lines += [f"  gate warning: {message}" for message in gate.warnings]
    return "\n".join(lines)


def finish(
    day: date, run_id: str, results: RunResults, root: str, versions: Mapping[str, str]
) -> RunManifest:
    """Gate the run's results, publish D's partitions if the gate passed, write the run
    manifest either way and log the summary; the manifest says whether it published."""
    gate = quality_gate(results)
    published = None
    if not gate.failures:
        published = publish_partitions(results.dedupe.uri, results.events.uri, day, root)
    manifest = RunManifest(
        schema_version=SCHEMA_VERSION,
        day=day,
        run_id=run_id,
        written_at=datetime.now(UTC),
        news_ingest_version=__version__,
        durations=stage_durations(results, published),
        stages=results,
        gate=gate,
        published=published,
        versions=dict(versions),
    )
    write_manifest(root, manifest)
    log.info("%s", format_summary(manifest))
    return manifest
