"""Corrections by stable id, hand-written articles, and unmatched corrections."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given, strategies as st

from digestsite.corrections import apply_corrections, unmatched_splits
from digestsite.errors import SourceError
from digestsite.read import PageMemo
from digestsite.model import (Article, ArticleOverride, Content, Digest, Paragraph, Settings,
                              Spokesperson, SplitCorrection, Statement, Taxonomy, TopicDefinition)

TAXONOMY = Taxonomy(topics=(TopicDefinition("Trade", "trade", "", (("tariff", 1.0),)),
                            TopicDefinition("Diplomacy", "diplomacy", "", (("embassy", 1.0),))))


def _article(article_id: str, order: int) -> Article:
    return Article(id=article_id, slug=f"a-{order}", title=f"Title {order}", standfirst="S.",
                   body="S.", topics=("Trade",), digest="digests/d.txt", start=order, end=order + 1,
                   order=order, statements=(Statement("Ann Lee", "Lee said so.", order),
                                            Statement("Bo Kim", "Kim said so.", order)))


def _content(overrides=(), pages=()) -> Content:
    return Content(Settings(), TAXONOMY, (), (), tuple(overrides), tuple(pages))


def test_override_sets_fields_by_id_and_keeps_the_rest() -> None:
    articles = [_article("aaa", 0), _article("bbb", 1)]
    fix = ArticleOverride("bbb", "corrections.toml:3", title="Better", topics=("Diplomacy",),
                          spokespersons=(Spokesperson("Bo Kim", "Ministry"),))
    result, warnings = apply_corrections(articles, _content([fix]))
    assert warnings == []
    assert result[0] == articles[0]
    assert (result[1].title, result[1].topics, result[1].standfirst) == ("Better", ("Diplomacy",), "S.")
    assert [s.speaker for s in result[1].statements] == ["Bo Kim"]


def test_page_body_replaces_body_and_its_headings_become_subheads() -> None:
    page = ArticleOverride("aaa", "content/articles/x.md", body="New text.\n\n## A heading\n\nMore.",
                           digest="digests/d.txt")
    result, _ = apply_corrections([_article("aaa", 0)], _content(pages=[page]))
    assert result[0].body.startswith("New text.")
    assert [s.text for s in result[0].subheads] == ["A heading"]


def test_stale_correction_is_a_warning_naming_it() -> None:
    stale = ArticleOverride("gone", "content/corrections.toml:7", title="x")
    stale_page = ArticleOverride("gone2", "content/articles/old.md", title="y", body="b", digest="digests/d.txt")
    result, warnings = apply_corrections([_article("aaa", 0)], _content([stale], [stale_page]))
    assert len(result) == 1
    assert warnings == [
        "content/corrections.toml:7: correction for article id 'gone' matches no article",
        "content/articles/old.md: correction for article id 'gone2' matches no article",
    ]


def test_unknown_topic_is_an_error_at_the_correction_line() -> None:
    bad = ArticleOverride("aaa", "content/corrections.toml:12", topics=("Energyy",))
    with pytest.raises(SourceError) as info:
        apply_corrections([_article("aaa", 0)], _content([bad]))
    assert str(info.value).startswith("content/corrections.toml:12: unknown topic 'Energyy'")
    assert "Diplomacy, Trade" in info.value.hint


def test_hand_written_page_becomes_a_new_article_after_the_digest_ones() -> None:
    page = ArticleOverride("", "content/articles/museum.md", title="Museum reopens",
                           body="The museum reopened on Tuesday. It had been shut.\n\n## Plans\n\nMore.",
                           date="2025-01-21", topics=("Diplomacy",))
    result, warnings = apply_corrections([_article("aaa", 0)], _content(pages=[page]))
    new = result[-1]
    assert warnings == []
    assert (new.title, new.slug, new.standfirst, new.order) == (
        "Museum reopens", "museum-reopens", "The museum reopened on Tuesday.", 1)
    assert len(new.id) == 12 and new.source_path == "content/articles/museum.md"


def test_hand_written_articles_are_taken_from_the_memo_for_the_same_page_at_the_same_place() -> None:
    pages = [ArticleOverride("", f"content/articles/{name}.md", title=f"Story {name}", body=f"About {name}.")
             for name in "abc"]
    memo = PageMemo()
    first, _ = apply_corrections([], _content(pages=pages), memo)
    assert memo.changed and sorted(memo.articles) == [p.source for p in pages]

    memo.dirty.clear()
    again, _ = apply_corrections([], _content(pages=pages), memo)
    assert all(new is old for new, old in zip(again, first)) and not memo.changed

    edited = ArticleOverride("", pages[1].source, title="Story b, edited", body="About b.")
    shifted, _ = apply_corrections([_article("aaa", 0)], _content(pages=[pages[0], edited]), memo)
    assert memo.changed and [a.order for a in shifted] == [0, 1, 2]
    assert all(new is not old for new, old in zip(shifted[1:], first))  # each one place later, or edited
    assert shifted[2].title == "Story b, edited" and sorted(memo.articles) == [pages[0].source, pages[1].source]
    assert shifted == apply_corrections([_article("aaa", 0)], _content(pages=[pages[0], edited]))[0]


def test_hand_written_page_without_title_is_an_error() -> None:
    with pytest.raises(SourceError, match="needs a title"):
        apply_corrections([], _content(pages=[ArticleOverride("", "content/articles/x.md", body="Text.")]))


def test_unmatched_split_corrections_are_found() -> None:
    digest = Digest(PurePosixPath("digests/d.txt"),
                    (Paragraph(0, "The minister said on Monday."), Paragraph(1, "Meanwhile, in Paris, rain.")))
    hit = SplitCorrection("split", "meanwhile, in paris", "", "c.toml:1")
    miss = SplitCorrection("join", "Nobody wrote this", "", "c.toml:4")
    other_digest = SplitCorrection("split", "The minister said", "digests/other.txt", "c.toml:7")
    assert unmatched_splits([digest], [hit, miss, other_digest]) == [miss, other_digest]


@given(st.text(alphabet="ab#\n ", max_size=30))
def test_the_first_paragraph_is_the_first_split_part_that_is_no_heading(body: str) -> None:
    from digestsite.corrections import _first_paragraph

    assert _first_paragraph(body) == next((p for p in body.split("\n\n") if not p.startswith("#")), body)
