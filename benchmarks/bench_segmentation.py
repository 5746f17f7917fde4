"""Segmentation throughput of govdisclosure.text against raw jieba and rjieba.

Usage::

    python benchmarks/bench_segmentation.py [--corpus ../shared/corpus] [--mb 3] [--repeat 5]

Text: the section texts of the seed reports and of every development-corpus file that
``gd.read_corpus`` reads, repeated (each copy made distinct by a suffix, so neither the token
cache nor anything else can reuse one copy's work for another) until there are ``--mb``
megabytes of UTF-8. Every measurement segments the same texts and is repeated ``--repeat``
times, interleaved with the others so that background load hits all of them alike; the table
reports the best run of each (the least disturbed), plus the median, and the CPU seconds that
run used in this process and its worker processes (which shows what a pool costs in total,
whatever else the machine was doing).

Measured:
- raw ``jieba.lcut`` and ``rjieba.cut`` per text (jieba's global default dictionary);
- the pipeline: ``Segmenter.cut_many`` and ``gd.text.tokens`` (the tidy DataFrame with offsets,
  table rows included so the text is the same), cache off, with 1 and 2 processes, for both
  backends;
- the token cache: ``cut_many``/``tokens`` into an empty cache directory (cold, including the
  writes) and again (warm).
"""

from __future__ import annotations

import argparse
import gc
import glob
import importlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# CPU time of the worker processes comes from getrusage, which Windows lacks.
resource = None if sys.platform == "win32" else importlib.import_module("resource")


def load_texts(corpus: Path, megabytes: float) -> list[str]:
    import govdisclosure as gd

    paths = sorted(glob.glob(str(ROOT / "data" / "samples" / "*.txt")))
    if corpus.is_dir():
        paths += sorted(
            str(p)
            for p in corpus.iterdir()
            if p.suffix in (".txt", ".md", ".html", ".pdf", ".docx") and p.name != "README.md"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sections = gd.read_corpus(paths).sections
    base = [t for t in sections["text"].tolist() if t.strip()]
    size = sum(len(t.encode("utf-8")) for t in base)
    copies = max(1, round(megabytes * 1e6 / size))
    return [f"{text}\n副本{i}" for i in range(copies) for text in base]


def timed(function: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of this process and its finished children."""
    gc.collect()
    if resource is None:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start, float("nan")
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    function()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--mb", type=float, default=3.0, help="megabytes of text to segment")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba
    import rjieba

    import govdisclosure.text as gt

    jieba.setLogLevel(logging.WARNING)  # a benchmark script may; the library never does
    jieba.initialize()
    texts = load_texts(args.corpus, args.mb)
    import pandas as pd

    frame = pd.DataFrame({"report_id": [f"r{i}" for i in range(len(texts))], "text": texts})
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    seg = gt.Segmenter(cache=False).load()
    fast = gt.Segmenter(backend="rjieba", cache=False).load()

    runs: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def measure(name: str, function: Callable[[], object]) -> None:
        wall, used = timed(function)
        runs.setdefault(name, []).append(wall)
        cpu.setdefault(name, []).append(used)

    cache_dirs: list[str] = []
    for _ in range(args.repeat):
        measure("raw jieba.lcut", lambda: [jieba.lcut(t) for t in texts])
        measure("raw rjieba.cut", lambda: [rjieba.cut(t) for t in texts])
        measure("Segmenter.cut_many, 1 process", lambda: seg.cut_many(texts))
        measure("Segmenter.cut_many, 2 processes", lambda: seg.cut_many(texts, n_jobs=2))
        measure("tokens(), 1 process", lambda: gt.tokens(frame, segmenter=seg, tables=True))
        measure(
            "tokens(), 2 processes",
            lambda: gt.tokens(frame, segmenter=seg, tables=True, n_jobs=2),
        )
        measure("Segmenter(backend='rjieba').cut_many", lambda: fast.cut_many(texts))
        measure("tokens(), rjieba backend", lambda: gt.tokens(frame, segmenter=fast, tables=True))
        directory = tempfile.mkdtemp(prefix="gd-bench-cache-")
        cache_dirs.append(directory)
        cached = gt.Segmenter(cache=Path(directory) / "tokens.sqlite3").load()
        measure("cut_many, cold cache", lambda s=cached: s.cut_many(texts))
        measure("cut_many, warm cache", lambda s=cached: s.cut_many(texts))
        cached.clear_cache()
        measure("tokens(), cold cache", lambda s=cached: gt.tokens(frame, segmenter=s, tables=True))
        measure("tokens(), warm cache", lambda s=cached: gt.tokens(frame, segmenter=s, tables=True))

    best = {name: min(times) for name, times in runs.items()}
    median = {name: statistics.median(times) for name, times in runs.items()}
    raw = best["raw jieba.lcut"]
    lines = [
        f"{mb:.2f} MB of report text, {len(texts)} texts; best (median) of {args.repeat} runs;"
        f" {os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
        "",
        "| measurement | seconds | MB/s | vs raw jieba | CPU seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in runs:
        used = cpu[name][runs[name].index(best[name])]
        lines.append(
            f"| {name} | {best[name]:.3f} ({median[name]:.3f}) | {mb / best[name]:.2f}"
            f" | {raw / best[name]:.2f}x | {used:.2f} |"
        )
    # Each ratio compares two measurements of the same round (taken seconds apart), and the
    # table gives the median over rounds and the ratio of the best runs: a round in which
    # other work slowed one side shows up in one round only.
    pairs = {
        "pipeline overhead, cut_many vs raw jieba": ("Segmenter.cut_many, 1 process", "raw jieba.lcut"),
        "pipeline overhead, tokens() vs raw jieba": ("tokens(), 1 process", "raw jieba.lcut"),
        "speed-up of 2 processes, cut_many": (
            "Segmenter.cut_many, 1 process",
            "Segmenter.cut_many, 2 processes",
        ),
        "speed-up of 2 processes, tokens()": ("tokens(), 1 process", "tokens(), 2 processes"),
        "rjieba vs jieba, raw": ("raw jieba.lcut", "raw rjieba.cut"),
        "rjieba vs jieba, Segmenter.cut_many": (
            "Segmenter.cut_many, 1 process",
            "Segmenter(backend='rjieba').cut_many",
        ),
        "rjieba vs jieba, tokens()": ("tokens(), 1 process", "tokens(), rjieba backend"),
        "warm vs cold cache, cut_many": ("cut_many, cold cache", "cut_many, warm cache"),
        "warm vs cold cache, tokens()": ("tokens(), cold cache", "tokens(), warm cache"),
    }
    ratios: dict[str, dict[str, float]] = {}
    for name, (slow, quick) in pairs.items():
        per_round = [a / b for a, b in zip(runs[slow], runs[quick], strict=True)]
        shift = -1 if "overhead" in name else 0  # overheads as a fraction above 1
        ratios[name] = {
            "median of rounds": statistics.median(per_round) + shift,
            "best runs": best[slow] / best[quick] + shift,
        }
    lines += ["", "| ratio | median of rounds | best runs |", "|---|---:|---:|"]
    for name, values in ratios.items():
        shown = [f"{v:+.1%}" if "overhead" in name else f"{v:.2f}x" for v in values.values()]
        lines.append(f"| {name} | {shown[0]} | {shown[1]} |")
    sys.stdout.write("\n".join(lines) + "\n")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"mb": mb, "best": best, "median": median, "runs": runs, "cpu": cpu, "ratios": ratios}, indent=2
            ),
            encoding="utf-8",
        )
    for directory in cache_dirs:
        for path in Path(directory).iterdir():
            path.unlink()
        Path(directory).rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
