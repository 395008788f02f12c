"""data/t2s_chars.txt: normalize skips OpenCC's t2s conversion of a text with none of these
characters, so every character the conversion can change must be in it."""

from __future__ import annotations

import importlib.util
import subprocess

import opencc
import pytest
from conftest import ROOT, bundled_notices

from report_parser.normalize import T2S_BOUNDARIES, _may_convert, _t2s, _to_simplified, normalize

RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # CJK ext. A, unified, compatibility


def _listed() -> set[str]:
    text = (ROOT / "src" / "report_parser" / "data" / "t2s_chars.txt").read_text(encoding="utf-8")
    return set("".join(ln for ln in text.splitlines() if not ln.startswith("#")))


def test_every_character_t2s_changes_is_listed() -> None:
    chars = [chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    assert len(converted) == len(chars)
    changed = {c for c, s in zip(chars, converted, strict=True) if s != c}
    assert len(changed) > 2000
    assert changed <= _listed()


def test_a_text_with_none_of_them_is_its_own_simplified_form() -> None:
    for path in bundled_notices():
        text = path.read_text(encoding="utf-8")
        if _may_convert().search(text) is None:
            assert _t2s().convert(text) == text, path.name


def test_phrases_that_change_only_a_common_character_are_caught() -> None:
    # 覆 stays 覆 on its own but 反覆 becomes 反复: the phrase's changed character is listed
    assert _t2s().convert("覆") == "覆" and _t2s().convert("反覆") == "反复"
    assert normalize("他反覆强调").text == "他反复强调"
    assert normalize("全面覆盖").text == "全面覆盖"


def test_the_file_is_what_the_script_writes_from_the_installed_opencc() -> None:
    spec = importlib.util.spec_from_file_location("t2s_chars", ROOT / "scripts" / "t2s_chars.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        chars = mod.changing_chars()
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"opencc_dict, which reads OpenCC's dictionaries, is not available: {e}")
    assert set(chars) == _listed()


def _script():
    spec = importlib.util.spec_from_file_location("t2s_chars", ROOT / "scripts" / "t2s_chars.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_no_dictionary_entry_holds_a_clause_boundary() -> None:
    # normalize converts only the clauses between these characters: no match may span one
    import json

    mod = _script()
    clib = mod._clib()
    config = json.loads((clib / "share" / "opencc" / "t2s.json").read_text(encoding="utf-8"))
    try:
        keys = [k for name in mod._dicts(config) for k, _ in mod._entries(clib, name)]
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"opencc_dict, which reads OpenCC's dictionaries, is not available: {e}")
    assert len(keys) > 1000
    assert not [k for k in keys if set(k) & set(T2S_BOUNDARIES)]


def test_converting_clause_by_clause_is_converting_the_whole_text() -> None:
    s2t = opencc.OpenCC("s2t")
    for path in bundled_notices()[:40]:
        text = path.read_text(encoding="utf-8").replace("，", ",").replace("；", ";")
        for t in (text, s2t.convert(text)):
            whole = _t2s().convert(t)
            assert len(whole) == len(t)
            assert _to_simplified(t) == (whole, whole != t), path.name
    assert _to_simplified("反覆强调,全面覆盖;\n他反覆说") == ("反复强调,全面覆盖;\n他反复说", True)


def test_narrowing_makes_and_removes_no_character_t2s_may_change() -> None:
    # normalize looks for both kinds in one scan, before narrowing
    from report_parser.normalize import _WIDTH_STR

    assert not [c for c in {*_WIDTH_STR, *_WIDTH_STR.values()} if _may_convert().search(c)]


def test_narrowing_is_the_width_table_applied_to_every_character() -> None:
    # _narrow replaces the common wide forms one by one and each rare one it finds everywhere at once
    from report_parser.normalize import _WIDTH, _WIDTH_STR, _narrow

    wide = "".join(sorted(_WIDTH_STR))
    text = "（一）全面覆盖，\u3000\u3000整改率１００％！？" + wide + "文" + wide[::-1] + "\u3000"
    assert _narrow(text) == text.translate(_WIDTH)
    assert _narrow("甲，乙") == "甲,乙"
    assert _narrow("无宽字符") == "无宽字符"
