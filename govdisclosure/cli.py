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

import numpy as np
import pandas as pd

from govdisclosure.corpus import Corpus, GovDisclosureWarning, read_corpus, write_parquet

EXAMPLE = """examples:
  govdisclosure analyze data/samples --out out
  govdisclosure parse data/samples --out out
  govdisclosure parse "reports/**/*.pdf" --out out --jobs 2 --format parquet --format excel
  python -m govdisclosure parse reports/ --out out --strict --no-cache
  govdisclosure parse national/ --out out --jobs 2 --format parquet   # alone: streamed, flat memory
"""
ANALYZE_EXAMPLE = """examples:
  govdisclosure analyze data/samples --out out
  govdisclosure analyze reports/ --out out --jobs 2
"""
CHECK_EXAMPLE = """examples:
  govdisclosure check data/samples --out audit.xlsx
  govdisclosure check reports/ --out audit.xlsx --out audit.html --jobs 2
"""
EXIT_CODES = """
exit codes: 0 every file was read; 1 a file could not be read (or, with --strict, a report
has an error issue); 2 bad command-line usage.
"""


FORMATS = ("csv", "parquet", "excel", "stata")


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="report files, directories or glob patterns")
    parser.add_argument("--jobs", "-j", type=int, default=1,
                        help="worker processes (default 1; -1 for every core)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True,
                        help="reuse reports parsed before (default: on; per-user cache directory)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 also when any report has an error issue")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govdisclosure",
        description="Read 政府信息公开工作年度报告 into tables of reports, sections, cells and issues.",
        epilog=EXAMPLE + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser(
        "parse", help="read reports and write reports/sections/tables/issues/failures",
        epilog=EXAMPLE + EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_corpus_options(parse)
    parse.add_argument("--out", required=True, type=Path, help="directory for the output files")
    parse.add_argument("--format", choices=FORMATS, action="append",
                       help="output format; repeat for several (default: csv)")
    analyze = sub.add_parser(
        "analyze", help="the whole workflow: data, analyses, audit, figures and one HTML summary page",
        epilog=ANALYZE_EXAMPLE + EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_corpus_options(analyze)
    analyze.add_argument("--out", required=True, type=Path,
                         help="directory for data/ (CSV and Parquet), figures/ (PNG and SVG) and index.html")
    check = sub.add_parser(
        "check", help="audit reports: arithmetic, narrative against tables, years, form, deadline, copying",
        epilog=CHECK_EXAMPLE + EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_corpus_options(check)
    check.add_argument("--out", required=True, type=Path, action="append",
                       help="audit file: .xlsx (summary, findings and one sheet per agency), .csv or "
                            ".html; repeat for several")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "analyze":
        return _analyze(args)
    if args.command == "parse" and list(dict.fromkeys(args.format or [])) == ["parquet"]:
        return _parse_streamed(args)
    corpus = _read(args)
    if args.command == "check":
        return _check(corpus, args)
    written = write_frames(corpus, args.out, args.format or ["csv"])
    sys.stdout.write(summary(corpus, written))
    return exit_code(corpus, strict=args.strict)


def _parse_streamed(args: argparse.Namespace) -> int:
    """``parse --format parquet``: batches go straight to disk, so memory stays flat however
    many reports there are; the summary is read back from the files without texts or cells."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GovDisclosureWarning)  # the summary lists failures
        written = write_parquet(args.paths, args.out, n_jobs=args.jobs, cache=args.cache,
                                progress=False if args.no_progress else None)
    files = {p.stem: p for p in written}
    view = Corpus(
        reports=pd.read_parquet(files["reports"]),
        sections=pd.DataFrame(),
        tables=pd.DataFrame(),
        issues=pd.read_parquet(files["issues"]),
        failures=pd.read_parquet(files["failures"]),
    )
    sys.stdout.write(summary(view, written, cells=_count_cells(files["tables"])))
    return exit_code(view, strict=args.strict)


def _count_cells(path: Path) -> tuple[int, int]:
    """Cells and cells with a number in a tables file, one row group (500 reports) at a time."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    total = numbers = 0
    for group in range(parquet.num_row_groups):
        values = parquet.read_row_group(group, columns=["value"]).column("value").to_numpy()
        total += len(values)
        numbers += int((~np.isnan(values)).sum())
    return total, numbers


def _analyze(args: argparse.Namespace) -> int:
    from govdisclosure.workflow import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GovDisclosureWarning)  # the summary lists failures
        result = analyze(args.paths, args.out, n_jobs=args.jobs, cache=args.cache,
                         progress=False if args.no_progress else None)
    corpus = result["corpus"]
    sys.stdout.write(summary(corpus, []).rsplit("written:", 1)[0])
    sys.stdout.write(f"figures: {len(result['figures'])}    files written: {len(result['files'])}\n")
    sys.stdout.write(f"summary page: {result['html']}\n")
    return exit_code(corpus, strict=args.strict)


def _check(corpus: Corpus, args: argparse.Namespace) -> int:
    from govdisclosure.audit import audit, write_audit

    findings = audit(corpus)
    written = [write_audit(findings, corpus.reports, path) for path in args.out]
    counts = findings["severity"].value_counts()
    lines = [
        f"reports audited: {len(corpus.reports)}    failed to read: {len(corpus.failures)}",
        "findings: " + (", ".join(f"{k} {v}" for k, v in counts.items()) if len(findings) else "none"),
    ]
    if len(findings):
        lines.append("most frequent checks:")
        lines += [f"  {check}: {n}" for check, n in findings["check"].value_counts().head(8).items()]
    lines += [f"  failed: {row.source_path}: {row.message}" for row in corpus.failures.head(10).itertuples()]
    lines.append("written: " + ", ".join(str(p) for p in written))
    sys.stdout.write("\n".join(lines) + "\n")
    if len(corpus.failures) or (args.strict and (findings["severity"] == "error").any()):
        return 1
    return 0


def _read(args: argparse.Namespace) -> Corpus:
    with warnings.catch_warnings():
        # The summary lists failures; the library's warning would say it twice.
        warnings.simplefilter("ignore", GovDisclosureWarning)
        return read_corpus(args.paths, n_jobs=args.jobs, cache=args.cache,
                           progress=False if args.no_progress else None)


def write_frames(corpus: Corpus, out: Path, formats: Sequence[str]) -> list[Path]:
    """Write the corpus frames in each requested format under ``out``."""
    written: list[Path] = []
    for fmt in dict.fromkeys(formats):
        if fmt == "csv":
            written += corpus.to_csv(out)
        elif fmt == "parquet":
            written += corpus.to_parquet(out)
        elif fmt == "excel":
            written.append(corpus.to_excel(out / "corpus.xlsx"))
        elif fmt == "stata":
            written += corpus.to_stata(out)
    return written


def exit_code(corpus: Corpus, *, strict: bool) -> int:
    """0 all read; 1 a file failed, or (strict) an error issue exists."""
    if len(corpus.failures):
        return 1
    if strict and (corpus.issues["severity"] == "error").any():
        return 1
    return 0


def summary(corpus: Corpus, written: Sequence[Path], cells: tuple[int, int] | None = None) -> str:
    """A one-screen account of a corpus run.

    ``cells`` (all, with numbers) stands in for ``corpus.tables`` when the cells were streamed
    to disk and not held.
    """
    reports, issues = corpus.reports, corpus.issues
    n_cells, n_numbers = cells or (len(corpus.tables), int(corpus.tables["value"].notna().sum()))
    lines = [
        f"reports read: {len(reports)}    failed: {len(corpus.failures)}",
        f"table cells: {n_cells}    with numbers: {n_numbers}",
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
