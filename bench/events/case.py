"""ACLED event types and sub-types on the CASE 2021 task 2 snippets.

Run: `.venv/bin/python bench/events/case.py` (add `--errors` to list the dev half's
errors). Reads ../shared/eval/events/case2021-task2-dev.tsv in place (no licence stated:
evaluation only, never copied into the project).

Each snippet goes through `extract_events(id, snippet, None, None)`, as `news-ingest
events` runs it. The snippet's prediction is the first event, in text order, that has an
ACLED type: what the pipeline reports first for the snippet; a snippet whose events carry
no ACLED type (or that yields none) is predicted as not ACLED political violence.

Figures, for the "dev" half (ids with id % 4 == 1: look at its errors), the "check" half
(id % 4 == 3: its whole figures only) and all:
- type: the ACLED event type is right, over snippets whose label is an ACLED sub-type;
- sub-type: the ACLED sub-type is right, over the same snippets;
- non-ACLED untyped: the share of snippets labelled with a type ACLED does not code
  (natural or man-made disaster, organised crime, diplomacy, attribution) that get no
  ACLED type.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from news_ingest.events import extract_events

PROJECT = Path(__file__).resolve().parents[2]
CASE = PROJECT.parent / "shared" / "eval" / "events" / "case2021-task2-dev.tsv"

_ERV = "Explosions/Remote violence"
_VAC = "Violence against civilians"
_SD = "Strategic developments"
# CASE 2021 labels to ACLED (event type, sub-event type), per the ACLED codebook.
ACLED_OF_LABEL: dict[str, tuple[str, str] | None] = {
    "ARMED_CLASH": ("Battles", "Armed clash"),
    "GOV_REGAINS_TERIT": ("Battles", "Government regains territory"),
    "NON_STATE_ACTOR_OVERTAKES_TER": ("Battles", "Non-state actor overtakes territory"),
    "AIR_STRIKE": (_ERV, "Air/drone strike"),
    "ART_MISS_ATTACK": (_ERV, "Shelling/artillery/missile attack"),
    "REM_EXPLOS": (_ERV, "Remote explosive/landmine/IED"),
    "SUIC_BOMB": (_ERV, "Suicide bomb"),
    "GRENADE": (_ERV, "Grenade"),
    "CHEM_WEAP": (_ERV, "Chemical weapon"),
    "ATTACK": (_VAC, "Attack"),
    "ABDUCT_DISSAP": (_VAC, "Abduction/forced disappearance"),
    "SEX_VIOL": (_VAC, "Sexual violence"),
    "PEACE_PROTEST": ("Protests", "Peaceful protest"),
    "PROTEST_WITH_INTER": ("Protests", "Protest with intervention"),
    "FORCE_AGAINST_PROTEST": ("Protests", "Excessive force against protesters"),
    "VIOL_DEMONSTR": ("Riots", "Violent demonstration"),
    "MOB_VIOL": ("Riots", "Mob violence"),
    "AGREEMENT": (_SD, "Agreement"),
    "ARREST": (_SD, "Arrests"),
    "CHANGE_TO_GROUP_ACT": (_SD, "Change to group/activity"),
    "DISR_WEAP": (_SD, "Disrupted weapons use"),
    "HQ_ESTABLISHED": (_SD, "Headquarters or base established"),
    "PROPERTY_DISTRUCT": (_SD, "Looting/property destruction"),
    "NON_VIOL_TERRIT_TRANSFER": (_SD, "Non-violent transfer of territory"),
    "OTHER": (_SD, "Other"),
    "NATURAL_DISASTER": None,
    "MAN_MADE_DISASTER": None,
    "ORG_CRIME": None,
    "DIPLO": None,
    "ATTRIB": None,
}
HALVES = {"dev": 1, "check": 3}


@dataclass
class Scores:
    """Counts for one half (or all) of the snippets."""

    acled: int = 0
    type_right: int = 0
    sub_right: int = 0
    other: int = 0
    other_untyped: int = 0
    # gold label -> predicted sub-type (or "-" for none) -> count
    confusion: dict[str, Counter[str]] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        """Type and sub-type accuracy and the non-ACLED untyped share."""
        return {
            "type": self.type_right / self.acled if self.acled else 0.0,
            "sub_type": self.sub_right / self.acled if self.acled else 0.0,
            "non_acled_untyped": self.other_untyped / self.other if self.other else 0.0,
            "acled_snippets": float(self.acled),
            "non_acled_snippets": float(self.other),
        }


def read_case() -> list[tuple[int, str, str]]:
    """The snippets as (id, text, label)."""
    with CASE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(int(r["id"]), r["EventSnippet"], r["SubType"]) for r in rows]


def predict(snippet_id: int, text: str) -> tuple[str | None, str | None]:
    """The snippet's ACLED (type, sub-type): its first event with an ACLED type."""
    for event in extract_events(str(snippet_id), text, None, None):
        if event.acled_event_type is not None:
            return event.acled_event_type, event.sub_event_type
    return None, None


def half_of(snippet_id: int) -> str:
    """The half a snippet belongs to: "dev" or "check"."""
    return "dev" if snippet_id % 4 == HALVES["dev"] else "check"


def score(
    rows: list[tuple[int, str, str]] | None = None,
) -> tuple[dict[str, Scores], list[tuple[int, str, str, str | None, str | None]]]:
    """Scores per half and for all, and the dev half's errors (id, text, label, type, sub)."""
    scores = {"dev": Scores(), "check": Scores(), "all": Scores()}
    errors: list[tuple[int, str, str, str | None, str | None]] = []
    for snippet_id, text, label in rows if rows is not None else read_case():
        gold = ACLED_OF_LABEL[label]
        kind, sub = predict(snippet_id, text)
        half = half_of(snippet_id)
        for name in (half, "all"):
            s = scores[name]
            s.confusion.setdefault(label, Counter())[sub or kind or "-"] += 1
            if gold is None:
                s.other += 1
                s.other_untyped += kind is None
            else:
                s.acled += 1
                s.type_right += kind == gold[0]
                s.sub_right += (kind, sub) == gold
        wrong = kind is not None if gold is None else (kind, sub) != gold
        if half == "dev" and wrong:
            errors.append((snippet_id, text, label, kind, sub))
    return scores, errors


def case_figures() -> dict[str, dict[str, float]]:
    """Type, sub-type and non-ACLED untyped figures for "dev", "check" and "all"."""
    scores, _errors = score()
    return {name: s.figures() for name, s in scores.items()}


def main() -> None:
    scores, errors = score()
    print(f"CASE 2021 task 2 snippets: {CASE.name}")
    for name, s in scores.items():
        f = s.figures()
        print(
            f"{name:5s}: ACLED type {f['type']:.3f}, sub-type {f['sub_type']:.3f} "
            f"(of {s.acled}); non-ACLED left untyped {f['non_acled_untyped']:.3f} "
            f"(of {s.other})"
        )
    print("dev half, per label (n, right, predicted sub-types):")
    dev = scores["dev"]
    for label in sorted(dev.confusion, key=lambda x: -sum(dev.confusion[x].values())):
        counts = dev.confusion[label]
        gold = ACLED_OF_LABEL[label]
        right = counts[gold[1]] if gold else counts["-"]
        shown = ", ".join(f"{k} {n}" for k, n in counts.most_common(4))
        print(f"  {label:30s} {sum(counts.values()):3d} {right:3d}  {shown}")
    if "--errors" in sys.argv:
        for snippet_id, text, label, kind, sub in errors:
            print(f"\n[{snippet_id}] {label} -> {kind} / {sub}\n  {text[:400]}")


if __name__ == "__main__":
    main()
