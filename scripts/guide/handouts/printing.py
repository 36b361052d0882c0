"""Printing on the cores: every language's sheets together, those in their cache copied, the others
printed by one forked worker per core (the longest first, so the workers finish together)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..fontguard import FontGuard, HandoutError
from ..model import PrivateOverlay
from ..workers import forked_parts, forked_unordered
from .cache import Cache, cacheable
from .fitting import Fitting
from .press import Press, write_file
from .sheets import Sheet, _Handouts


@dataclass
class Batch:
    """One language's sheets to print, each to its target, with that language's cache."""

    handouts: _Handouts
    jobs: list[tuple[Sheet, Path]]
    store: Cache
    cached: dict[int, bytes] = field(default_factory=dict)  # job number -> PDF printed before

    def todo(self) -> list[int]:
        return [number for number in range(len(self.jobs)) if number not in self.cached]


def print_batches(batches: list[Batch], guard: FontGuard, staff: PrivateOverlay | None) -> None:
    """Print every sheet of every batch to its target: those whose inputs did not change from
    their cache are copied, the others printed in parallel, every language's sheets together
    (so the longest sheets of two languages are printed side by side, not one after the other)."""
    # A cache key needs the sheet's HTML: the normal-print sheets' are made in parallel, a part per
    # core; the HTML of a sheet that is not in its cache comes back, to be checked and printed.
    normal = [(b, n) for b, batch in enumerate(batches) for n, (sheet, _) in enumerate(batch.jobs) if cacheable(sheet) and not sheet.smaller]
    for b, number, key, html in forked_parts(_cache_keys, (batches,), normal, fork_above=8):
        sheet = batches[b].jobs[number][0]
        batches[b].store.keys[id(sheet)] = key
        if html is not None:
            batches[b].handouts.html(sheet, 0, made=html)
    for batch in batches:
        for number, (sheet, _) in enumerate(batch.jobs):
            pdf = batch.store.fetch(sheet) if cacheable(sheet) else None
            if pdf is not None:
                batch.cached[number] = pdf
    # Every sheet to print, checked at once: one error lists every character that cannot be printed.
    # A cached sheet passed this check when it was printed, with the same font (its key holds the font files).
    guard.check_documents(
        ((b.jobs[n][0].filename, b.handouts.html(b.jobs[n][0], 0)) for b in batches for n in b.todo()), batches[0].handouts.records(staff)
    )
    for batch in batches:
        for number, pdf in batch.cached.items():
            write_file(batch.jobs[number][1], pdf)
    for b, number, pdf in _print_in_parallel([(b, n) for b, batch in enumerate(batches) for n in batch.todo()], batches, guard):
        sheet, target = batches[b].jobs[number]
        write_file(target, pdf)
        if cacheable(sheet):
            batches[b].store.keep(sheet, pdf)
    for batch in batches:
        batch.store.prune()


def _cache_keys(batches: list[Batch], sheets: list[tuple[int, int]]) -> list[tuple[int, int, str, str | None]]:
    """(batch, job number, cache key, the HTML if the cache does not have the sheet) of each sheet."""
    keys = []
    for b, number in sheets:
        batch = batches[b]
        sheet = batch.jobs[number][0]
        key = batch.store.key(sheet)
        keys.append((b, number, key, None if batch.store.has(key) else batch.handouts.html(sheet, 0)))
    return keys


def _print_in_parallel(sheets: list[tuple[int, int]], batches: list[Batch], guard: FontGuard) -> Iterator[tuple[int, int, bytes]]:
    """(batch, job number, PDF) of every sheet (batch, job number), printed by one forked worker per core.

    A large-print sheet goes to the worker of its normal-print twin, after it (it needs the
    level the twin chose); the longest sheets go first, so the workers finish together."""
    if not sheets:
        return
    groups: list[list[tuple[int, int]]] = []
    group_of: dict[int, int] = {}
    for b, number in sheets:
        sheet = batches[b].jobs[number][0]
        twin = group_of.get(id(sheet.smaller)) if sheet.smaller else None
        if twin is None:
            group_of[id(sheet)] = len(groups)
            groups.append([(b, number)])
        else:
            groups[twin].append((b, number))
    groups.sort(key=lambda group: -sum(len(batches[b].handouts.html(batches[b].jobs[n][0], 0)) for b, n in group))
    press = Press()  # made once here: the workers inherit its fonts and parsed stylesheet
    calls = [(batches, press, guard, group) for group in groups]
    workers = min(len(groups), len(os.sched_getaffinity(0)))
    printed = map(_print_group, *zip(*calls)) if workers < 2 else forked_unordered(_print_group, calls, _KeptWarnings.install, workers)
    yield from _results(batches, printed)


def _print_group(batches: list[Batch], press: Press, guard: FontGuard, group: list[tuple[int, int]]) -> tuple[list[tuple], list[tuple[int, str]], tuple[str, str] | None]:
    """Print a group of sheets (a normal-print sheet, then its large twin): (PDFs, warnings, error)."""
    printed, error = [], None
    try:
        for b, number in group:
            sheet = batches[b].jobs[number][0]
            document = Fitting(batches[b].handouts, press, guard).fit(sheet)
            printed.append((b, number, sheet.chosen, sheet.pages, press.pdf(document, sheet.filename, guard)))
    except HandoutError as err:
        error = (err.msgid, err.params)  # plain values: they cross back from the worker
    return printed, _KeptWarnings.taken(), error


def _results(batches: list[Batch], groups) -> Iterator[tuple[int, int, bytes]]:
    """The PDFs of printed groups; the level and pages each sheet took are copied to the parent's sheet."""
    logger = logging.getLogger("weasyprint")
    for printed, warnings, error in groups:
        for level, message in warnings:  # as if WeasyPrint had run here
            logger.log(level, "%s", message)
        if error:
            raise HandoutError(error[0], **error[1])
        for b, number, chosen, pages, pdf in printed:
            sheet = batches[b].jobs[number][0]
            sheet.chosen, sheet.pages = chosen, pages
            yield b, number, pdf


class _KeptWarnings(logging.Handler):
    """In a printing worker: WeasyPrint's warnings, kept to send back with the sheets instead of printed there."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.kept: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append((record.levelno, record.getMessage()))

    @classmethod
    def install(cls) -> None:
        logger = logging.getLogger("weasyprint")
        logger.handlers = [cls()]
        logger.propagate = False

    @classmethod
    def taken(cls) -> list[tuple[int, str]]:
        """The warnings kept since the last call (none where no worker keeps them: they were logged)."""
        kept = [handler for handler in logging.getLogger("weasyprint").handlers if isinstance(handler, cls)]
        if not kept:
            return []
        warnings, kept[0].kept = kept[0].kept, []
        return warnings
