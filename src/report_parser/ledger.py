"""A ledger table (整改台账) as the body: a problem per row, a category per merged category cell,
fields from the cells, measures split from the rectification cell, status from the progress cell."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from .formats.table import LedgerTable, is_problem_cell, ledger_data
from .header import Header, find_tail
from .markers import TABLE_ROW, Marker, cn_ordinal, find_markers
from .measures import measure_status
from .normalize import NormText
from .tree import RawNode, title_stop

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import _Ctx

ROW_STYLE = TABLE_ROW  # the style of a marker taken from a 序号 cell
FIELD_ROLES = ("problem", "rectification", "unit", "leader", "deadline", "progress")
_ROW_ROLES = frozenset({"rectification", "unit", "leader", "deadline", "progress"})
# least advanced first: a problem whose progress cells disagree takes the least advanced status
STATUS_ORDER = ("planned", "ongoing", "partial", "done")
_TRIM = " \t\n;,:、。.!?*"
_IMPLICIT_LEAD = "。!?;:,. \t\n"
_TITLE_STOP = regex.compile(r"[。\n]")
_SEQ_CORE = regex.compile(r"^[\s(（\[【第]*(?P<n>\d{1,4}|[一二三四五六七八九十]{1,3})[\s)）\]】.、,，:：]*$")
_BLANKS = regex.compile(r"\s+")


@lru_cache(maxsize=1)
def _status_re() -> regex.Pattern:
    cues = ledger_data()["status"]
    alt = "|".join(f"(?P<{name}>{'|'.join(pats)})" for name, pats in cues.items())
    return regex.compile(alt, regex.POSIX)  # leftmost, then longest


def progress_status(text: str) -> str | None:
    """A problem's status from its progress cell: the earliest cue decides (已完成并长期坚持 is done);
    without one of the ledger cues, the measure cues say what they can."""
    m = _status_re().search(text)
    if m is not None:
        return m.lastgroup
    return measure_status(text)


class _Offsets:
    """Original offsets → matching-text offsets (the inverse of NormText.to_orig)."""

    def __init__(self, nt: NormText) -> None:
        self.breaks = nt.breaks
        self.shifts = nt.shifts
        self.origs = [b + s for b, s in zip(nt.breaks, nt.shifts, strict=True)]

    def __call__(self, o: int) -> int:
        if not self.breaks:
            return o
        k = bisect_right(self.origs, o) - 1
        if k < 0:
            return min(o, self.breaks[0])
        i = o - self.shifts[k]
        return min(i, self.breaks[k + 1]) if k + 1 < len(self.breaks) else i


@dataclass(slots=True)
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    role: str | None
    start: int  # matching-text offsets
    end: int


@dataclass(slots=True)
class _Problem:
    row: int
    last: int  # last row
    cell: _Cell
    group: _Group | None


@dataclass(slots=True)
class _Group:
    cell: _Cell
    seq: _Cell | None = None
    problems: list[_Problem] = field(default_factory=list)


def ledger_body(T: str, h: Header, ctx: _Ctx, tables: tuple[LedgerTable, ...],
                ) -> tuple[list[RawNode], tuple[int, int], RawNode | None] | None:
    """The body built from the ledger tables: (roots, preamble, a closing paragraph after them)."""
    to_match = _Offsets(ctx.nt)
    spans = [(to_match(t.start), to_match(t.end)) for t in tables]
    _fit_header(T, h, spans[0][0], spans[-1][1])
    markers = find_markers(T)
    starts = [m.start for m in markers]
    built = [_table_nodes(T, t, to_match, markers, starts) for t in tables]
    heads = _table_headings(T, h.body_start, spans, built, markers, starts)
    roots: list[RawNode] = []
    pos = None
    for nodes, head in zip(built, heads, strict=True):
        if not nodes:
            continue
        if head is not None:
            head.children = nodes
            head.end = nodes[-1].end
            nodes = [head]
        if pos is not None:
            gap = _paragraph(T, pos, nodes[0].start)  # text between two tables, the next one's header included
            if gap is not None:
                roots.append(gap)
        roots.extend(nodes)
        pos = nodes[-1].end
    if not roots:
        return None
    trailing = _paragraph(T, pos, h.body_end) if pos is not None and h.body_end > pos else None
    if trailing is not None:
        roots.append(trailing)
    pre_s, pre_e = h.body_start, roots[0].start
    while pre_e > pre_s and ctx.blank(pre_e - 1):
        pre_e -= 1
    while pre_s < pre_e and ctx.blank(pre_s):
        pre_s += 1
    return roots, (pre_s, pre_e), trailing


def _table_headings(T: str, body_start: int, spans: list[tuple[int, int]], built: list[list[RawNode]],
                    markers: list[Marker], starts: list[int]) -> list[RawNode | None]:
    """Several tables, each under a numbered heading line of one family (一、政治建设方面) and without
    categories of their own: each heading is the category of its table's problems."""
    none: list[RawNode | None] = [None] * len(spans)
    if len(spans) < 2 or any(n.role != "problem" for nodes in built for n in nodes):
        return none
    heads: list[RawNode | None] = []
    prev = body_start
    for (ts, te), nodes in zip(spans, built, strict=True):
        e = ts
        while e > prev and T[e - 1].isspace():
            e -= 1
        s = T.rfind("\n", prev, e) + 1 if e > prev else e
        s = max(s, prev)
        m = _lead_marker(T, s, e, markers, starts)
        if m is None or e - s > 40 or "。" in T[s:e] or not nodes:
            return none
        node = RawNode(m, m.start, e, role="category", ordinal=m.ordinal)
        node.title_end = title_stop(T, m.end, e)
        node.title = T[m.end:node.title_end].strip(_TRIM) or None
        heads.append(node)
        prev = te
    if len({n.marker.family for n in heads if n is not None}) != 1:
        return none
    return heads


def _fit_header(T: str, h: Header, first: int, last: int) -> None:
    """Keep the title and the chrome above the tables and the closing parts below them."""
    h.chrome = [c for c in h.chrome if c[1] <= first or c[0] >= last]
    if h.title is not None and h.title[1] > first:
        h.title = None
    h.body_start = min(h.body_start, first)
    for name in ("closing", "contact_block", "signature", "attachments", "address", "postcode"):
        setattr(h, name, None)
    h.phones, h.emails = [], []
    find_tail(T, h, last)


def _paragraph(T: str, s: int, e: int) -> RawNode | None:
    while s < e and T[s].isspace():
        s += 1
    while e > s and T[e - 1].isspace():
        e -= 1
    if e <= s:
        return None
    node = RawNode(None, s, e, role="paragraph")
    node.title_end = title_stop(T, s, e)
    node.title = T[s:node.title_end].strip() or None
    return node


def _problems_and_groups(T: str, t: LedgerTable, cells: list[_Cell], cover: dict[tuple[int, int], _Cell],
                         pcol: int, ccol: int | None) -> tuple[list[_Problem], list[_Group]]:
    """The table's problems (a problem cell, merged over its rows) and the groups they fall in (a
    category cell, or a row of its own naming the rows below)."""
    problems: list[_Problem] = []
    groups: list[_Group] = []
    group: _Group | None = None
    for r in range(t.n_rows):
        pc = cover.get((r, pcol))
        if not is_problem_cell(pc, pcol, len(t.roles)):
            pc = None
        if pc is not None and pc.row == r:
            cc = cover.get((r, ccol)) if ccol is not None else None
            if cc is not None and (group is None or (cc is not group.cell and _flat(T, cc) != _flat(T, group.cell))):
                group = _Group(cc)
                groups.append(group)
            p = _Problem(r, r + pc.rowspan - 1, pc, group)
            problems.append(p)
            if group is not None:
                group.problems.append(p)
            continue
        if pc is not None:
            continue  # a row of a problem merged over several rows
        own = [c for c in cells if c.row == r]
        if len(own) == 1 and own[0].role not in _ROW_ROLES:
            group = _Group(own[0])  # a row of its own naming the rows below: 一、政治建设方面
            groups.append(group)
        elif problems and any(c.role in _ROW_ROLES for c in own):
            problems[-1].last = max(problems[-1].last, r)  # more of the problem above (its cell left empty)
    return problems, groups


def _table_nodes(T: str, t: LedgerTable, to_match: _Offsets, markers: list[Marker],
                 starts: list[int]) -> list[RawNode]:
    cells = [_Cell(c.row, c.col, c.rowspan, c.colspan, c.role, to_match(c.start), to_match(c.end))
             for c in t.cells]
    cover: dict[tuple[int, int], _Cell] = {}
    for c in cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                cover.setdefault((r, k), c)
    col = {}
    for i, role in enumerate(t.roles):
        if role:
            col.setdefault(role, i)
    problems, groups = _problems_and_groups(T, t, cells, cover, col["problem"], col.get("category"))
    for g in groups:
        seq_col = col.get("seq")
        s = cover.get((g.cell.row, seq_col)) if seq_col is not None else None
        if s is not None and s.rowspan > 1 and (s.row, s.rowspan) == (g.cell.row, g.cell.rowspan):
            g.seq = s
    group_cells = {id(g.cell) for g in groups} | {id(g.seq) for g in groups if g.seq}
    nodes: dict[int, RawNode] = {}
    roots: list[RawNode] = []
    for p in problems:
        own = [c for c in cells if p.row <= c.row <= p.last and id(c) not in group_cells and c.role != "category"]
        # a cell merged down over several problems (one unit, one deadline) serves each of them
        shared = {role: cover.get((p.row, k)) for role, k in col.items() if role in FIELD_ROLES}
        node = _problem_node(T, p, own, shared, col, markers, starts)
        if p.group is None:
            roots.append(node)
            continue
        parent = nodes.get(id(p.group))
        if parent is None:
            parent = nodes[id(p.group)] = _group_node(T, p.group, markers, starts)
            roots.append(parent)
        parent.children.append(node)
        parent.end = max(parent.end, node.end)
    return roots


def _flat(T: str, c: _Cell) -> str:
    return _BLANKS.sub("", T[c.start:c.end])


def _lead_marker(T: str, s: int, e: int, markers: list[Marker], starts: list[int]) -> Marker | None:
    """A marker that opens the cell [s, e)."""
    while s < e and T[s].isspace():
        s += 1
    i = bisect_left(starts, s)
    return markers[i] if i < len(markers) and markers[i].start == s and markers[i].end <= e else None


def _row_marker(T: str, c: _Cell) -> Marker:
    """The 序号 cell as a marker, as written; its number is the ordinal when it reads as one."""
    raw = T[c.start:c.end]
    m = _SEQ_CORE.match(raw)
    n = m.group("n") if m else ""
    ordinal = int(n) if n.isdigit() else (cn_ordinal(n) or 0)
    return Marker(family=ROW_STYLE, style=ROW_STYLE, ordinal=ordinal, start=c.start, end=c.end,
                  line_start=True, after_sentence=True, measure=False)


def _titled(T: str, node: RawNode, c: _Cell, lead: Marker | None) -> None:
    s = lead.end if lead is not None else c.start
    while s < c.end and T[s].isspace():
        s += 1
    node.title_start = s
    node.title_end = title_stop(T, s, c.end)
    node.title = T[s:node.title_end].strip(_TRIM) or None


def _group_node(T: str, g: _Group, markers: list[Marker], starts: list[int]) -> RawNode:
    lead = _lead_marker(T, g.cell.start, g.cell.end, markers, starts)
    marker = _row_marker(T, g.seq) if g.seq is not None else lead
    node = RawNode(marker, min(g.cell.start, g.seq.start) if g.seq else g.cell.start, g.cell.end,
                   role="category", ordinal=(marker.ordinal or None) if marker else None)
    _titled(T, node, g.cell, lead)
    return node


def _problem_node(T: str, p: _Problem, own: list[_Cell], shared: dict[str, _Cell | None], col: dict[str, int],
                  markers: list[Marker], starts: list[int]) -> RawNode:
    seq = next((c for c in own if c.col == col.get("seq") and c.row == p.row), None)
    lead = _lead_marker(T, p.cell.start, p.cell.end, markers, starts)
    marker = _row_marker(T, seq) if seq is not None else lead
    node = RawNode(marker, min(c.start for c in own), max(c.end for c in own), role="problem",
                   ordinal=(marker.ordinal or None) if marker else None)
    _titled(T, node, p.cell, lead)
    for role in FIELD_ROLES:
        found = shared.get(role) or next((c for c in own if c.role == role), None)
        if found is not None and found.end > found.start:
            node.fields[role] = (found.start, found.end)
    for c in own:
        if c.role == "rectification":
            # a problem over several rows numbers its actions on across the rows' cells
            last = next((m.marker for m in reversed(node.children) if m.marker is not None), None)
            node.children.extend(_measures(T, c.start, c.end, markers, starts, last))
    progress = [c for c in own if c.role == "progress"]
    if shared.get("progress") is not None and shared["progress"] not in progress:
        progress.insert(0, shared["progress"])
    statuses = [progress_status(T[c.start:c.end]) for c in progress]
    statuses = [s for s in statuses if s]
    if statuses:
        node.status = min(statuses, key=STATUS_ORDER.index)
    return node


def _opens(T: str, cell_start: int, m: Marker) -> bool:
    """Whether a marker can open an item here: the cell's start, a line start or after a clause."""
    j = m.start - 1
    while j >= cell_start and T[j] in " \t":
        j -= 1
    return j < cell_start or m.line_start or T[j] in "。;:!?\n"


def _measures(T: str, s: int, e: int, markers: list[Marker], starts: list[int],
              before: Marker | None = None) -> list[RawNode]:
    """Numbered actions in a rectification cell (1. / （1） / 一是 …), else the cell as one measure.

    `before`: the last action of the problem's previous cell, whose list this cell may continue."""
    items: list[Marker] = []
    for m in markers[bisect_left(starts, s):bisect_left(starts, e)]:
        if m.end > e:
            break
        if not items:
            continues = before is not None and m.family == before.family and m.ordinal == before.ordinal + 1
            if (m.ordinal == 1 or continues) and _opens(T, s, m):
                items.append(m)
        elif m.family == items[0].family and m.ordinal == items[-1].ordinal + 1 and (m.measure or _opens(T, s, m)):
            items.append(m)
    out = []
    for i, m in enumerate(items):
        end = items[i + 1].start if i + 1 < len(items) else e
        while end > m.start and T[end - 1].isspace():
            end -= 1
        node = RawNode(m, m.start, end, role="measure", ordinal=m.ordinal)
        node.title_end = title_stop(T, m.end, end)
        node.title = T[m.end:node.title_end].strip(_TRIM).strip() or None
        out.append(node)
    if out:
        return out
    while s < e and T[s] in _IMPLICIT_LEAD:
        s += 1
    while e > s and T[e - 1].isspace():
        e -= 1
    if e <= s:
        return []
    stop = _TITLE_STOP.search(T, s, e)
    node = RawNode(None, s, e, role="measure", title_end=stop.start() if stop else e)
    node.title = T[s:node.title_end].strip(_TRIM).strip() or None
    return [node]
