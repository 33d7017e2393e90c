"""Stage 2: split a digest into articles and find in-article subheadings.

Input: a ``Digest`` (paragraphs in file order, blank lines already left out)
and optional ``SplitCorrection``s. Output: ``list[Segment]``.

Invariants
- Segments are contiguous, in order, half-open, and cover every paragraph of
  the digest exactly once. ``Segment.start`` is the line of its first
  paragraph; ``Segment.end`` is the next segment's start, or the last
  paragraph's line + 1. An empty digest gives ``[]``.
- Subheads lie inside their segment and never on its first paragraph: a
  heading never starts an article, and the paragraph after a heading never
  starts one either (the heading introduces it).
- A "split" correction forces a boundary before the paragraph it matches and
  a "join" forbids one there; corrections win over every cue.

How it decides
Every gap between two paragraphs gets a boundary score: the log-odds that a
new article starts there. The score is a weighted sum of cues, each a small
named function below (how a lede opens and what it introduces, whether names
and words carry over from the paragraphs before, quotations running on, the
paragraph's shape). The strongest are word chains: each word is linked to its
previous use a few hundred words back, and an article boundary is a gap that
few chains span, after a paragraph whose words look back and before one whose
words look ahead (a lede). The weights are a tiny logistic regression stored in
``segment_weights.json`` and refitted by ``benchmarks/fit_segmenter.py``.
The model learned how often stories start from digests of stories of 376 to 558
words; a digest of shorter ones (wire briefs, short statements) has its prior
raised, by as much as its own scores say (``prior_shift``, an EM estimate of
its boundary rate). Boundaries are then chosen together by dynamic programming
over the scores, with each article also scored as a whole by its length (a
semi-Markov model: very short ones pay a penalty), rather than by a threshold
per gap. Last, each start may move one line either way, to where the line it
passes fits the words of its new article better (``_nudged_starts``): a story's
summary lede and the line after it often score alike, but the lede's words are
its story's.

Briefs (stories of one to five short lines) are read by a second model over the
same cues, fitted on the same development stories cut to their first lines: at
that length the cues weigh differently (a cohesion window holds a whole brief and
the next). A digest is read with it when its stories come out brief and it is
sure of the starts it adds to the first model's (``_briefs_reading``); a digest
whose stories carry their own marks or have subheadings never is.

Everything is linear in the size of the digest: each paragraph is analysed
once (only its first ``_ANALYSED_CHARS`` characters: ledes and cues sit at the
start, and it keeps a single huge line cheap), and the neighbour windows slide.

Speed without changing a bit
The hot paths are written for CPython: per-token work goes through ``map`` over
cached tables (``_TokenTable``) rather than Python loops, each paragraph is cut
into sentences and tokenised once (``_Head``), and the sliding windows skip only
arithmetic whose result is known. Scores must stay the same floats, so sums
keep their order: a window's norm is added up key by key as before, and a set of
names is built in the same order as before, because its iteration order decides
the order in which ``_chains`` adds up weights (and so the last bits of a cue).
"""

from __future__ import annotations

import itertools
import json
import math
import operator
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from digestsite.model import Cue, Digest, LineDecision, Paragraph, Segment, SplitCorrection, Subhead
from digestsite.text import (
    DATELINE, STOPWORDS, is_header_line, is_title_line, speaker_turn, split_sentences, words,
)

__all__ = ["explain_digest", "find_subheads", "matching_line", "segment_digest"]

_WEIGHTS_FILE = Path(__file__).with_name("segment_weights.json")

# Cues read only the start of a paragraph; a lede says what it is about early.
_ANALYSED_CHARS = 4000

# Neighbour windows hold about this many words on each side of a gap (a
# couple of long paragraphs, or five or six one-sentence lines), so that the
# cohesion cues mean the same on both granularities.
_WINDOW_WORDS = 120
_WINDOW_MAX_PARAGRAPHS = 8
# Names are remembered longer than words: a story comes back to its people
# after several paragraphs about something else.
_NAME_MEMORY_WORDS = 400
_WIDE_WINDOW_WORDS = 300
_NAME_MEMORY_PARAGRAPHS = 30
_STEM_LETTERS = 6
# A word chain links two uses of a word at most this many words apart: about half an article.
_CHAIN_WORDS = 300
# Entity bookkeeping looks this far past a gap: the first lines of a candidate article.
_LOOKAHEAD_WORDS = 80
_LOOKAHEAD_PARAGRAPHS = 4

# ---------------------------------------------------------------------------
# word classes: general English function words, no corpus vocabulary

# Openers that refer back to something already said: the paragraph continues.
_PRONOUN_OPENERS = frozenset(
    """he she they it his her their its him them we i our this these those that such both all some
    many most none each another other others several either neither""".split()
)
# Personal pronouns that need an antecedent; one before any name points back.
_PERSONAL_PRONOUNS = frozenset("he she they his her their him them hers theirs".split())
_CONNECTIVE_OPENERS = frozenset(
    """but and however meanwhile also yet so still then moreover furthermore additionally instead
    besides nevertheless nonetheless thus therefore hence meantime likewise similarly otherwise
    finally later earlier afterwards separately indeed overall""".split()
)
# Honorifics put before a surname that has usually been introduced already.
# Auxiliaries of the present, perfect and future: a hard-news lede reports what "has happened"
# or "is to" happen; the story's later paragraphs narrate in the past ("said", "was").
_LEDE_TENSE_WORDS = frozenset("has have is are will".split())
_NARRATIVE_TENSE_WORDS = frozenset("was were had said told added did".split())
# Prepositions and subordinators that open a scene-setting lead-in ("At a briefing on Friday, ...").
_LEAD_IN_OPENERS = frozenset("in on at after when as amid following regarding despite during with".split())
_HONORIFICS = frozenset("mr mrs ms miss dr prof sir dame".split())
_INDEFINITE_OPENERS = frozenset(("a", "an"))
_CALENDAR_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december yesterday today tonight""".split()
)
_QUOTE_OPENERS = "\"'“‘«"
_QUOTE_CLOSERS = "\"”’'»"
# Verbs of saying: a paragraph that ends "..., he said." closes a quotation's attribution.
_SPEECH_VERBS = frozenset("said says added told explained insisted warned argued claimed stressed admitted".split())
# Words that may follow a name and its comma in an appositive: "Ann Lee, the mayor", "Ann Lee, who".
_APPOSITIVE_OPENERS = frozenset("the a an who whose".split())
_ROLE_INTRO_REACH = 10
  # tokens into the first sentence where a lede introduces its subject

# The credit line that closes a wire story: "(Reporting by Ann Lee; Editing by Tom Ray)",
# "Additional reporting by ...", "Associated Press writer Ann Lee contributed to this report.",
# a labelled credit ("Source: Xinhua | Editor: Zhang Lin", "Editor: 李明");
# the end mark of a press release: "ENDS", "- ENDS -", "###", "***", "-30-"; and the desk
# codes an agency (AFP) sets under a story: "jmt-sr/gil".
_SIGNOFF_NAME = r"[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*)*"
_SIGNOFF_NAMES = rf"{_SIGNOFF_NAME}(?:\s*(?:,|and|&)\s*{_SIGNOFF_NAME})*"
_SIGNOFF_PART = (rf"(?i:(?:additional\s+)?(?:reporting|writing|editing|compiled|graphics|research|"
                 rf"reported|written|edited|translated|proofread)\s+by)\s+"
                 rf"{_SIGNOFF_NAMES}(?:\s+(?:in|from)\s+{_SIGNOFF_NAMES})?")
# a label, a colon and a credit of names: capitalised (or non-Latin) words and a few joining words
_CREDIT_WORD = r"(?:[^\W\da-z][^\s|;:：,!?]*|of|the|and|for|in|at|de|&)"
_CREDIT_PART = (r"(?:Source|Sources|Editor|Editors|Reporter|Reporters|Writer|Translator|Proofreader)\s*[:：]\s*"
                rf"{_CREDIT_WORD}(?:[\s,]+{_CREDIT_WORD}){{0,11}}")
_SIGNOFF = re.compile(
    rf"^[(\[]?\s*{_SIGNOFF_PART}(?:\s*[;,]\s*{_SIGNOFF_PART})*\s*[)\]]?\.?$"
    rf"|^[(\[]?\s*{_CREDIT_PART}(?:\s*[|/;]\s*{_CREDIT_PART})*\s*[)\]]?\.?$"
    r"|^[^\n]{2,160}\scontributed(?:\s+reporting)?\s+to\s+this\s+(?:report|story)\.?\)?$"
    r"|^[\s\-–—*]*(?:ENDS?|Ends?|###|\*\*\*|-30-)[\s\-–—*.]*$"  # a press release's end mark
    r"|^[a-z]{2,6}(?:\s?[/\-]\s?[a-z]{2,6}){1,5}$"  # an agency's desk codes closing a story: "jmt-sr/gil"
)
# The desk's initials some offices set under a release's end mark ("MJPS/SR", "SK", "bur-ser/jj"):
# part of the sign-off when, and only when, the line above is one.
_DESK_CODE = re.compile(r"^(?:[A-Z]{1,6}|[a-z]{2,6})(?:\s?[/\-]\s?[A-Za-z]{1,6}){0,5}$")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"'”’]$")
_TERMINAL_CLOSERS = "\"'”’)]"  # what may follow the final stop in ``_TERMINAL``


def _ends_sentence(text: str) -> bool:
    """``_TERMINAL.search(text)`` for a ``text`` that ends in no whitespace, without scanning all
    of it: a match ends the text, so it starts at most one character before the closing quotes
    and brackets at its end."""
    return bool(_TERMINAL.search(text, max(len(text.rstrip(_TERMINAL_CLOSERS)) - 1, 0)))


# ---------------------------------------------------------------------------
# paragraph facts: everything a cue needs, computed once per paragraph


@dataclass(frozen=True, slots=True)
class _Facts:
    word_count: int
    sentence_count: int
    first_sentence_words: int
    opener: str  # first word, lower-cased, quotes stripped
    second: str  # second word, lower-cased
    opens_with_quote: bool
    quote_left_open: bool  # a double quotation opened and not closed
    names: frozenset[str]  # proper-name tokens in the paragraph, lower-cased
    lede_names: frozenset[str]  # proper-name tokens in the first sentence
    lede_name_runs: tuple[tuple[str, ...], ...]  # runs of two or more name tokens
    lede_lone_names: frozenset[str]  # one-word names in the first sentence ("Okafor said")
    run_members: frozenset[str]  # tokens of multi-word names anywhere in the paragraph
    terms: dict[str, int]  # content word -> count
    unresolved_pronoun: bool  # the first sentence uses "he"/"she"/"they" before naming anyone
    connective_early: bool  # "however", "meanwhile"... among the first four words
    name_density: float  # share of capitalised tokens: line-ups and lists score high
    lede_tense: bool  # the first sentence speaks in the present, perfect or future
    narrative_tense: bool  # the first sentence narrates in the past
    time_phrase: bool
    dateline: bool
    header_line: bool  # a line above a story: a byline ("By Ann Lee"), "FOR IMMEDIATE RELEASE"
    signoff: bool  # a credit line ("(Reporting by ...; Editing by ...)") or an end mark ("ENDS")
    ends_sentence: bool
    lone_names: frozenset[str]  # names used only alone here ("Okafor"), never inside a longer name
    role_introduction: bool  # the first sentence introduces someone with a role ("singer Ann Lee", "Ann Lee, the ...")
    ends_quote: bool  # the paragraph ends by closing a quotation
    ends_attribution: bool  # the last sentence attributes speech ("..., he said.")
    # a transcript's question ("Xinhua: Could you ...?") after an answer, from another questioner
    # than the last question: a press conference's next exchange (see ``_mark_exchanges``)
    opens_exchange: bool = False


def _strip_possessive(token: str) -> str:
    if "'" not in token and "’" not in token:
        return token
    for suffix in ("'s", "’s", "'", "’"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def _lowercase_vocabulary(token_lists: Iterable[Sequence[str]]) -> frozenset[str]:
    """Words the digest writes in lower case somewhere: such words are not names."""
    distinct = set(itertools.chain.from_iterable(token_lists))  # each word tested once, not per use
    return frozenset(w for w in distinct if w[0].islower())  # tokens are never empty


class _TokenTable(dict):
    """What each distinct token is (one property per table), kept across paragraphs and digests.

    News vocabulary repeats, so nearly every lookup hits, and ``map(table.__getitem__, tokens)``
    then runs in C (a Python loop over the tokens, or ``lru_cache``, costs about twice as much).
    A miss works the token out once for every table (``_learn_token``).
    """

    def __missing__(self, token: str) -> str:
        _learn_token(token)
        return self[token]


_NAME_FORMS = _TokenTable()  # the token as a name is remembered: lower-cased, without a possessive
_NAME_KINDS = _TokenTable()  # ``_NAME``, ``_POSSESSIVE_NAME`` or ``_NOT_NAME``
_STEMS = _TokenTable()  # the first six letters, lower-cased; "" for a stop word, a number or a letter
_TOKEN_CACHE_SIZE = 1 << 16  # distinct tokens; a 10,000-article corpus has about 50,000
_NAME, _POSSESSIVE_NAME, _NOT_NAME = "n", "p", "."
# A run of adjacent names, one character per token (see ``_name_kinds``): a possessive ends it.
_NAME_RUN = re.compile(r"n*p|n+")


def _learn_token(token: str) -> None:
    """Fill in every ``_TokenTable`` for ``token`` (emptying them all first when full, which only
    bounds their memory).

    A name is a capitalised word that is not a stop word, a calendar word or an honorific.
    """
    if len(_NAME_FORMS) >= _TOKEN_CACHE_SIZE:
        for table in (_NAME_FORMS, _NAME_KINDS, _STEMS):
            table.clear()
    bare = _strip_possessive(token)
    lower = bare.lower()
    _NAME_FORMS[token] = lower
    if not bare[:1].isupper() or lower in STOPWORDS or lower in _CALENDAR_WORDS or lower in _HONORIFICS:
        _NAME_KINDS[token] = _NOT_NAME
    else:
        _NAME_KINDS[token] = _POSSESSIVE_NAME if bare != token else _NAME
    _STEMS[token] = lower[:_STEM_LETTERS] if lower not in STOPWORDS and not lower.isdigit() and len(lower) > 1 else ""


def _name_kinds(tokens: Sequence[str], lowercase_vocabulary: frozenset[str]) -> str:
    """The ``_NAME_KINDS`` of the tokens of one sentence, one character per token.

    A capitalised word counts as a name unless it is a stop word, a calendar
    word, or, at the sentence's start, a word the digest also writes in lower
    case ("Police said" vs "the police").
    """
    kinds = "".join(map(_NAME_KINDS.__getitem__, tokens))
    if kinds[:1] in (_NAME, _POSSESSIVE_NAME) and _NAME_FORMS[tokens[0]] in lowercase_vocabulary:
        kinds = _NOT_NAME + kinds[1:]
    return kinds


def _name_runs(tokens: Sequence[str], lowercase_vocabulary: frozenset[str]) -> tuple[list[tuple[str, ...]], str]:
    """Runs of adjacent proper-name tokens in one sentence (``_NAME_FORMS``; a possessive ends a
    run), and the sentence's ``_name_kinds``."""
    kinds = _name_kinds(tokens, lowercase_vocabulary)
    forms = _NAME_FORMS.__getitem__
    runs = [tuple(map(forms, tokens[run.start() : run.end()])) for run in _NAME_RUN.finditer(kinds)]
    return runs, kinds


def _collect_names(
    tokens: Sequence[str], lowercase_vocabulary: frozenset[str], members: set[str], alone: set[str]
) -> None:
    """Add the names of one sentence's runs of two or more (``_name_runs``) to ``members``, and
    those of runs of one to ``alone``, in the runs' order."""
    kinds = _name_kinds(tokens, lowercase_vocabulary)
    forms = _NAME_FORMS.__getitem__
    for run in _NAME_RUN.finditer(kinds):
        start, end = run.span()
        if end - start >= 2:
            members.update(map(forms, tokens[start:end]))
        else:
            alone.add(forms(tokens[start]))


def _name_tokens(sentence: str, lowercase_vocabulary: frozenset[str]) -> list[tuple[str, ...]]:
    """Runs of adjacent proper-name tokens in one sentence, lower-cased (see ``_name_runs``)."""
    return _name_runs(words(sentence), lowercase_vocabulary)[0]


def _quote_left_open(text: str) -> bool:
    """True when a double quotation opens in the paragraph and does not close."""
    curly_open, curly_close = text.count("“"), text.count("”")
    if curly_open or curly_close:
        return curly_open > curly_close
    return text.count('"') % 2 == 1


def _stems(tokens: Sequence[str]) -> Iterator[str]:
    """Content words cut to their first six letters: a crude stemmer that is cheap and language-light
    ("economy", "economic" -> "econom")."""
    return filter(None, map(_STEMS.__getitem__, tokens))


def _pronoun_before_name(tokens: Sequence[str], runs: Sequence[Sequence[str]]) -> bool:
    first_name = runs[0][0] if runs else None
    for token in tokens:
        lower = token.lower()
        if lower == first_name:
            return False
        if lower in _PERSONAL_PRONOUNS:
            return True
    return False


_WORD_SPAN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")  # the tokens of ``digestsite.text.words``, with offsets


def _role_introduction(sentence: str, tokens: Sequence[str], flags: Sequence[bool]) -> bool:
    """The sentence introduces a person or body with a role near its start: "singer Ann Lee",
    "Olympic champion Ann Lee", "Ann Lee, the mayor of ...", "Ann Lee, who ...".

    A name of two or more tokens within the first few words, either after a describing word (not
    a function word) or followed by a comma and an appositive. ``tokens`` are the sentence's
    words and ``flags`` say which are name-like (``_name_kinds``)."""
    count = min(len(tokens), _ROLE_INTRO_REACH + 5)
    k = 0
    while k < count and k <= _ROLE_INTRO_REACH:
        if not flags[k]:
            k += 1
            continue
        end = k
        while end < count and flags[end]:
            end += 1
        if end - k >= 2:
            before = tokens[k - 1].lower() if k else ""
            if before and before not in STOPWORDS and before not in _CALENDAR_WORDS and before.isalpha():
                return True
            if end < count and tokens[end].lower() in _APPOSITIVE_OPENERS and _comma_between(sentence, end):
                return True
        k = end
    return False


def _comma_between(sentence: str, index: int) -> bool:
    """Is there a comma between token ``index - 1`` and token ``index`` of ``sentence``?"""
    previous_end = 0
    for k, match in enumerate(_WORD_SPAN.finditer(sentence)):
        if k == index:
            return "," in sentence[previous_end : match.start()]
        previous_end = match.end()
    return False


def _capitalised_count(tokens: Sequence[str]) -> int:
    """How many tokens start with a capital (tokens are never empty)."""
    return sum(map(str.isupper, map(_FIRST_CHARACTER, tokens)))


_FIRST_CHARACTER = operator.itemgetter(0)


def _ends_attribution(text: str) -> bool:
    """"... a good result," he said.": a verb of saying among the last words."""
    tail = [t.lower() for t in words(text[-80:])[-4:]]
    return any(t in _SPEECH_VERBS for t in tail)


@dataclass(frozen=True, slots=True)
class _Head:
    """A paragraph's analysed head, cut into sentences and tokenised once."""

    text: str  # the paragraph's first ``_ANALYSED_CHARS`` characters
    sentences: list[str]  # ``split_sentences`` of it, or [""] when it has none
    sentence_tokens: list[list[str]]  # ``words`` of each sentence
    tokens: list[str]  # ``words`` of the whole head


def _read_head(text: str) -> _Head:
    """Split the paragraph's head into sentences and tokenise each once."""
    head = text[:_ANALYSED_CHARS]
    sentences = split_sentences(head) or [""]
    sentence_tokens = [words(sentence) for sentence in sentences]
    if _only_whitespace_between(head, sentences):
        # a token never spans whitespace, so the head's tokens are its sentences' tokens in a row
        # (as ``test_head_tokens_and_sentence_end_match_the_plain_computations`` checks)
        tokens = list(itertools.chain.from_iterable(sentence_tokens))
    else:
        tokens = words(head)
    return _Head(head, sentences, sentence_tokens, tokens)


def _only_whitespace_between(text: str, pieces: Sequence[str]) -> bool:
    """Is ``text`` the ``pieces`` in order, with whitespace (and nothing else) between each two
    and around them?"""
    position = 0
    for k, piece in enumerate(pieces):
        start = text.find(piece, position)
        if start < 0 or (k and start == position) or not _is_blank(text[position:start]):
            return False
        position = start + len(piece)
    return _is_blank(text[position:])


def _is_blank(text: str) -> bool:
    return not text or text.isspace()


def _facts(text: str, lowercase_vocabulary: frozenset[str], head: _Head | None = None,
           dateline: bool | None = None) -> _Facts:
    """What the cues need to know about one paragraph; ``head`` is its ``_read_head`` when the
    caller has it already (after its dateline, when ``dateline`` says it has one)."""
    if head is None:
        head = _read_head(text)
    sentences, tokens = head.sentences, head.tokens
    first_tokens = head.sentence_tokens[0]
    first_runs, first_kinds = _name_runs(first_tokens, lowercase_vocabulary)
    # Built in this order on purpose: the order of a set of names decides the order in which
    # ``_chains`` adds up their weights, so the last bits of the name-chain cue.
    members: set[str] = set()
    alone: set[str] = set()
    for run in first_runs:
        if len(run) >= 2:
            members.update(run)
        else:
            alone.add(run[0])
    for sentence_tokens in head.sentence_tokens[1:]:
        _collect_names(sentence_tokens, lowercase_vocabulary, members, alone)
    lower_tokens = [t.lower() for t in tokens[:2]]
    first_lower = set(map(str.lower, first_tokens))
    stripped = text.rstrip()
    return _Facts(
        word_count=len(tokens),  # the head is the whole text unless the text is huge
        sentence_count=len(sentences),
        first_sentence_words=len(first_tokens),
        opener=lower_tokens[0] if lower_tokens else "",
        second=lower_tokens[1] if len(lower_tokens) > 1 else "",
        opens_with_quote=head.text.lstrip()[:1] in _QUOTE_OPENERS,
        quote_left_open=_quote_left_open(head.text),
        names=frozenset(members | alone),
        lede_names=frozenset(itertools.chain.from_iterable(first_runs)),
        lede_name_runs=tuple(run for run in first_runs if len(run) >= 2),
        lede_lone_names=frozenset(run[0] for run in first_runs if len(run) == 1),
        run_members=frozenset(members),
        terms=Counter(_stems(tokens)),
        unresolved_pronoun=_pronoun_before_name(first_tokens, first_runs),
        connective_early=any(t.lower() in _CONNECTIVE_OPENERS for t in tokens[:4]),
        name_density=_capitalised_count(tokens) / len(tokens) if tokens else 0.0,
        lede_tense=not first_lower.isdisjoint(_LEDE_TENSE_WORDS),
        narrative_tense=not first_lower.isdisjoint(_NARRATIVE_TENSE_WORDS),
        time_phrase=not first_lower.isdisjoint(_CALENDAR_WORDS),
        dateline=bool(DATELINE.match(head.text)) if dateline is None else dateline,
        header_line=is_header_line(stripped),
        signoff=bool(_SIGNOFF.match(head.text)),
        ends_sentence=_ends_sentence(head.text.rstrip()),
        lone_names=frozenset(alone - members),
        role_introduction=_role_introduction(
            sentences[0], first_tokens, [kind != _NOT_NAME for kind in first_kinds[: _ROLE_INTRO_REACH + 5]]
        ),
        ends_quote=stripped[-1:] in _QUOTE_CLOSERS,
        ends_attribution=_ends_attribution(stripped),
    )


# ---------------------------------------------------------------------------
# neighbour windows


def _window_ranges(
    word_counts: Sequence[int], backward: bool,
    max_words: int = _WINDOW_WORDS, max_paragraphs: int = _WINDOW_MAX_PARAGRAPHS,
) -> list[tuple[int, int]]:
    """Per gap i (before paragraph i), the paragraphs just before it or from it on.

    Backward: ``[lo, i)``; forward: ``[i, hi)``. A window is the fewest
    paragraphs next to the gap that hold ``max_words`` words, at most
    ``max_paragraphs`` of them (fewer at the digest's ends). Both ends only
    ever move forward as i grows, so one pass with two pointers finds them all.
    """
    n = len(word_counts)
    ranges: list[tuple[int, int]] = []
    if backward:
        lo = total = 0  # total: words in [lo, i)
        for i in range(n + 1):
            if i:
                total += word_counts[i - 1]
            # drop the oldest paragraph while the rest still fill the window, or it is too long
            while lo < i and (i - lo > max_paragraphs or total - word_counts[lo] >= max_words):
                total -= word_counts[lo]
                lo += 1
            ranges.append((lo, i))
    else:
        hi = total = 0  # total: words in [i, hi)
        for i in range(n + 1):
            if i:
                total -= word_counts[i - 1]
            if hi < i:
                hi, total = i, 0
            while hi < n and total < max_words and hi - i < max_paragraphs:
                total += word_counts[hi]
                hi += 1
            ranges.append((i, hi))
    return ranges


class _Window:
    """A running sum of sparse vectors and its squared norm, kept up to date as it slides."""

    __slots__ = ("values", "square_sum")

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.square_sum = 0.0

    def add(self, item: dict[str, float], sign: float) -> None:
        """Add ``item`` (``sign`` > 0) or take it away; a key whose sum falls to 1e-9 or less leaves.

        The segmenter's innermost loop. Per key it does the float operations of the plain rule
        (new = old ± amount, dropped at 1e-9 or less; square_sum += new² - old²) in the same
        order, so the sums, the keys' order and the norm are bit for bit the same; it only skips
        steps whose outcome is known: a key new to the window brings amount and amount² (0.0 + x
        is x, and x² - 0.0 is x²), and one that drops out takes old² away (0.0 - old² added is
        old² taken away; adding 0.0 changes nothing, as the sum is never -0.0).
        """
        values = self.values
        get = values.get
        square_sum = self.square_sum
        if sign > 0:
            for key, amount in item.items():
                old = get(key)
                if old is None:
                    if amount > 1e-9:
                        values[key] = amount
                        square_sum += amount * amount
                    continue
                new = old + amount
                if new <= 1e-9:
                    del values[key]
                    square_sum -= old * old
                else:
                    values[key] = new
                    square_sum += new * new - old * old
        else:
            for key, amount in item.items():
                old = get(key, 0.0)
                new = old - amount
                if new <= 1e-9:
                    values.pop(key, None)
                    square_sum -= old * old
                else:
                    values[key] = new
                    square_sum += new * new - old * old
        self.square_sum = square_sum


def _held_before(
    queries: Sequence[Iterable[str]], sets: Sequence[Iterable[str]], ranges: Sequence[tuple[int, int]]
) -> list[frozenset[str]]:
    """Per gap i, the keys of ``queries[i]`` that some set of ``sets[lo:i]`` holds, where
    ``ranges[i]`` is the backward window ``(lo, i)`` (see ``_window_ranges``).

    A key is in the window when its last use before i is at lo or later, so one pass that
    remembers each key's last use answers every gap, without sliding a window of counts.
    """
    last_use: dict[str, int] = {}
    held = []
    for i, (lo, end) in enumerate(ranges[: len(queries)]):
        assert end == i, "a backward window ends at its gap"
        held.append(frozenset([key for key in queries[i] if last_use.get(key, -1) >= lo]))
        last_use.update(dict.fromkeys(sets[i], i))
    return held


def _held_after(
    queries: Sequence[Iterable[str]], sets: Sequence[Iterable[str]], ranges: Sequence[tuple[int, int]]
) -> list[frozenset[str]]:
    """Per gap i, the keys of ``queries[i]`` that some set of ``sets[lo:hi]`` holds, where
    ``ranges[i]`` is a window ``(lo, hi)`` after paragraph i: ``lo`` is i + 1, or ``hi`` when empty.

    A key is in the window when its next use after i comes before hi: one pass backwards.
    """
    next_use: dict[str, int] = {}
    held: list[frozenset[str]] = [frozenset()] * len(queries)
    for i in reversed(range(len(queries))):
        lo, hi = ranges[i]
        assert lo == min(i + 1, hi), "the window starts after its paragraph"
        held[i] = frozenset([key for key in queries[i] if next_use.get(key, hi) < hi])
        next_use.update(dict.fromkeys(sets[i], i))
    return held


def _sliding_sums(items: Sequence[dict[str, float]], ranges: Sequence[tuple[int, int]]) -> Iterator[_Window]:
    """Yield, per range, the sum of ``items[lo:hi]`` (one live ``_Window``, updated in place).

    Ranges must have non-decreasing ends, so every item is added and removed
    at most once: linear in the total size of the items.
    """
    window = _Window()
    add = window.add
    lo_now = hi_now = 0
    for lo, hi in ranges:
        while hi_now < hi:
            add(items[hi_now], 1.0)
            hi_now += 1
        lo = max(lo, 0)
        while lo_now < lo and lo_now < hi_now:
            add(items[lo_now], -1.0)
            lo_now += 1
        yield window


def _cosine(a: dict[str, float], a_square_sum: float, b: dict[str, float], b_square_sum: float) -> float:
    """The cosine of two vectors of positive weights, given their squared norms.

    The dot product runs over the keys of the shorter vector in its order, as a sum of
    ``a[k] * b.get(k, 0.0)``; only the shared keys are multiplied and added, which gives the
    same float, as the others would add +0.0 to a sum of positive terms (and they are most).
    """
    if len(a) > len(b):
        a, b = b, a
    norm = math.sqrt(max(a_square_sum, 0.0) * max(b_square_sum, 0.0))
    if norm <= 1e-12:
        return 0.0
    shared = list(filter(b.__contains__, a))
    return sum(map(operator.mul, map(a.__getitem__, shared), map(b.__getitem__, shared))) / norm


@dataclass(frozen=True, slots=True)
class _Gap:
    """What the cues know about the gap before paragraph ``index``."""

    index: int
    facts: _Facts
    previous: _Facts
    cohesion: float  # TF-IDF cosine of the windows before and after the gap
    wide_cohesion: float  # the same over windows of a whole article's length
    depth: float  # how far ``cohesion`` dips below its neighbours on both sides
    wide_depth: float
    back_link: float  # TF-IDF cosine of this paragraph with the window before the gap
    forward_link: float  # TF-IDF cosine of this paragraph with the paragraphs after it
    names_before: frozenset[str]  # this paragraph's name tokens also met in the window before the gap
    names_after: frozenset[str]  # this paragraph's name tokens met again in the window after it
    mean_words: float  # mean words per paragraph in the whole digest
    names_remembered: frozenset[str]  # this paragraph's names met in the last few hundred words
    short_name_reference: bool  # the first sentence names someone by one part of a full name met earlier
    chains: float  # log(1 + weight of the word chains that span the gap)
    name_chains: float  # the same for chains of names
    chain_depth: float  # how far ``chains`` dips below its highest point on each side
    leaning: float  # -1..1: this paragraph's words recur after it (+) rather than before it (-)
    previous_leaning: float  # the same for the paragraph before the gap
    references_across: int  # short names in the next lines whose full name came before the gap
    link_next: float  # TF-IDF cosine of this paragraph with the one after it
    link_previous: float  # TF-IDF cosine of this paragraph with the one before it


def _idf(token_sets: Sequence[Iterable[str]]) -> dict[str, float]:
    """Inverse paragraph frequency within this digest: words every story uses weigh little."""
    frequency = Counter(itertools.chain.from_iterable(token_sets))
    n = len(token_sets)
    return {term: math.log((n + 1) / (count + 0.5)) for term, count in frequency.items()}


def _tfidf_vectors(all_facts: Sequence[_Facts], idf: Mapping[str, float]) -> list[dict[str, float]]:
    """Paragraph term vectors weighted by inverse paragraph frequency within this digest."""
    return [{t: c * idf[t] for t, c in facts.terms.items()} for facts in all_facts]


@dataclass(frozen=True, slots=True)
class _Chains:
    """Word chains of a digest: a chain links a word to its previous use nearby."""

    spanning: list[float]  # per gap i: log(1 + idf weight of the chains that span it)
    backward: list[float]  # per paragraph: idf weight of its words used just before it
    forward: list[float]  # per paragraph: idf weight of its words used again just after it


def _chains(
    token_sets: Sequence[Iterable[str]], idf: Mapping[str, float], word_counts: Sequence[int], max_words: int
) -> _Chains:
    """Link every word to its previous use when at most ``max_words`` words lie between them.

    Inside an article its words keep coming back, so many chains span every
    gap; between two articles only the shared vocabulary of their section
    does. One pass and a running sum: linear in the digest's words.
    """
    n = len(token_sets)
    cumulative = [0]
    for count in word_counts:
        cumulative.append(cumulative[-1] + count)
    delta = [0.0] * (n + 2)
    backward, forward = [0.0] * n, [0.0] * n
    last_seen: dict[str, int] = {}
    for k, tokens in enumerate(token_sets):
        for token in tokens:
            m = last_seen.get(token)
            if m is not None and cumulative[k] - cumulative[m + 1] <= max_words:
                weight = idf[token]
                delta[m + 1] += weight  # the chain spans the gaps m + 1 .. k
                delta[k + 1] -= weight
                backward[k] += weight
                forward[m] += weight
            last_seen[token] = k
    spanning, running = [], 0.0
    for i in range(n + 1):
        running += delta[i]
        spanning.append(math.log1p(max(running, 0.0)))
    return _Chains(spanning, backward, forward)


def _window_cohesion(
    vectors: Sequence[dict[str, float]], word_counts: Sequence[int], max_words: int
) -> list[float]:
    """Per gap i, the cosine between the ``max_words`` words before it and those after it."""
    limit = max(_WINDOW_MAX_PARAGRAPHS, max_words // 10)
    before = _sliding_sums(vectors, _window_ranges(word_counts, True, max_words, limit))
    after = _sliding_sums(vectors, _window_ranges(word_counts, False, max_words, limit))
    return [_cosine(b.values, b.square_sum, a.values, a.square_sum) for b, a in zip(before, after)]


def _depth(values: Sequence[float], reach: int) -> list[float]:
    """TextTiling depth: how far a gap's cohesion dips below the highest point on each side."""
    depths = []
    for i, value in enumerate(values):
        left = max(values[max(0, i - reach) : i + 1])
        right = max(values[i : i + reach + 1])
        depths.append(left + right - 2 * value)
    return depths


def _full_name_sources(all_facts: Sequence[_Facts], word_counts: Sequence[int]) -> list[list[int]]:
    """Per paragraph, for each name it uses alone ("Okafor said"), the paragraph that introduced
    it inside a full name ("Ada Okafor"), if within the name memory.

    News names someone in full at first mention and shortly after; a full name counts as an
    introduction only when the name was not already in use alone just before ("Southwest China"
    after many a "China" introduces nothing), or when it renews one still remembered."""
    cumulative = [0]
    for count in word_counts:
        cumulative.append(cumulative[-1] + count)
    introduced: dict[str, int] = {}
    last_alone: dict[str, int] = {}
    sources = []
    for k, facts in enumerate(all_facts):
        here = cumulative[k]
        sources.append([
            m for m in (introduced.get(name) for name in facts.lone_names)
            if m is not None and here - cumulative[m + 1] <= _NAME_MEMORY_WORDS
        ])
        for name in facts.run_members:
            alone, before = last_alone.get(name), introduced.get(name)
            if (
                alone is None or here - cumulative[alone + 1] > _NAME_MEMORY_WORDS
                or (before is not None and here - cumulative[before + 1] <= _NAME_MEMORY_WORDS)
            ):
                introduced[name] = k
        for name in facts.lone_names:
            last_alone[name] = k
    return sources


def _references_across(sources: Sequence[Sequence[int]], word_counts: Sequence[int]) -> list[int]:
    """Per gap i, how many short-name references in the first lines from i point to a full name
    introduced before i: the story goes on. Linear: the look-ahead is a few paragraphs."""
    ranges = _window_ranges(word_counts, False, _LOOKAHEAD_WORDS, _LOOKAHEAD_PARAGRAPHS)
    return [sum(1 for k in range(i, hi) for m in sources[k] if m < i) for i, (_, hi) in enumerate(ranges)]


def _link_previous(
    vectors: Sequence[dict[str, float]], norms: Sequence[float], next_links: Sequence[float], i: int
) -> float:
    """The cosine of paragraph i with paragraph i - 1, which ``next_links[i - 1]`` already holds
    unless the two have as many terms: ``_cosine`` sums over the shorter one, whichever comes first."""
    if len(vectors[i]) != len(vectors[i - 1]):
        return next_links[i - 1]
    return _cosine(vectors[i], norms[i], vectors[i - 1], norms[i - 1])


def _gaps(all_facts: Sequence[_Facts]) -> list[_Gap]:
    """One ``_Gap`` per paragraph after the first."""
    word_counts = [f.word_count for f in all_facts]
    idf = _idf([f.terms.keys() for f in all_facts])
    vectors = _tfidf_vectors(all_facts, idf)
    word_chains = _chains([f.terms.keys() for f in all_facts], idf, word_counts, _CHAIN_WORDS)
    chains = word_chains.spanning
    name_chains = _chains(
        [f.names for f in all_facts], _idf([f.names for f in all_facts]), word_counts, _CHAIN_WORDS
    ).spanning
    leaning = [(f - b) / (f + b + 1.0) for f, b in zip(word_chains.forward, word_chains.backward)]
    cohesion = _window_cohesion(vectors, word_counts, _WINDOW_WORDS)
    wide = _window_cohesion(vectors, word_counts, _WIDE_WINDOW_WORDS)
    reach = max(1, round(_WINDOW_WORDS / max(sum(word_counts) / max(len(word_counts), 1), 1.0)))
    depth, wide_depth = _depth(cohesion, reach), _depth(wide, reach)
    chain_depth = _depth(chains, reach)
    name_sets = [f.names for f in all_facts]
    full_name_parts = [f.run_members for f in all_facts]
    before_ranges = _window_ranges(word_counts, backward=True)
    following_ranges = [(min(i + 1, hi), hi) for i, (_, hi) in enumerate(_window_ranges(word_counts, False))]
    memory_ranges = _window_ranges(word_counts, True, _NAME_MEMORY_WORDS, _NAME_MEMORY_PARAGRAPHS)
    windows = zip(_sliding_sums(vectors, before_ranges), _sliding_sums(vectors, following_ranges))
    # the cues only ask which of a paragraph's names the windows hold (not in what order)
    names_before = _held_before(name_sets, name_sets, before_ranges)
    names_after = _held_after(name_sets, name_sets, following_ranges)
    names_remembered = _held_before(name_sets, name_sets, memory_ranges)
    introduced = _held_before([f.lede_lone_names for f in all_facts], full_name_parts, memory_ranges)
    mean_words = sum(word_counts) / max(len(word_counts), 1)
    across = _references_across(_full_name_sources(all_facts, word_counts), word_counts)
    gaps = []
    norms = [sum(map(operator.mul, vector.values(), vector.values())) for vector in vectors]
    n = len(all_facts)
    next_links = [_cosine(vectors[i], norms[i], vectors[i + 1], norms[i + 1]) for i in range(n - 1)] + [0.0]
    for i, (before, following) in enumerate(windows):
        if i == 0 or i >= n:
            continue
        facts = all_facts[i]
        gaps.append(_Gap(
            i, facts, all_facts[i - 1], cohesion[i], wide[i], depth[i], wide_depth[i],
            _cosine(vectors[i], norms[i], before.values, before.square_sum),
            _cosine(vectors[i], norms[i], following.values, following.square_sum),
            names_before[i], names_after[i], mean_words, names_remembered[i], bool(introduced[i]),
            chains[i], name_chains[i], chain_depth[i], leaning[i], leaning[i - 1], across[i],
            next_links[i], _link_previous(vectors, norms, next_links, i),
        ))
    return gaps


# ---------------------------------------------------------------------------
# cues: each returns a raw value (0/1 or a share); the weights live in the model


def cue_granularity(gap: _Gap) -> float:
    """log of the digest's mean paragraph length: the fewer words a line holds, the rarer a
    boundary after any one line (articles are a few hundred words whatever the layout)."""
    return math.log(max(gap.mean_words, 1.0))


def cue_lexical_cohesion(gap: _Gap) -> float:
    """Windows that share vocabulary are one story; a topic shift drops this."""
    return gap.cohesion


def cue_wide_cohesion(gap: _Gap) -> float:
    """Cohesion over article-sized windows: steadier across short paragraphs."""
    return gap.wide_cohesion


def cue_cohesion_depth(gap: _Gap) -> float:
    """A dip in cohesion relative to the gaps around it, the TextTiling boundary signal."""
    return gap.depth


def cue_wide_cohesion_depth(gap: _Gap) -> float:
    """The same dip over article-sized windows."""
    return gap.wide_depth


def cue_back_link(gap: _Gap) -> float:
    """This paragraph's words echo the paragraphs just before it: it continues them."""
    return gap.back_link


def cue_forward_link(gap: _Gap) -> float:
    """This paragraph's words return in the paragraphs after it, as a lede's do."""
    return gap.forward_link


def cue_chains(gap: _Gap) -> float:
    """Words that recur on both sides of the gap within a few hundred words: one story goes on."""
    return gap.chains


def cue_name_chains(gap: _Gap) -> float:
    """Names that recur on both sides of the gap: the same people and places, the same story."""
    return gap.name_chains


def cue_chain_depth(gap: _Gap) -> float:
    """Fewer chains span this gap than the gaps around it: the story changes here."""
    return gap.chain_depth


def cue_leans_forward(gap: _Gap) -> float:
    """A lede's words come back after it, not before: its chains run forward."""
    return gap.leaning


def cue_previous_leans_forward(gap: _Gap) -> float:
    """The paragraph before the gap opens what follows rather than closing what came before, so
    it is this story's lede and the gap is inside the story (the boundary is one line earlier)."""
    return gap.previous_leaning


def cue_link_next(gap: _Gap) -> float:
    """This paragraph shares words with the very next one: a lede and the line that unpacks it."""
    return gap.link_next


def cue_link_previous(gap: _Gap) -> float:
    """This paragraph shares words with the very one before: it continues it."""
    return gap.link_previous


def cue_unresolved_pronoun(gap: _Gap) -> float:
    """"he"/"she"/"they" before any name in the first sentence needs someone met earlier."""
    return 1.0 if gap.facts.unresolved_pronoun else 0.0


def cue_connective_early(gap: _Gap) -> float:
    """"Critics, however, argue ..." links back even when the connective is not the first word."""
    return 1.0 if gap.facts.connective_early else 0.0


def cue_name_list(gap: _Gap) -> float:
    """Mostly capitalised tokens: a line-up or a list, which belongs to the block around it."""
    return 1.0 if gap.facts.name_density > 0.5 else 0.0


def cue_names_seen_before(gap: _Gap) -> float:
    """Share of the first sentence's names already met just before: a back-reference ("Okafor said")."""
    names = gap.facts.lede_names
    return len(names & gap.names_before) / len(names) if names else 0.0


def cue_names_remembered(gap: _Gap) -> float:
    """Share of the paragraph's names met in the last few hundred words: the same cast, the same story."""
    names = gap.facts.names
    return len(gap.names_remembered) / len(names) if names else 0.0


def cue_short_name_reference(gap: _Gap) -> float:
    """"Okafor said", "according to Lind": the short form of a full name introduced a little earlier."""
    return 1.0 if gap.short_name_reference else 0.0


def cue_no_names(gap: _Gap) -> float:
    """A first sentence without a single name rarely opens a news story."""
    return 0.0 if gap.facts.lede_names else 1.0


def cue_new_full_name(gap: _Gap) -> float:
    """The first sentence introduces a multi-word name none of whose parts were just mentioned."""
    return 1.0 if any(not set(run) & gap.names_before for run in gap.facts.lede_name_runs) else 0.0


def cue_names_carried_forward(gap: _Gap) -> float:
    """Share of this paragraph's names that the next paragraphs repeat: a lede sets up its cast."""
    names = gap.facts.names
    return len(names & gap.names_after) / len(names) if names else 0.0


def cue_pronoun_opener(gap: _Gap) -> float:
    """"He", "She", "They", "This"... point back to someone already introduced."""
    return 1.0 if gap.facts.opener in _PRONOUN_OPENERS else 0.0


def cue_connective_opener(gap: _Gap) -> float:
    """"But", "However", "Meanwhile"... join this paragraph to the one before."""
    return 1.0 if gap.facts.opener in _CONNECTIVE_OPENERS else 0.0


def cue_definite_opener(gap: _Gap) -> float:
    """"The ..." often refers back ("the company"), though many ledes open with it too."""
    return 1.0 if gap.facts.opener == "the" else 0.0


def cue_indefinite_opener(gap: _Gap) -> float:
    """"A"/"An" introduces something new, a typical lede opening."""
    return 1.0 if gap.facts.opener in _INDEFINITE_OPENERS else 0.0


def cue_honorific_opener(gap: _Gap) -> float:
    """"Mr Smith ..." uses a surname-only form, kept for people already introduced."""
    return 1.0 if gap.facts.opener in _HONORIFICS else 0.0


def cue_quote_opener(gap: _Gap) -> float:
    """A paragraph that opens with a quotation is somebody's words in a running story."""
    return 1.0 if gap.facts.opens_with_quote else 0.0


def cue_quote_running(gap: _Gap) -> float:
    """The paragraph before left a quotation open, so this one carries it on."""
    return 1.0 if gap.previous.quote_left_open else 0.0


def cue_single_sentence(gap: _Gap) -> float:
    """Ledes are one sentence; on one-sentence lines this says little and the model learns so."""
    return 1.0 if gap.facts.sentence_count == 1 else 0.0


def cue_lede_length(gap: _Gap) -> float:
    """A first sentence of 12 to 45 words: long enough to say who, what, where."""
    return 1.0 if 12 <= gap.facts.first_sentence_words <= 45 else 0.0


def cue_fragment(gap: _Gap) -> float:
    """A short line that ends no sentence (a line-up, a venue) is not a lede."""
    return 1.0 if gap.facts.word_count < 6 or not gap.facts.ends_sentence else 0.0


def cue_after_fragment(gap: _Gap) -> float:
    """After a fragment (a table row, a heading) the same block usually goes on."""
    return 1.0 if gap.previous.word_count < 6 or not gap.previous.ends_sentence else 0.0


def cue_time_phrase(gap: _Gap) -> float:
    """Ledes anchor the news in time: a weekday, a month, "yesterday"."""
    return 1.0 if gap.facts.time_phrase else 0.0


def cue_lede_tense(gap: _Gap) -> float:
    """"has announced", "is to", "will": the tenses of a hard-news first sentence."""
    return 1.0 if gap.facts.lede_tense else 0.0


def cue_narrative_tense(gap: _Gap) -> float:
    """"said", "was", "had": past-tense narration that follows a lede."""
    return 1.0 if gap.facts.narrative_tense else 0.0


def cue_lead_in_opener(gap: _Gap) -> float:
    """"In ...", "When ...", "Regarding ...": a scene-setting opening clause, common in ledes."""
    return 1.0 if gap.facts.opener in _LEAD_IN_OPENERS else 0.0


def cue_dateline(gap: _Gap) -> float:
    """"LONDON (Reuters) -" opens an agency story and nothing else."""
    return 1.0 if gap.facts.dateline else 0.0


def cue_header_line(gap: _Gap) -> float:
    """"By Ann Lee" or "FOR IMMEDIATE RELEASE" alone on its line stands above a story, so one
    starts here; unless the line above is one too ("FOR IMMEDIATE RELEASE", then "March 5,
    2025"): a block of them heads one story."""
    return 1.0 if gap.facts.header_line and not gap.previous.header_line else 0.0


def cue_after_header_line(gap: _Gap) -> float:
    """The paragraph before is a byline or a release header: this is the story under it."""
    return 1.0 if gap.previous.header_line else 0.0


def cue_signoff(gap: _Gap) -> float:
    """"(Reporting by ...; Editing by ...)": an agency's credit line closes its story, so it
    starts none."""
    return 1.0 if gap.facts.signoff else 0.0


def cue_after_signoff(gap: _Gap) -> float:
    """The paragraph before is an agency's credit line: its story is over."""
    return 1.0 if gap.previous.signoff else 0.0


def cue_opens_exchange(gap: _Gap) -> float:
    """A transcript's question after an answer, from a new questioner: the next exchange."""
    return 1.0 if gap.facts.opens_exchange else 0.0


def cue_role_introduction(gap: _Gap) -> float:
    """"Singer Ann Lee ...", "Ann Lee, the mayor of ...": a lede introduces its subject with a role."""
    return 1.0 if gap.facts.role_introduction else 0.0


def cue_after_attribution(gap: _Gap) -> float:
    """The paragraph before ends "..., he said.": a closing quotation's attribution."""
    return 1.0 if gap.previous.ends_attribution else 0.0


def cue_references_across(gap: _Gap) -> float:
    """The next lines call someone by a short name whose full name came before the gap: the same
    story goes on ("Okafor" after "Ada Okafor")."""
    return math.log1p(gap.references_across)


def cue_new_cast_after_quote(gap: _Gap) -> float:
    """A quotation or its attribution closes, then a full name is introduced: the classic seam
    between two stories of the same section."""
    closes = gap.previous.ends_quote or gap.previous.ends_attribution
    fresh = gap.facts.role_introduction or any(not set(run) & gap.names_before for run in gap.facts.lede_name_runs)
    return 1.0 if closes and fresh else 0.0


CUES = {
    "granularity": cue_granularity,
    "lexical_cohesion": cue_lexical_cohesion,
    "wide_cohesion": cue_wide_cohesion,
    "cohesion_depth": cue_cohesion_depth,
    "wide_cohesion_depth": cue_wide_cohesion_depth,
    "back_link": cue_back_link,
    "forward_link": cue_forward_link,
    "chains": cue_chains,
    "name_chains": cue_name_chains,
    "chain_depth": cue_chain_depth,
    "link_next": cue_link_next,
    "link_previous": cue_link_previous,
    "leans_forward": cue_leans_forward,
    "previous_leans_forward": cue_previous_leans_forward,
    "unresolved_pronoun": cue_unresolved_pronoun,
    "connective_early": cue_connective_early,
    "name_list": cue_name_list,
    "names_seen_before": cue_names_seen_before,
    "names_remembered": cue_names_remembered,
    "short_name_reference": cue_short_name_reference,
    "no_names": cue_no_names,
    "new_full_name": cue_new_full_name,
    "names_carried_forward": cue_names_carried_forward,
    "pronoun_opener": cue_pronoun_opener,
    "connective_opener": cue_connective_opener,
    "definite_opener": cue_definite_opener,
    "indefinite_opener": cue_indefinite_opener,
    "honorific_opener": cue_honorific_opener,
    "quote_opener": cue_quote_opener,
    "quote_running": cue_quote_running,
    "single_sentence": cue_single_sentence,
    "lede_length": cue_lede_length,
    "fragment": cue_fragment,
    "after_fragment": cue_after_fragment,
    "time_phrase": cue_time_phrase,
    "lede_tense": cue_lede_tense,
    "narrative_tense": cue_narrative_tense,
    "lead_in_opener": cue_lead_in_opener,
    "dateline": cue_dateline,
    "header_line": cue_header_line,
    "after_header_line": cue_after_header_line,
    "signoff": cue_signoff,
    "after_signoff": cue_after_signoff,
    "role_introduction": cue_role_introduction,
    "after_attribution": cue_after_attribution,
    "references_across": cue_references_across,
    "new_cast_after_quote": cue_new_cast_after_quote,
    "opens_exchange": cue_opens_exchange,
}


def _digest_facts(paragraphs: Sequence[Paragraph]) -> list[_Facts]:
    texts = [p.text for p in paragraphs]
    # a dateline's story is read from after it: "MOSCOW, March 5. /TASS/." is a sentence of its
    # own, and the lede cues (its length, tense, the names it introduces) belong to the next one
    datelines = [DATELINE.match(text) for text in texts]
    heads = [_read_head(text[dateline.end():] if dateline else text) for text, dateline in zip(texts, datelines)]
    vocabulary = _lowercase_vocabulary(head.tokens for head in heads)
    facts = [_facts(text, vocabulary, head, dateline is not None) for text, head, dateline in zip(texts, heads, datelines)]
    for k in range(1, len(facts)):
        if facts[k - 1].signoff and not facts[k].signoff and _DESK_CODE.match(texts[k].strip()):
            facts[k] = replace(facts[k], signoff=True)
    _mark_exchanges(texts, facts)
    _mark_notes_ends(texts, facts)
    for k in range(len(facts) - 1):
        if not facts[k].header_line and is_title_line(texts[k], texts[k + 1], texts[k - 1] if k else ""):
            facts[k] = replace(facts[k], header_line=True)  # a story's own title stands above it
    return facts


# The heading of a press release's notes section, its last part: "Notes to editors", "Note for
# editors", "Editor's notes", "Notes to the editor".
_NOTES_HEADING = re.compile(r"^(?:notes?\s+(?:to|for)\s+(?:the\s+)?editors?|editors?['’]?s?\s+notes?)\s*:?$", re.I)
_NUMBERED_NOTE = re.compile(r"^(?:\d{1,2}[.)]|[•*\-–])\s")


def _mark_notes_ends(texts: Sequence[str], facts: list[_Facts]) -> None:
    """Set ``signoff`` on the last numbered note under a release's notes heading.

    The notes close a press release, so when an unnumbered paragraph follows the numbered
    notes, it is no note but the next release's lede, as after an end mark."""
    k = 0
    while k < len(texts):
        if not _NOTES_HEADING.match(texts[k].strip()):
            k += 1
            continue
        last = k
        while last + 1 < len(texts) and _NUMBERED_NOTE.match(texts[last + 1].lstrip()):
            last += 1
        if k < last < len(texts) - 1 and not facts[last].signoff:
            facts[last] = replace(facts[last], signoff=True)
        k = last + 1


def _mark_exchanges(texts: Sequence[str], facts: list[_Facts]) -> None:
    """Set ``opens_exchange`` on each question of a transcript that opens a new exchange.

    A press conference's transcript runs turns together ("Reuters: ... Do you have any
    comment?", then "Lin Wei: ..."), and each question with its answer is a story of its own. A
    question opens one when the last turn before it answered (was no question) and it comes from
    another questioner than the question before: an interview's interviewer asks every question
    ("Q:"), and the first question under an interview's introduction follows no answer, so an
    interview stays whole."""
    last_turn_answered = False
    last_question = None
    for k, text in enumerate(texts):
        if text[:1].isupper() and ":" in text[:64]:
            turn = speaker_turn(text)
        else:
            turn = None
        if turn is None:
            continue
        label, asks = turn
        if asks:
            if k and last_turn_answered and label != last_question:
                facts[k] = replace(facts[k], opens_exchange=True)
            last_question = label
        last_turn_answered = not asks


def digest_gaps(paragraphs: Sequence[Paragraph]) -> list[_Gap]:
    """The gaps of a digest with their windows (the tests read cues off them)."""
    return _gaps(_digest_facts(paragraphs))


# ---------------------------------------------------------------------------
# subheadings

# A heading is a short noun or verb phrase: these words make a line a sentence.
_SENTENCE_VERBS = frozenset(
    "is are was were has have had said says will would could should can did does".split()
)
_HEADING_MAX_WORDS = 10
_HEADING_MAX_CHARS = 70
_BODY_MIN_WORDS = 8  # a heading sits between paragraphs of running text, not in a table
_HEADING_QUOTES = "\"'“”‘’"


# ``_heading_text_ok`` refuses a heading that ends in one of these (or is empty).
_NEVER_ENDS_HEADING = ".!?:;,()[]0123456789\"“”" + _HEADING_QUOTES


def _heading_text_ok(text: str) -> bool:
    """Is ``text`` shaped like a heading: short, sentence case, no closing punctuation, no clause?"""
    inner = text.strip()
    if len(inner) > _HEADING_MAX_CHARS:
        return False
    if inner[:1] in _HEADING_QUOTES and inner[-1:] in _HEADING_QUOTES and len(inner) > 2:
        inner = inner[1:-1].strip()  # a quoted heading: 'Mixed signals'
    tokens = words(inner)
    if not 2 <= len(tokens) <= _HEADING_MAX_WORDS or not inner[:1].isupper():
        return False
    if re.search(r"[.!?:;,()\[\]0-9\"“”]|\s[-–—]\s", inner) or inner[-1] in _HEADING_QUOTES:
        return False
    later_capitalised = sum(1 for t in tokens[1:] if t[:1].isupper())
    lower_tokens = {t.lower() for t in tokens}
    return (
        # sentence case, not a name or a title-case table row; but a press release's boilerplate
        # heads its "About Acme Corp" section with the organisation's name
        (later_capitalised * 2 <= len(tokens) - 1 or tokens[0] == "About" and tokens[1][:1].isupper())
        and not lower_tokens & _SENTENCE_VERBS
        and not lower_tokens & _PERSONAL_PRONOUNS
        and tokens[-1].lower() not in STOPWORDS
    )


def _is_body(text: str, facts: _Facts | None = None) -> bool:
    """Running text: several words ending a sentence (or a quotation).

    ``facts`` of the same text, when the caller has them, already know both for a paragraph
    without surrounding whitespace that was analysed whole (the usual case)."""
    if facts is not None and len(text) <= _ANALYSED_CHARS and not text[:1].isspace() and not text[-1:].isspace():
        return facts.word_count >= _BODY_MIN_WORDS and facts.ends_sentence
    stripped = text.strip()
    return len(words(stripped[:_ANALYSED_CHARS])) >= _BODY_MIN_WORDS and _ends_sentence(stripped)


def _line_heading(previous: str, text: str, following: str) -> bool:
    """A heading alone on its line, between two paragraphs of running text."""
    return _heading_text_ok(text) and _is_body(previous) and _is_body(following)


def _glued_heading(text: str) -> str | None:
    """The heading appended after a paragraph's last full sentence, or None.

    Only the tail is split into sentences, so a huge paragraph stays cheap.
    """
    tail = text.rstrip()[-(_HEADING_MAX_CHARS * 4):]
    if tail[-1:] in _NEVER_ENDS_HEADING:
        return None  # the heading would end the tail: most paragraphs end so, and need no splitting
    sentences = split_sentences(tail)
    if len(sentences) < 2 or not _TERMINAL.search(sentences[-2]):
        return None
    candidate = sentences[-1]
    if candidate[:1] in _HEADING_QUOTES or not _heading_text_ok(candidate):
        return None
    return candidate if tail.endswith(candidate) else None


def _subhead_at(paragraphs: Sequence[Paragraph], k: int, body: Sequence[bool] | None = None) -> Subhead | None:
    """The subhead on paragraph ``k``, which must have a paragraph of its section after it.

    ``body[j]`` may give ``_is_body`` of every paragraph, when the caller asks about them all."""
    if k == 0 or k + 1 >= len(paragraphs):
        return None  # a heading never opens an article and always introduces something
    text = paragraphs[k].text
    if is_title_line(text, paragraphs[k + 1].text, paragraphs[k - 1].text):
        return None  # the next story's title, not a heading of this one
    if body is None:
        if _line_heading(paragraphs[k - 1].text, text, paragraphs[k + 1].text):
            return Subhead(text.strip(), paragraphs[k].line, "line")
        following_is_body = _is_body(paragraphs[k + 1].text)
    else:
        if body[k - 1] and body[k + 1] and _heading_text_ok(text):
            return Subhead(text.strip(), paragraphs[k].line, "line")
        following_is_body = body[k + 1]
    glued = _glued_heading(text) if following_is_body else None
    if glued is not None:
        return Subhead(glued, paragraphs[k].line, "glued")
    return None


def find_subheads(paragraphs: Sequence[Paragraph]) -> list[Subhead]:
    """The subheadings within one article's paragraphs, in order.

    "line": a short heading alone on its line between two paragraphs of running
    text; "glued": a heading appended after the last sentence of a paragraph
    (``Subhead.text`` is the heading alone, a suffix of the paragraph). The first
    paragraph never carries one, nor the last: a heading introduces a section.
    """
    found = (_subhead_at(paragraphs, k) for k in range(len(paragraphs)))
    return [subhead for subhead in found if subhead is not None]


# ---------------------------------------------------------------------------
# the scoring model and the decoder


# The boundary rate the model learned: about one article start per this many words. The development
# digests' stories run 376 (BBC) to 558 (seed) words on average; set below both, so that the
# adjustment of ``prior_shift`` leaves every one of them as it was.
_LEARNED_WORDS_PER_ARTICLE = 300


@dataclass(frozen=True, slots=True)
class _Model:
    bias: float
    weights: dict[str, float]  # cue name -> weight (log-odds per unit of the cue)
    boundary_offset: float  # added to every score before decoding: trades precision for recall
    min_article_words: int  # articles shorter than this pay the short-article penalty
    short_article_penalty: float  # log-odds charged, in full, to a zero-word article
    long_article_words: int = 600  # articles longer than this pay the long-article penalty
    long_article_penalty: float = 0.0  # log-odds per squared log of the excess length
    word_fit_weight: float = 0.0  # per nat of the articles' word likelihood, when a start moves a line


# Cues the development digests cannot teach, so their weights are set by hand and the fitting
# script leaves them out. No dev digest carries agency datelines, bylines, release headers or
# credit lines, yet "CITY (Agency) -" and "By Ann Lee" open a story and nothing else, and
# "(Reporting by ...)" closes one: 8 log-odds outweigh every cue the other way but a correction.
# A header line gets twice that: it is a line of its own, so none of the lede cues of the story
# under it add to it.
# A transcript's new exchange (a question after an answer, from a new questioner) is as sure a
# start as a dateline, and no dev digest is a transcript.
HAND_SET_WEIGHTS = {"dateline": 8.0, "header_line": 16.0, "after_header_line": -8.0, "signoff": -8.0,
                    "after_signoff": 8.0, "opens_exchange": 8.0}


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The stories model: fitted on the development digests as they are."""
    return _model_of(json.loads(_WEIGHTS_FILE.read_text(encoding="utf-8")))


def _model_of(stored: dict) -> _Model:
    decoder = stored["decoder"]
    return _Model(
        bias=float(stored["bias"]),
        weights={name: HAND_SET_WEIGHTS.get(name, float(stored["weights"].get(name, 0.0))) for name in CUES},
        boundary_offset=float(decoder["boundary_offset"]),
        min_article_words=int(decoder["min_article_words"]),
        short_article_penalty=float(decoder["short_article_penalty"]),
        long_article_words=int(decoder.get("long_article_words", 600)),
        long_article_penalty=float(decoder.get("long_article_penalty", 0.0)),
        word_fit_weight=float(decoder.get("word_fit_weight", 0.0)),
    )


@dataclass(frozen=True, slots=True)
class _Briefs:
    """The second model, for digests of briefs, and when a digest is one (see ``_briefs_reading``).

    A brief of one to five short lines is the same kind of text as a story's opening, but the
    cues weigh differently at that length: a 120-word cohesion window holds a whole brief and
    part of the next, and a brief's last line is its story's end. So the same cues are fitted
    again on the development digests with every story cut to its first few lines."""

    model: _Model
    max_words: float  # the briefs model's articles average at most this many words in a digest of briefs
    sure_log_odds: float  # ... and its median score at the starts the stories model does not make is above this


@lru_cache(maxsize=1)
def _briefs() -> _Briefs | None:
    stored = json.loads(_WEIGHTS_FILE.read_text(encoding="utf-8"))
    if "briefs" not in stored:
        return None
    reading = stored["briefs"]["reading"]
    return _Briefs(_model_of(stored["briefs"]), float(reading["max_words"]), float(reading["sure_log_odds"]))


# Articles longer than this many words are rare enough that the long-article penalty stops
# growing; it keeps the decoder's look-back bounded (linear time).
_LONG_ARTICLE_HORIZON = 3000
# A paragraph whose boundary score is below this never starts an article unless a correction
# says so: a start that costs this much is never worth it, and skipping such paragraphs keeps
# the decoder's look-back short.
_START_FLOOR = -9.0


def _length_cost(words_in_article: int, model: _Model) -> float:
    """The log-odds charged to an article of this many words: short ones (a stray line split off)
    and very long ones (two stories merged) are both unlikely."""
    cost = 0.0
    if words_in_article < model.min_article_words:
        cost += model.short_article_penalty * (1.0 - words_in_article / model.min_article_words)
    if model.long_article_penalty and words_in_article > model.long_article_words:
        cost += model.long_article_penalty * math.log(words_in_article / model.long_article_words) ** 2
    return cost


_SHORT_ALLOWED = ("split", "marked")


def _article_cost(words_in_article: int, opened_by: str, model: _Model) -> float:
    """``_length_cost``, except that an article a correction or a story's own mark started
    (``opened_by``, its first paragraph's forced action) may be as short as it is."""
    if opened_by in _SHORT_ALLOWED:
        return _length_cost(max(words_in_article, model.min_article_words), model)
    return _length_cost(words_in_article, model)


def decode_boundaries(
    scores: Sequence[float], word_counts: Sequence[int], forced: Sequence[str], model: _Model
) -> list[bool]:
    """Choose the set of boundaries with the highest total score, by dynamic programming.

    ``scores[i]`` is the log-odds of a boundary before paragraph i (index 0 is
    ignored: the first paragraph always starts an article). The total is the
    sum of the chosen boundaries' scores plus, per article, ``_length_cost``
    (a semi-Markov model: each article is scored as a whole by its length).
    ``forced[i]`` is "split" (must start), "join" (must not), "marked" (a story's own mark
    opens it there, a dateline or a release header: it may start a short article) or "". Linear: an
    article is only compared with the possible starts within
    ``_LONG_ARTICLE_HORIZON`` words; beyond that the cost stays flat.
    """
    n = len(scores)
    cumulative = [0]
    for count in word_counts:
        cumulative.append(cumulative[-1] + count)
    horizon = _LONG_ARTICLE_HORIZON if model.long_article_penalty else model.min_article_words
    far_cost = _length_cost(horizon, model)
    best = [-math.inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    starts: deque[int] = deque()  # possible article starts within the horizon, in order
    far_best, far_arg = -math.inf, 0
    for i in range(1, n + 1):
        previous = i - 1
        if best[previous] > -math.inf and (
            previous == 0 or forced[previous] == "split" or scores[previous] + model.boundary_offset > _START_FLOOR
        ):
            starts.append(previous)
        while starts and cumulative[i] - cumulative[starts[0]] >= horizon:
            j = starts.popleft()
            if best[j] > far_best:
                far_best, far_arg = best[j], j
        if i < n and forced[i] == "join":
            continue
        value, arg = far_best - far_cost, far_arg
        for j in starts:
            candidate = best[j] - _article_cost(cumulative[i] - cumulative[j], forced[j], model)
            if candidate > value:
                value, arg = candidate, j
        own = scores[i] + model.boundary_offset if i < n else 0.0
        best[i], back[i] = value + own, arg
        if i < n and forced[i] == "split":
            starts.clear()  # nothing may reach back past a forced start
            far_best, far_arg = -math.inf, 0
    return _trace_back(back, n)


# The Dirichlet prior of an article's word distribution in ``_nudged_starts``: one pseudo-count
# for every content word of the digest (a uniform prior, as in Utiyama and Isahara 2001).
_WORD_PRIOR = 1.0


@dataclass(slots=True)
class _ArticleWords:
    """How many of an article's lines use each content word, for the likelihood of a line."""

    counts: Counter
    total: int  # the sum of ``counts``
    first: int  # its first paragraph

    def log_fit(self, line: Mapping[str, int], vocabulary: int, inside: bool) -> float:
        """The log-probability of ``line``'s words after this article's (Dirichlet-multinomial over
        the words' line counts, ``_WORD_PRIOR`` of 1); with ``inside``, the line is one of the
        article's and leaves first."""
        # each word's log Gamma(count + 2) - log Gamma(count + 1), at C speed
        counts = map(self.counts.get, line, itertools.repeat(0))
        fit = sum(map(math.log, counts if inside else map((1).__add__, counts)))
        size = len(line)
        before = self.total - (size if inside else 0) + vocabulary * _WORD_PRIOR
        return fit - (math.lgamma(before + size) - math.lgamma(before))

    def add(self, line: Mapping[str, int]) -> None:
        self.counts.update(line.keys())
        self.total += len(line)

    def remove(self, line: Mapping[str, int]) -> None:
        self.counts.subtract(line.keys())
        self.total -= len(line)


def _nudged_starts(boundaries: Sequence[bool], scores: Sequence[float], terms: Sequence[Mapping[str, int]],
                   word_counts: Sequence[int], forced: Sequence[str], model: _Model) -> dict[int, int]:
    """Starts that move one line, as {new start: old start}.

    The decoder places each start by the cues around its gap; a story's first two lines often
    both look like a lede (a summary, then the line that names its subject), and a story's last
    line may read like one. So each start, left to right, may move one line either way when the
    line that changes article fits the words of the article it joins better than those of the
    one it leaves (``_Nudge.gain``). It never adds or drops an article, and a start that a
    correction or a story's own mark made stays."""
    starts = [k for k, boundary in enumerate(boundaries) if boundary]
    if not model.word_fit_weight or len(starts) < 2:
        return {}
    nudge = _Nudge(scores, terms, list(itertools.accumulate(word_counts, initial=0)), forced, model,
                   len(set().union(*terms)))
    ends = starts[1:] + [len(boundaries)]
    articles = [_ArticleWords(Counter(), 0, first) for first in starts]
    for article, end in zip(articles, ends):
        for line in terms[article.first:end]:
            article.add(line)
    moves = {}
    for before, after, end in zip(articles, articles[1:], ends[1:]):
        start = after.first
        if forced[start]:
            continue
        gains = {new: nudge.gain(before, after, end, new) for new in (start - 1, start + 1)
                 if before.first < new < end and not forced[new]}
        best = max(gains, key=gains.__getitem__, default=start)
        if best != start and gains[best] > 0.0:
            line = terms[min(start, best)]
            (after if best < start else before).add(line)
            (before if best < start else after).remove(line)
            after.first = best
            moves[best] = start
    return moves


@dataclass(frozen=True, slots=True)
class _Nudge:
    """What ``_nudged_starts`` weighs when it moves a start."""

    scores: Sequence[float]
    terms: Sequence[Mapping[str, int]]
    cumulative: Sequence[int]  # words before each paragraph
    forced: Sequence[str]
    model: _Model
    vocabulary: int  # distinct content words in the digest

    def gain(self, before: _ArticleWords, after: _ArticleWords, end: int, new: int) -> float:
        """What moving the start between ``before`` and ``after`` (which ends at ``end``) to
        ``new``, one line either way, adds to the decoder's total: the boundary scores, plus
        ``model.word_fit_weight`` times the log-likelihood the line gains in the article it
        joins over the one it leaves (each article a Dirichlet-multinomial over how many of its
        lines use each content word, after the segment model of Utiyama and Isahara 2001), less
        the change in the articles' length costs. A line that shares no word with the article
        it would join stays: the likelihood alone favours the shorter article, which is no
        evidence."""
        start = after.first
        line = self.terms[min(start, new)]
        joins, leaves = (after, before) if new < start else (before, after)
        if not any(map(joins.counts.get, line)):  # (a word a move took out is kept at 0)
            return -math.inf
        fit = joins.log_fit(line, self.vocabulary, False) - leaves.log_fit(line, self.vocabulary, True)
        return (self.scores[new] - self.scores[start] + self.model.word_fit_weight * fit
                - self._length_costs(before, new, end) + self._length_costs(before, start, end))

    def _length_costs(self, before: _ArticleWords, start: int, end: int) -> float:
        words = self.cumulative
        opened_by = self.forced[before.first]
        return (_article_cost(words[start] - words[before.first], opened_by, self.model)
                + _article_cost(words[end] - words[start], "", self.model))


def _moved(boundaries: Sequence[bool], moves: Mapping[int, int]) -> list[bool]:
    """``boundaries`` with each start in ``moves`` ({new: old}) moved."""
    moved = list(boundaries)
    for old in moves.values():
        moved[old] = False
    for new in moves:
        moved[new] = True
    return moved


def _trace_back(back: Sequence[int], n: int) -> list[bool]:
    boundaries = [False] * n
    position = n
    while position > 0:
        position = back[position]
        boundaries[position] = True
    if n:
        boundaries[0] = True
    return boundaries


# ---------------------------------------------------------------------------
# corrections


_QUOTE_FOLDING = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"}
)


def _normalise_for_match(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_QUOTE_FOLDING)
    return " ".join(text.casefold().split())


def matching_line(digest: Digest, correction: SplitCorrection) -> int | None:
    """The line of the first paragraph that opens with ``correction.quote``, or None.

    Matching ignores case, runs of whitespace, Unicode normal forms and the
    difference between curly and straight quotes. A correction bound to
    another digest (``correction.digest`` set and different) matches nothing.
    """
    if correction.digest and correction.digest != str(digest.path):
        return None
    quote = _normalise_for_match(correction.quote)
    if not quote:
        return None
    for paragraph in digest.paragraphs:
        if _normalise_for_match(paragraph.text[: len(correction.quote) * 2 + 16]).startswith(quote):
            return paragraph.line
    return None


def _forced_actions(digest: Digest, splits: Sequence[SplitCorrection]) -> list[str]:
    """Per paragraph: "split", "join" or "" (a later correction overrides an earlier one)."""
    index_of_line = {p.line: k for k, p in enumerate(digest.paragraphs)}
    forced = [""] * len(digest.paragraphs)
    for correction in splits:
        line = matching_line(digest, correction)
        if line is not None and index_of_line[line] > 0:
            forced[index_of_line[line]] = correction.action
    return forced


# ---------------------------------------------------------------------------
# public API


def _cue_values(gaps: Sequence[_Gap]) -> list[list[float]]:
    """Per gap, every cue's raw value in ``CUES`` order (both models read the same values)."""
    cues = list(CUES.values())
    return [[cue(gap) for cue in cues] for gap in gaps]


def _boundary_scores(values: Sequence[Sequence[float]], model: _Model) -> list[float]:
    """Per paragraph, the log-odds that an article starts there (``_explained`` gives the
    cues that add up to it: the same sums in the same order)."""
    weights = [model.weights[name] for name in CUES]
    # the bias, then each cue's share in order: a cue at 0 adds exactly nothing, so these are the
    # sums ``_explained``'s cues make, to the last bit
    return [0.0] + [sum(itertools.chain((model.bias,), map(operator.mul, weights, row))) for row in values]


def _explained(values: Sequence[Sequence[float]], model: _Model) -> list[list[Cue]]:
    """Per paragraph, the cues behind its ``_boundary_scores`` score, each with its share."""
    cue_lists = [[Cue("first_paragraph", 0.0, "a digest opens with an article")]]
    for row in values:
        cues = [Cue("bias", model.bias, "base rate of a boundary")]
        cues += [Cue(name, model.weights[name] * value, f"{value:.3g}") for name, value in zip(CUES, row) if value]
        cue_lists.append(cues)
    return cue_lists


_PRIOR_ROUNDS = 200  # EM steps at most; it settles in a few dozen


# The development digests' lines hold 21 to 82 words on average. Past three times the longest,
# the granularity cue is extrapolating, and a line that long is a whole story (a brief, or a story
# run into one line): the boundary rate the stories' length implies is trusted over the scores'
# own (the EM below cannot raise a rate the scores do not already suggest). BBC articles run
# into one line each: boundary F1 0.72 -> 0.99; two lines each (190 words a line): 0.998 as before.
_LONGEST_LEARNED_LINE_WORDS = 250
# The story length that rate assumes: a long news story's (the BBC's average is 376 words), so
# that a digest of half-stories per line (190 words) keeps the rate its scores give it.
_LONG_LINE_WORDS_PER_ARTICLE = 400
_MAX_LINE_RATE = 0.95  # some lines of a long-line digest still continue a story


def prior_shift(scores: Sequence[float], word_count: int) -> float:
    """Log-odds to add to every boundary score (``scores[1:]``) of a digest of ``word_count``
    words whose stories are shorter than those the model learned from: wire briefs, short
    statements. The model's scores carry its learned rate of boundaries; this digest's own rate
    is re-estimated from its scores by EM (Saerens, Latinne and Decaestecker 2002, "Adjusting
    the outputs of a classifier to new a priori probabilities"): the rate is the mean boundary
    probability under that rate, repeated until it settles. Never negative: a digest of longer
    stories already scores few boundaries, and lowering its prior further only loses real ones
    (the seed's long feature loses a start at -1.1). A digest of lines far longer than the model
    learned from is shifted to the rate its length implies instead (``_long_line_shift``)."""
    gaps = scores[1:]
    if not gaps or word_count <= 0:
        return 0.0
    if word_count / len(scores) > _LONGEST_LEARNED_LINE_WORDS:
        return _long_line_shift(gaps, min(_MAX_LINE_RATE, word_count / len(scores) / _LONG_LINE_WORDS_PER_ARTICLE))
    learned = min(0.5, word_count / len(scores) / _LEARNED_WORDS_PER_ARTICLE)
    rate = learned
    for _ in range(_PRIOR_ROUNDS):
        shift = _logit(rate) - _logit(learned)
        new_rate = min(sum(map(_sigmoid, (score + shift for score in gaps))) / len(gaps), 1.0 - 1e-9)
        if new_rate <= learned:
            return 0.0  # the steps only ever move one way: the stories are no shorter than learned
        if abs(new_rate - rate) < 1e-9:
            break
        rate = new_rate
    return _logit(rate) - _logit(learned)


def _long_line_shift(gaps: Sequence[float], rate: float) -> float:
    """The log-odds that, added to every gap's score, make the mean boundary probability
    ``rate`` (by bisection); 0 when the scores already reach it."""
    def mean_probability(shift: float) -> float:
        return sum(map(_sigmoid, (score + shift for score in gaps))) / len(gaps)

    if mean_probability(0.0) >= rate:
        return 0.0
    low, high = 0.0, 64.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_probability(middle) < rate else (low, middle)
    return high


def _logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


def _sigmoid(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(log_odds, -700.0)))


def _analyse(
    digest: Digest, splits: Sequence[SplitCorrection], explain: bool = True
) -> tuple[list[LineDecision], list[Segment]]:
    """Segments, and with ``explain`` one decision per paragraph (building the cue lists is a
    good part of the work, so ``segment_digest`` leaves them out)."""
    paragraphs = digest.paragraphs
    if not paragraphs:
        return [], []
    model = _model()
    facts = _digest_facts(paragraphs)
    values = _cue_values(_gaps(facts))
    forced = _forced_actions(digest, splits)
    # A heading and the paragraph it introduces belong to the article around them.
    body = [_is_body(p.text, f) for p, f in zip(paragraphs, facts)]
    subheads = [_subhead_at(paragraphs, k, body) for k in range(len(paragraphs))]
    decode_forced = list(forced)
    for k in range(1, len(paragraphs)):
        if not forced[k] and (subheads[k] is not None or subheads[k - 1] is not None):
            decode_forced[k] = "join"
        elif not forced[k] and (facts[k].dateline or facts[k].header_line or facts[k - 1].signoff
                                or facts[k].opens_exchange):
            decode_forced[k] = "marked"  # wire briefs of 50 words are stories too
    if facts[0].dateline or facts[0].header_line:
        decode_forced[0] = "marked"
    word_counts = [f.word_count for f in facts]
    scores, shift, boundaries = _decoded(values, word_counts, decode_forced, model)
    # a digest with subheadings is no digest of briefs: a brief has no sections
    briefs = None if any(subheads) else _briefs_reading(
        values, word_counts, decode_forced, scores, boundaries, model, _briefs())
    moves: dict[int, int] = {}
    if briefs is not None:
        model, (scores, shift, boundaries) = briefs
    else:
        moves = _nudged_starts(boundaries, scores, [f.terms for f in facts], word_counts, decode_forced, model)
        boundaries = _moved(boundaries, moves)
    segments = _segments(digest, boundaries, subheads)
    if not explain:
        return [], segments
    cue_lists = _explained(values, model)
    if briefs is not None:
        cue_lists[0].append(Cue("briefs", 0.0, "the briefs model's reading: this digest's stories are a few lines each"))
    for k in range(1, len(paragraphs)):
        if decode_forced[k] == "join" and not forced[k]:
            cue_lists[k].append(Cue("heading_held", 0.0, "no boundary: a heading stays with its section"))
        if shift:
            cue_lists[k].append(Cue("short_stories", shift, "this digest's stories look shorter than those the model learned"))
    for new, old in moves.items():  # (the line between fits the words of the article it joins better)
        cue_lists[new].append(Cue("word_fit", 0.0, f"start moved here from line {paragraphs[old].line}"))
        cue_lists[old].append(Cue("word_fit", 0.0, f"start moved to line {paragraphs[new].line}"))
    subhead_of_line = {s.line: s for segment in segments for s in segment.subheads}
    decisions = [
        LineDecision(
            p.line, scores[k], tuple(cue_lists[k]), boundaries[k], subhead_of_line.get(p.line), forced[k]
        )
        for k, p in enumerate(paragraphs)
    ]
    return decisions, segments


def _decoded(values: Sequence[Sequence[float]], word_counts: Sequence[int], forced: Sequence[str],
             model: _Model) -> tuple[list[float], float, list[bool]]:
    """``model``'s scores (with its ``prior_shift`` added), the shift, and the boundaries it decodes."""
    scores = _boundary_scores(values, model)
    shift = prior_shift(scores, sum(word_counts))
    if shift:
        scores = scores[:1] + [score + shift for score in scores[1:]]
    return scores, shift, decode_boundaries(scores, word_counts, forced, model)


def _briefs_reading(
    values: Sequence[Sequence[float]], word_counts: Sequence[int], forced: Sequence[str],
    scores: Sequence[float], boundaries: Sequence[bool], model: _Model, briefs: _Briefs | None,
) -> tuple[_Model, tuple[list[float], float, list[bool]]] | None:
    """The briefs model and its decoding, when this digest is one of briefs; else None.

    It is when the briefs model's articles are brief (``_Briefs.max_words`` on average) and it is
    sure of the starts it makes that the stories model does not (its median score there above
    ``_Briefs.sure_log_odds``): a brief opens on a lede of its own, while inside a story of a
    few hundred words the briefs model's extra starts are guesses. A digest whose stories carry
    their own marks is never read as briefs (``_marks_its_stories``)."""
    if briefs is None or _marks_its_stories(forced, boundaries):
        return None
    decoded = _decoded(values, word_counts, forced, briefs.model)
    starts = decoded[2]
    if sum(word_counts) / sum(starts) > briefs.max_words:
        return None
    sure = _median_at_extra_starts(decoded[0], briefs.model.boundary_offset, boundaries, starts)
    return (briefs.model, decoded) if sure is not None and sure > briefs.sure_log_odds else None


def _marks_its_stories(forced: Sequence[str], boundaries: Sequence[bool]) -> bool:
    """Most of the stories model's starts (after the first) are a story's own mark (a dateline,
    a header, a sign-off before it): such a digest says where its stories start, briefs or not,
    and a start without a mark is no likelier for their being short."""
    starts = [k for k in range(1, len(boundaries)) if boundaries[k]]
    return bool(starts) and 2 * sum(forced[k] == "marked" for k in starts) >= len(starts)


def _median_at_extra_starts(scores: Sequence[float], offset: float, boundaries: Sequence[bool],
                            others: Sequence[bool]) -> float | None:
    """The median of ``scores`` (plus the decoder's ``offset``) at the starts ``others`` makes
    and ``boundaries`` does not; None when there are none."""
    at = sorted(scores[k] + offset for k in range(1, len(others)) if others[k] and not boundaries[k])
    if not at:
        return None
    middle = len(at) // 2
    return at[middle] if len(at) % 2 else (at[middle - 1] + at[middle]) / 2


def _segments(
    digest: Digest, boundaries: Sequence[bool], subheads: Sequence[Subhead | None]
) -> list[Segment]:
    """The segments between the boundaries. ``subheads[k]`` is ``_subhead_at`` over the whole
    digest; inside a segment it is the same except on the segment's first and last paragraphs,
    which never carry one (what ``find_subheads`` on the members would give)."""
    paragraphs = digest.paragraphs
    starts = [k for k, boundary in enumerate(boundaries) if boundary]
    segments = []
    for number, first in enumerate(starts):
        last = starts[number + 1] if number + 1 < len(starts) else len(paragraphs)
        members = paragraphs[first:last]
        end = paragraphs[last].line if last < len(paragraphs) else paragraphs[-1].line + 1
        inner = tuple(s for s in subheads[first + 1 : last - 1] if s is not None)
        segments.append(Segment(digest.path, members[0].line, end, members, inner))
    return segments


def explain_digest(digest: Digest, splits: Sequence[SplitCorrection] = ()) -> list[LineDecision]:
    """One decision per paragraph, in order: its boundary score, the cues behind it, the verdict."""
    return _analyse(digest, splits)[0]


def segment_digest(digest: Digest, splits: Sequence[SplitCorrection] = ()) -> list[Segment]:
    """Split ``digest`` into articles: contiguous, in order, covering every paragraph once."""
    return _analyse(digest, splits, explain=False)[1]
