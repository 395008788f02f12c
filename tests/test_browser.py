"""The review page and the corpus report in a real browser: Debian's Chromium driven headless by playwright.

Pages load from file://; every request is recorded (only the page itself may be fetched) and every console
error fails. Screenshots go to tests/output/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, NANKAI, ROOT

from report_parser.decode import load_path
from report_parser.pipeline import parse_loaded
from report_parser.view import render_page, walk

CHROMIUM = os.environ.get("REPORT_PARSER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = ROOT / "tests" / "output"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

try:
    import playwright.sync_api  # noqa: F401
    _PLAYWRIGHT = True
except ImportError:
    _PLAYWRIGHT = False

pytestmark = [
    pytest.mark.skipif(not _PLAYWRIGHT, reason="playwright is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1400, "height": 900}, locale="zh-CN")
        try:
            yield ctx
        finally:
            ctx.close()


class Recorded:
    def __init__(self, ctx, url: str) -> None:
        self.page = ctx.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = url
        self.page.goto(url)
        self.page.wait_for_selector("html[data-ready]")

    def check_quiet(self) -> None:
        assert self.errors == []
        assert self.requests == [self.url]


MARKED_JS = """() => Array.from(document.querySelectorAll('[data-span]')).map(e => ({
  span: e.dataset.span, role: e.dataset.role || null, path: e.dataset.path || null, kind: e.dataset.kind || null,
  text: e.textContent}))"""


@pytest.mark.parametrize("path", [NANKAI, FIXTURES / "formats" / "notice-numbered.docx"], ids=lambda p: p.suffix)
def test_review_page(browser, path, tmp_path):
    loaded = load_path(path)
    doc = parse_loaded(loaded)
    source = loaded.text
    page_file = tmp_path / f"{path.stem}.html"
    page_file.write_text(render_page(doc, source).html, encoding="utf-8")
    rec = Recorded(browser, page_file.as_uri())
    page = rec.page

    # every node and figure marked once, each element's text exactly its span
    marked = page.evaluate(MARKED_JS)
    for m in marked:
        s, e = map(int, m["span"].split(","))
        assert m["text"] == source[s:e]
    d = doc.model_dump(mode="json")
    assert Counter((m["path"], m["role"], m["span"]) for m in marked if m["role"]) == Counter(
        (p, n["role"], f"{n['span'][0]},{n['span'][1]}") for p, _, n in walk(d))
    figures = d["summary"] + [m for _, _, n in walk(d) for m in n["metrics"]]
    assert Counter((m["kind"], m["span"]) for m in marked if m["kind"]) == Counter(
        (f["kind"], f"{f['span'][0]},{f['span'][1]}") for f in figures)

    # click an outline item far down: its span is highlighted and in view in the source panel
    paths = [p for p, _, n in walk(d) if n["role"] in ("problem", "measure")]
    target = "n-" + paths[int(len(paths) * 0.8)].replace("/", "-")
    page.click(f'#outline-panel a[data-target="{target}"]')
    el = page.locator(f"#{target}")
    assert "hl" in el.get_attribute("class").split()
    in_view = page.evaluate("""id => { const r = document.getElementById(id).getClientRects()[0];
        const p = document.getElementById('source-panel').getBoundingClientRect();
        return r.top >= p.top - 1 && r.top < p.bottom && r.height > 0; }""", target)
    assert in_view
    assert page.evaluate("id => getComputedStyle(document.getElementById(id)).outlineStyle", target) == "solid"
    assert cjk_fonts(page, "#source"), "no CJK font drew the source text"
    page.screenshot(path=str(_out(f"view-{path.stem}-clicked.png")))

    # hover a figure: the tooltip shows its kind, value, unit and subject
    with_value = [f for f in figures if f.get("value") is not None and f.get("unit")]
    f = with_value[len(with_value) // 2]
    fig = page.locator(f'[data-kind][data-span="{f["span"][0]},{f["span"][1]}"]').first
    fig.hover()
    tip = page.locator("#tip")
    assert tip.is_visible()
    text = tip.inner_text()
    value = f["value"]
    shown_value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    assert f["kind"] in text and shown_value in text and f["unit"] in text
    if f.get("subject"):
        assert f["subject"] in text
    page.screenshot(path=str(_out(f"view-{path.stem}-tooltip.png")))

    # a warning's link goes to its span
    link = page.locator("#side-panel .warnings a[data-target]")
    if link.count():
        link.first.click()
        tid = link.first.get_attribute("data-target")
        assert "hl" in page.locator(f"#{tid}").get_attribute("class").split()
    rec.check_quiet()
    page.close()


def test_corpus_report(browser, tmp_path):
    from report_parser.batch import run_batch
    from report_parser.report import write_report

    notices = [NANKAI, ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt",
               *sorted((FIXTURES / "notices").glob("n0*.txt"))[:6]]
    result = run_batch(notices, tmp_path / "tables", jobs=1, progress=False)
    assert result.status == 0
    out = write_report(tmp_path / "tables", tmp_path / "report.html")
    rec = Recorded(browser, out.as_uri())
    page = rec.page
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    labels = page.evaluate("Array.from(document.querySelectorAll('svg.chart text')).map(t => t.textContent)")
    assert any("南开大学" in t for t in labels) and any("问题" in t for t in labels)
    assert cjk_fonts(page, "svg.chart > text"), "no CJK font drew the chart labels"
    # sortable: a click on the problems header orders the rows by it
    rows = page.locator("table.sortable tbody tr")
    assert rows.count() == len(notices)
    page.click("table.sortable th[data-col='problems']")
    first = page.evaluate("""Array.from(document.querySelectorAll('table.sortable tbody tr'))
        .map(r => Number(r.querySelector('td[data-col=problems]').dataset.v))""")
    assert first == sorted(first) or first == sorted(first, reverse=True)
    page.click("table.sortable th[data-col='problems']")
    second = page.evaluate("""Array.from(document.querySelectorAll('table.sortable tbody tr'))
        .map(r => Number(r.querySelector('td[data-col=problems]').dataset.v))""")
    assert second == list(reversed(first)) and first != second
    page.screenshot(path=str(_out("report.png")), full_page=True)
    rec.check_quiet()
    page.close()


CJK_FAMILY = re.compile(r"CJK|Han Sans|Han Serif|Hei|Song|Ming|Kai|WenQuanYi|Droid Sans Fallback|SC$|TC$|JP$", re.I)


def cjk_fonts(page, selector: str) -> list[str]:
    """The fonts Chromium used for the text directly in the first element matching `selector` that are CJK fonts
    (DevTools protocol: CSS.getPlatformFontsForNode), so boxes for missing glyphs would fail the test."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return [f["familyName"] for f in fonts if f["glyphCount"] and CJK_FAMILY.search(f["familyName"])]


def _out(name: str) -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT / name
