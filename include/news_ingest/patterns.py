"""Regexes over word lists, fast in CPython's engine: alternations grouped by opening letter, and
case-insensitive patterns searched case-sensitively over the lower-cased text."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

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


class Alternation:
    """Entries (patterns) as one regex: the leftmost match of any entry and, at a tie in
    position, the earliest entry in the list, with which entry it was."""

    def __init__(self, entries: list[str], flags: int = re.I) -> None:
        # Each alternative ends in an empty group named after its entry: the match's last
        # group tells which entry matched (trying the entries again where it starts cost
        # a third of the ACLED cues' time). Grouped by opening letter where every
        # alternative opens on a literal one (3.8x faster on the trigger list, 2.7x on
        # the named actors).
        alternatives = "|".join(f"(?:{e})(?P<_{i}>)" for i, e in enumerate(entries))
        if not flags:
            opened = [_alternatives_opening(e) for e in entries]
            if all(o is not None for o in opened):
                marked = [
                    a + f"(?P<_{i}_{k}>)"
                    for i, o in enumerate(opened)
                    for k, a in enumerate(o or ())
                ]
                alternatives = _grouped(marked, 2)
        elif flags == re.I:
            openings = [_all_openings_ignoring_case(e) for e in entries]
            if all(o is not None for o in openings):
                alternatives = _grouped_ignoring_case(
                    [
                        (first, rest + f"(?P<_{i}_{k}>)")
                        for i, o in enumerate(openings)
                        for k, (first, rest) in enumerate(o or ())
                    ]
                )
        # One leading boundary check for all alternatives, and no group in front of an
        # entry: an alternative that opens on a letter then fails at its first character,
        # which a capturing group in front of it would defeat (1.6x faster).
        self.regex = re.compile(rf"(?<!\w)(?=\w)(?:{alternatives})\b", flags)
        self._entries = [0] * (self.regex.groups + 1)
        for name, group in self.regex.groupindex.items():
            self._entries[group] = int(name[1:].split("_")[0])
        # Case ignored costs the engine twice the time at every position: where the entries
        # are lower case but for a few case-sensitive acronyms, a case-sensitive pass over
        # the lower-cased text finds where an entry may start, and this regex decides there.
        loose: str | None = None
        if flags == re.I:
            loosened = [_loosened(e) for e in entries]
            if all(loosened):
                loose = Alternation([p for p in loosened if p], flags=0).regex.pattern
        self._folded = Insensitive(self.regex.pattern, loose) if flags == re.I else None

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], int]]:
        """Matches in text order, each with the index of its entry."""
        matches = self.regex.finditer(text) if self._folded is None else self._folded.finditer(text)
        for match in matches:
            # The entry's group closes last in every alternative.
            yield match, self._entries[match.lastindex or 0]

    def fullmatch(self, text: str) -> bool:
        """True when the whole of ``text`` is one entry."""
        return self.regex.fullmatch(text) is not None


_SPECIAL = frozenset("\\()[].*+?{}|^$")
_CASE_SENSITIVE = re.compile(r"\(\?-i:([^()\\]*)\)")


def _loosened(pattern: str) -> str | None:
    """``pattern`` (matched with case ignored) as a lower-case pattern that matches the
    lower-cased text wherever it matches, its case-sensitive parts lower-cased too; None
    unless it is lower case outside them (``patterns.is_lower_case``)."""
    loose = _CASE_SENSITIVE.sub(lambda m: f"(?:{m.group(1).lower()})", pattern)
    return loose if is_lower_case(loose) else None


def top_level(pattern: str, sep: str = "|") -> list[str]:
    """``pattern`` cut at its top-level ``sep`` (outside groups, classes and escapes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == sep and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        i += 1
    parts.append(pattern[start:])
    return parts


def opening_letter(alternative: str, depth: int = 0) -> list[str] | None:
    """``alternative`` as alternatives that each open on a literal character, in the
    order the regex engine would try them, or None when that cannot be done simply.

    ``(?:a|b)rest`` is tried as ``arest`` then ``brest``; ``(?:x)?rest`` as ``xrest`` then
    ``rest``.
    """
    if not alternative or depth > 4:
        return None
    if alternative[0] not in _SPECIAL and alternative[1:2] not in {"?", "*", "+", "{"}:
        return [alternative]
    if not alternative.startswith("(?:"):
        return None
    close = len(top_level(alternative[3:], ")")[0]) + 3
    inner, rest = alternative[3:close], alternative[close + 1 :]
    optional = rest.startswith("?") and not rest.startswith("??")
    if optional:
        rest = rest[1:]
    elif rest[:1] in {"*", "+", "{", "?"}:
        return None
    tries = [a + rest for a in top_level(inner)] + ([rest] if optional else [])
    expanded: list[str] = []
    for candidate in tries:
        opened = opening_letter(candidate, depth + 1)
        if opened is None:
            return None
        expanded.extend(opened)
    return expanded


def by_first_letter(patterns: list[str]) -> str | None:
    """The alternation of ``patterns`` (case-sensitive) grouped by opening letter.

    At any position only the alternatives opening on the letter there can match, and
    they keep their order, so the leftmost match and its span are the plain
    alternation's; the engine skips a group on its first letter instead of trying
    every entry (3.8x faster on the trigger list, 2.3x on the roles). None when an
    alternative does not open on a literal character.
    """
    alternatives: list[str] = []
    for pattern in patterns:
        opened = _alternatives_opening(pattern)
        if opened is None:
            return None
        alternatives.extend(opened)
    return _grouped(alternatives, 2)


def _alternatives_opening(pattern: str) -> list[str] | None:
    """The top-level alternatives of ``pattern``, each opened on a literal character
    (``opening_letter``), in order; None when one cannot be."""
    return _each_opened(pattern, opening_letter)


def _each_opened(pattern: str, opened: Callable[[str], list[T] | None]) -> list[T] | None:
    """``opened`` of each top-level alternative of ``pattern`` joined, or None if one fails."""
    found: list[T] = []
    for alternative in top_level(pattern):
        each = opened(alternative)
        if each is None:
            return None
        found.extend(each)
    return found


def lower_case_by_first_letter(alternatives: str) -> str:
    """``by_first_letter`` of lower-case alternatives that each open on a literal."""
    # Two lower-case letters match no character in common even with case ignored, so the
    # grouped form matches what the plain one does, case ignored or not.
    grouped = by_first_letter([alternatives])
    if grouped is None or alternatives != alternatives.lower():
        raise ValueError(f"{alternatives[:40]!r}...: an alternative opens on no lower-case literal")
    return grouped


def _grouped(alternatives: list[str], depth: int) -> str:
    """Alternatives that each open on a literal character, grouped by it, and within a
    group by the next character where every rest opens on one (``depth`` levels): the
    engine then tries only the few alternatives that share the text's first two letters
    (a third faster again on the ACLED cues than one level)."""
    groups: dict[str, list[str]] = {}
    for each in alternatives:
        groups.setdefault(each[0], []).append(each[1:])
    out = []
    for letter, rests in groups.items():
        inner = "|".join(rests)
        if depth > 1 and all(rests):
            opened = [opening_letter(rest) for rest in rests]
            if all(o is not None for o in opened):
                inner = _grouped([a for o in opened if o is not None for a in o], depth - 1)
        out.append(re.escape(letter) + "(?:" + inner + ")")
    return "|".join(out)


def _openings_ignoring_case(alternative: str, depth: int = 0) -> list[tuple[str, str]] | None:
    """``alternative`` (matched with case ignored) as the ways it can open, in the order
    the engine tries them: each a lower-case ASCII character and the pattern of the rest;
    None when that cannot be done simply.

    A case-sensitive part, ``(?-i:ISWAP)``, opens on ``i`` with a rest that checks the
    capital: ``(?<=(?-i:I))(?-i:SWAP)``.
    """
    if not alternative or depth > 4:
        return None
    if alternative[0] not in _SPECIAL and alternative[1:2] not in {"?", "*", "+", "{"}:
        tries = [(alternative[0], alternative[1:])]
    elif alternative.startswith(("(?:", "(?-i:")):
        sensitive = alternative.startswith("(?-i:")
        opening = 5 if sensitive else 3
        inner = top_level(alternative[opening:], ")")[0]
        rest = alternative[opening + len(inner) + 1 :]
        optional = rest.startswith("?") and not rest.startswith("??")
        if optional and not sensitive:
            rest = rest[1:]
        elif rest[:1] in {"*", "+", "{", "?"}:
            return None
        if sensitive:
            opened = [opening_letter(a) for a in top_level(inner)]
            if any(o is None for o in opened):
                return None
            tries = [
                (a[0], f"(?<=(?-i:{re.escape(a[0])}))" + (f"(?-i:{a[1:]})" if a[1:] else "") + rest)
                for o in opened
                for a in o or ()
            ]
        else:
            tries = []
            for candidate in [a + rest for a in top_level(inner)] + ([rest] if optional else []):
                expanded = _openings_ignoring_case(candidate, depth + 1)
                if expanded is None:
                    return None
                tries.extend(expanded)
    else:
        return None
    if not all(first.isascii() for first, _rest in tries):
        return None
    return [(first.lower(), rest) for first, rest in tries]


def _all_openings_ignoring_case(pattern: str) -> list[tuple[str, str]] | None:
    """The openings of each top-level alternative of ``pattern``, in order."""
    return _each_opened(pattern, _openings_ignoring_case)


def _grouped_ignoring_case(openings: list[tuple[str, str]]) -> str:
    """Alternatives grouped by their opening letter, for a pattern with case ignored.

    With case ignored, two different ASCII letters match no character in common, so at
    any position only one group can match, its alternatives in their order.
    """
    groups: dict[str, list[str]] = {}
    for first, rest in openings:
        groups.setdefault(first, []).append(rest)
    return "|".join(
        re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()
    )


# The last text lower-cased, with its lower case (one tuple: read and replaced at once):
# one sentence is searched by a dozen patterns in turn.
_last: tuple[str, str] = ("", "")


def _lower(text: str) -> str:
    global _last
    last = _last
    if last[0] is not text:
        last = _last = (text, text.lower())
    return last[1]
