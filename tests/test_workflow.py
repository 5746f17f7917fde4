"""The main job: one call writes every frame (CSV + Parquet), every figure (PNG + SVG) and one
self-contained, escaped HTML page."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import govdisclosure as gd
from govdisclosure.workflow import FIGURES, analyze

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
HOSTILE_AGENCY = "郟县<b>白庙</b>&乡人民政府"
AGENCY_READ = "郏县<b>白庙</b>&乡人民政府"  # the reader writes the traditional 郟 as 郏


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """The two seeds, one of them with markup in its agency name, and a file that is no report."""
    src = tmp_path_factory.mktemp("reports")
    seed = (SAMPLES / "000_dc9580d96d94ba76.txt").read_text(encoding="utf-8")
    assert "郟县白庙乡人民政府 2024" in seed
    (src / "000.txt").write_text(seed.replace("郟县白庙乡人民政府 2024", f"{HOSTILE_AGENCY} 2024"), encoding="utf-8")
    shutil.copy(SAMPLES / "002_090d11a260a4ff7f.txt", src / "002.txt")
    (src / "<img src=x onerror=alert(1)>.csv").write_text("a,b\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gd.GovDisclosureWarning)  # the failure is the point here
        result = analyze(src, out, cache=False, progress=False)
    result["out"] = out
    return result


def test_every_frame_is_written_as_csv_and_parquet(run) -> None:
    data = run["out"] / "data"
    assert {"reports", "sections", "tables", "issues", "failures", "findings", "channels", "channel_matrix",
            "problems", "recurring_problems", "commitments", "commitment_links",
            "follow_through", "similar_texts", "request_outcomes", "appeal_outcomes"} <= set(run["frames"])
    for name, frame in run["frames"].items():
        csv, parquet = data / f"{name}.csv", data / f"{name}.parquet"
        assert csv in run["files"] and parquet in run["files"]
        assert csv.read_bytes().startswith(b"\xef\xbb\xbf"), f"{name}.csv has no BOM"
        assert len(pd.read_csv(csv, encoding="utf-8-sig")) == len(frame)
        assert len(pd.read_parquet(parquet)) == len(frame)
    reports = pd.read_parquet(data / "reports.parquet")
    assert AGENCY_READ in set(reports["agency"])


def test_every_figure_is_written_as_png_and_svg(run) -> None:
    always = {spec.name for spec in FIGURES} - {"requests_volumes_by_year", "channels_adoption_by_year"}
    assert always <= set(run["figures"])
    for paths in run["figures"].values():
        assert paths["png"].read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in paths["svg"].read_bytes()[:2000]


def test_html_page_is_self_contained_and_escaped(run) -> None:
    page = run["html"].read_text(encoding="utf-8")
    assert run["html"] == run["out"] / "index.html"
    # Every figure is embedded, none is fetched.
    images = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert len(images) == len(run["figures"])
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'<(script|link|iframe)\b', page)
    # Untrusted text from the files is escaped wherever it appears.
    assert "郏县&lt;b&gt;白庙&lt;/b&gt;&amp;乡人民政府 2024" in page
    assert "<b>白庙</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert "<img src=x" not in page
    # Key numbers, the data-quality table and the failures are there.
    assert "读入报告" in page and "<b>2 份</b>" in page
    assert "各报告的数据质量" in page and "襄城区欧庙镇人民政府 2024" in page
    assert "未能读入的文件" in page and "UnsupportedFormatError" in page


def test_analyses_are_written_and_read_back(run) -> None:
    data = run["out"] / "data"
    mentions = pd.read_parquet(data / "channels.parquet")
    seed = mentions[mentions["channel"] == "wechat_channels"]
    assert 54 in set(seed["count"])  # 视频号全年共制作发表视频 54 个
    matrix = pd.read_csv(data / "channel_matrix.csv", encoding="utf-8-sig")
    assert set(matrix["report_id"]) == set(run["corpus"].reports["report_id"])
    assert len(pd.read_parquet(data / "problems.parquet")) == 6  # three enumerated items in each seed
    page = run["html"].read_text(encoding="utf-8")
    assert "公开渠道" in page and "问题与改进" in page


def test_result_describes_the_run(run) -> None:
    numbers = run["numbers"]
    assert numbers["reports"] == 2 and numbers["failures"] == 1
    assert numbers["requests_received"] == 0 and pd.isna(numbers["granted_share"])
    assert numbers["problems"] == 6 and numbers["channels"] >= 10
    assert len(run["corpus"].reports) == 2
    assert all(p.exists() for p in run["files"])


def test_nested_cells_are_written_as_json(tmp_path) -> None:
    from govdisclosure.workflow import _write_frames

    groups = pd.DataFrame({"group": [0], "members": [[("r1", 1), ("r2", 3)]]})
    _write_frames({"recurring_problems": groups}, tmp_path)
    back = pd.read_parquet(tmp_path / "recurring_problems.parquet")
    assert back["members"].tolist() == ['[["r1", 1], ["r2", 3]]']
    assert isinstance(groups["members"].iloc[0], list)  # the caller's frame is left as it was
