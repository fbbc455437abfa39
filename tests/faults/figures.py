"""Figures of the fault cases (seconds, bound, peak memory), collected for RELIABILITY.md.

A module of its own: pytest imports conftest.py under its own name, so a dict kept there
would not be the one the test modules fill.
"""

from __future__ import annotations

from typing import Any

FIGURES: dict[str, dict[str, Any]] = {}


def record(case: str, **figures: Any) -> None:
    FIGURES[case] = figures
