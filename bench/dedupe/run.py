"""Dedupe quality on syndicated copies and template stories, and index cost at scale.

Run: `make bench-dedupe` (or `.venv/bin/python bench/dedupe/run.py [--sizes 10000,100000,1000000]`).

Part 1 builds an evaluation set from real article text, the hand-checked bodies of the
181 pages of ../shared/eval/article-extraction-benchmark (read in place) and the demo
site's stories, makes one syndicated copy of each original per edit kind and one with a
realistic mix of edits, plus pairs of distinct template stories, and reports precision
and recall per edit kind and the false-merge rate. Part 2 times the index over synthetic
history fingerprints: build time, queries per second on one core and bytes per document.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from demo.site import WIRE_COPY, all_pages  # noqa: E402
from news_ingest.dedupe import (  # noqa: E402
    HEAD_PERM,
    NUM_PERM,
    DedupeIndex,
    Fingerprint,
)

BENCH = PROJECT.parent / "shared" / "eval" / "article-extraction-benchmark"
NUMBER_WORDS = {
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
    "12": "twelve",
    "20": "twenty",
    "58": "fifty-eight",
    "100": "a hundred",
}
FILLERS = [
    "Advertisement",
    "Story continues below advertisement",
    "Read more:",
    "Sign up for our newsletter",
    "Share this article",
    "RELATED COVERAGE",
]
SWAPS = {
    "said": "told reporters",
    "says": "stated",
    "killed": "left dead",
    "about": "around",
    "more than": "over",
    "announced": "unveiled",
    "also": "additionally",
    "however": "but",
    "people": "residents",
    "government": "administration",
}


def originals() -> list[tuple[str, str]]:
    """(key, body) of real article bodies of 120 words or more."""
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    docs = [
        (f"{i:016x}", item["articleBody"])
        for i, (_, item) in enumerate(sorted(truth.items()))
        if len(item["articleBody"].split()) >= 120
    ]
    start = len(docs)
    # The demo's planted wire copy is left out: it duplicates another demo story.
    stories = [p for p in all_pages() if p.story.slug != WIRE_COPY]
    docs += [(f"{start + i:016x}", "\n".join(p.story.paragraphs)) for i, p in enumerate(stories)]
    return docs


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def new_headline(text: str, rng: random.Random) -> str:
    words = text.split()[:8]
    return " ".join(w.capitalize() for w in reversed(words)) + "\n" + text


def boilerplate(text: str, rng: random.Random) -> str:
    paras = _paragraphs(text)
    for _ in range(3):
        paras.insert(rng.randrange(1, len(paras) + 1), rng.choice(FILLERS))
    return "\n".join(paras)


def byline_dateline(text: str, rng: random.Random) -> str:
    city = rng.choice(["BEIRUT", "NAIROBI", "LONDON", "KYIV", "LAGOS"])
    agency = rng.choice(["AFP", "AP", "Reuters"])
    return (
        f"By {rng.choice(['Staff Writer', 'Ana Ruiz', 'K. Mensah'])}\n{city} ({agency}) - " + text
    )


def edited_words(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(max(3, len(words) // 50)):
        i = rng.randrange(len(words))
        words[i] = SWAPS.get(words[i], words[i] + ("s" if rng.random() < 0.5 else ""))
    return " ".join(words)


def restyled_numbers(text: str, rng: random.Random) -> str:
    # Whole numbers only: "1,250" and "3.5" keep their digits, as copy editors leave them.
    text = re.sub(
        r"(?<![\d,.])\b(\d+)\b(?![,.]\d)", lambda m: NUMBER_WORDS.get(m.group(1), m.group(1)), text
    )
    return text.replace("%", " percent").replace("per cent", "percent")


def dropped_sentence(text: str, rng: random.Random) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    if len(sentences) > 3:
        del sentences[rng.randrange(1, len(sentences) - 1)]
    return " ".join(sentences)


def trimmed_ending(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    return " ".join(words[: len(words) * 2 // 3])


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "new headline": new_headline,
    "inserted boilerplate": boilerplate,
    "byline and dateline": byline_dateline,
    "a few edited words": edited_words,
    "restyled numbers": restyled_numbers,
    "dropped sentence": dropped_sentence,
    "trimmed ending (last third)": trimmed_ending,
}


def realistic_mix(text: str, rng: random.Random) -> str:
    for name in rng.sample(sorted(EDITS), 4):
        text = EDITS[name](text, rng)
    return text


TEMPLATES = [
    "The central bank held its benchmark rate at {a} percent on {day}, in line with the "
    "forecasts of most economists. Inflation eased to {b} percent in {month} from {c} percent "
    "a month earlier, the statistics office in {city} said. The bank's next meeting is in "
    "{d} weeks, and its governor told reporters that policy would remain data dependent.",
    "Floods forced {a} families from their homes in {city} on {day} after the river burst its "
    "banks, officials said. Emergency crews used boats to reach {b} villages cut off by the "
    "water, and schools in {city} were closed for the week. Forecasters expect {c} millimetres "
    "of rain in the next {d} days.",
    "{city} shares closed {a} percent higher on {day}, led by banks and telecoms, while the "
    "currency traded at {b} to the dollar. Turnover reached {c} million shares, the exchange "
    "said, and analysts expect the rally to continue for {d} sessions before earnings.",
    "Police in {city} said {a} people were arrested on {day} after clashes outside the "
    "stadium following the derby, which ended {b}-{c}. Officers seized {d} flares and the "
    "league said it would open a disciplinary case against both clubs.",
]
CITIES = [
    "Accra",
    "Nairobi",
    "Lagos",
    "Kampala",
    "Dakar",
    "Lusaka",
    "Harare",
    "Dodoma",
    "Kigali",
    "Abuja",
    "Mombasa",
    "Kumasi",
    "Bamako",
    "Niamey",
    "Maputo",
    "Luanda",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["March", "April", "May", "June", "July"]


def template_pairs(rng: random.Random, per_template: int = 25) -> list[tuple[str, str]]:
    """Pairs of distinct stories written from one template: other numbers, place or day."""
    pairs = []
    for template in TEMPLATES:
        for _ in range(per_template):
            a_city, b_city = rng.sample(CITIES, 2)
            same_place = rng.random() < 0.5

            def fill(city: str, template: str = template) -> str:
                return template.format(
                    a=rng.randint(2, 900),
                    b=rng.randint(2, 90),
                    c=rng.randint(2, 900),
                    d=rng.randint(2, 12),
                    city=city,
                    day=rng.choice(DAYS),
                    month=rng.choice(MONTHS),
                )

            pairs.append((fill(a_city), fill(a_city if same_place else b_city)))
    return pairs


def quality(rng: random.Random) -> None:
    docs = originals()
    index = DedupeIndex()
    for key, body in docs:
        index.add(Fingerprint.of(key, body))
    index.freeze()
    false_flags = 0
    rows = []
    kinds = {**EDITS, "realistic mix (4 edits)": realistic_mix}
    flagged_total = correct_total = 0
    for name, edit in kinds.items():
        found = correct = 0
        for key, body in docs:
            verdict = index.check(Fingerprint.of("copy", edit(body, rng)))
            found += verdict.is_duplicate
            correct += verdict.duplicate_of == key
        flagged_total += found
        correct_total += correct
        rows.append((name, correct / len(docs), correct / found if found else 1.0, found))
    # Distinct originals against one another: every flag is a false merge.
    for i, (key, body) in enumerate(docs):
        others = DedupeIndex()
        for other_key, other_body in docs[max(0, i - 40) : i] + docs[i + 1 : i + 41]:
            others.add(Fingerprint.of(other_key, other_body))
        others.freeze()
        false_flags += others.check(Fingerprint.of(key, body)).is_duplicate
    merged = 0
    pairs = template_pairs(rng)
    for first, second in pairs:
        pair_index = DedupeIndex()
        pair_index.add(Fingerprint.of("0" * 16, first))
        merged += pair_index.check(Fingerprint.of("second", second)).is_duplicate
    demo = len(all_pages()) - 1
    print(
        f"Part 1: {len(docs)} real originals ({len(docs) - demo} benchmark bodies, {demo} "
        "demo stories), one copy each per edit kind"
    )
    print("| edit | recall | precision | flagged |")
    print("| --- | --- | --- | --- |")
    for name, recall, precision, found in rows:
        print(f"| {name} | {recall:.3f} | {precision:.3f} | {found} |")
    overall_p = correct_total / (flagged_total + false_flags + merged)
    print(
        f"overall precision (wrong targets, false merges of distinct originals and of "
        f"template pairs all count): {overall_p:.4f}"
    )
    print(f"distinct originals flagged: {false_flags}/{len(docs)} (each against 80 others)")
    print(f"template pairs merged: {merged}/{len(pairs)}")


def synthetic_fingerprints(n: int, rng: np.random.Generator) -> list[Fingerprint]:
    """History fingerprints as stored: random signatures, sizes and masks."""
    sigs = rng.integers(0, 2**32, size=(n, NUM_PERM + HEAD_PERM), dtype=np.uint64).astype(np.uint32)
    sizes = rng.integers(150, 900, size=n)
    masks = rng.integers(-(2**63), 2**63 - 1, size=(n, 2), dtype=np.int64)
    return [
        Fingerprint(
            f"{i:016x}",
            f"{i:064x}",
            sigs[i, :NUM_PERM],
            int(sizes[i]),
            int(masks[i, 0]),
            int(masks[i, 1]),
            sigs[i, NUM_PERM:],
        )
        for i in range(n)
    ]


def scale(sizes: list[int]) -> None:
    rng = np.random.default_rng(7)
    docs = originals()
    real = [Fingerprint.of(key, body) for key, body in docs]
    print("\nPart 2: index over N synthetic history fingerprints (as stored), one core")
    print(
        "| history docs | build | lookups/s (fingerprint given) | docs/s incl. hashing the "
        "text | bytes per doc |"
    )
    print("| --- | --- | --- | --- | --- |")
    for n in sizes:
        fps = synthetic_fingerprints(n, rng)
        index = DedupeIndex()
        started = time.process_time()
        for fp in fps:
            index.add(fp)
        index.freeze()
        build = time.process_time() - started
        del fps
        rates = []
        for _ in range(3):
            started = time.process_time()
            for fp in real:
                index.check(fp)
            rates.append(len(real) / (time.process_time() - started))
        started = time.process_time()
        for key, body in docs:
            index.check(Fingerprint.of(key, body))
        full = len(docs) / (time.process_time() - started)
        print(
            f"| {n:,} | {build:.1f} s | {statistics.median(rates):,.0f} | {full:,.0f} | "
            f"{index.memory_bytes() / n:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_quality:
        quality(random.Random(3))
    scale([int(n) for n in args.sizes.split(",") if n])


if __name__ == "__main__":
    main()
