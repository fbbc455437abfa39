from datetime import UTC, datetime
from pathlib import Path

from demo.site import SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL, all_pages, seed_copy
from news_ingest.dedupe import (
    Candidate,
    Fingerprint,
    dedupe_day,
    load_seeds,
    normalize_text,
    similarity,
)

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = load_seeds(str(PROJECT / "seeds"))
PAGES = {p.story.slug: p for p in all_pages()}


def _cand(slug: str, published: datetime | None = None) -> Candidate:
    page = PAGES.get(slug)
    story = page.story if page else seed_copy()
    when = published or (page.published if page else datetime(2026, 11, 19, 10, 45, tzinfo=UTC))
    return Candidate(slug, "\n".join(story.paragraphs), when, True)


def test_normalisation_drops_boilerplate_dateline_case_and_punctuation() -> None:
    text = "BEIRUT (AFP) - The Army, said:\nAdvertisement\ninfo_icon\nIt’s “over”."
    assert normalize_text(text) == "the army said it s over"


def test_seed_is_loaded_with_its_stem_as_key() -> None:
    assert [fp.key for fp in SEEDS] == ["seed:000_6e5a1f3359e505b1"]


def test_syndicated_copy_of_the_seed_is_a_duplicate_of_it() -> None:
    verdict = dedupe_day([_cand(SEED_COPY_SLUG)], SEEDS)[SEED_COPY_SLUG]
    assert verdict.is_duplicate
    assert verdict.duplicate_of == "seed:000_6e5a1f3359e505b1"
    assert verdict.similarity is not None and 0.5 < verdict.similarity < 1.0


def test_wire_copy_is_a_duplicate_of_the_earlier_original() -> None:
    verdicts = dedupe_day([_cand(WIRE_COPY), _cand(WIRE_ORIGINAL)], SEEDS)
    assert not verdicts[WIRE_ORIGINAL].is_duplicate
    assert verdicts[WIRE_COPY].duplicate_of == WIRE_ORIGINAL


def test_original_is_decided_by_publish_time_not_input_order() -> None:
    early = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
    verdicts = dedupe_day([_cand(WIRE_ORIGINAL), _cand(WIRE_COPY, early)], SEEDS)
    assert verdicts[WIRE_ORIGINAL].duplicate_of == WIRE_COPY
    assert not verdicts[WIRE_COPY].is_duplicate


def test_distinct_stories_on_the_same_topic_are_both_originals() -> None:
    verdicts = dedupe_day(
        [_cand("el-fasher-market-shelling"), _cand("port-sudan-drone-strike")], SEEDS
    )
    assert not any(v.is_duplicate for v in verdicts.values())


def test_no_story_of_the_demo_site_is_flagged_except_the_planted_copies() -> None:
    cands = [_cand(slug) for slug in PAGES]
    flagged = {k for k, v in dedupe_day(cands, SEEDS).items() if v.is_duplicate}
    assert flagged == {WIRE_COPY, SEED_COPY_SLUG}


def test_trimmed_copy_is_caught_by_containment() -> None:
    story = PAGES[WIRE_ORIGINAL].story
    full = Candidate("full", "\n".join(story.paragraphs), datetime(2026, 1, 1, tzinfo=UTC), True)
    half = Candidate(
        "half", "\n".join(story.paragraphs[:3]), datetime(2026, 1, 2, tzinfo=UTC), True
    )
    a, b = Fingerprint.of("full", full.text), Fingerprint.of("half", half.text)
    jaccard, containment = similarity(a, b)
    assert jaccard < 0.6 and containment > 0.95
    assert dedupe_day([full, half], [])["half"].duplicate_of == "full"


def test_template_stories_with_different_numbers_are_not_merged() -> None:
    template = (
        "The central bank held its benchmark rate at {r} percent on Tuesday, in line with what "
        "most economists polled had expected. Inflation eased to {i} percent in October from "
        "{p} percent a month earlier, the statistics office said. The bank will next meet in "
        "{m} weeks, and its governor said policy would stay data dependent."
    )
    day = datetime(2026, 1, 1, tzinfo=UTC)
    a = Candidate("a", template.format(r=11, i=6.2, p=6.9, m=6), day, True)
    b = Candidate("b", template.format(r=9, i=4.1, p=4.4, m=8), day, True)
    assert not dedupe_day([a, b], [])["b"].is_duplicate


def test_non_articles_are_skipped_and_exact_copies_match_at_similarity_one() -> None:
    text = "\n".join(PAGES[WIRE_ORIGINAL].story.paragraphs)
    day = datetime(2026, 1, 1, tzinfo=UTC)
    verdicts = dedupe_day(
        [
            Candidate("a", text, day, True),
            Candidate("b", "Advertisement\n" + text, day, True),
            Candidate("c", text, day, False),
        ],
        [],
    )
    assert verdicts["b"].duplicate_of == "a" and verdicts["b"].similarity == 1.0
    assert not verdicts["c"].is_duplicate


def test_same_inputs_give_the_same_verdicts_in_any_order() -> None:
    cands = [_cand(slug) for slug in PAGES]
    assert dedupe_day(cands, SEEDS) == dedupe_day(list(reversed(cands)), SEEDS)
