"""Inputs built to be slow parse in time proportional to their size, measured against a plain notice of that size."""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from conftest import bundled_notices

import report_parser

# A hostile input may cost this many times the CPU of a plain notice of the same length (plus a
# floor that absorbs timer noise on small inputs). Super-linear behaviour blows far past it.
RATIO = 8.0
FLOOR = 0.05
# Sizes are the full sizes times SCALE; REPORT_PARSER_TIMING_SCALE=1 runs them in full.
SCALE = float(os.environ.get("REPORT_PARSER_TIMING_SCALE", "0.25"))
TRIES = 3  # a check over its bound is measured again this many times in all before it fails
MIN_SMALL = 0.002  # CPU seconds: below this a timer tick is a large share of the small input's time


class OverBudget(Exception):
    """Raised from the CPU timer when a parse runs past its budget."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Abort the block with OverBudget once it has used `seconds` of CPU (no-op where unsupported)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise OverBudget(f"over the {seconds:.2f} s CPU budget")

    old = signal.signal(signal.SIGPROF, _raise)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def cpu_seconds(fn: Callable[[], object], repeat: int = 3, limit: float | None = None) -> float:
    """Best CPU time of `repeat` runs of fn.

    CPU time, so other processes on the machine don't count; the cyclic garbage collector is off
    while timing, as in timeit, so the cost of whatever earlier tests left alive doesn't count either.
    """
    best = float("inf")
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.process_time()
            if limit is None:
                fn()
            else:
                with cpu_limit(limit):
                    fn()
            best = min(best, time.process_time() - t0)
    finally:
        if was_enabled:
            gc.enable()
    return best


_PLAIN = "\n".join(p.read_text(encoding="utf-8") for p in bundled_notices()) + "\n"


def plain_notice(length: int) -> str:
    """The bundled notices repeated to exactly `length` characters."""
    return (_PLAIN * (length // len(_PLAIN) + 1))[:length]


def budget_for(text: str, ratio: float = RATIO) -> tuple[float, float]:
    """(plain CPU seconds at this length, budget for a hostile input of this length)."""
    plain = plain_notice(len(text))
    t = cpu_seconds(lambda: report_parser.parse(plain))
    return t, ratio * t + FLOOR


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[int], str]
    full: int  # the size the issue names (repetitions or characters)
    ratio: float = RATIO  # budget as a multiple of a plain notice's time


def _line(n: int) -> str:
    base = "整改落实监督检查工作推进"  # CJK, no punctuation, no marker: 3 bytes a character
    return (base * (n // len(base) + 1))[:n]


HOSTILE = [
    Hostile("yishi_x100000", lambda n: "一是" * n, 100_000),
    Hostile("nested_brackets_x10000", lambda n: "（" * n + "）" * n, 10_000),
    Hostile("nested_brackets_lines_x10000", lambda n: "（\n" * n + "）\n" * n, 10_000),
    Hostile("single_line_5MB", _line, 5 * 1024 * 1024 // 3),
    Hostile("empty_markers_x50000", lambda n: "".join(f"（{i}）" for i in range(1, n + 1)), 50_000),
    # one node per 6 characters: about 8x a plain notice at every size (linear), hence its own ratio
    Hostile("empty_marker_lines_x50000", lambda n: "".join(f"（{i % 999 + 1}）\n" for i in range(n)), 50_000,
            ratio=12.0),
    Hostile("digit_run_1e6_then_year", lambda n: "1" * n + "年", 1_000_000),
    Hostile("dates_x20000", lambda n: "2024年1月1日\n" * n, 20_000),
    Hostile("brackets_with_digits_x10000", lambda n: "（1（2（3" * n + "）" * (3 * n), 10_000),
    Hostile("wan_units_x50000", lambda n: "一万" * n + "元", 50_000),
    Hostile("spaces_1e6", lambda n: " " * n + "一、x", 1_000_000),
    # A figure every 2-6 characters, each a Metric with a summary subject looked up: linear, but
    # 12-55x a plain notice (these were quadratic before dd38e15: 200-600x and growing at full size).
    # The ratio is to a plain notice, whose numbered items now cost less while these figures do not.
    Hostile("year_run_x100000", lambda n: "2024年" * n, 100_000, ratio=35.0),
    Hostile("year_run_spaced_x100000", lambda n: "2024年 " * n, 100_000, ratio=35.0),
    Hostile("counts_x100000", lambda n: "3个" * n, 100_000, ratio=65.0),
]

def _size(h: Hostile) -> int:
    return max(10, int(h.full * SCALE))


def _assert_within_budget(text: str, ratio: float = RATIO) -> None:
    # CPU time, best of repeats: load on the machine only ever adds time, so a miss is measured again
    # (at most TRIES times) before it counts; a parse far past the budget is stopped by the CPU timer.
    for _ in range(TRIES):
        plain, budget = budget_for(text, ratio)
        spent = cpu_seconds(lambda: report_parser.parse(text), repeat=2, limit=budget * 1.2 + 0.1)
        if spent <= budget:
            return
    raise AssertionError(f"{len(text)} chars: {spent:.3f} s CPU vs {plain:.3f} s for a plain notice")


def assert_linear(make: Callable[[int], str], n: int, *, factor: int = 8, slack: float = 3.0,
                  parse: Callable[[str], object] = report_parser.parse) -> None:
    """`factor`× the input costs at most `slack`× `factor`× the CPU, plus a floor.

    Quadratic work grows by factor² (64× for 8×), linear by factor: with slack 3 the bound (24×) sits
    far from both, so noise does not fail a linear parse and does not pass a quadratic one. CPU time,
    best of repeats, and a miss is measured again (TRIES times) before it counts.
    """
    small, large = make(n), make(factor * n)
    t_small = t_large = float("inf")
    for _ in range(TRIES):
        t_small = min(t_small, max(cpu_seconds(lambda: parse(small), repeat=3), MIN_SMALL))
        bound = factor * slack * t_small + FLOOR
        try:
            t_large = min(t_large, cpu_seconds(lambda: parse(large), repeat=1, limit=4 * bound + 1))
        except OverBudget:
            continue
        if t_large <= bound:
            return
    raise AssertionError(f"{factor}x the input took {t_large:.3f} s CPU against {t_small:.3f} s "
                         f"(over {factor * slack:.0f}x + {FLOOR} s)")


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_hostile_input_parses_within_budget(hostile: Hostile) -> None:
    text = hostile.make(_size(hostile))
    _assert_within_budget(text, hostile.ratio)


# Inputs that are nothing but markers (or figures) make one node (or Metric) per few characters:
# each costs more than a character of prose, so the ratio to a plain notice is higher (10-35x),
# but it must stay linear.
DENSE = [
    Hostile("yishi_comma", lambda n: "一是，" * n, 100_000),
    Hostile("yishi_lines", lambda n: "一是\n" * n, 100_000),
    Hostile("marker_lines", lambda n: "".join(f"（{i % 999 + 1}）\n" for i in range(n)), 50_000),
    Hostile("counts", lambda n: "3个" * n, 100_000),
    Hostile("ordinal_lines", lambda n: "".join(f"{c}是整改。\n" for c in "一二三四五六七八九十" * (n // 10)), 100_000),
    Hostile("five_families", lambda n: "一、\n（一）\n1.\n（1）\n①\n一是\n" * (n // 6), 100_000),
]


@pytest.mark.parametrize("hostile", DENSE, ids=lambda h: h.name)
def test_marker_dense_input_grows_linearly(hostile: Hostile) -> None:
    assert_linear(hostile.make, max(60, int(hostile.full * SCALE / 8)))
