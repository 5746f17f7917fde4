"""Per-file accuracy on the development corpus and median parse time per report and format.

For every corpus file with a golden cells file (``tests/golden``, written by reading the
documents), the report is parsed and each of its 200 template cells classified with the golden
harness's own rule (``tests/test_golden_corpus.py: compare``): correct, flagged (blank and
reported as an issue) or wrong. Parse time is the median of five parses in a warm interpreter,
without the cache, each after forgetting what the parser remembers between reports (label
matches, row splits, cell readings …), so that a repeat is timed as a report never seen before.

    python benchmarks/bench_accuracy.py            # needs ../shared/corpus

Prints a Markdown table and writes ``benchmarks/results/accuracy.json``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import pandas as pd  # noqa: E402
from test_golden_corpus import CORPUS, GOLDEN, META, compare  # noqa: E402 - the harness's rule

import govdisclosure as gd  # noqa: E402


def forget_memos() -> None:
    """Clear the parser's bounded memos (not its package data, read once per process)."""
    import importlib

    # ``gd.codebook`` is the function; the module is reached by its full name.
    codebook = importlib.import_module("govdisclosure.codebook")
    from govdisclosure import metadata, sections, tables, values

    for memo in (codebook.label_key, codebook.match_label, metadata._best_division,
                 sections.classify_heading, sections._inline_title, tables.split_row, tables._opener_of,
                 tables._match_row, values.parse_cell):
        memo.cache_clear()


def main() -> None:
    if not CORPUS.is_dir():
        raise SystemExit(f"the development corpus is not at {CORPUS}")
    rows = []
    for file in sorted(META):
        path = CORPUS / file
        gd.read_report(path)
        times = []
        for _ in range(5):
            forget_memos()
            start = time.perf_counter()
            report = gd.read_report(path)
            times.append(time.perf_counter() - start)
        golden_path = GOLDEN / f"{Path(file).stem}.cells.csv"
        row = {"file": file, "format": path.suffix.lstrip("."), "template": report.template,
               "median_seconds": statistics.median(times), "numbers_read": int(report.tables["value"].notna().sum())
               if len(report.tables) else 0}
        if golden_path.exists() and META[file]["tables_readable"] != "false":
            result = compare(report, pd.read_csv(golden_path, dtype=str, keep_default_na=False))
            row.update(correct=result.correct, flagged=len(result.flagged), wrong=len(result.wrong),
                       cells=result.total)
        rows.append(row)
    out = HERE / "results" / "accuracy.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    print("| file | template | cells correct / template cells | flagged | wrong | median s |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        if "cells" in r:
            acc = f"{r['correct']} / {r['cells']}"
            print(f"| {r['file']} | {r['template']} | {acc} | {r['flagged']} | {r['wrong']} | "
                  f"{r['median_seconds']:.3f} |")
        else:
            if r["template"] == "pre2019":
                note = "pre-2019 format: narrative only"
            elif r["numbers_read"] == 0:
                note = "cells run together: tables reported unreadable, 0 numbers read"
            else:
                note = f"{r['numbers_read']} numbers read"
            print(f"| {r['file']} | {r['template']} | — ({note}) | | | {r['median_seconds']:.3f} |")
    print()
    print("| format | median seconds per report |")
    print("|---|---:|")
    frame = pd.DataFrame(rows)
    for fmt, sec in frame.groupby("format")["median_seconds"].median().items():
        print(f"| {fmt} | {sec:.3f} |")


if __name__ == "__main__":
    main()
