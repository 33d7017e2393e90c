#!/usr/bin/env python3
"""Command line: build, serve, segment, check and evaluate a digest site.

Only parses arguments, calls the ``digestsite`` package and prints results.
``python build.py`` is ``python build.py build``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from digestsite.errors import BuildError, SourceError
from digestsite.model import BuildOptions

if TYPE_CHECKING:
    from digestsite.cache import InputsCheck

ROOT = Path(__file__).resolve().parent
COMMANDS = ("build", "serve", "segment", "check", "evaluate")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args)
    except (SourceError, BuildError) as exc:
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`segment --explain | head`): stop quietly, as a tool killed by
        # SIGPIPE would, and point stdout at nothing so the final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build content/ into site/ (the default)")
    _add_build_options(build)
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    _add_build_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; the next free one if taken)")
    serve.set_defaults(run=run_serve)

    segment = commands.add_parser("segment", help="show how digests split into articles")
    segment.add_argument("files", nargs="+", type=Path, metavar="FILE")
    segment.add_argument("--json", action="store_true", help="print JSON (0-based lines, end exclusive)")
    segment.add_argument("--explain", action="store_true", help="every line's boundary score and cues")
    segment.add_argument("--content", type=Path, default=ROOT / "content", help="for the topic taxonomy")
    segment.set_defaults(run=run_segment)

    check = commands.add_parser("check", help="validate a built site: links, titles, slugs")
    check.add_argument("--out", type=Path, default=ROOT / "site", help="the built site (default site/)")
    check.set_defaults(run=run_check)

    evaluate = commands.add_parser("evaluate", help="score segmentation and enrichment against gold files")
    evaluate.add_argument("gold", nargs="+", type=Path, metavar="GOLD_DIR_OR_FILE")
    evaluate.add_argument("--taxonomy", type=Path, help="topics.toml to score topics with")
    evaluate.add_argument("--json", action="store_true", help="print every number as JSON")
    evaluate.set_defaults(run=run_evaluate)
    return parser


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="content folder (default content/)")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates", help="templates folder")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (default site/)")
    parser.add_argument("--base-url", help="public URL of the site, e.g. https://example.org/digest/")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    parser.add_argument("--cache", type=Path, help="incremental-build cache (default .cache/digestsite beside the content folder)")
    parser.add_argument("--no-cache", action="store_true", help="build everything afresh, remember nothing")
    parser.add_argument("--quiet", action="store_true", help="print only errors and warnings")
    parser.add_argument("--verbose", action="store_true", help="debug logging and tracebacks")


def _options(args: argparse.Namespace) -> BuildOptions:
    cache = None if args.no_cache else (args.cache or args.content.resolve().parent / ".cache" / "digestsite")
    return BuildOptions(content_dir=args.content, templates_dir=args.templates, out_dir=args.out,
                        base_url=args.base_url, search=not args.no_search,
                        verbose=args.verbose, quiet=args.quiet, cache_dir=cache)


def run_build(args: argparse.Namespace) -> int:
    from digestsite.cache import check_inputs

    started = time.perf_counter()
    options = _options(args)
    # checked before importing the pipeline, whose imports cost more than the check
    checked = check_inputs(options)
    if checked.fresh is not None:
        report = checked.fresh
        report.seconds = time.perf_counter() - started
    else:
        report = _build_with_progress(options, quiet=args.quiet, checked=checked)
    if not args.quiet:
        print(report.summary_line())
    print_warnings(report.warnings)
    return report.exit_code


def _build_with_progress(options: BuildOptions, quiet: bool, checked: InputsCheck | None = None):
    from digestsite.pipeline import build

    progress = TerminalProgress() if sys.stderr.isatty() and not quiet else None
    try:
        # run as a script, the process ends (os._exit, below) as soon as main() returns
        return build(options, progress or (lambda *_: None), checked=checked, exits_after=__name__ == "__main__")
    finally:
        if progress:
            progress.clear()


MAX_WARNINGS = 20  # more than this and the terminal drowns; the count says how many were left out


def print_warnings(warnings: list[str]) -> None:
    for warning in warnings[:MAX_WARNINGS]:
        print(f"warning: {warning}", file=sys.stderr)
    if len(warnings) > MAX_WARNINGS:
        print(f"warning: ... and {len(warnings) - MAX_WARNINGS} more warnings", file=sys.stderr)


class TerminalProgress:
    """A one-line progress bar on stderr, shown only once a build has run for a second."""

    DELAY_SECONDS = 1.0
    WIDTH = 30

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False
        # a test cannot count on a build that lasts a second: it sets the delay to 0
        self.delay = float(os.environ.get("DIGESTSITE_PROGRESS_DELAY", self.DELAY_SECONDS))

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        filled = self.WIDTH * done // total if total else 0
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{stage:<16} [{bar}] {done}/{total}\033[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run_serve(args: argparse.Namespace) -> int:
    from digestsite.serve import serve

    return serve(_options(args), host=args.host, port=args.port)


def run_segment(args: argparse.Namespace) -> int:
    from digestsite import pipeline

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise SourceError(missing[0], None, "file not found")
    if args.explain:
        for path in args.files:
            print(path)
            for decision, text in pipeline.explain_file(path):
                print(_format_decision(decision, text))
        return 0
    results = pipeline.segment_files(args.files, args.content)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for result in results:
            print(result["file"])
            for article in result["articles"]:
                print(f"  {article['start']:>5}-{article['end']:<5} {article['title']}")
    return 0


_EXPLAIN_NOTES = ("briefs", "heading_held", "word_fit")


def _format_decision(decision, text: str) -> str:
    mark = "SPLIT" if decision.boundary else "  .  "
    if decision.forced:
        mark = decision.forced.upper()
    # a note (the digest read as briefs, a heading holding a boundary back, a start moved a line)
    # adds nothing to the score: it says what the decoder did, in words
    cues = ", ".join(f"{c.name}{c.value:+.2f}" if c.value else f"{c.name} ({c.detail})"
                     for c in decision.cues if c.value or c.name in _EXPLAIN_NOTES)
    heading = f" [subhead: {decision.subhead.text}]" if decision.subhead else ""
    return f"{decision.line:>5} {decision.score:+6.2f} {mark:5} {text[:60]!r}{heading}\n{'':19}{cues}"


def run_check(args: argparse.Namespace) -> int:
    from digestsite.check import check_site

    problems = check_site(args.out)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"checked {args.out}: {len(problems)} problem(s)")
    return 1 if problems else 0


def run_evaluate(args: argparse.Namespace) -> int:
    from digestsite.evaluate import evaluate_paths
    from digestsite.read import read_taxonomy

    taxonomy = read_taxonomy(args.taxonomy) if args.taxonomy else None
    report = evaluate_paths(args.gold, taxonomy)
    print(json.dumps(report.to_json(), indent=2) if args.json else report.format_table())
    return 0


if __name__ == "__main__":
    exit_code = main()
    # Every file is written and closed by now. Python's own shutdown would free a big build's
    # objects one by one (a few hundredths of a second at 10,000 articles): the system does it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
