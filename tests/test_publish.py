"""Atomic output: staged folder, marker file, refusal to clobber what is not ours."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from digestsite.errors import BuildError
from digestsite.publish import MARKER, check_output_dir, staged_output, write_files


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
