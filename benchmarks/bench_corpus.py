"""Benchmark the corpus engine: reports per second and peak memory, cold and warm cache.

For each corpus size (default 1,000 and 10,000 synthetic reports from ``synth.py``) and each
number of processes (1 and 2), ``read_corpus`` runs twice in a fresh Python process: first with
an empty cache directory (cold), then again on the same cache (warm). Each run reports wall time
and peak resident memory (``ru_maxrss`` of the process and of its worker processes). Then the
median parse time per file format, and jieba's segmentation time for the narrative of the same
reports, to put parsing cost next to the text layer's.

    python benchmarks/bench_corpus.py [--sizes 1000 10000] [--jobs 1 2] [--workdir /tmp/gd-bench]

Results go to ``benchmarks/results/corpus.json`` and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "corpus.json"

_RUN = r"""
import json, resource, sys, time, warnings
import govdisclosure as gd
corpus_dir, cache_dir, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    corpus = gd.read_corpus(corpus_dir, n_jobs=jobs, cache=cache_dir, progress=False)
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "reports": len(corpus.reports), "failures": len(corpus.failures),
                  "cached": corpus.run_info["cached"], "peak_rss_mb": own / 1024,
                  "worker_peak_rss_mb": children / 1024}))
"""


def run_once(corpus_dir: Path, cache_dir: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _RUN, str(corpus_dir), str(cache_dir), str(jobs)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_format_times(corpus_dir: Path, per_format: int = 25) -> dict[str, float]:
    """Median seconds to parse one file, per format (warm interpreter, no cache)."""
    import govdisclosure as gd

    by_format: dict[str, list[Path]] = {}
    for path in sorted(corpus_dir.iterdir()):
        by_format.setdefault(path.suffix.lstrip("."), []).append(path)
    medians = {}
    for fmt, paths in sorted(by_format.items()):
        gd.read_report(paths[0])  # imports and caches outside the timing
        times = []
        for path in paths[1 : per_format + 1]:
            start = time.perf_counter()
            gd.read_report(path)
            times.append(time.perf_counter() - start)
        medians[fmt] = statistics.median(times)
    return medians


def segmentation_seconds(corpus_dir: Path, sample: int = 300) -> dict[str, float]:
    """jieba (default dictionary) over the narrative sections of a sample of the same reports."""
    import warnings

    import jieba

    import govdisclosure as gd

    jieba.setLogLevel(60)
    paths = sorted(corpus_dir.iterdir())[:sample]
    gd.read_corpus(paths[:5], cache=False, progress=False)  # imports outside the timing
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = gd.read_corpus(paths, cache=False, progress=False)
    corpus_parse = time.perf_counter() - start
    texts = corpus.sections["text"].tolist()
    jieba.lcut("预热")
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    seg = time.perf_counter() - start
    return {"reports": len(paths), "parse_seconds": corpus_parse, "jieba_seconds": seg,
            "chars": sum(map(len, texts))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gd-bench"))
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from synth import generate

    results: dict[str, object] = {"machine": {"python": platform.python_version(),
                                              "cpu": platform.processor() or platform.machine(),
                                              "cores": __import__("os").cpu_count()},
                                  "runs": []}
    for n in args.sizes:
        corpus_dir = args.workdir / f"corpus-{n}"
        if not corpus_dir.exists() or len(list(corpus_dir.iterdir())) != n:
            generate(corpus_dir, n, seed=n)
        for jobs in args.jobs:
            cache_dir = args.workdir / f"cache-{n}-{jobs}"
            if cache_dir.exists():
                import shutil

                shutil.rmtree(cache_dir)
            for state in ("cold", "warm"):
                row = {"reports": n, "jobs": jobs, "cache": state, **run_once(corpus_dir, cache_dir, jobs)}
                row["reports_per_second"] = n / row["seconds"]
                results["runs"].append(row)  # type: ignore[union-attr]
                print(json.dumps(row), flush=True)
    smallest = args.workdir / f"corpus-{min(args.sizes)}"
    results["per_format_median_seconds"] = per_format_times(smallest)
    results["segmentation"] = segmentation_seconds(smallest)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(markdown(results))


def markdown(results: dict) -> str:
    lines = ["| reports | processes | cache | seconds | reports/s | peak RSS main (MB) | peak RSS worker (MB) |",
             "|---:|---:|---|---:|---:|---:|---:|"]
    for r in results["runs"]:
        lines.append(f"| {r['reports']:,} | {r['jobs']} | {r['cache']} | {r['seconds']:.1f} | "
                     f"{r['reports_per_second']:.1f} | {r['peak_rss_mb']:.0f} | {r['worker_peak_rss_mb']:.0f} |")
    lines.append("")
    lines.append("| format | median seconds per report |")
    lines.append("|---|---:|")
    for fmt, sec in results["per_format_median_seconds"].items():
        lines.append(f"| {fmt} | {sec:.3f} |")
    seg = results["segmentation"]
    lines.append("")
    lines.append(f"Segmentation of the same {seg['reports']} reports' narrative with jieba: "
                 f"{seg['jieba_seconds']:.1f} s; parsing and validation: {seg['parse_seconds']:.1f} s "
                 f"({100 * seg['parse_seconds'] / seg['jieba_seconds']:.0f} % of segmentation).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
