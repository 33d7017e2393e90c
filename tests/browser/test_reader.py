"""The published seed site in headless Chromium: search and filters, links, keyboard, axe,
layout at phone and desktop widths, the site without JavaScript, and the CSP.

Every page here comes from the ``page``/``new_page`` fixtures, which fail the test on any console
error, uncaught exception or CSP violation. Waits are Playwright's auto-waiting assertions
(deadlines: 5 s for `expect`, 10 s for page actions), never fixed sleeps. Screenshots go to
tests/artifacts/.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import html5lib
import pytest

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails under CI) before these are used
    Axe = expect = None

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
RESULT_COUNT = re.compile(r"^\d+ results? for ")
NO_RESULTS = re.compile(r"^No results for ")
SERIOUS = {"serious", "critical"}


# ---------------------------------------------------------------- helpers

def articles_mentioning(site: Path, phrase: str) -> list[str]:
    """Site-relative paths (``articles/<slug>/``) whose article body contains ``phrase``.

    Tests find "the Miao embroidery feature" by its text, not by a slug or headline that the
    segmenter and enricher may still change.
    """
    found = []
    for html in sorted(site.glob("articles/*/index.html")):
        tree = html5lib.parse(html.read_bytes(), namespaceHTMLElements=False)
        body = tree.find(".//*[@id='article-body']")
        if body is not None and phrase in "".join(body.itertext()):
            found.append(f"articles/{html.parent.name}/")
    return found


def the_article(site: Path, phrase: str) -> str:
    found = articles_mentioning(site, phrase)
    assert len(found) == 1, f"expected one article mentioning {phrase!r}, found {found}"
    return found[0]


def a_page(site: Path, pattern: str) -> str:
    """The first (sorted) page matching ``pattern`` (e.g. ``topics/*/index.html``), as a URL path."""
    pages = sorted(site.glob(pattern))
    assert pages, f"the seed site has no {pattern}"
    return pages[0].parent.relative_to(site).as_posix() + "/"


def open_search(page, query: str = "") -> None:
    """The search page with Pagefind UI ready; with ``query``, typed and waited for."""
    page.goto("search/")
    box = page.locator(".pagefind-ui__search-input")
    expect(box).to_be_visible()
    if query:
        box.fill(query)
        expect(page.locator(".pagefind-ui__message")).to_have_text(
            re.compile(f"{RESULT_COUNT.pattern}|{NO_RESULTS.pattern}"))


def result_hrefs(page) -> list[str]:
    """Absolute hrefs of the results (not their sub-results), once every result has loaded."""
    results = page.locator(".pagefind-ui__result")
    links = results.locator(":scope > .pagefind-ui__result-inner > .pagefind-ui__result-title a")
    expect(results.first).to_be_visible()
    expect(links).to_have_count(results.count())
    return links.evaluate_all("links => links.map(a => a.href)")


def no_horizontal_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: scrollWidth {widths[0]} > {widths[1]}"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{page.url} [{v['impact']}] {v['id']}: {v['help']} -> "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            for v in results.response["violations"] if v["impact"] in SERIOUS]


# ---------------------------------------------------------------- search

def test_search_finds_the_embroidery_feature_first(page, seed_site, site_url):
    feature = site_url + the_article(seed_site, "Miao embroidery")
    open_search(page, "embroidery")
    expect(page.locator(".pagefind-ui__message")).to_have_text(RESULT_COUNT)
    assert result_hrefs(page)[0] == feature


def test_spokesperson_filter_leaves_only_the_ukraine_article(page, seed_site, site_url):
    ukraine = site_url + the_article(seed_site, "Ukraine crisis")
    open_search(page, "China")
    assert len(result_hrefs(page)) > 1, "the query should match several articles before filtering"
    page.locator("summary.pagefind-ui__filter-name", has_text=re.compile("^spokesperson$", re.I)).click()
    page.get_by_role("checkbox", name=re.compile(r"^Mao Ning\b")).check()
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile(r"^1 result\b"))
    assert result_hrefs(page) == [ukraine]


def test_a_query_without_matches_says_so(page):
    open_search(page, "zzqxjvwk")
    expect(page.locator(".pagefind-ui__message")).to_have_text(NO_RESULTS)
    expect(page.locator(".pagefind-ui__result")).to_have_count(0)


def test_header_search_from_an_article_lands_on_search_with_results(page, seed_site, site_url):
    page.goto(the_article(seed_site, "Miao embroidery"))
    page.get_by_role("searchbox", name="Search articles").fill("embroidery")
    page.get_by_role("searchbox", name="Search articles").press("Enter")
    expect(page).to_have_url(site_url + "search/?q=embroidery")
    expect(page.locator(".pagefind-ui__search-input")).to_have_value("embroidery")
    expect(page.locator(".pagefind-ui__message")).to_have_text(RESULT_COUNT)
    assert result_hrefs(page), "no results shown for the header search"


# ---------------------------------------------------------------- links

@pytest.mark.parametrize("kind", ["home", "article", "topic", "spokesperson"])
def test_every_link_opens(new_page, seed_site, site_url, kind):
    start = {"home": "", "article": a_page(seed_site, "articles/*/index.html"),
             "topic": a_page(seed_site, "topics/*/index.html"),
             "spokesperson": a_page(seed_site, "spokespersons/*/index.html")}[kind]
    page = new_page()
    page.goto(start)
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    ids = set(page.locator("[id]").evaluate_all("els => els.map(e => e.id)"))
    origin = site_url.split("/digest/")[0]
    visitor = new_page()
    checked, broken = set(), []
    for href in hrefs:
        url, _, fragment = href.partition("#")
        if url == page.url.partition("#")[0]:
            if fragment and fragment not in ids:
                broken.append(f"{href}: no element with id {fragment!r}")
            continue
        if not url.startswith(origin):
            continue  # another host: not fetched, nothing here needs the network
        if not url.startswith(site_url):
            broken.append(f"{href}: leaves /digest/")
            continue
        if url in checked:
            continue
        checked.add(url)
        path = urllib.parse.urlsplit(url).path
        if path.endswith("/") or path.endswith(".html"):
            response = visitor.goto(url)  # rendered: its console errors fail the test
            if path.endswith("/search/") and "q=" in url:  # tag links: the search must find something
                expect(visitor.locator(".pagefind-ui__message")).to_have_text(RESULT_COUNT)
        else:
            response = visitor.request.get(url)  # feeds, Markdown sources
        if response is None or response.status != 200:
            broken.append(f"{href}: status {response.status if response else 'none'}")
    assert checked, f"no internal links found on {start or 'the home page'}"
    assert broken == []


# ---------------------------------------------------------------- keyboard

@pytest.mark.parametrize("path", ["", "search/"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    expect(page.locator(":focus")).to_be_in_viewport()  # shown when focused, not left off-screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), \
        page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


# ---------------------------------------------------------------- accessibility

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations(new_page, seed_site, scheme):
    page = new_page(color_scheme=scheme)
    found = []
    for path in ["", a_page(seed_site, "articles/*/index.html"), the_article(seed_site, "Miao embroidery"),
                 a_page(seed_site, "topics/*/index.html"), a_page(seed_site, "spokespersons/*/index.html"),
                 "topics/", "spokespersons/"]:
        page.goto(path)
        found += serious_violations(page)
    open_search(page, "China")  # axe the UI with results and filters showing
    result_hrefs(page)
    found += serious_violations(page)
    assert found == [], "\n".join(found)


# ---------------------------------------------------------------- layout

@pytest.mark.parametrize("width,height", [(375, 800), (1280, 900)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_and_no_sideways_scroll(new_page, seed_site, width, height, scheme):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    shots = {"home": "", "article": the_article(seed_site, "Miao embroidery")}
    for name, path in shots.items():
        page.goto(path)
        page.screenshot(path=ARTIFACTS / f"{name}-{width}-{scheme}.png", full_page=True)
        if width <= 375:
            no_horizontal_scroll(page)
    open_search(page, "China")
    result_hrefs(page)
    page.screenshot(path=ARTIFACTS / f"search-{width}-{scheme}.png", full_page=True)
    if width <= 375:
        no_horizontal_scroll(page)
        for path in ["topics/", a_page(seed_site, "topics/*/index.html"), "spokespersons/",
                     a_page(seed_site, "spokespersons/*/index.html")]:
            page.goto(path)
            no_horizontal_scroll(page)


# ---------------------------------------------------------------- without JavaScript

def test_without_javascript_search_explains_and_the_rest_renders(new_page, seed_site):
    page = new_page(java_script_enabled=False)
    page.goto("search/")
    notice = page.locator("main .notice", has_text="Search needs JavaScript")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name="topics")).to_have_attribute("href", "../topics/")
    expect(notice.get_by_role("link", name="spokespersons")).to_have_attribute("href", "../spokespersons/")
    expect(page.locator("#search-status")).to_be_hidden()

    page.goto("")
    cards = page.locator("main .cards .card")
    expect(cards).to_have_count(len(list(seed_site.glob("articles/*/index.html"))))
    expect(page.locator("main .strip")).to_have_count(2)

    feature = the_article(seed_site, "Miao embroidery")
    page.goto(feature)
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("#article-body")).to_contain_text("Miao embroidery")
    expect(page.locator("#article-body p").last).to_be_visible()


# ---------------------------------------------------------------- CSP

def test_the_csp_is_enforced_and_a_violation_would_be_caught(page):
    """Every other test relies on the fixture seeing CSP violations; prove that it does."""
    response = page.goto("")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    with page.expect_console_message(lambda m: m.text.startswith("CSP violation: script-src")):
        page.evaluate("""() => {
            const s = document.createElement("script");
            s.textContent = "window.inlineRan = true";
            document.body.append(s);
        }""")
    assert page.evaluate("window.inlineRan === undefined"), "an inline script ran despite the CSP"
    problems = page.problems.take()  # expected here; every other page must have none
    assert any("CSP violation: script-src" in p for p in problems), problems
