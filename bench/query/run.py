"""DuckDB query times over a year of synthetic articles and events partitions, per layout.

Writes DAYS days of both datasets through ``store.write_partition`` with the real schemas,
once per layout (``old``: the layout before issue #9, rows in the pipeline's order;
``new``: ``store.LAYOUTS`` as committed; other names: variants tried while choosing), then
times the typical queries (a month of events, a week of articles) with DuckDB, a new
connection per query, rounds interleaved across layouts so they share the machine's noise.
Same data for every layout.

Run: ``make bench-query`` (or ``.venv/bin/python bench/query/run.py --rounds 5``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from news_ingest import store
from news_ingest.events import ACLED_TYPES, MODES, PLOVER_TYPES, load_lexicon
from news_ingest.places import default_gazetteer

# PLOVER types by how often news reports them (violence and politics first).
TYPE_WEIGHTS = {
    "ASSAULT": 18, "PROTEST": 12, "FIGHT": 10, "COERCE": 10, "CONSULT": 8, "DISAPPROVE": 6,
    "ACCUSE": 5, "COOPERATE": 5, "DEMAND": 4, "MOBILIZE": 4, "SUPPORT": 4, "THREATEN": 4,
    "INVESTIGATE": 4, "AGREE": 3, "AID": 3, "REJECT": 3, "REQUEST": 3, "SANCTION": 2,
    "RETREAT": 1, "CONCEDE": 1,
}  # fmt: skip
# (ACLED type, sub-type, weight) per PLOVER type, as events.acled_type assigns them.
ACLED = {
    "ASSAULT": [
        ("Violence against civilians", "Attack", 55),
        ("Violence against civilians", "Abduction/forced disappearance", 10),
        ("Explosions/Remote violence", "Air/drone strike", 7),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", 6),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED", 5),
        ("Explosions/Remote violence", "Suicide bomb", 2),
        ("Battles", "Armed clash", 15),
    ],
    "FIGHT": [
        ("Battles", "Armed clash", 60),
        ("Battles", "Government regains territory", 10),
        ("Explosions/Remote violence", "Air/drone strike", 15),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack", 15),
    ],
    "PROTEST": [
        ("Protests", "Peaceful protest", 65),
        ("Protests", "Protest with intervention", 15),
        ("Riots", "Violent demonstration", 20),
    ],
    "COERCE": [("Strategic developments", "Arrests", 50), ("Strategic developments", "Other", 50)],
    "MOBILIZE": [("Strategic developments", "Other", 100)],
}
# Countries news is most about, first; the rest follow by population.
HOT = "USA UKR RUS ISR PSE CHN IND SDN NGA GBR FRA DEU SYR IRN COD YEM PAK AFG MEX BRA"
LANGUAGES = ["en"] * 14 + ["fr", "fr", "es", "es", "de", "ar", "pt", "ru", "it", "sw"]
SECTIONS = ["world", "politics", "business", "africa", "asia", "europe", "americas"]
SECTIONS += ["middle-east", "tech", "sport"]
TLDS = ["com"] * 6 + ["co.uk", "org", "net", "de", "fr", "com.au", "co.za", "ng", "in", "ke"]
DATE_SOURCES = ["feed"] * 14 + ["json-ld"] * 3 + ["meta", "meta", "text", "url"]
GEO_PRECISION = ["sentence"] * 5 + ["article"] * 3 + ["country"] * 2

OLD = store.Layout()  # the layout before issue #9, for both datasets


def variants() -> dict[str, dict[str, store.Layout]]:
    """Layouts by name: dataset -> Layout (``new`` is the store's own)."""
    new = {d: store.LAYOUTS[d] for d in ("articles", "events")}
    art, ev = new["articles"], new["events"]
    return {
        "old": {"articles": OLD, "events": OLD},
        "new": new,
        "sorted-only": {
            "articles": replace(OLD, sort_by=art.sort_by),
            "events": replace(OLD, sort_by=ev.sort_by),
        },
        "dict-only": {
            "articles": replace(OLD, dictionary=art.dictionary),
            "events": replace(OLD, dictionary=ev.dictionary),
        },
        "type-first": {
            "articles": art,
            "events": replace(ev, sort_by=(ev.sort_by[1], ev.sort_by[0], *ev.sort_by[2:])),
        },
        "no-page-index": {d: replace(layout, page_index=False) for d, layout in new.items()},
        "small-groups": {d: replace(layout, row_group_rows=256) for d, layout in new.items()},
    }


def zipf(n: int, s: float) -> np.ndarray:
    """Probabilities of ranks 1..n under Zipf's law with exponent ``s``."""
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


class World:
    """The fixed cast of a synthetic year: domains, words, countries, places, actors."""

    def __init__(self, rng: np.random.Generator, domains: int) -> None:
        syll = ["ka", "ro", "mi", "ten", "la", "sun", "dor", "vi", "pe", "an", "tu", "bel"]
        syll += ["ma", "ri", "os", "gen", "cha", "lo", "nu", "ex", "ter", "qui", "za", "fo"]
        spelled = {"".join(rng.choice(syll, size=rng.integers(1, 4))) for _ in range(30_000)}
        self.vocab = np.array(sorted(spelled), dtype=object)
        rng.shuffle(self.vocab)
        self.tags = self.vocab[:400].tolist()
        # Texts are drawn as whole sentences from a fixed pool of sentences of words drawn by
        # Zipf's law: cheap per article, and with 300,000 of them a day's text repeats
        # almost nothing within zstd's window, so it compresses about as real text does.
        sizes = rng.integers(8, 25, 300_000)
        drawn = self.vocab[rng.choice(len(self.vocab), sizes.sum(), p=zipf(len(self.vocab), 1.07))]
        words, at = drawn.tolist(), 0
        self.sentences: list[str] = []
        for size in sizes.tolist():
            self.sentences.append(" ".join(words[at : at + size]).capitalize() + ".")
            at += size
        self.sentence_words = sizes.tolist()
        self.domains = []
        stems = sorted(
            {"".join(rng.choice(syll, size=rng.integers(2, 4))) for _ in range(4 * domains)}
        )
        for stem in rng.permutation(stems)[:domains]:
            tld = str(rng.choice(TLDS))
            feeds = [f"{stem}-{s}" for s in rng.choice(SECTIONS, rng.integers(1, 4), replace=False)]
            authors = [
                f"{w.title()} {v.title()}" for w, v in rng.choice(self.vocab[:3000], (20, 2))
            ]
            self.domains.append(
                {
                    "domain": f"{stem}.{tld}",
                    "name": f"The {stem.title()} {rng.choice(['Times', 'Post', 'News', 'Herald'])}",
                    "feeds": feeds,
                    "language": str(rng.choice(LANGUAGES)),
                    "paywall": float(rng.choice([0.0, 0.0, 0.0, 0.3, 0.8])),
                    "authors": authors,
                }
            )
        self.domain_p = zipf(domains, 1.0)
        lexicon = load_lexicon()
        places: dict[str, list[Any]] = {}
        for place in default_gazetteer().places:
            if place.feature.startswith("P.") and place.country and place.population >= 15_000:
                places.setdefault(place.country, []).append(place)
        by_size = sorted(places, key=lambda c: -sum(p.population for p in places[c]))
        hot = [c for c in HOT.split() if c in places]
        self.countries = hot + [c for c in by_size if c not in hot]
        self.country_p = zipf(len(self.countries), 1.1)
        self.places = {
            c: sorted(places[c], key=lambda p: -p.population)[:25] for c in self.countries
        }
        self.display = lexicon.country_display
        self.roles = sorted({(r["name"], r["sector"]) for r in lexicon.roles})
        self.groups = [(a["name"], a["sector"], a.get("country")) for a in lexicon.actors]
        # Weighted draws as uniform draws from lists with repeats: cheap per call.
        self.types = [t for t, w in TYPE_WEIGHTS.items() for _ in range(w)]
        self.acled = {k: [(a, s) for a, s, w in v for _ in range(w)] for k, v in ACLED.items()}
        self.country_cum = np.cumsum(self.country_p).tolist()
        assert set(self.types) <= PLOVER_TYPES
        assert {a for subs in ACLED.values() for a, _s, _w in subs} <= ACLED_TYPES

    def country(self, r: random.Random) -> str:
        """A country, the ones in the news more often."""
        return r.choices(self.countries, cum_weights=self.country_cum)[0]


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def articles_of_day(
    world: World,
    rng: np.random.Generator,
    r: random.Random,
    day: date,
    n: int,
    recent: deque[dict[str, Any]],
) -> list[dict[str, Any]]:
    """About ``n`` articles of ``day``, 10-15 % of them copies of earlier ones."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    n = int(n * (0.75 if day.weekday() >= 5 else 1.0) * r.uniform(0.9, 1.1))
    # Some 420 words on average (28 sentences), from about 120 to 2,000.
    lengths = np.clip(rng.lognormal(np.log(28), 0.45, n), 8, 130).astype(int).tolist()
    picks = rng.integers(0, len(world.sentences), sum(lengths) + 2 * n).tolist()
    said, sizes = world.sentences, world.sentence_words
    doms = r.choices(world.domains, weights=world.domain_p, k=n)
    dup_share = r.uniform(0.10, 0.15)
    rows: list[dict[str, Any]] = []
    originals_today: list[dict[str, Any]] = []
    at = 0
    for i, d in enumerate(doms):
        seconds = r.randrange(86_400)
        published = start + timedelta(seconds=seconds) if r.random() > 0.05 else None
        copy_of = None
        if r.random() < dup_share and (originals_today or recent):
            pool = originals_today if originals_today and r.random() < 0.6 else recent
            copy_of = pool[r.randrange(len(pool))] if pool else None
        description = said[picks[at]] if r.random() < 0.6 else None
        title = said[picks[at + 1]][:-1]
        at += 2
        if copy_of is None:
            body = [said[j] for j in picks[at : at + lengths[i]]]
            word_count = sum(sizes[j] for j in picks[at : at + lengths[i]])
            at += lengths[i]
            text = "\n".join(" ".join(body[p : p + 4]) for p in range(0, len(body), 4))
            kind = None
        else:
            kind = r.choice(["exact", "near", "near", "url"])
            title = copy_of["title"]
            text = copy_of["text"] if kind != "near" else f"{d['name']}\n{copy_of['text']}"
            word_count = copy_of["word_count"] + (kind == "near") * len(d["name"].split())
        feed = r.choice(d["feeds"])
        section = feed.split("-", 1)[1]
        slug = "-".join(title.lower().split()[:5])
        canonical = f"https://{d['domain']}/{section}/{day:%Y/%m/%d}/{slug}-{i}"
        article_id = _hex(canonical)[:16]
        seen_at = published or start + timedelta(seconds=seconds)
        text_sha = _hex(text)
        row = {
            "article_id": article_id,
            "feed_id": feed,
            "url": canonical + ("?utm_source=rss" if r.random() < 0.4 else ""),
            "canonical_url": canonical,
            "domain": d["domain"],
            "title": title,
            "text": text,
            "authors": r.sample(d["authors"], r.randint(0, 2)),
            "published_at": published,
            "fetched_at": seen_at + timedelta(seconds=r.randint(60, 36_000)),
            "language": d["language"] if r.random() > 0.02 else None,
            "word_count": word_count,
            "is_article": r.random() > 0.03,
            "is_duplicate": copy_of is not None,
            "duplicate_of": copy_of["article_id"] if copy_of else None,
            "duplicate_similarity": (
                None if copy_of is None else 1.0 if kind != "near" else r.uniform(0.75, 0.99)
            ),
            "duplicate_kind": kind,
            "cluster_id": copy_of["article_id"] if copy_of else article_id,
            "copies_seen": None,
            "source": d["name"],
            "date_source": r.choice(DATE_SOURCES) if published else "capture",
            "modified_at": (
                published + timedelta(hours=r.randint(1, 12))
                if published and r.random() < 0.25
                else None
            ),
            "language_confidence": r.uniform(0.8, 1.0),
            "is_paywalled": r.random() < d["paywall"] * 0.3,
            "site_name": d["name"],
            "description": description,
            "categories": [section] if r.random() < 0.7 else [],
            "tags": r.choices(world.tags, k=r.randint(0, 4)),
            "image_url": f"https://img.{d['domain']}/{article_id}.jpg"
            if r.random() < 0.75
            else None,
            "final_url": canonical,
            "text_sha256": text_sha,
        }
        rows.append(row)
        if copy_of is None and row["is_article"]:
            originals_today.append(row)
    seen = Counter(r["duplicate_of"] for r in rows if r["is_duplicate"])
    for row in rows:
        if not row["is_duplicate"]:
            row["copies_seen"] = seen.get(row["article_id"], 0)
    keep = ("article_id", "title", "text", "word_count")
    recent.extend({k: r[k] for k in keep} for r in originals_today)
    # The order the pipeline writes (dedupe's reference order), which the old layout kept.
    rows.sort(
        key=lambda r: (r["published_at"] is None, r["published_at"] or start, r["article_id"])
    )
    return rows


def events_of_day(
    world: World,
    rng: np.random.Generator,
    r: random.Random,
    day: date,
    articles: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """About 1.5 events per original article, in the pipeline's (article_id, event_id) order."""
    events: list[dict[str, Any]] = []
    originals = [a for a in articles if not a["is_duplicate"] and a["is_article"]]
    counts = np.clip(rng.poisson(1.45, len(originals)), 0, 6).tolist()
    picks = iter(rng.integers(0, len(world.sentences), sum(counts)).tolist())
    for art, count in zip(originals, counts, strict=True):
        home = world.country(r)
        for index in range(count):
            kind = r.choice(world.types)
            acled, sub = r.choice(world.acled[kind]) if kind in ACLED else (None, None)
            country: str | None = home if r.random() < 0.8 else None
            if country is None and r.random() < 0.6:
                country = world.country(r)
            geo = None
            if country is not None:
                geo = r.choice(GEO_PRECISION)
            place = None
            if geo in ("sentence", "article") and world.places.get(country or ""):
                near = world.places[country or ""]
                place = near[min(int(r.paretovariate(1.2)) - 1, len(near) - 1)]
            actors = []
            for _ in range(2):
                if r.random() < 0.15:
                    actors.append(r.choice(world.groups))
                else:
                    name, sector = r.choice(world.roles)
                    of = country if country and r.random() < 0.6 else None
                    shown = f"{name} ({world.display.get(of, of)})" if of else name
                    actors.append((shown, sector, of))
            actor1 = actors[0] if r.random() < 0.8 else None
            actor2 = actors[1] if r.random() < 0.55 else None
            violent = kind in ("ASSAULT", "FIGHT") or sub == "Violent demonstration"
            fatalities = None
            if r.random() < (0.45 if violent else 0.02):
                fatalities = int(rng.geometric(0.2)) * (10 if r.random() < 0.05 else 1)
            stated = r.random() < 0.4
            sentence = world.sentences[next(picks)]
            confidence = 0.4 + 0.15 * (actor1 is not None) + 0.1 * (actor2 is not None)
            confidence += 0.1 * (place is not None) + 0.1 * (fatalities is not None)
            events.append(
                {
                    "event_id": _hex(f"{art['article_id']}:{index}:{kind}")[:16],
                    "article_id": art["article_id"],
                    "event_date": day - timedelta(days=r.randint(0, 3)) if stated else day,
                    "event_type": kind,
                    "acled_event_type": acled,
                    "sub_event_type": sub,
                    "actor1": actor1[0] if actor1 else None,
                    "actor2": actor2[0] if actor2 else None,
                    "actor1_country": actor1[2] if actor1 else None,
                    "actor2_country": actor2[2] if actor2 else None,
                    "location": place.name if place else None,
                    "admin1": None,
                    "country": country,
                    "latitude": place.latitude if place else None,
                    "longitude": place.longitude if place else None,
                    "fatalities": fatalities,
                    "sentence": sentence,
                    "confidence": round(min(confidence, 0.95), 3),
                    "event_mode": MODES.get(sub or ""),
                    "actor1_sector": actor1[1] if actor1 else None,
                    "actor2_sector": actor2[1] if actor2 else None,
                    "date_precision": "stated" if stated else "publication",
                    "geo_precision": geo,
                }
            )
    events.sort(key=lambda e: (e["article_id"], e["event_id"]))
    return events


@contextlib.contextmanager
def layouts(chosen: dict[str, store.Layout]) -> Iterator[None]:
    """Swap the store's per-dataset layouts for the duration of a write."""
    saved = dict(store.LAYOUTS)
    store.LAYOUTS.update(chosen)
    try:
        yield
    finally:
        store.LAYOUTS.clear()
        store.LAYOUTS.update(saved)


Tables = dict[str, pa.Table]


def table_of(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows as a table, column by column (faster than from_pylist); absent columns null."""
    return pa.Table.from_pydict(
        {f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema
    )


def write_day(
    root: Path, name: str, layout: dict[str, store.Layout], day: date, tables: Tables
) -> None:
    """Write one day's partitions of both datasets with ``layout``."""
    with layouts(layout):
        for dataset, table in tables.items():
            store.write_partition(str(root / name), dataset, day, table)


def generate(
    root: Path, names: list[str], days: int, per_day: int, first: date, seed: int
) -> Tables:
    """Write ``days`` days of both datasets under ``root/<layout>``; return a mid-year day's."""
    world = World(np.random.default_rng(seed), domains=300)
    chosen = variants()
    recent: deque[dict[str, Any]] = deque(maxlen=3 * per_day)  # copies of the last 3 days
    started, sample = time.perf_counter(), {}
    # Arrow sorts, encodes and compresses without the GIL: day D is written on the second
    # core while day D+1 is generated.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: list[Future[None]] = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            rng, r = np.random.default_rng([seed, offset]), random.Random(f"{seed}:{offset}")
            arts = articles_of_day(world, rng, r, day, per_day, recent)
            tables = {
                "articles": table_of(arts, store.ARTICLES_SCHEMA),
                "events": table_of(events_of_day(world, rng, r, day, arts), store.EVENTS_SCHEMA),
            }
            if offset == days // 2:
                sample = tables
            for future in pending:
                future.result()
            pending = [writer.submit(write_day, root, n, chosen[n], day, tables) for n in names]
            if (offset + 1) % 60 == 0:
                print(f"  {offset + 1} days, {time.perf_counter() - started:.0f} s", flush=True)
        for future in pending:
            future.result()
    return sample


def write_times(names: list[str], tables: Tables, rounds: int) -> dict[str, list[float]]:
    """Seconds to write one day's partitions (both datasets) per layout, rounds interleaved."""
    times: dict[str, list[float]] = {n: [] for n in names}
    chosen = variants()
    with tempfile.TemporaryDirectory(prefix="bench-query-write-") as scratch:
        for _ in range(rounds):
            for name in names:
                started = time.perf_counter()
                write_day(Path(scratch), name, chosen[name], date(2025, 1, 1), tables)
                times[name].append(time.perf_counter() - started)
    return times


def queries(first: date, days: int) -> dict[str, str]:
    """The typical queries: a month of events, a week of articles, the whole year of both."""
    month = (first + timedelta(days=days // 2)).replace(day=1)  # a month mid-way
    month_end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    week = month + timedelta(days=(7 - month.weekday()) % 7)  # first Monday of that month
    ev = "read_parquet('{root}/events/*/*.parquet', hive_partitioning=true)"
    art = "read_parquet('{root}/articles/*/*.parquet', hive_partitioning=true)"
    return {
        "month: events by type and country": f"""
            select event_type, country, count(*) as events, sum(fatalities) as fatalities
            from {ev} where date >= date '{month}' and date < date '{month_end}'
            group by all order by events desc, event_type, country""",
        "week: articles by domain": f"""
            select domain, count(*) as articles, count(*) filter (where is_duplicate) as copies
            from {art} where date >= date '{week}' and date < date '{week + timedelta(days=7)}'
            group by all order by articles desc, domain""",
        "year: events by type and country": f"""
            select event_type, country, count(*) as events, sum(fatalities) as fatalities
            from {ev} group by all order by events desc, event_type, country""",
        "year: articles by domain": f"""
            select domain, count(*) as articles, count(*) filter (where is_duplicate) as copies
            from {art} group by all order by articles desc, domain""",
    }


Timings = dict[str, dict[str, list[float]]]  # query -> layout -> one value per round


def time_queries(
    root: Path, names: list[str], sqls: dict[str, str], rounds: int
) -> tuple[Timings, Timings]:
    """Wall and CPU seconds per query and layout, a new DuckDB connection each, interleaved."""
    wall: Timings = {q: {n: [] for n in names} for q in sqls}
    cpu: Timings = {q: {n: [] for n in names} for q in sqls}
    answers: dict[str, Any] = {}
    for _ in range(rounds):
        for query, sql in sqls.items():
            for name in names:
                con = duckdb.connect()
                started, used = time.perf_counter(), time.process_time()
                rows = con.execute(sql.format(root=root / name)).fetchall()
                # CPU time of the process (DuckDB's threads included): what the query costs,
                # less disturbed than wall time by the other work sharing the machine.
                wall[query][name].append(time.perf_counter() - started)
                cpu[query][name].append(time.process_time() - used)
                con.close()
                # Every layout must give the same answer.
                assert answers.setdefault(query, rows) == rows, (query, name)
    return wall, cpu


def sizes(root: Path, dataset: str, columns: list[str]) -> tuple[int, int, int]:
    """Rows, file bytes, and compressed bytes of ``columns`` (what a query reads) of a dataset."""
    rows = total = read = 0
    for path in sorted((root / dataset).glob("*/*.parquet")):
        meta = pq.ParquetFile(path).metadata
        rows += meta.num_rows
        total += path.stat().st_size
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                column = group.column(c)
                if column.path_in_schema in columns:
                    read += column.total_compressed_size
    return rows, total, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--articles-per-day", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--layouts", default="old,new", help=f"comma-separated: {', '.join(variants())}"
    )
    parser.add_argument("--root", help="write here and keep it (default: a temp dir, removed)")
    parser.add_argument("--first-day", default="2025-01-01")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    names = args.layouts.split(",")
    unknown = set(names) - set(variants())
    if unknown:
        parser.error(f"unknown layouts {sorted(unknown)}")
    first = date.fromisoformat(args.first_day)
    root = Path(args.root or tempfile.mkdtemp(prefix="bench-query-"))
    print(
        f"{args.days} days from {first}, ~{args.articles_per_day} articles a day, layouts "
        f"{', '.join(names)}, {args.rounds} rounds, {os.cpu_count()} CPUs, duckdb "
        f"{duckdb.__version__}, pyarrow {pa.__version__}"
    )
    try:
        started = time.perf_counter()
        sample = generate(root, names, args.days, args.articles_per_day, first, args.seed)
        print(f"generated and written in {time.perf_counter() - started:.0f} s")
        report(root, names, queries(first, args.days), args.rounds, sample)
    finally:
        if not args.root:
            shutil.rmtree(root, ignore_errors=True)


def report(root: Path, names: list[str], sqls: dict[str, str], rounds: int, sample: Tables) -> None:
    """Print sizes and query medians (wall, CPU) per layout, ratios against the first."""
    base = names[0]
    writing = {n: statistics.median(t) for n, t in write_times(names, sample, rounds).items()}
    print(
        "\n| layout | write ms/day | bytes/article | bytes/event | domain+is_duplicate B/article |"
        " event_type+country+fatalities B/event |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        arts, art_bytes, art_read = sizes(root / name, "articles", ["domain", "is_duplicate"])
        evs, ev_bytes, ev_read = sizes(
            root / name, "events", ["event_type", "country", "fatalities"]
        )
        print(
            f"| {name} | {writing[name] * 1000:.0f} | {art_bytes / arts:.0f} | "
            f"{ev_bytes / evs:.0f} | {art_read / arts:.2f} | {ev_read / evs:.2f} |"
        )
    print(f"({arts:,} articles, {evs:,} events)")
    wall, cpu = time_queries(root, names, sqls, rounds)
    for title, times in (("wall", wall), ("CPU", cpu)):
        print(
            f"\n| query | {' | '.join(f'{n} {title} s' for n in names)} | "
            f"{' | '.join(f'{n}/{base}' for n in names[1:])} |"
        )
        print("| --- |" + " --- |" * (2 * len(names) - 1))
        for query, by_name in times.items():
            medians = {n: statistics.median(t) for n, t in by_name.items()}
            cells = " | ".join(f"{medians[n]:.3f}" for n in names)
            ratios = " | ".join(f"{medians[n] / medians[base]:.2f}" for n in names[1:])
            print(f"| {query} | {cells} | {ratios} |")
    shown = "new" if "new" in names else names[-1]
    month = statistics.median(wall["month: events by type and country"][shown])
    verdict = "under" if month < 1.0 else "NOT under"
    print(f"\nmonth query, {shown} layout: median {month:.3f} s, {verdict} 1 s")


if __name__ == "__main__":
    main()
