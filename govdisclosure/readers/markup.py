"""Helpers shared by the markup readers (HTML, DOCX): cell text, merged cells, text assembly.

Markup tables carry their structure explicitly (``rowspan``/``colspan`` in HTML, ``vMerge``/
``gridSpan`` in DOCX), so both readers lay a table out on its full grid the same way:

* a cell that spans **rows** repeats its text in every row it covers, because it is a label
  shared by those rows (the requests table's ``三、本年度办理结果`` spans 22 rows, pingtan_2025.html);
* a cell that spans **columns** keeps its text in its first column and leaves the columns it
  covers blank, because a value printed once must be read once (the proactive table's
  single-value blocks print ``本年处理决定数量`` and its number with ``colspan=3``, pingtan_2025.html;
  repeating them would turn one number into three).

Nothing here interprets a cell: no number is parsed, no label is matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from govdisclosure.readers.source import Grid

# HTML caps colspan at 1000 and rowspan at 65534; a hostile page must not make us allocate more.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
# A table whose cells hold paragraphs of prose is page layout, not a statistics table: the longest
# label of the template (（六）2. 申请人逾期未按收费通知…) has 40 characters.
MAX_GRID_CELL_CHARS = 300

_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A source line break between two CJK characters is layout of the file, not a space in the text
# (CSS Text 3 segment-break rule): Word-exported HTML wraps long runs of Chinese mid-sentence.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")
_ASCII_SPACE = re.compile(r"[ \t\r\n\f]+")
# Inside a cell every blank run is padding: labels are padded with &nbsp; runs (pingtan_2024.html
# "社会公益 \xa0 \xa0…") and empty DOCX cells hold U+3000 (template_2021_blank.docx).
_ANY_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def collapse_source_space(text: str) -> str:
    """Collapse markup whitespace as a browser would, dropping line breaks between CJK characters."""
    return _ASCII_SPACE.sub(" ", _CJK_BREAK.sub("", text))


def join_pieces(pieces: Iterable[str]) -> str:
    """Join the paragraphs of one table cell into its printed text.

    Pieces are joined without a separator when both sides are CJK characters (labels split for
    layout: ``三、本<p>年度办<p>理结果`` and ``结果<br/>纠正`` in pingtan_2024.html) and with one
    space otherwise, so that two numbers in separate paragraphs never run together into one.
    """
    out = ""
    for piece in pieces:
        piece = _ANY_SPACE.sub(" ", piece).strip()
        if not piece:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(piece[0])):
            out += " "
        out += piece
    return out


def _is_cjk(ch: str) -> bool:
    return re.match(f"[{_CJK}]", ch) is not None


@dataclass
class SpanCell:
    """One cell as the markup writes it: its text and how many grid rows and columns it covers."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def lay_out(rows: Sequence[Sequence[SpanCell]], *, skip: Sequence[int] | None = None) -> list[list[str]]:
    """Place cells with spans on the full grid (rows repeat text; columns do not — see module doc).

    Args:
        rows: The cells of each row, in order, as the markup lists them.
        skip: For each row, grid columns to leave empty before its first cell (DOCX
            ``w:gridBefore``); None for none.

    Returns:
        A rectangular list of rows of cell strings; rows whose cells are all blank are dropped.
    """
    filled: dict[tuple[int, int], str] = {}
    width = 0
    n_rows = len(rows)
    for r, cells in enumerate(rows):
        c = skip[r] if skip else 0
        for cell in cells:
            while (r, c) in filled:
                c += 1
            rowspan = max(1, min(cell.rowspan, MAX_ROWSPAN, n_rows - r))
            colspan = max(1, min(cell.colspan, MAX_COLSPAN))
            for dr in range(rowspan):
                for dc in range(colspan):
                    filled.setdefault((r + dr, c + dc), cell.text if dc == 0 else "")
            c += colspan
            width = max(width, c)
    grid = [[filled.get((r, c), "") for c in range(width)] for r in range(n_rows)]
    return [row for row in grid if any(cell for cell in row)]


@dataclass
class TextBuilder:
    """Accumulates the report text line by line and records where each grid's rows land."""

    lines: list[str] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    _current: list[str] = field(default_factory=list)
    _offset: int = 0  # length of "\n".join(lines) + "\n" so far

    def add(self, text: str) -> None:
        """Append inline text to the current line."""
        if text:
            self._current.append(text)

    def newline(self) -> None:
        """End the current line (a paragraph or a <br>); empty lines are not kept."""
        line = collapse_source_space("".join(self._current)).strip()
        self._current = []
        if not line.strip("\u00a0\u3000 "):
            return
        self._push(line)

    def grid(self, rows: list[list[str]]) -> None:
        """Write a table: one line per row, cells separated by tabs, and remember its offsets."""
        self.newline()
        if not rows:
            return
        start = self._offset
        for row in rows:
            self._push("\t".join(row))
        end = self._offset - 1  # just past the last row's last character
        self.grids.append(
            Grid(rows=tuple(tuple(row) for row in rows), start=start, end=end, aligned=True)
        )

    def _push(self, line: str) -> None:
        self.lines.append(line)
        self._offset += len(line) + 1

    def text(self) -> str:
        """The finished text: lines joined by ``\\n``."""
        self.newline()
        return "\n".join(self.lines)


def is_layout_grid(rows: Sequence[Sequence[str]]) -> bool:
    """True for tables that lay out the page rather than print statistics.

    One-column tables and tables with prose-length cells (a whole report inside one cell) are read
    as running text, so their headings stay headings.
    """
    if not rows:
        return True
    if max(len(row) for row in rows) < 2:
        return True
    return any(len(cell) > MAX_GRID_CELL_CHARS for row in rows for cell in row)
