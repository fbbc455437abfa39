import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news_ingest.patterns import Insensitive, by_first_letter, is_lower_case, opening_letter

# Patterns in the style of the casualty and ACLED rules: words, optional parts, counts,
# look-behinds, anchors at a window's end, and one that can match nothing at all.
PATTERNS = [
    r"\b(?:killed|shot dead|wounded)\s+(?P<n>\d+|a|an|one|two)\b",
    r"\b(?P<n>\d+|several)\s+(?:[\w-]+\s+)?(?:deaths|fatalities)\b",
    r"\b(?:the|his|their) $",
    r"(?<![\w-])soldiers?\b(?! said)",
    r"\bkill(?:ed|ing|s)?\b",
    r"s*",
    r"\bsé(?:l[eé]ka)\b",
]
# Letters whose lower case differs from how ignoring case matches them, beside plain ones.
ALPHABET = "aeiklsdntKILSDoEU0123 -.,'\u0131\u017f\u0130\u00e9\u00c9"


def _spans(matches: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.sampled_from(PATTERNS),
    text=st.text(alphabet=ALPHABET, max_size=60),
    pos=st.integers(0, 70),
    endpos=st.integers(0, 70),
)
def test_matches_what_the_regex_with_case_ignored_matches(
    pattern: str, text: str, pos: int, endpos: int
) -> None:
    strict = re.compile(pattern, re.I)
    folded = Insensitive(pattern)
    assert _spans(folded.finditer(text, pos, endpos)) == _spans(strict.finditer(text, pos, endpos))
    found, expected = folded.search(text, pos, endpos), strict.search(text, pos, endpos)
    assert _spans([found] if found else []) == _spans([expected] if expected else [])


def test_groups_keep_the_case_of_the_text() -> None:
    match = Insensitive(r"\bkilled\s+(?P<n>\w+)").search("Gunmen KILLED Two Soldiers")
    assert match is not None and match.group() == "KILLED Two"


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # A dotless i is an "i" with case ignored, though its lower case is itself.
        (r"\bkilled (?P<n>two)", "they k\u0131lled two"),
        # So is a long s an "s".
        (r"\bsoldiers\b", "\u017foldiers killed two"),
        # A capital dotted I lower-cases into two characters: the offsets would move.
        (r"\bkilled (?P<n>two)", "\u0130n Kilis, gunmen killed two"),
    ],
)
def test_text_whose_lower_case_is_not_how_case_is_ignored_is_searched_as_it_is(
    pattern: str, text: str
) -> None:
    expected = _spans(re.compile(pattern, re.I).finditer(text))
    assert expected  # the case each guard is for
    assert _spans(Insensitive(pattern).finditer(text)) == expected


@pytest.mark.parametrize(
    ("pattern", "lower"),
    [
        (r"\b(?P<n>\d+) killed", True),
        (r"\bkilled\b – (?:séléka)", True),
        (r"\bKilled\b", False),  # a capital
        (r"\S+ killed", False),  # an escape in capitals
        (r"(?-i:ISWAP) fighters", False),  # case told inline
        (r"\x4billed", False),  # a capital named by its code
        (r"\u03bc", False),  # a letter of another script
    ],
)
def test_only_a_lower_case_pattern_is_folded(pattern: str, lower: bool) -> None:
    assert is_lower_case(pattern) is lower
    assert (Insensitive(pattern)._loose is not None) is lower


def test_a_leading_group_is_opened_in_the_order_the_engine_tries_it() -> None:
    assert opening_letter("(?:re)?impos(?:ed|ing) blockades?") == [
        "reimpos(?:ed|ing) blockades?",
        "impos(?:ed|ing) blockades?",
    ]
    assert opening_letter("(?:riot )?(?:police|gendarmes)") == [
        "riot (?:police|gendarmes)",  # opens on a letter already: left as it is
        "police",
        "gendarmes",
    ]
    assert opening_letter("(?:\\w+ )?ban") is None  # no literal to open on: left alone
    assert by_first_letter(["a+b", "c"]) is None
