"""The review page and the notebook view, checked as HTML without a browser (test_browser.py drives Chromium).

Every element with `data-span` must hold exactly that slice of the source as its text; every node and every
figure of the Document must be marked exactly once; nothing may point outside the file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, NANKAI, SAMPLE

from report_parser import parse_file
from report_parser.cli import main
from report_parser.decode import load_path
from report_parser.pipeline import parse_loaded
from report_parser.view import render_page, repr_html, walk

INPUTS = [NANKAI, FIXTURES / "notices" / "r7-07-school-oneline.txt", SAMPLE, FIXTURES / "formats" / "notice-numbered.docx", FIXTURES / "formats" / "notice-gbk.html",
          FIXTURES / "formats" / "notice-2pages.pdf", FIXTURES / "formats" / "notice-utf8-bom-crlf.txt",
          *sorted((FIXTURES / "layouts").glob("*.txt"))]
VOID = {"meta", "br", "img", "input", "link", "hr", "wbr"}


class Marked(HTMLParser):
    """Collects every element with data-span: its attributes and its text content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[str]]] = []
        self.marked: list[tuple[dict[str, str], str]] = []
        self.urls: list[str] = []
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for k in ("src", "href", "action", "srcset", "poster", "data"):
            if k in a and not a[k].startswith("#"):
                self.urls.append(a[k])
        if "id" in a:
            self.ids[a["id"]] += 1
        if tag not in VOID:
            self.stack.append((tag, a, []))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        t, a, parts = self.stack.pop()
        assert t == tag, (t, tag)
        text = "".join(parts)
        if "data-span" in a:
            self.marked.append((a, text))
        if self.stack:
            self.stack[-1][2].append(text)

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)


def check_page(page: str, doc, source: str) -> Marked:
    p = Marked()
    p.feed(page)
    p.close()
    assert not p.urls, p.urls  # no src/href to anything outside the page
    assert not re.search(r"url\(|@import|https?://", page.split("<body", 1)[0])  # nor from the CSS
    assert all(n == 1 for n in p.ids.values()), [i for i, n in p.ids.items() if n > 1]
    for a, text in p.marked:
        s, e = map(int, a["data-span"].split(","))
        assert text == source[s:e], (a, text[:40], source[s:e][:40])
        assert ("data-role" in a) + ("data-kind" in a) + ("data-part" in a) == 1, a
    d = doc.model_dump(mode="json")
    nodes = Counter((path, n["role"], tuple(n["span"])) for path, _, n in walk(d))
    shown = Counter((a["data-path"], a["data-role"], tuple(map(int, a["data-span"].split(","))))
                    for a, _ in p.marked if "data-role" in a)
    assert shown == nodes
    figures = [m for m in d["summary"]] + [m for _, _, n in walk(d) for m in n["metrics"]]
    assert Counter((m["kind"], tuple(m["span"])) for m in figures) == Counter(
        (a["data-kind"], tuple(map(int, a["data-span"].split(",")))) for a, _ in p.marked if "data-kind" in a)
    return p


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_every_node_and_figure_marked_once_with_its_text(path: Path):
    loaded = load_path(path)
    doc = parse_loaded(loaded)
    rendered = render_page(doc, loaded.text)
    assert not [m for m in rendered.dropped if m.essential]
    p = check_page(rendered.html, doc, loaded.text)
    assert p.marked


def test_parts_facts_and_warnings_are_shown():
    loaded = load_path(NANKAI)
    doc = parse_loaded(loaded)
    page = render_page(doc, loaded.text).html
    p = check_page(page, doc, loaded.text)
    parts = Counter(a["data-part"] for a, _ in p.marked if "data-part" in a)
    assert parts["inspection"] == 1 and parts["issuer"] == 1 and parts["heading"] > 20
    assert doc.issuer.name in page and doc.inspection.inspector in page
    for w in doc.warnings:
        assert w.code in page
    # the outline links every node, each to an element that exists
    targets = re.findall(r'data-target="(n-[\d-]+)"', page)
    assert len(targets) == len(list(doc.walk()))
    assert all(f'id="{t}"' in page for t in targets)


def test_skipped_text_and_chrome_are_marked():
    loaded = load_path(FIXTURES / "formats" / "notice-gbk.html")
    doc = parse_loaded(loaded)
    page = render_page(doc, loaded.text).html
    p = check_page(page, doc, loaded.text)
    assert sum(1 for a, _ in p.marked if a.get("data-part") == "chrome") == len(doc.chrome)
    # text in no part is flagged, and the flagged runs are exactly what coverage misses
    path = FIXTURES / "notices" / "r7-07-school-oneline.txt"
    loaded = load_path(path)
    doc = parse_loaded(loaded)
    assert doc.coverage < 1
    p = check_page(render_page(doc, loaded.text).html, doc, loaded.text)
    skipped = "".join(t for a, t in p.marked if a.get("data-part") == "skipped")
    missing = round((1 - len("".join(skipped.split())) / len("".join(loaded.text.split()))), 4)
    assert missing == doc.coverage


def test_cr_and_markup_characters_survive(tmp_path):
    f = tmp_path / "cr.txt"
    f.write_bytes("关于巡察整改情况的通报\r\n一、<b>问题</b> & 措施\r\n（一）存在问题3个。\r\n1.已完成整改2项。\r\n".encode())
    loaded = load_path(f)
    doc = parse_loaded(loaded)
    check_page(render_page(doc, loaded.text).html, doc, loaded.text)
    src = "一、问题\r\n（一）存在问题\r3个。\n1.整改<2>项。"
    from report_parser import parse

    doc = parse(src)
    check_page(render_page(doc, src).html, doc, src)


def test_view_command_writes_one_file(tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["view", str(FIXTURES / "formats" / "notice-numbered.docx"), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["view", str(tmp_path / "missing.txt"), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.txt" in err[0]


def test_repr_html_in_notebooks():
    doc = parse_file(SAMPLE)
    h = doc._repr_html_()
    assert "中共宽甸满族自治县招商服务中心党组" in h and "<script" not in h
    assert 'id="' not in h  # ids would clash between outputs in one notebook
    p = Marked()
    p.feed(h)
    text = load_path(SAMPLE).text
    assert p.marked and all(t == text[int(a["data-span"].split(",")[0]):int(a["data-span"].split(",")[1])]
                            for a, t in p.marked)
    from report_parser import parse

    h = repr_html(parse(text))  # from a string: no source to show, but facts and outline
    assert "not in this Document" in h and "问题" in h


def with_comparison_fields(d: dict) -> dict:
    """A Document dict with the schema 1.1 comparison fields filled in, as that parser version writes them."""
    d = json.loads(json.dumps(d))
    d["issuer"].update(key="南开大学党委", aliases=["南开大学党委"], sector="school",
                       region={"province": "天津市", "city": "天津市", "county": None})
    d["inspection"].update(level="central", round="十九届中央第八轮")
    first = next(m for _, _, n in walk(d) for m in n["metrics"] if m["kind"] == "count")
    d["totals"] = {"problems_fed_back": {**first, "subject": "problems_fed_back"}}
    problems = [n for _, _, n in walk(d) if n["role"] == "problem"]
    for n, st in zip(problems, ["done", "partial", "ongoing"], strict=False):
        n["status"] = st
    return d


def test_schema_1_1_fields_are_shown_when_present():
    loaded = load_path(NANKAI)
    doc = parse_loaded(loaded)
    d = with_comparison_fields(doc.model_dump(mode="json"))
    page = render_page(d, loaded.text).html
    facts = page.split('id="side-panel"', 1)[1]
    for shown in ("南开大学党委", "学校", "天津市天津市", "中央", "十九届中央第八轮", "问题状态", "基本完成"):
        assert shown in facts, shown
    span = d["totals"]["problems_fed_back"]["span"]
    target = re.search(rf'<span id="([^"]+)" data-kind="[^"]+"[^>]*data-span="{span[0]},{span[1]}"', page)
    assert target and f'data-target="{target.group(1)}"' in facts
    assert 'data-status="partial"' in page
