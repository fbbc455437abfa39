"""`make mutation`: mutmut over the safety-critical functions, and their score.

The functions are the SSRF guard, the size and time limits, the retry logic, the atomic
writer and the feed-id hashing (RELIABILITY.md, "Mutation testing"). mutmut runs in
.mutation/ (not tracked), a folder of links in which src/ is include/: mutmut names
mutants by module (news_ingest.http...) only for sources in ./ or src/, and puts the
mutated src/ on sys.path ahead of the editable install. Every run tests every mutant of
the functions again (about 600; MUTATION_JOBS=2 runs two at once).

    python scripts/mutation.py                  # run, then score (exit 1 on a survivor)
    python scripts/mutation.py run GLOB...      # run only these mutants, then score
    python scripts/mutation.py score            # score the last run
    python scripts/mutation.py show NAME...     # the diff of mutants

A mutant that survives and changes nothing a caller can observe is listed, with why, in
RELIABILITY.md's "Mutation testing" section; every other survivor fails the score.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
# What the tests need beside the package (mutmut copies them into .mutation/mutants/).
LINKS = {"src": "include", "pyproject.toml": "pyproject.toml"}
LINKS |= {"tests": "tests", "demo": "demo", "seeds": "seeds", "docs": "docs"}

# Group -> mutmut names of its functions (x_<function>, xǁ<Class>ǁ<method>).
GROUPS: dict[str, list[str]] = {
    "SSRF guard": [
        "news_ingest.http.x__embedded_ipv4",
        "news_ingest.http.x_address_refusal",
        "news_ingest.http.x_resolve_vetted",
        "news_ingest.http.x_check_url_allowed",
        "news_ingest.http.x_check_url_parses",
        "news_ingest.http.xǁGuardedBackendǁconnect_tcp",
    ],
    "size and time limits": [
        "news_ingest.http.xǁFetcherǁ_get_once",
        "news_ingest.http.xǁ_DeadlineStreamǁ*",
        "news_ingest.http.x__decoder",
    ],
    "retry logic": [
        "news_ingest.http.xǁFetcherǁ_get_with_retries",
        "news_ingest.http.x_parse_retry_after",
    ],
    "atomic writer": [
        "news_ingest.store.x__renamed_into_place",
        "news_ingest.store.x_write_bytes_atomic",
        "news_ingest.store.x__written_atomically",
        "news_ingest.store.x__batch_writer",
        "news_ingest.store.x__put_object",
        "news_ingest.store.x__replace_partition",
        "news_ingest.store.x__sweep_dead_temps",
    ],
    "feed-id hashing": [
        "news_ingest.feedstate.x_state_uri",
        "news_ingest.stages.common.x_feed_file",
        "news_ingest.stages.discovered.x_discovered_uri",
    ],
}
GLOBS = [f"{name}__mutmut_*" for names in GROUPS.values() for name in names]
# mutmut's exit codes of a mutant's test run, as its `results` reads them.
STATUS = {1: "killed", 3: "killed", 0: "survived", 36: "timeout", 24: "timeout"}
STATUS |= {-24: "timeout", 152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests"}


def setup() -> None:
    WORK.mkdir(exist_ok=True)
    for link, target in LINKS.items():
        path = WORK / link
        if path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(ROOT / target)


def run(globs: list[str]) -> int:
    setup()
    # Fresh coverage each run: mutmut reruns its stats only for new tests, so a function
    # new since the last run (or a test that newly reaches one) would be left untested.
    (WORK / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    jobs = os.environ.get("MUTATION_JOBS", "1")
    return subprocess.call([str(MUTMUT), "run", "--max-children", jobs, *globs], cwd=WORK)


def show(names: list[str]) -> int:
    return subprocess.call([str(MUTMUT), "show", *names], cwd=WORK) if names else 0


def equivalents() -> dict[str, str]:
    """Mutant name -> the table row of RELIABILITY.md that says why it is equivalent."""
    text = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    section = text.split("## Mutation testing", 1)[-1].split("\n## ", 1)[0]
    found = {}
    for line in section.splitlines():
        if not line.startswith("| `news_ingest."):
            continue  # only the table's rows: the prose may name a surviving mutant
        for name in re.findall(r"`(news_ingest\.[^`]+__mutmut_\d+)`", line):
            found[name] = line
    return found


def group_of(name: str) -> str | None:
    for group, functions in GROUPS.items():
        if any(fnmatch.fnmatchcase(name, f"{f}__mutmut_*") for f in functions):
            return group
    return None


def score() -> int:
    results: dict[str, str] = {}
    for meta in sorted((WORK / "mutants" / "src" / "news_ingest").glob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if group_of(name) is not None:
                results[name] = "not checked" if code is None else STATUS.get(code, "suspicious")
    if not results:
        print("no mutants found: run `make mutation` first", file=sys.stderr)
        return 1
    judged = equivalents()
    rows: dict[str, Counter[str]] = {group: Counter() for group in GROUPS}
    unexplained = []
    for name, status in sorted(results.items()):
        if status == "survived" and name in judged:
            status = "equivalent"
        elif status == "survived":
            unexplained.append(name)
        rows[group_of(name) or ""][status] += 1
    stale = sorted(set(judged) - {n for n, s in results.items() if s == "survived"})
    columns = ["killed", "timeout", "equivalent", "survived"]
    others = sorted({s for c in rows.values() for s in c} - set(columns))
    header = ["group", "mutants", *columns, *others, "score"]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    total: Counter[str] = Counter()
    for group, counts in [*rows.items(), ("all", total)]:
        if group != "all":
            total.update(counts)
        n = sum(counts.values())
        caught = counts["killed"] + counts["timeout"]
        considered = n - counts["equivalent"]
        pct = f"{100 * caught / considered:.1f} %" if considered else "-"
        cells = [group, str(n), *(str(counts[c]) for c in [*columns, *others]), pct]
        print("| " + " | ".join(cells) + " |")
    print("(score: killed or timed out, of the mutants not judged equivalent)")
    for name in stale:
        print(f"listed as equivalent but not a survivor now (re-judge it): {name}")
    for name in unexplained:
        print(f"SURVIVED: {name}  (python scripts/mutation.py show {name})")
    bad = [n for n, s in results.items() if s not in {"killed", "timeout", "survived"}]
    for name in bad:
        print(f"{results[name].upper()}: {name}")
    return 1 if unexplained or bad or stale else 0


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("all", [])
    if command == "show":
        return show(args)
    if command == "score":
        return score()
    if command not in {"all", "run"}:
        print(__doc__, file=sys.stderr)
        return 2
    code = run(args or GLOBS)
    return code or score()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
