"""Tests of digestsite.people's shortcuts: each must give exactly what the plain regex gives.

The behaviour of speakers and tags is tested through enrichment in
test_enrich.py; here the fast paths (ASCII-only patterns, checks skipped when
a sentence lacks a word, searches limited to a tail) are compared with the
patterns they stand in for, on arbitrary text.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from digestsite import people
from digestsite.people import find_speakers, find_tags, mentions

_PIECES = ["Spokesman", "spokesperson", "SPOKESWOMAN", "press secretary", "Press  officer", "ſpokesman", "said", "SAID",
           "according to", "unsaid", "He", "she", "the", "The", "of", "von", "de", "Smith", "Li Wei", "Mr", "'s", "’s", "'",
           "’", "s", "\n", " ", "  ", ",", ".", "(", ")", "-", "\"", "“", "”", "É", "Ö", "x", "1", "_", "\t", "\x1c", "\x85"]
_SENTENCES = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@given(_SENTENCES)
def test_the_spokesperson_check_matches_the_pattern(sentence: str) -> None:
    assert people._names_spokesperson.__wrapped__(sentence) == (people._SPOKES_ANYWHERE.search(sentence) is not None)


@given(_SENTENCES)
def test_the_speech_verb_before_a_name_is_found_in_the_tail_only(before: str) -> None:
    assert people._speech_before(before) == (people._BEFORE_SPEECH.search(before) is not None)


@given(_SENTENCES)
def test_stripping_a_possessive_matches_the_pattern(word: str) -> None:
    expected = people._POSSESSIVE.sub("", word) if len(word) > 2 else word
    assert people._strip_possessive(word) == expected


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_phrase_tokens_match_the_unicode_pattern(text: str) -> None:
    assert people._ASCII_PHRASE_TOKEN.findall(text) == people._PHRASE_TOKEN.findall(text)


@given(_SENTENCES)
def test_the_pronoun_speech_pattern_finds_what_the_plain_one_finds(sentence: str) -> None:
    plain = rf"(?:^|[,\"”]\s*|\s)(?:he|she)\s(?:(?:also|further|then|later|again|once)\s)?(?:{people._SPEECH_AFTER})\b"
    assert (people._PRONOUN_SPEECH.search(sentence) is None) == (re.search(plain, sentence, re.IGNORECASE) is None)


@given(st.text(alphabet="lu.", max_size=40))
def test_gram_starts_mark_the_grams_that_count(kinds: str) -> None:
    for n in (2, 3):
        counts = [len(gram) == n and "." not in gram and "l" in gram for gram in (kinds[i:i + n] for i in range(len(kinds)))]
        assert list(map(bool, people._gram_starts(kinds, n))) == counts


@given(_SENTENCES)
def test_mentions_point_at_their_text(sentence: str) -> None:
    for mention in mentions(sentence):
        # a mention's span covers its text, plus a possessive ending the text drops
        assert sentence[mention.start:mention.end].startswith(mention.text.split()[0])


def test_a_later_surname_means_the_quoted_person() -> None:
    speakers = find_speakers([
        (0, "Anna Berg met Tom Berg on Monday."),
        (1, '"We agree," Anna Berg said.'),
        (2, "Later Berg said the talks went well."),
    ])
    assert [p.name for p in speakers.people] == ["Anna Berg"]
    assert [s.speaker for s in speakers.statements] == ["Anna Berg", "Anna Berg"]


def test_a_repeated_phrase_is_a_tag_and_its_parts_are_not() -> None:
    paragraphs = [
        (0, "Carbon capture plants are costly. The carbon capture plants in Norway work."),
        (1, "Critics say carbon capture plants waste money."),
    ]
    tags = find_tags(paragraphs, "Carbon capture plants are costly.", find_speakers(paragraphs))
    assert "carbon capture plants" in tags
    assert "carbon capture" not in tags and "capture plants" not in tags


def test_no_phrase_runs_across_punctuation_or_paragraphs() -> None:
    # "rice, wheat" and "wheat" | "wheat" (a paragraph break) each occur twice
    paragraphs = [(0, "farmers grow rice, wheat"), (1, "wheat farmers grow rice, wheat"), (2, "wheat")]
    assert people._key_phrases(paragraphs, set(), set()) == {"farmers grow rice": 2}


_TITLE_SPEECH_PLAIN = re.compile(
    rf"(?:^|(?<=[\s,\"“]))[Tt]he\s(?P<title>(?:[\w\-]+\s){{1,3}}?)(?:(?:also|further|then|later)\s)?"
    rf"(?:{people._SPEECH_AFTER})\b"
)


@given(st.lists(st.sampled_from(["the", "The", "bathe", "minister", "Foreign", "Secretary", "said", "later", ",",
                                  '"', "“", "also", "x", "\n"]), max_size=12).map(" ".join))
def test_a_post_only_speaker_is_found_where_the_plain_pattern_finds_one(sentence: str) -> None:
    plain, found = _TITLE_SPEECH_PLAIN.search(sentence), people._title_speech(sentence)
    assert (plain and (plain.start(), plain.group(0))) == (found and (found.start(), found.group(0)))


_TITLED = st.lists(st.sampled_from(["said", "according to", "Solara", "chief", "executive", "the", "company's", "on",
                                    "Tuesday", "that", "Dr.", "Mr.", "Dr", "x" * 25, "y" * 31, " ", "  ", "\n", ","]),
                   max_size=14).map(" ".join)


@given(_TITLED)
def test_a_post_after_a_speech_verb_is_found_in_the_tail_only(before: str) -> None:
    before += " "
    plain = people._matched_post(people._SPEECH_THEN_TITLE.search(before))
    assert people._title_after_speech(before) == plain


@given(_TITLED)
def test_a_dotted_address_is_found_in_the_tail_only(before: str) -> None:
    before += " "
    match = people._DOTTED_ADDRESS.search(before)
    assert people._without_dotted_address(before) == (before[: match.start()] if match else before)


# ---------------------------------------------------------------------------
# House styles nobody tuned for (court reports, appointments, health updates)


def test_a_name_in_apposition_after_its_noun_is_the_speaker() -> None:
    speakers = find_speakers([
        (0, "His lawyer, Andrew Pike, said Stanek would appeal."),
        (1, 'Outside court, her solicitor, Mark Delaney, said she had "lived through a nightmare".'),
        (2, "One of the victims, Grace Osei, said she could not travel by train."),
    ])
    assert [p.name for p in speakers.people] == ["Andrew Pike", "Mark Delaney", "Grace Osei"]
    assert speakers.people[0].role == "lawyer"


def test_a_name_in_apposition_after_a_preposition_s_object_is_not_the_speaker() -> None:
    speakers = find_speakers([
        (0, "The lawyer for her husband, John Smith, said the case was weak."),
        (1, "He wrote to her lawyer, Ann Lee, said police."),
    ])
    assert speakers.people == ()


def test_a_court_title_is_a_role_not_part_of_the_name() -> None:
    speakers = find_speakers([(0, 'Magistrate Oliver Grant said holding them would be "disproportionate".')])
    assert [(p.name, p.role) for p in speakers.people] == [("Oliver Grant", "Magistrate")]


def test_a_title_of_several_words_keeps_its_first() -> None:
    speakers = find_speakers([(0, "Chief Medical Officer Dr Amara Singh said parents should check their records.")])
    assert [(p.name, p.role) for p in speakers.people] == [("Amara Singh", "Chief Medical Officer")]


def test_a_phrase_opening_the_sentence_is_no_title() -> None:
    speakers = find_speakers([(0, "As a lawyer, Ann Lee represented the singer. Ms Lee said the case was weak.")])
    assert [(p.name, p.role) for p in speakers.people] == [("Ann Lee", "")]


def _roles(text: str) -> dict[str, str]:
    return {p.name: p.role for p in find_speakers([(0, text)]).people}


def test_a_post_in_words_of_its_own_before_a_name_is_its_role() -> None:
    assert _roles("Conservative leader Michael Howard said the plan would fail.") == {
        "Michael Howard": "Conservative leader"}
    assert _roles("Former Manfred Mann singer Paul Jones said he was delighted.") == {
        "Paul Jones": "Former Manfred Mann singer"}
    assert _roles('"We will win," the Ireland coach Eddie Walsh said.') == {"Eddie Walsh": "Ireland coach"}


def test_no_post_from_a_possessive_or_a_run_that_may_belong_to_the_words_before() -> None:
    assert _roles("Her coach Aston Moore said she would run again.") == {"Aston Moore": ""}
    # mid-sentence the capitalised words may end the clause before ("told the BBC Labour leader ...")
    assert _roles("He told reporters that Labour leader Tony Blair said it would pass.") == {"Tony Blair": ""}
    assert _roles("In London Labour leader Tony Blair said it would pass.") == {"Tony Blair": ""}


# ---------------------------------------------------------------------------
# Features, international copy and technology news (probe 12b)


def test_a_name_qualified_by_which_is_a_thing_not_a_speaker() -> None:
    speakers = find_speakers([
        (0, 'Riverside Water, which runs the works, said it was investing £30m in upgrades.'),
        (1, 'Colin Harte, who has fished the river for fifty years, said the fish were gone.'),
    ])
    assert [p.name for p in speakers.people] == ["Colin Harte"]


def test_a_body_named_past_its_organisation_word_keeps_its_of_phrase() -> None:
    sentence = "The Organisation for the Prohibition of Chemical Weapons said chlorine was used."
    assert [m.text for m in mentions(sentence)] == ["Organisation for the Prohibition of Chemical Weapons"]
    assert [m.text for m in mentions("The Ministry of Defence of Britain said so.")][0] == "Ministry of Defence"


def test_no_body_is_made_of_words_from_either_side_of_a_title() -> None:
    paragraphs = [(0, "Union Minister of State for Railways Shri V. Somanna on Monday flagged off the first train."),
                  (1, "Shri Somanna said the government had sanctioned the project.")]
    speakers = find_speakers(paragraphs)
    tags = find_tags(paragraphs, paragraphs[0][1], speakers)
    assert not any("State" in tag or "Railways" in tag for tag in tags)
    assert people._prefix_entities("President of the European Commission") == ["European Commission"]


def _tags(*texts: str) -> list[str]:
    paragraphs = list(enumerate(texts))
    return find_tags(paragraphs, texts[0], find_speakers(paragraphs))


def test_a_body_called_by_its_kind_is_no_tag() -> None:
    # house styles that capitalise "the State", "the Bank" (India, Ireland, Australia)
    tags = _tags("The State government will open 40 new schools in Kerala this year.",
                 "Officials said the State would pay for the buildings.",
                 "The State has also hired 2,000 teachers.")
    assert "State" not in tags


def test_an_abbreviated_currency_before_a_number_is_no_tag() -> None:
    tags = _tags("Police arrested four men for duping pensioners of Rs 9 crore in Delhi.",
                 "They recovered Rs 14 lakh in cash from a flat in Delhi.")
    assert "Rs" not in tags and "Delhi" in tags


def test_a_mission_is_a_body_not_a_person() -> None:
    speakers = find_speakers([(0, "The report by the organisation's Fact-Finding Mission concluded that chlorine was used.")])
    assert speakers.people == ()


# Full-length agency, ministry and match-report copy (probe 12a)


def test_a_capitalised_run_after_the_is_no_person() -> None:
    # a review body, a party's short name, a campaign: bodies and things take "the", people do not
    assert _roles("The Pay Review Body said in its report that pay was a factor in decisions to leave.") == {}
    assert _roles("The Lib Dems said the plan would fail.") == {}
    # a title may stand between the article and the name
    assert _roles('"We will act," the Prime Minister Keir Starmer said.') == {"Keir Starmer": "Prime Minister"}


def test_a_participle_clause_in_apposition_is_no_role() -> None:
    assert _roles('Steve Cooper, returning to the City Ground for the first time, said his side were "second best".') \
        == {"Steve Cooper": ""}
    assert _roles("Ann Lee, speaking at the launch, said the scheme would grow.") == {"Ann Lee": ""}
    # a post may open on a participle used as an adjective
    assert _roles("Tom Ray, managing director of Acme, said sales rose.") == {"Tom Ray": "managing director of Acme"}


def test_no_phrase_ends_on_an_irregular_past_or_participle() -> None:
    paragraphs = [(0, "Waiting for treatment fell again. Waiting for treatment fell in May, and titles won matter.")]
    assert people._key_phrases(paragraphs, set(), set()) == {}
    # "cut" is its base form too, and a noun: "tax cut" stays
    assert people._key_phrases([(0, "A tax cut is due. The tax cut helps.")], set(), set()) == {"tax cut": 2}


def test_an_ampersand_joins_one_firm_s_name() -> None:
    paragraphs = [(0, "The retailer Marlow & Finch has warned on profits. Shares in Marlow & Finch fell 17%.")]
    assert find_tags(paragraphs, paragraphs[0][1], find_speakers(paragraphs)) == ["Marlow & Finch"]
    assert [m.text for m in people.mentions("Ann Lee & Tom Ray met.")] == ["Ann Lee", "Tom Ray"]


def test_a_spokesperson_named_after_a_possessor_speaks_for_it() -> None:
    for sentence, expected in (
        ("The Labour Party's health spokesperson, Duncan Smith, said the plan was flawed.", ("Duncan Smith", "Labour Party")),
        ("Acme's spokeswoman, Jane Doe, said sales rose.", ("Jane Doe", "Acme")),
    ):
        speakers = find_speakers([(0, sentence)])
        assert [(s.name, s.organisation) for s in speakers.spokespersons] == [expected]
    # unnamed, it makes no one
    assert find_speakers([(0, "Labour's spokesman said no.")]).spokespersons == ()


def test_a_speaker_s_body_after_the_name_keeps_the_speech_theirs() -> None:
    # science news names the researcher's institution between the name and the verb, or after an
    # inverted "said"; either used to leave the researcher unquoted
    speakers = find_speakers([
        (0, "Professor Wassilios Meissner of the University Hospital of Bordeaux said larger trials were needed."),
        (1, '"This is the first time," said Professor Bjorn Benneke of the University of Montreal, who co-led it.'),
    ])
    assert [p.name for p in speakers.people] == ["Wassilios Meissner", "Bjorn Benneke"]
    # the body's own name is no speaker, and a name that is the object of "of" is none either
    speakers = find_speakers([(0, "The daughter of Ann Lee of the Leeds Rotary Club said she was proud.")])
    assert not speakers.people


def test_a_name_after_a_post_of_a_field_is_the_speaker() -> None:
    speakers = find_speakers([(0, 'Its head of research, Dr Sheona Scales, said: "Blood tests like this could help."')])
    assert [p.name for p in speakers.people] == ["Sheona Scales"]
    # a preposition that brings in another party still leaves the name unquoted
    assert not find_speakers([(0, "The lawyer for her husband, John Smith, said he would appeal.")]).people


def test_a_chinese_family_name_that_is_an_english_word_opens_a_name() -> None:
    # "He Yadong" lost its family name to the pronoun and was no full name, so no spokesperson
    speakers = find_speakers([
        (0, "He Yadong, a spokesperson for the ministry, said the investigation had found dumping."),
        (1, '"China handles trade cases in accordance with the law," He said.'),
    ])
    assert [s.name for s in speakers.spokespersons] == ["He Yadong"]
    assert [m.text for m in mentions("He said Li Wei had left.")] == ["Li Wei"]
