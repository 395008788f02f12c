"""Write src/report_parser/data/t2s_chars.txt: the characters without which OpenCC's t2s leaves a text as it is.

OpenCC converts by the longest dictionary entry at each position (t2s.json: TSPhrases, then
TSCharactersExt and TSCharacters, after the CJK compatibility normalisation). A text changes only
where an entry whose first value differs from its key matches; such an entry holds one of these
characters: every character of a single-character entry that changes, and for a phrase that
changes, the characters it changes (or all of its characters when its length changes). So a text
with none of them is its own simplified form, and normalize skips the conversion.

    python scripts/t2s_chars.py          # after installing or upgrading opencc

It reads the dictionaries with the `opencc_dict` tool that the opencc wheel ships (clib/bin).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "report_parser" / "data" / "t2s_chars.txt"


def _clib() -> Path:
    import opencc

    return Path(opencc.__file__).resolve().parent / "clib"


def _dicts(config: dict) -> list[str]:
    """The dictionary files a t2s config uses, in every step."""
    out: list[str] = []

    def walk(d: dict) -> None:
        if d.get("type") == "group":
            for sub in d["dicts"]:
                walk(sub)
        elif "file" in d:
            out.append(d["file"])

    for step in config.get("normalization", []) + config["conversion_chain"]:
        walk(step["dict"])
    return out


def _entries(clib: Path, name: str) -> list[tuple[str, str]]:
    """(key, first value) of each entry of an .ocd2 dictionary, through opencc_dict."""
    tool = clib / "bin" / "opencc_dict"
    if not tool.exists():
        tool = Path(shutil.which("opencc_dict") or "opencc_dict")
    env = dict(os.environ, LD_LIBRARY_PATH=str(clib / "lib64") + os.pathsep + os.environ.get("LD_LIBRARY_PATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dict.txt"
        subprocess.run([str(tool), "-i", str(clib / "share" / "opencc" / name), "-o", str(out), "-f", "ocd2",
                        "-t", "text"], check=True, env=env, capture_output=True)
        rows = []
        for line in out.read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            rows.append((key, values.split(" ")[0]))
        return rows


def changing_chars() -> str:
    """The characters (sorted) that every entry changing a text under t2s contains one of."""
    clib = _clib()
    config = json.loads((clib / "share" / "opencc" / "t2s.json").read_text(encoding="utf-8"))
    chars: set[str] = set()
    for name in _dicts(config):
        for key, value in _entries(clib, name):
            if value == key:
                continue
            if len(key) == len(value):
                chars.update(k for k, v in zip(key, value, strict=True) if k != v)
            else:
                chars.update(key)
    return "".join(sorted(chars))


def main() -> int:
    from importlib.metadata import version

    chars = changing_chars()
    OUT.write_text(f"# OpenCC {version('opencc')} t2s: written by scripts/t2s_chars.py; one line of characters\n"
                   f"{chars}\n", encoding="utf-8")
    print(f"{len(chars)} characters written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
