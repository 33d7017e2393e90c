"""Tests of digestsite.evaluate: metrics equal the shared scorer's, targets on the dev sets, ROUGE."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digestsite import evaluate
from digestsite.evaluate import boundary_scores, evaluate_paths, headline_violations, rouge_l_f, rouge_n_f
from digestsite.model import Taxonomy, TopicDefinition
from support import shared_path, write_brief_digests, write_joined_digests



# ---------------------------------------------------------------------------
# ROUGE and headline rules on hand-computed examples


def test_rouge_1_hand_computed() -> None:
    # candidate 4 tokens, reference 5, overlap {the, cat, on} = 3: P = 3/4, R = 3/5, F = 2/3
    assert rouge_n_f("The cat sat on", "the cat lay on mats") == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert rouge_n_f("a a a", "a") == pytest.approx(0.5)  # clipped: overlap 1, P = 1/3, R = 1
    assert rouge_n_f("", "anything") == 0.0
    assert rouge_n_f("Same Words", "same words") == 1.0


def test_rouge_2_hand_computed() -> None:
    # bigrams: cand {the cat, cat sat}, ref {the cat, cat lay}: overlap 1, P = R = 1/2
    assert rouge_n_f("the cat sat", "the cat lay", n=2) == pytest.approx(0.5)


def test_rouge_l_hand_computed() -> None:
    # LCS of "police kill the gunman" / "the gunman kill police" is 2 ("the gunman"): P = R = 2/4
    assert rouge_l_f("police kill the gunman", "the gunman kill police") == pytest.approx(0.5)
    # LCS "a c e" = 3 of candidate 3 and reference 5: P = 1, R = 3/5, F = 0.75
    assert rouge_l_f("a c e", "a b c d e") == pytest.approx(0.75)
    assert rouge_l_f("x", "") == 0.0


@pytest.mark.parametrize(
    ("title", "problems"),
    [
        ("China welcomes talks on trade", []),
        ("china welcomes talks", ["no_capital"]),
        ("Minister says deal is close to", ["dangling_end"]),
        ('Minister calls plan "futile', ["unbalanced"]),
        ("Minister (left) quits", []),
        ("Minister (left quits", ["unbalanced"]),
        ("A" * 91, ["too_long"]),
    ],
)
def test_headline_violations(title: str, problems: list[str]) -> None:
    assert headline_violations(title) == problems


# ---------------------------------------------------------------------------
# metrics against hand-made spans


def test_boundary_scores_perfect_and_shifted() -> None:
    perfect = boundary_scores("d", 10, [(0, 4), (4, 10)], [0, 4])
    assert (perfect.f1_exact, perfect.pk, perfect.windowdiff, perfect.articles_matched) == (1.0, 0.0, 0.0, 2)
    shifted = boundary_scores("d", 10, [(0, 4), (4, 10)], [0, 5])
    assert shifted.f1_exact == 0.0 and shifted.f1_tolerant == 1.0 and shifted.articles_matched == 0
    # k = round(10 / 2 / 2) = 2 (round half to even); windows at i = 2 and i = 4 disagree: 2 of 8
    assert shifted.k == 2 and shifted.pk == pytest.approx(0.25)


def test_boundary_scores_drops_out_of_range_and_adds_line_zero() -> None:
    row = boundary_scores("d", 10, [(0, 10)], [3, 3, 42, -1])
    assert row.predicted_boundaries == 1 and row.predicted_articles == 2


# ---------------------------------------------------------------------------
# evaluate_paths on the dev data


def test_seed_is_segmented_exactly() -> None:
    report = evaluate_paths([shared_path("seed")])
    totals = report.aggregate()
    assert totals["f1_exact"] == 1.0
    assert totals["pk"] == 0.0
    assert totals["article_match_rate"] == 1.0


def test_bbc_digests_meet_the_target() -> None:
    totals = evaluate_paths([shared_path("corpora/bbc/digests")]).aggregate()
    assert totals["f1_exact"] >= 0.95
    assert totals["pk"] <= 0.05


def test_bbc_resplit_digests_meet_the_target() -> None:
    """F1 exact 0.953, Pk 0.032 (cross-validated by benchmarks/fit_segmenter.py --cv: 0.948 / 0.033)."""
    totals = evaluate_paths([shared_path("corpora/bbc/digests_resplit")]).aggregate()
    assert totals["f1_exact"] >= 0.95
    assert totals["pk"] <= 0.05


# Stories cut to their first lines (in words, whole lines), in both layouts; F1 exact by the
# stories model alone (before the briefs model) -> now: the briefs model reads most digests
# of stories of 60 to 90 words; at 130 it misreads some (a few points lost), from 200 none.
@pytest.mark.parametrize(("variant", "words", "least_f1"), [
    ("digests_resplit", 50, 0.87),  # 0.516 -> 0.885
    ("digests_resplit", 80, 0.83),  # 0.741 -> 0.849
    ("digests_resplit", 130, 0.82),  # 0.872 -> 0.841
    ("digests_resplit", 200, 0.91),  # 0.921 -> 0.921
    ("digests", 50, 0.98),  # 0.890 -> 0.989
    ("digests", 80, 0.98),  # 0.947 -> 0.987
    ("digests", 130, 0.95),  # 0.975 -> 0.962
])
def test_digests_of_short_stories_keep_most_of_their_boundaries(tmp_path: Path, variant: str, words: int,
                                                               least_f1: float) -> None:
    totals = evaluate_paths([write_brief_digests(tmp_path / "briefs", words, variant)]).aggregate()
    assert totals["f1_exact"] >= least_f1


@pytest.mark.parametrize(("lines_per_article", "least_f1"), [(1, 0.98), (2, 0.99)])
def test_digests_of_whole_stories_on_a_line_split_at_their_lines(tmp_path: Path, lines_per_article: int,
                                                                  least_f1: float) -> None:
    """Stories run into one line each (377 words a line, far past the 82 the model learned
    from): the prior the stories' length implies holds (without it, F1 exact 0.72); at two
    lines a story the scores alone decide, as before (0.998)."""
    totals = evaluate_paths([write_joined_digests(tmp_path / "joined", lines_per_article)]).aggregate()
    assert totals["f1_exact"] >= least_f1


def test_gold_file_path_works_like_its_directory() -> None:
    folder = shared_path("seed")
    by_file = evaluate_paths([next(folder.glob("*.gold.json"))]).aggregate()
    by_dir = evaluate_paths([folder]).aggregate()
    assert by_file == by_dir


def test_metrics_agree_with_the_shared_scorer(tmp_path: Path) -> None:
    folder = shared_path("corpora/bbc/digests_resplit")
    scorer = shared_path("tools/score_segmentation.py")
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    golds = sorted(folder.glob("*.gold.json"))[:4]
    for gold in golds:  # four digests: the imperfect ones exercise every counter
        for path in (gold, gold.with_name(gold.name.replace(".gold.json", ".txt"))):
            (gold_dir / path.name).symlink_to(path)
    report = evaluate_paths([gold_dir])
    for gold in golds:
        digest = evaluate._read_gold(gold, gold.with_name(gold.name.replace(".gold.json", ".txt")))
        starts = [s.start for s in evaluate.segment_digest(digest.digest)]
        stem = gold.name[: -len(".gold.json")]
        (pred_dir / f"{stem}.pred.json").write_text(json.dumps({"starts": starts}), encoding="utf-8")
    out = tmp_path / "scores.json"
    subprocess.run([sys.executable, str(scorer), "--gold-dir", str(gold_dir), "--pred-dir", str(pred_dir),
                    "--json", str(out)], check=True, capture_output=True, text=True)
    theirs = json.loads(out.read_text(encoding="utf-8"))
    ours = report.to_json()
    for key in ("p_exact", "r_exact", "f1_exact", "p_tol", "r_tol", "f1_tol", "macro_f1_exact", "pk",
                "windowdiff", "article_match_rate"):
        assert ours["aggregate"][key] == pytest.approx(theirs["aggregate"][key], abs=1e-9), key
    for mine, other in zip(ours["per_digest"], theirs["per_digest"]):
        for key in ("pk", "windowdiff", "f1_exact", "f1_tol", "k", "tp_exact", "tp_tol", "articles_matched"):
            name = {"tp_tolerant": "tp_tol"}.get(key, key)
            mine_value = mine["tp_tolerant"] if key == "tp_tol" else mine[key]
            assert mine_value == pytest.approx(other[name], abs=1e-9), (mine["name"], key)


# ---------------------------------------------------------------------------
# enrichment part


SPORT = TopicDefinition("sport", "sport", "", (("match", 1.0), ("cup", 1.0), ("coach", 1.0), ("season", 1.0)))


def test_enrichment_scores_headlines_and_topics() -> None:
    folder = shared_path("corpora/bbc/digests")
    gold = sorted(folder.glob("*.gold.json"))[0]
    report = evaluate_paths([gold], Taxonomy((SPORT,), min_score=1.0))
    enrichment = report.enrichment
    if enrichment.error:
        pytest.skip(f"enrich.py not usable yet: {enrichment.error}")
    assert enrichment.headlines_scored == report.aggregate()["gold_articles"]
    assert 0.0 <= enrichment.rouge1 <= 1.0 and 0.0 <= enrichment.baseline_rouge_l <= 1.0
    assert enrichment.topics_scored == enrichment.headlines_scored
    assert 0.0 <= enrichment.topic_first_accuracy <= enrichment.topic_any_accuracy <= 1.0
    assert enrichment.paragraphs_per_second > 0


def test_enrichment_degrades_to_na_when_enrich_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shared_path("seed")

    def broken_import(name: str):
        raise ImportError(f"no module named {name}")

    monkeypatch.setattr(evaluate.importlib, "import_module", broken_import)
    report = evaluate_paths([folder])
    assert report.enrichment.rouge1 is None
    assert "n/a" in report.format_table()
    assert report.to_json()["enrichment"]["error"].startswith("digestsite.enrich unavailable")
    assert report.aggregate()["f1_exact"] == 1.0


def test_report_table_and_json_shapes() -> None:
    report = evaluate_paths([shared_path("seed")])
    table = report.format_table()
    assert "F1=1.000" in table and "Pk=0.000" in table and "paragraphs/s" in table
    data = report.to_json()
    assert set(data) == {"aggregate", "per_digest", "enrichment", "throughput"}
    json.dumps(data)  # serialisable
    assert data["throughput"]["segmentation_paragraphs_per_second"] > 0


def test_missing_digest_beside_gold_file_is_a_source_error(tmp_path: Path) -> None:
    gold = tmp_path / "x.gold.json"
    gold.write_text('{"articles": [{"start": 0, "end": 1}]}', encoding="utf-8")
    with pytest.raises(evaluate.SourceError, match="no digest beside"):
        evaluate_paths([gold])
