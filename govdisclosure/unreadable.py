"""Tables whose cells run together in flattened page text: reported, never guessed.

Text extracted from a web page without cell borders prints a row's cells as one run of digits
("一、本年新收政府信息公开申请数量21710000218", pingtan_2024.txt): 2|17|1|0|0|0|0|218? 21|7|… No
split can be justified, so such a table is not read at all. The report keeps its sections and
metadata; instead of "table not found" it gets a ``tables_unreadable`` error that says why and
what to read instead. The markers are package data (``data/flattened_markers.csv``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from govdisclosure.codebook import read_package_csv
from govdisclosure.issues import Issue

__all__ = ["flattened_tables", "mark_unreadable"]


@cache
def _markers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    table = read_package_csv("flattened_markers.csv")
    return tuple((r.table, re.compile(r.pattern)) for r in table.itertuples())


def flattened_tables(text: str) -> list[str]:
    """The tables whose cells the (normalised) text prints run together, in template order."""
    found = []
    for table, pattern in _markers():
        if table not in found and pattern.search(text):
            found.append(table)
    return found


def mark_unreadable(issues: list[Issue], text: str) -> list[Issue]:
    """Turn ``missing_table`` issues into ``tables_unreadable`` for tables printed flattened.

    Args:
        issues: The issues of table extraction.
        text: The report text (normalised: half-width digits).

    Returns:
        The issues, with each affected ``missing_table`` replaced by a ``tables_unreadable`` error.
    """
    flat = set(flattened_tables(text)) if any(i.check == "missing_table" for i in issues) else set()
    if not flat:
        return issues
    out = []
    for issue in issues:
        if issue.check == "missing_table" and issue.table in flat:
            issue = replace(
                issue,
                check="tables_unreadable",
                message=(
                    f"{issue.message.split('：')[0]}：表格单元格在文本中首尾相连、没有分隔"
                    "（如“本年新收政府信息公开申请数量21710000218”），无法确定各单元格的数值，"
                    "未读入；请改读原网页（HTML）或原始文件"
                ),
            )
        out.append(issue)
    return out
