"""Casualty counts against hand labels: exact-match fatalities and injured.

Run: `.venv/bin/python bench/events/casualties.py` (`--errors` lists the dev half's
errors). The parser the events stage used before #21 scored 0.860 on fatalities. Labels
are in bench/events/casualties.tsv (`source`, `id`, `fatalities`, `injured`; empty for
not stated or vague, 0 for none), read by hand from the texts, which stay in place:
../shared/eval/events/case2021-task2-dev.tsv (source `case`, no licence stated:
evaluation only, never copied) and ../shared/eval/plover_gsr_cameo.json (source
`plover`, CC BY-SA 4.0).

Each text goes through `parse_text_casualties`: the counts of its first sentence that
states deaths (the events stage reads each sentence with `parse_casualties`). The
figures are given for the "dev" half (ids whose CRC-32 is even: look at its errors), the
"check" half (the rest: whole figures only) and all.
"""

from __future__ import annotations

import csv
import json
import sys
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from news_ingest.casualties import Casualties, parse_text_casualties

PROJECT = Path(__file__).resolve().parents[2]
LABELS = Path(__file__).with_name("casualties.tsv")
EVAL = PROJECT.parent / "shared" / "eval"
CASE = EVAL / "events" / "case2021-task2-dev.tsv"
PLOVER = EVAL / "plover_gsr_cameo.json"


@dataclass(frozen=True)
class Row:
    """One labelled text and what the parser read in it."""

    source: str
    id: str
    fatalities: int | None
    injured: int | None
    predicted: Casualties
    text: str

    @property
    def half(self) -> str:
        """'dev' or 'check', by a hash of the id that does not change between runs."""
        return "dev" if zlib.crc32(f"{self.source}:{self.id}".encode()) % 2 == 0 else "check"


def score(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Exact-match accuracy of fatalities and injured per half and overall, with counts."""
    result: dict[str, dict[str, float]] = {}
    for half in ("dev", "check", "all"):
        chosen = [r for r in rows if half in ("all", r.half)]
        n = len(chosen) or 1
        result[half] = {
            "n": len(chosen),
            "fatalities": sum(r.predicted.fatalities == r.fatalities for r in chosen) / n,
            "injured": sum(r.predicted.injured == r.injured for r in chosen) / n,
        }
    return result


def texts() -> dict[tuple[str, str], str]:
    """The labelled texts by (source, id), read in place."""
    found: dict[tuple[str, str], str] = {}
    with CASE.open(encoding="utf-8", newline="") as handle:
        for item in csv.DictReader(handle, delimiter="\t"):
            found["case", item["id"]] = item["EventSnippet"]
    records = json.loads(PLOVER.read_text(encoding="utf-8"))[1:]
    ids = Counter(record["id"] for record in records)
    for record in records:
        # Two different records share one id: neither is labelled, as neither can be looked up.
        if ids[record["id"]] == 1:
            found["plover", record["id"]] = record["text"]
    return found


def load(parse: Callable[[str], Casualties]) -> list[Row]:
    """The labelled rows, each with the parser's reading of its text."""
    by_id = texts()

    def number(cell: str) -> int | None:
        return int(cell) if cell.strip() else None

    rows = []
    with LABELS.open(encoding="utf-8", newline="") as handle:
        for item in csv.DictReader(handle, delimiter="\t"):
            text = by_id[item["source"], item["id"]]
            rows.append(
                Row(
                    item["source"],
                    item["id"],
                    number(item["fatalities"]),
                    number(item["injured"]),
                    parse(text),
                    text,
                )
            )
    return rows


def main() -> None:
    """Print the figures (and the dev half's errors with --errors)."""
    rows = load(parse_text_casualties)
    per_source = {s: sum(r.source == s for r in rows) for s in sorted({r.source for r in rows})}
    print("items:", ", ".join(f"{s} {n}" for s, n in per_source.items()))
    for half, figures in score(rows).items():
        print(
            f"{half:5} n={figures['n']:3.0f}  fatalities {figures['fatalities']:.3f}"
            f"  injured {figures['injured']:.3f}"
        )
    if "--errors" in sys.argv:
        wanted = "all" if "--all-errors" in sys.argv else "dev"
        for r in rows:
            if wanted == "dev" and r.half != "dev":
                continue
            got = r.predicted
            if (got.fatalities, got.injured) != (r.fatalities, r.injured):
                print(
                    f"\n{r.source} {r.id}: gold {r.fatalities}/{r.injured}"
                    f" got {got.fatalities}/{got.injured}\n  {r.text}"
                )


if __name__ == "__main__":
    main()
