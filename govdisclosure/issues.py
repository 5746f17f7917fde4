"""The ``issues`` frame: data problems as rows (DESIGN.md §4, §6)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning", "info"]
ISSUE_COLUMNS = [
    "report_id", "check", "severity", "table", "row", "col", "expected", "reported", "message",
]


@dataclass(frozen=True)
class Issue:
    """One finding about one report; ``message`` names the place in printed labels."""

    report_id: str
    check: str
    severity: Severity
    message: str
    table: str = ""
    row: str = ""
    col: str = ""
    expected: str = ""
    reported: str = ""


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """Issue records → the ``issues`` DataFrame with the contract's columns, in their order."""
    return pd.DataFrame([asdict(i) for i in issues], columns=ISSUE_COLUMNS).astype(str)
