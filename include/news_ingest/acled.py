"""ACLED event type and sub-event type of a sentence, by the ACLED codebook's distinctions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from news_ingest.patterns import Insensitive
from news_ingest.patterns import lower_case_by_first_letter as _by_letter

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# ACLED's 25 sub-event types under their event types.
SUB_TYPES: dict[str, str] = {
    "Armed clash": BATTLES,
    "Government regains territory": BATTLES,
    "Non-state actor overtakes territory": BATTLES,
    "Air/drone strike": REMOTE,
    "Shelling/artillery/missile attack": REMOTE,
    "Remote explosive/landmine/IED": REMOTE,
    "Suicide bomb": REMOTE,
    "Grenade": REMOTE,
    "Chemical weapon": REMOTE,
    "Attack": CIVILIANS,
    "Abduction/forced disappearance": CIVILIANS,
    "Sexual violence": CIVILIANS,
    "Peaceful protest": PROTESTS,
    "Protest with intervention": PROTESTS,
    "Excessive force against protesters": PROTESTS,
    "Violent demonstration": RIOTS,
    "Mob violence": RIOTS,
    "Agreement": STRATEGIC,
    "Arrests": STRATEGIC,
    "Change to group/activity": STRATEGIC,
    "Disrupted weapons use": STRATEGIC,
    "Headquarters or base established": STRATEGIC,
    "Looting/property destruction": STRATEGIC,
    "Non-violent transfer of territory": STRATEGIC,
    "Other": STRATEGIC,
}

# The PLOVER type of an event found by its ACLED cues alone (no trigger word): aerial and
# artillery fire and battles are conventional force (FIGHT), the other violence ASSAULT.
PLOVER_OF_SUB: dict[str, str] = {
    "Armed clash": "FIGHT",
    "Government regains territory": "FIGHT",
    "Non-state actor overtakes territory": "FIGHT",
    "Air/drone strike": "FIGHT",
    "Shelling/artillery/missile attack": "FIGHT",
    "Remote explosive/landmine/IED": "ASSAULT",
    "Suicide bomb": "ASSAULT",
    "Grenade": "ASSAULT",
    "Chemical weapon": "ASSAULT",
    "Attack": "ASSAULT",
    "Abduction/forced disappearance": "ASSAULT",
    "Sexual violence": "ASSAULT",
    "Peaceful protest": "PROTEST",
    "Protest with intervention": "PROTEST",
    "Excessive force against protesters": "ASSAULT",
    "Violent demonstration": "PROTEST",
    "Mob violence": "ASSAULT",
    "Agreement": "AGREE",
    "Arrests": "COERCE",
    "Change to group/activity": "MOBILIZE",
    "Disrupted weapons use": "COERCE",
    "Headquarters or base established": "MOBILIZE",
    "Looting/property destruction": "COERCE",
    "Non-violent transfer of territory": "RETREAT",
    "Other": "COERCE",
}

# The cue names the lexicon's acled_cues may use.
CUE_NAMES = frozenset(
    {
        "intervene", "firearm", "agree_strong", "violation", "claim", "suicide", "chemical",
        "air", "aircraft", "shelling", "grenade", "disrupt", "explosive", "blast", "natural",
        "accident", "crime", "sexual", "abduct", "retake", "take", "handover", "withdraw",
        "clash", "mob", "protest", "riot", "unrest", "peaceful", "loot", "hq", "arrest",
        "change", "agree_weak", "diplo", "harm", "attack", "hit", "rioting", "industrial",
        "emergency", "shell_means", "casualties", "fire_verb", "gang", "judicial", "noise",
        "bomb", "rally", "knife",
    }
)  # fmt: skip
# PLOVER types of what is said rather than done: the ACLED event such a sentence mentions
# after its speech verb is the object of the words ("denied carrying out the attack").
SPEECH = frozenset({"DEMAND", "REJECT", "THREATEN", "DISAPPROVE", "ACCUSE", "REQUEST", "CONSULT"})
_VIOLENT_PLOVER = frozenset({"ASSAULT", "FIGHT", "PROTEST", "COERCE", "MOBILIZE"})
_VIOLENT_ACLED = frozenset({BATTLES, REMOTE, CIVILIANS, PROTESTS, RIOTS})
_BESIDE_TALKS = frozenset(
    {
        "Change to group/activity",
        "Headquarters or base established",
        "Non-violent transfer of territory",
        "Disrupted weapons use",
        "Arrests",
    }
)
_BACKGROUND = Insensitive(
    r"\b(?:after|following|amid|since|because of|in response to|over|in the wake of|where|"
    r"to end|against|on|into|about|for)\b"
)
_STATE = frozenset({"Military", "Police", "Government"})


# Words for armed forces and groups, for developments that only armed actors make matter.
_ARMED_WORDS_LIST = (
    r"troops?|forces|army|armies|military|militias?|militiam[ae]n|rebels?|fighters?|"
    r"militants?|jihadists?|insurgents?|factions?|brigades?|battalions?|regiments?|units|"
    r"armed (?:groups?|men)|gunm[ae]n|terrorists?|bandits|soldiers?|servicem[ae]n|police\w*|"
    r"officers|gendarmes?|gendarmerie|commandos?|marines|paratroopers|snipers?|guards|"
    r"jawans?|security personnel|peacekeepers?|coalition|mercenar(?:y|ies)|guerrillas?|"
    r"paramilitar\w*|navy|naval|air ?force|warships?|warplanes?|jets|drones?|tanks|junta|"
    r"assailants?|attackers?|(?:hooded|masked|unidentified|unknown) (?:men|persons|individuals)|"
    r"armed (?:struggle|campaign|wing)"
)
_ARMED_WORDS = re.compile(rf"\b(?:{_by_letter(_ARMED_WORDS_LIST)})\b")
_NON_STATE = frozenset({"Rebels", "Militia"})
_ENTERING = frozenset({"entered", "moved into", "rolled into"})
_BODILY = ("shot", "shoot", "hacked", "beat", "tortur", "stab")
# Words whose presence means the sentence reports fighting or an attack, not only harm.
_WAR = ("suicide", "chemical", "air", "shelling", "explosive", "grenade", "clash")
# A toxic leak is an accident: chemical words do not make it an attack.
_WAR_NOT_CHEMICAL = ("suicide", "air", "shelling", "explosive", "grenade", "clash")
# Cues that name political violence: an arrest over one is an ACLED arrest.
_VIOLENCE = (
    "attack", "firearm", "bomb", "blast", "explosive", "grenade", "suicide", "shelling",
    "clash", "abduct", "harm", "knife", "air", "chemical",
)  # fmt: skip
# Cues that name an event of their own, for which comes first.
_EVENTS = (
    "harm", "attack", "firearm", "clash", "suicide", "chemical", "air", "shelling", "grenade",
    "explosive", "blast", "retake", "take", "hq", "abduct", "loot", "shell_means",
)  # fmt: skip
# Modes of remote violence: the first named in the sentence is the event's.
_MODES = (
    ("chemical", "Chemical weapon"),
    ("air", "Air/drone strike"),
    ("aircraft", "Air/drone strike"),
    ("shelling", "Shelling/artillery/missile attack"),
    ("shell_means", "Shelling/artillery/missile attack"),
    ("grenade", "Grenade"),
    ("explosive", "Remote explosive/landmine/IED"),
)
# Weapons named without their use ("talks on nuclear missiles", "a ban on landmines"): a
# mode only when the sentence says something was hit, attacked or blown up.
_MEANS = frozenset({"aircraft", "shell_means", "grenade", "explosive"})

Spans = Mapping[str, Sequence[tuple[int, int]]]


class Actor(Protocol):
    """What the decision needs of an actor mention."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def sector(self) -> str: ...
    @property
    def armed(self) -> bool: ...


class Coding(NamedTuple):
    """An ACLED coding: event type, sub-type, where its deciding cue starts, and why a
    sentence gets none ("disaster", "crime", "claim") when it is not political violence,
    or "generic" for violence coded from its victims with no weapon named."""

    event_type: str | None
    sub_event_type: str | None
    at: int = 0
    reason: str | None = None


_NONE = Coding(None, None)
# The reason given to violence coded from its victims alone, with no weapon named: a
# following sentence may still name the weapon.
_GENERIC = "generic"

# Who was harmed: armed people or posts (a battle) or unarmed people and places (violence
# against civilians). "Armed men" comes before "men", "security forces" before "forces".
_ARMED_VICTIM = (
    r"armed (?:men|man|group|groups)|members? of (?:the |an? )?(?:[\w-]+ )?(?:security forces|"
    r"armed forces|army|military|police|militia|armed group|rebel group)|bandits?|soldiers?|"
    r"troops?|servicem[ae]n|army|military|"
    r"(?:riot )?police(?:m[ae]n|wom[ae]n| officers?| personnel)?|policem[ae]n|officers?|"
    r"cops?|security (?:forces?|personnel|men|officials?|guards?|agents?|force members)|"
    r"guards?|gendarmes?|militants?|rebels?|fighters?|insurgents?|terrorists?|jihadists?|"
    r"gunmen|militiam[ae]n|militias?|combatants?|commanders?|paramilitar\w*|personnel|"
    r"peacekeepers?|rangers?|recruits?|jawans?|cadres|marines|sailors|airmen|troopers?|"
    r"constables?|commandos?|paratroopers?|snipers?|mercenar(?:y|ies)|legionnaires|sentr(?:y|ies)|"
    r"(?:army|military|police|security) (?:posts?|bases?|checkpoints?|convoys?|patrols?|"
    r"camps?|barracks|stations?|positions?|outposts?|vehicles?|headquarters)|"
    r"checkpoints?|convoys?|patrols?|barracks|outposts?|positions|bases?"
)
_CIVILIAN_VICTIM = (
    r"civilians?|villagers?|residents?|people|persons?|inhabitants|women|woman|children|"
    r"child|kids|girls?|boys?|men|man|babies|infants?|worshipp?ers|congregants|students?|"
    r"pupils|journalists?|reporters?|farmers?|herders?|herdsmen|shepherds?|passengers?|"
    r"traders?|merchants|shopkeepers?|teachers?|doctors?|nurses?|(?:aid|health|"
    r"humanitarian) workers?|workers?|pilgrims?|refugees?|migrants?|displaced|famil(?:y|ies)|"
    r"relatives|villages?|markets?|mosques?|churches|church|schools?|hospitals?|clinics?|"
    r"bus|buses|weddings?|funerals?|homes?|houses?|motorists?|drivers?|travell?ers|fishermen|"
    r"miners|population|christians|muslims|locals|mourners|shoppers|tourists?|pastors?|"
    r"priests?|imams?|clerics?|chiefs?|politicians?|candidates?|lawmakers?|mayors?|"
    r"councillors?|activists?|protesters|demonstrators|prisoners|detainees|elders|youths?|"
    r"husband|wife|son|daughter|mother|father|brothers?|sisters?|neighbou?rs|victims?|leaders?|"
    r"supporters?|sympathi[sz]ers?|inmates?|captives?|hostages?|"
    r"bystanders|pedestrians|hotels?|restaurants?|bars?|cafes?|shops?|ngo|businessm[ae]n|"
    r"businesswom[ae]n|vendors?|labou?rers|employees|staff|contractors?|engineers?|hunters?|"
    r"commuters|voters|schoolchildren|schoolgirls|schoolboys|teenagers?|minors|monks?|nuns?|"
    r"judges?|lawyers?|officials|civil servants|patients|guests|idps|shepherds?|owners?|"
    r"tribesm[ae]n|sheikhs?|elderly|old (?:man|woman)|individuals?|couple|"
    r"(?:settlements?|neighbou?rhoods?|compounds?|communit(?:y|ies)|towns?|hamlets?)"
)
# Each list grouped by opening letter (the same matches, the engine trying a few
# alternatives where it tried all of them: 3x faster on the victims of _PASSIVE).
_VICTIM = (
    rf"(?:(?P<armed>{_by_letter(_ARMED_VICTIM)})|(?P<civilian>{_by_letter(_CIVILIAN_VICTIM)}))\b"
)
_HARM_VERB = (
    r"kill(?:ed|ing|s)?|shot(?: dead)?|shoot(?:ing|s)?|attack(?:ed|ing|s)?(?: on)?|"
    r"assault(?:ed|ing|s)?(?: on)?|ambush(?:ed|ing|es)?|raid(?:ed|ing|s)?(?: on)?|stormed|"
    r"target(?:ed|ing)|wound(?:ed|ing)|injur(?:ed|ing)|murder(?:ed|ing)|massacred|executed|"
    r"beheaded|abduct(?:ed|ing)|kidnapp?(?:ed|ing)|gunned down|hacked|stabbed|"
    r"tortur(?:ed|ing)|beat(?:en|ing)?(?: up)?|abused|burn(?:ed|t)|struck|hit|opened fire on|"
    r"fired (?:\w+ ){0,2}?(?:on|at|upon|into)|slaughtered|lobbed (?:\w+ ){0,2}?(?:on|at|into)"
)
# Words that end the object of the verb: what follows them is another phrase.
_GAP = (
    r"(?:(?!(?:by|when|after|while|during|as|in|near|at|from|with|and|but|who)\b)[\w'’,.-]+ ){0,6}?"
)
_OBJECT = re.compile(rf"\b(?:{_by_letter(_HARM_VERB)}) {_GAP}{_VICTIM}")
_PASSIVE = re.compile(
    rf"\b{_VICTIM}(?: [\w'’,-]+){{0,3}}? (?:(?:were|was|have been|has been|had been|are|is|"
    r"being|got) (?:\w+ ){0,2}?(?:killed|shot|wounded|injured|attacked|abducted|kidnapped|"
    r"murdered|executed|beheaded|massacred|slain|hurt|beaten|targeted|ambushed|gunned down|"
    r"hacked|stabbed)|died|lost their lives)\b"
)

_BODIES = re.compile(rf"\bbod(?:y|ies) of (?:[\w'’-]+ ){{0,3}}?{_VICTIM}")

# What a captured or seized thing must be for territory to change hands.
_TERRITORY = re.compile(
    r"(?:[\w'’-]+ ){0,6}?(?:town|towns|village|villages|city|cities|area|areas|district|"
    r"districts|regions?|provinces?|base|bases|hill|hills|hilltop|positions?|territory|"
    r"territories|airport|air ?base|oil ?fields?|fields|border crossing|crossing|port|"
    r"island|neighbou?rhoods?|suburbs?|highway|road|bridge|camp|headquarters|checkpoint|"
    r"outposts?|site|mountains?|valley|locality|county|capital|stronghold|strongholds|"
    r"parts? of|control|countryside|posts?|sector|front|frontline|villages|settlement|barracks)\b"
)
_PASSIVE_BEFORE = Insensitive(r"\b(?:was|were|been|being|is|are)\s+(?:\w+ly\s+)?$")
_SAID = Insensitive(
    r"\b(?:said|says|say|told|reported|reports|announced|stated|claimed|added|confirmed|"
    r"according to)\b(?: that)?"
)
# Who is arrested makes an ACLED arrest: political figures, activists, armed groups' members.
_POLITICAL = re.compile(
    r"\b(?:activists?|opposition|protesters|demonstrators|dissidents?|journalists?|reporters?|"
    r"bloggers?|politicians?|lawmakers?|mps|senators?|party|parties|separatists?|militants?|"
    r"rebels?|insurgents?|terrorists?|terrorism|jihadists?|extremists?|islamists?|guerrillas?|"
    r"fighters|gunmen|bandits|commanders?|critics?|movement|leaders?|ringleaders?|organi[sz]ers|"
    r"suspected members|members of|students|unionists|human rights|coup|plot(?:ters|ting)?|"
    r"candidates?|students?|sedition|treason|blasphemy|insulting|social media)\b"
)
# What a rally is for: a cause makes it a demonstration ("a rally against the war"), not
# a candidate's speech at a campaign rally.
_CAUSE = re.compile(
    r"\b(?:against|demand\w*|calling for|call for|in support of|to protest|protest\w*|slogans|"
    r"chant\w*|placards|banners|denounc\w*|condemn\w*|anti-\w+|pro-\w+)\b"
)
_PROTESTERS_HARMED = re.compile(
    r"\b(?:protesters|demonstrators|marchers)\b(?: [\w'’,-]+){0,4}? (?:(?:were|was|have been|"
    r"has been|had been|are|being) (?:\w+ )?)?(?:killed|shot|wounded|injured|died|beaten)\b|"
    r"\b(?:killed|killing|shot|shooting|wounded|wounding|injured|injuring|beat|beating) "
    r"(?:[\w'’-]+ ){0,4}?(?:protesters|demonstrators|marchers)\b"
)
_ARREST_VERB = re.compile(r"arrest|detain(?!ee)|rounded|apprehend|nabbed|jailed|captured")
_AMID = Insensitive(
    r"\b(?:amid|following|after|since|despite|before|ahead of|in anticipation of)\s+"
    r"(?:[\w'’-]+\s+){0,3}$"
)
# What a demonstration is against is not what it did ("marched against violence").
_AGAINST = Insensitive(
    r"\b(?:against|condemn\w*|denounc\w*|decry\w*|over|end|ending|protest\w*|about)\s+"
    r"(?:[\w'’-]+\s+){0,3}$"
)
_MOVEMENT_WORDS = frozenset({"marched", "marching", "marches", "rallied", "rally", "rallying"})
# Unarmed people named right before the movement word are who marched.
_MARCHERS_BEFORE = re.compile(rf"\b(?:{_CIVILIAN_VICTIM}|mourners|crowds?|thousands|hundreds)\s+$")
_REFERENCE = Insensitive(r"\b(?:the|this|that|these|those|its|their|his|her) $")
# A sentence that turns to another incident.
_SHIFT = re.compile(
    r"(?:separately|meanwhile|elsewhere|in (?:a |an )?(?:separate|another|other)|earlier|later|"
    r"last (?:week|month|year)|in (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|\d{4}))\b",
    re.I,
)
_INTENT_BEFORE = Insensitive(r"\bto $")
_NOUN_BEFORE = Insensitive(r"\b(?:the|of|for|against|over|a|an|its|their|his|her) $")
_NAME_NEXT = re.compile(r"(?:the )?([A-Z][\w'’-]*)")
# The agent of a passive verb: "by" a few words after it, with no object between (a
# determiner would open one: "liberated the town held by rebels" is not the rebels' deed).
_BY_AGENT = re.compile(
    r"[\w-]+ (?:(?!(?:the|a|an|its|their|his|her|this|that|these|those)\b)[\w-]+ ){0,4}?by "
)


def decide(
    sentence: str,
    cues: Spans,
    plover: str | None,
    mentions: Sequence[Actor],
    demonyms: frozenset[str] | set[str] = frozenset(),
    trigger_at: int | None = None,
    disaster_context: bool = False,
    stance: bool = False,
) -> Coding:
    """The sentence's ACLED coding from its cues (cue name to spans, in text order), the
    PLOVER type of its trigger (None when it has none) and where that starts, and its
    actor mentions; in an article about a disaster (``disaster_context``), explosions and
    deaths that no armed actor caused are part of it; after a stated intention (``stance``:
    "will", "must", "refused to") what follows has not happened."""
    if not cues and plover not in _VIOLENT_PLOVER:
        return _NONE  # nothing ACLED codes is named
    coding = _decide(sentence, cues, plover, mentions, demonyms, disaster_context)
    if plover is None or trigger_at is None or coding.at <= trigger_at:
        return coding
    if stance:
        return _NONE._replace(reason="speech")
    if plover in SPEECH:
        # What follows a speech verb is its object ("denied carrying out the attack"), but
        # talks and arrivals sit beside developments (troops arriving, a base set up).
        if not (plover == "CONSULT" and coding.sub_event_type in _BESIDE_TALKS):
            return _NONE._replace(reason="speech")
    elif (
        plover not in _VIOLENT_PLOVER
        and coding.event_type in _VIOLENT_ACLED
        and _BACKGROUND.search(sentence, trigger_at, coding.at)
    ):
        # A peaceful deed first ("lifted the curfew imposed after clashes", "suspended aid
        # after the attack"): the violence named after it is the background.
        return _NONE._replace(reason="background")
    return coding


def detail(sentence: str, cues: Spans) -> Coding | None:
    """The weapon a sentence names for the attack told in the sentence before it ("Gunmen
    attacked a post. The attackers used grenades."), as a remote-violence coding; None
    when it names none or tells something else (weapons found, a claim, an accident)."""
    if _SHIFT.match(sentence) or any(
        name in cues for name in ("disrupt", "claim", "natural", "accident", "agree_strong")
    ):
        return None
    if "suicide" in cues:
        return Coding(REMOTE, "Suicide bomb", cues["suicide"][0][0])
    modes = [(cues[name][0][0], sub) for name, sub in _MODES if name in cues]
    modes += [(cues["bomb"][0][0], "Remote explosive/landmine/IED")] if "bomb" in cues else []
    if not modes:
        return None
    at, sub = min(modes)
    return Coding(REMOTE, sub, at)


# How far a demonstration went, as ACLED codes it: force used on it raises a protest's
# sub-type, and demonstrators' own violence makes it a riot.
_ESCALATION = {
    "Peaceful protest": 0,
    "Protest with intervention": 1,
    "Excessive force against protesters": 2,
    "Violent demonstration": 3,
}


def escalate(prior: str | None, sentence: str, coding: Coding) -> Coding | None:
    """The demonstration told before (sub-type ``prior``) as a sentence after it shows it
    went ("Police later fired tear gas to disperse the crowd": a protest with intervention),
    since ACLED codes a demonstration by what happened at it; None when the sentence adds
    nothing to it or turns to another incident."""
    if prior not in _ESCALATION or coding.sub_event_type not in _ESCALATION:
        return None
    if _SHIFT.match(sentence) or _ESCALATION[coding.sub_event_type] <= _ESCALATION[prior]:
        return None
    return coding


def is_disaster(cues: Spans) -> bool:
    """True when the cues report a natural disaster or an accident and no attack: a leak
    or an explosion at a plant with nobody attacking is an accident."""
    if "protest" in cues:
        return False
    if "natural" in cues and not any(name in cues for name in _WAR):
        return True
    accident = "accident" in cues or (
        "industrial" in cues and ("blast" in cues or "chemical" in cues)
    )
    return accident and not any(name in cues for name in _WAR_NOT_CHEMICAL) and "attack" not in cues


def _decide(
    sentence: str,
    cues: Spans,
    plover: str | None,
    mentions: Sequence[Actor],
    demonyms: frozenset[str] | set[str],
    disaster_context: bool,
) -> Coding:
    lowered = sentence.lower()
    cues = _told(sentence, cues)
    present = cues.keys()

    def has(*names: str) -> bool:
        return not present.isdisjoint(names)

    def first(*names: str) -> int:
        return min((cues[n][0][0] for n in names if n in cues), default=len(sentence))

    def coded(sub: str, *names: str) -> Coding:
        return Coding(SUB_TYPES[sub], sub, first(*names) if names else 0)

    armed = any(m.armed for m in mentions)
    non_state = any(m.armed and m.sector in _NON_STATE for m in mentions)
    harm = has("harm")
    war = has(*_WAR)
    armed_words = armed or _ARMED_WORDS.search(lowered) is not None
    # "The attack took place on Saturday" refers to an attack told elsewhere: a noun after
    # a determiner is no attack of its own.
    told = [a for a, _e in cues.get("attack", ()) if not _REFERENCE.search(sentence, 0, a)]
    attacked = (
        bool(told) or has("firearm") or (has("hit", "knife") and (armed or war or has("bomb")))
    )

    demonstration = (
        has("intervene", "rioting")
        or (has("protest") and not _troops_marching(sentence, cues, mentions))
        or (has("rally") and _CAUSE.search(lowered) is not None)
    )
    # Vigilantes who trade fire with bandits are a militia in a battle, not a mob.
    vigilantes = all(sentence[a:e].lower().startswith("vigilant") for a, e in cues.get("mob", ()))
    if has("mob") and not demonstration and not (vigilantes and has("clash")):
        return coded("Mob violence", "mob")
    # A demonstration told first is the event; a trial or a crime after it is its cause
    # ("demonstrations over the detention of a man fighting a fraud conviction").
    protested = demonstration and first("protest", "rally", "intervene", "rioting") < first(
        "judicial", "crime"
    )
    if has("judicial") and not war and not non_state and not protested:
        return _NONE._replace(reason="crime")  # a trial or a charge, not the act
    if has("sexual") and not demonstration:
        return coded("Sexual violence", "sexual")
    if has("claim") and not harm:
        return _NONE._replace(reason="claim")
    if is_disaster(cues) and not (non_state and attacked):
        return _NONE._replace(reason="disaster")
    # Robbery, drugs or smuggling without a political actor is crime; gangs and criminals
    # that kill and attack may be an armed group.
    if has("crime", "judicial") and not war and not non_state and not protested:
        return _NONE._replace(reason="crime")
    if has("gang") and not war and not non_state and not (attacked and harm):
        return _NONE._replace(reason="crime")

    if demonstration:
        return _demonstration(sentence, cues, mentions, has, first)
    # What the sentence reports first, among the events it names, is its event: an
    # agreement, an arrest or weapons seized named before any violence is what happened.
    events_at = first(*_EVENTS)
    # A truce in a trade war is diplomacy unless armed actors are named.
    truce = has("agree_strong") and not has("violation") and (armed_words or not has("diplo"))
    if truce and first("agree_strong") <= events_at:
        return coded("Agreement", "agree_strong")
    if has("agree_weak") and first("agree_weak") < events_at and armed and not has("diplo"):
        return coded("Agreement", "agree_weak")
    if not harm and has("arrest", "disrupt"):
        if first("arrest") < first("disrupt") and first("arrest") <= events_at:
            return _arrest(sentence, lowered, mentions, first("arrest"), has(*_VIOLENCE))
        if "disrupt" in cues:
            return coded("Disrupted weapons use", "disrupt")
    if has("suicide"):
        return coded("Suicide bomb", "suicide")

    territory = _territory(sentence, cues, mentions, demonyms) if armed_words else None
    if territory is not None:
        return territory

    used = (
        harm
        or attacked
        or has(
            "bomb",
            "blast",
            "hit",
            "fire_verb",
            "riot",
            "clash",
            "suicide",
            "chemical",
            "air",
            "shelling",
        )
    )
    modes = [
        (cues[name][0][0], sub)
        for name, sub in _MODES
        if name in cues and (used or name not in _MEANS)
    ]
    if "air" in cues:
        # Missiles and bombs named beside an air strike are what the aircraft fired.
        modes = [(at, sub) for at, sub in modes if sub != "Shelling/artillery/missile attack"]
    if "chemical" in cues and first("chemical") < first("air"):
        # Toxic agents make a chemical attack whatever delivered them.
        modes = [(first("chemical"), "Chemical weapon")]
    if modes:
        at, sub = min(modes)
        if "clash" not in cues or at < first("clash"):
            return Coding(SUB_TYPES[sub], sub, at)
    # Fighting needs fighters: "battling extradition", "an offensive remark" are not battles.
    if has("clash") and (armed_words or harm or modes):
        return coded("Armed clash", "clash")
    # A bomb is a weapon; a blast or an explosion is one when it hurt, hit or was set off
    # among armed actors (not a supernova's).
    blast = has("bomb") or (has("blast") and (harm or attacked or armed_words or has("hit")))
    if blast and not has("agree_weak", "diplo") and not disaster_context:
        return coded("Remote explosive/landmine/IED", "bomb", "blast")
    if (
        has("abduct")
        and first("abduct") <= first("harm")
        and not (has("arrest") and _by_state(mentions, first("abduct")))
    ):
        return coded("Abduction/forced disappearance", "abduct")
    # Looting or burning with no one hurt is property destruction ("attacked them, looted
    # houses"); with someone shot or beaten it is the violence.
    bodily = any(sentence[a:e].lower().startswith(_BODILY) for a, e in cues.get("attack", ()))
    if has("loot") and not harm and not bodily:
        return coded("Looting/property destruction", "loot")
    if disaster_context and not armed:
        return _NONE._replace(reason="disaster")
    referred = has("attack") and not told and not harm
    if attacked or (plover in {"ASSAULT", "FIGHT"} and not referred) or (harm and armed):
        violence = _violence(lowered, cues, plover, mentions, first)
        if violence is not None:
            return violence
    if has("loot"):
        return coded("Looting/property destruction", "loot")

    if has("arrest"):
        arrest = _arrest(sentence, lowered, mentions, first("arrest"), has(*_VIOLENCE))
        if arrest.event_type is not None:
            return arrest
    armed = armed_words
    if has("hq"):
        return coded("Headquarters or base established", "hq")
    if has("handover") and armed and _handed_territory(sentence, cues, demonyms):
        return coded("Non-violent transfer of territory", "handover")
    if truce:
        return coded("Agreement", "agree_strong")
    if has("agree_weak") and armed and not has("diplo"):
        return coded("Agreement", "agree_weak")
    if has("emergency") or (armed and (has("change", "withdraw") or plover == "MOBILIZE")):
        return coded("Change to group/activity", "change", "withdraw", "emergency")
    if plover == "COERCE" and any(m.armed for m in mentions):
        return Coding(STRATEGIC, "Other", 0)
    return _NONE


def _troops_marching(sentence: str, cues: Spans, mentions: Sequence[Actor]) -> bool:
    """True when the only demonstration words are marching or rallying done by an armed
    actor ("troops marched into the town")."""
    for start, end in cues.get("protest", ()):
        if sentence[start:end].lower() not in _MOVEMENT_WORDS:
            return False
        if _MARCHERS_BEFORE.search(sentence.lower(), 0, start):
            return False  # "fired at mourners marching to the cemetery"
        agent = _agent(sentence, mentions, start)
        if agent is None or not agent.armed:
            return False
    return True


def _arrest(
    sentence: str, lowered: str, mentions: Sequence[Actor], at: int, violence: bool = False
) -> Coding:
    """An arrest by the state of political figures or armed groups' members, or of suspects
    of political violence the sentence names (``violence``: an attack, a bombing); "detained"
    by an armed group is an abduction; anyone else's arrest is no ACLED event."""
    agent = _agent(sentence, mentions, at)
    if agent is not None and agent.sector in _NON_STATE:
        return Coding(CIVILIANS, "Abduction/forced disappearance", at)
    political = violence or _POLITICAL.search(lowered) is not None
    if political or any(m.armed and m.sector in _NON_STATE for m in mentions):
        return Coding(STRATEGIC, "Arrests", at)
    return _NONE


def _handed_territory(sentence: str, cues: Spans, demonyms: frozenset[str] | set[str]) -> bool:
    """True when what is handed over or left is a place, not people or documents."""
    return any(
        _is_territory(sentence, end, demonyms) or sentence[start:end].lower().startswith("without")
        for start, end in cues.get("handover", ())
    )


def _is_event_noun(name: str, word: str) -> bool:
    """True for a cue word that names an event ("protests"), not people ("protesters"):
    only the event can be a background ("after protests" but "after protesters clashed")."""
    return name == "arrest" or not word.lower().endswith(("ers", "ors", "er", "or"))


def _told(sentence: str, cues: Spans) -> Spans:
    """The cues without those that refer to an event rather than tell it: "these arrests",
    demonstrations named as a background ("stocks fell amid protests"), violence named as
    what a demonstration is against ("marched against violence")."""
    kept = dict(cues)
    for name, pattern in (
        ("arrest", _REFERENCE),
        ("protest", _AMID),
        ("rioting", _AMID),
        ("unrest", _AGAINST),
        # "marched to protest against attacks on judges": what they protest is no event here.
        ("attack", _AGAINST),
        ("harm", _AGAINST),
    ):
        if name in cues:
            spans = [
                (a, e)
                for a, e in cues[name]
                if not (pattern.search(sentence, 0, a) and _is_event_noun(name, sentence[a:e]))
            ]
            if spans:
                kept[name] = spans
            else:
                del kept[name]
    return kept


def _demonstration(
    sentence: str,
    cues: Spans,
    mentions: Sequence[Actor],
    has: _Has,
    first: _First,
) -> Coding:
    """A protest or a riot: demonstrators' violence makes a riot; force used on peaceful
    demonstrators is excessive when it kills, wounds or uses live fire."""
    at = first("protest", "intervene", "rioting")
    if has("mob") and has("harm", "attack", "loot") and not has("peaceful"):
        return Coding(RIOTS, "Mob violence", first("mob"))
    if has("riot", "loot", "clash", "rioting"):
        return Coding(RIOTS, "Violent demonstration", at)
    if has("attack"):
        attack_by = _agent(sentence, mentions, first("attack"), within=30)
        if attack_by is not None and attack_by.sector == "Protesters":
            return Coding(RIOTS, "Violent demonstration", at)
    # Deaths and blows are force used on the demonstrators when the state's forces are there
    # ("a vigil for those killed in the fire" is not).
    lowered = sentence.lower()
    victims = _PROTESTERS_HARMED.search(lowered) is not None
    if (
        has("firearm")
        or victims
        or (has("harm", "attack") and any(m.sector in _STATE for m in mentions))
    ):
        return Coding(PROTESTS, "Excessive force against protesters", at)
    if has("unrest") and not has("peaceful"):
        return Coding(RIOTS, "Violent demonstration", at)
    # Arrests of the demonstrators, not those they march for ("demanding the release of the
    # detained journalists").
    arrests = [
        a
        for a, e in cues.get("arrest", ())
        if not _NOUN_BEFORE.search(sentence, 0, a) and _ARREST_VERB.match(sentence[a:e].lower())
    ]
    if has("intervene") or arrests:
        return Coding(PROTESTS, "Protest with intervention", at)
    return Coding(PROTESTS, "Peaceful protest", at)


class _Has(Protocol):
    def __call__(self, *names: str) -> bool: ...


class _First(Protocol):
    def __call__(self, *names: str) -> int: ...


def _territory(
    sentence: str, cues: Spans, mentions: Sequence[Actor], demonyms: frozenset[str] | set[str]
) -> Coding | None:
    """Territory changing hands: who takes it decides between the government regaining it
    and a non-state actor overtaking it; taken without fighting, a non-violent transfer."""
    found: tuple[int, str] | None = None
    for name in ("retake", "take"):
        for start, end in cues.get(name, ()):
            if _NOUN_BEFORE.search(sentence, 0, start):
                continue  # "the occupied West Bank", "the captured soldiers": an adjective
            if _INTENT_BEFORE.search(sentence, 0, start):
                continue  # "an attack to capture the positions was repelled": an aim
            if "handover" not in cues and sentence[start:end].lower() in _ENTERING:
                continue  # entering a place takes it only unopposed ("planes entered the zone")
            if _is_territory(sentence, end, demonyms) and (found is None or start < found[0]):
                found = (start, name)
                break
    if found is None:
        return None
    at, verb = found
    if ("handover" in cues or "withdraw" in cues) and not ("clash" in cues or "harm" in cues):
        return Coding(STRATEGIC, "Non-violent transfer of territory", at)
    agent = _agent(sentence, mentions, at)
    if agent is not None and agent.sector in _STATE:
        return Coding(BATTLES, "Government regains territory", at)
    if agent is not None and agent.sector in _NON_STATE:
        return Coding(BATTLES, "Non-state actor overtakes territory", at)
    if verb == "retake":
        return Coding(BATTLES, "Government regains territory", at)
    return Coding(BATTLES, "Non-state actor overtakes territory", at)


def _is_territory(sentence: str, end: int, demonyms: frozenset[str] | set[str]) -> bool:
    """True when what follows a capture verb at ``end`` is a place: a word for one, or a
    capitalised name that is not a demonym ("captured a Syrian soldier" is not)."""
    rest = sentence[end:].lstrip()
    if _TERRITORY.match(rest.lower()):
        return True
    name = _NAME_NEXT.match(rest)
    return name is not None and name.group(1) not in demonyms


def _agent(
    sentence: str, mentions: Sequence[Actor], at: int, within: int | None = None
) -> Actor | None:
    """Who did what the cue at ``at`` says: the "by" agent of a passive verb, else the
    first actor of its clause (or the nearest one within ``within`` characters)."""
    by = _BY_AGENT.match(sentence, at)
    if by is not None:
        after = [m for m in mentions if m.start >= at + by.end() - 1]
        if after:
            return after[0]
    if _PASSIVE_BEFORE.search(sentence, 0, at):
        return None  # "militants were detained": the subject is who it was done to
    if within is not None:
        near = [m for m in mentions if m.end <= at and at - m.end <= within]
        return near[-1] if near else None
    # The subject: the first actor of the clause the cue is in ("Jihadists overran a post
    # and took control": the jihadists took it, not the post's army).
    before = [m for m in mentions if m.end <= at]
    clause = max(sentence.rfind(",", 0, at), sentence.rfind(";", 0, at))
    for said in _SAID.finditer(sentence, 0, at):
        clause = max(clause, said.end())  # "an official said militants seized": after "said"
    own = [m for m in before if m.start > clause]
    return own[0] if own else (before[0] if before else None)


def _by_state(mentions: Sequence[Actor], at: int) -> bool:
    before = [m for m in mentions if m.end <= at]
    return bool(before) and before[-1].sector in _STATE


def _violence(
    lowered: str, cues: Spans, plover: str | None, mentions: Sequence[Actor], first: _First
) -> Coding | None:
    """Violence by an armed actor: a battle when its victims are armed (soldiers, police,
    militants, a post), violence against civilians when they are not; None when neither
    an armed actor nor a victim is named ("a crack assassin's first murder", a match won
    "by beating" a rival)."""
    at = first("attack", "firearm", "harm")
    kinds: set[str | None] = set()
    for match in _OBJECT.finditer(lowered):
        # "killed eight al-Qaeda leaders": a group named before the noun arms its members.
        named = any(m.armed and match.start() < m.start < match.end() for m in mentions)
        kinds.add("armed" if named else match.lastgroup)
    kinds |= {m.lastgroup for m in _PASSIVE.finditer(lowered)}
    kinds |= {m.lastgroup for m in _BODIES.finditer(lowered)}
    if "armed" in kinds:
        return Coding(BATTLES, "Armed clash", at, _GENERIC)
    if "civilian" in kinds:
        return Coding(CIVILIANS, "Attack", at, _GENERIC)
    if not any(m.armed for m in mentions) and not _ARMED_WORDS.search(lowered):
        return None
    if plover == "FIGHT":
        return Coding(BATTLES, "Armed clash", at, _GENERIC)
    armed = [m for m in mentions if m.armed]
    if armed and armed[0].sector in _STATE:
        # State forces using force with no unarmed victim named: fighting their opponents.
        return Coding(BATTLES, "Armed clash", at, _GENERIC)
    if len({m.sector for m in armed}) > 1 or (
        len(armed) > 1 and any(m.sector in _STATE for m in armed)
    ):
        return Coding(BATTLES, "Armed clash", at, _GENERIC)
    return Coding(CIVILIANS, "Attack", at, _GENERIC)
