"""`make demo`: serve the demo site on 127.0.0.1, run one nightly run through Airflow, query it."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from demo.server import SiteServer
from demo.site import DEMO_DAY, build_routes, feed_list_yaml

ROOT = Path(__file__).resolve().parents[1]


def run_nightly(env: dict[str, str], log_path: Path) -> int:
    """One `airflow dags test` run for the demo day; its output goes to ``log_path``."""
    logical = (DEMO_DAY + timedelta(days=1)).isoformat()
    cmd = [str(ROOT / ".venv" / "bin" / "airflow"), "dags", "test", "news_nightly", logical]
    with log_path.open("w") as log:
        return subprocess.call(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def main() -> int:
    """Run the demo and print the summary and a DuckDB query of the output."""
    from news_ingest.settings import Settings
    from news_ingest.stages.manifest import RunManifest
    from news_ingest.stages.run import format_summary

    home = Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow"))
    work = home / "demo"
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with SiteServer() as site:
        site.routes.update(build_routes(site.base_url))
        feeds = work / "feeds.yaml"
        feeds.write_text(feed_list_yaml(site.base_url), encoding="utf-8")
        print(f"demo news site on {site.base_url} (feeds: {feeds})")
        env = {**os.environ, "NEWS_FEEDS": str(feeds), "NEWS_ALLOW_PRIVATE_NETWORKS": "1"}
        log = work / "last-run.log"
        print(f"running news_nightly for {DEMO_DAY} through Airflow (log: {log}) ...")
        code = run_nightly(env, log)
    if code != 0:
        print(log.read_text()[-4000:], file=sys.stderr)
        print(f"the nightly run failed (exit {code}); full log in {log}", file=sys.stderr)
        return code
    settings = Settings.from_env()
    manifests = sorted(
        glob.glob(f"{settings.data_root}/runs/date={DEMO_DAY}/*.json"), key=os.path.getmtime
    )
    manifest = RunManifest.from_json(Path(manifests[-1]).read_text())
    print()
    print(format_summary(manifest))
    print(f"\nfinished in {time.monotonic() - started:.1f}s; output under {settings.data_root}\n")
    import duckdb

    query = f"""
        select date, feed_id, is_duplicate, count(*) as articles, sum(word_count) as words
        from read_parquet('{settings.data_root}/articles/*/*.parquet', hive_partitioning=true)
        group by all order by all"""
    print("duckdb> " + " ".join(query.split()))
    duckdb.sql(query).show()
    query = f"""
        select event_type, acled_event_type, actor1, actor2, location, country, fatalities
        from read_parquet('{settings.data_root}/events/*/*.parquet', hive_partitioning=true)
        where fatalities is not null order by fatalities desc"""
    print("duckdb> " + " ".join(query.split()))
    duckdb.sql(query).show(max_width=160)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
