"""report_parser: Chinese inspection rectification notices → grounded, validated JSON and tables."""

from .models import SCHEMA_VERSION, Document
from .pipeline import ParseOptions, parse, parse_file

__version__ = "0.1.0"

__all__ = ["SCHEMA_VERSION", "Document", "ParseOptions", "__version__", "parse", "parse_file"]
