"""Precision and recall of the analyses against the hand labels of ``tests/eval``.

The labels were written by reading the two seeds and the narratives of the development corpus
(``tests/eval/README.md``); the matching rules are in ``tests/analysis_eval.py``. The labelled
documents are also the ones the vocabulary, taxonomy and thresholds were written against, so
these are development-set figures, not held-out ones.

    python benchmarks/eval_analysis.py            # needs ../shared/corpus

Held-out check: ``tests/eval/heldout`` labels two reports that none of the rules were written
against (Pingtan 2019 and 2020, ``tests/eval/heldout/SOURCES.csv`` says where they are
published). Their texts are not in the repository; put them in a folder and name it:

    GOVDISCLOSURE_HELDOUT_TEXTS=/path/to/texts python benchmarks/eval_analysis.py

Prints Markdown tables and writes ``benchmarks/results/eval_analysis.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from analysis_eval import CORPUS, EVAL, HELDOUT, Score, all_scores, heldout_texts  # noqa: E402 - the scoring rules live with the tests


def main() -> None:
    if not CORPUS.is_dir():
        raise SystemExit(f"the development corpus is not at {CORPUS}")
    results = {"development": all_scores(EVAL)}
    if heldout_texts() is not None:
        results["held-out"] = all_scores(HELDOUT)
    for name, scores in results.items():
        print(f"\n{name} ({len(scores)} tasks)\n\n{_table(scores)}")
    out = HERE / "results" / "eval_analysis.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({name: [{"task": s.task, "predicted": s.predicted, "labelled": s.labelled,
                                       "precision": round(s.precision, 4), "recall": round(s.recall, 4)}
                                      for s in scores] for name, scores in results.items()},
                              ensure_ascii=False, indent=1), encoding="utf-8")


def _table(scores: list[Score]) -> str:
    lines = ["| task | predicted | labelled | precision | recall |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {s.task} | {s.predicted} | {s.labelled} | {s.precision:.2f} | {s.recall:.2f} |" for s in scores]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
