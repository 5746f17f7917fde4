"""The 2019 format (国办公开办函〔2019〕60号) in the tab layout: its own proactive table, one （六） row."""

from __future__ import annotations

from distinct import SEED_TAB, distinct_values, fill_seed

import govdisclosure as gd

PROACTIVE_2019 = "\n".join([
    "第二十条第（一）项\t\t\t",
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    "规章\t0\t0\t0",
    "规范性文件\t0\t0\t0",
    "第二十条第（五）项\t\t\t",
    "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    "行政许可\t0\t0\t0",
    "其他对外管理服务事项\t0\t0\t0",
    "第二十条第（六）项\t\t\t",
    "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    "行政处罚\t0\t0\t0",
    "行政强制\t0\t0\t0",
    "第二十条第（八）项\t\t\t",
    "信息内容\t上一年项目数量\t本年增/减\t",
    "行政事业性收费\t0\t0\t",
    "第二十条第（九）项\t\t\t",
    "信息内容\t采购项目数量\t采购总金额\t",
    "政府集中采购\t0\t0\t",
    "",
])


def report_2019_text() -> str:
    """Seed 000 rewritten in the 2019 layout, for report year 2020."""
    text = SEED_TAB.read_text(encoding="utf-8").replace("2024 年", "2020 年")
    start, end = text.index("第二十条第（一）项"), text.index("三、收到和处理")
    text = text[:start] + PROACTIVE_2019 + "\n" + text[end:]
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if "(六) 其他处理" in line)
    lines[first:first + 3] = ["\t(六) 其他处理\t0\t0\t0\t0\t0\t0\t0\t"]
    return "\n".join(lines)


def test_2019_layout_every_cell_in_place() -> None:
    values = distinct_values("2019")
    assert len(values) == 22 + 23 * 7 + 15
    text = fill_seed(report_2019_text(), values, template="2019")
    rep = gd.read_report(text.encode("utf-8"), format="txt")
    assert rep.template == "2019"
    assert rep.year == 2020
    got = {(c.table, c.row, c.col): c.value for c in rep.tables.itertuples()}
    assert got == values
    assert rep.issues.empty, rep.issues["message"].tolist()
    assert rep.table("proactive").loc["procurement", "procurement_amount"] == values[
        ("proactive", "procurement", "procurement_amount")]
    assert rep.table("requests", labels="zh").index[20] == "（六）其他处理"


def test_2019_outcome_rule_uses_the_single_other_row() -> None:
    values = distinct_values("2019")
    values[("requests", "other_handling", "research")] += 2
    text = fill_seed(report_2019_text(), values, template="2019")
    rep = gd.read_report(text.encode("utf-8"), format="txt")
    assert sorted(rep.issues["check"]) == ["requests_applicants_total", "requests_outcomes_total_2019"]
