"""Write the audit for people: an Excel workbook, a CSV file or a self-contained HTML page.

The workbook has a summary sheet (one row per agency: counts by severity, on time or late), the
findings sheet, and one sheet per agency that a disclosure office can send back to that agency.
Headers, severities and check names are in Chinese (wording from ``data/audit/findings.csv``);
the codes stay in the last columns so a sheet can be filtered and joined back.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from govdisclosure.audit._common import SEVERITY_RANK, SEVERITY_ZH, finding_specs
from govdisclosure.audit.deadline import STATUS_ZH, publication_status
from govdisclosure.plot._font import embed_cjk_font

EXPORT_HEADERS = {
    "agency": "机构", "year": "年度", "severity": "严重程度", "check_zh": "检查项", "location": "位置",
    "expected": "应为", "reported": "报告值", "message": "说明", "evidence": "依据原文",
    "table": "表格代码", "row": "行代码", "col": "列代码", "section": "部分代码", "check": "检查代码",
    "report_id": "报告编号",
}
SUMMARY_COLUMNS = ["机构", "地区", "层级", "报告年度", "报告数", "错误", "警告", "提示", "按时发布", "发布情况"]
SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "问题清单"
NO_AGENCY = "未识别机构"
LEVEL_ZH = {"central": "中央", "province": "省级", "prefecture": "地市级", "county": "县级",
            "township": "乡镇街道", "department": "部门"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET = 31  # Excel's limit on sheet names
_WIDTHS = {"说明": 70, "依据原文": 50, "位置": 34, "检查项": 22, "机构": 22, "发布情况": 50}


def export_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """The finding frame as people read it: Chinese headers, severity and check in Chinese."""
    specs = finding_specs()
    names = specs["name_zh"].to_dict()
    out = findings.copy()
    out["check_zh"] = [names.get(c, c) for c in out["check"]]
    out["severity"] = [SEVERITY_ZH.get(s, s) for s in out["severity"]]
    out["agency"] = out["agency"].replace("", NO_AGENCY)
    return out.reindex(columns=list(EXPORT_HEADERS)).rename(columns=EXPORT_HEADERS)


def summary_frame(findings: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """One row per agency: its report years, counts by severity and whether it published on time."""
    status = publication_status(reports).set_index("report_id")
    rows = []
    agencies = reports["agency"].fillna("").astype(str)
    for agency in sorted(set(agencies) | set(findings["agency"])):
        own = reports[agencies == agency].sort_values("year")
        found = findings[findings["agency"] == agency]
        counts = found["severity"].value_counts()
        years = [str(int(y)) for y in own["year"].dropna()]
        statuses = [status.loc[rid] for rid in own["report_id"] if rid in status.index]
        region = ""
        if len(own):
            first = own.iloc[0]
            region = "".join(str(first[c]) for c in ("province", "city", "county")
                             if c in own.columns and isinstance(first[c], str))
        level = str(own["level"].iloc[0]) if len(own) and isinstance(own["level"].iloc[0], str) else ""
        rows.append({
            "机构": agency or NO_AGENCY, "地区": region, "层级": LEVEL_ZH.get(level, level),
            "报告年度": "、".join(years), "报告数": len(own),
            "错误": int(counts.get("error", 0)), "警告": int(counts.get("warning", 0)),
            "提示": int(counts.get("info", 0)),
            "按时发布": _overall([s["status"] for s in statuses]),
            "发布情况": "；".join(_status_text(year, s) for year, s in zip(
                [None if pd.isna(y) else int(y) for y in own["year"]], statuses, strict=False)),
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _overall(statuses: list[str]) -> str:
    for status in ("late", "early", "unknown"):
        if status in statuses:
            return STATUS_ZH[status]
    return STATUS_ZH["on_time"] if statuses else STATUS_ZH["unknown"]


def _status_text(year: int | None, status: pd.Series) -> str:
    label = f"{year}年度" if year is not None else "年度不详"
    if status["status"] == "unknown" or pd.isna(status["published"]):
        deadline = "" if pd.isna(status["deadline"]) else f"，期限 {status['deadline'].date()}"
        return f"{label}：未见发布日期{deadline}"
    return (f"{label}：{status['published'].date()} 发布，期限 {status['deadline'].date()}，"
            f"{STATUS_ZH[status['status']]}")


def sheet_names(agencies: list[str]) -> dict[str, str]:
    """Agency → a sheet name Excel accepts: ≤31 characters, none of []:*?/\\, unique."""
    used = {SUMMARY_SHEET, FINDINGS_SHEET}
    out = {}
    for agency in agencies:
        base = _SHEET_FORBIDDEN.sub("_", agency).strip("' ") or NO_AGENCY
        name = base[:_MAX_SHEET]
        n = 2
        while name.lower() in {u.lower() for u in used}:
            suffix = f"({n})"
            name = base[:_MAX_SHEET - len(suffix)] + suffix
            n += 1
        used.add(name)
        out[agency] = name
    return out


def write_audit(findings: pd.DataFrame, reports: pd.DataFrame, path: str | Path) -> Path:
    """Write the audit; the format follows the suffix: ``.xlsx``, ``.csv`` or ``.html``/``.htm``.

    Args:
        findings: The frame :func:`~govdisclosure.audit.audit` returned.
        reports: The corpus' ``reports`` frame (for agencies without findings and publication dates).
        path: The file to write; its folder is created.

    Returns:
        The path written.

    Raises:
        ValueError: An unsupported suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".html", ".htm"):
        raise ValueError(f"{path}: cannot write an audit as {suffix or 'a file without suffix'}; "
                         "use .xlsx, .csv or .html")
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = _ordered(findings)
    if suffix == ".csv":
        # UTF-8 with BOM: Excel on Chinese Windows opens it without garbling (corpus.to_csv does too).
        export_frame(ordered).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        _write_xlsx(ordered, reports, path)
    else:
        path.write_text(_html(ordered, reports), encoding="utf-8")
    return path


def _ordered(findings: pd.DataFrame) -> pd.DataFrame:
    rank = findings["severity"].map(SEVERITY_RANK).fillna(3)
    return findings.assign(_r=rank).sort_values(["agency", "year", "_r"], kind="stable").drop(columns="_r")


def _write_xlsx(findings: pd.DataFrame, reports: pd.DataFrame, path: Path) -> None:
    from openpyxl.styles import Alignment, Font

    summary = summary_frame(findings, reports)
    exported = export_frame(findings)
    agencies = list(summary["机构"])
    names = sheet_names(agencies)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        summary.to_excel(writer, sheet_name=SUMMARY_SHEET, index=False)
        exported.to_excel(writer, sheet_name=FINDINGS_SHEET, index=False)
        for agency in agencies:
            exported[exported["机构"] == agency].to_excel(writer, sheet_name=names[agency], index=False)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                width = _WIDTHS.get(str(cell.value), 12)
                sheet.column_dimensions[cell.column_letter].width = width
                if width > 30:
                    for column_cell in sheet[cell.column_letter][1:]:
                        column_cell.alignment = Alignment(wrap_text=True, vertical="top")


_CLASS = {"依据原文": ' class="evidence"'}
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","govdisclosure CJK",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:14px}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0}
tr.error td:first-child{border-left:4px solid #c0392b}
tr.warning td:first-child{border-left:4px solid #d39e00}
tr.info td:first-child{border-left:4px solid #7f8c8d}
td.evidence{color:#555;font-size:12px;max-width:30em}
"""


def _html(findings: pd.DataFrame, reports: pd.DataFrame) -> str:
    """A page with no external resources; every text from a report is escaped."""
    esc = html.escape
    summary = summary_frame(findings, reports)
    exported = export_frame(findings)
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             "<title>政府信息公开工作年度报告审核结果</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>政府信息公开工作年度报告审核结果</h1>",
             f"<p>{len(reports)} 份报告，{len(findings)} 条审核意见。</p>", "<h2>汇总</h2>",
             "<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in SUMMARY_COLUMNS) + "</tr>"]
    anchors = {agency: f"agency-{i}" for i, agency in enumerate(summary["机构"])}
    for row in summary.itertuples(index=False):
        cells = [f'<a href="#{anchors[row[0]]}">{esc(str(row[0]))}</a>'] + [esc(str(v)) for v in row[1:]]
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    shown = ["严重程度", "年度", "检查项", "位置", "应为", "报告值", "说明", "依据原文"]
    for agency in summary["机构"]:
        own = exported[exported["机构"] == agency]
        severities = findings.loc[own.index, "severity"]
        parts.append(f'<h2 id="{anchors[agency]}">{esc(str(agency))}</h2>')
        if own.empty:
            parts.append("<p>未发现问题。</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in shown) + "</tr>")
        for (_, row), severity in zip(own.iterrows(), severities, strict=True):
            cells = "".join(
                f'<td{_CLASS.get(c, "")}>{esc(_text(row[c]))}</td>' for c in shown
            )
            parts.append(f'<tr class="{esc(str(severity))}">{cells}</tr>')
        parts.append("</table>")
    parts.append("</body></html>")
    # Readable on a machine without a Chinese font too: the packaged font, cut to this page.
    return embed_cjk_font("\n".join(parts))


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
