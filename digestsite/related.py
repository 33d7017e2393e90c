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
from bisect import bisect_left, bisect_right
from array import array
import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
# The lead paragraphs: enough to find an article's distinctive words. On the 10,000-article
# benchmark corpus, 1,000 characters rather than 2,000 leave 97.8% of the links as they were and
# find the copies of an article's own text as often (86.8% of links), for a quarter less time.
BODY_CHARS = 1000

class _Ragged:
    """A long list of short rows (one per article, or per feature) kept as flat arrays,
    so that storing and loading it is a few bulk copies rather than 50,000 small objects
    (the memo of a 10,000-article site is stored after every edit and loaded by every
    rebuild). A row replaced since is kept aside until the next pickling folds it in;
    ``copy`` shares the flat arrays, so an update never alters the answer it started from.

    Rows are int arrays, or with ``weighted`` int -> float dicts (feature weights)."""

    __slots__ = ("weighted", "_columns", "_offsets", "_changed")

    def __init__(self, weighted: bool, columns: tuple[array, ...], offsets: array,
                 changed: dict[int, Any] | None = None) -> None:
        self.weighted = weighted
        self._columns = columns
        self._offsets = offsets  # row i is columns[...][offsets[i]:offsets[i + 1]]
        self._changed = changed if changed is not None else {}

    @classmethod
    def of(cls, rows: Iterable[Any], weighted: bool = False) -> _Ragged:
        columns = (array("i"), array("d")) if weighted else (array("i"),)
        offsets = array("q", [0])
        for row in rows:
            for column, values in zip(columns, cls._values(row, weighted)):
                column.extend(values)
            offsets.append(len(columns[0]))
        return cls(weighted, columns, offsets)

    @staticmethod
    def _values(row: Any, weighted: bool) -> tuple[Iterable, ...]:
        return (row.keys(), row.values()) if weighted else (row,)

    def __len__(self) -> int:
        return max(len(self._offsets) - 1, max(self._changed, default=-1) + 1)

    def __getitem__(self, index: int) -> Any:
        if index in self._changed:
            return self._changed[index]
        if index + 1 >= len(self._offsets):
            return {} if self.weighted else array("i")
        start, end = self._offsets[index], self._offsets[index + 1]
        if self.weighted:
            return dict(zip(self._columns[0][start:end], self._columns[1][start:end]))
        return self._columns[0][start:end]

    def __setitem__(self, index: int, row: Any) -> None:
        self._changed[index] = row

    def __iter__(self) -> Iterator[Any]:
        return (self[index] for index in range(len(self)))

    def copy(self) -> _Ragged:
        return _Ragged(self.weighted, self._columns, self._offsets, dict(self._changed))

    def __reduce__(self) -> tuple:
        return _Ragged, (self.weighted, *self._folded())

    def _folded(self) -> tuple[tuple[array, ...], array]:
        """The columns and offsets with the changed rows in place: the unchanged runs
        between them are copied a slice at a time."""
        if not self._changed:
            return self._columns, self._offsets
        columns = tuple(array(column.typecode) for column in self._columns)
        offsets = array("q", [0])
        kept = len(self._offsets) - 1
        done = 0
        for index in sorted(self._changed):
            if done < min(index, kept):
                self._copy_rows(done, min(index, kept), columns, offsets)
            offsets.extend([len(columns[0])] * (index - max(done, kept)))  # empty rows past the end
            for column, values in zip(columns, self._values(self._changed[index], self.weighted)):
                column.extend(values)
            offsets.append(len(columns[0]))
            done = index + 1
        if done < kept:
            self._copy_rows(done, kept, columns, offsets)
        return columns, offsets

    def _copy_rows(self, first: int, stop: int, columns: tuple[array, ...], offsets: array) -> None:
        start, end = self._offsets[first], self._offsets[stop]
        shift = len(columns[0]) - start
        for column, source in zip(columns, self._columns):
            column.extend(source[start:end])
        offsets.extend(offset + shift for offset in self._offsets[first + 1 : stop + 1])


class _WordTable:
    """Every article's distinct words in one UTF-8 string (`` w1 w2 … \n`` per article), so
    that the articles using a word are found by one search of the whole text, not by
    unpacking 10,000 word lists (``_update``); bytes, so that storing and loading it
    is a copy."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: bytes, offsets: array) -> None:
        self.text = text
        self.offsets = offsets  # article i is text[offsets[i]:offsets[i + 1]]

    @classmethod
    def of(cls, word_lists: Iterable[str]) -> _WordTable:
        return cls._joined([f" {words} \n".encode() for words in word_lists])

    @classmethod
    def _joined(cls, entries: list[bytes]) -> _WordTable:
        offsets = array("q", [0])
        total = 0
        for entry in entries:
            total += len(entry)
            offsets.append(total)
        return cls(b"".join(entries), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        """The article's words, space-separated (as ``_word_lists`` packs them)."""
        return self.text[self.offsets[index] + 1 : self.offsets[index + 1] - 2].decode()

    def using(self, word: str) -> set[int]:
        """The articles whose words include ``word``."""
        found, needle, text, offsets = set(), f" {word} ".encode(), self.text, self.offsets
        at = text.find(needle)
        while at >= 0:
            found.add(bisect_right(offsets, at) - 1)
            at = text.find(needle, at + 1)
        return found

    def replaced(self, rows: Mapping[int, str]) -> _WordTable:
        """A table with the words of the articles in ``rows`` replaced."""
        text, offsets = self.text, self.offsets
        return _WordTable._joined([f" {rows[i]} \n".encode() if i in rows else text[offsets[i] : offsets[i + 1]]
                                   for i in range(len(self))])

    def __reduce__(self) -> tuple:
        return _WordTable, (self.text, self.offsets)


@dataclass
class _Result:
    """One call's inputs and answer, kept so the next call can redo only what an edit changed."""

    limit: int
    slugs: list[str]
    inputs: list[tuple]  # per article: what its features are made of (see ``_inputs``)
    words: _WordTable
    df: Counter[str]  # word -> articles using it
    numbers: dict[str, int]  # feature (``_feature_name``) -> its number
    features: _Ragged  # per article: feature number -> weight
    postings: _Ragged  # feature number -> the articles that have it, ascending
    best: _Ragged


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
    if memo is not None and last is not None and last.limit == limit and last.slugs == slugs:
        result = _update(last, articles, memo.words, inputs)
    else:
        result = _compute(articles, limit, workers, memo.words if memo is not None else None, inputs)
    if memo is not None:
        memo.last = result
        memo.dirty = {memo.shard_of(key) for key in known.symmetric_difference(memo.words)}
    return {slug: tuple(articles[o] for o in others) for slug, others in zip(slugs, result.best)}


def _compute(articles: Sequence[Article], limit: int, workers: int, words_memo: dict[bytes, bytes] | None,
             inputs: list[tuple]) -> _Result:
    """Every article's features and best candidates, from scratch (``inputs``: see ``_inputs``,
    [] with no memo; with none, only the answer is kept: ``best``)."""
    keep = words_memo is not None
    if keep:
        word_lists = _word_lists(articles, workers, words_memo, [text_key for *_, text_key in inputs])
        df: Counter[str] = Counter()
        for packed in word_lists:
            df.update(_words_of(packed))
    else:
        word_lists, df = _counted_word_lists(articles, workers)
    table = _WordTable.of(map(_unpacked, word_lists) if keep else ())
    numbers: dict[str, int] = {}
    postings: list[array] = []
    # each article's named features are weighed beside its rarest words, in the workers; only
    # their numbering, which must follow the articles' order, is left to this process
    named = _per_article(lambda i: _named_features(articles[i], _rarest_shared(_unpacked(word_lists[i]), df), df,
                                                   len(articles)), len(articles), workers)

    def numbered() -> Iterator[dict[int, float]]:
        for index, weights in enumerate(named):
            word_lists[index] = b""  # done with
            row = {}
            for name, weight in weights.items():
                number = numbers.get(name)
                if number is None:
                    number = numbers[name] = len(numbers)
                    postings.append(array("i"))
                postings[number].append(index)
                row[number] = weight
            yield row

    # flat arrays, not a dict an article: 10,000 dicts of twenty features were the largest
    # thing a big build held here
    features = _Ragged.of(numbered(), weighted=True)
    if not keep:  # freed before the workers fork (a big build's peak memory)
        df, numbers = Counter(), {}
    slugs = [a.slug for a in articles]
    best = list(_per_article(lambda i: _best_for(i, features, postings, slugs, limit), len(articles), workers))
    if not keep:
        return _Result(limit, slugs, inputs, table, df, numbers, _Ragged.of(()), _Ragged.of(()), best)
    return _Result(limit, slugs, inputs, table, df, numbers, features, _Ragged.of(postings), best)


def _update(last: _Result, articles: Sequence[Article], words_memo: dict[bytes, bytes],
            inputs: list[tuple]) -> _Result:
    """``_compute``'s answer for the same articles as ``last`` in the same order, some of
    them edited, redoing only what the edits can change.

    An edit changes the document frequency of the words it added or removed, so
    the features (rarest words and their weights) of the articles using those
    words; a changed feature set moves the article in or out of posting lists, so
    the candidate windows of its neighbours there. An article's best list depends
    only on its own features and its windows, so every other one is kept."""
    edited = [i for i, (now, then) in enumerate(zip(inputs, last.inputs)) if now != then]
    word_lists = _word_lists(articles, 1, words_memo, [text_key for *_, text_key in inputs])
    edited_words = {i: _unpacked(word_lists[i]) for i in edited}
    # ``last`` is left as it was (a build that fails later must not leave a memo half updated)
    df = Counter(last.df)
    changes = [(set(last.words[i].split()), set(edited_words[i].split())) for i in edited]
    for before, after in changes:
        df.subtract(before - after)
        df.update(after - before)
    moved = {word for before, after in changes for word in before ^ after}
    for word in moved:
        if df[word] <= 0:
            del df[word]
    # only words whose count changed can reorder another article's words
    table = last.words.replaced(edited_words) if edited_words else last.words
    affected = set(edited).union(*(table.using(word) for word in moved))
    features, postings, numbers = last.features.copy(), last.postings.copy(), dict(last.numbers)
    stale = set(affected)
    for j in sorted(affected):
        feats = _article_features(articles[j], _rarest_shared(table[j], df), df, len(articles), numbers)
        for feature in feats.keys() ^ features[j].keys():
            postings[feature] = array("i", postings[feature])  # a copy: see above
            stale |= _move_in_postings(postings[feature], j, feature in feats)
        features[j] = feats
    best = list(last.best)
    for i in sorted(stale):
        best[i] = _best_for(i, features, postings, last.slugs, last.limit)
    return _Result(last.limit, last.slugs, inputs, table, df, numbers, features, postings, best)


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


def _best_for(index: int, features: Sequence[dict[int, float]] | _Ragged, postings: Sequence[array] | _Ragged,
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
    chunks = _per_chunk(lambda start, stop: [task(i) for i in range(start, stop)], count, workers)
    return (result for chunk in chunks for result in chunk)


def _per_chunk(task: Callable[[int, int], Any], count: int, workers: int) -> Iterator[Any]:
    """``task(start, stop)`` over ``range(count)`` cut into chunks of ``_CHUNK``, in order,
    over ``workers`` forked processes when there are at least two chunks (else here, as one)."""
    if workers <= 1 or count < 2 * _CHUNK:
        return iter([task(0, count)])
    return parallel_imap(lambda start: task(start, min(count, start + _CHUNK)), range(0, count, _CHUNK), workers)


def _best(scores: dict[int, float], index: int, slugs: Sequence[str], limit: int) -> list[int]:
    """The ``limit`` best candidates by (rounded score, distance in reading order, slug).

    Only candidates whose rounded score reaches the ``limit``-th best can win, so
    the full sort key is built for those few, not for every candidate; and since
    rounding moves a score by at most 5e-10, only those within 1e-8 of the
    ``limit``-th best raw score are rounded at all (a tenth of the ~50 candidates)."""
    if len(scores) > limit:
        floor = heapq.nlargest(limit, scores.values())[-1] - 1e-8
        scores = {o: score for o, score in scores.items() if score >= floor}
    rounded = {o: round(score, 9) for o, score in scores.items() if score > 1e-9}  # a word in every article links nothing
    if len(rounded) > limit:
        floor = heapq.nlargest(limit, rounded.values())[-1]
        rounded = {o: r for o, r in rounded.items() if r >= floor}
    return heapq.nsmallest(limit, rounded, key=lambda o: (-rounded[o], abs(o - index), slugs[o], o))


def _article_features(article: Article, rarest: Sequence[str], df: Counter[str], total: int,
                      numbers: dict[str, int]) -> dict[int, float]:
    """Feature number -> weight for one article; words are weighted by rarity across the site.
    (Features are numbered, not kept as "kind name" keys: far less memory at 50,000 articles.)"""
    weights = _named_features(article, rarest, df, total)
    return {numbers.setdefault(name, len(numbers)): weight for name, weight in weights.items()}


def _named_features(article: Article, rarest: Sequence[str], df: Counter[str], total: int) -> dict[str, float]:
    """Feature name ("topic x", "tag y", "word z") -> weight for one article, in the order
    ``_article_features`` numbers them."""
    feats: dict[str, float] = {}
    for topic in article.topics:
        feats["topic " + normalize(topic)] = TOPIC_WEIGHT
    for tag in article.tags:
        feats.setdefault("tag " + normalize(tag).casefold(), TAG_WEIGHT)
    for word in rarest:
        idf = math.log(max(1, total) / df[word])
        feats.setdefault("word " + word, WORD_WEIGHT * idf / (1.0 + idf))
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


def _word_lists(articles: Sequence[Article], workers: int, memo: dict[bytes, bytes],
                keys: Sequence[bytes] = ()) -> list[bytes]:
    """Each article's distinct content words, joined by spaces and packed (``_unpacked``),
    found for the articles ``memo`` lacks (``memo`` then holds this call's articles;
    ``keys``: the articles' ``_text_key``, when the caller has them). Without a memo,
    see ``_counted_word_lists``.

    One string per article, not a set of ~150 small strings; and compressed, a
    third of the size: held for every article until the rarest words are chosen,
    they were the largest addition to a big build's peak memory."""
    keys = keys or [_text_key(article) for article in articles]
    missing = [i for i, key in enumerate(keys) if key not in memo]
    found = dict(zip((keys[i] for i in missing),
                     _per_article(lambda j: _packed_words(articles[missing[j]]), len(missing), workers)))
    known = {key: memo.get(key) or found[key] for key in keys}
    memo.clear()
    memo.update(known)
    return [known[key] for key in keys]


def _counted_word_lists(articles: Sequence[Article], workers: int) -> tuple[list[bytes], Counter[str]]:
    """``_word_lists`` with no memo, and each word's document frequency: counted where the
    word sets are made (in the workers), not by unpacking every list again in the caller.
    (Left uncompressed, the lists would cost a sixth less time here, but 4 MB more at the
    peak of a 10,000-article digest build, past Pelican's.)"""
    def lists_and_counts(start: int, stop: int) -> tuple[list[bytes], Counter[str]]:
        counts: Counter[str] = Counter()
        packed = []
        for article in articles[start:stop]:
            words_of_one = _word_set(article)
            counts.update(words_of_one)
            packed.append(_packed(words_of_one))
        return packed, counts

    word_lists: list[bytes] = []
    df: Counter[str] = Counter()
    for packed, counts in _per_chunk(lists_and_counts, len(articles), workers):
        word_lists += packed
        df.update(counts)
    return word_lists, df


def _packed_words(article: Article) -> bytes:
    return _packed(_word_set(article))


def _packed(words_of_one: set[str]) -> bytes:
    return zlib.compress(" ".join(words_of_one).encode(), 1)


def _text_key(article: Article) -> bytes:
    """What an article's words are found in (see ``_word_set``), hashed."""
    text = "\0".join((article.title, article.standfirst, article.body[:BODY_CHARS]))
    return hashlib.sha1(text.encode(), usedforsecurity=False).digest()


def _unpacked(packed: bytes) -> str:
    return zlib.decompress(packed).decode()


def _word_set(article: Article) -> set[str]:
    head = article.body[:BODY_CHARS]
    # most standfirsts are the body's first sentence: its words are in ``head`` already
    parts = (article.title, head) if _holds_whole(head, article.standfirst) else (
        article.title, article.standfirst, head)
    text = " ".join(parts)
    # the same filter as text.content_words, applied to distinct tokens only (much cheaper)
    tokens = set(words(text.lower()))
    return {w for w in tokens - STOPWORDS if len(w) > 1 and not w.isdigit()}


def _holds_whole(text: str, part: str) -> bool:
    """``part`` occurs in ``text`` with whitespace (or an end) on both sides, so that every
    word of ``part`` is a word of ``text`` (no word runs across whitespace)."""
    at = text.find(part) if part else -1
    if at < 0:
        return not part
    end = at + len(part)
    return (at == 0 or text[at - 1].isspace()) and (end == len(text) or text[end].isspace())
