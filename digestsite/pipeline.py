"""The build, top to bottom: ``content/`` and ``templates/`` -> a static site.

read -> segment -> enrich -> correct -> slugs -> index -> render -> write -> search.
Each stage is a function of its inputs; this module only calls them in order
and does the cross-article passes between them. Reading this file is reading
the whole build.

On a big build the two per-item stages, segment+enrich (per digest) and
render (per batch of pages), run in forked worker processes (``parallel.py``);
results come back in input order, so the site is byte-identical to a serial build.
A clean big build also writes every article's ``index.md`` in a forked process of
its own while related articles are found and pages planned.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment

from .cache import (BuildCache, InputsCheck, Record, article_hash, check_inputs, code_hash, file_record, hash_values,
                    previous_file, template_hashes)
from .corrections import apply_corrections, unmatched_splits
from .markdown_pages import article_to_markdown
from .model import (Article, BuildOptions, BuildReport, Content, Digest, LineDecision, PageSpec, SiteModel,
                    SplitCorrection, Taxonomy)
from .errors import BuildError
from .publish import OutputUpdate, check_output_dir, link_files, output_stamp, staged_update, write_files
from .read import TAXONOMY_FILE, PageMemo, read_content, read_digest, read_taxonomy, safe_base_url
from .related import RelatedMemo
from .render import make_environment, plan_site, render_page, static_files
from .parallel import in_background, parallel_imap, parallel_map, release_free_memory, usable_workers
from .search import index_site
from .taxonomy import index_spokespersons, index_topics
from .text import article_slug, slugify

_RENDER_BATCH = 250  # pages per task, progress update and write
# Below these a pool's start-up (forking, shipping results back) costs more than it saves.
PARALLEL_MIN_PAGES = 500
PARALLEL_MIN_DIGESTS = 8

__all__ = ["build", "build_site_model", "explain_file", "segment_files", "reading_order"]


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def build(options: BuildOptions, progress: Progress = _no_progress, checked: InputsCheck | None = None,
          exits_after: bool = False) -> BuildReport:
    """Build the site into ``options.out_dir``; the old site stays if anything fails.

    ``checked``: what ``cache.check_inputs`` gave for these options just before, when the
    caller asked it (and found the site out of date), so the inputs are not walked twice.
    ``exits_after``: the caller's process ends right after (``build.py``), so what the
    build made is left for the exit to drop rather than freed object by object (the
    site model, memos and plan of 10,000 articles: 0.03 s, a twentieth of a rebuild)."""
    started = time.perf_counter()
    protected = [options.content_dir, options.templates_dir]
    check_output_dir(options.out_dir, protected)  # before anything is read or cached
    if options.base_url is not None and not safe_base_url(options.base_url):
        raise BuildError(f"--base-url must be an http(s) address or a path, not {options.base_url!r}")
    # the stamp is what the next build compares to know the site is up to date; with no
    # cache there is no next comparison, and hashing every input file is a tenth of a build
    if checked is None:
        checked = check_inputs(options)
        if checked.fresh is not None:
            return replace(checked.fresh, seconds=time.perf_counter() - started)
    with _long_lived_objects() as settle:
        return _build(options, checked, started, progress, settle, _LEFT_FOR_EXIT if exits_after else None)


_LEFT_FOR_EXIT: list[dict[str, Any]] = []  # see ``build``'s ``exits_after``


def _build(options: BuildOptions, checked: InputsCheck, started: float, progress: Progress,
           settle: Callable[..., None], left_for_exit: list[dict[str, Any]] | None) -> BuildReport:
    protected, stamp = [options.content_dir, options.templates_dir], checked.stamp
    cache = BuildCache(options.cache_dir, options.out_dir)
    page_memo = _load_page_memo(cache)
    settle()  # it lives to the end of the build, as do the things settled below
    # no name for the content: build_site_model lets each digest go once it is enriched
    site, warnings = build_site_model(read_content(options.content_dir, page_memo, checked.stats),
                                      options.base_url, cache, progress, page_memo)
    release_free_memory()  # the digests' pages, before the workers fork
    env = make_environment(options.templates_dir, cache.code_folder("templates"))
    progress("planning pages", 0, 1)
    related_memo = _load_related_memo(cache)
    template_memo = (cache.load_memo("template-references") or {}) if cache.enabled else None
    previous = cache.load_records("pages.pickle") if cache.enabled else None
    settle()  # the model, the other memos and the page records
    # each article hashed once for the page keys of a rebuild (its page, its index.md, its cards)
    article_hashes = _article_hashes(site.articles, page_memo) if previous is not None else {}
    many = len(site.articles) >= PARALLEL_MIN_PAGES
    with (staged_update(options.out_dir, protected, stamp) as update,
          _all_markdown_pages(site.articles, previous, options.out_dir, update.staging, many,
                              article_hashes) as markdown_written):
        site_plan = plan_site(site, usable_workers() if many else 1, search=options.search or options.search_later,
                              related_memo=related_memo, article_hashes=article_hashes)
        plan, related = site_plan.pages, site_plan.related_slugs()
        settle(made=True)  # the plan
        templates = template_hashes(env, template_memo)
        state = {"shape": hash_values(code_hash(), sorted(templates.items()), site_plan.shape),
                 "hashes": article_hashes, "related": related}
        describes = bool(previous) and _describes(cache, options.out_dir)
        changed = _changed_articles(cache.load_records("site.pickle"), state) if describes else None
        rendered, records = render_changed(plan, env, previous, options.out_dir, update.staging, progress,
                                           templates, changed)
        records |= markdown_written() if markdown_written else markdown_changed(
            site.articles, previous, options.out_dir, update.staging, article_hashes, changed)
        records |= _files_changed(static_files(options.templates_dir), previous, options.out_dir, update.staging)
        indexed = _complete_output(update, site, records, previous, describes, options)
    report = BuildReport(
        articles=len(site.articles), topics=len(site.topics),
        spokespersons=len(site.spokespersons), pages=sum(1 for s in plan if s.file.endswith(".html")),
        indexed=indexed, seconds=time.perf_counter() - started,
        warnings=warnings, rendered=rendered,
    )
    _remember(cache, records, report, stamp, state)
    _store_memos(cache, page_memo, related_memo, template_memo)
    if left_for_exit is not None:
        left_for_exit.append(locals())
    return report


@contextmanager
def _all_markdown_pages(articles: Sequence[Article], previous: dict | None, out_dir: Path, staging: Path,
                        many: bool, article_hashes: Mapping[str, str]) -> Iterator[Callable[[], dict[str, Record]] | None]:
    """With no previous pages (a clean build, or the first with a cache: ``previous`` None
    or empty) every article's ``index.md`` is written, and nothing in it waits on the
    stages between: with ``many`` articles it is written beside them, in a forked process
    (``parallel.in_background``), filling the core that their serial stretches leave idle.
    Yields what waits for its records, or None when ``markdown_changed`` is to write the
    pages after the HTML."""
    if previous or not many:
        yield None
        return
    with in_background(lambda: markdown_changed(articles, previous, out_dir, staging, article_hashes, parallel=False),
                       fork=usable_workers() > 1) as written:
        yield written


def _changed_articles(previous: dict, now: dict) -> set[str] | None:
    """The slugs of the articles whose hash or related articles changed since the build
    ``previous`` describes (its ``state``), or None when its plan had another shape
    (``render.SitePlan``: every page may have changed)."""
    if not previous or previous.get("shape") != now["shape"]:
        return None
    hashes, related = previous.get("hashes", {}), previous.get("related", {})
    return ({slug for slug, digest in now["hashes"].items() if hashes.get(slug) != digest}
            | {slug for slug, others in now["related"].items() if related.get(slug) != others})


@contextmanager
def _long_lived_objects() -> Iterator[Callable[..., None]]:
    """Yield ``settle``, which sets the objects made so far aside from Python's cycle
    collector until the block ends (``gc.freeze``). A build makes a few large things
    that live to its end (the site model, the memos, the plan) and then many small
    ones; the collector would otherwise walk the large ones again and again, a fifth
    of a one-edit rebuild at 10,000 articles. Forked workers inherit the frozen objects,
    so it does not touch (and copy) their memory either. Garbage among them is collected
    after the block; ordinary (reference-counted) freeing is not affected at all.

    Until ``settle(made=True)`` the collector is off altogether: while those things are
    being made (the pages read, the articles, the plan) it would only walk them, and
    none of them is garbage in a cycle. It is on again before the pages are rendered."""
    enabled = gc.isenabled()
    gc.disable()

    def settle(made: bool = False) -> None:
        gc.freeze()
        if made and enabled:
            gc.enable()

    try:
        yield settle
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _article_hashes(articles: Sequence[Article], memo: PageMemo | None) -> dict[str, str]:
    """Slug -> ``article_hash``; a hand-written article that is the very object the
    pages memo holds a hash for (made from an unchanged page) is not hashed again."""
    known = memo.hashes if memo is not None else {}
    hashes: dict[str, str] = {}
    for article in articles:
        entry = known.get(article.source_path) if article.source_path and not article.digest else None
        if entry is not None and entry[0] is article:
            hashes[article.slug] = entry[1]
            continue
        hashes[article.slug] = article_hash(article)
        if memo is not None and article.source_path and not article.digest:
            memo.hashes[article.source_path] = (article, hashes[article.slug])
            memo.dirty.add(memo.shard_of(article.source_path))
    if memo is not None and len(memo.hashes) > len(memo.articles):  # pages removed since
        memo.dirty.update(memo.shard_of(source) for source in memo.hashes.keys() - memo.articles.keys())
        memo.hashes = {source: entry for source, entry in memo.hashes.items() if source in memo.articles}
    return hashes


def _store_memos(cache: BuildCache, pages: PageMemo | None, related: RelatedMemo | None,
                 templates: dict | None) -> None:
    """What this build's stages remember for the next one's (None: nothing, with no cache)."""
    if related is not None:
        cache.store_memo("related-last", related.last)
        cache.store_parts("related-words", related.word_parts(), related.dirty)
    if templates is not None:
        cache.store_memo("template-references", templates)
    if pages is not None:
        cache.store_parts("pages", pages.shards(), pages.dirty)


def _load_related_memo(cache: BuildCache) -> RelatedMemo | None:
    """What related articles remembered last build (see ``RelatedMemo``), None with no cache."""
    if not cache.enabled:
        return None
    return RelatedMemo.joined(cache.load_memo("related-last"), cache.load_parts("related-words", RelatedMemo.SHARDS))


def _load_page_memo(cache: BuildCache) -> PageMemo | None:
    """The pages the previous build read (see ``PageMemo``), None with no cache."""
    if not cache.enabled:
        return None
    return PageMemo.joined(cache.load_parts("pages", PageMemo.SHARDS))


def render_changed(plan: Sequence[PageSpec], env: Environment, previous: dict | None, out_dir: Path,
                   staging: Path, progress: Progress = _no_progress, templates: Mapping[str, str] | None = None,
                   changed_articles: set[str] | None = None) -> tuple[int, dict[str, Record]]:
    """Write every planned page into ``staging``: rendered when its template or what it
    is made from changed since the previous build, else hard-linked from the previous site.

    Returns (HTML pages rendered, each page's record for the next build); with no
    cache (``previous`` None) every page is rendered and none is keyed. Pages with a
    cheap key (``PageSpec.key_of``) are checked first, here; the rest are made, keyed,
    rendered and written a batch at a time, by forked workers when there are many,
    so no stage holds every context or every rendered page at once. ``templates``: their
    hashes (``cache.template_hashes``). ``changed_articles``: when the plan has the shape
    of the previous build's, the articles whose hash or related articles changed since;
    a page that shows none of them keeps its previous key and file unchecked (see
    ``render.SitePlan``).
    """
    # paths as text: sets and dicts of 11,000 PurePosixPaths cost a rebuild a tenth
    names = [spec.file for spec in plan]
    if len(set(names)) != len(names):
        twice = next(p for p in names if names.count(p) > 1)
        raise BuildError(f"two pages would be written to {twice}")
    templates = template_hashes(env) if templates is None else templates

    def key(spec: PageSpec, made_from: Any) -> str:
        parts = made_from if spec.key_of is not None else (made_from,)  # a key's parts: strings, mostly
        return hash_values(code_hash(), templates.get(spec.template, spec.template), *parts)

    settled = _settled_pages(plan, names, previous, changed_articles)
    # after one edit nearly every page is unchanged, and a pool of workers would cost more than this
    keys = {name: key(spec, spec.key()) for spec, name in zip(plan, names)
            if previous and spec.key_of and name not in settled}
    kept = settled | {name for name, page_key in keys.items()
                      if previous_file(out_dir, name, previous.get(name), page_key) is not None}
    todo = [spec for spec, name in zip(plan, names) if name not in kept]
    parallel = len(todo) >= PARALLEL_MIN_PAGES
    if parallel:
        for name in {spec.template for spec in todo}:
            env.get_template(name)  # compiled once here, inherited by every worker

    def publish_batch(batch: Sequence[PageSpec]) -> tuple[int, dict[str, Record]]:
        changed, batch_keys = {}, {}
        for spec in batch:
            context = None
            if previous is not None:
                if spec.file in keys:
                    batch_keys[spec.url_path] = keys[spec.file]  # known to have changed
                else:
                    context = spec.context if spec.key_of is None else None
                    batch_keys[spec.url_path] = key(spec, spec.key() if context is None else context)
                    if _unchanged(out_dir, spec.url_path, previous, batch_keys[spec.url_path]) is not None:
                        continue
            changed[spec.url_path] = render_page(spec, spec.context if context is None else context, env)
        return sum(1 for p in changed if p.suffix == ".html"), _publish(changed, batch_keys, previous, staging)

    results = _in_batches(publish_batch, todo, parallel, lambda done: progress("rendering", done, len(todo)))
    records = {name: previous[name] for name in kept} if previous else {}
    records |= {p: r for _, batch_records in results for p, r in batch_records.items()}
    return sum(count for count, _ in results), records


def _settled_pages(plan: Sequence[PageSpec], names: Sequence[str], previous: dict | None,
                   changed_articles: set[str] | None) -> set[str]:
    """The pages (of ``plan``, whose paths are ``names``) whose previous key stands without
    being made again: in a plan of the previous build's shape, those showing none of
    ``changed_articles``."""
    if not previous or changed_articles is None:
        return set()
    return {name for spec, name in zip(plan, names)
            if spec.shows is not None and name in previous
            and changed_articles.isdisjoint([a.slug for a in spec.shown() if a is not None])}


def markdown_changed(articles: Sequence[Article], previous: dict | None, out_dir: Path,
                     staging: Path, article_hashes: Mapping[str, str] = {},
                     changed_articles: set[str] | None = None, parallel: bool = True) -> dict[str, Record]:
    """Write into ``staging`` each article's ``index.md`` that changed since the previous
    site (its key is the article's hash, ``article_hashes`` when given: the page is made
    from the article alone); returns their records (none with no cache). With
    ``changed_articles`` (see ``render_changed``) the others keep their records unchecked.
    ``parallel``: in worker processes, when there are many to write."""
    if previous and changed_articles is not None:
        kept = {path: previous[path] for path in (_markdown_file(a) for a in articles
                                                  if a.slug not in changed_articles) if path in previous}
        articles = [a for a in articles if _markdown_file(a) not in kept]
        return kept | markdown_changed(articles, previous, out_dir, staging, article_hashes)
    if previous:  # keyed here: after one edit a pool of workers would cost more than the few pages written
        keys = {_markdown_file(a): _markdown_key(a, article_hashes) for a in articles}
        changed = [a for a, (path, key) in zip(articles, keys.items())
                   if previous_file(out_dir, path, previous.get(path), key) is None]
        changed_keys = {path: keys[str(path)] for path in map(_markdown_path, changed)}
        records = _publish(markdown_sources(changed), changed_keys, previous, staging)
        return {path: records.get(path) or previous[path] for path in keys}

    def publish_batch(batch: Sequence[Article]) -> dict[str, Record]:
        keys = {_markdown_path(a): _markdown_key(a, article_hashes) for a in batch} if previous is not None else {}
        return _publish(markdown_sources(batch), keys, previous, staging)

    results = _in_batches(publish_batch, articles, parallel and len(articles) >= PARALLEL_MIN_PAGES)
    return {p: r for records in results for p, r in records.items()}


def _files_changed(files: dict[PurePosixPath, bytes], previous: dict | None, out_dir: Path,
                   staging: Path) -> dict[str, Record]:
    """Write into ``staging`` the ``files`` whose bytes differ from the previous site's;
    returns every file's record (none with no cache: ``previous`` None)."""
    if previous is None:
        return _publish(files, {}, previous, staging)
    keys = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    changed = {path: data for path, data in files.items()
               if _unchanged(out_dir, path, previous, keys[path]) is None}
    return _publish(changed, keys, previous, staging)


def _in_batches(task: Callable[[Sequence], Any], items: Sequence, parallel: bool,
                on_done: Callable[[int], None] = lambda done: None) -> list:
    """``task`` over ``items`` in batches of ``_RENDER_BATCH``, on both cores when ``parallel``.

    Only batch numbers travel to the workers: the items (pages whose context
    functions hold the whole site) are inherited, never pickled. The last batches go
    first: a plan ends with its costliest pages (listings, feeds of 50 bodies) and starts
    with the even run of articles, so the workers run out of work nearly together."""
    starts = range(0, len(items), _RENDER_BATCH)[::-1]
    return parallel_map(lambda start: task(items[start:start + _RENDER_BATCH]), starts,
                        usable_workers() if parallel else 1,
                        lambda done: on_done(min(done * _RENDER_BATCH, len(items))))


def _unchanged(out_dir: Path, url_path: PurePosixPath, previous: dict, key: str) -> str | None:
    return previous_file(out_dir, url_path, previous.get(str(url_path)), key)


def _publish(changed: dict[PurePosixPath, bytes], keys: dict[PurePosixPath, str], previous: dict | None,
             staging: Path) -> dict[str, Record]:
    """Write the ``changed`` files into ``staging`` and return every keyed file's record:
    its key and the size and time it has now (an unchanged file's record is the
    previous one: the file, checked by ``_unchanged``, is the same)."""
    write_files(changed, staging)
    records = {}
    for url_path, key in keys.items():
        if url_path in changed:
            stat = os.stat(os.path.join(staging, *url_path.parts))
            records[str(url_path)] = file_record(key, stat)
        else:
            assert previous is not None
            records[str(url_path)] = previous[str(url_path)]
    return records


def _complete_output(update: OutputUpdate, site: SiteModel, records: dict[str, Record], previous: dict | None,
                     describes: bool, options: BuildOptions) -> int:
    """Choose how the staged (changed) files reach the site, and index it for search
    when needed; returns the pages indexed and adds the index's record to ``records``.

    In place when the cache's records ``describe`` the current site and the search
    index can stay: the changed files move in, files no longer made are deleted.
    Otherwise a whole site is staged, the unchanged files linked from the current
    one, so that Pagefind can index it and it can be swapped in whole."""
    search_key = _search_key(site, records) if options.search else ""
    if previous and describes and _index_kept(previous, search_key, options):
        if options.search:
            records["pagefind/"] = previous["pagefind/"]
        update.replace_files(PurePosixPath(p) for p in previous if p not in records)
        return _indexed_pages(options.out_dir) if options.search else 0
    link_files({PurePosixPath(p): options.out_dir / p for p in records
                if not os.path.lexists(update.staging / p)}, update.staging)
    if not options.search:
        return 0
    records["pagefind/"] = (search_key, 0, 0)  # a folder: its key is all there is
    return index_site(update.staging, site.settings.language)


def _search_key(site: SiteModel, records: dict[str, Record]) -> str:
    """What the search index is made from: the article pages and the site's language."""
    return hash_values(sorted((p, r[0]) for p, r in records.items() if p.startswith("articles/")),
                       site.settings.language)


def _describes(cache: BuildCache, out_dir: Path) -> bool:
    """Whether the cache's page records describe ``out_dir`` as it is: the folder's
    marker holds the stamp of the build that stored them (a --no-cache build in
    between, or an update killed halfway, leaves another stamp or none)."""
    stamp = cache.load_json("report.json").get("stamp")
    return bool(stamp) and output_stamp(out_dir) == stamp


def _index_kept(previous: dict, search_key: str, options: BuildOptions) -> bool:
    """Whether the site's search index can stay as it is: no search wanted (it is then
    removed, if there was one), or no article page changed since it was made."""
    if not options.search:
        return True
    return previous.get("pagefind/", ("",))[0] == search_key and (options.out_dir / "pagefind").is_dir()


def _indexed_pages(site_dir: Path) -> int:
    return len(list((site_dir / "pagefind" / "fragment").glob("*.pf_fragment")))


def _remember(cache: BuildCache, records: dict, report: BuildReport, stamp: str, state: dict) -> None:
    """What the next build compares with: each file's record, the articles and the plan's
    shape (``state``, see ``_changed_articles``), and the report with the inputs' stamp."""
    if not cache.enabled:
        return
    cache.store_records("pages.pickle", records)
    cache.store_records("site.pickle", state)
    fields = {f: getattr(report, f) for f in ("articles", "topics", "spokespersons", "pages", "indexed", "warnings")}
    cache.store_json("report.json", {**fields, "stamp": stamp})
    cache.prune_articles()


def build_site_model(content: Content, base_url: str | None = None, cache: BuildCache | None = None,
                     progress: Progress = _no_progress, page_memo: PageMemo | None = None) -> tuple[SiteModel, list[str]]:
    """Every cross-article pass: segments -> corrected, slugged, indexed articles.
    The warnings start with the content's own (from reading it); ``page_memo`` is the one
    ``content`` was read with, which also keeps the articles made from its pages."""
    unmatched = unmatched_splits(content.digests, content.splits)
    # enrich_digests lets each digest go once enriched, when the caller kept no other
    # reference to ``content`` (``build`` does not): a big build never holds all the
    # digests' text twice, once in paragraphs and once in articles
    digests: list[Digest | None] = list(content.digests)
    content = replace(content, digests=())
    articles = enrich_digests(digests, content, cache or BuildCache(None), progress)
    articles, correction_warnings = apply_corrections(articles, content, page_memo)
    warnings = list(content.warnings) + correction_warnings
    warnings += [f"{c.source}: {c.action} correction matches no paragraph: {c.quote!r}" for c in unmatched]
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


def enriched_segments(digest: Digest, taxonomy: Taxonomy, splits: Sequence[SplitCorrection] = ()) -> list[Article]:
    """The digest's articles: segmented, then enriched, numbered in digest order."""
    # imported here: a rebuild whose digests are all cached never loads the segmenter and
    # the enricher (a twentieth of a one-edit rebuild's time is Python starting up and importing)
    from .enrich import enrich_segment
    from .segment import segment_digest

    return [enrich_segment(s, taxonomy, date=digest.date, order=i)
            for i, s in enumerate(segment_digest(digest, splits))]


def enrich_digests(digests: list[Digest | None], content: Content, cache: BuildCache,
                   progress: Progress = _no_progress) -> list[Article]:
    """Segment and enrich every digest; ``order`` numbers articles across the whole build.

    Digests missing from the cache are segmented and enriched by forked workers
    when there are enough of them; the results are in digest order either way.
    Empties ``digests`` as it goes (a digest's text lives on in its articles, and a
    big build should not hold both); ``content`` gives the corrections and taxonomy."""
    # with no cache there is nothing to look up: hashing 100 digests' paragraphs is 0.2 s of one core
    keys = ([hash_values(code_hash(), digest, content.splits, content.taxonomy) for digest in digests]
            if cache.enabled else [""] * len(digests))
    found: list[list[Article] | None] = [cache.load_articles(key) for key in keys]
    missing = [i for i, articles in enumerate(found) if articles is None]
    for index, articles in enumerate(found):
        if articles is not None:
            digests[index] = None

    def enrich_one(index: int) -> list[Article]:
        digest = digests[index]
        assert digest is not None
        return enriched_segments(digest, content.taxonomy, content.splits)

    workers = usable_workers() if len(missing) >= PARALLEL_MIN_DIGESTS else 1
    if missing:
        from . import enrich, segment  # noqa: F401 - loaded once, before the workers fork
    progress("segmenting", 0, len(keys))
    done = len(keys) - len(missing)
    for index, articles in zip(missing, parallel_imap(enrich_one, missing, workers)):
        digests[index] = None  # enriched (forked workers have their own copy)
        found[index] = articles
        cache.store_articles(keys[index], articles)
        done += 1
        progress("segmenting", done, len(keys))
    result: list[Article] = []
    for articles in found:
        assert articles is not None
        result += [replace(a, order=len(result) + i) for i, a in enumerate(articles)]
    return result


def assign_slugs(articles: Sequence[Article]) -> list[Article]:
    """The articles in the same order with unique slugs matching ``[a-z0-9-]+``; on a
    clash the earliest article keeps the plain slug and the others get numeric suffixes.

    "Earliest" is by date (undated last), then by id: both come from the
    article itself, so reordering or renaming digests moves no page. Identical
    articles (same id) fall back to ``order``. One sort and one dict pass.
    """
    def priority(i: int) -> tuple:
        article = articles[i]
        return (article.date is None, article.date or "", article.id, article.order, i)

    by_order = sorted(range(len(articles)), key=priority)
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    slugs: list[str] = [""] * len(articles)
    for index in by_order:
        article = articles[index]
        base = slugify(article.slug) or article_slug(article.title, article.id)
        slug = base
        suffix = next_suffix.get(base, 2)
        while slug in taken:  # amortised O(1): next_suffix remembers where we got to
            slug = f"{base}-{suffix}"
            suffix += 1
        next_suffix[base] = suffix
        taken.add(slug)
        slugs[index] = slug
    return [a if a.slug == s else replace(a, slug=s) for a, s in zip(articles, slugs)]


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
    return {_markdown_path(a): article_to_markdown(a).encode("utf-8") for a in articles}


def _markdown_key(article: Article, article_hashes: Mapping[str, str]) -> str:
    return hash_values(code_hash(), article_hashes.get(article.slug) or article_hash(article))


def _markdown_file(article: Article) -> str:
    """Where an article's Markdown page goes, as text (as the page records name it)."""
    return f"articles/{article.slug}/index.md"


def _markdown_path(article: Article) -> PurePosixPath:
    return PurePosixPath(_markdown_file(article))


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def segment_files(paths: Sequence[Path], content_dir: Path) -> list[dict]:
    """What ``build.py segment FILE... --json`` prints: segments with their enrichment."""
    taxonomy = read_taxonomy(content_dir / TAXONOMY_FILE, [], relative_to=content_dir)
    results = []
    for path in paths:
        digest = read_digest(path, relative_to=path.parent)
        articles = assign_slugs(enriched_segments(digest, taxonomy))
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
    from .segment import explain_digest  # see enriched_segments

    digest = read_digest(path, relative_to=path.parent)
    texts = {p.line: p.text for p in digest.paragraphs}
    return [(d, texts.get(d.line, "")) for d in explain_digest(digest)]
