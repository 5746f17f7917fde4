"""The per-report frames as Arrow: their schemas, rows → Arrow IPC bytes, Arrow → DataFrame.

A parsed report travels from a worker to the main process, and into the parse cache, as three
small Arrow IPC streams (sections, tables, issues) rather than as Python lists: the main process
then never converts a value one by one. Converting the ~16 million values of 10,000 reports
from lists took ~2 s of a warm run's ~3 s; reading IPC streams and joining them is a memory copy.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pyarrow as pa

from govdisclosure.issues import ISSUE_COLUMNS
from govdisclosure.sections import SECTION_COLUMNS
from govdisclosure.tables import TABLE_COLUMNS

__all__ = ["FRAME_SCHEMAS", "from_ipc", "join", "table_ipc", "to_frame", "to_ipc"]

# Every other column is text (pandas' ``str``, Arrow ``large_string``).
_NUMERIC = {"order": pa.int64(), "start": pa.int64(), "end": pa.int64(), "value": pa.float64()}


def _schema(columns: list[str]) -> pa.Schema:
    return pa.schema([(col, _NUMERIC.get(col, pa.large_string())) for col in columns])


FRAME_SCHEMAS: dict[str, pa.Schema] = {
    "sections": _schema(["report_id", *SECTION_COLUMNS]),
    "tables": _schema(["report_id", *TABLE_COLUMNS]),
    "issues": _schema(ISSUE_COLUMNS),
}


def to_ipc(name: str, columns: dict[str, list[object]]) -> bytes:
    """One frame's column lists (``Report.column_lists``) → an Arrow IPC stream."""
    schema = FRAME_SCHEMAS[name]
    batch = pa.record_batch([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)
    return table_ipc(pa.Table.from_batches([batch])).to_pybytes()


def table_ipc(table: pa.Table) -> pa.Buffer:
    """A table as an Arrow IPC stream in memory, for :func:`from_ipc`."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def from_ipc(data: bytes) -> pa.Table:
    """An IPC stream written by :func:`to_ipc` → its table (no copy of the values)."""
    return pa.ipc.open_stream(data).read_all()


def join(name: str, tables: list[pa.Table]) -> pa.Table:
    """Many reports' tables of one frame → one table in contiguous memory (empty: the schema)."""
    if not tables:
        return FRAME_SCHEMAS[name].empty_table()
    return pa.concat_tables(tables).combine_chunks()


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame with the contract's dtypes (pandas' ``str`` for text).

    Text columns keep their Arrow buffers (no copy).
    """
    return table.to_pandas(types_mapper=_pandas_type)


def _pandas_type(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """Arrow text → pandas' default ``str`` dtype (what ``astype("str")`` gives); others as usual."""
    return _text_dtype() if arrow_type == pa.large_string() else None


@cache
def _text_dtype() -> pd.api.extensions.ExtensionDtype | None:
    """pandas' ``str`` dtype: Arrow-backed from pandas 3; plain objects before (then None, which
    is what ``to_pandas`` gives text by default)."""
    dtype = pd.Series([], dtype="str").dtype
    return dtype if isinstance(dtype, pd.api.extensions.ExtensionDtype) else None
