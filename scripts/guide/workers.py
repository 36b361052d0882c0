"""Worker processes for the build's parallel steps (an edition's site and open data, handouts per sheet, the link check).

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
import queue
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


def forked_jobs(jobs: list[tuple[Callable, tuple]], after: dict[int, int] | None = None) -> list:
    """[function(*args) for function, args in jobs], in forked workers on as many cores as there are.

    Each job goes to the first worker free, in list order, so a core that is done early takes the
    next job instead of waiting for the slowest; job j of `after` is held until job after[j] is done
    (it reads what that one wrote), and must come after it in the list.  As forked_map, the jobs
    reach the workers by inheritance; a job's exception is raised here."""
    after = after or {}
    workers = min(len(jobs) - len(after), len(os.sched_getaffinity(0)))
    if workers < 2:
        return [function(*args) for function, args in jobs]
    global _CALLS  # noqa: PLW0603
    _CALLS = (_run, jobs)
    results: list = [None] * len(jobs)
    finished: queue.SimpleQueue = queue.SimpleQueue()
    try:
        with forked_pool(workers) as pool:

            def start(number: int) -> None:
                pool.apply_async(_call, (number,), callback=lambda result: finished.put((number, result, None)),
                                 error_callback=lambda error: finished.put((number, None, error)))

            for number in range(len(jobs)):
                if number not in after:
                    start(number)
            for _ in jobs:
                number, result, error = finished.get()
                if error is not None:
                    raise error
                results[number] = result
                for waiting, first in after.items():
                    if first == number:
                        start(waiting)
        return results
    finally:
        _CALLS = None


def _run(function: Callable, args: tuple):
    return function(*args)


@contextlib.contextmanager
def forked_call(function: Callable, *args) -> Iterator[Callable[[], object]]:
    """Start function(*args) in a forked worker while the caller goes on; yields what waits for its
    result (and raises its exception).  On one core, the getter calls it there and then."""
    if len(os.sched_getaffinity(0)) < 2:
        yield lambda: function(*args)
        return
    with forked_pool(1) as pool:
        started = pool.apply_async(function, args)
        yield started.get


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
