"""Many reports → one :class:`Corpus` of DataFrames; every input path ends up parsed or failed."""

from __future__ import annotations

import glob
import html
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa

from govdisclosure.cache import default_cache_dir
from govdisclosure.codebook import read_package_csv
from govdisclosure.engine import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, Batch, Options
from govdisclosure.engine import run as engine_run
from govdisclosure.frames import FRAME_SCHEMAS, join, to_frame
from govdisclosure.report import reports_frame

FAILURE_COLUMNS = ["source_path", "error", "message"]


class GovDisclosureWarning(UserWarning):
    """The one summary warning a corpus run emits when files could not be read."""


@dataclass(frozen=True, repr=False, eq=False)
class Corpus:
    """The DataFrames of many reports (DESIGN.md §4). Build it with :func:`read_corpus`."""

    reports: pd.DataFrame
    sections: pd.DataFrame
    tables: pd.DataFrame
    issues: pd.DataFrame
    failures: pd.DataFrame
    run_info: dict[str, object] = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return len(self.reports)

    def __repr__(self) -> str:
        errors = int((self.issues["severity"] == "error").sum())
        return (
            f"<Corpus reports={len(self.reports)} failures={len(self.failures)} "
            f"cells={len(self.tables)} issues={len(self.issues)} errors={errors}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        banner = ""
        if len(self.failures):
            banner = (f'<div style="background:#f8d7da;padding:4px 8px">{len(self.failures)} '
                      f"files could not be read: "
                      + esc(", ".join(Path(p).name for p in self.failures["source_path"].head(5)))
                      + "</div>")
        shown = self.reports[["agency", "year", "template", "level", "n_issues"]].head(20)
        return (f"<div><b>Corpus</b>: {len(self.reports)} reports, {len(self.issues)} issues"
                f"{banner}{shown.to_html(escape=True)}</div>")

    def frames(self) -> dict[str, pd.DataFrame]:
        """The five frames by name, in the contract's order."""
        return {name: getattr(self, name) for name in FRAMES}

    def equals(self, other: Corpus) -> bool:
        """True when every frame has the same columns, dtypes and values."""
        return all(self.frames()[n].equals(other.frames()[n]) for n in FRAMES)

    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write each frame as ``<name>.csv`` in UTF-8 with BOM, so Excel on Chinese Windows opens it."""
        return self._write_each(directory, "csv",
                                lambda frame, path: frame.to_csv(path, index=False, encoding="utf-8-sig"))

    def to_parquet(self, directory: str | Path) -> list[Path]:
        """Write each frame as ``<name>.parquet``; :func:`read_parquet` reads them back equal."""
        return self._write_each(directory, "parquet", lambda frame, path: frame.to_parquet(path, index=False))

    def _write_each(self, directory: str | Path, suffix: str,
                    write: Callable[[pd.DataFrame, Path], object]) -> list[Path]:
        """Write every frame as ``<name>.<suffix>`` under ``directory``; the paths written."""
        out = _mkdir(directory)
        paths = [out / f"{name}.{suffix}" for name in FRAMES]
        for frame, path in zip(self.frames().values(), paths, strict=True):
            write(frame, path)
        return paths

    def to_excel(self, path: str | Path, *, labels: Literal["zh", "code"] = "zh") -> Path:
        """Write one workbook, one sheet per frame, with Chinese column headers by default.

        Excel holds at most 32,767 characters in a cell; longer section texts are cut there and
        end with "…（截断）". Use Parquet or CSV for the full texts.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        names = _column_labels() if labels == "zh" else {}
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in self.frames().items():
                sheet = frame.copy()
                for col in sheet.columns:
                    if sheet[col].dtype == object or pd.api.types.is_string_dtype(sheet[col]):
                        sheet[col] = sheet[col].map(_excel_text)
                sheet = sheet.rename(columns={c: names.get((name, c), c) for c in sheet.columns})
                sheet.to_excel(writer, sheet_name=name, index=False)
                writer.sheets[name].freeze_panes = "A2"
        return path

    def to_stata(self, directory: str | Path) -> list[Path]:
        """Write each frame as ``<name>.dta`` (Stata 14+ format: Unicode, long strings as strL)."""
        return self._write_each(directory, "dta", _write_stata)


def _write_stata(frame: pd.DataFrame, path: Path) -> None:
    # "end" is a Stata keyword; renamed here rather than by pandas with a warning.
    data = frame.rename(columns=_STATA_NAMES)
    for col in data.columns:
        if pd.api.types.is_string_dtype(data[col]) or data[col].dtype == object:
            data[col] = data[col].fillna("").astype(object)
        elif str(data[col].dtype) in ("Int64", "Int32"):
            data[col] = data[col].astype("float64")  # Stata's missing number is a float
    # Stata's str# holds 2045 bytes; longer texts (sections) must be strL.
    strl = [c for c in data.columns if data[c].dtype == object and len(data)
            and data[c].map(lambda v: len(str(v).encode())).max() > 2045]
    data.to_stata(path, write_index=False, version=118, convert_strl=strl)


FRAMES = ("reports", "sections", "tables", "issues", "failures")
_STATA_NAMES = {"end": "end_"}
_EXCEL_MAX = 32767


def _mkdir(directory: str | Path) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _excel_text(value: object) -> object:
    if isinstance(value, str) and len(value) > _EXCEL_MAX:
        return value[: _EXCEL_MAX - 6] + "…（截断）"
    return value


def _column_labels() -> dict[tuple[str, str], str]:
    table = read_package_csv("columns.csv")
    return {(r.frame, r.column): r.label_zh for r in table.itertuples()}


def read_parquet(directory: str | Path) -> Corpus:
    """Read a corpus written by :meth:`Corpus.to_parquet`."""
    root = Path(directory)
    missing = [n for n in FRAMES if not (root / f"{n}.parquet").exists()]
    if missing:
        raise FileNotFoundError(f"{root}: no {', '.join(n + '.parquet' for n in missing)}; "
                                "write the corpus with Corpus.to_parquet(directory) first")
    return Corpus(**{n: pd.read_parquet(root / f"{n}.parquet") for n in FRAMES})


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[str]:
    """A directory (all files below it, sorted), a glob pattern, a file, or a list of those."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[str] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            out += sorted(_files_below(str(path)))
        elif any(ch in str(item) for ch in "*?["):
            out += sorted(glob.glob(str(item), recursive=True))
        else:
            out.append(str(item))
    return out


def _files_below(root: str) -> list[str]:
    """Every file below ``root`` (symbolic links to files too) outside hidden directories.

    One ``scandir`` per directory, whose entries know their type, without descending into
    hidden or symbolically linked directories (as ``Path.rglob`` would not): a ``Path`` per file
    cost a warm 10,000-report run 0.2 s before any work started. A directory that cannot be
    listed is returned itself, so that the run lists it among its failures (``rglob`` left it
    out silently: its reports would have been missing without a word).
    """
    found: list[str] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            found.append(folder)  # a failure of the run, with the reason (engine.parse_path)
            continue
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file():
                    found.append(entry.path)
    return found


def read_corpus(
    paths: str | Path | Iterable[str | Path],
    *,
    n_jobs: int = 1,
    progress: bool | None = None,
    cache: bool | str | Path = True,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backend: Literal["processes", "dask"] = "processes",
    client: object | None = None,
) -> Corpus:
    """Read many reports.

    Args:
        paths: A directory (every file below it, hidden ones excepted), a glob pattern, a file,
            or a list of those.
        n_jobs: Worker processes; 1 parses in this process, -1 uses every core.
        progress: Show a progress bar; by default only when stderr is a terminal.
        cache: Keep parsed reports on disk so that a re-run parses only new or changed files:
            True for the per-user cache directory (``$GOVDISCLOSURE_CACHE`` or
            ``~/.cache/govdisclosure``), a directory, or False for none. A file whose size,
            modification and status-change times and inode are those it had when last read is
            not even read again; ``cache=False``, or clearing the cache
            (``govdisclosure.cache.ReportCache(directory).clear()``), reads every file.
        time_limit: Seconds one file may take before it is stopped and listed as a failure.
        max_bytes: Files larger than this are refused unread and listed as failures.
        backend: ``"processes"`` (local pool of ``n_jobs``) or ``"dask"`` (extra
            ``govdisclosure[dask]``), for corpora beyond one machine.
        client: With ``backend="dask"``, the ``dask.distributed.Client`` to run on.

    Returns:
        A Corpus whose ``reports`` and ``failures`` together hold every input path once.
        A file that cannot be read lands in ``failures`` with its reason; when any did, one
        :class:`GovDisclosureWarning` sums them up.
    """
    run = _Run(paths, n_jobs, progress, cache, time_limit, max_bytes, backend, client)
    frames = _FrameBuilder()
    run.consume(frames)
    corpus = Corpus(**frames.finish(), failures=run.failures_frame(), run_info=run.info())
    run.warn_failures()
    return corpus


def write_parquet(
    paths: str | Path | Iterable[str | Path],
    directory: str | Path,
    *,
    n_jobs: int = 1,
    progress: bool | None = None,
    cache: bool | str | Path = True,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backend: Literal["processes", "dask"] = "processes",
    client: object | None = None,
) -> list[Path]:
    """Read many reports straight into Parquet files, holding only one batch in memory.

    For corpora too large for one in-memory :class:`Corpus` (a national year is ~150,000
    reports; 10,000 already take ~0.8 GB as DataFrames): every 500 reports are written as a row
    group of ``<frame>.parquet`` and dropped, so memory stays flat in the number of reports.
    :func:`read_parquet` reads the directory back as the Corpus :func:`read_corpus` returns;
    pyarrow, DuckDB or Polars can also query the files without loading them whole.
    The arguments are those of :func:`read_corpus`, plus the output ``directory``.

    Returns:
        The five files written, in the contract's frame order. Each is written under a
        temporary name and renamed when complete, so an interrupted run leaves no file that
        looks finished.
    """
    run = _Run(paths, n_jobs, progress, cache, time_limit, max_bytes, backend, client)
    out = _mkdir(directory)
    with _ParquetSink(out) as sink:
        frames = _FrameBuilder(sink=sink.write)
        run.consume(frames)
        frames.finish()
        sink.write({"failures": pa.Table.from_pandas(run.failures_frame(), preserve_index=False)})
        written = sink.commit()
    run.warn_failures()
    return written


class _Run:
    """One corpus run: the paths, the engine's outcomes with progress, and the failures."""

    def __init__(self, paths: str | Path | Iterable[str | Path], n_jobs: int, progress: bool | None,
                 cache: bool | str | Path, time_limit: float | None, max_bytes: int, backend: str,
                 client: object | None) -> None:
        self.files = expand_paths(paths)
        self.jobs = (os.cpu_count() or 1) if n_jobs == -1 else max(1, n_jobs)
        cache_dir = None
        if cache:
            cache_dir = str(default_cache_dir() if cache is True else Path(cache))
        options = Options(cache_dir=cache_dir, max_bytes=max_bytes, time_limit=time_limit)
        self.batches: Iterable[Batch] = engine_run(self.files, options, n_jobs=self.jobs,
                                                   backend=backend, client=client)
        self.progress = progress if progress is not None else sys.stderr.isatty()
        self.failures: list[tuple[str, str, str]] = []
        self.cached = 0

    def consume(self, frames: _FrameBuilder) -> None:
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(self.files), desc="reading reports", unit="report")
        try:
            for batch in self.batches:
                metas = []
                for outcome in batch.outcomes:
                    if outcome.entry is None:
                        self.failures.append((outcome.path, outcome.error, outcome.message))
                        continue
                    self.cached += outcome.cached
                    metas.append(outcome.entry["meta"])
                if metas:
                    frames.add(metas, batch.tables())
                if bar is not None:
                    bar.update(len(batch.outcomes))
        finally:
            if bar is not None:
                bar.close()

    def failures_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.failures, columns=FAILURE_COLUMNS)

    def info(self) -> dict[str, object]:
        return {"files": len(self.files), "cached": self.cached, "n_jobs": self.jobs}

    def warn_failures(self) -> None:
        if self.failures:
            first = self.failures[0]
            warnings.warn(
                f"{len(self.failures)} of {len(self.files)} files could not be read; see "
                f"Corpus.failures (first: {first[0]}: {first[2]})",
                GovDisclosureWarning,
                stacklevel=3,
            )


_BATCH = 500


class _FrameBuilder:
    """Gathers reports' Arrow tables and joins them a batch at a time.

    Every ``batch`` reports, each frame's small per-report tables are joined into one table in
    contiguous memory (thousands of tiny chunks make every later operation slow); tables that
    a worker joined already for at least a quarter of a batch are a batch of their own, not
    copied again. The batches are kept as chunks, which become DataFrames once at the end
    without copying their text (a pandas concatenation copied all ~0.8 GB of a 10,000-report
    corpus once more, and fresh memory is slow to get); or, with a ``sink``, they are handed to
    it (written to disk) and not kept at all.
    """

    def __init__(self, batch: int | None = None,
                 sink: Callable[[dict[str, pa.Table]], None] | None = None) -> None:
        self.batch = batch or _BATCH
        self.sink = sink
        self.flushed = 0
        self.chunks: dict[str, list[pa.Table]] = {name: [] for name in ("reports", *FRAME_SCHEMAS)}
        self._reset()

    def _reset(self) -> None:
        self.metas: list[dict[str, object]] = []
        self.pending: dict[str, list[pa.Table]] = {name: [] for name in FRAME_SCHEMAS}

    def add(self, metas: list[dict[str, object]], tables: dict[str, pa.Table]) -> None:
        """Reports' metadata, and one table per frame with their rows (an engine batch)."""
        if len(metas) > 1 and 4 * len(metas) >= self.batch:  # joined by a worker, and large
            if self.metas:
                self._flush()
            self._emit(metas, tables)
            return
        self.metas += metas
        for name, table in tables.items():
            self.pending[name].append(table)
        if len(self.metas) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        metas, pending = self.metas, self.pending
        self._reset()
        self._emit(metas, {name: join(name, tables) for name, tables in pending.items()})

    def _emit(self, metas: list[dict[str, object]], tables: dict[str, pa.Table]) -> None:
        built = {"reports": pa.Table.from_pandas(reports_frame(metas), preserve_index=False), **tables}
        self.flushed += 1
        if self.sink is not None:
            self.sink(built)
            return
        for name, table in built.items():
            self.chunks[name].append(table)

    def finish(self) -> dict[str, pd.DataFrame]:
        """The whole frames (empty ones when no report was read); with a sink, write the rest."""
        if self.metas or not self.flushed:
            self._flush()
        # Promotion: a batch whose metadata column is all missing has Arrow's null type there.
        return {name: to_frame(pa.concat_tables(chunks, promote_options="default"))
                for name, chunks in self.chunks.items() if chunks}


class _ParquetSink:
    """Appends frames batch by batch to ``<name>.parquet`` files (one row group a batch)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.writers: dict[str, object] = {}

    def __enter__(self) -> _ParquetSink:
        return self

    def _temporary(self, name: str) -> Path:
        return self.directory / f".{name}.parquet.part"

    def write(self, tables: dict[str, pa.Table]) -> None:
        import pyarrow.parquet as pq

        for name, table in tables.items():
            writer = self.writers.get(name)
            if writer is None:
                writer = self.writers[name] = pq.ParquetWriter(self._temporary(name), table.schema)
            else:
                # A batch whose column is all missing can infer another type; the first batch's
                # schema (with pandas' dtype metadata) is the file's.
                table = table.cast(writer.schema)  # type: ignore[attr-defined]
            writer.write_table(table)  # type: ignore[attr-defined]

    def commit(self) -> list[Path]:
        """Close every file and give it its final name."""
        written = []
        for name in FRAMES:
            self.writers.pop(name).close()  # type: ignore[attr-defined]
            final = self.directory / f"{name}.parquet"
            os.replace(self._temporary(name), final)
            written.append(final)
        return written

    def __exit__(self, *exc: object) -> None:
        # Left open only when the run failed: close and remove the partial files.
        for name, writer in self.writers.items():
            writer.close()  # type: ignore[attr-defined]
            self._temporary(name).unlink(missing_ok=True)
