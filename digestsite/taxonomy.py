"""Stage 5a: group articles by topic and by spokesperson (pure grouping and sorting).

Input: the site's articles in reading order (latest first, then digest order)
and the maintainer's topic taxonomy. Output: ``TopicEntry`` and
``SpeakerEntry`` tuples ready for the renderer.

Invariants:

- Only terms with at least one article get an entry.
- Entries are sorted by article count (descending), then by name
  (case-folded, then exact, so the order is total and byte-stable).
- The articles inside an entry keep the order of the ``articles`` argument,
  so a topic page lists them in site reading order.
- Slugs are unique within each index and match ``[a-z0-9-]+``. A name with
  no Latin letters or digits (CJK, Arabic) gets ``topic-<hash8>`` or
  ``person-<hash8>``, the hash of the NFC name, so it survives rebuilds.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from .model import Article, SpeakerEntry, Statement, Taxonomy, TopicEntry
from .text import normalize, slugify

__all__ = ["index_spokespersons", "index_topics"]


def index_topics(articles: Sequence[Article], taxonomy: Taxonomy) -> tuple[TopicEntry, ...]:
    """One ``TopicEntry`` per topic that at least one article carries.

    A topic name on an article that the taxonomy does not define (a hand
    correction may add one) still gets an entry, with an empty description.
    """
    definitions = {normalize(d.name): d for d in taxonomy.topics}
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        # a topic listed twice on one article must not count the article twice
        for name in dict.fromkeys(normalize(t) for t in article.topics if t.strip()):
            grouped.setdefault(name, []).append(article)
    names = _sorted_by_count(grouped)
    wanted = {}
    for name in names:
        definition = definitions.get(name)
        wanted[name] = (definition.slug if definition and definition.slug else "") or slugify(name)
    slugs = _unique_slugs(names, wanted, "topic")
    return tuple(
        TopicEntry(
            name=name,
            slug=slugs[name],
            description=definitions[name].description if name in definitions else "",
            articles=tuple(grouped[name]),
        )
        for name in names
    )


def index_spokespersons(articles: Sequence[Article]) -> tuple[SpeakerEntry, ...]:
    """One ``SpeakerEntry`` per spokesperson name (NFC, whitespace collapsed).

    ``organisation`` is the most common non-empty organisation given for the
    name (ties: alphabetical). ``statements`` pairs each article in which the
    speaker has statements with those statements only, in line order.
    """
    grouped: dict[str, list[Article]] = {}
    organisations: dict[str, Counter[str]] = {}
    for article in articles:
        seen: set[str] = set()
        for person in article.spokespersons:
            name = normalize(person.name)
            if not name:
                continue
            organisations.setdefault(name, Counter())
            if person.organisation.strip():
                organisations[name][normalize(person.organisation)] += 1
            if name not in seen:
                seen.add(name)
                grouped.setdefault(name, []).append(article)
    names = _sorted_by_count(grouped)
    slugs = _unique_slugs(names, {name: slugify(name) for name in names}, "person")
    return tuple(
        SpeakerEntry(
            name=name,
            slug=slugs[name],
            organisation=_most_common(organisations[name]),
            articles=tuple(grouped[name]),
            statements=_statements_by_article(name, grouped[name]),
        )
        for name in names
    )


def _statements_by_article(
    name: str, articles: Iterable[Article]
) -> tuple[tuple[Article, tuple[Statement, ...]], ...]:
    pairs = []
    for article in articles:
        said = sorted(
            (s for s in article.statements if normalize(s.speaker) == name),
            key=lambda s: (s.line, s.text),
        )
        if said:
            pairs.append((article, tuple(said)))
    return tuple(pairs)


def _sorted_by_count(grouped: dict[str, list[Article]]) -> list[str]:
    key: Callable[[str], tuple[int, str, str]] = lambda n: (-len(grouped[n]), n.casefold(), n)
    return sorted(grouped, key=key)


def _most_common(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return min(counts, key=lambda org: (-counts[org], org.casefold(), org))


def _unique_slugs(names: Sequence[str], wanted: dict[str, str], prefix: str) -> dict[str, str]:
    """Give each name its wanted slug, a hash fallback when empty, ``-2``… on a clash.

    Names are visited in the index order (most articles first), so the busier
    term keeps the plain slug when two names fold to the same one.
    """
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = wanted[name] or f"{prefix}-{_hash8(name)}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        result[name] = slug
    return result


def _hash8(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
