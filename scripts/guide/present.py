"""The one presenter: how the model is shown in one language, for every output.

Pages, handouts, `guide diff` and `guide report` all word a record's facts here: a data
text in the reader's language with its fallback marker, dates, weekday ranges (月〜金),
hours in one line or as a table, addresses, phone numbers and links, repeating schedules.
Words come from the gettext catalogs (i18n); no output reaches into another.
"""

from __future__ import annotations

from .model import time_range_minutes

# Weekday ids of the data -> English message ids of their names.
WEEKDAY_IDS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def clock_range(time_range: str) -> str:
    """"08:30-17:15" as people read it: 8:30–17:15."""
    start, end = time_range_minutes(time_range)
    return f"{start // 60}:{start % 60:02d}–{end // 60}:{end % 60:02d}"
