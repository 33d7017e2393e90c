"""Tests of digestsite.segment: each cue, the seed against its gold file, case files, corrections, properties."""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digestsite import segment
from digestsite.model import Digest, Paragraph, SplitCorrection, Subhead
from digestsite.segment import explain_digest, find_subheads, matching_line, segment_digest
from digestsite.read import read_digest
from digestsite.text import strip_dateline, words
from support import WIRE_STORIES, shared_path, write_brief_digests

CASES = Path(__file__).resolve().parent / "cases" / "segment"


def make_digest(lines: list[str], name: str = "digests/test.txt") -> Digest:
    paragraphs = tuple(Paragraph(i, text) for i, text in enumerate(lines) if text.strip())
    return Digest(PurePosixPath(name), paragraphs)


def paragraphs_of(*texts: str) -> list[Paragraph]:
    return [Paragraph(i, text) for i, text in enumerate(texts)]


def last_gap(*texts: str):
    """The gap before the last of ``texts``, with windows computed over all of them."""
    return segment.digest_gaps(paragraphs_of(*texts))[-1]


LEDE = "Mayor Helen Ortiz of Northbridge on Tuesday approved a plan to rebuild the old river bridge."
STORY = (
    "The bridge has been closed since a flood damaged its supports, and the council said the works "
    "would cost about 40 million dollars."
)


# ---------------------------------------------------------------------------
# cues, one by one


@pytest.mark.parametrize(
    ("cue", "text", "expected"),
    [
        ("pronoun_opener", "She said the work would start in May.", 1.0),
        ("pronoun_opener", "Engineers said the work would start in May.", 0.0),
        ("connective_opener", "However, the council said the work would start in May.", 1.0),
        ("connective_opener", "Residents said the work would start in May.", 0.0),
        ("connective_early", "Residents, however, said the work would start in May.", 1.0),
        ("definite_opener", "The council said the work would start in May.", 1.0),
        ("indefinite_opener", "A new study of river bridges was published in Lisbon on Monday.", 1.0),
        ("honorific_opener", "Mr Ortiz said the work would start in May.", 1.0),
        ("quote_opener", '"We will start in May," the mayor said.', 1.0),
        ("quote_opener", "“We will start in May,” the mayor said.", 1.0),
        ("unresolved_pronoun", "In a speech he said the work would start in May.", 1.0),
        ("unresolved_pronoun", "Engineer Paul Amos said his team would start in May.", 0.0),
        ("single_sentence", "The work starts in May.", 1.0),
        ("single_sentence", "The work starts in May. It ends in June.", 0.0),
        ("lede_length", LEDE, 1.0),
        ("lede_length", "It ends in June.", 0.0),
        ("fragment", "Hollow Lane Ground", 1.0),
        ("fragment", LEDE, 0.0),
        ("name_list", "Perez, Adeyemi, Kowalski, Brandt, Oyelaran, Fischer, Moreau.", 1.0),
        ("time_phrase", "Officials met on Tuesday to discuss the plan for the bridge.", 1.0),
        ("time_phrase", "Officials met to discuss the plan for the bridge.", 0.0),
        ("lede_tense", "The government has approved a plan to rebuild the bridge.", 1.0),
        ("narrative_tense", "The engineer said the supports were weak.", 1.0),
        ("lead_in_opener", "In a statement, the ministry welcomed the plan.", 1.0),
        ("dateline", "LONDON (Reuters) - Britain's economy grew faster than expected.", 1.0),
        ("dateline", "WASHINGTON, May 3 (AP) -- The Senate passed the bill.", 1.0),
        ("dateline", "TEAM NEWS - Riverside against Hillford.", 0.0),
        ("dateline", "HONG KONG/SINGAPORE, May 3 (Reuters) - Asian shares rose on Friday.", 1.0),
        ("dateline", "Tokyo, May 3 (Kyodo) -- Japan's cabinet approved the budget.", 1.0),
        ("dateline", "Sao Paulo - Brazil's central bank raised its main rate.", 0.0),
        ("dateline", "(Bloomberg) -- Copper rose to a two-week high in London.", 1.0),
        ("dateline", "(Updated at 10:40) - Copper rose to a two-week high in London.", 0.0),
        ("signoff", "(Reporting by Ann Lee in London; Editing by Tom Ray and Sue Ng)", 1.0),
        ("signoff", "Associated Press writer Ann Lee in Madrid contributed to this report.", 1.0),
        ("signoff", "Reporting by the BBC suggests the plan will fail.", 0.0),
        ("signoff", "- ENDS -", 1.0),
        ("signoff", "###", 1.0),
        ("signoff", "Ends of the earth", 0.0),
        ("dateline", "Ana Duarte (Labour) - the new chair - approved the plan.", 0.0),
        ("no_names", "the work would start in May, officials said.", 1.0),
        ("role_introduction", "Olympic champion Ana Duarte has won a seat on the council.", 1.0),
        ("role_introduction", "Ana Duarte, the new chair of the council, has approved the plan.", 1.0),
        ("role_introduction", "On Tuesday Ana Duarte approved the plan.", 0.0),
        ("role_introduction", "Ana Duarte approved the plan.", 0.0),
    ],
)
def test_cue_on_the_last_paragraph(cue: str, text: str, expected: float) -> None:
    gap = last_gap(LEDE, STORY, text)
    assert segment.CUES[cue](gap) == expected


def test_cue_quote_running_when_the_paragraph_before_leaves_a_quotation_open() -> None:
    assert segment.cue_quote_running(last_gap(LEDE, '"We will rebuild it. We promise.', '"It is our duty."')) == 1.0
    assert segment.cue_quote_running(last_gap(LEDE, '"We will rebuild it," she said.', "Work starts soon.")) == 0.0


def test_cue_after_fragment_follows_a_short_line() -> None:
    assert segment.cue_after_fragment(last_gap(LEDE, "Hollow Lane Ground", STORY)) == 1.0
    assert segment.cue_after_fragment(last_gap(LEDE, STORY, STORY)) == 0.0


def test_cue_names_seen_before_and_short_name_reference() -> None:
    back = last_gap(LEDE, STORY, "Ortiz said the council would meet again in June to choose a builder.")
    fresh = last_gap(LEDE, STORY, "Chipmaker Lumora Systems opened a factory in Varenna on Wednesday.")
    assert segment.cue_names_seen_before(back) == 1.0
    assert segment.cue_short_name_reference(back) == 1.0
    assert segment.cue_names_seen_before(fresh) == 0.0
    assert segment.cue_short_name_reference(fresh) == 0.0
    assert segment.cue_names_remembered(back) > segment.cue_names_remembered(fresh)


def test_cue_new_full_name_needs_an_unseen_multi_word_name() -> None:
    fresh = last_gap(LEDE, STORY, "Chipmaker Lumora Systems opened a factory in Varenna on Wednesday.")
    repeated = last_gap(LEDE, STORY, "Helen Ortiz said the council would meet again in June.")
    assert segment.cue_new_full_name(fresh) == 1.0
    assert segment.cue_new_full_name(repeated) == 0.0


def test_cue_names_carried_forward_rewards_a_lede_whose_names_return() -> None:
    texts = [LEDE, STORY, "Chipmaker Lumora Systems opened a factory in Varenna on Wednesday.",
             "Lumora said the Varenna plant would make memory chips."]
    gap = segment.digest_gaps(paragraphs_of(*texts))[1]  # before the Lumora lede
    assert segment.cue_names_carried_forward(gap) == 0.5  # Lumora and Varenna of four name tokens
    lonely = segment.digest_gaps(paragraphs_of(LEDE, texts[2], STORY))[1]
    assert segment.cue_names_carried_forward(lonely) == 0.0


def test_lexical_cues_are_higher_within_a_story_than_across_stories() -> None:
    bridge = [LEDE, STORY, "The bridge supports will be rebuilt with steel, the council said of the bridge works."]
    chips = ["Chipmaker Lumora opened a memory chip factory, making chips for phones and cars.",
             "The chip factory will employ 2,000 people making memory chips."]
    gaps = segment.digest_gaps(paragraphs_of(*bridge, *chips))
    within, across = gaps[1], gaps[2]  # before paragraph 2 (bridge) and paragraph 3 (chips)
    for cue in (segment.cue_lexical_cohesion, segment.cue_wide_cohesion, segment.cue_back_link):
        assert cue(within) > cue(across), cue.__name__
    assert segment.cue_forward_link(across) > 0.0
    assert segment.cue_cohesion_depth(across) >= segment.cue_cohesion_depth(within)
    assert segment.cue_wide_cohesion_depth(across) >= 0.0


def test_chain_cues_are_higher_within_a_story_than_across_stories() -> None:
    bridge = [LEDE, STORY, "Ortiz said the bridge supports would be rebuilt with steel by the council."]
    chips = ["Chipmaker Lumora Systems opened a memory chip factory in Varenna on Wednesday.",
             "Lumora said the Varenna chip factory will employ 2,000 people making memory chips."]
    gaps = segment.digest_gaps(paragraphs_of(*bridge, *chips))
    within, across = gaps[1], gaps[2]  # before paragraph 2 (bridge) and paragraph 3 (chips)
    assert segment.cue_chains(within) > segment.cue_chains(across)
    assert segment.cue_name_chains(within) > segment.cue_name_chains(across) == 0.0
    assert segment.cue_chain_depth(across) >= segment.cue_chain_depth(within)


def test_leaning_cues_tell_a_lede_from_a_closing_paragraph() -> None:
    chips = ["Chipmaker Lumora Systems opened a memory chip factory in Varenna on Wednesday.",
             "Lumora said the Varenna chip factory will employ 2,000 people making memory chips."]
    gaps = segment.digest_gaps(paragraphs_of(LEDE, STORY, *chips))
    at_lede, after_lede = gaps[1], gaps[2]
    assert segment.cue_leans_forward(at_lede) > 0.0  # the lede's words come back after it
    assert segment.cue_previous_leans_forward(at_lede) < 0.0  # the bridge story's last paragraph looks back
    assert segment.cue_previous_leans_forward(after_lede) > 0.0  # one line after a lede is inside the story


def test_link_cues_compare_a_paragraph_with_its_immediate_neighbours() -> None:
    chips = ["Chipmaker Lumora Systems opened a memory chip factory in Varenna on Wednesday.",
             "Lumora said the Varenna chip factory will employ 2,000 people making memory chips."]
    gaps = segment.digest_gaps(paragraphs_of(LEDE, STORY, *chips))
    at_lede, after_lede = gaps[1], gaps[2]
    assert segment.cue_link_next(at_lede) > 0.0  # the next line unpacks the lede
    assert segment.cue_link_previous(at_lede) == 0.0  # nothing shared with the bridge story
    assert segment.cue_link_previous(after_lede) == segment.cue_link_next(at_lede)
    assert segment.cue_link_next(after_lede) == 0.0  # the digest's last paragraph has no next one


def test_chain_weights_count_only_nearby_repeats() -> None:
    idf = {"bridge": 1.0, "chip": 2.0}
    chains = segment._chains([{"bridge"}, {"chip"}, {"bridge", "chip"}], idf, [10, 10, 10], max_words=15)
    assert chains.backward == [0.0, 0.0, 3.0] and chains.forward == [1.0, 2.0, 0.0]
    assert chains.spanning[2] == pytest.approx(math.log1p(3.0))  # both chains span the gap before paragraph 2
    far = segment._chains([{"bridge"}, {"chip"}, {"bridge"}], idf, [10, 10, 10], max_words=5)
    assert far.backward == [0.0, 0.0, 0.0]


def test_cue_after_attribution_follows_a_closing_said() -> None:
    assert segment.cue_after_attribution(last_gap(LEDE, '"We will rebuild it," Ortiz said.', STORY)) == 1.0
    assert segment.cue_after_attribution(last_gap(LEDE, "The works will take a year.", STORY)) == 0.0


def test_cue_references_across_counts_short_names_of_people_met_before_the_gap() -> None:
    lines = [LEDE, STORY, "Engineers said the supports were weak.", "Ortiz said the council would meet in June."]
    gaps = segment.digest_gaps(paragraphs_of(*lines))
    assert segment.cue_references_across(gaps[1]) > 0.0  # "Ortiz" two lines on; "Helen Ortiz" before the gap
    fresh = ["Chipmaker Lumora Systems opened a factory in Varenna on Wednesday.",
             "Lumora said the plant would make memory chips."]
    gap = segment.digest_gaps(paragraphs_of(LEDE, STORY, *fresh))[1]
    assert segment.cue_references_across(gap) == 0.0  # "Lumora" was introduced after the gap


def test_full_name_introduces_only_a_name_not_already_in_use_alone() -> None:
    facts = segment._digest_facts(paragraphs_of(
        "China said the talks went well.", "Officials in Southwest China praised the talks.",
        "China will host the next round.", "Ada Okafor chaired the talks.", "Okafor said more would follow."))
    sources = segment._full_name_sources(facts, [f.word_count for f in facts])
    assert sources[2] == []  # "Southwest China" after "China" introduces nobody
    assert sources[4] == [3]  # "Okafor" points to "Ada Okafor"


def test_cue_new_cast_after_quote_needs_a_closing_quotation_and_a_new_name() -> None:
    quote = '"We will rebuild it," Ortiz said.'
    fresh = "Chipmaker Lumora Systems opened a factory in Varenna on Wednesday."
    assert segment.cue_new_cast_after_quote(last_gap(LEDE, STORY, quote, fresh)) == 1.0
    assert segment.cue_new_cast_after_quote(last_gap(LEDE, STORY, quote, "The council will meet in June.")) == 0.0
    assert segment.cue_new_cast_after_quote(last_gap(LEDE, STORY, fresh)) == 0.0


def test_window_ranges_match_a_direct_search() -> None:
    def direct(counts, backward, max_words, max_paragraphs):
        ranges = []
        for i in range(len(counts) + 1):
            end, total = i, 0
            if backward:
                while end > 0 and total < max_words and i - end < max_paragraphs:
                    end -= 1
                    total += counts[end]
                ranges.append((end, i))
            else:
                while end < len(counts) and total < max_words and end - i < max_paragraphs:
                    total += counts[end]
                    end += 1
                ranges.append((i, end))
        return ranges

    counts = [0, 5, 130, 0, 0, 40, 40, 40, 3, 400, 1, 1, 1, 1, 1, 1, 1, 1, 1, 60, 0]
    for backward in (True, False):
        for max_words, max_paragraphs in ((1, 1), (50, 3), (120, 8), (400, 30)):
            assert segment._window_ranges(counts, backward, max_words, max_paragraphs) == direct(
                counts, backward, max_words, max_paragraphs)


def test_cue_granularity_grows_with_paragraph_length() -> None:
    short = last_gap("One two three.", "Four five six.")
    long = last_gap(LEDE + " " + STORY, STORY + " " + STORY)
    assert segment.cue_granularity(long) > segment.cue_granularity(short)


def test_every_cue_has_a_weight_and_a_docstring() -> None:
    weights = segment._model().weights
    for name, cue in segment.CUES.items():
        assert name in weights
        assert cue.__doc__, name


# ---------------------------------------------------------------------------
# subheads


def test_find_subheads_line_heading_between_running_text() -> None:
    found = find_subheads(paragraphs_of(LEDE, STORY, "Firm opposition", STORY))
    assert found == [Subhead("Firm opposition", 2, "line")]


def test_find_subheads_quoted_line_heading() -> None:
    found = find_subheads(paragraphs_of(LEDE, STORY, "'Futile attempt'", STORY))
    assert found == [Subhead("'Futile attempt'", 2, "line")]


def test_find_subheads_glued_heading_is_the_suffix_of_its_paragraph() -> None:
    glued = STORY + " Connect ethnic culture with fashion"
    found = find_subheads(paragraphs_of(LEDE, glued, STORY))
    assert found == [Subhead("Connect ethnic culture with fashion", 1, "glued")]
    assert glued.endswith(found[0].text)


@pytest.mark.parametrize(
    "line",
    ["Hollow Lane Ground", "Friday, 4 June", "1930 GMT", "Anna Lowe (North Riding)", "CHAMPIONS (twice)",
     "MATCH FACTS", "away to the champions in the semi-finals", "In his budget the minister has:",
     "The council said it would pay", "Ends", "ENDS", "About",
     # one word alone may be a heading ("Background"), but as often a credit ("Xinhua", "Reuters")
     # under a story, and a heading holds the stories around it together
     "Background", "Xinhua"],
)
def test_find_subheads_rejects_table_rows_names_and_clauses(line: str) -> None:
    assert find_subheads(paragraphs_of(LEDE, STORY, line, STORY)) == []


@pytest.mark.parametrize("line", ["About Acme Corp", "About the Ministry of Health"])
def test_find_subheads_takes_a_release_s_about_headings(line: str) -> None:
    assert find_subheads(paragraphs_of(LEDE, STORY, line, STORY)) == [Subhead(line, 2, "line")]


@pytest.mark.parametrize("variant", ["digests", "digests_resplit"])
def test_no_subheading_is_invented_in_the_bbc_digests(variant: str) -> None:
    found = [(path.name, s.subheads) for path in sorted(shared_path(f"corpora/bbc/{variant}").glob("*.txt"))
             for s in segment_digest(read_digest(path, relative_to=path.parent)) if s.subheads]
    assert found == []


def test_find_subheads_never_on_first_or_last_paragraph() -> None:
    assert find_subheads(paragraphs_of("Firm opposition", STORY, STORY)) == []
    assert find_subheads(paragraphs_of(LEDE, STORY + " Return to the village")) == []


def test_a_heading_is_never_split_from_its_section() -> None:
    lines = [LEDE, STORY, "Chipmaker Lumora Systems opened a factory in Varenna on Wednesday.", STORY]
    lines.insert(2, "Firm opposition")
    starts = [s.start for s in segment_digest(make_digest(lines))]
    assert 2 not in starts and 3 not in starts


def test_wire_stories_split_after_their_credit_lines() -> None:
    """The same stories without datelines (their words alone do not part them): an agency's
    credit line at the end of each parts them, and stays with the story it closes."""
    lines = []
    for reporter, story in zip(["Ann Lee", "Bo Chen", "Carl Dunn", "Dana Evans"], WIRE_STORIES):
        lines += [strip_dateline(story[0]), *story[1:], f"(Reporting by {reporter}; Editing by Tom Ray)"]
    assert [s.start for s in segment_digest(make_digest(lines))] == [0, 6, 12, 18]


@pytest.mark.parametrize("header", ["By {}", "FOR IMMEDIATE RELEASE", "PRESS RELEASE: {}"])
def test_stories_split_at_the_header_lines_above_them(header: str) -> None:
    lines = []
    for reporter, story in zip(["Ann Lee", "Bo Chen", "Carl Dunn", "Dana Evans"], WIRE_STORIES):
        lines += [header.format(reporter), strip_dateline(story[0]), *story[1:]]
    assert [s.start for s in segment_digest(make_digest(lines))] == [0, 6, 12, 18]


@pytest.mark.parametrize("credit", ["Editor: Zhang Lin", "Source: Xinhua | Editor: Zhang Lin", "(Source: China Daily)",
                                    "Editor: 李明", "Edited by Tom Ray"])
def test_stories_split_after_a_labelled_credit_line(credit: str) -> None:
    lines = []
    for story in WIRE_STORIES:
        lines += [strip_dateline(story[0]), *story[1:], credit]
    assert [s.start for s in segment_digest(make_digest(lines))] == [0, 6, 12, 18]


@pytest.mark.parametrize("line", ["Sources: officials said the plan was dead", "Reporter: What is your comment?",
                                  "Source: the ministry said prices rose."])
def test_a_sentence_after_a_label_is_no_credit_line(line: str) -> None:
    assert not segment._SIGNOFF.match(line)


def test_a_photo_caption_goes_with_the_story_under_it() -> None:
    lines = []
    for story in WIRE_STORIES:
        lines += [f"FILE - {strip_dateline(story[0])[:60]} (AP Photo/Ann Lee, File)", *story]
    segments = segment_digest(make_digest(lines))
    assert [s.start for s in segments] == [0, 6, 12, 18]


@pytest.mark.parametrize("mark", ["- ENDS -", "ENDS", "###", "-30-"])
def test_press_releases_split_after_their_end_marks(mark: str) -> None:
    lines = []
    for story in WIRE_STORIES:
        lines += [strip_dateline(story[0]), *story[1:], mark]
    assert [s.start for s in segment_digest(make_digest(lines))] == [0, 6, 12, 18]


def test_prior_shift_raises_the_prior_only_for_shorter_stories() -> None:
    words = 20 * 101  # 101 paragraphs of 20 words: the learned rate is one start in 15 gaps
    confident_starts = [0.0] + ([6.0] + [-8.0] * 4) * 20  # one start in five gaps
    fewer_than_learned = [0.0] + ([6.0] + [-8.0] * 19) * 5  # one start in twenty
    assert segment.prior_shift(confident_starts, words) > 1.0
    assert segment.prior_shift(fewer_than_learned, words) == 0.0
    assert segment.prior_shift([0.0] + [-30.0] * 100, words) == 0.0  # never negative
    assert segment.prior_shift([0.0], 20) == 0.0
    assert segment.prior_shift([0.0] + [60.0] * 100, words) < 25.0  # all starts: large, finite


def test_prior_shift_on_lines_of_whole_stories_reaches_the_rate_their_length_implies() -> None:
    scores = [0.0] + [-2.0, -6.0] * 50  # lines of 400 words: about a story each, scored as if not
    shift = segment.prior_shift(scores, 400 * len(scores))
    probability = sum(segment._sigmoid(score + shift) for score in scores[1:]) / (len(scores) - 1)
    assert probability == pytest.approx(segment._MAX_LINE_RATE, abs=1e-6)
    assert segment.prior_shift(scores, 200 * len(scores)) == 0.0  # 200 words a line: the scores decide
    assert segment.prior_shift([0.0] + [20.0] * 100, 400 * 101) == 0.0  # the scores already say so


def test_explain_shows_the_short_stories_prior(tmp_path: Path) -> None:
    brief = next(write_brief_digests(tmp_path, 130).glob("*.txt"))
    decisions = explain_digest(make_digest(brief.read_text(encoding="utf-8").splitlines()))
    shifts = {cue.value for decision in decisions[1:] for cue in decision.cues if cue.name == "short_stories"}
    assert len(shifts) == 1 and shifts.pop() > 0
    assert not any(cue.name == "short_stories" for cue in decisions[0].cues)
    assert all(abs(d.score - sum(c.value for c in d.cues)) < 1e-9 for d in decisions)


def test_wire_stories_split_at_their_datelines() -> None:
    """Four short stories of one desk: without their datelines the words alone do not part them
    (the model knows longer stories), so the datelines, in four forms, must."""
    lines = [line for story in WIRE_STORIES for line in story]
    starts = [s.start for s in segment_digest(make_digest(lines))]
    assert starts == [0, 5, 10, 15]


# ---------------------------------------------------------------------------
# the seed against its gold file


def test_seed_digest_matches_gold_boundaries_and_subheads() -> None:
    folder = shared_path("seed")
    gold_path = next(folder.glob("*.gold.json"))
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    lines = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt")).read_text(encoding="utf-8")
    digest = make_digest(lines.splitlines())
    segments = segment_digest(digest)
    assert [(s.start, s.end) for s in segments] == [(a["start"], a["end"]) for a in gold["articles"]]
    for seg, article in zip(segments, gold["articles"]):
        expected = [Subhead(h["text"], h["line"], h["kind"]) for h in article["subheads"]]
        assert list(seg.subheads) == expected
        assert find_subheads(seg.paragraphs) == expected


# ---------------------------------------------------------------------------
# case files: digest lines, "--- expect ---", the expected JSON


def read_case(path: Path) -> tuple[Digest, dict]:
    body, expected = path.read_text(encoding="utf-8").split("--- expect ---\n")
    return make_digest(body.splitlines(), f"cases/{path.name}"), json.loads(expected)


@pytest.mark.parametrize("case", sorted(CASES.glob("*.txt")), ids=lambda p: p.stem)
def test_case_file(case: Path) -> None:
    digest, expected = read_case(case)
    segments = segment_digest(digest)
    assert [s.start for s in segments] == expected["starts"]
    found = [{"text": h.text, "line": h.line, "kind": h.kind} for s in segments for h in s.subheads]
    assert found == expected["subheads"]


def test_case_files_exist() -> None:
    assert len(list(CASES.glob("*.txt"))) >= 5


# ---------------------------------------------------------------------------
# digests of briefs: a second model, and when a digest is read with it


OBITUARIES = CASES / "obituaries_of_a_few_lines_each.txt"


def test_a_digest_of_briefs_is_read_by_the_briefs_model_and_says_so() -> None:
    digest, expected = read_case(OBITUARIES)
    decisions = explain_digest(digest)
    assert [d.line for d in decisions if d.boundary] == expected["starts"]
    assert "briefs" in {cue.name for cue in decisions[0].cues}


def test_the_seed_and_marked_briefs_are_read_by_the_stories_model() -> None:
    seed = read_digest(next(shared_path("seed").glob("*.txt")), relative_to=shared_path("seed"))
    assert "briefs" not in {cue.name for cue in explain_digest(seed)[0].cues}
    # briefs under datelines say where they start: a start without a mark is no likelier there
    wire, _ = read_case(CASES / "dateline_starts_article.txt")
    assert "briefs" not in {cue.name for cue in explain_digest(wire)[0].cues}


def test_without_a_briefs_model_the_stories_model_reads_every_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """(A weights file from before the briefs model.) The stories model alone runs three of the
    five obituaries together: the length it learned, 376 words a story, outweighs their ledes."""
    monkeypatch.setattr(segment, "_briefs", lambda: None)
    digest, _ = read_case(OBITUARIES)
    assert [s.start for s in segment_digest(digest)] == [0, 5, 20]
    assert "briefs" not in {cue.name for cue in explain_digest(digest)[0].cues}


# ---------------------------------------------------------------------------
# corrections


TWO_STORIES = (CASES / "two_stories_pronouns_continue_new_lede_starts.txt").read_text(encoding="utf-8")
TWO_STORY_LINES = TWO_STORIES.split("--- expect ---\n")[0].splitlines()


def test_split_correction_forces_a_boundary() -> None:
    digest = make_digest(TWO_STORY_LINES)
    split = SplitCorrection("split", "She added that the council")
    assert [s.start for s in segment_digest(digest, [split])] == [0, 3, 6]
    decision = explain_digest(digest, [split])[3]
    assert decision.boundary and decision.forced == "split"


def test_join_correction_forbids_a_boundary() -> None:
    digest = make_digest(TWO_STORY_LINES)
    join = SplitCorrection("join", "semiconductor maker LUMORA   systems")
    assert [s.start for s in segment_digest(digest, [join])] == [0]
    assert explain_digest(digest, [join])[6].forced == "join"


def test_matching_line_folds_curly_quotes_case_space_and_unicode() -> None:
    digest = make_digest(["Intro line here.", "“We will rebuild it,” said the mayor of Café Town."])
    assert matching_line(digest, SplitCorrection("split", '"we will  REBUILD it," said')) == 1
    assert matching_line(digest, SplitCorrection("split", "“We will rebuild it,” said the mayor of Cafe\u0301")) == 1
    assert matching_line(digest, SplitCorrection("split", "no such opening")) is None


def test_matching_line_respects_the_correction_digest() -> None:
    digest = make_digest(TWO_STORY_LINES, "digests/a.txt")
    assert matching_line(digest, SplitCorrection("split", "The council said", digest="digests/a.txt")) == 5
    assert matching_line(digest, SplitCorrection("split", "The council said", digest="digests/b.txt")) is None


# ---------------------------------------------------------------------------
# explain_digest


def test_explain_digest_gives_one_decision_per_paragraph_with_cues() -> None:
    digest = make_digest(TWO_STORY_LINES)
    decisions = explain_digest(digest)
    assert [d.line for d in decisions] == [p.line for p in digest.paragraphs]
    assert all(d.cues for d in decisions)
    starts = [s.start for s in segment_digest(digest)]
    assert [d.line for d in decisions if d.boundary] == starts
    scored = decisions[6]
    assert scored.score == pytest.approx(sum(c.value for c in scored.cues))
    assert {c.name for c in scored.cues} >= {"bias", "lexical_cohesion"}


def test_explain_digest_marks_the_subhead() -> None:
    digest, _ = read_case(CASES / "line_subhead_between_paragraphs.txt")
    decisions = explain_digest(digest)
    assert decisions[3].subhead == Subhead("Roads and rail", 3, "line")
    assert not decisions[3].boundary and not decisions[4].boundary


def test_empty_digest_gives_no_segments() -> None:
    assert segment_digest(make_digest([])) == []
    assert explain_digest(make_digest(["", "  "])) == []


def test_decoder_obeys_forced_actions() -> None:
    model = segment._model()
    scores = [0.0, 9.0, -9.0, 9.0]
    assert segment.decode_boundaries(scores, [200] * 4, ["", "join", "split", ""], model) == [True, False, True, True]


def test_decoder_lets_a_marked_story_be_short() -> None:
    """Three 50-word briefs, each opening on its own mark (a dateline): unmarked, the short-
    article prior outweighs their starts' scores; marked, they stand as three articles."""
    model = segment._Model(0.0, {}, 0.0, 100, 8.0, 600, 0.0)
    scores = [0.0, -5.0, -5.0, 3.0, -5.0, -5.0, 3.0, -5.0, -5.0]
    words_ = [17] * 9
    assert segment.decode_boundaries(scores, words_, [""] * 9, model) == [True] + [False] * 8
    marked = ["marked", "", "", "marked", "", "", "marked", "", ""]
    assert [i for i, b in enumerate(segment.decode_boundaries(scores, words_, marked, model)) if b] == [0, 3, 6]


def test_decoder_long_article_prior_splits_a_merged_pair() -> None:
    flat = segment._Model(0.0, {}, 0.0, 100, 8.0, 600, 0.0)
    prior = segment._Model(0.0, {}, 0.0, 100, 8.0, 600, 4.0)
    scores = [0.0] + [-3.0] * 39  # forty paragraphs, 1,600 words, no cue for a boundary anywhere
    assert sum(segment.decode_boundaries(scores, [40] * 40, [""] * 40, flat)) == 1
    assert sum(segment.decode_boundaries(scores, [40] * 40, [""] * 40, prior)) >= 2
    assert segment._length_cost(50, prior) > segment._length_cost(300, prior) == 0.0 < segment._length_cost(1200, prior)


# Two stories of four lines, the decoder's start one line late (at 5): line 4 is the second
# story's lede, in its words ("harbour", "ferry"), not the first's ("orchard", "apple").
NUDGE_TERMS = [{"orchard": 2, "apple": 1}, {"apple": 2, "harvest": 1}, {"orchard": 1, "harvest": 2},
               {"apple": 1, "orchard": 1}, {"harbour": 2, "ferry": 1}, {"ferry": 2, "crossing": 1},
               {"harbour": 1, "crossing": 2}, {"ferry": 1, "harbour": 1}]
NUDGE_SCORES = [0.0, -6.0, -6.0, -6.0, -0.5, 0.0, -6.0, -6.0]
NUDGE_MODEL = segment._Model(0.0, {}, 0.0, 10, 8.0, 600, 0.0, 1.0)
LATE_START = [True, False, False, False, False, True, False, False]


def test_a_start_moves_a_line_to_where_the_words_fit() -> None:
    moves = segment._nudged_starts(LATE_START, NUDGE_SCORES, NUDGE_TERMS, [20] * 8, [""] * 8, NUDGE_MODEL)
    assert moves == {4: 5}
    assert segment._moved(LATE_START, moves) == [True, False, False, False, True, False, False, False]
    early = [True, False, False, True, False, False, False, False]  # one line early: line 3 is the orchard's
    assert segment._nudged_starts(early, [0.0, -6.0, -6.0, -0.5, 0.0, -6.0, -6.0, -6.0], NUDGE_TERMS,
                                  [20] * 8, [""] * 8, NUDGE_MODEL) == {4: 3}


def test_a_start_stays_without_word_evidence_or_weight_or_when_forced() -> None:
    # a line that shares no word with either story: the likelihood alone would put it with the
    # shorter one (two lines, against eight of many words)
    unrelated = NUDGE_TERMS[:2] + [{"budget": 2, "tax": 1}] + [{f"w{i}": 3, f"v{i}": 3} for i in range(8)]
    starts = [True, False, True] + [False] * 8
    assert segment._nudged_starts(starts, [0.0, -6.0, 0.0, -0.05] + [-6.0] * 7, unrelated, [20] * 11, [""] * 11,
                                  NUDGE_MODEL) == {}
    unweighted = replace(NUDGE_MODEL, word_fit_weight=0.0)
    assert segment._nudged_starts(LATE_START, NUDGE_SCORES, NUDGE_TERMS, [20] * 8, [""] * 8, unweighted) == {}
    for forced in (["", "", "", "", "", "marked", "", ""], ["", "", "", "", "join", "", "", ""]):
        assert segment._nudged_starts(LATE_START, NUDGE_SCORES, NUDGE_TERMS, [20] * 8, forced, NUDGE_MODEL) == {}
    # the boundary scores still count: a line far less likely to start a story stays put
    assert segment._nudged_starts(LATE_START, [0.0, -6.0, -6.0, -6.0, -9.0, 0.0, -6.0, -6.0], NUDGE_TERMS,
                                  [20] * 8, [""] * 8, NUDGE_MODEL) == {}


def test_explain_names_a_start_that_moved() -> None:
    """A BBC story whose lede ("Games aimed at casual players ...") scores below the line after
    it: the words move the start back, and explain says so on both lines."""
    folder = shared_path("corpora/bbc/digests_resplit")
    digest = read_digest(next(folder.glob("019_*.txt")), relative_to=folder)
    decisions = {d.line: d for d in explain_digest(digest)}
    assert decisions[112].boundary and not decisions[113].boundary
    assert decisions[112].score < decisions[113].score
    notes = {line: [c.detail for c in decisions[line].cues if c.name == "word_fit"] for line in (112, 113)}
    assert notes == {112: ["start moved here from line 113"], 113: ["start moved to line 112"]}


# ---------------------------------------------------------------------------
# speed: linear, and no pathological input


def test_huge_single_line_is_fast() -> None:
    started = time.perf_counter()
    result = segment_digest(make_digest(["word " * 1_000_000, "A" * 5_000_000]))
    assert len(result) >= 1
    assert time.perf_counter() - started < 5


def test_many_lines_are_segmented_in_linear_time() -> None:
    lines = TWO_STORY_LINES * 300  # 3,300 paragraphs
    started = time.perf_counter()
    segments = segment_digest(make_digest(lines))
    assert sum(len(s.paragraphs) for s in segments) == len(lines)
    assert time.perf_counter() - started < 10


# ---------------------------------------------------------------------------
# properties


line_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=80)
wordy_line = st.lists(
    st.sampled_from(["The", "he", "said", "Guo", "Jiakun", "\"We", "will.\"", "Firm", "opposition", "China",
                     "on", "Tuesday", "LONDON", "(Reuters)", "-", "a", "report.", "However,", "'Futile", "attempt'"]),
    max_size=25,
).map(" ".join)


def check_contract(digest: Digest) -> None:
    segments = segment_digest(digest)
    covered = [p for s in segments for p in s.paragraphs]
    assert covered == list(digest.paragraphs)
    for current, following in zip(segments, segments[1:]):
        assert current.end == following.start
    if segments:
        assert segments[0].start == digest.paragraphs[0].line
        assert segments[-1].end == digest.paragraphs[-1].line + 1
    for s in segments:
        assert s.start == s.paragraphs[0].line
        for heading in s.subheads:
            assert s.start < heading.line < s.end


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(line_text, wordy_line), max_size=30))
def test_segments_cover_every_paragraph_once_in_order(lines: list[str]) -> None:
    check_contract(make_digest(lines))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(line_text, wordy_line), max_size=20))
def test_find_subheads_never_raises_and_glued_text_is_a_suffix(lines: list[str]) -> None:
    paragraphs = paragraphs_of(*lines)
    for heading in find_subheads(paragraphs):
        text = paragraphs[heading.line].text
        if heading.kind == "glued":
            assert text.rstrip().endswith(heading.text)
        else:
            assert text.strip() == heading.text


@settings(max_examples=30, deadline=None)
@given(st.lists(wordy_line, min_size=1, max_size=20), st.lists(st.tuples(st.sampled_from(["split", "join"]), wordy_line), max_size=4))
def test_corrections_never_break_the_contract(lines: list[str], corrections: list[tuple[str, str]]) -> None:
    digest = make_digest(lines)
    splits = [SplitCorrection(action, quote) for action, quote in corrections]
    decisions = explain_digest(digest, splits)
    assert len(decisions) == len(digest.paragraphs)
    for decision in decisions:
        if decision.forced == "split":
            assert decision.boundary
        if decision.forced == "join" and decision is not decisions[0]:
            assert not decision.boundary


# The segmenter's shortcuts must give the very floats and tokens of the plain computations.
weights = st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0.01, 50.0), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.one_of(line_text, wordy_line, st.text(alphabet=" \n\t.!?\"'”’)]…aZ9-", max_size=40)))
def test_head_tokens_and_sentence_end_match_the_plain_computations(text: str) -> None:
    head = segment._read_head(text)
    assert head.tokens == words(text[: segment._ANALYSED_CHARS])
    assert head.sentence_tokens == [words(sentence) for sentence in head.sentences]
    stripped = text.rstrip()
    assert segment._ends_sentence(stripped) == bool(segment._TERMINAL.search(stripped))


@settings(max_examples=200, deadline=None)
@given(st.lists(weights, max_size=8), st.lists(weights, min_size=1, max_size=2))
def test_window_and_cosine_match_the_plain_sums(items: list[dict[str, float]], others: list[dict[str, float]]) -> None:
    window, values, square_sum = segment._Window(), {}, 0.0
    for sign, item in [(1.0, item) for item in items] + [(-1.0, item) for item in items]:
        window.add(item, sign)
        for key, amount in item.items():  # the plain rule, key by key
            old = values.get(key, 0.0)
            new = old + amount if sign > 0 else old - amount
            if new <= 1e-9:
                values.pop(key, None)
                new = 0.0
            else:
                values[key] = new
            square_sum += new * new - old * old
        assert list(window.values.items()) == list(values.items()) and window.square_sum == square_sum
        for other in others:
            a, b = (values, other) if len(values) <= len(other) else (other, values)
            norm = math.sqrt(max(square_sum, 0.0) * sum(v * v for v in other.values()))
            plain = sum(a[k] * b.get(k, 0.0) for k in a) / norm if norm > 1e-12 else 0.0
            assert segment._cosine(values, square_sum, other, sum(v * v for v in other.values())) == plain
