"""stdre: possessive quantifiers on groups written as atomic groups, for interpreters whose `re`
mishandles them (early 3.11 releases), and every pattern with one compiled through it."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from report_parser import metrics, numerals, stdre
from report_parser.stdre import atomic_groups


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?:\.[0-9]+)?+", r"(?>(?:\.[0-9]+)?)"),
    (r"a(?:b(?:c)++)*+d", r"a(?>(?:b(?>(?:c)+))*)d"),
    (r"(?P<n>x){1,3}+y", r"(?>(?P<n>x){1,3})y"),
    (r"(?:x){2,}+", r"(?>(?:x){2,})"),
    # possessive single items, greedy and lazy groups, escaped and bracketed parentheses: left as they are
    (r"[0-9]++\.?+x*+", r"[0-9]++\.?+x*+"),
    (r"(?:a)?(?:b)*?(c)+", r"(?:a)?(?:b)*?(c)+"),
    (r"\(?+[)(]?+\)++", r"\(?+[)(]?+\)++"),
    (r"[]()]?+(?:[^]])?+", r"[]()]?+(?>(?:[^]])?)"),
    (r"\{1,2\}+(?=x)", r"\{1,2\}+(?=x)"),
])
def test_atomic_groups(pattern: str, expected: str) -> None:
    assert atomic_groups(pattern) == expected
    re.compile(expected)


def test_the_probe_is_what_it_guards() -> None:
    # the failure it looks for: a possessive group that fails part-way keeps what it consumed
    broken = re.match(stdre.PROBE, "./").end() != 0
    assert stdre.REWRITE or not broken
    assert re.match(atomic_groups(stdre.PROBE), "./").end() == 0


def _patterns() -> list[re.Pattern[str]]:
    return [v for mod in (metrics, numerals) for v in vars(mod).values()
            if isinstance(v, re.Pattern) and isinstance(v.pattern, str) and atomic_groups(v.pattern) != v.pattern]


@pytest.mark.skipif(stdre.REWRITE, reason="this interpreter's re needs the rewrite: its possessive groups are the ones in doubt")
def test_the_rewritten_figure_patterns_read_as_the_originals() -> None:
    patterns = _patterns()
    assert len(patterns) >= 8  # the figure patterns hold possessive groups: the check has something to check
    alphabet = "0123456789.,/-:年月日号至到个人万元%百分之十二三两余多以上 \n"
    rnd = random.Random(5)
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14))) for _ in range(4000)]
    for p in patterns:
        q = re.compile(atomic_groups(p.pattern), p.flags)
        for t in texts:
            for i in (0, 1):
                a, b = p.match(t, i), q.match(t, i)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (p.pattern[:60], t)


_CHILD = """
import gc, hashlib, json, re, sys
from pathlib import Path
from report_parser import parse_file
from report_parser.stdre import PROBE, REWRITE, atomic_groups
def digest(p):
    try:
        return hashlib.sha256(parse_file(p).model_dump_json().encode()).hexdigest()
    except Exception as e:  # inputs refused by design: the same refusal either way
        return type(e).__name__ + ": " + str(e)
out = {p: digest(p) for p in json.loads(sys.argv[1])}
left = [o.pattern[:60] for o in gc.get_objects()
        if isinstance(o, re.Pattern) and isinstance(o.pattern, str) and o.pattern != PROBE
        and atomic_groups(o.pattern) != o.pattern]
print(json.dumps({"rewrite": REWRITE, "out": out, "left": left}))
"""


def test_every_notice_reads_the_same_with_the_rewrite_and_no_pattern_escapes_it() -> None:
    # REPORT_PARSER_ATOMIC_GROUPS=1 rewrites as on an interpreter that needs it: the bundled notices
    # come out the same, and no pattern the parse built keeps a possessive group (each went through stdre)
    paths = sorted(str(p) for d in ("corpora", "tests/fixtures") for p in (ROOT / d).rglob("*.txt"))
    assert len(paths) > 100
    env = dict(os.environ, REPORT_PARSER_ATOMIC_GROUPS="1")
    run = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(paths)], env=env, capture_output=True,
                         text=True, check=True)
    child = json.loads(run.stdout)
    assert child["rewrite"] is True
    assert child["left"] == []
    env["REPORT_PARSER_ATOMIC_GROUPS"] = "0"
    plain = json.loads(subprocess.run([sys.executable, "-c", _CHILD, json.dumps(paths)], env=env,
                                      capture_output=True, text=True, check=True).stdout)
    if plain["rewrite"]:
        pytest.skip("this interpreter's re needs the rewrite: there is no unrewritten reading to compare with")
    assert child["out"] == plain["out"]
