"""Hostile and broken input: nothing crashes, nothing leaks, nothing is lost.

Every input ends in either a correct site or ``error: path:line: ...`` with
exit status 1 (no traceback without --verbose); content never becomes markup
or script in a reader's browser; nothing is written outside the output
folder; a previous good site is never destroyed. Most cases drive build.py
in a subprocess on a project written inline; a few call the stages directly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path, PurePosixPath

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from support import ROOT, run_cli
from digestsite.enrich import enrich_segment
from digestsite.markdown_pages import read_front_matter
from digestsite.markup import MARKDOWN_TAGS
from digestsite.model import Digest, Paragraph, Settings, SiteModel, Taxonomy, TopicDefinition
from digestsite.pipeline import assign_slugs
from digestsite.read import decode_digest
from digestsite.render import make_environment, plan_pages, render_pages
from digestsite.segment import segment_digest
from digestsite.taxonomy import index_spokespersons, index_topics

SEED = ROOT / "content" / "digests" / "global-times-china-world-digest.txt"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"

SITE_TOML = 'title = "Hostile Digest"\nbase_url = "https://example.org/"\n'
TOPICS_TOML = """\
min_score = 1.0
[[topic]]
name = "Trade"
description = "Trade and tariffs."
keywords = ["trade", "tariff", "tariffs", "exports"]

[[topic]]
name = "Climate"
description = "Weather and climate."
keywords = ["climate", "flood", "floods", "rain"]
"""

# Three unrelated stories, each with its own spokesperson, one paragraph a line.
STORIES = [
    "Chinese Foreign Ministry Spokesperson Guo Jiakun said on Monday that tariffs on steel exports would hurt trade.\n"
    "Guo said the new tariffs broke the rules of the World Trade Organization.\n",
    "Heavy rain caused floods across the southern province of Guangdong on Tuesday, officials said.\n"
    "More than 20,000 residents were moved to shelters as the floods rose.\n",
    "The national football team won its opening match of the Asian Cup in Doha on Wednesday.\n"
    "The coach praised the defence after the two-nil victory.\n",
]
DIGEST = "".join(STORIES)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def project(tmp_path: Path):
    """``project(digests, files, name=)`` writes ``<tmp>/<name>/content`` and returns it.

    ``digests`` maps file names in ``digests/`` to text (UTF-8) or bytes; ``files``
    maps other paths under ``content/``; settings and topics are there unless replaced.
    """
    def make(digests: dict[str, str | bytes] | None = None, files: dict[str, str | bytes] | None = None,
             name: str = "project") -> Path:
        content = tmp_path / name / "content"
        spec: dict[str, str | bytes] = {"site.toml": SITE_TOML, "topics.toml": TOPICS_TOML, **(files or {})}
        for file, data in (digests if digests is not None else {"digest.txt": DIGEST}).items():
            spec[f"digests/{file}"] = data
        (content / "digests").mkdir(parents=True, exist_ok=True)
        for file, data in spec.items():
            path = content / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return content
    return make


def build(content: Path, out: Path | None = None, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    out = out if out is not None else content.parent / "site"
    return run_cli("build", "--no-search", "--content", str(content), "--out", str(out), *args, timeout=timeout)


def built(content: Path, *args: str) -> Path:
    """Build into ``<project>/site`` and return it; the build must succeed."""
    result = build(content, None, *args)
    assert result.returncode == 0, result.stderr
    return content.parent / "site"


def assert_error(result: subprocess.CompletedProcess, prefix: str, *words: str) -> None:
    """Exit 1, one ``error: <prefix>...`` message, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {prefix}"), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def article_pages(site: Path) -> dict[str, str]:
    """slug -> the article page's HTML."""
    return {p.parent.name: p.read_text(encoding="utf-8") for p in sorted((site / "articles").glob("*/index.html"))}


def front_matter(site: Path) -> dict[str, dict]:
    """slug -> the TOML front matter of its published index.md."""
    return {path.parent.name: read_front_matter(path.read_text(encoding="utf-8"), str(path))[0]
            for path in sorted((site / "articles").glob("*/index.md"))}


def parse_html(data: bytes):
    return html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree")).parse(data)


def assert_site_is_safe(site: Path) -> None:
    """No content-made script, handler or javascript: link; JSON-LD, feeds and sitemaps parse."""
    pages = sorted(site.rglob("*.html"))
    assert pages
    for page in pages:
        where = page.relative_to(site).as_posix()
        doc = parse_html(page.read_bytes())
        for element in doc.iter():
            tag = element.tag.replace(XHTML, "") if isinstance(element.tag, str) else ""
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (where, tag, name, value)
                if name.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (where, value)
            if tag == "script":
                src = element.get("src")
                if src is not None:
                    assert not (element.text or "").strip(), where
                    assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I), (where, src)
                    assert src.split("?")[0].endswith(("assets/search.js", "pagefind/pagefind-ui.js")), (where, src)
                else:
                    assert element.get("type") == "application/ld+json", (where, element.attrib)
                    json.loads(element.text or "")
            assert tag not in ("iframe", "frame", "object", "embed", "img", "base", "style"), (where, tag)
    for xml_file in sorted(site.rglob("*.xml")):
        ET.fromstring(xml_file.read_bytes())  # feeds and sitemaps stay well-formed


# ---------------------------------------------------------------- encodings


def test_utf8_with_bom_builds_and_the_bom_is_not_text(project) -> None:
    site = built(project({"digest.txt": b"\xef\xbb\xbf" + DIGEST.encode("utf-8")}))
    plain = built(project({"digest.txt": DIGEST}, name="plain"))
    assert "\ufeff" not in "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert sorted(article_pages(site)) == sorted(article_pages(plain))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_builds_like_utf8(project, codec: str) -> None:
    data = DIGEST.encode(codec)
    if codec != "utf-16":  # explicit byte order: add the BOM by hand
        data = ("\ufeff" + DIGEST).encode(codec)
    site = built(project({"digest.txt": data}))
    plain = built(project({"digest.txt": DIGEST}, name="plain"))
    assert front_matter(site) == front_matter(plain)


def test_latin1_digest_is_a_clear_error_then_declared_encoding_builds(project) -> None:
    text = "First line is plain.\nThe café in Zürich raised its prices, the owner said.\n"
    content = project({"2025-01-20-wire.txt": text.encode("latin-1")})
    out = content.parent / "site"
    result = build(content, out)
    offset = text.encode("latin-1").index(b"\xe9")
    assert_error(result, "content/digests/2025-01-20-wire.txt:2: not valid UTF-8",
                 f"byte offset {offset}", "[encodings]", "latin-1")
    assert not out.exists()
    (content / "site.toml").write_text(SITE_TOML + '[encodings]\n"2025-01-20-wire.txt" = "latin-1"\n', encoding="utf-8")
    site = built(content)
    assert "The café in Zürich" in "".join(article_pages(site).values())


def test_declared_encoding_that_does_not_exist_is_an_error_at_its_line(project) -> None:
    content = project(files={"site.toml": SITE_TOML + '[encodings]\n"digest.txt" = "klingon-8"\n'})
    assert_error(build(content), "content/site.toml:4: unknown encoding 'klingon-8'")


def test_nul_and_control_bytes_are_dropped_not_published(project) -> None:
    data = DIGEST.replace("Monday", "Mon\x00day").replace("floods", "flo\x07ods\x1b").encode("utf-8")
    site = built(project({"digest.txt": b"\x00\x00" + data + b"\x00"}))
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".md"):
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", path.read_bytes()), path
    assert "on Monday" in "".join(article_pages(site).values())
    assert_site_is_safe(site)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_line_ends_give_the_same_site(project, newline: str) -> None:
    plain = front_matter(built(project({"digest.txt": DIGEST}, name="plain")))
    other = front_matter(built(project({"digest.txt": DIGEST.replace("\n", newline)})))
    assert other == plain


def test_mixed_line_ends_in_one_file_count_lines_like_an_editor(project) -> None:
    lines = DIGEST.splitlines()
    mixed = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + "\r\n".join(lines[3:]) + "\r"
    plain = front_matter(built(project({"digest.txt": DIGEST}, name="plain")))
    assert front_matter(built(project({"digest.txt": mixed}))) == plain


def test_nfc_and_nfd_spellings_of_one_name_are_one_person_with_one_slug(project) -> None:
    name = "Zoë Adèle"
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    digests = {
        "2025-01-20-a.txt": f"Ministry of Commerce Spokesperson {name} said on Monday that exports of steel rose by a tenth.\n"
                            "The rise came after a year of falling trade with Europe.\n",
        "2025-01-21-b.txt": f"Ministry of Commerce Spokesperson {nfd} said on Tuesday that tariffs on cars would not change.\n"
                            "Car makers had feared a new round of tariffs on their exports.\n",
    }
    site = built(project(digests))
    people = sorted(p.name for p in (site / "spokespersons").iterdir() if p.is_dir())
    assert people == ["zoe-adele"]
    pages = front_matter(site)
    assert len(pages) == 2
    assert [[s["name"] for s in page["spokespersons"]] for page in pages.values()] == [[name], [name]]
    html = (site / "spokespersons" / "zoe-adele" / "index.html").read_bytes()
    links = {a.get("href") for a in parse_html(html).iter(f"{XHTML}a")}
    assert {f"../../articles/{slug}/" for slug in pages} <= links
    assert nfd not in "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


# ---------------------------------------------------------------- shape


@pytest.mark.parametrize("text", ["", "   \n\t\n  \n", "\n\n\n", "\ufeff", "\r\n\r\n"],
                         ids=["empty", "whitespace", "blank-lines", "bom-only", "crlf-only"])
def test_a_digest_with_no_text_builds_an_empty_site_and_says_so(project, text: str) -> None:
    content = project({"2025-01-20-empty.txt": text})
    result = build(content)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 0 articles, ")
    assert "warning: content/digests/2025-01-20-empty.txt: has no text" in result.stderr
    site = content.parent / "site"
    assert (site / "index.html").is_file() and not list((site / "articles").glob("*"))
    assert_site_is_safe(site)


def test_one_paragraph_is_one_article(project) -> None:
    site = built(project({"one.txt": STORIES[0].splitlines()[0] + "\n"}))
    (page,) = front_matter(site).values()
    assert page["source"] == {"digest": "digests/one.txt", "start": 0, "end": 1}
    assert page["spokespersons"] == [{"name": "Guo Jiakun", "organisation": "Chinese Foreign Ministry"}]


def test_a_digest_that_is_one_article_gives_one_page(project) -> None:
    site = built(project({"one.txt": STORIES[1]}))
    (page,) = front_matter(site).values()
    assert (page["source"]["start"], page["source"]["end"]) == (0, 2)


def test_a_paragraph_with_no_sentence_punctuation_gets_a_headline(project) -> None:
    words = "officials in the southern province counted the damage from floods and heavy rain across twelve towns"
    site = built(project({"flat.txt": " ".join([words] * 20) + "\n"}))
    (page,) = front_matter(site).values()
    assert 0 < len(page["title"]) <= 90 and page["title"][0].isupper()
    assert page["standfirst"].startswith("officials in the southern province")
    assert SLUG.fullmatch(next(iter(front_matter(site))))


def _big_line(punctuated: bool) -> str:
    """About 5 MB on one line: the same few sentences, or the same words with no full stop."""
    unit = ("Officials in Beijing said trade talks with Washington would resume on Monday after "
            "floods hit the southern province. ")
    if not punctuated:
        unit = unit.replace(".", "")
    return unit * (5_000_000 // len(unit)) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("punctuated", [True, False], ids=["sentences", "no-full-stops"])
def test_one_line_of_five_megabytes_builds_in_reasonable_time(project, punctuated: bool) -> None:
    content = project({"big.txt": _big_line(punctuated)})
    started = time.perf_counter()
    result = build(content, None, "--no-cache", timeout=120)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert seconds < 60, f"took {seconds:.1f} s"
    pages = front_matter(content.parent / "site")
    assert len(pages) >= 1 and all(len(p["title"]) <= 90 for p in pages.values())


@pytest.mark.slow
def test_one_hundred_thousand_one_word_lines(project) -> None:
    words = ["trade", "floods", "Beijing", "talks", "rain", "Monday", "tariffs", "said"]
    text = "\n".join(words[i % len(words)] for i in range(100_000)) + "\n"
    started = time.perf_counter()
    result = build(project({"words.txt": text}), None, "--no-cache", timeout=120)
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 60
    assert re.match(r"built [1-9]\d* articles", result.stdout)


def test_two_identical_articles_are_published_once_with_a_warning(project) -> None:
    """The same digest saved twice under two names: every article of the second is a repeat."""
    content = project({"2025-01-20-a.txt": DIGEST, "2025-01-21-copy.txt": DIGEST})
    once = front_matter(built(project({"2025-01-20-a.txt": DIGEST}, name="once")))
    result = build(content)
    assert result.returncode == 0, result.stderr
    site = content.parent / "site"
    pages = front_matter(site)
    assert pages == once
    repeats = [line for line in result.stderr.splitlines() if "same text as the article at" in line]
    assert len(repeats) == len(pages)
    assert repeats[0].startswith("warning: digests/2025-01-21-copy.txt:1: same text as the article at "
                                 "digests/2025-01-20-a.txt:1; published once")
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    entry_ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
    assert len(entry_ids) == len(set(entry_ids)) == len(pages)


# ---------------------------------------------------------------- markup in content

HOSTILE_LINES = [
    'Officials said </script><script>alert("headline")</script> tariffs on steel exports would rise on Monday.',
    'The <img src=x onerror=alert(1)> and <svg onload=alert(2)> tags were quoted in the trade report.',
    'Readers could [click here](javascript:alert(3)) or see ![a chart](https://evil.test/x.png) and '
    '<a href="javascript:alert(4)">this</a> and <javascript:alert(5)> too.',
    'A comment <!-- hidden --> and a CDATA <![CDATA[ x ]]> and an entity &amp; &lt;b&gt; stayed literal.',
    'Template syntax {{ 7*7 }} and {% if true %}yes{% endif %} and {{ config }} and {# note #} stayed literal.',
    "Characters that break XML: \x0b\x0c \ufffe \uffff \u0085 \u2028 \u2029 & < > \" ' ]]> were in the trade data.",
]
HOSTILE_TITLE = 'Rates </script><script>alert("t")</script> & <b>bold</b> {{ 7*7 }} ]]> rise'


def test_markup_in_digests_and_pages_is_shown_never_run(project) -> None:
    digest = "\n".join(HOSTILE_LINES) + "\n" + STORIES[1]
    page = f"""+++
title = {json.dumps(HOSTILE_TITLE)}
standfirst = "<script>alert('s')</script> {{{{ 7*7 }}}}"
tags = ["<img src=x onerror=alert(6)>", "javascript:alert(7)"]
spokespersons = [{{ name = "</script><b>Evil</b>", organisation = "<i>Org</i>" }}]
+++

<script>alert("body")</script> <iframe src="https://evil.test"></iframe>

[a link](javascript:alert(8)) [another](JAVASCRIPT:alert(9)) [data](data:text/html,<script>alert(10)</script>)
<javascript:alert(11)> ![img](https://evil.test/p.png) <img src=x onerror=alert(12)>

{{{{ 7*7 }}}} {{% for x in range(3) %}}loop{{% endfor %}}
"""
    content = project({"2025-01-20-evil.txt": digest}, {"articles/evil.md": page})
    site = built(content)
    assert_site_is_safe(site)
    texts = {p.relative_to(site).as_posix(): "".join(parse_html(p.read_bytes()).itertext())
             for p in site.rglob("*.html")}
    assert not [path for path, text in texts.items() if re.search(r"\b49\b|looplooploop", text)]
    assert sum("{{ 7*7 }}" in text for text in texts.values()) >= 2  # the digest's and the page's
    assert any("{% if true %}yes{% endif %}" in text for text in texts.values())
    hand = article_pages(site)[SLUG.fullmatch("rates-script-script-alert-t-script-b-bold-b-7-7-rise")[0]]
    heading = parse_html(hand.encode()).find(f".//{XHTML}h1")
    assert "".join(heading.itertext()) == HOSTILE_TITLE
    body = next(e for e in parse_html(hand.encode()).iter() if e.get("id") == "article-body")
    assert '<script>alert("body")</script> <iframe src="https://evil.test"></iframe>' in "".join(body.itertext())


def test_json_ld_keeps_a_script_closing_headline_as_data(project) -> None:
    content = project({"d.txt": DIGEST}, {"corrections.toml": ""})
    site = built(content)
    first = next(iter(front_matter(site).values()))
    (content / "corrections.toml").write_text(
        f'[[article]]\nid = "{first["id"]}"\ntitle = {json.dumps(HOSTILE_TITLE)}\n'
        f'tags = ["</script><!--", "]]>"]\n', encoding="utf-8")
    site = built(content)
    (slug,) = [s for s, p in front_matter(site).items() if p["id"] == first["id"]]
    doc = parse_html((site / "articles" / slug / "index.html").read_bytes())
    (script,) = [s for s in doc.iter(f"{XHTML}script") if s.get("type") == "application/ld+json"]
    data = json.loads(script.text)
    assert data["headline"] == HOSTILE_TITLE
    assert data["keywords"] == ["</script><!--", "]]>"]
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    assert HOSTILE_TITLE in [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert_site_is_safe(site)


def test_site_settings_with_markup_are_escaped_everywhere(project) -> None:
    settings = ('title = "</title><script>alert(1)</script> & Co"\n'
                'description = "\\"><img src=x onerror=alert(2)> ]]>"\n'
                'author = "<b>me</b>"\nlanguage = "en\\"><script>"\nbase_url = "https://example.org/"\n')
    site = built(project(files={"site.toml": settings}))
    assert_site_is_safe(site)
    doc = parse_html((site / "index.html").read_bytes())
    assert doc.findtext(f".//{XHTML}title").startswith("</title><script>alert(1)</script> & Co")


# ---------------------------------------------------------------- names and slugs

# Ledes whose headlines differ only by punctuation, case or accents.
CLASHING = {
    "a.txt": "Rates rise in Zürich as the central bank acts on prices.\n",
    "b.txt": "Rates rise in Zurich as the central bank acts on prices!\n",
    "c.txt": "RATES RISE IN ZURICH as the central bank acts on prices.\n",
    "d.txt": "Rates rise in Zu\u0308rich as the central bank acts on prices?\n",
}


def _slugs_by_id(site: Path) -> dict[str, str]:
    return {page["id"]: slug for slug, page in front_matter(site).items()}


def test_headlines_differing_only_by_punctuation_case_or_accents_get_distinct_stable_slugs(project) -> None:
    first = _slugs_by_id(built(project(CLASHING)))
    assert len(first) == 4 and len(set(first.values())) == 4
    assert all(SLUG.fullmatch(slug) for slug in first.values())
    assert len({re.sub(r"-\d+$", "", slug) for slug in first.values()}) == 1  # they do clash
    assert _slugs_by_id(built(project(CLASHING, name="again"))) == first
    renamed = dict(zip(sorted(CLASHING, reverse=True), CLASHING.values()))  # the same digests, reversed
    assert _slugs_by_id(built(project(renamed, name="reordered"))) == first


def test_non_latin_names_get_readable_or_hashed_slugs(project) -> None:
    digests = {
        "lu.txt": "Foreign Ministry Spokesperson Lü Xiang said on Monday that the talks on trade went well.\n",
        "cjk.txt": "外交部发言人毛宁星期一表示，中国愿意同各方一道推动贸易谈判。\n",
        "ar.txt": "قال المتحدث باسم وزارة الخارجية إن المحادثات التجارية ستستمر يوم الاثنين.\n",
    }
    content = project(digests, {
        "topics.toml": TOPICS_TOML + '\n[[topic]]\nname = "贸易"\ndescription = "Trade in Chinese."\nkeywords = ["贸易"]\n',
    })
    site = built(content)
    pages = front_matter(site)
    assert len(pages) == 3 and all(SLUG.fullmatch(slug) for slug in pages)
    ids = {page["source"]["digest"]: (slug, page["id"]) for slug, page in pages.items()}
    assert not ids["digests/lu.txt"][0].startswith("article-")  # Latin with accents: a readable slug
    for name in ("digests/cjk.txt", "digests/ar.txt"):
        slug, article_id = ids[name]
        assert slug == f"article-{article_id[:8]}"
    assert (site / "spokespersons" / "lu-xiang" / "index.html").is_file()
    topic_slugs = [p.name for p in (site / "topics").iterdir() if p.is_dir()]
    assert all(SLUG.fullmatch(s) for s in topic_slugs)
    corrections = "".join(
        f'[[article]]\nid = "{article_id}"\nspokespersons = ["毛宁", "محمد علي", "Lü Xiang"]\n'
        for _, article_id in ids.values())
    (content / "corrections.toml").write_text(corrections, encoding="utf-8")
    site = built(content)
    people = sorted(p.name for p in (site / "spokespersons").iterdir() if p.is_dir())
    assert len(people) == 3 and "lu-xiang" in people
    assert all(re.fullmatch(r"person-[0-9a-f]{8}", p) for p in people if p != "lu-xiang")
    assert_site_is_safe(site)


UNSAFE_SLUGS = ["../escape", "../../etc/passwd", "a/b", "/etc/passwd", "C:\\\\Windows", "c:/x", "..", ".", "",
                "Upper-Case", "a b", "\\\\\\\\server\\\\share"]


@pytest.mark.parametrize("slug", UNSAFE_SLUGS)
def test_unsafe_slug_in_corrections_toml_is_refused_at_its_line(project, slug: str) -> None:
    corrections = f'# fixes\n\n[[article]]\nid = "0123456789ab"\nslug = "{slug}"\ntitle = "Fine"\n'
    content = project(files={"corrections.toml": corrections})
    out = content.parent / "site"
    result = build(content, out)
    assert_error(result, "content/corrections.toml:", "slug")
    assert re.match(r"error: content/corrections\.toml:[35]: ", result.stderr), result.stderr
    assert not out.exists()


@pytest.mark.parametrize("slug", UNSAFE_SLUGS)
def test_unsafe_slug_in_an_article_page_is_refused_at_its_line(project, slug: str) -> None:
    page = f'+++\ntitle = "Fine"\nslug = "{slug}"\n+++\n\nBody text.\n'
    content = project(files={"articles/page.md": page})
    result = build(content)
    assert_error(result, "content/articles/page.md:3: ", "slug")
    assert not (content.parent / "site").exists()
    assert not any(p.name in ("escape", "passwd", "Windows", "x") for p in content.parent.parent.rglob("*"))


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize("file, warning", [
    ("site.toml", "warning: content/site.toml: not found; using default settings"),
    ("topics.toml", "warning: content/topics.toml: not found; articles get no topics"),
])
def test_a_missing_settings_or_taxonomy_file_is_a_warning(project, file: str, warning: str) -> None:
    content = project()
    (content / file).unlink()
    result = build(content)
    assert result.returncode == 0, result.stderr
    assert warning in result.stderr.splitlines()


@pytest.mark.parametrize("file, data, expect", [
    ("site.toml", b"", "<title>News Digest</title>"),
    ("site.toml", b"\xef\xbb\xbf\n# only a comment\n", "<title>News Digest</title>"),
    ("topics.toml", b"", "warning: content/topics.toml: defines no topics"),
    ("topics.toml", b"min_score = 2\n", "warning: content/topics.toml: defines no topics"),
    ("corrections.toml", b"", ""),
])
def test_an_empty_settings_taxonomy_or_corrections_file_builds(project, file: str, data: bytes, expect: str) -> None:
    content = project(files={file: data})
    result = build(content)
    assert result.returncode == 0, result.stderr
    html = (content.parent / "site" / "index.html").read_text(encoding="utf-8")
    assert expect in result.stderr + html


MALFORMED = [
    ("site.toml", 'title = "Digest"\nbase_url = "https://example.org/\n', "content/site.toml:2: malformed TOML"),
    ("site.toml", 'title = "Digest"\n\n[encodings\n', "content/site.toml:3: malformed TOML"),
    ("site.toml", 'title = 3\n', "content/site.toml:1: 'title' must be a str"),
    ("site.toml", 'title = "A"\ndate = "2025-02-30"\n', "content/site.toml:2: date must be YYYY-MM-DD"),
    ("site.toml", 'title = "A"\nencodings = "latin-1"\n', "content/site.toml:2: 'encodings' must be a dict"),
    ("site.toml", 'title = "A"\nbase_url = "javascript:alert(1)//"\n', "content/site.toml:2: base_url must be an http(s)"),
    ("site.toml", 'title = "Caf\xe9"\n'.encode("latin-1"), "content/site.toml:1: not valid UTF-8"),
    ("site.toml", 'title = "A\x00B"\n', "content/site.toml:1: malformed TOML"),
    ("topics.toml", '[[topic]]\nname = "A"\nkeywords = [\n', "content/topics.toml:"),
    ("topics.toml", '[[topic]]\nname = "A"\nkeywords = "trade"\n', "content/topics.toml:2: topic 'A': 'keywords' must be a list"),
    ("topics.toml", '[[topic]]\nname = "A"\nkeywords = ["a"]\n\n[[topic]]\nname = "A"\nkeywords = ["b"]\n',
     "content/topics.toml:6: topic 'A' defined twice"),
    ("topics.toml", '[[topic]]\ndescription = "no name"\n', "content/topics.toml: topic #1 needs a name"),
    ("topics.toml", 'max_topics = "three"\n', "content/topics.toml:1: 'max_topics' must be a int"),
    ("topics.toml", '[topic]\nname = "A"\n', "content/topics.toml:1: 'topic' must be a list"),
    ("topics.toml", '[[topic]]\nname = "A"\nslug = "../a"\nkeywords = ["a"]\n', "content/topics.toml:2: topic 'A': slug must match"),
    ("corrections.toml", '[[article]]\nid = "x"\ntitle = \n', "content/corrections.toml:3: malformed TOML"),
    ("corrections.toml", '[[split]]\nbefore = "One"\n', "content/corrections.toml:1: [[split]] needs before"),
    ("corrections.toml", '[[splits]]\nbefore = "Two words"\n', "content/corrections.toml:1: unknown section 'splits'"),
    ("corrections.toml", '\n[[article]]\nid = "x"\ncolour = "red"\n', "content/corrections.toml:2: unknown field 'colour'"),
    ("articles/a.md", 'title = "No fence"\n', "content/articles/a.md:1: no front matter"),
    ("articles/a.md", '+++\ntitle = "Open"\n\nBody.\n', "content/articles/a.md:1: front matter is not closed"),
    ("articles/a.md", '+++\ntitle = "A"\ndate = "yesterday"\n+++\n\nBody.\n', "content/articles/a.md:3: 'date' must be YYYY-MM-DD"),
    ("articles/a.md", '+++\ntitle = "A"\ntopics = ["Nope"]\n+++\n\nBody.\n', "content/articles/a.md:"),
    ("articles/a.md", '+++\ntitle = "A"\n+++\n\n', "content/articles/a.md:1: a hand-written article needs a body"),
]


@pytest.mark.parametrize("file, data, prefix", MALFORMED, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(MALFORMED)])
def test_a_malformed_file_is_an_error_at_its_line_and_the_old_site_stays(project, file: str, data: str | bytes,
                                                                         prefix: str) -> None:
    content = project()
    out = content.parent / "site"
    before = snapshot(built(content))
    path = content / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    assert_error(build(content, out), prefix)
    assert snapshot(out) == before
    assert not [p.name for p in content.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]


ODD_ENTRIES = ["digests/folder.txt", "digests/broken.txt", "articles/folder.md"]


def _odd_entry_build(project, entry: str, *args: str) -> None:
    content = project()
    out = content.parent / "site"
    before = snapshot(built(content))
    path = content / entry
    path.parent.mkdir(parents=True, exist_ok=True)
    if "broken" in entry:
        path.symlink_to(content / "nowhere.txt")
    else:
        path.mkdir()
    assert_error(build(content, out, *args), f"content/{entry}: cannot read: ")
    assert snapshot(out) == before


@pytest.mark.parametrize("entry", ODD_ENTRIES)
def test_a_folder_or_broken_link_where_a_file_belongs_is_an_error_naming_it(project, entry: str) -> None:
    _odd_entry_build(project, entry, "--no-cache")


@pytest.mark.parametrize("entry", ODD_ENTRIES[:2])
def test_a_folder_or_broken_link_is_an_error_even_when_the_site_looks_up_to_date(project, entry: str) -> None:
    _odd_entry_build(project, entry)


def test_an_unknown_key_is_a_warning_naming_it_and_its_line(project) -> None:
    settings = SITE_TOML + 'colour = "red"\n'
    topics = 'min_scor = 2\n' + TOPICS_TOML + '\n[[topic]]\nname = "Sport"\nkeyword = ["football"]\n'
    result = build(project(files={"site.toml": settings, "topics.toml": topics}))
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert any(w.startswith("warning: content/site.toml:3: unknown setting 'colour'") for w in warnings), warnings
    assert any(w.startswith("warning: content/topics.toml:1: unknown key 'min_scor'") for w in warnings), warnings
    assert any(w.startswith("warning: content/topics.toml:15: unknown key 'keyword'") for w in warnings), warnings
    assert any(w.startswith("warning: content/topics.toml:14: topic 'Sport' has no keywords") for w in warnings), warnings


def test_a_topic_with_no_keywords_is_a_warning_and_corrections_can_still_assign_it(project) -> None:
    topics = TOPICS_TOML + '\n[[topic]]\nname = "Sport"\ndescription = "Games."\n'
    content = project(files={"topics.toml": topics})
    result = build(content)
    assert result.returncode == 0, result.stderr
    assert "warning: content/topics.toml:13: topic 'Sport' has no keywords" in result.stderr
    first = next(iter(front_matter(content.parent / "site").values()))
    (content / "corrections.toml").write_text(f'[[article]]\nid = "{first["id"]}"\ntopics = ["Sport"]\n', encoding="utf-8")
    site = built(content)
    assert (site / "topics" / "sport" / "index.html").is_file()


def test_a_templates_folder_without_article_html_is_an_error_naming_it(project, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "article.html").unlink()
    content = project()
    out = content.parent / "site"
    before = snapshot(built(content))
    result = build(content, out, "--templates", str(templates))
    assert_error(result, f"{templates / 'article.html'}: template not found: article.html")
    assert snapshot(out) == before


def test_a_missing_templates_or_content_folder_is_an_error_naming_it(project, tmp_path: Path) -> None:
    content = project()
    result = build(content, None, "--templates", str(tmp_path / "nowhere"))
    assert_error(result, str(tmp_path / "nowhere"), "template not found")
    assert_error(build(tmp_path / "no-content"), f"{tmp_path / 'no-content'}: content folder not found")


# ---------------------------------------------------------------- output safety


def _whole(folder: Path, *, cache: bool = True) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` (folders as None), to compare before and after;
    ``cache=False`` leaves out the build cache (``.cache/`` beside ``content/``)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*")) if cache or ".cache" not in p.relative_to(folder).parts}


UNSAFE_OUT = ["content", "project", "content/site", "templates", "root", "home", "not-ours", "a-file"]


def _refused_build(project, tmp_path: Path, target: str) -> tuple[dict, dict]:
    """Build with ``--out`` at an unsafe ``target`` (HOME is a scratch folder); the refusal is
    checked here, and the whole of ``tmp_path`` is returned from before and after the build."""
    content = project()
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "not-ours").mkdir()
    (tmp_path / "not-ours" / "thesis.tex").write_text("years of work\n")
    (tmp_path / "a-file").write_text("a file\n")
    out = {"content": content, "project": content.parent, "content/site": content / "site",
           "templates": templates, "root": Path("/"), "home": home, "not-ours": tmp_path / "not-ours",
           "a-file": tmp_path / "a-file"}[target]
    before = _whole(tmp_path)
    result = run_cli("build", "--no-search", "--content", str(content), "--templates", str(templates),
                     "--out", str(out), env={**os.environ, "HOME": str(home)})
    assert_error(result, "refusing to ", str(out))
    return before, _whole(tmp_path)


@pytest.mark.parametrize("target", UNSAFE_OUT)
def test_an_unsafe_out_folder_is_refused_and_nothing_is_touched(project, tmp_path: Path, target: str) -> None:
    before, after = _refused_build(project, tmp_path, target)
    assert {p: d for p, d in after.items() if ".cache" not in p.split("/")} == before


@pytest.mark.parametrize("target", ["content", "root"])
def test_an_unsafe_out_folder_is_refused_before_even_the_cache_is_written(project, tmp_path: Path,
                                                                          target: str) -> None:
    before, after = _refused_build(project, tmp_path, target)
    assert after == before


def test_out_given_as_a_relative_path_with_dots_is_resolved_before_the_check(project) -> None:
    content = project()
    before = _whole(content.parent)
    result = run_cli("build", "--no-search", "--content", str(content),
                     "--out", "site/../content/./", cwd=content.parent)
    assert_error(result, "refusing to use site/../content")
    assert _whole(content.parent, cache=False) == before


def test_a_symlinked_out_folder_pointing_into_content_is_refused(project, tmp_path: Path) -> None:
    content = project()
    link = tmp_path / "innocent"
    link.symlink_to(content, target_is_directory=True)
    before = _whole(content.parent)
    assert_error(build(content, link), "refusing to use")
    assert _whole(content.parent, cache=False) == before and link.is_symlink()


def _seed_copies(content: Path, copies: int) -> None:
    """``copies`` variants of the seed digest, each line marked so every article is new."""
    seed = SEED.read_text(encoding="utf-8")
    for i in range(copies):
        text = "\n".join(f"{line} (Copy {i}.)" if line.strip() else line for line in seed.splitlines())
        (content / "digests" / f"copy-{i:02d}.txt").write_text(text + "\n", encoding="utf-8")


@pytest.mark.slow
def test_a_build_killed_halfway_leaves_the_old_site_and_the_next_build_cleans_up(project) -> None:
    content = project()
    shutil.copy(ROOT / "content" / "topics.toml", content / "topics.toml")
    site = built(content)
    before = snapshot(site)
    _seed_copies(content, 30)
    command = [sys.executable, str(ROOT / "build.py"), "build", "--no-search",
               "--content", str(content), "--out", str(site)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    staging: list[Path] = []
    try:
        while not staging and process.poll() is None and time.monotonic() < deadline:
            staging = list(content.parent.glob(".site.staging-*"))
            time.sleep(0.001)
        assert staging, "the build never made a staging folder beside site/ (or finished first)"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert staging[0].exists(), "the staging folder was swapped in before the kill"
    assert staging[0].name == f".site.staging-{process.pid}"
    assert snapshot(site) == before
    result = build(content, site)
    assert result.returncode == 0, result.stderr
    assert re.match(r"built \d{3} articles", result.stdout), result.stdout
    assert not list(content.parent.glob(".site.*")), list(content.parent.iterdir())
    assert snapshot(site) != before and (site / ".digestsite-output").is_file()


# ---------------------------------------------------------------- properties

PROPERTY_TAXONOMY = Taxonomy((
    TopicDefinition("Trade", "trade", "Trade & <b>tariffs</b>.", (("trade", 1.0), ("tariffs", 1.0))),
    TopicDefinition("Climate", "climate", "", (("floods", 1.0), ("rain", 1.0))),
), min_score=1.0)
_ENV = make_environment(ROOT / "templates")
FRAGMENTS = [
    "<script>alert(1)</script>", "</script>", "<!--", "-->", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
    "[x](javascript:alert(1))", "![i](http://evil.test/i.png)", "<javascript:alert(1)>", "{{ 7*7 }}", "{% raw %}",
    "{#", "&amp;", "&#x3C;", "]]>", "\x00", "\x0b", "\ufffe", "\ud7ff", "\u2028", "\ufeff", "\r", "\r\n", "\n",
    "# heading", "## Sub", "> quote", "- item", "1. item", "---", "```", "    code", "*", "_", "`", "|", "\\",
    "Spokesperson Guo Jiakun said", "Zoe\u0308 Ade\u0300le said", "said.", "\"Quoted,\" he said.", " ",
    "trade", "floods", "Lü Xiang", "毛宁", "مرحبا",
]
_digest_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS),
                                  st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
                        max_size=40).map("".join)


def _tags_made_by_the_templates() -> frozenset[str]:
    """Every element name an article page has when its content is plain, plus Markdown's own.

    Each article is there twice (under another id), so each has a related article, as the
    articles of random text may."""
    digest = Digest(PurePosixPath("digests/d.txt"), tuple(
        Paragraph(i, line) for i, line in enumerate(DIGEST.splitlines())))
    articles = [enrich_segment(s, PROPERTY_TAXONOMY, date="2025-01-20", order=i)
                for i, s in enumerate(segment_digest(digest))]
    articles = assign_slugs(articles + [replace(a, id=a.id[::-1]) for a in articles])
    names: set[str] = set()
    for data in _render_articles(articles).values():
        names |= {e.tag.replace(XHTML, "") for e in parse_html(data).iter() if isinstance(e.tag, str)}
    return frozenset(names | MARKDOWN_TAGS)


def _render_articles(articles) -> dict[PurePosixPath, bytes]:
    site = SiteModel(settings=Settings(title="T", base_url="https://example.org/"), articles=tuple(articles),
                     topics=index_topics(articles, PROPERTY_TAXONOMY), spokespersons=index_spokespersons(articles),
                     build_time="2025-01-20T00:00:00Z")
    plan = [spec for spec in plan_pages(site) if str(spec.url_path).startswith("articles/")
            or str(spec.url_path) == "feed.xml"]
    return render_pages(plan, _ENV)


_TEMPLATE_TAGS: list[frozenset[str]] = []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_digest_text, min_size=1, max_size=4), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_digest_text_reads_segments_enriches_and_renders_to_safe_pages(chunks: list[str], codec: str) -> None:
    if not _TEMPLATE_TAGS:
        _TEMPLATE_TAGS.append(_tags_made_by_the_templates())
    decoded = decode_digest("\n".join(chunks).encode(codec), "content/digests/d.txt")
    lines = re.split(r"\r\n|\r|\n", decoded)
    digest = Digest(PurePosixPath("digests/d.txt"),
                    tuple(Paragraph(i, line.strip()) for i, line in enumerate(lines) if line.strip()))
    articles = assign_slugs([enrich_segment(s, PROPERTY_TAXONOMY, date="2025-01-20", order=i)
                             for i, s in enumerate(segment_digest(digest))])
    assert all(SLUG.fullmatch(a.slug) for a in articles)
    files = _render_articles(articles)
    ET.fromstring(files[PurePosixPath("feed.xml")])
    for path, data in files.items():
        if path.suffix != ".html":
            continue
        doc = parse_html(data)
        scripts = [e for e in doc.iter(f"{XHTML}script")]
        assert [s.get("type") for s in scripts] == ["application/ld+json"], path
        json.loads(scripts[0].text)
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            assert element.tag.replace(XHTML, "") in _TEMPLATE_TAGS[0], (path, element.tag)
            assert not any(name.lower().startswith("on") for name in element.attrib), (path, element.attrib)
            assert not element.get("href", "").strip().lower().startswith("javascript:"), (path, element.attrib)


def test_a_javascript_base_url_on_the_command_line_is_refused(project) -> None:
    content = project()
    assert_error(build(content, None, "--base-url", "javascript:alert(1)//"), "")


@pytest.mark.parametrize("name", ['2025-01-20-"><script>alert(1)<\\script>.txt', "2025-01-20 été & <b>.txt",
                                  "-rf.txt", "..txt", " .txt", "2025-02-30-bad-date.txt"])
def test_odd_digest_file_names_build_a_safe_site(project, name: str) -> None:
    site = built(project({name: DIGEST}))
    assert_site_is_safe(site)
    pages = front_matter(site)
    assert pages and {p["source"]["digest"] for p in pages.values()} == {f"digests/{name}"}
    assert {p.get("date") for p in pages.values()} == ({"2025-01-20"} if name.startswith("2025-01-20") else {None})
