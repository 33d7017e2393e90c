"""Headlines: one lede sentence -> one short news headline.

Contract:

- ``make_headline(lede, context="")`` is a pure function that never raises. Its
  result is at most ``MAX_HEADLINE_CHARS`` long, starts with a capital, ends on
  a complete content word (never an article, conjunction, preposition,
  auxiliary, determiner, adjective or participle it can recognise), has
  balanced quotes and brackets and no trailing comma or stop.
  ``headline_problems`` lists the rules a title breaks.
- ``context`` is the rest of the article. It only decides which names are
  people: news copy calls a person by surname alone on second mention, and an
  organisation ("Blue Heron", "Acme Mini") never, so only names whose surname
  stands alone in the context are shortened. Without context any full name is.

The rules are the general ones of news writing, applied in order: drop
parentheses and leading circumstance clauses ("When asked ...,", "On
Monday,"); turn reported speech round ("X said (that) CLAUSE" -> "CLAUSE, says
X" with X's surname, or just CLAUSE when no person is named); drop
appositives, dash asides, relative and participial clauses (also inside the
subject: "workers living in X are ..." -> "workers are ...") and time
adverbials; headlinese ("the/a/an" and "his/her/its/their" out, "has been
approved" -> "approved", "is to" -> "to", "is the only way" -> "only way",
"shares in X fell" -> "X shares fell"); then, if still long, cut after a
complete constituent: after the main verb and its object, never after a
participle, adjective, determiner, preposition, conjunction or pronoun,
preferably before a prepositional phrase or a relative/participial clause.
Last, the main verb of an active clause goes into the headline present ("has
won" -> "wins", "defended" -> "defends", "is seeking" -> "seeks"), chosen
before the cut and swapped in after it, and only where the subject's number is
plain (``_present_tense``); otherwise the verb keeps the source's form. No
vocabulary here is specific to any source: only function words, auxiliaries,
speech verbs, common irregular verbs and suffixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .people import Mention, is_full_name, mentions, opens_participle_clause, surname_key
from .text import IRREGULAR_BASE, IRREGULAR_PAST, PURE_PASTS, normalize, words

__all__ = ["MAX_HEADLINE_CHARS", "TARGET_HEADLINE_CHARS", "headline_problems", "make_headline"]

MAX_HEADLINE_CHARS = 90
# Longer than this and the headline is cut after a complete constituent. News
# titles run five to nine words; the words after the main clause are detail.
TARGET_HEADLINE_CHARS = 56
MAX_EXAMINED_CHARS = 4000
MIN_HEADLINE_WORDS = 3  # a cut that leaves fewer words reads as a fragment

# Words a headline may not end on: it would read as a sentence cut off mid-phrase.
DANGLING_WORDS = frozenset(
    """a an the and or but nor so yet of to in on for with at by from as that than into onto upon
    over under about after before between through during against among amid via per since until
    while because although though if whether which who whom whose where when what its his her
    their our your my is are was were be been being has have had will would could can should may
    might must do does did not no very more most less such this these those also just both either
    neither each every any some all own same other another s says say said near towards toward within
    across despite amongst""".split()
)
# Adjectives common enough in news copy to be worth naming; suffixes catch most of the rest.
_ADJECTIVES = frozenset(
    """new old big small major minor key top former latest early late high low full final further
    possible potential general national international global local public private foreign domestic
    strong weak first second third next main few many much several various certain recent current
    likely unlikely able due ready free open set one two three four five six seven eight nine ten
    twelve twenty thirty forty fifty hundred thousand million billion dozen""".split()
)
_ADJECTIVE_SUFFIXES = ("ous", "ful", "ible", "able", "ive")
_NOUNS_IN_IVE = frozenset(
    """executive executives initiative initiatives detective detectives directive objective incentive
    incentives alternative alternatives representative representatives relative relatives motive
    archive perspective native offensive collective olive drive five live give hive""".split()
)
_AUXILIARIES = frozenset(
    "is are was were has have had will would can could may might must should shall does did do".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those its his her their our your my some any each every no another".split()
)
_PREPOSITIONS = frozenset(
    """of in on at to for with by from as into onto upon over under about after before between through
    during against among amid via per since until up due according near across""".split()
)
_PRONOUNS = frozenset("he she they it we i you".split())
_SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|noted|notes|stated|states|reported|reports|announced|"
    r"announces|confirmed|confirms|claimed|claims|warned|warns|believes|believe|insisted|insists|"
    r"argued|argues|explained|stressed|emphasi[sz]ed|revealed|wrote|writes|show|shows|showed|"
    r"suggest|suggests|suggested|found|finds|predicted|predicts|estimated|estimates|indicate|indicates"
)
# ", according to X" / ", X said on Monday" / ", the news agency reported": the tail names
# a source, not news. The source is short and has no comma.
# The speech verb is in lower case whatever the rest: "the United States" states nothing.
_ATTRIBUTION_TAIL = re.compile(
    rf",\s*(?:according to (?P<according>[^,]{{2,90}})|(?P<who>[^,\"“”]{{1,80}}?\s)?(?:has |have |had )?"
    rf"(?-i:{_SPEECH_VERBS})\b(?P<rest>[^,\"“”]{{0,50}})|(?:saying|adding|noting|stressing|pointing out|citing|quoting)\b.*)"
    rf"(?:,\s(?:as|while|after|amid|because|since|although|though|following)\s.*)?$",  # and the background after it
    re.IGNORECASE,
)
# "X said (on Monday) (that) Y": the news is Y. "told" needs "that": "told reporters ..." is no clause.
_REPORTED_THAT = re.compile(
    rf"^(?P<who>[^,\"“”]{{3,120}}?)\s(?:has |have |had )?(?P<verb>{_SPEECH_VERBS})\b"
    rf"(?P<when>[^,\"“”]{{0,40}}?)\s(?P<that>that)\s(?P<what>.+)$"
)
_REPORTED = re.compile(
    rf"^(?P<who>[^,\"“”]{{3,120}}?)\s(?:has |have |had )?(?P<verb>{_SPEECH_VERBS})\b\s(?P<that>)(?P<what>.+)$"
)
# Openers of a leading circumstance clause ("When asked ..., ", "On Monday, ").
_LEAD_OPENERS = frozenset(
    """when while asked in on at during after before following regarding despite although though
    as since amid amidst with without earlier later last this speaking responding according under
    for over by upon besides meanwhile however now today yesterday tomorrow nestled faced given
    unlike like once if""".split()
)
_SUBJECT_STARTERS = frozenset("the a an this that these those its his her their our some many most several all".split())
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose|whom|where)\s[^,]*(?:,|$)")
# ", the oldest bakery in town," / ", spokesperson for the union," after a name.
_APPOSITIVE = re.compile(r"(?P<name>\b[A-Z][\w'’\-.]*)\s*,\s+(?P<body>(?:the |a |an |[a-z])[^,\"“”]{1,80}),(?=\s)")
# ", marking a trend" / ", driven by demand": a participial clause after the main one.
# (a phrasal participle's particle may come first: ", dragged down by mining stocks")
_PARTICIPIAL_TAIL = re.compile(r",\s+(?:[a-z]+ing|[a-z]+ed\s(?:(?:down|up|out|off|back)\s)?(?:by|in|on|at|with|from))\b[^\"“”]*$")
_DASHED = re.compile(r"\s[-–—]\s[^-–—\"“”]{1,80}?\s[-–—]\s")
_BRACKETED = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])")
# A US legislator's party and state between commas after the name ("Sen. Ann Lee, R-Texas, said"):
# an appositive, though capitalised, so no clause of its own.
_PARTY_AND_STATE = re.compile(r"(?<=[a-z]),\s[A-Z]-[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?,(?=\s)")
_WHEN = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|weekend|month|year|night|"
    r"morning|afternoon|evening|season|quarter|January|February|March|April|May|June|July|August|"
    r"September|October|November|December)"
)
_MONTH_NAME = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
               r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
# Time adverbials carry no news in a headline ("on Monday", "last year", "in 2004"). A date is one
# with its day and year ("on April 8, 2025", "on 8 April 2025"): else "on April" alone would go
# and leave "8, 2025" behind.
_TIME_PHRASE = re.compile(
    rf"\s(?:on\s(?:\d{{1,2}}(?:st|nd|rd|th)?\s{_MONTH_NAME}|{_MONTH_NAME}\s\d{{1,2}}(?:st|nd|rd|th)?)"
    rf"(?:,?\s(?:19|20)\d\d)?(?=[\s,.;:]|$)|"
    rf"(?:on|last|this|next|earlier|later|late|early)\s(?:this\s|last\s)?{_WHEN}(?:'s)?"
    rf"(?:\s(?:morning|afternoon|evening|night))?|"
    rf"(?:in|since)\s(?:(?:early|late|mid)\s)?(?:19|20)\d\d|yesterday|today|tomorrow|"
    rf"(?:year|month|quarter|week)[\s\-]on[\s\-](?:year|month|quarter|week))\b(?=[\s,.;:]|$)"
)
# "a" before a unit of time is no article but "per" ("three cups a day", "£30,000 a year"): it stays
_ARTICLE_WORD = re.compile(
    r"(?<![\w'’\-])(?:the|(?:a|an)(?!\s(?:day|week|month|year|night|hour)\b)|his|her|its|their)\s(?=[\w$£€\"“‘'])")
# nor after a relative pronoun: "a boy who was stabbed" is no "boy who stabbed"
_NOT_AFTER_PRONOUN = (r"(?<!\bhe )(?<!\bshe )(?<!\bit )(?<!\bwe )(?<!\bthey )(?<!\bI )(?<!\byou )"
                      r"(?<!\bwho )(?<!\bwhich )(?<!\bthat )")


def _verb_not_after_pronoun(verbs: str) -> str:
    """A pattern for one of ``verbs`` (a regex alternation) as a word, not right after a subject pronoun."""
    # The lookahead repeats the verbs: most positions then fail on one letter instead
    # of trying seven lookbehinds at every character (thirteen times quicker). Every
    # check before the verbs looks at the same position, so their order changes no match.
    return rf"(?=(?:{verbs})){_NOT_AFTER_PRONOUN}\b(?:{verbs})"


_PERFECT = re.compile(rf"{_verb_not_after_pronoun('has|have')}\s(?:been\s)?(?=[a-z]+ed\b)")
# Participles that do not end in -ed ("given", "held", "sold"): every irregular form but the pure pasts.
_IRREGULAR_PARTICIPLES = "|".join(sorted(form for form in IRREGULAR_BASE if form not in PURE_PASTS))
# an adverb in -ly may stand between the auxiliary and the participle ("has been provisionally suspended")
_PASSIVE = re.compile(rf"{_verb_not_after_pronoun('is|are|was|were|has been|have been')}\s"
                      rf"(?=(?:[a-z]{{3,}}ly\s)?(?:[a-z]+ed|{_IRREGULAR_PARTICIPLES})\s(?!by\b))")
# "Talks are the only way" -> "Talks only way": headlines drop the copula before a noun phrase.
_COPULA = re.compile(rf"(?<=[\w\"”’] ){_verb_not_after_pronoun('is|are')}\s(?=(?:the|a|an|only)\s)")
_IS_TO = re.compile(rf"{_verb_not_after_pronoun('is|are')}\s(?=to\s[a-z])")
# Cut before these words (a prepositional phrase or a subordinate clause starts), at
# clause punctuation, or at a dash.
_CLAUSE_CUTS = re.compile(
    r"\s(?=(?:with|after|amid|despite|following|because|while|as|since|from|in|on|at|for|over|"
    r"before|during|against|under|through|until|and|but|which|who|that|to|by|via|into|across|"
    r"ahead|near|among|without)\s)|[,;:]\s|\s[-–—]\s|(?<=[a-z])\s(?=(?!hundred\s)[a-z]{3,}(?:ed|ing)\s)"
)
# Words before a name that only describe it ("Rovers midfielder", "Dutch software firm").
_VERBISH = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|could|can|should|may|might|must|[a-z]+ed)\b")
MAX_DESCRIPTOR_WORDS = 5
_NAME_PARTICLES = ("von", "van", "de", "da", "di", "del", "der", "le", "la", "al", "bin")


def make_headline(lede: str, context: str = "") -> str:
    """A short readable headline from the lede sentence (see the module contract)."""
    # a headline comes from the lede's opening words; capping what is examined keeps
    # the per-name passes below linear on pathological input (a 5 MB "sentence")
    lede, context = _cut_at_word(normalize(lede[:MAX_EXAMINED_CHARS]), MAX_EXAMINED_CHARS // 2), context[:MAX_EXAMINED_CHARS * 10]
    text = _DASHED.sub(" ", _PARTY_AND_STATE.sub("", _BRACKETED.sub("", lede))).strip().rstrip(" .;:,")
    text = _keep_if_long(_strip_lead_clause, _drop_time(text))
    text = _keep_if_long(_strip_appositive, text)
    text, speaker = _reported_speech(text, context)
    for simplify in (_strip_lead_clause, _strip_relative, _strip_appositive, _strip_participial_tail):
        text = _keep_if_long(simplify, text)
    text = _shorten_names(_front_owner(_drop_time(text)), context)
    old_verb, new_verb = _present_tense(_drop_subject_modifier(text))
    text = _headline_style(text)
    suffix = f", says {speaker}" if speaker else ""
    if len(text) + len(suffix) > TARGET_HEADLINE_CHARS:
        text = _cut_at_constituent(text, max(TARGET_HEADLINE_CHARS - len(suffix) // 2, 30))
    headline = _tidy(_swap_verb(text, old_verb, new_verb))
    if suffix and headline and len(headline) + len(suffix) <= MAX_HEADLINE_CHARS \
            and not headline_problems(headline + suffix):
        headline += suffix
    return headline or _tidy(_cut_at_word(normalize(lede), MAX_HEADLINE_CHARS)) or "Untitled"


def _keep_if_long(simplify, text: str) -> str:
    """Apply one simplification unless it leaves too few words to stand alone."""
    simpler = simplify(text)
    return simpler if len(words(simpler)) >= MIN_HEADLINE_WORDS + 1 else text


# ---------------------------------------------------------------------------
# Clause structure


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
        text = _titled_subject(head, rest) or rest  # "Northern Province, the President ..." (the place of the clause)
    return text


def _titled_subject(title: str, rest: str) -> str:
    """"The Foreign Secretary, Ann Lee, has ..." -> "Foreign Secretary Ann Lee has ...", or ""
    when ``title`` is no post set before the name that opens ``rest``."""
    name, comma, after = rest.partition(", ")
    if not comma or not is_full_name(name) or not after[:1].islower():
        return ""
    found = mentions(f"{title} {name}")
    if not found or found[-1].text != name or not found[-1].prefix:
        return ""
    title = title.split(" ", 1)[1] if title.split(" ", 1)[0] in ("The", "Its", "His", "Her", "Their") else title
    return f"{title} {name} {after}"


def _starts_clause(text: str) -> bool:
    """Whether text after a leading clause can start a sentence (not "then went on ...")."""
    first = text.split(" ", 1)[0]
    if first and first[0].islower() and first not in DANGLING_WORDS and not first.endswith("ly") and first != "then":
        verb = _main_verb([_bare(t) for t in text.split()[:8]])  # "heavy snow will close ..."
        if verb > 0 and _bare(text.split()[verb]) != "to":
            return True
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


def _reported_speech(text: str, context: str) -> tuple[str, str]:
    """(the reported clause, a short name for its speaker or ""): the news first, the source last."""
    tail = _ATTRIBUTION_TAIL.search(text)
    if tail and len(words(text[: tail.start()])) >= MIN_HEADLINE_WORDS + 1 and _is_source(tail):
        source = tail.group("according") or tail.group("who") or ""
        return text[: tail.start()].strip(), _speaker_name(source, context)
    match = _REPORTED_THAT.match(text) or _REPORTED.match(text)
    if not match or _has_verb(match.group("who")):
        return text, ""
    what, verb = match.group("what"), match.group("verb").lower()
    if not match.group("that") and (verb in ("told", "tells") or not _starts_finite_clause(what)):
        return text, ""
    if len(words(what)) < MIN_HEADLINE_WORDS + 1:
        return text, ""
    speaker = _speaker_name(match.group("who"), context)
    pronoun, _, rest = what.partition(" ")
    if pronoun.lower() in ("its", "their") and not speaker:
        # "Brightwater Energy said its profits would be lower": whose profits is the news
        return f"{_possessive(match.group('who'), text)} {rest}", ""
    if pronoun.lower() in _PRONOUNS:
        own_act = _undo_backshift(rest, plural=pronoun.lower() == "they") if pronoun.lower() in ("it", "they") else rest
        if not speaker and own_act != rest:
            # "Solara Energy said it had signed ...": a body announcing its own act, which the
            # headline states ("Solara Energy signs ...", "Harbor Foods to cut ...")
            return f"{match.group('who')} {own_act}", ""
        if not speaker:  # "he said he would ..." with no name to say who "he" is
            return text, ""
        return f"{speaker} says {what}", ""
    return what[:1].upper() + what[1:], speaker


def _possessive(name: str, text: str) -> str:
    """"Brightwater Energy's", "Northern Holdings'", with the apostrophe ``text`` uses."""
    apostrophe = "’" if "’" in text else "'"
    return name + (apostrophe if name.endswith("s") else apostrophe + "s")


def _undo_backshift(clause: str, plural: bool) -> str:
    """A reported clause's verb as its speaker would have put it: "had signed" -> "has signed"
    (which the present-tense pass makes "signs"), "would cut" / "will cut" -> "to cut"."""
    verb, _, rest = clause.partition(" ")
    following = rest.split(" ", 1)[0]
    if verb == "had" and following.endswith("ed") or verb == "had" and following in IRREGULAR_PAST:
        return f"{'have' if plural else 'has'} {rest}"
    if verb in ("would", "will") and following.isalpha() and following.islower() and following not in _VERB_CHAIN:
        return f"to {rest}"
    return clause


def _is_source(tail: re.Match[str]) -> bool:
    """Whether a trailing speech verb has a source: "..., X said" or "..., said X", not "..., has warned"."""
    if tail.group("according") is not None or tail.group("who") is None and tail.group(0).lstrip(", ").lower().startswith(
            ("saying", "adding", "noting", "stressing", "pointing", "citing", "quoting")):
        return True
    tokens = (tail.group("who") or "").split()
    if not tokens:
        return bool(re.match(r",\s*(?:said|says|added)\s+\S", tail.group(0)))
    return tokens[0].lower() not in DANGLING_WORDS - _DETERMINERS and not tokens[-1].endswith(("'s", "’s"))


def _starts_finite_clause(text: str) -> bool:
    """Whether text after "said" is a clause of its own: a subject, then a verb soon after."""
    tokens = text.split()
    first = tokens[0].lower() if tokens else ""
    second = tokens[1].lower() if len(tokens) > 1 else ""
    verb_first = first.endswith(("ed", "ing")) or (
        first.endswith("s") and (second.endswith(("ed", "ing")) or second in _DETERMINERS | _PREPOSITIONS))
    if tokens[:1] and tokens[0][:1].islower() and first not in _PRONOUNS | _DETERMINERS and verb_first:
        return False  # "says keeps coming back": a verb, not a subject
    if not tokens or first in _PREPOSITIONS or first in DANGLING_WORDS - _DETERMINERS - {"this", "these", "those"}:
        return first in _PRONOUNS
    bare = [_bare(t) for t in tokens[:12]]
    verb = _main_verb(bare)
    if 0 < verb < len(bare) - 1 and bare[verb].endswith("ed") and bare[verb + 1].lower() == "by":
        return False  # "announced support for farmers affected by ...": a participle, no clause
    return 0 < verb < 12 and bare[verb] != "to"  # "announced a plan to close": an object, no clause


def _speaker_name(source: str, context: str) -> str:
    """The source's surname (or whole name when the family name comes first), or "" when no person is named."""
    source = source.strip()
    for mention in mentions(source):
        if is_full_name(mention.text):
            return _short_name(mention.text, context)
    return ""  # a role ("researchers", "the ministry") adds words but rarely news


def _has_verb(text: str) -> bool:
    """Whether a would-be speaker phrase holds a verb ("X defended the plan amid claims" is no speaker)."""
    return bool(_VERBISH.search(text)) or any(w in IRREGULAR_PAST for w in text.split())


def _strip_relative(text: str) -> str:
    return _RELATIVE_CLAUSE.sub("", text).strip(" ,")


# "Ann Lee, the biologist whose work shaped ..., has died": a name opening the sentence, a
# description after it between commas, then the main verb's auxiliary. However long the
# description, and whatever clause it holds, the sentence's subject is the name.
_LEADING_APPOSITIVE = re.compile(
    r"^(?P<name>[A-Z][\w'’\-.]*(?:\s[A-Z][\w'’\-.]*){0,3})\s*,\s+(?:the|a|an)\s[^,\"“”()\[\]]{1,200},\s"
    r"(?=(?:has|have|had|is|are|was|were|will)\s)"
)


def _strip_appositive(text: str) -> str:
    """Drop ", a description," after a name when the description has no verb of its own, or
    when it stands between the name that opens the sentence and its auxiliary (``_LEADING_APPOSITIVE``)."""
    text = _LEADING_APPOSITIVE.sub(lambda match: match.group("name") + " ", text, count=1)

    def drop(match: re.Match[str]) -> str:
        body = match.group("body")
        if _VERBISH.search(body) or len(body.split()) > 10 or body.split(" ", 1)[0] in _LEAD_OPENERS - {"the", "a", "an"} \
                or opens_participle_clause(body):  # ", replacing the old one," is a clause: the participial pass drops it
            return match.group(0)
        return match.group("name")
    return _APPOSITIVE.sub(drop, text)


def _strip_participial_tail(text: str) -> str:
    """Drop ", setting a record" after the main clause (not ", funded by X, has warned")."""
    match = _PARTICIPIAL_TAIL.search(text)
    if not match or _main_verb([_bare(t) for t in text[: match.start()].split()]) < 0:
        return text
    return text[: match.start()]


# American copy puts the day with no preposition after the verb or its object ("said Tuesday",
# "signed a bill Monday that ..."); a day after a preposition ("until Friday"), a capitalised
# word ("Black Friday") or before its possessive ("Monday's vote") is no such adverb.
_BARE_WEEKDAY = re.compile(r"(?<=\s)(?P<before>[a-z][\w'’\-]*)\s(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
                           r"\b(?!['’]s)")
_BEFORE_A_DAY = frozenset("until till by from to before after since through between and or of for over on "
                          "this last next every each".split())


def _drop_time(text: str) -> str:
    text = _TIME_PHRASE.sub("", text)
    return _BARE_WEEKDAY.sub(lambda m: m.group(0) if m.group("before") in _BEFORE_A_DAY else m.group("before"), text)


# ---------------------------------------------------------------------------
# Names and headlinese

# "Shares in X rose" -> "X shares rose": business copy names the company first.
_MEASURES = frozenset("shares profits sales prices revenues earnings stocks".split())


def _front_owner(text: str) -> str:
    tokens = text.split(" ")
    if len(tokens) < 4 or tokens[0].lower() not in _MEASURES or tokens[1] not in ("in", "at", "of"):
        return text
    verb = _main_verb([_bare(t) for t in tokens])
    owner = tokens[2:verb]
    if verb < 3 or len(owner) > MAX_DESCRIPTOR_WORDS + 3 or any(t.endswith((",", ";", ":")) for t in owner):
        return text
    return " ".join(owner + [tokens[0].lower()] + tokens[verb:])



def _shorten_names(text: str, context: str) -> str:
    """Headline names: "Rovers midfielder Tom Reed could ..." -> "Reed could ..."."""
    first = _described_name(text)
    if first is not None:
        text = text[first.start:]  # the words before the first name only describe it
    people = [m for m in mentions(text) if is_full_name(m.text) and _is_person(m.text, context)]
    for mention in reversed(people):
        end = mention.start + len(mention.text)  # keeps a possessive "'s" that the mention dropped
        if text[mention.start:end] == mention.text:
            text = text[: mention.start] + _short_name(mention.text, context) + text[end:]
    return text[:1].upper() + text[1:]


def _described_name(text: str) -> Mention | None:
    """The first name after words that only describe it, or None. A description that no longer
    holds ("former", "late") goes whole or not at all: "former Chelsea striker Adrian Mutu" is
    no "Chelsea striker Adrian Mutu"."""
    first = next((m for m in mentions(text) if m.start > 0), None)
    if first is None or not _only_describes(text[: first.start], is_full_name(first.text)):
        return None
    if not _STATUS_WORDS.intersection(text[: first.start].lower().split()):
        return first
    person = next((m for m in mentions(text) if m.start > first.start and is_full_name(m.text)), None)
    return person if person is not None and _only_describes(text[: person.start], True) else None


# Words that say a description no longer holds, or is not yet proven: without them the rest
# says something false ("former England goalkeeper X" is no "England goalkeeper X").
_STATUS_WORDS = frozenset("former ex late outgoing acting then alleged suspected would-be".split())


def _is_person(name: str, context: str) -> bool:
    """A full name is a person's when the article later calls it by surname alone (or no article given)."""
    if not context:
        return True
    tokens = name.split()
    family_first = surname_key(name) == tokens[0].casefold()
    family = _family_name(tokens)
    surname, given = (tokens[0], tokens[-1]) if family_first else (family, tokens[-len(family.split()) - 1])
    for start in _standalone(surname, context):
        if family_first:
            end = start + len(surname)
            after = context[end: end + len(given) + 1].strip()
            if after != given:
                return True
        elif not context[:start].rstrip().endswith(given):
            return True
    return False


def _standalone(word: str, text: str) -> Iterator[int]:
    r"""Where ``word`` stands alone in ``text``: the starts of ``(?<![\w'’\-])WORD(?![\w\-])`` matches.

    A ``str.find`` loop, not that pattern: every article brings new surnames, so a
    pattern compiled per name misses every cache, and compiling them was a
    measurable share of all enrichment.
    """
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and _is_word_char(text[at - 1], "'’-")) and not (end < len(text) and _is_word_char(text[end], "-")):
            yield at
            at = text.find(word, max(end, at + 1))  # no overlaps, as in ``re.finditer``
        else:
            at = text.find(word, at + 1)


def _is_word_char(char: str, joiners: str) -> bool:
    r"""Whether ``char`` matches ``\w`` (a Unicode alphanumeric or "_") or is one of ``joiners``."""
    return char.isalnum() or char == "_" or char in joiners


def _short_name(name: str, context: str) -> str:
    """The family name (with its particle), or the whole name when the family name comes first."""
    tokens = name.split()
    if surname_key(name) == tokens[0].casefold() or not _is_person(name, context):
        return name
    return _family_name(tokens)


def _family_name(tokens: list[str]) -> str:
    start = next((i for i, t in enumerate(tokens) if i and t.lower() in _NAME_PARTICLES), len(tokens) - 1)
    return " ".join(tokens[start:])


def _only_describes(before: str, person: bool) -> bool:
    """Whether the words before a name are a bare descriptor ("world champion", "Dutch firm")."""
    tokens = before.split()
    if not tokens or len(tokens) > MAX_DESCRIPTOR_WORDS or re.search(r"[,;:\"“”()]", before):
        return False
    lowered = [t.lower() for t in tokens]
    if _VERBISH.search(before) or any(t in DANGLING_WORDS - _DETERMINERS for t in lowered):
        return False
    if not person and not tokens[-1][:1].islower():
        return False  # "Health Ministry" is one name, not a descriptor and a name
    return not any(t in IRREGULAR_PAST or (t[:1].islower() and t.endswith("s") and not t.endswith("ss"))
                   for t in tokens)


def _swap_verb(text: str, old: str, new: str) -> str:
    """Put the present-tense verb in place of the first ``old`` (or its last word: "has" may be gone)."""
    if not old:
        return text
    for phrase in dict.fromkeys((old, old.rsplit(" ", 1)[-1])):
        swapped = _verb_pattern(phrase).sub(new, text, count=1)
        if swapped != text:
            return swapped
    return text


@lru_cache(maxsize=4096)  # an archive has more verb forms than ``re``'s own cache holds (512)
def _verb_pattern(phrase: str) -> re.Pattern[str]:
    """``phrase`` as a whole word group: after a space, before a space, clause punctuation or the end."""
    return re.compile(rf"(?<=\s){re.escape(phrase)}(?=[\s,;:]|$)")


def _present_tense(text: str) -> tuple[str, str]:
    """(old, new): the verb to put in the present, as headlines tell past news
    ("X has won" -> "X wins", "Y defended" -> "Y defends"); ("", "") to keep it.

    Only the main verb of an active clause changes, and only when its
    subject's number is plain: "has" is singular and "have" plural; for a
    simple past, a lower-case plural noun or an "and" before the verb makes
    the subject plural, and a capitalised name ending in "s" ("Wales",
    "Rangers": a team or a person?) leaves the verb as it is.
    """
    tokens = text.split(" ")
    bare = [_bare(t) for t in tokens]
    verb = _main_verb(bare)
    if verb <= 0 or tokens[verb] != bare[verb] or not bare[verb].islower():
        return "", ""
    word, before = bare[verb], bare[verb - 1]
    if before.lower() in _PRONOUNS or before.lower() in _VERB_CHAIN | {"was", "were"}:
        return "", ""  # "he said": a quotation's frame; "was hit": a passive
    if word in ("has", "have") and verb + 1 < len(tokens):
        participle = bare[verb + 1]
        base = _base_form(participle) if participle.islower() and participle != "been" else ""
        if not base or (verb + 2 < len(bare) and bare[verb + 2].lower() in ("by", "been")):
            return "", ""
        new = _third_person(base) if word == "has" else base
        return f"{word} {participle}", new
    if word in ("is", "are") and verb + 1 < len(tokens):
        progressive = bare[verb + 1]  # "is seeking" -> "seeks"
        if not progressive.endswith("ing") or progressive == "being" or not progressive.islower():
            return "", ""
        base = _base_form(progressive[:-3] + "ed")
        if not base:
            return "", ""
        return f"{word} {progressive}", _third_person(base) if word == "is" else base
    base = _base_form(word) if word in IRREGULAR_BASE or word.endswith("ed") else ""
    if not base or (verb + 1 < len(bare) and bare[verb + 1].lower() == "by" and word not in PURE_PASTS):
        return "", ""  # "... accused by", "... forced to": a participle, or a verb wanting its form kept
    head = _subject_head(bare[:verb])
    # a later past may be the main verb when this one is a participle ("dropped goal by X stole victory"),
    # never when this one is only ever a past ("gave final approval to rules meant to ...")
    later_past = word not in PURE_PASTS and any(t in IRREGULAR_PAST and bare[j - 1].lower() not in _VERB_CHAIN  # not "will cut"
                                                for j, t in enumerate(bare[verb + 1: verb + 6], verb + 1))
    if head[:1].isupper() and head.endswith("s") or later_past \
            or any(t in ("-", "–", "—") or t.endswith((",", ";", ":")) for t in tokens[:verb]):
        return "", ""  # "dropped goal by X stole victory": the verb is a later one
    plural = _joined_subject(bare[:verb]) or (head.islower() and head.endswith("s") and not head.endswith(("ss", "us"))) \
        or _irregular_plural(head)
    return word, base if plural else _third_person(base)


# Plural nouns without an -s: "Police arrested", "People flocked" want "arrest", "flock".
_IRREGULAR_PLURALS = frozenset("people police children women men cattle mice geese feet teeth".split())


def _irregular_plural(noun: str) -> bool:
    """Whether a noun is plural though it ends in no -s ("police", "children", "gunmen")."""
    lowered = noun.lower()
    # a compound in -men ("gunmen", "fishermen"), not a short name ("Yemen") or a Latin noun ("specimen")
    return lowered in _IRREGULAR_PLURALS or lowered.endswith("men") and len(lowered) >= 6 and lowered[-4] not in "iou"


def _subject_head(subject: list[str]) -> str:
    """The subject's last word before any phrase that qualifies it: "trade" in "foreign trade
    in goods", "Sales" in "Sales of new cars"."""
    cut = next((i for i, t in enumerate(subject) if i and t.lower() in _PREPOSITIONS), len(subject))
    return subject[cut - 1]


def _joined_subject(subject: list[str]) -> bool:
    """Whether an "and" joins two subjects ("Kenya and China"), not two words of one name
    ("Ministry of Culture and Tourism")."""
    return any(t == "and" and not (subject[i - 1][:1].isupper() and subject[i + 1][:1].isupper()
                                   and any(w[:1].islower() for w in subject[:i - 1]))
               for i, t in enumerate(subject[1:-1], 1))


_VOWELS = "aeiou"
# One-syllable verbs in -ee whose past ends in -eed; every other one-syllable word in -eed is a
# noun or a present ("speed", "need", "feed").
_ONE_SYLLABLE_EE_PASTS = frozenset({"freed", "teed"})


def _is_past_in_eed(word: str) -> bool:
    """Whether a word in -eed is the past of a verb in -ee ("agreed", "guaranteed"), not a word
    whose own ending it is: a one-syllable noun or verb ("speed", "need") or a verb in -ceed
    ("proceed", "succeed")."""
    stem = word[:-3]
    if not any(letter in _VOWELS for letter in stem):
        return word in _ONE_SYLLABLE_EE_PASTS
    return not stem.endswith("c")


def _base_form(past: str) -> str:
    """The base form of a past tense or participle ("announced" -> "announce"), or "" if unsure."""
    if past in IRREGULAR_BASE:
        return IRREGULAR_BASE[past]
    if len(past) == 4 and past.endswith("ied") and past.isalpha():
        return past[:-1]  # died, tied, lied: a one-syllable verb in -ie
    if not past.endswith("ed") or len(past) < 5 or not past.isalpha():
        return ""
    stem = past[:-2]
    if past.endswith("ied"):
        return past[:-3] + "y"
    if past.endswith("eed") and not past.endswith("eeded"):
        return past[:-1] if _is_past_in_eed(past) else ""  # agreed, freed; not speed, proceed
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in "bdgmnprt" and stem != "add":
        return stem[:-1]  # stopped, planned, committed
    if stem.endswith(("elled", "ll")) and past.endswith(("elled", "olled")) and len(stem) > 6:
        return stem[:-1]  # cancelled, controlled
    last, previous = stem[-1], stem[-2]
    before_previous = stem[-3] if len(stem) > 2 else ""
    if stem[-4:-2] == "qu":
        before_previous = "q"  # "required": the u of "qu" is no vowel
    if stem.endswith("et") and before_previous in "lp" or stem.endswith(("creat", "unit", "ignit", "vit", "cit")):
        return stem + "e"  # completed, deleted, created, united, invited
    silent_e = (
        last in "vuc" and not stem.endswith("ck")
        or last in "sz" and previous not in "sz"
        or last == "g" and (previous in "dlr" or (previous == "n" and before_previous != "o"))
        or last == "l" and previous in "bptdgkcfz"
        or last in "dkmprt" and previous in _VOWELS and before_previous not in _VOWELS
        and not (last == "t" and previous in "ei") and not (last == "r" and previous == "e")
        and not (last == "p" and stem.endswith("elop"))
        or last == "n" and previous in "iu" and before_previous not in _VOWELS
        or last == "l" and previous in "aiou" and before_previous not in _VOWELS
    )
    return stem + "e" if silent_e else stem


def _third_person(base: str) -> str:
    """"win" -> "wins", "reach" -> "reaches", "deny" -> "denies", "have" -> "has"."""
    special = {"have": "has", "be": "is", "do": "does", "go": "goes"}
    if base in special:
        return special[base]
    if base.endswith(("s", "x", "z", "ch", "sh")):
        return base + "es"
    if base.endswith("y") and len(base) > 2 and base[-2] not in _VOWELS:
        return base[:-1] + "ies"
    return base + "s"


def _headline_style(text: str) -> str:
    """Headlinese: no articles, "has agreed" -> "agreed", "was launched" -> "launched", "is to" -> "to"."""
    styled = _PERFECT.sub("", text)
    styled = _PASSIVE.sub("", styled)
    styled = _IS_TO.sub("", styled)
    styled = _COPULA.sub("", styled, count=1)
    first, _, rest = styled.partition(" ")
    if first in ("The", "A", "An") and (rest[:1].isalnum() or rest[:1] in "\"“‘'"):
        styled = rest
    styled = _ARTICLE_WORD.sub("", styled)
    if len(words(styled)) < MIN_HEADLINE_WORDS:
        return text
    return styled[:1].upper() + styled[1:]


# ---------------------------------------------------------------------------
# Cutting after a complete constituent


def _bare(token: str) -> str:
    """A token without surrounding punctuation, case kept."""
    return token.strip(",;:.!?\"“”‘’'()[]")


def _main_verb(tokens: list[str], modifiers: bool = True) -> int:
    """Index of the finite verb of the main clause in bare tokens, or -1.

    An auxiliary, an irregular past, "to" right after the subject (headlinese
    for "is to"), or a lower-case verb in -ed. An -ed word followed by a
    preposition is taken for a modifier ("tenants accused of ...") when a
    later candidate exists.
    """
    lowered = list(map(str.lower, tokens))  # each token once, not twice, and at C speed
    candidates = []
    for i in range(1, len(tokens)):
        token, previous = lowered[i], lowered[i - 1]
        if token in _AUXILIARIES or token in IRREGULAR_PAST or token == "says":
            candidates.append((i, False))
        elif token == "to" and not candidates and previous not in _PREPOSITIONS and previous not in _DETERMINERS and i <= 8 \
                and not previous.isdigit() and not (i + 1 < len(tokens) and lowered[i + 1][:1].isdigit()):
            # headlinese "is to" has a verb after it: "age to 16", "rise to 5.1%" are no such "to"
            candidates.append((i, False))
        elif not candidates and token[-1:] == "s" and _present_before_object(tokens, lowered, i):
            candidates.append((i, False))
        elif len(token) > 4 and token.endswith("ed") and token.isalpha() and tokens[i][:1].islower() \
                and previous not in _DETERMINERS and previous not in _PREPOSITIONS and previous not in _AUXILIARIES \
                and not _attributive_after_adverb(lowered, i):
            following = lowered[i + 1] if i + 1 < len(tokens) else ""
            candidates.append((i, modifiers and following in ("by", "with", "of", "in", "at")))
        if len(candidates) > 3:
            break
    for index, (i, modifier) in enumerate(candidates):
        if not modifier or index == len(candidates) - 1:
            return i
    return -1


def _present_before_object(tokens: list[str], lowered: list[str], at: int) -> bool:
    """Whether the word is a present in -s with its object after it, a lede's main verb ("Calloway
    unlocks the door", "Apple unveils a phone"): lower case, not after a determiner, a
    preposition, an auxiliary or a number (a plural noun: "the talks", "prices of homes", "7,000
    steps a day"), and followed by a determiner."""
    token, previous = lowered[at], lowered[at - 1]
    return (len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")) and token.isalpha()
            and tokens[at][:1].islower() and at + 1 < len(tokens) and lowered[at + 1] in _DETERMINERS
            and previous not in _DETERMINERS and previous not in _PREPOSITIONS and previous not in _AUXILIARIES
            and not any(map(str.isdigit, previous)))


def _attributive_after_adverb(lowered: list[str], at: int) -> bool:
    """Whether the -ed word at ``at`` follows an -ly adverb after a determiner, an adjective or a
    possessor: it then describes the noun after it ("China's first domestically developed cruise
    ship"), as the subject's verb follows a noun ("the ship quietly docked")."""
    if at < 2 or not lowered[at - 1].endswith("ly"):
        return False
    before = lowered[at - 2]
    return before in _DETERMINERS or before in _ADJECTIVES or before.endswith(("'s", "’s"))


_VERB_CHAIN = _AUXILIARIES | {"not", "be", "been", "being", "to", "also", "now", "never", "still", "already", "just"}


def _lexical_verb(tokens: list[str], verb: int) -> int:
    """From an auxiliary to the verb it helps: "will not be able" -> "able"."""
    i = verb
    while i + 1 < len(tokens) and tokens[i].lower() in _VERB_CHAIN and _verbal(tokens[i].lower(), tokens[i + 1]):
        i += 1
    return i


_BASE_BEFORE = frozenset("will would can could may might must should shall do does did to not never".split())


def _verbal(previous: str, token: str) -> bool:
    """Whether ``token`` continues a verb group after ``previous`` ("has been", "will face")."""
    word = token.lower()
    if not token[:1].islower() or word in (_PREPOSITIONS | _DETERMINERS) - {"to"}:
        return False
    return word in _VERB_CHAIN or word in IRREGULAR_PAST or word.endswith(("ed", "en", "ing")) \
        or previous in _BASE_BEFORE


def _drop_subject_modifier(text: str) -> str:
    """"Workers living in the region are getting help" -> "Workers are getting help"; also "who ..." clauses."""
    tokens = text.split(" ")
    bare = [_bare(t) for t in tokens]
    verb = _main_verb(bare)
    for i in range(1, len(tokens) - 2):
        word, previous = bare[i].lower(), bare[i - 1]
        if not tokens[i][:1].islower() or tokens[i - 1].endswith((",", ";", ":")):
            continue
        if word in ("who", "which", "that") and previous.lower() not in _DETERMINERS | _PREPOSITIONS \
                and bare[i + 1][:1].islower() and bare[i + 1].lower() not in _DETERMINERS:
            main = _verb_after_clause(bare, i + 1)  # "drivers who ignore limits ... will face fines"
            if main > i + 2 and not any(t.endswith((",", ";", ":")) for t in tokens[i:main]):
                return " ".join(tokens[:i] + tokens[main:])
            return text
        if verb < 3 or i >= verb - 1:
            break
        if any(t.endswith((",", ";", ":")) for t in tokens[i:verb]):
            continue
        plural = previous.endswith("s") and not previous.endswith("ss")
        noun_before = plural or (previous[:1].isupper() and i >= 2)  # "Early warning system" is no clause
        present = word.endswith("ing") and len(word) > 5 and noun_before
        past = i >= 2 and word.endswith("ed") and bare[i + 1] in ("by", "with")
        if (present or past) and previous.lower() not in _AUXILIARIES | _DETERMINERS:
            return " ".join(tokens[:i] + tokens[verb:])
    return text


def _verb_after_clause(bare: list[str], start: int) -> int:
    """The first verb after the verb group of the clause starting at ``start``, or -1."""
    first = _main_verb(["x"] + bare[start:], modifiers=False)
    if first < 0:
        return -1
    end = _lexical_verb(bare, start + first - 1)
    second = _main_verb(["x"] + bare[end + 1:])
    return end + second if second > 0 else -1


_COPULAS = frozenset("is are was were be been".split())
_SUBORDINATORS = frozenset("as after because while when since if though although until before once".split())
_ING_NOUNS = frozenset(
    """meeting meetings funding spending training building bombing shooting ruling hearing warning
    offering listing ceiling morning evening thing king ring spring string wing sing being
    earnings savings""".split()
)


def _bad_end(word: str, is_verb: bool, after_verb: bool = False) -> bool:
    """Whether a headline may not stop on this word (it needs something after it); ``after_verb``:
    the word follows a verb in the past, so an adverb in -ly completes it ("acted unlawfully")."""
    bare = _bare(word).lower()
    if not bare or not any(c.isalnum() for c in bare) or bare in DANGLING_WORDS or bare in _ADJECTIVES \
            or bare in _PRONOUNS or bare in ("him", "them", "us", "me"):
        return True
    if bare.endswith(("'s", "’s")) or (bare.endswith("ly") and word[:1].islower() and not after_verb):
        return True
    if word[:1].isupper() or not bare.isalpha():
        return False
    if bare.endswith(_ADJECTIVE_SUFFIXES) and bare not in _NOUNS_IN_IVE:
        return True
    if bare.endswith("ing") and bare not in _ING_NOUNS:
        return True
    return bare.endswith("ed") and not is_verb


def _cut_at_constituent(text: str, limit: int) -> str:
    """The longest good prefix up to ``limit`` chars, else the shortest good one within the maximum."""
    text = _drop_subject_modifier(text)
    tokens = text.split(" ")
    bare = [_bare(t) for t in tokens]
    verb = _main_verb(bare)
    lexical = _lexical_verb(bare, verb) if verb > 0 else -1
    cuts = _constituent_cuts(text, tokens, bare, verb, lexical)
    if verb < 0:
        limit = MAX_HEADLINE_CHARS  # no verb found to cut after: a longer cut more likely holds it
    fitting = [cut for cut in cuts if len(cut) <= limit]
    if fitting or cuts:
        return (fitting or cuts)[-1 if fitting else 0]
    return _cut_back_to_good_end(text, lexical)


_SCORE = re.compile(r"\d{1,3}-\d{1,3}")


def _constituent_cuts(text: str, tokens: list[str], bare: list[str], verb: int, lexical: int) -> list[str]:
    """Every prefix within the maximum that ends after a complete constituent, shortest first
    (``tokens`` split from ``text`` at spaces, ``bare`` the same without punctuation, ``verb``
    and ``lexical``: the main verb and the verb it helps, or -1)."""
    pairs = not _PAIR_OPENERS.keys().isdisjoint(map(str.lower, bare))  # "both", "either", ...: rare
    cuts = []
    for match in _CLAUSE_CUTS.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:")
        count = len(prefix.split(" "))
        if match.group(0) == " " and any(t.lower() in _SUBORDINATORS for t in bare[max(0, count - 3):count]):
            continue  # "fell as traders | sold stock": a subordinate clause's own verb
        if match.group(0) == ", " and _SCORE.fullmatch(bare[count - 1]) and _SCORE.fullmatch(bare[count]):
            continue  # "6-4, | 3-6, 7-5": a comma between a match's set scores ends no clause
        if bare[count:count + 1] == ["to"] and count - 1 != lexical and bare[lexical].lower() in _COPULAS and tokens[count - 1][:1].islower() \
                and count + 1 < len(bare) and bare[count + 1][:1].islower() and bare[count + 1] not in _DETERMINERS:
            continue  # "is the only way | to end the dispute": the noun wants its infinitive
        if len(prefix) > MAX_HEADLINE_CHARS:
            break
        if count < MIN_HEADLINE_WORDS or _ends_in_list(prefix) or pairs and _opens_a_pair(bare[:count]) \
                or _bad_cut(tokens, count, lexical) or _inside_quotation(prefix):
            continue
        if verb > 0 and (count <= lexical or _too_little_after_verb(bare, lexical, count)
                         or _cuts_off_clause_verb(bare, lexical, count)):
            continue
        cuts.append(prefix)
    return cuts


def _cuts_off_clause_verb(bare: list[str], lexical: int, count: int) -> bool:
    """Whether a cut after ``count`` words leaves a "that" clause after the main verb without its
    own verb: "admits that software update | caused outage" says nothing of what was admitted."""
    that = next((j for j in range(count - 1, lexical, -1) if bare[j].lower() == "that"), -1)
    return that >= 0 and not any(_may_be_verb(bare, j) for j in range(that + 1, count))


def _may_be_verb(bare: list[str], at: int) -> bool:
    """Whether a word may be a finite verb: an auxiliary, a past, or a present in -s not after a
    determiner or possessor ("the river now fails", not "the company's shares")."""
    word, previous = bare[at].lower(), bare[at - 1].lower()
    if _VERBISH.fullmatch(word) or word in IRREGULAR_PAST:
        return True
    return word.endswith("s") and not word.endswith(("ss", "us")) and bare[at].islower() \
        and previous not in _DETERMINERS and not previous.endswith(("'s", "’s"))


def _cut_back_to_good_end(text: str, lexical: int) -> str:
    """No constituent fits: the longest word prefix within the maximum that ends on a good word."""
    tokens = text.split(" ")
    fitting = len(_cut_at_word(text, MAX_HEADLINE_CHARS).split(" "))
    for count in range(fitting, MIN_HEADLINE_WORDS - 1, -1):
        if not _bad_cut(tokens, count, lexical):
            return " ".join(tokens[:count])
    return " ".join(tokens[:fitting])


# Words that make a figure an amount: "$1.2 million" is one, so no cut goes between them, and
# "million" after a figure ends the amount, though before a noun ("two million people") it
# wants the noun.
_MAGNITUDES = frozenset("hundred thousand million billion trillion percent".split())
_AFTER_A_FIGURE = _MAGNITUDES | {"per"}  # "5 per cent"


def _bad_cut(tokens: list[str], count: int, lexical: int) -> bool:
    """Whether a headline may not stop after the first ``count`` of ``tokens`` (``lexical``: the
    main verb's index, or -1)."""
    last = tokens[count - 1]
    figure_before = count >= 2 and any(map(str.isdigit, tokens[count - 2]))
    if figure_before and _bare(last).lower() in _MAGNITUDES and not last.endswith((",", ";", ":")):
        return False
    if count < len(tokens) and any(map(str.isdigit, last)) and not last.endswith((",", ";", ":")) \
            and _bare(tokens[count]).lower() in _AFTER_A_FIGURE:
        return True
    return _bad_end(last, count - 1 == lexical, _past_verb(tokens[count - 2]))


def _inside_quotation(text: str) -> bool:
    """Whether the text ends inside a quotation it opens (curly or straight double quotes): a
    quotation's words are the speaker's, whole or not at all ('was "dream result')."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _past_verb(word: str) -> bool:
    """A lower-case verb in the past: in -ed, or an irregular past ("acted", "fell")."""
    return word[:1].islower() and word.isalpha() and (word.endswith("ed") or word in IRREGULAR_PAST)


def _too_little_after_verb(bare: list[str], lexical: int, count: int) -> bool:
    """A transitive verb wants its object: "responded" or "expressed delight" alone are empty."""
    after = [t for t in bare[lexical + 1: count] if t.lower() not in _DETERMINERS]
    return count < len(bare) and len(after) < 2


LIST_ITEM_WORDS = 2  # a comma chunk this short is an item of a list ("floating, production, storage")


_PAIR_OPENERS = {"both": "and", "either": "or", "neither": "nor", "between": "and"}


def _opens_a_pair(words_: list[str]) -> bool:
    """Whether the words stop inside "both X and Y" (or "either ... or", "between ... and")
    before its second half: "outspends both Labour" is no whole thought."""
    lowered = [w.lower() for w in words_]
    for i in range(len(lowered) - 1, -1, -1):
        closer = _PAIR_OPENERS.get(lowered[i])
        following = lowered[i + 1] if i + 1 < len(lowered) else ""
        if closer is None or (i and lowered[i - 1] in _AUXILIARIES) or following in _VERB_CHAIN or following == "of":
            continue  # "have both been", "both of them": no pair
        return closer not in lowered[i + 1:]
    return False


def _ends_in_list(prefix: str) -> bool:
    """Whether the prefix stops inside an enumeration, leaving the list's head noun behind."""
    chunks = prefix.split(", ")
    return len(chunks) > 2 and len(chunks[-1].split()) <= LIST_ITEM_WORDS


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    return cut[: cut.rfind(" ")] if " " in cut else cut[:limit]


# ---------------------------------------------------------------------------
# The rules


_TRAILING_JUNK = " ,;:.-–—“‘(["  # straight quotes may close a quote: ``_balance`` decides


def _tidy(text: str) -> str:
    """Enforce the headline rules on a candidate: ending, quotes, brackets, capital."""
    text = _balance(text.strip())
    for _ in range(text.count(" ") + 2):  # each pass drops a word or stops
        text = text.rstrip(_TRAILING_JUNK)
        last = text.rsplit(" ", 1)[-1] if text else ""
        if not last:
            break
        bare = last.lower().strip("\"'“”‘’")
        before = text[: len(text) - len(last)].rstrip().rsplit(" ", 1)[-1]
        # "... to fully" reads unfinished; "acted unlawfully" does not
        adverb = bare.endswith("ly") and last[:1].islower() and not _past_verb(before)
        if bare in DANGLING_WORDS or adverb or bare.endswith(("'s", "’s")) or not any(c.isalnum() for c in bare):
            text = text[: len(text) - len(last)]
            text = _balance(text.strip())
            continue
        if _first_unmatched(text) >= 0:  # a quote left open by the trimming
            text = _balance(text)
            continue
        break
    if len(text) > MAX_HEADLINE_CHARS:
        return _tidy(_cut_at_word(text, MAX_HEADLINE_CHARS))
    first = next((i for i, c in enumerate(text) if c.isalnum()), 0)  # '"Digital divide" narrowing'
    return text[:first] + text[first:first + 1].upper() + text[first + 1:]


def _balance(text: str) -> str:
    """Cut before the first unmatched opening quote/bracket; drop stray closers."""
    opener = _first_unmatched(text)
    while opener >= 0:
        text = text[:opener].rstrip()
        opener = _first_unmatched(text)
    return _drop_stray_closers(text)


_PAIRS = {"(": ")", "[": "]", "“": "”", "‘": "’"}
_MARK = re.compile(r"[\"'()\[\]“”‘’]")  # every character _first_unmatched reacts to


def _first_unmatched(text: str) -> int:
    """Index of the first opening mark with no partner, or -1. Straight quotes toggle."""
    stack: list[tuple[str, int]] = []
    # only the marks, found at C speed: a Python loop over every character was a
    # measurable share of making a headline, and most headlines have no mark at all
    for mark in _MARK.finditer(text):
        i, char = mark.start(), mark.group()
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
