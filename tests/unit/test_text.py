"""Boilerplate lines: the known list, short lines as candidates, and what a site repeats."""

from __future__ import annotations

from news_ingest.text import BoilerplateLearner, learn_boilerplate, short_lines, strip_boilerplate

PARAGRAPH = (
    "The council voted on Tuesday to close the old harbour road for repairs, a decision "
    "that shopkeepers on the waterfront said would cost them the busiest weeks of the year."
)


def _body(story: str) -> str:
    return "\n".join(
        [
            "  Sign up for the Harbour Gazette morning briefing  ",
            story,
            PARAGRAPH,
            "Photo: Harbour Gazette archive",
            "Read more",
        ]
    )


def test_short_lines_are_the_stripped_lines_of_at_most_twelve_words() -> None:
    lines = short_lines(_body("Ferry fares rise again.") + "\n\n   \nRead more")
    assert lines == {
        "Sign up for the Harbour Gazette morning briefing",
        "Ferry fares rise again.",
        "Photo: Harbour Gazette archive",
        "Read more",
    }
    twelve = " ".join(["word"] * 12)
    assert short_lines(f"{twelve}\n{twelve} more") == {twelve}


def test_a_site_learns_the_lines_most_of_its_bodies_repeat() -> None:
    bodies = [_body(f"Story number {n} about the harbour.") for n in range(4)]
    learner = BoilerplateLearner()
    for body in bodies[:3]:
        learner.add_lines(short_lines(body))
    learner.add(bodies[3])
    assert learner.learned() == {
        "Sign up for the Harbour Gazette morning briefing",
        "Photo: Harbour Gazette archive",
        "Read more",
    }
    assert learner.learned() == learn_boilerplate(bodies)
    # A line in only one body of four is the story's own.
    assert "Story number 0 about the harbour." not in learner.learned()


def test_fewer_bodies_than_the_minimum_teach_nothing() -> None:
    assert learn_boilerplate([_body("One."), _body("Two.")]) == set()


def test_stripping_drops_known_and_learned_lines_case_folded() -> None:
    body = _body("Ferry fares rise again.") + "\nADVERTISEMENT\nContinue reading."
    stripped = strip_boilerplate(body, {"photo: harbour gazette ARCHIVE"})
    assert stripped.splitlines() == [
        "  Sign up for the Harbour Gazette morning briefing  ",
        "Ferry fares rise again.",
        PARAGRAPH,
    ]


def test_a_learned_line_with_closing_punctuation_is_stripped() -> None:
    learned = learn_boilerplate([_body(f"Story {n}.") + "\nGet our app." for n in range(3)])
    assert "Get our app." in learned
    assert strip_boilerplate("Story 4.\nGet our app.", learned) == "Story 4."
