"""The browser's open-now badge (overrides/assets/guide/openness.js), run in Node against the shared hours vectors."""

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import run_node

from guide.build import JS_STRINGS
from guide.hours import Calendar, calendar_table, status_at
from guide.i18n import translations
from guide.model import Hours

ROOT = Path(__file__).resolve().parent.parent
OPENNESS_JS = ROOT / "overrides" / "assets" / "guide" / "openness.js"
VECTORS = json.loads((Path(__file__).parent / "vectors" / "hours.json").read_text(encoding="utf-8"))
CALENDAR = Calendar(
    VECTORS["calendar"]["timezone"],
    VECTORS["calendar"]["country"],
    tuple(tuple(int(x) for x in md.split("-")) for md in VECTORS["calendar"]["year_end"]),
)
TABLE = calendar_table(CALENDAR, date(2026, 1, 1), years=3)


HARNESS = """
const openness = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { calendar, cases, strings } = JSON.parse(input);
  const out = cases.map((c) => {
    const s = openness.statusAt(c.hours, c.at, calendar);
    const result = { state: s.state, closesAt: s.closesAt, nextOpen: s.nextOpen };
    if (c.describe) {
      globalThis.GUIDE_STRINGS = strings[c.describe];  // as the edition's strings.js sets it
      const text = openness.stringsFor(null);
      result.said = openness.describe(s, c.at, calendar, text);
    }
    return result;
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def edition_strings(lang: str) -> dict:
    """window.GUIDE_STRINGS of an edition, as the build writes it from the catalog."""
    catalog = translations(ROOT, lang)
    return {key: catalog.gettext(msgid) for key, msgid in JS_STRINGS.items()}


def statuses_in_node(cases: list[dict], calendar: dict = TABLE, tz: str = "Asia/Tokyo") -> list[dict]:
    strings = {lang: edition_strings(lang) for lang in {c["describe"] for c in cases if "describe" in c}}
    return run_node(HARNESS, OPENNESS_JS, {"calendar": calendar, "cases": cases, "strings": strings}, timezone=tz)


def hours_json(name: str) -> dict:
    """The hours as the pages and the finder index embed them."""
    return Hours.model_validate(VECTORS["hours"][name]).model_dump(mode="json", exclude_defaults=True)


def _clock(value: dict) -> str:
    return f"{value['date']}T{value['minutes'] // 60:02d}:{value['minutes'] % 60:02d}"


@pytest.fixture(scope="module")
def node_results() -> list[dict]:
    cases = [{"hours": hours_json(c["hours"]), "at": c["at"]} for c in VECTORS["cases"]]
    return statuses_in_node(cases)


@pytest.mark.parametrize("index", range(len(VECTORS["cases"])), ids=lambda i: f"{VECTORS['cases'][i]['hours']}@{VECTORS['cases'][i]['at']}")
def test_openness_js_matches_the_shared_vectors(node_results, index):
    case, got = VECTORS["cases"][index], node_results[index]
    assert got["state"] == case["expect"], case.get("why")
    if "next" in case:
        assert got["nextOpen"] is not None, case.get("why")
        assert _clock(got["nextOpen"]) == case["next"], case.get("why")


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"])
def test_the_visitors_time_zone_does_not_matter(tz):
    cases = [{"hours": hours_json(c["hours"]), "at": c["at"]} for c in VECTORS["cases"]]
    got = statuses_in_node(cases, tz=tz)
    assert [(r["state"], r["nextOpen"] and _clock(r["nextOpen"])) for r in got] == [
        (c["expect"], c.get("next")) for c in VECTORS["cases"]
    ]


def test_raw_vector_hours_work_too():
    """The unvalidated YAML shape (no defaults filled in) gives the same answers."""
    cases = [{"hours": VECTORS["hours"][c["hours"]], "at": c["at"]} for c in VECTORS["cases"]]
    assert [r["state"] for r in statuses_in_node(cases)] == [c["expect"] for c in VECTORS["cases"]]


def test_openness_js_agrees_with_python_every_half_hour_for_a_fortnight():
    """A sweep over the year-end closure and a public holiday, against guide.hours.status_at."""
    instants = [datetime.fromisoformat(f"2026-12-{d:02d}T{h:02d}:{m:02d}:00+09:00") for d in range(22, 32) for h in range(24) for m in (0, 29, 30)]
    instants += [datetime.fromisoformat(f"2027-01-{d:02d}T{h:02d}:{m:02d}:00+09:00") for d in range(1, 13) for h in range(24) for m in (0, 30)]
    cases, expected = [], []
    for name in ("weekdays", "split_saturday", "unpublished", "weekdays_unstated"):
        hours = Hours.model_validate(VECTORS["hours"][name])
        for moment in instants:
            cases.append({"hours": hours.model_dump(mode="json", exclude_defaults=True), "at": moment.isoformat()})
            status = status_at(hours, moment, CALENDAR)
            nxt = status.next_open.strftime("%Y-%m-%dT%H:%M") if status.next_open else None
            closes = status.closes_at.strftime("%Y-%m-%dT%H:%M") if status.closes_at else None
            expected.append((status.state, nxt, closes))
    got = [
        (r["state"], _clock(r["nextOpen"]) if r["nextOpen"] else None, _clock(r["closesAt"]) if r["closesAt"] else None)
        for r in statuses_in_node(cases)
    ]
    assert got == expected


def test_open_status_says_when_it_closes():
    [got] = statuses_in_node([{"hours": hours_json("weekdays"), "at": "2026-11-24T10:00:00+09:00"}])
    assert got["closesAt"] == {"date": "2026-11-24", "minutes": 17 * 60 + 15}


def test_unknown_outside_the_calendar_table_when_holidays_matter():
    table = calendar_table(CALENDAR, date(2026, 1, 1), years=1)
    late = {"hours": hours_json("weekdays"), "at": "2031-06-03T10:00:00+09:00"}
    always = {"hours": hours_json("split_saturday"), "at": "2031-06-03T10:00:00+09:00"}
    got = statuses_in_node([late, always], table)
    assert got[0]["state"] == "unknown"
    assert got[1]["state"] == "open"  # no holiday rules: the table is not needed


def test_no_calendar_means_unknown_for_holiday_dependent_hours():
    got = statuses_in_node([{"hours": hours_json("weekdays"), "at": "2026-11-24T10:00:00+09:00"}], None)
    assert got[0]["state"] == "unknown"


def test_badge_words_in_japanese_and_english():
    weekdays = hours_json("weekdays")
    monday_only = {
        "weekly": [{"days": ["mon"], "times": ["09:00-10:00"]}],
        "closed_on_public_holidays": False,
        "closed_year_end": False,
        "closed_periods": [{"start": "2026-11-30", "end": "2026-12-06"}],
    }
    cases = [
        {"hours": weekdays, "at": "2026-11-24T10:00:00+09:00", "describe": "ja"},
        {"hours": weekdays, "at": "2026-11-24T07:00:00+09:00", "describe": "ja"},
        {"hours": weekdays, "at": "2026-11-24T18:00:00+09:00", "describe": "ja"},
        {"hours": weekdays, "at": "2026-11-21T10:00:00+09:00", "describe": "ja"},
        {"hours": weekdays, "at": "2026-12-29T10:00:00+09:00", "describe": "ja"},
        {"hours": monday_only, "at": "2026-11-24T10:00:00+09:00", "describe": "ja"},
        {"hours": {"status": "not_published"}, "at": "2026-11-24T10:00:00+09:00", "describe": "ja"},
        {"hours": weekdays, "at": "2026-11-21T10:00:00+09:00", "describe": "en"},
    ]
    said = [(r["said"]["state"], r["said"]["text"], r["said"]["detail"]) for r in statuses_in_node(cases)]
    assert said == [
        ("open", "受付中", "17:15まで"),
        ("closed", "受付時間外", "本日8:30から"),
        ("closed", "本日の受付は終了", "次の受付: 明日 8:30"),  # open earlier today
        ("closed", "本日は休み", "次の受付: 火曜 8:30"),  # Saturday: no hours at all today
        ("closed", "本日は休み", "次の受付: 月曜 8:30"),  # 12/29 → 1/4: within a week, the weekday says it
        ("closed", "本日は休み", "次の受付: 12月7日（月曜） 9:00"),  # a week or more ahead: the date
        ("unknown", "受付時間の記載なし（お電話でご確認ください）", ""),
        ("closed", "Closed today", "Next open: Tue 8:30"),
    ]


def test_the_badge_never_claims_open_on_a_day_the_documents_say_nothing_of():
    """Hours without holiday rules (the documents give only 「平日」): on a public holiday or in the
    city's year-end period the badge says the counter may be closed, and names no next opening
    that falls on such a day."""
    moments = [("2026-11-23T10:00", "ja"), ("2026-12-30T10:00", "ja"), ("2026-11-23T10:00", "en"), ("2026-11-20T18:00", "en"), ("2026-11-24T18:00", "en")]
    cases = [{"hours": hours_json("weekdays_unstated"), "at": f"{at}:00+09:00", "describe": lang} for at, lang in moments]
    said = [(r["said"]["state"], r["said"]["text"], r["said"]["detail"]) for r in statuses_in_node(cases)]
    assert said == [
        ("unknown", "本日は祝日のため、休みの可能性があります", "資料に記載がないため、お出かけ前にご確認ください"),
        ("unknown", "年末年始のため、休みの可能性があります", "資料に記載がないため、お出かけ前にご確認ください"),
        ("unknown", "May be closed today (public holiday)", "the documents do not say — please check before you go"),
        ("closed", "Closed for today", ""),  # Friday evening: Monday 11/23 is a holiday, so no "next open: Mon"
        ("closed", "Closed for today", "Next open: tomorrow 8:30"),
    ]


def test_texts_come_from_data_attributes_then_guide_strings_then_defaults():
    script = """
    const o = require(process.argv[1]);
    globalThis.GUIDE_STRINGS = { open_now: "OPEN (global)", closes_at: "till {time}" };
    const element = { dataset: { msgOpenNow: "OPEN (attribute)" }, closest: () => null };
    const status = o.statusAt({ weekly: [{ days: ["tue"], times: ["08:30-17:15"] }], closed_on_public_holidays: false, closed_year_end: false }, "2026-11-24T10:00:00+09:00", null);
    const said = (el) => o.describe(status, "2026-11-24T10:00:00+09:00", null, o.stringsFor(el));
    const found = [said(element), said(null)];
    delete globalThis.GUIDE_STRINGS;
    process.stdout.write(JSON.stringify([...found, o.stringsFor(null)("tomorrow")]));
    """
    done = subprocess.run(["node", "-e", script, str(OPENNESS_JS)], capture_output=True, text=True, check=True, timeout=60)
    with_attribute, with_global, default = json.loads(done.stdout)
    assert with_attribute["text"] == "OPEN (attribute)" and with_attribute["detail"] == "till 17:15"
    assert with_global["text"] == "OPEN (global)"
    assert default == "tomorrow"


def test_without_strings_js_the_badge_speaks_the_english_message_ids():
    script = """
    const o = require(process.argv[1]);
    const keys = JSON.parse(process.argv[2]);
    process.stdout.write(JSON.stringify(Object.fromEntries(keys.map((k) => [k, o.stringsFor(null)(k)]))));
    """
    done = subprocess.run(
        ["node", "-e", script, str(OPENNESS_JS), json.dumps(list(JS_STRINGS))], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == JS_STRINGS
