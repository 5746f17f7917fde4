"""Test-wide settings: the parse cache goes to a temporary directory, never the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch) -> None:
    monkeypatch.setenv("GOVDISCLOSURE_CACHE", str(tmp_path_factory.mktemp("cache")))
