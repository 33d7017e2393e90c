#!/usr/bin/env python3
"""cProfile one clean digestsite build of a benchmark corpus, in-process.

    .venv/bin/python benchmarks/profile_build.py [--size 10000] [--form split|raw] [--top 15]

Builds with ``pipeline.build(BuildOptions(..., search=False, cache_dir=None))``
into ``benchmarks/.work/out/profile-<form>-<N>`` and prints the top functions
by cumulative time, then by own time. The full stats are saved to
``benchmarks/.work/profile-<form>-<N>.pstats`` (``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
# the code under test: run.py's frozen snapshot when it says so, else the working tree
sys.path.insert(0, os.environ.get("DIGESTSITE_CODE") or str(ROOT))

import corpus  # noqa: E402
from digestsite.model import BuildOptions  # noqa: E402
from digestsite.pipeline import build  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--form", choices=("split", "raw"), default="split")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    work = HERE / ".work"
    c = corpus.make_corpus(args.size, work)
    out = work / "out" / f"profile-{args.form}-{args.size}"
    shutil.rmtree(out, ignore_errors=True)
    options = BuildOptions(content_dir=c.split_content if args.form == "split" else c.raw_content,
                           templates_dir=Path(os.environ.get("DIGESTSITE_CODE") or ROOT) / "templates", out_dir=out, search=False, quiet=True,
                           cache_dir=None)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    report = build(options)
    profiler.disable()
    seconds = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    stats_file = work / f"profile-{args.form}-{args.size}.pstats"
    profiler.dump_stats(stats_file)
    print(f"{args.form} build, {args.size:,} articles: {report.summary_line()}; "
          f"{seconds:.1f} s under cProfile")
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order)
        stats.print_stats(args.top)
        body = buffer.getvalue()
        start = body.find("   ncalls")
        print(f"\n-- top {args.top} by {order} --")
        print(body[start:].rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
