"""Every events figure in one run: ACLED types on CASE 2021, places on TR-News and LGL,
casualties on the hand labels, PLOVER types, the seed article, short news, and the cost.

Run: `make bench-events` (or `.venv/bin/python bench/events/run.py`). Reads the evaluation
sets of ../shared/eval in place (each file's licence is in ../shared/eval/README.md); the
parts are also scripts of their own in this folder (case.py, geoparsing.py,
casualties.py), which can list the dev half's errors.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from news_ingest.events import classify, extract_events, load_lexicon

sys.path.insert(0, str(Path(__file__).resolve().parent))
import case
import casualties
import geoparsing

PROJECT = Path(__file__).resolve().parents[2]
GOLD = PROJECT.parent / "shared" / "eval" / "plover_gsr_cameo.json"
SEED = PROJECT / "seeds" / "000_6e5a1f3359e505b1.txt"


def codes(value: Any) -> set[str]:
    """Country codes of a gold actor field (a list of actors, a string or nothing)."""
    if isinstance(value, list):
        return {str(a.get("code")) for a in value if isinstance(a, dict) and a.get("code")}
    return set()


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-averaged F1 over the gold classes."""
    scores = []
    for label in sorted({gold for gold, _ in pairs}):
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return statistics.mean(scores)


def events_vs_extraction(rounds: int = 3) -> tuple[float, float]:
    """Median ratio of events time to extraction time per article, on real and demo pages.

    Real pages: the 181 news pages of ../shared/eval/article-extraction-benchmark (full
    pages, as the pipeline meets them). Demo pages: the small pages of the demo site.
    """
    import gzip

    sys.path.insert(0, str(PROJECT))
    from demo.site import all_pages, build_routes
    from news_ingest.extract import extract_article

    bench = PROJECT.parent / "shared" / "eval" / "article-extraction-benchmark"
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    real = [
        (item["url"], gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes()), None)
        for key, item in sorted(truth.items())
    ]
    base = "http://127.0.0.1:8000"
    routes = build_routes(base)
    demo = [(base + p.path, routes[p.path].body, p.published) for p in all_pages()]
    out = []
    for pages in (real, demo):
        ratios = []
        for _ in range(rounds):
            started = time.process_time()
            texts = [(extract_article(body, url), when) for url, body, when in pages]
            extraction = time.process_time() - started
            started = time.process_time()
            for art, when in texts:
                extract_events(art.article_id, art.text, when, art.title)
            ratios.append((time.process_time() - started) / extraction)
        out.append(statistics.median(ratios))
    return out[0], out[1]


SHORT_REPORT = """<!doctype html><html><head><title>Gunmen kill three at market in Borno</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-18T07:40:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/africa">Africa</a> <a href="/world">World</a></nav>
<article><h1>Gunmen kill three at market in Borno</h1>
<p>Suspected jihadist gunmen on motorcycles opened fire on traders at a weekly market near
Monguno in Nigeria's Borno state on Tuesday, killing three people and wounding five others,
local officials said. Soldiers were deployed to the area after the attack, the second on the
market this month. No group has claimed responsibility, but Boko Haram and its rival
ISWAP fighters both operate in the farming area around the garrison town.
<footer>Copyright 2026 Example Wire. All rights reserved.</footer></body></html>"""
FLASH = """<!doctype html><html><head><title>Drone strike hits fuel depot in Sudan's Kosti</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-18T09:05:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/latest">Latest</a></nav>
<article><h1>Drone strike hits fuel depot in Sudan's Kosti</h1>
<p>FLASH: A drone struck a fuel depot in Kosti in Sudan's White Nile state early on
Wednesday, killing two guards, witnesses said.</p></article>
<footer>Example Wire</footer></body></html>"""


def short_news() -> list[str]:
    """Whether a 70-word report and a one-sentence flash are articles with events."""
    from news_ingest.extract import extract_article

    lines = []
    for name, html, url in (
        ("70-word report", SHORT_REPORT, "https://wire.example.com/2026/11/18/borno-market"),
        ("one-sentence flash", FLASH, "https://wire.example.com/2026/11/18/kosti-flash"),
    ):
        art = extract_article(html.encode(), url)
        events = extract_events(art.article_id, art.text, art.page_published_at, art.title)
        first = events[0] if events else None
        lines.append(
            f"{name}: {art.word_count} words, is_article {art.is_article}, {len(events)} events"
            + (
                f" (first: {first.acled_event_type} / {first.sub_event_type}, "
                f"{first.location}, {first.country}, fatalities {first.fatalities})"
                if first
                else ""
            )
        )
    return lines


def seed_event() -> str:
    """The seed article's first event, as an analyst would check it."""
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    first = extract_events("seed", body, datetime(2017, 9, 29, tzinfo=UTC))[0]
    # The places the story names for the attack (Sukhna, Palmyra, Deir Ezzor).
    places = {"Sukhna": (34.88, 38.87), "Palmyra": (34.55, 38.27), "Deir Ezzor": (35.33, 40.14)}
    near = min(
        geoparsing.distance_km(first.latitude or 0, first.longitude or 0, *at)
        for at in places.values()
    )
    return (
        f"seed article: {first.acled_event_type}, {first.actor1} against {first.actor2}, "
        f"{first.fatalities} killed, {first.country}, {first.location} "
        f"({near:.0f} km from the nearest place the story names)"
    )


def main() -> None:
    started = time.perf_counter()
    print("## ACLED types on CASE 2021 task 2 (509 snippets; dev = id%4==1, check = id%4==3)")
    for half, f in case.case_figures().items():
        print(
            f"  {half:5s} type {f['type']:.3f}  sub-type {f['sub_type']:.3f}  "
            f"non-ACLED left untyped {f['non_acled_untyped']:.3f}"
        )
    print("## Places on TR-News and LGL (right within 161 km, over all gold toponyms)")
    for corpus, halves in geoparsing.evaluate().items():
        for half, f in halves.items():
            print(
                f"  {corpus:8s} {half:5s} found {f['found']:.3f}  acc@161km "
                f"{f['accuracy_161km']:.3f}  country {f['country_all']:.3f} (of found "
                f"{f['country_found']:.3f})  median error {f['median_error_km']:.0f} km"
            )
    print("## Casualties on the hand labels (bench/events/casualties.tsv)")
    for half, f in casualties.score(casualties.load(casualties.parse_text_casualties)).items():
        print(
            f"  {half:5s} n={f['n']:.0f}  fatalities {f['fatalities']:.3f}  "
            f"injured {f['injured']:.3f}"
        )
    print("## Seed article and short news")
    print("  " + seed_event())
    for line in short_news():
        print("  " + line)
    print("## PLOVER gold records and cost")
    plover()
    print(f"(whole run {time.perf_counter() - started:.0f} s)")


def plover() -> None:
    """PLOVER type accuracy, actor countries, articles per second and the cost ratio."""
    records = json.loads(GOLD.read_text(encoding="utf-8"))[1:]
    lexicon = load_lexicon()
    pairs: list[tuple[str, str]] = []
    src_hits = src_total = tgt_hits = tgt_total = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for rec in records:
        text = rec["text"]
        found = classify(text, lexicon)
        predicted = found[1]["plover"] if found else "NONE"
        pairs.append((rec["event"], predicted))
        if predicted != rec["event"]:
            confusion[(rec["event"], predicted)] += 1
        events = extract_events(rec["id"], text, None)
        first = events[0] if events else None
        if codes(rec.get("source")):
            src_total += 1
            src_hits += bool(first and first.actor1_country in codes(rec.get("source")))
        if codes(rec.get("target")):
            tgt_total += 1
            tgt_hits += bool(first and first.actor2_country in codes(rec.get("target")))
    accuracy = sum(1 for g, p in pairs if g == p) / len(pairs)

    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    docs = [(f"doc{i}", body) for i in range(200)]
    rates = []
    for _ in range(3):
        started = time.process_time()
        for doc_id, text in docs:
            extract_events(doc_id, text, datetime(2017, 9, 29, tzinfo=UTC))
        rates.append(len(docs) / (time.process_time() - started))

    ratio = events_vs_extraction()
    print(f"PLOVER gold records: {len(pairs)}")
    print(f"event type accuracy: {accuracy:.3f}")
    print(f"event type macro-F1: {macro_f1(pairs):.3f}")
    print(f"source actor country match: {src_hits}/{src_total} = {src_hits / src_total:.3f}")
    print(f"target actor country match: {tgt_hits}/{tgt_total} = {tgt_hits / tgt_total:.3f}")
    print(
        f"articles/s per core (seed article, {len(body.split())} words): "
        f"{statistics.median(rates):.0f}"
    )
    print(
        f"events time / extraction time per article: {ratio[0]:.2f} on the 181 real news "
        f"pages, {ratio[1]:.2f} on the demo site's small pages"
    )
    print("most frequent confusions (gold -> predicted):")
    for (gold, pred), n in confusion.most_common(12):
        print(f"  {gold:12s} -> {pred:12s} {n}")


if __name__ == "__main__":
    main()
