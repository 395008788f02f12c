"""The `batch` and `compare` subcommands of the report-parser command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import BatchResult

EXIT_OK, EXIT_USAGE = 0, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by SIGINT


def _supported_help() -> str:
    from report_parser.formats import supported_suffixes

    return " ".join(sorted(supported_suffixes()))


def add_arguments(sub: argparse._SubParsersAction) -> None:
    """Add the `batch` and `compare` subcommands to the report-parser command line."""
    from .run import DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_BYTES, DEFAULT_WALL_SECONDS

    p = sub.add_parser("batch", help="parse folders of notices into JSONL and Parquet tables",
                       description="Parse every supported file under PATH (folders, globs, files) into OUTDIR; "
                                   "every other file is listed in OUTDIR/errors.jsonl with the reason.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=f"folders (walked for {_supported_help()}), globs, or files")
    p.add_argument("-o", "--outdir", required=True, metavar="OUTDIR", help="where the outputs are written")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="parallel worker processes (default: the number of cores)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line")
    p.add_argument("--analyze", action="store_true", help="add subjects, keywords and topics (loads jieba)")
    p.add_argument("--resume", action="store_true",
                   help="skip files already in OUTDIR/documents.jsonl (same sha256) and merge the rest")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N", help="refuse inputs larger than N bytes")
    p.add_argument("--cpu-limit", type=float, default=DEFAULT_CPU_SECONDS, metavar="SECONDS",
                   help=f"CPU seconds one file may use (default {DEFAULT_CPU_SECONDS})")
    p.add_argument("--time-limit", type=float, default=DEFAULT_WALL_SECONDS, metavar="SECONDS",
                   help=f"wall-clock seconds one file may take (default {DEFAULT_WALL_SECONDS})")
    p.add_argument("--memory-limit", type=float, default=DEFAULT_MEMORY_BYTES / 2**20, metavar="MB",
                   help=f"memory one file may use, in MB (default {DEFAULT_MEMORY_BYTES // 2**20})")
    p.add_argument("--urls", metavar="FILE", help="also fetch and parse the URLs listed in FILE, one a line")
    p.set_defaults(func=_cmd_batch)

    c = sub.add_parser("compare", help="per-unit comparison table of a batch output directory")
    c.add_argument("outdir", metavar="OUTDIR", help="a directory written by `report-parser batch`")
    c.add_argument("--format", choices=("markdown", "csv", "json", "xlsx"), default="markdown",
                   help="output format (xlsx needs -o)")
    c.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    c.add_argument("--labels", choices=("en", "zh"), default="en", help="xlsx column names (default en)")
    c.set_defaults(func=_cmd_compare)


def _summary(result: BatchResult, quiet: bool) -> str | None:
    listed = result.listed
    extra = [f"{n} {what}" for what, n in (("unsupported", listed.get("unsupported", 0)),
                                             ("skipped", listed.get("skipped", 0)),
                                             ("duplicate" if listed.get("duplicate") == 1 else "duplicates",
                                              listed.get("duplicate", 0))) if n]
    tail = f" ({', '.join(extra)}: see errors.jsonl)" if extra else ""
    if result.failed:
        return (f"report-parser batch: {result.failed} of {result.files} files could not be parsed "
                f"(see {result.outdir / 'errors.jsonl'})")
    if quiet:
        return None
    reused = f" ({result.reused} reused)" if result.reused else ""
    return f"report-parser batch: {result.documents} documents in {result.outdir}{reused}{tail}"


def _cmd_batch(args: argparse.Namespace) -> int:
    from report_parser.errors import InputError
    from report_parser.fetch import read_url_list

    from . import Limits, UsageError, run_batch

    try:
        limits = Limits(cpu_seconds=args.cpu_limit, wall_seconds=args.time_limit,
                        memory_bytes=int(args.memory_limit * 2**20))
        urls = read_url_list(args.urls) if args.urls else []
        if not args.paths and not urls:
            raise UsageError("no inputs: give PATH or --urls FILE")
        result = run_batch(args.paths, args.outdir, jobs=args.jobs, analyze=args.analyze, resume=args.resume,
                           max_bytes=args.max_bytes, progress=not args.quiet, limits=limits, urls=urls)
    except (UsageError, InputError) as exc:
        print(f"report-parser batch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback; the journal keeps what was parsed
        print(f"report-parser batch: interrupted; {args.outdir} keeps the documents parsed so far: "
              "the same command with --resume continues", file=sys.stderr)
        return EXIT_INTERRUPTED
    line = _summary(result, args.quiet)
    if line:
        print(line, file=sys.stderr)
    return result.status


def _cmd_compare(args: argparse.Namespace) -> int:
    out = Path(args.outdir)
    missing = [f"{t}.parquet" for t in ("documents", "measures") if not (out / f"{t}.parquet").is_file()]
    if missing:
        print(f"report-parser compare: error: {out}: not a batch output directory (no {missing[0]})",
              file=sys.stderr)
        return EXIT_USAGE
    import pandas as pd

    from .compare import compare_table, format_table
    from .write import MixedOutputsError, check_outputs

    try:
        check_outputs(out)
    except MixedOutputsError as exc:
        print(f"report-parser compare: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in ("documents", "measures")}
    if args.format == "xlsx":
        if not args.output:
            print("report-parser compare: error: --format xlsx needs -o OUT.xlsx", file=sys.stderr)
            return EXIT_USAGE
        from report_parser.xlsx import write_xlsx

        write_xlsx({"compare": compare_table(tables)}, args.output, labels=args.labels)
        return EXIT_OK
    text = format_table(compare_table(tables), args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"report-parser compare: error: {args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return EXIT_OK
