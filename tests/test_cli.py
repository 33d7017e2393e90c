"""build.py in a subprocess: exit codes, the summary line, errors with file:line, --json shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support import ROOT, require_shared, run_cli

SEED = ROOT / "content" / "digests" / "global-times-china-world-digest.txt"


def _copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def test_build_prints_one_summary_line(tmp_path: Path) -> None:
    result = run_cli("build", "--out", str(tmp_path / "site"), "--no-search")
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith("built 10 articles, ") and " spokespersons, " in summary[0]


def test_plain_invocation_builds(tmp_path: Path) -> None:
    result = run_cli("--out", str(tmp_path / "site"), "--no-search", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_segment_json_shape_matches_the_contract() -> None:
    result = run_cli("segment", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["file"] == str(SEED)
    first = entry["articles"][0]
    assert {"start", "end", "title", "slug", "topics", "tags", "spokespersons", "subheads"} <= set(first)
    assert [(a["start"], a["end"]) for a in entry["articles"]][:2] == [(0, 3), (3, 8)]
    heads = [h for a in entry["articles"] for h in a["subheads"]]
    assert {"text": "Firm opposition", "line": 102} in [{"text": h["text"], "line": h["line"]} for h in heads]


def test_segment_json_equals_the_seed_gold() -> None:
    gold = json.loads((require_shared() / "seed" / "000_a0ad6f8e3763169b.gold.json").read_text())
    (entry,) = json.loads(run_cli("segment", str(SEED), "--json").stdout)
    assert [(a["start"], a["end"]) for a in entry["articles"]] == [(g["start"], g["end"]) for g in gold["articles"]]
    assert [sorted(a["spokespersons"]) for a in entry["articles"]] == [sorted(g["spokespersons"]) for g in gold["articles"]]
    found = sorted((h["line"], h["text"], h["kind"]) for a in entry["articles"] for h in a["subheads"])
    expected = sorted((h["line"], h["text"], h["kind"]) for g in gold["articles"] for h in g["subheads"])
    assert found == expected


def test_segment_explain_shows_scores_and_decisions() -> None:
    result = run_cli("segment", str(SEED), "--explain")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("SPLIT") >= 9


def test_segment_explain_piped_into_a_reader_that_stops_early_ends_quietly() -> None:
    """`segment --explain | head -1`: the reader closes the pipe; no traceback, SIGPIPE's status."""
    import subprocess
    import sys

    writer = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "segment", str(SEED), "--explain"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout.readline()
    writer.stdout.close()
    _, errors = writer.communicate(timeout=120)
    assert writer.returncode == 141
    assert errors == b""


def test_segment_explain_names_its_notes(tmp_path: Path) -> None:
    """A digest read as briefs says so on its first line; a heading holding a boundary back, on
    the lines it holds (notes add nothing to the score, and the other cues at 0 stay unprinted)."""
    cases = Path(__file__).resolve().parent / "cases" / "segment"
    for case, note, line in (("obituaries_of_a_few_lines_each", "briefs", 0),
                             ("line_subhead_between_paragraphs", "heading_held", 3)):
        digest = tmp_path / f"{case}.txt"
        digest.write_text((cases / f"{case}.txt").read_text(encoding="utf-8").split("--- expect ---")[0],
                          encoding="utf-8")
        result = run_cli("segment", str(digest), "--explain")
        assert result.returncode == 0, result.stderr
        cue_lines = result.stdout.splitlines()[2::2]  # after the file name, a line and its cues by turns
        assert [i for i, cues in enumerate(cue_lines) if f" {note} (" in f" {cues.strip()}"][0] == line
        assert "first_paragraph" not in result.stdout


def test_malformed_taxonomy_fails_with_file_line_and_keeps_the_old_site(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    out = tmp_path / "site"
    assert run_cli("--content", str(content), "--out", str(out), "--no-search").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / "topics.toml").write_text('[[topic]]\nname = "A"\nkeywords = [\n', encoding="utf-8")
    result = run_cli("--content", str(content), "--out", str(out), "--no-search")
    assert result.returncode == 1
    assert result.stderr.startswith("error: content/topics.toml:3: malformed TOML")
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_verbose_adds_the_traceback(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    (content / "site.toml").write_text("title = 3\n", encoding="utf-8")
    result = run_cli("--content", str(content), "--out", str(tmp_path / "s"), "--no-search", "--verbose")
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "content/site.toml:1: 'title' must be a str" in result.stderr


def test_refuses_to_replace_a_folder_it_did_not_create(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = run_cli("--out", str(precious), "--no-search")
    assert result.returncode == 1 and "not made by this tool" in result.stderr
    assert (precious / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("target", ["content", "."])
def test_refuses_out_overlapping_the_project(target: str) -> None:
    result = run_cli("--out", str(ROOT / target), "--no-search")
    assert result.returncode == 1 and "overlaps" in result.stderr


def test_check_catches_a_broken_link(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_cli("--out", str(out), "--no-search").returncode == 0
    assert run_cli("check", "--out", str(out)).returncode == 0
    shutil.rmtree(out / "topics")
    result = run_cli("check", "--out", str(out))
    assert result.returncode == 1
    assert "broken link" in result.stderr and "topics/" in result.stderr


def test_correction_changes_a_headline_and_a_stale_one_warns(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    (entry,) = json.loads(run_cli("segment", str(SEED), "--json").stdout)
    first = entry["articles"][0]
    (content / "corrections.toml").write_text(
        f'[[article]]\nid = "{first["id"]}"\ntitle = "A corrected headline"\n\n'
        '[[article]]\nid = "000000000000"\ntitle = "Nothing"\n\n'
        '[[split]]\nbefore = "These words open no paragraph"\n', encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--content", str(content), "--out", str(out), "--no-search")
    assert result.returncode == 0, result.stderr
    assert "content/corrections.toml:5: correction for article id '000000000000' matches no article" in result.stderr
    assert "content/corrections.toml:9: split correction matches no paragraph" in result.stderr
    page = (out / "articles" / first["slug"] / "index.html").read_text(encoding="utf-8")
    assert "A corrected headline" in page


def test_forced_split_and_join_change_the_segmentation(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    (content / "corrections.toml").write_text(
        '[[split]]\nbefore = "Yang was not originally involved"\n\n'
        '[[join]]\nat = "An innovative floating, production"\n', encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--content", str(content), "--out", str(out), "--no-search")
    assert result.returncode == 0, result.stderr
    spans = sorted((f["source"]["start"], f["source"]["end"]) for f in _front_matters(out))
    assert (0, 8) in spans and (8, 19) in spans and (19, 51) in spans


def _front_matters(site: Path) -> list[dict]:
    import tomllib

    return [tomllib.loads(p.read_text(encoding="utf-8").split("+++")[1])
            for p in (site / "articles").glob("*/index.md")]


def _many_digests(tmp_path: Path, copies: int) -> Path:
    content = _copy_content(tmp_path)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for n in range(copies):
        # every paragraph marked with its copy, so no article is a duplicate of another
        copy = "\n".join(f"{line} [{n}]" if line.strip() else line for line in lines)
        (content / "digests" / f"copy-{n:03d}.txt").write_text(copy, encoding="utf-8")
    return content


@pytest.mark.slow
def test_progress_bar_on_a_terminal_and_never_in_a_pipe(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    content = _many_digests(tmp_path, 30)
    args = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--no-search", "--no-cache"]
    master, slave = pty.openpty()
    process = subprocess.Popen([*args, "--out", str(tmp_path / "tty")], stdout=subprocess.PIPE, stderr=slave,
                               env={**os.environ, "DIGESTSITE_PROGRESS_DELAY": "0"})
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=300) == 0
    terminal = b"".join(chunks).decode(errors="replace")
    assert "rendering" in terminal and "[#" in terminal
    piped = subprocess.run([*args, "--out", str(tmp_path / "pipe")], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "DIGESTSITE_PROGRESS_DELAY": "0"})
    assert piped.returncode == 0 and "[#" not in piped.stderr and "\r" not in piped.stderr
    assert piped.stdout.startswith("built ")
