"""Extraction quality and speed: news_ingest vs bare trafilatura on the ScrapingHub benchmark.

Run: `make bench-extraction` (or `.venv/bin/python bench/extraction/run.py [--rounds N]`).
Reads the 181 pages of ../shared/eval/article-extraction-benchmark in place. Every
extractor runs single-process in this one process, rounds interleaved, so machine noise
hits all alike; pages/s per core is pages per CPU second of this process, median over
rounds (CPU time, not wall time, so a busy neighbour does not count against either).
The pooled run (both cores, with the per-page time limit) is timed separately.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scoring import Score, score

from news_ingest.extract import (
    DEFAULT_OPTIONS,
    ExtractOptions,
    PageInput,
    extract_article,
    extract_batch,
)

PROJECT = Path(__file__).resolve().parents[2]
BENCH = PROJECT.parent / "shared" / "eval" / "article-extraction-benchmark"

Page = tuple[str, str, bytes]  # id, url, html bytes


def load_pages(root: Path) -> tuple[list[Page], dict[str, str]]:
    """The benchmark's pages and expected bodies."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (key, item["url"], gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()))
        for key, item in sorted(truth.items())
    ]
    return pages, {key: item.get("articleBody") or "" for key, item in truth.items()}


def bare_default(page: Page) -> str:
    """trafilatura.extract with every setting left at its default."""
    return trafilatura.extract(page[2].decode("utf-8")) or ""


def bare_benchmark(page: Page) -> str:
    """trafilatura.extract as the benchmark's own runner calls it (comments excluded)."""
    return trafilatura.extract(page[2].decode("utf-8"), include_comments=False) or ""


def project(options: ExtractOptions) -> Callable[[Page], str]:
    """news_ingest's extraction (body plus all metadata) with ``options``."""

    def run(page: Page) -> str:
        return extract_article(page[2], page[1], "text/html; charset=utf-8", options).text

    return run


def timed(fn: Callable[[Page], str], pages: list[Page]) -> tuple[dict[str, str], float]:
    """Outputs per page id and pages per CPU second (this process), so pages/s per core."""
    started = time.process_time()
    out = {page[0]: fn(page) for page in pages}
    return out, len(pages) / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--grid", action="store_true", help="also try other settings")
    args = parser.parse_args()
    pages, truth = load_pages(BENCH)
    candidates: dict[str, Callable[[Page], str]] = {
        "trafilatura.extract (defaults)": bare_default,
        "trafilatura.extract (benchmark runner)": bare_benchmark,
        "news_ingest (chosen: fast)": project(DEFAULT_OPTIONS),
    }
    if args.grid:
        candidates["news_ingest favor_precision"] = project(
            ExtractOptions(fast=False, favor_precision=True)
        )
        candidates["news_ingest no fast"] = project(ExtractOptions(fast=False))
        candidates["news_ingest fast+favor_precision"] = project(
            ExtractOptions(fast=True, favor_precision=True)
        )
    speeds: dict[str, list[float]] = {name: [] for name in candidates}
    scores: dict[str, Score] = {}
    for _ in range(args.rounds):
        for name, fn in candidates.items():
            out, rate = timed(fn, pages)
            speeds[name].append(rate)
            scores[name] = score([(truth[key], out[key]) for key, _, _ in pages])
    workers = min(os.cpu_count() or 1, 2)
    started = time.perf_counter()
    results = list(
        extract_batch(
            (PageInput(k, b, u, "text/html; charset=utf-8") for k, u, b in pages), workers=workers
        )
    )
    pooled = len(pages) / (time.perf_counter() - started)
    failed = sum(1 for r in results if r.extracted is None)

    base = statistics.median(speeds["trafilatura.extract (benchmark runner)"])
    print(
        f"{len(pages)} pages, {args.rounds} rounds, single process, "
        f"trafilatura {trafilatura.__version__}"
    )
    print("| extractor | F1 | precision | recall | pages/s per core | vs runner |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in candidates:
        rate = statistics.median(speeds[name])
        s = scores[name]
        print(
            f"| {name} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} | {rate:.1f} | "
            f"{rate / base:.2f} |"
        )
    print(
        f"news_ingest pooled on {workers} cores with the time limit: {pooled:.1f} pages/s "
        f"wall ({failed} failed)"
    )


if __name__ == "__main__":
    main()
