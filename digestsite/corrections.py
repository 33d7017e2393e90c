"""Apply the maintainer's corrections to the enriched articles (a cross-article pass).

Corrections come from ``corrections.toml`` (``[[article]]`` tables) and from
Markdown pages in ``content/articles/``; both are matched to articles by stable
id, so they survive edits elsewhere in a digest. A page whose id matches no
article and that names no source digest is a new, hand-written article. A
correction that matches nothing is a warning naming it; a topic that the
taxonomy does not know is an error at the correction's line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

from .errors import SourceError
from .model import Article, ArticleOverride, Content, Digest, SplitCorrection, Subhead
from .read import PageMemo
from .text import article_slug, first_sentence

__all__ = ["apply_corrections", "drop_duplicates", "unmatched_splits"]

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.MULTILINE)


def apply_corrections(articles: Sequence[Article], content: Content,
                      memo: PageMemo | None = None) -> tuple[list[Article], list[str]]:
    """Corrected articles plus the hand-written ones (appended in file order), and warnings.

    An article whose text repeats an earlier one's is published once (see ``drop_duplicates``).
    ``memo``: the pages' memo from ``read_content``; a hand-written article made from the
    same page object at the same place is taken from it, and it is left holding this call's.
    """
    known_topics = {t.name for t in content.taxonomy.topics}
    first_new_order = len(articles)
    articles, warnings = drop_duplicates(articles)
    by_id = {a.id: a for a in articles}
    corrected: dict[str, Article] = {}
    new_articles: list[Article] = []
    pages = [(o, False) for o in content.overrides] + [(p, True) for p in content.pages]
    for override, is_page in pages:
        _check_topics(override, known_topics)
        target = corrected.get(override.id) or by_id.get(override.id)
        if target is not None:
            corrected[override.id] = apply_override(target, override)
        elif is_page and not override.digest:
            new_articles.append(_remembered_article(override, first_new_order + len(new_articles), memo))
        else:
            warnings.append(f"{override.source}: correction for article id {override.id!r} matches no article")
    result = [corrected.get(a.id, a) for a in articles] + new_articles
    if memo is not None and len(memo.articles) != len(new_articles):
        kept = {a.source_path for a in new_articles}
        memo.dirty.update(memo.shard_of(source) for source in memo.articles.keys() - kept)
        memo.articles = {source: entry for source, entry in memo.articles.items() if source in kept}
    return result, warnings


def _remembered_article(override: ArticleOverride, order: int, memo: PageMemo | None) -> Article:
    """``handwritten_article``, or what it gave for this page object at this place before (it
    is a fifth of a rebuild of 10,000 pages: every page's first sentence and slug)."""
    if memo is None:
        return handwritten_article(override, order)
    entry = memo.articles.get(override.source)
    if entry is not None and entry[0] is override and entry[1] == order:
        return entry[2]
    article = handwritten_article(override, order)
    memo.articles[override.source] = (override, order, article)
    memo.dirty.add(memo.shard_of(override.source))
    return article


def drop_duplicates(articles: Sequence[Article]) -> tuple[list[Article], list[str]]:
    """The articles without repeats of an earlier one's text (same id), and a warning per repeat.

    Two pages of the same text would share an id (corrections could not tell
    them apart) and an Atom entry id, and readers would find the story twice.
    """
    first: dict[str, Article] = {}
    kept: list[Article] = []
    warnings: list[str] = []
    for article in articles:
        seen = first.setdefault(article.id, article)
        if seen is article:
            kept.append(article)
        else:
            warnings.append(f"{article.digest}:{article.start + 1}: same text as the article at "
                            f"{seen.digest}:{seen.start + 1}; published once")
    return kept, warnings


def _check_topics(override: ArticleOverride, known: set[str]) -> None:
    for topic in override.topics or ():
        if topic not in known:
            path, _, line = override.source.rpartition(":")
            if not line.isdigit():
                path, line = override.source, ""
            raise SourceError(path, int(line) - 1 if line else None, f"unknown topic {topic!r}",
                              hint=f"known topics: {', '.join(sorted(known)) or 'none'}; add it to topics.toml")


def apply_override(article: Article, override: ArticleOverride) -> Article:
    """The article with every field the override sets replaced; id and source stay."""
    fields = {
        name: getattr(override, name)
        for name in ("title", "standfirst", "topics", "tags", "spokespersons", "date", "slug")
        if getattr(override, name) is not None
    }
    if override.body:
        fields["body"] = override.body
        fields["subheads"] = _subheads(override.body, article.start)
    if override.spokespersons is not None:
        names = {s.name for s in override.spokespersons}
        fields["statements"] = tuple(s for s in article.statements if s.speaker in names)
    return replace(article, **fields)


def handwritten_article(override: ArticleOverride, order: int) -> Article:
    """A new article from a Markdown page in content/articles/."""
    path = override.source
    if not override.title:
        raise SourceError(path, 0, "a hand-written article needs a title")
    body = (override.body or "").strip()
    if not body:
        raise SourceError(path, 0, "a hand-written article needs a body after the front matter")
    first_paragraph = _first_paragraph(body)
    standfirst = override.standfirst or first_sentence(" ".join(first_paragraph.split()))
    article_id = override.id or hashlib.sha1(body.encode("utf-8")).hexdigest()[:12]
    return Article(
        id=article_id, slug=override.slug or article_slug(override.title, article_id),
        title=override.title, standfirst=standfirst, body=body,
        topics=override.topics or (), tags=override.tags or (),
        spokespersons=override.spokespersons or (), date=override.date, order=order,
        subheads=_subheads(body, 0), source_path=path,
    )


def _first_paragraph(body: str) -> str:
    """The first of ``body.split("\\n\\n")`` that is no heading (else the body), found
    without splitting the rest of the body."""
    start = 0
    while True:
        end = body.find("\n\n", start)
        part = body[start:] if end < 0 else body[start:end]
        if not part.startswith("#"):
            return part
        if end < 0:
            return body
        start = end + 2


def _subheads(body: str, line: int) -> tuple[Subhead, ...]:
    if "##" not in body:
        return ()  # most bodies: no regex scan of every line
    return tuple(Subhead(m.group(1), line, "line") for m in _HEADING.finditer(body))


def unmatched_splits(digests: Sequence[Digest], splits: Sequence[SplitCorrection]) -> list[SplitCorrection]:
    """Split and join corrections that name no paragraph in any digest."""
    if not splits:
        return []
    from .segment import matching_line  # here: a build without split corrections never loads the segmenter

    return [c for c in splits if all(matching_line(d, c) is None for d in digests)]
