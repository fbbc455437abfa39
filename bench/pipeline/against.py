"""This tree's nightly pipeline against another git revision's, nights alternating.

The same N-article night (``run.py N --bare-sample S``, this tree's harness and corpus for
both) runs P times with this tree's code and P times with REV's, in the order ABBAAB... (A
this tree, B the other); REV is checked out in a detached worktree under the work folder
and set up by its own ``make setup``. The VM's speed drifts from night to night by more
than a code change moves a night, so the figures are the median night of each code, the
median of the pairs' differences (each pair ran within minutes), and every night.

Run: ``make bench-pipeline-against REV=ab2b917 N=20000 PAIRS=3``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from statistics import median
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]


def checkout(rev: str, work: Path) -> Path:
    """A worktree of ``rev`` under ``work``, set up by its own Makefile (once)."""
    sha = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = work / f"tree-{sha[:12]}"
    if not (tree / ".git").exists():
        subprocess.run(
            ["git", "-C", str(PROJECT), "worktree", "add", "--detach", str(tree), sha],
            check=True,
        )
    subprocess.run(["make", "-C", str(tree), "setup"], check=True, stdout=subprocess.DEVNULL)
    # One harness measures both codes: this tree's bench (corpus, server, timing) runs the
    # other tree's DAGs, library and venv.
    for name in ("run.py", "corpus.py", "serve.py"):
        shutil.copy2(HERE / name, tree / "bench" / "pipeline" / name)
    return tree


def night(tree: Path, work: Path, articles: int, bare_sample: int) -> dict[str, Any]:
    """One bench night of the code in ``tree``; its figures as run.py writes them."""
    command = [
        str(tree / ".venv" / "bin" / "python"),
        str(tree / "bench" / "pipeline" / "run.py"),
        str(articles),
        "--bare-sample",
        str(bare_sample),
        "--work",
        str(work),
    ]
    subprocess.run(command, check=True, cwd=tree, stdout=subprocess.DEVNULL)
    figures: dict[str, Any] = json.loads((work / f"result-{articles}.json").read_text())
    return figures


def order(pairs: int) -> list[str]:
    """ABBAAB...: each code runs first in every other pair, so drift favours neither."""
    return [
        code
        for i in range(pairs)
        for code in (("this", "other") if i % 2 == 0 else ("other", "this"))
    ]


def summary(nights: list[dict[str, Any]]) -> dict[str, Any]:
    """Median night of each code, the pairs' differences and their median, in per cent."""
    walls = {
        code: [n["pipeline_wall_s"] for n in nights if n["code"] == code]
        for code in ("this", "other")
    }
    pairs = [nights[i : i + 2] for i in range(0, len(nights) - 1, 2)]
    differences = []
    for pair in pairs:
        wall = {n["code"]: n["pipeline_wall_s"] for n in pair}
        differences.append(round(100 * (wall["this"] / wall["other"] - 1), 1))
    this_median, other_median = median(walls["this"]), median(walls["other"])
    return {
        "this_median_wall_s": this_median,
        "other_median_wall_s": other_median,
        "medians_difference_pct": round(100 * (this_median / other_median - 1), 1),
        "pair_differences_pct": differences,
        "pair_differences_median_pct": median(differences),
    }


def main() -> None:
    """Alternate the two codes' nights and print every night and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to run against (a commit, tag or branch)")
    parser.add_argument("articles", type=int, nargs="?", default=20000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--bare-sample", type=int, default=2000)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "news-bench-against"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    trees = {"this": PROJECT, "other": checkout(args.rev, args.work)}
    nights: list[dict[str, Any]] = []
    for number, code in enumerate(order(args.pairs), start=1):
        # Both codes share one work folder: the same corpus, generated once.
        figures = night(trees[code], args.work / "nights", args.articles, args.bare_sample)
        stages = figures.get("stage_seconds", {})
        row = {
            "code": code,
            "pipeline_wall_s": figures["pipeline_wall_s"],
            "ratio": figures.get("ratio_pipeline_to_bare"),
            "bare_wall_s": figures.get("bare_wall_s"),
            "pipeline_cpu_s": figures.get("pipeline_cpu_s"),
            "extract_s": stages.get("extract"),
            "events_s": stages.get("events"),
            "events": figures.get("events"),
            "peak_pss_mib": figures.get("peak_pss_mib"),
            "stage_cpu_s": figures.get("stage_cpu_s"),
        }
        nights.append(row)
        print(f"night {number}: {json.dumps(row)}", flush=True)
    report = {"rev": args.rev, "articles": args.articles, **summary(nights), "nights": nights}
    (args.work / f"against-{args.articles}.json").write_text(json.dumps(report, indent=2))
    for key, value in report.items():
        if key != "nights":
            print(f"{key:<28}  {value}")


if __name__ == "__main__":
    main()
