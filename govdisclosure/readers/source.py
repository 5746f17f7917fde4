"""What every reader returns: the report's text and its raw table grids, with no interpretation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Grid:
    """One table as the file lays it out: rows of cell strings.

    Attributes:
        rows: The cells row by row, as printed (not stripped of notes, not converted to numbers).
            Readers of markup (HTML, DOCX) expand merged cells by repeating their text; readers of
            plain text keep the blank cells that stand under labels spanning several rows.
        start: Offset of the table's first character in ``Source.text`` (−1 if unknown).
        end: Offset just past the table's last character in ``Source.text`` (−1 if unknown).
        aligned: True when the cells of a column are known to line up (markup tables); False for
            tables recovered from text lines, where merged cells shift later cells to the left.
    """

    rows: tuple[tuple[str, ...], ...]
    start: int = -1
    end: int = -1
    aligned: bool = False


@dataclass(frozen=True)
class Source:
    """A decoded report: text plus table grids.

    Attributes:
        text: The report text, decoded, with line endings unified to ``\\n``. Every character offset
            in govdisclosure's DataFrames points into this string.
        grids: The tables found in the file, in document order.
        source_format: ``"txt"``, ``"md"``, ``"html"``, ``"pdf"`` or ``"docx"``.
        meta: Facts the reader learnt on the way (``encoding``, ``title``, ``pages`` …).
    """

    text: str
    grids: tuple[Grid, ...] = ()
    source_format: str = "txt"
    meta: dict[str, object] = field(default_factory=dict)
