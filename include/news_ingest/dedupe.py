"""Exact and near-duplicate detection against the seed corpus, history and earlier articles.

Every document is reduced once to a fingerprint: the SHA-256 of its normalised body, a
128-value MinHash over 3-word shingles, its shingle count, and two 64-bit masks of the
numbers and the capitalised names it mentions. Fingerprints are stored with the articles,
so history is never re-hashed. The index keeps, per document, 32 LSH band keys in one
sorted array (plus 8 over its opening) and the low 16 bits of each MinHash value: about
770 bytes a document,
searched with two vectorised binary searches per query. A day's own articles are checked
in two passes: the earlier articles each may copy, found on all cores from the day's
arrays, then the verdicts in reference order, among the earlier originals only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from news_ingest.text import BOILERPLATE_LINES, line_key

SHINGLE_WORDS = 3
NUM_PERM = 128
BANDS, ROWS = 32, 4  # candidates from Jaccard ~0.42 up; 0.5 is found 98% of the time
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8
MIN_SHINGLES = 15
SURE_JACCARD = 0.9  # above this, disagreeing numbers or names are edits, not other events
# A copy trimmed to a fraction of the original has a low Jaccard but the same opening: the
# first 50 shingles get their own 32-value MinHash and 8 more bands, so it is a candidate.
HEAD_SHINGLES, HEAD_PERM = 50, 32
HEAD_BANDS = HEAD_PERM // ROWS

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_SHIFT61 = np.uint64(61)
_rng = np.random.RandomState(1)
_A = _rng.randint(1, np.iinfo(np.int64).max, NUM_PERM, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, np.iinfo(np.int64).max, NUM_PERM, dtype=np.int64).astype(np.uint64)
_BAND_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)

_WORD = re.compile(r"\w+", re.UNICODE)
_DATELINE = re.compile(
    r"^[^\n]{0,60}?\((?:afp|ap|reuters|dpa|ani|upi|xinhua|aa|efe)\)\s*[-\u2013\u2014:]+\s*",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|from)\s+[^\n]{2,60}$", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A capitalised word (not a sentence's first) is a name. Searched without its opening
# checks, which the engine would try at every character (twice as slow); _names applies them.
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}\b")


def normalize_text(text: str) -> str:
    """Text reduced to what identifies a story: NFKC, case-folded, boilerplate,
    dateline and byline gone."""
    lines = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        stripped = line.strip()
        if not stripped or line_key(stripped) in BOILERPLATE_LINES:
            continue
        if _BYLINE.match(stripped):
            continue
        lines.append(stripped)
    body = _DATELINE.sub("", "\n".join(lines), count=1)
    return " ".join(_WORD.findall(body.casefold()))


def shingle_hashes(normalized: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the k-word shingles in text order (CRC-32: stable across processes)."""
    words = normalized.split()
    grams: Iterable[str]
    if len(words) < k:
        grams = [normalized] if normalized else []
    else:
        # Joined from k shifted views of the words (the shortest ends it) and hashed by
        # map, with no Python loop body per shingle: 0.38 to 0.27 ms a bench body.
        grams = map(" ".join, zip(*(words[i:] for i in range(k)), strict=False))
    return np.array(list(map(zlib.crc32, map(str.encode, grams))), dtype=np.uint64)


def minhash(hashes: np.ndarray, perms: int = NUM_PERM) -> np.ndarray:
    """The first ``perms`` of the 128 MinHash values (uint32) of a set of shingle hashes."""
    if hashes.size == 0:
        return np.full(perms, 0xFFFFFFFF, dtype=np.uint32)
    # (a*h + b) mod (2**61 - 1), the products wrapping at 2**64. Since 2**61 = 1 modulo
    # the prime, x mod p is (x & p) + (x >> 61), less p once if that reaches p: the same
    # values as ``%``, without a 64-bit division per element (30 % less time).
    mixed = np.multiply.outer(_A[:perms], hashes)
    mixed += _B[:perms, None]
    high = mixed >> _SHIFT61
    mixed &= _MERSENNE
    mixed += high
    mixed[mixed >= _MERSENNE] -= _MERSENNE
    mixed &= _MAX32
    signature: np.ndarray = mixed.min(axis=1).astype(np.uint32)
    return signature


def _names(text: str) -> Iterator[str]:
    """The capitalised words of ``text`` that open neither the text nor a sentence, folded."""
    for match in _CAPITALISED.finditer(text):
        at = match.start()
        if at == 0 or text[at - 1].isalnum() or text[at - 1] == "_":
            continue  # the text's first word, or inside a word (no \b before it)
        if at >= 2 and text[at - 2] in ".!?" and text[at - 1].isspace():
            continue  # a sentence's first word
        yield match.group().casefold()


def _mask(tokens: Iterable[str]) -> int:
    bits = 0
    for token in set(tokens):  # a name or number recurs: each sets its one bit once
        bits |= 1 << (zlib.crc32(token.encode()) & 63)
    return bits - (1 << 64) if bits >= 1 << 63 else bits  # stored as a signed int64


_EMPTY_IDS = np.empty(0, dtype=np.uint32)
_BAND_TAGS = np.arange(BANDS + HEAD_BANDS, dtype=np.uint64) << np.uint64(32)


def band_keys(signature: np.ndarray, head: np.ndarray) -> np.ndarray:
    """The LSH band keys of a document: 32 over its signature and 8 over its opening's,
    each tagged with its band number in the high bits."""
    rows = np.concatenate((signature, head)).astype(np.uint64).reshape(BANDS + HEAD_BANDS, ROWS)
    # Array arithmetic wraps silently on overflow, which is what a hash wants.
    keys: np.ndarray = _BAND_TAGS | ((rows * _BAND_MIX).sum(axis=1) & _MAX32)
    return keys


@dataclass(frozen=True)
class Fingerprint:
    """What dedupe keeps of one document."""

    key: str
    exact: str
    signature: np.ndarray = field(compare=False)
    size: int
    numbers_mask: int
    names_mask: int
    head: np.ndarray = field(compare=False)

    @classmethod
    def of(cls, key: str, text: str) -> Fingerprint:
        """Fingerprint of a body text."""
        norm = normalize_text(text)
        ordered = shingle_hashes(norm)
        hashes, first = np.unique(ordered, return_index=True)
        opening = ordered[np.sort(first)[:HEAD_SHINGLES]]
        return cls(
            key=key,
            exact=hashlib.sha256(norm.encode()).hexdigest(),
            signature=minhash(hashes),
            size=int(hashes.size),
            numbers_mask=_mask(n.replace(",", "") for n in _NUMBER.findall(text)),
            names_mask=_mask(_names(text)),
            head=minhash(opening, HEAD_PERM),
        )

    def signature_bytes(self) -> bytes:
        """Signature and head signature as stored (640 bytes, little-endian uint32)."""
        return np.concatenate([self.signature, self.head]).astype("<u4").tobytes()

    def stored(self) -> dict[str, Any]:
        """The fingerprint as the articles dataset stores it (``from_stored`` reads it back)."""
        return {
            "dedupe_hash": self.exact,
            "minhash": self.signature_bytes(),
            "shingle_count": self.size,
            "numbers_mask": self.numbers_mask,
            "names_mask": self.names_mask,
        }

    @classmethod
    def from_stored(
        cls, key: str, exact: str, signature: bytes, size: int, numbers: int, names: int
    ) -> Fingerprint:
        """A fingerprint read back from stored columns."""
        values = np.frombuffer(signature, dtype="<u4").astype(np.uint32)
        return cls(key, exact, values[:NUM_PERM], size, numbers, names, values[NUM_PERM:])


@dataclass(frozen=True)
class Verdict:
    """Whether a document duplicates an earlier reference, which, and how."""

    is_duplicate: bool
    duplicate_of: str | None = None
    similarity: float | None = None
    kind: str | None = None  # url | exact | near


def _disagree(a: int, b: int, share: float) -> bool:
    """True when more than ``share`` of the smaller mask's bits are missing from the other."""
    a_bits, b_bits = (a & ((1 << 64) - 1)), (b & ((1 << 64) - 1))
    small, large = sorted((a_bits, b_bits), key=lambda m: (m.bit_count(), m))
    count = small.bit_count()
    return count >= 1 and (small & ~large).bit_count() > share * count


def _key_int(key: str) -> int | None:
    # Article ids are 16 hex digits: kept as one int64 instead of a Python string.
    if len(key) == 16:
        try:
            value = int(key, 16)
        except ValueError:
            return None
        return value - (1 << 64) if value >= 1 << 63 else value
    return None


def _exact_int(exact: str) -> int:
    value = int(exact[:16], 16)
    return value - (1 << 64) if value >= 1 << 63 else value


class DedupeIndex:
    """References in insertion order (seeds, history, earlier articles of the day).

    Bulk references live in numpy arrays (band keys sorted for binary search, 16-bit
    MinHash values for the Jaccard estimate, sizes, masks, ids); documents added since the
    last `freeze` are found through a dict of their band keys. A frozen document costs
    about 770 bytes.
    """

    def __init__(self) -> None:
        self._band_keys = np.empty(0, dtype=np.uint64)
        self._band_ids = np.empty(0, dtype=np.uint32)
        self._sig16 = np.empty((0, NUM_PERM), dtype=np.uint16)
        self._sizes = np.empty(0, dtype=np.int32)
        self._numbers = np.empty(0, dtype=np.int64)
        self._names = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int64)
        self._exact = np.empty(0, dtype=np.int64)
        self._exact_docs = np.empty(0, dtype=np.uint32)
        self._other_keys: dict[int, str] = {}
        self._pending: list[Fingerprint] = []
        self._pending_exact: dict[str, int] = {}
        # Band key -> pending documents, so a lookup never rescans the day so far.
        self._pending_bands: dict[int, list[int]] = {}
        # The pending documents' signatures, sizes and masks as arrays (grown by doubling),
        # so scoring a lookup's pending candidates gathers rows instead of stacking objects:
        # a day whose articles share many bands has hundreds of them per lookup.
        self._p_sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._p_sizes = np.empty(0, dtype=np.int64)
        self._p_numbers = np.empty(0, dtype=np.int64)
        self._p_names = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._sizes) + len(self._pending)

    def key(self, doc: int) -> str:
        """The key of reference ``doc``."""
        frozen = len(self._sizes)
        if doc >= frozen:
            return self._pending[doc - frozen].key
        if doc in self._other_keys:
            return self._other_keys[doc]
        return f"{int(self._ids[doc]) & ((1 << 64) - 1):016x}"

    def add(self, fp: Fingerprint) -> None:
        """Add a reference document after all earlier ones."""
        doc = len(self)
        self._pending_exact.setdefault(fp.exact, doc)
        row = len(self._pending)
        if row == len(self._p_sizes):
            grow = max(64, row)
            self._p_sigs = np.concatenate([self._p_sigs, np.empty((grow, NUM_PERM), np.uint32)])
            self._p_sizes = np.concatenate([self._p_sizes, np.empty(grow, np.int64)])
            self._p_numbers = np.concatenate([self._p_numbers, np.empty(grow, np.int64)])
            self._p_names = np.concatenate([self._p_names, np.empty(grow, np.int64)])
        self._p_sigs[row] = fp.signature
        self._p_sizes[row] = fp.size
        self._p_numbers[row] = fp.numbers_mask
        self._p_names[row] = fp.names_mask
        self._pending.append(fp)
        for key in band_keys(fp.signature, fp.head).tolist():
            self._pending_bands.setdefault(key, []).append(doc)

    def freeze(self) -> None:
        """Move the pending documents into the arrays (call after bulk loading)."""
        if not self._pending:
            return
        start = len(self._sizes)
        new = self._pending
        sigs = np.stack([fp.signature for fp in new])
        docs = np.arange(start, start + len(new), dtype=np.uint32)
        new_keys = np.concatenate([band_keys(fp.signature, fp.head) for fp in new])
        keys = np.concatenate([self._band_keys, new_keys])
        ids = np.concatenate([self._band_ids, np.repeat(docs, BANDS + HEAD_BANDS)])
        order = np.argsort(keys, kind="stable")
        self._band_keys, self._band_ids = keys[order], ids[order]
        self._sig16 = np.concatenate([self._sig16, (sigs & 0xFFFF).astype(np.uint16)])
        self._sizes = np.concatenate([self._sizes, [fp.size for fp in new]]).astype(np.int32)
        self._numbers = np.concatenate([self._numbers, [fp.numbers_mask for fp in new]]).astype(
            np.int64
        )
        self._names = np.concatenate([self._names, [fp.names_mask for fp in new]]).astype(np.int64)
        as_ints = []
        for doc, fp in zip(docs.tolist(), new, strict=True):
            value = _key_int(fp.key)
            if value is None:
                self._other_keys[doc] = fp.key
                value = 0
            as_ints.append(value)
        self._ids = np.concatenate([self._ids, np.asarray(as_ints, dtype=np.int64)])
        exact = np.concatenate([self._exact, [_exact_int(fp.exact) for fp in new]]).astype(np.int64)
        exact_docs = np.concatenate([self._exact_docs, docs])
        # Stable sort keeps the earliest document first among equal hashes.
        order = np.argsort(exact, kind="stable")
        self._exact, self._exact_docs = exact[order], exact_docs[order]
        self._pending = []
        self._pending_exact = {}
        self._pending_bands = {}
        self._p_sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._p_sizes = np.empty(0, dtype=np.int64)
        self._p_numbers = np.empty(0, dtype=np.int64)
        self._p_names = np.empty(0, dtype=np.int64)

    def memory_bytes(self) -> int:
        """Bytes held by the frozen arrays."""
        arrays = (
            self._band_keys,
            self._band_ids,
            self._sig16,
            self._sizes,
            self._numbers,
            self._names,
            self._ids,
            self._exact,
            self._exact_docs,
        )
        return int(sum(a.nbytes for a in arrays))

    def _exact_doc(self, exact: str) -> int | None:
        doc = self.frozen_exact(exact)
        return doc if doc is not None else self._pending_exact.get(exact)

    def candidates(self, fp: Fingerprint) -> tuple[np.ndarray, np.ndarray]:
        """Frozen reference ids sharing an LSH band with ``fp``, and pending ones."""
        keys = band_keys(fp.signature, fp.head)
        # A set gathers the pending buckets in C; the order is the scorer's business.
        docs: set[int] = set()
        bands = self._pending_bands
        for key in keys.tolist():
            bucket = bands.get(key)
            if bucket is not None:
                docs.update(bucket)
        pending = np.fromiter(sorted(docs), dtype=np.int64, count=len(docs))
        return self.frozen_candidates(keys), pending

    def frozen_candidates(self, keys: np.ndarray) -> np.ndarray:
        """Frozen reference ids sharing one of the band ``keys``."""
        total = len(self._band_keys)
        if not total:
            return _EMPTY_IDS
        # One binary search per key, then walk the (short) run of equal keys: half the
        # cache misses of searching both ends, which is what a lookup costs at 1M documents.
        lo = np.searchsorted(self._band_keys, keys, side="left")
        hit = lo < total
        hit[hit] = self._band_keys[lo[hit]] == keys[hit]
        found: list[int] = []
        for start, key in zip(lo[hit].tolist(), keys[hit].tolist(), strict=True):
            end = start + 1
            while end < total and self._band_keys[end] == key:
                end += 1
            found.extend(self._band_ids[start:end].tolist())
        return np.asarray(sorted(set(found)), dtype=np.uint32)

    def frozen_hits(self, keys: np.ndarray) -> np.ndarray:
        """For each row of band ``keys``, whether a frozen reference shares one of them."""
        total = len(self._band_keys)
        if not total:
            return np.zeros(len(keys), dtype=bool)
        lo = np.minimum(np.searchsorted(self._band_keys, keys), total - 1)
        hit: np.ndarray = (self._band_keys[lo] == keys).any(axis=1)
        return hit

    def frozen_exact(self, exact: str) -> int | None:
        """The earliest frozen reference whose normalised text hashes to ``exact``."""
        value = _exact_int(exact)
        pos = int(np.searchsorted(self._exact, value, side="left"))
        if pos < len(self._exact) and int(self._exact[pos]) == value:
            return int(self._exact_docs[pos])
        return None

    @property
    def frozen_count(self) -> int:
        """Frozen references: their ids come before any pending one's."""
        return len(self._sizes)

    def check(self, fp: Fingerprint) -> Verdict:
        """Verdict for ``fp`` against the references added so far."""
        doc = self._exact_doc(fp.exact)
        if doc is not None:
            return Verdict(True, self.key(doc), 1.0, "exact")
        if fp.size < MIN_SHINGLES:
            return Verdict(False)
        best = _best(self.near_references(fp))
        if best is None:
            return Verdict(False)
        return Verdict(True, self.key(best[0]), round(best[2], 4), "near")

    def near_references(self, fp: Fingerprint) -> list[tuple[int, float, float]]:
        """(reference, score, Jaccard estimate) of every reference ``fp`` may copy."""
        frozen, pending = self.candidates(fp)
        rows_of = pending - len(self._sizes)
        # Equal values counted, then divided: the same float as the mean of the matches.
        jacs = np.count_nonzero(self._p_sigs[rows_of] == fp.signature, axis=1) / NUM_PERM
        return self.near_among(
            fp,
            frozen,
            pending,
            jacs,
            self._p_sizes[rows_of],
            self._p_numbers[rows_of],
            self._p_names[rows_of],
        )

    def near_among(
        self,
        fp: Fingerprint,
        frozen: np.ndarray,
        docs: np.ndarray,
        jacs: np.ndarray,
        sizes: np.ndarray,
        number_masks: np.ndarray,
        name_masks: np.ndarray,
    ) -> list[tuple[int, float, float]]:
        """``near_references`` among the ``frozen`` candidates and other ``docs`` whose
        Jaccard estimates, sizes and masks are given."""
        if frozen.size:
            low16 = (fp.signature & 0xFFFF).astype(np.uint16)
            docs = np.concatenate([frozen.astype(np.int64), docs])
            jacs = np.concatenate(
                [np.count_nonzero(self._sig16[frozen] == low16, axis=1) / NUM_PERM, jacs]
            )
            sizes = np.concatenate([self._sizes[frozen], sizes]).astype(np.int64)
            number_masks = np.concatenate([self._numbers[frozen], number_masks])
            name_masks = np.concatenate([self._names[frozen], name_masks])
        # Most candidates share a band by chance: drop those below both thresholds at once,
        # so the per-candidate checks below run on the few that may be copies.
        close = _close(jacs, fp.size, sizes)
        if not close.any():
            return []
        rows = zip(
            docs[close].tolist(),
            jacs[close].tolist(),
            sizes[close].tolist(),
            number_masks[close].astype(np.int64).tolist(),
            name_masks[close].astype(np.int64).tolist(),
            strict=True,
        )
        near: list[tuple[int, float, float]] = []
        for doc, jac, size, numbers, names in rows:
            if size < MIN_SHINGLES:
                continue
            # Overlap from the Jaccard estimate and the two sizes: |A∩B| = J(|A|+|B|)/(1+J).
            containment = jac * (fp.size + size) / ((1 + jac) * min(fp.size, size))
            if jac < MIN_JACCARD and containment < MIN_CONTAINMENT:
                continue
            # A copy keeps the original's numbers (restyled ones drop out as words): when over
            # a quarter of the smaller text's numbers are missing from the other, or over half
            # of its names, it is another story from the same template (bench/dedupe).
            if jac < SURE_JACCARD and (
                _disagree(fp.numbers_mask, numbers, 0.25) or _disagree(fp.names_mask, names, 0.5)
            ):
                continue
            near.append((doc, max(jac, min(containment, 1.0)), jac))
        return near


def _close(jacs: np.ndarray, size: int | np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Which candidates of ``sizes`` shingles may copy a text of ``size`` (one, or one each):
    a Jaccard estimate or an overlap of the smaller text over its threshold."""
    # Overlap from the Jaccard estimate and the two sizes: |A∩B| = J(|A|+|B|)/(1+J).
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = jacs * (size + sizes) / ((1 + jacs) * np.minimum(size, sizes))
    close: np.ndarray = (sizes >= MIN_SHINGLES) & (
        (jacs >= MIN_JACCARD) | (overlap >= MIN_CONTAINMENT)
    )
    return close


def _best(near: Iterable[tuple[int, float, float]]) -> tuple[int, float, float] | None:
    """The reference with the highest score; the earliest one at a tie."""
    best: tuple[int, float, float] | None = None
    for row in near:
        if best is None or (-row[1], row[0]) < (-best[1], best[0]):
            best = row
    return best


def seed_documents(seeds_dir: str) -> Iterator[tuple[str, str]]:
    """(key, body) of every seed: .txt files (first line the title), .jsonl and .parquet
    files of {id, title, text}; keyed ``seed:<file stem>`` or ``seed:<id>``, in name order."""
    root = Path(seeds_dir)
    if not root.is_dir():
        return
    for path in sorted(root.iterdir()):
        if path.suffix == ".txt":
            _title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            yield f"seed:{path.stem}", body
        elif path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        doc = json.loads(line)
                        yield f"seed:{doc['id']}", str(doc.get("text") or "")
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            for row in pq.read_table(path, columns=["id", "text"]).to_pylist():
                yield f"seed:{row['id']}", str(row["text"] or "")


def load_seeds(seeds_dir: str) -> list[Fingerprint]:
    """Fingerprints of the seed corpus, in name order."""
    return [Fingerprint.of(key, body) for key, body in seed_documents(seeds_dir)]


def seeds_digest(seeds_dir: str) -> str:
    """A digest of the seed files' names and contents: the seed cache's key."""
    digest = hashlib.sha256()
    root = Path(seeds_dir)
    if root.is_dir():
        for path in sorted(root.iterdir()):
            if path.suffix in {".txt", ".jsonl", ".parquet"}:
                digest.update(path.name.encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Candidate:
    """One article of the day as dedupe sees it."""

    article_id: str
    text: str
    published_at: datetime | None
    is_article: bool
    # Computed where the text was extracted (in the worker pool); None: computed here.
    fingerprint: Fingerprint | None = None


def reference_order(c: Candidate) -> tuple[bool, datetime | str, str]:
    """Sort key: (published_at, article_id), undated articles last."""
    return (c.published_at is None, c.published_at or "", c.article_id)


# Below this many articles to check, a day is checked in one process: a fork costs more.
PARALLEL_MIN_ARTICLES = 2000


def dedupe_day(
    candidates: Iterable[Candidate],
    seeds: Iterable[Fingerprint],
    history: Iterable[Fingerprint] = (),
    history_ids: Sequence[str] = (),
    workers: int = 1,
) -> tuple[dict[str, Verdict], dict[str, Fingerprint]]:
    """Verdicts and fingerprints for the day's articles, checked against seeds, then
    history, then the earlier articles of the day (scored on ``workers`` processes)."""
    index = DedupeIndex()
    for fp in seeds:
        index.add(fp)
    for fp in history:
        index.add(fp)
    index.freeze()
    seen_ids = set(history_ids)
    ordered = sorted(candidates, key=reference_order)
    prints: dict[str, Fingerprint] = {}
    checked: list[Fingerprint] = []
    for cand in ordered:
        fp = cand.fingerprint or Fingerprint.of(cand.article_id, cand.text)
        prints[cand.article_id] = fp
        if cand.is_article and cand.article_id not in seen_ids:
            checked.append(fp)
    # Which earlier articles each one may copy does not depend on the verdicts, so it is
    # found on all cores; only picking among the earlier originals runs in order.
    near = _near_references_of_day(index, checked, workers)
    day = _DayVerdicts(index, checked, near)
    verdicts: dict[str, Verdict] = {}
    for cand in ordered:
        if not cand.is_article:
            verdicts[cand.article_id] = Verdict(False)
        elif cand.article_id in seen_ids:
            # The same canonical URL was already published on an earlier day.
            verdicts[cand.article_id] = Verdict(True, cand.article_id, 1.0, "url")
        else:
            verdicts[cand.article_id] = day.next()
    return verdicts, prints


class _DayVerdicts:
    """The day's verdicts in reference order, from each article's near references: the
    frozen ones, and the earlier articles of the day, of which only the originals count."""

    def __init__(
        self,
        index: DedupeIndex,
        checked: list[Fingerprint],
        near: dict[int, list[tuple[int, float, float]]],
    ) -> None:
        self._index = index
        self._checked = checked
        self._near = near
        self._frozen = index.frozen_count
        self._original = [False] * len(checked)
        self._first_exact: dict[str, int] = {}
        self._position = 0

    def next(self) -> Verdict:
        """The verdict of the next article to check."""
        i = self._position
        self._position += 1
        verdict = self._verdict(self._checked[i], self._near.get(i, []))
        if not verdict.is_duplicate:
            self._original[i] = True
            self._first_exact.setdefault(self._checked[i].exact, i)
        return verdict

    def _verdict(self, fp: Fingerprint, near: list[tuple[int, float, float]]) -> Verdict:
        doc = self._index.frozen_exact(fp.exact)
        if doc is not None:
            return Verdict(True, self._index.key(doc), 1.0, "exact")
        earlier = self._first_exact.get(fp.exact)
        if earlier is not None:
            return Verdict(True, self._checked[earlier].key, 1.0, "exact")
        if fp.size < MIN_SHINGLES:
            return Verdict(False)
        frozen, original = self._frozen, self._original
        best = _best(row for row in near if row[0] < frozen or original[row[0] - frozen])
        if best is None:
            return Verdict(False)
        doc = best[0]
        key = self._index.key(doc) if doc < frozen else self._checked[doc - frozen].key
        return Verdict(True, key, round(best[2], 4), "near")


class _DayArrays:
    """The day's articles to check as arrays, built before any fork so that every process
    reads the same pages: band keys sorted with their articles' positions, signatures,
    sizes and masks."""

    def __init__(self, checked: list[Fingerprint]) -> None:
        n, width = len(checked), BANDS + HEAD_BANDS
        self.sigs = np.empty((n, NUM_PERM), dtype=np.uint32)
        heads = np.empty((n, HEAD_PERM), dtype=np.uint32)
        for i, fp in enumerate(checked):
            self.sigs[i], heads[i] = fp.signature, fp.head
        # band_keys of every article at once.
        rows = np.concatenate((self.sigs, heads), axis=1).astype(np.uint64).reshape(n, width, ROWS)
        self.keys_of = _BAND_TAGS | ((rows * _BAND_MIX).sum(axis=2) & _MAX32)
        self.sizes = np.fromiter((fp.size for fp in checked), np.int64, n)
        self.numbers = np.fromiter((fp.numbers_mask for fp in checked), np.int64, n)
        self.names = np.fromiter((fp.names_mask for fp in checked), np.int64, n)
        flat = self.keys_of.ravel()
        # Stable: within a key (one band's), positions stay ascending.
        order = np.argsort(flat, kind="stable")
        self.keys = flat[order]
        self.ids = np.repeat(np.arange(n, dtype=np.int64), width)[order]
        # Where each article's keys landed, and where each key's run of equals starts: the
        # earlier articles sharing that key are the ids between the two.
        # (32-bit: a 100k day's keys are 4 million, and this is the stage that grows with N.)
        self.places = np.empty(flat.size, dtype=np.int32)
        self.places[order] = np.arange(flat.size, dtype=np.int32)
        starts = np.flatnonzero(np.concatenate(([True], self.keys[1:] != self.keys[:-1])))
        self.run_start = np.repeat(starts, np.diff(np.append(starts, flat.size))).astype(np.int32)

    def blocks(self, max_pairs: int) -> list[tuple[int, int]]:
        """Runs of articles ``(first, stop)`` sharing at most about ``max_pairs`` band keys
        with earlier ones (one article at least): bounds the arrays of one pass."""
        width = BANDS + HEAD_BANDS
        shared = (self.places - self.run_start[self.places]).reshape(-1, width).sum(axis=1)
        cuts = np.searchsorted(np.cumsum(shared), np.arange(0, int(shared.sum()), max_pairs))
        bounds = [*dict.fromkeys([0, *(int(c) + 1 for c in cuts[1:]), len(shared)])]
        return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]

    def earlier_pairs(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(later, earlier) positions of each pair of articles sharing a band key whose later
        one is in ``first:stop``, once each, ordered by later then earlier."""
        width = BANDS + HEAD_BANDS
        places = self.places[first * width : stop * width]
        counts = places - self.run_start[places]
        total = int(counts.sum())
        if not total:
            return _EMPTY_POSITIONS, _EMPTY_POSITIONS
        # For each key, the run positions before it: run_start, run_start + 1, ...
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        earlier = self.ids[np.repeat(self.run_start[places], counts) + offsets]
        later = np.repeat(np.arange(first, stop, dtype=np.int64), width)
        pairs = np.sort(np.repeat(later, counts) * len(self.sizes) + earlier)
        # Once each (two articles may share several keys); np.unique hashes: 10 times slower.
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        return pairs // len(self.sizes), pairs % len(self.sizes)

    def jaccards(self, later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of each pair, from the share of equal MinHash values."""
        out = np.empty(len(later), dtype=np.float64)
        step = 1 << 15  # pairs a pass: two gathers of 16 MiB
        for a in range(0, len(later), step):
            same = self.sigs[later[a : a + step]] == self.sigs[earlier[a : a + step]]
            out[a : a + step] = np.count_nonzero(same, axis=1) / NUM_PERM
        return out


_EMPTY_POSITIONS = np.empty(0, dtype=np.int64)
# Band keys shared with earlier articles that one pass gathers: its arrays take ~40 bytes
# each, in each dedupe process, at the stage whose memory grows with the day.
_PAIRS_A_PASS = 1 << 18


def _near_references_of_day(
    index: DedupeIndex, checked: list[Fingerprint], workers: int
) -> dict[int, list[tuple[int, float, float]]]:
    """For each article to check (by position), the frozen references and the earlier
    articles of the day, whatever their verdict, that it may copy; an earlier article
    ``j`` is reference ``index.frozen_count + j``."""
    day = _DayArrays(checked)
    if workers <= 1 or len(checked) < PARALLEL_MIN_ARTICLES:
        return _near_share(index, day, checked, 0, 1)
    from news_ingest import parallel

    def share_of(share: int) -> dict[int, list[tuple[int, float, float]]]:
        return _near_share(index, day, checked, share, workers)

    near: dict[int, list[tuple[int, float, float]]] = {}
    # Forked workers inherit the arrays rather than have them pickled.
    with parallel.Workers(share_of, workers) as pool:
        for outcome in pool.map(range(workers)):
            if isinstance(outcome.error, parallel.WorkerDied):
                # A share lost would leave its articles without near references: wrong
                # verdicts; leaving the pool stops the other workers.
                code = outcome.error.exitcode
                raise RuntimeError(f"a dedupe process died (exit code {code})") from None
            near.update(outcome.result())
    return near


def _near_share(
    index: DedupeIndex, day: _DayArrays, checked: list[Fingerprint], share: int, shares: int
) -> dict[int, list[tuple[int, float, float]]]:
    # Every ``shares``-th block of articles from ``share`` on: blocks hold about as many
    # pairs, and interleaving them gives each process as much work. Articles with no close
    # candidate get no entry: scoring them would find nothing.
    near: dict[int, list[tuple[int, float, float]]] = {}
    offset = index.frozen_count
    for first, stop in day.blocks(_PAIRS_A_PASS)[share::shares]:
        later, earlier = day.earlier_pairs(first, stop)
        jacs = day.jaccards(later, earlier)
        # near_among's own first filter, on all the block's pairs at once.
        close = _close(jacs, day.sizes[later], day.sizes[earlier])
        later, earlier, jacs = later[close], earlier[close], jacs[close]
        bounds = np.searchsorted(later, np.arange(first, stop + 1))
        frozen = index.frozen_hits(day.keys_of[first:stop])
        for i in range(first, stop):
            a, b = bounds[i - first], bounds[i - first + 1]
            fp = checked[i]
            if fp.size < MIN_SHINGLES or (a == b and not frozen[i - first]):
                continue
            docs = earlier[a:b]
            found = index.near_among(
                fp,
                index.frozen_candidates(day.keys_of[i]),
                docs + offset,
                jacs[a:b],
                day.sizes[docs],
                day.numbers[docs],
                day.names[docs],
            )
            if found:
                near[i] = found
    return near
