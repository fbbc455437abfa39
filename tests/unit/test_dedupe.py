import json
import os
import re
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import news_ingest.dedupe as dedupe
from demo.site import SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL, all_pages, seed_copy
from news_ingest.dedupe import (
    Candidate,
    DedupeIndex,
    Fingerprint,
    dedupe_day,
    load_seeds,
    normalize_text,
    seeds_digest,
)

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = load_seeds(str(PROJECT / "seeds"))
SEED_KEY = "seed:000_6e5a1f3359e505b1"
SEED_BODY = (PROJECT / "seeds" / "000_6e5a1f3359e505b1.txt").read_text().split("\n", 1)[1]
PAGES = {p.story.slug: p for p in all_pages()}
DAY = datetime(2026, 1, 1, tzinfo=UTC)


def _cand(slug: str, published: datetime | None = None) -> Candidate:
    page = PAGES.get(slug)
    story = page.story if page else seed_copy()
    when = published or (page.published if page else datetime(2026, 11, 19, 10, 45, tzinfo=UTC))
    return Candidate(slug, "\n".join(story.paragraphs), when, True)


def _verdicts(cands, seeds=SEEDS, history=(), history_ids=()):
    return dedupe_day(cands, seeds, history, history_ids)[0]


def test_normalisation_drops_boilerplate_dateline_byline_case_and_punctuation() -> None:
    text = "By Jane Doe\nBEIRUT (AFP) - The Army, said:\nAdvertisement\ninfo_icon\nIt’s “over”."
    assert normalize_text(text) == "the army said it s over"


def test_seed_is_loaded_with_its_stem_as_key() -> None:
    assert [fp.key for fp in SEEDS] == [SEED_KEY]


def test_seeds_in_json_lines_and_parquet_too(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\n" + SEED_BODY)
    (tmp_path / "more.jsonl").write_text(
        json.dumps({"id": "j1", "title": "t", "text": "x y"}) + "\n"
    )
    pq.write_table(
        pa.table({"id": ["p1"], "title": ["t"], "text": ["z"]}), tmp_path / "bulk.parquet"
    )
    assert [fp.key for fp in load_seeds(str(tmp_path))] == ["seed:a", "seed:p1", "seed:j1"]
    before = seeds_digest(str(tmp_path))
    (tmp_path / "a.txt").write_text("Title\nchanged")
    assert seeds_digest(str(tmp_path)) != before


def test_syndicated_copy_of_the_seed_is_a_near_duplicate_of_it() -> None:
    verdict = _verdicts([_cand(SEED_COPY_SLUG)])[SEED_COPY_SLUG]
    assert verdict.is_duplicate and verdict.kind == "near"
    assert verdict.duplicate_of == SEED_KEY
    assert verdict.similarity is not None and 0.5 < verdict.similarity < 1.0


def test_seed_without_its_ads_and_last_third_is_a_duplicate_of_the_seed() -> None:
    lines = [ln for ln in SEED_BODY.split("\n") if ln.strip() and ln.strip() != "Advertisement"]
    trimmed = "\n".join(lines[: len(lines) * 2 // 3])
    verdict = _verdicts([Candidate("t", trimmed, DAY, True)])["t"]
    assert verdict.duplicate_of == SEED_KEY


def test_wire_copy_is_a_duplicate_of_the_earlier_original() -> None:
    verdicts = _verdicts([_cand(WIRE_COPY), _cand(WIRE_ORIGINAL)])
    assert not verdicts[WIRE_ORIGINAL].is_duplicate
    assert verdicts[WIRE_COPY].duplicate_of == WIRE_ORIGINAL


def test_original_is_decided_by_publish_time_not_input_order() -> None:
    early = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
    verdicts = _verdicts([_cand(WIRE_ORIGINAL), _cand(WIRE_COPY, early)])
    assert verdicts[WIRE_ORIGINAL].duplicate_of == WIRE_COPY
    assert not verdicts[WIRE_COPY].is_duplicate


def test_no_story_of_the_demo_site_is_flagged_except_the_planted_copies() -> None:
    flagged = {k for k, v in _verdicts([_cand(s) for s in PAGES]).items() if v.is_duplicate}
    assert flagged == {WIRE_COPY, SEED_COPY_SLUG}


def test_trimmed_copy_is_caught_by_containment() -> None:
    story = PAGES[WIRE_ORIGINAL].story
    full = Candidate("full", "\n".join(story.paragraphs), DAY, True)
    half = Candidate("half", "\n".join(story.paragraphs[:3]), DAY + timedelta(hours=1), True)
    a, b = Fingerprint.of("full", full.text), Fingerprint.of("half", half.text)
    assert float((a.signature == b.signature).mean()) < 0.6  # Jaccard alone would miss it
    assert _verdicts([full, half], [])["half"].duplicate_of == "full"


TEMPLATE = (
    "The central bank held its benchmark rate at {r} percent on Tuesday, in line with what "
    "most economists polled had expected. Inflation eased to {i} percent in October from "
    "{p} percent a month earlier, the statistics office said in {city}. The bank will next "
    "meet in {m} weeks, and its governor said policy would stay data dependent."
)


def test_template_stories_with_different_numbers_are_not_merged() -> None:
    a = Candidate("a", TEMPLATE.format(r=11, i=6.2, p=6.9, m=6, city="Accra"), DAY, True)
    b = Candidate("b", TEMPLATE.format(r=9, i=4.1, p=4.4, m=8, city="Accra"), DAY, True)
    assert not _verdicts([a, b], [])["b"].is_duplicate


def test_template_stories_about_different_places_are_not_merged() -> None:
    text = (
        "Floods forced {n} families from their homes in {a} on Monday after the {r} River "
        "burst its banks, officials in {a} said. Emergency crews from {b} used boats to "
        "reach villages cut off by the water, and schools in {a} were closed for the week."
    )
    a = Candidate("a", text.format(n=300, a="Beledweyne", r="Shabelle", b="Jowhar"), DAY, True)
    b = Candidate("b", text.format(n=300, a="Kisumu", r="Nyando", b="Kericho"), DAY, True)
    assert not _verdicts([a, b], [])["b"].is_duplicate


def test_exact_copies_and_non_articles() -> None:
    text = "\n".join(PAGES[WIRE_ORIGINAL].story.paragraphs)
    verdicts = _verdicts(
        [
            Candidate("a", text, DAY, True),
            Candidate("b", "Advertisement\n" + text, DAY, True),
            Candidate("c", text, DAY, False),
        ],
        [],
    )
    assert verdicts["b"].duplicate_of == "a" and verdicts["b"].similarity == 1.0
    assert verdicts["b"].kind == "exact"
    assert not verdicts["c"].is_duplicate


def test_a_url_already_published_on_an_earlier_day_is_a_url_duplicate() -> None:
    verdict = _verdicts([_cand(WIRE_ORIGINAL)], history_ids=[WIRE_ORIGINAL])[WIRE_ORIGINAL]
    assert verdict.is_duplicate and verdict.kind == "url"


def test_history_is_checked_after_seeds_and_before_the_day() -> None:
    history = [Fingerprint.of("0123456789abcdef", "\n".join(PAGES[WIRE_ORIGINAL].story.paragraphs))]
    verdicts = _verdicts([_cand(WIRE_COPY), _cand(WIRE_ORIGINAL)], history=history)
    assert verdicts[WIRE_ORIGINAL].duplicate_of == "0123456789abcdef"
    assert verdicts[WIRE_COPY].duplicate_of == "0123456789abcdef"


def test_same_inputs_give_the_same_verdicts_in_any_order() -> None:
    cands = [_cand(slug) for slug in PAGES]
    assert _verdicts(cands) == _verdicts(list(reversed(cands)))


def test_stored_fingerprint_round_trips() -> None:
    fp = Fingerprint.of("0123456789abcdef", SEED_BODY)
    back = Fingerprint.from_stored(
        fp.key, fp.exact, fp.signature_bytes(), fp.size, fp.numbers_mask, fp.names_mask
    )
    assert (back.signature == fp.signature).all() and back == fp
    assert len(fp.signature_bytes()) == 640


def test_frozen_and_pending_references_give_the_same_verdicts() -> None:
    refs = [
        Fingerprint.of(f"{i:016x}", "\n".join(p.story.paragraphs))
        for i, p in enumerate(all_pages())
    ]
    probe = Fingerprint.of("probe", "\n".join(PAGES[WIRE_COPY].story.paragraphs))
    pending, frozen = DedupeIndex(), DedupeIndex()
    for fp in refs:
        pending.add(fp)
        frozen.add(fp)
    frozen.freeze()
    assert pending.check(probe) == frozen.check(probe)
    assert frozen.check(probe).is_duplicate
    assert frozen.memory_bytes() / len(refs) < 1024


def test_a_reference_added_after_another_documents_check_is_found_by_its_own_bands() -> None:
    original = Fingerprint.of("original", "\n".join(PAGES[WIRE_ORIGINAL].story.paragraphs))
    copy = Fingerprint.of("copy", "\n".join(PAGES[WIRE_COPY].story.paragraphs))
    other = Fingerprint.of("other", SEED_BODY)
    index = DedupeIndex()
    assert not index.check(other).is_duplicate
    index.add(original)
    verdict = index.check(copy)
    assert verdict.is_duplicate and verdict.duplicate_of == "original"
    index.add(other)
    assert index.check(Fingerprint.of("again", SEED_BODY)).duplicate_of == "other"


def _day_with_a_copy_of_a_copy() -> list[Candidate]:
    cands = [_cand(slug) for slug in PAGES]
    copy = PAGES[WIRE_COPY]
    again = [*copy.story.paragraphs, "This story was republished from a partner site."]
    later = copy.published + timedelta(hours=3)
    return [*cands, Candidate("copy-of-copy", "\n".join(again), later, True)]


def test_a_copy_of_a_copy_is_a_duplicate_of_the_original_not_of_the_copy() -> None:
    verdicts = _verdicts(_day_with_a_copy_of_a_copy())
    assert verdicts[WIRE_COPY].duplicate_of == WIRE_ORIGINAL
    assert verdicts["copy-of-copy"].duplicate_of == WIRE_ORIGINAL


def test_a_day_checked_on_two_processes_gets_the_same_verdicts(monkeypatch, tmp_path) -> None:
    history = [Fingerprint.of("0123456789abcdef", SEED_BODY)]
    day = [*_day_with_a_copy_of_a_copy(), _cand(SEED_COPY_SLUG)]
    one = dedupe_day(day, SEEDS, history, workers=1)[0]
    monkeypatch.setattr(dedupe, "PARALLEL_MIN_ARTICLES", 0)
    real_share = dedupe._near_share

    def spy(index, day, checked, share, shares):
        # The shares run in forked workers: each leaves a note where this process sees it.
        (tmp_path / f"{share}-{shares}-{os.getpid()}").touch()
        return real_share(index, day, checked, share, shares)

    monkeypatch.setattr(dedupe, "_near_share", spy)
    two = dedupe_day(day, SEEDS, history, workers=2)[0]
    notes = [name.split("-") for name in sorted(p.name for p in tmp_path.iterdir())]
    assert [note[:2] for note in notes] == [["0", "2"], ["1", "2"]]
    assert str(os.getpid()) not in {note[2] for note in notes}
    assert list(two.items()) == list(one.items())
    assert sum(v.is_duplicate for v in two.values()) >= 3


def _related_fingerprints(count: int, seed: int) -> list[Fingerprint]:
    """Stories over a small vocabulary, each with copies that are edited, trimmed or
    extended, so that many articles share band keys and some are near copies."""
    rng = np.random.default_rng(seed)
    words = [f"w{n}" for n in range(300)]
    texts: list[str] = []
    while len(texts) < count:
        story = list(rng.choice(words, size=int(rng.integers(20, 200))))
        story += [str(int(rng.integers(1, 999))), "Said", "Tripoli"]
        texts.append(" ".join(story))
        for _ in range(int(rng.integers(0, 6))):
            copy = list(story)
            for at in rng.choice(len(copy), size=int(rng.integers(0, len(copy) // 3 + 1))):
                copy[at] = str(rng.choice(words))
            cut = int(rng.integers(len(copy) // 4, len(copy) + 1))
            texts.append(" ".join(copy[:cut] + list(rng.choice(words, int(rng.integers(0, 40))))))
    return [Fingerprint.of(f"{n:016x}", text) for n, text in enumerate(texts[:count])]


def _near_references_one_by_one(
    index: DedupeIndex, checked: list[Fingerprint]
) -> dict[int, list[tuple[int, float, float]]]:
    # The definition: every earlier article sharing a band key, scored by near_among.
    keys = [set(dedupe.band_keys(fp.signature, fp.head).tolist()) for fp in checked]
    near = {}
    for i, fp in enumerate(checked):
        if fp.size < dedupe.MIN_SHINGLES:
            continue
        earlier = np.array([j for j in range(i) if keys[i] & keys[j]], dtype=np.int64)
        sigs = np.array([checked[j].signature for j in earlier]).reshape(-1, dedupe.NUM_PERM)
        found = index.near_among(
            fp,
            index.frozen_candidates(dedupe.band_keys(fp.signature, fp.head)),
            earlier + index.frozen_count,
            np.count_nonzero(sigs == fp.signature, axis=1) / dedupe.NUM_PERM,
            np.array([checked[j].size for j in earlier], dtype=np.int64),
            np.array([checked[j].numbers_mask for j in earlier], dtype=np.int64),
            np.array([checked[j].names_mask for j in earlier], dtype=np.int64),
        )
        if found:
            near[i] = found
    return near


@pytest.mark.parametrize(("block", "workers"), [(1 << 20, 1), (300, 1), (1, 1), (200, 2)])
def test_near_references_are_every_earlier_article_sharing_a_band_scored_one_by_one(
    monkeypatch, block: int, workers: int
) -> None:
    prints = _related_fingerprints(260, seed=1)
    index = DedupeIndex()
    for fp in prints[200:]:  # history: the frozen references, copies of the day's among them
        index.add(fp)
    index.freeze()
    day = prints[:200] + prints[210:215]
    monkeypatch.setattr(dedupe, "_PAIRS_A_PASS", block)
    monkeypatch.setattr(dedupe, "PARALLEL_MIN_ARTICLES", 0)
    expected = _near_references_one_by_one(index, day)
    assert dedupe._near_references_of_day(index, day, workers) == expected
    assert sum(map(len, expected.values())) >= 20
    assert any(doc < index.frozen_count for found in expected.values() for doc, *_ in found)


def test_a_dedupe_process_that_dies_fails_the_day_with_its_exit_code(monkeypatch) -> None:
    monkeypatch.setattr(dedupe, "PARALLEL_MIN_ARTICLES", 0)
    monkeypatch.setattr(dedupe, "_near_share", lambda *args: os._exit(3))
    with pytest.raises(RuntimeError, match=r"dedupe process died \(exit code 3\)"):
        dedupe_day(_day_with_a_copy_of_a_copy(), SEEDS, workers=2)


_NAME_BY_ONE_REGEX = re.compile(r"(?<![.!?]\s)\b([A-Z][a-z]{2,})\b")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="AZbqxyz Kk.!?,_1é\u00c9\u00a0\u212a\n\t'-", max_size=60))
def test_names_are_the_capitalised_words_one_regex_with_its_lookbehind_finds(text: str) -> None:
    # _names searches capitalised words and checks what precedes each in Python, where the
    # engine would check it at every character: the same names as the one regex.
    expected = [m.group(1).casefold() for m in _NAME_BY_ONE_REGEX.finditer(text) if m.start() > 0]
    assert list(dedupe._names(text)) == expected


def test_names_skip_the_first_word_of_the_text_and_of_each_sentence() -> None:
    text = (
        "Police said Mosul was calm. Troops left Erbil! Aid reached_Kirkuk and McDonald's."
        " Who fired? Rebels blamed Baghdad."
    )
    assert list(dedupe._names(text)) == ["mosul", "erbil", "baghdad"]


def test_shingle_hashes_are_the_crc32_of_each_three_words_in_text_order() -> None:
    # Stored fingerprints are never re-hashed: these values are the format history keeps.
    assert dedupe.shingle_hashes("troops shelled the town").tolist() == [
        zlib.crc32(b"troops shelled the"),
        zlib.crc32(b"shelled the town"),
    ]
    assert dedupe.shingle_hashes("two words").tolist() == [zlib.crc32(b"two words")]
    assert dedupe.shingle_hashes("").tolist() == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "kill", "é", "mosul", "12"]), max_size=12))
def test_shingle_hashes_hash_every_shingle_once_per_occurrence(words: list[str]) -> None:
    text = " ".join(words)
    grams = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)] or ([text] if text else [])
    hashes = dedupe.shingle_hashes(text)
    assert hashes.dtype == np.uint64
    assert hashes.tolist() == [zlib.crc32(g.encode()) for g in grams]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**32 - 1), max_size=80, unique=True),
    st.integers(1, dedupe.NUM_PERM),
)
def test_a_shorter_minhash_is_the_first_values_the_hash_family_defines(
    values: list[int], perms: int
) -> None:
    # The head signature is computed with its 32 permutations only: the values stored
    # must stay those of the first 32 of the 128, as the hash family defines them
    # ((a*h + b) wrapping at 2**64, mod 2**61 - 1, its low 32 bits; the minimum over h).
    hashes = np.array(values, dtype=np.uint64)
    prime, wrap = (1 << 61) - 1, 1 << 64
    expected = [
        min((((int(a) * h + int(b)) % wrap) % prime) & 0xFFFFFFFF for h in values)
        if values
        else 0xFFFFFFFF
        for a, b in zip(dedupe._A[:perms], dedupe._B[:perms], strict=True)
    ]
    assert dedupe.minhash(hashes, perms).tolist() == expected
    assert dedupe.minhash(hashes)[:perms].tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["mosul", "erbil", "12", "1000", "kirkuk", ""]), max_size=30))
def test_a_mask_sets_each_tokens_crc32_bit_however_often_it_recurs(tokens: list[str]) -> None:
    bits = 0
    for token in tokens:
        bits |= 1 << (zlib.crc32(token.encode()) & 63)
    expected = bits - (1 << 64) if bits >= 1 << 63 else bits
    assert dedupe._mask(iter(tokens)) == expected
