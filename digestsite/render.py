"""Stage 5b: plan every output page, then render pages with Jinja.

``plan_pages(site) -> list[PageSpec]`` is pure: it decides every output file,
its template and the function that makes its context (called where the page
is rendered, see ``PageSpec``), for most pages the function that makes its key
(``article_key``, ``home_key``, …: what the page shows, cheaper than the
context, for finding the pages an edit changed), and reads no file and no clock.
``render_page(spec, context, env) -> bytes`` runs the template (and converts the
article Markdown that contexts leave as Markdown, see ``plan_pages``);
``render_pages(plan, env) -> dict[path, bytes]`` does it for a whole plan.
``static_files(templates_dir)`` maps ``templates/static/**`` to ``assets/**``.

Pages (all HTML pages use pretty URLs, ``folder/index.html``):

    index.html, page/<n>/index.html        home: latest articles, 20 a page
    articles/<slug>/index.html              one article
    topics/index.html                       every topic with its count
    topics/<slug>/index.html, …/page/<n>/   a topic's articles, 20 a page
    topics/<slug>/feed.xml                  Atom feed of that topic
    spokespersons/…                         the same three for spokespersons
    search/index.html                       Pagefind UI (search.js, external)
    404.html, feed.xml, sitemap.xml, robots.txt
    sitemaps/<n>.xml                        only past 50,000 URLs (sitemap.xml is then an index)

Links: templates get site-root paths (``articles/foo/``) and write them with
the ``url`` filter, which prefixes the page's ``root`` (``../../`` for a page
two folders deep), so every internal link is relative and the site works
under any sub-path. ``404.html`` gets the absolute base path as its ``root``.
Absolute URLs come from ``settings.base_url`` (see ``urls.py``).

Context keys every HTML page has (built by ``_base_context``): ``site``
(title, description, language, author), ``root``, ``site_root``,
``page_path``, ``title``, ``full_title``, ``description``, ``canonical``,
``section`` (home|article|topics|spokespersons|search|""), ``landing`` (the page
is its section's first page: the home page, the topic index...), ``feeds`` (list of
{title, path}), ``pagination`` (None or {page, pages, prev, next}),
``robots``, ``og_type``, ``jsonld``. Each page kind adds its own keys,
listed on its ``*_context`` function. Cards (article summaries in lists) are
dicts: title, path, standfirst, date, date_display, topics, spokespersons
(lists of {name, path}; path None when there is no page).

Errors: a template syntax error, a missing template, or any exception while
rendering becomes a ``SourceError`` at the template file and 0-based line.
"""

from __future__ import annotations

import hashlib
from html import unescape
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.meta
from markupsafe import Markup, escape

try:  # markupsafe's C escaper, without the Markup its ``escape`` wraps the text in
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - no C speedups on this platform
    def _escape_text(text: str) -> str:
        return str(escape(text))

from .cache import article_hash, hash_values
from .errors import BuildError, SourceError
from .markup import (
    clean_text,
    display_date,
    is_clean,
    reading_minutes,
    render_markdown,  # re-exported: part of this stage's API
    render_markdown_with_toc,
    script_json,
)
from .model import Article, PageSpec, SiteModel, SpeakerEntry, TopicEntry
from .related import RelatedMemo, related_articles
from .text import normalize
from .urls import absolute_url, base_path, normalize_base, page_url, quote_segment, relative_root

__all__ = ["SitePlan", "make_environment", "plan_pages", "plan_site", "render_markdown", "render_page", "render_pages",
           "static_files"]

PER_PAGE = 20
FEED_ENTRIES = 50
STRIP_TERMS = 12  # topics / spokespersons shown on the home page
RELATED = 3
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, the sitemaps.org maximum
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---------------------------------------------------------------- environment


# One policy for the <meta> in every page and the _headers file for hosts that
# read it (Netlify, Cloudflare Pages). Pagefind compiles WebAssembly
# ('wasm-unsafe-eval') and its UI sets inline styles; no inline script anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'"
)


class _PrintingCodeGenerator(jinja2.compiler.CodeGenerator):
    """Compiles ``{{ value }}`` in autoescaped templates to one call, ``environment.printed(value)``,
    in place of Jinja's ``escape(environment.finalize(value))``: two calls and a ``Markup``
    made and dropped for each of the ~90 values an article page prints (a tenth of its
    rendering). Contexts whose autoescaping is decided at run time keep Jinja's code."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.printed(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)

    def visit_Call(self, node: Any, frame: Any, forward_caller: bool = False) -> None:
        """A call as ``environment.called(context, ...)`` (see ``_ContextEnvironment.called``)
        in place of ``context.call(...)``; otherwise Jinja's own code, arguments and all."""
        if self.environment.is_async or self.environment.sandboxed:
            super().visit_Call(node, frame, forward_caller)
            return
        self.write("environment.called(context, ")
        self.visit(node.node, frame)
        extra_kwargs = {"caller": "caller"} if forward_caller else None
        loop_kwargs = {"_loop_vars": "_loop_vars"} if frame.loop_frame else {}
        block_kwargs = {"_block_vars": "_block_vars"} if frame.block_frame else {}
        if extra_kwargs:
            extra_kwargs.update(loop_kwargs, **block_kwargs)
        elif loop_kwargs or block_kwargs:
            extra_kwargs = dict(loop_kwargs, **block_kwargs)
        self.signature(node, frame, extra_kwargs)
        self.write(")")

    def visit_Include(self, node: Any, frame: Any) -> None:
        """``{% include "name" %}`` (with context) as one call, ``environment.included``,
        which renders the same text and remembers it (see ``_ContextEnvironment.included``)."""
        name = node.template
        if (node.with_context and not node.ignore_missing and not self.environment.is_async
                and isinstance(name, jinja2.nodes.Const) and isinstance(name.value, str)):
            self.simple_write(f"environment.included(context, {name.value!r}, {self.name!r}, "
                              f"{self.dump_local_context(frame)})", frame, node)
        else:
            super().visit_Include(node, frame)


class _ContextEnvironment(jinja2.Environment):
    """Jinja, with ``a.b`` on a dict looking up the key first, and ``{{ value }}`` printed
    by one call (``printed``, see ``_PrintingCodeGenerator``).

    Contexts are plain dicts, and Jinja's ``a.b`` tries the attribute first: on a
    dict that raises and catches an AttributeError for each of the ~90 values a
    page prints (about a seventh of the rendering time). Only a key named like a
    dict method (``items``, ``keys``) reads differently: as the key, when there is one.
    """

    code_generator_class = _PrintingCodeGenerator

    @staticmethod
    def printed(value: Any) -> str:
        """What an autoescaped template prints for ``value``: ``escape(_finalize(value))``,
        as text (``_PrintingCodeGenerator``)."""
        kind = type(value)
        if kind is str:
            return _escape_text(value if value.isprintable() else _finalize(value))
        if kind is Markup:  # a macro's text, an article's body: safe already, so not copied again
            return value if is_clean(value) else clean_text(str(value))
        if kind is int:  # a heading level, a count: nothing to escape or strip
            return str(value)
        return escape(_finalize(value))

    @staticmethod
    def called(context: jinja2.runtime.Context, function: Any, *args: Any, **kwargs: Any) -> Any:
        """``context.call(function, *args, **kwargs)``: what a template's call returns. A macro
        called with its positional arguments only (the cards of every list and article page,
        60,000 calls in a 10,000-article build) is invoked as ``Macro.__call__`` would invoke
        it, without the checks for what such a call cannot have (with ``printed`` taking its
        text as it is, a card costs 7 us rather than 9)."""
        if (type(function) is jinja2.runtime.Macro and len(args) <= function._argument_count
                and not (function.caller or function.catch_kwargs or function.catch_varargs)
                and kwargs.keys() <= _FRAME_KWARGS):
            value = function._func(*args, *(jinja2.utils.missing,) * (function._argument_count - len(args)))
            return Markup(value) if context.eval_ctx.autoescape else value
        return context.call(function, *args, **kwargs)

    def included(self, context: jinja2.runtime.Context, name: str, parent: str | None,
                 local_vars: dict[str, Any]) -> str:
        """What ``{% include name %}`` renders here: the partial's text, made once for each
        set of values it reads (the header and footer are the same on every article page,
        about a seventh of its rendering). Only a partial that calls nothing, includes or
        imports nothing and sets no namespace attribute is remembered, by the values of
        every name it reads (plain values only) and the page's root (the ``url`` filter's)."""
        template = self.get_template(name, parent)
        reads = self._reads(template)
        key = None if reads is None else _include_key(template, reads, context, local_vars)
        if key is not None and key in self._included:
            return self._included[key]
        text = self.concat(template.root_render_func(template.new_context(context.get_all(), True, local_vars)))
        if key is not None:
            if len(self._included) >= _INCLUDED_TEXTS:
                self._included.clear()
            self._included[key] = text
        return text

    @cached_property
    def _included(self) -> dict[tuple, str]:
        return {}

    @cached_property
    def _read_names(self) -> dict[jinja2.Template, tuple[str, ...] | None]:
        return {}

    def _reads(self, template: jinja2.Template) -> tuple[str, ...] | None:
        """The names ``template`` reads from its context, or None when its text can depend on
        more than their values (a call, a nested include or import, a context filter)."""
        if template not in self._read_names:
            assert self.loader is not None and template.name is not None
            tree = self.parse(self.loader.get_source(self, template.name)[0])
            impure = any(True for _ in tree.find_all(_NOT_REMEMBERED_NODES)) or any(
                _reads_context(self.filters.get(f.name)) for f in tree.find_all(jinja2.nodes.Filter)) or any(
                _reads_context(self.tests.get(t.name)) for t in tree.find_all(jinja2.nodes.Test))
            self._read_names[template] = None if impure else tuple(sorted(jinja2.meta.find_undeclared_variables(tree)))
        return self._read_names[template]

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_FRAME_KWARGS = frozenset(("_loop_vars", "_block_vars"))  # what Jinja adds to a call in a loop or block
_INCLUDED_TEXTS = 256  # remembered partial texts at most: a few per page depth and section
_NOT_REMEMBERED_NODES = (jinja2.nodes.Call, jinja2.nodes.NSRef, jinja2.nodes.Include, jinja2.nodes.Import,
                         jinja2.nodes.FromImport, jinja2.nodes.Extends)
_PLAIN = (str, Markup, int, float, bool, type(None))


def _reads_context(function: Any) -> bool:
    """A filter or test that reads the template context (only ``url``'s root is in the key)."""
    kind = getattr(function, "jinja_pass_arg", None)
    return function is not _url and kind is not None and kind.name == "context"


def _include_key(template: jinja2.Template, reads: Sequence[str], context: jinja2.runtime.Context,
                 local_vars: dict[str, Any]) -> tuple | None:
    """The included text's key: the partial, the page's root and the value of every name it
    reads, each as a plain value (or a small dict, list or tuple of them), else None."""
    values: list[Any] = [template, _PAGE_ROOT.get()]
    for name in reads:
        value = local_vars.get(name, jinja2.utils.missing)
        if value is jinja2.utils.missing:
            value = context.resolve_or_missing(name)
        frozen = _frozen(value)
        if frozen is None:
            return None
        values.append(frozen)
    return tuple(values)


def _frozen(value: Any, depth: int = 0) -> tuple | None:
    """``value`` as a hashable key that equals another only for a value that prints the
    same: its type goes with it (1, True and "1" differ); None when it is none of these."""
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if depth < 2 and kind in (dict, list, tuple) and len(value) <= 32:
        items = value.items() if kind is dict else enumerate(value)
        frozen = tuple((k, _frozen(v, depth + 1)) for k, v in items)
        if any(v is None for _, v in frozen) or kind is dict and not all(type(k) is str for k, _ in frozen):
            return None
        return (kind, frozen)
    return None


def make_environment(templates_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja environment over ``templates_dir``: autoescaped HTML/XML, strict undefined.
    ``compiled_dir``: where compiled templates are kept between builds (Jinja checks each
    against its template's source), so a rebuild compiles only the templates that changed."""
    env = _ContextEnvironment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # compile each template once per build, never re-stat it
        cache_size=-1,
    )
    env.filters["url"] = _url
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    # a content hash in asset links, so a changed stylesheet is never served stale
    env.globals["asset_version"] = _assets_hash(static_files(templates_dir))
    return env


def _finalize(value: Any) -> Any:
    """Strip XML-illegal code points from everything a template prints (keeps Markup safe)."""
    if type(value) is str and value.isprintable():  # most of the million values of a big build
        return value
    if isinstance(value, str):
        if is_clean(value):  # the common case: nothing to strip
            return value
        if isinstance(value, Markup):
            return Markup(clean_text(str(value)))
        return clean_text(value)
    return value


# The ``root`` of the page being rendered (set by ``render_page``). The ``url`` filter reads it
# here rather than from its template's context, so the partials' macros need no import "with
# context": Jinja builds such a module anew for every page (17 us of an article page's 160),
# and a plain import is built once.
_PAGE_ROOT: ContextVar[str] = ContextVar("page_root", default="")


@jinja2.pass_context  # unused, but it keeps Jinja from computing `'x'|url` once when compiling
def _url(context: jinja2.runtime.Context, path: str) -> str:
    """Site-root path -> link relative to the page being rendered (its ``root``)."""
    return (_PAGE_ROOT.get() + path) or "./"


def _assets_hash(files: dict[PurePosixPath, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + files[path] + b"\0")
    return digest.hexdigest()[:10]


def static_files(templates_dir: Path) -> dict[PurePosixPath, bytes]:
    """``templates/static/**`` -> ``assets/**`` (hidden files and editor backups skipped)."""
    root = templates_dir / "static"
    if not root.is_dir():
        return {}
    files: dict[PurePosixPath, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.name.endswith("~"):
            continue
        files[PurePosixPath("assets", *relative.parts)] = path.read_bytes()
    return files


# ---------------------------------------------------------------- rendering


def render_pages(plan: Sequence[PageSpec], env: jinja2.Environment) -> dict[PurePosixPath, bytes]:
    """Render every planned page to UTF-8 bytes; template errors become ``SourceError``."""
    files: dict[PurePosixPath, bytes] = {}
    for spec in plan:
        if spec.url_path in files:
            raise BuildError(f"two pages would be written to {spec.url_path}")
        files[spec.url_path] = render_page(spec, spec.context, env)
    return files


def render_page(spec: PageSpec, context: dict, env: jinja2.Environment) -> bytes:
    """One page from the ``context`` its spec made, as UTF-8 bytes; template errors
    become ``SourceError`` at the template's file and line."""
    templates_dir = Path(env.loader.searchpath[0])  # type: ignore[union-attr]
    page_root = _PAGE_ROOT.set(context.get("root", ""))
    try:
        text = env.get_template(spec.template).render(_with_bodies(context))
    except jinja2.TemplateSyntaxError as exc:
        name = exc.name or spec.template
        raise SourceError(templates_dir / name, exc.lineno - 1, exc.message or str(exc)) from exc
    except jinja2.TemplateNotFound as exc:
        raise SourceError(
            templates_dir / exc.name, None, f"template not found: {exc.name}",
            hint=f"needed to render {spec.url_path}",
        ) from exc
    except Exception as exc:
        raise _render_error(exc, spec, templates_dir) from exc
    finally:
        _PAGE_ROOT.reset(page_root)
    return text.encode("utf-8")


def _with_bodies(context: dict) -> dict:
    """The context with its deferred Markdown rendered (see ``plan_pages``): an article
    page's ``article.body``, ``toc`` and ``minutes``, a feed's entry ``content``."""
    if _BODY in context:
        html, toc = _markdown_html(context[_BODY])
        fields = dict(context["article"])
        fields["body"] = Markup(_without_standfirst(html, fields["standfirst"]))
        fields["toc"] = [{"id": i, "text": text, "level": level} for i, text, level in toc]
        fields["minutes"] = reading_minutes(context[_BODY])
        return {**context, "article": fields}
    if _ENTRY_BODIES in context:
        entries = [{**entry, "content": _markdown_html(body)[0]}
                   for entry, body in zip(context["entries"], context[_ENTRY_BODIES])]
        return {**context, "entries": entries}
    return context


@lru_cache(maxsize=256)
def _markdown_html(body: str) -> tuple[str, tuple[tuple[str, str, int], ...]]:
    """``render_markdown_with_toc``, remembered: a body appears on its page and in up to
    a few feeds, often in the same batch."""
    return render_markdown_with_toc(body)


def _render_error(exc: Exception, spec: PageSpec, templates_dir: Path) -> SourceError:
    """Point at the innermost traceback frame inside ``templates_dir`` (Jinja rewrites
    tracebacks so that template frames carry the template file and line)."""
    root = templates_dir.resolve()
    location: tuple[Path, int] | None = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        path = Path(filename).resolve() if filename and not filename.startswith("<") else None
        if path is not None and path.is_relative_to(root):
            location = (templates_dir / path.relative_to(root), tb.tb_lineno - 1)
        tb = tb.tb_next
    detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    message = f"{detail} (while rendering {spec.url_path})"
    if location is None:
        return SourceError(templates_dir / spec.template, None, message)
    return SourceError(location[0], location[1], message)


# ---------------------------------------------------------------- the plan


_CARDS_KEPT = 2048  # cards are reused by nearby pages (listings, related, prev/next)


@dataclass
class _SiteView:
    """What every context function needs, computed once per plan."""

    site: SiteModel
    base: str
    topic_slugs: dict[str, str]
    speaker_slugs: dict[str, str]
    related: dict[str, tuple[Article, ...]]
    neighbours: dict[str, tuple[Article | None, Article | None]]
    cards: dict[str, dict] = field(default_factory=dict)
    links: dict[tuple[str, str], dict] = field(default_factory=dict)  # (folder, name) -> {name, path}
    fingerprints: dict[str, str] = field(default_factory=dict)
    article_hashes: Mapping[str, str] = field(default_factory=dict)  # slug -> article_hash(article), when known

    def card(self, article: Article) -> dict:
        if article.slug not in self.cards:
            if len(self.cards) >= _CARDS_KEPT:
                self.cards.clear()  # bounded: a worker rendering 5,000 pages needs no 10,000 cards
            self.cards[article.slug] = _card(self, article)
        return self.cards[article.slug]

    def link(self, name: str, folder: str) -> dict:
        """{name, path} of a topic's or spokesperson's page (path None when it has none); one
        dict per term, shared by every card that names it (a site has few terms)."""
        key = (folder, name)
        if key not in self.links:
            slugs = self.topic_slugs if folder == "topics" else self.speaker_slugs
            slug = slugs.get(normalize(name))
            self.links[key] = {"name": name, "path": f"{folder}/{slug}/" if slug else None}
        return self.links[key]

    @cached_property
    def settings_key(self) -> str:
        """The site's settings and address, hashed once for every page key."""
        return hash_values(self.site.settings, self.base)

    @cached_property
    def shape(self) -> str:
        """Everything the pages' cheap keys (``PageSpec.key_of``) hold besides the
        fingerprints of the articles each page shows (``PageSpec.shows``) and which
        articles are related to which (``related_slugs``): the settings and address,
        the build time, the reading order, each topic and spokesperson with its
        articles, and each article's neighbours. Two plans of the same shape give the
        same key to every page whose articles have the same fingerprints and related
        articles (a test changes a site many ways to check it)."""
        site = self.site

        def slugs(articles: Iterable[Article | None]) -> str:
            return " ".join(a.slug if a else "" for a in articles)

        return hash_values(
            self.settings_key, site.build_time, slugs(site.articles),
            [(t.name, t.slug, t.description, slugs(t.articles)) for t in site.topics],
            [(p.name, p.slug, p.organisation, slugs(p.articles)) for p in site.spokespersons],
            [slugs(self.neighbours.get(a.slug, ())) for a in site.articles],
        )

    def related_slugs(self) -> dict[str, str]:
        """Slug -> its related articles' slugs (an edit's words move a few articles' lists)."""
        return {a.slug: " ".join(r.slug for r in self.related.get(a.slug, ())) for a in self.site.articles}

    def fingerprint(self, article: Article | None) -> str:
        """Everything a page can show of ``article``: the article's hash, and where its
        topics and spokespersons link (which of them have pages). Not hashed again: the
        page key that holds it is (and it is a tenth of the keys of a rebuild)."""
        if article is None:
            return ""
        if article.slug not in self.fingerprints:
            # slugs match [a-z0-9-]+, so spaces and "/" separate them unambiguously ("" for no
            # page), and a fingerprint holds no ";" (``_cards_key``)
            links = " ".join([self.topic_slugs.get(normalize(t)) or "" for t in article.topics] + ["/"]
                             + [self.speaker_slugs.get(normalize(s.name)) or "" for s in article.spokespersons])
            own = self.article_hashes.get(article.slug) or article_hash(article)
            self.fingerprints[article.slug] = f"{own} {links}"
        return self.fingerprints[article.slug]


# Context keys holding Markdown that ``render_pages`` turns into HTML (``_with_bodies``):
# Markdown is the costliest part of a context, so the plan stays cheap, the page key
# covers the Markdown source, and a page that is not rendered never converts it.
_BODY = "_body_markdown"  # an article page's body
_ENTRY_BODIES = "_entry_markdown"  # a feed's entry bodies, in entry order


@dataclass
class SitePlan:
    """``pages``: ``plan_pages``'s answer; ``shape`` and ``related_slugs``: see
    ``_SiteView`` (a rebuild whose plan has the shape of the previous one keys only the
    pages that show an article whose fingerprint or related articles changed)."""

    pages: list[PageSpec]
    view: _SiteView = field(repr=False)

    @property
    def shape(self) -> str:
        return self.view.shape

    def related_slugs(self) -> dict[str, str]:
        return self.view.related_slugs()


def plan_pages(site: SiteModel, workers: int = 1, search: bool = True,
               related_memo: RelatedMemo | None = None, article_hashes: Mapping[str, str] = {}) -> list[PageSpec]:
    """Every output file of the site (see ``plan_site``)."""
    return plan_site(site, workers, search, related_memo, article_hashes).pages


def plan_site(site: SiteModel, workers: int = 1, search: bool = True,
              related_memo: RelatedMemo | None = None, article_hashes: Mapping[str, str] = {}) -> SitePlan:
    """Every output file of the site, with its template and context function (pure).

    Article bodies stay Markdown in contexts (under ``_BODY`` and ``_ENTRY_BODIES``);
    ``render_page`` fills in their HTML. ``workers``: processes for related articles;
    ``search``: whether the site will have a Pagefind index for the search page to load;
    ``related_memo``: what related articles remember between builds (see ``related_articles``);
    ``article_hashes``: each article's ``article_hash``, when the caller has them (for page keys)."""
    view = _SiteView(
        site=site,
        base=normalize_base(site.settings.base_url),
        topic_slugs={normalize(t.name): t.slug for t in site.topics},
        speaker_slugs={normalize(s.name): s.slug for s in site.spokespersons},
        related=related_articles(site.articles, RELATED, workers, related_memo,
                                 [bytes.fromhex(article_hashes[a.slug]) for a in site.articles]
                                 if article_hashes and related_memo is not None else None),
        neighbours=_digest_neighbours(site.articles),
        article_hashes=article_hashes,
    )
    plan: list[PageSpec] = []
    plan += _listing_pages("", site.articles, "home.html", partial(home_context, view), home_key)
    plan += [_spec(f"articles/{a.slug}/", "article.html", partial(article_context, view, a), article_key,
                   article_shows) for a in site.articles]
    plan.append(_spec("topics/", "topics.html", partial(topics_context, view)))
    for topic in site.topics:
        plan += _term_pages(view, f"topics/{topic.slug}/", topic.name, topic.articles, "topic.html",
                            partial(topic_context, view, topic), topic_key)
    plan.append(_spec("spokespersons/", "spokespersons.html", partial(spokespersons_context, view)))
    for person in site.spokespersons:
        plan += _term_pages(view, f"spokespersons/{person.slug}/", person.name, person.articles,
                            "spokesperson.html", partial(spokesperson_context, view, person),
                            spokesperson_key)
    plan.append(_spec("search/", "search.html", partial(search_context, view, search)))
    plan.append(_spec("404.html", "404.html", partial(not_found_context, view)))
    plan.append(_feed_spec(view, "", site.settings.title, site.articles))
    plan += _sitemap_pages(view, plan)
    plan.append(_spec("robots.txt", "robots.txt", partial(dict, sitemap_url=absolute_url(view.base, "sitemap.xml"))))
    plan.append(_spec("_headers", "_headers", dict))
    return SitePlan(plan, view)


def _spec(path: str, template: str, make_context: Callable[[], dict],
          key_of: Callable[..., tuple] | None = None, shows: Callable[..., Sequence] | None = None) -> PageSpec:
    """A page at site-root ``path``; a folder path (``a/b/`` or "") means ``a/b/index.html``.
    ``key_of``, ``shows``: see ``PageSpec`` (they take ``make_context``'s arguments)."""
    file = path + "index.html" if path == "" or path.endswith("/") else path
    return PageSpec(file, template, make_context, key_of, shows)


def _listing_pages(path: str, articles: Sequence[Article], template: str,
                   build: partial, key_of: Callable[..., tuple]) -> list[PageSpec]:
    """Page 1 at ``path``, pages 2… at ``path/page/<n>/``, ``PER_PAGE`` articles each;
    ``build(page, pages, items)`` makes each page's context (``build`` is a partial of a
    context function, so ``key_of`` gets the same arguments)."""
    pages = max(1, math.ceil(len(articles) / PER_PAGE))
    specs = []
    for page in range(1, pages + 1):
        items = articles[(page - 1) * PER_PAGE : page * PER_PAGE]
        specs.append(_spec(_page_path(path, page), template, partial(build, page, pages, items), key_of,
                           _items_shown))
    return specs


def _term_pages(view: _SiteView, path: str, name: str, articles: Sequence[Article], template: str,
                build: partial, key_of: Callable[..., tuple]) -> list[PageSpec]:
    """A topic's or spokesperson's paginated pages and its Atom feed."""
    feed = _feed_spec(view, path, f"{name} · {view.site.settings.title}", articles)
    return [*_listing_pages(path, articles, template, build, key_of), feed]


def _feed_spec(view: _SiteView, path: str, title: str, articles: Sequence[Article]) -> PageSpec:
    return _spec(f"{path}feed.xml", "feed.xml", partial(feed_context, view, path, title, articles), feed_key,
                 feed_shows)


def _page_path(path: str, page: int) -> str:
    return path if page == 1 else f"{path}page/{page}/"


def _pagination(path: str, page: int, pages: int) -> dict | None:
    if pages <= 1:
        return None
    return {
        "page": page,
        "pages": pages,
        "prev": _page_path(path, page - 1) if page > 1 else None,
        "next": _page_path(path, page + 1) if page < pages else None,
    }


def _digest_neighbours(articles: Sequence[Article]) -> dict[str, tuple[Article | None, Article | None]]:
    """Slug -> (previous, next) article of the same digest by ``order``; hand-written have none."""
    by_digest: dict[str, list[Article]] = {}
    for article in articles:
        if article.digest:
            by_digest.setdefault(article.digest, []).append(article)
    result: dict[str, tuple[Article | None, Article | None]] = {}
    for group in by_digest.values():
        group.sort(key=lambda a: (a.order, a.start, a.slug))
        for i, article in enumerate(group):
            prev = group[i - 1] if i > 0 else None
            nxt = group[i + 1] if i + 1 < len(group) else None
            result[article.slug] = (prev, nxt)
    return result


# ---------------------------------------------------------------- contexts


_SECTION_PATHS = {"home": "", "topics": "topics/", "spokespersons": "spokespersons/", "search": "search/"}


def _base_context(view: _SiteView, path: str, title: str, *, description: str = "",
                  section: str = "", pagination: dict | None = None, og_type: str = "website",
                  feeds: Sequence[dict] = (), jsonld: str = "") -> dict:
    """The keys every HTML page has (documented in the module docstring)."""
    settings = view.site.settings
    file = path + "index.html" if path == "" or path.endswith("/") else path
    root = relative_root(file)
    full_title = title if title == settings.title else f"{title} · {settings.title}"
    return {
        "site": {"title": settings.title, "description": settings.description,
                 "language": settings.language or "en", "author": settings.author},
        "root": root,
        "site_root": root or "./",
        "page_path": page_url(file),
        "title": title,
        "full_title": full_title,
        "description": description or settings.description,
        "canonical": absolute_url(view.base, page_url(file)),
        "section": section,
        # the header marks its link to this page; it reads this, not the page's path, so that
        # its text is the same on every page of a section (see ``_ContextEnvironment.included``)
        "landing": _SECTION_PATHS.get(section) == page_url(file),
        "feeds": [{"title": settings.title, "path": "feed.xml"}, *feeds],
        "pagination": pagination,
        "robots": "",
        "og_type": og_type,
        "jsonld": Markup(jsonld) if jsonld else "",
    }


def home_context(view: _SiteView, page: int, pages: int, items: Sequence[Article]) -> dict:
    """Home page ``page`` of ``pages``. Adds: ``cards``, ``topics_strip``, ``speakers_strip``
    (first page only: [{name, path, count}]), ``topic_count``, ``speaker_count``."""
    site = view.site
    title = site.settings.title if page == 1 else f"Latest stories, page {page}"
    ctx = _base_context(view, _page_path("", page), title, section="home",
                        pagination=_pagination("", page, pages),
                        jsonld=_website_jsonld(view) if page == 1 else "")
    ctx["heading"] = "Latest stories" if page == 1 else f"Latest stories, page {page} of {pages}"
    ctx["cards"] = [view.card(a) for a in items]
    first = page == 1
    ctx["topics_strip"] = [_term(t.name, f"topics/{t.slug}/", len(t.articles))
                           for t in site.topics[:STRIP_TERMS]] if first else []
    ctx["speakers_strip"] = [_term(s.name, f"spokespersons/{s.slug}/", len(s.articles))
                             for s in site.spokespersons[:STRIP_TERMS]] if first else []
    ctx["topic_count"] = len(site.topics)
    ctx["speaker_count"] = len(site.spokespersons)
    return ctx


def _term(name: str, path: str, count: int) -> dict:
    return {"name": name, "path": path, "count": count}


def article_context(view: _SiteView, article: Article) -> dict:
    """An article page. Adds: ``article`` (see ``_article_fields``), ``breadcrumbs``
    ([{name, path}], last path None), ``prev``/``next`` (card or None: same digest),
    ``related`` (cards)."""
    path = f"articles/{article.slug}/"
    ctx = _base_context(view, path, article.title, description=article.standfirst,
                        section="article", og_type="article", jsonld=_article_jsonld(view, article))
    fields = _article_fields(view, article)
    ctx["article"] = fields
    ctx[_BODY] = article.body
    crumbs = [{"name": "Home", "path": ""}]
    linked = [t for t in fields["topics"] if t["path"]]
    if linked:
        crumbs.append(linked[0])
    crumbs.append({"name": article.title, "path": None})
    ctx["breadcrumbs"] = crumbs
    prev, nxt = view.neighbours.get(article.slug, (None, None))
    ctx["prev"] = view.card(prev) if prev else None
    ctx["next"] = view.card(nxt) if nxt else None
    ctx["related"] = [view.card(a) for a in view.related.get(article.slug, ())]
    return ctx


def article_key(view: _SiteView, article: Article) -> tuple:
    """What ``article_context`` is made from, for the page's key: a rebuild after one
    edit hashes this instead of making and hashing 10,000 contexts. It must name
    everything the context reads: the site's settings and address, the article,
    and the articles it shows as cards (related, previous and next). (Strings where
    it can: ``hash_values`` takes them without pickling.)"""
    prev, nxt = view.neighbours.get(article.slug, (None, None))
    return (view.settings_key, view.fingerprint(article), _cards_key(view, view.related.get(article.slug, ())),
            view.fingerprint(prev), view.fingerprint(nxt))


def article_shows(view: _SiteView, article: Article) -> list[Article | None]:
    """The articles whose fingerprints ``article_key`` holds."""
    return [article, *view.related.get(article.slug, ()), *view.neighbours.get(article.slug, (None, None))]


def _items_shown(view: _SiteView, *args: Any) -> Sequence[Article]:
    """A listing page's articles: the last argument of its context function (``_listing_pages``)."""
    return args[-1]


def _cards_key(view: _SiteView, articles: Sequence[Article]) -> str:
    return ";".join([view.fingerprint(a) for a in articles])


def home_key(view: _SiteView, page: int, pages: int, items: Sequence[Article]) -> tuple:
    """What ``home_context`` is made from (see ``article_key``)."""
    site = view.site
    terms = ([(t.name, t.slug, len(t.articles)) for t in site.topics[:STRIP_TERMS]],
             [(s.name, s.slug, len(s.articles)) for s in site.spokespersons[:STRIP_TERMS]],
             len(site.topics), len(site.spokespersons))
    return view.settings_key, page, pages, _cards_key(view, items), terms


def topic_key(view: _SiteView, topic: TopicEntry, page: int, pages: int, items: Sequence[Article]) -> tuple:
    """What ``topic_context`` is made from (see ``article_key``)."""
    return (view.settings_key, topic.name, topic.slug, topic.description, len(topic.articles),
            page, pages, _cards_key(view, items))


def spokesperson_key(view: _SiteView, person: SpeakerEntry, page: int, pages: int,
                     items: Sequence[Article]) -> tuple:
    """What ``spokesperson_context`` is made from (see ``article_key``); the statements
    it shows are the items' own, which their fingerprints cover."""
    return (view.settings_key, person.name, person.slug, person.organisation, len(person.articles),
            page, pages, _cards_key(view, items))


def _article_fields(view: _SiteView, article: Article) -> dict:
    """title, standfirst, date, date_display, published (ISO), minutes, topics, tags,
    spokespersons ([{name, organisation, path}]), body (Markup), toc ([{id, text, level}]),
    markdown_path (the lead's ``index.md`` beside the page). ``minutes``, ``body`` and
    ``toc`` come from the Markdown when the page is rendered (``_with_bodies``)."""
    card = view.card(article)
    return {
        "title": article.title,
        "standfirst": article.standfirst,
        "date": card["date"],
        "date_display": card["date_display"],
        "topics": card["topics"],
        "tags": [{"name": t, "path": f"search/?q={quote_segment(t)}"} for t in article.tags],
        "spokespersons": [
            {"name": s["name"], "path": s["path"], "organisation": org}
            for s, org in zip(card["spokespersons"], (p.organisation for p in article.spokespersons))
        ],
        "markdown_path": f"articles/{article.slug}/index.md",
    }


_FIRST_PARAGRAPH = re.compile(r"\A<p>(.*?)</p>\n", re.DOTALL)


def _without_standfirst(html: str, standfirst: str) -> str:
    """The body without its first paragraph when that paragraph is the standfirst,
    which the page already shows above the body."""
    first = _FIRST_PARAGRAPH.match(html)
    if first and " ".join(unescape(re.sub(r"<[^>]+>", "", first.group(1))).split()) == " ".join(standfirst.split()):
        return html[first.end():]
    return html


def _card(view: _SiteView, article: Article) -> dict:
    date = article.date if article.date and _DATE.fullmatch(article.date) else ""
    return {
        "title": article.title,
        "path": f"articles/{article.slug}/",
        "standfirst": article.standfirst,
        "date": date,
        "date_display": display_date(date),
        "topics": [view.link(t, "topics") for t in article.topics],
        "spokespersons": [view.link(p.name, "spokespersons") for p in article.spokespersons],
    }


def topics_context(view: _SiteView) -> dict:
    """The topic index. Adds ``terms``: [{name, path, count, bar (0-100), description}]."""
    ctx = _base_context(view, "topics/", "Topics", section="topics",
                        description=f"All {len(view.site.topics)} topics of {view.site.settings.title}.")
    ctx["terms"] = _bars([(t.name, f"topics/{t.slug}/", len(t.articles), t.description)
                          for t in view.site.topics])
    return ctx


def spokespersons_context(view: _SiteView) -> dict:
    """The spokesperson index. Adds ``terms`` as on the topic index (description = organisation)."""
    ctx = _base_context(view, "spokespersons/", "Spokespersons", section="spokespersons",
                        description=f"Everyone quoted as a spokesperson in {view.site.settings.title}.")
    ctx["terms"] = _bars([(s.name, f"spokespersons/{s.slug}/", len(s.articles), s.organisation)
                          for s in view.site.spokespersons])
    return ctx


def _bars(rows: Sequence[tuple[str, str, int, str]]) -> list[dict]:
    """Rows with a bar length relative to the largest count, as a fixed-format string."""
    most = max((count for _, _, count, _ in rows), default=1) or 1
    return [
        {"name": name, "path": path, "count": count, "description": description,
         "bar": f"{100 * count / most:.1f}"}
        for name, path, count, description in rows
    ]


def topic_context(view: _SiteView, topic: TopicEntry, page: int, pages: int,
                  items: Sequence[Article]) -> dict:
    """A topic page. Adds ``term`` {name, description, count, feed_path} and ``cards``."""
    path = f"topics/{topic.slug}/"
    title = topic.name if page == 1 else f"{topic.name}, page {page}"
    feed = {"title": f"{topic.name} · {view.site.settings.title}", "path": f"{path}feed.xml"}
    description = topic.description or f"Articles about {topic.name}."
    ctx = _base_context(view, _page_path(path, page), title, description=description,
                        section="topics", pagination=_pagination(path, page, pages), feeds=[feed])
    ctx["term"] = {"name": topic.name, "description": topic.description,
                   "count": len(topic.articles), "feed_path": feed["path"]}
    ctx["cards"] = [view.card(a) for a in items]
    return ctx


def spokesperson_context(view: _SiteView, person: SpeakerEntry, page: int, pages: int,
                         items: Sequence[Article]) -> dict:
    """A spokesperson page. Adds ``person`` {name, organisation, count, feed_path} and
    ``entries``: [{card, statements: [sentence…]}] for this page's articles."""
    path = f"spokespersons/{person.slug}/"
    title = person.name if page == 1 else f"{person.name}, page {page}"
    feed = {"title": f"{person.name} · {view.site.settings.title}", "path": f"{path}feed.xml"}
    role = f", {person.organisation}" if person.organisation else ""
    ctx = _base_context(view, _page_path(path, page), title, section="spokespersons",
                        description=f"What {person.name}{role} said, article by article.",
                        pagination=_pagination(path, page, pages), feeds=[feed])
    ctx["person"] = {"name": person.name, "organisation": person.organisation,
                     "count": len(person.articles), "feed_path": feed["path"]}
    said = {article.slug: statements for article, statements in person.statements}
    ctx["entries"] = [
        {"card": view.card(a), "statements": [s.text for s in said.get(a.slug, ())]} for a in items
    ]
    return ctx


def search_context(view: _SiteView, search: bool = True) -> dict:
    """The search page (Pagefind UI, started by ``assets/search.js``). Adds ``search_index``:
    whether the site has a Pagefind index (without one the page loads none of its files
    and says that search is not available)."""
    ctx = _base_context(view, "search/", "Search", section="search",
                        description=f"Search {view.site.settings.title}.")
    ctx["search_index"] = search
    return ctx


def not_found_context(view: _SiteView) -> dict:
    """``404.html``: served at any depth, so ``root`` is the absolute base path."""
    ctx = _base_context(view, "404.html", "Page not found")
    ctx["root"] = ctx["site_root"] = base_path(view.site.settings.base_url)
    ctx["canonical"] = ""
    ctx["robots"] = "noindex"
    return ctx


# ---------------------------------------------------------------- feeds, sitemap, JSON-LD


def _timestamp(view: _SiteView, article: Article) -> str:
    if article.date and _DATE.fullmatch(article.date):
        return f"{article.date}T00:00:00Z"
    return view.site.build_time


def feed_context(view: _SiteView, path: str, title: str, articles: Sequence[Article]) -> dict:
    """An Atom feed of the latest ``FEED_ENTRIES`` articles. Keys: ``feed`` {id, title,
    subtitle, updated, self_url, alternate_url, author}, ``entries`` [{id, title, url,
    updated, summary, content (HTML as text), categories}]."""
    entries = [
        {
            "id": _urn(f"article:{a.id}"),
            "title": a.title,
            "url": absolute_url(view.base, f"articles/{a.slug}/"),
            "updated": _timestamp(view, a),
            "summary": a.standfirst,
            "categories": list(a.topics),
        }
        for a in articles[:FEED_ENTRIES]
    ]
    settings = view.site.settings
    return {
        "feed": {
            "id": _urn(f"feed:{path}"),
            "title": title,
            "subtitle": settings.description,
            "updated": max((e["updated"] for e in entries), default=view.site.build_time),
            "self_url": absolute_url(view.base, f"{path}feed.xml"),
            "alternate_url": absolute_url(view.base, path),
            "author": settings.author or settings.title,
            "language": settings.language or "en",
        },
        "entries": entries,
        _ENTRY_BODIES: [a.body for a in articles[:FEED_ENTRIES]],  # each entry's content
    }


def feed_key(view: _SiteView, path: str, title: str, articles: Sequence[Article]) -> tuple:
    """What ``feed_context`` is made from (see ``article_key``)."""
    return (view.settings_key, view.site.build_time, path, title,
            _cards_key(view, articles[:FEED_ENTRIES]))


def feed_shows(view: _SiteView, path: str, title: str, articles: Sequence[Article]) -> Sequence[Article]:
    """The articles whose fingerprints ``feed_key`` holds."""
    return articles[:FEED_ENTRIES]


def _urn(key: str) -> str:
    """A stable Atom id that survives a change of host or slug: ``urn:uuid:`` of the key."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"digestsite:{key}").urn


def _sitemap_pages(view: _SiteView, plan: Sequence[PageSpec]) -> list[PageSpec]:
    """``sitemap.xml``; past ``SITEMAP_LIMIT`` URLs (the protocol's maximum) it becomes a
    sitemap index over ``sitemaps/<n>.xml`` files."""
    paths = tuple(spec.file for spec in plan if spec.file.endswith(".html"))
    paths = tuple(path for path in paths if path not in ("404.html", "search/index.html"))
    if len(paths) <= SITEMAP_LIMIT:  # made only when its key changed: a rebuild keys it by its paths
        return [_spec("sitemap.xml", "sitemap.xml", partial(sitemap_context, view, paths), sitemap_key)]
    urls = _sitemap_urls(view, paths)
    chunks = [urls[i : i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
    specs = [_spec(f"sitemaps/{n}.xml", "sitemap.xml", partial(dict, urls=chunk)) for n, chunk in enumerate(chunks, 1)]
    index = {"sitemaps": [absolute_url(view.base, spec.file) for spec in specs]}
    return [*specs, _spec("sitemap.xml", "sitemap_index.xml", partial(dict, index))]


def sitemap_context(view: _SiteView, paths: Sequence[str]) -> dict:
    return {"urls": _sitemap_urls(view, paths)}


def sitemap_key(view: _SiteView, paths: Sequence[str]) -> tuple:
    """What ``sitemap_context`` is made from (see ``article_key``): the address, the
    pages, and every article's date (a superset of the dates it prints)."""
    dates = "\n".join([f"{a.slug} {a.date}" for a in view.site.articles if a.date])
    return view.base, "\n".join(paths), dates


def _sitemap_urls(view: _SiteView, paths: Sequence[str]) -> list[dict]:
    """[{loc, lastmod}] for every page file in ``paths``, sorted by loc."""
    dates = {f"articles/{a.slug}/": a.date for a in view.site.articles
             if a.date and _DATE.fullmatch(a.date)}
    urls = []
    for file in paths:
        path = page_url(file)
        urls.append({"loc": absolute_url(view.base, path), "lastmod": dates.get(path, "")})
    return sorted(urls, key=lambda u: u["loc"])


def _website_jsonld(view: _SiteView) -> str:
    settings = view.site.settings
    return script_json({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.title,
        "url": view.base,
        "inLanguage": settings.language or "en",
        "potentialAction": {
            "@type": "SearchAction",
            "target": absolute_url(view.base, "search/?q={query}"),
            "query-input": "required name=query",
        },
    })


def _article_jsonld(view: _SiteView, article: Article) -> str:
    """schema.org NewsArticle: ``about`` topics, ``mentions`` people, quotations as ``hasPart``."""
    settings = view.site.settings
    url = absolute_url(view.base, f"articles/{article.slug}/")
    spokespeople = {normalize(s.name) for s in article.spokespersons}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": settings.language or "en",
        "publisher": {"@type": "Organization", "name": settings.title, "url": view.base},
    }
    if article.date and _DATE.fullmatch(article.date):
        data["datePublished"] = data["dateModified"] = article.date
    if settings.author:
        data["author"] = {"@type": "Organization", "name": settings.author}
    if article.tags:
        data["keywords"] = list(article.tags)
    data["about"] = [
        {"@type": "Thing", "name": t["name"], **({"url": absolute_url(view.base, t["path"])} if t["path"] else {})}
        for t in view.card(article)["topics"]
    ]
    data["mentions"] = _mentions(view, article)
    data["hasPart"] = [
        {"@type": "Quotation", "text": s.text, "creator": {"@type": "Person", "name": s.speaker}}
        for s in article.statements if normalize(s.speaker) in spokespeople
    ]
    return script_json(data)


def _mentions(view: _SiteView, article: Article) -> list[dict]:
    people: list[dict] = []
    for person in article.spokespersons:
        entry: dict[str, Any] = {"@type": "Person", "name": person.name, "jobTitle": "Spokesperson"}
        if person.organisation:
            entry["affiliation"] = {"@type": "Organization", "name": person.organisation}
        slug = view.speaker_slugs.get(normalize(person.name))
        if slug:
            entry["url"] = absolute_url(view.base, f"spokespersons/{slug}/")
        people.append(entry)
    for other in article.people:
        entry = {"@type": "Person", "name": other.name}
        if other.role:
            entry["description"] = other.role
        people.append(entry)
    return people
