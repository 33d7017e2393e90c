"""A full name in the possessive inside a run of capitalised words."""

from __future__ import annotations

from digestsite.people import find_speakers, find_tags, mentions


def test_a_possessive_full_name_is_a_name_with_the_role_before_it() -> None:
    # used to give "Lin" alone and a prefix "... Spokesperson Wei's", then the tag "Foreign Ministry Wei's"
    found = mentions("Foreign Ministry Spokesperson Lin Wei's Regular Press Conference on April 8, 2025")
    assert [(m.text, m.prefix) for m in found] == [
        ("Foreign Ministry", ""),
        ("Lin Wei", "Foreign Ministry Spokesperson"),
        ("Regular Press Conference", "Lin Wei's"),
    ]
    paragraphs = [(0, "Foreign Ministry Spokesperson Lin Wei's Regular Press Conference on April 8, 2025"),
                  (1, "Lin Wei: Good afternoon. Vice Foreign Minister Zhou Hanbing will visit Kenya next week.")]
    tags = find_tags(paragraphs, paragraphs[0][1], find_speakers(paragraphs))
    assert "Lin Wei" in tags and not any("Wei's" in tag for tag in tags)


def test_a_possessive_that_is_no_full_name_stays_a_prefix() -> None:
    assert [(m.text, m.prefix) for m in mentions("Labour's Robin Cook said")] == [("Robin Cook", "Labour's")]
    assert "Year" not in [m.text for m in mentions("Shops open on New Year's Day")]
