"""The one presenter: how every output words a record's facts, in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import MINIMAL, REPO, TODAY

from guide.i18n import translations
from guide.load import load_guide
from guide.model import Address, Hours, Phone, Recurrence, Text
from guide.present import Presenter, clock_range, weekday_runs

DAY = date.fromisoformat(TODAY)
WEEKDAYS_9_TO_5 = {
    "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["08:30-17:15"]}],
    "closed_on_public_holidays": True,
    "closed_year_end": True,
}


@pytest.fixture(scope="module")
def guide():
    return load_guide(MINIMAL, today=DAY).guide


def presenter(guide, lang: str) -> Presenter:
    return Presenter(guide, lang, translations(REPO, lang), DAY)


def test_weekday_runs_follow_the_week_whatever_the_order():
    assert weekday_runs(["fri", "mon", "wed", "tue"]) == [["mon", "tue", "wed"], ["fri"]]
    assert weekday_runs([]) == []


def test_three_days_or_more_in_a_row_are_one_range(guide):
    ja, en = presenter(guide, "ja"), presenter(guide, "en")
    assert ja.weekdays(["mon", "tue", "wed", "thu", "fri"]) == ["月曜～金曜"]
    assert ja.weekdays(["mon", "tue", "wed", "thu", "fri"], short=True) == ["月〜金"]
    assert ja.short_days(["tue", "fri"]) == "火・金"
    assert ja.weekdays(["sat", "sun"]) == ["土曜", "日曜"]  # two days are not a range
    assert en.weekdays(["mon", "tue", "wed"]) == ["Mon–Wed"]


def test_hours_as_a_table_and_in_one_line(guide):
    hours = Hours.model_validate(WEEKDAYS_9_TO_5)
    ja = presenter(guide, "ja")
    rows = ja.hours_rows(hours)
    assert rows[0] == ("月曜", "8:30–17:15") and rows[5] == ("土曜", "休み")
    assert rows[7:] == [("祝日・休日", "休み"), ("年末年始（12/29～1/3）", "休み")]  # the year-end days come from site.yaml
    assert ja.hours_line(hours) == "月〜金 8:30–17:15, 祝日休み, 年末年始休み"
    assert presenter(guide, "en").hours_line(hours) == "Mon–Fri 8:30–17:15, closed on public holidays, closed over the year-end holidays"
    assert ja.hours_line(Hours.model_validate({"status": "not_published"})) == "公表なし"
    assert ja.hours_rows(None) == []


def test_hours_in_short_lines_for_paper(guide):
    lines = [str(line) for line in presenter(guide, "ja").hours_lines(Hours.model_validate(WEEKDAYS_9_TO_5))]
    assert lines[0] == '<span class="nb">月曜～金曜</span> <span class="nb">8:30–17:15</span>'
    assert lines[1].startswith("休み: ") and "年末年始（12/29～1/3）" in lines[1]


def test_holiday_rules_the_documents_do_not_give_are_said_to_be_not_stated(guide):
    """Hours given only as 「平日 8:30~17:15」: the table and the paper lines say that the holidays
    and the year-end are not stated, instead of calling them closed."""
    only_weekdays = Hours.model_validate({"weekly": WEEKDAYS_9_TO_5["weekly"]})
    ja = presenter(guide, "ja")
    unstated = "市の資料に記載がありません（お出かけ前にご確認ください）"
    assert ja.hours_rows(only_weekdays)[7:] == [("祝日・休日", unstated), ("年末年始（12/29～1/3）", unstated)]
    lines = [str(line) for line in ja.hours_lines(only_weekdays)]
    assert lines[1] == '休み: <span class="nb">土曜</span>・<span class="nb">日曜</span>'
    assert lines[2] == '<span class="nb">祝日・休日</span>・<span class="nb">年末年始（12/29～1/3）</span>: ' + unstated
    en_rows = presenter(guide, "en").hours_rows(only_weekdays)
    assert en_rows[7] == ("Public holidays", "not stated in the city’s documents — check before you go")


def test_address_in_the_readers_order(guide):
    address = Address.model_validate({"postal_code": "123-4567", "street": {"ja": "架空町1-2", "en": "1-2 Kaku-machi"}})
    assert presenter(guide, "ja").address_text(address) == "〒123-4567 架空県テスト市架空町1-2"
    assert presenter(guide, "ja").address_text(address, with_city=False) == "〒123-4567 架空町1-2"
    assert presenter(guide, "en").address_text(address) == "1-2 Kaku-machi, Test City, Example Prefecture 123-4567"


def test_a_text_missing_in_the_readers_language_falls_back_visibly(guide):
    en = presenter(guide, "en")
    only_japanese = Text.model_validate({"ja": "相談室"})
    assert str(en.texts.html(only_japanese)) == '<span lang="ja">相談室</span> <small class="fallback-note">(Japanese only)</small>'
    assert en.line(Text.model_validate({"ja": "相談\n  室", "en": "Advice\n  desk"})) == "Advice desk"
    assert en.with_note("012-345-6789", Text.model_validate({"ja": "予約", "en": "booking"})) == "012-345-6789 (booking)"
    assert presenter(guide, "ja").with_note("012-345-6789", Text.model_validate({"ja": "予約"})) == "012-345-6789（予約）"


def test_phone_links_use_the_country_of_site_yaml(guide):
    phone = Phone.model_construct(number="012-345-6789", kind="voice", label=None)
    assert 'href="tel:+81-' in presenter(guide, "ja").phone_link(phone)
    elsewhere = guide.model_copy(update={"site": guide.site.model_copy(update={"city": guide.site.city.model_copy(update={"country": "US"})})})
    us_phone = Phone.model_construct(number="202-555-0123", kind="voice", label=None)
    assert 'href="tel:+1-202-555-0123"' in presenter(elsewhere, "ja").phone_link(us_phone)


def test_a_repeating_schedule_on_a_page_and_in_a_change_summary(guide):
    rule = Recurrence.model_validate({"frequency": "weekly", "days": ["mon", "tue", "wed"], "times": ["10:00-11:00"], "note": {"ja": "雨天中止"}})
    ja = presenter(guide, "ja")
    assert ja.recurrence_text(rule) == "毎週 月曜・火曜・水曜 10:00–11:00"
    assert ja.recurrence_text(rule, short=True) == "毎週 月〜水 10:00–11:00（雨天中止）"


def test_dates_and_clock_times(guide):
    assert presenter(guide, "ja").format_date(date(2026, 12, 7), True) == "2026年12月7日（月）"
    assert presenter(guide, "en").format_date(date(2026, 12, 7)) == "7 Dec 2026"
    assert clock_range("08:30-17:15") == "8:30–17:15"


def test_counter_languages_are_named_in_the_readers_language(guide):
    assert presenter(guide, "ja").language_names(["en", "vi", "zh-Hans"]) == "英語、ベトナム語、中国語 (簡体字)"
    assert presenter(guide, "en").language_names(["ja", "pt-BR"]) == "Japanese and Portuguese (Brazil)"


def test_programs_for_a_page_by_agency_area_and_kind(guide):
    ja = presenter(guide, "ja")

    def ids(**query):
        return [p.id for p in ja.programs_for(**query)]

    assert ids(agency="kakuu-soudan-center") == ["kakuu-taisou"]  # organiser and contact: listed once
    assert ids(agency="kakuu-kakei") == ["kakuu-kouza"]
    assert ids(agency="example-counter") == []
    assert ids(area="higashi-1") == ["kakuu-taisou"]  # held in the area around it
    assert ids(area="higashi") == ["kakuu-taisou"]
    assert ids(area="nishi-1") == ["kakuu-salon"]
    assert ids(area="nishi") == []  # a program of a smaller area is not one of the larger area
    assert ids(kind="course") == ["kakuu-kouza", "kakuu-salon"]  # in file order
    assert ids(kind="course", area="nishi-1") == ["kakuu-salon"]
    assert ids(kind="exercise", agency="kakuu-kakei") == []
    assert ids() == ["kakuu-taisou", "kakuu-kouza", "kakuu-salon"]


def test_agencies_of_a_concern_with_their_services_in_it(guide):
    entries = presenter(guide, "ja").agencies_in("debt")
    assert [(agency.id, [s.id for s in services]) for agency, services in entries] == [("kakuu-kakei", ["kakei", "kyufu"])]
    assert presenter(guide, "ja").agencies_in("soudan")[0][0].id == "kakuu-soudan-center"


def test_in_a_concern_counters_that_take_residents_come_before_those_that_do_not(minimal_copy):
    """架空家計相談室 (かくうかけい…) reads before 架空健康窓口 (かくうけんこう…); once it takes consultations from
    other agencies only, the counter residents can call comes first."""
    import yaml

    path = minimal_copy / "data" / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    agencies = {a["id"]: a for a in data["agencies"]}
    agencies["example-counter"]["services"][0]["categories"] = ["health", "debt"]
    for service in agencies["kakuu-kakei"]["services"]:
        service["from_residents"] = False
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (minimal_copy / "data" / "flow.yaml").unlink()  # its guided questions name that counter for residents, which check refuses then
    edited = load_guide(minimal_copy, today=DAY).guide
    assert [agency.id for agency, _services in presenter(edited, "ja").agencies_in("debt")] == ["example-counter", "kakuu-kakei"]
