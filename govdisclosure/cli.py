"""The ``govdisclosure`` command line (also ``python -m govdisclosure``).

Exit codes: 0 every file was read; 1 some file could not be read (or, with ``--strict``, some
report has an error issue); 2 bad command-line usage.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from govdisclosure.corpus import Corpus, GovDisclosureWarning, read_corpus

EXAMPLE = """example:
  govdisclosure parse data/samples --out out
  python -m govdisclosure parse "reports/**/*.txt" --out out --strict
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govdisclosure",
        description="Read 政府信息公开工作年度报告 into tables of reports, sections, cells and issues.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser(
        "parse", help="read reports and write reports/sections/tables/issues/failures as CSV",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("paths", nargs="+", help="report files, directories or glob patterns")
    parse.add_argument("--out", required=True, type=Path, help="directory for the CSV files")
    parse.add_argument("--strict", action="store_true",
                       help="exit 1 when any report has an error issue")
    parse.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        # The summary below lists failures; the library's warning would say it twice.
        warnings.simplefilter("ignore", GovDisclosureWarning)
        corpus = read_corpus(args.paths, progress=False if args.no_progress else None)
    written = corpus.to_csv(args.out)
    sys.stdout.write(summary(corpus, written))
    if len(corpus.failures):
        return 1
    if args.strict and (corpus.issues["severity"] == "error").any():
        return 1
    return 0


def summary(corpus: Corpus, written: Sequence[Path]) -> str:
    """A one-screen account of a corpus run."""
    reports, issues = corpus.reports, corpus.issues
    lines = [
        f"reports read: {len(reports)}    failed: {len(corpus.failures)}",
        f"table cells: {len(corpus.tables)}    with numbers: {int(corpus.tables['value'].notna().sum())}",
        "issues: " + (", ".join(f"{k} {v}" for k, v in issues["severity"].value_counts().items())
                      if len(issues) else "none"),
    ]
    if len(reports):
        lines.append("templates: " + ", ".join(
            f"{k} {v}" for k, v in reports["template"].value_counts().items()))
        lines.append("")
        for row in reports.head(15).itertuples():
            year = "" if row.year is None or str(row.year) == "<NA>" else str(row.year)
            lines.append(f"  {row.report_id}  {year:4}  {row.template:7}  {row.n_issues:3} issues  "
                         f"{row.agency}")
        if len(reports) > 15:
            lines.append(f"  … and {len(reports) - 15} more")
    if len(issues):
        lines.append("")
        lines.append("most frequent issues:")
        for check, count in issues["check"].value_counts().head(5).items():
            lines.append(f"  {check}: {count}")
    if len(corpus.failures):
        lines.append("")
        lines.append("failed files:")
        for row in corpus.failures.head(10).itertuples():
            lines.append(f"  {row.source_path}: {row.error}: {row.message}")
    lines.append("")
    lines.append("written: " + ", ".join(str(p) for p in written))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
