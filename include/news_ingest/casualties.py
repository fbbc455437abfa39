"""Casualty counts in news and ACLED-style sentences: how many were killed and how many hurt."""

from __future__ import annotations

import re
from dataclasses import dataclass

from news_ingest.patterns import Insensitive, lower_case_by_first_letter


@dataclass(frozen=True)
class Casualties:
    """Reported deaths and injuries: a number, 0 when the text says none, None when unknown."""

    fatalities: int | None
    injured: int | None


NONE = Casualties(None, None)
# A group whose size the text leaves vague ("dozens", "several"): its kind's total is unknown.
_VAGUE = -1
_Trie = dict[str, "_Trie"]

# Numbers ------------------------------------------------------------------------------
_UNIT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
}  # fmt: skip
_NUMWORDS = {
    **_UNIT_WORDS,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a hundred": 100, "one hundred": 100, "a thousand": 1000, "a dozen": 12, "dozen": 12,
    "half a dozen": 6, "a half-dozen": 6, "half-dozen": 6,
}  # fmt: skip
for _tens in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"):
    for _unit, _value in _UNIT_WORDS.items():
        _NUMWORDS[f"{_tens}-{_unit}"] = _NUMWORDS[f"{_tens} {_unit}"] = _NUMWORDS[_tens] + _value
for _unit, _value in _UNIT_WORDS.items():
    _NUMWORDS[f"{_unit} hundred"] = _value * 100
    _NUMWORDS[f"{_unit} thousand"] = _value * 1000


_WORDNUM = lower_case_by_first_letter(
    "|".join(re.escape(w) for w in sorted(_NUMWORDS, key=len, reverse=True))
)
# A bare 19xx or 20xx is a year: a count that large is written "2,004".
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|(?!(?:19|20)\d\d\b)\d+(?![.,]\d)|" + _WORDNUM + r")\b"
# A number that counts people: not a compound adjective ("12-year-old", "two-week-old"),
# not a time, distance or share, and not a number of weapons or places.
_NOT_PEOPLE = (
    r"(?![-–]\w)(?!\s*(?:%|percent\b|per cent\b|km\b|kilomet|miles?\b|met(?:re|er)s?\b|"
    r"years?\b|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|seconds?\b|a\.m\b|p\.m\b|"
    r"am\b|pm\b|o'clock|gmt\b|times\b|rockets?\b|missiles?\b|shells?\b|grenades?\b|"
    r"bombs?\b|vehicles?\b|cars?\b|houses?\b|homes?\b|buildings?\b|villages?\b|towns?\b|"
    r"locations?\b|places?\b|districts?\b|provinces?\b|countries\b|tons?\b|tonnes?\b|"
    r"dollars?\b|million\b|billion\b))"
)
# Ranges count their lower bound, as ACLED codes them: "between 3 and 5", "3-5", "3 to 5".
_RANGE = (
    r"(?:between\s+" + _NUMBER + r"\s+and\s+" + _NUMBER + r"|"
    + _NUMBER + r"\s*(?:-|–|to|or)\s*" + _NUMBER + r")"
)  # fmt: skip
_QUAL_WORDS = (
    r"at least|at most|some|about|around|roughly|approximately|nearly|almost|more than|"
    r"over|well over|just over|just under|under|fewer than|less than|no fewer than|"
    r"no less than|not less than|up to|as many as|close to|upwards of|in excess of|"
    r"an estimated|estimated|a total of|a further|another|an additional|additional|all|"
    r"only|just|a reported|reportedly|possibly|perhaps|an? family of"
)
_QUAL = r"(?:(?:" + lower_case_by_first_letter(_QUAL_WORDS) + r")\s+)*"
_VAGUE_WORDS = (
    r"dozens|scores|several|many|hundreds|thousands|tens|numerous|multiple|countless|"
    r"a number|an unknown number|unknown number|an undetermined number|a few|few|some|"
    r"a handful|a lot|lots|a couple|a group|others|all|more|a large number|large numbers|"
    r"a significant number|an unspecified number|unspecified number|unknown numbers"
)
# One victim: "a civilian", "an officer", "one protester", "another" (not "a number of").
_ONE = (
    r"(?:a|an|one|another)\b(?!\s+(?:number|few|handful|lot|series|host|total|further|"
    r"couple|group|spate|wave|string|range|quarter|third|half|estimated|reported|additional|"
    r"further)\b)"
)
_COUNT = (
    r"(?:" + _QUAL + r"(?:" + _RANGE + _NOT_PEOPLE + r"|" + _NUMBER + _NOT_PEOPLE + r")"
    r"|(?:" + lower_case_by_first_letter(_VAGUE_WORDS) + r")\b|" + _ONE + r")"
)  # fmt: skip
_COUNT_AT = Insensitive(r"\b" + _COUNT)
_QUAL_AT = re.compile(_QUAL, re.I)
_FIRST_NUMBER = re.compile(r"(?:between\s+)?(" + _NUMBER + r")", re.I)
_SINGLE = frozenset({"a", "an", "one", "another"})
_DEFINITE = frozenset({"the", "his", "her", "their"})

# Victim verbs ----------------------------------------------------------------------------
_DEATH_ACTIVE = (
    r"kill(?:ed|ing|s)?|shot dead|shooting dead|shoots? dead|gunned down|gunning down|"
    r"massacr(?:ed|ing|es)|slaughter(?:ed|ing|s)|execut(?:ed|ing|es)|murder(?:ed|ing|s)|"
    r"behead(?:ed|ing|s)|lynch(?:ed|ing|es)|slay(?:ing|s)?|slew|"
    r"(?:stabb|beat|burn|hack|crush|club|ston)(?:ed|ing|en|t)? to death"
)
_INJURY_ACTIVE = r"wound(?:ed|ing|s)?|injur(?:ed|ing|es)|hurt(?:ing|s)?|maim(?:ed|ing|s)"
_DEATH_PASSIVE = (
    r"killed|slain|dead|died|murdered|executed|shot dead|gunned down|massacred|"
    r"beheaded|lynched|lost (?:their|his|her) li(?:ves|fe)|perished|succumbed|"
    r"(?:stabbed|beaten|burned|burnt|hacked|crushed|clubbed|stoned) to death"
)
_INJURY_PASSIVE = (
    r"wounded|injured|hurt|hospitali[sz]ed|maimed|treated (?:in hospital )?for|"
    r"(?:suffered|sustained|received) (?:\w+ )?(?:injuries|wounds|burns)"
)
# "killed or wounded 50" says neither how many died nor how many were hurt.
_BOTH = r"(?:kill(?:ed|ing|s)?|dead)\s+(?:and|or|and/or)\s+(?:wound|injur|hurt)\w*"
# The verb lists grouped by opening letter for the patterns below (the same matches).
_F_ACTIVE, _I_ACTIVE = (
    lower_case_by_first_letter(_DEATH_ACTIVE),
    lower_case_by_first_letter(_INJURY_ACTIVE),
)
_F_PASSIVE, _I_PASSIVE = (
    lower_case_by_first_letter(_DEATH_PASSIVE),
    lower_case_by_first_letter(_INJURY_PASSIVE),
)
# These take their victims as object when no auxiliary comes before them.
_TRANSITIVE = frozenset(
    {"killed", "murdered", "executed", "shot dead", "gunned down", "massacred", "beheaded"}
    | {"lynched", "wounded", "injured", "hurt", "maimed"}
)
_AUX_BEFORE = Insensitive(
    r"(?:(?:were|was|is|are|have|has|had|been|being|be|got|get|later|also|reportedly|"
    r"allegedly|all|both|each|subsequently|then|since|now|confirmed|feared|believed|"
    r"said|reported|thought|known|found|to|\w+ly)\s+)*$"
)
# Victims after the verb: "killing 3 soldiers", "wounded a policeman", "killed the driver".
_ACTIVE = Insensitive(
    r"\b(?:(?P<both>" + _BOTH + r")|(?P<f>" + _F_ACTIVE + r")|(?P<i>" + _I_ACTIVE + r"))"
    r"\s+(?P<n>" + _COUNT + r"|(?:the|his|her|their)\b|him\b(?!\s+\w))"
)
# Victims before the verb: "3 soldiers were killed", "a child died". The verb is searched
# and its auxiliaries looked for behind it: a pattern that opened on them would be tried
# at every word.
_PASSIVE = Insensitive(
    r"\b(?:(?P<both>" + _BOTH + r")|(?P<f>" + _F_PASSIVE + r")|(?P<i>" + _I_PASSIVE + r"))\b"
)
# "the dead", "the wounded": a noun, its number told elsewhere if at all.
_THE_BEFORE = Insensitive(r"\bthe\s+$")
# What may follow a bare "killed" that has no object: "12 killed in blast", "3 wounded.".
_NO_OBJECT = re.compile(
    r"\s*(?:[,.;:)\]—–\"”]|$|(?:in(?! excess)|on|at(?! least| most)|near|by|and|or|when|"
    r"while|after|as(?! many)|during|since|"
    r"yesterday|today|tonight|overnight|last|this|early|late|earlier|later|instantly|"
    r"outright|from|with|amid|following|before|until|across|inside|outside|for|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    re.I,
)
_LEFT = Insensitive(
    r"\b(?:left|leaving|leaves)\s+(?P<n>" + _COUNT + r")(?:\s+[\w'’.-]+){0,5}?\s+"
    r"(?:(?P<both>" + _BOTH + r")|(?P<f>dead|killed)|(?P<i>injured|wounded|hurt))\b"
)
_TOLL = Insensitive(
    r"\b(?:death toll\b[^.;]{0,50}?|toll\s+(?:has\s+|had\s+)?(?:rose|risen|climbed|jumped|"
    r"reached|increased|stands|stood)[^.;]{0,20}?)\b(?:to|at|of|reached|reaches|hit|hits|"
    r"crossed|crosses|passed|passes|topped|tops|exceeded|exceeds|is|was|now)\s+"
    r"(?P<n>" + _COUNT + r")"
)
_RAISING = Insensitive(r"\b(?:bringing|raising|taking|pushing|lifting)\s+(?:the\s+)?$")
_FATALITIES_WERE = Insensitive(
    r"\b(?:fatalities|deaths|dead)\s+(?:were|was|are|is|numbered|totall?ed|stood at)\s+"
    r"(?:the\s+|only\s+)?(?P<n>" + _COUNT + r")"
)
_N_DEATHS = Insensitive(r"\b(?P<n>" + _COUNT + r")\s+(?:[\w-]+\s+)?(?:fatalities|deaths)\b")
_LIVES = Insensitive(
    r"\b(?:claim(?:ed|ing|s)?|took|taken|taking|takes|cost|costing)\s+(?:the\s+)?"
    r"(?:lives\s+of\s+(?P<n1>" + _COUNT + r")|(?P<n2>" + _COUNT + r")\s+(?:[\w-]+\s+)?lives\b)"
)
_BODIES_OF = Insensitive(r"\bbod(?:y|ies)\s+of\s+(?P<n>" + _COUNT + r")")
_BODIES = Insensitive(r"\bbodies\b")
_COUNT_BEFORE_BODIES = Insensitive(r"\b(?P<n>" + _COUNT + r")\s+(?:[\w-]+\s+)?$")
# Attackers who die by their own act: "two suicide bombers blew themselves up".
_SELF = Insensitive(
    r"\b(?:(?:blew|blown|blow|blows|blowing)\s+(?:themselves|himself|herself)\s+up|"
    r"(?P<self>kill(?:ed|ing|s)?\s+(?:themselves|himself|herself)|"
    r"(?:as well as|including|and)\s+(?:themselves|himself|herself)))\b"
)
_ATTACKERS = Insensitive(
    r"\b(?P<n>" + _COUNT + r")\s+(?:[\w-]+\s+){0,3}?(?:suicide\s+)?(?:bombers?|attackers?|"
    r"militants?|assailants?|gunm[ae]n|fighters?|terrorists?)\b"
)
_THEN_KILLING = re.compile(r"[^.;]{0,120}?,?\s+killing\s", re.I)
_ZERO = Insensitive(
    r"\b(?:(?P<c>no (?:immediate )?(?:reports? of |word of )?(?:any )?casualt(?:y|ies)|"
    r"without (?:any |causing |causing any )?casualt(?:y|ies)|"
    r"no(?: ?one|body) (?:was |were |has been |had been )?(?:hurt|injured|harmed)|"
    r"no(?: ?one|body) (?:was |were )?(?:killed|hurt) or (?:hurt|injured|wounded)|"
    r"no (?:deaths or )?injuries)|"
    r"(?P<f>no(?: ?one|body) (?:was |were |has been |had been )?(?:killed|died)|"
    r"no (?:immediate )?(?:reports? of )?(?:deaths|fatalities|dead))|"
    r"(?P<i>no (?:immediate )?(?:reports? of )?(?:injuries|wounded|injured)))\b"
)
# A subset of victims already counted ("including 3 children", "four of them women").
_SUBSET = re.compile(
    r",?\s*\b(?:including|among them|among whom|most of them|mostly|many of them|"
    r"of whom|among the dead|among the victims)\b[^,;.()]*,?|,\s*" + _COUNT + r"\s+of\s+"
    r"(?:them|whom)\b[^,;.()]*,?",
    re.I,
)

# Not this event's victims -------------------------------------------------------------
# What a modal or a negation governs did not happen: "failed to kill", "would not hurt".
_IRREALIS = Insensitive(
    r"(?:\bto|\bwill|\bwould|\bcould|\bmight|\bmay|\bcan|\bnot|n't|\bnever)\s+(?:\w+ly\s+)?$"
)
# Deaths told as the cause of what is reported ("justice for two students killed"), a
# conflict's running total ("a war that has claimed 160,000 lives") or a dated past event
# ("where 24 were killed last March").
_CAUSE = Insensitive(
    r"\b(?:justice for|in memory of|to honou?r|mourn(?:ing|ed|s)?(?: for)?|commemorat\w+|"
    r"funerals? (?:of|for))\s+(?:the\s+)?$"
)
_RUNNING_TOTAL = Insensitive(
    r"\b(?:conflict|war|insurgency|violence|fighting|uprising|unrest|crisis|rebellion|"
    r"revolt|campaign|feud)\s+(?:that|which)\s+(?:has|have|had)\s+(?:so far\s+|already\s+)?$"
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_PAST = re.compile(
    r"[^,;.]*?\b(?:(?<!since )last (?:" + _MONTHS + r"|year|spring|summer|autumn|fall|winter)|"
    r"(?:earlier |so far )?this year|in (?:19|20)\d\d\b|during (?:the )?(?:world war|"
    r"second world war|first world war|\w+ war\b))",
    re.I,
)

# Noun phrases ------------------------------------------------------------------------------
_WORD = re.compile(r"\s*[\w'’.-]+")
# Words that end the victims' noun phrase.
_NP_STOP = frozenset({
    "in", "on", "at", "near", "and", "or", "when", "while", "after", "as", "who", "that",
    "which", "during", "with", "from", "inside", "outside", "including", "said", "says", "by",
    "to", "for", "into", "across", "along", "before", "since", "than", "but", "because",
    "amid", "were", "was", "are", "is", "had", "have", "has", "been",
})  # fmt: skip
# Heads that are not people: "injured a demonstration", "a Kill The Bill march".
_THINGS = frozenset({
    "demonstration", "protest", "rally", "march", "gathering", "crowd", "building", "house",
    "home", "vehicle", "car", "truck", "bus", "convoy", "checkpoint", "base", "post", "camp",
    "village", "town", "city", "school", "hospital", "market", "mosque", "church", "area",
    "region", "attack", "blast", "explosion", "bomb", "strike", "operation", "target", "bill",
    "deal", "plan", "proposal", "talks", "process", "ceasefire", "truce", "idea", "project",
    "motion",
})  # fmt: skip
_PLURAL_NOUNS = frozenset({
    "people", "men", "women", "children", "police", "personnel", "staff", "crew", "troops",
    "youth", "militia", "family", "families", "forces", "population", "residents",
    "civilians", "others",
})  # fmt: skip
_OWNER = re.compile(r"(?:his|her|their|the)\s+", re.I)
# A person's name as the subject: "Fritz Eckart von Weizsäcker was stabbed to death". Two
# capitalised words at least, so that a sentence's first word ("Soldiers") is not one.
_NAME = re.compile(
    r"\s*[A-Z][\w'’-]*(?:\s+(?:(?:von|van|de|del|al|el|bin|ibn|abu)\s+)?[A-Z][\w'’-]*){1,4}"
    r"(?<![sS])\s*"
)
_CONJUNCT = re.compile(r"\s*,\s*and\s+|\s+and\s+|\s+as well as\s+|\s+plus\s+", re.I)
# Where the clause that holds a passive verb's subject starts.
_BOUNDARY = Insensitive(
    r"[,;:()\[\]—–\"“”]|\b(?:and|but|while|when|after|as|which|who|whom|where|said|says|"
    r"that|because|before|then|whereas|although|though)\b"
)

_CUES = (
    "kill", "dead", "died", "death", "wound", "injur", "hurt", "casualt", "lives",
    "slain", "slay", "slew", "toll", "bodies", "body of", "murder", "executed", "executing",
    "massacr", "slaughter", "behead", "lynch", "gunned down", "gunning down", "perish",
    "succumb", "hospitali", "treated", "maim", "lost their li", "lost his li", "lost her li",
    "fatal", "themselves", "himself", "herself",
)  # fmt: skip


def _trie_pattern(words: tuple[str, ...]) -> str:
    """An alternation of words factored by common prefixes, which the regex engine tries fast."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = [re.escape(k) + build(v) for k, v in sorted(node.items()) if k]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# Every cue in one pattern: most sentences of an article have none and stop there.
_CUE = re.compile(_trie_pattern(_CUES))


def _count_value(text: str) -> int:
    """The number a count stands for: its lower bound, 1 for one victim, _VAGUE if vague."""
    lowered = text.strip().lower()
    qualifier = _QUAL_AT.match(lowered)
    if qualifier and qualifier.end() < len(lowered):
        lowered = lowered[qualifier.end() :]
    number = _FIRST_NUMBER.match(lowered)
    if number:
        token = number.group(1).replace(",", "")
        if token.isdigit():
            return int(token)
        if token in _NUMWORDS:
            return _NUMWORDS[token]
    if lowered in _SINGLE or lowered in _DEFINITE:
        return 1
    return _VAGUE


def _head(phrase: str) -> str:
    """The head word of a short noun phrase: the last word, or the last before 'of'."""
    words = phrase.lower().split()
    if "of" in words:
        words = words[: words.index("of")]
    return words[-1].strip(".,'’") if words else ""


def _one_person(phrase: str, definite: bool) -> bool:
    """Whether the phrase after 'a' (or 'the', 'his') names one person, not a thing."""
    head = _head(phrase)
    if head in _THINGS:
        return False
    if not definite:
        return True
    return bool(head) and head not in _PLURAL_NOUNS and not head.endswith("s")


def _noun_phrase_end(text: str, pos: int, limit: int = 6) -> int:
    """Where the victims' noun phrase that starts at pos ends."""
    end = pos
    for _ in range(limit):
        word = _WORD.match(text, end)
        if word is None or word.group().strip().lower() in _NP_STOP:
            break
        end = word.end()
    return end


def _one_word(text: str, start: int) -> bool:
    """Whether the count at start is a single person's word ('a', 'the', 'he'), not a number."""
    word = text[start : start + 8].split()[:1]
    return bool(word) and word[0].lower() in _SINGLE | _DEFINITE | {"he", "she"}


def _not_reported(text: str, start: int) -> bool:
    """Whether the victim verb at start is hypothetical, denied or part of a name."""
    if text[start].isupper() and text[:start].strip():
        # A capital inside a sentence starts a name: "a Kill The Bill demonstration".
        return True
    return _IRREALIS.search(text, max(0, start - 30), start) is not None


def _background(text: str, count_start: int, verb_start: int, verb_end: int) -> bool:
    """Whether the deaths are another event's: a cause, a running total or a past date."""
    first = min(count_start, verb_start)
    before = text[max(0, first - 40) : first]
    if _CAUSE.search(before) or _RUNNING_TOTAL.search(before):
        return True
    return _PAST.match(text, verb_end) is not None


class _Tally:
    """Victim groups found in one sentence, each count (by its position) taken once."""

    def __init__(self) -> None:
        self.groups: dict[str, list[int]] = {"f": [], "i": []}
        self.claimed: set[int] = set()

    def add(self, kind: str, start: int, value: int) -> None:
        """Count a group of kind 'f', 'i' or 'both' whose count starts at start."""
        if start in self.claimed:
            return
        self.claimed.add(start)
        if kind == "both":
            self.groups["f"].append(_VAGUE)
            self.groups["i"].append(_VAGUE)
        else:
            self.groups[kind].append(value)

    def total(self, kind: str) -> int | None:
        """The sum of a kind's groups; None if there are none or any is vague."""
        values = self.groups[kind]
        if not values or _VAGUE in values:
            return None
        return sum(values)


def _kind(match: re.Match[str]) -> str:
    """Which group of a verb pattern matched: 'both', 'f' (deaths) or 'i' (injuries)."""
    return "both" if match.group("both") else ("f" if match.group("f") else "i")


def _subject_count(window: str) -> tuple[int, int] | None:
    """Where a clause's subject count is and its value: a number first, else one victim."""
    first_one: tuple[int, int] | None = None
    for match in _COUNT_AT.finditer(window):
        if len(_WORD.findall(window, match.end())) > 7:
            continue
        if match.group().lower() in _SINGLE:
            # "A man accused of being a child rapist died": the first person, unless a
            # number comes later ("In an attack on a market 12 people were killed").
            if first_one is None and _one_person(window[match.end() :], definite=False):
                first_one = (match.start(), 1)
            continue
        return match.start(), _count_value(match.group())
    if first_one is not None:
        return first_one
    if re.fullmatch(r"\s*(?:he|she)\s*", window, re.I) or _NAME.fullmatch(window):
        return len(window) - len(window.lstrip()), 1
    lead = re.match(r"\s*(?:the|his|her|their)\s+([^,;]*)$", window, re.I)
    if lead and len(lead.group(1).split()) <= 8 and _one_person(lead.group(1), definite=True):
        return lead.start(1), 1
    return None


def _passive_counts(text: str, end: int) -> list[tuple[int, int]]:
    """The subject counts of a passive or intransitive victim verb whose clause ends at end."""
    start = max(0, end - 90)
    window_start, joined = start, None
    for boundary in _BOUNDARY.finditer(text, start, end):
        window_start = boundary.end()
        joined = boundary if boundary.group().lower() == "and" else None
    found = _subject_count(text[window_start:end])
    if found is None:
        return []
    counts = [(window_start + found[0], found[1])]
    if joined is not None:
        # "Two soldiers and a civilian were killed": a subject before 'and' too, if what
        # comes before it is a bare noun phrase ("A bomb exploded and 3 died" is not).
        segment_start = start
        for boundary in _BOUNDARY.finditer(text, start, joined.start()):
            segment_start = boundary.end()
        segment = text[segment_start : joined.start()]
        lead = re.match(r"\s*(?:(?:left|leaving)\s+)?", segment, re.I)
        first = _COUNT_AT.match(segment, lead.end() if lead else 0)
        if first is not None:
            words = [w.strip().lower() for w in _WORD.findall(segment, first.end())]
            if len(words) <= 5 and not any(
                (w in _NP_STOP and w != "of") or w.endswith("ed") for w in words
            ):
                counts.append((segment_start + first.start(), _count_value(first.group())))
    return counts


def _add_active(tally: _Tally, text: str, match: re.Match[str]) -> None:
    """Count the victims after an active verb, and those joined to them by 'and'."""
    kind = _kind(match)
    count = match.group("n")
    start = match.start("n")
    end = _noun_phrase_end(text, match.end("n"))
    if _background(text, start, match.start(), end):
        return
    word = count.lower()
    if word in _DEFINITE or word in _SINGLE or word == "him":
        if match.group().lower().startswith("execut"):
            return  # "executed a search warrant": only a number of people is sure.
        if word != "him" and not _one_person(
            text[match.end("n") : end], definite=word in _DEFINITE
        ):
            return
        tally.add(kind, start, 1)
    else:
        tally.add(kind, start, _count_value(count))
    while True:
        conj = _CONJUNCT.match(text, end)
        if conj is None:
            break
        # "... and his two bodyguards", "... and his wife".
        owner = _OWNER.match(text, conj.end())
        more = _COUNT_AT.match(text, owner.end() if owner else conj.end())
        if more is not None and more.start() not in tally.claimed:
            tally.add(kind, more.start(), _count_value(more.group()))
            end = _noun_phrase_end(text, more.end())
        elif owner is not None and more is None and owner.start() not in tally.claimed:
            end = _noun_phrase_end(text, owner.end())
            if not _one_person(text[owner.end() : end], definite=True):
                break
            tally.add(kind, owner.start(), 1)
        else:
            break


def parse_casualties(sentence: str) -> Casualties:
    """Deaths and injuries a sentence reports, each summed over its victim groups."""
    lowered = sentence.lower()
    if _CUE.search(lowered) is None:
        return NONE
    text = sentence
    zero_f = zero_i = False
    if "no" in lowered or "without" in lowered:
        for match in _ZERO.finditer(text):
            zero_f = zero_f or bool(match.group("c") or match.group("f"))
            zero_i = zero_i or bool(match.group("c") or match.group("i"))
            # Blanked so that "no one" is not read as one victim.
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    if any(cue in lowered for cue in ("includ", " of them", " of whom", "among", "mostly")):
        text = _SUBSET.sub("", text)
    tally = _Tally()
    # A death toll is the total of the groups named beside it, unless this event only adds
    # to it ("killing 4, bringing the death toll to 27").
    toll: int | None = None
    running = False
    if "toll" in lowered:
        stated = _TOLL.search(text)
        if stated and not _background(text, stated.start(), stated.start(), stated.end()):
            toll = _count_value(stated.group("n"))
            running = _RAISING.search(text, max(0, stated.start() - 20), stated.start()) is not None
    if "fatalities" in lowered or "deaths" in lowered or "dead" in lowered:
        for match in _FATALITIES_WERE.finditer(text):
            tally.add("f", match.start("n"), _count_value(match.group("n")))
        for match in _N_DEATHS.finditer(text):
            tally.add("f", match.start("n"), _count_value(match.group("n")))
    if "lives" in lowered:
        for match in _LIVES.finditer(text):
            group = "n1" if match.group("n1") else "n2"
            if not _background(text, match.start(group), match.start(), match.end()):
                tally.add("f", match.start(group), _count_value(match.group(group)))
    if "bodies" in lowered or "body of" in lowered:
        for match in _BODIES_OF.finditer(text):
            tally.add("f", match.start("n"), _count_value(match.group("n")))
        for match in _BODIES.finditer(text):
            found = _COUNT_BEFORE_BODIES.search(text, max(0, match.start() - 60), match.start())
            if found:
                tally.add("f", found.start("n"), _count_value(found.group("n")))
    if "left" in lowered or "leaving" in lowered or "leaves" in lowered:
        for match in _LEFT.finditer(text):
            tally.add(_kind(match), match.start("n"), _count_value(match.group("n")))
    # Passive subjects first: "a civilian was killed and a soldier was wounded" must not
    # read "a soldier" as a second victim of "killed".
    for match in _PASSIVE.finditer(text):
        aux = _AUX_BEFORE.search(text, max(0, match.start() - 60), match.start())
        start = aux.start() if aux else match.start()
        if _not_reported(text, match.start()) or _not_reported(text, start):
            continue
        if _THE_BEFORE.search(text, max(0, start - 5), start):
            continue
        transitive = match.group().lower() in _TRANSITIVE or match.group("both")
        if start == match.start() and transitive and not _NO_OBJECT.match(text, match.end()):
            continue  # "Militants killed 12": an active verb, its victims after it.
        for count_start, value in _passive_counts(text, start):
            if _background(text, count_start, start, match.end()):
                continue
            if match.group().lower().startswith("execut") and _one_word(text, count_start):
                continue  # "the warrant was executed": only a number of people is sure.
            tally.add(_kind(match), count_start, value)
    for match in _ACTIVE.finditer(text):
        if not _not_reported(text, match.start()):
            _add_active(tally, text, match)
    if "themselves" in lowered or "himself" in lowered or "herself" in lowered:
        for match in _SELF.finditer(text):
            attackers = next(
                _ATTACKERS.finditer(text, max(0, match.start() - 160), match.start()), None
            )
            # Bombers who blew themselves up add to the victims they killed ("..., killing
            # five"); a count of the dead that the blast left may already include them.
            if attackers is not None and (
                match.group("self")
                or not tally.groups["f"]
                or _THEN_KILLING.match(text, match.end())
            ):
                tally.add("f", attackers.start("n"), _count_value(attackers.group("n")))
    fatalities = tally.total("f")
    if toll is not None and toll != _VAGUE and not (running and tally.groups["f"]):
        fatalities = toll
    injured = tally.total("i")
    if fatalities is None and zero_f:
        fatalities = 0
    if injured is None and zero_i:
        injured = 0
    return Casualties(fatalities, injured)


def parse_fatalities(sentence: str) -> int | None:
    """Reported deaths in a sentence: a number, 0 for 'no casualties', None when not stated."""
    return parse_casualties(sentence).fatalities


def parse_text_casualties(text: str) -> Casualties:
    """A short text's counts: its first sentence with deaths, injured from there or later."""
    # Imported here so that events.py can import this module without a cycle.
    from news_ingest.events import split_sentences

    counts = [parse_casualties(sentence) for sentence in split_sentences(text)]
    lead = next((c for c in counts if c.fatalities is not None), NONE)
    injured = lead.injured
    if injured is None:
        # "... killing 12. Five others were wounded": the injured often get their own sentence.
        injured = next((c.injured for c in counts if c.injured is not None), None)
    return Casualties(lead.fatalities, injured)
