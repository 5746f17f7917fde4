"""Test-wide settings: every cache (parsed reports, jieba, tokens) goes to the session's temp dir."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Set before any fixture builds a Segmenter or reads a corpus, undone after the session."""
    patch = pytest.MonkeyPatch()
    patch.setenv("GOVDISCLOSURE_CACHE", str(tmp_path_factory.mktemp("gd-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def seg():
    """The shared default Segmenter (jieba with the domain dictionary), loaded once."""
    import govdisclosure.text as gt

    return gt.default_segmenter()
