"""Maintainer tool: review the domain dictionary against real reports.

The dictionary (``govdisclosure/data/text/user_dict.txt``) is curated by hand from candidates
this tool finds in real reports; the tool then checks that every word really occurs in them and
records the evidence next to the dictionary::

    python -m govdisclosure.text.build_dictionary data/samples/*.txt ../shared/corpus/* \\
        --candidates /tmp/candidates.csv \\
        --evidence govdisclosure/data/text/user_dict_evidence.csv

It exits with an error when a dictionary word occurs in none of the files. Not imported by
``govdisclosure.text``; the library never runs it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from govdisclosure.text.segment import Segmenter

__all__ = ["candidates", "evidence", "main", "read_document"]

# A line break between two Chinese characters is a hard wrap in PDF-extracted text (政\n府网站);
# for counting words it is removed.
_WRAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t]*\n[ \t]*(?=[\u4e00-\u9fff])")
_CJK_OR_DIGIT = re.compile(r"[\u4e00-\u9fff0-9]+")


def read_document(path: Path) -> str:
    """The text of one report file, hard wraps removed.

    Only text is needed, so the files are read here directly (lxml, pypdfium2, the library's
    encoding detection), independent of table extraction.
    """
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        import lxml.html

        text = lxml.html.parse(str(path)).getroot().text_content()
    elif suffix == ".pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path))
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    else:
        from govdisclosure.readers.decode import decode_text

        text, _encoding = decode_text(path.read_bytes(), name=str(path))
    return _WRAP.sub("", text)


def candidates(documents: dict[str, str], *, min_count: int = 3, min_files: int = 2) -> pd.DataFrame:
    """Runs of 2-4 jieba tokens that jieba's own dictionary lacks, for a reviewer to curate.

    Args:
        documents: File name → text.
        min_count: Minimum occurrences over all files.
        min_files: Minimum number of files it occurs in.

    Returns:
        Columns ``candidate``, ``count``, ``files``, ``jieba`` (jieba's default split), most
        widespread first.
    """
    plain = Segmenter(dictionary=False, cache=False)
    known = plain.load()._engine._tokenizer.FREQ  # type: ignore[union-attr]
    counts: Counter[str] = Counter()
    files: dict[str, set[str]] = defaultdict(set)
    for name, text in documents.items():
        tokens = plain.cut(text)
        for size in (2, 3, 4):
            for i in range(len(tokens) - size + 1):
                run = tokens[i : i + size]
                if not all(_CJK_OR_DIGIT.fullmatch(t) for t in run):
                    continue
                word = "".join(run)
                if 3 <= len(word) <= 8 and not known.get(word):
                    counts[word] += 1
                    files[word].add(name)
    rows = [
        (word, n, len(files[word]), " / ".join(plain.cut(word)))
        for word, n in counts.items()
        if n >= min_count and len(files[word]) >= min_files
    ]
    frame = pd.DataFrame(rows, columns=["candidate", "count", "files", "jieba"])
    return frame.sort_values(["files", "count", "candidate"], ascending=[False, False, True])


def evidence(documents: dict[str, str], segmenter: Segmenter | None = None) -> pd.DataFrame:
    """How often each dictionary word occurs in the documents and comes out as one token.

    Returns:
        Columns ``word``, ``occurrences`` (as a substring), ``files``, ``tokens`` (times the
        segmenter produced exactly this word).
    """
    segmenter = segmenter or Segmenter(cache=False)
    token_counts: Counter[str] = Counter()
    for text in documents.values():
        token_counts.update(segmenter.cut(text))
    rows = []
    for word, _freq, _tag in segmenter.words:
        occurrences = sum(text.count(word) for text in documents.values())
        present = sum(1 for text in documents.values() if word in text)
        rows.append((word, occurrences, present, token_counts[word]))
    return pd.DataFrame(rows, columns=["word", "occurrences", "files", "tokens"])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: check the dictionary against report files, write evidence/candidates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="report files (.txt .md .html .pdf)")
    parser.add_argument("--candidates", type=Path, help="write candidate terms to this CSV")
    parser.add_argument("--evidence", type=Path, help="write per-word evidence to this CSV")
    args = parser.parse_args(argv)
    documents = {
        path.name: read_document(path)
        for path in args.paths
        if path.suffix.lower() in (".txt", ".md", ".html", ".htm", ".pdf") and path.name != "README.md"
    }
    if args.candidates:
        candidates(documents).to_csv(args.candidates, index=False)
    table = evidence(documents)
    if args.evidence:
        table.to_csv(args.evidence, index=False)
    absent = table.loc[table["occurrences"] == 0, "word"].tolist()
    if absent:
        sys.exit(f"dictionary words found in none of {len(documents)} files: {absent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
