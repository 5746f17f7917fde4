"""Reader for plain-text and Markdown-ish reports (.txt, .md).

Turns bytes into text and finds the table grids in it: lines whose cells are separated by tabs
(Word's "save as text", seed 000) or by pipes (Markdown-ish exports, seed 002). No cell is
interpreted here.
"""

from __future__ import annotations

import re

from govdisclosure.readers.decode import decode_text
from govdisclosure.readers.source import Grid, Source

# A Markdown separator row such as "|---|:--:|".
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def read_text(data: bytes, *, source_format: str = "txt", name: str = "<bytes>") -> Source:
    """Decode a text report and collect its table grids.

    Args:
        data: The file's bytes.
        source_format: ``"txt"`` or ``"md"``.
        name: The file name, for error messages.

    Returns:
        The decoded text with its grids.

    Raises:
        ExtractionError: The bytes are empty, binary, or in no supported encoding.
    """
    text, encoding = decode_text(data, name=name)
    return Source(
        text=text,
        grids=tuple(find_text_grids(text)),
        source_format=source_format,
        meta={"encoding": encoding},
    )


def is_table_line(line: str) -> bool:
    """A line belongs to a table when a tab or a pipe separates cells after its indentation."""
    body = line.lstrip(" \t\u3000")
    return "\t" in body or "|" in body


def split_cells(line: str) -> tuple[str, ...]:
    """Split one table line into cells, dropping the frame pipes of ``| a | b |``."""
    if "|" in line:
        body = line.strip()
        if body.startswith("|"):
            body = body[1:]
        if body.endswith("|"):
            body = body[:-1]
        cells = body.split("|")
    else:
        cells = line.split("\t")
    return tuple(cell.strip() for cell in cells)


def find_text_grids(text: str) -> list[Grid]:
    """Group consecutive table lines into grids, with their offsets in ``text``."""
    grids: list[Grid] = []
    rows: list[tuple[str, ...]] = []
    start = end = 0
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        if is_table_line(line):
            if not rows:
                start = offset
            if not _MD_RULE.match(line):
                rows.append(split_cells(line))
            end = line_end
        elif rows and line.strip():
            grids.append(Grid(rows=tuple(rows), start=start, end=end))
            rows = []
        offset = line_end + 1
    if rows:
        grids.append(Grid(rows=tuple(rows), start=start, end=end))
    return grids
