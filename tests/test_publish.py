"""Atomic output: staged folder, marker file, refusal to clobber what is not ours."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from digestsite.errors import BuildError
from digestsite.publish import MARKER, check_output_dir, output_stamp, staged_output, staged_update, write_files


def test_success_swaps_the_new_site_in(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with staged_output(out) as staging:
        write_files({PurePosixPath("index.html"): b"one"}, staging)
    with staged_output(out) as staging:
        write_files({PurePosixPath("a/index.html"): b"two"}, staging)
    assert (out / "a/index.html").read_bytes() == b"two"
    assert not (out / "index.html").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging left behind


def test_failure_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with staged_output(out) as staging:
        write_files({PurePosixPath("index.html"): b"good"}, staging)
    with pytest.raises(RuntimeError):
        with staged_output(out) as staging:
            write_files({PurePosixPath("index.html"): b"half"}, staging)
            raise RuntimeError("render failed")
    assert (out / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_a_non_empty_folder_it_did_not_create(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(BuildError, match="not made by this tool"):
        with staged_output(precious):
            pass
    assert (precious / "thesis.tex").read_text() == "years of work"


@pytest.mark.parametrize("target", ["content", "content/sub", "project_root"])
def test_refuses_folders_overlapping_content(tmp_path: Path, target: str) -> None:
    content = tmp_path / "content"
    content.mkdir()
    out = tmp_path if target == "project_root" else tmp_path / target
    with pytest.raises(BuildError, match="overlaps"):
        check_output_dir(out, protected=[content])


def test_refuses_root_and_home() -> None:
    for out in (Path("/"), Path("~")):
        with pytest.raises(BuildError, match="refusing"):
            check_output_dir(out)


def test_empty_existing_folder_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    with staged_output(out) as staging:
        write_files({PurePosixPath("index.html"): b"x"}, staging)
    assert (out / "index.html").read_bytes() == b"x"


@pytest.mark.parametrize("bad", ["../evil.html", "/abs.html", "a/../../evil.html"])
def test_write_files_refuses_paths_outside_root(tmp_path: Path, bad: str) -> None:
    with pytest.raises(BuildError, match="outside the output folder"):
        write_files({PurePosixPath(bad): b"x"}, tmp_path / "root")
    assert not (tmp_path / "evil.html").exists()


def _site(out: Path, files: dict[str, bytes], stamp: str = "one") -> None:
    with staged_output(out, stamp=stamp) as staging:
        write_files({PurePosixPath(p): data for p, data in files.items()}, staging)


def test_replace_files_moves_changes_in_and_deletes_what_was_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _site(out, {"index.html": b"home", "a/b/index.html": b"gone", "keep/index.html": b"kept", "idx/x.pf": b"i"})
    folder_inode, kept_inode = out.stat().st_ino, (out / "keep/index.html").stat().st_ino
    with staged_update(out, stamp="two") as update:
        write_files({PurePosixPath("index.html"): b"home 2", PurePosixPath("new/index.html"): b"new"},
                    update.staging)
        update.replace_files([PurePosixPath("a/b/index.html"), PurePosixPath("idx/")])
    assert (out / "index.html").read_bytes() == b"home 2"
    assert (out / "new/index.html").read_bytes() == b"new"
    assert not (out / "a").exists() and not (out / "idx").exists()  # emptied folders go too
    assert (out / "keep/index.html").stat().st_ino == kept_inode  # untouched, not relinked
    assert out.stat().st_ino == folder_inode  # updated in place, not swapped
    assert output_stamp(out) == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_update_in_place_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _site(out, {"index.html": b"home", "old/index.html": b"old"})
    with pytest.raises(RuntimeError):
        with staged_update(out, stamp="two") as update:
            write_files({PurePosixPath("index.html"): b"half"}, update.staging)
            update.replace_files([PurePosixPath("old/index.html")])
            raise RuntimeError("render failed")
    assert (out / "index.html").read_bytes() == b"home" and (out / "old/index.html").read_bytes() == b"old"
    assert output_stamp(out) == "one"


@pytest.mark.parametrize("bad", ["../evil.html", "/abs.html", "a/../../evil.html"])
def test_replace_files_refuses_to_remove_outside_the_site(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "site"
    _site(out, {"index.html": b"home"})
    (tmp_path / "evil.html").write_text("precious")
    with pytest.raises(BuildError, match="outside the output folder"):
        with staged_update(out) as update:
            update.replace_files([PurePosixPath(bad)])
    assert (tmp_path / "evil.html").read_text() == "precious"


def test_replace_files_refuses_to_follow_a_link_out_of_the_site(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    _site(out, {"index.html": b"home"})
    elsewhere.mkdir()
    (out / "articles").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(BuildError, match="leads it out"):
        with staged_update(out) as update:
            write_files({PurePosixPath("articles/x/index.html"): b"x"}, update.staging)
            update.replace_files([])
    assert not any(elsewhere.iterdir())
