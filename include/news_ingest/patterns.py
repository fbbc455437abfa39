"""Case-insensitive regexes searched at the speed of case-sensitive ones."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

# Lower-case letters whose only other case is one upper-case letter, as ASCII letters.
LATIN_1_LOWER = frozenset("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ")
# Inline flags, and escapes that name a character by its code (which may be a capital).
_UNSAFE = re.compile(r"\(\?[a-zA-OQ-Z-]|\\[xuUN0]")
_GROUP_NAMES = re.compile(r"\(\?P[<=]\w+>?")


def is_lower_case(pattern: str) -> bool:
    """True when ``pattern`` matched with case ignored matches lower-cased text exactly
    where it matches without: no capital, no letter of another script (their cases are
    not one to one), no inline flag or escape that names a character by its code."""
    if _UNSAFE.search(pattern):
        return False
    plain = _GROUP_NAMES.sub("(", pattern)
    return plain == plain.lower() and all(
        c.isascii() or c in LATIN_1_LOWER or c.upper() == c for c in plain
    )


def folds_like_lower(text: str) -> bool:
    """True unless ``text`` holds one of the two letters that ignoring case equates with an
    ASCII letter other than their lower case (dotless i, long s)."""
    return "\u0131" not in text and "\u017f" not in text


class Insensitive:
    """A regex matched with case ignored, as ``re.compile(pattern, re.I)``.

    CPython's engine compares every character twice over with case ignored (3x slower on
    the casualty verbs): a lower-case pattern is searched without it over the lower-cased
    text, whose offsets are the text's, and each match is taken again from the text itself,
    so that groups keep their case.
    """

    __slots__ = ("_loose", "_strict", "pattern")

    def __init__(self, pattern: str, loose: str | None = None) -> None:
        # ``loose``: a case-sensitive pattern that matches the lower-cased text wherever
        # this one matches the text (by default this one, when it is lower case).
        self.pattern = pattern
        self._strict = re.compile(pattern, re.I)
        if loose is None and is_lower_case(pattern):
            loose = pattern
        self._loose = None if loose is None else re.compile(loose)

    def _lowered(self, text: str) -> str | None:
        if self._loose is None:
            return None
        lowered = _lower(text)
        return lowered if len(lowered) == len(text) and folds_like_lower(text) else None

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """The leftmost match in ``text[pos:endpos]``, as ``re.Pattern.search``."""
        return next(self.finditer(text, pos, endpos), None)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        """The matches in ``text[pos:endpos]`` left to right, as ``re.Pattern.finditer``."""
        lowered = self._lowered(text)
        if lowered is None or self._loose is None:
            yield from self._strict.finditer(text, pos, endpos)
            return
        search, match_at = self._loose.search, self._strict.match
        while (found := search(lowered, pos, endpos)) is not None:
            match = match_at(text, found.start(), endpos)
            if match is None:  # a looser pattern matched here: on from the next position
                pos = found.start() + 1
                continue
            if match.end() == match.start():
                # After an empty match the engine's own rule for where the next may start.
                yield from self._strict.finditer(text, found.start(), endpos)
                return
            yield match
            pos = match.end()

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """A match at ``pos``, as ``re.Pattern.match`` (one position: no gain in folding)."""
        return self._strict.match(text, pos, endpos)

    def sub(self, repl: str, text: str) -> str:
        """``text`` with every match replaced, as ``re.Pattern.sub``."""
        return self._strict.sub(repl, text)


# The last text lower-cased, with its lower case (one tuple: read and replaced at once):
# one sentence is searched by a dozen patterns in turn.
_last: tuple[str, str] = ("", "")


def _lower(text: str) -> str:
    global _last
    last = _last
    if last[0] is not text:
        last = _last = (text, text.lower())
    return last[1]
