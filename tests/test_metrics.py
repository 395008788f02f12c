"""Figure extraction: readings, non-figures, year inference, warnings, the sample notices and speed."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from test_linear_time import assert_linear

from report_parser import metrics
from report_parser.errors import WARNINGS
from report_parser.metrics import Found, extract, load_data
from report_parser.numerals import NUMERAL_CHARS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpora" / "seed" / "kuandian-investment-center-2025.txt"
NANKAI = ROOT / "corpora" / "real" / "nankai-central-2022.txt"
GOLD = ROOT / "tests" / "fixtures" / "gold"


def norm(s: str) -> str:
    try:
        from report_parser.normalize import normalize
    except Exception:
        return s
    return normalize(s).text


def key(f: Found) -> tuple:
    """The shared scorer's comparison key for a Found."""
    if f.kind == "date":
        return ("date", f.date)
    if f.kind == "period":
        return ("period", f.start_date, f.end_date)
    value = round(float(f.value), 3) if f.value is not None else None
    if f.kind in ("count", "duration"):
        return (f.kind, value, (f.unit or "").lstrip("大") or None)
    return (f.kind, value)


def gold_key(m: dict) -> tuple:
    if m["kind"] == "date":
        return ("date", m["date"])
    if m["kind"] == "period":
        return ("period", m["start"], m["end"])
    value = round(float(m["value"]), 3)
    if m["kind"] in ("count", "duration"):
        return (m["kind"], value, (m.get("unit") or "").lstrip("大") or None)
    return (m["kind"], value)


def show(text: str) -> list[tuple]:
    """(text as written, key, approx) for every figure in `text`."""
    found, _ = extract(text)
    return [(text[f.start : f.end], key(f), f.approx) for f in found]


def keys(text: str) -> list[tuple]:
    return [k for _, k, _ in show(text)]


# --- language data -------------------------------------------------------------------------------


def test_data_is_well_formed() -> None:
    d = load_data()
    list_keys = [
        "count_units", "event_units", "measure_units", "count_unit_prefixes", "bare_da_numerals", "duration_units",
        "duration_units_without_ge", "duration_units_after_ge",
        "money_units", "money_tail", "money_prefix_signs", "multipliers", "approx_prefixes",
        "approx_prefix_blockers", "approx_infixes", "ordinal_prefixes", "ordinal_after", "quote_open",
        "quote_close", "period_separators", "period_start_tail", "period_end_tail", "date_suffixes", "year_suffixes",
        "month_suffixes", "day_chars", "fixed_terms",
    ]
    for k in list_keys:
        v = d[k]
        assert isinstance(v, list) and v, k
        assert all(isinstance(w, str) and w and w == w.strip() for w in v), k
        assert len(v) == len(set(v)), f"duplicates in {k}"
    for k in ("unit_blocked_before", "duration_unit_requires_after", "suffix_blocked_before",
              "money_tail_blocked_before"):
        assert isinstance(d[k], dict)
        for unit, words in d[k].items():
            assert unit and isinstance(words, list) and all(isinstance(w, str) and w for w in words), (k, unit)
    durations = set(d["duration_units"]) | set(d["duration_units_without_ge"]) | set(d["duration_units_after_ge"])
    units = set(d["count_units"]) | set(d["event_units"]) | set(d["measure_units"]) | durations | set(d["money_units"])
    assert set(d["unit_blocked_before"]) <= units
    assert set(d["duration_unit_requires_after"]) <= set(d["duration_units"]) | set(d["duration_units_without_ge"])
    assert "日" in d["duration_unit_requires_after"]  # the damaged-date check reads it
    assert set(d["money_tail_blocked_before"]) <= set(d["money_tail"])
    assert set(d["suffix_blocked_before"]) <= set(d["year_suffixes"] + d["month_suffixes"] + d["date_suffixes"])
    assert d["duration_units_after_ge"] == ["月"]  # 3个月 is a duration, 3月 a month
    # every fixed term carries a numeral, or it could never hide one
    assert all(any(c in NUMERAL_CHARS for c in t) for t in d["fixed_terms"])
    # approximation cues are the contract's: 约/余/多/近, possibly inside a longer word
    assert all(any(c in w for c in "约余多近") for w in d["approx_prefixes"] + d["approx_infixes"])
    assert all(len(c) == 1 for c in d["quote_open"] + d["quote_close"] + d["day_chars"])
    assert len(d["title_open"]) == len(d["title_close"]) == 1
    assert all(c in NUMERAL_CHARS for c in d["bare_da_numerals"] + list(d["formal_digits"]))
    assert all(w.endswith(("约", "近")) for w in d["approx_prefix_blockers"])


def test_issue_codes_are_catalogued() -> None:
    for code in ("W101", "W102", "W103"):
        assert code in WARNINGS


# --- readings ------------------------------------------------------------------------------------

CASES: list[tuple[str, list[tuple]]] = [
    # counts
    ("反馈问题25个,已完成整改19个", [("count", 25.0, "个"), ("count", 19.0, "个")]),
    ("4个方面62个问题", [("count", 4.0, "个"), ("count", 62.0, "个")]),
    ("3个方面11类问题30项", [("count", 3.0, "个"), ("count", 11.0, "类"), ("count", 30.0, "项")]),
    ("形成总体6个方面17大项问题69子项问题", [("count", 6.0, "个"), ("count", 17.0, "项"), ("count", 69.0, "子项")]),
    ("梳理出四大产业集群", [("count", 4.0, None)]),
    ("六个方面,开展两次", [("count", 6.0, "个"), ("count", 2.0, "次")]),
    ("参观累计近20万人次,共计6.42万人", [("count", 200000.0, "人次"), ("count", 64200.0, "人")]),
    ("讲思政课72学时,176节次课程", [("count", 72.0, "学时"), ("count", 176.0, "节次")]),
    ("一万零三百人", [("count", 10300.0, "人")]),
    ("分别为120,150,180人", [("count", 180.0, "人")]),
    # money
    ("追缴资金7.132万元", [("money", 71320.0)]),
    ("挽回经济损失1369.5万元,投资1.2亿元,罚款3000元", [("money", 13695000.0), ("money", 120000000.0), ("money", 3000.0)]),
    ("82,225.00元", [("money", 82225.0)]),
    ("123元1角1分", [("money", 123.11)]),
    ("壹佰万零伍拾肆元肆角叁分", [("money", 1000054.43)]),
    ("伍仟元整", [("money", 5000.0)]),
    ("￥13.5", [("money", 13.5)]),
    ("三百余万元,30余万元,3万余元", [("money", 3000000.0), ("money", 300000.0), ("money", 30000.0)]),
    # percents and ratios
    ("整改完成率76%,办结率98.71%", [("percent", 76.0), ("percent", 98.71)]),
    ("百分之二点一五", [("percent", 2.15)]),
    ("须满足全部党员人数的2/3方可召开", [("ratio", 0.667)]),
    ("三分之二,十分之一,千分之五", [("ratio", 0.667), ("ratio", 0.1), ("ratio", 0.005)]),
    # dates
    ("2025年", [("date", "2025")]),
    ("2025年4月份", [("date", "2025-04")]),
    ("于2024年10月制定", [("date", "2024-10")]),
    ("截至2021年11月底", [("date", "2021-11")]),
    ("二〇〇六年十二月", [("date", "2006-12")]),
    ("2019.9.6,2019/04/19,2008-8-8", [("date", "2019-09-06"), ("date", "2019-04-19"), ("date", "2008-08-08")]),
    ("2021年度师德考核", [("date", "2021")]),
    ("2021年10月28日", [("date", "2021-10-28")]),
    ("2021年至今", [("date", "2021")]),
    # periods
    ("2024年9月30日至12月30日", [("period", "2024-09-30", "2024-12-30")]),
    ("2025年1—8月", [("period", "2025-01", "2025-08")]),
    ("2018年1－9月份", [("period", "2018-01", "2018-09")]),
    ("2024年4月上旬至7月上旬", [("period", "2024-04", "2024-07")]),
    ("自2020-05-26起至2020-05-29止", [("period", "2020-05-26", "2020-05-29")]),
    ("1999.08-2002.02", [("period", "1999-08", "2002-02")]),
    ("2008.03-2009", [("period", "2008-03", "2009")]),
    ("2019年4月12-19日", [("period", "2019-04-12", "2019-04-19")]),
    ("2021年初至2022年3月底", [("period", "2021", "2022-03")]),
    ("2024年11月至2月", [("period", "2024-11", "2025-02")]),
    ("2020~2021年", [("period", "2020", "2021")]),
    ("2017年8月到11月", [("period", "2017-08", "2017-11")]),
    # durations
    ("3个月内完成", [("duration", 3.0, "月")]),
    ("270天", [("duration", 270.0, "天")]),
    ("17个多月", [("duration", 17.0, "月")]),
    ("两年半", [("duration", 2.5, "年")]),
    ("一年半", [("duration", 1.5, "年")]),
    ("一个半月", [("duration", 1.5, "月")]),
    ("5个工作日内,15日内", [("duration", 5.0, "工作日"), ("duration", 15.0, "日")]),
]


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0] for c in CASES])
def test_readings(text: str, want: list[tuple]) -> None:
    assert keys(text) == want


@pytest.mark.parametrize(
    ("text", "approx"),
    [
        ("20余份", True), ("近10次", True), ("100多项", True), ("约3万元", True), ("近700万元", True),
        ("17个多月", True), ("两年多", True), ("超120场", False), ("3万元左右", False), ("100人以上", False),
        ("节约3万元", False), ("最近3年", False), ("两年半", False), ("大约5次", True),
    ],
)
def test_approx_cues(text: str, approx: bool) -> None:
    found = show(text)
    assert len(found) == 1
    assert found[0][2] is approx


def test_span_includes_cue_words_as_written() -> None:
    assert [t for t, _, _ in show("学习近500场,宣讲300余场,约3万元")] == ["近500场", "300余场", "约3万元"]


NOT_FIGURES = [
    "第三轮", "第57次", "第一时间", "第一责任人", "十九届六中全会", "第十三届", "十一届十次全会",
    "三重一大", "“两个维护”", "增强“四个意识”", "坚定“四个自信”", "落实“两个责任”", "一岗双责", "一把手", "四风",
    "一是加强学习;二是完善制度;十是强化监督", "三会一课", "中央八项规定精神", "“六个不足”", "两岸关系",
    "宽甸镇左子元街48号", "联系电话:0415-5110029", "022-85358679", "邮编118200", "邮编300350",
    "〔2023〕7号", "财税2016 36号文", "工作日8:30—17:30", "2.2 基本情况", "1.落实招商引资工作用力不足",
    "(10)民主决策执行不到位", "一个问题 一批 一次 一系列 统一 进一步", "千家万户", "百年南开", "党的十八大以来",
    "党的二十大", "队伍人员", "陆续", "收拾", "纪念辛亥革命110周年", "三周年之际", "提高2个百分点",
    "2.2本计划", "七八个", "十几个", "《关于2021年度20项工作的通知》", "15年3月2日", "H7N9", "5G网络",
    "http://www.x.gov.cn/2021/5/6/a.html", "abc2021@x.cn", "“十四五”规划", "可以拨打12306来咨询",
]


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_not_figures(text: str) -> None:
    assert show(text) == []


# --- offsets -------------------------------------------------------------------------------------


def test_offsets_are_in_order_and_disjoint() -> None:
    text = norm(NANKAI.read_text(encoding="utf-8"))
    found, issues = extract(text)
    assert found
    last = 0
    for f in found:
        assert 0 <= last <= f.start < f.end <= len(text)
        assert any(c.isdigit() or c in NUMERAL_CHARS for c in text[f.start : f.end])
        last = f.end
    for i in issues:
        assert 0 <= i.start < i.end <= len(text)


def test_full_width_input_keeps_offsets() -> None:
    text = "完成率７６％,共计１２０个"
    found, _ = extract(text)
    assert [key(f) for f in found] == [("percent", 76.0), ("count", 120.0, "个")]
    assert [text[f.start : f.end] for f in found] == ["７６％", "１２０个"]


# --- year inference and warnings -----------------------------------------------------------------


def test_year_from_context_rolls_over() -> None:
    text = "2024年9月30日至12月30日,县委第三巡察组进行了巡察。2月17日反馈了巡察意见。"
    found, issues = extract(text)
    assert [key(f) for f in found] == [("period", "2024-09-30", "2024-12-30"), ("date", "2025-02-17")]
    assert [f.year_inferred for f in found] == [False, True]
    assert [(i.code, text[i.start : i.end]) for i in issues] == [("W101", "2月17日")]


def test_year_from_context_same_year() -> None:
    found, issues = extract("2021年9月3日反馈。9月14日审议,9月16日召开大会。")
    assert [key(f) for f in found] == [("date", "2021-09-03"), ("date", "2021-09-14"), ("date", "2021-09-16")]
    assert [i.code for i in issues] == ["W101", "W101"]


def test_yearless_month_compares_at_month_precision() -> None:
    found, _ = extract("2021年9月3日反馈,9月以来推进整改,3月完成。")
    assert [key(f) for f in found] == [("date", "2021-09-03"), ("date", "2021-09"), ("date", "2022-03")]


def test_yearless_without_context() -> None:
    assert extract("9月14日召开会议") == ([], [])
    found, issues = extract("9月14日召开会议", base_year=2023)
    assert [key(f) for f in found] == [("date", "2023-09-14")]
    assert found[0].year_inferred and [i.code for i in issues] == ["W101"]


def test_yearless_period_inferred() -> None:
    found, issues = extract("2025年工作要点。1—8月,开展活动75次")
    assert [key(f) for f in found] == [("date", "2025"), ("period", "2025-01", "2025-08"), ("count", 75.0, "次")]
    assert found[1].year_inferred and [i.code for i in issues] == ["W101"]


def test_damaged_dates_warn_and_invent_nothing() -> None:
    text = "于2024717日至830日开展巡察"
    found, issues = extract(text)
    assert found == []
    assert [i.code for i in issues] == ["W102", "W102"]
    assert text[issues[0].start : issues[0].end] == "2024717日"


def test_out_of_range_dates() -> None:
    found, issues = extract("2024年13月召开,2023年2月29日完成,2024年2月29日完成")
    assert [key(f) for f in found] == [("date", "2024-02-29")]
    assert [i.code for i in issues] == ["W103", "W103"]


def test_title_figures_are_names() -> None:
    found, _ = extract("印发《2022年党建工作要点》,2022年开展活动3次")
    assert [key(f) for f in found] == [("date", "2022"), ("count", 3.0, "次")]


# --- the sample notices --------------------------------------------------------------------------


def _gold_metrics(gold: dict) -> list[dict]:
    return [m for c in gold["categories"] for p in c["problems"] for m in p.get("metrics", [])]


def test_sample_body_reproduces_gold() -> None:
    raw = SEED.read_text(encoding="utf-8")
    text = norm(raw)
    gold = json.loads((GOLD / "kuandian-investment-center-2025.gold.json").read_text(encoding="utf-8"))
    body_start = text.index("予以公布。") + len("予以公布。")
    body_end = text.index("欢迎广大干部群众")
    found, _ = extract(text)
    got = Counter(key(f) for f in found if body_start <= f.start < body_end)
    required = Counter(gold_key(m) for m in _gold_metrics(gold) if not m.get("optional"))
    optional = Counter(gold_key(m) for m in _gold_metrics(gold) if m.get("optional"))
    assert required - got == Counter(), "missing"
    assert got - required - optional == Counter(), "extra"
    # nothing at all from the contact block
    assert not [f for f in found if f.start >= body_end]


def test_sample_header_dates() -> None:
    text = norm(SEED.read_text(encoding="utf-8"))
    found, issues = extract(text)
    assert key(found[0]) == ("period", "2024-09-30", "2024-12-30")
    assert key(found[1]) == ("date", "2025-02-17") and found[1].year_inferred
    assert [i.code for i in issues] == ["W101"]


def test_nankai_summary_metrics_and_not_metrics() -> None:
    text = norm(NANKAI.read_text(encoding="utf-8"))
    gold = json.loads((GOLD / "nankai-central-2022.gold.json").read_text(encoding="utf-8"))
    found, _ = extract(text)
    written = Counter((text[f.start : f.end], key(f)) for f in found)
    for m in gold["summary_metrics"]:
        assert written[(m["text"], gold_key(m))] >= 1, m
    for s in gold["not_metrics"]:
        i = text.find(s)
        assert i >= 0, s
        while i >= 0:
            assert not [f for f in found if f.start < i + len(s) and i < f.end], s
            i = text.find(s, i + 1)


# --- speed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1" * 200_000,
        "一" * 200_000,
        "中" * 2_000_000,
        "1,234" * 40_000,
        "1." * 100_000,
        "2021-" * 40_000,
        "“三" * 100_000,
        "《2021年" * 20_000,
        "十九届" * 50_000,
    ],
    ids=["digits", "yi", "no-numerals", "commas", "dots", "dashes", "quotes", "titles", "ordinals"],
)
def test_pathological_inputs_stay_fast(text: str) -> None:
    t0 = time.process_time()  # CPU: load on the machine does not count
    extract(text)
    assert time.process_time() - t0 < 5.0


def test_linear_time() -> None:
    unit = norm(NANKAI.read_text(encoding="utf-8"))
    extract(unit)
    assert_linear(lambda k: unit * k, 2, parse=extract)  # 8x the text: CPU time, well under quadratic


def test_patterns_compiled_at_import() -> None:
    for name in ("_COUNT", "_DURATION", "_MONEY", "_PERCENT", "_RATIO", "_DATE", "_FIXED", "_START", "_RUN"):
        assert hasattr(getattr(metrics, name), "match"), name


def _runs_one_by_one(t: str) -> list[tuple[int, int]]:
    """The runs `at` is asked about, found run by run: every maximal run but those followed by a
    character no reading starts with (and not a currency sign, and not a dotted year), and those
    `at` turns down for the character before them (第三, A4, 3-1)."""
    out, pos, n = [], 0, len(t)
    while (m := metrics._START.search(t, pos)) is not None:
        s = m.start()
        e = metrics._RUN.match(t, s).end()
        pos = e
        if t[s] in metrics._SIGNS:
            out.append((s, e))
            continue
        if e < n and t[e] not in metrics._DISPATCH and not ("." in t[s:e] and metrics._YEAR_DOT.match(t, s)):
            continue
        prev, prev2 = t[s - 1 : s], t[max(0, s - 2) : max(0, s - 1)]
        if prev in ("第", "届") or (prev == " " and prev2 == "第"):
            continue
        if t[s].isdigit() and (prev.isascii() and prev.isalpha() or (prev in "-/.:" and prev2.isascii() and prev2.isalnum())):
            continue
        out.append((s, e))
    return out


def test_candidate_scan_finds_the_runs_read_one_by_one() -> None:
    import random

    rnd = random.Random(7)
    alphabet = "0123456789..一二三十百万两第届年月个项元%-/: 至的,¥aZ"
    for _ in range(3000):
        t = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 14)))
        assert [m.span() for m in metrics._CAND.finditer(t)] == _runs_one_by_one(t), t


def test_candidate_group_marks_the_runs_digits_reads() -> None:
    """The scan's group is set on a run of digits exactly where _digits may read it: no dot, at most
    10 digits, a character after it."""
    import random

    rnd = random.Random(19)
    alphabet = "0123456789..一二十万第年月个项元%-/: 至的,¥aZ"
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 16))) for _ in range(3000)]
    texts += [f"{'7' * k}{c}" for k in range(1, 14) for c in ("个", ".5个", "")]
    for t in texts:
        for m in metrics._scan_pattern().finditer(t):
            s, e = m.span()
            plain = t[s].isdigit() and e < len(t) and e - s < 11 and "." not in t[s:e]
            assert bool(m.lastindex) == plain, (t, s, e)


def test_outside_keeps_the_figures_in_no_span() -> None:
    import random

    rnd = random.Random(3)
    for _ in range(500):
        found = [Found("count", s, s + rnd.randrange(1, 5)) for s in sorted(rnd.sample(range(60), 8))]
        spans = [(a, a + rnd.randrange(0, 20)) for a in (rnd.randrange(60) for _ in range(rnd.randrange(4)))]
        want = [f for f in found if not any(a <= f.start and f.end <= b for a, b in spans)]
        assert metrics.outside(found, spans) == want


def _date_like(rnd) -> str:
    """A written date or period, often slightly wrong: a year, month and day in their forms, an end
    after a separator, and a piece swapped for another now and then."""
    years, months, days = ["2019", "2025", "1999", "二〇二四", "20"], ["1", "4", "12", "13", "十", "十二", "三"], \
        ["1", "9", "30", "31", "二十五", "十"]
    extra = ["年", "月", "日", "号", "份", "底", "上旬", "度", "至", "—", "-", "/", ".", " ", "起", "止", "的", "3"]

    def one() -> list[str]:
        out = [rnd.choice(years), rnd.choice(["年", "年度", "-", "/", ".", " 年", "年 "])] if rnd.random() < 0.7 else []
        if rnd.random() < 0.8:
            out += [rnd.choice(months), rnd.choice(["月", "月份", "-", ".", "/", "", "月底"])]
            if rnd.random() < 0.6:
                out += [rnd.choice(days), rnd.choice(["日", "号", ""])]
        return out

    parts = one()
    if rnd.random() < 0.5:
        parts += [rnd.choice(["至", "—", "-", "~", " 至 ", "起至", "到"])] + one()
    for _ in range(rnd.randrange(3)):
        if parts:
            parts[rnd.randrange(len(parts))] = rnd.choice(extra)
    return "".join(parts)


def test_dates_read_by_re_as_by_regex() -> None:
    """_DATE is _DATE_SOURCE with its repeated names numbered, for stdlib `re`: the same spans and
    values as `regex` reads from the pattern as written, where a repeated name is one group."""
    import random

    import regex

    by_regex = regex.compile(metrics._DATE_SOURCE)
    names = ("sy", "sm", "sd", "ey", "em", "ed")
    getters = (*metrics._DATE_YMD, metrics._EY, metrics._EM, metrics._ED)
    rnd = random.Random(11)
    for _ in range(20_000):
        t = _date_like(rnd)
        a, b = by_regex.match(t), metrics._DATE.match(t)
        assert (a is None) == (b is None), t
        if a is not None:
            v = b.groups("")
            assert a.span() == b.span(), t
            assert a.group(*names) == tuple("".join(g(v)) or None for g in getters), t


def test_single_dates_where_no_period_can_be_read() -> None:
    """date() reads with _SINGLE where _PERIOD_AT finds no separator before the first character no
    start of a period holds, within _DATE_REACH: no match of _DATE is longer, and there _SINGLE
    matches what _DATE matches, with the same start groups."""
    import random
    import re

    longest = re._parser.parse(metrics._DATE.pattern).getwidth()[1]  # the widest match of the pattern
    assert longest <= metrics._DATE_REACH
    rnd = random.Random(17)
    texts = [_date_like(rnd) for _ in range(20_000)]
    # every start, then every suffix, blank and start tail a start may end with, then every separator
    d = metrics._D
    tails = ["", " ", "起", " 起 ", *d["year_suffixes"], *d["date_suffixes"], *d["month_suffixes"]]
    texts += [f"{a}{b}{c}{e}" for a in ("2025年", "2025年4月", "2025年4月12日", "2025年度", "4月份", "4月12号", "2019.9",
                                        "2019-04-19", "二〇二四年十二月", "二〇二四年十二月二十五日", "2008", "12")
              for b in tails for c in d["period_separators"] for e in ("5月", "2026年3月", "19日", "2026年", "")]
    # blanks up to past the reach before a separator: _SINGLE's own test of _PERIOD_AT's reach
    texts += [f"2025年{' ' * k}{c}5月" for k in range(metrics._DATE_REACH + 2) for c in d["period_separators"]]
    tried = 0
    for t in texts:
        if metrics._PERIOD_AT.match(t, 0, metrics._DATE_REACH) is not None:
            assert metrics._SINGLE.match(t) is None, t  # where a period may be read, _DATE alone reads
            continue
        tried += 1
        a, b = metrics._DATE.match(t), metrics._SINGLE.match(t)
        assert (a is None) == (b is None), t
        if a is not None:
            assert a.span() == b.span(), t
            assert (a.lastindex == metrics._ONE) == (b.lastindex == metrics._SINGLE_ONE), t
            va, vb = a.groups(""), b.groups("")
            assert not "".join(metrics._END(va)), t
            assert (["".join(g(va)) for g in metrics._DATE_YMD]
                    == ["".join(g(vb)) for g in metrics._SINGLE_YMD]), t
    assert tried > 5_000


def test_normalized_text_needs_no_narrowing() -> None:
    """The pipeline calls extract(narrow=True) on normalize's text: it must hold no full-width form."""
    from report_parser.normalize import normalize
    from report_parser.width import HALF_WIDTH, IDEOGRAPHIC_SPACE

    wide = "".join(map(chr, HALF_WIDTH)) + chr(IDEOGRAPHIC_SPACE)
    text = f"2025年4月3日发现问题２５个，整改完成率８０％。{wide}\n共１２人"
    narrowed = normalize(text).text
    assert metrics._WIDE.search(narrowed) is None
    assert extract(narrowed, narrow=True) == extract(text)


def test_fast_readings_as_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcuts (digit runs read as counts and dates, numerals a count turns down, a single
    date) read as `at` and the general date path read: the same figures and issues on the sample notices and on random text."""
    import random
    import re

    rnd = random.Random(5)
    words = ["25", "3", "2019", "2025", "12", "1", "30", "13912345678", "0.5", "2.2", "一", "二", "两", "三", "十", "点", "五",
             "个", "人", "人次", "项", "组", "条", "大", "台", "件", "年", "月", "日", "号", "至", "—", "-", "/",
             "底", "度", "上半年", "份", "多", "余", "万", "元", "%", "约", "近", "巡察", "第", "《", "》", "“",
             "”", "的", ",", "。", " ", "百分点", "民", "部署", "以上", "次", "期间", "A", "起"]
    texts = [norm(SEED.read_text(encoding="utf-8")), norm(NANKAI.read_text(encoding="utf-8"))]
    texts += ["".join(rnd.choice(words) for _ in range(rnd.randrange(1, 16))) for _ in range(4000)]
    texts += [f"{_date_like(rnd)}{rnd.choice(words)}{_date_like(rnd)}" for _ in range(3000)]
    fast = [extract(t) for t in texts]
    monkeypatch.setattr(metrics, "_SHORTCUTS", False)
    monkeypatch.setattr(metrics, "_ONE", -1)  # no match has this lastindex: every date takes the general path
    monkeypatch.setattr(metrics, "_PERIOD_AT", re.compile(""))  # a period may start anywhere: every date read by _DATE
    monkeypatch.setattr(metrics, "_SINGLE", re.compile("(?!)"))  # which holds _PERIOD_AT's test in its own
    for t, got in zip(texts, fast, strict=True):
        assert got == extract(t), t


def test_title_stretches_as_the_window_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """_in_title, from the stretches found once per text, says what the window rule says at every
    position, whatever order the positions are asked in (a short window: its edges are met often)."""
    import random

    monkeypatch.setattr(metrics, "_TITLE_MAX", 7)
    rnd = random.Random(13)
    pieces = ["《", "》", "关于", "2025年", "的通知", "3个", " ", "“", "”", "x", "xxxx"]
    for _ in range(3000):
        t = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 12)))
        sc = metrics._Scanner(t, None)
        positions = list(range(len(t) + 1))
        if rnd.random() < 0.5:
            rnd.shuffle(positions)
        for s in positions:
            lo, hi = sc.untitled
            got = not (lo < s < hi) and sc._in_title(s)
            assert got == sc._in_title_window(s), (t, s)


def test_figure_patterns_read_by_re_as_by_regex() -> None:
    """_MONEY, _PERCENT, _RATIO and _DURATION are compiled by stdlib `re` with their repeated names
    numbered: the same spans and values as `regex` reads from them as written, where a repeated
    name is one group."""
    import random
    import re

    import regex

    rnd = random.Random(17)
    words = ["3", "25", "0.5", "1,234", "1,234.56", "二", "三十", "十", "两", "百分之", "分之", "%", " ", "/", "元",
             "万", "亿", "千", "余", "多", "个", "半", "年", "月", "小时", "天", "周", "角", "分", "零", "以上", "¥",
             "￥", "人", "内", "整", "左右", "百分点", "钟"]
    for p in (metrics._MONEY, metrics._PERCENT, metrics._RATIO, metrics._DURATION):
        by_regex = regex.compile(re.sub(r"\(\?P<(\w+?)_\d+>", r"(?P<\1>", p.pattern))
        names = sorted(by_regex.groupindex)
        for _ in range(3000):
            t = rnd.choice(words[:10] + ["¥", "￥"]) + "".join(rnd.choice(words) for _ in range(rnd.randrange(0, 6)))
            a, b = by_regex.match(t), p.match(t)
            assert (a is None) == (b is None), (p.pattern[:30], t)
            if a is not None:
                assert a.span() == b.span(), t
                got = tuple("".join(v or "" for k, v in b.groupdict().items() if k.rsplit("_", 1)[0] == n) or None
                            for n in names)
                assert tuple(a.group(n) for n in names) == got, t


def test_plain_decimals_read_as_the_general_path() -> None:
    """_decimal reads plain decimals (76.5) without cn_to_decimal's general path: the same Decimal,
    digits and exponent, for every length up to where the context rounds and past it."""
    import random

    from report_parser.numerals import cn_to_decimal

    rnd = random.Random(19)
    digits = "0123456789"
    for _ in range(20_000):
        num = "".join(rnd.choice(digits) for _ in range(rnd.randrange(1, 24)))
        num += "." + "".join(rnd.choice(digits) for _ in range(rnd.randrange(1, 12)))
        if rnd.random() < 0.1:
            num = rnd.choice(["", "约", "一"]) + num + rnd.choice(["", "万", "多", "."])
        got, want = metrics._decimal(num), cn_to_decimal(num)
        assert got == want and str(got) == str(want), num


def test_scan_skips_only_runs_at_turns_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan leaves out lone numerals that `count` turns down (一部分, 一大批) unless a fixed term or a
    place name may stand over them, and those a fixed term stands over that no other term's occurrence
    can overlap: the same figures and issues as when `at` is asked about every run of _CAND, on the
    sample notices and on text crowded with terms (two in a row, overlapping), places, numerals and units."""
    import random

    assert metrics._lone_tests() and metrics._term_tests()  # the premises hold for the data shipped
    rnd = random.Random(23)
    terms = sorted(set(metrics._D["fixed_terms"]))
    places = sorted(n for group in metrics._numeral_places().values() for n in group)
    words = ["一", "万", "亿", "壹", "千", "百", "两", "三", "二十", "25", "第", "“", "”", "《", "》", " ", ",", "的",
             "部", "部分", "大", "大批", "课", "个", "个月", "个多", "项", "人", "人次", "户", "家", "年", "月", "半", "多",
             "2025年", "3月", "元", "%", "以上"]
    pieces = words * 8 + terms + places
    texts = [norm(SEED.read_text(encoding="utf-8")), norm(NANKAI.read_text(encoding="utf-8"))]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 14))) for _ in range(6000)]
    texts += [t[i:] for t in terms for i in range(1, len(t))]  # a term cut short: no term stands over its numerals
    texts += [a + b for a in terms for b in terms]  # 五个一把手: occurrences that overlap
    texts += [f"{p}{t}{x}" for t in terms for p in ("", "3", "第", "“") for x in ("", "3个", "一百人", "个", "年", "”")]
    # every lone numeral `count` turns down, before every character a reading starts with
    lone = [c for c in metrics.NUMERAL_CHARS if not metrics._cn_ok(c)]
    texts += [f"{p}{c}{x}{y}" for c in lone for p in ("", "的", "第", "“", "三重", "两个")
              for x in metrics._DISPATCH for y in ("", "以上", "月", "半", "分", "一")]
    fast = [extract(t) for t in texts]
    monkeypatch.setattr(metrics, "_scan_pattern", lambda: metrics._CAND)
    for t, got in zip(texts, fast, strict=True):
        assert got == extract(t), t
