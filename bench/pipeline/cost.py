"""A cost model from measured bench nights: CPU, memory and bytes per article by stage, and
what a GDELT-scale day and a year's backfill would take in workers and hours.

Reads the ``result-N.json`` files that ``bench/pipeline/run.py`` writes (one per N, the
median round of each) and prints a Markdown page: the measured figures first, then the
projection, each projected figure with the measured figures it comes from. Nothing here
is assumed but the targets named in the arguments (articles a day, the hours a night may
take, the cores of a worker).

Run: ``.venv/bin/python bench/pipeline/cost.py /tmp/news-bench/result-20000.json
/tmp/news-bench/result-100000.json`` (``make bench-cost`` after ``make bench-pipeline``).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

# The DAG's task of each stage (mapped tasks counted together). The night's first task
# also carries Airflow's own start (about 10 s), so it is counted with the rest.
STAGES = {
    "poll_feeds": "poll feeds",
    "fetch_and_extract_pages": "fetch and extract",
    "dedupe_articles": "dedupe",
    "extract_events": "events",
}
WORKERS = (1, 10, 50)  # fleet sizes the year's backfill is shown for
REST = "the rest: Airflow's start, selection, publishing"
WHOLE = "whole night"


def load(paths: list[Path]) -> list[dict]:
    """The bench results, smallest night first."""
    results = [json.loads(p.read_text()) for p in paths]
    missing = [str(p) for p, r in zip(paths, results, strict=True) if "stage_cpu_s" not in r]
    if missing:
        raise SystemExit(f"no CPU by stage in {', '.join(missing)}: rerun bench/pipeline/run.py")
    sizes = [r["articles"] for r in results]
    if len(set(sizes)) != len(sizes):
        raise SystemExit(f"one result per night size, not {sizes}")
    return sorted(results, key=lambda r: r["articles"])


def per_article(result: dict) -> dict[str, float]:
    """Milliseconds of CPU per article of the night, by stage, the rest, and the whole."""
    n = result["articles"]
    stages = {
        label: 1000 * result["stage_cpu_s"].get(task, 0.0) / n for task, label in STAGES.items()
    }
    whole = 1000 * result["pipeline_cpu_s"] / n
    stages[REST] = whole - sum(stages.values())
    stages[WHOLE] = whole
    return stages


def memory_line(results: list[dict]) -> tuple[float, float]:
    """Peak PSS as a + b x articles (MiB), through the smallest and largest nights."""
    small, large = results[0], results[-1]
    if small is large:
        return float(small["peak_pss_mib"]), 0.0
    slope = (large["peak_pss_mib"] - small["peak_pss_mib"]) / (
        large["articles"] - small["articles"]
    )
    return small["peak_pss_mib"] - slope * small["articles"], slope


def page(results: list[dict], per_day: int, night_hours: float, cores: int, days: int) -> str:
    """The cost-model page as Markdown."""
    big = results[-1]
    lines = ["## Measured", ""]
    head = "| | " + " | ".join(f"{r['articles']:,} articles" for r in results) + " |"
    lines += [head, "| --- |" + " --- |" * len(results)]
    tables = [per_article(r) for r in results]
    for label in tables[0]:
        cells = " | ".join(f"{t[label]:.2f} ms" for t in tables)
        lines.append(f"| CPU per article: {label} | {cells} |")
    rows = {
        "night wall time": lambda r: f"{r['pipeline_wall_s']:,.0f} s on {r['cpus']} cores",
        "bare trafilatura, one core": lambda r: f"{r['bare_wall_s']:,.0f} s",
        "peak PSS of the Airflow process tree": lambda r: f"{r['peak_pss_mib']:,} MiB",
        "HTML fetched per article": lambda r: f"{r['html_bytes_per_article'] / 1024:.1f} KiB",
        "Parquet published per article": lambda r: f"{r['parquet_bytes_per_article']:,} B",
        "events per article": lambda r: f"{r['events'] / r['articles_written']:.1f}",
    }
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    cpu_ms = tables[-1][WHOLE]
    day_core_hours = per_day * cpu_ms / 1000 / 3600
    # Fetching and extraction spread over shards; dedupe and events read the whole day in
    # one task each, so they bound the night however many workers there are.
    serial_ms = sum(tables[-1][STAGES[t]] for t in ("dedupe_articles", "extract_events"))
    parallel_ms = cpu_ms - serial_ms
    serial_hours = per_day * serial_ms / 1000 / 3600 / cores  # on one worker's cores
    parallel_budget = night_hours - serial_hours
    workers = (
        math.ceil(per_day * parallel_ms / 1000 / 3600 / cores / parallel_budget)
        if parallel_budget > 0
        else None
    )
    base, slope = memory_line(results)
    lines += [
        "",
        f"## Projected: {per_day:,} articles a day, {cores}-core workers, "
        f"a {night_hours:g}-hour night",
        "",
        f"- **CPU:** {cpu_ms:.1f} ms an article (the {big['articles']:,}-article night) "
        f"x {per_day:,} = **{day_core_hours:,.0f} core-hours a day**; a year's backfill "
        f"({days} days) {day_core_hours * days:,.0f} core-hours, "
        f"{day_core_hours * days / cores / 24:,.0f} worker-days.",
        f"- **The serial part:** dedupe and events ({serial_ms:.1f} ms an article) run in one "
        f"task each over the whole day: {serial_hours:.1f} h on one {cores}-core worker.",
    ]
    if workers is None:
        lines.append(
            f"- **Workers:** none suffice: the serial part alone takes longer than "
            f"{night_hours:g} h; dedupe and events would need sharding too."
        )
    else:
        lines.append(
            f"- **Workers:** the rest of the night ({parallel_ms:.1f} ms an article: fetching "
            f"and extraction, which shard, and polling, selection and publishing) in the "
            f"{parallel_budget:.1f} h left need **{workers} worker{'s' if workers > 1 else ''}** "
            f"(NEWS_FETCH_SHARDS={workers} or more), if the sites answer that fast."
        )
    if len(results) > 1:
        lines.append(
            f"- **Memory:** peak PSS grew by {slope * 1000:.1f} MiB per 1,000 articles between "
            f"the nights measured ({base:,.0f} MiB at none): about "
            f"{(base + slope * per_day) / 1024:,.1f} GiB for the task that holds the whole "
            f"day, if the growth stays linear."
        )
    else:
        lines.append(
            f"- **Memory:** {big['peak_pss_mib']:,} MiB peak PSS at {big['articles']:,} "
            f"articles; how it grows needs a second night (give two results)."
        )
    html = big["html_bytes_per_article"] * per_day / 2**30
    parquet = big["parquet_bytes_per_article"] * per_day / 2**30
    # The largest night that measured them (older results have no kept bytes).
    kept = next(
        (r["kept_bytes_per_article"] for r in reversed(results) if "kept_bytes_per_article" in r),
        {},
    )
    raw = kept.get("raw", 0) * per_day / 2**30
    lines.append(
        f"- **Bytes:** {html:,.1f} GiB of HTML fetched a day"
        + (f", {raw:,.1f} GiB of it kept in the WARC archive (raw/)" if kept else "")
        + f"; {parquet:,.2f} GiB of Parquet published a day, "
        f"{parquet * days / 1024:,.2f} TiB a year."
    )
    year_hours = day_core_hours * days / cores
    fleets = [f"{w} {'workers' if w > 1 else 'worker'} {year_hours / w:,.0f} h" for w in WORKERS]
    lines.append(
        "- **A year's backfill** (all days through the same tasks): "
        + ", ".join(fleets)
        + " of CPU, before waiting on the sites."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the cost-model page for the given bench results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--per-day", type=int, default=1_000_000)
    parser.add_argument("--night-hours", type=float, default=6.0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    results = load(args.results)
    print(page(results, args.per_day, args.night_hours, args.cores, args.days), end="")


if __name__ == "__main__":
    main()
