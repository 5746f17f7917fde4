"""The per-report frames as Arrow IPC: what workers ship and the parse cache stores."""

from __future__ import annotations

import math
import warnings

import pandas as pd

import govdisclosure as gd
from govdisclosure.frames import FRAME_SCHEMAS, from_ipc, join, to_frame, to_ipc


def test_ipc_round_trip_keeps_values_blanks_and_dtypes() -> None:
    cols = {"report_id": ["r1", "r1"], "table": ["requests", "requests"], "row": ["received", "granted"],
            "col": ["natural_person", "total"], "value": [3.0, math.nan], "raw": ["3", "—"],
            "row_label": ["一、本年新收", "（一）予以公开"], "col_label": ["自然人", "总计"]}
    frame = to_frame(join("tables", [from_ipc(to_ipc("tables", cols))] * 2))
    assert list(frame.columns) == list(cols)
    assert frame["value"].tolist()[0] == 3.0 and math.isnan(frame["value"].tolist()[1])
    assert frame["raw"].tolist() == ["3", "—", "3", "—"]
    # Text as pandas' own astype("str") gives it (Arrow-backed from pandas 3, objects before).
    assert frame["row_label"].dtype == pd.Series(["a"]).astype("str").dtype
    assert frame["value"].dtype == "float64"


def test_a_corpus_without_reports_has_every_frame_with_its_columns(tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)
        corpus = gd.read_corpus(tmp_path / "missing.txt", cache=False, progress=False)
    assert len(corpus.failures) == 1
    for name, schema in FRAME_SCHEMAS.items():
        frame = getattr(corpus, name)
        assert frame.empty and list(frame.columns) == schema.names
    assert corpus.tables["value"].dtype == "float64" and corpus.sections["start"].dtype == "int64"
    assert isinstance(corpus.reports, pd.DataFrame) and corpus.reports.empty
