"""Worker processes for the build's parallel steps (an edition's site each, handouts per sheet, the link check).

Workers are forked after the slow imports, so each import is paid once.  A stopped build
(Ctrl-C, SIGTERM) is the parent's to report: a worker leaves quietly when the pool ends it,
instead of printing a traceback of its own.  A killed build (SIGKILL) takes its workers with it:
an orphan would hold the build's lock and write into the next build's folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _quiet(parent: int, then: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent hears Ctrl-C and ends the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends a worker with SIGTERM: just go
    with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere a killed build's workers finish their task
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent was killed before the line above
        os._exit(1)
    if then is not None:
        then()


def forked_pool(workers: int, initializer: Callable[[], None] | None = None):
    """A pool of `workers` forked processes; `initializer` runs in each after the signals are set."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=_quiet, initargs=(os.getpid(), initializer))


_CALLS: tuple | None = None  # (function, calls) being run: forked workers inherit it, nothing is pickled on the way in


def forked_map(function: Callable, calls: list[tuple]) -> list:
    """[function(*call) for call in calls], in forked workers on as many cores as there are.

    The calls reach the workers by inheritance (a guide of 100,000 records is not pickled);
    only the results travel back."""
    workers = min(len(calls), len(os.sched_getaffinity(0)))
    if workers < 2:
        return [function(*call) for call in calls]
    global _CALLS  # noqa: PLW0603
    _CALLS = (function, calls)
    try:
        with forked_pool(workers) as pool:
            return pool.map(_call, range(len(calls)), chunksize=1)
    finally:
        _CALLS = None


def forked_unordered(function: Callable, calls: list[tuple], initializer: Callable[[], None] | None = None, workers: int = 2) -> Iterator:
    """function(*call) for each call, in `workers` forked processes, each result as soon as it is done.

    As forked_map, the calls reach the workers by inheritance; `initializer` runs in each worker."""
    global _CALLS  # noqa: PLW0603
    _CALLS = (function, calls)
    try:
        with forked_pool(workers, initializer) as pool:
            yield from pool.imap_unordered(_call, range(len(calls)))
    finally:
        _CALLS = None


def forked_parts(function: Callable, shared: tuple, items: list, *, fork_above: int) -> list:
    """function(*shared, part) for `items` split into a part per core, the results in one list.

    Up to `fork_above` items are not worth a fork: one call, here."""
    parts = len(os.sched_getaffinity(0)) if len(items) > fork_above else 1
    return [result for part in forked_map(function, [(*shared, items[i::parts]) for i in range(parts)]) for result in part]


def _call(number: int):
    function, calls = _CALLS
    return function(*calls[number])
