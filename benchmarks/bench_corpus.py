"""Benchmark the corpus engine: reports per second and peak memory, cold and warm cache.

For each corpus size (default 1,000 and 10,000 synthetic reports from ``synth.py``) and each
number of processes (1 and 2), ``read_corpus`` runs twice in a fresh Python process: first with
an empty cache directory (cold), then again on the same cache (warm). Each run reports wall time
and peak resident memory (``ru_maxrss`` of the process and of its worker processes); then
``gd.write_parquet`` streams the same corpus to Parquet (no cache) to show its memory. Then the
median parse time per file format, and the time of each stage — reading the file, parsing and
validating it, and jieba's segmentation of the same reports' text — on 300 synthetic reports
and on the development corpus (``../shared/corpus``) when present, medians of 3 and 15 rounds;
parsing's share of jieba's time is also taken within each round (median, lowest, highest).
``--stages-only`` times the stages again and keeps the corpus runs of the last results.

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


def settle_allocator() -> float:
    """Have glibc merge the small blocks C libraries freed so far, now; the seconds it took.

    libxml2 (under lxml) and pdfium allocate with ``malloc`` directly, and glibc
    keeps their freed small blocks (up to 128 bytes, its "fastbins") unmerged until the next
    request of 1 KB or more, which first merges them all (``malloc_consolidate``, ~18 k blocks
    and as many cache misses after one HTML page of the development corpus). Measured as the
    first such request after reading one file: 0.7 ms after each of the development corpus's
    HTML pages, 1.1–1.9 ms after template_2021_blank.docx while the DOCX reader used
    python-docx (whose reference cycles kept the tree until this collection), 0.03 ms after its
    text files and PDFs. The
    parse's first long string or array is such a request, so a parse timed right after the
    reading stage paid for the reader's memory; that was the whole gap between a round's first
    parse and a second one (+1.2 ms of ~9 ms, all of it in the first report's first
    ``normalize_chars``). A 4 KB ``bytearray`` is such a request (elsewhere than glibc, a no-op).
    """
    start = time.perf_counter()
    bytearray(4096)
    return time.perf_counter() - start


def stage_seconds(paths: list[Path]) -> dict[str, float]:
    """Seconds spent per stage on ``paths``, against jieba's segmentation of the same reports.

    ``reading`` turns the file's bytes into text and grids (decoding, HTML/DOCX/PDF extraction)
    and hashes them (the SHA-256 that is the report's id and cache key: identity, not parsing;
    ~0.2 ms for a 300 KB PDF); ``parsing`` is everything after it that the corpus engine does per report — sections, the
    three tables, the arithmetic checks, metadata, its rows; ``shipping`` turns the rows into the
    Arrow bytes a worker sends back and the cache stores; ``segmentation`` is
    ``jieba.lcut`` (default dictionary) over the report's section texts. Each stage runs over
    all the reports in its own loop, as a corpus run and then the text layer do. The read
    sources, which only this benchmark holds (a worker holds one report at a time), are frozen
    out of the garbage collector's view before parsing, and the parse keeps only what a worker
    keeps (the rows): otherwise every full collection walks all the reports held so far (up to
    0.4 ms a report in this loop); and the small blocks the readers' C libraries freed are
    merged then too (:func:`settle_allocator`, its time reported as ``settling``), so that the
    parse does not pay for them either. ``parsing_interleaved`` times the parse again the way a
    worker meets it, read → parse → ship report by report, where each stage evicts the
    others' caches and the parse pays for the blocks its reader freed. The parser's memos
    (label matches, cell readings …) are emptied before each of the two parse loops, so that
    the reports meet them as a corpus run's first reports do: sharing what they print alike,
    nothing from an earlier loop.
    """
    import gc
    import warnings

    import jieba
    from bench_accuracy import forget_memos

    from govdisclosure.frames import to_ipc
    from govdisclosure.readers import format_of, read_source
    from govdisclosure.report import parse_source, report_id_of

    jieba.setLogLevel(60)
    jieba.lcut("预热")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = [(str(path), path.read_bytes()) for path in paths]
        start = time.perf_counter()
        sources = []
        for name, data in files:
            try:
                sources.append((name, report_id_of(data), read_source(data, format_of(name), name=name)))
            except Exception:  # a file the corpus run lists as a failure: not a report to time
                continue
        reading = time.perf_counter() - start
        forget_memos()
        gc.collect()
        settling = settle_allocator()
        gc.freeze()
        try:
            start = time.perf_counter()
            rows = []
            for name, report_id, source in sources:
                try:
                    report = parse_source(source, report_id, name)
                except Exception:  # idem
                    continue
                rows.append(report.column_lists())
            parsing = time.perf_counter() - start
        finally:
            gc.unfreeze()
        start = time.perf_counter()
        for frames in rows:
            for frame, cols in frames.items():
                to_ipc(frame, cols)  # the bytes a worker ships back
        shipping = time.perf_counter() - start
        interleaved = 0.0
        forget_memos()
        for name, data in files:
            try:
                source = read_source(data, format_of(name), name=name)
                report_id = report_id_of(data)
                start = time.perf_counter()
                report = parse_source(source, report_id, name)
                cols = report.column_lists()
                interleaved += time.perf_counter() - start
            except Exception:  # idem
                continue
            for frame, columns in cols.items():
                to_ipc(frame, columns)
    texts = [text for frames in rows for text in frames["sections"]["text"]]
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    segmentation = time.perf_counter() - start
    return {"reports": len(rows), "reading": reading * len(rows) / max(len(sources), 1),
            "parsing": parsing, "settling": settling, "parsing_interleaved": interleaved, "shipping": shipping,
            "segmentation": segmentation, "chars": sum(map(len, texts))}


def median_stages(paths: list[Path], rounds: int) -> dict[str, float]:
    """Each stage's median over ``rounds`` runs of :func:`stage_seconds` (this VM's timings vary
    by ±20 % from one minute to the next), and parsing's share of jieba's time per round: its
    median, lowest and highest.

    The share is taken within each round, where parsing and segmentation run seconds apart on
    the same machine state; the ratio of two medians pairs times from different minutes.
    """
    runs = [stage_seconds(paths) for _ in range(rounds)]
    out = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    shares = [run["parsing"] / run["segmentation"] for run in runs]
    out.update(parsing_share=statistics.median(shares), parsing_share_min=min(shares),
               parsing_share_max=max(shares), rounds=rounds)
    return out


def stages_by_format(corpus_dir: Path, sample: int = 300, rounds: int = 3) -> dict[str, dict[str, float]]:
    paths = sorted(corpus_dir.iterdir())[:sample]
    stage_seconds(paths[:5])  # imports outside the timing
    out = {"all": median_stages(paths, rounds)}
    for fmt in sorted({p.suffix for p in paths}):
        out[fmt.lstrip(".")] = median_stages([p for p in paths if p.suffix == fmt], rounds)
    return out


_STREAM = r"""
import json, resource, sys, time, warnings
import govdisclosure as gd
corpus_dir, out_dir, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    gd.write_parquet(corpus_dir, out_dir, n_jobs=jobs, cache=False, progress=False)
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_rss_mb": own / 1024, "worker_peak_rss_mb": children / 1024}))
"""


def stream_once(corpus_dir: Path, out_dir: Path, jobs: int) -> dict[str, float]:
    """``gd.write_parquet`` (no cache) in a fresh process: its wall time and peak memory."""
    out = subprocess.run([sys.executable, "-c", _STREAM, str(corpus_dir), str(out_dir), str(jobs)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gd-bench"))
    parser.add_argument("--real", type=Path, default=HERE.parent.parent / "shared" / "corpus",
                        help="the development corpus, timed stage by stage too when present")
    parser.add_argument("--stages-only", action="store_true",
                        help="time the stages again and keep the corpus runs of the last results")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from synth import generate

    results: dict[str, object] = {"machine": {"python": platform.python_version(),
                                              "cpu": platform.processor() or platform.machine(),
                                              "cores": __import__("os").cpu_count()},
                                  "runs": []}
    if args.stages_only:
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        results.update({key: previous[key] for key in ("runs", "streamed")})
        args.sizes = [min(run["reports"] for run in previous["runs"])]
    for n in [] if args.stages_only else args.sizes:
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
        for jobs in args.jobs:
            row = {"reports": n, "jobs": jobs, **stream_once(corpus_dir, args.workdir / f"parquet-{n}-{jobs}", jobs)}
            results.setdefault("streamed", []).append(row)  # type: ignore[union-attr]
            print(json.dumps(row), flush=True)
    smallest = args.workdir / f"corpus-{min(args.sizes)}"
    results["per_format_median_seconds"] = per_format_times(smallest)
    results["stages"] = stages_by_format(smallest)
    if args.real.exists():
        real = sorted(p for p in args.real.iterdir() if p.suffix in {".txt", ".md", ".html", ".pdf", ".docx"})
        stage_seconds(real)  # one-time set-up of every code path (regexes, package data) outside the timing
        # A round of the 15 reports times ~10 ms of parsing: 15 rounds, so that one slow
        # minute of this VM moves the median little.
        results["stages_real_corpus"] = median_stages(real, 15)
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
    lines.append("")
    lines.append("| streamed to Parquet: reports | processes | seconds | peak RSS main (MB) | peak RSS worker (MB) |")
    lines.append("|---:|---:|---:|---:|---:|")
    for r in results.get("streamed", []):
        lines.append(f"| {r['reports']:,} | {r['jobs']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
                     f"{r['worker_peak_rss_mb']:.0f} |")
    lines.append("")
    lines.append("| reports | n | reading ms/report | parsing ms/report | parsing interleaved | shipping ms/report | "
                 "jieba ms/report | parsing / jieba | per round: median (lowest–highest) | interleaved / jieba | "
                 "parsing + shipping / jieba |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    stages = {f"synthetic {k}": v for k, v in results["stages"].items()}
    if "stages_real_corpus" in results:
        stages["development corpus"] = results["stages_real_corpus"]
    for name, st in stages.items():
        n, seg = st["reports"], st["segmentation"]
        lines.append(f"| {name} | {n} | {1000 * st['reading'] / n:.2f} | {1000 * st['parsing'] / n:.2f} | "
                     f"{1000 * st['parsing_interleaved'] / n:.2f} | {1000 * st['shipping'] / n:.2f} | "
                     f"{1000 * seg / n:.2f} | {100 * st['parsing'] / seg:.1f} % | {_share(st)} | "
                     f"{100 * st['parsing_interleaved'] / seg:.1f} % | "
                     f"{100 * (st['parsing'] + st['shipping']) / seg:.1f} % |")
    return "\n".join(lines)


def _share(stages: dict) -> str:
    """Parsing's per-round share of jieba's time (results written before it was kept: blank)."""
    if "parsing_share" not in stages:
        return ""
    return (f"{100 * stages['parsing_share']:.1f} % ({100 * stages['parsing_share_min']:.1f}–"
            f"{100 * stages['parsing_share_max']:.1f}, {stages['rounds']} rounds)")


if __name__ == "__main__":
    main()
