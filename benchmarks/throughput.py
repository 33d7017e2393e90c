#!/usr/bin/env python3
"""Segmentation and enrichment throughput over a benchmark corpus's raw digests, in-process.

    .venv/bin/python benchmarks/throughput.py [--size 10000] [--json]

Times ``digestsite.segment.segment_digest`` over every digest, then
``digestsite.enrich.enrich_segment`` over every segment it found (with the
corpus's taxonomy), and reports paragraphs per second for each. Reading the
files is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# the code under test: run.py's frozen snapshot when it says so, else the working tree
sys.path.insert(0, os.environ.get("DIGESTSITE_CODE") or str(HERE.parent))

import corpus  # noqa: E402
from digestsite.enrich import enrich_segment  # noqa: E402
from digestsite.read import read_content  # noqa: E402
from digestsite.segment import segment_digest  # noqa: E402


def measure(size: int) -> dict:
    c = corpus.make_corpus(size, HERE / ".work")
    content = read_content(c.raw_content)
    paragraphs = sum(len(d.paragraphs) for d in content.digests)
    started = time.perf_counter()
    segmented = [(d, segment_digest(d, content.splits)) for d in content.digests]
    segment_seconds = time.perf_counter() - started
    segments = sum(len(s) for _, s in segmented)
    started = time.perf_counter()
    articles = [enrich_segment(s, content.taxonomy, date=d.date, order=i)
                for d, found in segmented for i, s in enumerate(found)]
    enrich_seconds = time.perf_counter() - started
    in_segments = sum(len(s.paragraphs) for _, found in segmented for s in found)
    rows = [
        ("segment_digest", paragraphs, len(content.digests), segments, segment_seconds),
        ("enrich_segment", in_segments, len(content.digests), len(articles), enrich_seconds),
    ]
    lines = ["| stage | paragraphs | digests | articles out | seconds | paragraphs/s | articles/s |",
             "|---|---|---|---|---|---|---|"]
    for name, paras, digests, arts, seconds in rows:
        lines.append(f"| {name} | {paras:,} | {digests:,} | {arts:,} | {seconds:.2f} | "
                     f"{paras / seconds:,.0f} | {arts / seconds:,.0f} |")
    return {
        "size": size, "paragraphs": paragraphs, "digests": len(content.digests),
        "segments": segments, "generated_articles": c.articles,
        "segment_seconds": segment_seconds, "segment_paragraphs_per_second": paragraphs / segment_seconds,
        "enrich_seconds": enrich_seconds, "enrich_paragraphs_per_second": in_segments / enrich_seconds,
        "table": "\n".join(lines),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.size)
    print(json.dumps(result, indent=2) if args.json else result["table"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
