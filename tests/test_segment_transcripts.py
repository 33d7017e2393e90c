"""Transcripts: a press conference's questions and answers, one story per exchange.

The case file ``cases/segment/press_conference_transcript_one_story_per_exchange.txt``
checks the boundaries of a whole briefing; these tests check the rule's edges and what
enrichment makes of an exchange.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from digestsite.enrich import enrich_segment
from digestsite.model import Digest, Paragraph, Segment, Taxonomy
from digestsite.segment import explain_digest, segment_digest
from digestsite.text import speaker_turn


def _digest(lines: list[str]) -> Digest:
    return Digest(PurePosixPath("digests/t.txt"), tuple(Paragraph(i, t) for i, t in enumerate(lines)))


def test_speaker_turn_is_a_label_of_capitalised_words_and_a_colon() -> None:
    assert speaker_turn("Lusa: Boats were detained. When will they come home?") == ("Lusa", True)
    assert speaker_turn("Ana Ferreira: Our embassy has visited the crews.") == ("Ana Ferreira", False)
    assert speaker_turn("Q: Why now?") == ("Q", True)
    # prose that introduces a quotation is no turn
    assert speaker_turn('Henry told BBC Radio Five Live: "Do you want it?"') is None
    assert speaker_turn('Mr Opik said: "How is anyone to know?"') is None
    assert speaker_turn("A plain sentence asking nothing?") is None


INTERVIEW = [
    "The novelist Clara Mendes has published her first book in ten years, a family saga set in the vineyards of the Douro valley. She spoke to us about memory, landscape and the long silence.",
    "Q: Why did it take ten years to write this book?",
    "A: I wrote three other novels in that time and threw them all away. None of them was honest enough.",
    "Q: How much of the family in the book is your own?",
    "A: More than my mother would like. The house, the river and the harvests are all real.",
    "Q: What are you working on now?",
    "A: A short book about my grandfather, who kept bees. I hope it takes less than ten years.",
]


def test_an_interview_with_one_questioner_stays_one_story() -> None:
    assert [s.start for s in segment_digest(_digest(INTERVIEW))] == [0]
    assert not any(c.name == "opens_exchange" for d in explain_digest(_digest(INTERVIEW)) for c in d.cues)


def test_a_new_questioner_after_an_answer_opens_an_exchange() -> None:
    lines = [
        "Ana Ferreira: Good morning. The foreign minister will travel to Luanda on Thursday for a ministerial meeting.",
        "Reuters: The European Commission proposed new rules on migration on Monday. Will the government support them?",
        "Ana Ferreira: We are studying the proposal and will make our views known in the Council.",
        "Reuters: Will the government at least back the part on border checks?",  # a follow-up: same questioner
        "Ana Ferreira: I have nothing to add to what I said.",
        "Lusa: Several fishing boats were detained off the coast of Mauritania. When will the crews come home?",
        "Ana Ferreira: Our embassy has visited the crews, and all of them are in good health.",
    ]
    decisions = explain_digest(_digest(lines))
    opened = [d.line for d in decisions if any(c.name == "opens_exchange" for c in d.cues)]
    assert opened == [1, 5]
    starts = [s.start for s in segment_digest(_digest(lines))]
    assert 5 in starts and 3 not in starts


def test_an_exchange_is_headed_by_the_question_not_by_who_asked() -> None:
    texts = (
        "Deutsche Welle: There are reports that a citizen was arrested in Caracas at the weekend. Can you confirm the arrest?",
        "Ana Ferreira: I can confirm that our consulate has been informed of the detention of a citizen.",
    )
    segment = Segment(PurePosixPath("d.txt"), 0, 2, tuple(Paragraph(i, t) for i, t in enumerate(texts)), ())
    article = enrich_segment(segment, Taxonomy(()))
    assert "Deutsche" not in article.title and "Caracas" in article.title
    assert "Deutsche Welle" not in article.tags
    assert article.standfirst.startswith("Deutsche Welle: There are reports")
