"""Named entities of one article: spokespersons, quoted people, their statements, and tags.

Input is the article's prose as ``(line, text)`` pairs (heading lines already
removed, NFC-normalised); output is deterministic.

Contract:

- A *spokesperson* is a named person introduced with a spokesperson title
  ("X Ministry spokesperson A B", "A B, a spokesperson for X", "a spokesman for
  X, A B, said"). An unnamed spokesperson creates nobody.
- A *person* is any other named person who is quoted (a speech verb or
  "according to" next to their name). Names are canonical full names: a later
  surname, "Mr Surname" or a pronoun maps back to the last fitting full name,
  and a name seen only as one word never becomes a person. Precision comes
  before recall: organisations, places and fragments are rejected.
- A *statement* is a sentence reporting one speaker's speech, including quote
  sentences that continue an attributed quotation.
- *Tags* are the countries, organisations and people the article is mostly
  about plus repeated key phrases, at most ``MAX_TAGS``, by salience then name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Person, Spokesperson, Statement
from .text import STOPWORDS, split_sentences

__all__ = ["MAX_TAGS", "Speakers", "find_speakers", "find_tags", "country_of"]

MAX_TAGS = 8

# ---------------------------------------------------------------------------
# Word lists (general knowledge, no corpus names)

# country | demonyms and aliases. The canonical (first) name is what a tag shows.
_COUNTRY_TABLE = """
Afghanistan|Afghan Albania|Albanian Algeria|Algerian Angola|Angolan Argentina|Argentine|Argentinian
Armenia|Armenian Australia|Australian Austria|Austrian Azerbaijan|Azerbaijani Bahrain|Bahraini
Bangladesh|Bangladeshi Belarus|Belarusian Belgium|Belgian Bolivia|Bolivian Bosnia|Bosnian
Brazil|Brazilian Bulgaria|Bulgarian Cambodia|Cambodian Cameroon|Cameroonian Canada|Canadian
Chile|Chilean China|Chinese Colombia|Colombian Congo|Congolese Croatia|Croatian Cuba|Cuban
Cyprus|Cypriot Czechia|Czech Denmark|Danish Ecuador|Ecuadorian Egypt|Egyptian Estonia|Estonian
Ethiopia|Ethiopian Finland|Finnish France|French Georgia|Georgian Germany|German Ghana|Ghanaian
Greece|Greek Hungary|Hungarian Iceland|Icelandic India|Indian Indonesia|Indonesian Iran|Iranian
Iraq|Iraqi Ireland|Irish Israel|Israeli Italy|Italian Jamaica|Jamaican Japan|Japanese
Jordan|Jordanian Kazakhstan|Kazakh Kenya|Kenyan Kuwait|Kuwaiti Kyrgyzstan|Kyrgyz Laos|Lao|Laotian
Latvia|Latvian Lebanon|Lebanese Libya|Libyan Lithuania|Lithuanian Luxembourg Malaysia|Malaysian
Mali|Malian Malta|Maltese Mexico|Mexican Moldova|Moldovan Mongolia|Mongolian Montenegro
Morocco|Moroccan Mozambique Myanmar|Burma|Burmese Nepal|Nepalese|Nepali Netherlands|Dutch|Holland
New_Zealand Nicaragua|Nicaraguan Niger Nigeria|Nigerian North_Korea|DPRK Norway|Norwegian
Oman|Omani Pakistan|Pakistani Palestine|Palestinian Panama|Panamanian Paraguay|Paraguayan
Peru|Peruvian Philippines|Philippine|Filipino Poland|Polish Portugal|Portuguese Qatar|Qatari
Romania|Romanian Russia|Russian Rwanda|Rwandan Saudi_Arabia|Saudi Senegal|Senegalese Serbia|Serbian
Singapore|Singaporean Slovakia|Slovak Slovenia|Slovenian Somalia|Somali South_Africa
South_Korea|Korean|ROK Spain|Spanish Sri_Lanka|Sri_Lankan Sudan|Sudanese Sweden|Swedish
Switzerland|Swiss Syria|Syrian Taiwan|Taiwanese Tajikistan|Tajik Tanzania|Tanzanian Thailand|Thai
Tunisia|Tunisian Turkey|Turkish|Türkiye Turkmenistan|Turkmen Uganda|Ugandan Ukraine|Ukrainian
UAE|Emirati United_Kingdom|UK|Britain|British|Great_Britain Scotland|Scottish Wales|Welsh
England|English US|USA|United_States|America|American|U.S. Uruguay|Uruguayan Uzbekistan|Uzbek
Venezuela|Venezuelan Vietnam|Vietnamese Yemen|Yemeni Zambia|Zambian Zimbabwe|Zimbabwean
"""
_COUNTRIES: dict[str, str] = {}
for _entry in _COUNTRY_TABLE.split():
    _names = [n.replace("_", " ") for n in _entry.split("|")]
    for _alias in _names:
        _COUNTRIES[_alias] = _names[0]
_COUNTRY_NAMES = frozenset(_COUNTRIES.values())
_DEMONYM = {alias: country for alias, country in _COUNTRIES.items() if alias.endswith(("ese", "an", "ish", "ch"))}


def country_of(word: str) -> str:
    """The canonical country for a country name, alias or nationality adjective, else ""."""
    return _COUNTRIES.get(word, "")


# Words that turn a capitalised run into an organisation, never a person.
_ORG_WORDS = frozenset(
    """Ministry Department Office Agency Council Committee Commission Bureau Authority Board
    University College Institute Academy School Association Federation Union League Club Party
    Government Parliament Congress Senate Assembly Court Army Navy Force Forces Police Bank Fund
    Group Company Corporation Corp Inc Ltd Plc Co Holdings Industries Industry Motors Airways Airlines
    Systems Technologies Technology Networks Media News Times Post Daily Journal Herald Telegraph
    Guardian Reuters Agency Press Television Radio TV Broadcasting Studios Records Pictures Music
    Entertainment Games Center Centre Foundation Society Organization Organisation Alliance Forum
    Summit Conference Treaty Agreement Declaration Exchange Market Markets Street House Hall Palace
    Square Hospital Museum Church Airport Station Stadium Park Road Cup Championship Open
    Games Olympics Series Festival Awards Award Prize Oscars Grammy Brit Show Project Program
    Programme Initiative Dialogue Sea Ocean River Mountain Mountains Province Region City County
    State States Kingdom Republic Union Island Islands Valley Bay Gulf Lake Village Township
    District Coast Strait Canal Peninsula Capital Labs Software Electronics Mobile Online Network
    Energy Oil Gas Petroleum Steel Pharmaceutical Pharmaceuticals Airways Communications Telecom Insurance Capital
    Partners Securities Investments Trust Brands Foods Stores Retail Motor Cars""".split()
)
# Titles that sit before a name; they split "US President Donald Trump" into role + name.
_TITLE_WORDS = frozenset(
    """President Vice Premier Minister Ministers Chancellor Secretary Spokesperson Spokesman Spokeswoman
    Mr Mrs Ms Miss Dr Prof Professor Sir Lord Lady Dame King Queen Prince Princess Pope Judge Justice
    General Gen Senator Sen Rep Representative Governor Mayor Chairman Chairwoman Chair Director
    Ambassador Commissioner CEO Chief Captain Capt Coach Manager Officer Executive Deputy Member Head
    Leader Envoy Councillor Councilor MP MEP MSP Inspector Detective Sergeant Rev Reverend Father
    Bishop Archbishop Cardinal Sheikh Emir Sultan Colonel Col Lieutenant Lt Major Admiral Commander
    Exchequer Foreign Prime Defence Defense Home Interior Finance Trade Commerce Health Education Culture
    Justice Shadow Acting Former Ex Assistant Senior Junior Party Boss Striker Midfielder Defender
    Goalkeeper Star Singer Actor Actress Dean Provost Founder Co-founder Editor Analyst Economist
    Researcher Fellow Lawyer Attorney Counsel Official Premier Treasurer Conservative Labour Tory
    Liberal Democrat Republican Democratic Socialist Independent Speaker""".split()
)
_MONTHS_DAYS = frozenset(
    """January February March April May June July August September October November December Jan Feb
    Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Christmas Easter New Year Spring Summer Autumn Winter""".split()
)
# Capitalised words that start place names or headings, not personal names.
_NOT_NAME_WORDS = frozenset(
    """North South East West Northern Southern Eastern Western Central Upper Lower Greater New Old
    Great Global International National Royal Federal European Asian African Arab Latin Pacific
    Atlantic Internet Web God Allah Mount Saint St Fort Port Lake San Santa Los Las Hong Kong Abu
    Dhabi Tel Aviv Sri Lanka Buenos Aires Rio Janeiro Sao Paulo Cape Town Premiership Premier Ministry
    Meanwhile However Although Though Still Yet Also Instead Overall Indeed Moreover Furthermore
    Others Many Some Most Several According Following Regarding Despite During Asked Speaking Earlier
    Later Then Now Today Yesterday United Athletic Rovers Albion Wanderers Hotspur Real Inter Sporting""".split()
)
# Sentence openers that are capitalised only because they start the sentence ("Earlier Graham Brady said").
_OPENERS = frozenset(
    """Earlier Later Meanwhile However Now Today Yesterday Still Instead Also Then Overall Indeed Moreover
    Furthermore Asked Speaking According Following Regarding Despite During Nonetheless Nevertheless""".split()
)
_PARTICLES = frozenset("von van der den de del della da di du la le bin ibn al dos das ter ten".split())
# Common Chinese family names: a Chinese name puts the family name first, so
# "Guo" later refers to "Guo Jiakun", while "Smith" refers to "John Smith".
_CHINESE_SURNAMES = frozenset(
    """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang
    Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su
    Lü Lu Xi Ding Ren Yao Shen Zhong Cui Tan Fan Liao Shi Jin Jia Xia Fu Fang Zou Xiong Bai Meng Qin Qiu
    Hou Yin Xue Yan Duan Lei Long Tao Mao Hao Gu Gong Shao Wan Qian Dai Mo Kong Xiang Chang Geng
    Kang Niu Hong Yi Bao Zhai Xing""".split()
)

# Verbs that report speech right after the speaker ("Guo said", "Li, a professor, told ...").
_SPEECH_AFTER = (
    r"said|says|say|told|added|adds|noted|notes|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|"
    r"pointed out|points out|explained|explains|stated|states|remarked|commented|comments|argued|"
    r"argues|insisted|insists|warned|warns|recalled|admitted|admits|acknowledged|claimed|claims|"
    r"replied|responded|continued|announced|announces|declared|urged|urges|suggested|revealed|"
    r"confirmed|confirms|wrote|writes|concluded|maintained|predicted|predicts|"
    r"reiterated|underlined|highlighted|expressed|believes|thinks|made the remarks|went on to say"
)
# Verbs that can precede the speaker in an inverted quote ("..., said Feng Zhongping").
_SPEECH_BEFORE = r"said|says|added|adds|noted|explained|stressed|wrote|continued|argued|insisted|warned|according to"
_SPOKES_WORDS = frozenset(("spokesperson", "spokesman", "spokeswoman"))
_SPOKES = r"(?:spokesperson|spokesman|spokeswoman|spokespeople|press secretary|press officer)"

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_CAP = rf"[{_UPPER}][\w'’\-]*"
_PARTICLE_RE = r"(?:von|van|der|den|de|del|della|da|di|du|la|le|bin|ibn|al|dos|das|ter|ten)"
_RUN = re.compile(
    rf"(?<![\w'’\-])(?:{_PARTICLE_RE}\s+)*(?:{_CAP}|[{_UPPER}]\.)(?:\s+(?:{_PARTICLE_RE}\s+)*(?:{_CAP}|[{_UPPER}]\.))*"
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_APPOSITIVE = re.compile(r",\s(?P<appos>(?:also\s)?(?:a|an|the|[a-z][\w\-]*)\s[^,\"“”]{2,160}?),")
_AFTER_SPEECH = re.compile(
    rf"(?:,\s(?P<appos>[^,\"“”]{{2,160}}?),)?\s(?:(?:has|had|also|further|then|later|again|previously|once|"
    rf"repeatedly|recently|earlier|once)\s)*(?:{_SPEECH_AFTER})\b"
)
_BEFORE_SPEECH = re.compile(rf"\b(?:{_SPEECH_BEFORE})\s$", re.IGNORECASE)
_OBJECT_BEFORE = re.compile(
    r"\b(?:for|of|to|with|by|from|about|against|than|at|on|in|into|over|under|like|and|or|nor|"
    r"between|behind|beside|toward|towards|without)\s(?:(?:the|a|an)\s)?(?:[{0}][\w.'’\-]*\s)*$".format(_UPPER)
)
_INVERTED_END = re.compile(r"\s*(?:[,.;:!?]|$)")
_TRAILING_APPOS = re.compile(r",\s(?P<appos>[^,\"“”]{2,160}?)(?:[,.;]|$)")
_PRONOUN_SPEECH = re.compile(
    rf"(?:^|[,\"”]\s*|\s)(?:he|she)\s(?:(?:also|further|then|later|again|once)\s)?(?:{_SPEECH_AFTER})\b",
    re.IGNORECASE,
)
_SPOKES_ANON = re.compile(rf"\bthe\s{_SPOKES}\s(?:(?:also|further|then)\s)?(?:{_SPEECH_AFTER})\b", re.IGNORECASE)
_SPOKES_ANYWHERE = re.compile(_SPOKES, re.IGNORECASE)
_SPOKES_BEFORE_NAME = re.compile(rf"{_SPOKES}\s$", re.IGNORECASE)
_SPOKES_OF_ORG_BEFORE = re.compile(
    rf"\b(?:a|an|the)\s(?:[a-z]+\s)?{_SPOKES}\s(?:for|of|at|with)\s(?:the\s)?(?P<org>[^,]{{2,80}}),\s$", re.IGNORECASE
)
_SPOKES_AFTER_NAME = re.compile(
    rf",\s(?:(?:a|an|the)\s)?(?:(?:chief|senior|deputy|official|chief)\s)?{_SPOKES}\s(?:of|for|at|with)\s"
    rf"(?:the\s)?(?P<org>[^,;:\"“]{{2,80}}?)(?=[,;:.\"“]|\s(?:{_SPEECH_AFTER})\b|$)",
    re.IGNORECASE,
)
_ORG_SPOKES_AFTER_NAME = re.compile(rf",\s(?:(?:a|an|the)\s)?(?P<org>(?:{_CAP}\s){{1,5}}){_SPOKES}\b", re.IGNORECASE)
_ACRONYM_DEFINITION = re.compile(rf"(?P<long>{_CAP}(?:\s(?:of\s|for\s|and\s)?{_CAP}){{1,6}})\s\((?P<abbr>[A-Z]{{2,8}})\)")


# ---------------------------------------------------------------------------
# Names


@dataclass(frozen=True, slots=True)
class Mention:
    """A capitalised run split at titles: its text, where it is, and the role words before it."""

    text: str
    start: int
    end: int
    prefix: str  # title words before the name, e.g. "US President"


@lru_cache(maxsize=4096)
def mentions(sentence: str) -> tuple[Mention, ...]:
    """Capitalised runs in a sentence, split at title words and stripped of leading common words."""
    result: list[Mention] = []
    for run in _RUN.finditer(sentence):
        tokens = [(m.group(), run.start() + m.start(), run.start() + m.end()) for m in re.finditer(r"\S+", run.group())]
        result.extend(_split_run(tokens))
    return tuple(_merge_organisations(sentence, result))


def _merge_organisations(sentence: str, found: list[Mention]) -> list[Mention]:
    """Join "Institute" + "of" + "European Studies" and "Science" + "and" + "Technology Daily"."""
    merged: list[Mention] = []
    for mention in found:
        if merged and not mention.prefix:
            last = merged[-1]
            connector = sentence[last.end:mention.start]
            if _joins(last.text, connector, mention.text):
                merged[-1] = Mention(f"{last.text}{connector}{mention.text}", last.start, mention.end, last.prefix)
                continue
        merged.append(mention)
    return merged


def _joins(left: str, connector: str, right: str) -> bool:
    if connector in (" of ", " of the ", " for ", " for the "):
        return left.rsplit(" ", 1)[-1] in _ORG_WORDS
    if connector == " and ":
        return right.rsplit(" ", 1)[-1] in _ORG_WORDS and left not in _COUNTRIES and not is_full_name(left)
    return False


@lru_cache(maxsize=1024)
def sentences_of(text: str) -> tuple[str, ...]:
    """``split_sentences``, cached: every pass over an article splits the same paragraphs."""
    return tuple(split_sentences(text))


def _split_run(tokens: list[tuple[str, int, int]]) -> list[Mention]:
    parts: list[Mention] = []
    current: list[tuple[str, int, int]] = []
    prefix: list[str] = []
    for token in tokens:
        possessive = token is not tokens[-1] and token[0].endswith(("'s", "’s"))  # "Labour's Robin Cook"
        if possessive or _strip_possessive(token[0]) in _TITLE_WORDS or token[0].lower() in _SPOKES_WORDS:
            if current:
                prefix = [t for t, _, _ in current] + [token[0]] if not parts else prefix + [token[0]]
                parts.append(_mention(current, []))
                current = []
            else:
                prefix.append(token[0])
            continue
        current.append(token)
    if current:
        parts.append(_mention(current, prefix))
    return [p for p in parts if p.text]


def _mention(tokens: list[tuple[str, int, int]], prefix: list[str]) -> Mention:
    while tokens and (tokens[0][0].lower() in STOPWORDS or tokens[0][0] in _MONTHS_DAYS or tokens[0][0] in _OPENERS):
        tokens = tokens[1:]
    while tokens and (tokens[-1][0] in _MONTHS_DAYS or tokens[-1][0].lower() in _PARTICLES):
        tokens = tokens[:-1]
    if not tokens:
        return Mention("", 0, 0, "")
    text = " ".join(t for t, _, _ in tokens)
    return Mention(_strip_possessive(text), tokens[0][1], tokens[-1][2], " ".join(prefix))


def _strip_possessive(text: str) -> str:
    return _POSSESSIVE.sub("", text) if len(text) > 2 else text


@lru_cache(maxsize=8192)
def is_full_name(text: str) -> bool:
    """Two to five tokens that look like a personal name (no org, place, title or date words)."""
    tokens = text.split()
    core = [t for t in tokens if t.lower() not in _PARTICLES]
    if not 2 <= len(core) <= 4 or len(tokens) > 5:
        return False
    return all(_is_name_token(t) for t in core)


def _is_name_token(token: str) -> bool:
    if token.endswith(".") and len(token) == 2:
        return token[0].isupper()  # an initial
    return (
        token[:1].isupper()
        and any(c.islower() for c in token)
        and not any(c.isdigit() for c in token)
        and token not in _ORG_WORDS
        and token not in _TITLE_WORDS
        and token not in _MONTHS_DAYS
        and token not in _NOT_NAME_WORDS
        and token not in _COUNTRIES
        and token.lower() not in STOPWORDS
        and "-" not in token[1:2]
        and not any(part in _COUNTRIES or part.isupper() for part in token.split("-")[1:])
    )


@lru_cache(maxsize=8192)
def surname_key(full_name: str) -> str:
    """The word a later reference uses: the family name (first for Chinese names, else last)."""
    tokens = full_name.split()
    if tokens[0] in _CHINESE_SURNAMES and len(tokens) == 2:
        return tokens[0].casefold()
    for i, token in enumerate(tokens):
        if token.lower() in _PARTICLES and i > 0:
            return " ".join(tokens[i:]).casefold()
    return tokens[-1].casefold()


# ---------------------------------------------------------------------------
# Speakers


@dataclass(frozen=True, slots=True)
class Speakers:
    spokespersons: tuple[Spokesperson, ...] = ()
    people: tuple[Person, ...] = ()
    statements: tuple[Statement, ...] = ()
    names: tuple[str, ...] = ()  # every full personal name seen, in order of first mention


@dataclass(slots=True)
class _Registry:
    """What is known so far while reading one article top to bottom."""

    names: list[str] = field(default_factory=list)  # full names, first mention order
    recency: dict[str, int] = field(default_factory=dict)  # name -> position of last mention
    roles: dict[str, str] = field(default_factory=dict)
    spokes: dict[str, str] = field(default_factory=dict)  # name -> organisation
    spoken: set[str] = field(default_factory=set)
    acronyms: dict[str, str] = field(default_factory=dict)
    clock: int = 0

    def see(self, name: str) -> None:
        if name not in self.recency:
            self.names.append(name)
        self.clock += 1
        self.recency[name] = self.clock

    def resolve(self, text: str) -> str:
        """A full name for a mention: itself if full, else the best earlier name with that surname."""
        if is_full_name(text) and text in self.recency:
            return text
        key = text.casefold()
        candidates = [n for n in self.names if surname_key(n) == key or (n.split()[-1].casefold() == key)]
        if not candidates:
            return ""
        # prefer someone already quoted, then the most recently mentioned
        return max(candidates, key=lambda n: (n in self.spoken, self.recency[n]))


def find_speakers(paragraphs: Sequence[tuple[int, str]]) -> Speakers:
    """Spokespersons, quoted people and their statements, in order of first appearance."""
    registry = _Registry(acronyms=_acronyms(paragraphs))
    statements: list[Statement] = []
    last_speaker, last_paragraph = "", -10
    for index, (line, text) in enumerate(paragraphs):
        previous = ""  # speaker of the previous sentence in this paragraph
        pending: list[str] = []  # quote sentences waiting for their attribution
        for sentence in sentences_of(text):
            speaker = _sentence_speaker(sentence, registry)
            if not speaker:
                speaker = _implicit_speaker(sentence, registry, previous, last_speaker, index - last_paragraph)
            if speaker:
                statements.extend(Statement(speaker, s, line) for s in pending)
                statements.append(Statement(speaker, sentence, line))
                registry.spoken.add(speaker)
                pending, previous, last_speaker, last_paragraph = [], speaker, speaker, index
            else:
                pending = pending + [sentence] if _opens_quote(sentence) or pending else []
                previous = ""
    return _speakers_result(registry, statements)


def _speakers_result(registry: _Registry, statements: list[Statement]) -> Speakers:
    spokespersons = tuple(Spokesperson(n, registry.spokes[n]) for n in registry.names if n in registry.spokes)
    people = tuple(
        Person(n, registry.roles.get(n, "")) for n in registry.names if n in registry.spoken and n not in registry.spokes
    )
    return Speakers(spokespersons, people, tuple(statements), tuple(registry.names))


def _sentence_speaker(sentence: str, registry: _Registry) -> str:
    """Register the sentence's names; return whom it quotes by name, or ""."""
    speaker = ""
    for mention in mentions(sentence):
        name = _register(sentence, mention, registry)
        if not name or speaker:
            continue
        before, after = _context(sentence, mention)
        possessive = sentence[mention.end - 2: mention.end] in ("'s", "’s") or sentence[mention.end - 1: mention.end] in ("'", "’")
        is_object = possessive or _OBJECT_BEFORE.search(before)  # "a spokesman for Mr X warned"
        said_after = None if is_object else _AFTER_SPEECH.match(after)
        said_before = _BEFORE_SPEECH.search(before) and _INVERTED_END.match(after)  # '"...," said X.'
        if said_after or said_before or name in registry.spokes and _spokes_made(after):
            speaker = name
            appos = said_after.group("appos") if said_after and said_after.group("appos") else _trailing_appos(before, after)
            _note_role(registry, name, appos)
    return speaker


# Every pattern that looks around a name reaches well under this many characters
# (an appositive of 160, an organisation of 80); a longer window only costs time,
# and a sentence of a megabyte with a name every few words would take hours.
CONTEXT_CHARS = 400


def _context(sentence: str, mention: Mention) -> tuple[str, str]:
    """The text just before and just after a mention, at most ``CONTEXT_CHARS`` each."""
    return (sentence[max(0, mention.start - CONTEXT_CHARS): mention.start],
            sentence[mention.end: mention.end + CONTEXT_CHARS])


def _spokes_made(after: str) -> bool:
    return bool(re.match(r",[^\"“”]*?,\s(?:made|gave|responded|replied)\b", after))


def _trailing_appos(before: str, after: str) -> str:
    if not _BEFORE_SPEECH.search(before):
        return ""
    match = _TRAILING_APPOS.match(after)
    return match.group("appos") if match else ""


def _register(sentence: str, mention: Mention, registry: _Registry) -> str:
    """Record a mention (a new full name, a spokesperson, a role); return its full name or ""."""
    text = mention.text
    if is_full_name(text):
        name = text
    elif text.lower() in ("he", "she", "it", "they", "we", "i"):
        return ""
    else:
        name = registry.resolve(text) or _full_name_tail(text)
    if not name:
        return ""
    registry.see(name)
    before, after = _context(sentence, mention)
    organisation = _spokesperson_org(before, after, registry)
    if organisation is not None and (name not in registry.spokes or not registry.spokes[name]):
        registry.spokes[name] = organisation
    appos = _APPOSITIVE.match(after)
    if appos and name not in registry.roles:
        _note_role(registry, name, appos.group("appos"))
    return name


def _full_name_tail(text: str) -> str:
    """"State Council He Lifeng" -> "He Lifeng": a name after an organisation word."""
    tokens = text.split()
    for i, token in enumerate(tokens[:-1]):
        if token in _ORG_WORDS and is_full_name(" ".join(tokens[i + 1:])):
            return " ".join(tokens[i + 1:])
    return ""


def _spokesperson_org(before: str, after: str, registry: _Registry) -> str | None:
    """The organisation if this mention is introduced as a spokesperson, "" if none is named, else None."""
    if not _SPOKES_ANYWHERE.search(before) and not _SPOKES_ANYWHERE.search(after):
        return None  # every pattern below needs the word; most names are not spokespersons
    if _SPOKES_BEFORE_NAME.search(before):
        head = before[: _SPOKES_BEFORE_NAME.search(before).start()]
        return _organisation(_trailing_run(head), registry)
    match = _SPOKES_OF_ORG_BEFORE.search(before)
    if match:
        return _organisation(match.group("org"), registry)
    match = _SPOKES_AFTER_NAME.match(after) or _ORG_SPOKES_AFTER_NAME.match(after)
    if match:
        return _organisation(match.group("org"), registry)
    return None


def _trailing_run(text: str) -> str:
    """The capitalised words right at the end of ``text`` ("... Chinese Foreign Ministry ")."""
    match = re.search(rf"((?:{_CAP}\s+(?:of\s+(?:the\s+)?)?)+)$", text)
    return match.group(1).strip() if match else ""


def _organisation(text: str, registry: _Registry) -> str:
    """Tidy an organisation name: no article, acronyms expanded, "China's X" -> "Chinese X"."""
    words_ = text.strip().split()
    while words_ and words_[0].lower() in ("a", "an", "the"):
        words_ = words_[1:]
    org = " ".join(words_)
    org = registry.acronyms.get(org, org)
    first, _, rest = org.partition(" ")
    country = _COUNTRIES.get(_strip_possessive(first))
    if rest and first.endswith(("'s", "’s")) and country:
        adjective = next((a for a, c in _DEMONYM.items() if c == country), "")
        org = f"{adjective} {rest}" if adjective else org
    return org if org[:1].isupper() else ""


def _acronyms(paragraphs: Iterable[tuple[int, str]]) -> dict[str, str]:
    """"China's Foreign Ministry (FM)" -> {"FM": "China's Foreign Ministry"}."""
    found: dict[str, str] = {}
    for _, text in paragraphs:
        for match in _ACRONYM_DEFINITION.finditer(text):
            found.setdefault(match.group("abbr"), match.group("long"))
    return found


def _note_role(registry: _Registry, name: str, appos: str | None) -> None:
    role = _clean_role(appos or "")
    if role and not registry.roles.get(name):
        registry.roles[name] = role


def _clean_role(appos: str) -> str:
    """An appositive is a role unless it is a relative clause, a quote or a clause with a verb."""
    role = appos.strip()
    if role.startswith("also "):
        role = role[5:]
    first = role.split(" ", 1)[0] if role else ""
    if not role or first.lower() in ("who", "which", "whose", "where", "when", "and", "but", "saying"):
        return ""
    if re.search(rf"\b(?:{_SPEECH_AFTER}|is|are|was|were|has|have)\b", role) or len(role.split()) > 20:
        return ""
    return role


MAX_PRONOUN_GAP = 2  # paragraphs between a named statement and "she said"; further back is a guess


def _implicit_speaker(sentence: str, registry: _Registry, previous: str, last: str, gap: int) -> str:
    """A speaker not named in the sentence: a pronoun, "the spokesperson", or a continued quote."""
    if last and gap <= MAX_PRONOUN_GAP and _PRONOUN_SPEECH.search(sentence) and _latest(registry) == last \
            and not _new_names(sentence, registry):
        return last
    if _SPOKES_ANON.search(sentence):
        named = [n for n in registry.spokes]
        return named[0] if len(named) == 1 else ""
    if previous and sentence[:1] in "\"“":
        return previous
    return ""


def _latest(registry: _Registry) -> str:
    """The person mentioned most recently: a pronoun can only mean them."""
    return max(registry.recency, key=registry.recency.__getitem__) if registry.recency else ""


def _new_names(sentence: str, registry: _Registry) -> bool:
    return any(is_full_name(m.text) and m.text not in registry.spoken for m in mentions(sentence))


def _opens_quote(sentence: str) -> bool:
    return sentence[:1] in "\"“" and (sentence.count('"') + sentence.count("“") + sentence.count("”")) % 2 == 1


# ---------------------------------------------------------------------------
# Tags

LEDE_BONUS = 2  # an entity in the lede is what the story is about
MIN_MENTIONS = 2  # below this an entity outside the lede is a passing reference
PHRASE_MIN_COUNT = 2


def find_tags(paragraphs: Sequence[tuple[int, str]], lede: str, speakers: Speakers) -> list[str]:
    """Countries, organisations, people and repeated key phrases, most salient first."""
    counts: Counter[str] = Counter()
    in_lede: set[str] = set()
    quoted = {p.name for p in speakers.people} | {s.name for s in speakers.spokespersons}
    names: dict[str, str] = {}
    for name in sorted(speakers.names, key=lambda n: n not in quoted):  # the quoted win a shared surname
        names.setdefault(surname_key(name), name)
        names.setdefault(name.split()[-1].casefold(), name)
    capitalised_inside = _capitalised_inside(paragraphs)
    for _, text in paragraphs:
        for sentence in sentences_of(text):
            for entity in _entities(sentence, names, capitalised_inside):
                counts[entity] += 1
                if sentence == lede:
                    in_lede.add(entity)
    phrases = _key_phrases(paragraphs, {e.casefold() for e in counts}, capitalised_inside)
    salience = {e: c + (LEDE_BONUS if e in in_lede else 0) for e, c in counts.items()
                if c >= MIN_MENTIONS or (e in in_lede and (" " in e or e in _COUNTRY_NAMES))}
    salience.update(phrases)
    ranked = sorted(salience, key=lambda e: (-salience[e], e.casefold(), e))
    return ranked[:MAX_TAGS]


def _capitalised_inside(paragraphs: Sequence[tuple[int, str]]) -> set[str]:
    """Words that appear capitalised somewhere other than at a sentence start (proper nouns)."""
    found: set[str] = set()
    for _, text in paragraphs:
        for sentence in sentences_of(text):
            for match in re.finditer(rf"(?<=[\s(\"“‘-]){_CAP}", sentence[1:]):
                found.add(_strip_possessive(match.group().strip("-")))
    return found


def _entities(sentence: str, names: dict[str, str], proper: set[str]) -> list[str]:
    found = []
    for mention in mentions(sentence):
        found.extend(_entity(mention, names, proper))
        if mention.prefix:
            found.extend(_prefix_entities(mention.prefix))
    return found


def _entity(mention: Mention, names: dict[str, str], proper: set[str]) -> list[str]:
    text = mention.text
    if text in _COUNTRIES:
        return [_COUNTRIES[text]]
    if text.casefold() in names:
        return [names[text.casefold()]]
    if " " not in text:
        ok = text in proper and text not in _TITLE_WORDS and text not in _NOT_NAME_WORDS and len(text) > 1
        return [text] if ok and text.lower() not in STOPWORDS else []
    first = text.split(" ", 1)[0]
    extra = [_COUNTRIES[first]] if first in _COUNTRIES and first not in ("New",) else []
    return [text] + extra


def _prefix_entities(prefix: str) -> list[str]:
    """From "European Commission President" keep the organisation, from "US President" the country."""
    tokens = [t for t in prefix.split() if t not in _TITLE_WORDS]
    if any(t in _ORG_WORDS for t in tokens) and len(tokens) >= 2:
        return [" ".join(tokens)]
    return [_COUNTRIES[t] for t in tokens if t in _COUNTRIES]


_PHRASE_BREAK = re.compile(r"[^\w\s'’\-]+")
_PHRASE_WORD = re.compile(r"[A-Za-z][a-z\-]+|[A-Z]{2,}")


def _key_phrases(paragraphs: Sequence[tuple[int, str]], entities: set[str], proper: set[str]) -> dict[str, int]:
    """Two- and three-word runs of content words that recur; longer ones win over their parts.

    A phrase needs a lower-case word ("Miao embroidery", "carbon capture"); all-capitalised
    runs are names and handled as entities.
    """
    counts: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], str] = {}
    for _, text in paragraphs:
        for chunk in _PHRASE_BREAK.split(text):
            run: list[str] = []
            for token in chunk.split() + [""]:
                if token and _phrase_word(token):
                    run.append(token)
                    continue
                if len(run) > 1:
                    _count_grams(run, proper, counts, surface)
                run = []
    in_longer: Counter[tuple[str, ...]] = Counter()  # bigram -> count of its best trigram
    for gram, count in counts.items():
        if len(gram) == 3:
            for part in (gram[:2], gram[1:]):
                in_longer[part] = max(in_longer[part], count)
    return {
        surface[gram]: count
        for gram, count in counts.items()
        if count >= PHRASE_MIN_COUNT and surface[gram].casefold() not in entities and in_longer[gram] < count
    }


def _count_grams(run: list[str], proper: set[str], counts: Counter[tuple[str, ...]],
                 surface: dict[tuple[str, ...], str]) -> None:
    """Count the two- and three-word grams of one run of phrase words that hold a lower-case word."""
    lowered = [t.lower() for t in run]
    starts_lower = [t[0].islower() for t in run]
    for n in (2, 3):
        for i in range(len(run) - n + 1):
            if True in starts_lower[i:i + n]:
                key = tuple(lowered[i:i + n])
                counts[key] += 1
                if key not in surface:
                    surface[key] = " ".join(t if t in proper else t.lower() for t in run[i:i + n])


@lru_cache(maxsize=16384)
def _phrase_word(token: str) -> bool:
    bare = token.lower()
    return (
        _PHRASE_WORD.fullmatch(token) is not None
        and bare not in STOPWORDS
        and bare not in _PARTICLES
        and token not in _MONTHS_DAYS
        and not re.fullmatch(rf"(?:{_SPEECH_AFTER})", bare)
        and len(bare) > 2
    )
