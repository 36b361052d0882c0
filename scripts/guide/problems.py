"""A problem found in the data: where it is, what it is, how to word it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class DataError(Exception):
    """Raised when the data cannot be loaded; carries every problem found in one run."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{sum(p.is_error for p in problems)} data errors")
        self.problems = problems


def got_text(value: object) -> str:
    """A value as a problem quotes it: short, and a list or mapping as […] or {…}."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, dict):
        return "{…}"
    return str(value)[:40]
