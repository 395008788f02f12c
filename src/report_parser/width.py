"""Full-width ASCII → half-width: the one table (one character for one, so offsets never move)."""

from __future__ import annotations

HALF_WIDTH: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # ！…～ → !…~
IDEOGRAPHIC_SPACE = 0x3000
