"""Fragmented text (PDF converted to Markdown): tables broken into pieces, labels detached.

What cannot be placed with confidence must become an issue; rows without labels are placed only
when the table's row order (or, failing that, its arithmetic) leaves one possibility, and every
such placement is an issue row that says how. The self-contained tests write fragmented Markdown
from the distinct-value fixture; the corpus tests check shuyang_2025.txt and
shanghai_kewei_2024.md (skipped when ../shared/corpus is absent).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from distinct import Cell, _printed, distinct_values

import govdisclosure as gd
from govdisclosure.codebook import codebook
from govdisclosure.placement import Floating, resolve_floating
from govdisclosure.readers.source import Grid
from govdisclosure.readers.text import find_text_grids, split_loose_line
from govdisclosure.tables import extract_tables

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "shanghai_kewei_2024.md").exists(),
    reason=f"the development corpus is not at {CORPUS} (it lives beside the repository)",
)
APPLICANTS = ["natural_person", "business", "research", "nonprofit", "legal_service",
              "other_org", "total"]
ROWS = list(codebook("requests").query("axis == 'row'").sort_values("order")["code"])
LABELS = dict(zip(codebook("requests")["code"], codebook("requests")["label_zh"], strict=True))
RULE = "|---|---|---|---|---|---|---|"
WRONG_HEADER = "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 结转下年度 | 总计 |"


def _row(values: dict[Cell, float], code: str) -> list[str]:
    return [_printed(values[("requests", code, c)]) for c in APPLICANTS]


def fragmented_md(values: dict[Cell, float], *, bare: tuple[str, ...] = (),
                  omit: tuple[str, ...] = (), stray: str = "",
                  appeals_order: tuple[str, ...] = (
                      "upheld", "corrected", "other", "pending", "total")) -> str:
    """A report whose tables look like shanghai_kewei_2024.md's: broken up, labels detached.

    Rows in ``bare`` lose their label: their numbers form a Markdown table of their own and their
    label text stands, wrapped over two lines, in a loose block before the first bare row of a
    run (so the label nearest a bare row may name a later row, as in the real file). Rows in
    ``omit`` are not printed at all. ``stray`` is a lone number left in a label block.
    """
    p = {k[1:]: _printed(v) for k, v in values.items() if k[0] == "proactive"}
    lines = [
        "2024 年测试市科委政府信息公开工作", "年度报告", "",
        "一、总体情况", "全年主动公开政府信息 393 件。", "",
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "第二十条第（五）项", "信息内容本年处理决定数量", f"行政许可 {p[('licensing', 'decisions')]}",
        "第二十条第（六）项", "信息内容本年处理决定数量",
        f"行政处罚 {p[('penalty', 'decisions')]}", f"行政强制 {p[('coercion', 'decisions')]}",
        "第二十条第（八）项", "信息内容本年收费金额（单位：万元）",
        f"行政事业性收费 {p[('fees', 'fee_amount')]}",
        "## 表二：主动公开政府信息情况",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "|---|---|---|---|",
        *(f"| {zh} | {p[(code, 'issued')]} | {p[(code, 'repealed')]} | {p[(code, 'in_force')]} |"
          for code, zh in (("rules", "规章"), ("normative_documents", "规范性文件"))),
        "",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |", RULE + "---|",
    ]
    printed = [code for code in ROWS if code not in omit]
    for i, code in enumerate(printed):
        if code in bare:
            if i == 0 or printed[i - 1] not in bare:
                run = printed[i:]
                run = run[: next((k for k, c in enumerate(run) if c not in bare), len(run))]
                lines.append("")
                for c in run:
                    label = LABELS[c]
                    lines += [label[: len(label) // 2], label[len(label) // 2 :]]
                if stray and bare[-1] in run:
                    lines.append(stray)
            lines += ["| " + " | ".join(_row(values, code)) + " |", RULE]
        else:
            if i and printed[i - 1] in bare:
                # The wrong header shuyang_2025.txt prints over its last fragment.
                lines += ["", WRONG_HEADER, RULE + "---|"]
            lines.append(f"| {LABELS[code]} | " + " | ".join(_row(values, code)) + " |")
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况", ""]
    zh = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
          "total": "总计"}
    for code, head in (("review", "行政复议"), ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
                       ("litigation_after_review", "行政诉讼（复议后起诉）")):
        lines += [f"### {head}", "| " + " | ".join(zh[c] for c in appeals_order) + " |",
                  "|---|---|---|---|---|",
                  "| " + " | ".join(_printed(values[("appeals", code, c)])
                                   for c in appeals_order) + " |", ""]
    lines += ["（一）主要问题", "栏目结构需要调整。", "", "（二）改进情况", "开设专栏。", "",
              "五、其他需要报告的事项", "未收取信息处理费。", ""]
    return "\n".join(lines)


def read_md(text: str) -> gd.Report:
    return gd.read_report(text.encode("utf-8"), format="md", name="fragmented.md")


def cells_of(rep: gd.Report) -> dict[Cell, float]:
    return {(c.table, c.row, c.col): c.value for c in rep.tables.itertuples()}


def wrong_cells(rep: gd.Report, values: dict[Cell, float]) -> dict[Cell, tuple[float, float]]:
    """Cells holding a number other than the fixture's: the outcome that must never happen."""
    got = cells_of(rep)
    return {k: (got[k], v) for k, v in values.items() if not math.isnan(got[k]) and got[k] != v}


@pytest.fixture(scope="module")
def values() -> dict[Cell, float]:
    return distinct_values("2021")


# -- placement by order -------------------------------------------------------------------------


def test_bare_rows_are_placed_by_order_and_said_so(values) -> None:
    bare = ("partly_granted", "withheld_internal", "unavailable_not_held",
            "unavailable_needs_creation", "unavailable_unclear", "other_no_correction",
            "other_no_fee")
    rep = read_md(fragmented_md(values, bare=bare, stray="1"))
    got = cells_of(rep)
    assert {k: got[k] for k in values if got[k] != values[k]} == {}
    placed = rep.issues[rep.issues["check"] == "placed_by_order"]
    assert list(placed["row"]) == list(bare)
    assert (placed["severity"] == "info").all()
    # The bare row of （四）1 has "3.补正后申请内容仍不明确" as the label line nearest to it, in
    # the loose block above the run: order decides, not that line.
    message = placed.set_index("row").loc["unavailable_not_held", "message"]
    assert _printed(values[("requests", "unavailable_not_held", "total")]) in message
    assert "空缺 3 行" in message
    # The lone "1" in a label block is no row: reported, not read.
    stray = rep.issues[(rep.issues["check"] == "unplaced_values") & (rep.issues["reported"] == "1")]
    assert len(stray) == 1 and stray["severity"].iloc[0] == "error"
    assert not rep.issues["check"].isin(["requests_balance", "requests_outcomes_total"]).any()


def test_glued_proactive_headers_relabelled_columns_and_appeals_blocks(values) -> None:
    order = ("corrected", "upheld", "other", "pending", "total")  # a block printed in its own order
    rep = read_md(fragmented_md(values, appeals_order=order))
    assert all(cells_of(rep)[k] == v for k, v in values.items())
    # 数据1–6 are no column names: the warning says the template order was used.
    assert "header_not_recognised" in set(rep.issues["check"])
    assert (rep.issues["severity"] != "error").all()


def test_shanghai_outline_sections(values) -> None:
    rep = read_md(fragmented_md(values))
    assert list(rep.sections["section"]) == [
        "preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    assert rep.section("problems").startswith("（一）主要问题")
    assert "改进情况" in rep.section("problems")
    assert rep.agency == "测试市科委"
    note = rep.issues[rep.issues["check"] == "section_heading_missing"]
    assert list(note["row"]) == ["problems"] and (note["severity"] == "info").all()


# -- the arithmetic as referee ------------------------------------------------------------------


def test_rules_decide_between_order_keeping_placements(values) -> None:
    # 四、结转下年度 is not printed (nothing was carried over) and （七）总计 lost its label: the
    # bare row after （六）3 could be either. Only as （七）总计 do the rules hold.
    vals = dict(values)
    for col in APPLICANTS:
        vals[("requests", "carried_out", col)] = 0.0
        vals[("requests", "carried_in", col)] = 0.0
        vals[("requests", "received", col)] = vals[("requests", "total_processed", col)]
    rep = read_md(fragmented_md(vals, bare=("total_processed",), omit=("carried_out",)))
    got = cells_of(rep)
    assert all(got[("requests", "total_processed", c)] == vals[("requests", "total_processed", c)]
               for c in APPLICANTS)
    assert all(math.isnan(got[("requests", "carried_out", c)]) for c in APPLICANTS)
    chosen = rep.issues[rep.issues["check"] == "placed_by_rules"]
    assert list(chosen["row"]) == ["total_processed"] and chosen["severity"].iloc[0] == "info"
    assert "全部成立" in chosen["message"].iloc[0]
    assert wrong_cells(rep, vals) == {}


def test_rules_that_cannot_decide_leave_the_row_unplaced(values) -> None:
    # Only one of the three （四） rows is printed, without its label: any of the three fits the
    # order, and every sum is the same whichever it is. Nothing is guessed.
    rep = read_md(fragmented_md(values, bare=("unavailable_not_held",),
                                omit=("unavailable_needs_creation", "unavailable_unclear")))
    got = cells_of(rep)
    for code in ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"):
        assert all(math.isnan(got[("requests", code, c)]) for c in APPLICANTS)
    unplaced = rep.issues[rep.issues["check"] == "unplaced_values"]
    assert len(unplaced) == 1 and "算术规则无法区分" in unplaced["message"].iloc[0]
    assert _printed(values[("requests", "unavailable_not_held", "total")]) in unplaced[
        "reported"].iloc[0]
    assert wrong_cells(rep, values) == {}


def test_label_wrapped_above_bare_numbers_in_the_same_table_pins_the_row(values) -> None:
    # Text exported from a PDF: a label wrapped over two lines, its numbers on a third, inside one
    # table. （四）2 and 3 are not printed, so order alone allows three rows; the label decides.
    rows = [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",)]
    for code in ROWS:
        if code in ("unavailable_needs_creation", "unavailable_unclear"):
            continue
        if code == "unavailable_not_held":
            rows += [("1.本机关不掌握相关",), ("政府信息",), tuple(_row(values, code))]
        else:
            rows.append((LABELS[code], *_row(values, code)))
    frame, issues = extract_tables([Grid(rows=tuple(rows))], "2021")
    got = {(r.table, r.row, r.col): r.value for r in frame.itertuples()}
    assert all(got[("requests", "unavailable_not_held", c)]
               == values[("requests", "unavailable_not_held", c)] for c in APPLICANTS)
    placed = [i for i in issues if i.check == "placed_by_order"]
    assert [i.row for i in placed] == ["unavailable_not_held"] and "折行的行标签" in placed[0].message


# -- placement.resolve_floating on its own ------------------------------------------------------

ORDER = ["a", "b", "c", "d", "e"]


def _f(seq: int, hint: str | None = None, values: tuple[str, ...] | None = ("1",)) -> Floating:
    return Floating(seq=seq, cells=values or ("1", "2"), values=values, hint=hint)


def _no_rules(extra: dict) -> int:
    return 0


@pytest.mark.parametrize(
    ("floating", "anchors", "score", "expected"),
    [
        # one gap, as many bare rows as free rows: order decides
        ([_f(2), _f(3)], [(1, "a"), (4, "d")], _no_rules, [("b", "order"), ("c", "order")]),
        # a hint inside a wider gap pins the row
        ([_f(2, hint="c")], [(1, "a"), (3, "d")], _no_rules, [("c", "label")]),
        # a hint outside the gap is no evidence; order alone decides
        ([_f(2, hint="e")], [(1, "a"), (3, "c")], _no_rules, [("b", "order")]),
        # two possible rows, equal scores: unplaced
        ([_f(2)], [(1, "a"), (3, "d")], _no_rules, [(None, "unplaced")]),
        # two possible rows, the rules prefer one
        ([_f(2)], [(1, "a"), (3, "d")], lambda extra: 0 if "c" in extra else 3,
         [("c", "rules")]),
        # more bare rows than free rows
        ([_f(2), _f(3)], [(1, "a"), (4, "c")], _no_rules, [(None, "unplaced")] * 2),
        # a row that does not fit the columns, without numbers: header debris, ignored
        ([Floating(seq=2, cells=("-", "-"), values=None)], [(1, "a")], _no_rules,
         [(None, "ignored")]),
    ],
)
def test_resolve_floating(floating, anchors, score, expected) -> None:
    decisions = resolve_floating(floating, anchors, ORDER, {c for _s, c in anchors}, score)
    assert [(d.code, d.how) for d in decisions] == expected


def test_resolve_floating_keeps_misfits_out_of_the_order() -> None:
    # A stray one-cell row between two bare rows is reported but does not shift them.
    rows = [_f(2), Floating(seq=3, cells=("1",), values=None), _f(4)]
    decisions = resolve_floating(rows, [(1, "a"), (5, "d")], ORDER, {"a", "d"}, _no_rules)
    assert [(d.code, d.how) for d in decisions] == [("b", "order"), (None, "unplaced"),
                                                     ("c", "order")]


# -- the text reader's part ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("行政许可 97", ("行政许可", "97")),
        ("行政事业性收费 4068.208", ("行政事业性收费", "4068.208")),
        ("1.属于国家秘密 1 0 0 0 0 0 1", ("1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1")),
        ("### 行政复议", ("行政复议",)),
        ("信息内容本年处理决定数量", ("信息内容本年处理决定数量",)),
        ("截至 2024 年 12 月", ("截至 2024 年 12 月",)),
        ("1", ("1",)),
    ],
)
def test_split_loose_line(line: str, cells: tuple[str, ...]) -> None:
    assert split_loose_line(line) == cells


def test_markdown_tables_are_cut_and_aligned() -> None:
    text = "\n".join([
        "正文", "", "标题行", "行政许可 97",
        "| 一、本年新收 | 32 | 2 | 34 |  |", "|---|---|---|---|---|",
        "| 四、结转下年度继续办理 | 1 | 0 |  |  |",
        "| 0 | 0 | 0 |", "|---|---|---|",
        "| a | 1 | 2 | 3 |",  # one cell more than the table it follows: not aligned
    ])
    grids = find_text_grids(text)
    assert [g.rows for g in grids] == [
        (("标题行",), ("行政许可", "97")),
        (("一、本年新收", "32", "2", "34", ""), ("四、结转下年度继续办理", "1", "0", "", "")),
        (("0", "0", "0"), ("a", "1", "2", "3")),
    ]
    assert [g.aligned for g in grids] == [False, True, False]
    assert text[grids[0].start:grids[0].end] == "标题行\n行政许可 97"


def test_text_without_markdown_rules_gets_no_block_above() -> None:
    # Word's tab export (seed 000) has no Markdown tables: the lines above stay narrative.
    grids = find_text_grids("二、主动公开政府信息情况\n信息内容\t本年制发件数\n规章\t1")
    assert [g.rows for g in grids] == [(("信息内容", "本年制发件数"), ("规章", "1"))]


# -- the corpus files ----------------------------------------------------------------------------


@needs_corpus
def test_shanghai_placements_and_the_question_mark_cell() -> None:
    rep = gd.read_report(CORPUS / "shanghai_kewei_2024.md")
    placed = rep.issues[rep.issues["check"] == "placed_by_order"]
    assert list(placed["row"]) == [
        "partly_granted", "withheld_prohibited", "withheld_internal", "unavailable_not_held",
        "unavailable_needs_creation", "unavailable_unclear", "rejected_excessive",
        "rejected_confirmation", "other_no_correction", "other_no_fee"]
    cells = rep.tables.set_index(["table", "row", "col"])["value"]
    assert cells[("requests", "other_no_correction", "natural_person")] == 8
    assert cells[("requests", "withheld_internal", "total")] == 1
    assert cells[("proactive", "licensing", "decisions")] == 97  # "行政许可 97", a plain line
    assert cells[("appeals", "review", "total")] == 1
    # 四、结转下年度继续办理 prints no 总计: blank, and the rules say what it should be.
    assert math.isnan(cells[("requests", "carried_out", "total")])
    flagged = rep.issues[(rep.issues["row"].isin(["carried_out", "total_processed"]))
                         & (rep.issues["col"] == "total") & (rep.issues["severity"] == "error")]
    assert set(flagged["check"]) == {"requests_balance", "requests_applicants_total"}
    # The stray "1" beside the （六） labels is reported, not taken for that cell.
    assert ((rep.issues["check"] == "unplaced_values") & (rep.issues["reported"] == "1")).sum() == 1


@needs_corpus
def test_shuyang_blocks_and_agency() -> None:
    rep = gd.read_report(CORPUS / "shuyang_2025.txt")
    assert rep.agency == "沭阳县人民政府" and rep.meta["county"] == "沭阳县"
    cells = rep.tables.set_index(["table", "row", "col"])["value"]
    assert cells[("appeals", "litigation_direct", "upheld")] == 3
    assert cells[("appeals", "litigation_after_review", "total")] == 10
    assert cells[("requests", "carried_out", "total")] == 31  # under the wrong header
    assert cells[("proactive", "fees", "fee_amount")] == 4068.208
    assert (rep.issues["severity"] != "error").all()


def test_a_proactive_row_under_another_blocks_header_is_named_not_dropped() -> None:
    # 第（五）项's header row lost: 行政许可 stands under the header of 第（一）项, whose three
    # columns it does not have. Its numbers must be reported, not stored in cells the template
    # does not define and dropped without a word.
    rows = (("第二十条第（一）项",), ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
            ("规章", "1", "2", "3"), ("行政规范性文件", "4", "5", "6"), ("行政许可", "7", "8", "9"))
    table, issues = extract_tables([Grid(rows=rows, aligned=False)], "2021")
    proactive = table[table["table"] == "proactive"].set_index(["row", "col"])["value"]
    assert proactive[("normative_documents", "in_force")] == 6
    assert math.isnan(proactive[("licensing", "decisions")])
    unplaced = [i for i in issues if i.check == "unplaced_values"]
    assert [(i.table, i.severity, i.reported) for i in unplaced] == [("proactive", "error", "7 8 9")]
    assert "行政许可" in unplaced[0].message and "本年制发件数" in unplaced[0].message
