"""On-disk cache of parsed reports, keyed by the file's bytes, the library version and its data.

A re-run over a corpus only parses files that are new or changed: the key is the SHA-256 of the
file's bytes, its format, govdisclosure's version and a fingerprint of the package data (the
codebook, the rules …), so editing a rule in a CSV invalidates the cache as a new release would.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["ReportCache", "default_cache_dir"]
logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """The per-user cache directory: ``$GOVDISCLOSURE_CACHE``, else ``$XDG_CACHE_HOME/govdisclosure``
    or ``~/.cache/govdisclosure`` (never the shared temp dir, which other users can write)."""
    explicit = os.environ.get("GOVDISCLOSURE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govdisclosure"


# The parse stages: the package's top-level modules and its readers. Sub-packages of later
# stages (text, analysis, audit, plot) and their data do not change a parse, nor do the
# top-level modules that only consume parsed reports (a new module counts until listed here).
_PARSE_FOLDERS = ("data", ".", "readers")
_NOT_PARSE = frozenset({"corpus.py", "cli.py", "workflow.py", "__main__.py"})


@cache
def data_fingerprint() -> str:
    """A hash of what a parse depends on besides the version: parse data and parse code.

    The files directly in ``data/`` (codebook, rules …) and the modules of the parse stages, so
    that an edit in an editable install invalidates parsed reports as a release would (a stale
    entry once kept the corpus README parsed as a report after the rule that refuses it landed).
    """
    digest = hashlib.sha256()
    package = resources.files("govdisclosure")
    for folder in _PARSE_FOLDERS:
        root = package if folder == "." else package.joinpath(folder)
        if not root.is_dir():
            continue
        files = (p for p in root.iterdir()
                 if p.is_file() and (folder == "data" or p.name.endswith(".py"))
                 and not (folder == "." and p.name in _NOT_PARSE))
        for path in sorted(files, key=lambda p: p.name):
            digest.update(f"{folder}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ReportCache:
    """Parsed-report frames stored as one pickle per file under ``directory/<version>/``.

    The files are written by this library for this user only; a corrupt or unreadable entry is
    treated as missing and parsed again (the parse is the source of truth, the cache a copy).
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        from govdisclosure import __version__

        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / "parsed" / f"{__version__}-{data_fingerprint()}"

    @staticmethod
    def key(data: bytes, source_format: str) -> str:
        return f"{hashlib.sha256(data).hexdigest()}-{source_format}"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pkl"

    def has(self, key: str) -> bool:
        return self._path(key).exists()

    def get(self, key: str) -> dict[str, object] | None:
        path = self._path(key)
        try:
            with path.open("rb") as fh:
                entry = pickle.load(fh)  # our own files, in this user's cache directory
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            # Corrupt (an interrupted write by an older version, a full disk): drop it and parse
            # again; the parse is the source of truth.
            logger.warning("dropping unreadable cache entry %s", path)
            path.unlink(missing_ok=True)
            return None
        return entry if isinstance(entry, dict) else None

    def put(self, key: str, entry: dict[str, object]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash or a parallel writer never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def clear(self) -> None:
        """Remove every cached entry of every version."""
        parsed = self.root / "parsed"
        if parsed.exists():
            shutil.rmtree(parsed)
