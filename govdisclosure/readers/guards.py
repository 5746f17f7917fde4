"""Checks on a file's container before a reader opens it: things no real report does."""

from __future__ import annotations

import io
import zipfile

from govdisclosure.errors import ExtractionError

# A real DOCX report unpacks to a few MB (the blank national template: 0.1 MB; with images a
# few MB). Far more, or a member that expands more than 200-fold, is a decompression bomb.
MAX_UNPACKED = 100 * 2**20
MAX_RATIO = 200


def check_zip_container(data: bytes, name: str) -> None:
    """Refuse a ZIP-based file (DOCX) whose members would unpack to an unreasonable size.

    The sizes are read from the ZIP directory without decompressing anything.

    Raises:
        ExtractionError: Not a ZIP file, or a decompression bomb.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractionError(
            f"{name}: the file is not a valid DOCX (ZIP) package ({exc}); it may be truncated, "
            "or an old .doc file renamed — convert it with `soffice --headless --convert-to docx`"
        ) from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > MAX_UNPACKED or (unpacked > 10 * 2**20 and unpacked / packed > MAX_RATIO):
        raise ExtractionError(
            f"{name}: the DOCX package would unpack to {unpacked / 2**20:.0f} MB from "
            f"{len(data) / 2**20:.1f} MB; a report is far smaller, so this looks like a "
            "decompression bomb and was not opened"
        )
