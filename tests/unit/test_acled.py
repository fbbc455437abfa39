import re

from hypothesis import given, settings
from hypothesis import strategies as st

from news_ingest import acled

# The victim and armed-word lists, grouped by opening letter in the patterns, against the
# plain alternations they were written as: the same matches, the same named group.
_PLAIN_VICTIM = rf"(?:(?P<armed>{acled._ARMED_VICTIM})|(?P<civilian>{acled._CIVILIAN_VICTIM}))\b"
_PLAIN = {
    "_OBJECT": re.compile(rf"\b(?:{acled._HARM_VERB}) {acled._GAP}{_PLAIN_VICTIM}"),
    "_PASSIVE": re.compile(
        acled._PASSIVE.pattern.replace(acled._VICTIM, _PLAIN_VICTIM, 1),
    ),
    "_BODIES": re.compile(acled._BODIES.pattern.replace(acled._VICTIM, _PLAIN_VICTIM, 1)),
    "_ARMED_WORDS": re.compile(rf"\b(?:{acled._ARMED_WORDS_LIST})\b"),
}
_WORDS = sorted(
    set(
        re.findall(
            r"[a-z]+",
            acled._ARMED_VICTIM
            + acled._CIVILIAN_VICTIM
            + acled._HARM_VERB
            + acled._ARMED_WORDS_LIST,
        )
    )
    | {"were", "was", "killed", "died", "the", "bodies", "of", "by", "on", "at", "three", ","}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14))
def test_grouped_victim_and_armed_words_match_as_the_plain_lists(words: list[str]) -> None:
    sentence = " ".join(words)
    for name, plain in _PLAIN.items():
        grouped = getattr(acled, name)
        assert grouped.pattern != plain.pattern  # the grouped form is in use
        assert [(m.span(), m.lastgroup) for m in grouped.finditer(sentence)] == [
            (m.span(), m.lastgroup) for m in plain.finditer(sentence)
        ]
