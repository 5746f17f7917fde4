"""The issues found while parsing (arithmetic rules, missing sections and tables), as findings.

They keep their own severity and message — those already come from package data
(``data/checks.csv``) and name the cell — and gain the location column in printed labels.
"""

from __future__ import annotations

import pandas as pd

from govdisclosure.audit._common import (
    TABLE_SECTION,
    cell_label,
    finding,
    report_infos,
    section_label,
)
from govdisclosure.sections import SECTION_CODES

# Parse-time checks that name a section in ``row`` rather than a table cell (sections.py).
_SECTION_CHECKS = {"missing_section", "section_heading_missing"}


def check_parsed(reports: pd.DataFrame, issues: pd.DataFrame) -> list[dict[str, object]]:
    """Every parse-time issue of the corpus, re-expressed as a finding row."""
    infos = report_infos(reports)
    out = []
    for issue in issues.itertuples():
        info = infos.get(str(issue.report_id))
        if info is None:
            continue
        table, row, col = (str(issue.table), str(issue.row), str(issue.col))
        section = ""
        if issue.check in _SECTION_CHECKS or (not table and row in SECTION_CODES):
            section, row = row, ""
            location = section_label(section)
        elif table:
            section = TABLE_SECTION.get(table, "")
            location = cell_label(table, row, col, info.template)
        else:
            location = "全文"
        out.append(finding(
            info, str(issue.check), location, table=table, row=row, col=col, section=section,
            expected=str(issue.expected), reported=str(issue.reported),
            severity=str(issue.severity), message=str(issue.message),
        ))
    return out
