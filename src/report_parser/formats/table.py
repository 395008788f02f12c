"""Tables from the format readers: a grid with merged cells, ledger header recognition, and the text
a ledger is written out as, with every cell's span in it (the structure travels beside the text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from report_parser.lexicon import load

# Characters an extracted text must not hold (decode's tidy-up would remove or change them and
# shift every span): NUL, and CR, which is a line end.
_UNSAFE = re.compile(r"\r\n?|\x00")
_BLANKS = re.compile(r"\s+")
_NOTE = re.compile(r"[(（][^()（）]{0,12}[)）]")
_HEADER_MAX = 12  # characters of a header cell once blanks and notes are removed
_HEADER_ROWS = 6  # rows searched for the header


def clean(text: str) -> str:
    """Text safe to place in an extracted text: LF line ends, no NUL, no blank lines at the ends."""
    text = _UNSAFE.sub(lambda m: "" if m.group() == "\x00" else "\n", text)
    lines = [line.strip() for line in text.replace("\xa0", " ").split("\n")]
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- the grid


@dataclass(slots=True)
class GridCell:
    """A cell where it starts; a merged cell covers `rowspan` rows and `colspan` columns."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


class Grid:
    """Rows × columns of a table, every position pointing at the cell that covers it."""

    def __init__(self, cells: list[GridCell]) -> None:
        self.cells = sorted(cells, key=lambda c: (c.row, c.col))
        self.n_rows = max((c.row + c.rowspan for c in cells), default=0)
        self.n_cols = max((c.col + c.colspan for c in cells), default=0)
        self._at: dict[tuple[int, int], GridCell] = {}
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    self._at.setdefault((r, k), c)

    def at(self, row: int, col: int) -> GridCell | None:
        return self._at.get((row, col))

    def starting(self, row: int) -> list[GridCell]:
        """The cells that start in `row`, in column order."""
        return [c for c in self.cells if c.row == row]

    @classmethod
    def from_rows(cls, rows: list[list[tuple[str, int, int]]]) -> Grid:
        """HTML placement: each row lists (text, colspan, rowspan) of the cells it starts; cells
        spanning rows from above take their columns first."""
        taken: set[tuple[int, int]] = set()
        cells: list[GridCell] = []
        for r, row in enumerate(rows):
            col = 0
            for text, colspan, rowspan in row:
                while (r, col) in taken:
                    col += 1
                colspan, rowspan = max(1, min(colspan, 100)), max(1, min(rowspan, len(rows) - r))
                cells.append(GridCell(text, r, col, rowspan, colspan))
                for rr in range(r, r + rowspan):
                    for cc in range(col, col + colspan):
                        taken.add((rr, cc))
                col += colspan
        return cls(cells)


# --------------------------------------------------------------------------- ledger header


@lru_cache(maxsize=1)
def ledger_data() -> dict:
    return dict(load("ledger.json"))


@lru_cache(maxsize=1)
def column_wordings() -> dict[str, list[str]]:
    """Each column role's header wordings: the field labels of the same name (fields.json), less those
    that name another role or none in a ledger's header, then the ledger's own (ledger.json)."""
    data = ledger_data()
    labels = load("fields.json")["labels"]
    skip = set(data["field_labels_not_columns"])
    return {role: [*(w for w in labels.get(role, ()) if w not in skip), *words] for role, words in data["columns"].items()}


@lru_cache(maxsize=1)
def _wordings() -> tuple[dict[str, str], list[str]]:
    by_word = {w: role for role, words in column_wordings().items() for w in words}
    return by_word, sorted(by_word, key=len, reverse=True)


def column_role(text: str, exact: bool = False) -> str | None:
    """The role a header cell gives its column, from its wording; None for any other cell."""
    flat = _NOTE.sub("", _BLANKS.sub("", text.translate({0x3000: 0x20})))
    if not flat or len(flat) > _HEADER_MAX:
        return None
    by_word, longest_first = _wordings()
    if flat in by_word or exact:
        return by_word.get(flat)
    best = None
    for w in longest_first:
        if best is not None and len(w) < len(best[1]):
            break
        i = flat.find(w)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, w)
    return by_word[best[1]] if best else None


def find_header(grid: Grid) -> tuple[int, dict[int, str]] | None:
    """(last header row, role of each column) when the grid is a ledger, else None.

    The header is the first row naming a problem column and another role; a second header row
    below it (整改情况 over 整改措施 | 完成时限) adds the roles it names."""
    for r in range(min(_HEADER_ROWS, grid.n_rows)):
        roles = _row_roles(grid, r)
        if "problem" not in roles.values() or len(set(roles.values())) < 2:
            continue
        last = r
        if r + 1 < grid.n_rows:
            # a second header row: cells worded exactly as headers, one column each, under a header
            # cell spread over several columns (整改情况 over 整改措施 | 完成时限) or under none
            below = _row_roles(grid, r + 1, exact=True)
            own = [c for c in grid.starting(r + 1) if c.text]
            under = [grid.at(r, c.col) for c in own]
            if below and len(below) == len(own) and all(
                    c.colspan == 1 and (u is None or u.colspan > 1 or c.col not in roles)
                    for c, u in zip(own, under, strict=True)):
                for col, role in below.items():
                    roles = {k: v for k, v in roles.items() if v != role or k == col}
                    roles[col] = role
                last = r + 1
        return last, roles
    return None


def _row_roles(grid: Grid, r: int, exact: bool = False) -> dict[int, str]:
    roles: dict[int, str] = {}
    for c in grid.starting(r):
        role = column_role(c.text, exact) if c.text else None
        if role and role not in roles.values():
            roles[c.col] = role
    return roles


def is_problem_cell(cell: GridCell | TableCell | None, problem_col: int, n_cols: int) -> bool:
    """A cell of the problem column, not a line across the table (a heading or a note row)."""
    if cell is None or cell.col != problem_col or cell.colspan * 2 > n_cols:
        return False
    return bool(cell.text) if isinstance(cell, GridCell) else cell.end > cell.start


def is_ledger(grid: Grid) -> bool:
    """A header naming a problem column, and a row below it with a problem cell."""
    found = find_header(grid)
    if found is None:
        return False
    last, roles = found
    col = next(k for k, role in roles.items() if role == "problem")
    return any(is_problem_cell(grid.at(r, col), col, grid.n_cols) for r in range(last + 1, grid.n_rows))


# --------------------------------------------------------------------------- carried structure


@dataclass(frozen=True, slots=True)
class TableCell:
    """A non-empty body cell of a ledger: where it starts, what it covers, its text's span."""

    row: int  # body row, 0 = the first row under the header
    col: int
    rowspan: int
    colspan: int
    role: str | None  # its column's role (seq, category, problem, rectification, unit, leader, deadline, progress)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LedgerTable:
    """A ledger as written into the extracted text: `start`/`end` hold the header and body rows."""

    start: int
    end: int
    header: tuple[int, int]  # the header rows' text
    roles: tuple[str | None, ...]  # per column
    n_rows: int  # body rows
    cells: tuple[TableCell, ...]  # row-major

    def shifted(self, by: int) -> LedgerTable:
        return LedgerTable(self.start + by, self.end + by, (self.header[0] + by, self.header[1] + by),
                           self.roles, self.n_rows,
                           tuple(TableCell(c.row, c.col, c.rowspan, c.colspan, c.role, c.start + by, c.end + by)
                                 for c in self.cells))


# --------------------------------------------------------------------------- writing text


@dataclass
class TextBuilder:
    """Extracted text assembled line by line, with the spans of the ledgers written into it."""

    parts: list[str] = field(default_factory=list)
    pos: int = 0
    tables: list[LedgerTable] = field(default_factory=list)

    def line(self, text: str) -> None:
        """A line (or lines) of text as given; CR and NUL are made safe."""
        text = _UNSAFE.sub(lambda m: "" if m.group() == "\x00" else "\n", text)
        self._put(text + "\n")

    def _put(self, text: str) -> int:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start

    def _row(self, cells: list[GridCell]) -> list[tuple[GridCell, int, int]]:
        """Write the cells on one line, separated by tabs; their spans."""
        out = []
        for i, c in enumerate(cells):
            if i:
                self._put("\t")
            s = self._put(c.text)
            out.append((c, s, s + len(c.text)))
        self._put("\n")
        return out

    def rows(self, grid: Grid) -> None:
        """Write a table that is not a ledger: a line per row, its cells separated by tabs."""
        for r in range(grid.n_rows):
            texts = [c for c in grid.starting(r) if c.text]
            if texts:
                self._row(texts)

    def table(self, grid: Grid) -> bool:
        """Write a ledger table (True), or nothing when the grid is not one (False).

        Reading order: rows above the header, the header, then the body row by row with cells in
        column order, except that a category cell (with a 序号 cell merged over the same rows) is
        written on a line of its own before the row it starts in, as the heading of the rows it
        spans. Rows after the last one with a problem cell follow the table as plain lines."""
        found = find_header(grid)
        if found is None:
            return False
        last_header, roles = found
        role_of = lambda col: roles.get(col)  # noqa: E731
        problem_col = next(col for col, role in roles.items() if role == "problem")
        body_rows = [r for r in range(last_header + 1, grid.n_rows)
                     if is_problem_cell(grid.at(r, problem_col), problem_col, grid.n_cols)]
        if not body_rows:
            return False
        last_body = body_rows[-1]
        first_header = min((c.row for c in grid.cells if c.row <= last_header
                            and c.row + c.rowspan > last_header and c.text), default=last_header)
        for r in range(first_header):
            texts = [c for c in grid.starting(r) if c.text]
            if texts:
                self._row(texts)
        start = self.pos
        for r in range(first_header, last_header + 1):
            self._row([c for c in grid.starting(r) if c.text])
        header = (start, self.pos - 1)
        category_col = next((col for col, role in roles.items() if role == "category"), None)
        seq_col = next((col for col, role in roles.items() if role == "seq"), None)
        written: list[tuple[GridCell, int, int]] = []
        for r in range(last_header + 1, last_body + 1):
            cells = [c for c in grid.starting(r) if c.text]
            heading = [c for c in cells if c.col == category_col]
            if heading:
                cat = heading[0]
                down = lambda c: min(c.rowspan, last_body + 1 - c.row)  # noqa: E731  (rows it spans in the body)
                seq = next((c for c in cells if c.col == seq_col and down(c) > 1
                            and (c.row, down(c)) == (cat.row, down(cat))), None)
                heading = [seq, cat] if seq is not None else heading
                written.extend(self._row(heading))
                cells = [c for c in cells if c not in heading]
            if cells:
                written.extend(self._row(cells))
        end = self.pos - 1
        self.tables.append(LedgerTable(
            start, end, header,
            tuple(role_of(col) for col in range(grid.n_cols)),
            last_body - last_header,
            tuple(TableCell(c.row - last_header - 1, c.col, min(c.rowspan, last_body + 1 - c.row), c.colspan,
                            role_of(c.col), s, e) for c, s, e in written)))
        for r in range(last_body + 1, grid.n_rows):
            texts = [c for c in grid.starting(r) if c.text]
            if texts:
                self._row(texts)
        return True

    def result(self) -> tuple[str, tuple[LedgerTable, ...]]:
        """The text (blank lines at the start dropped, one line end at the end) and its ledgers."""
        text = "".join(self.parts)
        lead = len(text) - len(text.lstrip("\n"))
        text = text.strip("\n") + "\n"
        return text, tuple(t.shifted(-lead) for t in self.tables)
