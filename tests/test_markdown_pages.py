"""Stage 4: Article <-> Markdown page with TOML front matter."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings, strategies as st

from digestsite.errors import SourceError
from digestsite.markdown_pages import _plain_toml, article_from_markdown, article_to_markdown, read_front_matter
from digestsite.model import Article, Person, Spokesperson, Statement


def _article(**fields) -> Article:
    base = dict(id="0123456789ab", slug="china-asean", title='China "ready" to work with ASEAN',
                standfirst="A spokesperson said so.", body="A spokesperson said so.\n\n## Next\n\nMore.",
                topics=("Diplomacy",), tags=("ASEAN", "Malaysia"),
                spokespersons=(Spokesperson("Guo Jiakun", "Chinese Foreign Ministry"),),
                people=(Person("Li Haidong", "a professor"),),
                statements=(Statement("Guo Jiakun", "Guo said it.", 4),),
                date="2025-01-22", digest="digests/world.txt", start=3, end=9)
    base.update(fields)
    return Article(**base)


def test_page_has_front_matter_fields_the_issue_names() -> None:
    page = article_to_markdown(_article())
    front = tomllib.loads(page.split("+++")[1])
    assert front["title"] == 'China "ready" to work with ASEAN'
    assert front["source"] == {"digest": "digests/world.txt", "start": 3, "end": 9}
    assert front["spokespersons"] == [{"name": "Guo Jiakun", "organisation": "Chinese Foreign Ministry"}]
    assert page.endswith("## Next\n\nMore.\n")


def test_round_trip_keeps_every_field() -> None:
    article = _article()
    back = article_from_markdown(article_to_markdown(article), "x.md")
    assert back == article.__class__(**{**{f: getattr(article, f) for f in article.__slots__}, "source_path": "x.md"})


def test_undated_hand_written_article_round_trips_without_source() -> None:
    article = _article(date=None, digest="", start=0, end=0)
    page = article_to_markdown(article)
    assert "source" not in tomllib.loads(page.split("+++")[1])
    assert article_from_markdown(page, "x.md").date is None


def test_missing_fence_gives_a_hint() -> None:
    with pytest.raises(SourceError) as info:
        read_front_matter("title = 'x'\n", "content/articles/a.md")
    assert info.value.line == 0 and "+++" in info.value.hint


def test_malformed_front_matter_points_at_the_file_line() -> None:
    text = '+++\ntitle = "ok"\ntopics = ["a", \n+++\n\nbody\n'
    with pytest.raises(SourceError) as info:
        read_front_matter(text, "a.md")
    assert info.value.line in (2, 3)
    assert str(info.value).startswith(f"a.md:{info.value.line + 1}: malformed front matter")


def test_bad_field_type_names_the_field_line() -> None:
    with pytest.raises(SourceError) as info:
        article_from_markdown('+++\ntitle = "T"\ntopics = "Trade"\n+++\n\nBody.\n', "a.md")
    assert info.value.line == 2 and "'topics' must be a list" in info.value.message


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(title=_text.filter(lambda t: t.strip()), standfirst=_text, tags=st.lists(_text.filter(str.strip), max_size=3),
       name=_text.filter(str.strip), quote=_text, body=_text)
def test_round_trip_any_text(title: str, standfirst: str, tags: list[str], name: str, quote: str, body: str) -> None:
    import unicodedata

    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731 - names are NFC by contract
    article = _article(title=title.strip(), standfirst=standfirst.strip(), tags=tuple(t.strip() for t in tags),
                       spokespersons=(Spokesperson(nfc(name.strip()), "Org"),),
                       statements=(Statement(nfc(name.strip()), quote, 1),),
                       body=body.strip().replace("\r", "") or "x")
    back = article_from_markdown(article_to_markdown(article), "x.md")
    assert (back.title, back.standfirst, back.tags, back.spokespersons, back.statements) == (
        article.title, article.standfirst, article.tags, article.spokespersons, article.statements)
    assert back.body == article.body.strip("\n")


# Front matter lines as people write them, and some that only tomllib may read.
_KEYS = st.sampled_from(["title", "date", "tags", "topics", "slug", "a-b_1", "Title", "x.y", "\"q\""])
_TEXT = st.text(st.sampled_from(list('ab é"\\\t\x01\x7f#=[],\u00e9\u4e2d')), max_size=6)
_STRING = _TEXT.map(lambda t: f'"{t}"')
_ARRAY = st.lists(_STRING, max_size=3).flatmap(
    lambda items: st.sampled_from([", ", ",", " ,\t"]).map(lambda sep: "[" + sep.join(items) + "]"))
_LINE = st.one_of(
    st.tuples(st.sampled_from(["", " ", "\t"]), _KEYS, st.sampled_from(["=", " = ", "\t=  "]),
              st.one_of(_STRING, _ARRAY, st.sampled_from(["1", "true", "[1]", '"a" # note', "'lit'", "[\"a\",]"])),
              st.sampled_from(["", " ", "\t"])).map("".join),
    st.sampled_from(["", "  ", "# a comment", "[table]", "\x0c"]),
)


@given(st.lists(_LINE, max_size=6))
@settings(max_examples=400)
def test_plain_front_matter_is_read_as_tomllib_reads_it(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        expected = None
    plain = _plain_toml(text)
    assert plain is None or plain == expected


def test_the_usual_front_matter_is_read_without_tomllib() -> None:
    text = 'title = "Ex-PM dies aged 92 (1)"\ndate = "2020-01-01"\n\ntopics = ["Politics"]\ntags = ["A B", "C"]\n'
    assert _plain_toml(text) == tomllib.loads(text)
    for other in ('spokespersons = [{ name = "A" }]', 'title = "say \\"hi\\""', "count = 3", 'a = "1"\na = "2"'):
        assert _plain_toml(other) is None  # left to tomllib, which reads it or reports the line


@given(st.text())
def test_a_toml_string_is_the_json_string_toml_reads_back(text: str) -> None:
    import json

    from digestsite.markdown_pages import _toml_string

    written = _toml_string(text)
    assert written == json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
    assert tomllib.loads(f"v = {written}")["v"] == text
