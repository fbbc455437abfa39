"""Event coding quality on the PLOVER gold-standard records, and articles per second.

Run: `make bench-events` (or `.venv/bin/python bench/events/run.py`). Reads
../shared/eval/plover_gsr_cameo.json in place (CC BY-SA 4.0; the first record documents
the file and is skipped).
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


def main() -> None:
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
