"""Incremental builds equal clean builds, byte for byte; clean builds are deterministic."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from support import ROOT, run_cli, site_files

SEED_NAME = "global-times-china-world-digest.txt"


def _build(project: Path, out: Path, *extra: str) -> str:
    result = run_cli("build", "--content", str(project / "content"), "--templates", str(project / "templates"),
                     "--out", str(out), "--cache", str(project / "cache"), *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _clean_build(project: Path, out: Path, *extra: str) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    result = run_cli("build", "--content", str(project / "content"), "--templates", str(project / "templates"),
                     "--out", str(out), "--no-cache", *extra)
    assert result.returncode == 0, result.stderr
    return site_files(out)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def _edit_article(project: Path) -> None:
    digest = project / "content" / "digests" / SEED_NAME
    digest.write_text(digest.read_text(encoding="utf-8").replace("Miao embroidery", "Miao needlework", 3),
                      encoding="utf-8")


def _add_article(project: Path) -> None:
    (project / "content" / "articles" / "museum.md").write_text(
        '+++\ntitle = "City museum reopens after restoration"\ndate = "2025-01-21"\n+++\n\n'
        "The city museum reopened on Tuesday after two years of restoration work.\n", encoding="utf-8")


def _rename_article(project: Path) -> None:
    page = project / "content" / "articles" / "museum.md"
    page.write_text(page.read_text(encoding="utf-8").replace("City museum reopens", "Museum opens its doors"),
                    encoding="utf-8")


def _delete_article(project: Path) -> None:
    (project / "content" / "articles" / "museum.md").unlink()


def _change_topic(project: Path) -> None:
    topics = project / "content" / "topics.toml"
    topics.write_text(topics.read_text(encoding="utf-8").replace('name = "Diplomacy"', 'name = "Foreign affairs"'),
                      encoding="utf-8")


def _change_template(project: Path) -> None:
    template = project / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "<p>Edited.</p></article>", 1),
                        encoding="utf-8")


EDITS = [_add_article, _edit_article, _rename_article, _delete_article, _change_topic, _change_template]


def test_every_incremental_build_equals_a_clean_build(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    for edit in EDITS:
        edit(project)
        summary = _build(project, site, "--no-search")
        assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search"), edit.__name__
        assert "unchanged)" in summary or edit is _change_topic, (edit.__name__, summary)


def test_editing_one_article_rerenders_only_the_pages_that_show_it(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    before = site_files(site)
    _edit_article(project)
    summary = _build(project, site, "--no-search")
    changed = {p for p, data in site_files(site).items() if before.get(p) != data}
    assert "unchanged)" in summary
    assert any(p.startswith("articles/") and p.endswith("index.html") for p in changed)
    assert not any(p.startswith("spokespersons/mao-ning/") for p in changed)  # does not list the feature


def test_a_second_build_of_the_same_inputs_is_a_no_op(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    assert _build(project, site, "--no-search").startswith("up to date: 10 articles")


def test_template_change_rerenders_only_pages_using_it(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    before = site_files(site)
    _change_template(project)
    _build(project, site, "--no-search")
    changed = {p for p, data in site_files(site).items() if before.get(p) != data}
    assert changed and all(p.startswith("articles/") for p in changed), changed


def test_two_clean_builds_with_search_are_byte_identical(project: Path, tmp_path: Path) -> None:
    first = _clean_build(project, tmp_path / "one")
    second = _clean_build(project, tmp_path / "two")
    assert any(p.startswith("pagefind/filter/") for p in first)
    assert first == second


def test_search_index_is_reused_when_no_article_changed(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site)
    _change_template(project)  # article pages change: the index must be rebuilt
    _build(project, site)
    assert site_files(site) == _clean_build(project, tmp_path / "clean")
    template = project / "templates" / "topics.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    index_before = {p: d for p, d in site_files(site).items() if p.startswith("pagefind/")}
    _build(project, site)
    assert {p: d for p, d in site_files(site).items() if p.startswith("pagefind/")} == index_before


def test_unchanged_markdown_sources_are_linked_not_rewritten(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    inodes = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.glob("articles/*/index.md")}
    texts = {p: (site / p).read_bytes() for p in inodes}
    _edit_article(project)
    _build(project, site, "--no-search")
    same = [p for p in inodes if (site / p).is_file() and (site / p).read_bytes() == texts[p]]
    edited = [p for p in inodes if (site / p).is_file() and (site / p).read_bytes() != texts[p]]
    assert same and edited
    assert all((site / p).stat().st_ino == inodes[p] for p in same)  # the previous file, hard-linked


def test_an_article_page_is_not_rendered_again_when_only_its_place_in_the_build_moved(
        project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    pages = {p: p.stat().st_ino for p in site.glob("articles/*/index.html")}
    # a digest whose name sorts first: every seed article's number in the build goes up by one
    (project / "content" / "digests" / "000-first.txt").write_text(
        "The harbour ferry timetable changes on Monday, the operator said in a notice to passengers.\n",
        encoding="utf-8")
    _build(project, site, "--no-search")
    kept = [p for p, inode in pages.items() if p.stat().st_ino == inode]
    assert len(kept) >= len(pages) - 2, sorted(set(pages) - set(kept))  # at most a related list changed
    assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search")


def test_a_same_size_edit_right_after_a_build_is_seen(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    digest = project / "content" / "digests" / SEED_NAME
    text = digest.read_text(encoding="utf-8")
    digest.write_text(text.replace("Miao", "Maio", 1), encoding="utf-8")  # same size, same second
    assert not _build(project, site, "--no-search").startswith("up to date")
    assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search")


def test_an_edit_updates_the_site_in_place(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    folder = site.stat().st_ino
    _edit_article(project)
    _build(project, site, "--no-search")
    assert site.stat().st_ino == folder  # the changed files moved in; no second copy of the site
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]  # no staging left behind


def test_an_edit_of_one_page_writes_only_its_part_of_the_pages_memo(project: Path, tmp_path: Path) -> None:
    from digestsite.read import PageMemo

    pages = project / "content" / "articles"
    for n in range(30):
        (pages / f"story-{n}.md").write_text(f'+++\ntitle = "Story {n}"\n+++\n\nStory {n} happened.\n')
        os.utime(pages / f"story-{n}.md", (time.time() - 60, time.time() - 60))  # past the same-tick rule
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    parts = {path.name: path.stat().st_ino for path in (project / "cache").glob("pages-*.pickle")}
    assert len(parts) > 1
    (pages / "story-7.md").write_text('+++\ntitle = "Story 7"\n+++\n\nStory 7 happened twice.\n')
    _build(project, site, "--no-search")
    rewritten = [path.name for path in (project / "cache").glob("pages-*.pickle") if path.stat().st_ino != parts[path.name]]
    assert rewritten == [f"pages-{PageMemo.shard_of('story-7.md')}.pickle"]
    assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search")


def test_a_site_the_cache_does_not_describe_is_staged_whole(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    _add_article(project)
    # a build without the cache, then one with it: the records are older than the site
    assert run_cli("build", "--content", str(project / "content"), "--templates", str(project / "templates"),
                   "--out", str(site), "--no-cache", "--no-search").returncode == 0
    _delete_article(project)
    _build(project, site, "--no-search")
    assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search")


def test_an_update_killed_halfway_is_repaired_by_the_next_build(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    _add_article(project)
    _build(project, site, "--no-search")
    # what a kill during the renames leaves: a marker with no stamp, files of both builds
    marker = site / ".digestsite-output"
    marker.write_text(marker.read_text().splitlines()[0] + "\n\n")
    (site / "articles" / "stale-page").mkdir()
    (site / "articles" / "stale-page" / "index.html").write_text("from a build that never finished")
    _delete_article(project)
    _build(project, site, "--no-search")
    assert site_files(site) == _clean_build(project, tmp_path / "clean", "--no-search")


def test_only_a_build_with_a_cache_stamps_its_site(project: Path, tmp_path: Path) -> None:
    cached, uncached = tmp_path / "cached", tmp_path / "uncached"
    _build(project, cached, "--no-search")
    _clean_build(project, uncached, "--no-search")
    stamp_line = [(site / ".digestsite-output").read_text().splitlines()[1] for site in (cached, uncached)]
    assert len(stamp_line[0]) == 64 and stamp_line[1] == ""


def test_cache_memos_are_misses_when_corrupt_or_from_other_code(tmp_path: Path, monkeypatch) -> None:
    import digestsite.cache as cache_module

    cache = cache_module.BuildCache(tmp_path / "cache", tmp_path / "site")
    assert cache.load_memo("related") is None
    cache.store_memo("related", {"words": [1, 2]})
    assert cache_module.BuildCache(tmp_path / "cache").load_memo("related") == {"words": [1, 2]}
    (tmp_path / "cache" / "pages-0.pickle").write_bytes(b"not a pickle")
    assert cache.load_memo("pages-0") is None
    cache.store_records("pages.pickle", {"index.html": ("key", 10, 20)})
    assert cache.load_records("pages.pickle") == {"index.html": ("key", 10, 20)}
    monkeypatch.setattr(cache_module, "code_hash", lambda: "other code")
    assert cache_module.BuildCache(tmp_path / "cache").load_memo("related") is None
    # page records of other code may have another shape: a miss, not a crash
    assert cache_module.BuildCache(tmp_path / "cache", tmp_path / "site").load_records("pages.pickle") == {}


def test_a_memo_loaded_and_unchanged_is_not_written_again(tmp_path: Path) -> None:
    from digestsite.cache import BuildCache

    BuildCache(tmp_path).store_memo("related", {"a": 1})
    written = (tmp_path / "related.pickle").stat().st_ino  # a write renames a new file over it
    cache = BuildCache(tmp_path)
    memo = cache.load_memo("related")
    cache.store_memo("related", memo)
    assert (tmp_path / "related.pickle").stat().st_ino == written
    memo["b"] = 2
    cache.store_memo("related", memo)
    assert BuildCache(tmp_path).load_memo("related") == {"a": 1, "b": 2}


def test_memos_held_in_memory_skip_their_files_until_the_block_ends(tmp_path: Path) -> None:
    from digestsite.cache import BuildCache, memos_held_in_memory

    memo = {"words": [1]}
    with memos_held_in_memory():
        BuildCache(tmp_path).store_memo("related", memo)
        assert not (tmp_path / "related.pickle").exists()
        assert BuildCache(tmp_path).load_memo("related") is memo  # the next build of the same process
    assert BuildCache(tmp_path).load_memo("related") == memo


def test_compiled_templates_of_other_code_are_dropped(tmp_path: Path) -> None:
    from digestsite.cache import BuildCache

    stale = tmp_path / "templates" / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "__jinja2_x.cache").write_bytes(b"from another version")
    folder = BuildCache(tmp_path).code_folder("templates")
    assert folder is not None and folder.is_dir() and folder.parent == tmp_path / "templates"
    assert not stale.exists()
    assert BuildCache(None).code_folder("templates") is None


def test_a_template_edit_is_seen_through_the_compiled_templates(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(project, site, "--no-search")
    assert any((project / "cache" / "templates").rglob("__jinja2_*.cache"))
    _change_template(project)
    _build(project, site, "--no-search")
    assert b"<p>Edited.</p>" in next(site.glob("articles/*/index.html")).read_bytes()


def test_template_hashes_are_the_same_with_the_references_remembered(project: Path) -> None:
    from digestsite.cache import template_hashes
    from digestsite.render import make_environment

    templates = project / "templates"
    memo: dict = {}
    first = template_hashes(make_environment(templates), memo)
    assert first == template_hashes(make_environment(templates)) and len(memo) == len(first)
    assert memo[next(iter(memo))] is not None  # references, not "unparsable"

    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    (templates / "404.html").write_text("{% if %}", encoding="utf-8")  # does not parse
    second = template_hashes(make_environment(templates), memo)
    assert second == template_hashes(make_environment(templates)) and len(memo) == len(first)
    assert second["article.html"] != first["article.html"]  # it extends base.html
    assert second["404.html"] == template_hashes(make_environment(templates))["404.html"] != first["404.html"]
    assert second["partials/cards.html"] == first["partials/cards.html"]


def test_an_unchanged_pages_article_hash_is_taken_from_the_pages_memo(tmp_path: Path, monkeypatch) -> None:
    import digestsite.pipeline as pipeline
    from digestsite.cache import article_hash
    from digestsite.read import PageMemo, read_content

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for n in range(5):
        page = content / "articles" / f"story-{n}.md"
        page.write_text(f'+++\ntitle = "Story {n}"\n+++\n\nStory {n} happened.\n')
        os.utime(page, (time.time() - 60, time.time() - 60))  # past the same-tick rule
    memo = PageMemo()

    def hashes() -> tuple[dict[str, str], list[str]]:
        site, _ = pipeline.build_site_model(read_content(content, memo), page_memo=memo)
        hashed: list[str] = []
        monkeypatch.setattr(pipeline, "article_hash", lambda a: hashed.append(a.slug) or article_hash(a))
        found = pipeline._article_hashes(site.articles, memo)
        monkeypatch.undo()
        assert found == {a.slug: article_hash(a) for a in site.articles}
        return found, hashed

    first, hashed = hashes()
    assert len(hashed) == 5 and memo.dirty
    again, hashed = hashes()
    assert again == first and hashed == [] and not memo.dirty
    (content / "articles" / "story-2.md").write_text('+++\ntitle = "Story 2"\n+++\n\nStory 2 happened twice.\n')
    (content / "articles" / "story-4.md").unlink()
    edited, hashed = hashes()
    assert hashed == ["story-2"] and edited["story-2"] != first["story-2"] and "story-4" not in edited
    assert sorted(Path(source).name for source in memo.hashes) == [f"story-{n}.md" for n in range(4)]


def test_a_build_leaves_the_cycle_collector_as_it_found_it(project: Path, tmp_path: Path, monkeypatch) -> None:
    import gc

    import digestsite.pipeline as pipeline
    from digestsite.errors import BuildError
    from digestsite.model import BuildOptions

    options = BuildOptions(content_dir=project / "content", templates_dir=project / "templates",
                           out_dir=tmp_path / "site", search=False, cache_dir=project / "cache")
    frozen: list[int] = []
    collecting: list[bool] = []
    plan, render = pipeline.plan_site, pipeline.render_changed
    monkeypatch.setattr(pipeline, "plan_site", lambda *a, **k: frozen.append(gc.get_freeze_count())
                        or collecting.append(gc.isenabled()) or plan(*a, **k))
    monkeypatch.setattr(pipeline, "render_changed", lambda *a, **k: collecting.append(gc.isenabled()) or render(*a, **k))
    pipeline.build(options)
    assert frozen[0] > 0  # the model and the memos were set aside while the build ran
    # off while the model and plan are made, on again for the pages (whose cycles it must collect)
    assert collecting == [False, True]
    assert gc.isenabled() and gc.get_freeze_count() == 0

    def fail(*args, **kwargs):
        raise BuildError("a template failed")

    _edit_article(project)
    monkeypatch.setattr(pipeline, "render_changed", fail)
    with pytest.raises(BuildError):
        pipeline.build(options)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def _story_page(n: int, title: str = "", body: str = "", date: str = "", topic: str = "", slug: str = "") -> str:
    date = date or f"2025-01-{n % 28 + 1:02}"  # two stories a day, for most days
    front = f'title = "{title or f"Harbour story {n}"}"\ndate = "{date}"\n' + (f'slug = "{slug}"\n' if slug else "")
    front += f'topics = ["{topic}"]\n' if topic else ""
    words = ["harbour", "ferry", "tariff", "exports", "museum", "rain", "flood", "embroidery"]
    text = body or (f"The {words[n % 8]} story number {n} began on a quiet morning. "
                    f"Officials said the {words[(n + 3) % 8]} plan would change little.")
    return f"+++\n{front}+++\n\n{text}\n"


def test_rebuilds_that_key_only_the_pages_showing_a_changed_article_equal_clean_builds(
        project: Path, tmp_path: Path, monkeypatch) -> None:
    import digestsite.pipeline as pipeline
    from digestsite.model import BuildOptions

    pages = project / "content" / "articles"
    for n in range(40):
        (pages / f"story-{n:02}.md").write_text(_story_page(n))
    options = BuildOptions(content_dir=project / "content", templates_dir=project / "templates",
                           out_dir=tmp_path / "site", search=False, cache_dir=project / "cache")
    settled: list[int] = []
    settle = pipeline._settled_pages
    monkeypatch.setattr(pipeline, "_settled_pages", lambda *a: settled.append(len(found := settle(*a))) or found)
    pipeline.build(options)

    edits = [  # (what changes, whether the plan keeps its shape)
        ("a body", "story-07.md", _story_page(7, body="The ferry story number 7 ended with a flood of tariff talk."), True),
        ("a title", "story-12.md", _story_page(12, title="Harbour story twelve", slug="harbour-story-12"), True),
        ("a title and so the slug", "story-13.md", _story_page(13, title="Harbour story thirteen"), False),
        ("a date", "story-20.md", _story_page(20, date="2024-06-01"), False),
        ("a topic", "story-03.md", _story_page(3, topic="Culture and heritage"), False),
        ("a body again", "story-07.md", _story_page(7, body="The ferry story number 7 is short now."), True),
    ]
    for name, file, text, same_shape in edits:
        (pages / file).write_text(text)
        settled.clear()
        pipeline.build(options)
        assert (settled[0] > 30) == same_shape, name  # most pages settled, or none
        assert site_files(tmp_path / "site") == _clean_build(project, tmp_path / "clean", "--no-search"), name


def test_a_rebuild_from_cached_digests_never_loads_the_segmenter_or_the_enricher(project: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    site = tmp_path / "site"
    _build(project, site, "--no-search")
    _add_article(project)  # a page to read again; every digest is in the cache
    argv = ["build", "--content", str(project / "content"), "--templates", str(project / "templates"),
            "--out", str(site), "--cache", str(project / "cache"), "--no-search"]
    probe = (f"import runpy, sys; main = runpy.run_path({str(ROOT / 'build.py')!r})['main']; main({argv!r}); "
             "print('loaded:', sorted(m for m in sys.modules "
             "if m in ('digestsite.segment', 'digestsite.enrich', 'digestsite.people', 'digestsite.headline')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "unchanged)" in result.stdout and "loaded: []" in result.stdout, result.stdout + result.stderr
    _edit_article(project)  # a digest changed: now they are needed
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "'digestsite.segment'" in result.stdout, result.stdout + result.stderr


def test_a_rebuild_takes_the_pages_stats_from_the_inputs_check(project: Path, tmp_path: Path, monkeypatch) -> None:
    """The check that stamps the inputs has just asked every file for its stat; the
    pages memo is compared with those, not with 10,000 more (and sees an edit all the same)."""
    import digestsite.pipeline as pipeline
    import digestsite.read as read
    from digestsite.cache import check_inputs
    from digestsite.model import BuildOptions

    pages = project / "content" / "articles"
    for n in range(5):
        (pages / f"story-{n}.md").write_text(_story_page(n))
    options = BuildOptions(content_dir=project / "content", templates_dir=project / "templates",
                           out_dir=tmp_path / "site", search=False, cache_dir=project / "cache")
    pipeline.build(options)
    asked: list[str] = []

    class Entry:  # a DirEntry that tells when it is asked for its stat
        def __init__(self, entry: os.DirEntry) -> None:
            self.name, self.path, self._entry = entry.name, entry.path, entry

        def stat(self) -> os.stat_result:
            asked.append(self.name)
            return self._entry.stat()

    entries = read._entries
    monkeypatch.setattr(read, "_entries", lambda folder: [Entry(e) for e in entries(folder)])
    (pages / "story-3.md").write_text(_story_page(3, body="The ferry story number 3 ended early."))
    checked = check_inputs(options)
    assert checked.fresh is None and str(pages / "story-3.md") in checked.stats
    pipeline.build(options, checked=checked)
    assert asked == []
    assert "ended early" in (tmp_path / "site" / "articles" / "harbour-story-3" / "index.html").read_text()
    (pages / "story-3.md").write_text(_story_page(3, body="The ferry story number 3 ended late."))
    pipeline.build(options)  # checks the inputs itself
    assert asked == []
    assert "ended late" in (tmp_path / "site" / "articles" / "harbour-story-3" / "index.html").read_text()


def test_a_build_for_an_exiting_process_leaves_what_it_made_unfreed(project: Path, tmp_path: Path) -> None:
    import digestsite.pipeline as pipeline
    from digestsite.model import BuildOptions

    options = BuildOptions(content_dir=project / "content", templates_dir=project / "templates",
                           out_dir=tmp_path / "site", search=False, cache_dir=project / "cache")
    pipeline.build(options)
    assert pipeline._LEFT_FOR_EXIT == []  # a long-lived caller (serve, tests) frees it
    _edit_article(project)
    try:
        pipeline.build(options, exits_after=True)
        assert len(pipeline._LEFT_FOR_EXIT) == 1 and pipeline._LEFT_FOR_EXIT[0]["site"].articles
    finally:
        pipeline._LEFT_FOR_EXIT.clear()
