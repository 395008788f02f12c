"""Plain-text decoding, size limits and path errors of report_parser.decode."""

from __future__ import annotations

import codecs
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_parser.decode import DEFAULT_MAX_BYTES, Loaded, decode_text, load_bytes, load_path
from report_parser.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PATH = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")


# ----------------------------------------------------------------- encodings


def test_utf8_equals_read_text() -> None:
    loaded = load_path(SAMPLE_PATH)
    assert loaded.text == SAMPLE_PATH.read_text()
    assert (loaded.encoding, loaded.format, loaded.extracted) == ("utf-8", "txt", False)
    assert loaded.sha256 == hashlib.sha256(SAMPLE_PATH.read_bytes()).hexdigest()
    assert loaded.name == str(SAMPLE_PATH)


@pytest.mark.parametrize(
    ("fixture", "encoding"),
    [
        ("notice-utf16-bom.txt", "utf-16-le"),
        ("notice-gb18030.txt", "gb18030"),
        ("notice-utf8-bom-crlf.txt", "utf-8-sig"),
    ],
)
def test_encoded_fixtures_give_the_sample(fixture: str, encoding: str) -> None:
    loaded = load_path(FIXTURES / fixture)
    assert loaded.text == SAMPLE
    assert loaded.encoding == encoding
    assert loaded.format == "txt"
    assert not loaded.text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-32"), "utf-32-le"),
    ],
)
def test_encodings(data: bytes, encoding: str) -> None:
    assert decode_text(data, "x.txt") == (SAMPLE, encoding)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_or_ascii(codec: str) -> None:
    # no ASCII at all: the only NUL bytes come from 一 (U+4E00)
    text = "中共宽甸满族自治县招商服务中心党组一是绘制招商图谱二是围绕产业链谋划包装项目"
    assert decode_text(text.encode(codec)) == (text, codec)


def test_gb2312_short_text() -> None:
    assert decode_text("巡察整改情况的通报".encode("gb2312")) == ("巡察整改情况的通报", "gb18030")


def test_newlines_like_universal_newlines(tmp_path: Path) -> None:
    raw = "第一行\r\n第二行\r第三行\n\r\n末行\r"
    path = tmp_path / "n.txt"
    path.write_bytes(raw.encode("utf-8"))
    assert load_path(path).text == path.read_text() == "第一行\n第二行\n第三行\n\n末行\n"


def test_few_bad_bytes_utf8_are_replaced() -> None:
    data = SAMPLE[:100].encode("utf-8") + b"\xff" + SAMPLE[100:].encode("utf-8")
    text, encoding = decode_text(data)
    assert encoding == "utf-8+replace"
    assert text.count("\ufffd") == 1
    assert text.replace("\ufffd", "") == SAMPLE


def test_truncated_utf8_tail_is_replaced() -> None:
    data = SAMPLE.rstrip().encode("utf-8") + "。".encode()[:2]  # a file cut inside a character
    text, encoding = decode_text(data)
    assert encoding == "utf-8+replace"
    assert text.endswith("\ufffd")


def test_few_bad_bytes_gb18030_are_replaced() -> None:
    data = SAMPLE[:100].encode("gb18030") + b"\xff" + SAMPLE[100:].encode("gb18030")
    text, encoding = decode_text(data)
    assert encoding == "gb18030+replace"
    assert text.count("\ufffd") == 1


def test_real_replacement_characters_are_not_counted_as_bad_bytes() -> None:
    data = ("\ufffd" * 80 + SAMPLE).encode("utf-8") + b"\xff"
    text, encoding = decode_text(data)
    assert encoding == "utf-8+replace"
    assert text.count("\ufffd") == 81


def test_big5_falls_through_to_heuristics() -> None:
    import opencc

    traditional = opencc.OpenCC("s2t").convert(SAMPLE)
    data = traditional.encode("big5", errors="replace")
    text, encoding = decode_text(data)
    assert encoding == "big5"
    assert text == data.decode("big5")


# ----------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03" * 200,
        bytes(range(256)) * 8,
        b"PLAIN\x00TEXT\x00WITH\x01\x02NULS" * 50,
        bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0E, 0x0F]) * 30 + "正文".encode(),
    ],
)
def test_binary_content(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        decode_text(data, "x.txt")
    assert str(err.value) == "x.txt: binary content (not text, not a supported document format)"


def test_binary_fixture() -> None:
    path = FIXTURES / "binary.txt"
    with pytest.raises(InputError, match=r"binary\.txt: binary content \(not text"):
        load_path(path)


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8, "\u3000\u3000\n".encode(), codecs.BOM_UTF16_LE]
)
def test_empty_input(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        load_bytes(data, "x.txt")
    assert str(err.value) == "x.txt: empty input"


def test_size_limit_bytes() -> None:
    with pytest.raises(InputError, match=r"^x\.txt: .*exceeds the 100 bytes limit \(max_bytes\)$"):
        load_bytes(b"a" * 101, "x.txt", max_bytes=100)
    assert load_bytes(b"a" * 100, "x.txt", max_bytes=100).text == "a" * 100


def test_size_limit_message_for_large_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    with open(path, "wb") as fh:  # sparse: nothing is written or read
        fh.truncate(int(25.3 * 1024 * 1024))
    with pytest.raises(InputError) as err:
        load_path(path)
    assert str(err.value) == f"{path}: 25.3 MB exceeds the 20 MB limit (max_bytes)"
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file$"):
        load_path(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r": is a directory, not a file$"):
        load_path(tmp_path)


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match=r"link\.txt: broken symbolic link"):
        load_path(link)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("正文", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(InputError, match=r"secret\.txt: permission denied"):
        load_path(path)


def test_errors_are_one_line() -> None:
    with pytest.raises(InputError) as err:
        load_bytes(b"\x00" * 100, None)
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("<input>: ")


def test_loaded_is_frozen() -> None:
    loaded = load_bytes("正文".encode(), "a.txt")
    assert isinstance(loaded, Loaded)
    with pytest.raises(AttributeError):
        loaded.text = "x"  # type: ignore[misc]


def test_import_is_light() -> None:
    code = (
        "import sys, report_parser.decode, report_parser.formats;"
        "heavy = [m for m in ('docx', 'trafilatura', 'lxml', 'pdfminer', 'charset_normalizer') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == ""


# ----------------------------------------------------------------- properties

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。；：、（）“”《》0123456789abcXYZ \n\r\t%.-")),
    ),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "gb18030-bom-utf8"]))
def test_roundtrip(text: str, codec: str) -> None:
    if codec == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    elif codec == "gb18030-bom-utf8":  # a UTF-8 BOM always wins
        data = codecs.BOM_UTF8 + text.encode("utf-8")
    else:
        data = text.encode(codec)
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert decode_text(data)[0] == expected


_GB2312 = st.builds(
    lambda hi, lo: bytes([hi, lo]).decode("gb2312"),
    st.integers(0xB0, 0xD6),  # level-1 hanzi rows
    st.integers(0xA1, 0xF9),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_GB2312, st.sampled_from(list("，。、0123456789\n"))), min_size=20, max_size=200))
def test_gb18030_roundtrip(chars: list[str]) -> None:
    text = "".join(chars)
    if not text.strip() or sum(1 for c in text if ord(c) > 0x7F) < 20:
        return
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=2000))
def test_never_crashes(data: bytes) -> None:
    try:
        text, encoding = decode_text(data)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert text.strip()
        assert "\r" not in text
        assert encoding
