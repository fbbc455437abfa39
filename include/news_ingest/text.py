"""Text helpers shared by extraction and dedupe: boilerplate lines, known and learned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

# Lines that scrapers leave in bodies and that say nothing about the story.
BOILERPLATE_LINES = frozenset(
    {
        "advertisement",
        "advertising",
        "info_icon",
        "ad",
        "sponsored",
        "sponsored content",
        "read more",
        "related",
        "related articles",
        "share",
        "share this article",
        "skip advertisement",
        "continue reading",
        "subscribe",
        "sign up",
        "follow us",
        "story continues below advertisement",
        "scroll to continue with content",
    }
)


def strip_boilerplate(text: str, extra: Iterable[str] = ()) -> str:
    """Drop known boilerplate lines (and any in ``extra``, compared case-folded)."""
    drop = BOILERPLATE_LINES | {line_key(line) for line in extra}
    return "\n".join(
        line for line in text.splitlines() if line.strip() and line_key(line) not in drop
    )


def line_key(line: str) -> str:
    """A line as the boilerplate lists compare it: stripped, case-folded, no closing . or :."""
    # Learned lines go through it too, so that a learned "Get our app." matches.
    return line.strip().casefold().strip(" .:")


def short_lines(text: str) -> frozenset[str]:
    """The distinct lines of a body of at most 12 words, stripped: boilerplate candidates."""
    # split(None, 12) stops after 12 words: a paragraph is not split whole to be dropped.
    return frozenset(ln.strip() for ln in text.splitlines() if 0 < len(ln.split(None, 12)) <= 12)


class BoilerplateLearner:
    """Counts one site's short lines text by text, so a night's bodies need not be held."""

    def __init__(self, min_docs: int = 3, share: float = 0.5) -> None:
        self.min_docs, self.share = min_docs, share
        self.docs = 0
        self.seen: Counter[str] = Counter()

    def add(self, text: str) -> None:
        """Count the short lines of one body."""
        self.add_lines(short_lines(text))

    def add_lines(self, lines: Iterable[str]) -> None:
        """Count one body given its ``short_lines`` (worked out where the body was extracted)."""
        self.docs += 1
        self.seen.update(lines)

    def learned(self) -> set[str]:
        """Lines in at least ``min_docs`` bodies and in ``share`` of those counted."""
        if self.docs < self.min_docs:
            return set()
        floor = max(self.min_docs, self.share * self.docs)
        return {line for line, n in self.seen.items() if n >= floor}


def learn_boilerplate(texts: Iterable[str], min_docs: int = 3, share: float = 0.5) -> set[str]:
    """Short lines repeated across many of one site's bodies (its own boilerplate)."""
    learner = BoilerplateLearner(min_docs, share)
    for text in texts:
        learner.add(text)
    return learner.learned()
