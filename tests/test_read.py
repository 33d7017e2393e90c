"""Stage 1: reading content/ (settings, taxonomy, digests, corrections, pages)."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, strategies as st

from digestsite.errors import SourceError
from digestsite.read import PageMemo, decode_digest, read_content, read_digest, read_taxonomy


def test_digest_lines_keep_their_index_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "digests" / "2025-01-21-world.txt"
    path.parent.mkdir()
    path.write_bytes(b"First para.\r\n\r\nSecond para.\rThird para.\n   \nFourth.")
    digest = read_digest(path, relative_to=tmp_path)
    assert digest.path == PurePosixPath("digests/2025-01-21-world.txt")
    assert [(p.line, p.text) for p in digest.paragraphs] == [
        (0, "First para."), (2, "Second para."), (3, "Third para."), (5, "Fourth.")]
    assert digest.date == "2025-01-21"


def test_digest_date_falls_back_to_settings_and_rejects_impossible_dates(tmp_path: Path) -> None:
    path = tmp_path / "2025-13-45-bad.txt"
    path.write_text("Text.\n")
    assert read_digest(path, relative_to=tmp_path, default_date="2024-05-01").date == "2024-05-01"


@pytest.mark.parametrize("data", [
    "Zoë said hello.\n".encode("utf-8-sig"),
    "Zoë said hello.\n".encode("utf-16"),
    "Zoe\u0308 said hello.\n".encode("utf-8"),  # NFD
])
def test_digest_encodings_decode_to_the_same_nfc_text(data: bytes) -> None:
    assert decode_digest(data, "d.txt") == "Zoë said hello.\n"


def test_invalid_utf8_names_file_line_and_byte_offset() -> None:
    with pytest.raises(SourceError) as info:
        decode_digest(b"ok line\nsecond caf\xe9 line\n", "content/digests/x.txt")
    error = info.value
    assert (error.path, error.line) == ("content/digests/x.txt", 1)
    assert "byte offset 18" in error.message and "latin-1" in error.hint
    assert str(error).startswith("content/digests/x.txt:2: not valid UTF-8")


def test_declared_encoding_is_used() -> None:
    assert decode_digest(b"caf\xe9\n", "x.txt", "latin-1") == "café\n"


def test_nul_and_control_bytes_are_dropped() -> None:
    assert decode_digest(b"a\x00b\x07c\tok\n", "x.txt") == "abc\tok\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_taxonomy_reads_keywords_strong_and_weights(tmp_path: Path) -> None:
    path = _write(tmp_path, {"topics.toml": '''
min_score = 1.5
[[topic]]
name = "Trade and Economy"
description = "Markets."
keywords = ["Tariff", "  export   controls "]
strong = ["trade war"]
[[topic]]
name = "Sport"
keywords = { "goal" = 2.5 }
'''})
    taxonomy = read_taxonomy(path / "topics.toml")
    trade, sport = taxonomy.topics
    assert trade.slug == "trade-and-economy"
    assert trade.keywords == (("tariff", 1.0), ("export controls", 1.0), ("trade war", 3.0))
    assert sport.keywords == (("goal", 2.5),)
    assert taxonomy.min_score == 1.5


def test_malformed_taxonomy_points_at_the_line(tmp_path: Path) -> None:
    _write(tmp_path, {"topics.toml": '[[topic]]\nname = "A"\nkeywords = ["x",\nbad bad\n'})
    with pytest.raises(SourceError) as info:
        read_taxonomy(tmp_path / "topics.toml")
    assert info.value.line is not None and info.value.line >= 2
    assert "malformed TOML" in info.value.message


def test_topic_without_keywords_and_unknown_setting_are_warnings(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {
        "site.toml": 'title = "T"\ncolour = "blue"\n',
        "topics.toml": '[[topic]]\nname = "Empty"\n',
        "digests/a.txt": "One.\n",
    })
    result = read_content(content)
    assert any("site.toml:2: unknown setting 'colour'" in w for w in result.warnings)
    assert any("topic 'Empty' has no keywords" in w for w in result.warnings)
    assert result.settings.title == "T"


def test_missing_settings_and_taxonomy_use_defaults_with_warnings(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"digests/a.txt": "One.\n"})
    result = read_content(content)
    assert result.settings.title == "News Digest"
    assert result.taxonomy.topics == ()
    assert len(result.warnings) == 2


def test_a_digest_beside_the_digests_folder_is_named_in_a_warning(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"digests/a.txt": "One.\n", "wire.txt": "Two.\n"})
    result = read_content(content)
    assert [d.path.name for d in result.digests] == ["a.txt"]
    assert "content/wire.txt: not read; digests go in content/digests/" in result.warnings


def test_wrong_type_in_settings_is_an_error_with_line(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"site.toml": 'title = "x"\nlanguage = 3\n'})
    with pytest.raises(SourceError) as info:
        read_content(content)
    assert (info.value.line, info.value.message) == (1, "'language' must be a str")


def test_corrections_read_splits_joins_and_overrides(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"corrections.toml": '''
[[split]]
before = "The minister said"

[[join]]
at = "Meanwhile in Paris"
digest = "digests/a.txt"

[[article]]
id = "abc123"
title = "Better"
topics = ["Trade"]
'''})
    result = read_content(content)
    assert [(c.action, c.quote, c.digest) for c in result.splits] == [
        ("split", "The minister said", ""), ("join", "Meanwhile in Paris", "digests/a.txt")]
    assert result.splits[0].source == "content/corrections.toml:2"
    override, = result.overrides
    assert (override.id, override.title, override.topics) == ("abc123", "Better", ("Trade",))
    assert override.source == "content/corrections.toml:9"


@pytest.mark.parametrize("slug", ["../escape", "a/b", "C:evil", "/etc/passwd", ".."])
def test_unsafe_slug_in_a_correction_is_refused(tmp_path: Path, slug: str) -> None:
    content = _write(tmp_path / "content", {"corrections.toml": f'[[article]]\nid = "x"\nslug = "{slug}"\n'})
    with pytest.raises(SourceError) as info:
        read_content(content)
    assert "slug" in info.value.message and info.value.line == 0


def test_one_word_quote_is_refused(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"corrections.toml": '[[split]]\nbefore = "The"\n'})
    with pytest.raises(SourceError, match="two words or more"):
        read_content(content)


def test_article_pages_are_read_in_file_order(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {
        "articles/b.md": '+++\ntitle = "Second"\n+++\n\nBody two.\n',
        "articles/a.md": '+++\ntitle = "First"\nsource = { digest = "digests/x.txt", start = 0, end = 2 }\nid = "f00"\n+++\n\nBody one.\n',
    })
    first, second = read_content(content).pages
    assert (first.title, first.digest, first.body) == ("First", "digests/x.txt", "Body one.")
    assert (second.title, second.digest, second.id) == ("Second", "", "")


def _age(path: Path, seconds: float = 10) -> None:
    """Date a file back, as if written before the last build (a file written in the
    last two seconds is always read again: a second edit in the same tick keeps its time)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - int(seconds * 1e9)))


def test_page_memo_reads_only_the_pages_that_changed(tmp_path: Path, monkeypatch) -> None:
    import digestsite.read as read_module

    content = _write(tmp_path / "content", {
        f"articles/{name}.md": f'+++\ntitle = "Story {name}"\n+++\n\nBody {name}.\n' for name in "abc"})
    for page in (content / "articles").iterdir():
        _age(page)
    memo = PageMemo()
    first = read_content(content, memo)
    assert memo.changed and len(memo.pages) == 3 and first == read_content(content)
    assert all(Path(key).is_absolute() for key in memo.pages)

    parsed: list[str] = []
    parse = read_module._read_article_page
    monkeypatch.setattr(read_module, "_read_article_page", lambda path, shown: parsed.append(Path(path).name) or parse(path, shown))
    assert read_content(content, memo) == first and parsed == [] and not memo.changed

    (content / "articles" / "b.md").write_text('+++\ntitle = "Story b, edited"\n+++\n\nBody b.\n')
    (content / "articles" / "c.md").unlink()
    second = read_content(content, memo)
    assert parsed == ["b.md"] and memo.changed and sorted(Path(p).name for p in memo.pages) == ["a.md", "b.md"]
    assert memo.dirty == {PageMemo.shard_of("b.md"), PageMemo.shard_of("c.md")}
    assert [p.title for p in second.pages] == ["Story a", "Story b, edited"]
    assert second == read_content(content)


def test_page_memo_parts_join_into_the_same_memo_and_a_lost_part_is_only_read_again(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {
        f"articles/{n:02}.md": f'+++\ntitle = "Story {n}"\n+++\n\nBody {n}.\n' for n in range(40)})
    for page in (content / "articles").iterdir():
        _age(page)
    memo = PageMemo()
    first = read_content(content, memo)
    parts = memo.shards()
    assert len(parts) == PageMemo.SHARDS and sum(len(p.pages) for p in parts) == 40
    assert all(PageMemo.shard_of(path) == n for n, part in enumerate(parts) for path in part.pages)
    assert PageMemo.joined(parts).pages == memo.pages

    lost = next(n for n, part in enumerate(parts) if part.pages)
    partial = PageMemo.joined([None if n == lost else part for n, part in enumerate(parts)])
    assert read_content(content, partial) == first and partial.dirty == {lost}
    assert partial.pages == memo.pages


def test_page_memo_reads_a_page_written_in_the_last_seconds_again(tmp_path: Path) -> None:
    content = _write(tmp_path / "content", {"articles/a.md": '+++\ntitle = "Maio"\n+++\n\nBody.\n'})
    memo = PageMemo()
    read_content(content, memo)
    page = content / "articles" / "a.md"
    stat = page.stat()
    page.write_text('+++\ntitle = "Miao"\n+++\n\nBody.\n')  # same size
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time: only the tick rule saves it
    assert read_content(content, memo).pages[0].title == "Miao"


@given(st.text(alphabet="ab \t\r\n\x00\x01\x0b\x1f\x7f\u0085\u2028é", max_size=40))
def test_a_digest_s_lines_and_text_are_those_of_the_plain_patterns(text: str) -> None:
    expected_text = unicodedata.normalize("NFC", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text))
    assert decode_digest(text.encode("utf-8"), "d.txt") == expected_text
    expected = [(i, line.strip()) for i, line in enumerate(re.split(r"\r\n|\r|\n", expected_text)) if line.strip()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.txt"
        path.write_bytes(text.encode("utf-8"))
        digest = read_digest(path, relative_to=Path(folder))
    assert [(p.line, p.text) for p in digest.paragraphs] == expected
