"""The engine of ``build.py evaluate``: segmentation and enrichment quality against gold files.

Input: gold files (``*.gold.json``) or directories of them, each with its
digest ``<name>.txt`` beside it. Output: an ``EvaluationReport`` with
micro-averaged boundary precision/recall/F1 (exact and within one line), mean
Pk and WindowDiff, the exact article match rate, per-digest rows, and, on the
gold article spans, headline ROUGE and rule checks and topic accuracy.

The segmentation metrics reproduce ``shared/tools/score_segmentation.py``
number for number (a test holds them to 1e-9): boundaries are article starts
other than line 0; Pk and WindowDiff run over the file's lines with
``k = max(1, round(mean gold article length / 2))``; P/R/F1 and match rates are
summed over digests before dividing, Pk and WindowDiff are averaged.

Enrichment is scored through ``digestsite.enrich.enrich_segment`` when that
module imports; otherwise those numbers are ``None`` and print as "n/a".
Throughput is measured with ``time.perf_counter`` and is the only
non-deterministic part of a report.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from digestsite.errors import SourceError
from digestsite.model import Digest, Paragraph, Segment, Taxonomy
from digestsite.segment import find_subheads, segment_digest
from digestsite.text import first_sentence, words

__all__ = [
    "DigestScore",
    "EvaluationReport",
    "boundary_scores",
    "evaluate_paths",
    "rouge_l_f",
    "rouge_n_f",
]

_TOLERANCE = 1  # lines, as the shared scorer's default --tol


# ---------------------------------------------------------------------------
# segmentation metrics (the shared scorer's definitions)


def _prf(true_positives: int, predicted: int, gold: int) -> tuple[float, float, float]:
    if predicted == 0 and gold == 0:
        return 1.0, 1.0, 1.0
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _match_within(gold: Sequence[int], predicted: Sequence[int], tolerance: int) -> int:
    """Maximum one-to-one matching of boundaries at most ``tolerance`` lines apart.

    Every window has the same width, so greedily giving each gold boundary the
    leftmost free prediction in reach is optimal.
    """
    free = sorted(set(predicted))
    matched = j = 0
    for boundary in sorted(set(gold)):
        while j < len(free) and free[j] < boundary - tolerance:
            j += 1
        if j < len(free) and free[j] <= boundary + tolerance:
            matched += 1
            j += 1
    return matched


def _segment_ids(starts: Sequence[int], n_lines: int) -> list[int]:
    start_set, ids, current = set(starts), [], -1
    for line in range(n_lines):
        if line in start_set:
            current += 1
        ids.append(current)
    return ids


def _pk_windowdiff(gold_starts: Sequence[int], predicted_starts: Sequence[int], n_lines: int, k: int):
    if n_lines <= k:
        return 0.0, 0.0
    gold_ids, predicted_ids = _segment_ids(gold_starts, n_lines), _segment_ids(predicted_starts, n_lines)
    pk_errors = wd_errors = 0
    for i in range(n_lines - k):
        if (gold_ids[i] == gold_ids[i + k]) != (predicted_ids[i] == predicted_ids[i + k]):
            pk_errors += 1
        if gold_ids[i + k] - gold_ids[i] != predicted_ids[i + k] - predicted_ids[i]:
            wd_errors += 1
    return pk_errors / (n_lines - k), wd_errors / (n_lines - k)


@dataclass(frozen=True, slots=True)
class DigestScore:
    """One digest's segmentation numbers (the shared scorer's per-digest row)."""

    name: str
    n_lines: int
    k: int
    gold_articles: int
    predicted_articles: int
    gold_boundaries: int
    predicted_boundaries: int
    tp_exact: int
    tp_tolerant: int
    pk: float
    windowdiff: float
    articles_matched: int

    @property
    def f1_exact(self) -> float:
        return _prf(self.tp_exact, self.predicted_boundaries, self.gold_boundaries)[2]

    @property
    def f1_tolerant(self) -> float:
        return _prf(self.tp_tolerant, self.predicted_boundaries, self.gold_boundaries)[2]


def boundary_scores(
    name: str, n_lines: int, gold_spans: Sequence[tuple[int, int]], predicted_starts: Sequence[int]
) -> DigestScore:
    """Score predicted article starts against gold ``[start, end)`` spans of one digest."""
    predicted = sorted({s for s in predicted_starts if 0 <= s < n_lines} | {0})
    gold_starts = sorted(start for start, _ in gold_spans)
    gold_b = [s for s in gold_starts if s > 0]
    predicted_b = [s for s in predicted if s > 0]
    k = max(1, int(round(n_lines / max(len(gold_spans), 1) / 2.0)))
    pk, wd = _pk_windowdiff(gold_starts, predicted, n_lines, k)
    ends = predicted[1:] + [n_lines]
    predicted_spans = set(zip(predicted, ends))
    return DigestScore(
        name=name, n_lines=n_lines, k=k,
        gold_articles=len(gold_spans), predicted_articles=len(predicted),
        gold_boundaries=len(gold_b), predicted_boundaries=len(predicted_b),
        tp_exact=len(set(gold_b) & set(predicted_b)),
        tp_tolerant=_match_within(gold_b, predicted_b, _TOLERANCE),
        pk=pk, windowdiff=wd,
        articles_matched=sum(1 for span in gold_spans if tuple(span) in predicted_spans),
    )


# ---------------------------------------------------------------------------
# headline quality


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in words(text)]


def _ngrams(tokens: Sequence[str], n: int) -> dict[tuple[str, ...], int]:
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(tokens) - n + 1):
        gram = tuple(tokens[i : i + n])
        counts[gram] = counts.get(gram, 0) + 1
    return counts


def _f_measure(overlap: int, candidate_size: int, reference_size: int) -> float:
    if not overlap or not candidate_size or not reference_size:
        return 0.0
    precision, recall = overlap / candidate_size, overlap / reference_size
    return 2 * precision * recall / (precision + recall)


def rouge_n_f(candidate: str, reference: str, n: int = 1) -> float:
    """ROUGE-N F1 over lower-cased word tokens, n-gram counts clipped."""
    cand, ref = _ngrams(_tokens(candidate), n), _ngrams(_tokens(reference), n)
    overlap = sum(min(count, ref.get(gram, 0)) for gram, count in cand.items())
    return _f_measure(overlap, sum(cand.values()), sum(ref.values()))


def rouge_l_f(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta = 1): longest common subsequence of lower-cased word tokens."""
    cand, ref = _tokens(candidate), _tokens(reference)
    previous = [0] * (len(ref) + 1)
    for token in cand:
        current = [0]
        for j, other in enumerate(ref):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return _f_measure(previous[-1], len(cand), len(ref))


_HEADLINE_MAX_CHARS = 90
# A headline does not stop on a word that needs something after it.
_DANGLING_WORDS = frozenset(
    """a an the and or but nor so yet of in on at to for with by from as into onto about over after
    before under than via per upon amid against between without during""".split()
)
_BRACKET_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("“", "”"), ("‘", "’"))


def headline_violations(title: str) -> list[str]:
    """The house rules a headline breaks: too_long, no_capital, dangling_end, unbalanced."""
    problems = []
    stripped = title.strip()
    if len(stripped) > _HEADLINE_MAX_CHARS:
        problems.append("too_long")
    first_letter = next((c for c in stripped if c.isalpha() or c.isdigit()), "")
    if not first_letter or not (first_letter.isupper() or first_letter.isdigit()):
        problems.append("no_capital")
    tokens = _tokens(stripped)
    if tokens and tokens[-1] in _DANGLING_WORDS:
        problems.append("dangling_end")
    if _unbalanced(stripped):
        problems.append("unbalanced")
    return problems


def _unbalanced(text: str) -> bool:
    if text.count('"') % 2:
        return True
    for opening, closing in _BRACKET_PAIRS:
        if opening == "‘":  # a lone ’ is usually an apostrophe, so only count openings
            if text.count(opening) > text.count(closing):
                return True
        elif text.count(opening) != text.count(closing):
            return True
    return False


def _first_words(segment: Segment, count: int = 10) -> str:
    """The baseline headline: the first ten words of the article's first sentence."""
    first = segment.paragraphs[0].text if segment.paragraphs else ""
    sentence = first_sentence(first)
    return " ".join(sentence.split()[:count])


# ---------------------------------------------------------------------------
# reading gold files and digests


@dataclass(frozen=True, slots=True)
class _GoldDigest:
    name: str
    digest: Digest
    n_lines: int
    articles: tuple[dict, ...]  # the gold file's article objects, sorted by start


def _gold_pairs(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(gold file, digest file) pairs: a directory gives every gold file with its digest beside it."""
    pairs = []
    for path in paths:
        golds = sorted(path.glob("*.gold.json")) if path.is_dir() else [path]
        for gold in golds:
            text = gold.with_name(gold.name[: -len(".gold.json")] + ".txt")
            if gold.name.endswith(".gold.json") and text.is_file():
                pairs.append((gold, text))
            elif not path.is_dir():
                raise SourceError(gold, None, "no digest beside this gold file",
                                  hint=f"expected {text.name} in the same folder")
    if not pairs:
        where = paths[0] if paths else Path(".")
        raise SourceError(where, None, "no *.gold.json with its digest .txt beside it")
    return pairs


def _read_gold(gold_path: Path, text_path: Path) -> _GoldDigest:
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        articles = tuple(sorted(gold["articles"], key=lambda a: int(a["start"])))
        n_lines = int(gold.get("n_lines") or max(int(a["end"]) for a in articles))
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(gold_path, None, f"not a gold file: {exc}") from exc
    lines = text_path.read_text(encoding="utf-8", errors="replace").splitlines()
    paragraphs = tuple(Paragraph(i, line) for i, line in enumerate(lines) if line.strip())
    digest = Digest(PurePosixPath(text_path.name), paragraphs)
    return _GoldDigest(text_path.stem, digest, n_lines, articles)


def _gold_segments(gold: _GoldDigest) -> list[tuple[dict, Segment]]:
    """The gold articles as segments, with the subheads the segmenter would mark in them."""
    pairs = []
    for article in gold.articles:
        start, end = int(article["start"]), int(article["end"])
        members = tuple(p for p in gold.digest.paragraphs if start <= p.line < end)
        if members:
            subheads = tuple(find_subheads(members))
            pairs.append((article, Segment(gold.digest.path, start, end, members, subheads)))
    return pairs


# ---------------------------------------------------------------------------
# enrichment quality on the gold spans


@dataclass(slots=True)
class EnrichmentScore:
    """Headline and topic quality of ``enrich_segment`` on the gold articles (None = n/a)."""

    headlines_scored: int = 0  # gold articles with a gold "title"
    rouge1: float | None = None
    rouge_l: float | None = None
    baseline_rouge1: float | None = None  # the first ten words of the first sentence
    baseline_rouge_l: float | None = None
    headlines_checked: int = 0
    headlines_with_violations: int = 0
    violations: dict[str, int] = field(default_factory=dict)
    topics_scored: int = 0  # gold articles with a "category", when a taxonomy was given
    topic_first_accuracy: float | None = None
    topic_any_accuracy: float | None = None
    paragraphs_per_second: float | None = None
    error: str = ""  # why enrichment is n/a, e.g. the module failed to import


def _load_enricher() -> tuple[Callable | None, str]:
    try:
        module = importlib.import_module("digestsite.enrich")
        return module.enrich_segment, ""
    except Exception as exc:  # a colleague's module may be missing or broken: report, do not crash
        return None, f"digestsite.enrich unavailable: {type(exc).__name__}: {exc}"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _enrich_gold_articles(golds, taxonomy, enrich) -> tuple[list[tuple[dict, Segment, object]], float]:
    """Run ``enrich`` on every gold span; returns (article, segment, result) triples and seconds."""
    results, seconds = [], 0.0
    for gold in golds:
        for order, (article, segment) in enumerate(_gold_segments(gold)):
            started = time.perf_counter()
            result = enrich(segment, taxonomy or Taxonomy(topics=()), date=None, order=order)
            seconds += time.perf_counter() - started
            results.append((article, segment, result))
    return results, seconds


def _score_enrichment(golds: Sequence[_GoldDigest], taxonomy: Taxonomy | None) -> EnrichmentScore:
    enrich, error = _load_enricher()
    if enrich is None:
        return EnrichmentScore(error=error)
    try:
        results, seconds = _enrich_gold_articles(golds, taxonomy, enrich)
    except Exception as exc:  # a failing enricher must not hide the segmentation numbers
        return EnrichmentScore(error=f"enrich_segment failed: {type(exc).__name__}: {exc}")
    score = EnrichmentScore(headlines_checked=len(results))
    rouge, baseline, topic_first, topic_any = [], [], [], []
    for article, segment, result in results:
        problems = headline_violations(result.title)
        score.headlines_with_violations += bool(problems)
        for problem in problems:
            score.violations[problem] = score.violations.get(problem, 0) + 1
        reference = article.get("title")
        if isinstance(reference, str) and reference.strip():
            rouge.append((rouge_n_f(result.title, reference), rouge_l_f(result.title, reference)))
            first_words = _first_words(segment)
            baseline.append((rouge_n_f(first_words, reference), rouge_l_f(first_words, reference)))
        category = article.get("category")
        if taxonomy is not None and isinstance(category, str):
            topics = [t.lower() for t in result.topics]
            topic_first.append(1.0 if topics[:1] == [category.lower()] else 0.0)
            topic_any.append(1.0 if category.lower() in topics else 0.0)
    score.headlines_scored, score.topics_scored = len(rouge), len(topic_first)
    score.rouge1, score.rouge_l = _mean([r[0] for r in rouge]), _mean([r[1] for r in rouge])
    score.baseline_rouge1 = _mean([b[0] for b in baseline])
    score.baseline_rouge_l = _mean([b[1] for b in baseline])
    score.topic_first_accuracy, score.topic_any_accuracy = _mean(topic_first), _mean(topic_any)
    paragraphs = sum(len(segment.paragraphs) for _, segment, _ in results)
    score.paragraphs_per_second = paragraphs / seconds if seconds > 0 else None
    return score


# ---------------------------------------------------------------------------
# the report


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


@dataclass(slots=True)
class EvaluationReport:
    """Everything ``build.py evaluate`` prints; ``to_json`` for machines, ``format_table`` for people."""

    rows: list[DigestScore]
    enrichment: EnrichmentScore
    segmentation_paragraphs_per_second: float | None = None
    name: str = "evaluate"

    def _sum(self, key: str) -> int:
        return sum(getattr(row, key) for row in self.rows)

    def aggregate(self) -> dict[str, float | int]:
        """Micro-averaged P/R/F1 and match rate, mean Pk and WindowDiff: the shared scorer's summary."""
        totals: dict[str, float | int] = {"digests": len(self.rows), "lines": self._sum("n_lines"),
                                          "gold_articles": self._sum("gold_articles"),
                                          "pred_articles": self._sum("predicted_articles")}
        if not self.rows:
            return totals
        kinds = (("exact", "tp_exact", "f1_exact"), ("tol", "tp_tolerant", "f1_tolerant"))
        for kind, tp_key, f1_key in kinds:
            p, r, f = _prf(self._sum(tp_key), self._sum("predicted_boundaries"), self._sum("gold_boundaries"))
            totals[f"p_{kind}"], totals[f"r_{kind}"], totals[f"f1_{kind}"] = p, r, f
            totals[f"macro_f1_{kind}"] = sum(getattr(row, f1_key) for row in self.rows) / len(self.rows)
        totals["pk"] = sum(row.pk for row in self.rows) / len(self.rows)
        totals["windowdiff"] = sum(row.windowdiff for row in self.rows) / len(self.rows)
        totals["article_match_rate"] = self._sum("articles_matched") / max(self._sum("gold_articles"), 1)
        return totals

    def to_json(self) -> dict:
        rows = []
        for row in self.rows:
            entry = {key: getattr(row, key) for key in DigestScore.__slots__}
            entry.update(f1_exact=row.f1_exact, f1_tol=row.f1_tolerant)
            rows.append(entry)
        enrichment = {key: getattr(self.enrichment, key) for key in EnrichmentScore.__slots__}
        return {"aggregate": self.aggregate(), "per_digest": rows, "enrichment": enrichment,
                "throughput": {"segmentation_paragraphs_per_second": self.segmentation_paragraphs_per_second,
                               "enrichment_paragraphs_per_second": self.enrichment.paragraphs_per_second}}

    def format_table(self) -> str:
        lines = [_summary_line(row.name, _row_numbers(row)) for row in self.rows]
        totals = self.aggregate()
        counts = f"{totals['digests']} digests, {totals['gold_articles']} gold / {totals['pred_articles']} pred articles"
        lines.append(f"{_summary_line(self.name, totals)}  [{counts}]")
        lines.extend(_enrichment_lines(self.enrichment))
        segmentation = _fmt(self.segmentation_paragraphs_per_second, 0)
        enrichment = _fmt(self.enrichment.paragraphs_per_second, 0)
        lines.append(f"throughput: segmentation {segmentation} paragraphs/s, enrichment {enrichment} paragraphs/s")
        return "\n".join(lines)


_COLUMNS = (("f1_exact", "F1"), ("f1_tol", "F1±tol"), ("p_exact", "P"), ("r_exact", "R"),
            ("pk", "Pk"), ("windowdiff", "WD"), ("article_match_rate", "ArtMatch"))


def _row_numbers(row: DigestScore) -> dict[str, float]:
    p, r, f = _prf(row.tp_exact, row.predicted_boundaries, row.gold_boundaries)
    match_rate = row.articles_matched / max(row.gold_articles, 1)
    return {"f1_exact": f, "f1_tol": row.f1_tolerant, "p_exact": p, "r_exact": r, "pk": row.pk,
            "windowdiff": row.windowdiff, "article_match_rate": match_rate}


def _summary_line(name: str, numbers: dict) -> str:
    return f"{name}: " + " ".join(f"{label}={numbers[key]:.3f}" for key, label in _COLUMNS if key in numbers)


def _enrichment_lines(score: EnrichmentScore) -> list[str]:
    if score.error:
        return [f"enrichment: n/a ({score.error})"]
    violations = ", ".join(f"{k}={v}" for k, v in sorted(score.violations.items())) or "none"
    return [
        f"headlines: ROUGE-1={_fmt(score.rouge1)} ROUGE-L={_fmt(score.rouge_l)}  baseline (first ten words): "
        f"ROUGE-1={_fmt(score.baseline_rouge1)} ROUGE-L={_fmt(score.baseline_rouge_l)}  "
        f"[{score.headlines_scored} with gold titles]",
        f"headline rules: {score.headlines_with_violations} of {score.headlines_checked} "
        f"break one ({violations})",
        f"topics: first={_fmt(score.topic_first_accuracy)} any={_fmt(score.topic_any_accuracy)}  "
        f"[{score.topics_scored} gold categories]",
    ]


# ---------------------------------------------------------------------------
# entry point


def evaluate_paths(paths: Sequence[Path], taxonomy: Taxonomy | None = None) -> EvaluationReport:
    """Segment every gold-annotated digest under ``paths`` and score it; see the module docstring."""
    golds = [_read_gold(gold, text) for gold, text in _gold_pairs([Path(p) for p in paths])]
    rows, seconds, paragraphs = [], 0.0, 0
    for gold in golds:
        started = time.perf_counter()
        segments = segment_digest(gold.digest)
        seconds += time.perf_counter() - started
        paragraphs += len(gold.digest.paragraphs)
        spans = [(int(a["start"]), int(a["end"])) for a in gold.articles]
        rows.append(boundary_scores(gold.name, gold.n_lines, spans, [s.start for s in segments]))
    speed = paragraphs / seconds if seconds > 0 else None
    name = Path(paths[0]).name if len(paths) == 1 else "evaluate"
    return EvaluationReport(rows, _score_enrichment(golds, taxonomy), speed, name)
