"""Tests for digestsite.render (plan, templates, links, markup safety, errors) and related.py."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import jinja2
import jinja2.compiler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from digestsite.cache import article_hash, hash_values
from digestsite.errors import SourceError
from digestsite import markup
from digestsite.markup import MARKDOWN_TAGS, script_json
from digestsite.model import (
    Article,
    Person,
    Settings,
    SiteModel,
    Spokesperson,
    Statement,
    Taxonomy,
    TopicDefinition,
)
from digestsite.related import RelatedMemo, related_articles
from digestsite.render import (make_environment, plan_pages, plan_site, render_markdown, render_page, render_pages,
                              static_files)
from digestsite.taxonomy import index_spokespersons, index_topics
from digestsite.urls import base_path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BASE = "https://example.org/digest/"

TAXONOMY = Taxonomy(
    topics=(
        TopicDefinition("Diplomacy", "diplomacy", "Relations between states.", ()),
        TopicDefinition("Trade", "trade", "Goods & tariffs <b>bold</b>.", ()),
        TopicDefinition("Energy", "energy", "", ()),
    )
)


# ---------------------------------------------------------------- helpers


def make_article(n: int, **fields) -> Article:
    values = dict(
        id=f"id-{n}",
        slug=f"story-{n}",
        title=f"Story number {n}",
        standfirst=f"The first sentence of story {n}.",
        body=f"The first sentence of story {n}.\n\nA second paragraph with [a link](https://example.com/x).\n",
        topics=("Diplomacy",),
        date="2025-02-14",
        digest="digests/a.txt",
        order=n,
    )
    values.update(fields)
    return Article(**values)


def make_site(articles, base_url: str = BASE, **settings) -> SiteModel:
    articles = tuple(articles)
    return SiteModel(
        settings=Settings(base_url=base_url, **settings),
        articles=articles,
        topics=index_topics(articles, TAXONOMY),
        spokespersons=index_spokespersons(articles),
        build_time="2025-03-01T12:00:00Z",
    )


def guo(n: int) -> dict:
    return dict(
        spokespersons=(Spokesperson("Guo Jiakun", "Chinese Foreign Ministry"),),
        statements=(Statement("Guo Jiakun", f"Guo Jiakun said point {n}.", 1),),
    )


def rich_site(base_url: str = BASE) -> SiteModel:
    """45 articles: topic pagination (3 pages), 21 in Trade (2 pages), a spokesperson, subheads."""
    articles = []
    for n in range(45):
        fields: dict = {}
        if n < 21:
            fields["topics"] = ("Diplomacy", "Trade")
        if n % 5 == 0:
            fields.update(guo(n))
            fields["people"] = (Person("Li Wei", "a professor"),)
        if n % 7 == 0:
            fields["body"] = "Intro.\n\n## Return home\n\nText.\n\n## Return home\n\nMore.\n"
        if n % 4 == 0:
            fields["date"] = None
        if n == 3:
            fields["tags"] = ("ports & shipping", "éclair")
        articles.append(make_article(n, **fields))
    articles.append(make_article(45, topics=(), digest="", order=45))  # hand-written, no topic
    return make_site(articles, base_url)


def render(site: SiteModel, templates: Path = TEMPLATES) -> dict[PurePosixPath, bytes]:
    return render_pages(plan_pages(site), make_environment(templates))


@pytest.fixture(scope="module")
def rich_files() -> dict[PurePosixPath, bytes]:
    return render(rich_site())


def html_pages(files) -> Iterator[tuple[PurePosixPath, bytes]]:
    for path in sorted(files):
        if path.suffix == ".html":
            yield path, files[path]


def parse(data: bytes):
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def page_url(path: PurePosixPath) -> str:
    text = str(path)
    return text[: -len("index.html")] if text.endswith("index.html") else text


def snippet(haystack: str, needle: str, width: int = 200) -> str:
    """Text around ``needle`` (or the start of the page) for readable assertion messages."""
    at = max(0, haystack.find(needle))
    return haystack[max(0, at - width) : at + width]


# ---------------------------------------------------------------- the plan


def test_plan_lists_every_page_with_pagination_and_feeds():
    paths = {str(spec.url_path) for spec in plan_pages(rich_site())}
    expected_fixed = {
        "index.html", "page/2/index.html", "page/3/index.html",
        "topics/index.html", "spokespersons/index.html", "search/index.html",
        "404.html", "feed.xml", "sitemap.xml", "robots.txt", "_headers",
        "topics/diplomacy/index.html", "topics/diplomacy/page/2/index.html",
        "topics/diplomacy/page/3/index.html", "topics/diplomacy/feed.xml",
        "topics/trade/index.html", "topics/trade/page/2/index.html", "topics/trade/feed.xml",
        "spokespersons/guo-jiakun/index.html", "spokespersons/guo-jiakun/feed.xml",
    }
    articles = {f"articles/story-{n}/index.html" for n in range(46)}
    assert paths == expected_fixed | articles


def test_exactly_twenty_articles_make_one_page():
    site = make_site(make_article(n) for n in range(20))
    paths = {str(spec.url_path) for spec in plan_pages(site)}
    assert "topics/diplomacy/index.html" in paths
    assert "topics/diplomacy/page/2/index.html" not in paths
    assert "page/2/index.html" not in paths


def test_empty_site_still_has_home_indexes_and_feeds():
    files = render(make_site([]))
    for path in ("index.html", "topics/index.html", "spokespersons/index.html", "feed.xml", "404.html"):
        assert PurePosixPath(path) in files
    ET.fromstring(files[PurePosixPath("feed.xml")])


def test_pages_are_template_per_kind():
    templates = {str(s.url_path): s.template for s in plan_pages(rich_site())}
    assert templates["articles/story-1/index.html"] == "article.html"
    assert templates["topics/trade/page/2/index.html"] == "topic.html"
    assert templates["spokespersons/guo-jiakun/feed.xml"] == "feed.xml"
    assert templates["robots.txt"] == "robots.txt"


# ---------------------------------------------------------------- links


def _keyed_pages(site: SiteModel) -> dict[PurePosixPath, tuple[dict, str]]:
    """Each page with a cheap key: its context and its key's hash."""
    return {spec.url_path: (spec.context, hash_values(spec.key()))
            for spec in plan_pages(site) if spec.key_of is not None}


def test_article_and_listing_pages_have_cheap_keys():
    keyed = {str(path) for path in _keyed_pages(rich_site())}
    assert {"index.html", "page/2/index.html", "articles/story-3/index.html", "topics/trade/index.html",
            "topics/trade/feed.xml", "spokespersons/guo-jiakun/index.html", "feed.xml", "sitemap.xml"} <= keyed


def _edited(site: SiteModel, index: int, **fields) -> SiteModel:
    articles = list(site.articles)
    articles[index] = replace(articles[index], **fields)
    return make_site(articles)


# Ways a site can change, for the page-key tests below.
_SITE_CHANGES = [
    lambda site: make_site(site.articles, title="Another title"),
    lambda site: make_site(site.articles, base_url="https://example.com/"),
    lambda site: make_site(site.articles, language="fr", author="Desk"),
    lambda site: _edited(site, 2, title="A neighbour and related story renamed"),
    lambda site: _edited(site, 7, standfirst="Another first sentence."),
    lambda site: _edited(site, 11, spokespersons=(Spokesperson("Mao Ning", "Foreign Ministry"),)),
    lambda site: make_site(a for a in site.articles if a.slug != "story-4"),
    lambda site: replace(site, topics=index_topics(site.articles, Taxonomy(topics=(
        TopicDefinition("Diplomacy", "foreign-affairs", "", ()), *TAXONOMY.topics[1:])))),
    lambda site: replace(site, topics=index_topics(site.articles, Taxonomy(topics=(
        TopicDefinition("Trade", "trade", "Another description.", ()), *TAXONOMY.topics[:1])))),
    lambda site: replace(site, spokespersons=tuple(replace(p, organisation="A ministry") for p in site.spokespersons)),
    lambda site: _edited(site, 10, statements=(Statement("Guo Jiakun", "Guo Jiakun said something else.", 1),)),
    lambda site: replace(site, build_time="2030-01-01T00:00:00Z"),
    lambda site: _edited(site, 1, date="2024-12-31"),
    lambda site: _edited(site, 0, body="A new body.\n\nIn two paragraphs.\n"),
]
_SITE_CHANGE_NAMES = ["site title", "base url", "language and author", "title of a card", "standfirst",
        "spokesperson", "an article removed", "a topic's address", "a topic's description",
        "an organisation", "a statement", "build time", "a date", "a body"]


@pytest.mark.parametrize("change", _SITE_CHANGES, ids=_SITE_CHANGE_NAMES)
def test_a_page_key_changes_whenever_its_context_does(change):
    before = _keyed_pages(rich_site())
    after = _keyed_pages(change(rich_site()))
    changed_contexts = [p for p in after if p in before and after[p][0] != before[p][0]]
    assert changed_contexts
    assert all(after[p][1] != before[p][1] for p in changed_contexts)


@pytest.mark.parametrize("change", _SITE_CHANGES, ids=_SITE_CHANGE_NAMES)
def test_in_a_plan_of_the_same_shape_only_pages_showing_a_changed_article_change_key(change):
    before, after = plan_site(rich_site()), plan_site(change(rich_site()))
    if before.shape != after.shape:
        return
    old_keys = {spec.url_path: hash_values(spec.key()) for spec in before.pages if spec.key_of}
    fingerprints = {a.slug: before.view.fingerprint(a) for a in before.view.site.articles}
    changed = {a.slug for a in after.view.site.articles if after.view.fingerprint(a) != fingerprints.get(a.slug)}
    related = before.related_slugs()
    changed |= {slug for slug, others in after.related_slugs().items() if related.get(slug) != others}
    rekeyed = [spec for spec in after.pages if spec.key_of and hash_values(spec.key()) != old_keys[spec.url_path]]
    assert rekeyed and all(spec.shows is None or {a.slug for a in spec.shown() if a} & changed for spec in rekeyed)


@pytest.mark.parametrize("change", [
    lambda site: _edited(site, 2, title="A neighbour and related story renamed"),
    lambda site: _edited(site, 7, standfirst="Another first sentence."),
    lambda site: _edited(site, 10, statements=(Statement("Guo Jiakun", "Guo Jiakun said something else.", 1),)),
    lambda site: _edited(site, 0, body="A new body.\n\nIn two paragraphs.\n"),
], ids=["title of a card", "standfirst", "a statement", "a body"])
def test_an_edit_that_moves_no_article_keeps_the_plans_shape(change):
    assert plan_site(change(rich_site())).shape == plan_site(rich_site()).shape


def test_a_change_of_what_a_page_lists_or_prints_changes_the_plans_shape():
    site = rich_site()
    shape = plan_site(site).shape
    assert plan_site(make_site(site.articles, title="Another title")).shape != shape
    assert plan_site(make_site(site.articles[1:])).shape != shape
    assert plan_site(replace(site, build_time="2030-01-01T00:00:00Z")).shape != shape
    assert plan_site(replace(site, spokespersons=tuple(replace(p, organisation="A ministry")
                                                       for p in site.spokespersons))).shape != shape


def test_page_keys_ignore_an_articles_place_in_the_build():
    site = rich_site()
    moved = make_site(replace(a, order=a.order + 100) for a in site.articles)
    assert {p: key for p, (_, key) in _keyed_pages(moved).items()} == \
           {p: key for p, (_, key) in _keyed_pages(site).items()}


def _ids(tree) -> set[str]:
    return {e.get("id") for e in tree.iter() if e.get("id")}


def _internal_links(tree) -> Iterator[str]:
    """href/src/action values, minus the canonical link, which is absolute by design."""
    for element in tree.iter():
        if element.tag == "link" and element.get("rel") == "canonical":
            continue
        for attr in ("href", "src", "action"):
            value = element.get(attr)
            if value is not None and urlsplit(value).scheme not in ("http", "https", "mailto"):
                yield value


@pytest.mark.parametrize("base_url", [BASE, "/", "/deep/sub/path/"])
def test_every_internal_link_resolves_to_a_planned_page(base_url):
    files = render(rich_site(base_url))
    known = set(files) | set(static_files(TEMPLATES))
    known |= {PurePosixPath(f"articles/{p.parts[1]}/index.md") for p in files if p.parts[0] == "articles"}
    for path, data in html_pages(files):
        tree = parse(data)
        # relative links must work from any mirror path; 404.html (served at any URL) only from
        # the configured base path
        root = "https://mirror.test" + (base_path(base_url) if str(path) == "404.html" else "/some/where/")
        page = root + ("no/such/deep/page/" if str(path) == "404.html" else page_url(path))
        for href in _internal_links(tree):
            if href.startswith("#"):
                assert href[1:] in _ids(tree), f"{path}: dangling anchor {href}"
                continue
            resolved = urlsplit(urljoin(page, href)).path
            assert resolved.startswith(urlsplit(root).path), f"{path}: {href} leaves the site"
            target = unquote(resolved[len(urlsplit(root).path):])
            if target == "" or target.endswith("/"):
                target += "index.html"
            if target.startswith("pagefind/"):
                continue  # written by Pagefind after rendering
            assert PurePosixPath(target) in known, f"{path}: {href} -> {target} not planned"


def test_url_filter_counts_depth(rich_files):
    home = rich_files[PurePosixPath("index.html")].decode()
    deep = rich_files[PurePosixPath("topics/diplomacy/page/2/index.html")].decode()
    article = rich_files[PurePosixPath("articles/story-1/index.html")].decode()
    assert 'href="topics/"' in home
    assert 'href="../../../../topics/"' in deep
    assert 'href="../../topics/"' in article
    assert '<meta name="site-root" content="./">' in home
    assert '<meta name="site-root" content="../../../../">' in deep


def test_absolute_urls_follow_base_url():
    full = render(rich_site(BASE))[PurePosixPath("articles/story-1/index.html")].decode()
    assert '<link rel="canonical" href="https://example.org/digest/articles/story-1/">' in full
    rooted = render(rich_site("/"))
    page = rooted[PurePosixPath("articles/story-1/index.html")].decode()
    assert '<link rel="canonical" href="/articles/story-1/">' in page
    assert "Sitemap: /sitemap.xml" in rooted[PurePosixPath("robots.txt")].decode()


def test_404_links_are_absolute_under_base_path():
    files = render(rich_site("https://example.org/digest"))  # no trailing slash given
    page = files[PurePosixPath("404.html")].decode()
    hrefs = set(_internal_links(parse(files[PurePosixPath("404.html")])))
    assert "/digest/topics/" in hrefs
    assert "/digest/assets/site.css" in {h.split("?")[0] for h in hrefs}
    assert not any(h.startswith("../") for h in hrefs), snippet(page, "../")
    assert '<meta name="robots" content="noindex">' in page


# ---------------------------------------------------------------- HTML validity and accessibility


def test_every_page_parses_strictly(rich_files):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path, data in html_pages(rich_files):
        try:
            parser.parse(data)
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{path}: {exc}")


def test_exactly_one_h1_per_page(rich_files):
    for path, data in html_pages(rich_files):
        count = sum(1 for e in parse(data).iter() if e.tag == "h1")
        assert count == 1, f"{path} has {count} h1"


def test_markdown_h1_in_body_is_demoted():
    files = render(make_site([make_article(1, body="# Big heading\n\nText.\n\n## Small\n\nMore.\n")]))
    tree = parse(files[PurePosixPath("articles/story-1/index.html")])
    assert sum(1 for e in tree.iter() if e.tag == "h1") == 1
    assert [e.text for e in tree.iter() if e.tag == "h2" and e.get("id") == "big-heading"] == ["Big heading"]
    assert [e.get("id") for e in tree.iter() if e.tag == "h3"] == ["small"]


FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


def test_skip_link_is_first_focusable_and_targets_main(rich_files):
    for path, data in html_pages(rich_files):
        tree = parse(data)
        body = tree.find("body")
        first = next(e for e in body.iter() if e.tag in FOCUSABLE and (e.tag != "a" or e.get("href")))
        assert first.tag == "a" and first.get("href") == "#main", f"{path}: first focusable is {first.tag}"
        mains = [e for e in body.iter() if e.tag == "main"]
        assert len(mains) == 1 and mains[0].get("id") == "main" and mains[0].get("tabindex") == "-1"


def test_every_page_has_landmarks_lang_csp_and_labelled_search(rich_files):
    for path, data in html_pages(rich_files):
        tree = parse(data)
        tags = {e.tag for e in tree.iter()}
        assert {"header", "nav", "main", "footer"} <= tags, path
        assert tree.get("lang") == "en"
        csp = [m.get("content") for m in tree.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert csp and "script-src 'self' 'wasm-unsafe-eval'" in csp[0] and "unsafe-inline" not in csp[0].split(
            "script-src")[1].split(";")[0]
        forms = [f for f in tree.iter("form") if f.get("role") == "search"]
        assert forms, f"{path}: no search form"
        field = forms[0].find(".//input[@name='q']")
        labels = {lab.get("for") for lab in tree.iter("label")}
        assert field is not None and field.get("id") in labels


def test_no_inline_scripts_anywhere(rich_files):
    for path, data in html_pages(rich_files):
        for script in parse(data).iter("script"):
            is_data = script.get("type") == "application/ld+json"
            assert is_data or (script.get("src") and not (script.text or "").strip()), path


def test_language_setting_reaches_html_lang():
    files = render(make_site([make_article(1)], language="fr"))
    assert parse(files[PurePosixPath("index.html")]).get("lang") == "fr"


# ---------------------------------------------------------------- escaping


EVIL = 'Evil </script><script>alert(1)</script> <!-- & "quotes" {{ 7*7 }}\x01\x0b'


def test_headline_is_escaped_and_json_ld_stays_json():
    site = make_site([make_article(1, title=EVIL, standfirst=EVIL, tags=(EVIL,), **guo(1))])
    files = render(site)
    data = files[PurePosixPath("articles/story-1/index.html")]
    text = data.decode()
    assert "<script>alert(1)" not in text, snippet(text, "alert(1)")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in text
    html5lib.HTMLParser(strict=True).parse(data)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert len(blocks) == 1
    assert "</script" not in blocks[0].lower() and "<!--" not in blocks[0]
    ld = json.loads(blocks[0])
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == EVIL.replace("\x01", "").replace("\x0b", "")


def test_template_syntax_in_content_stays_literal():
    site = make_site([make_article(1, title="Sum {{ 7*7 }} {% if x %}", body="Body {{ 7*7 }}.\n")])
    text = render(site)[PurePosixPath("articles/story-1/index.html")].decode()
    assert "{{ 7*7 }}" in text
    assert "49" not in text


def test_script_json_round_trips_and_hides_markup():
    data = {"a": "</script><!-- & >", "b": ["x"]}
    encoded = script_json(data)
    assert not set("<>&") & set(encoded)
    assert json.loads(encoded) == data


_JSON_TEXT = st.text(st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["plain", "tab\tline\nbreak", "bell\x07", "form\x0cfeed", "back\\slash", 'q"uote', "del\x7f", "\ud800", "\ufffe"])
_JSON_DATA = st.recursive(_JSON_TEXT | st.integers() | st.none(),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_TEXT, inner, max_size=3),
                          max_leaves=8)


@given(_JSON_DATA)
@settings(max_examples=300, deadline=None)
def test_script_json_holds_no_code_point_clean_text_would_remove(data):
    encoded = script_json(data)
    assert encoded == script_json_of_cleaned(data)
    assert all(markup.clean_text(text) == text for text in _strings(json.loads(encoded)))


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def script_json_of_cleaned(data):
    """The reference: every string cleaned first, then dumped (what script_json skips when it can)."""
    raw = json.dumps(markup._cleaned(data), ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def test_json_ld_describes_topics_people_and_quotations(rich_files):
    text = rich_files[PurePosixPath("articles/story-5/index.html")].decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1))
    assert [t["name"] for t in ld["about"]] == ["Diplomacy", "Trade"]
    assert all(t["@type"] == "Thing" for t in ld["about"])
    assert {m["name"] for m in ld["mentions"]} == {"Guo Jiakun", "Li Wei"}
    assert ld["hasPart"] == [{
        "@type": "Quotation", "text": "Guo Jiakun said point 5.",
        "creator": {"@type": "Person", "name": "Guo Jiakun"},
    }]
    assert ld["url"] == "https://example.org/digest/articles/story-5/"
    assert "datePublished" not in json.loads(re.search(
        r'<script type="application/ld\+json">(.*?)</script>',
        rich_files[PurePosixPath("articles/story-4/index.html")].decode(), re.S).group(1))


# ---------------------------------------------------------------- feeds and sitemap

ATOM = "{http://www.w3.org/2005/Atom}"


def test_feeds_and_sitemap_parse_with_hostile_text():
    articles = [make_article(n, title=f"A & B < C \x00\x08\x1f {n}", standfirst="x\x0c&y", date=None if n % 2 else
                             "2025-01-0" + str(n % 9 + 1)) for n in range(60)]
    files = render(make_site(articles))
    feed = ET.fromstring(files[PurePosixPath("feed.xml")])
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[0].find(f"{ATOM}title").text == "A & B < C  0"
    assert entries[1].find(f"{ATOM}updated").text == "2025-03-01T12:00:00Z"  # no date: build time
    assert entries[0].find(f"{ATOM}updated").text == "2025-01-01T00:00:00Z"
    assert feed.find(f"{ATOM}updated").text == "2025-03-01T12:00:00Z"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 50 and all(i.startswith("urn:uuid:") for i in ids)
    topic_feed = ET.fromstring(files[PurePosixPath("topics/diplomacy/feed.xml")])
    assert topic_feed.find(f"{ATOM}title").text.startswith("Diplomacy")
    sitemap = ET.fromstring(files[PurePosixPath("sitemap.xml")])
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in sitemap]
    assert "https://example.org/digest/articles/story-0/" in locs
    assert not any("404" in loc or "search" in loc for loc in locs)
    assert locs == sorted(locs)


def test_atom_ids_do_not_depend_on_host_or_slug():
    one = ET.fromstring(render(make_site([make_article(1)]))[PurePosixPath("feed.xml")])
    moved = make_site([make_article(1, slug="renamed")], base_url="https://other.example/")
    two = ET.fromstring(render(moved)[PurePosixPath("feed.xml")])
    assert one.find(f"{ATOM}entry/{ATOM}id").text == two.find(f"{ATOM}entry/{ATOM}id").text


def test_topic_pages_link_their_feed(rich_files):
    tree = parse(rich_files[PurePosixPath("topics/trade/page/2/index.html")])
    alternates = [lk.get("href") for lk in tree.iter("link")
                  if lk.get("rel") == "alternate" and lk.get("type") == "application/atom+xml"]
    assert "../../../../topics/trade/feed.xml" in alternates
    rels = {lk.get("rel"): lk.get("href") for lk in tree.iter("link")}
    assert rels["prev"] == "../../../../topics/trade/"


# ---------------------------------------------------------------- Pagefind and page content


def test_pagefind_attributes_on_articles_only(rich_files):
    for path, data in html_pages(rich_files):
        text = data.decode()
        if path.parts[0] == "articles":
            tree = parse(data)
            bodies = [e for e in tree.iter() if "data-pagefind-body" in e.attrib]
            assert [e.tag for e in bodies] == ["article"], path
            assert [e.tag for e in tree.iter() if e.get("data-pagefind-meta") == "title"] == ["h1"]
        else:
            assert "data-pagefind" not in text, f"{path}: {snippet(text, 'data-pagefind')}"
    tree = parse(rich_files[PurePosixPath("articles/story-5/index.html")])
    filters = sorted((e.get("data-pagefind-filter"), e.text) for e in tree.iter() if e.get("data-pagefind-filter"))
    assert filters == [("spokesperson", "Guo Jiakun"), ("topic", "Diplomacy"), ("topic", "Trade")]
    standfirst = [e.text for e in tree.iter() if e.get("data-pagefind-meta") == "standfirst"]
    assert standfirst == ["The first sentence of story 5."]


def test_article_page_content(rich_files):
    tree = parse(rich_files[PurePosixPath("articles/story-7/index.html")])
    crumbs = [e for e in tree.iter("nav") if e.get("aria-label") == "Breadcrumb"][0]
    assert ["".join(li.itertext()) for li in crumbs.iter("li")] == ["Home", "Diplomacy", "Story number 7"]
    toc = [e for e in tree.iter("nav") if "toc" in (e.get("class") or "")][0]
    assert [a.get("href") for a in toc.iter("a")] == ["#return-home", "#return-home-2"]
    times = [t.get("datetime") for t in tree.iter("time")]
    assert "2025-02-14" in times
    digest_nav = [e for e in tree.iter("nav") if e.get("aria-label") == "More from this digest"][0]
    assert [a.get("href") for a in digest_nav.iter("a")] == ["../../articles/story-6/", "../../articles/story-8/"]
    assert any(a.get("href") == "../../articles/story-7/index.md" for a in tree.iter("a"))


def test_undated_article_has_no_time_element(rich_files):
    article = [e for e in parse(rich_files[PurePosixPath("articles/story-4/index.html")]).iter("article")
               if "data-pagefind-body" in e.attrib][0]
    header = article.find("header")
    assert header.find(".//time") is None


def test_tags_link_to_search_with_encoded_query(rich_files):
    text = rich_files[PurePosixPath("articles/story-3/index.html")].decode()
    assert 'href="../../search/?q=ports%20%26%20shipping"' in text
    assert 'href="../../search/?q=%C3%A9clair"' in text


def test_spokesperson_page_groups_statements_by_article(rich_files):
    tree = parse(rich_files[PurePosixPath("spokespersons/guo-jiakun/index.html")])
    h1 = next(tree.iter("h1"))
    assert "".join(h1.itertext()).strip() == "Guo Jiakun"
    quotes = ["".join(q.itertext()).strip() for q in tree.iter("blockquote")]
    assert quotes == [f"Guo Jiakun said point {n}." for n in (0, 5, 10, 15, 20, 25, 30, 35, 40)]
    assert "Chinese Foreign Ministry" in "".join(tree.itertext())


def test_topic_index_shows_counts_and_decorative_bars(rich_files):
    tree = parse(rich_files[PurePosixPath("topics/index.html")])
    svg_tag = "{http://www.w3.org/2000/svg}svg"
    rows = [li for li in tree.iter("li") if li.find(f".//{svg_tag}") is not None]
    assert ["".join(li.find(".//a").itertext()) for li in rows] == ["Diplomacy", "Trade"]
    assert "45 articles" in "".join(rows[0].itertext()) and "21 articles" in "".join(rows[1].itertext())
    svg = rows[1].find(f".//{svg_tag}")
    assert svg.get("aria-hidden") == "true"
    widths = [r.get("width") for r in svg.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths == ["100", "46.7"]  # 21 / 45 of the largest


def test_search_page_loads_pagefind_relatively_with_noscript(rich_files):
    tree = parse(rich_files[PurePosixPath("search/index.html")])
    scripts = [s.get("src").split("?")[0] for s in tree.iter("script")]
    assert scripts == ["../pagefind/pagefind-ui.js", "../assets/search.js"]
    assert any(lk.get("href") == "../pagefind/pagefind-ui.css" for lk in tree.iter("link"))
    assert tree.find(".//noscript") is not None
    assert tree.find(".//*[@id='search']") is not None


def test_search_page_of_a_site_without_an_index_loads_no_pagefind_file():
    files = render_pages(plan_pages(rich_site(), search=False), make_environment(TEMPLATES))
    page = files[PurePosixPath("search/index.html")].decode()
    tree = parse(files[PurePosixPath("search/index.html")])
    assert [s.get("src").split("?")[0] for s in tree.iter("script")] == ["../assets/search.js"]
    assert "pagefind" not in page
    assert tree.find(".//*[@id='search-status']") is not None  # search.js shows it: no PagefindUI


def test_search_script_reads_site_root_and_query():
    script = (TEMPLATES / "static" / "search.js").read_text()
    assert 'meta[name="site-root"]' in script and "triggerSearch" in script and "baseUrl" in script


# ---------------------------------------------------------------- determinism and assets


def test_render_is_byte_deterministic():
    assert render(rich_site()) == render(rich_site())


def test_static_files_map_to_assets(tmp_path):
    (tmp_path / "static" / "img").mkdir(parents=True)
    (tmp_path / "static" / "site.css").write_bytes(b"body{}")
    (tmp_path / "static" / "img" / "a.svg").write_bytes(b"<svg/>")
    (tmp_path / "static" / ".DS_Store").write_bytes(b"junk")
    assert static_files(tmp_path) == {
        PurePosixPath("assets/site.css"): b"body{}",
        PurePosixPath("assets/img/a.svg"): b"<svg/>",
    }
    assert {PurePosixPath("assets/site.css"), PurePosixPath("assets/search.js")} <= set(static_files(TEMPLATES))


# ---------------------------------------------------------------- template errors


def copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


def test_template_syntax_error_points_at_file_and_line(tmp_path):
    templates = copy_templates(tmp_path)
    lines = (templates / "topics.html").read_text().splitlines()
    lines.insert(6, "{% if %}")  # 0-based line 6
    (templates / "topics.html").write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError) as info:
        render(make_site([make_article(1)]), templates)
    assert Path(info.value.path) == templates / "topics.html"
    assert info.value.line == 6


def test_undefined_variable_points_at_file_and_line(tmp_path):
    templates = copy_templates(tmp_path)
    lines = (templates / "partials" / "footer.html").read_text().splitlines()
    lines.insert(3, "<p>{{ no_such_variable }}</p>")
    (templates / "partials" / "footer.html").write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError) as info:
        render(make_site([make_article(1)]), templates)
    assert Path(info.value.path) == templates / "partials" / "footer.html"
    assert info.value.line == 3
    assert "no_such_variable" in info.value.message and "index.html" in info.value.message


def test_dotted_names_read_dict_keys_and_a_missing_key_is_still_an_error(tmp_path):
    env = make_environment(tmp_path)
    page = env.from_string("{{ d.items }} {{ d.title }} {{ o.real }}")
    assert page.render(d={"items": "listed", "title": "T"}, o=3) == "listed T 3"
    assert env.from_string("{{ d.items() | list | length }}").render(d={"a": 1, "b": 2}) == "2"
    with pytest.raises(jinja2.UndefinedError, match="no_such_key"):
        env.from_string("{{ d.no_such_key }}").render(d={})


_PRINTED = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=12),  # surrogates and controls too
    st.text(alphabet="<>&\"' ab\x00\x0c\x85\ud800", max_size=12),
    st.text(alphabet="<b>&amp; \x0b", max_size=12).map(Markup),
    st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
)
# Every way a template prints: plain and filtered values, macros called every way (positional
# arguments, defaults, keywords, extra arguments, a caller, in a loop), a {% set %} block, a
# call block, a loop, and a block where autoescaping is off or decided at run time.
_PRINTING_TEMPLATE = """{% macro shown(v) %}[{{ v }}]{% endmacro %}{% macro boxed() %}({{ caller() }}){% endmacro %}
{% macro framed(v, w=b, level=2) %}<h{{ level }}>{{ v }}{{ w }}</h{{ level }}>{% endmacro %}
{% macro loose(v) %}{{ v }}{{ varargs | join }}{{ kwargs | dictsort | join }}{% endmacro %}
{% set kept %}<{{ a }}>{% endset %}
{{ a }}|{{ b }}|{{ a ~ b }}|{{ a | string | upper }}|{{ shown(a) }}|{{ kept }}|{{ (a, b) | join(",") }}
{{ framed(a) }}|{{ framed(a, level=3) }}|{{ framed(a, b, 4) }}|{{ loose(a, b, k=a) }}|{{ range(2) | list }}
{% for v in [a, b] %}{{ v }};{{ shown(v) }}{{ framed(v) }}{% endfor %}{% call boxed() %}{{ b }}{% endcall %}
{% autoescape false %}{{ a }}|{{ b }}{% endautoescape %}{% autoescape flag %}{{ a }}{% endautoescape %}"""


@settings(max_examples=300, deadline=None)
@given(_PRINTED, _PRINTED, st.booleans())
def test_templates_print_exactly_what_stock_jinja_prints(tmp_path_factory, a, b, flag):
    """The environment compiles ``{{ value }}`` to one call of its own (``printed``); the
    output must be Jinja's ``escape(finalize(value))``, byte for byte, in every context."""
    env = make_environment(tmp_path_factory.mktemp("templates"))
    stock = jinja2.Environment(autoescape=True, finalize=env.finalize, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    assert type(env).code_generator_class is not jinja2.compiler.CodeGenerator  # else this tests nothing
    assert "environment.called(" in env.compile(_PRINTING_TEMPLATE, raw=True)
    values = {"a": a, "b": b, "flag": flag}
    assert env.from_string(_PRINTING_TEMPLATE).render(values) == \
        stock.from_string(_PRINTING_TEMPLATE).render(values)


_PARTIALS = {
    "plain.html": "<p>{{ a }}|{{ d.x }}|{{ 'p/'|url }}</p>",  # remembered by a, d and the root
    "loop.html": "[{{ v }}]",  # a loop variable of the includer
    "counter.html": "{% set ns.count = ns.count + 1 %}{{ ns.count }}",  # a namespace: never remembered
    "calls.html": "{{ range(2) | list }}{{ a }}",  # a call: never remembered
    "nested.html": "{% include 'partials/plain.html' %}",  # what it includes reads more: never remembered
}
_INCLUDING_PAGE = """{% set ns = namespace(count=0) %}
{% include "partials/plain.html" %}{% include "partials/plain.html" %}
{% for v in [a, b, a] %}{% include "partials/loop.html" %}{% include "partials/counter.html" %}{% endfor %}
{% include "partials/calls.html" %}{% include "partials/nested.html" %}
{% set a = b %}{% include "partials/plain.html" %}"""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PRINTED, _PRINTED, _PRINTED, st.sampled_from(["", "../", "../../"])), min_size=1, max_size=4))
def test_included_partials_are_remembered_only_as_far_as_stock_jinja_prints_the_same(tmp_path_factory, pages):
    """``{% include %}`` renders each partial once per set of values it reads: page after page
    (the same environment, other values and roots), the output is stock Jinja's."""
    from digestsite.render import _PAGE_ROOT, _url

    folder = tmp_path_factory.mktemp("templates")
    (folder / "partials").mkdir()
    for name, text in _PARTIALS.items():
        (folder / "partials" / name).write_text(text)
    (folder / "page.html").write_text(_INCLUDING_PAGE)
    env = make_environment(folder)
    stock = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, finalize=env.finalize,
                               undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
    stock.filters["url"] = _url
    for a, b, x, root in pages:
        values = {"a": a, "b": b, "d": {"x": x}}
        token = _PAGE_ROOT.set(root)
        try:
            assert env.get_template("page.html").render(values) == stock.get_template("page.html").render(values)
        finally:
            _PAGE_ROOT.reset(token)
    assert "environment.included(" in env.compile(_INCLUDING_PAGE, raw=True)  # else this tests nothing


def test_a_partial_is_rendered_once_per_set_of_values_it_reads(tmp_path):
    templates = copy_templates(tmp_path)
    env = make_environment(templates)
    site = make_site([make_article(n) for n in range(3)])
    plan = plan_pages(site)
    for spec in plan:
        render_page(spec, spec.context, env)
    header = env.get_template("partials/header.html")
    remembered = [key for key in env._included if key[0] is header]
    # one text per depth and section: every article page (articles/<slug>/) shares one
    depths_and_sections = {(spec.context["root"], spec.context["section"], spec.context["landing"])
                           for spec in plan if spec.template.endswith(".html") and "section" in spec.context}
    assert len(remembered) == len(depths_and_sections) < len([s for s in plan if s.template.endswith(".html")])


def test_printed_values_are_escaped_and_cleaned(tmp_path):
    env = make_environment(tmp_path)
    assert "environment.printed(" in env.compile("{{ a }}", raw=True)  # Jinja still takes the shortcut
    page = env.from_string("{{ a }} {{ b }} {{ c }}")
    assert page.render(a='<i>"x" & \'y\'</i>', b=Markup("<b>kept</b>"), c="bell\x07 nul\x00") == \
        "&lt;i&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/i&gt; <b>kept</b> bell nul"


def test_missing_template_names_it(tmp_path):
    templates = copy_templates(tmp_path)
    (templates / "search.html").unlink()
    with pytest.raises(SourceError) as info:
        render(make_site([make_article(1)]), templates)
    assert Path(info.value.path) == templates / "search.html"
    assert "search.html" in str(info.value)


# ---------------------------------------------------------------- markdown


def test_markdown_escapes_raw_html_and_drops_images():
    html = render_markdown('Hi <img src=x onerror=alert(1)> ![pic](https://evil.test/p.png) [x](javascript:alert(1))')
    assert "<img" not in html and "&lt;img" in html
    assert 'href="javascript' not in html


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_markdown_only_emits_its_own_tags(text):
    html = render_markdown(text)
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= MARKDOWN_TAGS, tags - MARKDOWN_TAGS


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>&\"'#*_[]()`!\\ \n-=abc/script"), max_size=80))
def test_markdown_with_markup_characters_stays_in_tag_set(text):
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", render_markdown(text)))
    assert tags <= MARKDOWN_TAGS


# ---------------------------------------------------------------- related articles


def test_related_excludes_self_and_prefers_shared_topic():
    base = make_article(0, topics=("Energy",), body="Turbines and zeppelins rise.", title="Energy story")
    same_topic = make_article(1, topics=("Energy",), body="Nothing in common here.", title="Other story")
    same_words = make_article(2, topics=("Trade",), body="Turbines and zeppelins rise.", title="Trade story")
    unrelated = make_article(3, topics=("Diplomacy",), body="Talks.", title="Talks story")
    related = related_articles([base, same_topic, same_words, unrelated], 3)
    assert [a.slug for a in related["story-0"]] == ["story-1", "story-2"]
    assert all(a.slug != slug for slug, items in related.items() for a in items)
    assert related["story-3"] == ()


def test_related_remembers_each_articles_words_by_its_text():
    def articles(edited: str) -> list[Article]:
        return [make_article(0, topics=("Energy",), body="Turbines and zeppelins rise.", title="Energy story"),
                make_article(1, topics=("Trade",), body=edited, title="Trade story"),
                make_article(2, topics=("Diplomacy",), body="Zeppelins over the harbour.", title="Talks story")]

    memo = RelatedMemo()
    first = related_articles(articles("Turbines at sea."), 3, memo=memo)
    assert first == related_articles(articles("Turbines at sea."), 3)  # the same answer
    assert len(memo.words) == 3
    edited = articles("Zeppelins and turbines.")
    keys_before = set(memo.words)
    related_articles(edited, 3, memo=memo)
    assert len(memo.words) == 3 and len(set(memo.words) - keys_before) == 1  # the edited article's, the old one gone
    # what the memo says about an unchanged article is used, not found again
    poisoned = RelatedMemo({key: zlib.compress(b"harbour") if key in keys_before else value
                            for key, value in memo.words.items()})
    assert [a.slug for a in related_articles(edited, 3, memo=poisoned)["story-0"]][:1] == ["story-2"]
    assert [a.slug for a in related_articles(edited, 3)["story-0"]][:1] == ["story-1"]


@given(st.dictionaries(st.integers(0, 30), st.one_of(st.floats(-1, 30), st.sampled_from([0.0, 1e-9, 2e-9, 4.0, 4.0 + 4e-10,
                                                                                        4.0 - 4e-10, 14.7])),
                       max_size=25),
       st.integers(0, 30), st.integers(1, 4))
def test_related_best_rounds_only_near_the_cut_and_chooses_as_a_full_rounding_would(scores, index, limit):
    """Rounding every candidate's score (the plain rule) and rounding only those near the
    ``limit``-th best choose the same articles in the same order."""
    import heapq

    from digestsite.related import _best

    slugs = [f"s{n % 7}" for n in range(31)]
    rounded = {o: round(score, 9) for o, score in scores.items() if score > 1e-9}
    plain = heapq.nsmallest(limit, rounded, key=lambda o: (-rounded[o], abs(o - index), slugs[o], o))
    assert _best(dict(scores), index, slugs, limit) == plain


@given(st.text(alphabet=st.sampled_from("ab É-'’.\n\t"), max_size=40), st.text(alphabet=st.sampled_from("ab É-'’.\n"), max_size=12),
       st.integers(0, 40))
def test_related_words_leave_out_a_standfirst_only_when_the_lead_holds_all_its_words(body, standfirst, at):
    from digestsite.related import BODY_CHARS, _word_set
    from digestsite.text import STOPWORDS, words

    body = body[:at] + standfirst + body[at:]  # often the lead holds it, at any place
    article = make_article(0, title="T", standfirst=standfirst, body=body)
    text = " ".join((article.title, article.standfirst, article.body[:BODY_CHARS])).lower()
    expected = {w for w in set(words(text)) - STOPWORDS if len(w) > 1 and not w.isdigit()}
    assert _word_set(article) == expected


_WORDS = ["harbour", "turbine", "tariff", "summit", "drought", "vaccine", "rail", "festival", "senate", "glacier",
          "museum", "ferry", "copper", "wheat", "satellite", "orchestra"]


@st.composite
def _related_edits(draw):
    """A small site, then a run of edits to one article each (text, topics or tags)."""
    count = draw(st.integers(2, 40))
    text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join)
    topics = st.lists(st.sampled_from(["Energy", "Trade", "Diplomacy"]), max_size=2, unique=True).map(tuple)
    tags = st.lists(st.sampled_from(["Oslo", "Lagos", "Lima"]), max_size=2, unique=True).map(tuple)
    articles = [make_article(n, title=draw(text), standfirst="", body=draw(text), topics=draw(topics), tags=draw(tags))
                for n in range(count)]
    edits = draw(st.lists(st.tuples(st.integers(0, count - 1), st.sampled_from(["body", "topics", "tags"]),
                                    st.one_of(text, topics, tags), st.booleans()), min_size=1, max_size=6))
    return articles, edits


@given(_related_edits())
@settings(max_examples=150, deadline=None)
def test_related_after_edits_equals_related_from_scratch(case):
    """Also when the memo went through pickle between calls (as the build stores it),
    so rows an update replaced are folded into the flat arrays and read back."""
    import digestsite.related as related_module

    articles, edits = case
    memo = RelatedMemo()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_module, "WINDOW", 2)  # windows shorter than the posting lists here
        related_articles(articles, 3, memo=memo)
        for index, name, value, stored in edits:
            if isinstance(value, str) != (name == "body"):
                continue  # a value of the wrong kind for that field
            articles[index] = replace(articles[index], **{name: value})
            if stored:
                memo.last = pickle.loads(pickle.dumps(memo.last))
            assert related_articles(articles, 3, memo=memo) == related_articles(articles, 3)


@given(st.lists(st.lists(st.integers(0, 50), max_size=4), max_size=8),
       st.lists(st.tuples(st.integers(0, 11), st.lists(st.integers(0, 50), max_size=4)), max_size=6),
       st.booleans())
def test_ragged_rows_read_back_after_changes_and_pickling(rows, changes, weighted):
    """The related memo's flat rows: what is read is what was put, before and after a
    pickling folds the changed rows (some past the end) into the arrays; a copy's changes
    leave the original alone."""
    from digestsite.related import _Ragged

    def row(values):
        return {v: v / 2 for v in values} if weighted else list(values)

    def read(table, length):
        return [dict(table[i]) if weighted else list(table[i]) for i in range(length)]

    table = _Ragged.of([row(r) for r in rows], weighted=weighted)
    expected = [row(r) for r in rows]
    original = table.copy()
    for index, values in changes:
        table[index] = row(values)
        expected += [row([])] * (index + 1 - len(expected))
        expected[index] = row(values)
    assert len(table) == len(expected)
    assert read(table, len(expected)) == expected
    assert read(pickle.loads(pickle.dumps(table)), len(expected)) == expected
    assert read(original, len(rows)) == [row(r) for r in rows]


@given(st.lists(st.lists(st.sampled_from(["oslo", "lagos", "lima", "oslo-harbour", "o", "lim"]), unique=True,
                         max_size=4), max_size=6),
       st.sampled_from(["oslo", "lagos", "lima", "o", "harbour"]))
def test_word_table_finds_exactly_the_articles_using_a_word(lists, word):
    from digestsite.related import _WordTable

    table = _WordTable.of(" ".join(words) for words in lists)
    assert [table[i] for i in range(len(table))] == [" ".join(words) for words in lists]
    assert table.using(word) == {i for i, words in enumerate(lists) if word in words}
    replaced = table.replaced({0: "lima"} if lists else {})
    assert replaced.using("lima") == {i for i, words in enumerate(lists) if "lima" in words or i == 0}


def test_related_memo_stays_whole_when_a_call_fails_halfway(monkeypatch):
    import digestsite.related as related_module

    articles = list(rich_site().articles)
    memo = RelatedMemo()
    related_articles(articles, 3, memo=memo)
    articles[5] = replace(articles[5], body="Zeppelins over the harbour.", topics=("Energy",))

    def interrupted(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(related_module, "_best_for", interrupted)
        with pytest.raises(KeyboardInterrupt):
            related_articles(articles, 3, memo=memo)
    assert related_articles(articles, 3, memo=memo) == related_articles(articles, 3)


def test_related_redoes_only_what_an_edit_can_change(monkeypatch):
    import digestsite.related as related_module

    site = rich_site()
    memo = RelatedMemo()
    related_articles(site.articles, 3, memo=memo)
    articles = list(site.articles)
    articles[5] = replace(articles[5], body=articles[5].body + " Zeppelins.")
    scored = []
    best_for = related_module._best_for
    monkeypatch.setattr(related_module, "_best_for", lambda i, *rest: scored.append(i) or best_for(i, *rest))
    updated = related_articles(articles, 3, memo=memo)
    assert 5 in scored and len(scored) < len(articles) / 2  # the edit's reach only
    assert updated == related_articles(articles, 3)


def test_related_articles_take_the_callers_text_keys_in_place_of_hashing_the_text(monkeypatch):
    import digestsite.related as related_module

    site = rich_site()
    expected = related_articles(site.articles, 3)
    monkeypatch.setattr(related_module, "_text_key", lambda article: pytest.fail("text hashed again"))
    keys = [article_hash(a).encode() for a in site.articles]
    memo = RelatedMemo()
    assert related_articles(site.articles, 3, memo=memo, text_keys=keys) == expected
    articles = list(site.articles)
    articles[5] = replace(articles[5], body=articles[5].body + " Zeppelins.")
    keys[5] = article_hash(articles[5]).encode()
    assert related_articles(articles, 3, memo=memo, text_keys=keys) == related_articles(articles, 3)


def test_related_memo_parts_changed_by_an_edit_are_those_of_its_old_and_new_words():
    from digestsite.related import _text_key

    site = rich_site()
    memo = RelatedMemo()
    related_articles(site.articles, 3, memo=memo)
    assert memo.dirty == {memo.shard_of(key) for key in memo.words}  # all new
    articles = list(site.articles)
    articles[5] = replace(articles[5], body=articles[5].body + " Zeppelins.")
    related_articles(articles, 3, memo=memo)
    assert memo.dirty == {memo.shard_of(_text_key(site.articles[5])), memo.shard_of(_text_key(articles[5]))}
    stored = RelatedMemo.joined(memo.last, memo.word_parts())
    assert stored.words == memo.words and stored.last is memo.last
    lost = RelatedMemo.joined(None, [None, *memo.word_parts()[1:]])
    assert related_articles(articles, 3, memo=lost) == related_articles(articles, 3)


def test_related_on_article_pages_link_other_articles(rich_files):
    tree = parse(rich_files[PurePosixPath("articles/story-30/index.html")])
    aside = next(e for e in tree.iter("aside") if e.get("class") == "related")
    titles = [a.get("href") for h3 in aside.iter("h3") for a in h3.iter("a")]
    assert len(titles) == 3 and "../../articles/story-30/" not in titles


def test_related_scales_to_fifty_thousand_articles():
    articles = [
        Article(id=str(n), slug=f"s{n}", title=f"Port {n % 997} report", standfirst="", body=f"word{n % 5000} text",
                topics=(("Trade", "Energy", "Diplomacy")[n % 3],), tags=(f"t{n % 50}",), order=n)
        for n in range(50_000)
    ]
    start = time.perf_counter()
    related = related_articles(articles, 3)
    elapsed = time.perf_counter() - start
    assert len(related) == 50_000 and all(len(r) == 3 for r in related.values())
    assert elapsed < 60, f"{elapsed:.1f} s"


def test_sitemap_splits_into_an_index_past_the_limit(monkeypatch):
    import digestsite.render as render_module

    monkeypatch.setattr(render_module, "SITEMAP_LIMIT", 20)
    files = render(rich_site())
    index = ET.fromstring(files[PurePosixPath("sitemap.xml")])
    sm = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert index.tag == f"{sm}sitemapindex"
    parts = [loc.text for loc in index.iter(f"{sm}loc")]
    assert parts[0] == "https://example.org/digest/sitemaps/1.xml"
    total = 0
    for loc in parts:
        chunk = ET.fromstring(files[PurePosixPath(loc.removeprefix("https://example.org/digest/"))])
        count = len(chunk.findall(f"{sm}url"))
        assert 0 < count <= 20
        total += count
    html = [p for p in files if p.suffix == ".html" and str(p) not in ("404.html", "search/index.html")]
    assert total == len(html)


def test_headers_file_carries_the_same_policy_as_the_meta_tag() -> None:
    from digestsite.render import CONTENT_SECURITY_POLICY

    files = render(rich_site())
    headers = files[PurePosixPath("_headers")].decode()
    assert f"Content-Security-Policy: {CONTENT_SECURITY_POLICY}" in headers
    assert f'content="{CONTENT_SECURITY_POLICY}"' in files[PurePosixPath("index.html")].decode().replace("&#39;", "'")
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]


def test_a_one_sentence_first_paragraph_is_not_repeated_below_the_standfirst() -> None:
    lede = "The museum reopened on Tuesday."
    site = make_site([make_article(1, standfirst=lede, body=f"{lede}\n\nIt had been shut for years.")])
    page = render(site)[PurePosixPath("articles/story-1/index.html")].decode()
    assert f"<p>{lede}</p>" not in page and f">{lede}</p>" in page  # in the standfirst only
    assert "<p>It had been shut for years.</p>" in page
    site = make_site([make_article(2, standfirst=lede, body=f"{lede} More follows.")])
    assert f"<p>{lede} More follows.</p>" in render(site)[PurePosixPath("articles/story-2/index.html")].decode()


# ---------------------------------------------------------------- clean_text's fast path


def test_is_clean_never_passes_text_that_clean_text_would_change():
    """``is_clean`` skips the regex for most values, so it must never call dirty text clean."""
    import random

    from digestsite.markup import _ILLEGAL, clean_text, is_clean

    rng = random.Random(7)
    alphabet = [chr(c) for c in [*range(0x300), *range(0x2000, 0x2100), 0x3000, 0xAD, 0xFEFF, 0xD800,
                                 0xDFFF, 0xFDD0, 0xFFFE, 0xFFFF, 0xE000, 0x1FFFE, 0x10FFFF]]
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert clean_text(text) == _ILLEGAL.sub("", text), repr(text)
        assert not is_clean(text) or not _ILLEGAL.search(text), repr(text)
    assert is_clean("Plain text,\nwith a line break\tand a tab.")
    assert not is_clean("form\x0cfeed") and not is_clean("nel\x85") and not is_clean("nul\x00")


# ---------------------------------------------------------------- plain bodies without the parser

def _pieces(pieces: list[str], min_size: int = 0) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=min_size, max_size=25).map("".join)


_PROSE = _pieces(list("abcXYZ019 .,;:!?'\"()-—“”é&[]£$%@/{}^") + ["Mr", "1.", "2)", "  ", "\n", "AT&T", "[sic]"],
                 min_size=1)
_ANY = _pieces(list("ab1 #*_[]<>&\\`~|=+-.)!;\t\r\u00a0\u2028\u200b\"'\n")
               + ["\n\n", "&amp;", "&#38;", "&#x26;", "&copy;", "&nosuch;", "](", "](/u)", "[a]: /u", "[a]", "![a](b)"])
_BLOCK = st.one_of(_PROSE, _ANY, st.builds(lambda hashes, text: f"{hashes} {text}",
                                           st.sampled_from(["#", "##", "###", "####", "#######", "## "]), _PROSE))


def _parsed(body: str) -> tuple[str, tuple]:
    env: dict = {}
    html = markup._PARSER.render(markup.clean_text(body), env)
    return html, tuple(env.get("toc", ()))


@settings(max_examples=600, deadline=None)
@given(st.lists(_BLOCK, max_size=6), st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"]))
def test_plain_bodies_render_exactly_as_the_parser_renders_them(blocks, separator):
    body = separator.join(blocks)
    assert markup.render_markdown_with_toc(body) == _parsed(body)


def test_ordinary_prose_takes_the_plain_path():
    body = ('LONDON - Ministers said "no" (again) on Monday.\n\n## What comes next\n\n'
            "1999 was different, he said — and 2005's talks failed.\n\n## Top\n\nShort line one\nline two!")
    fast = markup._render_plain(body)
    assert fast is not None and fast == _parsed(body)
    assert fast[1] == (("what-comes-next", "What comes next", 2), ("top-2", "Top", 2))
    # ampersands, brackets and lines opening with punctuation are text too
    body = "M&S and AT&T [sic] rose.\n\n£50m, said one; : another\n\n## Q&A [live]\n\n...and more."
    fast = markup._render_plain(body)
    assert fast is not None and fast == _parsed(body)
    assert "M&amp;S" in fast[0] and fast[1] == (("q-a-live", "Q&A [live]", 2),)


def test_reading_minutes_round_up_at_230_words_and_are_at_least_one():
    assert markup.reading_minutes("") == 1
    assert markup.reading_minutes("word " * 230) == 1
    assert markup.reading_minutes("word\n" * 231) == 2
    assert markup.reading_minutes("## Heading\n\n" + "a " * 458) == 2  # 460 words


_SEGMENT = st.text(alphabet="abcz09-_.é", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))


@given(st.lists(_SEGMENT, min_size=0, max_size=4), st.sampled_from(["index.html", "feed.xml", "x.html"]))
def test_page_url_and_relative_root_read_a_file_s_text_as_its_path(folders: list[str], name: str) -> None:
    from digestsite.urls import page_url, relative_root

    path = PurePosixPath(*folders, name)
    text = str(path)
    expected_url = "" if text == "index.html" else (str(path.parent) + "/" if path.name == "index.html" else text)
    assert page_url(path) == page_url(text) == expected_url
    assert relative_root(path) == relative_root(text) == "../" * (len(path.parts) - 1)


def test_the_url_filter_is_relative_to_each_page_even_in_a_macro_imported_without_context(tmp_path: Path) -> None:
    from digestsite.model import PageSpec
    from digestsite.render import render_page

    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "links.html").write_text("{% macro home() %}{{ 'topics/'|url }}{% endmacro %}")
    (tmp_path / "page.html").write_text(
        '{% from "partials/links.html" import home %}{{ home() }} {{ "topics/"|url }} {{ path|url }}')
    env = make_environment(tmp_path)
    pages = [("index.html", ""), ("articles/a/index.html", "../../"), ("404.html", "/base/"), ("x/index.html", "../")]
    rendered = [render_page(PageSpec(file, "page.html", dict), {"root": root, "path": "feed.xml"}, env).decode()
                for file, root in pages]
    assert rendered == ["topics/ topics/ feed.xml", "../../topics/ ../../topics/ ../../feed.xml",
                        "/base/topics/ /base/topics/ /base/feed.xml", "../topics/ ../topics/ ../feed.xml"]
