"""Text against tables: the narrative's numbers, compared with the tables and with section six."""

from __future__ import annotations

import pandas as pd
import pytest
from audit_fixtures import CORPUS, filled, read_text, seed_text

import govdisclosure as gd
from govdisclosure.audit import audit, extract_statements
from govdisclosure.audit.narrative import chinese_number
from govdisclosure.audit.sentences import sentences


def statements_of(text: str, section: str = "overview") -> list[tuple[str, float]]:
    frame = pd.DataFrame({"report_id": ["r"], "section": [section], "text": [text]})
    found = extract_statements(frame)
    return list(zip(found["check"], found["value"], strict=True))


@pytest.mark.parametrize(("sentence", "expected"), [
    # pingtan_2025.html, 一、总体情况
    ("2025年，全区共收到政府信息公开申请154件，共办结148件，结转至2026年6件。",
     [("narrative_received", 154), ("narrative_processed", 148), ("narrative_carried_out", 6)]),
    ("全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。",
     [("narrative_review", 36), ("narrative_litigation", 9)]),
    # huaian_2024.pdf: wrapped over lines with spaces around the numbers
    ("2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，"
     "另有 103 件顺延到下年度\n答复），均在法定期限内予以答复。",
     [("narrative_received", 3119), ("narrative_carried_in", 34), ("narrative_processed", 3050),
      ("narrative_carried_out", 103)]),
    # shanghai_kewei_2024.md: outcome groups, and 转下一年度 is no 答复 count
    ("所有办结的信息公开申请中同意公开答复9件，部分公开答复0件，不予公开答复2件，无法提供的10件，"
     "不予处理0件，其他处理14件，转下一年度办理答复的有1件。",
     [("narrative_carried_out", 1), ("narrative_outcome", 9), ("narrative_outcome", 0),
      ("narrative_outcome", 2), ("narrative_outcome", 10), ("narrative_outcome", 0),
      ("narrative_outcome", 14)]),
    ("2024年市科委有1件涉及政府信息公开工作的行政复议，该行政复议件未被复议审查机关纠错。",
     [("narrative_review", 1)]),
    # pingtan_2023.html
    ("清理并集中发布现行有效行政规范性文件393件，动态更新本年度制发的规范性文件77件。",
     [("narrative_documents", 393), ("narrative_documents", 77)]),
    ("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。",
     [("narrative_review", 2), ("narrative_litigation", 7)]),
    # the combined count is read once, not also as the lawsuits
    ("行政复议、行政诉讼案件共9件。", [("narrative_appeals", 9)]),
    # shuyang_2025.txt: 办理相关案件 are appeals, not requests
    ("全县共办理相关案件74件，有力维护了群众合法权益。", []),
    # seeds: statements of none
    ("2024 年度，未收到政府信息公开申请，未发生因政府信息公开工作引发举报、投诉等情况。",
     [("narrative_no_requests", 0)]),
    ("2024年,我镇不存在信息公开工作被申请行政复议或提起行政诉讼的情况。", [("narrative_no_appeals", 0)]),
    ("全年收取政府信息公开信息处理费 3940 元。", [("narrative_fee_amounts", 3940)]),
    ("收取信息处理费0.5万元。", [("narrative_fee_amounts", 5000)]),
    ("2024年，市科委未发生政府信息公开收费事项。", [("narrative_fee_amounts", 0)]),
    # numbers of another year are not this year's
    ("收到申请120件，同比增长20件。", [("narrative_received", 120)]),
    ("较上年减少行政复议3件。", []),
    # "一起" before 行政复议 means "together", not one case
    ("与司法局一起研究行政复议案件办理，全年有2件涉及本机关的行政复议。", [("narrative_review", 2)]),
])
def test_statements(sentence: str, expected: list[tuple[str, float]]) -> None:
    assert statements_of(sentence) == expected


def test_tables_in_a_section_are_not_narrative() -> None:
    text = "全年收到申请5件。\n行政规范性文件\t77\t132\t470\n| 1 | 2 |\n10 1 0 0 0\n"
    assert [s.text for s in sentences(text)] == ["全年收到申请5件。"]


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("1,234", 1234), ("三", 3), ("十二", 12),
                                              ("二十", 20), ("两百零五", 205), ("零", 0)])
def test_chinese_number(text: str, value: float) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("layout", ["tab", "pipe"])
def test_seed_with_zero_tables_agrees_with_its_narrative(layout: str) -> None:
    rep = read_text(seed_text(layout))
    assert audit(rep, checks=["text_table"]).empty


def test_tab_seed_says_no_requests_while_its_table_has_them() -> None:
    text, values = filled("tab")
    found = audit(read_text(text), checks=["text_table"])
    assert found[["check", "severity", "location", "table", "row", "col", "expected", "reported"]].values.tolist() == [
        ["narrative_no_requests", "error", "第一部分 总体情况 第9句", "requests", "received", "total",
         str(int(values[("requests", "received", "total")])), "0"],
    ]
    assert found["evidence"].iloc[0].startswith("2024年度，未收到政府信息公开申请")
    assert "表三一、本年新收·总计为 31443 件" in found["message"].iloc[0]


def test_pipe_seed_contradicts_three_tables() -> None:
    text, values = filled("pipe")
    found = audit(read_text(text), checks=["text_table"]).set_index("check")
    appeals = sum(values[("appeals", b, "total")] for b in ("review", "litigation_direct", "litigation_after_review"))
    assert found.loc["narrative_no_appeals", "expected"] == str(int(appeals))
    assert found.loc["narrative_no_appeals", "location"] == "第四部分 政府信息公开行政复议行政诉讼情况 第1句"
    assert found.loc["narrative_no_requests", "location"] == "第三部分 收到和处理政府信息公开申请情况 第1句"
    # "收费通知的件数…均为0" while 1484 requests lapsed for an unpaid fee notice
    notice = found.loc["narrative_fee_notices"]
    assert (notice["severity"], notice["row"], notice["expected"], notice["reported"]) == (
        "warning", "other_no_fee", str(int(values[("requests", "other_no_fee", "total")])), "0")
    assert notice["location"] == "第六部分 其他需要报告的事项 第2句"
    assert len(found) == 3


def _with_paragraph(text: str, paragraph: str) -> str:
    anchor = "（三）政府信息管理情况"
    return text.replace(anchor, paragraph + "\n\n" + anchor)


def test_stated_numbers_against_the_tab_seed_table() -> None:
    text, values = filled("tab")
    v = {k: int(x) for k, x in values.items() if float(x).is_integer()}
    received, processed = v[("requests", "received", "total")], v[("requests", "total_processed", "total")]
    carried = v[("requests", "carried_out", "total")]
    review = v[("appeals", "review", "total")]
    lawsuits = v[("appeals", "litigation_direct", "total")] + v[("appeals", "litigation_after_review", "total")]
    in_force = v[("proactive", "normative_documents", "in_force")]
    paragraph = (
        f"全年共收到政府信息公开申请{received}件，办结{processed + 1}件，结转下年度继续办理{carried}件。"
        f"行政复议{review}件，行政诉讼{lawsuits + 2}件。"
        f"现行有效行政规范性文件{in_force - 77}件。"
    )
    text = _with_paragraph(text.replace("未收到政府信息公开申请，", ""), paragraph)
    found = audit(read_text(text), checks=["text_table"])
    got = found[["check", "location", "expected", "reported"]].values.tolist()
    assert got == [
        ["narrative_documents", "第一部分 总体情况 第12句", str(in_force), str(in_force - 77)],
        ["narrative_litigation", "第一部分 总体情况 第11句", str(lawsuits), str(lawsuits + 2)],
        ["narrative_processed", "第一部分 总体情况 第10句", str(processed), str(processed + 1)],
    ]
    assert found.set_index("check").loc["narrative_documents", "message"].endswith(
        f"而表二行政规范性文件·现行有效件数为 {in_force} 件")


def test_fee_amounts_disagree_between_overview_and_section_six() -> None:
    text = _with_paragraph(seed_text("tab"), "全年收取信息处理费120元。")
    found = audit(read_text(text), checks=["narrative_fee_amounts"])
    assert found[["location", "expected", "reported"]].values.tolist() == [
        ["第一部分 总体情况 第10句", "0", "120"]]
    assert "而 第六部分 其他需要报告的事项 第1句 称 0 元" in found["message"].iloc[0]


def test_a_blank_cell_is_not_compared() -> None:
    text = seed_text("tab").replace("一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
                                    "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t—")
    text = _with_paragraph(text, "全年共收到政府信息公开申请3件。")
    assert audit(read_text(text), checks=["narrative_received"]).empty


@pytest.mark.skipif(not (CORPUS / "pingtan_2023.html").exists(),
                    reason="the development corpus (../shared/corpus) is not on this machine")
def test_pingtan_2023_narrative_393_against_table_470() -> None:
    rep = gd.read_report(CORPUS / "pingtan_2023.html")
    found = audit(rep, checks=["text_table"])
    assert found[["check", "location", "table", "row", "col", "expected", "reported"]].values.tolist() == [
        ["narrative_documents", "第一部分 总体情况 第5句", "proactive", "normative_documents", "in_force",
         "470", "393"]]
    assert "现行有效行政规范性文件393件" in found["evidence"].iloc[0]
