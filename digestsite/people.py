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

Speed: enrichment reads every sentence several times (speakers, tags, the
headline), so sentence splits, mentions and the pieces of capitalised runs are
cached by their text. Some checks take shortcuts: ASCII-only patterns for ASCII
text, a sentence-wide test before the per-name spokesperson patterns, and a
search of only the tail where a match must end. Each shortcut gives exactly what
its plain pattern gives; tests/test_people.py checks them on arbitrary text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress

from .model import Person, Spokesperson, Statement
from .text import IRREGULAR_BASE, STOPWORDS, split_sentences, words

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
UAE|Emirati United_Kingdom|UK|U.K.|Britain|British|Great_Britain Scotland|Scottish Wales|Welsh
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
    Partners Securities Investments Trust Brands Foods Stores Retail Motor Cars Administration Service
    Services Directorate Secretariat Inspectorate Tribunal Embassy Consulate Cabinet Regulator Mission
    Rail Railway Railways Trains Transport Transit Buses Water Utilities Homes Hotels""".split()
)
# Titles that sit before a name; they split "US President Donald Trump" into role + name.
_TITLE_WORDS = frozenset(
    """President Vice Premier Minister Ministers Chancellor Secretary Spokesperson Spokesman Spokeswoman
    Mr Mrs Ms Miss Dr Prof Professor Sir Lord Lady Dame Shri Smt Shrimati Sushri King Queen Prince Princess Pope Judge Justice
    General Gen Senator Sen Rep Representative Governor Mayor Chairman Chairwoman Chair Director
    Ambassador Commissioner CEO Chief Captain Capt Coach Manager Officer Executive Deputy Member Head
    Leader Envoy Councillor Councilor MP MEP MSP Inspector Detective Sergeant Rev Reverend Father
    Bishop Archbishop Cardinal Sheikh Emir Sultan Colonel Col Lieutenant Lt Major Admiral Commander
    Exchequer Foreign Prime Defence Defense Home Interior Finance Trade Commerce Health Education Culture
    Justice Shadow Acting Former Ex Assistant Senior Junior Party Boss Striker Midfielder Defender
    Goalkeeper Star Singer Actor Actress Dean Provost Founder Co-founder Editor Analyst Economist
    Researcher Fellow Lawyer Attorney Counsel Official Premier Treasurer Conservative Labour Tory
    Liberal Democrat Republican Democratic Socialist Independent Speaker Writer Author Novelist Poet
    Playwright Artist Designer Photographer Producer Composer Comedian Presenter Broadcaster Chef
    Entrepreneur Businessman Businesswoman Billionaire Tycoon Banker Scientist Architect Campaigner
    Activist Parliamentary Permanent Magistrate Prosecutor Coroner Solicitor Barrister Superintendent
    Gov Cllr Det Insp Supt Sgt Assemblyman Assemblywoman Congressman Congresswoman Headteacher Sprinter
    Opener Batsman Golfer Cyclist Teacher Principal Headmaster Headmistress Agent""".split()
)
_MONTHS_DAYS = frozenset(
    """January February March April May June July August September October November December Jan Feb
    Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Christmas Easter New Year Spring Summer Autumn Winter""".split()
)
# A month's abbreviation dates only with its day ("Jan 5", "Jan. 5"); before a name word it is a given
# name ("Jan Pieter de Wit" was "Pieter de Wit"). The full months stay dates: "In March Ann Lee said".
_MONTH_ABBREVIATIONS = frozenset("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())
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
_SPOKES_TITLES = ("spokesperson", "spokesman", "spokeswoman", "spokespeople", "press secretary", "press officer")
_SPOKES = rf"(?:{'|'.join(_SPOKES_TITLES)})"

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_CAP = rf"[{_UPPER}][\w'’\-]*"
_PARTICLE_RE = r"(?:von|van|der|den|de|del|della|da|di|du|la|le|bin|ibn|al|dos|das|ter|ten)"
# A capitalised word, an initial ("J. Smith") or a dotted acronym ("U.S."), whole: not "J" and then "Smith".
_RUN_WORD = rf"(?:(?:[{_UPPER}]\.){{2,}}(?![\w'’\-])|[{_UPPER}]\.(?=\s)|{_CAP})"
_RUN = re.compile(
    rf"(?<![\w'’\-.])(?:{_PARTICLE_RE}\s+)*{_RUN_WORD}(?:\s+(?:{_PARTICLE_RE}\s+)*{_RUN_WORD})*"
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_POSSESSIVE_ENDINGS = ("'s", "’s", "'", "’", "\n")  # every string _POSSESSIVE can change ends in one of these
_APPOSITIVE = re.compile(r",\s(?P<appos>(?:also\s)?(?:a|an|the|[a-z][\w\-]*)\s[^,\"“”]{2,160}?),")
# "Dr Ann Lee of the University of Leeds said", '"...," said Professor Ann Lee of Leeds University.':
# the body a speaker works for stands between the name and the speech verb or the sentence's end.
_OF_BODY = rf"\sof\s(?:the\s)?{_CAP}(?:\s(?:(?:of|for|and)\s(?:the\s)?)?{_CAP})*"
_AFTER_SPEECH = re.compile(
    rf"(?:{_OF_BODY})?(?:,\s(?P<appos>[^,\"“”]{{2,160}}?),)?\s(?:(?:has|had|also|further|then|later|again|previously|once|"
    rf"repeatedly|recently|earlier|once)\s)*(?:{_SPEECH_AFTER})\b"
)
_BEFORE_SPEECH = re.compile(rf"\b(?:{_SPEECH_BEFORE})\s$", re.IGNORECASE)
# No _BEFORE_SPEECH match is longer than its longest verb, a space and a final newline.
_BEFORE_SPEECH_CHARS = max(len(verb) for verb in _SPEECH_BEFORE.split("|")) + 2
_OBJECT_BEFORE = re.compile(
    r"\b(?:for|of|to|with|by|from|about|against|than|at|on|in|into|over|under|like|and|or|nor|"
    r"between|behind|beside|toward|towards|without)\s(?:(?:the|a|an)\s)?(?:[{0}][\w.'’\-]*\s)*$".format(_UPPER)
)
_INVERTED_END = re.compile(rf"(?:{_OF_BODY})?\s*(?:[,.;:!?]|$)")
_TRAILING_APPOS = re.compile(r",\s(?P<appos>[^,\"“”]{2,160}?)(?:[,.;]|$)")
# "he said", ', she added': the pronoun at the start or after a space, comma or quote. Only
# ever searched for, never read, so the pronoun's letters are tested first and what comes
# before it is a lookbehind: half the time of trying three openings at every character.
_PRONOUN_SPEECH = re.compile(
    rf"(?=[hs])(?<![^\s,\"”])(?:he|she)\s(?:(?:also|further|then|later|again|once)\s)?(?:{_SPEECH_AFTER})\b",
    re.IGNORECASE,
)
_SPOKES_ANON = re.compile(rf"\bthe\s{_SPOKES}\s(?:(?:also|further|then)\s)?(?:{_SPEECH_AFTER})\b", re.IGNORECASE)
_SPOKES_ANYWHERE = re.compile(_SPOKES, re.IGNORECASE)
_SPOKES_BEFORE_NAME = re.compile(rf"{_SPOKES}\s$", re.IGNORECASE)
_SPOKES_OF_ORG_BEFORE = re.compile(
    rf"\b(?:a|an|the)\s(?:[a-z]+\s)?{_SPOKES}\s(?:for|of|at|with)\s(?:the\s)?(?P<org>[^,]{{2,80}}),\s$", re.IGNORECASE
)
# "The Labour Party's health spokesperson, Ann Lee, said": the possessor is whom she speaks for
_POSSESSOR_SPOKES_BEFORE = re.compile(
    rf"(?P<org>(?:{_CAP}\s){{0,4}}[{_UPPER}][\w\-]*)['’]s\s(?:[a-z]+\s){{0,2}}(?i:{_SPOKES}),\s$"
)
_SPOKES_AFTER_NAME = re.compile(
    rf",\s(?:(?:a|an|the)\s)?(?:(?:chief|senior|deputy|official|chief)\s)?{_SPOKES}\s(?:of|for|at|with)\s"
    rf"(?:the\s)?(?P<org>[^,;:\"“]{{2,80}}?)(?=[,;:.\"“]|\s(?:{_SPEECH_AFTER})\b|$)",
    re.IGNORECASE,
)
_ORG_SPOKES_AFTER_NAME = re.compile(rf",\s(?:(?:a|an|the)\s)?(?P<org>(?:{_CAP}\s){{1,5}}){_SPOKES}\b", re.IGNORECASE)
_SPOKES_MADE = re.compile(r",[^\"“”]*?,\s(?:made|gave|responded|replied)\b")  # ", X, made the remarks"
_TRAILING_CAPITALISED = re.compile(rf"((?:{_CAP}\s+(?:of\s+(?:the\s+)?)?)+)$")
_ROLE_VERB = re.compile(rf"\b(?:{_SPEECH_AFTER}|is|are|was|were|has|have)\b")  # an appositive with a verb is a clause
_CAPITALISED_INSIDE = re.compile(rf"(?<=[\s(\"“‘-]){_CAP}")  # a capitalised word after a space, bracket, quote or dash
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
    titled = _PORTFOLIO_TITLE.search(sentence) is not None  # else no run can follow a portfolio title
    for run in _RUN.finditer(sentence):
        offset = run.start()
        portfolio = _portfolio_before(sentence, offset) if titled else None
        parts = _run_parts(run.group()) if portfolio is None else _portfolio_parts(run.group(), portfolio)
        for text, start, end, prefix in parts:
            result.append(Mention(text, offset + start, offset + end, prefix))
    return tuple(_merge_organisations(sentence, result))


# "Minister of", "Secretary of State for", "Ministry of the": what a portfolio or a body's remit follows.
_PORTFOLIO_BODIES = "Ministry|Department|Office"
_PORTFOLIO_POSTS = "Minister|Secretary|Commissioner"
# "Secretary to the Treasury": a post, never a body, can be "to" its remit. The capitalised words
# before the post ("Chief", "Parliamentary Under-") are checked for titles in ``_portfolio_title``.
_PORTFOLIO_BEFORE = re.compile(
    rf"(?P<lead>(?:\b[A-Z][\w\-]*[\s\-])*)\b(?P<title>(?:(?P<body>{_PORTFOLIO_BODIES})(?: of State)? (?:of|for)|"
    rf"(?:{_PORTFOLIO_POSTS})(?: of State)? (?:of|for|to))(?: the)?) $"
)
_PORTFOLIO_TAIL = 60  # characters before a run that can hold the longest _PORTFOLIO_BEFORE
_PORTFOLIO_TITLE = re.compile(f"{_PORTFOLIO_BODIES}|{_PORTFOLIO_POSTS}")  # in a sentence at all


def _portfolio_before(sentence: str, offset: int) -> re.Match[str] | None:
    """The title or body right before the run at ``offset`` whose portfolio the run names, if any."""
    if not sentence.endswith(("of ", "for ", "to ", "of the ", "for the ", "to the "), 0, offset):
        return None  # nearly every run: no pattern below can match
    return _PORTFOLIO_BEFORE.search(sentence[max(0, offset - _PORTFOLIO_TAIL):offset])


def _portfolio_parts(run: str, portfolio: re.Match[str]) -> tuple[tuple[str, int, int, str], ...]:
    """``_run_parts`` for a run that names a portfolio. After a body, the body's name whatever
    title words it holds ("Ministry of Foreign Affairs"), then a person after a title of theirs
    ("Ministry of Commerce Spokesperson Ann Lee"). After a title, only the person named at the
    end, with the title and portfolio as the prefix ("Minister of Agriculture Petra Novak"), or
    nothing when it names no one."""
    tokens = _run_tokens(run)
    split = _titled_name(tokens)
    if portfolio.group("body"):
        body, titles, name = split if split is not None and split[1] else (tokens, [], [])
        found = [_mention(body, [])] + ([_mention(name, [t for t, _, _ in titles])] if name else [])
    elif split is not None:
        title = f"{_portfolio_title(portfolio)} {' '.join(t for t, _, _ in tokens[:-len(split[2])])}"
        found = [_mention(split[2], [title])]
    else:
        found = []
    return tuple((m.text, m.start, m.end, m.prefix) for m in found if m.text)


def _portfolio_title(portfolio: re.Match[str]) -> str:
    """The post's title with the title words right before it: "Chief Secretary to the",
    "Parliamentary Under-Secretary of State for"."""
    lead = re.split(r"(?<=[\s\-])", portfolio.group("lead"))[:-1]  # each word with its space or hyphen
    cut = len(lead)
    while cut and (lead[cut - 1].endswith("-") or _is_title(lead[cut - 1].rstrip())):  # "Under-", "Chief "
        cut -= 1
    return "".join(lead[cut:]) + portfolio.group("title")


# Title words that name a portfolio ("Health Secretary"), not a post: after "Ministry of" they
# belong to the body's name ("Ministry of Commerce Spokesperson ...").
_PORTFOLIO_WORDS = frozenset("Exchequer Foreign Defence Defense Home Interior Finance Trade Commerce Health "
                             "Education Culture Justice".split())


def _names_body(words_: Sequence[str], at: int) -> bool:
    """Whether the portfolio word at ``at`` is part of a body's name ("Home Office", "Foreign
    Ministry", "Health Protection Agency", "Clearwater Health System") rather than a post
    ("Home Secretary", "Chancellor of the Exchequer Gordon Brown")."""
    if words_[at] not in _PORTFOLIO_WORDS or at + 1 >= len(words_):
        return False
    following = _strip_possessive(words_[at + 1])
    if following in _ORG_WORDS:
        return True
    if _is_title(following):
        return False  # "Health Secretary", "Foreign Minister"
    # a name word before it ("Clearwater Health ...") or an organisation word ending the run
    # ("Health Protection Agency"): a name, and no post, goes on after the portfolio word
    previous = words_[at - 1] if at else ""
    named_before = (previous[:1].isupper() and not previous.endswith(_POSSESSIVE_ENDINGS) and not _is_title(previous)
                    and previous not in _ORG_WORDS and previous.lower() not in STOPWORDS)
    return named_before or _strip_possessive(words_[-1]) in _ORG_WORDS


def _is_title(token: str) -> bool:
    """A title word ("President", "Health", "Labour's", "Under-Secretary") or a spokesperson word."""
    bare = _strip_possessive(token)
    return bare in _TITLE_WORDS or token.lower() in _SPOKES_WORDS or "-" in bare and bare.rsplit("-", 1)[1] in _TITLE_WORDS


def _is_person_title(token: str) -> bool:
    """A title that names a post, not a portfolio."""
    return _is_title(token) and _strip_possessive(token) not in _PORTFOLIO_WORDS


# Adjectives that open a remit and want a noun after them ("Foreign Affairs", "Economic Development").
_ATTRIBUTIVE_WORDS = frozenset("""Foreign Home Internal External International National Federal Regional Local
    Economic Social Public Rural Urban Special Northern Southern Eastern Western Central European""".split())


def _titled_name(tokens: list[tuple[str, int, int]]) -> tuple[list, list, list] | None:
    """A run that ends in a full name of two or three words: (the words before its titles, the
    title words right before the name, the name), or None."""
    for size in (3, 2):
        if size == 3 and len(tokens) > size and tokens[-4][0] in _ATTRIBUTIVE_WORDS:
            continue  # "Minister for International Affairs Kenji Morita": the adjective's noun is no given name
        if len(tokens) > size and is_full_name(" ".join(t for t, _, _ in tokens[-size:])):
            head = tokens[:-size]
            cut = len(head)
            while cut and _is_person_title(head[cut - 1][0]):
                cut -= 1
            return head[:cut], head[cut:], tokens[-size:]
    return None


@lru_cache(maxsize=65536)
def _run_parts(run: str) -> tuple[tuple[str, int, int, str], ...]:
    """(text, start, end, prefix) of the mentions in one capitalised run, offsets within the run.

    Cached by the run's text: the same runs ("China", "Foreign Ministry
    spokesperson Mao Ning") recur in sentence after sentence.
    """
    return tuple((m.text, m.start, m.end, m.prefix) for m in _split_run(_run_tokens(run)))


def _run_tokens(run: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of each whitespace-separated word of a capitalised run."""
    tokens = []
    at = 0
    for word in run.split():
        at = run.index(word, at)  # only whitespace lies between words, so this is the word itself
        tokens.append((word, at, at + len(word)))
        at += len(word)
    return tokens


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
    if connector == " & ":  # "Marlow & Finch", "Procter & Gamble": one firm's name; "Ann Lee & Tom Ray" two people
        return not (is_full_name(left) and is_full_name(right))
    if connector in (" of ", " of the ", " for ", " for the "):
        return left.rsplit(" ", 1)[-1] in _ORG_WORDS or (
            connector.startswith(" of ") and _runs_past_its_body(left) and right not in _COUNTRIES)
    if connector == " and ":
        if left.startswith(_REMIT_OPENINGS) and not is_full_name(right) and right not in _COUNTRIES:
            return True  # a remit of two parts: "Ministry of Culture" + "and" + "Tourism"
        return right.rsplit(" ", 1)[-1] in _ORG_WORDS and left not in _COUNTRIES and not is_full_name(left)
    return False


_BODY_CONNECTOR = re.compile(r" (?:of|for)(?: the)? ")


def _runs_past_its_body(name: str) -> bool:
    """Whether a name goes on past its organisation word ("Organisation for the Prohibition"), so
    that an "of" after it goes on too ("... of Chemical Weapons", "Institute for the Study of War")."""
    head = _BODY_CONNECTOR.split(name, 1)[0]
    return head != name and head.rsplit(" ", 1)[-1] in _ORG_WORDS


_REMIT_OPENINGS = tuple(f"{body} {joint} " for body in _PORTFOLIO_BODIES.split("|") for joint in ("of", "for"))


@lru_cache(maxsize=1024)
def sentences_of(text: str) -> tuple[str, ...]:
    """``split_sentences``, cached: every pass over an article splits the same paragraphs."""
    return tuple(split_sentences(text))


# Title words that also end names when no name follows them: "Green Party", "Mervyn King",
# "Half-Blood Prince", "Energy Star", "Football Manager", "Warrior Poet".
_NAME_FINAL_TITLES = frozenset("Party Prince Princess King Star Poet Billionaire Manager Executive Home".split())


def _split_run(tokens: list[tuple[str, int, int]]) -> list[Mention]:
    parts: list[Mention] = []
    current: list[tuple[str, int, int]] = []
    prefix: list[str] = []
    words_ = [word for word, _, _ in tokens]
    for at, token in enumerate(tokens):
        last = token is tokens[-1]
        possessive = not last and token[0].endswith(("'s", "’s"))  # "Labour's Robin Cook"
        ends_name = last and bool(current) and _strip_possessive(token[0]) in _NAME_FINAL_TITLES
        if possessive and len(current) >= 1 and is_full_name(" ".join(t for t, _, _ in current) + " " + _strip_possessive(token[0])):
            # "Spokesperson Lin Wei's press conference": a full name as the possessor is a name of
            # its own (with the role before it), and it, not the role, stands before what follows
            parts.append(_mention(current + [token], prefix))
            prefix = [t for t, _, _ in current] + [token[0]]
            current = []
            continue
        if possessive or _is_title(token[0]) and not ends_name and not _names_body(words_, at):
            if current:
                prefix = prefix + [t for t, _, _ in current] + [token[0]] if not parts else prefix + [token[0]]
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
    while tokens and (tokens[0][0].lower() in STOPWORDS and not _word_family_name(tokens)
                      or tokens[0][0] in _MONTHS_DAYS and not _abbreviation_as_given_name(tokens)
                      or tokens[0][0] in _OPENERS):
        tokens = tokens[1:]
    while tokens and (tokens[-1][0] in _MONTHS_DAYS or tokens[-1][0].lower() in _PARTICLES):
        tokens = tokens[:-1]
    if not tokens:
        return Mention("", 0, 0, "")
    text = " ".join(t for t, _, _ in tokens)
    return Mention(_strip_possessive(text), tokens[0][1], tokens[-1][2], " ".join(prefix))


def _abbreviation_as_given_name(tokens: list[tuple[str, int, int]]) -> bool:
    """Whether the run opens with a month's abbreviation before a name word: a given name ("Jan Smit")."""
    return len(tokens) > 1 and tokens[0][0] in _MONTH_ABBREVIATIONS and _is_name_token(tokens[1][0])


def _word_family_name(tokens: list[tuple[str, int, int]]) -> bool:
    """Whether the run opens with a Chinese family name that is also an English word, before a
    given name ("He Yadong"): the pronoun is never followed by a capitalised name."""
    return len(tokens) > 1 and tokens[0][0] in _CHINESE_SURNAMES and _is_name_token(tokens[1][0])


def _strip_possessive(text: str) -> str:
    # the endswith test skips the regex for the many words that cannot match it
    # ("\n" because ``$`` also matches before a final newline)
    if len(text) > 2 and text.endswith(_POSSESSIVE_ENDINGS):
        return _POSSESSIVE.sub("", text)
    return text


@lru_cache(maxsize=65536)  # names recur across a whole archive
def is_full_name(text: str) -> bool:
    """Two to five tokens that look like a personal name (no org, place, title or date words)."""
    tokens = text.split()
    core = [t for t in tokens if t.lower() not in _PARTICLES]
    if not 2 <= len(core) <= 4 or len(tokens) > 5:
        return False
    if len(core[0]) == 1 and len(core[1].rstrip(".")) > 1:
        return False  # a lone initial before a surname is a line-up's "C Sweeney"; "J P Nadda" has two
    first_ok = _is_name_token(core[0]) or core[0] in _CHINESE_SURNAMES and core[0].lower() in STOPWORDS  # "He Yadong"
    return first_ok and all(_is_name_token(t) for t in core[1:]) and any(len(t) > 2 for t in core)  # not initials alone


@lru_cache(maxsize=16384)
def _is_name_token(token: str) -> bool:
    if token.endswith(".") and len(token) == 2 or len(token) == 1:
        return token[0].isupper() and token != "A" and token != "I"  # an initial: "J. K. Rowling", "J P Nadda"
    return (
        token[:1].isupper()
        and any(map(str.islower, token))
        and not any(map(str.isdigit, token))
        and token not in _ORG_WORDS
        and token not in _TITLE_WORDS
        and (token not in _MONTHS_DAYS or token in _MONTH_ABBREVIATIONS)  # see _MONTH_ABBREVIATIONS
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
    roles: dict[str, str] = field(default_factory=dict)  # from an appositive: "Ann Lee, a professor at ..."
    titles: dict[str, str] = field(default_factory=dict)  # from the title before a name, when no role
    spokes: dict[str, str] = field(default_factory=dict)  # name -> organisation
    spoken: set[str] = field(default_factory=set)
    acronyms: dict[str, str] = field(default_factory=dict)
    clock: int = 0
    # casefolded surname (``surname_key``) or last word -> the names it can refer to
    by_surname: dict[str, list[str]] = field(default_factory=dict)

    def see(self, name: str) -> None:
        if name not in self.recency:
            self.names.append(name)
            for key in {surname_key(name), name.split()[-1].casefold()}:
                self.by_surname.setdefault(key, []).append(name)
        self.clock += 1
        self.recency[name] = self.clock

    def resolve(self, text: str) -> str:
        """A full name for a mention: itself if full, else the best earlier name with that surname."""
        if is_full_name(text) and text in self.recency:
            return text
        candidates = self.by_surname.get(text.casefold())
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
        Person(n, registry.roles.get(n) or registry.titles.get(n, ""))
        for n in registry.names if n in registry.spoken and n not in registry.spokes
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
        if mention.prefix and before.endswith(f"{mention.prefix} "):
            # the title is the speaker's own: "Secretary of State for Transport Ann Lee said", 'said Dr Ann Lee'
            before = before[: -len(mention.prefix) - 1]
        before = _without_dotted_address(before)  # 'said Dr. Ann Lee'
        said_after = _AFTER_SPEECH.match(after) or _named_in_apposition(before, after)
        if said_after and (_is_object(sentence, mention, before)  # "a spokesman for Mr X warned"
                           or _names_a_thing(said_after.group("appos"))):
            said_after = None
        # 'said Solara chief executive Tom Brandt' (a capitalised title is the mention's prefix)
        title = "" if mention.prefix else _title_after_speech(before)
        said_before = (_speech_before(before) or title) and _INVERTED_END.match(after)  # '"...," said X.'
        if said_after or said_before or name in registry.spokes and _spokes_made(after):
            speaker = name
            appos = said_after.group("appos") if said_after and said_after.group("appos") else (
                _trailing_appos(before, after) or title)
            _note_role(registry, name, appos)
    return speaker


# "His lawyer, Andrew Pike, said", "Outside court, her solicitor, Mark Delaney, said": the name set
# off by commas after the noun it names, then the speech verb. The noun phrase opens the sentence
# or a clause after a comma, starts with a determiner or a possessor, and holds at most three
# lower-case words and no preposition but "of" before a field ("Its head of research, X, said"):
# "The lawyer for her husband, John Smith, said" quotes the lawyer, not the husband; "One of the
# victims" is the exception.
_APPOSED_NOUN = re.compile(
    r"(?:^|,\s)(?:(?:[Tt]he|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir|[Oo]ne\sof\s(?:the|his|her|its|their))\s|[A-Z][\w\-]*['’]s\s)"
    r"(?:[a-z][\w\-]*['’]s\s)?(?P<noun>(?:[a-z][\w\-]*\s){0,2}[a-z][\w\-]*),\s$"
)
_APPOSED_SPEECH = re.compile(rf"(?P<appos>),\s(?:(?:also|later|then)\s)?(?:{_SPEECH_AFTER})\b")
_APPOSED_TAIL = 80  # characters before a name that can hold the longest _APPOSED_NOUN


def _named_in_apposition(before: str, after: str) -> re.Match[str] | None:
    """The speech verb after a name set off by commas after the noun it names, or None."""
    if not (before.endswith(", ") and after.startswith(", ")):
        return None  # nearly every name: no pattern below can match
    noun = _APPOSED_NOUN.search(before, max(0, len(before) - _APPOSED_TAIL))
    if noun is None or _OBJECT_BEFORE.search(noun.group("noun") + " ") or any(
            w in _PREPOSITIONS and w != "of" for w in noun.group("noun").split()):
        return None  # "of" between two of at most three words names a field ("head of research")
    return _APPOSED_SPEECH.match(after)


_PREPOSITIONS = frozenset("for of to with by from about against than at on in into over under like and or nor "
                          "between behind beside toward towards without who which that".split())


def _is_object(sentence: str, mention: Mention, before: str) -> bool:
    """Whether the name is a possessive or the object of a preposition, so not the one speaking
    (``before``: the text before the name and its title)."""
    possessive = sentence[mention.end - 2: mention.end] in ("'s", "’s") or sentence[mention.end - 1: mention.end] in ("'", "’")
    return possessive or _OBJECT_BEFORE.search(before) is not None


# Every pattern that looks around a name reaches well under this many characters
# (an appositive of 160, an organisation of 80); a longer window only costs time,
# and a sentence of a megabyte with a name every few words would take hours.
CONTEXT_CHARS = 400


def _context(sentence: str, mention: Mention) -> tuple[str, str]:
    """The text just before and just after a mention, at most ``CONTEXT_CHARS`` each."""
    return (sentence[max(0, mention.start - CONTEXT_CHARS): mention.start],
            sentence[mention.end: mention.end + CONTEXT_CHARS])


def _names_a_thing(appos: str | None) -> bool:
    """Whether the words set off after a name open a relative clause on "which": it qualifies a
    thing ("Riverside Water, which runs the works, said"); a person takes "who"."""
    return appos is not None and appos.startswith("which ")


def _spokes_made(after: str) -> bool:
    return _SPOKES_MADE.match(after) is not None


def _speech_before(before: str) -> bool:
    """Whether ``before`` ends in a speech verb ('"...," said' or "according to")."""
    # A match ends at the end of ``before``, so only its last few characters need
    # searching; ``\b`` still sees the character before ``pos``, so nothing changes.
    return _BEFORE_SPEECH.search(before, max(0, len(before) - _BEFORE_SPEECH_CHARS)) is not None


_DOTTED_ADDRESS = re.compile(r"(?<![\w.])(?:Mr|Mrs|Ms|Dr|Prof|Rev|Smt|Sr|Jr)\.\s$")


def _without_dotted_address(before: str) -> str:
    """``before`` less a title of address written with a stop ("Dr. ", "Mrs. "), which ends the
    capitalised run before the name rather than joining it as "Dr" does."""
    if not before.endswith(". "):
        return before
    match = _DOTTED_ADDRESS.search(before, max(0, len(before) - 6))
    return before[: match.start()] if match else before


# '"...," said Solara chief executive Tom Brandt.': a speech verb, then the speaker's post in
# words of their own (lower-case title words, the organisation's capitalised name, "the" and
# possessives), then the name.
_SPEECH_THEN_TITLE = re.compile(rf"\b(?:{_SPEECH_BEFORE})\s(?P<title>(?:[\w'’.\-]{{1,30}}\s){{1,6}})$", re.IGNORECASE)
# No _SPEECH_THEN_TITLE match is longer than this: "according to", six words and their spaces.
_TITLE_TAIL_CHARS = len("according to ") + 6 * 31 + 1


def _title_after_speech(before: str) -> str:
    """The post between a speech verb and the name ("Solara chief executive"), or ""."""
    if not before.endswith(" ") or before.endswith(("said ", "says ", "added ")):
        return ""  # the cheap answer for most names (no post ends in a speech verb)
    return _matched_post(_SPEECH_THEN_TITLE.search(before, max(0, len(before) - _TITLE_TAIL_CHARS))) \
        or _description_after_quote(before)


# '"I waited an hour," said resident Ann Lee': after a quotation closed by its attribution the
# speech verb's subject follows, so a lower-case noun or two before the name describe the speaker.
_QUOTE_THEN_DESCRIPTION = re.compile(r"[,!?][\"”’']\s(?:said|says|added)\s(?P<noun>[a-z][a-z\-]+(?:\s[a-z][a-z\-]+)?)\s$")


def _description_after_quote(before: str) -> str:
    """The speaker's description between a quotation's speech verb and the name, or ""."""
    match = _QUOTE_THEN_DESCRIPTION.search(before, max(0, len(before) - _TITLE_TAIL_CHARS))
    if match is None or any(word in STOPWORDS for word in match.group("noun").split()):
        return ""  # "said on Tuesday", "said that": no description
    return match.group("noun")


def _matched_post(match: re.Match[str] | None) -> str:
    """The post a ``title`` group holds (after a speech verb, or before a name), or "" when
    its words are not a post's."""
    if match is None:
        return ""
    words_ = match.group("title").split()
    if not _is_title(words_[-1].capitalize()):
        return ""  # the post ends next to the name: "chief executive", "spokeswoman", "Mayor"
    for word in words_:
        bare = _strip_possessive(word)
        if not (bare[:1].isupper() or _is_title(bare.capitalize()) or word == "the" or bare != word):
            return ""  # "said on Tuesday that", "said the company had hired": not a post
    return " ".join(words_[1:] if words_[0].lower() == "the" else words_)


def _trailing_appos(before: str, after: str) -> str:
    if not _speech_before(before):
        return ""
    match = _TRAILING_APPOS.match(after)
    return match.group("appos") if match else ""


def _register(sentence: str, mention: Mention, registry: _Registry) -> str:
    """Record a mention (a new full name, a spokesperson, a role); return its full name or ""."""
    text = mention.text
    if is_full_name(text) and _after_article(sentence, mention):
        return ""  # "The Pay Review Body said": nobody's name follows "the"
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
    organisation = _spokesperson_org(before, after, registry) if _names_spokesperson(sentence) else None
    if organisation is not None and (name not in registry.spokes or not registry.spokes[name]):
        registry.spokes[name] = organisation
    appos = _APPOSITIVE.match(after)
    if appos and name not in registry.roles:
        _note_role(registry, name, appos.group("appos"))
    if mention.prefix and not registry.titles.get(name):
        registry.titles[name] = _prefix_role(mention.prefix)
    elif not mention.prefix and not registry.titles.get(name) and before.endswith(", "):
        registry.titles[name] = _preposed_title(before)
    elif not mention.prefix and not registry.titles.get(name) and before.endswith(" "):
        registry.titles[name] = _post_before_name(before)
    return name


def _after_article(sentence: str, mention: Mention) -> bool:
    """Whether "the" stands right before the mention: a body's name or a thing's, as a person's
    name takes no article (a title may: "the Prime Minister Ann Lee" has one as its prefix)."""
    return not mention.prefix and sentence[max(0, mention.start - 4):mention.start].lower() == "the "


# "Conservative leader Michael Howard said", "the Chelsea boss Jose Mourinho": an organisation's
# capitalised name and a post in lower-case title words, right before the name, opening the
# sentence, a quotation closed by its attribution ('"...," England coach X said') or after "the"
# (mid-sentence a capitalised run may belong to the words before it).
_POST_BEFORE_NAME = re.compile(
    r"(?:^|(?<=^[\"“‘(])|(?<=[,!?][\"”’]\s)|(?<=\b[Tt]he\s))(?P<title>(?:[A-Z][\w'’&.\-]*\s){1,3}(?:[a-z][\w\-]*\s){1,2})$"
)


def _post_before_name(before: str) -> str:
    """The post in words of its own right before a name ("Conservative leader "), or ""."""
    if not before[-2:-1].islower():
        return ""  # the cheap answer for most names: no lower-case word before them
    match = _POST_BEFORE_NAME.search(before, max(0, len(before) - 90))
    if match is None or match.group("title").split(" ", 1)[0].lower() in _PREPOSITIONS | _SENTENCE_OPENERS:
        return ""
    return _matched_post(match)


_SENTENCE_OPENERS = frozenset("the a an this that these those his her its their my our your as when while after before if but and so".split())


# "The Foreign Secretary, Catherine Ashdown, said": a title set before the name, between commas.
_PREPOSED_TITLE = re.compile(
    r"(?:^|(?<=\s))(?P<determiner>(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)\s)?"
    r"(?P<title>(?:[\w'’\-]+\s){0,4}[\w'’\-]+),\s$"
)


def _preposed_title(before: str) -> str:
    """The post in a title set before a name ("The Foreign Secretary, "), or "": its last word
    must be a title ("the company's chief executive, "), and it must follow a determiner or open
    the sentence."""
    match = _PREPOSED_TITLE.search(before, max(0, len(before) - 80))
    if match is None or match.start() > 0 and not match.group("determiner"):
        return ""  # no determiner and not the sentence's start: "Speaking in Paris, Ann Lee"
    title = match.group("title")
    if title.split(" ", 1)[0].lower() in _PREPOSITIONS | {"as"}:
        return ""  # "As a solicitor, Ann Lee represented ...": a phrase of its own, not a title set before her name
    return title if _is_person_title(title.rsplit(" ", 1)[-1].capitalize()) else ""


# Titles of address: they say who someone is to the writer, not what they do.
_ADDRESS_TITLES = frozenset("Mr Mrs Ms Miss Dr Prof Sir Lady Lord Dame Rev Reverend Shri Smt Shrimati Sushri".split())


def _prefix_role(prefix: str) -> str:
    """The role in the title words before a name ("US President", "Minister of Agriculture"),
    or "" when they only address ("Mr", "Dr") or name a party ("Labour's"). An appositive's
    role, when the article gives one, is preferred: it introduces the person on purpose."""
    words_ = [w for w in prefix.split() if w not in _ADDRESS_TITLES]
    owners = [i for i, w in enumerate(words_) if w.endswith(("'s", "’s", "s'", "s’"))]
    if owners:  # "Moazzam Begg's Labour MP": the post is what follows its owner
        words_ = words_[owners[-1] + 1:]
    while words_ and (words_[0].lower() in STOPWORDS or words_[0] in _MONTHS_DAYS or words_[0] in _OPENERS):
        words_ = words_[1:]  # "On Tuesday Foreign Secretary": the time is no part of the post
    if not any(map(_is_person_title, words_)):
        return ""
    return " ".join(words_)


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
    match = _SPOKES_OF_ORG_BEFORE.search(before) or _POSSESSOR_SPOKES_BEFORE.search(before)
    if match:
        return _organisation(match.group("org"), registry)
    match = _SPOKES_AFTER_NAME.match(after) or _ORG_SPOKES_AFTER_NAME.match(after)
    if match:
        return _organisation(match.group("org"), registry)
    return None


@lru_cache(maxsize=1024)
def _names_spokesperson(sentence: str) -> bool:
    """Whether the sentence has a spokesperson word at all; without one no spokesperson pattern can match.

    Checked once per sentence instead of in the context of every name in it.
    """
    if sentence.isascii():  # then IGNORECASE is plain lower-casing, and substring tests are much faster
        lowered = sentence.lower()
        # every title starts "spokes" or "press "; most sentences have neither, and two tests settle them
        return ("spokes" in lowered or "press " in lowered) and any(title in lowered for title in _SPOKES_TITLES)
    return _SPOKES_ANYWHERE.search(sentence) is not None


def _trailing_run(text: str) -> str:
    """The capitalised words right at the end of ``text`` ("... Chinese Foreign Ministry ")."""
    match = _TRAILING_CAPITALISED.search(text)
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
        if "(" not in text:
            continue  # no definition without brackets; most paragraphs have none
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
    if _ROLE_VERB.search(role) or len(role.split()) > 20 or opens_participle_clause(role):
        return ""
    if not any(not w.isdigit() and (len(w) > 2 or w.isupper()) and w.lower() not in _NOT_ROLE_WORDS
               for w in words(role)):
        return ""  # ", however,", ", 50,", ", for example,": an aside or an age, not a role
    return role


# What follows a participle that opens a clause rather than a post: "returning to the ground",
# "speaking at the launch", "leaving the court" (a post reads "managing director", "outgoing chair").
_CLAUSE_AFTER_PARTICIPLE = frozenset("to at in on from for after into with by about the a an his her their its".split())


def opens_participle_clause(text: str) -> bool:
    """", returning to the City Ground for the first time," tells what someone did, not who they are."""
    first, _, rest = text.partition(" ")
    return first.endswith("ing") and rest.split(" ", 1)[0] in _CLAUSE_AFTER_PARTICIPLE


# Words no role is made of alone: stop words and asides (", however,", ", for example,").
_NOT_ROLE_WORDS = STOPWORDS | frozenset(
    "however though meanwhile therefore instead indeed nevertheless nonetheless example too".split()
)


MAX_PRONOUN_GAP = 2  # paragraphs between a named statement and "she said"; further back is a guess


def _implicit_speaker(sentence: str, registry: _Registry, previous: str, last: str, gap: int) -> str:
    """A speaker not named in the sentence: a pronoun, "the spokesperson", or a continued quote."""
    if last and gap <= MAX_PRONOUN_GAP and _PRONOUN_SPEECH.search(sentence) and _latest(registry) == last \
            and not _new_names(sentence, registry):
        return last
    if _names_spokesperson(sentence) and _SPOKES_ANON.search(sentence):
        named = [n for n in registry.spokes]
        return named[0] if len(named) == 1 else ""
    if registry.titles or registry.roles:
        titled = _titled_speaker(sentence, registry)
        if titled:
            return titled
    if previous and sentence[:1] in "\"“":
        return previous
    return ""


# "the Foreign Secretary said", "the minister added": a speaker named by their post alone. The
# "the" must open the sentence or follow a space, comma or quote (``_title_speech``): a
# lookbehind in the pattern would make every search two and a half times slower.
_TITLE_SPEECH = re.compile(
    rf"[Tt]he\s(?P<title>(?:[\w\-]+\s){{1,3}}?)(?:(?:also|further|then|later)\s)?(?:{_SPEECH_AFTER})\b"
)


def _title_speech(sentence: str) -> re.Match[str] | None:
    """The first ``_TITLE_SPEECH`` match whose "the" is a word of its own."""
    match = _TITLE_SPEECH.search(sentence)
    while match is not None and match.start() and sentence[match.start() - 1] not in " \t\n,\"“":
        match = _TITLE_SPEECH.search(sentence, match.start() + 1)
    return match


def _titled_speaker(sentence: str, registry: _Registry) -> str:
    """The one person whose known role or title holds every word of the post the sentence's
    speaker is named by, or "" (no such reference, or it fits nobody or several)."""
    match = _title_speech(sentence)
    if match is None:
        return ""
    post = match.group("title").split()
    if not all(_is_title(word.capitalize()) for word in post):
        return ""  # "the company said", "the report warned"
    wanted = {word.casefold() for word in post}
    fitting = [name for name in registry.names
               if wanted <= set(f"{registry.roles.get(name, '')} {registry.titles.get(name, '')}".casefold().split())]
    return fitting[0] if len(fitting) == 1 else ""


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
    _fold_short_forms(counts, in_lede, set(names.values()))
    phrases = _key_phrases(paragraphs, {e.casefold() for e in counts}, capitalised_inside)
    # a spokesperson's organisation is whom the story is told by, not what it is about
    sources = {s.organisation for s in speakers.spokespersons}
    salience = {e: c + (LEDE_BONUS if e in in_lede else 0) for e, c in counts.items()
                if (c >= MIN_MENTIONS or (e in in_lede and (" " in e or e in _COUNTRY_NAMES))) and e not in sources}
    salience.update(phrases)
    ranked = sorted(salience, key=lambda e: (-salience[e], e.casefold(), e))
    return ranked[:MAX_TAGS]


def _fold_short_forms(counts: Counter[str], in_lede: set[str], people: set[str]) -> None:
    """Count "Solara" and "Harbor Foods" as the "Solara Energy" and "Harbor Foods Inc" the
    lede introduced: an organisation's short form is the start of its full name, as a
    person's is the end. Only a full name from the lede that ends in an organisation word, a
    short form the lede does not use on its own (a story about "Leicester" that mentions
    "Leicester City" keeps the city), and exactly one full name that starts so ("Manchester"
    stays itself beside "Manchester United" and "Manchester City"); never a country or a person."""
    owners: dict[str, list[str]] = {}  # a short form -> the full names it starts
    for entity in in_lede:
        words_ = entity.split(" ")
        if len(words_) > 1 and entity in counts and entity not in people and words_[-1].rstrip(".") in _ORG_WORDS:
            for size in range(1, len(words_)):
                owners.setdefault(" ".join(words_[:size]), []).append(entity)
    for short in list(counts):
        full = owners.get(short, ())
        if len(full) == 1 and short not in _COUNTRY_NAMES and short not in people and short not in in_lede:
            counts[full[0]] += counts.pop(short)


def _capitalised_inside(paragraphs: Sequence[tuple[int, str]]) -> set[str]:
    """Words that appear capitalised somewhere other than at a sentence start (proper nouns)."""
    written: set[str] = set()
    for _, text in paragraphs:
        for sentence in sentences_of(text):
            # from index 2: as if on sentence[1:], where the lookbehind cannot see sentence[0], without the copy
            written.update(_CAPITALISED_INSIDE.findall(sentence, 2))
    return {_strip_possessive(word.strip("-")) for word in written}  # each distinct word once


# "..., the Xinhua News Agency reported." ends a sentence with the outlet that carried the news.
_REPORTED_END = re.compile(r"\s(?:has\s|had\s)?reported[\s.,;:!?\"”’')]*$")


def _carried_the_news(sentence: str, mention: Mention) -> bool:
    """Whether the mention is the outlet a sentence's news is credited to: whom the story is
    told by, like a spokesperson's organisation, not what it is about."""
    return _REPORTED_END.match(sentence, mention.end) is not None


_POSTS_AFTER = tuple(f" {post}" for post in _PORTFOLIO_POSTS.split("|"))


def _portfolio_of_post(sentence: str, mention: Mention) -> bool:
    """"External Affairs" in "External Affairs Minister S. Jaishankar": the remit of a post,
    which names no body or place (those stay: "European Commission President", "Scotland
    Secretary"); a person's name never stands right before a post."""
    if not sentence.startswith(_POSTS_AFTER, mention.end):
        return False
    return not (mention.text in _COUNTRIES or any(w in _COUNTRIES or w in _ORG_WORDS for w in mention.text.split()))


def _body_by_its_kind(sentence: str, mention: Mention) -> bool:
    """"the State", "the Bank", "the Institute": a body called by the kind of body it is, which
    many house styles capitalise; the word alone names nothing a reader could look up."""
    return (mention.text in _ORG_WORDS and not mention.text.endswith("s")
            and sentence[max(0, mention.start - 5): mention.start].lower().endswith((" the ", "the ")))


def _unit_of_a_number(sentence: str, mention: Mention) -> bool:
    """"Rs 9 crore", "Sh 500": an abbreviated currency or unit before a number, capitalised but
    no name (an acronym in capitals, "UK 5G", stays)."""
    text = mention.text
    return len(text) <= 3 and not text.isupper() and sentence[mention.end: mention.end + 2][1:].isdigit() \
        and sentence.startswith(" ", mention.end)


def _entities(sentence: str, names: dict[str, str], proper: set[str]) -> list[str]:
    found: list[str] = []
    previous: list[str] = []
    reported = "reported" in sentence
    for mention in mentions(sentence):
        if reported and _carried_the_news(sentence, mention) or _portfolio_of_post(sentence, mention) \
                or _body_by_its_kind(sentence, mention) or _unit_of_a_number(sentence, mention):
            continue
        named = _entity(mention, names, proper)
        if mention.prefix:  # "European Commission President X": the body counts once, not again as a title
            named += [e for e in _prefix_entities(mention.prefix) if e not in previous]
        found += named
        previous = named
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
    """From "European Commission President" keep the organisation, from "US President" the country.

    A body is the words between two titles, not words picked from either side of one ("Union
    Minister of State for Railways" names no "Union of State for Railways")."""
    entities = []
    for tokens in _untitled_stretches(prefix.split()):
        while tokens and tokens[0].islower():  # "President of the European Commission"
            tokens = tokens[1:]
        if any(t in _ORG_WORDS for t in tokens) and len(tokens) >= 2:
            entities.append(" ".join(tokens))
        else:
            entities += [_COUNTRIES[t] for t in tokens if t in _COUNTRIES]
    return entities


def _untitled_stretches(words_: list[str]) -> list[list[str]]:
    """The stretches of a title's words between its title words."""
    stretches: list[list[str]] = [[]]
    for at, word in enumerate(words_):
        if word in _TITLE_WORDS and not _names_body(words_, at) or _in_of_state(words_, at):
            stretches.append([])
        else:
            stretches[-1].append(word)
    return [stretch for stretch in stretches if stretch]


def _in_of_state(words_: list[str], at: int) -> bool:
    """Whether the word is in an "of State" after a title word: part of the post ("Secretary of
    State", "Minister of State for Railways"), naming no body."""
    first = at - (words_[at] == "State")
    return (0 < first and words_[first - 1] in _TITLE_WORDS
            and words_[first: first + 2] == ["of", "State"])


# Words (letters, digits, apostrophes, hyphens) and the punctuation between them; a phrase never spans punctuation.
_PHRASE_TOKEN = re.compile(r"[\w'’\-]+|[^\w\s'’\-]+")
# The same for ASCII text, where \w is [A-Za-z0-9_] and \s is \t-\r, \x1c-\x1f and space: plain classes test faster.
_ASCII_PHRASE_TOKEN = re.compile(r"[A-Za-z0-9_'\-]+|[^A-Za-z0-9_'\-\t-\r\x1c-\x20]+")
_PHRASE_WORD = re.compile(r"[A-Za-z][a-z\-]+|[A-Z]{2,}")
_SPEECH_VERB = re.compile(rf"(?:{_SPEECH_AFTER})")
_Gram = tuple[str, ...]  # the words of a two- or three-word phrase
# Where in the _phrase_kind letters a gram that counts starts: n phrase words, not all capitalised.
_GRAM_START = {n: re.compile(rf"(?=[lu]{{{n}}})(?!{'u' * n})[lu]") for n in (2, 3)}
_START_TO_BYTE = str.maketrans({"l": "\0", "u": "\0", ".": "\0", "*": "\1"})


def _key_phrases(paragraphs: Sequence[tuple[int, str]], entities: set[str], proper: set[str]) -> dict[str, int]:
    """Two- and three-word runs of content words that recur; longer ones win over their parts.

    A phrase needs a lower-case word ("Miao embroidery", "carbon capture"); all-capitalised
    runs are names and handled as entities.
    """
    repeated, first_written = _repeated_grams(paragraphs)
    # bigram -> count of its best trigram; a trigram seen once never beats a repeated bigram
    in_longer: Counter[_Gram] = Counter()
    for gram, count in repeated.items():
        if len(gram) == 3:
            for part in (gram[:2], gram[1:]):
                in_longer[part] = max(in_longer[part], count)
    phrases = {}
    for gram, count in repeated.items():
        surface = " ".join(t if t in proper else t.lower() for t in first_written[gram])
        if surface.casefold() not in entities and in_longer[gram] < count and not _ends_on_participle(gram):
            phrases[surface] = count
    return phrases


# Irregular pasts and participles that are not also the verb's base ("cut", "set" and "hit" are nouns too).
_IRREGULAR_FORMS = frozenset(form for form, base in IRREGULAR_BASE.items() if form != base)


def _ends_on_participle(gram: _Gram) -> bool:
    """"children aged", "interest rates raised": a phrase ending on a past participle is
    the start of a clause ("need", "speed", "bed" and "red" end in -ed and are no participles);
    so is one ending on a past of its own ("treatment fell", "team won"), which is no noun."""
    last = gram[-1]
    return len(last) > 3 and last.endswith("ed") and not last.endswith("eed") or last in _IRREGULAR_FORMS


def _repeated_grams(paragraphs: Sequence[tuple[int, str]]) -> tuple[dict[_Gram, int], dict[_Gram, _Gram]]:
    """Lower-cased grams seen at least ``PHRASE_MIN_COUNT`` times with their counts; every gram as first written.

    The grams are the two- and three-word runs of phrase words that hold a lower-case word.
    """
    tokens, kinds = _phrase_tokens(paragraphs)
    grams: list[_Gram] = []  # lower-cased: every bigram in text order, then every trigram
    written: list[_Gram] = []  # the same grams as written
    # zip and compress build the grams at C speed; a Python loop over each word
    # of the article was the slow part of tagging. Most grams hold a stop word or
    # punctuation, so the words of the counted ones are picked out first and only
    # those are zipped and lower-cased.
    for n in _GRAM_START:
        keep = _gram_starts(kinds, n)
        columns = [list(compress(tokens[i:], keep)) for i in range(n)]  # the i-th word of each gram
        written += zip(*columns)
        grams += zip(*(map(str.lower, column) for column in columns))
    repeated = {gram: count for gram, count in Counter(grams).items() if count >= PHRASE_MIN_COUNT}
    first_written = dict(zip(reversed(grams), reversed(written)))  # the earliest occurrence is written last
    return repeated, first_written


def _gram_starts(kinds: str, n: int) -> bytes:
    """For each token, 1 if an n-gram that counts starts there, else 0."""
    # a regex pass and a translation in C, not a test of each gram in Python
    return _GRAM_START[n].sub("*", kinds).translate(_START_TO_BYTE).encode("ascii")


def _phrase_tokens(paragraphs: Sequence[tuple[int, str]]) -> tuple[list[str], str]:
    """The article's tokens, and their ``_phrase_kind`` letters; a paragraph ends with an empty "." token."""
    tokens: list[str] = []
    kinds: list[str] = []
    for _, text in paragraphs:
        found = (_ASCII_PHRASE_TOKEN if text.isascii() else _PHRASE_TOKEN).findall(text)
        tokens += found
        tokens.append("")  # no phrase runs from one paragraph into the next
        kinds.append("".join(map(_PHRASE_KINDS.__getitem__, found)) + ".")
    return tokens, "".join(kinds)


def _phrase_kind(token: str) -> str:
    """"l" for a phrase word in lower case, "u" for a capitalised one, "." for any other token."""
    if not _phrase_word(token):
        return "."
    return "l" if token[0].islower() else "u"


MAX_CACHED_KINDS = 65536  # distinct tokens; when full the cache starts afresh, which only costs recomputing


class _KindCache(dict[str, str]):
    """token -> ``_phrase_kind(token)``, computed on first sight; emptied when full.

    Every token of every article is looked up, and a dict hit costs half what an
    ``lru_cache`` hit does.
    """

    def __missing__(self, token: str) -> str:
        if len(self) >= MAX_CACHED_KINDS:
            self.clear()
        kind = self[token] = _phrase_kind(token)
        return kind


_PHRASE_KINDS = _KindCache()


# Prepositions and conjunctions the stop-word list leaves out: a phrase never starts or ends on one
# ("maternity leave beyond"), and one inside a phrase would make it a clause.
_FUNCTION_WORDS = frozenset(
    """across along alongside amid amidst behind beneath beside besides beyond despite except inside
    onto outside past throughout till toward towards underneath unless unlike versus whereas whilst""".split()
)


# Counts and spans of time: "last year", "two countries", "second half" say when or how many, not what about.
_COUNT_AND_TIME_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
    hundreds thousand thousands million millions billion billions trillion dozen dozens half first second
    third fourth fifth sixth seventh eighth ninth tenth last next previous ago earlier later latest
    year years month months week weeks day days today yesterday tomorrow weekend hour hours minute
    minutes decade decades century morning afternoon evening night tonight""".split()
)


def _phrase_word(token: str) -> bool:
    bare = token.lower()
    return (
        _PHRASE_WORD.fullmatch(token) is not None
        and bare not in STOPWORDS
        and bare not in _FUNCTION_WORDS
        and bare not in _COUNT_AND_TIME_WORDS
        and bare not in _PARTICLES
        and token not in _MONTHS_DAYS
        and not _SPEECH_VERB.fullmatch(bare)
        and len(bare) > 2
    )
