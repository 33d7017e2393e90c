"""The enrichment stage: one Segment -> one Article, plus the cross-article slug pass.

Contract:

- ``enrich_segment(segment, taxonomy)`` is a pure function of its inputs. It
  never raises on odd text (empty paragraphs, markup, any script); the worst
  case is an article titled from its first words with no topics or tags.
- ``article_body`` keeps every digest word: one Markdown paragraph per digest
  paragraph, each subhead as a ``## `` line, all digest text escaped so that it
  renders literally (no links, images, HTML, emphasis or template syntax).
- ``stable_id`` depends on the article's own text only, so reordering digests
  or moving an article to another digest keeps its id.
- Headlines are at most ``MAX_HEADLINE_CHARS`` long, start with a capital, end
  on a complete content word (never an article, conjunction, preposition or
  auxiliary), have balanced quotes and brackets and no trailing punctuation
  other than ``?``, ``!`` or a closing quote.
- ``assign_slugs`` returns the articles in the same order with unique slugs
  matching ``[a-z0-9-]+``; on a clash the later article (by ``order``) gets a
  numeric suffix. It is one dict pass, O(n).

People, spokespersons, statements and named-entity tags live in ``people.py``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from .model import Article, Segment, Subhead, Taxonomy
from .people import find_speakers, find_tags, is_full_name, mentions, surname_key
from .text import normalize, slugify, split_sentences, words

__all__ = [
    "MAX_HEADLINE_CHARS",
    "article_body",
    "assign_slugs",
    "enrich_segment",
    "escape_markdown",
    "headline_problems",
    "make_headline",
    "score_topics",
    "stable_id",
]

ID_LENGTH = 12  # hex chars of sha1: 48 bits, no collision in any realistic archive
SLUG_ID_CHARS = 8  # the "article-<id>" fallback for titles with no Latin letters

# ---------------------------------------------------------------------------
# Article assembly


def enrich_segment(segment: Segment, taxonomy: Taxonomy, *, date: str | None = None,
                   order: int = 0) -> Article:
    """Interpret one segment: title, standfirst, body, topics, tags and speakers."""
    article_id = stable_id(segment)
    paragraphs = _content_paragraphs(segment)
    lede_paragraph = next((text for _, text in paragraphs if text), "")
    sentences = split_sentences(lede_paragraph)
    standfirst = sentences[0] if sentences else lede_paragraph
    title = make_headline(standfirst)
    text = "\n".join(text for _, text in paragraphs)
    speakers = find_speakers(paragraphs)
    topics = tuple(name for name, _ in score_topics(text, title + " " + standfirst, taxonomy))
    return Article(
        id=article_id,
        slug=slugify(title) or f"article-{article_id[:SLUG_ID_CHARS]}",
        title=title,
        standfirst=standfirst,
        body=article_body(segment),
        topics=topics,
        tags=tuple(find_tags(paragraphs, standfirst, speakers)),
        spokespersons=speakers.spokespersons,
        people=speakers.people,
        statements=speakers.statements,
        date=date,
        digest=str(segment.digest),
        start=segment.start,
        end=segment.end,
        order=order,
        subheads=segment.subheads,
    )


def _content_paragraphs(segment: Segment) -> list[tuple[int, str]]:
    """(line, text) of the article's prose: heading lines dropped, glued headings cut off."""
    line_heads = {s.line for s in segment.subheads if s.kind == "line"}
    glued = {s.line: s for s in segment.subheads if s.kind == "glued"}
    result = []
    for paragraph in segment.paragraphs:
        if paragraph.line in line_heads:
            continue
        text = normalize(paragraph.text)
        if paragraph.line in glued:
            text = _split_glued(text, glued[paragraph.line])[0]
        if text:
            result.append((paragraph.line, text))
    return result


def _split_glued(text: str, subhead: Subhead) -> tuple[str, str]:
    """(paragraph without the heading, heading); the heading is matched from the end."""
    heading = normalize(subhead.text)
    at = text.rfind(heading) if heading else -1
    if at <= 0:
        return text, heading
    return text[:at].rstrip(), heading


def stable_id(segment: Segment) -> str:
    """sha1 of the NFC, whitespace-collapsed paragraph texts joined by newlines."""
    joined = "\n".join(normalize(p.text) for p in segment.paragraphs)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:ID_LENGTH]


# ---------------------------------------------------------------------------
# Markdown body


def article_body(segment: Segment) -> str:
    """The whole article as Markdown: escaped paragraphs and ``## `` subheads."""
    line_heads = {s.line: s for s in segment.subheads if s.kind == "line"}
    glued = {s.line: s for s in segment.subheads if s.kind == "glued"}
    blocks: list[str] = []
    for paragraph in segment.paragraphs:
        text = normalize(paragraph.text)
        if paragraph.line in line_heads:
            blocks.append("## " + escape_markdown(normalize(line_heads[paragraph.line].text) or text))
            continue
        heading = ""
        if paragraph.line in glued:
            text, heading = _split_glued(text, glued[paragraph.line])
        if text:
            blocks.append(escape_markdown(text))
        if heading:
            blocks.append("## " + escape_markdown(heading))
    return "\n\n".join(blocks) + "\n" if blocks else ""


# Characters markdown-it-py gives a meaning anywhere in a line: code spans,
# emphasis, links/images, autolinks and raw HTML, entities, tables,
# strikethrough, the escape itself, and Jinja delimiters should a template
# ever see the body. ``!`` and ``(`` are harmless once ``[`` is escaped.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~{}#])")
# Block syntax only counts at the start of a line: list bullets, thematic
# breaks, setext underlines, block quotes, and "1." / "1)" ordered lists.
_LEADING_BLOCK = re.compile(r"^([-+=>])|^(\d{1,9})([.)])")


def escape_markdown(text: str) -> str:
    """Digest text -> Markdown source that renders as exactly that text."""
    flat = " ".join(text.split())  # no indented code blocks, no hard breaks
    escaped = _INLINE_SPECIAL.sub(r"\\\1", flat)
    return _LEADING_BLOCK.sub(_escape_block_marker, escaped)


def _escape_block_marker(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


# ---------------------------------------------------------------------------
# Slugs


def assign_slugs(articles: Sequence[Article]) -> list[Article]:
    """Unique URL-safe slugs; earlier articles (by ``order``) keep the plain one."""
    by_order = sorted(range(len(articles)), key=lambda i: (articles[i].order, i))
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    slugs: list[str] = [""] * len(articles)
    for index in by_order:
        article = articles[index]
        base = slugify(article.slug) or slugify(article.title) or f"article-{article.id[:SLUG_ID_CHARS]}"
        slug = base
        suffix = next_suffix.get(base, 2)
        while slug in taken:  # amortised O(1): next_suffix remembers where we got to
            slug = f"{base}-{suffix}"
            suffix += 1
        next_suffix[base] = suffix
        taken.add(slug)
        slugs[index] = slug
    return [a if a.slug == s else replace(a, slug=s) for a, s in zip(articles, slugs)]


# ---------------------------------------------------------------------------
# Topics

TITLE_BONUS = 1.0  # a keyword in the title or lede counts once more: it is what the story is about
RELATIVE_FLOOR = 0.35  # a secondary topic needs this share of the best score, or it is noise
MAX_PHRASE_WORDS = 4


def score_topics(text: str, title: str, taxonomy: Taxonomy) -> list[tuple[str, float]]:
    """(topic, score) best first: keyword weight x (1 + ln count), plus a title/lede bonus."""
    first_tokens, names = _keyword_index(taxonomy)
    body_counts = _phrase_counts(text, first_tokens)
    head_counts = _phrase_counts(title, first_tokens)
    scores = [0.0] * len(names)
    for phrase, count in body_counts.items():
        for topic, weight in _entries(first_tokens, phrase):
            scores[topic] += weight * (1.0 + math.log(count))
    for phrase in head_counts:
        for topic, weight in _entries(first_tokens, phrase):
            scores[topic] += weight * TITLE_BONUS
    scored = [(names[i], round(score, 3)) for i, score in enumerate(scores) if score >= taxonomy.min_score]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    if not scored:
        return []
    floor = scored[0][1] * RELATIVE_FLOOR
    return [pair for pair in scored if pair[1] >= floor][: max(taxonomy.max_topics, 0)]


# first token -> {phrase tokens -> [(topic index, weight)]}
_KeywordIndex = dict[str, dict[tuple[str, ...], list[tuple[int, float]]]]


@lru_cache(maxsize=8)
def _keyword_index(taxonomy: Taxonomy) -> tuple[_KeywordIndex, tuple[str, ...]]:
    """Keywords as folded token tuples, indexed by first token: one dict look-up per text word."""
    index: _KeywordIndex = {}
    for number, topic in enumerate(taxonomy.topics):
        merged: dict[tuple[str, ...], float] = {}
        for phrase, weight in topic.keywords:
            key = tuple(_fold(w) for w in words(phrase.lower()))[:MAX_PHRASE_WORDS]
            if key:
                merged[key] = max(merged.get(key, 0.0), weight)  # one spelling counts once
        for key, weight in merged.items():
            index.setdefault(key[0], {}).setdefault(key, []).append((number, weight))
    return index, tuple(t.name for t in taxonomy.topics)


def _entries(index: _KeywordIndex, phrase: tuple[str, ...]) -> list[tuple[int, float]]:
    return index[phrase[0]][phrase]


def _phrase_counts(text: str, index: _KeywordIndex) -> Counter[tuple[str, ...]]:
    """How often each keyword phrase occurs in ``text``, on word boundaries."""
    tokens = [_fold(w) for w in words(text.lower())]
    counts: Counter[tuple[str, ...]] = Counter()
    for i, token in enumerate(tokens):
        for phrase in index.get(token, ()):
            if tuple(tokens[i:i + len(phrase)]) == phrase:
                counts[phrase] += 1
    return counts


# Plural endings that are not plurals; folding them would merge unrelated words.
_NO_FOLD_ENDINGS = ("ss", "us", "is", "ics", "ws", "'s", "’s")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Light plural folding so "tariffs" matches the keyword "tariff" (and vice versa)."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_NO_FOLD_ENDINGS):
        return word[:-1]
    return word


# ---------------------------------------------------------------------------
# Headlines

MAX_HEADLINE_CHARS = 90
# A headline longer than this is cut at a clause boundary: news titles run
# 5-10 words, and the words after the main clause are mostly detail.
TARGET_HEADLINE_CHARS = 56
MIN_HEADLINE_WORDS = 4  # a cut that leaves fewer words reads as a fragment

# Words a headline may not end on: it would read as a sentence cut off mid-phrase.
DANGLING_WORDS = frozenset(
    """a an the and or but nor so yet of to in on for with at by from as that than into onto upon
    over under about after before between through during against among amid via per since until
    while because although though if whether which who whom whose where when what its his her
    their our your my is are was were be been being has have had will would could can should may
    might must do does did not no very more most less such this these those also just both either
    neither each every any some all own same other another s""".split()
)
_SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|noted|notes|stated|states|reported|reports|announced|"
    r"announces|confirmed|confirms|claimed|claims|warned|warns|believes|believe|insisted|insists|"
    r"argued|argues|explained|stressed|emphasi[sz]ed|revealed|wrote|writes|show|shows|showed|"
    r"suggest|suggests|suggested|found|finds|predicted|predicts|estimated|estimates|indicate|indicates"
)
# ", according to X" / ", X said on Monday" / ", the Xinhua News Agency reported": the tail names
# a source, not news. The subject is short and has no comma.
_ATTRIBUTION_TAIL = re.compile(
    rf",\s*(?:according to [^,]{{2,90}}|(?:[^,\"“”]{{1,80}}?\s)?(?:has |have |had )?(?:{_SPEECH_VERBS})\b[^,\"“”]{{0,50}}"
    rf"|(?:saying|adding|noting|stressing|pointing out|citing|quoting)\b.*)$",
    re.IGNORECASE,
)
# "X said (on Monday) that Y": the news is Y.
_REPORTED_THAT = re.compile(
    rf"^(?P<who>[^,\"“”]{{3,120}}?)\s(?:has |have |had )?(?:{_SPEECH_VERBS})\b(?P<when>[^,\"“”]{{0,40}}?)\sthat\s(?P<what>.+)$"
)
# Openers of a leading circumstance clause ("When asked ..., ", "On Monday, ").
_LEAD_OPENERS = frozenset(
    """when while asked in on at during after before following regarding despite although though
    as since amid amidst with without earlier later last this speaking responding according under
    for over by upon besides meanwhile however now today yesterday tomorrow nestled faced given
    unlike like once if""".split()
)
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|whom|where)\s[^,]*(?:,|$)")
_APPOSITIVE = re.compile(r",\s+(?:(?:a|an|the|also|now|once|both|one of|currently|formerly)\s)[^,]{1,70},")
_CLAUSE_CUTS = re.compile(
    r"\s(?=(?:with|after|amid|despite|following|because|while|as|since|from|in|on|at|for|over|"
    r"before|during|against|under|through|until|and|but|which|who|that|to|by|via)\s)|[,;:]\s|\s[-–—]\s"
)
_BRACKETED = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])")


def make_headline(lede: str) -> str:
    """A short readable headline from the lede sentence (see the module contract)."""
    text = _BRACKETED.sub("", normalize(lede)).strip()
    text = text.rstrip(" .;:,")
    for simplify in (_strip_lead_clause, _strip_attribution, _take_reported, _strip_lead_clause,
                     _strip_relative, _strip_appositive):
        simpler = simplify(text)
        if len(words(simpler)) >= MIN_HEADLINE_WORDS:
            text = simpler
    text = _headline_style(_shorten_names(text))
    if len(text) > TARGET_HEADLINE_CHARS:
        text = _cut_at_clause(text, TARGET_HEADLINE_CHARS)
    if len(text) > MAX_HEADLINE_CHARS:
        text = _cut_at_word(text, MAX_HEADLINE_CHARS)
    return _tidy(text) or _tidy(_cut_at_word(normalize(lede), MAX_HEADLINE_CHARS)) or "Untitled"


def _strip_lead_clause(text: str) -> str:
    """Drop leading circumstance clauses ending in a comma, and a place appositive after them."""
    for _ in range(3):
        first = text.split(" ", 1)[0].lower()
        comma = _top_level_comma(text)
        rest = text[comma + 1:].strip()
        if first not in _LEAD_OPENERS or comma < 0 or comma > len(text) * 0.7 or not _starts_clause(rest):
            break
        text = rest
    head, _, rest = text.partition(", ")
    if rest and len(head.split()) <= 5 and all(w[:1].isupper() for w in head.split()) \
            and rest[:1].isupper() and "," not in rest[:3]:
        text = rest  # "East China's Fujian Province, Chinese President ..." (the place of the clause)
    return text


_SUBJECT_STARTERS = frozenset("the a an this that these those its his her their our some many most several all".split())


def _starts_clause(text: str) -> bool:
    """Whether text after a leading clause can start a sentence (not "then went on ...")."""
    first = text.split(" ", 1)[0]
    return bool(first) and (first[0].isupper() or first[0].isdigit() or first[0] in "\"“'‘"
                            or first.lower() in _SUBJECT_STARTERS or first.lower() in _LEAD_OPENERS)


def _top_level_comma(text: str) -> int:
    """Index of the first comma outside quotes, or -1."""
    in_quote = False
    for i, char in enumerate(text):
        if char in "\"“”":
            in_quote = not in_quote
        elif char == "," and not in_quote:
            return i
    return -1


def _strip_attribution(text: str) -> str:
    return _ATTRIBUTION_TAIL.sub("", text).strip()


def _take_reported(text: str) -> str:
    """"X said on Monday that Y" -> "Y" when Y is a clause of its own."""
    match = _REPORTED_THAT.match(text)
    if not match or len(words(match.group("what"))) < MIN_HEADLINE_WORDS + 1:
        return text
    what = match.group("what")
    return what[:1].upper() + what[1:]


def _strip_relative(text: str) -> str:
    return _RELATIVE_CLAUSE.sub(lambda m: "," if m.group(0).endswith(",") else "", text).strip(" ,")


def _strip_appositive(text: str) -> str:
    return _APPOSITIVE.sub("", text)


_WHEN = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|weekend|month|year|night|"
    r"morning|afternoon|evening|season|quarter|January|February|March|April|May|June|July|August|"
    r"September|October|November|December)"
)
# Time adverbials carry no news in a headline ("on Monday", "last year", "in 2004").
_TIME_PHRASE = re.compile(
    rf"\s(?:(?:on|last|this|next|earlier|later|late|early)\s(?:this\s|last\s)?{_WHEN}(?:'s)?|"
    rf"(?:in|since)\s(?:(?:early|late|mid)\s)?(?:19|20)\d\d|yesterday|today|tomorrow)\b(?=[\s,.;:]|$)"
)
_ARTICLE_WORD = re.compile(r"(?<![\w'’\-])(?:the|a|an)\s(?=[\w$£€])")
_AUX_BEFORE_PARTICIPLE = re.compile(r"\b(?:has|have)\s(?=[a-z]+ed\b)")
_IS_TO = re.compile(r"\b(?:is|are)\s(?=to\s[a-z])")


# Words that make the text before a name a clause rather than a descriptor ("Chelsea left-back").
_VERBISH = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|could|can|should|may|might|must|[a-z]+ed)\b")
MAX_DESCRIPTOR_WORDS = 5


def _shorten_names(text: str) -> str:
    """Headline names: "Chelsea left-back Wayne Bridge could ..." -> "Bridge could ..."."""
    names = [m for m in mentions(text) if is_full_name(m.text)]
    for mention in reversed(names):
        tokens = mention.text.split()
        short = mention.text if surname_key(mention.text) == tokens[0].casefold() else " ".join(
            tokens[next((i for i, t in enumerate(tokens) if i and t.lower() in ("von", "van", "de", "da", "di", "del", "der", "le", "la", "al", "bin")), len(tokens) - 1):])
        before = text[: mention.start]
        start = mention.start
        if mention is names[0] and len(before.split()) <= MAX_DESCRIPTOR_WORDS and not _VERBISH.search(before) and not re.search(r"[,;:\"“”]", before):
            start = 0  # the words before the name only describe the person
        text = text[:start] + short + text[mention.end:]
    return text[:1].upper() + text[1:]


def _headline_style(text: str) -> str:
    """Headlinese: no articles or time adverbials, "has agreed" -> "agreed", "is to" -> "to"."""
    styled = _TIME_PHRASE.sub("", text)
    styled = _AUX_BEFORE_PARTICIPLE.sub("", styled)
    styled = _IS_TO.sub("", styled)
    first, _, rest = styled.partition(" ")
    if first in ("The", "A", "An") and rest[:1].isalnum():
        styled = rest
    styled = _ARTICLE_WORD.sub("", styled)
    if len(words(styled)) < MIN_HEADLINE_WORDS:
        return text
    return styled[:1].upper() + styled[1:]


def _cut_at_clause(text: str, limit: int) -> str:
    """The longest prefix up to ``limit`` chars ending at a clause boundary, else the shortest longer one."""
    best = longer = ""
    for match in _CLAUSE_CUTS.finditer(text):
        prefix = _tidy(text[: match.start()])
        if len(prefix) > MAX_HEADLINE_CHARS:
            break
        if len(words(prefix)) < MIN_HEADLINE_WORDS or _ends_in_list(prefix):
            continue
        if len(prefix) <= limit:
            best = prefix
        elif not longer:
            longer = prefix  # the shortest prefix over the target
    return best or longer or text


LIST_ITEM_WORDS = 2  # a comma chunk this short is an item of a list ("floating, production, storage")


def _ends_in_list(prefix: str) -> bool:
    """Whether the prefix stops inside an enumeration, leaving the list's head noun behind."""
    chunks = prefix.split(", ")
    return len(chunks) > 2 and len(chunks[-1].split()) <= LIST_ITEM_WORDS


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    return cut[: cut.rfind(" ")] if " " in cut else cut[:limit]


_TRAILING_JUNK = " ,;:.-–—'\"“‘(["


def _tidy(text: str) -> str:
    """Enforce the headline rules on a candidate: ending, quotes, brackets, capital."""
    text = _balance(text.strip())
    for _ in range(12):
        text = text.rstrip(_TRAILING_JUNK)
        last = text.rsplit(" ", 1)[-1] if text else ""
        if not last:
            break
        bare = last.lower().strip("\"'“”‘’")
        adverb = bare.endswith("ly") and last[:1].islower()  # "... to fully" reads unfinished
        if bare in DANGLING_WORDS or adverb or bare.endswith(("'s", "’s")) or not any(c.isalnum() for c in bare):
            text = text[: len(text) - len(last)]
            text = _balance(text.strip())
            continue
        break
    if len(text) > MAX_HEADLINE_CHARS:
        return _tidy(_cut_at_word(text, MAX_HEADLINE_CHARS))
    return text[:1].upper() + text[1:] if text else ""


def _balance(text: str) -> str:
    """Cut before the first unmatched opening quote/bracket; drop stray closers."""
    opener = _first_unmatched(text)
    while opener >= 0:
        text = text[:opener].rstrip()
        opener = _first_unmatched(text)
    return _drop_stray_closers(text)


_PAIRS = {"(": ")", "[": "]", "“": "”", "‘": "’"}


def _first_unmatched(text: str) -> int:
    """Index of the first opening mark with no partner, or -1. Straight quotes toggle."""
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if char == '"':
            if stack and stack[-1][0] == '"':
                stack.pop()
            else:
                stack.append(('"', i))
        elif char in _PAIRS:
            stack.append((char, i))
        elif char in ")]”" and stack and _PAIRS.get(stack[-1][0]) == char:
            stack.pop()
        elif char == "’" and stack and stack[-1][0] == "‘":
            stack.pop()
        elif char == "'" and _is_opening_single(text, i):
            stack.append(("'", i))
        elif char == "'" and stack and stack[-1][0] == "'" and _is_closing_single(text, i):
            stack.pop()
    return stack[0][1] if stack else -1


def _is_opening_single(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([“\"") and after.isalnum()


def _is_closing_single(text: str, i: int) -> bool:
    after = text[i + 1] if i + 1 < len(text) else " "
    return not after.isalnum()


def _drop_stray_closers(text: str) -> str:
    """Remove ")", "]" and "”" that close nothing (left over after a cut)."""
    depth = {")": 0, "]": 0, "”": 0}
    keep = []
    for char in text:
        if char in "([“":
            depth[_PAIRS[char]] += 1
        elif char in depth:
            if depth[char] == 0:
                continue
            depth[char] -= 1
        keep.append(char)
    return "".join(keep)


def headline_problems(title: str) -> list[str]:
    """Which headline rules ``title`` breaks ([] = none); used by tests and ``check``."""
    problems = []
    if not title or len(title) > MAX_HEADLINE_CHARS:
        problems.append(f"length {len(title)} not in 1..{MAX_HEADLINE_CHARS}")
    if title and title[0].upper() != title[0]:  # lower case with an upper-case form
        problems.append("does not start with a capital")
    last = title.rsplit(" ", 1)[-1].lower().strip("\"'“”‘’") if title else ""
    if last in DANGLING_WORDS:
        problems.append(f"ends on the function word {last!r}")
    if title and title[-1] in ".,;:-–—(['\"“‘" and not title.endswith(('"', "'")):
        problems.append(f"ends with {title[-1]!r}")
    if title.endswith(('"', "'")) and _first_unmatched(title) < 0 and title.count('"') % 2:
        problems.append("ends with an unmatched quote")
    if _first_unmatched(title) >= 0 or _drop_stray_closers(title) != title:
        problems.append("unbalanced quotes or brackets")
    return problems
