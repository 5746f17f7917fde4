"""Reader for Word documents (.docx): paragraphs and tables in document order.

The document body (``word/document.xml``) is read as XML, element by element, rather than
through python-docx's ``Table.rows``/``row.cells``: python-docx's cell grid ignores
``w:gridBefore``/``w:gridAfter`` (rows that start further right) and repeats a horizontally merged
cell's text into every column it covers, while a value printed once must be read once (see
:mod:`govdisclosure.readers.markup`). Headers and footers (page numbers) are not report text.

Only the two parts a report needs are unpacked and parsed: the main document, found as the
package's relationships name it, and the core properties (the title). Opening the package with
python-docx parsed every XML part (styles, numbering, settings, theme: 10 ms of a synthetic
report's 16 ms of reading, against 1 ms for the main part alone) and linked them into reference
cycles, so each document's tree lived until a full garbage collection.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import Any

from lxml import etree

from govdisclosure.errors import ExtractionError
from govdisclosure.readers.markup import SpanCell, TextBuilder, is_layout_grid, join_pieces, lay_out
from govdisclosure.readers.source import Source

__all__ = ["read_docx"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Open Packaging Conventions (ECMA-376 part 2): the package's own relationships and the types
# of the two parts read (transitional OOXML, what Word, WPS and LibreOffice write).
_PACKAGE_RELS = "_rels/.rels"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _T = (
    _q(t) for t in ("p", "tbl", "tr", "tc", "t")
)
_TC_PR, _GRID_SPAN, _V_MERGE, _VAL = (_q(t) for t in ("tcPr", "gridSpan", "vMerge", "val"))
_GRID_BEFORE = f"{_q('trPr')}/{_q('gridBefore')}"
# Containers whose children are block content in the body or a cell.
_BLOCK_WRAPPERS = {_q("sdt"), _q("sdtContent"), _q("customXml"), _q("ins"), _q("smartTag")}
# Inside a paragraph: text-bearing runs; deleted text (w:delText), field instructions
# (w:instrText) and the VML duplicate of a text box (mc:Fallback) are not printed text.
# Paragraph and run properties (w:pPr, w:rPr: fonts, sizes, spacing) print nothing either, and are
# most of the nodes of Word's paragraphs (2,911 of the 3,516 elements inside the paragraphs of
# template_2021_blank.docx are properties or inside them).
_SKIP_IN_PARAGRAPH = {_q("del"), _q("instrText"), _q("delText"), f"{{{_MC}}}Fallback", _q("pPr"), _q("rPr")}
# Run content that prints as a character.
_PRINTED_AS = {_q("tab"): "\t", _q("br"): "\n", _q("cr"): "\n", _q("noBreakHyphen"): "-"}


def read_docx(data: bytes, *, source_format: str = "docx", name: str = "<bytes>") -> Source:
    """Read a .docx report: paragraphs as lines, tables as grids with merged cells resolved.

    Args:
        data: The file's bytes.
        source_format: ``"docx"``.
        name: The file name, for error messages.

    Returns:
        The text (one paragraph or table row per line, table cells separated by tabs) and the
        grids of the tables. ``meta`` has ``encoding`` (``"docx"``) and ``doc_title`` when the
        document properties carry one.

    Raises:
        ExtractionError: The bytes are not a Word document (a .doc saved as .docx, a damaged
            download), or the document has no text.
    """
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ExtractionError(
            f"{name}: this is an old binary Word file (.doc/.wps) with a .docx name; convert it "
            "first, e.g. `soffice --headless --convert-to docx FILE`."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            document, title = _read_package(package)
    # BadZipFile also for a member whose CRC fails; zlib.error: a member whose deflate stream is
    # damaged; NotImplementedError: a compression method zipfile cannot unpack.
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, zlib.error,
            NotImplementedError) as exc:
        raise ExtractionError(
            f"{name}: not a readable .docx file ({type(exc).__name__}: {exc}); if it was saved by "
            "WPS or is an old .doc, re-save it as .docx (`soffice --headless --convert-to docx`)."
        ) from exc
    body = document.find(_q("body"))
    if document.tag != _q("document") or body is None:
        raise ExtractionError(
            f"{name}: not a Word document (its main part is {etree.QName(document).localname!r}, "
            "not a w:document with a body); a spreadsheet or presentation renamed .docx cannot be read."
        )
    builder = TextBuilder()
    _blocks(body, builder)
    text = builder.text()
    if not text.strip():
        raise ExtractionError(
            f"{name}: the Word document contains no text; if it holds scanned page images, run "
            "OCR on them and save the text as .txt."
        )
    meta: dict[str, object] = {"encoding": "docx"}
    if title:
        meta["doc_title"] = title
    return Source(text=text, grids=tuple(builder.grids), source_format=source_format, meta=meta)


def _read_package(package: zipfile.ZipFile) -> tuple[etree._Element, str]:
    """The main document's root element and the core properties' title ("" when none).

    Raises:
        KeyError: A part the relationships name is missing, or there is no main document.
        etree.XMLSyntaxError: A part is not well-formed XML.
    """
    targets = _relationship_targets(package.read(_PACKAGE_RELS))
    if _OFFICE_DOCUMENT not in targets:
        raise KeyError(f"{_PACKAGE_RELS} names no main document (officeDocument relationship)")
    document = _parse_xml(package.read(targets[_OFFICE_DOCUMENT]))
    title = ""
    if _CORE_PROPERTIES in targets and targets[_CORE_PROPERTIES] in package.namelist():
        title = (_parse_xml(package.read(targets[_CORE_PROPERTIES])).findtext(_DC_TITLE) or "").strip()
    return document, title


def _relationship_targets(rels: bytes) -> dict[str, str]:
    """Relationship type → the package member it points at (the first of each type)."""
    targets: dict[str, str] = {}
    for rel in _parse_xml(rels).iter(_RELATIONSHIP):
        if rel.get("TargetMode") != "External":
            # Package-relative targets may start with "/" or "./" ("/word/document.xml");
            # member names do not.
            targets.setdefault(rel.get("Type", ""), posixpath.normpath(rel.get("Target", "").lstrip("/")))
    return targets


def _parse_xml(xml: bytes) -> etree._Element:
    """Parse a package part: no entity expansion, no network, libxml2's size limits kept, and
    whitespace between elements dropped as python-docx's parser does."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True,
                             huge_tree=False)
    return etree.fromstring(xml, parser)


def _blocks(container: Any, out: TextBuilder) -> None:
    """Write the paragraphs and tables of the body (or of a content control) in order."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            # A paragraph's manual line breaks (w:br) are line breaks of the text too.
            for line in paragraph_text(child).replace("\t", " ").split("\n"):
                out.newline()
                out.add(line)
            out.newline()
        elif tag == _TBL:
            _table(child, out)
        elif tag in _BLOCK_WRAPPERS:
            _blocks(child, out)


def _table(tbl: Any, out: TextBuilder) -> None:
    rows, skips = _span_rows(tbl)
    grid = lay_out(rows, skip=skips)
    if is_layout_grid(grid):
        # A one-column frame or a table of prose: its paragraphs are running text.
        for tr in tbl.iterchildren(_TR):
            for tc in tr.iterchildren(_TC):
                _blocks(tc, out)
        return
    out.grid(grid)


def _span_rows(tbl: Any) -> tuple[list[list[SpanCell]], list[int]]:
    """Rows of spanned cells from ``w:tr``/``w:tc``, turning ``w:vMerge`` into row spans.

    Word marks a vertical merge with ``vMerge="restart"`` on the top cell and a bare ``vMerge`` on
    each cell below; those continuation cells are dropped and the top cell's rowspan grows.
    """
    rows: list[list[SpanCell]] = []
    skips: list[int] = []
    # grid column → the cell that restarted a vertical merge there
    open_merges: dict[int, SpanCell] = {}
    for tr in tbl.iterchildren(_TR):
        skip = _int_val(tr.find(_GRID_BEFORE), 0)
        col = skip
        cells: list[SpanCell] = []
        for tc in tr.iterchildren(_TC):
            tc_pr = tc.find(_TC_PR)
            span = _int_val(tc_pr.find(_GRID_SPAN) if tc_pr is not None else None, 1)
            v_merge = tc_pr.find(_V_MERGE) if tc_pr is not None else None
            state = None if v_merge is None else (v_merge.get(_VAL) or "continue")
            if state == "continue" and col in open_merges:
                # The merge above covers this slot; lay_out skips occupied slots.
                open_merges[col].rowspan += 1
            else:
                cell = SpanCell(cell_text(tc), 1, span)
                cells.append(cell)
                if state == "restart":
                    open_merges[col] = cell
                else:
                    open_merges.pop(col, None)
            col += span
        rows.append(cells)
        skips.append(skip)
    return rows, skips


def _int_val(el: Any, default: int) -> int:
    if el is None:
        return default
    raw = el.get(_VAL)
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else default


def cell_text(tc: Any) -> str:
    """A cell's printed text: its paragraphs joined by :func:`markup.join_pieces`.

    Runs inside a paragraph join as they are ("本年|制发件数" in template_2021_blank.docx is one
    label); separate paragraphs ("商业" / "企业") and lines broken by ``w:br`` ("结果" / "纠正") are
    separate pieces. Nested tables contribute their paragraphs.
    """
    return join_pieces(
        piece for p in tc.iter(_P) for piece in paragraph_text(p).split("\n")
    )


def paragraph_text(p: Any) -> str:
    """The printed text of one ``w:p``: its ``w:t`` runs, tabs and line breaks, in order."""
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP_IN_PARAGRAPH:
            continue
        if tag == _T:
            parts.append(node.text or "")
        elif tag in _PRINTED_AS:
            parts.append(_PRINTED_AS[tag])
        elif tag == _P:
            # A text box's paragraph inside this one: keep its words apart from ours.
            parts.append(" ")
            stack.append(iter(node))
        else:
            stack.append(iter(node))
    return "".join(parts)
