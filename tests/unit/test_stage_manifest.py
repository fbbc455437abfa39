"""The run manifest: versioned JSON read back typed; old manifests read, bad ones refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from news_ingest.stages.common import StageError
from news_ingest.stages.manifest import (
    SCHEMA_VERSION,
    ManifestError,
    RunManifest,
    run_results_from_json,
    write_manifest,
)

# A manifest that the code before schema versions wrote for the demo day (paths made relative).
V1_DEMO_DAY = Path(__file__).parent / "data" / "manifest-v1-demo-day.json"


def _v1() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(V1_DEMO_DAY.read_text())
    return data


def test_a_version_1_manifest_of_the_demo_day_is_read_typed() -> None:
    manifest = RunManifest.from_json(V1_DEMO_DAY.read_text())
    stages = manifest.stages
    assert manifest.schema_version == SCHEMA_VERSION and str(manifest.day) == "2026-11-19"
    assert [p.feed_id for p in stages.poll if p.error] == ["demo-gone"]
    gone = next(p for p in stages.poll if p.error)
    assert gone.error is not None and (gone.error.kind, gone.error.feed_id) == (
        "fetch",
        "demo-gone",
    )
    assert gone.error.message.startswith("HTTP 404 for http://")
    assert stages.poll[0].health.items == 13 and stages.poll[0].sitemap_items == 5
    assert (stages.dedupe.articles, stages.dedupe.duplicates) == (
        _v1()["stages"]["dedupe"]["articles"],
        _v1()["stages"]["dedupe"]["duplicates"],
    )
    assert manifest.gate is not None and manifest.gate.failures == ()
    assert manifest.published is not None and manifest.versions["airflow"]
    assert manifest.durations == _v1()["durations"]


def test_version_1_page_errors_get_their_kind() -> None:
    data = _v1()
    data["stages"]["fetch"]["errors"] = [
        {"url": "http://a/1", "feed_id": "f", "error": "HTTP 404"},
        {"url": "http://a/2", "feed_id": "f", "error": "not HTML: application/pdf"},
        {"url": "http://a/3", "feed_id": "f", "error": "refused link-local address"},
    ]
    data["stages"]["extract"]["errors"] = [{"url": "http://a/4", "feed_id": "f", "error": "x"}]
    stages = RunManifest.from_json(json.dumps(data)).stages
    assert [e.kind for e in stages.fetch.errors] == ["status", "content_type", "unexpected"]
    assert stages.extract.errors == (StageError("http://a/4", "f", "extract", "x"),)


def test_a_manifest_is_written_and_read_back_whole(tmp_path: Path) -> None:
    manifest = RunManifest.from_json(V1_DEMO_DAY.read_text())
    uri = write_manifest(str(tmp_path), manifest)
    written = json.loads(Path(uri).read_text())
    assert written["schema_version"] == SCHEMA_VERSION
    assert written["stages"]["dedupe"]["articles"] == manifest.stages.dedupe.articles
    assert RunManifest.from_json(Path(uri).read_text()) == manifest


def test_stage_results_cross_task_edges_as_json() -> None:
    results = RunManifest.from_json(V1_DEMO_DAY.read_text()).stages
    polls = [[p.to_json() for p in results.poll[:2]], [p.to_json() for p in results.poll[2:]]]
    fetched = json.dumps({"fetch": results.fetch.to_dict(), "extract": results.extract.to_dict()})
    select, dedupe, events = (results.select, results.dedupe, results.events)
    again = run_results_from_json(
        polls, select.to_json(), [fetched], dedupe.to_json(), events.to_json()
    )
    assert replace(again, shards=()) == results
    (shard,) = again.shards
    assert (shard.index, shard.count, shard.fetched) == (0, 1, results.fetch.fetched)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.pop("gate"),
        lambda m: m.update(schema_version=SCHEMA_VERSION + 1),
        lambda m: m.update(surprise=1),
        lambda m: m["stages"]["fetch"].update(fetched="12"),
        lambda m: m["stages"]["fetch"].update(fetched=True),
        lambda m: m["stages"]["dedupe"].update(articles=1.5),
        lambda m: m["stages"]["poll"][0].update(error={"kind": "fetch"}),
        lambda m: m["stages"]["poll"][0]["health"].update(items=None),
    ],
    ids=["missing", "version", "unknown", "string", "bool", "float", "error", "null"],
)
def test_a_manifest_it_cannot_understand_fails_loudly(change: Any) -> None:
    current = json.loads(RunManifest.from_json(V1_DEMO_DAY.read_text()).to_json())
    change(current)
    with pytest.raises(ManifestError):
        RunManifest.from_json(json.dumps(current))


def test_an_unknown_version_1_stage_fails_loudly() -> None:
    data = _v1()
    data["stages"]["translate"] = {"done": 3}
    with pytest.raises(ManifestError, match="translate"):
        RunManifest.from_json(json.dumps(data))
