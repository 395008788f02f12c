"""The corpus report: one self-contained HTML page comparing the units of a batch output directory.

A sortable table keyed by unit and SVG charts (problems and measures per unit, status shares, totals by level,
sector, region and scheme, topic areas when the batch ran with --analyze). The SVG text is drawn by the browser
with its own fonts, so Chinese labels render wherever a CJK font is installed; no script or font is fetched.
"""

from __future__ import annotations

import html
import json
import math
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .view import LEVEL_ZH, SECTOR_ZH, STATUS_ZH, SUBJECT_ZH, walk

MAX_UNITS_CHARTED = 40
TOTAL_SUBJECTS = ("completion_rate", "people_disciplined", "funds_recovered")
STATUS_COLOURS = {"done": "#2e7d32", "partial": "#7b9a1e", "ongoing": "#e08a00", "planned": "#1565c0",
                  "none": "#c9c9cc"}
FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


# ---------------------------------------------------------------------------------------------- data


@dataclass
class UnitRow:
    doc_id: str
    unit: str
    key: str | None
    name: str | None
    level: str | None
    sector: str | None
    province: str | None
    region: str | None
    scheme: str | None
    feedback_date: str | None
    problems: int
    measures: int
    figures: int
    quantified: float | None
    measure_status: dict[str, int]
    problem_status: dict[str, int]
    totals: dict[str, float | None]
    topics: Counter[str]


def _facts_from_json(d: Mapping[str, Any]) -> dict[str, Any]:
    """What the tables may not carry: schema 1.1 comparison fields, totals, problem status and topics."""
    issuer = d.get("issuer") or {}
    insp = d.get("inspection") or {}
    region = issuer.get("region") or {}
    totals_raw = d.get("totals") or {}
    totals: dict[str, float | None] = {}
    for subj in TOTAL_SUBJECTS:
        m = totals_raw.get(subj) if isinstance(totals_raw, Mapping) else None
        if m is None:  # before schema 1.1: the first summary figure with that subject
            m = next((x for x in d.get("summary") or [] if x.get("subject") == subj and x.get("value") is not None),
                     None)
        totals[subj] = float(m["value"]) if m and m.get("value") is not None else None
    problem_status: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    for _, _, n in walk(d):
        if n.get("role") == "problem":
            problem_status[n.get("status") or "none"] += 1
            for t in n.get("topics") or []:
                topics[t.get("area")] += 1
    return {
        "key": issuer.get("key"), "sector": issuer.get("sector"), "province": region.get("province"),
        "region": "".join(region.get(k) or "" for k in ("province", "city", "county")) or None,
        "level": insp.get("level"), "scheme": insp.get("scheme"), "totals": totals,
        "problem_status": problem_status if any(k != "none" for k in problem_status) else Counter(),
        "topics": topics,
    }


def _read_json_lines(path: Path) -> Iterable[dict[str, Any]]:
    with open(path, "rb") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


def load_units(tables_dir: str | os.PathLike[str]) -> list[UnitRow]:
    """One row per document of a batch output directory, from its tables and documents.jsonl."""
    import pandas as pd

    from .batch import DOCUMENTS_JSONL
    from .frames import doc_id

    out = Path(tables_dir)
    docs = pd.read_parquet(out / "documents.parquet")
    measures = pd.read_parquet(out / "measures.parquet", columns=["doc_id", "status", "has_figure"])
    facts: dict[str, dict[str, Any]] = {}
    if (out / DOCUMENTS_JSONL).is_file():
        for d in _read_json_lines(out / DOCUMENTS_JSONL):
            facts[doc_id((d.get("source") or {}).get("sha256") or "")] = _facts_from_json(d)
    status_counts = measures.groupby(["doc_id", measures["status"].fillna("none")]).size()
    quantified = measures.groupby("doc_id")["has_figure"].mean()
    n_measures = measures.groupby("doc_id").size()
    rows = []
    for d in docs.to_dict(orient="records"):
        did = d["doc_id"]
        f = facts.get(did, {})
        name = d.get("issuer") if isinstance(d.get("issuer"), str) else None
        st = status_counts.get(did)
        rows.append(UnitRow(
            doc_id=did,
            unit=name or Path(str(d.get("name"))).stem,
            key=f.get("key") or _str(d.get("issuer_key")),
            name=name,
            level=f.get("level") or _str(d.get("level")),
            sector=f.get("sector") or _str(d.get("sector")),
            province=f.get("province"),
            region=f.get("region"),
            scheme=f.get("scheme") or _str(d.get("scheme")),
            feedback_date=_str(d.get("feedback_date")),
            problems=int(d.get("n_problems") or 0),
            measures=int(n_measures.get(did, 0)),
            figures=int(d.get("n_metrics") or 0),
            quantified=float(quantified[did]) if did in quantified.index else None,
            measure_status={str(k): int(v) for k, v in st.items()} if st is not None else {},
            problem_status=dict(f.get("problem_status") or {}),
            totals=f.get("totals") or {s: _float(d.get(s)) for s in TOTAL_SUBJECTS},
            topics=f.get("topics") or Counter(),
        ))
    rows.sort(key=lambda r: (r.key or r.unit, r.feedback_date or "", r.doc_id))
    return rows


def _topic_names() -> dict[str, str]:
    from importlib.resources import files

    data = json.loads(files("report_parser.data").joinpath("topics_cues.json").read_text(encoding="utf-8"))
    return {a["id"]: a.get("label_zh") or a["id"] for a in data.get("areas", [])}


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


# ---------------------------------------------------------------------------------------------- SVG charts


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return ""
    if pct:
        return f"{v:.0%}"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.2f}"


def _clip(s: str, n: int = 16) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def hbar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *,
               stacked: bool = False, pct: bool = False, note: str = "") -> str:
    """Horizontal bars, one row per label: grouped (one bar per series) or stacked; SVG with text as text."""
    label_w, bar_w, row_gap = 224, 420, 6
    n_series = len(series)
    bar_h = 14 if stacked else 9
    row_h = (bar_h if stacked else bar_h * n_series) + row_gap
    top = 46
    height = top + row_h * len(labels) + 24
    width = label_w + bar_w + 80
    if stacked:
        vmax = max([sum(v or 0 for v in vals) for vals in zip(*[s[1] for s in series], strict=True)] or [0]) or 1
    else:
        vmax = max([v for s in series for v in s[1] if v is not None] or [0]) or 1
    vmax = 1.0 if pct and vmax <= 1 else _nice(vmax)
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img">',
           f'<title>{_e(title)}</title><text x="0" y="16" font-size="15" font-weight="700">{_e(title)}</text>']
    x = label_w
    for name, _, colour in series:  # the legend
        out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="35" font-size="11">{_e(name)}</text>')
        x += 28 + 12 * len(name)
    for i, label in enumerate(labels):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + (row_h - row_gap) / 2 + 4}" text-anchor="end">'
                   f'<title>{_e(label)}</title>{_e(_clip(label))}</text>')
        acc = 0.0
        for j, (name, vals, colour) in enumerate(series):
            v = vals[i]
            if v is None:
                continue
            w = bar_w * v / vmax
            if stacked:
                out.append(f'<rect x="{label_w + bar_w * acc / vmax:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                           f'fill="{colour}"><title>{_e(label)} · {_e(name)}: {_fmt(v, pct)}</title></rect>')
                acc += v
            else:
                by = y + j * bar_h
                out.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h - 1}" fill="{colour}">'
                           f'<title>{_e(label)} · {_e(name)}: {_fmt(v, pct)}</title></rect>'
                           f'<text x="{label_w + w + 4:.1f}" y="{by + bar_h - 1}" font-size="10" fill="#555">'
                           f'{_fmt(v, pct)}</text>')
    axis_y = top + row_h * len(labels)
    out.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{axis_y}" stroke="#999"/>')
    for k in range(5):
        tx = label_w + bar_w * k / 4
        out.append(f'<text x="{tx:.1f}" y="{axis_y + 14}" font-size="10" fill="#777" text-anchor="middle">'
                   f'{_fmt(vmax * k / 4, pct)}</text>')
    if note:
        out.append(f'<text x="{width}" y="16" font-size="11" fill="#777" text-anchor="end">{_e(note)}</text>')
    out.append("</svg>")
    return "".join(out)


def _nice(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above v: round axis ticks at quarters."""
    k = 10 ** math.floor(math.log10(v)) if v > 0 else 1
    return next(m * k for m in (1, 2, 2.5, 5, 10) if m * k >= v)


def _charted(rows: list[UnitRow]) -> tuple[list[UnitRow], str]:
    if len(rows) <= MAX_UNITS_CHARTED:
        return rows, ""
    top = sorted(rows, key=lambda r: -r.problems)[:MAX_UNITS_CHARTED]
    return top, f"问题最多的 {MAX_UNITS_CHARTED} 个（共 {len(rows)} 个）"


def _labels(rows: list[UnitRow]) -> list[str]:
    seen: Counter[str] = Counter(r.unit for r in rows)
    out, k = [], Counter()
    for r in rows:
        if seen[r.unit] > 1:
            k[r.unit] += 1
            out.append(f"{r.unit} ({r.feedback_date or k[r.unit]})")
        else:
            out.append(r.unit)
    return out


def _by_group(rows: list[UnitRow], attr: str, names: Mapping[str, str]) -> str | None:
    groups: dict[str, list[UnitRow]] = {}
    for r in rows:
        g = getattr(r, attr)
        if g:
            groups.setdefault(g, []).append(r)
    if not groups:
        return None
    keys = sorted(groups, key=lambda g: -len(groups[g]))[:MAX_UNITS_CHARTED]
    labels = [f"{names.get(g, g)} ({len(groups[g])})" for g in keys]

    def mean(vals: list[float | None]) -> float | None:
        vals = [v for v in vals if v is not None]
        return sum(vals) / len(vals) if vals else None

    def total(vals: list[float | None]) -> float | None:
        vals = [v for v in vals if v is not None]
        return sum(vals) if vals else None

    rate = [mean([_rate(r.totals.get("completion_rate")) for r in groups[g]]) for g in keys]
    people = [total([r.totals.get("people_disciplined") for r in groups[g]]) for g in keys]
    funds = [total([r.totals.get("funds_recovered") for r in groups[g]]) for g in keys]
    funds = [None if v is None else v / 10_000 for v in funds]  # values are in 元
    charts = [hbar_chart("整改完成率（平均）", labels, [("完成率", rate, "#2e7d32")], pct=True),
              hbar_chart("处理人数（合计）", labels, [("人数", people, "#c62828")]),
              hbar_chart("追缴资金（合计，万元）", labels, [("万元", funds, "#6a1b9a")])]
    return '<div class="row">' + "".join(charts) + "</div>"


def _rate(v: float | None) -> float | None:
    if v is None:
        return None
    return v / 100 if v > 1 else v


# ---------------------------------------------------------------------------------------------- the page

_COLUMNS = [("unit", "单位", "s"), ("key", "分组键", "s"), ("level", "层级", "s"), ("sector", "类型", "s"),
            ("region", "地区", "s"), ("feedback_date", "反馈日期", "s"), ("problems", "问题", "n"),
            ("measures", "措施", "n"), ("per_problem", "措施/问题", "n"), ("figures", "数据", "n"),
            ("quantified", "含数据措施", "p"), ("done", "已完成", "p"), ("ongoing", "推进中", "p"),
            ("planned", "计划", "p"), ("completion_rate", "整改完成率", "p"), ("people_disciplined", "处理人数", "n"),
            ("funds_recovered", "追缴资金(元)", "n"), ("doc_id", "doc_id", "s")]

_CSS = f"""
body{{margin:0;padding:16px 24px;font-family:{FONT};color:#1d1d1f;background:#fbfaf7}}
h1{{font-size:20px;margin:0 0 4px}}h2{{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}}
.meta{{color:#666;font-size:13px}}.note{{color:#777;font-size:12px}}
.row{{display:flex;flex-wrap:wrap;gap:18px}}svg.chart{{background:#fff;border:1px solid #e4e1da;padding:6px;
border-radius:4px}}
.wrap{{max-height:70vh;overflow:auto;border:1px solid #e4e1da;background:#fff}}
table.sortable{{border-collapse:collapse;font-size:12.5px;white-space:nowrap}}
table.sortable th{{position:sticky;top:0;background:#f1efe9;cursor:pointer;padding:5px 8px;text-align:left;
user-select:none}}
table.sortable th[aria-sort=ascending]::after{{content:" ▲"}}table.sortable th[aria-sort=descending]::after{{content:" ▼"}}
table.sortable td{{padding:3px 8px;border-top:1px solid #eee}}table.sortable td.n,table.sortable td.p{{text-align:right}}
table.sortable tbody tr:hover{{background:#fff7d6}}
"""

_JS = """
(function(){
document.querySelectorAll('table.sortable').forEach(function(t){
 var ths=t.querySelectorAll('th'),body=t.tBodies[0];
 ths.forEach(function(th,i){th.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending',num=th.dataset.type!=='s';
  ths.forEach(function(x){x.removeAttribute('aria-sort');});th.setAttribute('aria-sort',asc?'ascending':'descending');
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v;
   if(x===''&&y==='')return 0;if(x==='')return 1;if(y==='')return -1;
   var c=num?(Number(x)-Number(y)):x.localeCompare(y,'zh-CN');return asc?c:-c;});
  var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);});body.appendChild(f);});});});
document.documentElement.setAttribute('data-ready','1');
})();
"""


def _table(rows: list[UnitRow]) -> str:
    present = {c for c, _, _ in _COLUMNS}
    for col in ("key", "level", "sector", "region"):
        if not any(getattr(r, col) for r in rows):
            present.discard(col)
    cols = [c for c in _COLUMNS if c[0] in present]
    head = "".join(f'<th data-col="{c}" data-type="{t}" title="{c}">{_e(zh)}</th>' for c, zh, t in cols)
    body = []
    for r in rows:
        n_m = r.measures or 0
        vals: dict[str, Any] = {
            "unit": r.unit, "key": r.key, "level": LEVEL_ZH.get(r.level or "", r.level),
            "sector": SECTOR_ZH.get(r.sector or "", r.sector), "region": r.region, "feedback_date": r.feedback_date,
            "problems": r.problems, "measures": r.measures,
            "per_problem": round(r.measures / r.problems, 2) if r.problems else None, "figures": r.figures,
            "quantified": r.quantified,
            **{s: (r.measure_status.get(s, 0) / n_m if n_m else None) for s in ("done", "ongoing", "planned")},
            "completion_rate": _rate(r.totals.get("completion_rate")),
            "people_disciplined": r.totals.get("people_disciplined"),
            "funds_recovered": r.totals.get("funds_recovered"), "doc_id": r.doc_id,
        }
        cells = []
        for c, _, t in cols:
            v = vals[c]
            shown = _fmt(v, pct=True) if t == "p" else (_fmt(v) if t == "n" else (v or ""))
            sort_v = "" if v is None else (f"{v:.6g}" if t != "s" else str(v))
            cells.append(f'<td class="{t}" data-col="{c}" data-v="{_e(sort_v)}">{_e(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="wrap"><table class="sortable"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def render_report(rows: list[UnitRow], title: str = "巡察整改通报 · 单位比较") -> str:
    charted, note = _charted(rows)
    labels = _labels(charted)
    parts = [f"<h2>单位一览 <span class='note'>点击表头排序</span></h2>{_table(rows)}"]
    parts.append("<h2>各单位问题与措施</h2>" + hbar_chart(
        "问题与措施数量", labels, [("问题", [r.problems for r in charted], "#c62828"),
                                   ("措施", [r.measures for r in charted], "#00796b")], note=note))
    statuses = ["done", "partial", "ongoing", "planned", "none"]

    def shares(r: UnitRow, counts: dict[str, int]) -> list[float]:
        n = sum(counts.values())
        return [counts.get(s, 0) / n if n else 0 for s in statuses]

    status_charts = []
    for what, attr in (("措施", "measure_status"), ("问题", "problem_status")):
        if not any(getattr(r, attr) for r in charted):
            continue
        m = [shares(r, getattr(r, attr)) for r in charted]
        series = [(STATUS_ZH.get(s, "未标明"), [x[i] for x in m], STATUS_COLOURS[s]) for i, s in enumerate(statuses)]
        status_charts.append(hbar_chart(f"{what}状态占比", labels, series, stacked=True, pct=True, note=note))
    parts.append("<h2>整改状态</h2><div class='row'>" + "".join(status_charts) + "</div>")
    parts.append("<h2>合计数据</h2><p class='note'>"
                 + "、".join(SUBJECT_ZH[s] for s in TOTAL_SUBJECTS) + "：取每份通报对全单位的合计数"
                 "（schema 1.1 的 totals；较早的表取概述中第一个同类数据）。</p>")
    missing = []
    for attr, label, names in (("level", "按巡察层级", LEVEL_ZH), ("sector", "按单位类型", SECTOR_ZH),
                               ("province", "按地区（省）", {}), ("scheme", "按巡视巡察", {})):
        block = _by_group(rows, attr, names)
        if block:
            parts.append(f"<h3>{label}</h3>{block}")
        else:
            missing.append(label)
    if missing:
        parts.append(f"<p class='note'>{'、'.join(missing)}：这些表中没有相应字段（schema 1.1 的比较字段）。</p>")
    topics: Counter[str] = Counter()
    for r in rows:
        topics.update(r.topics)
    if topics:
        top = topics.most_common(MAX_UNITS_CHARTED)
        names = _topic_names()
        parts.append("<h2>问题领域</h2>" + hbar_chart("问题领域（问题数）", [names.get(t, t) for t, _ in top],
                                                  [("问题", [float(n) for _, n in top], "#6a3d9a")]))
    else:
        parts.append("<h2>问题领域</h2><p class='note'>批处理未使用 --analyze，没有问题领域。</p>")
    meta = f"{len(rows)} 份通报 · {len({r.key or r.unit for r in rows})} 个单位"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
            f'script-src \'unsafe-inline\'; img-src data:">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
            f"<div class='meta'>{_e(meta)}</div>{''.join(parts)}<script>{_JS}</script></body></html>\n")


def write_report(tables_dir: str | os.PathLike[str], output: str | os.PathLike[str]) -> Path:
    rows = load_units(tables_dir)
    out = Path(output)
    out.write_text(render_report(rows), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------------------- command line


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("report", help="write a self-contained HTML report comparing the units of a batch",
                       description="Read a directory written by `report-parser batch` and write one HTML page.")
    p.add_argument("outdir", metavar="TABLES_DIR", help="a directory written by `report-parser batch`")
    p.add_argument("-o", "--output", metavar="OUT", default="report.html", help="the HTML file (default report.html)")
    p.set_defaults(func=_cmd_report)


def check_tables_dir(path: str, command: str) -> str | None:
    """One line naming the directory and what is wrong with it, or None when it holds batch tables."""
    out = Path(path)
    if not out.is_dir():
        return f"report-parser {command}: error: {out}: no such directory"
    for t in ("documents", "measures"):
        if not (out / f"{t}.parquet").is_file():
            return f"report-parser {command}: error: {out}: not a batch output directory (no {t}.parquet)"
    return None


def _cmd_report(args: Any) -> int:
    problem = check_tables_dir(args.outdir, "report")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        out = write_report(args.outdir, args.output)
    except OSError as e:
        print(f"report-parser report: {args.output}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 2
    print(out)
    return 0
