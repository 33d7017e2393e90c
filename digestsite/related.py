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

import hashlib
import heapq
from bisect import bisect_left
from array import array
import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .model import Article
from .parallel import parallel_imap
from .text import STOPWORDS, normalize, words

__all__ = ["WordMemo", "related_articles"]

TOPIC_WEIGHT = 10.0
TAG_WEIGHT = 4.0
WORD_WEIGHT = 1.0  # times idf/(1+idf) < 1, so 8 words < one topic
WORDS_PER_ARTICLE = 8  # the rarest content words stand for the article
WINDOW = 12  # neighbours per side in a posting list
BODY_CHARS = 2000  # the lead paragraphs: enough text to find the distinctive words, cheap at 50k articles

Feature = tuple[str, str]


WordMemo = dict[bytes, bytes]  # a hash of an article's text -> its packed word list


def related_articles(articles: Sequence[Article], limit: int = 3, workers: int = 1,
                     memo: WordMemo | None = None) -> dict[str, tuple[Article, ...]]:
    """Slug -> up to ``limit`` related articles, best first (see the module docstring).

    With ``workers > 1`` the three per-article passes (finding each article's words,
    choosing its rarest, scoring its candidates) run in forked workers, in chunks; the result is the same.
    ``memo``: each article's words from an earlier call, by its text; only the articles
    it lacks are read again, and afterwards it holds exactly this call's articles (a
    caller keeps it between builds, so a rebuild after one edit reads one article)."""
    features = _features(articles, workers, memo)
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


def _features(articles: Sequence[Article], workers: int = 1, memo: WordMemo | None = None) -> list[dict[int, float]]:
    """Per article: feature number -> weight. Words are weighted by rarity across the site.
    (Features are numbered, not kept as (kind, name) keys: far less memory at 50,000 articles.)"""
    numbers: dict[Feature, int] = {}
    word_lists = _word_lists(articles, workers, memo)
    df: Counter[str] = Counter()
    for packed in word_lists:
        words_of_one = _unpacked(packed)
        df.update(words_of_one.split(" ") if words_of_one else ())
    total = max(1, len(articles))
    result = []
    rarest = _per_article(lambda i: _rarest_shared(_unpacked(word_lists[i]), df), len(articles), workers)
    for index, (article, words_of_one) in enumerate(zip(articles, rarest)):
        word_lists[index] = b""  # done with
        feats: dict[int, float] = {}
        for topic in article.topics:
            feats[numbers.setdefault(("topic", normalize(topic)), len(numbers))] = TOPIC_WEIGHT
        for tag in article.tags:
            feats.setdefault(numbers.setdefault(("tag", normalize(tag).casefold()), len(numbers)), TAG_WEIGHT)
        for word in words_of_one:
            idf = math.log(total / df[word])
            feats.setdefault(numbers.setdefault(("word", word), len(numbers)), WORD_WEIGHT * idf / (1.0 + idf))
        result.append(feats)
    return result


def _rarest_shared(words_of_one: str, df: Counter[str]) -> list[str]:
    """The ``WORDS_PER_ARTICLE`` words of an article with the fewest articles, ties by
    the word; a word only this article uses links nothing. (Sorts and a bisection with
    ``df`` as the key: no Python-level loop over the article's ~150 words.)"""
    if not words_of_one:
        return []
    ranked = sorted(words_of_one.split(" "))
    ranked.sort(key=df.__getitem__)  # stable: equal counts stay in word order
    first_shared = bisect_left(ranked, 2, key=df.__getitem__)
    return ranked[first_shared : first_shared + WORDS_PER_ARTICLE]


def _word_lists(articles: Sequence[Article], workers: int = 1, memo: WordMemo | None = None) -> list[bytes]:
    """Each article's distinct content words, joined by spaces and packed (``_unpacked``),
    found for the articles ``memo`` lacks (``memo`` then holds this call's articles).

    One string per article, not a set of ~150 small strings; and compressed, a
    third of the size: held for every article until the rarest words are chosen,
    they were the largest addition to a big build's peak memory."""
    if memo is None:
        return list(_per_article(lambda i: _packed_words(articles[i]), len(articles), workers))
    keys = [_text_key(article) for article in articles]
    missing = [i for i, key in enumerate(keys) if key not in memo]
    found = dict(zip((keys[i] for i in missing),
                     _per_article(lambda j: _packed_words(articles[missing[j]]), len(missing), workers)))
    known = {key: memo.get(key) or found[key] for key in keys}
    memo.clear()
    memo.update(known)
    return [known[key] for key in keys]


def _packed_words(article: Article) -> bytes:
    return zlib.compress(" ".join(_word_set(article)).encode(), 1)


def _text_key(article: Article) -> bytes:
    """What an article's words are found in (see ``_word_set``), hashed."""
    text = "\0".join((article.title, article.standfirst, article.body[:BODY_CHARS]))
    return hashlib.sha1(text.encode(), usedforsecurity=False).digest()


def _unpacked(packed: bytes) -> str:
    return zlib.decompress(packed).decode()


def _word_set(article: Article) -> set[str]:
    text = " ".join((article.title, article.standfirst, article.body[:BODY_CHARS]))
    # the same filter as text.content_words, applied to distinct tokens only (much cheaper)
    tokens = set(words(text.lower()))
    return {w for w in tokens - STOPWORDS if len(w) > 1 and not w.isdigit()}
