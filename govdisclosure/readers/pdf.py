"""Reader for PDF reports with a text layer (.pdf).

Two libraries, each for what it does best (DESIGN.md §8, measured on the corpus PDFs):

* **pypdfium2** gives the text: ~10 ms for a 5-page report, lines in reading order, and it tells a
  password-protected or damaged file apart before anything else runs.
* **pdfplumber** gives the tables: it finds the ruling lines of the printed tables and returns
  every cell in its column, blank cells included (~0.3 s for a 5-page report). Text-only
  splitting of pypdfium2's lines cannot do that: a blank cell simply vanishes from a line such as
  "行政许可 550", so the cells after it would shift (hongze_2023, huaian_2024).

No cell is interpreted here: grids keep the printed text of each cell (line breaks inside a cell
included, e.g. the vertical stub "三\\n、\\n本\\n年…" of hongze_2023), and merged-cell
continuations are blank.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from govdisclosure.errors import ExtractionError
from govdisclosure.normalize import normalize_newlines
from govdisclosure.readers.source import Grid, Source

__all__ = ["read_pdf"]

# A page number printed as its own line: "- 4 -", "— 4 —", "－4－", "第 4 页", "4/6". pypdfium2
# returns it as the *first* line of the page's text although it is printed at the bottom, so in
# hongze_2023 "- 4 -" would otherwise sit inside the requests table (NOTES_other.md).
_PAGE_MARKER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,4}\s*[-－—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
# Fewer letters than this on every page means there is no usable text layer: a scan may carry a
# stray text object (a stamp's caption, a producer's watermark) but never a paragraph.
_MIN_CHARS_PER_PAGE = 20
_LETTER = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
# Kangxi radicals and CJK radical supplements → the ideographs they stand for. Fonts embedded by
# WPS and Word map common characters to these code points in their ToUnicode tables, so the text
# layer reads "⼀、总体情况" (U+2F00) where the page shows 一、总体情况; every later stage
# compares against the unified ideographs. One character for one, so lengths are kept.
_RADICALS = {
    code: mapped
    for code in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6))
    if len(mapped := unicodedata.normalize("NFKC", chr(code))) == 1 and mapped != chr(code)
}


def read_pdf(data: bytes, *, source_format: str = "pdf", name: str = "<bytes>") -> Source:
    """Read a PDF's text layer and the ruled tables on its pages.

    Args:
        data: The file's bytes.
        source_format: ``"pdf"``.
        name: The file name, for error messages.

    Returns:
        The text (pages in order, page-number lines removed) and one grid per ruled table found
        on a page, in page order. A table that crosses pages comes as one grid per page; the table
        stage joins them. A PDF without any ruled table gets one unaligned grid per page, its
        lines split at spaces.

    Raises:
        ExtractionError: The file is not a PDF, is damaged or truncated, is password-protected,
            or has no text layer (a scan).
    """
    page_lines = [_strip_page_markers(lines) for lines in _page_lines(data, name)]
    pages = ["\n".join(line.text for line in lines) for lines in page_lines]
    if not any(len(_LETTER.findall(page)) >= _MIN_CHARS_PER_PAGE for page in pages):
        raise ExtractionError(
            f"{name}: the PDF has {len(pages)} page(s) but no text layer — it is a scanned image "
            "of the report. Run OCR on it first (e.g. `ocrmypdf --language chi_sim in.pdf out.pdf`) "
            "and read the OCR'd PDF or its text."
        )
    text = _reflow(page_lines)
    grids = _page_grids(data, name, _table_pages(page_lines))
    if not grids:
        # No ruled table anywhere: the tables were printed without cell borders. Their lines
        # still hold the cells, separated by spaces; blanks cannot be seen, so these grids are
        # not aligned and a row short of cells is reported rather than shifted.
        grids = [grid for page in pages if (grid := _text_grid(page)) is not None]
    blank_pages = [i + 1 for i, page in enumerate(pages) if not _LETTER.search(page)]
    meta: dict[str, object] = {"pages": len(pages), "pages_without_text": blank_pages}
    title = _metadata_title(data)
    if title:
        meta["title"] = title
    return Source(text=text, grids=tuple(grids), source_format=source_format, meta=meta)


def _open_error(name: str, exc: Exception) -> ExtractionError:
    """Turn a library's opening error into a message that says what is wrong with the file."""
    detail = str(exc)
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return ExtractionError(
            f"{name}: the PDF is encrypted with a password, so its text cannot be read. "
            "Open it with the password and save an unprotected copy (e.g. `qpdf --decrypt "
            f"--password=… in.pdf out.pdf`). ({detail})"
        )
    return ExtractionError(
        f"{name}: the file is not a readable PDF — it is damaged or truncated (an incomplete "
        f"download is the usual cause). Download it again. ({detail})"
    )


@dataclass(frozen=True)
class _Line:
    """One text line of a page and where its ink starts and ends (points from the left edge)."""

    text: str
    left: float
    right: float
    gap: float = 0.0  # the widest blank between two characters: wide in table rows


def _page_lines(data: bytes, name: str) -> list[list[_Line]]:
    """Every page's text lines from pypdfium2, with their horizontal extent."""
    import pypdfium2 as pdfium  # imported here: importing govdisclosure stays light

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _open_error(name, exc) from exc
    try:
        pages = []
        for page in doc:
            textpage = page.get_textpage()
            pages.append(_lines_of(textpage))
            textpage.close()
            page.close()
        return pages
    finally:
        doc.close()


def _lines_of(textpage) -> list[_Line]:
    """Split a page's text at its line breaks; measure each line from its characters' boxes."""
    raw = textpage.get_text_range()
    lines = []
    start = 0
    # pdfium numbers its generated "\r\n" like real characters, so indices into ``raw`` are
    # character indices for get_charbox.
    for i, ch in enumerate(raw + "\n"):
        if ch not in "\r\n":
            continue
        if i > start:
            boxes = [textpage.get_charbox(k) for k in range(start, i) if not raw[k].isspace()]
            left = min((b[0] for b in boxes), default=0.0)
            right = max((b[2] for b in boxes), default=0.0)
            gap = max((b[0] - a[2] for a, b in pairwise(boxes)), default=0.0)
            text = normalize_newlines(raw[start:i]).translate(_RADICALS)
            lines.append(_Line(text, left, right, gap))
        start = i + 1
    return lines


# A line that starts a numbered item or a heading never continues the line before it.
_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．]"
    r"|第[一二三四五六七八九十\d]+|[①②③④⑤⑥⑦⑧⑨⑩])"
)


def _reflow(pages: list[list[_Line]]) -> str:
    """The pages' text, with lines that wrap at the right margin joined to the line they continue.

    A PDF breaks every paragraph into printed lines ("坚持以习近平新时代中国特色社会" /
    "主义思想为指导", hongze_2023.pdf); a newline there would cut words and sentences apart for
    every later stage. A line is joined to the next when it reaches the right margin, the next
    line starts at the left margin (a new paragraph or heading is indented) without numbering of
    its own, and neither line has the wide blanks that separate table cells. Page breaks are joined the
    same way. Headings, table rows (wide blanks between their cells), the title and short lines
    keep their own lines.
    """
    measured = [line for lines in pages for line in lines if line.right > line.left]
    if not measured:
        return "\n".join(line.text for lines in pages for line in lines)
    # Margins of the whole document: a page with a few short lines has no margin of its own.
    left = min(line.left for line in measured)
    right = max(line.right for line in measured)
    em = _em(measured)
    out: list[str] = []
    previous: _Line | None = None
    for lines in pages:
        for line in lines:
            if out and previous is not None and _continues(previous, line, left, right, em):
                out[-1] += line.text
            else:
                out.append(line.text)
            previous = _Line(line.text, line.left - left, right - line.right, line.gap)
    return "\n".join(out)


def _em(lines: list[_Line]) -> float:
    """The typical character width on a page (the body text's font size)."""
    widths = sorted((line.right - line.left) / max(len(line.text.strip()), 1) for line in lines)
    return max(widths[len(widths) // 2], 4.0)


def _continues(previous: _Line, line: _Line, left: float, right: float, em: float) -> bool:
    """``previous`` holds the line above as (indent, gap to the right margin), page-relative."""
    text = previous.text.rstrip()
    return (
        max(previous.gap, line.gap) <= 1.5 * em  # neither line is a row of table cells
        and previous.right <= 1.5 * em  # the line above reaches the right margin
        and line.left - left <= 0.5 * em  # this line is not indented
        and bool(text)
        and not _ITEM_START.match(line.text)
    )


def _metadata_title(data: bytes) -> str:
    """The document-information Title, when it names a report (hongze_2023 carries its full title
    there while its first page splits it over two lines)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        title = str(doc.get_metadata_dict().get("Title", "")).strip()
    finally:
        doc.close()
    return title if "报告" in title else ""


def _strip_page_markers(lines: list[_Line]) -> list[_Line]:
    """Drop page-number lines at the top or bottom of one page."""
    lines = list(lines)
    while lines and (not lines[0].text.strip() or _PAGE_MARKER.match(lines[0].text)):
        lines.pop(0)
    while lines and (not lines[-1].text.strip() or _PAGE_MARKER.match(lines[-1].text)):
        lines.pop()
    return lines


def _table_pages(pages: list[list[_Line]]) -> list[int]:
    """1-based numbers of the pages that hold a table row: a line with wide blanks between cells.

    pdfplumber takes ~50 ms a page; a report is mostly narrative (hongze_2023.pdf: 2 of its 5
    pages hold no table), and a long one may have 30 pages around its three tables.
    """
    measured = [line for lines in pages for line in lines if line.right > line.left]
    if not measured:
        return []
    em = _em(measured)
    return [i + 1 for i, lines in enumerate(pages) if any(line.gap > 1.5 * em for line in lines)]


def _page_grids(data: bytes, name: str, pages: list[int]) -> list[Grid]:
    """The ruled tables of the given pages (1-based), as pdfplumber lays them out."""
    # Imported here: pdfplumber and pdfminer take ~80 ms to import, paid only when a PDF is read.
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    grids: list[Grid] = []
    try:
        if not pages:
            return grids
        with pdfplumber.open(io.BytesIO(data), pages=pages) as pdf:
            for page in pdf.pages:
                for table in page.find_tables():
                    grid = _grid(table.extract())
                    if grid is not None:
                        grids.append(grid)
                page.close()
    except (PdfminerException, PDFSyntaxError, PSException) as exc:
        raise _open_error(name, exc) from exc
    return grids


# Running text that happens to contain numbers: "2023 年，我区……" opens with one, "收取信息处理费
# 0 元。" has text after it. A table row has its labels first and ends with its numbers.
_NUMBER_THEN_TEXT = re.compile(r"^\s*[-+]?\d[\d.,]*\s+\S*[^\d\s.,-]")
_NUMBER_TOKEN = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?$")
_LAST_CELL = re.compile(r"^(?:[-+]?\d[\d,]*(?:\.\d+)?|[-—–/／无]+)$")  # a number or a placeholder


def _text_grid(page: str) -> Grid | None:
    """One page's lines as rows of space-separated cells (for tables without ruling lines)."""
    rows = []
    for line in page.split("\n"):
        cells = line.split()
        if not cells or _NUMBER_THEN_TEXT.match(line):
            continue
        numbers = [i for i, cell in enumerate(cells) if _NUMBER_TOKEN.match(cell)]
        if numbers and not _LAST_CELL.match(cells[-1]):
            continue
        rows.append(tuple(cells))
    return Grid(rows=tuple(rows), aligned=False) if rows else None


def _grid(rows: Sequence[Sequence[str | None]]) -> Grid | None:
    """One pdfplumber table → a grid; None for a one-column box.

    pdfplumber also returns boxed narrative as one-column "tables" (every text page of
    hongze_2023 and huaian_2024): a single column has no cells to keep apart, and the text is
    already in ``Source.text``, so it is not a grid.
    """
    cells = tuple(tuple((cell or "").translate(_RADICALS).strip() for cell in row) for row in rows)
    cells = tuple(row for row in cells if any(row))
    width = max((len(row) for row in cells), default=0)
    if width < 2:
        return None
    return Grid(rows=cells, aligned=True)
