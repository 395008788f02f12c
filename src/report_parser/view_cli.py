"""`report-parser view`: parse one notice and write its review page (the page itself: view.py).

Apart from view.py so that rendering a Document (Document._repr_html_ in a notebook) never imports the parser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import InputError
from .view import Rendered, render_page


def view_file(path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *,
              analyze: bool = False, max_bytes: int | None = None) -> tuple[Path, Rendered]:
    """Parse a notice file and write its review page (default: next to the input, NAME.view.html)."""
    from .decode import DEFAULT_MAX_BYTES, load_path
    from .pipeline import ParseOptions, parse_loaded

    loaded = load_path(path, max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    doc = parse_loaded(loaded, ParseOptions(analyze=analyze))
    rendered = render_page(doc, loaded.text)
    out = Path(output) if output else Path(path).with_suffix(".view.html")
    out.write_text(rendered.html, encoding="utf-8")
    return out, rendered


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("view", help="write a self-contained HTML review page of one notice",
                       description="Parse NOTICE and write one HTML file showing the source with every part marked.")
    p.add_argument("file", metavar="NOTICE", help="a notice: .txt (any encoding), .docx, .html, .pdf")
    p.add_argument("-o", "--output", metavar="OUT", help="the HTML file to write (default: NOTICE.view.html)")
    p.add_argument("--analyze", action="store_true", help="add subjects, keywords and topics (loads jieba)")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N", help="refuse inputs larger than N bytes")
    p.set_defaults(func=_cmd_view)


def _cmd_view(args: Any) -> int:
    import sys

    try:
        out, rendered = view_file(args.file, args.output, analyze=args.analyze, max_bytes=args.max_bytes)
    except InputError as e:
        print(f"report-parser: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"report-parser view: {args.output or args.file}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    if rendered.dropped:
        print(f"report-parser view: {len(rendered.dropped)} parts overlap others and are listed, not marked",
              file=sys.stderr)
    print(out)
    return 0
