"""Analysis with jieba: domain vocabulary, figure subjects, keywords, topic areas, boilerplate, opt-in loading."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from report_parser import ParseOptions, parse, parse_file
from report_parser.models import Document

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SAMPLE = CORPORA / "seed" / "kuandian-investment-center-2025.txt"
NANKAI = CORPORA / "real" / "nankai-central-2022.txt"
DATA = ROOT / "src" / "report_parser" / "data"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "subjects.jsonl"

jieba = pytest.importorskip("jieba")

from report_parser import analysis  # noqa: E402
from report_parser.boilerplate import boilerplate_groups, jaccard, measure_words  # noqa: E402
from report_parser.subjects import subject_of  # noqa: E402


@pytest.fixture(scope="module")
def seg() -> analysis.Segmenter:
    return analysis.segmenter()


@pytest.fixture(scope="module")
def bare() -> analysis.Segmenter:
    return analysis.new_segmenter(userdict=False)


@pytest.fixture(scope="module")
def analyzed() -> list[Document]:
    return [parse_file(p, ParseOptions(analyze=True)) for p in (SAMPLE, NANKAI)]


# ---------------------------------------------------------------- domain vocabulary


def _jieba_tags() -> set[str]:
    path = Path(jieba.__file__).parent / "dict.txt"
    return {line.split()[2] for line in path.read_text("utf-8").splitlines() if len(line.split()) == 3}


def test_userdict_is_well_formed() -> None:
    entries = analysis.read_userdict()
    words = [w for w, _ in entries]
    assert len(words) >= 300
    assert len(words) == len(set(words)), sorted(w for w in set(words) if words.count(w) > 1)
    tags = _jieba_tags()
    assert {t for _, t in entries} <= tags
    for w, _ in entries:
        assert re.fullmatch(r"[\u4e00-\u9fff]+", w), w


@pytest.mark.parametrize(("sentence", "without", "with_"), [
    ("严格落实谈心谈话制度", ["谈心", "谈话"], ["谈心谈话"]),
    ("完善“三重一大”议事决策程序", ["三重", "一大"], ["三重一大"]),
    ("实行公务卡报销全覆盖", ["公务", "卡"], ["公务卡"]),
    ("加强党风廉政建设和意识形态工作", ["党风廉政", "建设"], ["党风廉政建设"]),
    ("召开民主生活会和组织生活会", ["民主", "生活"], ["民主生活会", "组织生活会"]),
])
def test_userdict_keeps_terms_whole(seg, bare, sentence: str, without: list[str], with_: list[str]) -> None:
    plain = bare.cut(sentence)
    domain = seg.cut(sentence)
    for w in without:
        assert w in plain, plain
    for w in with_:
        assert w in domain and w not in plain, (plain, domain)


# A vocabulary term that a bundled notice contains only as part of another reading: 支委会议 is 支委 + 会议.
_NOT_THERE = {"支委会"}


def test_userdict_terms_segment_whole_in_bundled_notices(seg) -> None:
    """Every term that occurs in a bundled notice is segmented whole there (or inside a longer term) at
    least once, and nearly every occurrence is; the rest overlap another reading (新兴学科/建设)."""
    terms = {w for w, _ in analysis.read_userdict()}
    occurrences = whole = 0
    for path in (SAMPLE, NANKAI):
        text = path.read_text("utf-8")
        spans = []
        pos = 0
        for w in seg.cut(text):
            spans.append((pos, pos + len(w), w))
            pos += len(w)
        for term in terms - _NOT_THERE:
            found = []
            for m in re.finditer(re.escape(term), text):
                s, e = m.span()
                found.append(any(a == s and b == e for a, b, _ in spans) or any(
                    w in terms and w != term and a < e and s < b for a, b, w in spans))
            if found:
                assert any(found), (path.name, term)
            occurrences += len(found)
            whole += sum(found)
    assert occurrences > 200
    assert whole >= 0.97 * occurrences


# ---------------------------------------------------------------- subjects


@pytest.mark.parametrize(("text", "figure", "subject"), [
    ("我中心围绕县域产业链条等新谋划包装项目80个，其中产业链项目26个。", "80个", "新谋划包装项目"),
    ("开展招商活动75次，对接企业156家，洽谈推进项目141个。", "156家", "企业"),
    ("清退违规资金66.57万元，挽回经济损失1369.5万元。", "66.57万元", "违规资金"),
    ("清退违规资金66.57万元，挽回经济损失1369.5万元。", "1369.5万元", "经济损失"),
    ("围绕产业链谋划80个项目。", "80个", "项目"),
    ("给予党纪处分2人，诫勉1人。", "2人", "党纪处分"),
    ("给予党纪处分2人，诫勉1人。", "1人", "诫勉"),
    ("巡察反馈问题25个，已完成整改19个，整改完成率76%。", "19个", "巡察反馈问题"),
    ("优选72个乡镇重点包装项目纳入全县招商项目储备库管理。", "72个", "乡镇重点包装项目"),
    ("制定完善制度12项。", "12项", "制度"),
])
def test_subject_examples(text: str, figure: str, subject: str) -> None:
    s = text.index(figure)
    unit = re.sub(r"^[\d.]+(?:万)?", "", figure)
    assert subject_of(text, s, s + len(figure), unit) == subject


def test_subject_fixture_is_from_the_bundled_notices() -> None:
    cases = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines() if line.strip()]
    assert len(cases) >= 40
    texts = {p.name: p.read_text("utf-8") for p in CORPORA.rglob("*.txt")}
    for c in cases:
        assert c["sentence"] in texts[c["doc"]], c
        assert c["sentence"][c["start"]:c["end"]] == c["metric"]
        assert c["kind"] in ("count", "money")
        assert c["subject"] is None or isinstance(c["subject"], str)


def test_subject_accuracy() -> None:
    spec = importlib.util.spec_from_file_location("subject_accuracy", ROOT / "scripts" / "subject_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    acc, misses = mod.evaluate(mod.load(FIXTURE))
    assert acc >= 0.85, [(c["metric"], c["subject"], got) for c, got in misses]


def test_subjects_fill_counts_and_money_only(analyzed) -> None:
    doc = analyzed[0]
    figures = list(doc.summary) + [m for n in doc.walk() for m in n.metrics]
    assert all(m.subject is None for m in figures if m.kind not in ("count", "money"))
    counted = [m for m in figures if m.kind in ("count", "money")]
    assert sum(m.subject is not None for m in counted) >= 0.9 * len(counted)
    by_text = {m.text: m.subject for n in doc.walk() for m in n.metrics}
    assert by_text["80个"] == "新谋划包装项目"
    assert by_text["156家"] == "企业"


def test_summary_keys_are_kept() -> None:
    text = SAMPLE.read_text("utf-8").replace(
        "按照《中国共产党巡视工作条例》", "截至目前，巡察反馈问题11个，已完成整改9个。按照《中国共产党巡视工作条例》")
    plain = parse(text)
    rich = parse(text, options=ParseOptions(analyze=True))
    keyed = [(m.text, m.subject) for m in plain.summary if m.subject]
    assert keyed and all((m.text, m.subject) in {(a.text, a.subject) for a in rich.summary} for m in plain.summary
                         if m.subject)


# ---------------------------------------------------------------- keywords


def test_keywords_on_problems_and_documents(analyzed) -> None:
    stop = set(analysis.read_wordlist(analysis.STOPWORDS))
    for doc in analyzed:
        assert doc.keywords and len(doc.keywords) <= analysis.DOC_KEYWORDS
        problems = [n for n in doc.walk() if n.role == "problem"]
        assert problems
        for n in problems:
            assert n.keywords, n.title
            assert len(n.keywords) == len(set(n.keywords)) <= analysis.NODE_KEYWORDS
            for w in n.keywords:
                assert w not in stop and len(w) >= 2 and not re.search(r"\d", w), w
        for n in doc.walk():
            if n.role != "problem":
                assert n.keywords is None and n.topics is None
        Document.model_validate(doc.model_dump())
    kuandian = {n.title: n.keywords for n in analyzed[0].walk() if n.role == "problem"}
    assert "公务卡" in kuandian["现金管理不够重视"]
    assert "三重一大" in kuandian["民主决策执行不到位"]
    assert "谈心谈话" in kuandian["党组织功能弱化"]


def test_keywords_function_ranks_field_words(seg) -> None:
    text = "严格落实“三重一大”集体决策制度，进一步加强工作，认真开展谈心谈话，2025年开展3次。"
    kw = analysis.keywords(text, 5, seg)
    assert kw[0] in ("三重一大", "谈心谈话")
    assert not {"进一步", "加强", "工作", "开展", "2025"} & set(kw)


def test_idf_table_is_well_formed() -> None:
    lines = (DATA / "analysis_idf.txt").read_text("utf-8").splitlines()
    words = [ln.split(" ")[0] for ln in lines]
    assert len(words) == len(set(words)) > 1000
    assert all(float(ln.split(" ")[1]) > 0 for ln in lines)
    table = dict(ln.split(" ") for ln in lines)
    assert float(table["整改"]) < float(table["公务卡"])


# ---------------------------------------------------------------- topics


def test_topic_lexicon_and_docs_agree() -> None:
    data = json.loads((DATA / "topics_cues.json").read_text("utf-8"))
    ids = [a["id"] for a in data["areas"]]
    assert len(ids) == len(set(ids)) == 11
    doc = (ROOT / "docs" / "topics.md").read_text("utf-8")
    for a in data["areas"]:
        assert f"| `{a['id']}` |" in doc
        assert len(a["cues"]) == len(set(a["cues"])) >= 10, a["id"]
    assert analysis.FALLBACK_AREA in ids


def test_topics_on_problems(analyzed) -> None:
    cues = {a.id: set(a.cues) for a in analysis.areas()}
    for doc in analyzed:
        for n in doc.walk():
            if n.role != "problem":
                continue
            assert n.topics, n.title
            for t in n.topics:
                assert t.area in cues
                assert set(t.cues) <= cues[t.area]
                text = re.sub(r"\s|\*\*", "", n.text)
                assert all(c in text for c in t.cues)
    areas = {n.title: [t.area for t in n.topics] for n in analyzed[0].walk() if n.role == "problem"}
    assert areas["现金管理不够重视"][0] == "finance_assets"
    assert areas["选人用人存在薄弱环节"][0] == "cadre_selection"
    assert areas["民主决策执行不到位"][0] == "leadership_decision"
    assert areas["党组织功能弱化"][0] == "grassroots_party"
    assert areas["产业链招商研究不够深入"][0] == "core_business"
    assert "work_style" in areas["公务接待审批不严格"]
    nankai = {n.title: [t.area for t in n.topics] for n in analyzed[1].walk() if n.role == "problem"}
    assert nankai["锲而不舍纠治“四风”"][0] == "work_style"
    assert nankai["扎实履行主体责任"][0] == "clean_governance"


def test_topics_fallback() -> None:
    assert analysis.topics("某某不够", "某某某。") == [analysis.Topic(area=analysis.FALLBACK_AREA, cues=[])]
    got = analysis.topics("公务卡使用不规范", "一是规范报销。")
    assert got[0].area == "finance_assets" and "公务卡" in got[0].cues


# ---------------------------------------------------------------- boilerplate


_NOTICE = """中共{unit}党组关于县委巡察整改进展情况的通报

根据县委统一部署，2024年9月30日至12月30日，县委第三巡察组对{unit}党组进行了常规巡察。2月17日，县委巡察组向{unit}党组反馈了巡察意见。现将巡察整改情况予以公布。
1.基层组织建设有差距。
（1）党组织功能弱化。{m1}{m2}
（2）财务管理不规范。{m3}
欢迎广大干部群众对巡察整改落实情况进行监督。
"""

_SHARED = ("一是严格落实谈心谈话制度，党组书记与班子成员、班子成员与分管科室负责人开展谈心谈话{n}次，"
           "及时掌握干部思想动态，帮助解决实际困难。")
_SHARED2 = ("二是严格执行“三会一课”制度，按时召开支部委员会和党员大会，认真开展主题党日活动，"
            "全年组织集中学习{n}次，提升组织生活质量。")


def _notice(unit: str, n: int, m3: str, tweak: str = "") -> str:
    return _NOTICE.format(unit=unit, m1=_SHARED.format(n=n).replace("帮助解决实际困难", tweak or "帮助解决实际困难"),
                          m2=_SHARED2.format(n=n + 2), m3=m3)


def test_boilerplate_groups_near_duplicates_across_documents() -> None:
    a = parse(_notice("县招商服务中心", 4, "一是聘请第三方审计机构开展财务清查，形成审计报告并完成账目调整。"), name="a")
    b = parse(_notice("县文化旅游局", 6, "一是停止使用现金报销，全面推行公务卡结算，每月与会计对账。",
                      tweak="帮助解决工作中的实际困难"), name="b")
    c = parse(_notice("县招商服务中心", 4, "x"), name="c")  # same text as a but for m3: another doc
    measures = {d.source.name: [n for n in d.walk() if n.role == "measure"] for d in (a, b)}
    assert len(measures["a"]) == len(measures["b"]) == 3
    wa = measure_words(measures["a"][0].text, measures["a"][0].marker)
    wb = measure_words(measures["b"][0].text, measures["b"][0].marker)
    assert 0.8 <= jaccard(wa, wb) < 1.0  # near-duplicate, not identical
    groups = boilerplate_groups([a, b])
    key = lambda d, n: (d.source.sha256, n.span[0])  # noqa: E731
    ma, mb = measures["a"], measures["b"]
    assert groups[key(a, ma[0])] == groups[key(b, mb[0])] == 0
    assert groups[key(a, ma[1])] == groups[key(b, mb[1])] == 1
    assert key(a, ma[2]) not in groups and key(b, mb[2]) not in groups
    assert len(groups) == 4
    # three documents: the shared measures form one group each, across all three
    g3 = boilerplate_groups([a, b, c])
    assert len({g3[key(a, ma[0])], g3[key(b, mb[0])]}) == 1
    assert sorted(set(g3.values())) == [0, 1]


def test_boilerplate_ignores_one_document_and_distinct_measures() -> None:
    a = parse(_notice("县招商服务中心", 4, _SHARED.format(n=9)), name="a")
    assert boilerplate_groups([a]) == {}
    b = parse(_notice("县文化旅游局", 4, "一是停止使用现金报销。").replace("谈心谈话", "业务培训")
              .replace("三会一课", "周例会").replace("主题党日", "业务研讨").replace("集中学习", "专题调研")
              .replace("党组书记与班子成员、班子成员与分管科室负责人", "局机关全体干部职工")
              .replace("支部委员会和党员大会", "全体干部职工会议"), name="b")
    assert boilerplate_groups([a, b]) == {}


# ---------------------------------------------------------------- opt-in and cheap


def test_jieba_is_loaded_only_when_analysing() -> None:
    code = f"""
import sys
import report_parser
sample = open({str(SAMPLE)!r}, encoding="utf-8").read()
doc = report_parser.parse(sample)
assert "jieba" not in sys.modules, "jieba imported by a plain parse"
assert doc.sections and all(n.keywords is None for n in doc.walk())
from report_parser.pipeline import ParseOptions
doc = report_parser.parse(sample, options=ParseOptions(analyze=True))
assert "jieba" in sys.modules
assert any(n.keywords for n in doc.walk())
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert "Building prefix dict" not in out.stderr  # jieba's log is silenced


def test_jieba_is_loaded_once_and_caches_outside_the_package(seg) -> None:
    assert analysis.segmenter() is seg
    tmp = Path(seg.tok.tmp_dir).resolve()
    assert tmp.is_relative_to(Path(tempfile.gettempdir()).resolve())
    package = ROOT / "src" / "report_parser"
    assert not list(package.rglob("*.cache"))
    assert seg.tok.initialized
