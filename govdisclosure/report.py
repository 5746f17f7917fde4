"""Report and Corpus: the pipeline read → split → extract → check, and its DataFrames."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Literal

import pandas as pd

from govdisclosure import metadata as md
from govdisclosure.checks import check_rows
from govdisclosure.codebook import TABLES, codebook
from govdisclosure.errors import ExtractionError, SectionNotFoundError
from govdisclosure.issues import ISSUE_COLUMNS, Issue, issues_frame
from govdisclosure.normalize import normalize_chars
from govdisclosure.readers import Source, format_of, read_source
from govdisclosure.sections import SECTION_COLUMNS, SectionRow, section_rows, sections_optional
from govdisclosure.tables import TABLE_COLUMNS, CellRow, cells_frame, extract_cells
from govdisclosure.unreadable import mark_unreadable

# An issue's fields in ISSUE_COLUMNS order, as one tuple (built in C).
_issue_fields = attrgetter(*ISSUE_COLUMNS)

REPORT_COLUMNS = [
    "report_id", "source_path", "source_format", "agency", "year", "published", "template",
    "province", "city", "county", "adcode", "level", "n_chars", "n_issues", "title",
]


def report_id_of(data: bytes) -> str:
    """A stable id: the first 16 hex digits of the SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True, repr=False, eq=False)
class Report:
    """One parsed report. Build it with :func:`read_report`.

    The parse keeps plain rows; the frames are built on first use, so a corpus run, which only
    needs the rows, never pays for three DataFrames a report.

    Attributes:
        report_id: Hash of the file bytes.
        text: The decoded report text; all offsets point into it.
        meta: The report's row of the ``reports`` frame, as a dict.
        sections: The ``sections`` frame (DESIGN.md §4).
        tables: The long ``tables`` frame: one row per template cell.
        issues: The ``issues`` frame, empty when every check passes.
    """

    report_id: str
    text: str
    meta: dict[str, object]
    section_rows: list[SectionRow] = field(repr=False)
    cell_rows: list[CellRow] = field(repr=False)
    issue_list: list[Issue] = field(repr=False)
    source: Source = field(repr=False)

    @cached_property
    def sections(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.section_rows, columns=SECTION_COLUMNS)
        return _with_id(frame, self.report_id, SECTION_COLUMNS)

    @cached_property
    def tables(self) -> pd.DataFrame:
        frame = cells_frame(self.cell_rows) if self.cell_rows else pd.DataFrame(columns=TABLE_COLUMNS)
        return _with_id(frame, self.report_id, TABLE_COLUMNS)

    @cached_property
    def issues(self) -> pd.DataFrame:
        return issues_frame(self.issue_list)

    def column_lists(self) -> dict[str, dict[str, list[object]]]:
        """The three frames as ``{frame: {column: values}}``, built from the rows directly."""
        rid = [self.report_id]
        return {
            "sections": _columns(self.section_rows, SECTION_COLUMNS, rid),
            "tables": _columns(self.cell_rows, TABLE_COLUMNS, rid),
            "issues": _columns(list(map(_issue_fields, self.issue_list)), ISSUE_COLUMNS),
        }

    @property
    def agency(self) -> str:
        return str(self.meta["agency"])

    @property
    def year(self) -> int | None:
        year = self.meta["year"]
        return None if year is None or pd.isna(year) else int(year)  # type: ignore[arg-type]

    @property
    def published(self) -> dt.date | None:
        value = self.meta["published"]
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]

    @property
    def template(self) -> str:
        return str(self.meta["template"])

    def section(self, code: str) -> str:
        """The text of one section (``overview``, ``problems`` …).

        Raises:
            SectionNotFoundError: The report has no such section; the message lists those it has.
        """
        found = self.sections[self.sections["section"] == code]
        if found.empty:
            have = ", ".join(self.sections["section"])
            raise SectionNotFoundError(
                f"{self.meta['source_path']}: no section {code!r}; this report has: {have}"
            )
        return str(found["text"].iloc[0])

    def table(self, name: str, *, labels: Literal["code", "zh"] = "code") -> pd.DataFrame:
        """A wide view of one table: rows × columns in template order.

        Args:
            name: ``"proactive"``, ``"requests"`` or ``"appeals"``.
            labels: Index and columns as codes or as the template's Chinese labels.
        """
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables are {', '.join(TABLES)}")
        cells = self.tables[self.tables["table"] == name]
        book = codebook(name, template=self.template if self.template in ("2021", "2019") else "2021")  # type: ignore[arg-type]
        rows = list(book[book["axis"] == "row"].sort_values("order")["code"])
        cols = list(book[book["axis"] == "col"].sort_values("order")["code"])
        wide = cells.pivot_table(index="row", columns="col", values="value", aggfunc="first",
                                 dropna=False)
        wide = wide.reindex(index=[r for r in rows if r in set(cells["row"])],
                            columns=[c for c in cols if c in set(cells["col"])])
        wide.index.name, wide.columns.name = "row", "col"
        if labels == "zh":
            names = dict(zip(book["code"], book["label_zh"], strict=True))
            wide = wide.rename(index=names, columns=names)
        return wide

    def __repr__(self) -> str:
        meta = self.meta
        return (
            f"<Report {self.report_id} {meta['agency'] or '?'} {meta['year'] or '?'} "
            f"template={meta['template']} sections={len(self.sections) - 1} "
            f"cells={len(self.tables)} issues={len(self.issues)}>"
        )

    def _repr_html_(self) -> str:
        return _report_html(self)


def read_report(
    source: str | Path | bytes,
    *,
    format: str | None = None,
    name: str | None = None,
) -> Report:
    """Read one report file into a :class:`Report`.

    Args:
        source: A path, or the file's bytes (then ``format`` is required).
        format: ``"txt"``, ``"md"``, …; taken from the extension when ``source`` is a path.
        name: A name for error messages and ``source_path`` when ``source`` is bytes.

    Raises:
        UnsupportedFormatError: The file type cannot be read.
        ExtractionError: The file is empty, binary, undecodable, or not a report.
    """
    if isinstance(source, bytes):
        if format is None:
            raise ValueError("read_report(bytes) needs format=, e.g. format='txt'")
        data, path = source, name or "<bytes>"
    else:
        path = str(source)
        format = format or format_of(path)
        data = Path(path).read_bytes()
    return parse_source(read_source(data, format, name=path), report_id_of(data), path)


def parse_source(source: Source, report_id: str, source_path: str) -> Report:
    """Run the stages after reading: split, metadata, tables, checks."""
    text = source.text
    normalized = normalize_chars(text)
    preamble_end = len(text)
    sections, issues = section_rows(text, normalized, report_id=report_id)
    if len(sections) > 1:
        preamble_end = sections[1][4]
    preamble = normalized[:preamble_end]
    title = md.first_of([md.find_title(preamble), str(source.meta.get("title", ""))])
    grid_text = "\n".join(map("\t".join, chain.from_iterable(grid.rows for grid in source.grids)))
    year = md.find_year(title, preamble)
    template = md.detect_template(normalized, normalize_chars(grid_text), year)
    if len(sections) == 1 and not title and (not source.grids or template == "unknown"):
        # A README or a spreadsheet export has tables too, but none of the national format
        # (../shared/corpus/README.md was read as a report before this rule).
        raise ExtractionError(
            f"{source_path}: no report title, none of the six section headings and no table of "
            "the national format were found; this does not look like a 政府信息公开工作年度报告."
        )
    if template in ("pre2019", "unknown"):
        # Reports before the 2019 format have no fixed outline: a missing section is expected.
        issues = sections_optional(issues)
    sig_agency, sig_date = md.find_signature(normalized)
    agency = md.choose_agency(md.agency_from_title(title), sig_agency)
    published = sig_date or md.find_top_date(preamble)
    region = md.resolve_region(agency)
    cells: list[CellRow] = []
    if template in ("2021", "2019"):
        cells, table_issues = extract_cells(source.grids, template, report_id)
        # Cells run together in flattened page text are reported as unreadable, never split.
        issues += mark_unreadable(table_issues, normalized)
        issues += check_rows(cells, template, report_id)
    blank_pages = source.meta.get("pages_without_text") or []
    if blank_pages:
        # A PDF whose text layer misses some pages (a scanned page inserted among typed ones):
        # what those pages said is not in the text, so say which they are.
        pages = "、".join(str(p) for p in blank_pages)  # type: ignore[union-attr]
        issues.append(Issue(report_id, "pages_without_text", "warning",
                            f"PDF 第 {pages} 页没有文字层（可能是扫描页），其内容未能读取；如需读取请先做 OCR"))
    if source.grids and template == "unknown":
        issues.append(Issue(report_id, "unknown_template", "warning",
                            "报告含表格，但无法判断其采用 2019 年还是 2021 年格式，表格未读入"))
    meta: dict[str, object] = {
        "report_id": report_id,
        "source_path": source_path,
        "source_format": source.source_format,
        "agency": agency,
        "year": year,
        "published": pd.Timestamp(published) if published else pd.NaT,
        "template": template,
        **region,
        "level": md.agency_level(agency, region),
        "n_chars": len(text),
        "n_issues": len(issues),
        "title": title,
    }
    return Report(
        report_id=report_id,
        text=text,
        meta=meta,
        section_rows=sections,
        cell_rows=cells,
        issue_list=issues,
        source=source,
    )


def _columns(rows: list[tuple], names: list[str], report_id: list[str] | None = None) -> dict[str, list[object]]:
    """Rows → ``{column: values}``, ``report_id`` (one id) first as in the frames."""
    out: dict[str, list[object]] = {"report_id": report_id * len(rows)} if report_id else {}
    columns = zip(*rows, strict=True) if rows else ([] for _ in names)  # transposed in C
    for name, column in zip(names, columns, strict=True):
        out[name] = list(column)
    return out


def _with_id(frame: pd.DataFrame, report_id: str, columns: list[str]) -> pd.DataFrame:
    out = frame.reindex(columns=columns).copy()
    out.insert(0, "report_id", report_id)
    return out.reset_index(drop=True)


def reports_frame(metas: list[dict[str, object]]) -> pd.DataFrame:
    """Report metadata dicts → the ``reports`` frame with the contract's dtypes."""
    frame = pd.DataFrame(metas, columns=REPORT_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    # Millisecond resolution: what Parquet stores, so a corpus reads back equal.
    frame["published"] = pd.to_datetime(frame["published"]).astype("datetime64[ms]")
    frame["n_chars"] = frame["n_chars"].astype("int64")
    frame["n_issues"] = frame["n_issues"].astype("int64")
    return frame


def _report_html(rep: Report) -> str:
    esc = html.escape
    meta = rep.meta
    errors = int((rep.issues["severity"] == "error").sum()) if len(rep.issues) else 0
    banner = ""
    if len(rep.issues):
        banner = (
            f'<div style="background:#fff3cd;padding:4px 8px;border-left:4px solid #d39e00">'
            f"{len(rep.issues)} issues ({errors} errors): "
            + esc("; ".join(rep.issues["message"].head(3)))
            + ("…" if len(rep.issues) > 3 else "") + "</div>"
        )
    fields = ["agency", "year", "published", "template", "province", "city", "county", "level"]
    summary = "".join(
        f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(_show(meta.get(k)))}</td></tr>"
        for k in fields
    )
    sections = ", ".join(
        f"{esc(str(r.section))} ({len(str(r.text))} chars)" for r in rep.sections.itertuples()
    )
    filled = int(rep.tables["value"].notna().sum()) if len(rep.tables) else 0
    return (
        f"<div><b>Report {esc(rep.report_id)}</b> — {esc(str(meta['source_path']))}{banner}"
        f"<table>{summary}</table><p>Sections: {sections}</p>"
        f"<p>Tables: {len(rep.tables)} cells, {filled} with numbers</p></div>"
    )


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return str(value)


EMPTY_ISSUES = pd.DataFrame(columns=ISSUE_COLUMNS)
