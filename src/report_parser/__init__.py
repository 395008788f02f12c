"""report_parser: Chinese inspection rectification notices → grounded, validated JSON and tables."""

from .models import SCHEMA_VERSION, Document
from .pipeline import ParseOptions, parse, parse_file
from .version import __version__


def frames(documents):
    """Documents → dict of pandas DataFrames for comparison (see report_parser.frames)."""
    from .frames import frames as _frames  # pandas is loaded only when tables are asked for

    return _frames(documents)


__all__ = ["SCHEMA_VERSION", "Document", "ParseOptions", "__version__", "frames", "parse", "parse_file"]
