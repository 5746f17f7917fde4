"""Counting what a call leaves for Python's cyclic garbage collector."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cyclic_garbage_left_by(call: Callable[[], T]) -> tuple[T, int]:
    """``call()``'s result and how many unreachable objects only the cyclic collector frees.

    The call runs once before the count, so that imports and package data loaded on first use
    are not counted.
    """
    call()
    gc.collect()
    gc.disable()
    try:
        result = call()
        return result, gc.collect()
    finally:
        gc.enable()
