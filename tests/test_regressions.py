"""Minimal inputs that once broke the parser, found by the property tests, the fuzzer or by hand."""

# A test marked xfail(strict=True) pins a bug that is still open: it starts passing, and so fails
# the run, when the bug is fixed; then drop the mark (and the entry in test_properties.known_bug).

from __future__ import annotations

import pytest
from test_linear_time import assert_linear
from test_properties import depth, full_check, parse_and_check

import report_parser
from report_parser.cli import main, to_json
from report_parser.models import Document

# --- children outside their parent (fixed in dd38e15) ------------------------------------------

# A field label (整改进展：) after a measure ends the measure early, but a heading the tree had
# nested under that measure kept its place: the child lay outside its parent's span.
FIELD_AFTER_MEASURE = [
    "（2）一是加强。\n整改进展：持续\n2.问题",  # shrunk from a mutated five_levels.txt
    "2）一是。\n整改进展：\n2.",
    "1）一是。\n整改进展：\n二、",
    "一、问题\n（一）制度不全\n（2）一是制定制度3项。\n整改进展：已完成\n2.其他问题",
]


@pytest.mark.parametrize("text", FIELD_AFTER_MEASURE)
def test_children_stay_inside_a_measure_cut_short_by_a_field_label(text: str) -> None:
    parse_and_check(text)



# --- a field item outside its heading in one-line text (found by the slow property run) ----------

# One-line text with ideographic spaces: a mid-line （二） heading inside a measure is cut short at the
# 整改措施： label after it, but the label's item (an implicit measure) is nested under it and lies past
# its end: its title still ran past the cut, and the item was read from it. A cut now ends the title
# too. Shrunk from a mutated notice (seed 3201493435 of test_slow's random examples).
FIELD_ITEM_PAST_CUT = '２．高标准农田建设项目监管不严。\u3000整改措施：一是对２０２２年以来的财务凭证进行全面核查，清退不合规报销费用１．３６万元；二是修订《财务管理制度》，严格执行“一支笔”审批。\u3000（二）落实全面从严治党战略部署方面\u3000\u3000整改措施：对２０２１年以来实施的高标准农田建设项目开展全面排查，督促施工单位对发现的９处质量问题返工整改，对监理单位约谈１次。\u3000整改成效：已完成整改。\u3000整改措施：一是对近五年发展的１１名党员包案进行全面梳理，补齐缺失材料；二是对党务工作者开展业务培训。\u3000整改措施：'


def test_a_field_item_stays_inside_a_section_cut_at_its_label() -> None:
    parse_and_check(FIELD_ITEM_PAST_CUT)


# --- nesting without bound (fixed in dd38e15: at most tree.MAX_DEPTH levels) ------------------

# Each `1.` opening a line under a `1.` nested one level deeper, so depth grew with the input:
# from 254 levels pydantic refused to serialise the Document ("Maximum serialization depth
# exceeded"), from about 500 the parse itself died with RecursionError (tree._finish,
# pipeline._to_model); jsonschema validation already failed from about 165 levels.
@pytest.mark.parametrize("marker", ["1.\n", "一、\n", "（一）\n", "①\n", "1.\n（1）\n"])
@pytest.mark.parametrize("count", [300, 1000])
def test_repeated_first_markers_never_nest_without_bound(marker: str, count: int) -> None:
    text = marker * count
    doc = report_parser.parse(text)
    Document.model_validate_json(to_json(doc))
    levels = depth(doc.sections)
    assert levels <= 32, f"{levels} levels"
    full_check(doc, text)


def test_a_few_repeated_first_markers_still_parse() -> None:
    parse_and_check("1.\n" * 40)


# --- Chinese numerals (fixed in dd38e15) -------------------------------------------------------

# numerals._integer split at the last 亿 and recursed on the rest: one frame per 亿, so
# "一" + "亿" * 494 + "个" raised RecursionError inside parse().
@pytest.mark.parametrize("text", ["一" + "亿" * 1000 + "个", "一亿" * 600 + "元", "一" + "亿" * 1000 + "万元"])
def test_long_numeral_runs_do_not_recurse(text: str) -> None:
    parse_and_check(text)


def test_long_numeral_runs_below_the_recursion_limit_parse() -> None:
    parse_and_check("一" + "亿" * 50 + "个")
    parse_and_check("一二三四五六七八九十百千万亿" * 30 + "个")


# --- text the encoder refuses ---------------------------------------------------------------

# A str from surrogateescape decoding or from JSON can hold lone surrogates (files never do: decode
# replaces them). They used to crash the sha256 (fixed in dd38e15) and then OpenCC, which encodes
# strictly. Now parse() puts U+FFFD in their place (same length, so offsets hold), keeps that text
# in source.text for the spans, and says so with W501.
@pytest.mark.parametrize("text", ["\ud800", "一、整改\udcff。\n"])
def test_lone_surrogates_are_replaced_and_warned(text: str) -> None:
    doc = report_parser.parse(text)
    assert doc.source.text == text.replace("\ud800", "\ufffd").replace("\udcff", "\ufffd")
    assert doc.warnings[0].code == "W501"
    full_check(doc, doc.source.text)


# --- quadratic time (fixed in dd38e15: clauses are looked for within summary.CLAUSE_REACH) -----

# summary.summary_subject walked back over the whole clause (and its digits) for every figure in
# the preamble: a preamble of figures with no clause break cost O(figures × clause length).
# "2024年 " × 20 000 took about 440 s, 4000 × "2024年" 1.7 s, against 0.01 s for a plain notice.
# Now linear; a figure every few characters still costs 12-34x a plain notice (a Metric each).
@pytest.mark.parametrize("piece", ["2024年", "2024年 ", "3个", "5%"])
def test_crowded_preamble_figures_parse_in_linear_time(piece: str) -> None:
    assert_linear(lambda n: piece * n, 500)


# --- markup in titles (fixed in 2719ddc) -------------------------------------------------------

# tree.MARKUP (now tree.strip_markup) removed `**`, `__` and blanks in one pass, so markup nested in markup (`*__*`, from a
# converter or a mutation) left a `**` behind in Title.value and in node titles.
@pytest.mark.parametrize("text", [
    "*__*关于巡察整改情况的通报\n一、问题\n",
    "关于巡察*__*整改情况的通报\n一、问题\n",
    "一、问题*__*整改\n（一）*__*标题。正文\n",
])
def test_nested_markup_never_reaches_a_title(text: str) -> None:
    parse_and_check(text)


# strip_markup and clean_title skip the substitutions when a title holds none of the characters
# they act on: every kind of blank (by `regex`'s \s), &, [, * and _ must still send it through them.
@pytest.mark.parametrize("raw", [
    "加强组织领导", "一、加强\u3000组织领导", "加强\xa0组织", "加强\u2028组织", "加强\x1c组织", "加强\x85组织",
    "加强&nbsp;组织", "加强&NBSP;组织", "加强[bookmark: _GoBack]组织", "**加强**组织", "加强__组织", "加强*组织",
    "；加强组织。", " ", "", "&", "[comment x]", "a_b",
])
def test_markup_fast_path_matches_the_substitutions(raw: str) -> None:
    from report_parser import tree

    slow = tree._STAR_RUNS.sub("", tree._LEFTOVERS.sub("", raw))
    assert tree.strip_markup(raw) == slow
    assert tree.clean_title(raw) == (slow.strip(" \t;；,，:：、。.") or None)


# --- command line ----------------------------------------------------------------------------


# cli: `args.max_bytes or DEFAULT_MAX_BYTES` turned --max-bytes 0 into the 20 MB default (fixed in dd38e15).
def test_max_bytes_zero_is_not_silently_the_default(tmp_path, capsys) -> None:
    f = tmp_path / "notice.txt"
    f.write_text("关于巡察整改情况的通报\n一、问题\n", encoding="utf-8")
    status = main(["parse", "--max-bytes", "0", str(f)])
    out, err = capsys.readouterr()
    assert status == 2 and not out and err.strip(), (status, err)


# --- found late: blank by one definition everywhere; negative limits are usage errors ---------


def test_control_characters_count_as_blank_in_coverage_too() -> None:
    text = "一、整改落实\n" + "\x1c" * 30  # str.isspace() is true for \x1c-\x1f
    doc = report_parser.parse(text)
    assert doc.coverage == 1.0
    full_check(doc, text)


def test_negative_max_bytes_is_a_usage_error(tmp_path, capsys) -> None:
    f = tmp_path / "notice.txt"
    f.write_text("关于巡察整改情况的通报\n一、问题\n", encoding="utf-8")
    assert main(["parse", "--max-bytes", "-5", str(f)]) == 2
    out, err = capsys.readouterr()
    assert not out and "--max-bytes" in err and len(err.strip().splitlines()) == 1


# --- markup around a conversion leftover (found by the fuzz harness) -------------------------------

# `*[bookmark: _GoBack]*` before the title: the bookmark was removed and the stars on either side
# of it met in title.value as `**`; leftovers now go before runs of stars.
def test_stars_around_a_bookmark_leave_the_title_value() -> None:
    doc = report_parser.parse("*[bookmark: _GoBack]*某局关于巡察整改情况的通报\n正文。\n")
    assert doc.title is not None and "**" not in doc.title.value



# --- a library's multi-line message in a refusal (found by the fuzz harness) ------------------------

# lxml's XMLSyntaxError for a NUL byte inside word/document.xml spans two lines; the refusal quoted it
# as it was, so the one-line error had a line break in it.
def test_refusal_quoting_a_multiline_library_message_stays_one_line() -> None:
    from report_parser.errors import InputError

    e = InputError("s.docx", "corrupt .docx (XMLSyntaxError: Invalid character: Char 0x0\nout of allowed range, line 1)")
    assert "\n" not in str(e) and e.reason.endswith("line 1)") and str(e).startswith("s.docx: corrupt")
