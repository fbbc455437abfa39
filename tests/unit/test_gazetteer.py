import gc
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from news_ingest.gazetteer import (
    ADMIN1,
    COUNTRY,
    SEAT,
    Gazetteer,
    Place,
    _cache_key,
    _cached,
    fold,
    load_gazetteer,
    read_geonames_dump,
    variants,
)
from news_ingest.places import resolve
from news_ingest.settings import Settings

CACHE = Path(Settings.from_env().cache_dir)

# Rows in GeoNames' dump format (19 tab-separated columns), as allCountries.txt or a
# per-country file such as SY.txt holds them: two villages too small for the built-in
# table, a mountain (class T, not a settlement), a row cut short and a row whose latitude
# is no number.
DUMP_ROWS = [
    [
        "9990001", "Kafr Hamrah", "Kafr Hamrah", "Kafr Hamra,Kfar Hamra", "36.2601",
        "37.0956", "P", "PPL", "SY", "", "09", "", "", "", "412", "", "420",
        "Asia/Damascus", "2024-05-01",
    ],
    [
        "9990002", "Tall Shughib", "Tall Shughib", "Tell Shghib", "36.0540", "37.3620", "P",
        "PPL", "SY", "", "09", "", "", "", "0", "", "350", "Asia/Damascus", "2024-05-01",
    ],
    [
        "9990003", "Jabal Sim'an", "Jabal Sim'an", "", "36.33", "36.85", "T", "MT", "SY", "",
        "09", "", "", "", "0", "", "870", "Asia/Damascus", "2024-05-01",
    ],
    ["9990004", "Cut Short", "Cut Short", "", "36.1"],
    [
        "9990005", "Bad Latitude", "Bad Latitude", "", "north", "37.1", "P", "PPL", "SY", "",
        "09", "", "", "", "0", "", "0", "Asia/Damascus", "2024-05-01",
    ],
]  # fmt: skip


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "SY.txt"
    path.write_text("\n".join("\t".join(row) for row in DUMP_ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache folder holding the built-in table already (building it takes a while)."""
    load_gazetteer((), CACHE)
    folder = tmp_path / "cache"
    folder.mkdir()
    for built in CACHE.glob("gazetteer-*.pickle"):
        if built.name == f"gazetteer-{_cache_key(())}.pickle":
            shutil.copy(built, folder / built.name)
    return folder


def test_fold_drops_accents_case_apostrophes_and_hyphens() -> None:
    assert fold("Al-Ḩasakah") == "al hasakah"
    assert fold("Sim’an") == fold("Sim'an") == "siman"
    assert fold("  Deir  ez-Zor ") == "deir ez zor"


def test_variants_accept_article_and_final_h_spellings() -> None:
    assert set(variants("al hasakah")) >= {"al hasakah", "hasakah", "hasaka", "al hasaka"}
    assert list(variants("homs")) == ["homs"]


def test_dump_reader_keeps_settlements_and_skips_bad_rows(dump: Path) -> None:
    read = list(read_geonames_dump(dump))
    assert [p.name for p, _names in read] == ["Kafr Hamrah", "Tall Shughib"]
    place, names = read[0]
    assert place.country == "SYR" and place.geonameid == 9990001
    assert place.admin1_code == "SY.09" and place.population == 412
    assert "Kfar Hamra" in names


def test_built_in_table_holds_cities_regions_and_countries() -> None:
    gaz = load_gazetteer((), CACHE)
    assert len(gaz) > 250_000
    assert any(p.feature == ADMIN1 and p.country == "SYR" for p in gaz.candidates("Idlib"))
    assert gaz.candidates("Syrian")[0].feature == COUNTRY
    aleppo = next(p for p in gaz.candidates("Aleppo") if p.feature.startswith("P."))
    assert aleppo.country == "SYR" and 36 < aleppo.latitude < 36.4
    # A capital is a city, not its government: "Paris" is no name of France here.
    assert all(not p.is_country for p in gaz.candidates("Paris"))


def test_a_users_geonames_dump_adds_villages(dump: Path, cache: Path) -> None:
    text = "Shelling hit the village of Kafr Hamrah in Aleppo's western countryside."
    without = resolve(text, load_gazetteer((), CACHE))
    assert "Kafr Hamrah" not in [m.text for m in without]
    gaz = load_gazetteer((dump,), cache)
    village = next(m for m in resolve(text, gaz) if m.text == "Kafr Hamrah")
    assert village.place.country == "SYR" and village.place.admin1 is not None
    assert abs(village.place.latitude - 36.2601) < 1e-6
    # Known places keep their readings, and the alternate spelling finds the village.
    assert gaz.candidates("Aleppo") == load_gazetteer((), CACHE).candidates("Aleppo")
    assert gaz.candidates("Kfar Hamra")[0].geonameid == 9990001


def test_cache_is_written_once_and_a_corrupt_cache_is_rebuilt(dump: Path, cache: Path) -> None:
    load_gazetteer.cache_clear()
    first = load_gazetteer((dump,), cache)
    pickles = sorted(cache.glob("gazetteer-*.pickle"))
    assert len(pickles) == 2  # the built-in table and the one with the dump
    extended = max(pickles, key=lambda p: p.stat().st_mtime_ns)
    with extended.open("rb") as handle:
        assert len(pickle.load(handle)) == len(first)
    extended.write_bytes(b"not a pickle")
    load_gazetteer.cache_clear()
    again = load_gazetteer((dump,), cache)
    assert len(again) == len(first)
    with extended.open("rb") as handle:
        assert isinstance(pickle.load(handle), Gazetteer)


def test_extended_keeps_population_order() -> None:
    small = Place("Springfield", 39.8, -89.6, "USA", "P.PPL", 100, 1)
    big = Place("Springfield", 37.2, -93.3, "USA", "P.PPL", 170_000, 2)
    gaz = Gazetteer([small], [("Springfield", 0)])
    grown = gaz.extended([(big, ["Springfield"])])
    assert [p.geonameid for p in grown.candidates("springfield")] == [2, 1]
    assert [p.geonameid for p in gaz.candidates("springfield")] == [1]


# Places whose fields stress the columns: no country, no GeoNames id, no region, a name
# outside ASCII and Latin-1, coordinates with every digit, a population past 2**31.
ODD_PLACES = [
    Place("Aleppo", 36.20278, 37.15861, "SYR", SEAT, 1_602_264, 170063, "Aleppo", "SY.09"),
    Place("Ḩalab", 36.2, 37.15, "SYR", ADMIN1, 0, 170062, "Aleppo", "SY.09"),
    Place("Mediterranean Sea", 35.0, 18.0, None, "H.SEA", 0),
    Place("China", 35.000001234567, 105.0, "CHN", COUNTRY, 1_411_778_724 * 3, 1814991),
    Place("Ōsaka 大阪", 34.69374, 135.50218, "JPN", "P.PPLA", 2_592_413, 1853909, None, "JP.32"),
]


def test_places_come_back_from_the_columns_and_a_pickle_as_they_went_in() -> None:
    gaz = Gazetteer(ODD_PLACES, [(p.name, i) for i, p in enumerate(ODD_PLACES)])
    again = pickle.loads(pickle.dumps(gaz, protocol=pickle.HIGHEST_PROTOCOL))
    for table in (gaz, again):
        assert table.places == ODD_PLACES
        assert [type(p.latitude) for p in table.places] == [float] * 5
        assert table.candidates("Osaka 大阪") == (ODD_PLACES[4],)
        assert table.candidates("no such place") == ()


def test_a_place_is_one_record_whatever_name_finds_it() -> None:
    # Resolution tells readings apart by identity (neighbours, the article's commonest
    # place): every name of a place, and every lookup, gives the same record.
    gaz = Gazetteer(ODD_PLACES[:1], [("Aleppo", 0), ("Halab", 0), ("Alep", 0)])
    for table in (gaz, pickle.loads(pickle.dumps(gaz))):
        first = table.candidates("Aleppo")[0]
        assert table.candidates("Halab")[0] is first
        assert table.candidates("ALEP")[0] is first
        assert table.places[0] is first


def test_an_unwritable_cache_costs_a_build_never_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    tiny = Gazetteer([Place("Homs", 34.73, 36.71, "SYR", "P.PPL", 775_404, 169577)], [("Homs", 0)])
    built = _cached(blocker / "gazetteer.pickle", lambda: tiny)
    assert built is tiny and built.candidates("Homs")[0].geonameid == 169577
    assert blocker.is_file()


def test_the_cache_unpickles_with_the_collector_paused_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "gazetteer.pickle"
    tiny = Gazetteer([Place("Homs", 34.73, 36.71, "SYR", "P.PPL", 775_404, 169577)], [("Homs", 0)])
    _cached(path, lambda: tiny)
    collecting: list[bool] = []
    real_load = pickle.load

    def load(handle: Any) -> Any:
        collecting.append(gc.isenabled())
        return real_load(handle)

    monkeypatch.setattr(pickle, "load", load)
    assert gc.isenabled()
    assert len(_cached(path, lambda: Gazetteer([], []))) == 1  # read back, not rebuilt
    assert collecting == [False] and gc.isenabled()
    gc.disable()
    try:
        _cached(path, lambda: Gazetteer([], []))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_place_unpickles_to_an_equal_frozen_place() -> None:
    place = Place("Aleppo", 36.2, 37.15, "SYR", "P.PPLA", 1_800_000, 170063, "Aleppo", "SY.09")
    again = pickle.loads(pickle.dumps(place, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == place and hash(again) == hash(place)
    with pytest.raises(AttributeError):
        again.name = "Halab"  # type: ignore[misc]
