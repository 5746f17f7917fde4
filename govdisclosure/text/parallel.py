"""Segmentation across processes for large corpora.

jieba is pure Python and holds the GIL, so threads do not help; ``jieba.enable_parallel`` does
not parallelise ``lcut`` and loses user words added after it is called (DESIGN.md §8). Instead a
process pool splits the *texts* among workers. Each worker builds its tokenizer once, in the
pool's initializer; with the ``fork`` start method it inherits the parent's already-loaded one
and builds nothing.

Workers return each text's tokens joined by one separator character: one string pickles and
unpickles far faster than a list of hundreds of thousands of small strings. (A text that itself
contains the separator comes back as a list, which stays unambiguous.)
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from govdisclosure.text.segment import Segmented, Segmenter

__all__ = ["resolve_n_jobs", "segment_texts"]

Mode = Literal["cut", "tag"]

# The segmenter a worker process uses; set by the initializer (or inherited through fork).
_WORKER: Segmenter | None = None
# Batches per worker: enough to even out texts of unequal length, few enough to keep the
# per-task overhead negligible.
_BATCHES_PER_WORKER = 4


def resolve_n_jobs(n_jobs: int) -> int:
    """``n_jobs`` as a positive worker count (``-1`` = the CPUs this process may use)."""
    if n_jobs == -1:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of processes or -1, not {n_jobs}")
    return n_jobs


def _init_worker(segmenter: Segmenter) -> None:
    global _WORKER
    inherited = _WORKER
    if inherited is not None and inherited.fingerprint == segmenter.fingerprint and inherited._engine is not None:
        return  # fork: the parent's loaded tokenizer is already here
    _WORKER = segmenter.load()


def _segment_batch(mode: Mode, texts: list[str]) -> list[Segmented]:
    if _WORKER is None:
        raise RuntimeError("a segmentation worker ran without its initializer")
    return [_WORKER._joined(text, mode) for text in texts]


def _batches(texts: list[str], n_batches: int) -> list[list[str]]:
    """Contiguous batches of roughly equal total length (order is kept)."""
    total = sum(map(len, texts)) or 1
    target = total / n_batches
    batches: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if batches[-1] and size >= target:
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return batches


def segment_texts(segmenter: Segmenter, texts: list[str], mode: Mode, n_jobs: int) -> list[Segmented]:
    """Joined tokens (and tags) of each text, segmented by a pool of ``n_jobs`` processes.

    A text that contains the separator comes back as lists (see ``Segmenter._joined``).
    """
    workers = min(resolve_n_jobs(n_jobs), len(texts))
    global _WORKER
    # Load in the parent first: forked workers then inherit the tokenizer instead of each
    # loading jieba's dictionary again (spawned workers build their own in _init_worker).
    previous, _WORKER = _WORKER, segmenter.load()
    try:
        batches = _batches(texts, workers * _BATCHES_PER_WORKER)
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(segmenter,)) as pool:
            results = pool.map(_segment_batch, [mode] * len(batches), batches)
            return [joined for batch in results for joined in batch]
    finally:
        _WORKER = previous
