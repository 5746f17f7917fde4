"""The library's exceptions: one small tree under :class:`GovDisclosureError`.

Data problems (a sum that does not balance, an unknown label, a missing section) are rows in
``issues``, never exceptions. Exceptions are for files that cannot be read at all; their messages
say what was found and what to do (DESIGN.md §6).
"""

from __future__ import annotations


class GovDisclosureError(Exception):
    """Base class of every exception govdisclosure raises on purpose."""


class UnsupportedFormatError(GovDisclosureError):
    """The file's format is not one govdisclosure reads (e.g. .doc, .wps, an image)."""


class FolderError(GovDisclosureError):
    """A folder stands where a report file was expected: one whose files could not be listed."""


class ExtractionError(GovDisclosureError):
    """The file has a supported format but no report text could be extracted from it."""


class EncodingError(ExtractionError):
    """The bytes of a text file could not be decoded as any supported Chinese encoding."""


class SectionNotFoundError(GovDisclosureError, KeyError):
    """A section was asked for that the report does not have."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class TimeLimitError(GovDisclosureError):
    """Parsing one file took longer than the per-file time limit of a corpus run."""


class FileTooLargeError(ExtractionError):
    """The file is far larger than any annual report; it is refused before it is read."""
