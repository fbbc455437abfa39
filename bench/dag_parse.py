"""How long parsing the DAG folder takes, against a one-task baseline DAG, in the same process.

Run: `.venv/bin/python bench/dag_parse.py [repeats]` (or `make bench-dag-parse`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BASELINE = """
import pendulum
from airflow.sdk import dag, task

@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"))
def baseline_dag():
    @task
    def noop() -> None:
        return None
    noop()

baseline_dag()
"""


def parse_times(folder: Path, repeats: int) -> list[float]:
    """Seconds per full DagBag parse of ``folder``."""
    from airflow.dag_processing.dagbag import DagBag

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        bag = DagBag(dag_folder=str(folder))
        times.append(time.perf_counter() - started)
        assert not bag.import_errors, bag.import_errors
    return times


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import time, sys; t = time.perf_counter(); "
            f"sys.path.insert(0, {str(PROJECT / 'dags')!r}); import news_nightly; "
            "print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp)
        (base_dir / "baseline_dag.py").write_text(BASELINE)
        parse_times(base_dir, 2)  # warm Airflow's own imports before timing anything
        rows = []
        for _ in range(3):  # interleave so machine noise hits both alike
            rows.append(
                (
                    statistics.median(parse_times(base_dir, repeats)),
                    statistics.median(parse_times(PROJECT / "dags", repeats)),
                )
            )
    base = statistics.median(r[0] for r in rows)
    ours = statistics.median(r[1] for r in rows)
    print(f"DagBag parse of dags/ (median of {3 * repeats}): {ours * 1000:.1f} ms")
    print(f"baseline one-task DAG:                  {base * 1000:.1f} ms")
    print(f"ratio dags/ / baseline:                 {ours / base:.2f}")
    print(
        f"cold interpreter import of news_nightly incl. Airflow itself: "
        f"{float(cold.stdout.strip().splitlines()[-1]):.2f} s"
    )


if __name__ == "__main__":
    main()
