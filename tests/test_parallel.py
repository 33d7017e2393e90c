"""Builds on both cores equal serial builds, byte for byte; errors in workers keep their type."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest

from digestsite import parallel, pipeline, read, related
from digestsite.errors import BuildError, SourceError
from digestsite.model import BuildOptions
from support import ROOT, site_files

SEED = ROOT / "content" / "digests" / "global-times-china-world-digest.txt"
DIGESTS = 10


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Ten digests of distinct text (the seed's lines, numbered), one a day."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    digests = tmp_path / "content" / "digests"
    lines = SEED.read_text(encoding="utf-8").splitlines()
    (digests / SEED.name).unlink()
    for n in range(1, DIGESTS + 1):
        text = "\n".join(f"{line} ({n})" if line.strip() else line for line in lines)
        (digests / f"2025-01-{n:02d}-digest.txt").write_text(text + "\n", encoding="utf-8")
    return tmp_path


def _build(project: Path, out: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool, cache: bool = False) -> str:
    limit = 0 if parallel else 10**9
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", limit)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_DIGESTS", limit)
    monkeypatch.setattr(related, "_CHUNK", 5 if parallel else 10**9)  # related articles in workers too
    options = BuildOptions(content_dir=project / "content", templates_dir=project / "templates", out_dir=out,
                           search=False, cache_dir=project / "cache" if cache else None)
    return pipeline.build(options).summary_line()


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork: builds are serial")
def test_a_parallel_build_equals_a_serial_one(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(project, tmp_path / "serial", monkeypatch, parallel=False)
    _build(project, tmp_path / "parallel", monkeypatch, parallel=True)
    serial, parallel = site_files(tmp_path / "serial"), site_files(tmp_path / "parallel")
    assert len(serial) > 50
    assert serial == parallel


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork: builds are serial")
def test_a_parallel_rebuild_after_an_edit_equals_a_clean_build(project: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _build(project, site, monkeypatch, parallel=True, cache=True)
    markdown_inodes = {path: path.stat().st_ino for path in site.glob("articles/*/index.md")}
    digest = project / "content" / "digests" / "2025-01-03-digest.txt"
    digest.write_text(digest.read_text(encoding="utf-8").replace(" (3)\n", " (3) One more sentence.\n", 1),
                      encoding="utf-8")
    summary = _build(project, site, monkeypatch, parallel=True, cache=True)
    assert "unchanged" in summary
    # the first build's index.md records (written in the background) held: the rest stayed in place
    kept = [path for path, inode in markdown_inodes.items() if path.stat().st_ino == inode]
    assert len(markdown_inodes) == 50 and len(kept) >= len(markdown_inodes) - 10
    _build(project, tmp_path / "clean", monkeypatch, parallel=False)
    assert site_files(site) == site_files(tmp_path / "clean")


def test_parallel_map_keeps_the_order_and_the_error_types() -> None:
    def square_or_fail(n: int) -> int:
        if n == 7:
            raise SourceError("content/x.txt", 3, "bad line", hint="fix it")
        if n == 8:
            raise BuildError("cannot go on")
        return n * n

    assert parallel.parallel_map(square_or_fail, range(7), 2) == [n * n for n in range(7)]
    with pytest.raises(SourceError) as caught:
        parallel.parallel_map(square_or_fail, range(10), 2)
    assert (caught.value.path, caught.value.line, caught.value.message, caught.value.hint) == \
        ("content/x.txt", 3, "bad line", "fix it")
    with pytest.raises(BuildError, match="cannot go on"):
        parallel.parallel_map(square_or_fail, [1, 8], 2)


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork")
def test_a_background_task_runs_in_another_process_and_keeps_its_error_type() -> None:
    with parallel.in_background(os.getpid, fork=True) as result:
        assert result() != os.getpid()

    def fail() -> None:
        raise SourceError("content/x.txt", 3, "bad line", hint="fix it")

    with pytest.raises(SourceError) as caught, parallel.in_background(fail, fork=True) as result:
        result()
    assert (caught.value.path, caught.value.line, caught.value.hint) == ("content/x.txt", 3, "fix it")


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork")
def test_leaving_the_block_stops_a_background_task_still_running(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def slow() -> None:
        time.sleep(20)
        done.touch()

    started = time.monotonic()
    with pytest.raises(BuildError), parallel.in_background(slow, fork=True):
        raise BuildError("a later stage failed")
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()
    assert not done.exists()


def test_without_fork_a_background_task_runs_when_its_result_is_asked_for() -> None:
    calls = []
    with parallel.in_background(lambda: calls.append(os.getpid()) or "made", fork=False) as result:
        assert calls == []
        assert result() == "made"
    assert calls == [os.getpid()]


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork: builds are serial")
def test_a_parallel_build_that_fails_leaves_no_process_and_the_old_site(project: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _build(project, site, monkeypatch, parallel=True)
    before = site_files(site)
    article = project / "templates" / "article.html"
    article.write_text(article.read_text(encoding="utf-8").replace("{{ article.title }}", "{{ article.title(1) }}"),
                       encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        _build(project, site, monkeypatch, parallel=True)
    assert Path(caught.value.path).name == "article.html"
    assert not multiprocessing.active_children()
    assert site_files(site) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def _pages(content: Path, count: int) -> None:
    articles = content / "articles"
    articles.mkdir(exist_ok=True)
    for n in range(count):
        (articles / f"page-{n:03d}.md").write_text(
            f'+++\ntitle = "Page number {n}"\ndate = "2025-02-{n % 28 + 1:02d}"\n+++\n'
            f"Body of page {n}, about harbour number {n}.\n", encoding="utf-8")


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork: reading is serial")
def test_article_pages_read_in_workers_equal_serial_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pages(tmp_path, 23)
    serial = read.read_content(tmp_path).pages
    monkeypatch.setattr(read, "_PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(read, "_PAGES_PER_TASK", 4)
    assert read.read_content(tmp_path).pages == serial
    assert [p.title for p in serial] == [f"Page number {n}" for n in range(23)]


@pytest.mark.skipif(parallel.usable_workers() < 2, reason="one core or no fork: reading is serial")
def test_a_broken_page_read_in_a_worker_names_its_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pages(tmp_path, 23)
    (tmp_path / "articles" / "page-017.md").write_text('+++\ntitle = "Fine"\ndate = 2025\n+++\nBody.\n',
                                                       encoding="utf-8")
    monkeypatch.setattr(read, "_PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(read, "_PAGES_PER_TASK", 4)
    with pytest.raises(SourceError) as caught:
        read.read_content(tmp_path)
    assert str(caught.value.path).endswith("page-017.md")
    assert caught.value.line == 2
