"""Tests of digestsite.text: sentence splitting and word tokens.

The fast paths (ASCII text, the abbreviation check on the last token only) must
give exactly what the general regexes give; the properties below check that on
arbitrary text.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestsite import text
from digestsite.text import (BYLINE, HEADER_LINE, first_sentence, is_header_line, is_title_line, split_sentences,
                             strip_dateline, words)

# What the abbreviation check used to search: the whole sentence-to-be.
_LAST_WORD_ANYWHERE = re.compile(r"([\w.]+)[.!?]*[\"'”’)\]]*$")
# Characters that matter to splitting and tokens, ASCII control characters included.
_TRICKY = st.lists(st.sampled_from(list("Ab z9.!?'’\"“”()[]-_\t\n\x1c\x85 É") + ["Mr.", "J.", "U.S.", "etc."]),
                   max_size=40).map("".join)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    paragraph = "Mr. Smith met Dr. Jones in the U.S. on Monday. J. Smith said so! Did he? Yes."
    assert split_sentences(paragraph) == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.", "J. Smith said so!", "Did he?", "Yes.",
    ]


def test_a_closing_quote_stays_with_its_sentence() -> None:
    assert split_sentences('He said: "We will win." Then he left.') == ['He said: "We will win."', "Then he left."]


@given(_TRICKY)
def test_the_first_sentence_is_the_splitters_first(sample: str) -> None:
    assert first_sentence(sample) == (split_sentences(sample) or [""])[0]


def test_the_first_sentence_skips_abbreviations_and_initials() -> None:
    assert first_sentence("Mr. J. Smith met Dr. Jones in the U.S. on Monday. He left.") == (
        "Mr. J. Smith met Dr. Jones in the U.S. on Monday.")


@given(_TRICKY, st.integers(0, 200))
def test_the_abbreviation_check_looks_only_at_the_last_token(sample: str, padding: int) -> None:
    sentence = "x" * padding + sample.rstrip() + "."  # what the splitter asks about ends in a full stop
    whole = _LAST_WORD_ANYWHERE.search(sentence)
    expected = whole is not None and text._is_abbreviation(whole.group(1))
    for start in (0, padding, len(sentence) - 1):
        token = text._last_token(sentence, start, len(sentence))
        assert token == sentence[start:].rsplit(None, 1)[-1]
    assert text._ends_with_abbreviation(text._last_token(sentence, 0, len(sentence))) == expected


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_words_match_the_unicode_pattern(sample: str) -> None:
    assert words(sample) == text._WORD.findall(sample)


@given(_TRICKY)
def test_words_match_the_unicode_pattern(sample: str) -> None:
    assert words(sample) == text._WORD.findall(sample)


def test_a_paragraph_of_abbreviations_is_split_in_linear_time() -> None:
    paragraph = "Mr. Dr. J. " * 30000 + "Smith spoke. Then he left."  # one 330 kB sentence, then another
    started = time.perf_counter()
    assert len(split_sentences(paragraph)) == 2
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("LONDON (Reuters) - Britain's economy grew.", "Britain's economy grew."),
        ("WASHINGTON, May 3 (AP) -- The Senate passed the bill.", "The Senate passed the bill."),
        ("BEIJING, Jan. 5 -- China's exports rose.", "China's exports rose."),
        ("HONG KONG/SINGAPORE, May 3 (Reuters) - Asian shares rose.", "Asian shares rose."),
        ("Tokyo, May 3 (Kyodo) -- Japan's cabinet met.", "Japan's cabinet met."),
        ("(Bloomberg) -- Copper rose.", "Copper rose."),
        ("TEAM NEWS - Riverside against Hillford.", "TEAM NEWS - Riverside against Hillford."),
        ("Ana Duarte (Labour) - the new chair - approved it.", "Ana Duarte (Labour) - the new chair - approved it."),
        ("LONDON (Reuters) - ", "LONDON (Reuters) - "),
    ],
)
def test_strip_dateline_cuts_only_a_wire_dateline(line: str, rest: str) -> None:
    assert strip_dateline(line) == rest


@pytest.mark.parametrize(
    ("line", "is_byline"),
    [
        ("By Ann Lee", True),
        ("By Ann Lee and Bo Chen", True),
        ("By Ann Lee, Political Correspondent", True),
        ("BY ANN LEE in LONDON", True),
        ("By Monday, Smith had resigned.", False),
        ("By the end of the year prices rose.", False),
        ("By Design", False),  # a heading: a byline names someone in full
    ],
)
def test_byline_is_a_name_alone_on_its_line(line: str, is_byline: bool) -> None:
    assert bool(BYLINE.match(line)) is is_byline


@pytest.mark.parametrize(
    ("line", "is_header"),
    [
        ("By Ann Lee", True),
        ("FOR IMMEDIATE RELEASE", True),
        ("PRESS RELEASE: Ministry of Health", True),
        ("Embargoed until 00:01, 3 May", True),
        ("News release of the figures was delayed until Monday.", False),
        ("Press releases are often ignored.", False),
        ("FILE - A worker inspects solar panels in Lancaster, Calif. (AP Photo/Jae C. Hong, File)", True),
        ("Villagers dance in Xiadang on Friday. (Photo: Li Ming)", True),
        ("The ministry released a photo of the site (Photo: Xinhua) on Monday.", False),
        ("He said the photo (taken by a tourist) was fake (and he had proof).", False),
        ("Brussels, 5 March 2025", True),
        ("WASHINGTON, March 5, 2025", True),
        ("Austin, Texas, Jan. 5, 2025", True),
        ("Geneva, 2025-03-05", True),
        ("March 5, 2025", True),
        ("5 March 2025", True),
        ("Brussels, 5 March", False),  # no year: a heading or a table row, not a release's dateline
        ("The deal, 5 March 2025", False),
        ("On Monday, 5 March 2025, it rained.", False),
    ],
)
def test_a_header_line_is_a_byline_a_release_header_a_dateline_alone_or_a_caption(line: str, is_header: bool) -> None:
    assert is_header_line(line) is is_header
    assert bool(HEADER_LINE.match(line)) is (is_header and "Photo" not in line and not line[-1].isdigit())


_LEDE = ("Japan's economy grew faster than expected in the last three months of 2024, official data showed "
         "on Thursday, helped by strong consumer spending.")


@pytest.mark.parametrize(
    ("line", "following", "previous", "is_title"),
    [
        ("Japan's economy grows faster than expected", _LEDE, "Kenya's roads are among the deadliest.", True),
        ("Bus plunges into river in western Kenya, killing 14",
         "At least 14 people were killed when a bus plunged into a river in western Kenya, police said.", "", True),
        # the story above was about the same thing: a heading within it, or none
        ("Japan's economy grows faster than expected", _LEDE, "Japan's economy is expected to grow faster.", False),
        ("About Acme Corp", "Acme Corp makes machine learning software for retailers and manufacturers.", "", False),
        ("Return hometown to start own business", "Yang was not originally involved in the industry at all.", "", False),
        ("Japan's economy grows faster than expected.", _LEDE, "", False),  # a sentence
        ("Growth", _LEDE, "", False),  # one word
    ],
)
def test_a_title_line_is_restated_by_the_lede_under_it_and_new_to_the_text_above(
        line: str, following: str, previous: str, is_title: bool) -> None:
    assert is_title_line(line, following, previous) is is_title
