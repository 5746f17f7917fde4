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
    """Group consecutive table lines into grids, with their offsets in ``text``.

    A run of table lines (blank lines inside it allowed) is one grid, except that Markdown pipe
    tables are cut where a new one starts (a row followed by a ``|---|`` rule): PDF-to-Markdown
    converters break one printed table into many small Markdown tables (shanghai_kewei_2024.md
    has ~15 in its requests table), and each keeps its own column count. A Markdown table whose
    rows all have the same number of cells is ``aligned``: the pipes mark every cell, so a blank
    between two pipes is a blank cell, not layout ("| 四、结转下年度继续办理 | 1 | … | 0 |  |").

    The block of plain lines directly above a Markdown table (no blank line between) comes as a
    grid of its own, one row per line: converters leave there the table's heading ("### 行政复议",
    shuyang_2025.txt) and the cells that lost their pipes ("行政许可 97", "信息内容本年处理决定数量",
    the appeals header and wrapped row labels of shanghai_kewei_2024.md). Such a line is split into
    its text and the numbers that end it (:func:`split_loose_line`).
    """
    lines = text.split("\n")
    starts = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    runs: list[list[int]] = []
    run: list[int] = []
    for i, line in enumerate(lines):
        if is_table_line(line):
            run.append(i)
        elif run and line.strip():
            runs.append(run)
            run = []
    if run:
        runs.append(run)

    def grid(indices: list[int], rows: list[tuple[str, ...]], aligned: bool = False) -> Grid:
        first, last = indices[0], indices[-1]
        return Grid(rows=tuple(rows), start=starts[first], end=starts[last] + len(lines[last]),
                    aligned=aligned)

    grids: list[Grid] = []
    for run in runs:
        chunks = _markdown_chunks(run, lines)
        if chunks[0][1]:  # the run opens with a Markdown table: take the block above it too
            above = _block_above(run[0], lines)
            if above:
                grids.append(grid(above, [split_loose_line(lines[i]) for i in above]))
        for indices, is_markdown in chunks:
            rows = [split_cells(lines[i]) for i in indices if not _MD_RULE.match(lines[i])]
            if not rows:
                continue
            aligned = is_markdown and len({len(r) for r in rows}) == 1
            grids.append(grid(indices, rows, aligned))
    return grids


def _markdown_chunks(run: list[int], lines: list[str]) -> list[tuple[list[int], bool]]:
    """Cut a run of table lines where Markdown tables begin; flag the Markdown chunks."""
    chunks: list[tuple[list[int], bool]] = []
    current: list[int] = []
    is_markdown = False
    table_lines = [i for i in run if lines[i].strip()]
    for k, i in enumerate(table_lines):
        follows = table_lines[k + 1] if k + 1 < len(table_lines) else None
        opens_table = (not _MD_RULE.match(lines[i]) and follows is not None
                       and _MD_RULE.match(lines[follows]) is not None)
        if opens_table and current:
            chunks.append((current, is_markdown))
            current = []
        if opens_table:
            is_markdown = True
        current.append(i)
    if current:
        chunks.append((current, is_markdown))
    return chunks


# How far up the block above a Markdown table may reach: shanghai_kewei_2024.md's proactive
# blocks and their headings take 13 lines; a longer block is narrative, not a table's remains.
_MAX_BLOCK_ABOVE = 20
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_TRAILING_NUMBERS = re.compile(r"^(?P<text>.*?\S)(?P<nums>(?:\s+[-+]?\d+(?:\.\d+)?)+)\s*$")


def _block_above(first: int, lines: list[str]) -> list[int]:
    """Indices of the non-blank, non-table lines directly above line ``first``."""
    block: list[int] = []
    i = first - 1
    while i >= 0 and lines[i].strip() and not is_table_line(lines[i]):
        block.insert(0, i)
        i -= 1
    return block if len(block) <= _MAX_BLOCK_ABOVE else []


def split_loose_line(line: str) -> tuple[str, ...]:
    """Cells of a line that lost its pipes: its text, then each number that ends it.

    "行政许可 97" → ("行政许可", "97"); "### 行政复议" → ("行政复议",) (heading marks dropped);
    "1" → ("1",). Numbers inside the text stay in it.
    """
    body = _MD_HEADING.sub("", line).strip()
    match = _TRAILING_NUMBERS.match(body)
    if match is None:
        return (body,)
    return (match["text"].strip(), *match["nums"].split())
