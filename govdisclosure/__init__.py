"""govdisclosure: China's government information disclosure annual reports as pandas DataFrames.

>>> import govdisclosure as gd
>>> rep = gd.read_report("data/samples/002_090d11a260a4ff7f.txt")
>>> corpus = gd.read_corpus("data/samples")
"""

from __future__ import annotations

from govdisclosure import analysis, text
from govdisclosure.audit import audit
from govdisclosure.codebook import codebook
from govdisclosure.corpus import Corpus, GovDisclosureWarning, read_corpus, read_parquet, write_parquet
from govdisclosure.errors import (
    EncodingError,
    ExtractionError,
    GovDisclosureError,
    SectionNotFoundError,
    TimeLimitError,
    UnsupportedFormatError,
)
from govdisclosure.report import Report, read_report

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "EncodingError",
    "ExtractionError",
    "GovDisclosureError",
    "GovDisclosureWarning",
    "Report",
    "SectionNotFoundError",
    "TimeLimitError",
    "UnsupportedFormatError",
    "__version__",
    "analysis",
    "audit",
    "codebook",
    "read_corpus",
    "read_parquet",
    "read_report",
    "text",
    "write_parquet",
]
