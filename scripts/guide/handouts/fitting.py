"""Fitting a sheet to its page: the most detailed level that fits on one A4 page, in a few layouts."""

from __future__ import annotations

from itertools import accumulate

from ..fontguard import FontGuard
from .press import Measured, Press
from .sheets import EntryLevels, Sheet, _Handouts

MEASURED_ENTRIES = 48  # entries measured at first: more than fit on one page unless they are very short


class Fitting:
    """Lays out the sheets of one edition (`handouts`) with `press`, every character checked by `guard`."""

    def __init__(self, handouts: _Handouts, press: Press, guard: FontGuard):
        self.handouts, self.press, self.guard = handouts, press, guard

    def fit(self, sheet: Sheet):
        """Lay the sheet out at the most detailed level that fits on one page; return the document.

        A few layouts whatever the size of the data: a concern's level is computed from its
        entries' measured heights (_first_fit), the few levels of other sheets are bisected.
        A sheet that fits on no page even with the least detail takes the level with the fewest
        pages (the most detail among equals), and then says "n / m" on each page.
        A flowing sheet (a list in parts) is laid out once, in full, numbered "n / m"."""
        if sheet.flowing:
            document = self._layout(sheet, 0, paged=True)
            sheet.chosen, sheet.pages = 0, len(document.pages)
            return document
        # Large print needs at least the level its normal-print sheet needed (everything is bigger).
        low = sheet.smaller.chosen if sheet.smaller and sheet.smaller.chosen else 0
        if isinstance(sheet.levels, EntryLevels):
            sheet.chosen, document = self._first_fit(sheet, low)
        else:
            sheet.chosen, document = self._fewest_pages(sheet, low)
        sheet.pages = len(document.pages)
        if document.paged != (sheet.pages > 1):  # "n / m" only on a sheet of several pages
            document = self._layout(sheet, sheet.chosen, paged=sheet.pages > 1)
        return document

    def _layout(self, sheet: Sheet, index: int, *, paged: bool = False):
        html = self.handouts.html(sheet, index, paged=paged)
        if index:  # a shorter level prints notes level 0 does not: check their characters too
            self.guard.check_documents([(sheet.filename, html)], self.handouts.records())
        document = self.press.layout(self.handouts.printable(sheet, html), sheet.filename, self.guard)
        document.paged = paged  # noqa: B010 - remembered: a numbered layout need not be made again
        return document

    def _fewest_pages(self, sheet: Sheet, low: int) -> tuple[int, object]:
        """The first of a few levels that fits on one page, or, when none does, the one with the fewest
        pages.  The next level is tried first (leaving out one detail is what most sheets that do not
        fit need), then the others by bisection: at most five layouts for six levels.  The least
        detailed level is laid out with its pages numbered: when even it takes several, it is the one
        printed, as it is."""
        tried: dict[int, object] = {}
        last = len(sheet.levels) - 1

        def pages(index: int) -> int:
            if index not in tried:
                tried[index] = self._layout(sheet, index, paged=index == last)
            return len(tried[index].pages)

        for index in (low, low + 1):
            if pages(index) == 1 or index == last:
                return index, tried[index]
        if pages(last) > 1:
            best = min(tried, key=lambda i: (pages(i), i))
            return best, tried[best]
        low, high = low + 2, last  # pages(low - 1) > 1 and pages(high) == 1
        while low < high:
            middle = (low + high) // 2
            if pages(middle) == 1:
                high = middle
            else:
                low = middle + 1
        return high, tried[high]

    def _first_fit(self, sheet: Sheet, low: int) -> tuple[int, object]:
        """The first level of a concern's sheet that fits on one page: the whole sheet when it fits as
        it is (one layout), else the level its measured entries predict, checked by laying it out."""
        last = len(sheet.levels) - 1
        if low == 0 and sheet.levels.count <= MEASURED_ENTRIES:
            document = self._layout(sheet, 0)
            if len(document.pages) == 1:
                return 0, document
        index = self._predict(sheet, max(low, 1))
        while True:  # the prediction adds up measured boxes; where it is a hair off, the next level is shorter
            document = self._layout(sheet, index)
            if len(document.pages) == 1 or index == last:
                return index, document
            index += 1

    def _predict(self, sheet: Sheet, start: int) -> int:
        """The first level from `start` whose content, added up from two tall layouts, fits the page.

        The layouts print the entries without addresses, once without and once with their services
        and hours, so the height of any level is the rest of the sheet plus the right entry heights.
        Only as many entries are measured as could possibly fit: the others are never printed."""
        levels, count = sheet.levels, sheet.levels.count
        measured = MEASURED_ENTRIES
        while True:
            shown = min(count, measured)
            short = self._measure(sheet, {"address": False, "full": 0, "limit": shown, "hub_services": True})
            if shown == count or short.rest + sum(short.entries) > short.capacity:
                break
            measured *= 2  # very short entries: more of them might fit
        long = None
        if shown == count:
            long = self._measure(sheet, {"address": False, "full": count, "limit": count, "hub_services": True})
        if long is not None and len(long.entries) != len(short.entries):
            return start  # not measurable (a changed template?): the layouts that follow will find the level
        # "n more places: see the web page" is in neither layout when every entry was measured: as tall as a note.
        note = short.note if long is not None else 0.0
        short_sum = [0.0, *accumulate(short.entries)]
        long_sum = [0.0, *accumulate(long.entries)] if long is not None else []
        for index in range(start, len(levels) - 1):
            level = levels[index]
            if level["address"]:
                continue  # only level 0 prints the addresses: it was tried, or it is out of reach
            if level["limit"] is None:
                if long is None:
                    continue  # every entry: more than can fit
                need = short.rest + long_sum[level["full"]] + short_sum[-1] - short_sum[level["full"]]
            elif level["limit"] > shown:
                continue
            else:
                need = short.rest + short_sum[level["limit"]] + note
                if not level["limit"]:
                    need -= short.note  # no entries listed: no note that their details were left out
            if need <= short.capacity:
                return index
        return len(levels) - 1

    def _measure(self, sheet: Sheet, level: dict) -> Measured:
        return Measured.of(self.press.layout(self.handouts.make_html(sheet, level), sheet.filename, self.guard, tall=True))

