"""Exact and near-duplicate detection against the seed corpus, history and earlier articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from news_ingest.text import BOILERPLATE_LINES

SHINGLE_WORDS = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.3
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8
MIN_SHINGLES = 15

_WORD = re.compile(r"\w+", re.UNICODE)
_DATELINE = re.compile(
    r"^[^\n]{0,60}?\((?:afp|ap|reuters|dpa|ani|upi|xinhua)\)\s*[-\u2013\u2014:]+\s*", re.IGNORECASE
)
_NUMBER = re.compile(r"^\d[\d.,]*$")


def normalize_text(text: str) -> str:
    """Text reduced to what identifies a story: NFKC, case-folded, boilerplate and dateline gone."""
    lines = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        stripped = line.strip()
        if not stripped or stripped.casefold().strip(" .:") in BOILERPLATE_LINES:
            continue
        lines.append(stripped)
    body = "\n".join(lines)
    body = _DATELINE.sub("", body, count=1)
    return " ".join(_WORD.findall(body.casefold()))


def shingles(normalized: str, k: int = SHINGLE_WORDS) -> frozenset[bytes]:
    """Set of k-word shingles, each as a short stable digest."""
    words = normalized.split()
    if len(words) < k:
        return frozenset([hashlib.blake2b(normalized.encode(), digest_size=8).digest()])
    return frozenset(
        hashlib.blake2b(" ".join(words[i : i + k]).encode(), digest_size=8).digest()
        for i in range(len(words) - k + 1)
    )


def numbers(normalized: str) -> frozenset[str]:
    """Numbers mentioned in the text, which tell template stories apart."""
    return frozenset(w.replace(",", "") for w in normalized.split() if _NUMBER.match(w))


@dataclass(frozen=True)
class Fingerprint:
    """What dedupe keeps of one document."""

    key: str
    exact: str
    shingles: frozenset[bytes]
    numbers: frozenset[str]

    @classmethod
    def of(cls, key: str, text: str) -> Fingerprint:
        norm = normalize_text(text)
        return cls(
            key=key,
            exact=hashlib.sha256(norm.encode()).hexdigest(),
            shingles=shingles(norm),
            numbers=numbers(norm),
        )


@dataclass(frozen=True)
class Verdict:
    """Whether a document duplicates an earlier reference, and which."""

    is_duplicate: bool
    duplicate_of: str | None = None
    similarity: float | None = None


def similarity(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Jaccard and containment (overlap over the smaller set) of two shingle sets."""
    inter = len(a.shingles & b.shingles)
    union = len(a.shingles | b.shingles)
    smaller = min(len(a.shingles), len(b.shingles)) or 1
    return (inter / union if union else 0.0), inter / smaller


def _numbers_disagree(a: Fingerprint, b: Fingerprint) -> bool:
    small, large = sorted((a.numbers, b.numbers), key=len)
    return bool(small) and len(small - large) * 2 > len(small)


@dataclass
class DedupeIndex:
    """Reference documents in order (seeds, history, earlier articles), checked by new ones."""

    refs: dict[str, Fingerprint] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    by_exact: dict[str, str] = field(default_factory=dict)
    lsh: MinHashLSH = field(
        default_factory=lambda: MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    )

    def add(self, fp: Fingerprint) -> None:
        """Add a reference document."""
        if fp.key in self.refs:
            return
        self.refs[fp.key] = fp
        self.order[fp.key] = len(self.order)
        self.by_exact.setdefault(fp.exact, fp.key)
        self.lsh.insert(fp.key, _minhash(fp))

    def check(self, fp: Fingerprint) -> Verdict:
        """Verdict for ``fp`` against the references added so far."""
        if fp.exact in self.by_exact:
            return Verdict(True, self.by_exact[fp.exact], 1.0)
        if len(fp.shingles) < MIN_SHINGLES:
            return Verdict(False)
        best: tuple[float, int, str] | None = None
        for key in self.lsh.query(_minhash(fp)):
            ref = self.refs[key]
            if len(ref.shingles) < MIN_SHINGLES:
                continue
            jac, cont = similarity(fp, ref)
            if jac < MIN_JACCARD and cont < MIN_CONTAINMENT:
                continue
            if jac < 0.9 and _numbers_disagree(fp, ref):
                continue
            rank = (-max(jac, cont), self.order[key], key)
            if best is None or rank < best:
                best = rank
        if best is None:
            # LSH misses low-Jaccard trimmed copies; containment over all refs catches them.
            best = self._containment_scan(fp)
        if best is None:
            return Verdict(False)
        ref = self.refs[best[2]]
        return Verdict(True, ref.key, round(similarity(fp, ref)[0], 4))

    def _containment_scan(self, fp: Fingerprint) -> tuple[float, int, str] | None:
        best: tuple[float, int, str] | None = None
        for key, ref in self.refs.items():
            if len(ref.shingles) < MIN_SHINGLES:
                continue
            _jac, cont = similarity(fp, ref)
            if cont >= MIN_CONTAINMENT and not _numbers_disagree(fp, ref):
                rank = (-cont, self.order[key], key)
                if best is None or rank < best:
                    best = rank
        return best


def _minhash(fp: Fingerprint) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch(sorted(fp.shingles))
    return mh


def load_seeds(seeds_dir: str) -> list[Fingerprint]:
    """Fingerprints of the seed corpus (title line dropped), keyed ``seed:<stem>``."""
    root = Path(seeds_dir)
    if not root.is_dir():
        return []
    fps = []
    for path in sorted(root.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        _title, _, body = text.partition("\n")
        fps.append(Fingerprint.of(f"seed:{path.stem}", body))
    return fps


@dataclass(frozen=True)
class Candidate:
    """One article of the day as dedupe sees it."""

    article_id: str
    text: str
    published_at: datetime | None
    is_article: bool


def reference_order(c: Candidate) -> tuple[bool, datetime | str, str]:
    """Sort key: (published_at, article_id), undated articles last."""
    return (c.published_at is None, c.published_at or "", c.article_id)


def dedupe_day(
    candidates: Iterable[Candidate],
    seeds: Iterable[Fingerprint],
    history: Iterable[Fingerprint] = (),
) -> dict[str, Verdict]:
    """Verdicts for the day's articles against seeds, history, then earlier articles of D."""
    index = DedupeIndex()
    for fp in seeds:
        index.add(fp)
    for fp in history:
        index.add(fp)
    verdicts: dict[str, Verdict] = {}
    for cand in sorted(candidates, key=reference_order):
        if not cand.is_article:
            verdicts[cand.article_id] = Verdict(False)
            continue
        fp = Fingerprint.of(cand.article_id, cand.text)
        verdict = index.check(fp)
        verdicts[cand.article_id] = verdict
        if not verdict.is_duplicate:
            index.add(fp)
    return verdicts
