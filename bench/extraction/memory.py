"""Peak memory of the extraction worker pool over many pages (default 10 x the 181 benchmark pages).

Run: `.venv/bin/python bench/extraction/memory.py [repeats]`. Samples the resident set of
this process and of every worker process twice a second with psutil.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BENCH, load_pages

from news_ingest.extract import PageInput, extract_batch


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    pages, _ = load_pages(BENCH)
    me = psutil.Process()
    peaks = {"parent": 0, "worker": 0, "total": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            kids = me.children(recursive=True)
            parent = me.memory_info().rss
            workers = [k.memory_info().rss for k in kids if k.is_running()]
            peaks["parent"] = max(peaks["parent"], parent)
            peaks["worker"] = max([peaks["worker"], *workers])
            peaks["total"] = max(peaks["total"], parent + sum(workers))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    stream = (PageInput(f"{r}-{k}", b, u) for r in range(repeats) for k, u, b in pages)
    count = sum(1 for _ in extract_batch(stream, workers=2, max_tasks_per_worker=500))
    done.set()
    mib = 1024 * 1024
    print(f"{count} pages in {time.perf_counter() - started:.0f} s on 2 workers")
    print(
        f"peak RSS: parent {peaks['parent'] / mib:.0f} MiB, largest worker "
        f"{peaks['worker'] / mib:.0f} MiB, all together {peaks['total'] / mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
