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
    drop = BOILERPLATE_LINES | {line.casefold() for line in extra}
    return "\n".join(
        line
        for line in text.splitlines()
        if line.strip() and line.strip().casefold().strip(" .:") not in drop
    )


def learn_boilerplate(texts: Iterable[str], min_docs: int = 3, share: float = 0.5) -> set[str]:
    """Short lines repeated across many of one site's bodies (its own boilerplate)."""
    docs = 0
    seen: Counter[str] = Counter()
    for text in texts:
        docs += 1
        seen.update({ln.strip() for ln in text.splitlines() if 0 < len(ln.split()) <= 12})
    if docs < min_docs:
        return set()
    return {line for line, n in seen.items() if n >= min_docs and n >= share * docs}
