"""The values passed between the pipeline's stages.

No I/O and no logic here beyond small properties. Every dataclass is frozen so
a stage cannot change what it was given; derive new values with
``dataclasses.replace``. Line numbers are always 0-based indices into the
digest file's lines, and ranges are half-open ``[start, end)``, as in the gold
files and the ``segment --json`` output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Literal


def _pickled_as_a_call(cls: type) -> type:
    """Pickle ``cls`` as a call with its fields in order. A slotted dataclass's own way
    (``__getstate__``/``__setstate__``) looks its fields up again for every object, which
    made the cache's memos of 10,000 articles a third slower to store and to load."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):  # noqa: N807 - the pickle protocol's name
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Paragraph:
    line: int  # 0-based index into the digest file's lines (blank lines keep their index)
    text: str


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Digest:
    path: PurePosixPath  # relative to the content dir, e.g. digests/2025-01-20-world.txt
    paragraphs: tuple[Paragraph, ...]
    date: str | None = None  # YYYY-MM-DD, from the file name or the settings


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Subhead:
    text: str
    line: int  # the line the heading sits on (for "glued", the paragraph it ends)
    kind: Literal["line", "glued"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One article's span of a digest: boundaries only, no interpretation.

    ``paragraphs`` are the digest's paragraphs in ``[start, end)``, unchanged;
    a heading line is still among them and a glued heading is still at the end
    of its paragraph. ``subheads`` says where they are.
    """

    digest: PurePosixPath
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...]
    subheads: tuple[Subhead, ...] = ()


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of evidence for or against a boundary before a line."""

    name: str
    value: float  # signed contribution to the boundary score (weight already applied)
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LineDecision:
    """Why the segmenter did or did not start an article at ``line`` (for --explain)."""

    line: int
    score: float
    cues: tuple[Cue, ...]
    boundary: bool
    subhead: Subhead | None = None
    forced: str = ""  # "split" or "join" when a correction decided, else ""


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Spokesperson:
    name: str  # canonical full name, NFC
    organisation: str  # e.g. "Chinese Foreign Ministry"; "" when the text gives none


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Person:
    """A named person quoted in an article who is not a spokesperson."""

    name: str
    role: str = ""  # e.g. "a professor at the China Foreign Affairs University"


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Statement:
    speaker: str  # canonical full name of a Spokesperson or Person
    text: str  # the sentence that reports the speech
    line: int


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class Article:
    id: str  # stable: a hash of the article's own text, survives reordering
    slug: str  # URL-safe, unique across the site once assign_slugs has run
    title: str
    standfirst: str
    body: str  # Markdown, with "## " subheadings; the standfirst is its first sentence
    topics: tuple[str, ...] = ()  # topic names from the taxonomy
    tags: tuple[str, ...] = ()
    spokespersons: tuple[Spokesperson, ...] = ()
    people: tuple[Person, ...] = ()
    statements: tuple[Statement, ...] = ()
    date: str | None = None  # YYYY-MM-DD
    digest: str = ""  # source digest path relative to the content dir; "" for hand-written
    start: int = 0  # line range in the digest, half-open
    end: int = 0
    order: int = 0  # position in the whole build: digest order, then line; stable sort key
    subheads: tuple[Subhead, ...] = ()
    source_path: str = ""  # the Markdown file a hand-written or corrected article came from


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """A topic with the articles that carry it, latest first (for topic pages)."""

    name: str
    slug: str
    description: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class SpeakerEntry:
    """A spokesperson with their articles and, per article, what they said there."""

    name: str
    slug: str
    organisation: str
    articles: tuple[Article, ...]
    statements: tuple[tuple[Article, tuple[Statement, ...]], ...]


@dataclass(frozen=True, slots=True)
class SiteModel:
    """Everything the renderer needs, after all cross-article passes."""

    settings: Settings
    articles: tuple[Article, ...]  # in reading order: latest first, then digest order
    topics: tuple[TopicEntry, ...]
    spokespersons: tuple[SpeakerEntry, ...]
    build_time: str = "1970-01-01T00:00:00Z"  # from content dates or SOURCE_DATE_EPOCH


@dataclass(frozen=True)  # not slotted: ``url_path`` is made once, when first asked for
class PageSpec:
    """One output file: where it goes, which template makes it, and how to make its context.

    The context is made when it is asked for (``context``), where the page is keyed
    and rendered: in a worker process on a big build. So a plan is cheap to make
    and never holds every page's context at once."""

    file: str  # relative to the site root, e.g. articles/foo/index.html (``url_path``)
    template: str
    make_context: Callable[[], dict]
    # What the page is made from, when that is much cheaper to make than its context (an
    # article or listing page: the fingerprints of the articles it shows and the few site
    # values it prints): a function of the same arguments as ``make_context``, which is
    # then a ``functools.partial`` (no second partial per page: 10,000 pages, 2 MB). None:
    # the context itself. Only its hash is used, to find the pages an edit changed.
    key_of: Callable[..., tuple] | None = None
    # The articles whose fingerprints ``key_of`` holds (same arguments); everything else
    # in the key is the plan's shape (``render.SitePlan``). None: any article's (or none).
    shows: Callable[..., Sequence[Article | None]] | None = None

    @cached_property
    def url_path(self) -> PurePosixPath:
        """``file`` as a path (11,000 of them were a twentieth of a one-edit rebuild's
        plan, where only the few pages rendered need one)."""
        return PurePosixPath(self.file)

    @property
    def context(self) -> dict:
        return self.make_context()

    def key(self) -> tuple:
        """``key_of`` of the context function's arguments (only when ``key_of`` is set)."""
        made = self.make_context
        return self.key_of(*made.args, **made.keywords)  # type: ignore[attr-defined, misc]

    def shown(self) -> Sequence[Article | None]:
        """``shows`` of the context function's arguments (only when ``shows`` is set)."""
        made = self.make_context
        return self.shows(*made.args, **made.keywords)  # type: ignore[attr-defined, misc]


@dataclass(frozen=True, slots=True)
class TopicDefinition:
    """One entry of the maintainer's topic taxonomy (content/topics.toml)."""

    name: str
    slug: str
    description: str
    keywords: tuple[tuple[str, float], ...]  # (lower-case word or phrase, weight)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: tuple[TopicDefinition, ...]
    # an article gets a topic when the topic's weighted keyword score reaches this
    min_score: float = 2.0
    max_topics: int = 3


@dataclass(frozen=True, slots=True)
class Settings:
    title: str = "News Digest"
    description: str = ""
    language: str = "en"
    base_url: str = "/"
    author: str = ""
    date: str | None = None  # default date for digests whose file name has none


@dataclass(frozen=True, slots=True)
class SplitCorrection:
    """Force a split before (or a join at) the paragraph that opens with ``quote``."""

    action: Literal["split", "join"]
    quote: str
    digest: str = ""  # "" = any digest
    source: str = ""  # "content/corrections.toml:12" for warnings


@_pickled_as_a_call
@dataclass(frozen=True, slots=True)
class ArticleOverride:
    """Hand-set fields of an article, matched by stable id; None = keep computed."""

    id: str
    source: str  # file:line, for warnings and errors
    title: str | None = None
    standfirst: str | None = None
    topics: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    spokespersons: tuple[Spokesperson, ...] | None = None
    date: str | None = None
    slug: str | None = None
    body: str | None = None  # Markdown; None or "" keeps the computed body
    digest: str = ""  # set when the page was exported from a digest article (a correction)


@dataclass(frozen=True, slots=True)
class Content:
    settings: Settings
    taxonomy: Taxonomy
    digests: tuple[Digest, ...]
    splits: tuple[SplitCorrection, ...] = ()
    overrides: tuple[ArticleOverride, ...] = ()
    # articles/*.md: a page whose id matches a digest article corrects it; a page
    # with no source digest is a new, hand-written article
    pages: tuple[ArticleOverride, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildOptions:
    content_dir: Path
    templates_dir: Path
    out_dir: Path
    base_url: str | None = None  # overrides the settings' base_url
    search: bool = True
    # serve builds with search off and indexes afterwards: the search page links Pagefind's files anyway
    search_later: bool = False
    verbose: bool = False
    quiet: bool = False
    cache_dir: Path | None = None  # incremental-build cache; None builds everything afresh


@dataclass(slots=True)
class BuildReport:
    """Counts and warnings of one build; owns the summary line and the exit code."""

    articles: int = 0
    topics: int = 0
    spokespersons: int = 0
    pages: int = 0
    indexed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    rendered: int = 0  # pages rendered by this build; the rest were unchanged
    unchanged: bool = False  # the site was already up to date: nothing was written

    def summary_line(self) -> str:
        search = f", {self.indexed} indexed for search" if self.indexed else ""
        verb = "up to date:" if self.unchanged else "built"
        reused = f" ({self.pages - self.rendered} unchanged)" if self.rendered < self.pages and not self.unchanged else ""
        return (
            f"{verb} {self.articles} articles, {self.topics} topics, "
            f"{self.spokespersons} spokespersons, {self.pages} pages{reused}{search} "
            f"in {self.seconds:.2f} s"
        )

    @property
    def exit_code(self) -> int:
        return 0
