"""Writers run in a child process so a test can SIGKILL them mid-write.

    python -m tests.faults.killable partition ROOT DAY ROWS SEED [--stall-before-rename]
    python -m tests.faults.killable harvest ROOT DAY FEEDS_YAML

The child prints "writing" when it starts the write it may be killed in.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import date
from typing import Any

from news_ingest import store
from news_ingest.settings import Settings


def partition(root: str, day: str, rows: int, seed: int, stall: bool) -> None:
    from tests.faults.rows import random_table

    table = random_table(store.ARTICLES_SCHEMA, rows, seed)
    if stall:  # the whole temp file written, killed before the rename publishes it
        real_write = store._write_parquet

        def stalled(table: Any, where: Any, fs: Any, *rest: Any) -> None:
            real_write(table, where, fs, *rest)
            print("stalled", flush=True)
            time.sleep(3600)

        store._write_parquet = stalled
    print("writing", flush=True)
    store.write_partition(root, "articles", date.fromisoformat(day), table)
    print("done", flush=True)


def harvest(root: str, day: str, feeds_yaml: str) -> None:
    from news_ingest.archive import archiving_fetcher
    from news_ingest.config import parse_feed_list
    from news_ingest.stages.harvest import harvest_feed

    settings = replace(
        Settings.from_env(),
        data_root=root,
        allow_private_networks=True,
        per_host_delay_s=0.0,
        fetch_concurrency=1,
    )
    the_day = date.fromisoformat(day)
    print("writing", flush=True)
    with archiving_fetcher(settings, the_day, "harvest") as fetcher:
        for feed in parse_feed_list(feeds_yaml):
            harvest_feed(feed, the_day, settings, fetcher)
    print("done", flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "partition":
        partition(args[0], args[1], int(args[2]), int(args[3]), "--stall-before-rename" in args)
    else:
        harvest(args[0], args[1], args[2])
