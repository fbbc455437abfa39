import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news_ingest.acled import CUE_NAMES, SUB_TYPES
from news_ingest.events import (
    _DEMANDS,
    _NEGATED,
    _PROMISES,
    _REFUSALS,
    _SENTENCE,
    _STANCE_LONGEST,
    _STANCE_LOWER,
    _STANCE_SOURCE,
    ACLED_TYPES,
    PLOVER_TYPES,
    extract_events,
    load_lexicon,
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
    # Demonstrators arrested: ACLED codes the protest as one with intervention, not as
    # a separate arrest.
    arrest = next(e for e in events if e.event_type == "COERCE")
    assert arrest.sub_event_type == "Protest with intervention"
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
    for spec in raw.triggers:
        assert spec["plover"] in PLOVER_TYPES
        assert spec.get("acled") is None or spec["acled"] in ACLED_TYPES
    cue_names = {entry["cue"] for entry in raw.acled_cues}
    assert cue_names == CUE_NAMES
    for iso3 in raw.country_display:
        assert re.fullmatch(r"[A-Z]{3}", iso3)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    import math

    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


# Where the seed's places really are (approximate centres).
SEED_PLACES = {
    "Palmyra": (34.55, 38.27),
    "Sukhna": (34.88, 38.87),
    "Deir Ezzor": (35.33, 40.14),
    "Al-Shula": (35.05, 39.97),
}


def test_seed_article_event_matches_the_acled_coding() -> None:
    first = extract_events("seed", SEED_BODY, FRIDAY)[0]
    assert first.acled_event_type == "Battles"
    assert first.actor1 == "Islamic State"
    assert first.actor2 == "Military Forces of Syria"
    assert first.fatalities == 58 and first.country == "SYR"
    # Within 25 km of a place the story names for the attack (the gazetteer's spelling).
    assert first.latitude is not None and first.longitude is not None
    assert any(_km(first.latitude, first.longitude, *at) < 25 for at in SEED_PLACES.values())
    assert first.location is not None and first.geonameid is not None


def test_denial_is_a_rejection_not_an_attack() -> None:
    text = "The Taliban denied carrying out the attack on a police post in Kandahar on Monday."
    events = extract_events("x", text, FRIDAY)
    assert [e.event_type for e in events] == ["REJECT"]
    assert events[0].actor1 == "Taliban" and events[0].acled_event_type is None


def test_reported_speech_keeps_the_perpetrator_as_actor1() -> None:
    text = "Police said gunmen killed five worshippers at a mosque near Maiduguri on Friday."
    event = extract_events("x", text, FRIDAY)[0]
    assert (event.actor1, event.actor2) == ("Militants", "Civilians")
    assert event.fatalities == 5 and event.location == "Maiduguri"
    assert event.acled_event_type == "Violence against civilians"


def test_several_events_in_one_article_each_typed() -> None:
    text = (
        "Russian drones struck Odesa overnight, killing three people, the regional governor "
        "said on Thursday.\n"
        "Separately, thousands of teachers marched through Kisumu on Wednesday to demand "
        "higher pay.\n"
        "In Mogadishu, Al-Shabaab militants abducted two aid workers on Tuesday, officials said."
    )
    pub = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)  # a Thursday
    events = extract_events("x", text, pub)
    by_place = {e.location: e for e in events}
    strike, march, abduction = by_place["Odesa"], by_place["Kisumu"], by_place["Mogadishu"]
    assert strike.event_type == "FIGHT" and strike.sub_event_type == "Air/drone strike"
    assert strike.actor1 == "Military Forces of Russia" and strike.actor1_country == "RUS"
    assert strike.fatalities == 3 and strike.country == "UKR"
    assert march.event_type == "PROTEST" and march.acled_event_type == "Protests"
    assert march.event_date == date(2026, 11, 18) and march.country == "KEN"
    assert abduction.sub_event_type == "Abduction/forced disappearance"
    assert abduction.actor1 == "Al-Shabaab" and abduction.event_date == date(2026, 11, 17)
    assert all(0 < e.confidence <= 1 for e in events)
    assert len({e.event_id for e in events}) == 3


def test_state_force_violence_is_conventional_fight() -> None:
    text = "Serbian troops killed three rebels in a gun battle near Mosul on Friday."
    event = extract_events("x", text, FRIDAY)[0]
    assert event.event_type == "FIGHT" and event.acled_event_type == "Battles"
    assert event.sub_event_type == "Armed clash"


@pytest.mark.parametrize(
    ("sentence", "sub_type"),
    [
        # Who the victims are decides between a battle and violence against civilians.
        ("Gunmen stormed a police station in Kano state, killing three officers.", "Armed clash"),
        (
            "Gunmen killed 12 villagers in an overnight raid on a village in Zamfara state.",
            "Attack",
        ),
        ("Members of an armed group shot and killed a civilian in Bunia.", "Attack"),
        (
            "Five militants were killed in an encounter with security forces in Shopian.",
            "Armed clash",
        ),
        # Territory changing hands: who takes it (an attack to capture a place is an aim).
        ("An attack by the militants to capture the hilltop was repelled.", "Armed clash"),
        (
            "Government troops retook the town of Kidal from separatist rebels on Thursday.",
            "Government regains territory",
        ),
        (
            "M23 rebels seized control of the border town of Bunagana on Monday.",
            "Non-state actor overtakes territory",
        ),
        (
            "Jihadists overran an army post in the north and took control of the area.",
            "Non-state actor overtakes territory",
        ),
        (
            "Rebels took over the town after government troops withdrew without a fight.",
            "Non-violent transfer of territory",
        ),
        # Explosions and remote violence, by the weapon.
        (
            "Warplanes bombed a market in the rebel-held town, killing 15 civilians.",
            "Air/drone strike",
        ),
        ("A drone strike killed four suspected militants in North Waziristan.", "Air/drone strike"),
        (
            "Artillery shells slammed into residential areas of Donetsk overnight, wounding six.",
            "Shelling/artillery/missile attack",
        ),
        (
            "Militants fired mortars at the airport, damaging a runway.",
            "Shelling/artillery/missile attack",
        ),
        (
            "A roadside bomb killed three soldiers in Kunar province.",
            "Remote explosive/landmine/IED",
        ),
        (
            "A landmine exploded under a minibus near Gao, killing eight passengers.",
            "Remote explosive/landmine/IED",
        ),
        (
            "A suicide bomber blew himself up at a mosque in Peshawar during Friday prayers.",
            "Suicide bomb",
        ),
        ("Unknown assailants lobbed a grenade at a police vehicle in Srinagar.", "Grenade"),
        (
            "Dozens of people suffered breathing problems after a chlorine attack on the town.",
            "Chemical weapon",
        ),
        (
            "Helicopters dropped barrels filled with chlorine on the town, activists said.",
            "Chemical weapon",
        ),
        # Violence against civilians beyond killing.
        (
            "Gunmen abducted 30 students from a boarding school in Kaduna state.",
            "Abduction/forced disappearance",
        ),
        (
            "Soldiers raped at least ten women during the operation, a UN report said.",
            "Sexual violence",
        ),
        # Demonstrations: what the demonstrators do and what is done to them.
        (
            "Thousands of teachers marched through Nairobi on Tuesday to demand higher pay.",
            "Peaceful protest",
        ),
        (
            "Police fired tear gas to disperse hundreds of demonstrators in Harare.",
            "Protest with intervention",
        ),
        (
            "Security forces opened fire on demonstrators in Khartoum, killing four.",
            "Excessive force against protesters",
        ),
        (
            "Protesters threw stones at police and set tyres ablaze on the main road.",
            "Violent demonstration",
        ),
        (
            "Demonstrators clashed with riot police in central Santiago for a third night.",
            "Violent demonstration",
        ),
        ("A mob lynched a man accused of stealing a motorcycle in Kampala.", "Mob violence"),
        # Strategic developments.
        (
            "The government and the rebels signed a ceasefire agreement in Juba on Sunday.",
            "Agreement",
        ),
        ("The two sides exchanged 200 prisoners under a deal brokered by Qatar.", "Agreement"),
        ("Police arrested the leader of the separatist movement at his home in Buea.", "Arrests"),
        (
            "Dozens of fighters defected from the rebel group and joined government forces.",
            "Change to group/activity",
        ),
        (
            "The government imposed a dusk-to-dawn curfew in the city after days of unrest.",
            "Change to group/activity",
        ),
        ("Police defused a bomb planted near a church in Kaduna.", "Disrupted weapons use"),
        (
            "Troops seized a large cache of weapons and ammunition in a raid on a hideout.",
            "Disrupted weapons use",
        ),
        (
            "Air defences intercepted two drones over the capital overnight.",
            "Disrupted weapons use",
        ),
        (
            "The militants set up a new base in the forest near the border.",
            "Headquarters or base established",
        ),
        (
            "Militiamen looted and burned dozens of houses in the village.",
            "Looting/property destruction",
        ),
        (
            "Militants destroyed a telecommunications mast in Mandera county.",
            "Looting/property destruction",
        ),
        # Killing by hand, and victims who are in custody or follow a party, are civilians.
        ("Suspected herdsmen hacked a farmer to death in Benue.", "Attack"),
        ("Police beat a detained opposition supporter to death, his family said.", "Attack"),
        # Taken away and not seen again is an abduction, whoever took them.
        (
            "The activist was picked up by men in plain clothes and has not been seen since.",
            "Abduction/forced disappearance",
        ),
        (
            "Gunmen stormed a church during mass and carried off the pastor and six worshippers.",
            "Abduction/forced disappearance",
        ),
        (
            "Soldiers have taken at least eight young men from their homes in the district.",
            "Abduction/forced disappearance",
        ),
        (
            "Residents set upon two suspected kidnappers and burned them alive before police came.",
            "Mob violence",
        ),
        # Vigilantes trading fire with bandits are an armed group in a battle, not a mob.
        (
            "Bandits on motorcycles engaged vigilantes in a long gun duel outside the town.",
            "Armed clash",
        ),
        (
            "The junta announced the dissolution of all political parties.",
            "Change to group/activity",
        ),
        # The words of South Asian reporting: stone pelters riot, a dharna is a protest,
        # troops that retaliate to a ceasefire violation fight.
        (
            "Stone pelters clashed with police in the old city after Friday prayers.",
            "Violent demonstration",
        ),
        (
            "Opposition workers staged a dharna outside the collector's office over fuel prices.",
            "Peaceful protest",
        ),
        (
            "Troops violated the ceasefire along the border in Poonch, prompting the other side "
            "to retaliate.",
            "Armed clash",
        ),
        # Hooded men and assailants are armed whoever they are; a leader is a civilian.
        (
            "Hooded men dragged a community leader from his house and shot him several times.",
            "Attack",
        ),
        # Mourners marching are demonstrators, though troops are named first.
        (
            "Security forces fired live ammunition at mourners marching to the cemetery, "
            "killing two.",
            "Excessive force against protesters",
        ),
        (
            "Police detained dozens of women who tried to march on the avenue for Women's Day.",
            "Protest with intervention",
        ),
        # What a march protests against is not what happened at it.
        (
            "Hundreds of lawyers marched to the Supreme Court to protest against attacks on "
            "judges.",
            "Peaceful protest",
        ),
        (
            "A crowd of villagers beat two men to death after accusing them of theft.",
            "Mob violence",
        ),
        (
            "The attacker detonated a truck packed with explosives at the gate of the base, "
            "killing himself and 12 soldiers.",
            "Suicide bomb",
        ),
        (
            "Taliban fighters entered the provincial capital unopposed after officials "
            "surrendered.",
            "Non-violent transfer of territory",
        ),
        # Burning a school and shooting its head is the violence; a weapon-free looting is not.
        (
            "Militants set fire to a school and shot the headmaster in the northern town.",
            "Attack",
        ),
        (
            "Gunmen seized a French aid worker in the town and took her to an unknown location.",
            "Abduction/forced disappearance",
        ),
        (
            "About 2,000 people demonstrated peacefully in the capital to demand the departure "
            "of foreign troops.",
            "Peaceful protest",
        ),
        (
            "The separatist movement announced it was suspending its armed struggle.",
            "Change to group/activity",
        ),
        (
            "The army launched a new operation to flush out militants from the forest.",
            "Change to group/activity",
        ),
        # Entering a zone with a name is no capture of territory: a move of forces.
        (
            "Six military bombers entered Taiwan's Air Defense Identification Zone on Tuesday.",
            "Change to group/activity",
        ),
        # A demonstration told first is the event, whatever trial or crime it is about.
        (
            "Hundreds demonstrated outside the court over the detention of a reporter charged "
            "with fraud.",
            "Peaceful protest",
        ),
        (
            "Protesters fired firecrackers at riot police blocking the road to parliament.",
            "Violent demonstration",
        ),
    ],
)
def test_acled_type_and_sub_type_by_the_codebook(sentence: str, sub_type: str) -> None:
    events = [e for e in extract_events("x", sentence, FRIDAY) if e.acled_event_type]
    assert events, sentence
    assert (events[0].acled_event_type, events[0].sub_event_type) == (SUB_TYPES[sub_type], sub_type)


@pytest.mark.parametrize(
    "sentence",
    [
        "Floods swept through the valley, killing 23 people and destroying hundreds of homes.",
        "A bus plunged into a ravine in the mountains, killing 17 passengers.",
        "A gas explosion at an apartment block killed three residents.",
        "Armed robbers stole cash from a bank in the city centre and shot a guard.",
        "Police seized 200 kilograms of cocaine at the port and arrested three traffickers.",
        "The foreign ministers of the two countries met in Geneva to discuss trade.",
        "The Islamic State group claimed responsibility for the bombing.",
        "Negotiators met in Geneva for talks on limiting nuclear missiles.",
        "Firefighters battled a blaze at a chemical plant for several hours.",
        "The president suffered a heart attack at his home, his office said.",
        "A fire at a hospital killed 10 patients.",
        "Heavy snow killed five people and cut power to thousands of homes.",
        "Police arrested a man suspected of killing his wife during a domestic dispute.",
        "The militant group said in a statement that it was behind Tuesday's bombing.",
    ],
)
def test_disasters_crime_diplomacy_and_claims_get_no_acled_type(sentence: str) -> None:
    assert not [e for e in extract_events("x", sentence, FRIDAY) if e.acled_event_type]


@pytest.mark.parametrize(
    "sentence",
    [
        # What is announced, aimed at or used as a figure of speech has not happened.
        "The rebels said they would attack the city unless the army withdrew.",
        "Stocks rallied in Hong Kong as investors shrugged off the trade war.",
        "The Netherlands clinched a place by beating Austria 2-1 on Sunday.",
        # Fighting a case in court, or a mission to fight a group, is no battle.
        "The singer has been fighting deportation since his conviction for tax fraud.",
        "The coalition tasked with fighting the militants pulled its advisers out of the capital.",
    ],
)
def test_intentions_aims_and_figures_of_speech_are_not_coded_as_what_they_name(
    sentence: str,
) -> None:
    assert not [e for e in extract_events("x", sentence, FRIDAY) if e.acled_event_type]


def test_the_weapon_named_next_is_the_attacks() -> None:
    text = (
        "Gunmen attacked a police station in the town on Tuesday night, wounding two officers. "
        "Police said the attackers used hand grenades."
    )
    first = extract_events("x", text, FRIDAY)[0]
    assert (first.acled_event_type, first.sub_event_type) == (
        "Explosions/Remote violence",
        "Grenade",
    )


def test_a_man_accused_of_a_crime_is_no_accusation_by_him() -> None:
    text = "A man accused of stealing a goat was beaten to death by a mob in the village."
    events = extract_events("x", text, FRIDAY)
    assert [(e.acled_event_type, e.sub_event_type) for e in events][:1] == [
        ("Riots", "Mob violence")
    ]


def test_a_plain_report_without_a_trigger_word_is_an_event() -> None:
    # "Set up" and "base" are no PLOVER trigger: the ACLED cues alone make the event.
    events = extract_events("x", "Turkish troops set up a new base near Idlib on Thursday.", FRIDAY)
    assert [(e.event_type, e.sub_event_type) for e in events] == [
        ("MOBILIZE", "Headquarters or base established")
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Iran said it will not accept any foreign monitors.", "REJECT"),
        ("The minister said Kenya must release the detained journalists.", "DEMAND"),
        ("The rebels said they would release the hostages next week.", "AGREE"),
        ("Turkey said it would cut off water supplies unless the attacks stop.", "THREATEN"),
        ("The two foreign ministers met in Ankara on Tuesday.", "CONSULT"),
        ("The European Union imposed sanctions on three Sudanese generals.", "SANCTION"),
    ],
)
def test_words_and_intentions_get_their_plover_types(sentence: str, expected: str) -> None:
    from news_ingest.events import classify

    coded = classify(sentence, load_lexicon())
    assert coded is not None and coded[1]["plover"] == expected


def test_extractor_is_chosen_by_name_and_unknown_names_are_refused() -> None:
    from news_ingest.events import get_extractor

    assert get_extractor("rules")("a", SEED_BODY, FRIDAY, None)[0].fatalities == 58
    with pytest.raises(ValueError, match="unknown event extractor 'llm'; known: rules"):
        get_extractor("llm")


def test_mode_sectors_and_precisions() -> None:
    text = (
        "Russian drones struck Odesa overnight, killing three people.\n"
        "Emergency services said the strike was the third this month.\n"
        "Gunmen killed two traders, police in Nigeria said."
    )
    events = extract_events("x", text, datetime(2026, 11, 19, 10, 0, tzinfo=UTC))
    strike = events[0]
    assert strike.event_mode == "aerial weapons"
    assert (strike.actor1_sector, strike.actor2_sector) == ("Military", "Civilians")
    assert strike.date_precision == "stated" and strike.geo_precision == "sentence"
    last = events[-1]
    assert last.date_precision == "publication"
    assert last.geo_precision in {"article", "country"}
    assert last.actor1_sector == "Rebels"


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        (
            "Gunmen killed 12 villagers near Gusau in northwest Nigeria's Zamfara state on "
            "Wednesday, police said.",
            "Zamfara",
        ),
        ("Shelling killed four people in Kharkiv region overnight.", "Kharkiv"),
        ("Clashes near Palmyra in Homs province killed 20 fighters.", "Homs"),
        # No region named: the town's own, from the gazetteer.
        ("Troops clashed with Islamic State fighters near Palmyra, Syria, killing 6.", "Homs"),
    ],
)
def test_admin1_is_the_places_region(text: str, admin1: str | None) -> None:
    event = extract_events("x", text, FRIDAY)[0]
    assert event.admin1 == admin1 and event.country in {"NGA", "UKR", "SYR"}


def test_the_event_place_is_the_sentences_most_specific_then_the_paragraphs() -> None:
    text = (
        "SYRIA: Clashes in Idlib province\n"
        "Government forces shelled Saraqib in Idlib province on Monday, killing five civilians.\n"
        "Rebels fired rockets at army posts, wounding three soldiers.\n"
        "In a separate incident in Aleppo, gunmen killed a doctor."
    )
    events = extract_events("x", text, FRIDAY, "Clashes in Syria")
    by_sentence = {e.sentence.split()[0]: e for e in events}
    assert by_sentence["Government"].location == "Saraqib"
    assert by_sentence["Government"].geo_precision == "sentence"
    assert by_sentence["Government"].fatalities == 5 and by_sentence["Government"].country == "SYR"
    # No place in its sentence or paragraph: the article's most named place.
    assert by_sentence["Rebels"].geo_precision == "article"
    assert by_sentence["Rebels"].injured == 3 and by_sentence["Rebels"].country == "SYR"
    assert by_sentence["In"].location == "Aleppo" and by_sentence["In"].fatalities == 1


_LEXICON = load_lexicon()
_WORDS = sorted(
    {
        word
        for entries in (_LEXICON.triggers, _LEXICON.roles, _LEXICON.acled_cues)
        for entry in entries
        for word in re.findall(r"[a-z][a-z -]{2,}", entry["pattern"])
    }
    | {"the", "a", "government", "riot", "re", "on", "in", "of", "troops", "state", "full"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_grouping_by_first_letter_finds_what_the_plain_alternation_finds(words) -> None:
    sentence = " ".join(words)
    for alternation, entries in (
        (_LEXICON.any_trigger_lower, _LEXICON.triggers),
        (_LEXICON.any_role_lower, _LEXICON.roles),
        (_LEXICON.any_acled_cue, _LEXICON.acled_cues),
    ):
        patterns = [e["pattern"] for e in entries]
        each = [re.compile(f"(?:{p})\\b") for p in patterns]
        plain = re.compile(r"(?<!\w)(?=\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")
        assert alternation.regex.pattern != plain.pattern  # the grouped form is in use
        assert [m.span() for m in alternation.regex.finditer(sentence)] == [
            m.span() for m in plain.finditer(sentence)
        ]
        # Each match's entry, told by its group, is the first entry in list order that
        # matches there.
        for match, index in alternation.finditer(sentence):
            first = next(i for i, p in enumerate(each) if p.match(sentence, match.start()))
            assert index == first


_ACTOR_WORDS = sorted(
    {
        word
        for entry in _LEXICON.actors
        for word in re.findall(r"[A-Za-z][A-Za-z' -]{1,}", entry["pattern"])
    }
    | {"the", "Islamic", "STATE", "Is", "is", "IS", "Isis", "Taliban", "Al", "-", "group"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ACTOR_WORDS), min_size=1, max_size=20))
def test_actors_grouped_by_letter_with_case_ignored_match_what_the_plain_alternation_matches(
    words,
) -> None:
    # Case-sensitive acronyms ("IS", "ISWAP") sit in the groups of their letters and must
    # still match only in capitals.
    sentence = " ".join(words)
    alternation = _LEXICON.any_actor
    plain = re.compile(
        r"(?<!\w)(?=\w)(?:" + "|".join(f"(?:{e['pattern']})" for e in _LEXICON.actors) + r")\b",
        re.I,
    )
    assert alternation.regex.pattern != plain.pattern  # the grouped form is in use
    assert [m.span() for m in alternation.regex.finditer(sentence)] == [
        m.span() for m in plain.finditer(sentence)
    ]
    each = [re.compile(f"(?:{e['pattern']})\\b", re.I) for e in _LEXICON.actors]
    for match, index in alternation.finditer(sentence):
        first = next(i for i, p in enumerate(each) if p.match(sentence, match.start()))
        assert index == first


_STANCE_WORDS = sorted(
    set(re.findall(r"[a-z']+", f"{_REFUSALS} {_DEMANDS} {_PROMISES}"))
    | {"to", "not", "accept", "the", "army", "talks", "wilt", "mustard", "shallow", "if"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_STANCE_WORDS), min_size=1, max_size=20))
def test_stance_with_its_letter_filter_finds_what_the_plain_pattern_finds(words) -> None:
    sentence = " ".join(words)
    plain = re.compile(_STANCE_SOURCE)
    found, expected = _STANCE_LOWER.search(sentence), plain.search(sentence)
    assert _STANCE_LOWER.pattern != plain.pattern
    # The grouped form names each word's kind with its number: "REJECT_0".
    assert (found and (found.span(), (found.lastgroup or "").split("_")[0])) == (
        expected and (expected.span(), expected.lastgroup)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_STANCE_WORDS), min_size=1, max_size=20), st.integers(0, 200))
def test_stance_searched_up_to_a_trigger_finds_what_a_whole_search_finds_before_it(
    words, trigger_at
) -> None:
    # classify stops the stance search where the longest stance word starting at the
    # trigger would end: any stance word starting at or before the trigger is found as
    # the whole sentence's search finds it.
    sentence = " ".join(words)
    whole = _STANCE_LOWER.search(sentence)
    cut = _STANCE_LOWER.search(sentence, 0, trigger_at + _STANCE_LONGEST + 1)
    if whole is not None and whole.start() <= trigger_at:
        assert cut is not None
        assert (cut.span(), cut.lastgroup) == (whole.span(), whole.lastgroup)
    else:
        assert cut is None or cut.start() > trigger_at


_COUNTRY_WORDS = [*sorted(_LEXICON.country_names), "troops", "of", "the", "South", "and", "-"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_COUNTRY_WORDS), min_size=1, max_size=12))
def test_country_names_grouped_by_capital_match_what_the_plain_alternation_matches(
    words,
) -> None:
    # Names inside longer ones ("Niger", "Nigeria"; "Sudan", "South Sudan") must still
    # give the longest, as the plain alternation sorted by length does.
    sentence = " ".join(words)
    names = sorted(_LEXICON.country_names, key=len, reverse=True)
    plain = re.compile(r"\b(?=[A-Z])(" + "|".join(re.escape(n) for n in names) + r")\b")
    assert _LEXICON.country_re.pattern != plain.pattern
    assert [(m.span(), m.group(1)) for m in _LEXICON.country_re.finditer(sentence)] == [
        (m.span(), m.group(1)) for m in plain.finditer(sentence)
    ]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='.!?"”“ \n\tAaZ', max_size=30))
def test_sentence_breaks_opening_on_the_space_are_those_of_the_look_behind_first(text) -> None:
    plain = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z\"“])|\n+")
    assert _SENTENCE.split(text) == plain.split(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="nowithu \n\t.a", max_size=30))
def test_a_negation_searched_in_the_ten_characters_before_a_cue_is_found_as_in_all(text) -> None:
    for start in range(len(text) + 1):
        windowed = _NEGATED.search(text, max(0, start - 10), start)
        whole = _NEGATED.search(text, 0, start)
        assert (windowed and windowed.span()) == (whole and whole.span())


def test_a_publication_date_at_the_calendars_start_gives_no_error() -> None:
    # A page dated 0001-01-01 (a placeholder) and a sentence naming a weekday: there is
    # no day before it to count back to.
    first = datetime(1, 1, 1, tzinfo=UTC)
    events = extract_events("x", "Police arrested 40 protesters on Sunday.", first)
    assert events and events[0].event_date == date(1, 1, 1)
