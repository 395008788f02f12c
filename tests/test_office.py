"""Legacy Word, WPS, RTF and OpenDocument text through LibreOffice: files made from fixtures at test time."""

from __future__ import annotations

import io
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, check_invariants, sample_docx_bytes

from report_parser.decode import load_bytes, load_path
from report_parser.errors import InputError
from report_parser.formats import office, sniff
from report_parser.pipeline import parse_loaded

needs_soffice = pytest.mark.skipif(office.soffice() is None, reason="LibreOffice (soffice) not installed")
SAMPLE = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"


def _plain_docx() -> bytes:
    return sample_docx_bytes()


def _convert(data: bytes, to: str) -> bytes:
    """Save a .docx as another format with LibreOffice (how the test inputs are made)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(data)
        subprocess.run([office.soffice(), f"-env:UserInstallation={(Path(tmp) / 'p').as_uri()}", "--headless",
                        "--convert-to", to, "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        return (Path(tmp) / f"in.{to}").read_bytes()


@pytest.fixture(scope="module")
def made() -> dict[str, bytes]:
    if office.soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    plain = _plain_docx()
    numbered = (FIXTURES / "formats" / "notice-numbered.docx").read_bytes()
    return {"docx": plain, "doc": _convert(plain, "doc"), "odt": _convert(plain, "odt"),
            "rtf": _convert(plain, "rtf"), "numbered.docx": numbered, "numbered.doc": _convert(numbered, "doc")}


def _outline(doc: Any) -> list[tuple[str, str | None, str | None, list[str]]]:
    return [(n.role, n.marker, n.title, [m.text for m in n.metrics]) for n in doc.walk()]


@needs_soffice
@pytest.mark.parametrize(("kind", "name"), [("doc", "notice.doc"), ("odt", "notice.odt"), ("rtf", "notice.rtf"),
                                            ("doc", "notice.wps")])
def test_converted_document_parses_like_the_docx(made: dict[str, bytes], kind: str, name: str) -> None:
    data = made[kind]
    expected = "wps" if name.endswith(".wps") else kind
    assert sniff(data, name) == expected
    want = parse_loaded(load_bytes(made["docx"], "notice.docx"))
    loaded = load_bytes(data, name)
    got = parse_loaded(loaded)
    assert got.source.format == expected
    assert loaded.text == want.source.text
    assert _outline(got) == _outline(want)
    assert [m.text for m in got.summary] == [m.text for m in want.summary]
    check_invariants(got, loaded.text)


@needs_soffice
def test_doc_keeps_automatic_numbering(made: dict[str, bytes]) -> None:
    """A .doc whose 1. and （1） are list numbering: rebuilt as for .docx (LibreOffice's own export does not
    keep Word's never-restart setting of the second level, so （n） restarts under each category)."""
    want = parse_loaded(load_bytes(made["numbered.docx"], "n.docx"))
    got = parse_loaded(load_bytes(made["numbered.doc"], "n.doc"))
    assert [(n.role, n.style, n.title) for n in got.walk()] == [(n.role, n.style, n.title) for n in want.walk()]
    assert [n.marker for n in got.sections] == ["1.", "2.", "3.", "4."]


@needs_soffice
def test_parallel_conversions_do_not_collide(made: dict[str, bytes]) -> None:
    results: list[str | Exception] = []

    def run() -> None:
        try:
            results.append(office.extract_office(made["doc"], "doc", "a.doc")[0])
        except Exception as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and all(r == results[0] and isinstance(r, str) for r in results)


@needs_soffice
def test_timeout_is_one_line(made: dict[str, bytes]) -> None:
    with pytest.raises(InputError) as err:
        office.convert_to_docx(made["doc"], "doc", "slow.doc", timeout=0.05)
    assert str(err.value) == "slow.doc: legacy Word document (.doc): LibreOffice did not convert it within 0.05 s"


@needs_soffice
def test_damaged_doc() -> None:
    # the fixture is a compound file with an empty WordDocument stream: LibreOffice yields nothing
    with pytest.raises(InputError) as err:
        load_path(FIXTURES / "formats" / "legacy.doc")
    assert str(err.value).endswith("legacy.doc: no text found in the document") or "could not convert" in str(
        err.value)


def test_missing_libreoffice_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "soffice", lambda: None)
    data = (FIXTURES / "formats" / "legacy.doc").read_bytes()
    with pytest.raises(InputError) as err:
        load_bytes(data, "old.doc")
    assert str(err.value) == ("old.doc: legacy Word document (.doc): reading it needs LibreOffice (soffice), "
                              "which is not installed")
    with pytest.raises(InputError, match=r"^a\.rtf: RTF document: reading it needs LibreOffice"):
        load_bytes(b"{\\rtf1\\ansi hello}", "a.rtf")


def test_sniffing_by_content() -> None:
    ole = bytes.fromhex("D0CF11E0A1B11AE1")
    assert sniff(ole + "WordDocument".encode("utf-16-le"), "x.bin") == "doc"
    assert sniff(ole + "WordDocument".encode("utf-16-le"), "x.wps") == "wps"
    assert sniff(ole + "Workbook".encode("utf-16-le"), "x.xls") == "ole-legacy"
    assert sniff(b"  {\\rtf1\\ansi x}", "x.txt") == "rtf"
    odt = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x/>")
    assert sniff(odt.getvalue(), "x.zip") == "odt"


