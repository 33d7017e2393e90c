"""The build, top to bottom: ``content/`` and ``templates/`` -> a static site.

read -> segment -> enrich -> correct -> slugs -> index -> render -> write -> search.
Each stage is a function of its inputs; this module only calls them in order
and does the cross-article passes between them. Reading this file is reading
the whole build.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .corrections import apply_corrections, unmatched_splits
from .enrich import assign_slugs, enrich_segment
from .markdown_pages import article_to_markdown
from .model import Article, BuildOptions, BuildReport, Content, LineDecision, SiteModel
from .publish import staged_output, write_files
from .read import read_content, read_digest, read_taxonomy, TAXONOMY_FILE
from .render import make_environment, plan_pages, render_pages, static_files
from .search import index_site
from .segment import explain_digest, segment_digest
from .taxonomy import index_spokespersons, index_topics

__all__ = ["build", "build_site_model", "explain_file", "segment_files", "reading_order"]


def build(options: BuildOptions) -> BuildReport:
    """Build the site into ``options.out_dir``; the old site stays if anything fails."""
    started = time.perf_counter()
    content = read_content(options.content_dir)
    site, warnings = build_site_model(content, options.base_url)
    env = make_environment(options.templates_dir)
    files = render_pages(plan_pages(site), env)
    files |= static_files(options.templates_dir)
    files |= markdown_sources(site.articles)
    protected = [options.content_dir, options.templates_dir]
    with staged_output(options.out_dir, protected) as staging:
        write_files(files, staging)
        indexed = index_site(staging, site.settings.language) if options.search else 0
    return BuildReport(
        articles=len(site.articles), topics=len(site.topics),
        spokespersons=len(site.spokespersons),
        pages=sum(1 for path in files if path.suffix == ".html"),
        indexed=indexed, seconds=time.perf_counter() - started,
        warnings=list(content.warnings) + warnings,
    )


def build_site_model(content: Content, base_url: str | None = None) -> tuple[SiteModel, list[str]]:
    """Every cross-article pass: segments -> corrected, slugged, indexed articles."""
    warnings: list[str] = []
    articles = enrich_digests(content)
    articles, correction_warnings = apply_corrections(articles, content)
    warnings += correction_warnings
    warnings += [f"{c.source}: {c.action} correction matches no paragraph: {c.quote!r}"
                 for c in unmatched_splits(content.digests, content.splits)]
    articles = reading_order(assign_slugs(articles))
    warnings += [f"{a.digest or a.source_path}:{a.start + 1}: article {a.slug!r} got no topic"
                 for a in articles if not a.topics and content.taxonomy.topics]
    settings = replace(content.settings, base_url=_with_slash(base_url or content.settings.base_url))
    site = SiteModel(
        settings=settings,
        articles=tuple(articles),
        topics=index_topics(articles, content.taxonomy),
        spokespersons=index_spokespersons(articles),
        build_time=build_time(articles),
    )
    return site, warnings


def enrich_digests(content: Content) -> list[Article]:
    """Segment and enrich every digest; ``order`` numbers articles across the whole build."""
    articles: list[Article] = []
    for digest in content.digests:
        for segment in segment_digest(digest, content.splits):
            articles.append(enrich_segment(segment, content.taxonomy, date=digest.date, order=len(articles)))
    return articles


def reading_order(articles: Sequence[Article]) -> list[Article]:
    """Latest date first; undated articles after the dated ones; then place in the digests."""
    def key(article: Article) -> tuple[int, int]:
        day = int(article.date.replace("-", "")) if article.date else 0
        return (-day, article.order)
    return sorted(articles, key=key)


def build_time(articles: Sequence[Article]) -> str:
    """The site's timestamp: its latest article date, else SOURCE_DATE_EPOCH, else the epoch."""
    dates = [a.date for a in articles if a.date]
    if dates:
        return f"{max(dates)}T00:00:00Z"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    seconds = int(epoch) if epoch.isdigit() else 0
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def markdown_sources(articles: Sequence[Article]) -> dict[PurePosixPath, bytes]:
    """Each article's Markdown page, published beside its HTML."""
    return {
        PurePosixPath("articles", a.slug, "index.md"): article_to_markdown(a).encode("utf-8")
        for a in articles
    }


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def segment_files(paths: Sequence[Path], content_dir: Path) -> list[dict]:
    """What ``build.py segment FILE... --json`` prints: segments with their enrichment."""
    taxonomy = read_taxonomy(content_dir / TAXONOMY_FILE, [], relative_to=content_dir)
    results = []
    for path in paths:
        digest = read_digest(path, relative_to=path.parent)
        articles = [enrich_segment(s, taxonomy, date=digest.date, order=i)
                    for i, s in enumerate(segment_digest(digest))]
        articles = assign_slugs(articles)
        results.append({"file": str(path), "articles": [_segment_json(a) for a in articles]})
    return results


def _segment_json(article: Article) -> dict:
    return {
        "start": article.start, "end": article.end, "title": article.title, "slug": article.slug,
        "id": article.id, "topics": list(article.topics), "tags": list(article.tags),
        "spokespersons": [s.name for s in article.spokespersons],
        "subheads": [{"text": s.text, "line": s.line, "kind": s.kind} for s in article.subheads],
    }



def explain_file(path: Path) -> list[tuple[LineDecision, str]]:
    """Every paragraph's boundary decision with the paragraph's text, for --explain."""
    digest = read_digest(path, relative_to=path.parent)
    texts = {p.line: p.text for p in digest.paragraphs}
    return [(d, texts.get(d.line, "")) for d in explain_digest(digest)]
