"""A pytest plugin for `make mutation` only (scripts/mutation.py loads it with -p).

mutmut hands pytest the tests that cover a mutant in no set order and stops at the first
failure (-x): run them fastest first (by the times mutmut recorded), so most mutants
die on a quick test instead of after the slow ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    stats = Path("mutmut-stats.json")  # mutmut runs pytest in .mutation/mutants/
    if not stats.exists():
        return
    seconds = json.loads(stats.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: seconds.get(item.nodeid, float("inf")))
