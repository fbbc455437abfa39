"""CPU that ``Fetcher.map`` spends handing out pages, by number of hosts.

20,000 no-op items (nothing is fetched) over 26, 133 and 400 hosts on 8 threads, per-host
delay 0, against a plain ``ThreadPoolExecutor.map`` of the same no-op over the same items
on 8 threads (the hand-over between threads, without any choice of host), interleaved in
one process. Prints the median µs of process CPU an item over the rounds and its ratio to
the pool's.

Run: ``make bench-fetch-handout`` (or ``.venv/bin/python bench/fetch/handout.py --rounds 5``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from news_ingest.http import Fetcher
from news_ingest.settings import Settings

ITEMS = 20_000
THREADS = 8


def _cpu_us_per_item(run: Callable[[list[str]], object], urls: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_SELF)
    run(urls)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu / len(urls) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hosts", type=int, nargs="+", default=[26, 133, 400])
    args = parser.parse_args()
    settings = replace(Settings.from_env(), fetch_concurrency=THREADS, per_host_delay_s=0.0)

    def pool(urls: list[str]) -> object:
        with ThreadPoolExecutor(THREADS) as executor:
            return list(executor.map(lambda u: None, urls))

    def handed_out(urls: list[str]) -> object:
        with Fetcher(settings) as fetcher:
            return fetcher.map(lambda u: None, urls, lambda u: u)

    print(f"{ITEMS} no-op items, {THREADS} threads, {args.rounds} rounds (median µs CPU/item)")
    for hosts in args.hosts:
        urls = [f"http://h{i % hosts}.example/{i}" for i in range(ITEMS)]
        base, ours = [], []
        for _ in range(args.rounds):
            base.append(_cpu_us_per_item(pool, urls))
            ours.append(_cpu_us_per_item(handed_out, urls))
        b, o = statistics.median(base), statistics.median(ours)
        print(f"{hosts:4d} hosts: Fetcher.map {o:6.1f}  thread pool {b:6.1f}  ratio {o / b:.2f}")


if __name__ == "__main__":
    main()
