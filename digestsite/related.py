"""Related articles: a few articles that share topics, tags or rare words with each one.

Contract: ``related_articles(articles, limit)`` maps every article's slug to
at most ``limit`` other articles (never itself), best first. It is pure and
deterministic, and it is not quadratic: an inverted index maps each feature
(topic, tag, rare word) to the articles that carry it, and an article only
scores candidates found through its own features.

A feature shared by thousands of articles (a big topic) would still make the
candidate lists huge, so for each feature an article only looks at the
``WINDOW`` nearest articles on either side of it in that feature's posting
list. The posting lists are in reading order, so the neighbours are the
articles published closest in time: the ones a reader most likely wants.
Per article that is at most ``features * 2 * WINDOW`` candidates, whatever the
site size (50,000 articles build in seconds).

Scoring: shared topic ``TOPIC_WEIGHT`` each, shared tag ``TAG_WEIGHT`` each,
shared rare word up to ``WORD_WEIGHT`` (scaled by its rarity). A topic
outweighs any number of the at most ``WORDS_PER_ARTICLE`` words, so a shared
topic wins over mere word overlap. Ties go to the article nearer in reading
order, then to the slug.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from array import array
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .model import Article
from .parallel import parallel_imap
from .text import STOPWORDS, normalize, words

__all__ = ["related_articles"]

TOPIC_WEIGHT = 10.0
TAG_WEIGHT = 4.0
WORD_WEIGHT = 1.0  # times idf/(1+idf) < 1, so 8 words < one topic
WORDS_PER_ARTICLE = 8  # the rarest content words stand for the article
WINDOW = 12  # neighbours per side in a posting list
BODY_CHARS = 2000  # the lead paragraphs: enough text to find the distinctive words, cheap at 50k articles

Feature = tuple[str, str]


def related_articles(articles: Sequence[Article], limit: int = 3, workers: int = 1) -> dict[str, tuple[Article, ...]]:
    """Slug -> up to ``limit`` related articles, best first (see the module docstring).

    With ``workers > 1`` the two per-article passes (finding each article's words,
    scoring its candidates) run in forked workers, in chunks; the result is the same."""
    features = _features(articles, workers)
    postings: dict[int, array] = {}  # feature number -> the articles that have it, ascending
    for index, feats in enumerate(features):
        for feature in feats:
            postings.setdefault(feature, array("i")).append(index)
    slugs = [a.slug for a in articles]

    def best_for(index: int) -> list[int]:
        scores: dict[int, float] = {}
        get = scores.get
        for feature, weight in features[index].items():
            plist = postings[feature]
            pos = bisect_left(plist, index)
            for other in plist[max(0, pos - WINDOW) : pos + WINDOW + 1]:
                scores[other] = get(other, 0) + weight
        scores.pop(index, None)
        return _best(scores, index, slugs, limit)

    best = list(_per_article(best_for, len(articles), workers))
    return {article.slug: tuple(articles[o] for o in others) for article, others in zip(articles, best)}


_CHUNK = 1000  # articles per task when the passes run in workers


def _per_article(task: Callable[[int], Any], count: int, workers: int) -> Iterator[Any]:
    """``task(i) for i in range(count)``, in order, in chunks over ``workers`` forked
    processes; lazily, so a caller can fold each result in as it arrives."""
    if workers <= 1 or count < 2 * _CHUNK:
        return map(task, range(count))
    chunks = parallel_imap(lambda start: [task(i) for i in range(start, min(count, start + _CHUNK))],
                           range(0, count, _CHUNK), workers)
    return (result for chunk in chunks for result in chunk)


def _best(scores: dict[int, float], index: int, slugs: Sequence[str], limit: int) -> list[int]:
    """The ``limit`` best candidates by (rounded score, distance in reading order, slug).

    Only candidates whose rounded score reaches the ``limit``-th best can win, so
    the full sort key is built for those few, not for every candidate."""
    rounded = {o: round(score, 9) for o, score in scores.items() if score > 1e-9}  # a word in every article links nothing
    if len(rounded) > limit:
        floor = heapq.nlargest(limit, rounded.values())[-1]
        rounded = {o: r for o, r in rounded.items() if r >= floor}
    return heapq.nsmallest(limit, rounded, key=lambda o: (-rounded[o], abs(o - index), slugs[o], o))


def _features(articles: Sequence[Article], workers: int = 1) -> list[dict[int, float]]:
    """Per article: feature number -> weight. Words are weighted by rarity across the site.
    (Features are numbered, not kept as (kind, name) keys: far less memory at 50,000 articles.)"""
    numbers: dict[Feature, int] = {}
    bags, df, vocabulary = _word_bags(articles, workers)
    total = max(1, len(articles))
    # a word only one article uses links nothing; the rarest of the rest are the most telling:
    # rank the shared words once by (df, word), so each article compares plain ints
    shared = sorted((count, vocabulary[i], i) for i, count in enumerate(df) if count > 1)
    rank = array("i", [-1]) * len(df)
    for position, (_, _, i) in enumerate(shared):
        rank[i] = position
    result = []
    for article, bag in zip(articles, bags):
        feats: dict[int, float] = {}
        for topic in article.topics:
            feats[numbers.setdefault(("topic", normalize(topic)), len(numbers))] = TOPIC_WEIGHT
        for tag in article.tags:
            feats.setdefault(numbers.setdefault(("tag", normalize(tag).casefold()), len(numbers)), TAG_WEIGHT)
        ranks = [rank[i] for i in bag if rank[i] >= 0]
        for position in heapq.nsmallest(WORDS_PER_ARTICLE, ranks):
            count, word, _ = shared[position]
            idf = math.log(total / count)
            feats.setdefault(numbers.setdefault(("word", word), len(numbers)), WORD_WEIGHT * idf / (1.0 + idf))
        result.append(feats)
    return result


def _word_bags(articles: Sequence[Article], workers: int = 1) -> tuple[list[array], list[int], list[str]]:
    """(each article's distinct words as ids, each id's document frequency, id -> word).

    Ids in compact arrays, not a set of strings per article: at 50,000 articles the
    sets alone would take most of the build's memory."""
    ids: dict[str, int] = {}
    df: list[int] = []
    bags = []
    # one string per article until its words get ids: 150 small strings each would not be
    for article_words in _per_article(lambda i: " ".join(_word_set(articles[i])), len(articles), workers):
        bag = array("i")
        for word in article_words.split(" ") if article_words else ():
            i = ids.setdefault(word, len(df))
            if i == len(df):
                df.append(0)
            df[i] += 1
            bag.append(i)
        bags.append(bag)
    return bags, df, list(ids)


def _word_set(article: Article) -> set[str]:
    text = " ".join((article.title, article.standfirst, article.body[:BODY_CHARS]))
    # the same filter as text.content_words, applied to distinct tokens only (much cheaper)
    tokens = set(words(text.lower()))
    return {w for w in tokens - STOPWORDS if len(w) > 1 and not w.isdigit()}
