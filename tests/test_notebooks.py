"""Every notebook runs top to bottom on the bundled samples (outputs are never committed)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# The research notebooks (01–04) also run on the development corpus of real reports when it is
# there; the quickstart walks through the first file of a folder of reports only.
RESEARCH = [p for p in NOTEBOOKS if not p.name.startswith("00-")]


def _execute(path: Path, tmp_path: Path, corpus: Path | None = None) -> None:
    nb = nbformat.read(path, as_version=4)
    assert 'CORPUS = "../data/samples"' in nb.cells[1].source, "the second cell must be the parameters"
    nb.cells[1].source = nb.cells[1].source.replace("../out/", f"{tmp_path.as_posix()}/")
    if corpus is not None:
        nb.cells[1].source = nb.cells[1].source.replace('"../data/samples"', repr(corpus.as_posix()))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    # Every notebook saves what it makes under its OUT directory.
    assert any(p.is_file() for p in tmp_path.rglob("*")), f"{path.name} wrote nothing under OUT"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    _execute(path, tmp_path)


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/corpus (development corpus) is not here")
@pytest.mark.parametrize("path", RESEARCH, ids=[p.stem for p in RESEARCH])
def test_notebook_runs_on_the_development_corpus(path: Path, tmp_path: Path) -> None:
    _execute(path, tmp_path, SHARED_CORPUS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert all(not cell.get("outputs") for cell in nb["cells"] if cell["cell_type"] == "code")
