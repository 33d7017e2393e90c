"""Small language helpers shared by the segmenter and the enricher.

Pure functions over strings: sentence splitting, word tokens, a stop-word
list, wire datelines, bylines and release headers, and slugify. Nothing here knows about digests or articles.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BYLINE",
    "DATELINE",
    "HEADER_LINE",
    "IRREGULAR_BASE",
    "IRREGULAR_PAST",
    "PURE_PASTS",
    "SPEAKER_TURN",
    "STOPWORDS",
    "content_words",
    "first_sentence",
    "is_header_line",
    "is_title_line",
    "normalize",
    "slugify",
    "speaker_turn",
    "split_sentences",
    "strip_dateline",
    "words",
]

# Past forms that do not end in -ed; enough to find the main verb of most news sentences.
IRREGULAR_PAST = frozenset(
    """said made saw took won lost hit set put cut got gave went came told found left fell rose grew
    beat met held led paid sold struck brought bought thought fought spent sent became began broke
    chose drew drove ate flew forgot froze hid kept knew lay lit meant quit ran rang sang sank sat
    shot shut slid spoke split spread stole stood stuck swore swept swam taught tore threw understood
    woke wore withdrew wrote overtook undertook upheld withstood shrank outspent dealt""".split()
)
# Base forms of common irregular pasts and participles, for the headline present tense.
IRREGULAR_BASE = dict(
    pair.split(":") for pair in """said:say made:make saw:see seen:see took:take taken:take won:win lost:lose
    hit:hit set:set put:put cut:cut got:get gave:give given:give went:go gone:go came:come told:tell
    found:find left:leave fell:fall fallen:fall rose:rise risen:rise grew:grow grown:grow beat:beat
    beaten:beat met:meet held:hold led:lead paid:pay sold:sell struck:strike brought:bring bought:buy
    thought:think fought:fight spent:spend sent:send became:become began:begin begun:begin broke:break
    broken:break chose:choose chosen:choose drew:draw drawn:draw drove:drive driven:drive flew:fly
    flown:fly froze:freeze frozen:freeze hid:hide hidden:hide kept:keep knew:know known:know meant:mean
    quit:quit ran:run sat:sit shot:shoot shut:shut spoke:speak spoken:speak split:split spread:spread
    stole:steal stolen:steal stood:stand stuck:stick swept:sweep taught:teach threw:throw thrown:throw
    understood:understand wrote:write written:write withdrew:withdraw withdrawn:withdraw
    overtook:overtake overtaken:overtake upheld:uphold withstood:withstand shown:show done:do
    built:build felt:feel heard:hear lent:lend sought:seek shrank:shrink shrunk:shrink sank:sink sunk:sink
    sang:sing swam:swim rang:ring slid:slide tore:tear torn:tear wore:wear worn:wear woke:wake
    outspent:outspend dealt:deal come:come become:become run:run""".split()
)
# Pasts that are no participle ("fell", not "fallen"): "fell by 1.2%" is a finite verb, never a passive.
PURE_PASTS = frozenset(past for past, base in IRREGULAR_BASE.items()
                        if past in IRREGULAR_PAST and past != base and any(p != past and b == base for p, b in IRREGULAR_BASE.items()))

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt capt rep sen gov pres no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m".split()
)

_SENTENCE_END = re.compile(r"""([.!?]+["'”’)\]]*)(\s+)(?=["'“‘(\[]?[A-Z0-9])""")

STOPWORDS = frozenset(
    """a about above after again against all also although am an and any are as at be because been
    before being below between both but by can could did do does doing down during each even ever few
    for from further had has have having he her here hers herself him himself his how however i if in
    into is it its itself just least less let like made make many may me might more most much must my
    myself near neither never no nor not now of off often on once one only or other our ours ourselves
    out over own per rather said same say says she should since so some still such than that the their
    theirs them themselves then there these they this those though through thus to too under until up
    upon us very via was we well were what when where whether which while who whom whose why will with
    within without would yet you your yours yourself also already among around told added""".split()
)

# A wire story's dateline: "LONDON (Reuters) -", "WASHINGTON, May 3 (AP) --", "BEIJING, Jan. 5 --",
# "HONG KONG/SINGAPORE, May 3 (Reuters) -", "(Bloomberg) --"; a city in title case only with a date
# and the agency: "Tokyo, May 3 (Kyodo) --"; the agency between slashes: "MOSCOW, March 5. /TASS/.".
# It opens a story and names no one the story is about.
DATELINE = re.compile(
    r"^(?:(?:[A-Z][A-Z.'\-]+(?:[ /][A-Z][A-Z.'\-]+){0,3}"  # the city (or cities), in capitals
    r"(?:(?:,[^()\n\-–—]{1,40})?\s*\([^()\n]{1,40}\)|,[^()\n\-–—]{1,40})"  # "(Agency)" or ", date"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2},[^()\n\-–—\d]{0,20}\d[^()\n\-–—]{0,20}\([A-Z][^()\n]{0,39}\)"
    r"|\([A-Z][A-Za-z.&' ]{1,30}\))"  # the agency alone
    r"\s*(?:-{1,2}|–|—)\s"
    r"|[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3},[^()\n/]{1,30}?\s/[A-Z][A-Za-z\-]{1,20}/\.?\s)"  # "/TASS/."
)


# A turn of a transcript (a press conference, a hearing): the speaker's label, a colon, then what
# they said: "Lin Wei: China has ...", "Xinhua News Agency: Could you ...?", "Q: ...". The label is
# one to five capitalised words and nothing else, so that "Henry told BBC Radio: ..." or "Mr Lee
# said: ..." (prose introducing a quotation) is no turn.
SPEAKER_TURN = re.compile(r"^([A-Z][\w'’.&\-]*(?: [A-Z][\w'’.&\-]*){0,4}):\s+(?=\S)")
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*(?:\s|$)")


def speaker_turn(text: str) -> tuple[str, bool] | None:
    """(label, whether the turn asks a question) of a transcript's turn (``SPEAKER_TURN``), or
    None for a paragraph that is not one."""
    match = SPEAKER_TURN.match(text)
    if match is None:
        return None
    return match.group(1), _QUESTION_END.search(text, match.end()) is not None


_BYLINE_NAME = r"[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3}"
# A reporter's byline alone on its line, above a story: "By Ann Lee", "By Ann Lee and Bo Chen",
# "By Ann Lee, Political Correspondent", "BY ANN LEE in London". Capitalised words only, so that
# "By Monday, Smith had resigned." is no byline.
BYLINE = re.compile(
    rf"^(?:By|BY) [A-Z][\w.'’\-]* {_BYLINE_NAME}(?:(?:, | and | & ){_BYLINE_NAME})*"  # a full name first
    rf"(?:(?:, | in | at | for ){_BYLINE_NAME})?$"
)
# A line of its own above a story and no part of its text: a byline, or a press release's header
# ("FOR IMMEDIATE RELEASE", "PRESS RELEASE: ...", "Embargoed until 00:01, 3 May"); see also
# ``is_header_line``.
HEADER_LINE = re.compile(
    rf"{BYLINE.pattern}|^(?i:for immediate release|(?:press|news|media) release|embargoed until)"
    r"(?:\s*[:\-–—][^\n]{0,80}|\s*\(?\d[^\n]{0,30})?$"
)
# A dateline alone on its line above a release: "Brussels, 5 March 2025", "WASHINGTON, March 5, 2025",
# "Geneva, 2025-03-05", "March 5, 2025": a date with its year, after a place (capitalised words) or not.
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|"
          r"(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)[A-Z]*\.?")
_DATE_LINE = re.compile(
    r"^(?:[A-Z][\w'’.\-]*(?:[ \-/][A-Z][\w'’.\-]*){0,3}(?:,\s*[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,2})?,\s*)?"
    rf"(?:(?:\d{{1,2}}\s+(?:{_MONTH})|(?:{_MONTH})\s+\d{{1,2}},?)\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\s*$"
)
# The credit that ends a photo's caption: "(AP Photo/Jae C. Hong, File)", "(Photo: Li Ming)".
_PHOTO_CREDIT = re.compile(r"\((?:[A-Z][\w.&\-]*\s)?Photos?\s*(?:/|:|\sby\s)[^()\n]{2,80}\)$")
_CAPTION_CHARS = 500


def is_header_line(text: str) -> bool:
    """``HEADER_LINE``, a dateline alone on its line ("Brussels, 5 March 2025"), or a photo's
    caption, which agency copy puts above the story it illustrates ("FILE - A worker inspects
    solar panels ... (AP Photo/Jae C. Hong, File)")."""
    if HEADER_LINE.match(text) or len(text) <= 80 and _DATE_LINE.match(text):
        return True
    return text.endswith(")") and len(text) <= _CAPTION_CHARS and _PHOTO_CREDIT.search(text) is not None


_TITLE_MAX_WORDS = 14
_TITLE_MAX_CHARS = 100
_TITLE_NEVER_ENDS = ".!?:;,\"'”’)"


def is_title_line(text: str, following: str, previous: str = "") -> bool:
    """A story's own headline on the line above its lede: short, no closing stop, at least two
    thirds of its content words restated by the first sentence under it ("Japan's economy grows
    faster than expected" over "Japan's economy grew faster than expected ..."), and fewer than
    half of them met in the paragraph above (a new story's words are new; "About Acme Corp"
    under a story about Acme is its boilerplate's heading). Digests are not meant to carry
    titles, but some sources keep them; a subheading within a story introduces what follows
    without restating it."""
    line = text.strip()
    if not line or len(line) > _TITLE_MAX_CHARS or not line[0].isupper() or line[-1] in _TITLE_NEVER_ENDS \
            or line.startswith("About "):  # a release's boilerplate heading, which restates by design
        return False
    tokens = words(line)
    title = _content_stems(tokens)
    if not 2 <= len(tokens) <= _TITLE_MAX_WORDS or len(title) < 2:
        return False
    sentence = first_sentence(following.strip()[:600])
    lede = words(sentence)
    if len(lede) < 8 or len(title & _content_stems(lede)) * 3 < len(title) * 2:
        return False
    return len(title & _content_stems(words(previous[-600:]))) * 2 < len(title)


def _content_stems(tokens: list[str]) -> set[str]:
    """Content words cut to five letters: a title restates its lede's words, often in another
    form ("economy" and "economic" meet as "econo"; "grows" and "grew" do not, which the
    two-thirds share leaves room for)."""
    return {t.lower()[:5] for t in tokens if len(t) > 2 and t.lower() not in STOPWORDS}


def strip_dateline(text: str) -> str:
    """``text`` without a leading ``DATELINE`` (unless nothing would be left)."""
    match = DATELINE.match(text)
    rest = text[match.end():].lstrip() if match else ""
    return rest or text


_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
# _WORD for ASCII text, where ``[^\W_]`` is exactly ``[A-Za-z0-9]``: a plain class is quicker to test
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")


def normalize(text: str) -> str:
    """NFC-normalise and collapse whitespace, so the same name is always the same string."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; a quotation's closing mark stays with its sentence."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        if match.group(1).startswith(".") and _ends_with_abbreviation(_last_token(text, start, end)):
            continue
        sentences.append(text[start:end].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def first_sentence(text: str) -> str:
    """``split_sentences(text)[0]`` ("" for no text), without splitting the rest: a
    standfirst or a lede needs only the first, and most paragraphs have several."""
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        if not (match.group(1).startswith(".") and _ends_with_abbreviation(_last_token(text, 0, end))):
            return text[:end].strip()
    return text.strip()


_LAST_WORD = re.compile(r"([\w.]+)[.!?]*[\"'”’)\]]*$")
_TOKEN_WINDOW = 64  # characters looked at for the last token before falling back to the whole sentence


def _last_token(text: str, start: int, end: int) -> str:
    """The whitespace-free end of ``text[start:end]``, which ends in non-space."""
    # Only a short tail is copied, so a paragraph of many "Mr." (which never
    # ends a sentence, so ``start`` stays put) is not copied again and again.
    window = max(start, end - _TOKEN_WINDOW)
    token = text[window:end].rsplit(None, 1)[-1]
    if len(token) == end - window and window > start:  # no space in the window: the token may go on
        token = text[start:end].rsplit(None, 1)[-1]
    return token


def _ends_with_abbreviation(token: str) -> bool:
    """Whether a sentence ending in ``token`` ends in "Mr." or an initial, so its full stop ends nothing."""
    # _LAST_WORD cannot match across whitespace, so the last token holds the match
    # a search of the whole sentence would find.
    last_word = _LAST_WORD.search(token)
    return last_word is not None and _is_abbreviation(last_word.group(1))


def _is_abbreviation(word: str) -> bool:
    bare = word.rstrip(".").lower()
    # single capital initials ("J. Smith") and known abbreviations
    return bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha())


def words(text: str) -> list[str]:
    """Word tokens, case kept; hyphenated and apostrophe words stay whole."""
    return (_ASCII_WORD if text.isascii() else _WORD).findall(text)


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens without stop words and numbers."""
    return [
        w
        for w in (token.lower() for token in words(text))
        if w not in STOPWORDS and not w.isdigit() and len(w) > 1
    ]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


SLUG_ID_CHARS = 8  # the "article-<id>" fallback for titles with no Latin letters


def article_slug(title: str, article_id: str) -> str:
    """An article's slug: its title's, or ``article-<id>`` when the title has no Latin letters."""
    return slugify(title) or f"article-{article_id[:SLUG_ID_CHARS]}"


def slugify(text: str, max_length: int = 60) -> str:
    """A URL-safe slug matching ``[a-z0-9-]+``; "" when the text has no Latin letters or digits.

    Accents are folded (``Lü Xiang`` -> ``lu-xiang``). The caller decides on a
    fallback for text with nothing left (CJK, Arabic), usually a hash.
    """
    if len(text) <= max_length and _SLUG.fullmatch(text):
        return text  # already a slug (every article's slug is slugified again when slugs are assigned)
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = ascii_text.replace("'", "").replace("’", "")
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-")
