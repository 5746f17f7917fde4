"""What every audit check shares: the finding frame, wording from package data, printed labels.

Severity and Chinese wording of each finding live in ``data/audit/findings.csv``; thresholds and
years in ``data/audit/settings.csv``. A check module only decides *whether* something is wrong and
*where*; this module turns that into a row with the printed labels a disclosure office uses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from govdisclosure.checks import format_number
from govdisclosure.codebook import codebook, read_package_csv
from govdisclosure.normalize import normalize_chars

FINDING_COLUMNS = [
    "report_id", "agency", "year", "check", "severity", "location", "table", "row", "col",
    "section", "expected", "reported", "message", "evidence",
]
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SECTION_NUMBERS = dict(zip(
    ["overview", "proactive", "requests", "appeals", "problems", "other"], "一二三四五六", strict=True
))
# Tables print inside the section of the same code (TEMPLATE.md: 表二 in 二、主动公开…).
TABLE_SECTION = {"proactive": "proactive", "requests": "requests", "appeals": "appeals"}


def read_audit_table(name: str, *, sep: str = ",") -> pd.DataFrame:
    """Read a file of ``govdisclosure/data/audit`` with every column as text."""
    path = resources.files("govdisclosure").joinpath(f"data/audit/{name}")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, sep=sep, quoting=3 if sep == "\t" else 0)


@cache
def finding_specs() -> pd.DataFrame:
    """``findings.csv`` indexed by check: group, severity, name_zh, message template, basis."""
    return read_audit_table("findings.csv").set_index("check")


@cache
def settings() -> dict[str, str]:
    """``settings.csv`` as a dict of text values."""
    table = read_audit_table("settings.csv")
    return dict(zip(table["key"], table["value"], strict=True))


def setting_float(key: str) -> float:
    return float(settings()[key])


def setting_int(key: str) -> int:
    return int(settings()[key])


@cache
def _section_titles() -> dict[str, str]:
    table = read_package_csv("section_titles.csv")
    return dict(zip(table["code"], table["bare"], strict=True))


def section_label(section: str) -> str:
    """``"overview"`` → ``"第一部分 总体情况"`` (the template's numbering and title)."""
    if section not in SECTION_NUMBERS:
        return "报告开头" if section == "preamble" else section
    return f"第{SECTION_NUMBERS[section]}部分 {_section_titles()[section]}"


def sentence_label(section: str, index: int) -> str:
    """``("overview", 2)`` → ``"第一部分 总体情况 第2句"``."""
    return f"{section_label(section)} 第{index}句"


def book_template(template: object) -> str:
    """The codebook to name cells by: the report's own, else the 2021 format."""
    return template if template in ("2021", "2019") else "2021"  # type: ignore[return-value]


@cache
def _labels(template: str) -> dict[tuple[str, str, str], str]:
    return {(r.table, r.axis, r.code): r.label_short for r in codebook(None, template=template).itertuples()}


def cell_label(table: str, row: str = "", col: str = "", template: str = "2021") -> str:
    """Printed labels of a cell, as the parse-time checks write them: ``表三（七）总计·自然人``.

    Unknown codes are kept as they are, so a label never fails.
    """
    labels = _labels(book_template(template))
    out = labels.get((table, "table", table), table)
    if row:
        out += labels.get((table, "row", row), row)
    if col:
        out += ("·" if row else "") + labels.get((table, "col", col), col)
    return out


def show(value: float | int | str | None) -> str:
    """A number as a reader writes it (560, 18651.06); text unchanged; blank for None/NaN."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return ""
    return format_number(float(value))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class ReportInfo:
    """The fields of a ``reports`` row the findings repeat."""

    report_id: str
    agency: str
    year: int | None
    template: str


def report_infos(reports: pd.DataFrame) -> dict[str, ReportInfo]:
    """``reports`` frame → ``{report_id: ReportInfo}``."""
    out = {}
    for row in reports.itertuples():
        year = None if pd.isna(row.year) else int(row.year)
        agency = "" if pd.isna(row.agency) else str(row.agency)
        out[str(row.report_id)] = ReportInfo(str(row.report_id), agency, year, str(row.template))
    return out


def finding(
    info: ReportInfo,
    check: str,
    location: str,
    *,
    table: str = "",
    row: str = "",
    col: str = "",
    section: str = "",
    expected: object = "",
    reported: object = "",
    evidence: str = "",
    severity: str | None = None,
    message: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> dict[str, object]:
    """One finding row; severity and message come from ``findings.csv`` unless given.

    Args:
        info: The report the finding is about.
        check: A check code of ``findings.csv``.
        location: Where, in printed labels (``表二行政规范性文件·现行有效件数`` or a sentence).
        table, row, col, section: Codes of the place, blank when not applicable.
        expected, reported: What the rule expects and what the report prints (numbers shown as
            a reader writes them).
        evidence: The sentence or passage the finding rests on.
        severity: Overrides the check's severity (parse-time issues keep their own).
        message: Overrides the message template (parse-time issues keep their own).
        fields: Extra values for the message template's placeholders.
    """
    specs = finding_specs()
    spec = specs.loc[check] if check in specs.index else None
    values = _Blank(
        location=location, expected=show(expected), reported=show(reported), evidence=evidence,
        agency=info.agency, year="" if info.year is None else str(info.year),
    )
    values.update({k: show(v) if not isinstance(v, str) else v for k, v in (fields or {}).items()})
    if message is None:
        template = "" if spec is None else str(spec["message"])
        message = template.format_map(values) if template else location
    if severity is None:
        severity = "warning" if spec is None else str(spec["severity"])
    return {
        "report_id": info.report_id, "agency": info.agency, "year": info.year, "check": check,
        "severity": severity, "location": location, "table": table, "row": row, "col": col,
        "section": section, "expected": show(expected), "reported": show(reported),
        "message": message, "evidence": evidence,
    }


def findings_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Finding dicts → the finding frame with its columns in order and ``year`` as Int64."""
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    for column in FINDING_COLUMNS:
        if column != "year":
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def cell_values(tables: pd.DataFrame) -> dict[str, dict[tuple[str, str, str], float]]:
    """Long table frame → ``{report_id: {(table, row, col): value}}``."""
    out: dict[str, dict[tuple[str, str, str], float]] = {}
    for rid, table, row, col, value in zip(tables["report_id"], tables["table"], tables["row"],
                                            tables["col"], tables["value"], strict=True):
        out.setdefault(str(rid), {})[(table, row, col)] = float(value)
    return out


def agency_key(agency: str) -> str:
    """The name an agency's reports are grouped by across years and files.

    Spacing and character width vary between files of one agency, and the same government prints
    "人民政府" or "政府", "管理委员会" or "管委会"; nothing else is merged, so an office
    (XX区人民政府办公室) stays apart from its government (XX区人民政府).
    """
    key = re.sub(r"\s+", "", normalize_chars(agency or ""))
    return key.replace("人民政府", "政府").replace("管理委员会", "管委会")


def primary_reports(reports: pd.DataFrame, tables: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """One report per agency and year: the one with most table numbers, then fewest errors, issues.

    The same report often arrives twice (pingtan_2023.html and the archive's pingtan_2023.txt,
    whose table cells run together): the across-years and copied-content checks use the better
    file. Reports without agency or year are kept as they are (they have no series).

    Returns:
        ``reports`` with a column ``key`` (:func:`agency_key`) and ``primary`` (bool), and
        ``chosen``: the report_id of the primary report of the row's agency and year.
    """
    out = reports.copy()
    out["key"] = [agency_key("" if pd.isna(a) else str(a)) for a in out["agency"]]
    numbers = tables.groupby("report_id")["value"].count() if len(tables) else pd.Series(dtype=int)
    errors = (issues[issues["severity"] == "error"].groupby("report_id").size()
              if len(issues) else pd.Series(dtype=int))
    counts = issues.groupby("report_id").size() if len(issues) else pd.Series(dtype=int)
    out["_numbers"] = out["report_id"].map(numbers).fillna(0)
    out["_errors"] = out["report_id"].map(errors).fillna(0)
    # Then fewer issues of any kind: of two narrative-only files (pingtan_2018.html and .txt) the
    # one whose sections were found.
    out["_issues"] = out["report_id"].map(counts).fillna(0)
    out = out.sort_values(["key", "year", "_numbers", "_errors", "_issues", "report_id"],
                          ascending=[True, True, False, True, True, True])
    grouped = (out["key"] != "") & out["year"].notna()
    first = ~out.duplicated(["key", "year"]) | ~grouped
    out["primary"] = first
    chosen = out[first & grouped].set_index(["key", "year"])["report_id"]
    out["chosen"] = [chosen.get((k, y), rid) if g else rid
                     for k, y, rid, g in zip(out["key"], out["year"], out["report_id"], grouped, strict=True)]
    return out.drop(columns=["_numbers", "_errors", "_issues"]).sort_index()
