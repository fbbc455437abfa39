"""The run manifest: a night's typed stage results, gate and publication as versioned JSON."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self

from news_ingest import store
from news_ingest.stages.common import ErrorKind, JsonRecord, StageError
from news_ingest.stages.dedupe import DedupeResult
from news_ingest.stages.events import EventsResult
from news_ingest.stages.extract import ExtractResult
from news_ingest.stages.fetch import FetchResult
from news_ingest.stages.fetch_extract import FetchExtractResult, ShardSummary, combined
from news_ingest.stages.poll import PollResult
from news_ingest.stages.publish import PublishResult
from news_ingest.stages.select import SelectResult

SCHEMA_VERSION = 2


class ManifestError(ValueError):
    """A manifest that cannot be read: not JSON, an unknown schema version, or wrong fields."""


@dataclass(frozen=True)
class RunResults(JsonRecord):
    """The stage results of one nightly run, before its quality gate: fetch and extract
    are the totals over the night's shards, ``shards`` each one's share (none in manifests
    written before shards existed)."""

    poll: tuple[PollResult, ...]
    select: SelectResult
    fetch: FetchResult
    extract: ExtractResult
    dedupe: DedupeResult
    events: EventsResult
    shards: tuple[ShardSummary, ...] = ()


@dataclass(frozen=True)
class GateResult(JsonRecord):
    """What the quality gate found: failures fail the run, warnings are reported."""

    failures: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RunManifest(JsonRecord):
    """One run of day D: its stage results, its gate (None in manifests from before the
    gate existed) and where it published (None when the gate failed)."""

    schema_version: int
    day: date
    run_id: str
    written_at: datetime
    news_ingest_version: str
    durations: dict[str, float]
    stages: RunResults
    gate: GateResult | None
    published: PublishResult | None
    versions: dict[str, str]

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """A manifest of this or an earlier schema version; raises ManifestError."""
        try:
            data = json.loads(text)
            if isinstance(data, dict) and "schema_version" not in data:
                data = _from_version_1(data)
            if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
                raise ManifestError(f"unknown manifest schema version: {_version_of(data)}")
            return super().from_json(json.dumps(data))
        except ManifestError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ManifestError(f"unreadable manifest: {exc}"[:500]) from exc


def run_results(
    polls: Sequence[PollResult],
    selected: SelectResult,
    shards: Sequence[FetchExtractResult],
    deduped: DedupeResult,
    events: EventsResult,
) -> RunResults:
    """A run's stage results, its shards' fetch and extract results summed."""
    total = combined(shards)
    return RunResults(
        poll=tuple(polls),
        select=selected,
        fetch=total.fetch,
        extract=total.extract,
        dedupe=deduped,
        events=events,
        shards=tuple(ShardSummary.of(s) for s in sorted(shards, key=lambda s: s.shard.index)),
    )


def run_results_from_json(
    polls: Sequence[Sequence[str]],
    selected: str,
    fetched: Sequence[str],
    deduped: str,
    events: str,
) -> RunResults:
    """A run's stage results from the JSON its tasks returned (polls in per-batch lists,
    one fetch-and-extract result per shard)."""
    return run_results(
        [PollResult.from_json(poll) for batch in polls for poll in batch],
        SelectResult.from_json(selected),
        [FetchExtractResult.from_json(shard) for shard in fetched],
        DedupeResult.from_json(deduped),
        EventsResult.from_json(events),
    )


def _version_of(data: object) -> object:
    return data.get("schema_version") if isinstance(data, dict) else type(data).__name__


def manifest_uri(root: str, day: date, run_id: str) -> str:
    """Where the manifest of run ``run_id`` of ``day`` is written."""
    safe_run = hashlib.sha256(run_id.encode()).hexdigest()[:12]
    return store.join(root, "runs", f"date={day.isoformat()}", f"manifest-{safe_run}.json")


def write_manifest(root: str, manifest: RunManifest) -> str:
    """Write the run manifest as JSON; return its URI."""
    uri = manifest_uri(root, manifest.day, manifest.run_id)
    # Encoded before the store is touched; written whole (temp + rename, or one upload).
    text = json.dumps(json.loads(manifest.to_json()), indent=2)
    return store.write_bytes_atomic(uri, text.encode())


# Schema version 1 (manifests written before it had a version): stage results were plain
# JSON objects whose keys grew over time, errors were strings, and the gate, publication
# and versions sat among the stages. A key it lacks reads as its zero value; a key of the
# wrong type still fails.
_V1_ZEROS: dict[str, dict[str, Any]] = {
    "select": dict.fromkeys(("listed", "selected", "harvested", "other_days", "undated"), 0),
    "fetch": {**dict.fromkeys(("fetched", "failed", "replayed", "requested"), 0), "errors": []},
    "extract": {
        **dict.fromkeys(("extracted", "failed", "other_days", "same_url", "not_article"), 0),
        **dict.fromkeys(("paywalled", "boilerplate_stripped"), 0),
        "errors": [],
        "date_sources": {},
    },
    "dedupe": {
        **dict.fromkeys(("articles", "duplicates", "duplicates_of_seeds", "originals"), 0),
        "duplicates_by_kind": {},
        "history_references": 0,
    },
    "events": {"events": 0, "with_fatalities": 0},
}
_V1_KINDS: dict[str, ErrorKind] = {"FetchError": "fetch", "FeedParseError": "parse"}


def _v1_error(text: str, feed_id: str | None, url: str | None) -> dict[str, Any]:
    """A version 1 error string as a StageError's JSON (its kind from its prefix)."""
    name, sep, message = text.partition(": ")
    if sep and name in _V1_KINDS:
        return StageError(url, feed_id, _V1_KINDS[name], message).to_dict()
    if text.startswith("HTTP "):
        return StageError(url, feed_id, "status", text).to_dict()
    if text.startswith("not HTML"):
        return StageError(url, feed_id, "content_type", text).to_dict()
    return StageError(url, feed_id, "unexpected", text.removeprefix("unexpected ")).to_dict()


def _v1_page_errors(errors: list[dict[str, Any]], kind: str | None) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        error = _v1_error(str(e["error"]), e.get("feed_id"), e.get("url"))
        out.append({**error, "kind": kind} if kind else error)
    return out


def _v1_poll(poll: dict[str, Any]) -> dict[str, Any]:
    feed_id, error = poll["feed_id"], poll.get("error")
    child_errors = []
    for text in poll.get("child_errors", []):
        url, _, rest = str(text).partition(": ")
        child_errors.append(_v1_error(rest, feed_id, url))
    return {
        "feed_id": feed_id,
        "uri": poll.get("uri"),
        "health": {
            "status": poll.get("status"),
            "items": poll.get("items", 0),
            "new_items": poll.get("new_items", 0),
            "not_modified": poll.get("not_modified", False),
            "bytes": poll.get("bytes", 0),
            "documents": poll.get("documents", 0),
            "child_errors": child_errors,
        },
        "sitemap_items": poll.get("sitemap_items"),
        "error": None if error is None else _v1_error(str(error), feed_id, None),
        "seconds": poll.get("seconds", 0.0),
    }


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 manifest as version 2's JSON."""
    stages = dict(data["stages"])
    results: dict[str, Any] = {"poll": [_v1_poll(p) for p in stages.pop("poll")]}
    for name, zeros in _V1_ZEROS.items():
        stage = stages.pop(name)
        results[name] = {**zeros, "uri": "", "seconds": 0.0, **stage}
    results["fetch"]["errors"] = _v1_page_errors(results["fetch"]["errors"], None)
    results["extract"]["errors"] = _v1_page_errors(results["extract"]["errors"], "extract")
    stages.pop("staged", None)
    published = stages.pop("published", None)
    if published is not None:
        published = {"seconds": 0.0, **published}
    out = {
        "schema_version": SCHEMA_VERSION,
        "day": data["day"],
        "run_id": data["run_id"],
        "written_at": data["written_at"],
        "news_ingest_version": data.get("news_ingest_version", ""),
        "durations": data.get("durations", {}),
        "stages": results,
        "gate": stages.pop("gate", None),
        "published": published,
        "versions": stages.pop("versions", {}),
    }
    if stages:
        raise ManifestError(f"unknown stages in a version 1 manifest: {sorted(stages)}")
    return out
