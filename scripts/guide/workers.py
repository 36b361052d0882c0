"""Worker processes for the build's parallel steps (MkDocs per edition, handouts per sheet).

Workers are forked after the slow imports, so each import is paid once.  A stopped build
(Ctrl-C, SIGTERM) is the parent's to report: a worker leaves quietly when the pool ends it,
instead of printing a traceback of its own.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable


def _quiet(then: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent hears Ctrl-C and ends the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends a worker with SIGTERM: just go
    if then is not None:
        then()


def forked_pool(workers: int, initializer: Callable[[], None] | None = None):
    """A pool of `workers` forked processes; `initializer` runs in each after the signals are set."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=_quiet, initargs=(initializer,))
