"""Flat markers → nested nodes: levels from the order families appear, roles, numbering warnings."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from .cues import plain
from .errors import Code, Diagnostic
from .facts import is_organising
from .fields import Labels
from .lexicon import alternation, load, patterns
from .markers import LAST, Marker


@dataclass(slots=True)
class RawNode:
    """A node in matching-text offsets, before it becomes a model."""

    marker: Marker | None
    start: int
    end: int
    role: str = "section"
    title: str | None = None
    title_end: int = 0  # where the heading ends and the body begins
    children: list[RawNode] = field(default_factory=list)
    status: str | None = None
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    ordinal: int | None = None  # the marker's, except 最后 which takes the next number in its list
    inline: bool = False  # opened mid-paragraph as an inline list under a heading
    title_start: int | None = None  # where the title's words start when not right after the marker

    @property
    def family(self) -> str | None:
        return self.marker.family if self.marker else None

    @property
    def is_measure(self) -> bool:
        return self.role == "measure"


MAX_DEPTH = 12  # levels of nesting; real notices use five at most

# Title ends: the first sentence end, the end of the line, or the next marker.
_TITLE_STOP = re.compile(r"[。\n]")  # the contract: the first 。 or the line end (？ and ！ stay in)
_TITLE_SCAN = re.compile(r"[。\n“”「」『』]")
_TRIM = " \t\n;,:、。.!?*"

# Top-level headings of a "sections first" notice: the part holding the problems, and the others
# (data/sections.json; the organising titles are those of facts.json). Word lists with a few
# `.{0,8}`: the stdlib `re` reads them as `regex` does, and is quicker to call on short titles.
_SECTIONS = load("sections.json")
_PROBLEM_PART = plain(patterns(_SECTIONS["problem_part"]))
_OTHER_PART = plain(patterns([load("facts.json")["organising"]], (
    alternation(w) for w in (_SECTIONS["other_part"], _SECTIONS["next_step"], _SECTIONS["later"]))))


_LEFTOVERS = regex.compile(r"&(?:nbsp|ensp|emsp|thinsp|#160|#12288);|\[(?:bookmark|comment)[^\]]*\]|\s+", regex.I)
_STAR_RUNS = regex.compile(r"[*_]{2,}")


# Every character the two substitutions act on: a title with none of them (most) is left as it is.
# The stdlib's \s is str.isspace, which holds for every character of `regex`'s \s.
_MARKUP_CHAR = re.compile(r"[\s&\[*_]")


def strip_markup(raw: str) -> str:
    """Markup out of a title: leftovers and blanks first, then runs of * and _ (so the stars on either
    side of a removed leftover, *[bookmark: _GoBack]*, go too; removing a run joins no new one)."""
    if _MARKUP_CHAR.search(raw) is None:
        return raw
    return _STAR_RUNS.sub("", _LEFTOVERS.sub("", raw))


def clean_title(raw: str) -> str | None:
    """A heading as written (a label right after the marker stays: 反馈问题：…), without markup."""
    if _MARKUP_CHAR.search(raw) is not None:
        raw = _STAR_RUNS.sub("", _LEFTOVERS.sub("", raw))  # strip_markup, without the second search
    return raw.strip(" \t;；,，:：、。.") or None


def title_stop(text: str, start: int, stop: int) -> int:
    """Where a heading ends: the first sentence end outside quotation marks, a line end, or `stop`.

    A quoted problem (`关于“…。…”问题`) keeps its full quotation."""
    depth = 0
    for m in _TITLE_SCAN.finditer(text, start, stop):
        ch = m.group()
        if ch == "\n":
            return m.start()
        if ch in "“「『":
            depth += 1
        elif ch in "”」』":
            depth = max(0, depth - 1)
        elif depth == 0:
            return m.start()
    return stop


def _text_title(text: str, start: int, stop: int) -> str | None:
    t = text[start:stop].strip(_TRIM).strip()
    return t or None


class _Builder:
    def __init__(self, text: str, single_line: bool) -> None:
        self.text = text
        self.single_line = single_line
        self.issues: list[Diagnostic] = []
        self.last_ordinal: dict[str, int] = {}  # last accepted ordinal of each family anywhere

    def _acceptable_new(self, m: Marker) -> bool:
        if m.line_start:
            return True
        if m.measure:
            return True
        return self.single_line and m.after_sentence

    def _after_clause(self, m: Marker) -> bool:
        """Whether a marker follows the end of a sentence or a colon (。 ； ：), ignoring spaces."""
        j = m.start - 1
        while j >= 0 and self.text[j] in " \t":
            j -= 1
        return j >= 0 and self.text[j] in "。;:"

    def _repeats(self, node: RawNode, m: Marker) -> bool:
        """Whether `m` opens a word-for-word copy of `node`, which holds nothing else."""
        if node.children or node.marker.ordinal != m.ordinal:
            return False
        first = self.text[node.start:m.start].strip()
        return bool(first) and self.text.startswith(first, m.start)

    def _place(self, m: Marker, stack: list[RawNode], accepted: list[RawNode], same: int | None,
               ) -> tuple[int, str] | None:
        """Where `m`, which continues no open list (build places those), opens a node: (depth in the
        stack, role), or None when it stays in the text. `same`: the innermost open node of
        its family (found in build).

        One case per relation of `m` to the open nodes: it opens a new family at 1, restarts its own
        family at 1, or skips or repeats an ordinal of an open family (W201, W202), or opens a family
        at more than 1 (W201)."""
        role = "measure" if m.measure and not m.part else "section"
        top = stack[-1]
        if m.ordinal == 1 and same is None:
            if top.role == "measure" and (m.measure or not m.line_start):
                return None  # a list inside an action stays part of that action's text
            if not self._acceptable_new(m):
                if top.marker is None or not self._after_clause(m):
                    return None
                role = "measure"  # （1）…；（2）… listed inline under a heading: its actions
            return len(stack), role
        if m.ordinal == 1:
            # A list restarting at 1 under a node of its own family: a nested list when it
            # opens a line, a restart of the measures when it lists actions.
            if m.measure:
                return same, role
            return (len(stack), role) if m.line_start else None
        if not (m.line_start or (self.single_line and m.after_sentence)):
            return None
        if same is None:
            if self.last_ordinal.get(m.family) != m.ordinal - 1:
                self.issues.append(Diagnostic(Code.W201, (m.start, m.end),
                                              {"marker": self.text[m.start:m.end]}, "start"))
            return len(stack), role
        prev = stack[same].marker.ordinal
        repeated = stack[same] if self._repeats(stack[same], m) else None
        code = Code.W202 if m.ordinal <= prev else Code.W201
        self.issues.append(Diagnostic(code, (m.start, m.end), {"marker": self.text[m.start:m.end], "prev": prev},
                                      "repeated" if repeated else "default"))
        if repeated is not None:
            # the copy takes the original's place: drop the empty first one
            stack[same - 1].children.remove(repeated)
            accepted.remove(repeated)
        return same, role

    def build(self, markers: list[Marker], start: int, end: int) -> tuple[RawNode, list[RawNode]]:
        root = RawNode(None, start, end)
        stack: list[RawNode] = [root]
        accepted: list[RawNode] = []
        place, last_ordinal = self._place, self.last_ordinal
        for m in markers:
            family, _style, ordinal, at, m_end, line_start, after, measure, part = m
            if at < start or m_end > end:
                continue
            # the open node a marker continues (its family, the ordinal before; 最后 closes any list of
            # its family), and the innermost open node of its family at all
            cont = same = None
            k = len(stack) - 1
            while k:
                open_ = stack[k].marker
                if open_[0] == family:  # .family
                    if same is None:
                        same = k
                    if open_[2] == ordinal - 1 or (ordinal == LAST and open_[2] < LAST):  # .ordinal
                        cont = k
                        break
                k -= 1
            prev_sibling = None
            if cont is not None:  # it continues the list open there
                prev_sibling = stack[cont]
                listed = prev_sibling.role == "measure"  # the rest of an inline list of actions
                if not (line_start or measure or after or listed):
                    continue
                depth, role = cont, "measure" if listed or (measure and not part) else "section"
            else:
                placed = place(m, stack, accepted, same)
                if placed is None or placed[0] > MAX_DEPTH:
                    continue  # in its parent's text (deeper than MAX_DEPTH: deeper than any notice nests)
                depth, role = placed
            while len(stack) > depth:  # the nodes it closes end where it starts
                stack.pop().end = at
            # marker, start, end, role, title, title_end, children, status, fields, ordinal, inline
            node = RawNode(m, at, end, role, None, 0, [], None, {}, ordinal,
                           not line_start and role == "measure" and not measure)
            if prev_sibling is not None and ordinal == LAST:
                node.ordinal = (prev_sibling.ordinal or 0) + 1
            stack[-1].children.append(node)
            stack.append(node)
            accepted.append(node)
            last_ordinal[family] = ordinal
        for closed in stack[1:]:
            closed.end = end
        return root, accepted


_BLANK = " \t\n\r"


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _BLANK:
        end -= 1
    return end


def _finish(text: str, root: RawNode, accepted: list[RawNode]) -> None:
    """Ends trimmed, and each node's title: up to the first sentence end, the line end, or the next node."""
    root.end = _trim_end(text, root.start, root.end)
    search = _TITLE_SCAN.search
    next_start = len(text)
    for node in reversed(accepted):  # from the last: each node's title stops at the next one's start
        end = node.end
        if text[end - 1] in _BLANK:  # _trim_end
            end -= 1
            while end > node.start and text[end - 1] in _BLANK:
                end -= 1
            node.end = end
        body, stop = node.marker.end, next_start if next_start < end else end
        next_start = node.start
        m = search(text, body, stop)  # title_stop, without the call where no quotation comes first
        if m is not None:
            i = m.start()
            stop = i if text[i] in "。\n" else title_stop(text, body, stop)
        node.title_end = stop
        node.title = text[body:stop].strip(_TRIM).strip() or None  # _text_title


def _is_heading(n: RawNode) -> bool:
    return n.marker is not None and n.role != "measure"


def _heads(node: RawNode) -> list[RawNode]:
    """The children of `node` that are headings (_is_heading)."""
    return [c for c in node.children if c.marker is not None and c.role != "measure"]


def _demote(node: RawNode) -> None:
    """A numbered list inside a rectification field lists actions: its items are measures."""
    node.role = "measure"
    for c in node.children:
        _demote(c)


def _cut(text: str, node: RawNode, at: int) -> list[RawNode]:
    """End `node` at `at`; descendants that start there or later are returned to be re-homed."""
    moved = [c for c in node.children if c.start >= at]
    node.children = [c for c in node.children if c.start < at]
    for c in node.children:
        if c.end > at:
            moved[:0] = _cut(text, c, at)
    node.end = _trim_end(text, node.start, at)
    if node.title_end is not None and node.title_end > node.end:
        node.title_end = max(node.end, node.title_start or node.start)  # the title too ends with the node
    return moved


def _apply_fields(text: str, node: RawNode, issues: list[Diagnostic], labels: Labels) -> None:
    """Labelled fields of each heading, top down; numbered items inside 整改情况 become measures."""
    if node.marker is not None and node.role != "measure" and labels.any_in(node.marker.end, node.end):
        heads = [(c.start, c.end) for c in node.children if c.marker is not None and c.role != "measure"]  # _heads
        found = labels.fields(node.marker.end, node.end, heads)
        rect = None
        for name, _ls, vs, ve in found:
            if name == "rectification":
                rect = vs, ve
                break
        if rect:
            demoted = [c for c in node.children if _is_heading(c) and rect[0] <= c.start <= rect[1]]
            if demoted:
                for c in demoted:
                    _demote(c)
                # labels that sat inside the demoted items belong to this node; the items end there
                heads = [(c.start, c.end) for c in _heads(node)]
                found = labels.fields(node.marker.end, node.end, heads)
        # an item ends where a label of its parent follows it (…二是…。\n整改进展：…)
        if found:
            starts = [ls for _n, ls, _vs, _ve in found]  # in text order
            kids: list[RawNode] = []
            for c in node.children:
                kids.append(c)
                if c.marker is None or c.role == "measure":  # not _is_heading(c)
                    k = bisect_right(starts, c.start)  # the first label after the item's start
                    if k < len(starts) and starts[k] < c.end:
                        kids.extend(_cut(text, c, starts[k]))
            node.children = kids
        _set_fields(node, found, issues)
    any_in = labels.any_in
    for c in node.children:
        if c.marker is None or c.role == "measure":  # not _is_heading(c)
            continue
        if c.children:
            if any_in(c.start, c.end):  # a label in its subtree
                _apply_fields(text, c, issues, labels)
        elif any_in(c.marker.end, c.end):  # a leaf: its labels are its fields, nothing else changes
            _set_fields(c, labels.fields(c.marker.end, c.end, []), issues)


def _set_fields(node: RawNode, found: list[tuple[str, int, int, int]], issues: list[Diagnostic]) -> None:
    """The fields of `node` from its labels (`found`, in text order): a label named twice keeps the first."""
    for name, ls, vs, ve in found:
        if name in node.fields:
            issues.append(Diagnostic(Code.W205, (ls, ve), {"name": name}))
            continue
        node.fields[name] = (vs, ve)


def _implicit_body(text: str, node: RawNode) -> tuple[int, int]:
    """Where a leaf heading's unmarked actions are: its rectification field, else its body."""
    if not node.fields:  # most headings: the body after the title
        return node.title_end, node.children[0].start if node.children else node.end
    if "rectification" in node.fields:
        return node.fields["rectification"]
    s = node.title_end
    problem = node.fields.get("problem")
    if problem:
        s = max(s, problem[1])
    e = node.children[0].start if node.children else node.end
    others = [v[0] for k, v in node.fields.items() if k != "problem" and v[0] > s]
    if others:
        # stop before the label of the first other field
        e = min(e, min(others))
        while e > s and text[e - 1] != "\n" and text[e - 1] not in "。;":
            e -= 1
    return s, e


@lru_cache(maxsize=1)
def _action_cues() -> tuple[re.Pattern[str], re.Pattern[str], regex.Pattern]:
    """The cues of a problem and of an action (plain word lists: the stdlib `re`, quicker to call),
    and of a complaint (a `regex` pattern: facts.is_organising takes it too)."""
    data = load("actions.json")
    return (plain(alternation(data["problem_cues"], data["complaint_cues"])),
            plain(alternation(data["action_verbs"])), regex.compile(alternation(data["complaint_cues"])))


# An item that opens by stating what was done or is planned (已…, 拟于…) is an action too.
_STATED_ACTION = ("已", "拟", "将", "计划", "正在", "持续", "目前已")


def _action_list(node: RawNode, need_problem: bool) -> list[RawNode] | None:
    """The children of `node` if they are bare actions listed under it, else None."""
    if not node.children or node.marker is None or node.role == "measure" or not node.title:  # not _is_heading
        return None
    heads = []  # _heads(node)
    for c in node.children:
        if c.marker is not None and c.role != "measure":
            if c.children or c.fields:
                return None  # children with 整改情况：… fields of their own are problems
            heads.append(c)
    if not heads or (len(heads) < 2 and not need_problem):
        return None
    problem, action, complaint = _action_cues()
    if need_problem and not problem.search(node.title):
        return None
    # a child that itself complains (1.对…重视不够) is a sub-problem, whatever it opens with; one that
    # acts (an action verb at or near its start: 与各科室签订…) is an action
    acts = sum(1 for c in heads if c.title and not complaint.search(c.title)
               and (action.search(c.title[:8]) or c.title.startswith(_STATED_ACTION)))
    return heads if acts * 2 >= len(heads) else None


def _demote_action_lists(node: RawNode) -> bool:
    """A problem heading whose numbered children are bare actions (1.加强… 2.完善…) lists measures.

    Returns whether `node`'s own children were such a list. Once one heading of a family is read
    that way, its siblings need not state a problem in words the cue list knows."""
    done: list[RawNode] = []
    for c in node.children:
        if c.children and _demote_action_lists(c):  # (a leaf lists nothing)
            done.append(c)
    if done:
        family, done_ids = done[0].family, {id(c) for c in done}
        for c in node.children:
            if c.family == family and id(c) not in done_ids:
                for k in _action_list(c, need_problem=False) or []:
                    k.role = "measure"
    heads = _action_list(node, need_problem=True)
    for k in heads or []:
        k.role = "measure"
    return heads is not None


def _add_implicit_measures(text: str, nodes: list[RawNode]) -> None:
    """A leaf heading whose body lists no actions gets one measure: the body itself. `nodes`: every
    node of the tree (each is looked at alone: what it gets depends on none of the others')."""
    for node in nodes:
        if node.marker is None or node.role == "measure":  # not _is_heading(node)
            continue
        for c in node.children:
            if c.marker is not None or c.role == "measure":
                break  # a heading child, or a measure already: its actions are listed
        else:
            _add_implicit_measure(text, node)


def _add_implicit_measure(text: str, node: RawNode) -> None:
    if node.fields:
        s, e = _implicit_body(text, node)
    else:  # (_implicit_body of a heading without fields)
        s, e = node.title_end, node.children[0].start if node.children else node.end
    while s < e and text[s] in "。!?;:,. \t\n":
        s += 1
    if e > s and text[e - 1] in _BLANK:
        e = _trim_end(text, s, e)
    if e <= s:
        # a heading that runs on past a colon (…问题的整改情况：制定…。) has its action after the colon
        colon = text.find(":", node.marker.end, node.title_end)
        if colon < 0 or node.title_end - colon < 8:
            return
        s, e = colon + 1, node.title_end
    m = _TITLE_STOP.search(text, s, e)
    title_end = m.start() if m else e
    # marker, start, end, role, title (_text_title), title_end, children, status, fields
    implicit = RawNode(None, s, e, "measure", text[s:title_end].strip(_TRIM).strip() or None, title_end, [], None, {})
    node.children.insert(0, implicit)


def _assign_roles(root: RawNode) -> None:
    tops = _heads(root)
    problem_parts = {id(c) for c in tops if c.title and _PROBLEM_PART.search(c.title)}
    if problem_parts and any(c.title and id(c) not in problem_parts and _OTHER_PART.search(c.title) for c in tops):
        for top in tops:
            top.role = "section"
            if id(top) in problem_parts:
                for c in top.children:
                    _label_problems(c)
            else:
                _label_sections(top)
    else:
        for c in root.children:
            _label_problems(c)
    _organising_sections(root)


def _organising_sections(node: RawNode) -> None:
    """The parts about how the rectification was organised (一、提高政治站位，强化组织领导) are sections,
    wherever they stand, never problems with measures."""
    complaint = _action_cues()[2]
    heads = _heads(node)
    first = True  # all the headings before are sections
    for i, c in enumerate(heads):
        # how the work was organised comes first (一、提高政治站位…); plans come last (三、下一步工作打算)
        last = i == len(heads) - 1 and i > 0
        # (is_organising holds only for the first headings or the last)
        if (first or last) and c.role in ("problem", "category") and is_organising(c.title, complaint, first, last):
            c.role = "section"
            _label_sections(c)
        elif c.role == "section" and c.children:
            _organising_sections(c)  # within a category, headings are areas and findings
        first = first and c.role == "section"


def _label_sections(node: RawNode) -> None:
    for c in node.children:
        # headings; and （一）…。（二）… run into a paragraph of a section: headings, not actions
        if c.marker is not None and (c.role != "measure" or (c.inline and not c.marker.measure)):
            c.role = "section"
        if c.children:
            _label_sections(c)


def _label_problems(node: RawNode) -> None:
    if node.marker is None or node.role == "measure":  # not _is_heading
        return
    node.role = "problem"
    for c in node.children:
        if c.marker is not None and c.role != "measure":  # a heading (_heads): this one is a category
            node.role = "category"
            if c.children:
                _label_problems(c)
            else:
                c.role = "problem"  # (a leaf heading)


def build_tree(text: str, markers: list[Marker], start: int, end: int,
               single_line: bool = False) -> tuple[list[RawNode], list[Diagnostic]]:
    """The body between `start` and `end` as a tree of RawNodes with roles and titles.

    `single_line`: the notice came as one long line, so markers after a sentence end open nodes."""
    builder = _Builder(text, single_line)
    root, accepted = builder.build(markers, start, end)
    _finish(text, root, accepted)
    if text.find(":", start, end) >= 0:  # every label ends with a colon
        labels = Labels(text, start, end)
        if labels.hits:
            _apply_fields(text, root, builder.issues, labels)
    _demote_action_lists(root)
    _assign_roles(root)
    _add_implicit_measures(text, accepted)  # every node of the tree (_Builder.build)
    return root.children, builder.issues
