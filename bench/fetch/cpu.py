"""CPU the fetch stage's fetcher spends on a page, with the raw archive and without.

The pipeline bench's corpus (``bench/pipeline/corpus.py``: about 52 KiB of HTML a page,
served gzipped by ``serve.py`` in its own process on 26 loopback hosts), N of its pages
fetched as ``fetch_and_extract_pages`` fetches them (``Fetcher.map`` on 8 threads,
``stages.fetch.fetch_page``, per-host delay 0), by an archiving fetcher (WARC record and
capture-index row for every response) and by a plain ``Fetcher``, rounds interleaved in
one process. Prints the median ms of this process's CPU a page for each, and the median
of the rounds' differences: what writing the raw archive costs the fetch task a page.

Run: ``make bench-fetch-cpu`` (or ``.venv/bin/python bench/fetch/cpu.py 4000 --rounds 5``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
sys.path.insert(0, str(PIPELINE))

from run import DAY, corpus, serving  # noqa: E402

from news_ingest.archive import archiving_fetcher  # noqa: E402
from news_ingest.http import Fetcher  # noqa: E402
from news_ingest.settings import Settings  # noqa: E402
from news_ingest.stages.fetch import fetch_page  # noqa: E402


def _page_urls(sites: Path, port: int, n: int) -> list[str]:
    urls = [
        f"http://{host}:{port}/{page.relative_to(sites / host).as_posix()[:-3]}"
        for host in sorted(os.listdir(sites))
        for page in (sites / host).rglob("*.html.gz")
    ]
    return sorted(urls)[:n]


def _cpu_ms_per_page(fetcher: Fetcher, urls: list[str]) -> float:
    rows = [{"url": url, "feed_id": "bench"} for url in urls]
    before = resource.getrusage(resource.RUSAGE_SELF)
    pages = fetcher.map(lambda row: fetch_page(fetcher, row), rows, lambda row: row["url"])
    after = resource.getrusage(resource.RUSAGE_SELF)
    failed = [p["url"] for p in pages if p["error"]]
    if failed:
        raise SystemExit(f"{len(failed)} pages failed, e.g. {failed[0]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu / len(urls) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, nargs="?", default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=int, default=20000, help="the pipeline corpus's N")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "news-bench")
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    info = corpus(args.work, args.corpus, args.port)
    urls = _page_urls(Path(info["folder"]) / "sites", args.port, args.pages)
    with serving(info, args.port), tempfile.TemporaryDirectory() as root:
        settings = replace(
            Settings.from_env(),
            data_root=root,
            per_host_delay_s=0.0,
            allow_private_networks=True,  # the corpus is served on 127.0.0.x
        )

        def archived() -> float:
            with archiving_fetcher(settings, DAY, "bench") as fetcher:
                return _cpu_ms_per_page(fetcher, urls)

        def plain() -> float:
            with Fetcher(settings) as fetcher:
                return _cpu_ms_per_page(fetcher, urls)

        runs: dict[str, Callable[[], float]] = {"archived": archived, "plain": plain}
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                times[name].append(run())
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{len(urls)} pages, {args.rounds} rounds; ms of CPU a page (median, then each round)")
    for name, values in times.items():
        print(f"  {name:<9} {medians[name]:.3f}  {[round(v, 3) for v in values]}")
    # The archive's cost round by round (each round's two runs are minutes apart at most,
    # so the host's drift cancels), then its median.
    extra = statistics.median(a - p for a, p in zip(times["archived"], times["plain"], strict=True))
    print(f"  archive   {extra:.3f} ms a page (median of the rounds' differences)")


if __name__ == "__main__":
    main()
