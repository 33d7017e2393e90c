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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .model import Article
from .parallel import parallel_imap
from .text import STOPWORDS, normalize, words

__all__ = ["RelatedMemo", "related_articles"]

TOPIC_WEIGHT = 10.0
TAG_WEIGHT = 4.0
WORD_WEIGHT = 1.0  # times idf/(1+idf) < 1, so 8 words < one topic
WORDS_PER_ARTICLE = 8  # the rarest content words stand for the article
WINDOW = 12  # neighbours per side in a posting list
BODY_CHARS = 2000  # the lead paragraphs: enough text to find the distinctive words, cheap at 50k articles

Feature = tuple[str, str]


@dataclass
class _Result:
    """One call's inputs and answer, kept so the next call can redo only what an edit changed."""

    limit: int
    slugs: list[str]
    inputs: list[tuple]  # per article: what its features are made of (see ``_inputs``)
    df: Counter[str]  # word -> articles using it
    numbers: dict[Feature, int]
    features: list[dict[int, float]]
    postings: dict[int, array]  # feature number -> the articles that have it, ascending
    best: list[list[int]]


@dataclass
class RelatedMemo:
    """What ``related_articles`` remembers between calls; a caller keeps it between builds.

    ``words``: each article's packed word list by its text key (a hash of its text, or
    the caller's ``text_keys``; only the articles it lacks are read again); ``last``: the previous call's answer, from
    which a call whose articles are the same ones, in the same order, redoes only
    the articles an edit can have changed (``_update``).

    The word lists are stored in ``SHARDS`` parts by their key (``word_parts``), so
    that after one edit only the parts holding its old and new lists are written
    again; ``dirty`` names the parts the last call changed."""

    SHARDS: ClassVar[int] = 16

    words: dict[bytes, bytes] = field(default_factory=dict)
    last: _Result | None = None
    dirty: set[int] = field(default_factory=set)

    @classmethod
    def shard_of(cls, key: bytes) -> int:
        return key[0] % cls.SHARDS  # keys are hashes: evenly spread

    def word_parts(self) -> list[dict[bytes, bytes]]:
        parts: list[dict[bytes, bytes]] = [{} for _ in range(self.SHARDS)]
        for key, packed in self.words.items():
            parts[self.shard_of(key)][key] = packed
        return parts

    @classmethod
    def joined(cls, last: object, parts: Iterable[object]) -> RelatedMemo:
        """A memo from stored parts; a missing or foreign one (None) is only a miss."""
        memo = cls(last=last if isinstance(last, _Result) else None)
        for part in parts:
            if isinstance(part, dict):
                memo.words.update(part)
        return memo


def related_articles(articles: Sequence[Article], limit: int = 3, workers: int = 1,
                     memo: RelatedMemo | None = None,
                     text_keys: Sequence[bytes] | None = None) -> dict[str, tuple[Article, ...]]:
    """Slug -> up to ``limit`` related articles, best first (see the module docstring).

    With ``workers > 1`` the three per-article passes (finding each article's words,
    choosing its rarest, scoring its candidates) run in forked workers, in chunks; the result is the same.
    ``memo``: what earlier calls found (``RelatedMemo``); afterwards it holds this call's.
    ``text_keys``: per article, bytes that change whenever its title, standfirst or body
    does (a hash of the whole article will do), in place of hashing its text here; a
    caller passes them always or never with one memo."""
    slugs = [a.slug for a in articles]
    last = memo.last if memo is not None else None
    known = set(memo.words) if memo is not None else set()
    inputs = _inputs(articles, text_keys) if memo is not None else []
    result = None
    if memo is not None and last is not None and last.limit == limit and last.slugs == slugs:
        result = _update(last, articles, memo.words, inputs)
    if result is None:
        result = _compute(articles, limit, workers, memo.words if memo is not None else None, inputs)
    if memo is not None:
        memo.last = result
        memo.dirty = {memo.shard_of(key) for key in known.symmetric_difference(memo.words)}
    return {slug: tuple(articles[o] for o in others) for slug, others in zip(slugs, result.best)}


def _compute(articles: Sequence[Article], limit: int, workers: int, words_memo: dict[bytes, bytes] | None,
             inputs: list[tuple]) -> _Result:
    """Every article's features and best candidates, from scratch (``inputs``: see ``_inputs``,
    [] with no memo)."""
    word_lists = _word_lists(articles, workers, words_memo, [text_key for *_, text_key in inputs])
    df: Counter[str] = Counter()
    for packed in word_lists:
        df.update(_words_of(packed))
    numbers: dict[Feature, int] = {}
    features = []
    rarest = _per_article(lambda i: _rarest_shared(_unpacked(word_lists[i]), df), len(articles), workers)
    for index, (article, words_of_one) in enumerate(zip(articles, rarest)):
        word_lists[index] = b""  # done with
        features.append(_article_features(article, words_of_one, df, len(articles), numbers))
    if words_memo is None:  # nothing to remember: freed before the workers fork (a big build's peak memory)
        df, numbers = Counter(), {}
    postings: dict[int, array] = {}
    for index, feats in enumerate(features):
        for feature in feats:
            postings.setdefault(feature, array("i")).append(index)
    slugs = [a.slug for a in articles]
    best = list(_per_article(lambda i: _best_for(i, features, postings, slugs, limit), len(articles), workers))
    return _Result(limit, slugs, inputs, df, numbers, features, postings, best)


def _update(last: _Result, articles: Sequence[Article], words_memo: dict[bytes, bytes],
            inputs: list[tuple]) -> _Result | None:
    """``_compute``'s answer for the same articles as ``last`` in the same order, some of
    them edited, redoing only what the edits can change; None when ``last`` cannot
    say (the memo lacks an old word list).

    An edit changes the document frequency of the words it added or removed, so
    the features (rarest words and their weights) of the articles using those
    words; a changed feature set moves the article in or out of posting lists, so
    the candidate windows of its neighbours there. An article's best list depends
    only on its own features and its windows, so every other one is kept."""
    edited = [i for i, (now, then) in enumerate(zip(inputs, last.inputs)) if now != then]
    old_words = {i: words_memo.get(last.inputs[i][-1]) for i in edited}
    if any(packed is None for packed in old_words.values()):
        return None
    word_lists = _word_lists(articles, 1, words_memo, [text_key for *_, text_key in inputs])
    # ``last`` is left as it was (a build that fails later must not leave a memo half updated)
    df, postings = Counter(last.df), dict(last.postings)
    changes = [(set(_words_of(old_words[i])), set(_words_of(word_lists[i]))) for i in edited]
    for before, after in changes:
        df.subtract(before - after)
        df.update(after - before)
    moved = {word for before, after in changes for word in before ^ after}
    for word in moved:
        if df[word] <= 0:
            del df[word]
    # only words whose count changed can reorder another article's words; a word list is
    # searched as text (its words are space-separated), not split: 10,000 lists an edit
    padded = [f" {word} " for word in moved]
    affected = set(edited) | {j for j, packed in enumerate(word_lists)
                              if padded and any(word in f" {_unpacked(packed)} " for word in padded)}
    features, numbers, stale = list(last.features), dict(last.numbers), set(affected)
    for j in sorted(affected):
        feats = _article_features(articles[j], _rarest_shared(_unpacked(word_lists[j]), df), df, len(articles),
                                  numbers)
        for feature in feats.keys() ^ features[j].keys():
            postings[feature] = array("i", postings.get(feature, ()))  # a copy: see above
            stale |= _move_in_postings(postings[feature], j, feature in feats)
        features[j] = feats
    best = list(last.best)
    for i in sorted(stale):
        best[i] = _best_for(i, features, postings, last.slugs, last.limit)
    return _Result(last.limit, last.slugs, inputs, df, numbers, features, postings, best)


def _move_in_postings(plist: array, index: int, add: bool) -> set[int]:
    """Insert ``index`` into (or remove it from) a posting list; returns the articles
    whose candidate window there changed: those within ``WINDOW`` places of it."""
    pos = bisect_left(plist, index)
    near = set(plist[max(0, pos - WINDOW - 1) : pos + WINDOW + 2])
    if add:
        plist.insert(pos, index)
    else:
        del plist[pos]
    near.discard(index)
    return near


def _best_for(index: int, features: Sequence[dict[int, float]], postings: dict[int, array],
              slugs: Sequence[str], limit: int) -> list[int]:
    """The article's ``limit`` best candidates: those near it in its features' posting lists."""
    scores: dict[int, float] = {}
    get = scores.get
    for feature, weight in features[index].items():
        plist = postings[feature]
        pos = bisect_left(plist, index)
        for other in plist[max(0, pos - WINDOW) : pos + WINDOW + 1]:
            scores[other] = get(other, 0) + weight
    scores.pop(index, None)
    return _best(scores, index, slugs, limit)


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


def _article_features(article: Article, rarest: Sequence[str], df: Counter[str], total: int,
                      numbers: dict[Feature, int]) -> dict[int, float]:
    """Feature number -> weight for one article; words are weighted by rarity across the site.
    (Features are numbered, not kept as (kind, name) keys: far less memory at 50,000 articles.)"""
    feats: dict[int, float] = {}
    for topic in article.topics:
        feats[numbers.setdefault(("topic", normalize(topic)), len(numbers))] = TOPIC_WEIGHT
    for tag in article.tags:
        feats.setdefault(numbers.setdefault(("tag", normalize(tag).casefold()), len(numbers)), TAG_WEIGHT)
    for word in rarest:
        idf = math.log(max(1, total) / df[word])
        feats.setdefault(numbers.setdefault(("word", word), len(numbers)), WORD_WEIGHT * idf / (1.0 + idf))
    return feats


def _inputs(articles: Sequence[Article], text_keys: Sequence[bytes] | None = None) -> list[tuple]:
    """What each article's features are made of: its topics, tags and text (hashed)."""
    keys = text_keys if text_keys is not None else [_text_key(a) for a in articles]
    return [(a.topics, a.tags, key) for a, key in zip(articles, keys)]


def _words_of(packed: bytes) -> list[str]:
    text = _unpacked(packed)
    return text.split(" ") if text else []


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


def _word_lists(articles: Sequence[Article], workers: int = 1, memo: dict[bytes, bytes] | None = None,
                keys: Sequence[bytes] = ()) -> list[bytes]:
    """Each article's distinct content words, joined by spaces and packed (``_unpacked``),
    found for the articles ``memo`` lacks (``memo`` then holds this call's articles;
    ``keys``: the articles' ``_text_key``, when the caller has them).

    One string per article, not a set of ~150 small strings; and compressed, a
    third of the size: held for every article until the rarest words are chosen,
    they were the largest addition to a big build's peak memory."""
    if memo is None:
        return list(_per_article(lambda i: _packed_words(articles[i]), len(articles), workers))
    keys = keys or [_text_key(article) for article in articles]
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
