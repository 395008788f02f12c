"""The parse, end to end: text → normalise → parts → markers → tree → metrics → Document."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from os import PathLike
from time import perf_counter
from typing import NamedTuple

import regex

from . import divisions, facts
from . import metrics as metrics_mod
from .assemble import CHECK_OUTPUT, builder, check, trusted
from .budget import MAX_BODY_MARKERS
from .cues import squash
from .decode import Loaded
from .errors import Code, Diagnostic
from .header import Header, find_head, find_inspection, find_issuer, find_tail, org_type_of, party_names
from .lexicon import alternation, load, patterns
from .markers import find_markers, stray_markers
from .measures import measure_status
from .models import (
    SCHEMA_VERSION,
    Contact,
    Document,
    Inspection,
    Issuer,
    Metric,
    Node,
    ParseWarning,
    Region,
    Source,
    Text,
    Title,
)
from .normalize import NormText, normalize
from .summary import summary_subject, total_subjects
from .tree import RawNode, build_tree, clean_title, strip_markup, title_stop

_FEEDBACK = "反馈"  # a feedback date's sentence says so
_SECTIONS = load("sections.json")
_PLANS = alternation([*_SECTIONS["next_step"], *_SECTIONS["later"]])
_SUMMARY_OPEN = regex.compile(rf"^[\x20\t]*(?:{patterns(_SECTIONS['progress_openers'])}|{_PLANS})", regex.M)
_DIGIT = regex.compile(r"\d")
_PLANS_OPEN = regex.compile(rf"[\x20\t]*(?:{_PLANS})")
_MONTH_DAY = regex.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_LONE_SURROGATE = regex.compile("[\ud800-\udfff]")
SKIPPED_WARN_MIN = 20  # non-blank characters left out before a gap is named in a warning


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Frozen configuration of one parse."""

    analyze: bool = False


_new_text = builder(Text)  # a piece of the text: the fields of nodes, the parts of the document


class _Ctx:
    """Per-parse state: the texts, the offset map and the warnings being collected."""

    def __init__(self, nt: NormText) -> None:
        self.nt = nt
        self.warnings: list[ParseWarning] = []

    def span(self, s: int, e: int) -> tuple[int, int]:
        nt = self.nt
        if nt.breaks:
            return nt.orig_span(s, e)
        return (s, e) if e > s else (s, s)  # NormText.orig_span of the identity, without the call

    def blank(self, i: int) -> bool:
        """Whether matching-text position i is whitespace in the original too."""
        return self.nt.text[i].isspace() and self.nt.original[self.nt.to_orig(i)].isspace()

    def text(self, s: int, e: int) -> Text:
        os_, oe = self.nt.orig_span(s, e)
        return Text(text=self.nt.original[os_:oe], span=(os_, oe))

    def piece(self, s: int, e: int) -> Text:
        """A Text built as the parser's own output, without validation (see assemble.trusted)."""
        nt = self.nt
        if nt.breaks:
            s, e = nt.orig_span(s, e)
        elif e < s:  # NormText.orig_span of the identity, without the call
            e = s
        return _new_text({"text": nt.original[s:e], "span": (s, e)})

    def report(self, d: Diagnostic, *, original: bool = False) -> None:
        """Add a warning; its span is in matching-text offsets unless `original`."""
        span = d.span if original or d.span is None else self.span(*d.span)
        self.warnings.append(trusted(ParseWarning, {"code": d.code, "message": d.message(), "span": span}))

    def warn(self, code: Code, span: tuple[int, int] | None = None, form: str = "default", **params: object) -> None:
        self.report(Diagnostic(code, span, params, form))


def _warning(d: Diagnostic, span: tuple[int, int] | None) -> ParseWarning:
    """A diagnostic found outside the stages as an output warning: the message comes from the catalogue."""
    return ParseWarning(code=d.code, message=d.message(), span=span)


# Metric and Node built as `trusted` builds them, by the dozen per notice (every field given)
_new_metric = builder(Metric)
_new_node = builder(Node)


# Whether a classifier, found in the matching text, is written the same in the original wherever the
# text has no hard wraps joined and no traditional characters converted: normalize then changes
# characters only to their narrow forms (all at or below U+00B7), to blanks, or a lone surrogate to
# U+FFFD, and the classifier holds none of these. Per classifier, computed once.
_WRITTEN_AS_MATCHED: dict[str, bool] = {}


def _as_written(unit: str) -> bool:
    known = _WRITTEN_AS_MATCHED.get(unit)
    if known is None:
        known = _WRITTEN_AS_MATCHED[unit] = min(unit) > "\xb7" and "\ufffd" not in unit
    return known


def _metrics(nt: NormText, found: list[metrics_mod.Found], subjects: bool) -> list[Metric]:
    """Metrics built without validation (see assemble.trusted): their values are the extractor's;
    with `subjects`, each gets the subject of a whole-unit figure."""
    original, T = nt.original, nt.text
    identity = not nt.breaks  # most texts: matching offsets are the original's (NormText.orig_span)
    as_matched = identity and not nt.traditional  # the classifiers _as_written says stand as matched
    out: list[Metric] = []
    orig_span = nt.orig_span
    for f in found:
        if identity:
            s, e = f.start, f.end
        else:
            s, e = orig_span(f.start, f.end)  # a figure is never empty
        unit = f.unit
        if unit and f.kind == "count" and not (as_matched and _as_written(unit)):
            # the classifier as written (個, not the 个 it was matched as)
            i = T.rfind(unit, f.start, f.end)
            if i >= 0:
                unit = original[i:i + len(unit)] if identity else nt.orig_text(i, i + len(unit))
        out.append(_new_metric({
            "kind": f.kind, "text": original[s:e], "span": (s, e), "value": f.value, "unit": unit,
            "approx": f.approx, "date": f.date, "start": f.start_date, "end": f.end_date,
            "subject": summary_subject(T, f.kind, f.unit, f.start, f.end) if subjects else None}))
    return out


def _flatten(nodes: list[RawNode]) -> list[RawNode]:
    """The tree depth first."""
    out: list[RawNode] = []
    _depth_first(nodes, out.append)
    return out


def _depth_first(level: list[RawNode], append: Callable[[RawNode], None]) -> None:
    # recursion: the tree is a few levels deep (tree.MAX_DEPTH); a module function, not a closure
    # calling itself (a reference cycle that would keep every node alive until the collector runs)
    for n in level:
        append(n)
        if n.children:
            _depth_first(n.children, append)


def _to_models(ctx: _Ctx, flat: list[RawNode], owned: dict[int, list[metrics_mod.Found]],
               whole: set[int], collect: list[tuple[metrics_mod.Found, Metric]]) -> list[Node]:
    """The tree as Nodes, built without validation (see assemble.trusted), their fields in the model's
    order. `flat` is the tree depth first (_flatten): each node's model is appended to its parent's
    children list as it comes, so nesting costs no recursion; the lists being filled are a stack,
    each with the count of its nodes still to come (the next node belongs to the innermost). Figures of nodes speaking for the whole
    unit get their subject and are collected as candidate totals."""
    nt = ctx.nt
    original = nt.original
    identity = not nt.breaks  # most texts: matching offsets are the original's (NormText.orig_span)
    roots: list[Node] = []
    filling: list[list] = [[roots, -1]]  # [children list, nodes still to come]; the roots' never fills
    orig_span = nt.orig_span
    for n in flat:
        if identity:
            s, e = n.start, n.end
            if e < s:
                e = s
        else:
            s, e = orig_span(n.start, n.end)
        marker = n.marker
        title = n.title
        written = None  # the marker exactly as written
        if marker is not None:
            # the original's text of a matching-text span (NormText.orig_text): a plain slice for most texts
            written = original[marker.start:marker.end] if identity else nt.orig_text(marker.start, marker.end)
        if title is not None:
            # report the title as written: the original text of the heading, markup removed
            start = n.title_start if n.title_start is not None else marker.end if marker else n.start
            title = clean_title(original[start:n.title_end] if identity else nt.orig_text(start, n.title_end))
        key = id(n)
        found = owned.get(key)
        metrics: list[Metric] = []
        if found:
            speaks = key in whole
            metrics = _metrics(nt, found, speaks)
            if speaks:
                collect.extend(zip(found, metrics, strict=True))
        children: list[Node] = []
        top = filling[-1]
        top[1] -= 1
        if not top[1]:
            filling.pop()
        if n.children:
            filling.append([children, len(n.children)])
        top[0].append(_new_node({
            "role": n.role, "marker": written, "style": marker.style if marker else None, "ordinal": n.ordinal,
            "title": title, "text": original[s:e], "span": (s, e), "status": n.status,
            "fields": {k: ctx.piece(*v) for k, v in n.fields.items()} if n.fields else {},
            "metrics": metrics, "children": children, "keywords": None, "topics": None,
        }))
    return roots


def _nonblank(s: str) -> int:
    """Characters that are not whitespace by str.isspace, the test every part boundary uses."""
    return len("".join(s.split()))


def _coverage(original: str, covered: list[tuple[int, int]], ctx: _Ctx) -> float:
    """The share of the original's non-blank characters inside `covered`; a warning for each longer
    gap. The whole text is counted only when something is missing (most texts: nothing is)."""
    end = len(original)
    missing = 0
    pos = 0
    for s, e in sorted([*covered, (end, end)]):  # the gaps in order, the last one up to the end
        if s > pos:
            gap = original[pos:s]
            if not gap.isspace():  # most gaps: the blank lines between parts
                k = _nonblank(gap)
                missing += k
                if k >= SKIPPED_WARN_MIN:
                    ctx.report(Diagnostic(Code.W401, (pos, s), {"count": k}), original=True)
        if e > pos:
            pos = e
    if not missing:
        return 0.0 if not original or original.isspace() else 1.0
    cov = max(0.0, min(1.0, 1 - missing / _nonblank(original)))
    if cov < 0.9:
        ctx.warn(Code.W402, coverage=cov)
    return round(cov, 4)


def _body(T: str, h: Header, ctx: _Ctx) -> tuple[list[RawNode], tuple[int, int], RawNode | None]:
    """The body tree, the preamble before it and a closing progress paragraph after it."""
    markers = found = find_markers(T, h.body_start, h.body_end)
    single_line = T.count("\n", h.body_start, h.body_end) < 3 and h.body_end - h.body_start > 200
    first_heading = next((i for i, m in enumerate(markers)
                          if m.line_start or (single_line and m.after_sentence and not m.measure)), None)
    if first_heading is not None:
        markers = markers[first_heading:]
    if len(markers) > MAX_BODY_MARKERS:  # a node budget: the text past it stays in the last item's text
        markers = markers[:MAX_BODY_MARKERS]
        ctx.warn(Code.W505, (markers[-1].start, markers[-1].end), limit=f"{MAX_BODY_MARKERS:,}")
    body_start = markers[0].start if markers else h.body_end
    # A closing progress paragraph after the last item (截至目前…) is outside every numbered item.
    tree_end = h.body_end
    trailing: RawNode | None = None
    m = _SUMMARY_OPEN.search(T, markers[-1].end, h.body_end) if markers else None
    # a progress paragraph counts when it has figures; a plans paragraph (下一步…) always does;
    # neither when it is the only body of a last heading that stands alone on its line
    if m is not None and "。" not in T[markers[-1].end:m.start()]:
        m = None
    if m is not None and (_DIGIT.search(T, m.start(), h.body_end) or _PLANS_OPEN.match(T, m.start())):
        tree_end = m.start()
        while tree_end > body_start and T[tree_end - 1].isspace():
            tree_end -= 1
        trailing = RawNode(None, m.start(), h.body_end, role="paragraph")
        trailing.title_end = title_stop(T, m.start(), h.body_end)
        trailing.title = T[m.start():trailing.title_end].strip() or None
    roots, tree_issues = build_tree(T, markers, body_start, tree_end, single_line)
    if trailing is not None:
        roots.append(trailing)
    for d in tree_issues:
        ctx.report(d)
    pre_s, pre_e = h.body_start, roots[0].start if roots else h.body_end
    # trim only what is blank in the original: blanked artefacts stay in the preamble, as written
    while pre_e > pre_s and ctx.blank(pre_e - 1):
        pre_e -= 1
    while pre_s < pre_e and ctx.blank(pre_s):
        pre_s += 1
    if not roots and h.body_end > h.body_start:
        ctx.warn(Code.W204)
    for span in stray_markers(T, h.body_start, h.body_end, (m.start for m in found)):
        ctx.warn(Code.W203, span, marker=T[span[0]:span[1]])
    return roots, (pre_s, pre_e), trailing


def _inspection(ctx: _Ctx, preamble: tuple[int, int], found: list[metrics_mod.Found],
                ) -> tuple[Inspection | None, set[int]]:
    """The inspector sentence, the on-site period and the feedback date; and the figures they used."""
    T = ctx.nt.text
    found_facts = find_inspection(T, *preamble)
    if not (found_facts.inspector or found_facts.scheme):
        ctx.warn(Code.W302, preamble if preamble[1] > preamble[0] else None)
        return None, set()
    fact_ids: set[int] = set()
    start = end = feedback = None
    pre = []
    for f in found:  # in document order (metrics.extract): those of the preamble come first
        if f.start >= preamble[1]:
            break
        if f.start >= preamble[0]:
            pre.append(f)
    period = next((f for f in pre if f.kind == "period" and found_facts.sentence
                   and found_facts.sentence[0] <= f.start < found_facts.sentence[1]), None)
    period = period or next((f for f in pre if f.kind == "period"), None)
    if period:
        start, end = period.start_date, period.end_date
        fact_ids.add(id(period))
    after = period.end if period else (found_facts.sentence[0] if found_facts.sentence else preamble[0])
    for f in pre:
        if f.kind == "date" and f.start >= after:
            sent_s = max(T.rfind("。", preamble[0], f.start), preamble[0])
            sent_e = T.find("。", f.end, preamble[1])
            if T.find(_FEEDBACK, sent_s, sent_e if sent_e >= 0 else preamble[1]) >= 0:
                feedback = f.date
                fact_ids.add(id(f))
                break
    if feedback is None and period is not None and period.end_date:
        feedback = _feedback_before(ctx, preamble, period)
    sent = ctx.span(*found_facts.sentence) if found_facts.sentence else None
    # as written, with a hard-wrap break inside it closed up
    inspector = (squash(ctx.nt.orig_text(*found_facts.inspector_span))
                 if found_facts.inspector_span else None)
    # the parser's own values, built without validation (see assemble.trusted), every field in order
    return trusted(Inspection, {
        "scheme": found_facts.scheme, "kind": found_facts.kind, "inspector": inspector, "start": start, "end": end,
        "feedback_date": feedback, "level": None, "round": None,
        "text": ctx.nt.original[sent[0]:sent[1]] if sent else None, "span": sent}), fact_ids


def _feedback_before(ctx: _Ctx, preamble: tuple[int, int], period: metrics_mod.Found) -> str | None:
    """A yearless feedback date written before the on-site period (8月21日，…反馈了…。此前，…至…):
    no earlier date gives its year, so it is the first such day after the period ends."""
    T = ctx.nt.text
    for m in _MONTH_DAY.finditer(T, preamble[0], period.start):
        if m.start() > 0 and T[m.start() - 1] in "年0123456789":
            continue
        stop = T.find("。", m.end(), preamble[1])
        if T.find(_FEEDBACK, m.end(), stop if stop >= 0 else preamble[1]) < 0:
            continue
        month, day = int(m.group("m")), int(m.group("d"))
        end = [int(x) for x in period.end_date.split("-")] + [None, None]
        year = metrics_mod.infer_year((end[0], end[1], end[2]), month, day, after_end=True)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        date = f"{year:04d}-{month:02d}-{day:02d}"
        ctx.warn(Code.W101, m.span(), "feedback", text=m.group(), date=date)
        return date
    return None


def _assign(found: list[metrics_mod.Found], flat: list[RawNode], outside: list[tuple[int, int]],
            ) -> tuple[dict[int, list[metrics_mod.Found]], list[metrics_mod.Found]]:
    """Each figure to the deepest node containing it; figures in the `outside` spans to the summary."""
    starts = [n.start for n in flat]
    owned: dict[int, list[metrics_mod.Found]] = {}
    summary: list[metrics_mod.Found] = []
    last_k, last = -2, summary  # the node the figure before went to, and its list
    for f in found:
        s, e = f.start, f.end
        for a, b in outside:
            if a <= s and e <= b:
                summary.append(f)
                break
        else:
            k = bisect_right(starts, s) - 1  # flat[k] starts at or before s
            if k == last_k and e <= flat[k].end:  # most figures: in the node of the figure before
                last.append(f)
                continue
            while k >= 0 and not (flat[k].start <= s and e <= flat[k].end):
                k -= 1
            if k >= 0:
                key = id(flat[k])
                last = owned.get(key)
                if last is None:
                    last = owned[key] = []
                last.append(f)
                last_k = k
    return owned, summary


def _set_statuses(T: str, flat: list[RawNode]) -> None:
    """Status from each measure's own cues, else from its problem's 整改进展 field."""
    for n in flat:
        if n.role == "measure":
            n.status = measure_status(T[n.start:n.end])
    for n in flat:
        progress = n.fields.get("progress")
        if progress:
            todo = [c for c in n.children if c.role == "measure" and c.status is None]
            if todo:  # read only when a measure has no cue of its own
                default = measure_status(T[progress[0]:progress[1]])
                for c in todo:
                    c.status = default


def _issuer(ctx: _Ctx, h: Header, inspector: str | None) -> Issuer | None:
    """The unit: its fullest stated name, the other forms, key, sector and region (contract: issuer)."""
    if not h.issuer_forms:
        return None
    T = ctx.nt.text
    forms = h.issuer_names  # the forms blanks removed, as find_issuer squashed them
    if len(forms) != len(h.issuer_forms):  # forms set by other means
        forms = [squash(T[s:e]) for s, e in h.issuer_forms]
    keys = [facts.unit_key(f) for f in forms]
    best, others = facts.choose_name(forms, keys)
    key = keys[best]
    span = ctx.span(*h.issuer_forms[best])
    name = ctx.nt.original[span[0]:span[1]]
    aliases: list[str] = []
    seen = {squash(name)}
    spans = [h.issuer_forms[i] for i in others]
    key_of = dict(zip(forms, keys, strict=True))  # the party names are mostly the forms again
    for s, e in party_names(T):
        k = key_of.get(T[s:e])
        if k is None:
            k = key_of[T[s:e]] = facts.unit_key(T[s:e])
        if k == key:
            spans.append((s, e))
    for sp in spans:
        a = ctx.nt.orig_text(*sp)
        flat = squash(a)
        if flat not in seen:
            seen.add(flat)
            aliases.append(a)
    region = None
    sources = [" ".join(forms[i] for i in [best, *others]), inspector or ""]
    if h.address:
        sources.append(T[h.address[0]:h.address[1]])
    region = _region(sources)
    # find_issuer's org type is the first form's (the same squashed text): not looked up again
    org_type = h.org_type if best == 0 and forms is h.issuer_names else org_type_of(forms[best])
    # the parser's own values, built without validation (see assemble.trusted), every field in order
    return trusted(Issuer, {"name": name, "org_type": org_type, "span": span, "aliases": aliases,
                            "key": key, "sector": facts.sector_of(key), "region": region})


def _region(sources: list[str]) -> Region | None:
    """The unit's place from the first source that names one (its name, the inspector, the address); a
    name that gives only the province (湖北工程学院) takes the city and county from a later source in it."""
    found: dict[str, str | None] | None = None
    for src in sources:
        got = divisions.resolve(divisions.find_places(src))
        if not got:
            continue
        if found is None or (got.get("province") == found.get("province") and got.get("city")):
            found = got
        if found.get("city"):
            break
    return trusted(Region, found) if found else None  # province, city, county: the model's fields in order


def _level_and_round(ctx: _Ctx, inspection: Inspection | None, preamble: tuple[int, int],
                     title: tuple[int, int] | None, issuer: Issuer | None) -> Inspection | None:
    if inspection is None:
        return None
    T = ctx.nt.text
    rs = facts.find_round(T, preamble, title, inspection.inspector)
    round_text = squash(ctx.nt.orig_text(*rs)) if rs else None
    r = issuer.region if issuer else None
    region = {"province": r.province, "city": r.city, "county": r.county} if r else None
    level = facts.inspection_level(inspection.inspector, inspection.scheme, T[preamble[0]:preamble[1]],
                                   T[rs[0]:rs[1]] if rs else None, region)
    # the stage's own model, completed (see assemble.trusted): its fields in order, level and round set
    return trusted(Inspection, {**inspection.__dict__, "level": level, "round": round_text})


def _whole_unit_nodes(roots: list[RawNode]) -> set[int]:
    """Nodes whose figures speak for the whole unit: sections and paragraphs, and the measures listed
    directly in them (一、组织落实整改情况 … 一是…细化为52个具体问题); not problems and their parts."""
    out: set[int] = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        role = n.role
        if role in ("category", "problem"):
            continue
        if role in ("section", "paragraph", "measure"):
            out.add(id(n))
        if role != "measure" and n.children:  # a measure's parts do not speak for the unit: not visited
            stack.extend(n.children)
    return out


_CLAUSE_CLOSE = regex.compile(r"[,;:)]")
_TOTAL_SUBJECTS = frozenset(total_subjects())
_TOTAL_KINDS = frozenset(("count", "money", "percent"))
_TOTAL_CUE = regex.compile(rf"(?:{alternation(load('summary_subjects.json')['total_cues'])})[^,;。]{{0,12}}$")


def _by_start(x: tuple[metrics_mod.Found, Metric]) -> int:
    return x[0].start


def _totals(T: str, figures: list[tuple[metrics_mod.Found, Metric]]) -> dict[str, Metric]:
    """The first whole-unit figure of each total subject, in text order; parts after 其中 and a
    breakdown of people disciplined with no stated total give none (contract: totals)."""
    out: dict[str, Metric] = {}
    people: dict[int, int] | None = None  # sentence start → people disciplined named apart in it
    # the figures that may be totals, in text order
    may = [x for x in figures if x[1].subject in _TOTAL_SUBJECTS and x[1].kind in _TOTAL_KINDS]
    may.sort(key=_by_start)
    # the first 其中 before the last of them (most notices have none): a figure it does not stand
    # before is no part (_is_part), and needs its sentence only for the people disciplined
    first_part = T.find("其中", 0, may[-1][0].start) if may else -1
    for f, m in may:
        subject = m.subject
        if subject in out:
            continue
        maybe_part = 0 <= first_part <= f.start - 2
        if maybe_part or subject == "people_disciplined":
            sent = _sentence_start(T, f.start)
            if maybe_part and _is_part(T, f.start, sent):
                continue
            if subject == "people_disciplined":
                people = _people_by_sentence(T, figures) if people is None else people
                if people.get(sent, 0) > 1 and not _TOTAL_CUE.search(T, sent, f.start):
                    continue  # 政务处分0人、批评教育6人: a breakdown with no stated total
        out[subject] = _new_metric(m.__dict__.copy())  # its own copy, as validation made it
    return out


def _people_by_sentence(T: str, figures: list[tuple[metrics_mod.Found, Metric]]) -> dict[int, int]:
    """How many figures of people disciplined, not parts after 其中, each sentence holds."""
    out: dict[int, int] = {}
    for f, m in figures:
        if m.subject == "people_disciplined":
            sent = _sentence_start(T, f.start)
            if not _is_part(T, f.start, sent):
                out[sent] = out.get(sent, 0) + 1
    return out


def _is_part(T: str, pos: int, sent: int) -> bool:
    """A figure inside a 其中… clause: a part of the figure before it (其中镇本级19个), not a total.
    `sent` is where the figure's sentence starts."""
    part = T.rfind("其中", sent, pos)
    if part < 0:
        return False
    after = part + 2
    if after < pos and T[after] in ",:":
        after += 1  # 其中，党纪处分2人
    return not _CLAUSE_CLOSE.search(T, after, pos)


def _sentence_start(T: str, pos: int) -> int:
    # the common ends first; the rare ones only after them (unbounded, they would scan back to the start)
    last = max(T.rfind("。", 0, pos), T.rfind("\n", 0, pos))
    return max(last, T.rfind(";", last + 1, pos), T.rfind("!", last + 1, pos), T.rfind("?", last + 1, pos)) + 1


def _problem_statuses(T: str, flat: list[RawNode]) -> None:
    """Each problem's stated state, else the state its category heading names."""
    for n in flat:
        if n.role == "problem" and n.status is None:  # a ledger row's progress cell has set it already
            n.status = facts.stated_status(T, n.start, n.end, n.title_end, n.fields.get("progress"))
    for n in flat:
        if n.role in ("category", "section") and n.title:
            st = facts.heading_state(n.title)
            if st is None:
                continue
            stack = list(n.children)
            while stack:
                c = stack.pop()
                if c.role == "problem" and c.status is None:
                    c.status = st
                stack.extend(c.children)


@dataclass(slots=True)
class ParseState:
    """Everything one parse knows, filled in stage by stage (see STAGES).

    Offsets are in the matching text `nt.text` until the `nodes` stage turns them into models
    with spans into the original."""

    original: str
    source: Source
    options: ParseOptions = ParseOptions()
    tables: tuple = ()  # ledger tables written into the text (formats.table.LedgerTable): their rows are the body
    nt: NormText | None = None
    ctx: _Ctx | None = None
    header: Header = field(default_factory=Header)
    roots: list[RawNode] = field(default_factory=list)  # the body tree
    preamble: tuple[int, int] = (0, 0)
    trailing: RawNode | None = None  # a closing progress paragraph after the last item
    found: list[metrics_mod.Found] = field(default_factory=list)  # figures not yet placed
    inspection: Inspection | None = None
    flat: list[RawNode] = field(default_factory=list)  # the tree, depth first
    owned: dict[int, list[metrics_mod.Found]] = field(default_factory=dict)  # node id → its figures
    summary_found: list[metrics_mod.Found] = field(default_factory=list)  # figures outside every item
    sections: list[Node] = field(default_factory=list)
    summary: list[Metric] = field(default_factory=list)
    whole: list[tuple[metrics_mod.Found, Metric]] = field(default_factory=list)  # candidate totals
    title: Title | None = None
    issuer: Issuer | None = None
    doc: Document | None = None

    @property
    def text(self) -> str:
        """The matching text (after the `normalize` stage)."""
        assert self.nt is not None, "the normalize stage has not run"
        return self.nt.text


def _stage_normalize(st: ParseState) -> None:
    """Matching text and offset map; say when script or hard wraps were changed for matching."""
    st.nt = normalize(st.original)
    st.ctx = _Ctx(st.nt)
    if st.nt.traditional:
        st.ctx.warn(Code.W303)
    if st.nt.joined_lines:
        st.ctx.warn(Code.W304, count=st.nt.joined_lines)


def _stage_head_and_tail(st: ParseState) -> None:
    """Page chrome and title at the top; closing, contact, signature and attachments at the end."""
    T, h = st.text, st.header
    find_head(T, h)
    find_tail(T, h, h.body_start)
    if h.chrome:
        st.ctx.warn(Code.W305, h.chrome[0], count=len(h.chrome))


def _stage_body(st: ParseState) -> None:
    """Markers (or a ledger table's rows) → the body tree, the preamble before it and a trailing
    paragraph after it."""
    T, h, ctx = st.text, st.header, st.ctx
    ledger = None
    if st.tables:
        from .ledger import ledger_body  # only inputs with ledger tables need it (and its table code)

        ledger = ledger_body(T, h, ctx, st.tables)
    st.roots, st.preamble, st.trailing = ledger or _body(T, h, ctx)


def _stage_issuer_forms(st: ParseState) -> None:
    """Where the title, preamble and signature name the unit."""
    find_issuer(st.text, st.header, st.preamble)
    if st.header.title is None:
        st.ctx.warn(Code.W301)


def _stage_figures(st: ParseState) -> None:
    """Every figure of the text, less those in chrome, title, contact, signature and attachments."""
    found, issues = metrics_mod.extract(st.text, narrow=True)  # normalize narrowed the full-width forms
    for d in issues:
        st.ctx.report(d)
    h = st.header
    excluded = [*h.chrome, *(sp for sp in (h.title, h.contact_block, h.signature, h.attachments) if sp)]
    st.found = metrics_mod.outside(found, excluded)


def _stage_inspection(st: ParseState) -> None:
    """Inspection facts from the preamble; the figures they used are facts, not figures."""
    st.inspection, fact_ids = _inspection(st.ctx, st.preamble, st.found)
    found, i = st.found, 0
    while fact_ids and i < len(found):  # the facts are the preamble's: near the start of the list
        if id(found[i]) in fact_ids:
            fact_ids.discard(id(found[i]))
            del found[i]
        else:
            i += 1


def _stage_assign(st: ParseState) -> None:
    """Each figure to the deepest node holding it; those in the preamble or trailing paragraph to the summary."""
    st.flat = _flatten(st.roots)
    outside = [st.preamble] + ([(st.trailing.start, st.trailing.end)] if st.trailing is not None else [])
    st.owned, st.summary_found = _assign(st.found, st.flat, outside)


def _stage_status(st: ParseState) -> None:
    """Measure status from cue words; problem status from what the problem states for itself."""
    _set_statuses(st.text, st.flat)
    _problem_statuses(st.text, st.flat)


def _stage_nodes(st: ParseState) -> None:
    """The tree and the summary as models, spans in the original; subjects of whole-unit figures."""
    flat = st.flat if st.flat or not st.roots else _flatten(st.roots)  # the assign stage's, when it ran
    st.sections = _to_models(st.ctx, flat, st.owned, _whole_unit_nodes(st.roots), st.whole)
    st.summary = _metrics(st.nt, st.summary_found, True)
    st.whole.extend(zip(st.summary_found, st.summary, strict=True))


def _stage_unit(st: ParseState) -> None:
    """Title, issuer (name, aliases, key, sector, region), inspection level and round."""
    h, ctx = st.header, st.ctx
    if h.title:
        span = ctx.span(*h.title)
        text = ctx.nt.original[span[0]:span[1]]
        st.title = trusted(Title, {"text": text, "span": span, "value": strip_markup(text)})
    st.issuer = _issuer(ctx, h, st.inspection.inspector if st.inspection else None)
    if st.issuer is None:
        ctx.warn(Code.W306)
    st.inspection = _level_and_round(ctx, st.inspection, st.preamble, h.title, st.issuer)
    if st.inspection is not None and st.inspection.level is None:
        ctx.warn(Code.W307, inspector=st.inspection.inspector or "")


def _stage_document(st: ParseState) -> None:
    """The Document: contact, totals, coverage and the warnings collected on the way."""
    h, ctx, preamble = st.header, st.ctx, st.preamble
    piece = ctx.piece
    block = ctx.span(*h.contact_block) if h.contact_block else None
    contact = trusted(Contact, {
        "text": st.original[block[0]:block[1]] if block else None,
        "span": block,
        "phones": [piece(*p) for p in h.phones],
        "emails": [piece(*p) for p in h.emails],
        "address": piece(*h.address) if h.address else None,
        "postcode": piece(*h.postcode) if h.postcode else None,
    })
    chrome = [piece(*s) for s in h.chrome]
    covered = [c.span for c in chrome]
    for sp in (h.title, preamble, h.contact_block, h.signature, h.attachments):
        if sp and sp[1] > sp[0]:
            covered.append(ctx.span(*sp))
    covered += [n.span for n in st.sections]
    coverage = _coverage(st.original, covered, ctx)  # adds W401/W402: before the warnings are handed over
    # the parser's own values, built without validation (see assemble.trusted), every field in order
    st.doc = trusted(Document, {
        "schema_version": SCHEMA_VERSION,
        "source": st.source,
        "title": st.title,
        "issuer": st.issuer,
        "inspection": st.inspection,
        "preamble": piece(*preamble) if preamble[1] > preamble[0] else None,
        "summary": st.summary,
        "totals": _totals(st.text, st.whole),
        "sections": st.sections,
        "closing": piece(*h.closing) if h.closing else None,
        "signature": piece(*h.signature) if h.signature else None,
        "attachments": piece(*h.attachments) if h.attachments else None,
        "chrome": chrome,
        "contact": contact,
        "warnings": ctx.warnings,
        "coverage": coverage,
        "keywords": None,
    })
    if CHECK_OUTPUT:
        check(st.doc)


def _stage_analyze(st: ParseState) -> None:
    """Subjects, keywords and topics with jieba, when the options ask for them."""
    if st.options.analyze:
        from .analysis import analyze  # jieba is loaded only when asked for

        st.doc = analyze(st.doc)


class Stage(NamedTuple):
    name: str
    run: Callable[[ParseState], None]


# The parse, in order: each stage reads what the ones before it left in the state and adds its own.
STAGES: tuple[Stage, ...] = (
    Stage("normalize", _stage_normalize),
    Stage("head_and_tail", _stage_head_and_tail),
    Stage("body", _stage_body),
    Stage("issuer_forms", _stage_issuer_forms),
    Stage("figures", _stage_figures),
    Stage("inspection", _stage_inspection),
    Stage("assign", _stage_assign),
    Stage("status", _stage_status),
    Stage("nodes", _stage_nodes),
    Stage("unit", _stage_unit),
    Stage("document", _stage_document),
    Stage("analyze", _stage_analyze),
)


def run_stages(state: ParseState, stages: Iterable[Stage] = STAGES,
               on_stage: Callable[[str, float], None] | None = None) -> ParseState:
    """Run `stages` in order over `state`; `on_stage(name, seconds)` is called after each."""
    if on_stage is None:
        for stage in stages:
            stage.run(state)
        return state
    for stage in stages:
        t0 = perf_counter()
        stage.run(state)
        on_stage(stage.name, perf_counter() - t0)
    return state


def parse_text(original: str, source: Source, options: ParseOptions = ParseOptions(),
               tables: tuple = (), timings: dict[str, float] | None = None) -> Document:
    """Parse an already decoded notice; `source` describes where it came from, `tables` the ledger
    tables written into it (formats.table.LedgerTable), whose rows then make the body.

    `timings`, when given, gets the seconds each stage took added to its entry (by stage name)."""
    on_stage = None
    if timings is not None:
        def on_stage(name: str, seconds: float) -> None:
            timings[name] = timings.get(name, 0.0) + seconds
    state = run_stages(ParseState(original, source, options, tables), on_stage=on_stage)
    assert state.doc is not None
    return state.doc


def parse_loaded(loaded: Loaded, options: ParseOptions = ParseOptions(),
                 timings: dict[str, float] | None = None) -> Document:
    """Parse text that `decode` loaded from a file or bytes."""
    source = Source(name=loaded.name, sha256=loaded.sha256, encoding=loaded.encoding, format=loaded.format,
                    chars=len(loaded.text), text=loaded.text if loaded.extracted else None, url=loaded.url)
    doc = parse_text(loaded.text, source, options, loaded.tables, timings)
    for d in reversed(loaded.warnings):  # found while decoding (W502 OCR, W503 pages skipped): no span
        doc.warnings.insert(0, _warning(d, None))
    if "+replace" in loaded.encoding:
        doc.warnings.insert(0, _warning(Diagnostic(Code.W501), None))
    return doc


def parse(text: str, name: str | None = None, options: ParseOptions = ParseOptions(),
          timings: dict[str, float] | None = None) -> Document:
    """Parse a notice given as a string."""
    # surrogatepass: a str decoded with surrogateescape (or from JSON) may hold lone surrogates
    try:
        data, clean = text.encode("utf-8"), text  # fails only on a lone surrogate: no scan for them first
    except UnicodeEncodeError:
        data, clean = text.encode("utf-8", "surrogatepass"), _LONE_SURROGATE.sub("\ufffd", text)
    sha = hashlib.sha256(data).hexdigest()
    if clean is not text:
        # not valid Unicode: spans index the text with U+FFFD in their place (same length), kept in source.text
        source = Source(name=name, sha256=sha, encoding="str+replace", format="txt", chars=len(text), text=clean)
        doc = parse_text(clean, source, options, timings=timings)
        doc.warnings.insert(0, _warning(Diagnostic(Code.W501), None))
        return doc
    if name is None or type(name) is str:  # the values validation would keep: no need to run it
        source = trusted(Source, {"name": name, "sha256": sha, "encoding": "str", "format": "txt",
                                  "chars": len(text), "text": None, "url": None})
    else:
        source = Source(name=name, sha256=sha, encoding="str", format="txt", chars=len(text))
    return parse_text(text, source, options, timings=timings)


def parse_file(path: str | PathLike[str], options: ParseOptions = ParseOptions(),
               timings: dict[str, float] | None = None) -> Document:
    """Parse a notice file (plain text in any common encoding, .docx, .html, .pdf, a scan, .doc…) or URL.

    `timings`: see parse_text (decoding is not a stage and is not timed)."""
    from .fetch import load_input

    return parse_loaded(load_input(path), options, timings)
