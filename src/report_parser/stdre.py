"""`re.compile` for the patterns the parser runs with the standard library's engine.

Python 3.11 brought possessive quantifiers (`X?+`, `X*+`, `X++`, `X{m,n}+`) to `re`, and the parser's
patterns use them. Early 3.11 releases (Debian 12's 3.11.2 among them) mishandle one on a group that
holds a repeat: when the group fails part-way through, the match keeps what it had consumed
(`(?:\\.[0-9]+)?+` matches the `.` of `./`). Those releases run atomic groups correctly, and
`(?>X?)` means what `X?+` means; so on an interpreter whose `re` fails the probe below, every
possessive quantifier on a group is written as an atomic group before compiling. Nothing else changes.

REPORT_PARSER_ATOMIC_GROUPS=1 rewrites on any interpreter (the tests check that the rewritten patterns
read every bundled notice as the originals do).
"""

from __future__ import annotations

import os
import re

__all__ = ["compile", "atomic_groups", "REWRITE"]


PROBE = r"(?:\.[0-9]+)?+"  # on "./", a correct `re` matches the empty string


def _possessive_groups_fail() -> bool:
    m = re.match(PROBE, "./")
    return m is None or m.end() != 0


REWRITE = _possessive_groups_fail() or os.environ.get("REPORT_PARSER_ATOMIC_GROUPS", "") not in ("", "0")

_QUANT = re.compile(r"(?:[?*+]|\{[0-9]*,?[0-9]*\})\+")


def _class_end(p: str, i: int) -> int:
    """The index after the character class that opens at p[i] == '['."""
    j = i + 1
    if p.startswith("^", j):
        j += 1
    if p.startswith("]", j):  # a ] first is a literal
        j += 1
    while j < len(p) and p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j + 1


def atomic_groups(pattern: str) -> str:
    """`pattern` with each possessive quantifier on a group, `(…)Q+`, written `(?>(…)Q)`."""
    out: list[str] = []  # pieces; a group's own pieces are joined into one when it is rewritten
    opens: list[int] = []  # index in `out` of each open group's "("
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            j = _class_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif c == "(":
            opens.append(len(out))
            out.append(c)
            i += 1
        elif c == ")" and opens:
            start = opens.pop()
            out.append(c)
            i += 1
            q = _QUANT.match(pattern, i)
            if q is not None:
                group = "".join(out[start:])
                del out[start:]
                out.append(f"(?>{group}{q.group()[:-1]})")
                i = q.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 (re.compile's name, on purpose)
    """`re.compile`, with possessive groups as atomic ones where the interpreter's `re` needs it."""
    return re.compile(atomic_groups(pattern) if REWRITE else pattern, flags)
