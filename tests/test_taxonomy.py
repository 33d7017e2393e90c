"""Tests for digestsite.taxonomy: grouping, ordering, slugs, organisations, statements."""

from __future__ import annotations

import re
import unicodedata

from digestsite.model import Article, Spokesperson, Statement, Taxonomy, TopicDefinition
from digestsite.taxonomy import index_spokespersons, index_topics


def article(n: int, *, topics=(), speakers=(), statements=()) -> Article:
    """A minimal article; ``speakers`` are (name, organisation) pairs."""
    return Article(
        id=f"id-{n}",
        slug=f"article-{n}",
        title=f"Article {n}",
        standfirst=f"Standfirst {n}.",
        body=f"Standfirst {n}. Body.",
        topics=tuple(topics),
        spokespersons=tuple(Spokesperson(name, org) for name, org in speakers),
        statements=tuple(statements),
        order=n,
    )


TAXONOMY = Taxonomy(
    topics=(
        TopicDefinition("Diplomacy", "diplomacy", "Relations between states.", ()),
        TopicDefinition("Trade", "trade-and-tariffs", "Goods and tariffs.", ()),
        TopicDefinition("Energy", "", "Power and fuel.", ()),
        TopicDefinition("Unused", "unused", "Nobody writes about this.", ()),
    )
)


def test_topics_sorted_by_count_then_name_and_only_used_ones():
    articles = [
        article(1, topics=["Trade", "Diplomacy"]),
        article(2, topics=["Energy"]),
        article(3, topics=["Trade"]),
        article(4, topics=["Diplomacy", "Energy"]),
        article(5, topics=["Trade"]),
    ]
    entries = index_topics(articles, TAXONOMY)
    assert [(e.name, len(e.articles)) for e in entries] == [("Trade", 3), ("Diplomacy", 2), ("Energy", 2)]


def test_topic_articles_keep_reading_order_and_slugs_come_from_taxonomy():
    articles = [article(9, topics=["Trade"]), article(2, topics=["Trade", "Energy"]), article(5, topics=["Trade"])]
    entries = {e.name: e for e in index_topics(articles, TAXONOMY)}
    assert [a.id for a in entries["Trade"].articles] == ["id-9", "id-2", "id-5"]
    assert entries["Trade"].slug == "trade-and-tariffs"  # the taxonomy's slug, not slugify(name)
    assert entries["Energy"].slug == "energy"  # empty slug in the taxonomy: slugify fallback
    assert entries["Trade"].description == "Goods and tariffs."


def test_topic_not_in_taxonomy_gets_entry_with_empty_description():
    entries = index_topics([article(1, topics=["Hand-made Topic"])], TAXONOMY)
    assert [(e.name, e.slug, e.description) for e in entries] == [("Hand-made Topic", "hand-made-topic", "")]


def test_topic_listed_twice_on_one_article_counts_once():
    entries = index_topics([article(1, topics=["Trade", "Trade"])], TAXONOMY)
    assert len(entries[0].articles) == 1


def test_topic_slugs_unique_and_url_safe_even_for_cjk_and_clashes():
    articles = [article(1, topics=["外交"]), article(2, topics=["Hand made"]), article(3, topics=["Hand-made"])]
    entries = index_topics(articles, TAXONOMY)
    slugs = [e.slug for e in entries]
    assert len(set(slugs)) == 3
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)
    assert any(s.startswith("topic-") and len(s) == len("topic-") + 8 for s in slugs)


def test_spokesperson_organisation_is_most_common_non_empty():
    articles = [
        article(1, speakers=[("Guo Jiakun", "")]),
        article(2, speakers=[("Guo Jiakun", "Chinese Foreign Ministry")]),
        article(3, speakers=[("Guo Jiakun", "Foreign Ministry")]),
        article(4, speakers=[("Guo Jiakun", "Chinese Foreign Ministry")]),
    ]
    (entry,) = index_spokespersons(articles)
    assert entry.organisation == "Chinese Foreign Ministry"
    assert len(entry.articles) == 4


def test_spokesperson_names_merged_by_nfc():
    decomposed = unicodedata.normalize("NFD", "Lü Xiang")
    articles = [article(1, speakers=[("Lü Xiang", "")]), article(2, speakers=[(decomposed, "")])]
    (entry,) = index_spokespersons(articles)
    assert entry.name == unicodedata.normalize("NFC", "Lü Xiang")
    assert entry.slug == "lu-xiang"
    assert len(entry.articles) == 2


def test_spokespersons_sorted_by_article_count_then_name():
    articles = [
        article(1, speakers=[("Mao Ning", "")]),
        article(2, speakers=[("Guo Jiakun", ""), ("Mao Ning", "")]),
        article(3, speakers=[("Lin Jian", "")]),
        article(4, speakers=[("Guo Jiakun", "")]),
    ]
    assert [e.name for e in index_spokespersons(articles)] == ["Guo Jiakun", "Mao Ning", "Lin Jian"]


def test_statements_grouped_by_article_only_for_that_speaker():
    articles = [
        article(
            1,
            speakers=[("Guo Jiakun", ""), ("Mao Ning", "")],
            statements=[
                Statement("Mao Ning", "Mao said B.", 4),
                Statement("Guo Jiakun", "Guo said A.", 2),
                Statement("Guo Jiakun", "Guo said C.", 7),
            ],
        ),
        article(2, speakers=[("Guo Jiakun", "")]),  # named but no statement here
    ]
    guo = {e.name: e for e in index_spokespersons(articles)}["Guo Jiakun"]
    assert len(guo.articles) == 2
    assert [(a.id, [s.text for s in said]) for a, said in guo.statements] == [
        ("id-1", ["Guo said A.", "Guo said C."])
    ]


def test_spokesperson_without_latin_letters_gets_hash_slug():
    (entry,) = index_spokespersons([article(1, speakers=[("郭嘉昆", "外交部")])])
    assert re.fullmatch(r"person-[0-9a-f]{8}", entry.slug)
    assert index_spokespersons([article(2, speakers=[("郭嘉昆", "")])])[0].slug == entry.slug


def test_empty_names_are_ignored():
    assert index_spokespersons([article(1, speakers=[("  ", "Org")])]) == ()
    assert index_topics([article(1, topics=["  "])], TAXONOMY) == ()
