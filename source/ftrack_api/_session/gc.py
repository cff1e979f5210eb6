"""Pause the cyclic garbage collector around bulk work.

Decoding a large response or building a large batch allocates many
containers that survive; each allocation burst can trigger full collections
that walk every object the process holds (all cached entities), making bulk
work cost more than linear. Reference counting still frees everything
normally while paused; the collector resumes (and catches up) afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_LOCK = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused():
    """Disable the cyclic collector for the duration of the block.

    Nested and concurrent uses are counted: the collector is enabled again
    (if it was enabled before the first use) when the last block exits.
    """
    global _depth, _was_enabled
    with _LOCK:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
