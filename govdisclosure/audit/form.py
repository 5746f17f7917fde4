"""Form: the report follows the format — sections titled as prescribed, the current tables, a
number in every cell, the 信息处理费 reported in section six, one report per agency and year.

Missing sections and tables are found at parse time (sections.py, tables.py) and come in through
:mod:`govdisclosure.audit.parsed`; this module adds what needs the whole report or corpus.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from govdisclosure.audit._common import (
    TABLE_SECTION,
    ReportInfo,
    cell_label,
    finding,
    primary_reports,
    report_infos,
    section_label,
    setting_int,
)
from govdisclosure.audit.sentences import sentences
from govdisclosure.codebook import LABEL_NOISE, read_package_csv
from govdisclosure.normalize import normalize_chars, strip_markup
from govdisclosure.values import parse_cell

_NUMBERING = re.compile(r"^[#*>\s]*(?:第\s*)?[一二三四五六七八九十]{1,2}\s*(?:部分)?\s*[、.．,，:：\s]?\s*")
# Section six must report the 信息处理费 (国办公开办函〔2021〕30号); these words say it does,
# including "没有产生政府信息公开处理费" (seed 000) and "未发生政府信息公开收费事项" (shanghai_kewei_2024).
_FEE_WORDS = re.compile(r"处理费|收费|收取费用")
# Issues after which a table's blank cells are not the agency's blanks but cells we could not read.
_UNREAD_TABLE = {"missing_table", "tables_unreadable"}


def check_form(
    reports: pd.DataFrame, sections: pd.DataFrame, tables: pd.DataFrame, issues: pd.DataFrame
) -> list[dict[str, object]]:
    """Renamed sections, outdated or absent template tables, blank cells, fee not reported,
    duplicate reports."""
    infos = report_infos(reports)
    out: list[dict[str, object]] = []
    out += _renamed(infos, sections)
    by_report = dict(tuple(sections.groupby("report_id", sort=False)))
    for report in reports.itertuples():
        info = infos[str(report.report_id)]
        out += _template(info)
        out += _fee(info, by_report.get(report.report_id, sections.iloc[0:0]))
    out += _blanks(infos, tables, issues)
    out += _duplicates(infos, reports, tables, issues)
    return out


def _key(title: str) -> str:
    return LABEL_NOISE.sub("", _NUMBERING.sub("", normalize_chars(title)))


def _renamed(infos: dict[str, ReportInfo], sections: pd.DataFrame) -> list[dict[str, object]]:
    titles = read_package_csv("section_titles.csv")
    bare = dict(zip(titles["code"], titles["bare"], strict=True))
    out = []
    for row in sections[sections["section"] != "preamble"].itertuples():
        info = infos.get(str(row.report_id))
        printed = str(row.title).strip()
        if info is None or not printed or row.section not in bare:
            continue
        # A title that keeps the prescribed words is not renamed: "五、政府信息公开工作存在的主要问题
        # 及改进情况" (shuyang_2025) still says 存在的主要问题及改进情况.
        if LABEL_NOISE.sub("", bare[row.section]) not in _key(printed):
            out.append(finding(info, "section_renamed", section_label(row.section), section=row.section,
                               expected=bare[row.section], reported=strip_markup(printed)))
    return out


def _template(info: ReportInfo) -> list[dict[str, object]]:
    if info.year is None:
        return []
    if info.template == "2019" and info.year >= setting_int("template_2021_from_year"):
        return [finding(info, "outdated_template", "表二、表三、表四", expected="2021", reported="2019")]
    if info.template == "unknown" and info.year >= 2019:  # the 2019 format's first report year
        return [finding(info, "no_template_tables", "表二、表三、表四")]
    return []


def _fee(info: ReportInfo, sections: pd.DataFrame) -> list[dict[str, object]]:
    if info.year is None or info.year < setting_int("fee_required_from_year") or info.template == "pre2019":
        return []
    other = sections[sections["section"] == "other"]
    if other.empty:
        # Without a heading 六 the fee may still be reported where the text runs on (the archive's
        # pingtan_2023.txt prints its whole body on one line): then the missing section is the
        # finding (missing_section), not the fee.
        # Only narrative counts: the tables print 收费 in their labels (本年收费金额, 收费通知).
        if any(_FEE_WORDS.search(s.text) for t in sections["text"] for s in sentences(str(t))):
            return []
        detail = "报告没有第六部分，"
    elif _FEE_WORDS.search(re.sub(r"\s+", "", str(other["text"].iloc[0]))):
        return []
    else:
        detail = ""
    return [finding(info, "fee_not_reported", section_label("other"), section="other",
                    fields={"detail": detail})]


def _blanks(infos: dict[str, ReportInfo], tables: pd.DataFrame, issues: pd.DataFrame) -> list[dict[str, object]]:
    """Cells printed blank or with a placeholder ("/", "—", "无") where the format wants a number."""
    unread = {(str(i.report_id), str(i.table)) for i in issues.itertuples() if i.check in _UNREAD_TABLE}
    partial = {(str(i.report_id), str(i.table)) for i in issues.itertuples() if i.check == "missing_cells"}
    out = []
    for (rid, table), cells in tables.groupby(["report_id", "table"], sort=False):
        info = infos.get(str(rid))
        if info is None or (rid, table) in unread:
            continue
        blank = cells[cells["value"].isna()]
        if blank.empty:
            continue
        if len(blank) == len(cells) and (rid, table) not in partial:
            out.append(finding(info, "blank_table", cell_label(table, template=info.template),
                               table=table, section=TABLE_SECTION[table], reported="空白",
                               fields={"count": str(len(cells))}))
            continue
        for cell in blank.itertuples():
            raw = "" if not isinstance(cell.raw, str) else cell.raw.strip()
            if not raw and (rid, table) in partial:
                continue  # not read (a missing_cells error says so), not necessarily blank
            if raw and not _placeholder(raw):
                continue  # text that is no number: non_numeric_cell already says so
            out.append(finding(info, "blank_cell", cell_label(table, cell.row, cell.col, info.template),
                               table=table, row=cell.row, col=cell.col,
                               section=TABLE_SECTION[table], expected="数字", reported=raw or "空白"))
    return out


def _placeholder(raw: str) -> bool:
    value, kind = parse_cell(raw)
    return kind == "blank" and math.isnan(value)


def _duplicates(infos: dict[str, ReportInfo], reports: pd.DataFrame, tables: pd.DataFrame,
                issues: pd.DataFrame) -> list[dict[str, object]]:
    ranked = primary_reports(reports, tables, issues)
    paths = dict(zip(reports["report_id"], reports["source_path"], strict=True))
    out = []
    for row in ranked[~ranked["primary"]].itertuples():
        info = infos[str(row.report_id)]
        out.append(finding(info, "duplicate_report", "全文", fields={
            "other_report": row.chosen, "other_path": str(paths.get(row.chosen, "")),
            "chosen": row.chosen,
        }))
    return out
