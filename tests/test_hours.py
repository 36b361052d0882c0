"""The hours engine at fixed instants: holidays, the year-end closure, closing minutes, time zones."""

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from guide.hours import Calendar, calendar_table, status_at
from guide.model import Hours, Site

VECTORS = json.loads((Path(__file__).parent / "vectors" / "hours.json").read_text(encoding="utf-8"))
CALENDAR = Calendar(
    VECTORS["calendar"]["timezone"],
    VECTORS["calendar"]["country"],
    tuple(tuple(int(x) for x in md.split("-")) for md in VECTORS["calendar"]["year_end"]),
)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: f"{c['hours']}@{c['at']}")
def test_status_matches_the_shared_vectors(case):
    hours = Hours.model_validate(VECTORS["hours"][case["hours"]])
    status = status_at(hours, datetime.fromisoformat(case["at"]), CALENDAR)
    assert status.state == case["expect"], case.get("why")
    if "next" in case:
        assert status.next_open.strftime("%Y-%m-%dT%H:%M") == case["next"], case.get("why")


def test_open_status_says_when_it_closes():
    hours = Hours.model_validate(VECTORS["hours"]["weekdays"])
    status = status_at(hours, datetime.fromisoformat("2026-11-24T10:00:00+09:00"), CALENDAR)
    assert status.closes_at.strftime("%H:%M") == "17:15"


def test_calendar_table_covers_two_years_of_holidays_and_year_end_days():
    table = calendar_table(CALENDAR, date(2026, 11, 23))
    assert "2026-11-23" in table["holidays"]  # 勤労感謝の日
    assert "2028-11-23" in table["holidays"]  # two years on
    assert table["year_end"][:6] == ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]
    assert table["until"] >= "2028-12-31"


def test_year_end_closure_comes_from_site_settings():
    site = Site.model_validate(
        {
            "title": {"ja": "テスト"},
            "city": {
                "name": {"ja": "テスト市"},
                "prefecture": {"ja": "テスト県"},
                "year_end_closure": {"start": "12-28", "end": "01-04"},
            },
            "languages": [{"code": "ja", "name": "日本語", "required": True}],
        }
    )
    calendar = Calendar.for_site(site)
    assert calendar.is_year_end(date(2026, 12, 28))
    assert calendar.is_year_end(date(2027, 1, 4))
    assert not calendar.is_year_end(date(2027, 1, 5))
