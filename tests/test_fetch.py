"""Notices given as URLs, served by a local HTTP server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, sample_docx_bytes

from report_parser import fetch
from report_parser.batch import run_batch
from report_parser.cli import main
from report_parser.decode import load_bytes, load_path
from report_parser.errors import InputError
from report_parser.pipeline import parse_loaded

SAMPLE = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
GBK_PAGE = FIXTURES / "formats" / "notice-gbk.html"
TITLE = "中共宽甸满族自治县招商服务中心党组关于县委巡察整改进展情况的通报"


def _docx() -> bytes:
    return sample_docx_bytes()


def _plain_page(charset_in_meta: bool) -> str:
    lines = SAMPLE.read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "").split("\n")
    meta = '<meta charset="gbk">' if charset_in_meta else ""
    body = "".join(f"<p>{ln}</p>" for ln in lines if ln.strip())
    return f"<html><head>{meta}<title>{TITLE}</title></head><body><article>{body}</article></body></html>"


class _Handler(BaseHTTPRequestHandler):
    active = 0
    peak = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, body: bytes, ctype: str, status: int = 200, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = self.path.split("?")[0]
        if path == "/gbk.html":  # the fixture page, charset in its meta tag and in the header
            self._send(GBK_PAGE.read_bytes(), "text/html; charset=GBK")
        elif path == "/header-charset.html":  # GBK bytes; only the HTTP header says so
            self._send(_plain_page(False).encode("gbk"), "text/html; charset=gbk")
        elif path == "/notice.txt":
            self._send(SAMPLE.read_text(encoding="utf-8").encode("gb18030"), "text/plain; charset=GB18030")
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/gbk.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/big":
            self._send(b"x" * 5000, "text/plain")
        elif path == "/big-chunked":  # no Content-Length: the limit is found while streaming
            self._send(b"y" * 5000, "text/plain", length=False)
            self.close_connection = True
        elif path == "/attachment.html":
            page = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
                    f"<h1>{TITLE}</h1><div class='content'><p>附件：<a href='files/%E9%80%9A%E6%8A%A5.docx'>"
                    f"{TITLE}.docx</a></p></div></body></html>")
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/files/%E9%80%9A%E6%8A%A5.docx":
            self._send(_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        elif path == "/slow":
            time.sleep(3)
            self._send(b"late", "text/plain")
        elif path == "/hold":
            with _Handler.lock:
                _Handler.active += 1
                _Handler.peak = max(_Handler.peak, _Handler.active)
            time.sleep(0.3)
            with _Handler.lock:
                _Handler.active -= 1
            self._send(SAMPLE.read_bytes(), "text/plain; charset=utf-8")
        else:
            self._send(b"<html><body>not here</body></html>", "text/html", status=404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_page_parses_like_the_file(server: str) -> None:
    url = f"{server}/gbk.html"
    doc = parse_loaded(fetch.load_url(url))
    want = parse_loaded(load_path(GBK_PAGE))
    assert doc.source.name == url and doc.source.url == url
    assert doc.source.text == want.source.text
    assert doc.model_dump(exclude={"source"}) == want.model_dump(exclude={"source"})


def test_charset_from_the_http_header(server: str) -> None:
    loaded = fetch.load_url(f"{server}/header-charset.html")
    assert loaded.encoding == "gb18030"
    assert loaded.text.startswith(TITLE)
    text = fetch.load_url(f"{server}/notice.txt")
    assert text.encoding == "gb18030" and text.format == "txt"
    assert text.text == SAMPLE.read_text(encoding="utf-8")
    assert parse_loaded(text).source.text == text.text  # no file to read it from again
    # UTF-8 served as GBK (a common server default) is still read as UTF-8
    mislabelled = load_bytes(SAMPLE.read_bytes(), "x", charset="gbk")
    assert mislabelled.encoding == "utf-8" and mislabelled.text == SAMPLE.read_text(encoding="utf-8")


def test_redirect_is_followed_and_recorded(server: str) -> None:
    loaded = fetch.load_url(f"{server}/redirect")
    assert loaded.name == f"{server}/redirect" and loaded.url == f"{server}/gbk.html"
    with pytest.raises(InputError) as err:
        fetch.load_url(f"{server}/loop")
    assert str(err.value) == f"{server}/loop: too many redirects (more than {fetch.MAX_REDIRECTS})"


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_size_limit(server: str, path: str) -> None:
    with pytest.raises(InputError) as err:
        fetch.load_url(f"{server}{path}", max_bytes=1000)
    assert str(err.value).startswith(f"{server}{path}: ")
    assert "exceeds the 1000 bytes limit" in str(err.value) or "larger than the 1000 bytes limit" in str(err.value)


def test_page_that_only_links_its_attachment(server: str) -> None:
    url = f"{server}/attachment.html"
    loaded = fetch.load_url(url)
    assert loaded.format == "docx"
    assert loaded.name == url and loaded.url == f"{server}/files/%E9%80%9A%E6%8A%A5.docx"
    doc = parse_loaded(loaded)
    want = parse_loaded(load_bytes(_docx(), "notice.docx"))
    assert doc.model_dump(exclude={"source"}) == want.model_dump(exclude={"source"})
    assert doc.source.url == loaded.url


def test_page_with_its_own_text_is_not_left_for_an_attachment() -> None:
    got = fetch.Fetched("http://h/n.html", _plain_page(True).replace(
        "</article>", "<p>附件：<a href='a.pdf'>明细表.pdf</a></p></article>").encode("gbk"), "text/html", None)
    assert fetch.attachment_link(got, SAMPLE.read_text(encoding="utf-8")) is None
    assert fetch.attachment_link(got, TITLE + "\n附件：明细表.pdf\n") == "http://h/a.pdf"


def test_http_error_is_one_line(server: str) -> None:
    with pytest.raises(InputError) as err:
        fetch.load_url(f"{server}/missing")
    assert str(err.value) == f"{server}/missing: HTTP 404 Not Found"


def test_timeout(server: str) -> None:
    with pytest.raises(InputError) as err:
        fetch.load_url(f"{server}/slow", timeout=0.5)
    assert str(err.value) == f"{server}/slow: timed out (no response within 0.5 s)"


def test_connection_refused() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match=rf"^http://127\.0\.0\.1:{port}/x: cannot connect \("):
        fetch.load_url(f"http://127.0.0.1:{port}/x")


def test_at_most_two_requests_at_a_time_per_host(server: str) -> None:
    _Handler.peak = 0
    threads = [threading.Thread(target=fetch.fetch, args=(f"{server}/hold?{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _Handler.peak == 2


def test_cli_parse_url(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", f"{server}/gbk.html"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"]["url"] == f"{server}/gbk.html"
    assert main(["parse", f"{server}/missing"]) == 2
    assert capsys.readouterr().err.strip() == f"report-parser: {server}/missing: HTTP 404 Not Found"


def test_batch_urls(server: str, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# notices\n{server}/gbk.html\n\n{server}/attachment.html\n{server}/missing\n",
                       encoding="utf-8")
    assert fetch.read_url_list(listing) == [f"{server}/gbk.html", f"{server}/attachment.html", f"{server}/missing"]
    result = run_batch([], tmp_path / "out", jobs=2, urls=fetch.read_url_list(listing))
    docs = [json.loads(ln) for ln in (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(d["source"]["name"] for d in docs) == [f"{server}/attachment.html", f"{server}/gbk.html"]
    assert {d["source"]["url"] for d in docs} == {f"{server}/gbk.html", f"{server}/files/%E9%80%9A%E6%8A%A5.docx"}
    assert result.errors == [{"file": f"{server}/missing", "reason": "HTTP 404 Not Found", "kind": "failed"}]
    assert main(["batch", "-q", "--urls", str(listing), "-o", str(tmp_path / "out2"), "-j", "1"]) == 1


def test_attachment_named_only_by_its_link_text() -> None:
    page = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
            f"<p>附件：<a href='/download.jsp?fileid=12'>{TITLE}.pdf（56KB）</a></p>"
            f"<p>相关链接：<a href='/other.html'>其他通报</a></p></body></html>")
    got = fetch.Fetched("http://h/a/page.html", page.encode(), "text/html; charset=utf-8", "utf-8")
    assert fetch.attachment_link(got, TITLE + "\n附件：通报.pdf（56KB）\n") == "http://h/download.jsp?fileid=12"
