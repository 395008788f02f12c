"""The review page: one self-contained HTML file showing the source text with every extracted part marked.

Every marked element carries `data-span="START,END"` and its text content is exactly `source[START:END]`;
body nodes carry `data-role`, figures `data-kind`, every other part `data-part`. Marks nest as elements
(a figure inside a measure inside a problem), each node and each figure exactly once. No network request:
the CSS and JS are inline, and the browser draws the text with its own fonts.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

ROLE_ZH = {"section": "部分", "category": "类别", "problem": "问题", "measure": "措施", "paragraph": "段落"}
STATUS_ZH = {"done": "已完成", "partial": "基本完成", "ongoing": "推进中", "planned": "计划"}
KIND_ZH = {"count": "数量", "money": "金额", "percent": "百分比", "ratio": "比例", "date": "日期",
           "period": "期间", "duration": "时长"}
PART_ZH = {"title": "标题", "issuer": "被巡察单位", "inspection": "巡察信息", "preamble": "导语", "closing": "结语",
           "signature": "落款", "attachments": "附件", "contact": "联系方式", "phone": "电话", "email": "邮箱",
           "address": "地址", "postcode": "邮编", "chrome": "网页内容", "skipped": "未解析", "heading": "标题行",
           "field": "字段", "warning": "警告"}
LEVEL_ZH = {"central": "中央", "province": "省级", "city": "市级", "county": "县级", "institution": "单位"}
SECTOR_ZH = {"party_committee": "党委", "department": "部门", "township": "乡镇街道", "village": "村社区",
             "enterprise": "企业", "school": "学校", "hospital": "医院", "judicial": "政法", "other": "其他"}
SUBJECT_ZH = {"problems_fed_back": "反馈问题", "problems_rectified": "已整改问题",
              "problems_partly_rectified": "基本完成问题", "problems_in_progress": "正在整改问题",
              "completion_rate": "整改完成率", "measures_made": "整改措施", "rules_made": "建立完善制度",
              "people_disciplined": "处理人数", "funds_recovered": "追缴资金", "clues_handled": "移交线索",
              "rectification_tasks": "整改任务"}

# Nesting precedence for marks with the same span: the lower rank is the outer element.
_RANK = {"chrome": 0, "skipped": 0, "title": 0, "preamble": 0, "closing": 0, "signature": 0, "attachments": 0,
         "contact": 0, "inspection": 1, "issuer": 2, "node": 3, "heading": 4, "field": 5, "phone": 5, "email": 5,
         "address": 5, "postcode": 5, "warning": 6, "metric": 7}


@dataclass
class Mark:
    start: int
    end: int
    part: str  # a _RANK key
    attrs: dict[str, str]
    seq: int = 0
    essential: bool = False  # nodes and figures: must be marked

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")


@dataclass
class Layout:
    """The marks that nest (accepted) and those that would cross an accepted one (dropped)."""

    marks: list[Mark] = field(default_factory=list)
    dropped: list[Mark] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- the source


def source_text(doc: Any, text: str | None = None) -> str | None:
    """The text every span indexes: `text` if given, `source.text`, else the named file when its sha256 matches."""
    d = _as_dict(doc)
    if text is not None:
        return text
    src = d.get("source") or {}
    if src.get("text") is not None:
        return src["text"]
    name = src.get("name")
    if name and os.path.isfile(name):
        from .decode import load_path

        try:
            loaded = load_path(name)
        except InputError:
            return None
        if loaded.sha256 == src.get("sha256"):
            return loaded.text
    return None


def _as_dict(doc: Any) -> dict[str, Any]:
    if isinstance(doc, Mapping):
        return dict(doc)
    return doc.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------- marks


def walk(d: Mapping[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(path, depth, node) depth first in document order; paths as in the tables (`1/2/3`)."""
    stack = [(str(i), 0, n) for i, n in reversed(list(enumerate(d.get("sections") or [], 1)))]
    while stack:
        path, depth, n = stack.pop()
        yield path, depth, n
        stack.extend((f"{path}/{j}", depth + 1, c) for j, c in reversed(list(enumerate(n.get("children") or [], 1))))


def _sp(obj: Any) -> tuple[int, int] | None:
    if isinstance(obj, Mapping) and obj.get("span"):
        s, e = obj["span"]
        if isinstance(s, int) and isinstance(e, int) and e > s:
            return s, e
    return None


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _metric_attrs(m: Mapping[str, Any], mid: str) -> dict[str, str]:
    a = {"id": mid, "data-kind": str(m.get("kind")), "class": f"fig k-{m.get('kind')}"}
    for k in ("value", "unit", "subject", "date", "start", "end"):
        if m.get(k) is not None:
            a[f"data-{k}"] = _num(m[k])
    if m.get("approx"):
        a["data-approx"] = "1"
    return a


def _heading_span(n: Mapping[str, Any], source: str) -> tuple[int, int] | None:
    """The marker and title at the start of a node, when the title is written there."""
    sp = _sp(n)
    title = n.get("title")
    if not sp or not title:
        return None
    s, e = sp
    first_line_end = source.find("\n", s, e)
    limit = e if first_line_end < 0 else first_line_end
    i = source.find(title, s, limit)
    if i < 0 or i - s > 12:
        return None
    return (s, i + len(title)) if i + len(title) < e or s < i else None


def collect_marks(d: Mapping[str, Any], source: str) -> tuple[list[Mark], dict[str, str]]:
    """Every part of the Document as a Mark; and metric span → element id (for totals and warnings)."""
    marks: list[Mark] = []
    seq = 0

    def add(sp: tuple[int, int] | None, part: str, attrs: dict[str, str], essential: bool = False) -> Mark | None:
        nonlocal seq
        if not sp or sp[1] <= sp[0] or sp[1] > len(source):
            return None
        seq += 1
        m = Mark(sp[0], sp[1], part, {**attrs, "data-span": f"{sp[0]},{sp[1]}"}, seq, essential)
        marks.append(m)
        return m

    for i, c in enumerate(d.get("chrome") or []):
        add(_sp(c), "chrome", {"id": f"chrome-{i}", "data-part": "chrome", "class": "p-chrome"})
    for part in ("title", "preamble", "closing", "signature", "attachments"):
        add(_sp(d.get(part)), part, {"id": f"f-{part}", "data-part": part, "class": f"fact p-{part}"})
    contact = d.get("contact") or {}
    add(_sp(contact), "contact", {"id": "f-contact", "data-part": "contact", "class": "fact p-contact"})
    for kind, key in (("phone", "phones"), ("email", "emails")):
        for i, t in enumerate(contact.get(key) or []):
            add(_sp(t), kind, {"id": f"f-{kind}-{i}", "data-part": kind, "class": "fact p-contact-item"})
    for kind in ("address", "postcode"):
        add(_sp(contact.get(kind)), kind, {"id": f"f-{kind}", "data-part": kind, "class": "fact p-contact-item"})
    add(_sp(d.get("inspection")), "inspection", {"id": "f-inspection", "data-part": "inspection",
                                                   "class": "fact p-inspection"})
    add(_sp(d.get("issuer")), "issuer", {"id": "f-issuer", "data-part": "issuer", "class": "fact p-issuer"})

    metric_ids: dict[str, str] = {}
    for i, m in enumerate(d.get("summary") or []):
        mid = f"m-s{i}"
        if add(_sp(m), "metric", _metric_attrs(m, mid), essential=True):
            metric_ids.setdefault(",".join(map(str, m["span"])), mid)
    for path, _depth, n in walk(d):
        pid = path.replace("/", "-")
        role = str(n.get("role"))
        attrs = {"id": f"n-{pid}", "data-role": role, "data-path": path, "class": f"node r-{role}"}
        if n.get("status"):
            attrs["data-status"] = str(n["status"])
            attrs["class"] += f" st-{n['status']}"
        add(_sp(n), "node", attrs, essential=True)
        h = _heading_span(n, source)
        if h:
            add(h, "heading", {"data-part": "heading", "class": f"hd hd-{role}", "data-label": ROLE_ZH.get(role, role)})
        for name, t in (n.get("fields") or {}).items():
            add(_sp(t), "field", {"data-part": "field", "data-field": str(name), "class": "p-field"})
        for j, m in enumerate(n.get("metrics") or []):
            mid = f"m-{pid}-{j}"
            if add(_sp(m), "metric", _metric_attrs(m, mid), essential=True):
                metric_ids.setdefault(",".join(map(str, m["span"])), mid)
    for i, (s, e) in enumerate(_skipped(d, source)):
        add((s, e), "skipped", {"id": f"skip-{i}", "data-part": "skipped", "class": "p-skipped",
                                "title": "未归入任何部分的文字"})
    return marks, metric_ids


def _skipped(d: Mapping[str, Any], source: str) -> list[tuple[int, int]]:
    """Runs of non-blank text in no part of the notice (the gaps behind `coverage`), trimmed of blanks."""
    covered = [sp for sp in [_sp(c) for c in d.get("chrome") or []] if sp]
    for part in ("title", "preamble", "closing", "signature", "attachments"):
        covered.append(_sp(d.get(part)))
    covered.append(_sp(d.get("contact")))
    covered.extend(_sp(n) for n in d.get("sections") or [])
    gaps, pos = [], 0
    for s, e in sorted(c for c in covered if c):
        if s > pos:
            gaps.append((pos, s))
        pos = max(pos, e)
    gaps.append((pos, len(source)))
    out = []
    for s, e in gaps:
        seg = source[s:e]
        stripped = seg.strip()
        if stripped:
            lead = len(seg) - len(seg.lstrip())
            out.append((s + lead, s + lead + len(stripped)))
    return out


def layout(marks: list[Mark]) -> Layout:
    """Keep the marks that nest: nodes and figures first, then every other part that crosses none of them."""
    out = Layout()
    accepted: list[Mark] = []
    for group in (True, False):
        for m in sorted((m for m in marks if m.essential is group), key=_order):
            if any(a.start < m.start < a.end < m.end or m.start < a.start < m.end < a.end for a in accepted):
                out.dropped.append(m)
            else:
                accepted.append(m)
    out.marks = sorted(accepted, key=_order)
    return out


def _order(m: Mark) -> tuple[int, int, int, int]:
    return (m.start, -m.end, _RANK[m.part], m.seq)


def _esc(s: str) -> str:
    # the HTML parser would turn CR into LF and NUL into U+FFFD; a reference keeps CR as written
    return html.escape(s, quote=False).replace("\r", "&#13;").replace("\x00", "\ufffd")


def _open(m: Mark) -> str:
    return "<span " + " ".join(f'{k}="{html.escape(v)}"' for k, v in m.attrs.items()) + ">"


def render_source(source: str, marks: list[Mark]) -> str:
    """The source as HTML with the (properly nested, ordered) marks as nested <span> elements."""
    out: list[str] = []
    pos = 0
    stack: list[Mark] = []
    for m in marks:
        while stack and stack[-1].end <= m.start:
            top = stack.pop()
            out.append(_esc(source[pos:top.end]))
            pos = top.end
            out.append("</span>")
        out.append(_esc(source[pos:m.start]))
        pos = m.start
        out.append(_open(m))
        stack.append(m)
    while stack:
        top = stack.pop()
        out.append(_esc(source[pos:top.end]))
        pos = top.end
        out.append("</span>")
    out.append(_esc(source[pos:]))
    return "".join(out)


# ---------------------------------------------------------------------------------------------- panels


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _link(target: str | None, label: str) -> str:
    if not target:
        return _e(label)
    return f'<a href="#{_e(target)}" data-target="{_e(target)}">{_e(label)}</a>'


def _outline(d: Mapping[str, Any]) -> str:
    out = ['<ul class="outline">']
    depth_stack = [0]
    first = True
    for path, depth, n in walk(d):
        if not _sp(n):
            continue
        if first:
            depth_stack = [depth]
            first = False
        while depth > depth_stack[-1]:
            out.append('<ul>')
            depth_stack.append(depth_stack[-1] + 1)
        while depth < depth_stack[-1]:
            out.append('</li></ul>')
            depth_stack.pop()
        if out[-1] not in ('<ul>', '<ul class="outline">'):
            out.append('</li>')
        role = str(n.get("role"))
        label = " ".join(x for x in (n.get("marker") or "", n.get("title") or _short(n.get("text") or "")) if x)
        st = n.get("status")
        dot = f'<i class="dot st-{_e(st)}" title="{_e(STATUS_ZH.get(st, st))}"></i>' if st else ""
        out.append(f'<li class="o-{_e(role)}"><span class="ob">{_e(ROLE_ZH.get(role, role))}</span>{dot}'
                   f'{_link("n-" + path.replace("/", "-"), _short(label, 60))}')
    while len(depth_stack) > 1:
        out.append('</li></ul>')
        depth_stack.pop()
    if not first:
        out.append('</li>')
    out.append('</ul>')
    return "".join(out)


def _short(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def status_shares(d: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Share of measures (and of problems, when they carry a status) per status."""
    out: dict[str, dict[str, float]] = {}
    for role in ("problem", "measure"):
        nodes = [n for _, _, n in walk(d) if n.get("role") == role]
        if not nodes or (role == "problem" and not any(n.get("status") for n in nodes)):
            continue
        counts: dict[str, int] = {}
        for n in nodes:
            counts[n.get("status") or "none"] = counts.get(n.get("status") or "none", 0) + 1
        out[role] = {k: v / len(nodes) for k, v in counts.items()}
    return out


def _facts(d: Mapping[str, Any], metric_ids: dict[str, str]) -> str:
    rows: list[tuple[str, str]] = []
    issuer = d.get("issuer") or {}
    insp = d.get("inspection") or {}
    if issuer:
        rows.append(("被巡察单位", _link("f-issuer" if _sp(issuer) else None, issuer.get("name") or "")))
        for k, label in (("key", "分组键"), ("org_type", "组织类型")):
            if issuer.get(k):
                rows.append((label, _e(issuer[k])))
        if issuer.get("aliases"):
            rows.append(("别称", _e("、".join(issuer["aliases"]))))
        if issuer.get("sector"):
            rows.append(("类型", _e(SECTOR_ZH.get(issuer["sector"], issuer["sector"]))))
        region = issuer.get("region") or {}
        place = "".join(region.get(k) or "" for k in ("province", "city", "county"))
        if place:
            rows.append(("地区", _e(place)))
    for k, label in (("level", "巡察层级"), ("round", "轮次"), ("scheme", "方式"), ("kind", "类型"),
                     ("inspector", "巡察组"), ("start", "进驻"), ("end", "结束"), ("feedback_date", "反馈")):
        v = insp.get(k)
        if v:
            shown = LEVEL_ZH.get(v, v) if k == "level" else v
            rows.append((label, _link("f-inspection" if _sp(insp) else None, shown)))
    totals = d.get("totals") or {}
    figures = [(k, m) for k, m in totals.items() if m] if isinstance(totals, Mapping) else []
    if not figures:  # before schema 1.1 the summary's subjects stand in
        seen = set()
        for m in d.get("summary") or []:
            if m.get("subject") and m["subject"] not in seen:
                seen.add(m["subject"])
                figures.append((m["subject"], m))
    for k, m in figures:
        target = metric_ids.get(",".join(map(str, m.get("span") or ())))
        rows.append((SUBJECT_ZH.get(k, k), _link(target, m.get("text") or _num(m.get("value")))))
    shares = status_shares(d)
    for role, counts in shares.items():
        txt = "，".join(f"{STATUS_ZH.get(k, '未标明')} {v:.0%}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        rows.append((f"{ROLE_ZH[role]}状态", _e(txt)))
    nodes = [n for _, _, n in walk(d)]
    n_fig = len(d.get("summary") or []) + sum(len(n.get("metrics") or []) for n in nodes)
    roles = [n.get("role") for n in nodes]
    rows.append(("数量", _e(f"问题 {roles.count('problem')} · 措施 {roles.count('measure')} · 数据 {n_fig}")))
    rows.append(("覆盖率", _e(f"{d.get('coverage', 0):.2%}")))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _warnings(d: Mapping[str, Any], targets: list[str | None]) -> str:
    ws = d.get("warnings") or []
    if not ws:
        return '<p class="none">没有警告</p>'
    items = []
    for w, t in zip(ws, targets, strict=False):
        code = _e(w.get("code"))
        msg = _e(w.get("message"))
        where = f' {_link(t, "定位")}' if t else ""
        items.append(f'<li><b>{code}</b> {msg}{where}</li>')
    return '<ul class="warnings">' + "".join(items) + "</ul>"


def _warning_targets(d: Mapping[str, Any], lay: Layout, marks: list[Mark]) -> list[str | None]:
    """For each warning, the element that shows its span: an exact mark, or the innermost one around its start."""
    by_span = {}
    for m in lay.marks:
        if m.id:
            by_span.setdefault((m.start, m.end), m.id)
    out: list[str | None] = []
    for w in d.get("warnings") or []:
        sp = _sp(w)
        if not sp:
            out.append(None)
            continue
        if sp in by_span:
            out.append(by_span[sp])
            continue
        around = [m for m in lay.marks if m.id and m.start <= sp[0] < m.end]
        out.append(min(around, key=lambda m: m.end - m.start).id if around else None)
    return out


# ---------------------------------------------------------------------------------------------- the page

_CSS = """
:root{--bg:#fbfaf7;--ink:#1d1d1f;--muted:#6b6b70;--line:#e2dfd8;--done:#2e7d32;--ongoing:#e08a00;--planned:#1565c0;
--partial:#7b9a1e;--hl:#ffe45c}
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:var(--bg);color:var(--ink);
font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
header.top{height:52px;padding:8px 16px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:center;
overflow:hidden;white-space:nowrap}
header.top h1{font-size:17px;margin:0;overflow:hidden;text-overflow:ellipsis}
header.top .meta{color:var(--muted);font-size:12px}
main{display:grid;grid-template-columns:minmax(220px,22%) 1fr minmax(260px,25%);height:calc(100% - 52px)}
main>section{overflow:auto;padding:12px 14px}
#outline-panel,#side-panel{font-size:13px;background:#fff}
#outline-panel{border-right:1px solid var(--line)}#side-panel{border-left:1px solid var(--line)}
h2{font-size:13px;color:var(--muted);margin:14px 0 6px;text-transform:uppercase;letter-spacing:.05em}
.outline,.outline ul{list-style:none;margin:0;padding-left:12px}.outline{padding-left:0}
.outline li{margin:2px 0;line-height:1.45}
.outline a{color:var(--ink);text-decoration:none}.outline a:hover,.outline a.active{background:#fff3b0}
.ob{display:inline-block;font-size:10px;color:#fff;background:#8a8a8f;border-radius:3px;padding:0 3px;margin-right:4px}
.o-category>.ob{background:#6a3d9a}.o-problem>.ob{background:#c62828}.o-measure>.ob{background:#00796b}
.o-section>.ob{background:#37474f}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:4px}
.dot.st-done{background:var(--done)}.dot.st-ongoing{background:var(--ongoing)}.dot.st-planned{background:var(--planned)}
.dot.st-partial{background:var(--partial)}
#source{white-space:pre-wrap;word-break:break-all;line-height:1.9;font-size:15px;max-width:52em;margin:0 auto;
padding-bottom:40vh}
.hd{font-weight:700}
.hd::before{content:attr(data-label);font-size:10px;font-weight:400;color:#fff;border-radius:3px;padding:0 3px;
margin-right:3px;vertical-align:2px}
.hd-category{color:#4a2574}.hd-category::before{background:#6a3d9a}
.hd-problem{color:#9b1c1c}.hd-problem::before{background:#c62828}
.hd-measure{color:#00564d}.hd-measure::before{background:#00796b}
.hd-section{color:#263238}.hd-section::before{background:#37474f}
.hd-paragraph::before{background:#8a8a8f}
.r-measure.st-done{background:rgba(46,125,50,.07)}.r-measure.st-ongoing{background:rgba(224,138,0,.09)}
.r-measure.st-planned{background:rgba(21,101,192,.08)}
.fig{border-bottom:2px solid #7e57c2;background:rgba(126,87,194,.10);cursor:help;font-weight:600}
.k-money{border-color:#c2185b;background:rgba(194,24,91,.09)}.k-percent,.k-ratio{border-color:#00838f;
background:rgba(0,131,143,.10)}.k-date,.k-period{border-color:#8d6e63;background:rgba(141,110,99,.10)}
.k-duration{border-color:#5d4037}
.fact{background:rgba(255,193,7,.13)}.p-title{font-size:1.15em;font-weight:700}
.p-issuer,.p-inspection{border-bottom:1px dashed #b28704}.p-contact-item{border-bottom:1px dotted #b28704}
.p-chrome{color:#a5a5aa;background:repeating-linear-gradient(135deg,transparent 0 6px,rgba(0,0,0,.03) 6px 12px)}
.p-skipped{background:rgba(229,57,53,.12);text-decoration:underline wavy #e53935}
.p-field{border-bottom:1px dotted #00796b}
.hl{outline:2px solid #f0b400;background:var(--hl)!important;animation:flash 1.2s ease-out 2}
@keyframes flash{0%{background:#ffb300}100%{background:var(--hl)}}
#tip{position:fixed;z-index:10;display:none;background:#263238;color:#fff;font-size:12px;padding:6px 8px;
border-radius:4px;max-width:320px;pointer-events:none;line-height:1.5}
#tip b{color:#ffe082}
table.facts{border-collapse:collapse;width:100%}table.facts th{text-align:left;color:var(--muted);font-weight:400;
padding:3px 6px 3px 0;white-space:nowrap;vertical-align:top}table.facts td{padding:3px 0}
.warnings{padding-left:16px;margin:0}.warnings li{margin:4px 0}.none{color:var(--muted)}
.legend span{display:inline-block;margin:2px 6px 2px 0;padding:0 4px;font-size:12px}
a{color:#1565c0}
"""

_JS = """
(function(){
var tip=document.getElementById('tip');
var KIND=%(kinds)s, SUBJ=%(subjects)s;
function go(id){var el=document.getElementById(id);if(!el)return;
 document.querySelectorAll('.hl').forEach(function(x){x.classList.remove('hl');});
 document.querySelectorAll('a.active').forEach(function(x){x.classList.remove('active');});
 document.querySelectorAll('a[data-target="'+id+'"]').forEach(function(x){x.classList.add('active');});
 el.classList.add('hl');
 var box=el.closest('section')||document.documentElement, r=el.getBoundingClientRect();
 el.scrollIntoView({block:r.height>box.clientHeight*0.8?'start':'center',behavior:'instant'});
 if(history.replaceState)history.replaceState(null,'','#'+id);}
document.addEventListener('click',function(e){var a=e.target.closest('[data-target]');if(!a)return;
 e.preventDefault();go(a.getAttribute('data-target'));});
document.addEventListener('mouseover',function(e){var f=e.target.closest('[data-kind]');if(!f){tip.style.display='none';return;}
 var d=f.dataset,rows=['<b>'+(KIND[d.kind]||d.kind)+'</b> '+d.kind];
 if(d.value!==undefined)rows.push('值 value: '+d.value+(d.approx?' (约)':''));
 if(d.unit)rows.push('单位 unit: '+d.unit);
 if(d.subject)rows.push('主题 subject: '+(SUBJ[d.subject]||'')+' '+d.subject);
 if(d.date)rows.push('日期 date: '+d.date);
 if(d.start)rows.push('起止: '+d.start+' – '+(d.end||''));
 rows.push('<span style="opacity:.7">span '+d.span+'</span>');
 tip.innerHTML=rows.join('<br>');tip.style.display='block';
 var r=f.getBoundingClientRect();tip.style.left=Math.min(r.left,innerWidth-330)+'px';
 tip.style.top=(r.bottom+6+tip.offsetHeight>innerHeight?r.top-tip.offsetHeight-6:r.bottom+6)+'px';});
if(location.hash.length>1)go(location.hash.slice(1));
document.documentElement.setAttribute('data-ready','1');
})();
"""


def _legend() -> str:
    items = [('<span class="hd hd-category" data-label="类别">', "类别"), ('<span class="hd hd-problem" data-label="问题">', "问题"),
             ('<span class="hd hd-measure" data-label="措施">', "措施"),
             ('<span class="r-measure st-done">', "已完成"), ('<span class="r-measure st-ongoing">', "推进中"),
             ('<span class="r-measure st-planned">', "计划"), ('<span class="fig">', "数据"),
             ('<span class="fig k-money">', "金额"), ('<span class="fig k-percent">', "比例"),
             ('<span class="fact">', "基本信息"), ('<span class="p-chrome">', "网页内容"),
             ('<span class="p-skipped">', "未解析")]
    return '<div class="legend">' + "".join(f"{o}{t}</span>" for o, t in items) + "</div>"


@dataclass
class Rendered:
    html: str
    marked: int
    dropped: list[Mark]


def render_page(doc: Any, text: str | None = None) -> Rendered:
    """The full review page of a Document (or its JSON dict); `text` is the source when not in the Document."""
    d = _as_dict(doc)
    source = source_text(d, text)
    if source is None:
        raise ValueError("the source text is not in the Document and its file is not at hand: pass text=")
    marks, metric_ids = collect_marks(d, source)
    lay = layout(marks)
    targets = _warning_targets(d, lay, marks)
    body = render_source(source, lay.marks)
    title = (d.get("title") or {}).get("value") or Path((d.get("source") or {}).get("name") or "通报").name
    src = d.get("source") or {}
    meta = f"{src.get('name') or ''} · {src.get('format')} · {src.get('chars')} 字符 · schema {d.get('schema_version')}"
    dropped = ""
    if lay.dropped:
        dropped = ('<h2>未能标出</h2><ul class="warnings">'
                   + "".join(f"<li>{_e(m.attrs.get('data-part') or m.attrs.get('data-role') or m.attrs.get('data-kind'))}"
                             f" {m.start}–{m.end}</li>" for m in lay.dropped) + "</ul>")
    js = _JS % {"kinds": json.dumps(KIND_ZH, ensure_ascii=False), "subjects": json.dumps(SUBJECT_ZH, ensure_ascii=False)}
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_e(title)} · 审阅</title><style>{_CSS}</style></head>
<body><header class="top"><h1>{_e(title)}</h1><span class="meta">{_e(meta)}</span></header>
<main>
<section id="outline-panel"><h2>结构 Outline</h2>{_outline(d)}</section>
<section id="source-panel">{_legend()}<div id="source" lang="zh-CN">{body}</div></section>
<section id="side-panel"><h2>概况 Facts</h2>{_facts(d, metric_ids)}
<h2>警告 Warnings</h2>{_warnings(d, targets)}{dropped}</section>
</main><div id="tip" role="tooltip"></div>
<script>{js}</script></body></html>
"""
    return Rendered(page, len(lay.marks), lay.dropped)


# ---------------------------------------------------------------------------------------------- notebooks

_REPR_CSS = """
.rp-view{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;font-size:13px;
border:1px solid #ddd;border-radius:4px;padding:8px;max-width:980px}
.rp-view .rp-head{font-weight:700;font-size:14px;margin-bottom:4px}.rp-view .rp-meta{color:#666;margin-bottom:6px}
.rp-view .rp-src{white-space:pre-wrap;word-break:break-all;line-height:1.8;max-height:26em;overflow:auto;
border-top:1px solid #eee;padding-top:6px}
.rp-view .hd{font-weight:700}.rp-view .hd-category{color:#4a2574}.rp-view .hd-problem{color:#9b1c1c}
.rp-view .hd-measure{color:#00564d}
.rp-view .r-measure.st-done{background:rgba(46,125,50,.07)}.rp-view .r-measure.st-ongoing{background:rgba(224,138,0,.09)}
.rp-view .r-measure.st-planned{background:rgba(21,101,192,.08)}
.rp-view .fig{border-bottom:2px solid #7e57c2;font-weight:600}.rp-view .fact{background:rgba(255,193,7,.13)}
.rp-view .p-chrome{color:#aaa}.rp-view .p-skipped{background:rgba(229,57,53,.12)}
.rp-view table.facts th{text-align:left;color:#666;font-weight:400;padding-right:8px}
.rp-view details{margin:4px 0}
"""


def repr_html(doc: Any, text: str | None = None) -> str:
    """A compact view for notebooks: facts, the outline (folded) and the marked source, no script."""
    d = _as_dict(doc)
    source = source_text(d, text)
    title = (d.get("title") or {}).get("value") or (d.get("source") or {}).get("name") or "Document"
    parts = [f'<div class="rp-view"><style>{_REPR_CSS}</style><div class="rp-head">{_e(title)}</div>']
    metric_ids: dict[str, str] = {}
    body = ""
    if source is not None:
        marks, metric_ids = collect_marks(d, source)
        for m in marks:  # ids are unique per page, not per notebook: drop them; figures show a native tooltip
            m.attrs.pop("id", None)
            if m.part == "metric":
                m.attrs["title"] = " · ".join(f"{k}: {m.attrs[f'data-{k}']}" for k in
                                              ("kind", "value", "unit", "subject", "date") if f"data-{k}" in m.attrs)
        body = render_source(source, layout(marks).marks)
        metric_ids = {}
    parts.append(f"<details open><summary>概况 facts</summary>{_facts(d, metric_ids)}</details>")
    parts.append(f"<details><summary>结构 outline</summary>{_outline(d)}</details>")
    ws = d.get("warnings") or []
    if ws:
        parts.append(f"<details><summary>警告 warnings ({len(ws)})</summary>{_warnings(d, [None] * len(ws))}</details>")
    if source is None:
        parts.append('<p class="rp-meta">The source text is not in this Document (parsed from a string): '
                     'report_parser.view.repr_html(doc, text) shows it marked.</p>')
    else:
        parts.append(f'<div class="rp-src" lang="zh-CN">{body}</div>')
    parts.append("</div>")
    html_text = "".join(parts)
    return html_text.replace('<a href="#', '<a data-href="#')  # no in-notebook jumps to ids that are not there
