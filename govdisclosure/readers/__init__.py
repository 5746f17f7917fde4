"""Readers: file bytes → :class:`Source` (text + raw table grids). Nothing after them knows the format.

Each format's reader is registered in ``READERS`` by file extension; formats with no reader get a
clear :class:`~govdisclosure.errors.UnsupportedFormatError` naming what to do instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govdisclosure.errors import UnsupportedFormatError
from govdisclosure.readers.docx import read_docx
from govdisclosure.readers.guards import check_zip_container
from govdisclosure.readers.html import read_html
from govdisclosure.readers.pdf import read_pdf
from govdisclosure.readers.source import Grid, Source
from govdisclosure.readers.text import read_text

__all__ = ["READERS", "Grid", "Source", "format_of", "read_source"]

Reader = Callable[..., Source]

READERS: dict[str, tuple[str, Reader]] = {
    ".txt": ("txt", read_text),
    ".text": ("txt", read_text),
    ".md": ("md", read_text),
    ".markdown": ("md", read_text),
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
    ".shtml": ("html", read_html),
    ".mht": ("html", read_html),
    ".mhtml": ("html", read_html),
    ".docx": ("docx", read_docx),
    ".pdf": ("pdf", read_pdf),
}
# Formats people will try, with the way out (DESIGN.md §8: .doc needs LibreOffice).
_ADVICE = {
    ".doc": "convert it to .docx first, e.g. `soffice --headless --convert-to docx FILE.doc`",
    ".wps": "convert it to .docx first, e.g. `soffice --headless --convert-to docx FILE.wps`",
    ".rtf": "convert it to .docx first, e.g. `soffice --headless --convert-to docx FILE.rtf`",
    ".xls": "the report is a document, not a spreadsheet; export the report itself",
    ".xlsx": "the report is a document, not a spreadsheet; export the report itself",
    ".jpg": "it is an image; run OCR on it and save the text as .txt",
    ".png": "it is an image; run OCR on it and save the text as .txt",
    ".zip": "unpack the archive and read the files inside",
}


def format_of(path: str | Path) -> str:
    """The source format name for a path's extension; raises for unsupported ones."""
    suffix = Path(path).suffix.lower()
    if suffix in READERS:
        return READERS[suffix][0]
    raise UnsupportedFormatError(_unsupported_message(str(path), suffix))


def _unsupported_message(name: str, suffix: str) -> str:
    known = ", ".join(sorted({fmt for fmt, _ in READERS.values()}))
    advice = _ADVICE.get(suffix, f"supported formats are {known}")
    return f"{name}: files of type {suffix or '(no extension)'!r} cannot be read; {advice}."


def read_source(data: bytes, source_format: str, *, name: str = "<bytes>") -> Source:
    """Run the reader for ``source_format`` (``"txt"``, ``"md"``, …) on the file's bytes."""
    for fmt, reader in READERS.values():
        if fmt == source_format:
            if fmt == "docx":
                check_zip_container(data, name)
            return reader(data, source_format=fmt, name=name)
    raise UnsupportedFormatError(_unsupported_message(name, "." + source_format))
