"""The core parse on the bundled notices: scores against the hand-written gold, grounding, schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import FIXTURES, NANKAI, ROOT, SAMPLE, bundled_notices, check_invariants

import report_parser
from report_parser.cli import json_schema, schema_text


def _score(scorer, gold_name, path):
    gold = json.loads((FIXTURES / "gold" / gold_name).read_text(encoding="utf-8"))
    doc = report_parser.parse_file(path)
    pred = doc.model_dump(mode="json")
    source = path.read_text(encoding="utf-8")
    return scorer.score(gold, pred, source)


def test_sample_is_parsed_exactly(scorer):
    total, parts, lines = _score(scorer, "kuandian-investment-center-2025.gold.json", SAMPLE)
    assert set(parts) >= {"header", "headings", "nesting", "category_roles", "problem_roles", "measures",
                          "status", "metrics", "contact", "grounding"}
    bad = {k: v for k, v in parts.items() if v != 1.0}
    assert not bad, "\n".join(lines)
    assert total == 1.0


def test_central_notice_parses(scorer):
    total, parts, lines = _score(scorer, "nankai-central-2022.gold.json", NANKAI)
    for part in ("headings", "nesting", "measures"):
        assert parts[part] >= 0.95, "\n".join(lines)
    for part in ("header", "contact", "grounding"):
        assert parts[part] == 1.0, "\n".join(lines)


@pytest.mark.parametrize("path", bundled_notices(), ids=lambda p: p.name)
def test_every_span_is_grounded(path):
    source = path.read_text(encoding="utf-8")
    doc = report_parser.parse_file(path)
    check_invariants(doc, source)


@pytest.mark.parametrize("path", bundled_notices(), ids=lambda p: p.name)
def test_output_validates_against_exported_schema(path):
    schema = json.loads((ROOT / "schemas" / "notice.schema.json").read_text(encoding="utf-8"))
    data = report_parser.parse_file(path).model_dump(mode="json")
    jsonschema.validate(data, schema)


def test_exported_schema_matches_models():
    exported = (ROOT / "schemas" / "notice.schema.json").read_text(encoding="utf-8")
    assert exported == schema_text(), "run: report-parser schema > schemas/notice.schema.json"
    assert json_schema()["properties"]["schema_version"]["default"] == report_parser.SCHEMA_VERSION


def test_feedback_year_is_inferred_and_warned():
    doc = report_parser.parse_file(SAMPLE)
    assert doc.inspection.feedback_date == "2025-02-17"
    w101 = [w for w in doc.warnings if w.code == "W101"]
    assert w101, doc.warnings
    s, e = w101[0].span
    assert SAMPLE.read_text(encoding="utf-8")[s:e] == "2月17日"


def test_year_rolls_over_only_past_the_reference():
    text = ("关于XX局党组巡察整改情况的通报\n根据统一部署，2023年3月1日至5月10日，市委第二巡察组对XX局党组进行了专项巡察。"
            "6月2日反馈了巡察意见。\n一、问题\n（一）制度不全。一是制定制度3项。\n")
    doc = report_parser.parse(text)
    assert doc.inspection.kind == "专项"
    assert (doc.inspection.start, doc.inspection.end, doc.inspection.feedback_date) == (
        "2023-03-01", "2023-05-10", "2023-06-02")


def test_bookmark_leftover_never_reaches_title_or_heading():
    doc = report_parser.parse_file(SAMPLE)
    titles = [doc.title.value] + [n.title or "" for n in doc.walk()]
    assert not any("bookmark" in t or "GoBack" in t for t in titles)
    assert "bookmark" in doc.preamble.text  # reported as written, not rewritten


def test_title_value_joins_a_broken_title():
    doc = report_parser.parse("中共XX县财政局党组 关于县委巡察\n整改进展情况的通报\n根据县委统一部署，县委第一巡察组对XX县财政局党组进行了常规巡察。\n1.问题一。\n（1）问题。整改。\n")
    assert doc.title.value == "中共XX县财政局党组关于县委巡察整改进展情况的通报"
    assert "\n" in doc.title.text
    assert doc.issuer.name == "中共XX县财政局党组"
    assert doc.issuer.org_type == "党组"


def test_progress_paragraph_after_the_last_item_is_summary():
    text = ("中共XX县农业农村局党组关于县委巡察整改进展情况的通报\n"
            "根据县委统一部署，2024年3月1日至5月10日，县委第一巡察组对县农业农村局党组进行了常规巡察。6月2日，县委巡察组反馈了巡察意见。\n"
            "一、问题\n（一）制度不健全。一是制定制度3项。二是开展培训2次。\n（二）资金管理不严。一是追缴资金5万元。\n"
            "截至2024年12月底，巡察反馈的12个问题已完成整改10个，整改完成率83.3%，制定完善制度8项。\n"
            "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0415-1234567。\n")
    doc = report_parser.parse(text)
    last = doc.sections[-1]
    assert (last.role, last.marker) == ("paragraph", None)
    assert [c.title for c in doc.sections[0].children] == ["制度不健全", "资金管理不严"]
    assert len([n for n in doc.walk() if n.role == "measure"]) == 3
    got = {m.subject: m.value for m in doc.summary if m.subject}
    assert got == {"problems_fed_back": 12, "problems_rectified": 10, "completion_rate": 83.3, "rules_made": 8}
    assert doc.coverage == 1.0


def test_figures_inside_numbered_items_stay_there():
    text = ("XX局党组关于巡察整改情况的通报\n根据统一部署，市委第二巡察组对XX局党组进行了常规巡察。\n"
            "一、整改工作开展情况\n（一）细化任务。针对反馈的4个方面12个问题，制定整改措施56条。\n"
            "二、问题整改落实情况\n（一）制度不全。一是制定制度3项。\n三、下一步工作打算\n一是巩固成果。\n")
    doc = report_parser.parse(text)
    assert doc.summary == []
    assert [n.role for n in doc.sections] == ["section", "section", "section"]
    owned = [m.text for n in doc.walk() for m in n.metrics]
    assert owned[:3] == ["4个", "12个", "56条"]


def test_address_stops_before_a_bracketed_postcode_and_hospitality_is_not_a_plan():
    from report_parser.measures import measure_status

    doc = report_parser.parse("XX局党组关于巡察整改情况的通报\n根据统一部署，市委第二巡察组对XX局党组进行了常规巡察。\n"
                              "一、问题\n（一）制度不全。一是制定制度3项。\n欢迎广大干部群众监督。"
                              "邮政信箱：沈阳市浑南区浑南中路25号党委办公室（邮编：110168）；电子邮箱：a@b.cn\n")
    assert doc.contact.address.text == "沈阳市浑南区浑南中路25号党委办公室"
    assert doc.contact.postcode.text == "110168"
    assert measure_status("实行业务招待事后公示。") is None  # 招待 is hospitality, not 待…后
    assert measure_status("待合适时机即可开展。") == "planned"


def test_closing_is_the_appeal_and_the_tail_keeps_contact_signature_and_attachments():
    text = ("中共XX图书馆总支部委员会关于巡察整改情况的通报\n根据统一部署，校党委第二巡察组对图书馆党总支开展了常规巡察。\n"
            "一、问题\n（一）制度不全。一是制定制度3项。\n"
            "欢迎广大师生对巡察整改落实情况进行监督。联系电话：024-31234567；电子邮箱：tsg@xx.edu.cn。\n"
            "中共XX图书馆总支部委员会\n2024年9月10日\n附件：1.巡察整改任务清单\n2.新建制度目录\n")
    doc = report_parser.parse(text)
    assert doc.closing.text == "欢迎广大师生对巡察整改落实情况进行监督。"
    assert [p.text for p in doc.contact.phones] == ["024-31234567"]
    assert doc.signature.text == "中共XX图书馆总支部委员会\n2024年9月10日"
    assert doc.attachments.text == "附件：1.巡察整改任务清单\n2.新建制度目录"
    assert [n.marker for n in doc.walk()] == ["一、", "（一）", "一是"]  # 1./2. of the list are no headings
    assert doc.coverage == 1.0
    bare = report_parser.parse(text.replace("欢迎广大师生对巡察整改落实情况进行监督。", ""))
    assert bare.closing is None and [p.text for p in bare.contact.phones] == ["024-31234567"]


def test_numbered_actions_under_a_problem_are_measures_but_numbered_problems_stay_problems():
    head = "XX局党组关于巡察整改情况的通报\n根据统一部署，市委第二巡察组对XX局党组进行了常规巡察。\n一、问题\n"
    actions = report_parser.parse(head + "（一）食品安全监管责任落实不够到位。\n1.加强日常监督检查。制定年度检查计划。\n"
                                  "2.完善抽检工作机制。\n3.开展专项整治行动。\n")
    assert [(n.role, n.marker) for n in actions.walk()][1:] == [
        ("problem", "（一）"), ("measure", "1."), ("measure", "2."), ("measure", "3.")]
    problems = report_parser.parse(head + "（一）主体责任落实不到位。\n1.对意识形态工作重视不够。整改。\n"
                                   "2.加强廉政教育不够深入。整改。\n")
    assert [(n.role, n.marker) for n in problems.walk()][1:4] == [
        ("category", "（一）"), ("problem", "1."), ("measure", None)]


def test_html_space_entities_separate_markers_in_a_one_line_body():
    text = ("XX中学党总支关于巡察整改情况的通报\n根据县委统一部署，县委第一巡察组对XX中学党总支进行了机动巡察。现将整改情况予以公布。"
            "&nbsp;&nbsp;一、关于甲方面&nbsp;1.乙问题不规范。一是对受助学生信息逐一复核，取消不符合条件学生资助资格6人；"
            "二是建立资助公示制度，公示期不少于5个工作日。&nbsp;2.丙问题。全面清理收费项目，退还多收费用，规范收费程序。"
            "&nbsp;&nbsp;二、关于丁方面&nbsp;1.戊问题。完善食堂管理制度，每月公示食堂收支情况。\n")
    doc = report_parser.parse(text)
    assert [(n.marker, n.title) for n in doc.walk() if n.role != "measure"] == [
        ("一、", "关于甲方面"), ("1.", "乙问题不规范"), ("2.", "丙问题"), ("二、", "关于丁方面"), ("1.", "戊问题")]
    check_invariants(doc, text)


def test_a_heading_repeated_word_for_word_is_kept_once():
    text = ("XX中学党总支关于巡察整改情况的通报\n根据县委统一部署，县委第一巡察组对XX中学党总支进行了机动巡察。\n"
            "一、关于甲方面\n（一）乙问题。整改。\n二、关于丁方面\n\n二、关于丁方面\n\n（一）戊问题。整改。\n")
    doc = report_parser.parse(text)
    assert [n.marker for n in doc.sections] == ["一、", "二、"]
    assert [c.title for c in doc.sections[1].children] == ["戊问题"]
    assert any(w.code == "W202" and "kept once" in w.message for w in doc.warnings)
    check_invariants(doc, text)
