"""Command line: `report-parser parse|schema|batch|compare …`; main(argv) -> exit status."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .errors import InputError

log = logging.getLogger("report_parser")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 3


def json_schema() -> dict:
    """The JSON Schema of a Document, generated from the pydantic models."""
    from .models import SCHEMA_VERSION, Document

    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://report-parser.invalid/schemas/notice-{SCHEMA_VERSION}.json"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with one line, like argparse
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser(batch: bool = True) -> argparse.ArgumentParser:
    from . import __version__

    ap = _Parser(prog="report-parser", description="Parse Chinese inspection rectification notices into JSON.")
    ap.add_argument("--version", action="version", version=f"report-parser {__version__}")
    ap.add_argument("-v", "--verbose", action="store_true", help="log progress and internal errors in full")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("parse", help="parse notices and print their JSON")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="notice files (.txt in any encoding, .docx, .html, .pdf, .xlsx, scans, .doc/.wps/.rtf/.odt) or URLs")
    p.add_argument("--jsonl", action="store_true", help="one document per line (the default for several files)")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    p.add_argument("--analyze", action="store_true", help="add subjects, keywords and topics (loads jieba)")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N", help="refuse inputs larger than N bytes")

    st = sub.add_parser("stats", help="print a line of counts and coverage per notice")
    st.add_argument("files", nargs="+", metavar="FILE")

    sub.add_parser("schema", help="print the JSON Schema of the output")
    if batch:  # not needed, so not imported, by parse, stats and schema
        _add_batch_commands(sub)
        _add_review_commands(sub)
    return ap


def _add_review_commands(sub: argparse._SubParsersAction) -> None:
    from . import export, report, view_cli

    for module in (view_cli, report, export):
        module.add_arguments(sub)


def _add_batch_commands(sub: argparse._SubParsersAction) -> None:
    try:
        from .batch.cli import add_arguments
    except ImportError:  # the batch layer is optional at import time
        return
    add_arguments(sub)


def _cmd_parse(args: argparse.Namespace) -> int:
    from .decode import DEFAULT_MAX_BYTES
    from .pipeline import ParseOptions

    options = ParseOptions(analyze=args.analyze)
    max_bytes = DEFAULT_MAX_BYTES if args.max_bytes is None else args.max_bytes
    if max_bytes < 0:
        print(f"report-parser: --max-bytes must be 0 or more, not {max_bytes}", file=sys.stderr)
        return EXIT_USAGE
    jsonl = args.jsonl or len(args.files) > 1
    problem = _output_problem(args.output, args.files) if args.output else None
    if problem:
        print(f"report-parser: {args.output}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        print(f"report-parser: {args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _parse_into(out, args, options, max_bytes, jsonl)
    except OSError as exc:  # a full disk, a closed pipe: one line, not a traceback
        print(f"report-parser: {args.output or '<stdout>'}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if out is not sys.stdout:
            with contextlib.suppress(OSError):
                out.close()


def _output_problem(output: str, inputs: Sequence[str]) -> str | None:
    """Why `-o OUTPUT` cannot be written without harm: a directory, or one of the inputs (never truncated)."""
    import os

    if os.path.isdir(output):
        return "is a directory; -o takes a file name"
    for f in inputs:
        try:
            if os.path.samefile(f, output):
                return f"is also an input ({f}); refusing to overwrite it"
        except OSError:
            continue
    return None


def _parse_into(out: IO[str], args: argparse.Namespace, options: Any, max_bytes: int, jsonl: bool) -> int:
    from .budget import PARSE_CPU_SECONDS, BudgetExceeded, cpu_budget
    from .fetch import load_input
    from .pipeline import parse_loaded

    status = EXIT_OK
    for f in args.files:
        try:
            with cpu_budget(PARSE_CPU_SECONDS, "the parse"):
                doc = parse_loaded(load_input(f, max_bytes=max_bytes), options)  # a file or a URL
        except BudgetExceeded as e:
            print(f"report-parser: {f}: past its budget: {e}; refused", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except InputError as e:
            print(f"report-parser: {e}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except Exception as e:  # never a traceback for one bad file
            log.debug("internal error on %s", f, exc_info=True)
            print(f"report-parser: {f}: internal error: {type(e).__name__}: {e}", file=sys.stderr)
            status = EXIT_INTERNAL
            continue
        out.write(to_json(doc, pretty=args.pretty and not jsonl))
        out.write("\n")
    out.flush()
    return status


def to_json(doc, *, pretty: bool = False) -> str:
    """A Document as JSON text, characters unescaped; one line unless `pretty`."""
    data = doc.model_dump(mode="json")
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _cmd_stats(args: argparse.Namespace) -> int:
    from .fetch import load_input
    from .pipeline import parse_loaded

    cols = ("file", "headings", "categories", "problems", "measures", "metrics", "coverage", "warnings")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    status = EXIT_OK
    for f in args.files:
        try:
            doc = parse_loaded(load_input(f))
        except InputError as e:
            print(f"report-parser: {e}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        nodes = list(doc.walk())
        roles = [n.role for n in nodes]
        heads = sum(1 for n in nodes if n.role != "measure" and n.marker)
        figures = len(doc.summary) + sum(len(n.metrics) for n in nodes)
        row = (Path(f).name, heads, roles.count("category"), roles.count("problem"), roles.count("measure"),
               figures, f"{doc.coverage:.4f}", len(doc.warnings))
        print("| " + " | ".join(str(c) for c in row) + " |")
    return status


# Commands that need nothing of the batch layer: their command line is built without importing it.
_CORE_COMMANDS = frozenset({"parse", "stats", "schema"})


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = _build_parser(batch=command not in _CORE_COMMANDS).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    if args.command == "parse":
        return _cmd_parse(args)
    if args.command == "stats":
        return _cmd_stats(args)
    if args.command == "schema":
        sys.stdout.write(schema_text())
        return EXIT_OK
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
