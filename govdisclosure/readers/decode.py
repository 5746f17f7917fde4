"""Bytes → text for text-like files: encoding detection and line-ending unification."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from charset_normalizer import from_bytes

from govdisclosure.errors import EncodingError, ExtractionError
from govdisclosure.normalize import normalize_newlines

# gb2312 and gbk are subsets of gb18030; pages that declare gb2312 often contain GBK-only
# characters (TEMPLATE.md, CMS pages), so every member of the family decodes as gb18030.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "gb18030", "hz", "euc_cn", "euccn", "x-gbk"}
# Share of characters that may be control or unassigned before the text counts as binary junk.
_MAX_JUNK_SHARE = 0.02


def canonical_encoding(name: str) -> str:
    """The codec to decode a declared or detected encoding with (gb2312/gbk → gb18030)."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return name.lower()
    return "gb18030" if codec in _GB_FAMILY or name.lower() in _GB_FAMILY else codec


def decode_text(data: bytes, *, name: str = "<bytes>", declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes, trying the declared encoding, BOMs, UTF-8, GB18030, then detection.

    Args:
        data: The raw bytes.
        name: The file name, for error messages.
        declared: An encoding the container declared (an HTML ``charset``), tried after BOMs.

    Returns:
        The text with line endings unified to ``\\n``, and the encoding used.

    Raises:
        ExtractionError: The file is empty or binary.
        EncodingError: No supported encoding gives readable text.
    """
    if not data.strip():
        raise ExtractionError(f"{name}: the file is empty; there is no report to read.")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractionError(
            f"{name}: the file contains NUL bytes, so it is binary, not text. "
            "If it is a PDF or DOCX, give it the matching file extension."
        )
    for candidate in _candidates(data, declared):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return normalize_newlines(text.removeprefix("\ufeff")), candidate
    raise EncodingError(
        f"{name}: the bytes are not readable as UTF-8, GB18030/GBK or any encoding "
        "charset-normalizer recognises; the file may be binary or damaged."
    )


def _candidates(data: bytes, declared: str | None) -> Iterator[str]:
    """Encodings to try, most trustworthy first; detection (slow) only when the rest failed."""
    if data.startswith(codecs.BOM_UTF8):
        yield "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield "utf-16"
    if declared:
        yield canonical_encoding(declared)
    yield "utf-8"
    yield "gb18030"
    best = from_bytes(data).best()
    if best is not None:
        yield canonical_encoding(best.encoding)


# Control characters other than tab and line breaks, private-use and surrogate code points:
# what binary junk decodes to, and what text never holds.
_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff\ufffe\uffff]")


def _looks_like_text(text: str) -> bool:
    """Reject decodings that are mostly control or private-use characters (binary junk)."""
    if not text:
        return False
    junk = len(_JUNK.findall(text))
    return junk / len(text) <= _MAX_JUNK_SHARE
