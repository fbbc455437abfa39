"""Hand-made run manifests for the report's tests, written where write_manifest would put them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def put_manifest(root: Path, day: str, name: str, manifest: Any) -> None:
    """Write a hand-made manifest (or raw text) where write_manifest would put it."""
    folder = root / "runs" / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / f"manifest-{name}.json").write_text(text, encoding="utf-8")


def v1_manifest(day: str, written_at: str, **stages: Any) -> dict[str, Any]:
    """A manifest of schema version 1 (no version key), with the stages not given empty."""
    empty: dict[str, Any] = {n: {} for n in ("select", "fetch", "extract", "dedupe", "events")}
    stages = {"poll": [], **empty, **stages}
    return {"day": day, "run_id": f"run-{written_at}", "written_at": written_at, "stages": stages}


def v1_poll(feed_id: str, items: int = 5, error: str | None = None) -> dict[str, Any]:
    """One feed's poll as a version 1 manifest has it."""
    return {"feed_id": feed_id, "uri": None, "items": items, "error": error}
