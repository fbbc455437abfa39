import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from news_ingest.events import (
    ACLED_TYPES,
    PLOVER_TYPES,
    extract_events,
    load_lexicon,
    parse_fatalities,
    resolve_event_date,
)

PROJECT = Path(__file__).resolve().parents[2]
SEED_BODY = (PROJECT / "seeds" / "000_6e5a1f3359e505b1.txt").read_text().split("\n", 1)[1]
FRIDAY = datetime(2017, 9, 29, 12, 0, tzinfo=UTC)


def test_seed_attack_has_actors_place_country_and_deaths() -> None:
    events = extract_events("seed", SEED_BODY, FRIDAY)
    first = events[0]
    assert first.sentence.startswith("The Islamic State group killed at least 58")
    assert first.event_type == "ASSAULT"
    assert first.actor1 == "Islamic State"
    assert first.actor2 == "Military Forces of Syria" and first.actor2_country == "SYR"
    assert first.fatalities == 58
    assert first.country == "SYR" and first.location is not None
    assert first.latitude is not None and 30 < first.latitude < 37
    assert first.event_date == date(2017, 9, 29)


def test_aliases_normalise_to_one_actor() -> None:
    for alias in ("IS", "ISIS", "ISIL", "Daesh", "Islamic State"):
        events = extract_events("x", f"{alias} fighters attacked a checkpoint in Homs.", FRIDAY)
        assert events and events[0].actor1 == "Islamic State", alias


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gunmen killed at least 12 villagers near Gusau.", 12),
        ("The blast killed four people.", 4),
        ("Twenty-one people were killed, officials said.", 21),
        ("Shelling hit the market, killing nine civilians.", 9),
        ("The death toll rose to 1,250 on Sunday.", 1250),
        ("At least 30 people were killed in the raid.", 30),
        ("No casualties were reported.", 0),
        ("Dozens were killed in the attack.", None),
        ("Police arrested 30 demonstrators.", None),
        ("The attack killed scores of fighters.", None),
    ],
)
def test_fatalities(sentence: str, expected: int | None) -> None:
    assert parse_fatalities(sentence) == expected


def test_relative_dates_resolve_against_publication() -> None:
    pub = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # a Thursday
    assert resolve_event_date("Gunmen struck on Tuesday.", pub) == date(2026, 11, 17)
    assert resolve_event_date("Troops clashed yesterday.", pub) == date(2026, 11, 18)
    assert resolve_event_date("It happened on Thursday.", pub) == date(2026, 11, 19)
    assert resolve_event_date("Protesters marched.", pub) == date(2026, 11, 19)
    assert resolve_event_date("Protesters marched yesterday.", None) is None


def test_protest_and_arrests_are_typed() -> None:
    text = (
        "Thousands of students protested in Nairobi on Monday against fee rises. "
        "Kenyan police arrested 30 demonstrators."
    )
    events = extract_events("x", text, datetime(2026, 11, 19, tzinfo=UTC))
    kinds = [(e.event_type, e.acled_event_type) for e in events]
    assert ("PROTEST", "Protests") in kinds
    assert ("COERCE", "Strategic developments") in kinds
    arrest = next(e for e in events if e.event_type == "COERCE")
    assert arrest.actor1 == "Police Forces of Kenya" and arrest.country == "KEN"


def test_passive_voice_swaps_actors() -> None:
    events = extract_events(
        "x", "Nine villagers were killed by Boko Haram militants near Maiduguri.", FRIDAY
    )
    assert events[0].actor1 == "Boko Haram" and events[0].actor2 == "Civilians"
    assert events[0].location == "Maiduguri" and events[0].country == "NGA"


def test_sentences_without_events_give_none() -> None:
    text = "The central bank held rates steady. Shares rose two percent in Lagos."
    assert extract_events("x", text, FRIDAY) == []


def test_event_ids_are_stable() -> None:
    a = [e.event_id for e in extract_events("seed", SEED_BODY, FRIDAY)]
    assert a == [e.event_id for e in extract_events("seed", SEED_BODY, FRIDAY)]
    assert len(set(a)) == len(a)


def test_lexicon_file_is_valid() -> None:
    raw = load_lexicon()
    assert raw.triggers and raw.actors and raw.roles
    for _pattern, spec in raw.triggers:
        assert spec["plover"] in PLOVER_TYPES
        assert spec["acled"] in ACLED_TYPES
    for iso3 in raw.country_display:
        assert re.fullmatch(r"[A-Z]{3}", iso3)
