"""The geoparser: place mentions in text, each resolved to a gazetteer entry from its context."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path

import numpy as np

from news_ingest.gazetteer import (
    ADMIN1,
    ADMIN2,
    CAPITAL,
    SEAT,
    Gazetteer,
    Place,
    fold,
    variants,
)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in a text: its character span and the gazetteer entry it resolves to."""

    start: int
    end: int
    text: str
    place: Place
    # How the text itself supports the reading: "pattern" ("X, Louisiana", "X province"),
    # "context" (the article's countries or regions) or "prior" (population alone).
    evidence: str = "prior"

    def as_json(self) -> dict[str, object]:
        """The mention as ``news-ingest places`` prints it."""
        p = self.place
        return {
            "start": self.start,
            "end": self.end,
            "name": p.name,
            "text": self.text,
            "latitude": round(p.latitude, 5),
            "longitude": round(p.longitude, 5),
            "country": p.country,
            "admin1": p.admin1,
            "geonameid": p.geonameid,
            "feature": p.feature,
        }


# A run of capitalised words, with the lower-case particles that place names carry inside.
# It opens on the capital and then looks behind it (no letter, apostrophe or hyphen before),
# so the engine skips in C to the next capital instead of trying every position.
_RUN = re.compile(
    r"[A-Z](?<![\w'’-][A-Z])[\w'’.-]*(?:(?:\s|-)(?:(?:al|el|ez|es|de|del|da|do|du|la|le|of|upon|on"
    r"|sur|am|an|der|den|bin|ibn)[\s-])*[A-Z][\w'’.-]*)*"
)
# Words before a name that make it a person's ("Gov. Jackson", "Mr. Paris").
_PERSON_TITLES = frozenset(
    fold(t)
    for t in (
        "Mr Mrs Ms Miss Dr Prof Gov Governor Sen Senator Rep Representative President Pres "
        "Judge Justice Sheriff Officer Sgt Sergeant Lt Capt Captain Col Colonel Gen General "
        "Maj Major Cpl Pvt Coach Rev Father Sister Brother Bishop Mayor Chief Commissioner "
        "Minister Premier King Queen Prince Princess Sir Lord Lady Dame Saint St Detective "
        "Deputy Trooper Attorney Chancellor Secretary Speaker Ambassador Pastor Imam Sheikh"
    ).split()
)
_REGION_WORDS = (
    "province|governorate|state|region|oblast|district|county|prefecture|department|"
    "countryside|outskirts|municipality|parish|borough|territory"
)
_REGION_AFTER = re.compile(rf"\s+(?:{_REGION_WORDS})\b", re.I)
# Words just before a name: "rural Idlib", "northern Homs" (a region); "in Reading",
# "near Valley", "north of Aleppo" (a place), with or without "the" between.
_REGION_BEFORE = frozenset("rural northern southern eastern western central".split())
_LOCATIVES = frozenset(
    "in near at from to into outside across around towards toward via through of".split()
)


def _words_before(before: str) -> list[str]:
    """The last words before a name, lower case, "the" dropped."""
    words = before.lower().split()[-3:]
    return words[:-1] if words and words[-1] == "the" else words


def _after_sentence_end(before: str) -> bool:
    """True when the text before a name ends a sentence or a line."""
    stripped = before.rstrip()
    space = before[len(stripped) :]
    if not stripped:
        return True
    return bool(space) and ("\n" in space or stripped[-1] in '.!?"“:')


_SPEECH_AFTER = re.compile(r"\s*,?\s+(?:said|says|told|added|wrote|asked|explained)\b")
# AP-style and postal state abbreviations: "Alexandria, La.", "Mobile, AL".
_US_STATES = {
    "Ala": "Alabama", "AL": "Alabama", "Alaska": "Alaska", "AK": "Alaska", "Ariz": "Arizona",
    "AZ": "Arizona", "Ark": "Arkansas", "AR": "Arkansas", "Calif": "California",
    "CA": "California", "Colo": "Colorado", "CO": "Colorado", "Conn": "Connecticut",
    "CT": "Connecticut", "Del": "Delaware", "DE": "Delaware", "Fla": "Florida", "FL": "Florida",
    "Ga": "Georgia", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "Ill": "Illinois",
    "IL": "Illinois", "Ind": "Indiana", "IN": "Indiana", "IA": "Iowa", "Kan": "Kansas",
    "Kans": "Kansas", "KS": "Kansas", "Ky": "Kentucky", "KY": "Kentucky", "La": "Louisiana",
    "LA": "Louisiana", "Md": "Maryland", "MD": "Maryland", "ME": "Maine",
    "Mass": "Massachusetts", "MA": "Massachusetts", "Mich": "Michigan", "MI": "Michigan",
    "Minn": "Minnesota", "MN": "Minnesota", "Miss": "Mississippi", "MS": "Mississippi",
    "Mo": "Missouri", "MO": "Missouri", "Mont": "Montana", "MT": "Montana", "Neb": "Nebraska",
    "Nebr": "Nebraska", "NE": "Nebraska", "Nev": "Nevada", "NV": "Nevada",
    "N.H": "New Hampshire", "NH": "New Hampshire", "N.J": "New Jersey", "NJ": "New Jersey",
    "N.M": "New Mexico", "NM": "New Mexico", "N.Y": "New York", "NY": "New York",
    "N.C": "North Carolina", "NC": "North Carolina", "N.D": "North Dakota",
    "ND": "North Dakota", "Okla": "Oklahoma", "OK": "Oklahoma", "Ore": "Oregon",
    "Oreg": "Oregon", "OR": "Oregon", "Pa": "Pennsylvania", "Penn": "Pennsylvania",
    "PA": "Pennsylvania", "R.I": "Rhode Island", "RI": "Rhode Island",
    "S.C": "South Carolina", "SC": "South Carolina", "S.D": "South Dakota",
    "SD": "South Dakota", "Tenn": "Tennessee", "TN": "Tennessee", "Tex": "Texas",
    "TX": "Texas", "UT": "Utah", "Vt": "Vermont", "VT": "Vermont", "Va": "Virginia",
    "VA": "Virginia", "Wash": "Washington", "WA": "Washington", "W.Va": "West Virginia",
    "WV": "West Virginia", "Wis": "Wisconsin", "Wisc": "Wisconsin", "WI": "Wisconsin",
    "Wyo": "Wyoming", "WY": "Wyoming", "D.C": "District of Columbia",
    "DC": "District of Columbia",
}  # fmt: skip
# A word this common in English ("Valley", "Mobile", "Police") is a place only when the
# context says so.
_COMMON_ZIPF = 3.5
# A word this common ("she", "no") is no place even where a big city has it as a name.
_VERY_COMMON_ZIPF = 5.0


@lru_cache(maxsize=1)
def _lower_case_words() -> frozenset[str]:
    """English words a dictionary writes in lower case (proper nouns it capitalises)."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False) if w.islower())


@lru_cache(maxsize=1 << 15)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word.casefold(), "en"))


@lru_cache(maxsize=1 << 15)
def _is_common_word(word: str) -> bool:
    """True for an everyday English word ("valley", "mobile"), not for a name."""
    return word.casefold() in _lower_case_words() and _zipf(word) >= _COMMON_ZIPF


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    text: str
    choices: tuple[Place, ...]
    cue_region: bool = False  # "X province", "rural X"
    within: str | None = None  # an admin1 code or ISO3 the text puts it in ("X, Louisiana")
    locative: bool = False  # "in X"
    sentence_start: bool = False
    # Each reading with its worth before the story's context, once computed.
    priors: Sequence[tuple[Place, tuple[float, str]]] | None = None
    # The name as the gazetteer reads it, whose plain priors every article shares.
    info: _Name | None = None
    key: str = field(init=False)  # the name's lookup key

    def __post_init__(self) -> None:
        # The name's reading already holds its key (the same fold of the same text).
        self.key = self.info.key if self.info is not None else fold(self.text)


def _runs(text: str) -> Iterator[tuple[int, int]]:
    for match in _RUN.finditer(text):
        start, end = match.span()
        # A run ends before a trailing period that ends the sentence ("in Aleppo.").
        while end > start and text[end - 1] in ".-'’":
            end -= 1
        yield start, end


# A word of a run: hyphens and spaces separate words ("Russia-Turkey", "Al-Hasakah").
_WORD = re.compile(r"[^\W_][\w.'’]*")
_POSSESSIVE = re.compile(r"['’]s?$")
# Abbreviations whose final period belongs to the word.
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.)+[A-Z]?\.?$|^(?:St|Ste|Mt|Ft|Pt)\.$")


def _words(run: str) -> list[tuple[int, int]]:
    if run.isalpha():  # most runs are one plain word
        return [(0, len(run))]
    words = []
    for m in _WORD.finditer(run):
        s, e = m.span()
        token = run[s:e]
        token = _POSSESSIVE.sub("", token)
        if token.endswith(".") and not _ABBREVIATION.match(token):
            token = token.rstrip(".")
        if token:
            words.append((s, s + len(token)))
    return words


@lru_cache(maxsize=1 << 16)
def _opens_a_name(word: str, gaz: Gazetteer) -> bool:
    return fold(word).split(" ", 1)[0] in gaz.first_words


@dataclass(frozen=True, slots=True)
class _Name:
    """What a name is worth as a place, whatever the text around it."""

    key: str
    choices: tuple[Place, ...]
    protected: bool  # a country or a first-level region: kept without context
    given: bool  # a given name
    common: bool  # an everyday English word
    very_common: bool  # so common ("she", "no") that not even a big city's name counts
    # The best-known readings' priors where no pattern stands around the name: they depend
    # on the name alone, and names recur from article to article.
    plain_priors: tuple[tuple[Place, tuple[float, str]], ...]
    readings: _Readings  # what _neighbours weighs


@lru_cache(maxsize=1 << 16)
def _name(name: str, gaz: Gazetteer) -> _Name | None:
    """The name's readings and what it is as a word; None when it can name no place here."""
    choices = gaz.candidates(name)
    key = fold(name)
    if not choices or key in _COMPASS or key in _CALENDAR:
        return None
    if name.isupper() and len(name) <= 4 and not choices[0].is_country:
        return None  # an acronym ("CNN", "KBR"), not a town's alternate spelling
    common = _is_common_word(name)
    return _Name(
        key,
        choices,
        choices[0].is_country or choices[0].feature == ADMIN1,
        key in _given_names(),
        common,
        common and (choices[0].population < 1_000_000 or _zipf(name) >= _VERY_COMMON_ZIPF),
        tuple((p, _prior(p, key, None, False)) for p in choices[:_READINGS]),
        _readings(choices),
    )


def _spans(
    text: str, words: list[tuple[int, int]], gaz: Gazetteer
) -> Iterator[tuple[int, int, int]]:
    """Maximal runs of ``words`` that the gazetteer names, left to right, each with the
    index of its first word."""
    i = 0
    while i < len(words):
        s, e = words[i]
        if not _opens_a_name(text[s:e], gaz):
            i += 1  # most capitalised words open no place name: one lookup, not six
            continue
        for j in range(min(len(words), i + 6), i, -1):
            s, e = words[i][0], words[j - 1][1]
            if text[s].isupper() and text[s:e] in gaz:
                yield s, e, i
                i = j
                break
        else:
            i += 1


@dataclass(frozen=True, slots=True)
class _Run:
    """What a capitalised run holds on its own, offsets in the run: its words, the people
    it names and the ``_spans`` the gazetteer names."""

    words: tuple[tuple[int, int], ...]
    people: frozenset[str]
    names: tuple[tuple[int, int, int], ...]


@lru_cache(maxsize=1 << 16)
def _read_run(run: str, gaz: Gazetteer) -> _Run:
    """The run read once: it depends on its text alone, and the same runs recur from
    article to article."""
    words = _words(run)
    return _Run(tuple(words), _people(run, words), tuple(_spans(run, words, gaz)))


_TITLE_BEFORE = re.compile(r"([A-Z][a-z]+)\.?\s+$")


def _is_person(
    text: str, start: int, words: list[tuple[int, int]], first: int, gaz: Gazetteer
) -> bool:
    """True when the name reads as a person's: after a title, or after a capitalised word
    of the same run that is neither a common word nor a place ("John Harrison")."""
    before = text[max(0, start - 25) : start]
    title = _TITLE_BEFORE.search(before)
    if title and fold(title.group(1)) in _PERSON_TITLES:
        return True
    if first > 0:
        s, e = words[first - 1]
        previous = text[s:e]
        if (
            previous[0].isupper()
            and previous.isalpha()
            and not previous.isupper()  # "CTV Edmonton": a broadcaster, not a first name
            and not _is_common_word(previous)
            and previous not in gaz  # "Middlesex-London"
        ):
            return fold(previous) not in _NOT_FIRST_NAMES
    return False


# Words that open a place's name or qualify it, never a first name.
_NOT_FIRST_NAMES = frozenset(
    fold(w)
    for w in (
        "North South East West Northern Southern Eastern Western Central Upper Lower New Old "
        "Greater Inner Outer Middle Saint St Mount Mt Fort Ft Port Lake Cape San Santa Los "
        "Las El Al La Le"
    ).split()
)
# Compass words alone name no place here ("North" is a region of Cameroon).
_COMPASS = frozenset(_NOT_FIRST_NAMES)
_CANADIAN = {
    "Alta": "Alberta", "B.C": "British Columbia", "Man": "Manitoba", "N.B": "New Brunswick",
    "N.L": "Newfoundland and Labrador", "N.S": "Nova Scotia", "Ont": "Ontario",
    "P.E.I": "Prince Edward Island", "Que": "Quebec", "Sask": "Saskatchewan",
}  # fmt: skip
_WITHIN = re.compile(r",\s+((?:[A-Z][\w.]*)(?:\s+[A-Z][\w.]*){0,2})")


def _region_named(name: str, gaz: Gazetteer, after_comma: bool) -> Place | None:
    """The first-level region or country a name (or its abbreviation) stands for."""
    bare = name.rstrip(".")
    full = _CANADIAN.get(bare) or (_US_STATES.get(bare) if after_comma else None)
    for place in gaz.candidates(full or name):
        if place.feature == ADMIN1 and (full is None or place.country in ("USA", "CAN")):
            return place
        if place.is_country:
            return place
    return None


def _within(text: str, end: int, gaz: Gazetteer) -> tuple[Place, int, int] | None:
    """The region or country after "X, " ("Alexandria, La.", "Homs, Syria"), with its span."""
    match = _WITHIN.match(text, end) if text.startswith(",", end) else None
    if not match:
        return None
    words = match.group(1).split()
    for size in range(len(words), 0, -1):
        name = " ".join(words[:size])
        region = _region_named(name, gaz, after_comma=True)
        if region is not None:
            start = match.start(1)
            return region, start, start + len(name.rstrip(".") if name not in _KEEP_DOT else name)
    return None


# AP-style state abbreviations that are no English word: "Kan." names Kansas anywhere.
# Grouped by capital, with the word-start check after it: a pattern that opens on a
# literal capital lets the engine skip every other character (4x faster than "\b(Ala|...").
_STATE_ABBREVIATION = re.compile(
    r"((?:A(?<!\w.)(?:la|riz|rk)|C(?<!\w.)(?:alif|olo|onn)|F(?<!\w.)la|I(?<!\w.)ll"
    r"|K(?<!\w.)(?:an|ans|y)|M(?<!\w.)(?:ich|inn|ont)|N(?<!\w.)(?:eb|ebr|ev|\.[YJCHMD])"
    r"|O(?<!\w.)(?:kla|re|reg)|R(?<!\w.)\.I|S(?<!\w.)\.[CD]|T(?<!\w.)(?:enn|ex)|V(?<!\w.)t"
    r"|W(?<!\w.)(?:is|isc|yo|\.\s?Va)))\.(?=[\s,;:)]|$)"
)


# Abbreviations whose final period is part of the written name.
_KEEP_DOT = frozenset({"B.C.", "D.C.", "N.Y.", "N.J.", "N.C.", "S.C.", "N.H.", "N.M.", "N.D."})


# "ALEPPO, Syria (AP) —": the place a story was filed from opens it, in capitals.
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Z'’. -]+[A-Z])(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*"
    r"(?:\(\w+\)\s*)?(?:[—–-]|\s{2}|\n)"
)


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    text = resources.files("news_ingest").joinpath("data/given_names.txt").read_text("utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(fold(name) for line in lines for name in line.split())


# Days, months and feasts: "in May" and "on Thursday" are dates, whatever the gazetteer says.
_CALENDAR = frozenset(
    fold(w)
    for w in (
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April May June July August September October November December Jan Feb Mar Apr Jun "
        "Jul Aug Sep Sept Oct Nov Dec Christmas Easter Ramadan Eid Thanksgiving Halloween"
    ).split()
)


def _people(run: str, words: list[tuple[int, int]]) -> frozenset[str]:
    """Names a run gives to people: a given name and what follows it ("David Jones"), and
    what follows a title ("Sgt. Webb"); each stays a person's name in the whole text."""
    if len(words) < 2:
        return frozenset()
    given = _given_names()
    people: set[str] = set()
    tokens = [run[s:e] for s, e in words]
    for i, token in enumerate(tokens):
        key = fold(token)
        if key in given and i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
            people.update((key, fold(tokens[i + 1])))
        elif key in _PERSON_TITLES and i + 1 < len(tokens):
            people.add(fold(tokens[i + 1]))
    return frozenset(people)


def _candidates(text: str, gaz: Gazetteer) -> list[_Candidate]:
    found: list[_Candidate] = []
    taken: set[tuple[int, int]] = set()
    dateline = _DATELINE.match(text)
    runs = [(start, _read_run(text[start:end], gaz)) for start, end in _runs(text)]
    people = frozenset().union(*(run.people for _, run in runs))
    for run_start, run in runs:
        words = [(run_start + s, run_start + e) for s, e in run.words] if run.names else []
        for start, end, first in run.names:
            start, end = run_start + start, run_start + end
            name = text[start:end]
            info = _name(name, gaz)
            if info is None or (start, end) in taken:
                continue
            key, choices = info.key, info.choices
            before = text[max(0, start - 30) : start]
            previous = _words_before(before)
            cue_region = bool(previous and previous[-1] in _REGION_BEFORE) or bool(
                text[end : end + 1].isspace() and _REGION_AFTER.match(text, end)
            )
            sentence_start = _after_sentence_end(before)
            found_within = _within(text, end, gaz)
            within = found_within[0] if found_within else None
            if found_within is not None and not (
                found_within[0].is_country or found_within[1:] in taken
            ):
                # "Edmonton, Ky.": the abbreviation names the region itself.
                region, s, e = found_within
                if fold(text[s:e]) not in _own_names(region.name):
                    taken.add((s, e))
                    found.append(_Candidate(s, e, text[s:e], (region,), within=None))
            cand = _Candidate(
                start,
                end,
                name,
                choices,
                cue_region=cue_region,
                within=(within.admin1_code if within and not within.is_country else None)
                or (within.country if within else None),
                locative=bool(previous and previous[-1] in _LOCATIVES)
                or (dateline is not None and start == dateline.start(1)),
                sentence_start=sentence_start,
                info=info,
            )
            strong = cand.cue_region or cand.within is not None or cand.locative
            if not strong and not info.protected:
                if key in people or (len(words) == 1 and info.given):
                    continue
                if _is_person(text, start, words, first, gaz):
                    continue
                single = first + 1 == len(words) or " " not in name
                if single and (info.very_common or (sentence_start and info.common)):
                    continue
                if _SPEECH_AFTER.match(text, end):
                    continue
            found.append(cand)
    spans = [(c.start, c.end) for c in found]
    for match in _STATE_ABBREVIATION.finditer(text):
        s, e = match.span(1)
        if any(s < end and start < e for start, end in spans):
            continue
        state = _region_named(re.sub(r"\s", "", match.group(1)), gaz, after_comma=True)
        if state is not None:
            found.append(_Candidate(s, e, text[s:e], (state,)))
    return sorted(found, key=lambda c: c.start)


_FEATURE_PRIOR = {ADMIN1: 0.3, CAPITAL: 1.0, SEAT: 0.5, ADMIN2: -0.5}
# Readings of a name weighed against each other: the most populous few are enough.
_READINGS = 12
# Places this close are "together" in a story (a town and the next county seat).
_NEAR_KM = 120.0


@dataclass
class _Context:
    countries: dict[str, float]  # weights, not only counts
    admin1: dict[str, int]
    title_countries: set[str]
    # For each reading (by id), how many other names of the text have a reading near it.
    neighbours: dict[int, int]
    total: float = 0.0  # the sum of the country weights


@dataclass(frozen=True, slots=True)
class _Readings:
    """A name's readings that can lie near another name's, with their coordinates as
    arrays: names recur from article to article, so these are built once a name."""

    places: tuple[Place, ...]
    lat: np.ndarray  # radians
    lon: np.ndarray  # radians
    region: np.ndarray  # a first-level region (bool)
    admin1: np.ndarray  # the admin1 code, as an integer of _ADMIN1_CODES


# Admin1 codes as small integers: comparing integers in numpy is 10x comparing strings.
_ADMIN1_CODES: dict[str | None, int] = {}


def _readings(choices: tuple[Place, ...]) -> _Readings:
    places = tuple(
        p
        for p in choices[:_READINGS]
        if not p.is_country and p.country is not None and p.feature[0] in "AP"
    )
    codes = [_ADMIN1_CODES.setdefault(p.admin1_code, len(_ADMIN1_CODES)) for p in places]
    return _Readings(
        places,
        np.radians([p.latitude for p in places]),
        np.radians([p.longitude for p in places]),
        np.array([p.feature == ADMIN1 for p in places], dtype=bool),
        np.array(codes, dtype=np.int64),
    )


def _neighbours(names: list[_Readings]) -> dict[int, int]:
    """For every reading of every name, how many of the other names could lie near it
    (Leidner's spatial minimality: a story's places cluster)."""
    names = [n for n in names if n.places]
    sizes = [len(n.places) for n in names]
    if sum(sizes) < 2:
        return {}
    owner = np.repeat(np.arange(len(names)), sizes)
    lat = np.concatenate([n.lat for n in names])
    lon = np.concatenate([n.lon for n in names])
    # A distance is at least its north-south part: only readings of other names that
    # close in latitude get the cosine and the hypotenuse (a few pairs in a hundred).
    others = owner[:, None] != owner[None, :]
    y = lat[:, None] - lat[None, :]
    near = np.abs(y) * 6371.0 < _NEAR_KM
    near &= others
    i, j = np.nonzero(near)
    # Equirectangular distances: exact enough at a hundred kilometres.
    x = (lon[i] - lon[j]) * np.cos((lat[i] + lat[j]) / 2)
    near[i, j] = np.hypot(x, y[i, j]) * 6371.0 < _NEAR_KM
    # A region counts as near the places inside it.
    region = np.concatenate([n.region for n in names])
    if region.any():
        codes = np.concatenate([n.admin1 for n in names])
        same = codes[:, None] == codes[None, :]
        same &= region[:, None] | region[None, :]
        same &= others
        near |= same
    # Readings come name by name: one column block per name, reduced to "any near".
    starts = list(accumulate(sizes[:-1], initial=0))
    names_near = np.logical_or.reduceat(near, starts, axis=1).sum(axis=1).tolist()
    return dict(zip(map(id, (p for n in names for p in n.places)), names_near, strict=True))


@lru_cache(maxsize=1 << 14)
def _own_names(name: str) -> frozenset[str]:
    return frozenset(variants(fold(name)))


def _prior(place: Place, key: str, within: str | None, cue_region: bool) -> tuple[float, str]:
    """What a reading of the name ``key`` is worth before the story's context: its size and
    kind, and the patterns around the name (``within``, ``cue_region`` as on _Candidate)."""
    score = math.log10(place.population + 10)
    evidence = "prior"
    score += _FEATURE_PRIOR.get(place.feature, 0.0)
    country_or_region = place.is_country or place.is_region
    if place.is_country or place.country is None:
        score += 3.0  # a country, a continent, a sea or a world region named outright
    if within is not None:
        if within in (place.admin1_code, place.country):
            score += 8.0
            evidence = "pattern"
        else:
            score -= 4.0
    if cue_region and place.is_region:
        score += 3.0
        evidence = "pattern"
    if not country_or_region and key not in _own_names(place.name):
        # Found only under an alternate name (an old, local or foreign one).
        score -= 1.0
    return score, evidence


def resolve(text: str, gaz: Gazetteer, title: str | None = None) -> list[PlaceMention]:
    """Place mentions of ``text`` (offsets in ``text``), resolved with the title as context."""
    cands = _candidates(text, gaz)
    title_cands = _candidates(title, gaz) if title else []
    ctx = _Context({}, {}, set(), {})
    # Countries and first-level regions named outright are the context.
    for cand in [*title_cands, *cands]:
        top = cand.choices[0]
        if top.country is None:
            continue
        if top.is_country:
            ctx.countries[top.country] = ctx.countries.get(top.country, 0) + 1
        elif top.feature == ADMIN1 and (
            len({c.admin1_code for c in cand.choices[:2]}) == 1
            # or its namesakes are far smaller ("Illinois" is also a village in Missouri)
            or 100 * cand.choices[1].population < top.population
        ):
            code = top.admin1_code or ""
            ctx.admin1[code] = ctx.admin1.get(code, 0) + 1
            ctx.countries[top.country] = ctx.countries.get(top.country, 0) + 1
    for cand in title_cands:
        top = cand.choices[0]
        if top.is_country and top.country:
            ctx.title_countries.add(top.country)
    distinct: dict[str, _Readings] = {}
    for cand in [*title_cands, *cands]:
        if cand.key not in distinct:
            distinct[cand.key] = cand.info.readings if cand.info else _readings(cand.choices)
    ctx.neighbours = _neighbours(list(distinct.values()))
    # A second reading: the countries the first found are context, and so is any region
    # where two or more of the story's names lie.
    regions: dict[str, set[str]] = {}
    for cand, (place, _evidence) in zip(cands, _read(cands, ctx), strict=True):
        country = place.country
        if not place.is_country and country:
            ctx.countries[country] = ctx.countries.get(country, 0) + _FOUND_COUNTRY_WEIGHT
            if place.admin1_code:
                regions.setdefault(place.admin1_code, set()).add(cand.key)
    for code, names in regions.items():
        if len(names) >= 2:
            ctx.admin1[code] = ctx.admin1.get(code, 0) + 1
    return [
        PlaceMention(cand.start, cand.end, cand.text, place, evidence)
        for cand, (place, evidence) in zip(cands, _read(cands, ctx), strict=True)
    ]


# What a place found in the first reading adds to its country's weight (a country named
# outright adds 1).
_FOUND_COUNTRY_WEIGHT = 0.5


def _read(cands: list[_Candidate], ctx: _Context) -> list[tuple[Place, str]]:
    """Each candidate's reading and the evidence for it, in the context ``ctx``."""
    ctx.total = total = sum(ctx.countries.values())
    countries, titles, admin1, neighbours = (
        ctx.countries,
        ctx.title_countries,
        ctx.admin1,
        ctx.neighbours,
    )
    chosen: dict[str, tuple[Place, str]] = {}
    readings: list[tuple[Place, str]] = []
    for cand in cands:
        key = cand.key
        # One sense per discourse: a name read once keeps its reading, unless a pattern
        # here says otherwise.
        if key in chosen and cand.within is None and not cand.cue_region:
            place, evidence = chosen[key]
        else:
            if cand.priors is None:
                # A pattern may pick a lesser-known namesake; otherwise the best-known few.
                if cand.info is not None and not (cand.within or cand.cue_region):
                    cand.priors = cand.info.plain_priors
                else:
                    weighed = cand.choices[: 50 if cand.within or cand.cue_region else _READINGS]
                    cand.priors = [
                        (p, _prior(p, cand.key, cand.within, cand.cue_region)) for p in weighed
                    ]
            best = -math.inf
            place, evidence = cand.choices[0], "prior"
            # Each reading's prior plus what the story's context adds to it (inline: a
            # hundred thousand readings weighed for two thousand articles).
            for reading, (score, why) in cand.priors:
                country = reading.country
                if total and country is not None and country in countries:
                    score += 1.5 + 3.0 * countries[country] / total
                    why = "context" if why == "prior" else why
                if country in titles:
                    score += 1.5
                code = reading.admin1_code
                if code and code in admin1 and reading.feature != ADMIN1:
                    score += 3.0
                    why = "context" if why == "prior" else why
                together = neighbours.get(id(reading), 0)
                if together:
                    score += 1.5 * min(together, 3)
                    why = "context" if why == "prior" else why
                if score > best:  # the first of equals: the best-known
                    best, place, evidence = score, reading, why
            chosen.setdefault(key, (place, evidence))
        readings.append((place, evidence))
    return readings


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer the settings name (NEWS_GAZETTEER files, NEWS_CACHE_DIR)."""
    from news_ingest.gazetteer import load_gazetteer
    from news_ingest.settings import Settings

    settings = Settings.from_env()
    extra = tuple(Path(p) for p in settings.gazetteer_files)
    return load_gazetteer(extra, Path(settings.cache_dir))


def find_places(text: str, title: str | None = None) -> list[PlaceMention]:
    """Place mentions of ``text`` resolved against the default gazetteer."""
    return resolve(text, default_gazetteer(), title)
