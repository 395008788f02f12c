"""Peer figure cases (tests/fixtures/peer/metrics.jsonl) through scripts/peer_cases.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("peer_cases", ROOT / "scripts" / "peer_cases.py")
assert _spec and _spec.loader
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)

CASES = peer.load_cases()
BY_INPUT = {c["input"]: c for c in CASES}


def test_inputs_go_through_the_normaliser() -> None:
    assert peer.NORMALISER == "report_parser.normalize"
    assert peer.normalize_text("包含３０００余件") == "包含3000余件"


def test_fixture_is_complete() -> None:
    assert len(CASES) == 172
    assert sum(len(c["expect"]) for c in CASES) == 170


def test_share_correct() -> None:
    share, strict, failures = peer.run(CASES)
    assert share >= 0.95, [c["input"] for c, _ in failures]
    assert strict >= 0.95


SELECTED = [
    "82，225.00元", "123元1角1分", "六十四万零一百四十三元一角七分", "肆佰叁拾萬圆整", "近700万元",
    "2.2本计划投资3541.07万元2.3本项目……", "有十分之一的概率，股票赔钱了。", "根据财税2016 36号文",
    "二〇〇六年十二月", "2019.9.6", "2017年8月11日至8月22日", "2018年1－9月份", "自2020-05-26起至2020-05-29止",
    "1999.08-2002.02", "2008.03-2009", "2019年4月12-19日", "17个多月", "两年半", "一千零一万零一",
    "一亿五千万零六千三百五十五", "16.4亿", "100余", "壹佰万零伍拾肆元肆角叁分", "壹元零壹分", "两岸关系",
    "010-64035547", "可以拨打12306来咨询", "共465篇，约315万字", "共四百六十五篇,约三百一十五万字",
    "总量的1/5以上", "百分之二点一五", "包含３０００余件", "二〇〇二年的第一场雪", "一亿零两千三百人",
]


@pytest.mark.parametrize("text", SELECTED)
def test_selected_case(text: str) -> None:
    case = BY_INPUT[text]
    keys_ok, approx_ok, got = peer.check(case)
    assert keys_ok, (case["expect"], got)
    assert approx_ok, (case["expect"], got)


def test_bare_numerals_go_to_the_converter() -> None:
    bare = [c for c in CASES if "bare_numeral" in c.get("tags", [])]
    assert len(bare) == 53
    for c in bare:
        assert peer.predict(c)[0]["value"] == c["expect"][0]["value"], c["input"]


def test_negative_cases_give_nothing() -> None:
    for c in CASES:
        if "negative" in c.get("tags", []):
            assert peer.predict(c) == [], c["input"]
