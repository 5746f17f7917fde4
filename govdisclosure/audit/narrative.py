"""Text against tables: numbers the narrative states, checked against the tables and section six.

The sentence patterns are package data (``data/audit/narrative_patterns.tsv``), one row per way of
saying a number: which check it feeds, what it is compared with (``target``), the regular
expression (``{N}`` stands for the number), words that disqualify a clause (``exclude``: "同比",
"复议" …) and words the sentence must contain (``context``). A target is
``table:rows:cols`` — comma lists, ``*`` globs over codes, summed — joined by `` + `` and with
alternatives after `` | `` (TEMPLATE.md: shuyang_2025's "受理申请749件" is 新收 713 plus 上年结转 36,
so a "received" sentence may mean either). The special target ``fee`` compares the report's own
statements of 信息处理费 with each other, section six first.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from govdisclosure.audit._common import (
    ReportInfo,
    book_template,
    cell_label,
    cell_values,
    finding,
    report_infos,
    section_label,
    sentence_label,
)
from govdisclosure.audit.sentences import sentences
from govdisclosure.codebook import codebook

NUMBER = r"(?P<n>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
# The narrative of the template's sections; 五 (problems) is left out: it tells last year's story
# ("针对去年存在问题…") and its numbers are not this year's table values.
NARRATIVE_SECTIONS = ("preamble", "overview", "proactive", "requests", "appeals", "other")
STATEMENT_COLUMNS = [
    "report_id", "section", "sentence", "check", "target", "compare", "value", "evidence",
]
_TOLERANCE = 1e-6
Key = tuple[str, str, str]
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# Column groups the template's header names as one (三、收到和处理… header: 法人或其他组织).
_COL_GROUPS = {"legal_persons": "法人或其他组织"}


@dataclass(frozen=True)
class Term:
    """``table:rows:cols``: the sum of the cells whose codes match."""

    table: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]

    def cells(self, available: dict[Key, float]) -> list[Key]:
        keys = [k for k in available if k[0] == self.table]
        return [k for k in keys
                if any(fnmatch.fnmatchcase(k[1], r) for r in self.rows)
                and any(fnmatch.fnmatchcase(k[2], c) for c in self.cols)]


@dataclass(frozen=True)
class Pattern:
    """One row of ``narrative_patterns.tsv``, compiled."""

    check: str
    scope: str
    target: str
    alternatives: tuple[tuple[Term, ...], ...]
    compare: str
    regex: re.Pattern[str]
    exclude: re.Pattern[str] | None
    context: re.Pattern[str] | None


def _parse_target(target: str) -> tuple[tuple[Term, ...], ...]:
    if target == "fee":
        return ()
    alternatives = []
    for alternative in target.split("|"):
        terms = []
        for term in alternative.split("+"):
            table, rows, cols = term.strip().split(":")
            terms.append(Term(table, tuple(rows.split(",")), tuple(cols.split(","))))
        alternatives.append(tuple(terms))
    return tuple(alternatives)


@cache
def patterns() -> tuple[Pattern, ...]:
    """The compiled narrative patterns, in file order (earlier rows win a shared number)."""
    from govdisclosure.audit._common import read_audit_table

    table = read_audit_table("narrative_patterns.tsv", sep="\t")
    return tuple(
        Pattern(
            check=r.check, scope=r.scope, target=r.target, alternatives=_parse_target(r.target),
            compare=r.compare, regex=re.compile(r.pattern.replace("{N}", NUMBER)),
            exclude=re.compile(r.exclude) if r.exclude else None,
            context=re.compile(r.context) if r.context else None,
        )
        for r in table.itertuples()
    )


def chinese_number(text: str) -> float:
    """"12" → 12; "三" → 3; "十二" → 12; "二百零五" → 205; "1,234" → 1234."""
    if text[0].isdigit():
        return float(text.replace(",", ""))
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return float(total + digit)


def extract_statements(sections: pd.DataFrame) -> pd.DataFrame:
    """Every number the narrative states that a pattern recognises.

    Args:
        sections: The ``sections`` frame (``report_id``, ``section``, ``text``).

    Returns:
        One row per statement: ``report_id``, ``section``, ``sentence`` (1-based number within
        the section), ``check``, ``target``, ``compare``, ``value`` (a "none/未收到" statement is
        0; amounts in 万元 are turned into 元) and ``evidence`` (the sentence, compacted).
    """
    rows = []
    narrative = sections[sections["section"].isin(NARRATIVE_SECTIONS)]
    for rid, section, text in zip(narrative["report_id"], narrative["section"], narrative["text"],
                                  strict=True):
        for sentence in sentences(str(text)):
            for pattern, value in _statements(sentence.text, sentence.clauses()):
                rows.append((str(rid), section, sentence.index, pattern.check, pattern.target,
                             pattern.compare, value, sentence.text))
    return pd.DataFrame(rows, columns=STATEMENT_COLUMNS)


def _statements(sentence: str, clauses: list[str]) -> list[tuple[Pattern, float]]:
    out: list[tuple[Pattern, float]] = []
    taken: set[tuple[int, int]] = set()  # (clause, number offset) already claimed by a pattern
    for pattern in patterns():
        if pattern.context is not None and not pattern.context.search(sentence):
            continue
        scopes = [sentence] if pattern.scope == "sentence" else clauses
        for i, scope in enumerate(scopes):
            if pattern.exclude is not None and pattern.exclude.search(scope):
                continue
            for match in pattern.regex.finditer(scope):
                has_number = "n" in pattern.regex.groupindex and match.group("n") is not None
                # A number is read once: "行政复议、行政诉讼案件共9件" is the combined total,
                # not also 9 lawsuits (the combined pattern comes first in the file).
                key = (i if pattern.scope == "clause" else -1,
                       match.start("n") if has_number else -1 - len(out))
                if has_number and key in taken:
                    continue
                taken.add(key)
                value = chinese_number(match.group("n")) if has_number else 0.0
                if "unit" in pattern.regex.groupindex and match.group("unit") == "万元":
                    value *= 10000
                out.append((pattern, value))
    return out


def _describe(terms: tuple[Term, ...], cells: dict[Key, float], template: str) -> str:
    book = codebook(None, template=book_template(template))
    parents = {(r.table, r.axis, r.code): r.parent for r in book.itertuples()}
    groups = {(r.table, r.code): r.label_short for r in book[book["axis"] == "group"].itertuples()}
    parts = []
    for term in terms:
        keys = term.cells(cells)
        rows = list(dict.fromkeys(k[1] for k in keys))
        cols = list(dict.fromkeys(k[2] for k in keys))
        row_parents = {parents.get((term.table, "row", r), "") for r in rows}
        col_parents = {parents.get((term.table, "col", c), "") for c in cols}
        if len(rows) > 1 and len(row_parents) == 1 and (term.table, next(iter(row_parents))) in groups:
            row_text = groups[(term.table, next(iter(row_parents)))] + "各项"
        else:
            row_text = "+".join(cell_label(term.table, r, "", template)[2:] for r in rows)
        if len(cols) > 1 and len(col_parents) == 1 and next(iter(col_parents)) in _COL_GROUPS:
            col_text = _COL_GROUPS[next(iter(col_parents))]
        else:
            col_text = "+".join(cell_label(term.table, "", c, template)[2:] for c in cols)
        parts.append(f"{cell_label(term.table, '', '', template)}{row_text}·{col_text}")
    return " + ".join(parts)


def _value(terms: tuple[Term, ...], cells: dict[Key, float]) -> float | None:
    """The sum the terms name, or None when a cell is missing or blank (nothing to compare)."""
    total = 0.0
    for term in terms:
        keys = term.cells(cells)
        if not keys or any(math.isnan(cells[k]) for k in keys):
            return None
        total += sum(cells[k] for k in keys)
    return total


def check_narrative(
    reports: pd.DataFrame, sections: pd.DataFrame, tables: pd.DataFrame,
    statements: pd.DataFrame | None = None,
) -> list[dict[str, object]]:
    """Findings where the narrative's numbers disagree with the tables or with each other.

    Args:
        reports, sections, tables: The corpus frames.
        statements: The output of :func:`extract_statements`, when already computed.

    Returns:
        Finding rows: location is the sentence ("第一部分 总体情况 第2句"), table/row/col the
        first cell compared with, expected the table's value, reported the narrative's.
    """
    if statements is None:
        statements = extract_statements(sections)
    infos = report_infos(reports)
    cells = cell_values(tables)
    by_pattern = {(p.check, p.target): p for p in patterns()}
    out: list[dict[str, object]] = []
    fees: dict[str, list[Any]] = {}
    for st in statements.itertuples():
        info = infos.get(st.report_id)
        if info is None:
            continue
        if st.target == "fee":
            fees.setdefault(st.report_id, []).append(st)
            continue
        pattern = by_pattern[(st.check, st.target)]
        out += _compare(info, st, pattern, cells.get(st.report_id, {}))
    for rid, stated in fees.items():
        out += _compare_fees(infos[rid], stated)
    return out


def _compare(info: ReportInfo, st: Any, pattern: Pattern, cells: dict[Key, float]) -> list[dict[str, object]]:
    values = [_value(alt, cells) for alt in pattern.alternatives]
    known = [v for v in values if v is not None]
    if not known:
        return []
    stated = float(st.value)
    if pattern.compare == "ge":
        holds = any(v <= stated + _TOLERANCE for v in known)
    else:
        holds = any(abs(v - stated) <= _TOLERANCE for v in known)
    if holds:
        return []
    first = next(i for i, v in enumerate(values) if v is not None)
    terms = pattern.alternatives[first]
    keys = terms[0].cells(cells)
    where = _describe(terms, cells, info.template)
    location = sentence_label(st.section, st.sentence)
    return [finding(
        info, st.check, location, table=terms[0].table,
        row=keys[0][1] if len({k[1] for k in keys}) == 1 and len(terms) == 1 else "",
        col=keys[0][2] if len({k[2] for k in keys}) == 1 else "",
        section=st.section, expected=values[first], reported=stated, evidence=st.evidence,
        fields={"cell": where},
    )]


def _compare_fees(info: ReportInfo, stated: list[Any]) -> list[dict[str, object]]:
    """Statements of the 信息处理费 amount that disagree; section six is the reference."""
    if len({round(float(s.value), 2) for s in stated}) < 2:
        return []
    reference = next((s for s in stated if s.section == "other"), stated[0])
    out = []
    for st in stated:
        if st is reference or abs(float(st.value) - float(reference.value)) <= _TOLERANCE:
            continue
        out.append(finding(
            info, "narrative_fee_amounts", sentence_label(st.section, st.sentence),
            section=st.section, expected=float(reference.value), reported=float(st.value),
            evidence=st.evidence,
            fields={"other_location": sentence_label(reference.section, reference.sentence)
                    if reference.section != "preamble" else section_label("preamble")},
        ))
    return out
