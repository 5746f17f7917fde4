"""PDF reports: a text layer and ruled tables, built inside the tests; scanned, locked and broken files.

The self-contained tests draw a whole report with matplotlib (tests/pdf_fixture.py) from the
distinct-value fixture, so a cell that lands in the wrong place is a different number. The corpus
tests check what only the real files show and skip when ../shared/corpus is absent.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from distinct import distinct_values
from pdf_fixture import build_encrypted_pdf, build_report_pdf, build_scanned_pdf

import govdisclosure as gd
from govdisclosure.readers.pdf import (
    _RADICALS,
    _grid,
    _Line,
    _reflow,
    _strip_page_markers,
    read_pdf,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "hongze_2023.pdf").exists(),
    reason=f"the development corpus is not at {CORPUS} (it lives beside the repository)",
)


@pytest.fixture(scope="module")
def values() -> dict[tuple[str, str, str], float]:
    return distinct_values("2021")


@pytest.fixture(scope="module")
def pdf_bytes(values) -> bytes:
    return build_report_pdf(values)


@pytest.fixture(scope="module")
def report(pdf_bytes) -> gd.Report:
    return gd.read_report(pdf_bytes, format="pdf", name="fixture.pdf")


def test_every_cell_of_a_built_pdf_is_read(report, values) -> None:
    cells = {(c.table, c.row, c.col): c.value for c in report.tables.itertuples()}
    assert len(cells) == 200
    wrong = {k: (cells.get(k), v) for k, v in values.items() if cells.get(k) != v}
    assert wrong == {}
    # Wrapped labels, "1、" sub-items and split header words placed nothing by position.
    assert report.issues.empty, report.issues["message"].tolist()


def test_built_pdf_text_metadata_and_sections(report, pdf_bytes) -> None:
    assert report.meta["source_format"] == "pdf"
    assert report.agency == "测试县人民政府"  # title set on two lines: agency, then the year
    assert report.year == 2024
    assert str(report.published) == "2025-01-20"
    assert list(report.sections["section"]) == [
        "preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    # Page numbers are layout, not text: none of "- 1 -", "- 2 -" is left.
    assert "- 1 -" not in report.text and "- 2 -" not in report.text
    source = read_pdf(pdf_bytes, name="fixture.pdf")
    assert source.meta["pages"] >= 2 and source.meta["pages_without_text"] == []
    # The requests table crosses a page: it comes as two grids, both aligned.
    requests = [g for g in source.grids
                if any("属于" in cell or "本年新收" in cell for row in g.rows for cell in row)]
    assert len(requests) == 2 and all(g.aligned for g in requests)
    first, second = (["".join(row) for row in g.rows] for g in requests)
    assert any("本年新收" in row for row in first) and any("结转下年度" in row for row in second)


def test_tables_without_ruling_lines_are_read_from_the_text_lines(values) -> None:
    rep = gd.read_report(build_report_pdf(values, ruled=False), format="pdf", name="plain.pdf")
    assert all(g.aligned is False for g in rep.source.grids)
    cells = {(c.table, c.row, c.col): c.value for c in rep.tables.itertuples()}
    assert {k: (cells[k], v) for k, v in values.items() if cells[k] != v} == {}
    # "本年度收取信息处理费 0 元。" after the appeals table is running text, not a table row.
    assert rep.issues.empty, rep.issues["message"].tolist()


def test_pdf_is_read_by_extension(tmp_path, pdf_bytes, values) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    rep = gd.read_report(path)
    cells = rep.tables.set_index(["table", "row", "col"])["value"]
    assert cells[("proactive", "fees", "fee_amount")] == values[("proactive", "fees", "fee_amount")]
    assert rep.meta["source_path"] == str(path)


def test_scanned_pdf_says_so_and_suggests_ocr() -> None:
    with pytest.raises(gd.ExtractionError, match=r"scan\.pdf.*no text layer.*scanned.*OCR"):
        gd.read_report(build_scanned_pdf(), format="pdf", name="scan.pdf")


def test_encrypted_pdf_names_the_file_and_the_way_out() -> None:
    with pytest.raises(gd.ExtractionError, match=r"locked\.pdf.*encrypted with a password.*qpdf"):
        gd.read_report(build_encrypted_pdf(), format="pdf", name="locked.pdf")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.95])
def test_truncated_pdf_names_the_file(pdf_bytes, keep: float) -> None:
    with pytest.raises(gd.ExtractionError, match=r"cut\.pdf.*damaged or truncated"):
        gd.read_report(pdf_bytes[: int(len(pdf_bytes) * keep)], format="pdf", name="cut.pdf")


def test_bytes_that_are_not_a_pdf() -> None:
    with pytest.raises(gd.ExtractionError, match=r"x\.pdf.*not a readable PDF"):
        gd.read_report(b"<html>not a pdf</html>", format="pdf", name="x.pdf")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("- 4 -\n3.补正后申请内容仍不明确 0 0", "3.补正后申请内容仍不明确 0 0"),
        ("正文\n— 12 —", "正文"),
        ("第 3 页\n正文\n3/6", "正文"),
        ("行政许可 550\n- 4 -\n行政处罚 1", "行政许可 550\n- 4 -\n行政处罚 1"),  # not at an edge
        ("2023 年", "2023 年"),
    ],
)
def test_page_markers_are_stripped_only_at_page_edges(page: str, expected: str) -> None:
    lines = [_Line(text, 0.0, 10.0) for text in page.split("\n")]
    assert "\n".join(line.text for line in _strip_page_markers(lines)) == expected


def test_kangxi_radicals_in_the_text_layer_read_as_ideographs() -> None:
    # "⼀、总体情况" with U+2F00 KANGXI RADICAL ONE, as WPS-made PDFs' text layers often read.
    assert "⼀、总体情况⼆".translate(_RADICALS) == "一、总体情况二"
    assert _grid([["⼊", "1"], ["⽂件", None]]).rows == (("入", "1"), ("文件", ""))


def _line(text: str, left: float, right: float, gap: float = 3.0) -> _Line:
    return _Line(text, left, right, gap)


def test_lines_wrapped_at_the_margin_are_joined() -> None:
    # Body text 10 pt wide per character, margins at 75 and 517 (hongze_2023.pdf's page 1).
    page = [
        _line("一、总体情况", 107, 201),  # indented heading
        _line("2023 年，洪泽区人民政府坚持以习近平新时代中国特色社会", 107, 517),
        _line("主义思想为指导，全面贯彻落实《条例》相关规范要求，不断完", 75, 516),
        _line("善政府信息公开制度。", 75, 200),
        _line("（一）主动公开情况。主要通过政府门户网站主动公开政府", 112, 517),
        _line("信息内容 本年制发件数 本年废止件数 现行有效件数", 76, 515, gap=40),  # table row
        _line("规章 0 0 0", 76, 400, gap=80),
        _line("一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21", 76, 516, gap=30),
        _line("二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0", 76, 516, gap=30),
        _line("继续加强对政府网站和政务新媒体的日常维护监管，建立", 75, 517),
    ]
    second_page = [_line("二、主动公开政府信息情况", 75, 300),  # numbered: a heading, not a continuation
                   _line("府网站日常监测机制。", 75, 200)]
    text = _reflow([page, second_page])
    assert text.split("\n") == [
        "一、总体情况",
        "2023 年，洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《条例》"
        "相关规范要求，不断完善政府信息公开制度。",
        "（一）主动公开情况。主要通过政府门户网站主动公开政府",  # the next line is a table row
        "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 0 0 0",
        "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21",
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        "继续加强对政府网站和政务新媒体的日常维护监管，建立",
        "二、主动公开政府信息情况",
        "府网站日常监测机制。",
    ]


# -- the corpus PDFs ----------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("name", ["hongze_2023.pdf", "huaian_2024.pdf"])
def test_corpus_pdfs_read_fast_and_clean(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    started = time.perf_counter()
    rep = gd.read_report(data, format="pdf", name=name)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"
    assert "- 3 -" not in rep.text and "- 4 -" not in rep.text
    assert len(rep.sections) == 7
    # Paragraphs come back whole: the printed line breaks inside them are gone.
    paragraphs = rep.section("problems").strip().split("\n")
    assert all(p.rstrip().endswith(("。", "；", "：")) for p in paragraphs), paragraphs
    # pdfplumber's one-column boxes around narrative are not grids.
    assert all(max(len(r) for r in g.rows) >= 2 for g in rep.source.grids)


@needs_corpus
def test_hongze_quirks() -> None:
    rep = gd.read_report(CORPUS / "hongze_2023.pdf")
    cells = rep.tables.set_index(["table", "row", "col"])["value"]
    assert cells[("proactive", "fees", "fee_amount")] == 7730.28
    # p.3 continues the （六） block with an empty 信息内容 cell; the header is still recognised.
    assert cells[("proactive", "penalty", "decisions")] == 4119
    assert cells[("requests", "withheld_prohibited", "total")] == 0  # printed 其他法律行政止公开
    assert cells[("requests", "unavailable_unclear", "natural_person")] == 0  # after "- 4 -"
    # （六）其他处理 printed as one 2019-style row: its sub-rows stay blank, with the reason.
    assert math.isnan(cells[("requests", "other_no_correction", "total")])
    unplaced = rep.issues[rep.issues["check"] == "unplaced_values"]
    assert unplaced["message"].str.contains("（六）其他处理").all() and len(unplaced) == 1
    # The printed appeals totals break the rule; the checks say so.
    broken = rep.issues[rep.issues["check"] == "appeals_block_total"]
    assert set(broken["row"]) == {"review", "litigation_after_review"}
    assert (broken["severity"] == "error").all()


@needs_corpus
def test_huaian_quirks() -> None:
    rep = gd.read_report(CORPUS / "huaian_2024.pdf")
    cells = rep.tables.set_index(["table", "row", "col"])["value"]
    assert rep.agency == "淮安市人民政府"
    assert cells[("proactive", "fees", "fee_amount")] == 96171.6
    assert cells[("requests", "other_no_correction", "total")] == 71  # "1、…" over three lines
    assert cells[("requests", "unavailable_needs_creation", "total")] == 11  # "（四）无 | 法提供"
    assert cells[("appeals", "litigation_after_review", "total")] == 20
    assert (rep.issues["severity"] != "error").all()
