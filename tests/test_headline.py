"""Tests of digestsite.headline: one test per news-writing rule on made-up ledes,
then the seed and the BBC development set from ../shared (skipped when absent,
failing under CI), then properties on arbitrary text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digestsite import headline
from digestsite.enrich import enrich_segment
from digestsite.evaluate import headline_violations, rouge_l_f, rouge_n_f
from digestsite.headline import MAX_HEADLINE_CHARS, headline_problems, make_headline
from digestsite.model import Taxonomy
from digestsite.text import split_sentences
from support import bbc_segments, seed_segments

EMPTY_TAXONOMY = Taxonomy(())
# Measured: ROUGE-1 +0.046 and ROUGE-L +0.044 over the first-ten-words baseline on both BBC sets.
ROUGE_MARGIN = 0.04


# A headline must not stop on a word that needs more after it. This list is the
# test's own (closed classes plus suffixes), independent of the module's.
_CLOSED_CLASS = frozenset(
    """a an the this that these those its his her their our my your some any each every no another
    and or but nor so yet of to in on at for with by from as into over under about after before
    between through during against amid via than is are was were be been has have had will would
    can could may might must should new former latest major key top""".split()
)
_OPEN_SUFFIXES = ("ed", "ous", "ful", "ible", "able")


def ends_badly(title: str) -> bool:
    last = re.sub(r"[^\w'’\-]", "", title.rsplit(" ", 1)[-1])
    if last.lower() in _CLOSED_CLASS:
        return True
    return last[:1].islower() and last.lower().endswith(_OPEN_SUFFIXES)


# ---------------------------------------------------------------------------
# One rule at a time


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        ("Acme Corp will close its largest factory in Ohio next year, according to people familiar with the plan.",
         "Acme Corp will close largest factory in Ohio"),
        ("When asked to comment on the new tariffs announced by the trade office in the capital, Foreign Ministry "
         "spokesperson Jane Doe said that the country firmly opposes unilateral trade barriers.",
         "Country firmly opposes unilateral trade barriers, says Doe"),
        ("The central bank raised interest rates by half a point, the state news agency reported.",
         "Central bank raises interest rates by half point"),
        ("In response to the storm, the city council has approved an emergency budget for repairs.",
         "City council approves emergency budget for repairs"),
        ("According to the weather service, heavy snow will close mountain passes across the region on Tuesday.",
         "Heavy snow will close mountain passes across region"),
        # a post set before the name between commas is the subject's title, not a place to drop
        ("The Foreign Secretary, Catherine Ashdown, has condemned the attack on an aid convoy in Darfur.",
         "Ashdown condemns attack on aid convoy in Darfur"),
    ],
)
def test_attribution_and_leading_clauses_are_dropped(lede: str, expected: str) -> None:
    assert make_headline(lede) == expected


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        # "X said (that) CLAUSE" -> "CLAUSE, says <surname>"
        ("Acme Group chief executive Jane Porter said that the company will open three new plants in the north.",
         "Company will open three new plants in north, says Porter"),
        ("Harbour Trust chairman Peter Quill said the port would reopen to cargo ships within a fortnight.",
         "Port would reopen to cargo ships within fortnight, says Quill"),
        # a nameless source is dropped: lead with the clause
        ("The ministry said on Tuesday that the new rules will take effect in March.",
         "New rules will take effect in March"),
        # the clause is about the speaker: keep the speaker as subject, present tense
        ("Coach Tom Hale said he would stay at the club for another season despite offers from abroad.",
         "Hale says he would stay at club for another season"),
        # a body reporting its own act: the act is the news, its tense undone ("had signed" was "has signed")
        ("Solara Energy said on Wednesday that it had signed an agreement to supply 300 megawatts of solar power.",
         "Solara Energy signs agreement to supply 300 megawatts of solar power"),
        ("The company said it would cut 2,000 jobs.", "Company to cut 2,000 jobs"),
        ("Ministers said they had agreed a new deal on fishing quotas with Norway.",
         "Ministers agree new deal on fishing quotas with Norway"),
        # a frame that is not the body's act keeps its source
        ("The firm said it would not appeal against the ruling.", "Firm says it would not appeal against ruling"),
        # "announced a plan" is an object, not reported speech
        ("Northwind Foods chief executive Carla Brandt announced a plan to close two factories.",
         "Brandt announces plan to close two factories"),
        # nor is an object with a participle after it ("affected by"): no clause follows the verb
        ("The Ministry of Agriculture today announced emergency support for farmers affected by the drought in "
         "the eastern provinces, including direct payments and free veterinary services for livestock.",
         "Ministry of Agriculture announces emergency support"),
    ],
)
def test_reported_speech_leads_with_the_news(lede: str, expected: str) -> None:
    assert make_headline(lede) == expected


def test_name_with_appositive_and_speech_verb_without_that() -> None:
    lede = ("When asked whether the league plans new measures, Ada Kowal, spokesperson for the players' union, "
            "said talks and arbitration is the only fair way to settle the pay dispute.")
    assert make_headline(lede) == "Talks and arbitration only fair way to settle pay dispute, says Kowal"


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        ("Maria Lopez, the mayor of the northern city, has announced a new transport plan for commuters.",
         "Maria Lopez announces new transport plan for commuters"),  # never "Lopez" alone: full name
        ("The fire, which started in a warehouse, destroyed three homes in the village.",
         "Fire destroys three homes in village"),
        ("Residents living near the old airport have demanded compensation for years of noise.",
         "Residents demand compensation for years of noise"),
        ("Drivers who ignore the new speed limits on rural roads will face heavy fines.",
         "Drivers will face heavy fines"),
        ("The Falcon Gate project - a joint venture of three builders - has been delayed by a shortage of steel.",
         "Falcon Gate project delayed by shortage of steel"),
    ],
)
def test_appositives_relative_and_participial_clauses_are_dropped(lede: str, expected: str) -> None:
    assert make_headline(lede, context=lede) == expected


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        ("A new bridge has been opened over the river after four years of construction work.",
         "New bridge opened over river"),
        ("The airline is to cut 400 jobs at its main base as fuel costs rise.",
         "Airline to cut 400 jobs at main base as fuel costs rise"),
        ("The city council on Monday approved a plan to build two hundred affordable homes.",
         "City council approves plan to build two hundred affordable homes"),
        ("Shares in Northwind Foods fell 12% after the company cut its profit forecast for the year.",
         "Northwind Foods shares fall 12% after company cut profit forecast"),
    ],
)
def test_headlinese(lede: str, expected: str) -> None:
    assert make_headline(lede) == expected


def test_pronoun_clauses_keep_their_auxiliaries() -> None:
    title = make_headline("Manager Ivo Brun admitted he was frustrated his side did not score more goals.")
    assert "he was frustrated" in title


def test_a_clause_whose_verb_is_not_recognised_is_not_cut_before_it() -> None:
    # "face" is no verb the cut can recognise: it keeps the longest clause within the maximum
    lede = ("The children's fund warned on Friday that more than 3 million children in the Sahel face acute "
            "malnutrition this year, as conflict and drought disrupt food supplies.")
    assert make_headline(lede) == "More than 3 million children in Sahel face acute malnutrition"


def test_cut_never_stops_on_a_participle() -> None:
    lede = ("The transport agency criticised new regulations issued by the ministry that aim to restrict night "
            "flights over the capital during the summer months.")
    assert make_headline(lede) == "Transport agency criticises new regulations"


def test_transitive_verb_keeps_its_complement() -> None:
    lede = ("The harbour authority responded on Friday to complaints about diesel fumes from cruise ships moored "
            "in the old town, as well as to claims about noise.")
    title = make_headline(lede)
    assert title.startswith("Harbour authority responds to complaints")


def test_subject_verb_agreement_is_the_source_s() -> None:
    lede = "Kestrel and Osprey enjoys a long partnership in the regional freight market, the trade association said."
    assert make_headline(lede) == "Kestrel and Osprey enjoys long partnership"


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        # "has" is singular, "have" plural; a simple past takes its subject's number
        ("The mayor has opened a new library in the old market hall.", "Mayor opens new library in old market hall"),
        ("Local farmers have won a long battle over water rights.", "Local farmers win long battle over water rights"),
        ("The regulator fined the bank for failing to report suspicious payments.",
         "Regulator fines bank for failing to report suspicious payments"),
        ("The union is seeking talks with the owners of the port.", "Union seeks talks with owners of port"),
        # a passive keeps its participle; a capitalised subject in -s keeps the past (team or person?)
        ("The old bridge was closed by engineers after cracks appeared.",
         "Old bridge was closed by engineers after cracks appeared"),
        ("Rovers beat the league leaders in a thrilling match.", "Rovers beat league leaders in thrilling match"),
        # the subject's number is its head's, not that of a phrase after it or a name with "and" in it
        ("China's foreign trade in goods rose 5.2 percent year on year in January.",
         "China's foreign trade in goods rises 5.2 percent"),
        ("The Ministry of Culture and Tourism unveiled a plan to promote rural tourism.",
         "Ministry of Culture and Tourism unveils plan to promote rural tourism"),
        ("Kenya and China signed an agreement on farming technology.", "Kenya and China sign agreement on farming technology"),
        # an irregular past after an auxiliary ("will cut") is no later main verb
        ("California regulators on Thursday approved new rules that will cut the payments homeowners receive.",
         "California regulators approve new rules"),
        # the attribution goes with the background clause after it
        ("Japan's economy shrank at an annual rate of 0.4% in the October-December quarter, the government said "
         "Thursday, as consumer spending weakened and exports slowed.", "Japan's economy shrinks at annual rate of 0.4%"),
        # a cut never leaves "both X" without "and Y"
        ("The UK Independence Party outspent both Labour and the Liberal Democrats on its campaign in the first "
         "quarter of the year.", "UK Independence Party outspends both Labour and Liberal Democrats"),
    ],
)
def test_headlines_tell_past_news_in_the_present(lede: str, expected: str) -> None:
    assert make_headline(lede, context=lede) == expected


@pytest.mark.parametrize(
    ("past", "base"),
    [("announced", "announce"), ("stopped", "stop"), ("agreed", "agree"), ("carried", "carry"),
     ("completed", "complete"), ("visited", "visit"), ("changed", "change"), ("belonged", "belong"),
     ("developed", "develop"), ("required", "require"), ("created", "create"), ("defeated", "defeat"),
     ("cancelled", "cancel"), ("added", "add"), ("passed", "pass"), ("flown", "fly"), ("used", "")],
)
def test_base_form_of_past_tenses(past: str, base: str) -> None:
    from digestsite.headline import _base_form

    assert _base_form(past) == base


def test_only_people_are_called_by_surname() -> None:
    lede = "Star player Jonas Berg has signed a new contract with the club until 2027."
    assert make_headline(lede, context=lede + " Berg said he was happy.") == "Berg signs new contract with club until 2027"
    assert make_headline(lede, context=lede + " Jonas Berg said he was happy.").startswith("Jonas Berg signs")
    company = "Shares in Blue Heron fell sharply after the firm issued a profit warning."
    assert make_headline(company, context=company + " Blue Heron said more.").startswith("Blue Heron shares fall")


@pytest.mark.parametrize(
    "lede",
    [
        "An innovative floating, production, storage, and offloading vessel equipped with a carbon capture and "
        "storage facility has been completed in the port city after three years of design work by the yard.",
        "The committee said that it would examine the proposals of the ministry of finance and of the central bank "
        "and of the regional governments and of the unions and of the employers in the coming months of the year.",
        '"We will never accept this outcome, and we will fight it in every court of the land for as long as it '
        'takes," the chairman of the association of small farmers said on Monday.',
        "(Updated) The [draft] law, which was passed by 300 votes to 12 on Tuesday in a session that lasted "
        "well into the night, gives the regulator new powers over",
        "the", "", "   ", "123 456", "Ça va ? Élan vital à l'œuvre dans l'économie française selon l'INSEE.",
        "'Futile attempt' says the minister of the interior of the republic in a statement on the riots of the",
        'The "open data" plan - backed by four councils - is to start in May.',
    ],
)
def test_every_headline_obeys_the_rules(lede: str) -> None:
    title = make_headline(lede)
    assert headline_problems(title) == [], title
    assert len(title) <= MAX_HEADLINE_CHARS


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("Minister meets the", "function word"),
        ("x" * 91, "length"),
        ("lower case start", "capital"),
        ('Minister says "no', "unbalanced"),
        ("Talks (in Paris", "unbalanced"),
        ("Talks end,", "ends with"),
    ],
)
def test_headline_problems_reports_broken_rules(title: str, problem: str) -> None:
    assert any(problem in p for p in headline_problems(title))


# ---------------------------------------------------------------------------
# The seed and the BBC development set


def seed_titles() -> list[str]:
    return [enrich_segment(seg, EMPTY_TAXONOMY).title for _, seg in seed_segments()]


def test_seed_headlines_obey_the_rules_and_end_well() -> None:
    titles = seed_titles()
    assert len(titles) == 10
    for title in titles:
        assert headline_problems(title) == [], title
        assert headline_violations(title) == [], title
        assert not ends_badly(title), title


def test_seed_headlines_are_whole_thoughts() -> None:
    titles = seed_titles()
    assert "China's Foreign Ministry lambasts new rules" in titles
    assert "Dialogue and negotiation only viable way to resolve Ukraine crisis, says Mao Ning" in titles
    assert any(t.startswith("Chinese Foreign Ministry spokesperson responds to") for t in titles)
    assert any(t.startswith("Xi Jinping expresses delight over") and t.endswith("poverty") for t in titles)
    assert any(t.startswith("China and Russia enjoys") for t in titles)  # the source's verb form, uncut
    assert not any(t.endswith(("equipped", "issued", "Ministry")) for t in titles)


@pytest.mark.parametrize("variant", ["digests", "digests_resplit"])
def test_bbc_headlines_obey_the_rules(variant: str) -> None:
    broken = []
    for _, seg in bbc_segments(variant):
        title = enrich_segment(seg, EMPTY_TAXONOMY).title
        if headline_problems(title) or headline_violations(title):
            broken.append((seg.digest.name, seg.start, title, headline_problems(title), headline_violations(title)))
    assert broken == []


@pytest.mark.parametrize("variant", ["digests", "digests_resplit"])
def test_bbc_headlines_beat_the_ten_word_baseline(variant: str) -> None:
    ours = [0.0, 0.0]
    base = [0.0, 0.0]
    data = bbc_segments(variant)
    for gold, seg in data:
        title = enrich_segment(seg, EMPTY_TAXONOMY).title
        baseline = " ".join(split_sentences(seg.paragraphs[0].text)[0].split()[:10])
        ours[0] += rouge_n_f(title, gold["title"], n=1)
        ours[1] += rouge_l_f(title, gold["title"])
        base[0] += rouge_n_f(baseline, gold["title"], n=1)
        base[1] += rouge_l_f(baseline, gold["title"])
    assert ours[0] / len(data) >= base[0] / len(data) + ROUGE_MARGIN
    assert ours[1] / len(data) >= base[1] / len(data) + ROUGE_MARGIN


# ---------------------------------------------------------------------------
# Properties


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=300), st.text(max_size=200))
def test_arbitrary_text_gives_a_headline_within_the_rules(lede: str, context: str) -> None:
    title = make_headline(lede, context=context)
    assert 1 <= len(title) <= MAX_HEADLINE_CHARS
    assert headline_problems(title) == []


_NEWSY = st.lists(
    st.sampled_from(
        "The a said that on Monday, who which has been is to was ( ) [ ] \" “ ” ‘ ’ ' - – Smith John Acme "
        "Shares in fell rose 12% after according to minister spokesperson when asked of and the".split()
        + ["Mr", "living", "issued", "by", "with", ",", "."]
    ),
    max_size=60,
)


@settings(deadline=None, max_examples=300)
@given(_NEWSY)
def test_news_like_word_salad_gives_a_headline_within_the_rules(tokens: list[str]) -> None:
    title = make_headline(" ".join(tokens), context=" ".join(reversed(tokens)))
    assert len(title) <= MAX_HEADLINE_CHARS
    assert headline_problems(title) == []
    assert headline_violations(title) == []


# The fast forms of a few patterns must find exactly what the plain ones find.
_NOT_AFTER_PRONOUN = r"(?<!\bhe )(?<!\bshe )(?<!\bit )(?<!\bwe )(?<!\bthey )(?<!\bI )(?<!\byou )"
_PLAIN_HEADLINESE = {
    "_PERFECT": rf"{_NOT_AFTER_PRONOUN}\b(?:has|have)\s(?:been\s)?(?=[a-z]+ed\b)",
    "_PASSIVE": rf"{_NOT_AFTER_PRONOUN}\b(?:is|are|was|were|has been|have been)\s(?=[a-z]+ed\s(?!by\b))",
    "_COPULA": rf"{_NOT_AFTER_PRONOUN}(?<=[\w\"”’] )\b(?:is|are)\s(?=(?:the|a|an|only)\s)",
    "_IS_TO": rf"{_NOT_AFTER_PRONOUN}\b(?:is|are)\s(?=to\s[a-z])",
}
_VERBY = st.lists(
    st.sampled_from("he she it I they has have been is are was were the only to fixed by x ” ’ é _ - ' , \t".split()
                    + [" ", ""]),
    max_size=20,
).map(" ".join)


@given(_VERBY)
def test_headlinese_patterns_match_their_plain_forms(text: str) -> None:
    for name, plain in _PLAIN_HEADLINESE.items():
        assert getattr(headline, name).sub("", text) == re.sub(plain, "", text), name


@given(st.text(alphabet="ab -'’_é1\n", max_size=20), st.text(alphabet="ab -'’_", max_size=3))
def test_a_standalone_surname_is_found_where_the_pattern_finds_it(text: str, word: str) -> None:
    expected = [m.start() for m in re.finditer(rf"(?<![\w'’\-]){re.escape(word)}(?![\w\-])", text)]
    assert list(headline._standalone(word, text)) == expected
