"""Casualty counts: deaths and injuries from the phrasings of wire copy and ACLED notes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news_ingest.casualties import (
    _NUMWORDS,
    _QUAL_WORDS,
    _VAGUE_WORDS,
    Casualties,
    parse_casualties,
    parse_fatalities,
    parse_text_casualties,
)
from news_ingest.patterns import lower_case_by_first_letter

N = None


@pytest.mark.parametrize(
    ("sentence", "fatalities", "injured"),
    [
        # One victim: a, an, one.
        ("Soldiers killed a civilian at a checkpoint outside Kidal on Monday.", 1, N),
        ("Police shot dead a displaced man near the camp gate.", 1, N),
        ("A child was killed when a shell hit the family home.", 1, N),
        ("An elderly farmer was shot dead in his field, residents said.", 1, N),
        ("One protester died after being struck by a tear gas canister.", 1, N),
        ("A landmine exploded near Tessit, killing a shepherd.", 1, N),
        ("A detainee died under torture in detention, his lawyer said.", 1, N),
        ("Gunmen killed the deputy mayor outside his office.", 1, N),
        ("The attackers killed her husband in front of the children.", 1, N),
        ("Journalist Amina Bello was stabbed to death outside her home.", 1, N),
        ("The bodies were taken to the hospital, where doctors treated the wounded.", N, N),
        # Numerals, thousands, number words, a dozen.
        ("Troops killed 12 militants in the raid, the army said.", 12, N),
        ("Two gunmen killed at least 10 worshippers outside the mosque.", 10, N),
        ("Three bombers killed as many as 40 people at the market.", 40, N),
        ("The death toll rose to 1,250 on Sunday.", 1250, N),
        ("Twenty-one people were killed, officials said.", 21, N),
        ("A dozen villagers were killed overnight.", 12, N),
        ("Half a dozen fishermen drowned and two others died of exposure.", 2, N),
        # The forms of the verb and the noun.
        ("Nine civilians killed in market blast.", 9, N),
        ("Shelling hit the market, killing nine civilians.", 9, N),
        ("The explosion left 14 dead and dozens wounded.", 14, N),
        ("Eight people died in the fire that followed the strike.", 8, N),
        ("Three prisoners died of their wounds in hospital.", 3, N),
        ("Two children died from injuries sustained in the shelling.", 2, N),
        ("Rescuers recovered the bodies of 17 migrants from the boat.", 17, N),
        ("At least 40 people lost their lives in the floods.", 40, N),
        ("The ambush claimed 11 lives, a local official said.", 11, N),
        ("The clashes claimed the lives of four soldiers.", 4, N),
        ("The death toll from Tuesday's bombing has risen to 63.", 63, N),
        ("The death toll stood at 30 by nightfall.", 30, N),
        ("Six were later confirmed dead.", 6, N),
        ("Seven soldiers succumbed to their wounds on Friday.", 7, N),
        # Ranges: the lower bound, as ACLED codes them.
        ("The strike hit a wedding, killing between 3 and 5 fighters.", 3, N),
        ("Witnesses said 3 to 5 people were killed.", 3, N),
        ("Officials said 3-5 villagers were killed.", 3, N),
        ("Shelling killed ten or twelve civilians.", 10, N),
        # Several groups in one sentence are summed; subsets are not added again.
        ("The attack killed 3 soldiers and 2 civilians.", 5, N),
        ("The attack killed 3 soldiers as well as 2 civilians.", 5, N),
        ("Gunmen killed 4 and wounded 7 at the market.", 4, 7),
        ("At least 12 people, including 3 children, were killed.", 12, N),
        ("The raid killed 10 people, four of them children.", 10, N),
        ("Six soldiers and a civilian were killed in the ambush.", 7, N),
        ("A soldier was killed and three others were wounded.", 1, 3),
        ("Five people were killed and 23 others injured in the blasts.", 5, 23),
        ("Two suicide bombers killed 23 people as well as themselves.", 25, N),
        ("Two suicide bombers blew themselves up at a checkpoint, killing five guards.", 7, N),
        ("The drone strike killed a senior commander and his two bodyguards.", 3, N),
        ("The clash left two rebels and five soldiers killed.", 7, N),
        ("Floods killed 4 people on Monday, bringing the death toll to 27.", 4, N),
        ("Five deaths were recorded after the clash at the border post.", 5, N),
        # Nobody killed or hurt.
        ("No casualties were reported.", 0, 0),
        ("There were no immediate reports of casualties.", 0, 0),
        ("The mortar landed in a field without casualties.", 0, 0),
        ("No one was killed in the attack, police said.", 0, N),
        ("Nobody was hurt when the device went off.", 0, 0),
        ("The blast damaged the station but no one was injured.", 0, 0),
        # Vague sizes are not numbers.
        ("Dozens were killed in the attack.", N, N),
        ("The attack killed scores of fighters.", N, N),
        ("Several soldiers were killed and many more wounded.", N, N),
        ("Hundreds died in the fighting around the town.", N, N),
        ("The shelling killed or wounded 50 people.", N, N),
        ("Warplanes struck the base, killing and wounding several fighters.", N, N),
        ("A number of militants were killed in the operation.", N, N),
        # Injuries alone.
        ("Seven people were wounded when a grenade exploded at a bus stop.", N, 7),
        ("Gunmen opened fire on the convoy, wounding four policemen.", N, 4),
        ("At least 14 people, including seven children, were injured.", N, 14),
        ("Three children suffered injuries in the explosion.", N, 3),
        ("A policeman was hurt when protesters threw stones.", N, 1),
        ("The rocket hit a house, injuring an 8-year-old child.", N, 1),
        ("About 300 people were treated for breathing difficulties after the attack.", N, 300),
        # Numbers that are not victims.
        ("A 12-year-old boy was among the demonstrators detained.", N, N),
        ("A 55-year-old man was killed when the bus overturned.", 1, N),
        ("Militants fired two rockets at the base in 2019.", N, N),
        ("Two rockets hit the town at 5 p.m. and 3 suspects were arrested.", N, N),
        ("Unemployment among youths rose 12 percent, killing hopes of recovery.", N, N),
        ("The convoy was ambushed 30 km north of the town, killing two drivers.", 2, N),
        ("Police fired on the crowd, killing one person and arresting 12.", 1, N),
        ("Militants attacked two bases, injuring six soldiers, two sources told AFP.", N, 6),
        # Not this event's deaths: a cause, a running total, a past event, a plan.
        ("Students marched demanding justice for two classmates killed by police.", N, N),
        ("Rebels began talks to end a war that has claimed 160,000 lives.", N, N),
        ("Villagers rallied in the town, where 24 people were killed last March.", N, N),
        ("Drone strikes have killed at least eight commanders since last July.", 8, N),
        ("The gunmen failed to kill their target, police said.", N, N),
        ("The group threatened to kill 12 hostages.", N, N),
        ("Hundreds joined a Kill The Bill demonstration in the city centre.", N, N),
        ("Officers attacked and injured a peaceful student demonstration.", N, N),
        ("The company said the deadline for the deal had passed.", N, N),
        ("Officers executed a search warrant at the house on Monday.", N, N),
        ("Bereits 2004 wurde die Akte als eine der Anwendungen genannt.", N, N),
        ("The plague killed an estimated 25 million people in Europe.", N, N),
    ],
)
def test_casualties(sentence: str, fatalities: int | None, injured: int | None) -> None:
    assert parse_casualties(sentence) == Casualties(fatalities, injured)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gunmen killed at least 12 villagers near Gusau.", 12),
        ("The blast killed four people.", 4),
        ("No casualties were reported.", 0),
        ("Police arrested 30 demonstrators.", None),
    ],
)
def test_parse_fatalities_is_the_fatalities_of_parse_casualties(
    sentence: str, expected: int | None
) -> None:
    assert parse_fatalities(sentence) == expected


def test_text_takes_the_first_sentence_with_deaths_and_injuries_from_a_later_one() -> None:
    text = (
        "Dozens of soldiers were killed in attacks on Tuesday. "
        "Insurgents killed at least 25 soldiers at a checkpoint near the river. "
        "Officials said five others were wounded. A day earlier, 6 were killed in the north."
    )
    assert parse_text_casualties(text) == Casualties(25, 5)


def test_text_without_counts_has_none() -> None:
    assert parse_text_casualties("Protesters marched on parliament. Police watched.") == (
        Casualties(None, None)
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_counts_are_never_negative(text: str) -> None:
    for found in (parse_casualties(text), parse_text_casualties(text)):
        assert found.fatalities is None or found.fatalities >= 0
        assert found.injured is None or found.injured >= 0


WORDS = st.sampled_from(
    [
        "killed",
        "killing",
        "wounded",
        "injured",
        "dead",
        "died",
        "the",
        "a",
        "an",
        "one",
        "3",
        "12",
        "1,250",
        "twenty-one",
        "dozens",
        "several",
        "people",
        "soldiers",
        "and",
        "or",
        "including",
        "at",
        "least",
        "between",
        "to",
        "-",
        ",",
        ".",
        "no",
        "one",
        "was",
        "were",
        "themselves",
        "blew",
        "up",
        "left",
        "leaving",
        "death",
        "toll",
        "rose",
        "lives",
        "claimed",
        "bodies",
        "of",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=25))
def test_word_salad_of_cues_never_raises(words: list[str]) -> None:
    found = parse_casualties(" ".join(words))
    assert found.fatalities is None or found.fatalities >= 0
    assert found.injured is None or found.injured >= 0


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
def test_fatalities_in_wire_copy(sentence: str, expected: int | None) -> None:
    assert parse_fatalities(sentence) == expected


_COUNT_WORDS = sorted(
    {w for w in re.findall(r"[a-z]+", f"{_QUAL_WORDS} {_VAGUE_WORDS}")}
    | {w for name in _NUMWORDS for w in re.split(r"[ -]", name)}
    | {"-", "12", "Twenty", "AT", "Least", "people", "were", "killed"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_COUNT_WORDS), min_size=1, max_size=12))
def test_count_words_grouped_by_first_letter_match_what_the_plain_alternation_matches(
    words,
) -> None:
    text = " ".join(words)
    number_words = "|".join(re.escape(w) for w in sorted(_NUMWORDS, key=len, reverse=True))
    for alternatives in (number_words, _QUAL_WORDS, _VAGUE_WORDS):
        plain = re.compile(rf"\b(?:{alternatives})\b", re.I)
        grouped = re.compile(rf"\b(?:{lower_case_by_first_letter(alternatives)})\b", re.I)
        assert grouped.pattern != plain.pattern
        assert [m.span() for m in grouped.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]
